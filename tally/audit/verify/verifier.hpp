#pragma once
// `tally-audit verify BUNDLE` and `tally-audit receipt RECEIPT BUNDLE` as library calls
// (docs/audit.md). The verifier trusts nothing but the bundle: a directory, or a tar of one that
// the call unpacks into a private temporary folder and removes again (tar_bundle.hpp). It
// recomputes the command log's chain, every signature, every token set, box root and count, and
// compares them with what the bundle claims. It shares no code with station/ (an independent
// reading of the documents); it uses crypto/ and the tally/ engine.
//
// Both calls throw UnreadableBundle when an input cannot be read or parsed at all (exit 2);
// every other problem is a failed check in the report (exit 1). Thread safe between calls; one
// call uses `threads` worker threads for ballot signatures (0: none, everything on the calling
// thread; `tally-audit rollup` verifies one bundle per thread so).
#include <filesystem>
#include <string>

#include "tally/audit/verify/bundle_model.hpp"
#include "tally/audit/verify/report.hpp"

namespace tallystation::audit::verify {

struct VerifyOptions {
  unsigned threads = 2;
  bool require_certified = false;  // an uncertified result fails instead of warning
};

Report verify_bundle(const std::filesystem::path& bundle, const VerifyOptions& options = {});

// Checks "receipt signature" (by the station key in keys.json) and "receipt inclusion" (the
// ballot_hash is in its round's box: an RFC 6962 inclusion proof computed from ballots.jsonl and
// verified against the minutes' ballot_box root, whose station signature is checked too).
Report verify_receipt(const std::filesystem::path& receipt, const std::filesystem::path& bundle);

}  // namespace tallystation::audit::verify
