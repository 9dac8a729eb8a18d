#pragma once
// Parses one ballot payload line of a ballots file (contract section 2: exactly the members
// session, contest, round, token, marks; unknown, missing or repeated members are malformed)
// into candidate indexes. Strict JSON, UTF-8 checked, escapes decoded; no allocation per line
// once warmed up. Not thread-safe: one parser per stream.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tally/candidate_index.hpp"

namespace tallystation::tally {
class JsonReader;
}  // namespace tallystation::tally

namespace tallystation::audit {

using tally::JsonReader;

struct BallotFields {
  // Views valid until the next parse() on the same parser.
  std::string_view session;
  std::string_view contest;
  std::string_view token;
  std::uint64_t round = 0;
  std::vector<std::uint32_t> marks;  // candidate indexes, tally::kUnknownCandidate if not listed
  // Byte offsets of each mark in the line, for messages.
  std::vector<std::size_t> mark_offsets;
};

class BallotParser {
 public:
  explicit BallotParser(const tally::CandidateIndex& index) : index_(index) {}

  // Parses `line` (without its newline). On failure returns false with `error` (no file/line
  // prefix) and `error_offset` (byte offset in the line).
  bool parse(std::string_view line, BallotFields& out);
  // Decoded id of mark `i` of the last parsed line (rare path: for messages).
  std::string mark_text(std::string_view line, const BallotFields& fields, std::size_t i) const;

  const std::string& error() const { return error_; }
  std::size_t error_offset() const { return error_offset_; }

 private:
  bool read_member(JsonReader& r, unsigned& seen, BallotFields& out);
  bool read_marks(JsonReader& r, BallotFields& out);

  const tally::CandidateIndex& index_;
  std::string session_scratch_, contest_scratch_, token_scratch_, key_scratch_, mark_scratch_;
  static constexpr std::size_t kUnknownScanLimit = 32;
  std::vector<std::string> unknown_;  // unknown mark ids of this line, to find repeats
  std::set<std::string, std::less<>> unknown_set_;  // all of them, once a line holds many
  std::string error_;
  std::size_t error_offset_ = 0;
};

}  // namespace tallystation::audit
