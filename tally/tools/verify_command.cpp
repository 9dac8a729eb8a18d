#include "tally/tools/verify_command.hpp"

#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "tally/audit/verify/tar_bundle.hpp"
#include "tally/audit/verify/verifier.hpp"

namespace tallystation::audit {

namespace {

struct VerifyCli {
  std::string bundle;
  bool json = false;
  unsigned threads = 2;
  bool require_certified = false;
};

int run_verify(const VerifyCli& o) {
  return print_report("verify", "the bundle", o.json, [&] {
    return verify::verify_bundle(o.bundle, verify::VerifyOptions{o.threads, o.require_certified});
  });
}

}  // namespace

int print_report(const char* subcommand, const char* input, bool as_json,
                 const std::function<verify::Report()>& check) {
  try {
    const verify::Report r = check();
    std::cout << (as_json ? r.json() + "\n" : r.text());
    return r.ok() ? 0 : 1;
  } catch (const verify::UnreadableBundle& e) {
    std::cerr << "tally-audit " << subcommand << ": " << e.what() << "\n";
    return 2;
  } catch (const verify::LocalFailure& e) {  // this machine's fault: the input is not blamed
    std::cerr << "tally-audit " << subcommand << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {  // hostile input the checks did not foresee: no verdict
    std::cerr << "tally-audit " << subcommand << ": cannot read " << input << ": " << e.what()
              << "\n";
    return 2;
  }
}

void add_verify_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<VerifyCli>();
  CLI::App* sub = app.add_subcommand(
      "verify", "Verify an audit bundle: signatures, tokens, box roots, recounts, command log");
  sub->add_option("bundle", o->bundle, "The bundle directory (stationctl export) or a tar of it")
      ->required();
  sub->add_flag("--json", o->json, "One JSON object on stdout instead of the readable report");
  sub->add_option("--threads", o->threads, "Threads checking ballot signatures (default 2)")
      ->check(CLI::Range(1u, 64u));
  sub->add_flag("--require-certified", o->require_certified,
                "Fail (exit 1) if a result lacks the required countersignatures");
  sub->callback([o, &exit_code] { exit_code = run_verify(*o); });
}

}  // namespace tallystation::audit
