#include "tally/audit/ballot_parser.hpp"

#include <algorithm>

#include "tally/json_reader.hpp"

namespace tallystation::audit {

namespace {

enum Member : unsigned { kSession = 1, kContest = 2, kRound = 4, kToken = 8, kMarks = 16 };
constexpr unsigned kAll = kSession | kContest | kRound | kToken | kMarks;
constexpr const char* kExactly =
    "a ballot payload has exactly session, contest, round, token, marks";

unsigned member_of(std::string_view key) {
  if (key == "marks") return kMarks;
  if (key == "token") return kToken;
  if (key == "round") return kRound;
  if (key == "session") return kSession;
  if (key == "contest") return kContest;
  return 0;
}

std::string_view name_of(unsigned m) {
  switch (m) {
    case kSession:
      return "session";
    case kContest:
      return "contest";
    case kRound:
      return "round";
    case kToken:
      return "token";
    default:
      return "marks";
  }
}

bool read_text(JsonReader& r, std::string_view& out, std::string& scratch) {
  return r.peek() == '"' ? r.read_string(out, scratch) : r.fail("expected a string");
}

bool read_round(JsonReader& r, std::uint64_t& out) {
  const char c = r.peek();
  const std::size_t at = r.offset();
  if (c < '0' || c > '9') return r.fail("expected a positive integer");
  if (!r.read_uint(out)) return false;
  if (out == 0 || out > 0xFFFFFFFFu) return r.fail_at(at, "expected a positive integer");
  return true;
}

}  // namespace

bool BallotParser::read_marks(JsonReader& r, BallotFields& out) {
  if (!r.consume('[')) return r.fail("expected an array of strings");
  if (r.consume(']')) return true;
  do {
    if (r.peek() != '"') return r.fail("expected an array of strings");
    const std::size_t at = r.offset();
    std::string_view id;
    if (!r.read_string(id, mark_scratch_)) return false;
    const std::uint32_t idx = index_.find(id);
    if (idx == tally::kUnknownCandidate) {
      // The classifier cannot tell unknown marks apart: repeats among them are found here, by a
      // short scan for the few unknown marks of an ordinary line, and through a set once a line
      // holds many (a hostile line must not cost quadratic time).
      bool repeated = false;
      if (unknown_.size() < kUnknownScanLimit) {
        repeated = std::find(unknown_.begin(), unknown_.end(), id) != unknown_.end();
        unknown_.emplace_back(id);
        if (unknown_.size() == kUnknownScanLimit) {
          unknown_set_.clear();
          unknown_set_.insert(unknown_.begin(), unknown_.end());
        }
      } else {
        repeated = !unknown_set_.emplace(id).second;
      }
      if (repeated) {
        return r.fail_at(at, "candidate \"" + std::string(id) +
                                 "\" is marked twice (a repeated mark is malformed)");
      }
    }
    out.marks.push_back(idx);
    out.mark_offsets.push_back(at);
  } while (r.consume(','));
  return r.consume(']') || r.fail("expected ',' or ']'");
}

bool BallotParser::read_member(JsonReader& r, unsigned& seen, BallotFields& out) {
  std::string_view key;
  r.peek();
  const std::size_t key_at = r.offset();
  if (!r.read_string(key, key_scratch_)) return false;
  const unsigned m = member_of(key);
  if (m == 0) return r.fail_at(key_at, std::string(key) + ": unknown member (" + kExactly + ")");
  if (seen & m) return r.fail_at(key_at, std::string(key) + ": member appears twice");
  seen |= m;
  if (!r.consume(':')) return r.fail("expected ':'");
  bool ok = false;
  switch (m) {
    case kSession:
      ok = read_text(r, out.session, session_scratch_);
      break;
    case kContest:
      ok = read_text(r, out.contest, contest_scratch_);
      break;
    case kToken:
      ok = read_text(r, out.token, token_scratch_);
      break;
    case kRound:
      ok = read_round(r, out.round);
      break;
    default:
      ok = read_marks(r, out);
      break;
  }
  if (!ok) r.add_context(name_of(m));
  return ok;
}

bool BallotParser::parse(std::string_view line, BallotFields& out) {
  JsonReader r(line);
  out.marks.clear();
  out.mark_offsets.clear();
  unknown_.clear();
  const bool ok = [&] {
    if (!r.consume('{')) {
      return r.fail(r.peek() == '\0' ? "empty line (every line must hold one ballot payload)"
                                     : "expected a ballot payload (a JSON object)");
    }
    unsigned seen = 0;
    if (!r.consume('}')) {
      do {
        if (!read_member(r, seen, out)) return false;
      } while (r.consume(','));
      if (!r.consume('}')) return r.fail("expected ',' or '}'");
    }
    if (!r.at_end()) return r.fail("unexpected data after the ballot payload");
    for (unsigned m = 1; m < kAll; m <<= 1) {
      if (!(seen & m))
        return r.fail_at(0, std::string(name_of(m)) + ": missing (" + kExactly + ")");
    }
    return true;
  }();
  if (!ok) {
    error_ = r.error();
    error_offset_ = r.error_offset();
  }
  return ok;
}

std::string BallotParser::mark_text(std::string_view line, const BallotFields& fields,
                                    std::size_t i) const {
  JsonReader r(line.substr(fields.mark_offsets[i]));
  std::string scratch;
  std::string_view id;
  if (!r.read_string(id, scratch)) return "?";
  return std::string(id);
}

}  // namespace tallystation::audit
