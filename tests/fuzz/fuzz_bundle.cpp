// Fuzz target: tally-audit's bundle reader (tally/audit/verify/bundle_model.hpp, box_scan.hpp):
// verify::load_session (session.json), read_command_log (commands.jsonl, command_log.json, with
// the congress replay's parse of every command), check_keys_file (keys.json) and read_token_set
// (tokens.txt), as `tally-audit verify` runs them on an audit bundle, and box_leaves (a round's
// ballots.jsonl read as envelopes, as `tally-audit receipt` does). The signature-checking box
// scan (scan_box, on a worker pool) is not run here: its envelope and payload parsers are.
//
// Input: the bundle's files joined by the line "%%": session.json, commands.jsonl,
// command_log.json, keys.json, tokens.txt, ballots.jsonl (missing parts: the file is absent). They are written to
// a temporary directory: the readers read files.
// Exceptions are what tally-audit verify turns into "no verdict" (exit 2, verify_command.cpp), not
// crashes; crashes and sanitizer reports are.
// Invariant: box_leaves names the line it could not read.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_util.hpp"
#include "tally/audit/verify/box_scan.hpp"
#include "tally/audit/verify/bundle_model.hpp"
#include "tally/audit/verify/report.hpp"

using namespace tallystation;
using namespace tallystation::audit::verify;

namespace {

const char* const kFiles[] = {"session.json", "commands.jsonl", "command_log.json", "keys.json",
                              "tokens.txt",   "ballots.jsonl"};

// Never destroyed: remove_dir runs at exit, after function-local statics may have gone.
const std::filesystem::path& bundle_dir() {
  static const std::filesystem::path* const dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ts-fuzz-bundle-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    return new std::filesystem::path(tmpl);
  }();
  return *dir;
}

void remove_dir() {
  std::error_code ec;
  std::filesystem::remove_all(bundle_dir(), ec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool registered = (bundle_dir(), std::atexit(remove_dir), true);
  (void)registered;
  const std::filesystem::path& dir = bundle_dir();
  const auto parts = fuzz::split(fuzz::as_view(data, size), "\n%%\n");
  for (std::size_t i = 0; i < std::size(kFiles); ++i) {
    const std::filesystem::path p = dir / kFiles[i];
    if (i < parts.size()) {
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out.write(parts[i].data(), static_cast<std::streamsize>(parts[i].size()));
    } else {
      std::error_code ec;
      std::filesystem::remove(p, ec);
    }
  }
  try {
    std::string error;
    if (!box_leaves(dir / "ballots.jsonl", error)) FUZZ_CHECK(!error.empty());
  } catch (const std::exception&) {
  }
  try {
    const SessionDef session = load_session(dir / "session.json");
    Report report;
    const LogFacts log = read_command_log(dir, session, report);
    (void)check_keys_file(dir, session, log, report);
    std::uint64_t issued = 0;
    for (const auto& [key, facts] : log.rounds) issued += facts.tokens_issued;
    (void)read_token_set(dir / "tokens.txt", issued, "round", report);
    (void)report.ok();
  } catch (const std::exception&) {
    // UnreadableBundle, or hostile input the checks did not foresee: tally-audit's "no verdict".
  }
  return 0;
}
