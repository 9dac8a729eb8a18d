#include "tally/tools/receipt_command.hpp"

#include <memory>
#include <string>

#include "tally/audit/verify/verifier.hpp"
#include "tally/tools/verify_command.hpp"

namespace tallystation::audit {

namespace {

struct ReceiptCli {
  std::string receipt;
  std::string bundle;
  bool json = false;
};

int run_receipt(const ReceiptCli& o) {
  return print_report("receipt", "the input", o.json,
                      [&] { return verify::verify_receipt(o.receipt, o.bundle); });
}

}  // namespace

void add_receipt_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ReceiptCli>();
  CLI::App* sub = app.add_subcommand(
      "receipt", "Check a ballot receipt: station signature and inclusion in the published box");
  sub->add_option("receipt", o->receipt, "The receipt envelope (JSON file)")->required();
  sub->add_option("bundle", o->bundle, "The audit bundle directory or a tar of it")->required();
  sub->add_flag("--json", o->json, "One JSON object on stdout");
  sub->callback([o, &exit_code] { exit_code = run_receipt(*o); });
}

}  // namespace tallystation::audit
