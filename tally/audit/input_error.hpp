#pragma once
// An error in an auditor's input file, named by file and line ("ballots.jsonl:17: marks: expected
// an array of strings"). Value type.

#include <boost/system/result.hpp>
#include <cstdint>
#include <stdexcept>
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

// A value or the input error that prevented it (docs/architecture.md "Errors").
template <class T>
using InputResult = boost::system::result<T, InputError>;

// Found by ADL when .value() is called on an InputResult holding an error: a caller's bug.
[[noreturn]] inline void throw_exception_from_error(const InputError& e,
                                                    const boost::source_location&) {
  throw std::logic_error("value() of an input error: " + e.to_string());
}

}  // namespace tallystation::audit
