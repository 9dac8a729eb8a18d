#pragma once
// `tally-audit recount` (contract section 5): counts a ballots file (one ballot payload per line)
// against a contest file with the tally engine, streaming: memory is O(candidates + longest
// line), never O(ballots). How edge cases are treated: docs/rules.md, "tally-audit recount".
// Not thread-safe: one BallotStream per file.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tally/audit/ballot_parser.hpp"
#include "tally/audit/contest_file.hpp"
#include "tally/audit/input_error.hpp"
#include "tally/counter.hpp"
#include "tally/result.hpp"

namespace tallystation::audit {

// Longest ballot line accepted (a line of every candidate of a large list is far below this).
inline constexpr std::size_t kMaxBallotLineBytes = 16u << 20;

// Feeds a ballots file, in chunks of any size, into a counter.
class BallotStream {
 public:
  BallotStream(ContestFile contest, std::string file_label);

  // Consumes the next bytes of the file. Returns false on the first bad line (then error()).
  bool feed(std::string_view chunk);
  // Ends the file: a last line without a newline is counted. Returns false on error.
  bool finish();
  // The result; call after finish() returned true.
  tally::Result result() const;

  const InputError& error() const { return error_; }
  std::uint64_t lines() const { return line_; }
  const tally::Contest& contest() const { return contest_.contest; }

 private:
  bool line(std::string_view text);
  bool fail(std::size_t offset_in_line, std::string message);
  void start_counter();

  ContestFile contest_;
  std::string file_;
  tally::CandidateIndex index_;
  BallotParser parser_;
  BallotFields fields_;
  std::optional<tally::Counter> counter_;  // built once the round is known
  std::optional<std::string> session_;
  std::string pending_;  // a line split across chunks
  std::uint64_t line_ = 0;
  InputError error_;
  bool failed_ = false;
};

// Reads the ballots file at `path` through `stream` in large chunks.
// Returns false with stream.error() (or an I/O error) on failure.
std::optional<InputError> stream_file(const std::string& path, BallotStream& stream);

// The whole recount: contest file and ballots file to result.
InputResult<tally::Result> recount_files(const std::string& contest_path,
                                                      const std::string& ballots_path);

// The result as one JSON object with exactly the members of contract section 5, in that order:
// ballots_collected, valid, invalid, basis, threshold, tally [{candidate,name,votes}], elected,
// elected_alternates, outcome, tied, seats_unfilled. No trailing newline.
std::string recount_json(const tally::Result& result);

// A JSON string literal (quotes included) for UTF-8 `text`.
std::string json_quote(std::string_view text);

}  // namespace tallystation::audit
