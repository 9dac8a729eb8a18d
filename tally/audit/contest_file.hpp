#pragma once
// Reads a contest definition file (contract section 5; members and defaults in docs/rules.md,
// "tally-audit recount") into a tally::Contest. Unknown members are refused, so that a misspelt
// `excluded` cannot silently change the threshold.

#include <optional>
#include <string>
#include <string_view>

#include "tally/audit/input_error.hpp"
#include "tally/contest.hpp"

namespace tallystation::audit {

struct ContestFile {
  tally::Contest contest;
  bool round_given = false;            // the file named the round
  std::optional<std::string> session;  // the file named the session
};

// Parses `text`, the content of the file `file_label` (used in errors only).
InputResult<ContestFile> parse_contest(std::string_view text,
                                                    const std::string& file_label);
// Reads and parses the file at `path`.
InputResult<ContestFile> read_contest_file(const std::string& path);

}  // namespace tallystation::audit
