#include "tally/tools/receipt_command.hpp"

#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "tally/audit/verify/verifier.hpp"

namespace tallystation::audit {

namespace {

struct ReceiptCli {
  std::string receipt;
  std::string bundle;
  bool json = false;
};

int run_receipt(const ReceiptCli& o) {
  try {
    const verify::Report r = verify::verify_receipt(o.receipt, o.bundle);
    std::cout << (o.json ? r.json() + "\n" : r.text());
    return r.ok() ? 0 : 1;
  } catch (const verify::UnreadableBundle& e) {
    std::cerr << "tally-audit receipt: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {  // hostile input the checks did not foresee: no verdict
    std::cerr << "tally-audit receipt: cannot read the input: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

void add_receipt_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ReceiptCli>();
  CLI::App* sub = app.add_subcommand(
      "receipt", "Check a ballot receipt: station signature and inclusion in the published box");
  sub->add_option("receipt", o->receipt, "The receipt envelope (JSON file)")->required();
  sub->add_option("bundle", o->bundle, "The audit bundle directory")->required();
  sub->add_flag("--json", o->json, "One JSON object on stdout");
  sub->callback([o, &exit_code] { exit_code = run_receipt(*o); });
}

}  // namespace tallystation::audit
