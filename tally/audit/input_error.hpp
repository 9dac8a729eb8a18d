#pragma once
// An error in an auditor's input file, named by file and line ("ballots.jsonl:17: marks: expected
// an array of strings"). Value type.

#include <cstdint>
#include <string>

namespace tallystation::audit {

struct InputError {
  std::string file;        // as the user named it
  std::uint64_t line = 0;  // 1-based; 0 when the error concerns the whole file (e.g. cannot open)
  std::string message;

  // "file:line: message", or "file: message" when line is 0.
  std::string to_string() const {
    if (line == 0) return file + ": " + message;
    return file + ":" + std::to_string(line) + ": " + message;
  }
};

}  // namespace tallystation::audit
