#pragma once
// A strict JSON (RFC 8259) reader over bytes in memory, for the auditor's input files: no DOM,
// no allocation on the fast path (strings without escapes are returned as views of the input),
// UTF-8 validated, duplicate-member checks left to callers that know the schema.
// The first error is kept with its byte offset, so callers can name the line.
// Not thread-safe; cheap to construct (one per line or file).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tallystation::tally {

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  // Skips JSON whitespace (space, tab, CR, LF) and returns the next byte, or '\0' at the end.
  char peek() {
    if (pos_ < text_.size() && !is_ws(text_[pos_])) return text_[pos_];
    return peek_slow();
  }
  bool at_end() { return peek() == '\0' && pos_ >= text_.size(); }
  // After whitespace, consumes `c` if it is next.
  bool consume(char c) {
    if (peek() == c && pos_ < text_.size()) {
      ++pos_;
      return true;
    }
    return false;
  }

  // Reads a string (after whitespace; the next byte must be '"'). `out` views the input when the
  // string has no escapes, else `scratch`. Checks escapes, surrogate pairs and UTF-8.
  bool read_string(std::string_view& out, std::string& scratch);
  // Reads a number that is a non-negative integer: no sign, fraction or exponent (1.0 and 1e0
  // are refused), no leading zero, at most 2^64 - 1.
  bool read_uint(std::uint64_t& out);
  // Consumes the literal `null` if it is next.
  bool consume_null();
  // Skips any one JSON value, checking it (nesting at most 64 deep).
  bool skip_value() { return skip_value(0); }

  // Records an error at the current offset (or `at`) unless one is recorded; returns false.
  bool fail(std::string message);
  bool fail_at(std::size_t at, std::string message);
  // Prefixes the recorded error message with "<context>: ".
  void add_context(std::string_view context);

  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }
  std::size_t error_offset() const { return error_offset_; }
  std::size_t offset() const { return pos_; }

 private:
  static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  char peek_slow();
  bool skip_value(int depth);
  bool read_string_slow(std::size_t start, std::string_view& out, std::string& scratch);
  bool read_hex4(std::uint32_t& out);
  // Validates one UTF-8 sequence starting at pos_ (a byte >= 0x80); advances past it.
  bool skip_utf8();
  bool expect_literal(std::string_view word);

  std::string_view text_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::string error_;
  std::size_t error_offset_ = 0;
};

// 1-based line number of byte `offset` in `text`.
std::uint64_t line_of(std::string_view text, std::size_t offset);

}  // namespace tallystation::tally

// The auditor's readers (tally/audit/) use the engine's reader under their own namespace.
namespace tallystation::audit {
using tally::JsonReader;
using tally::line_of;
}  // namespace tallystation::audit
