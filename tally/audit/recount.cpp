#include "tally/audit/recount.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace tallystation::audit {

namespace {
constexpr std::size_t kReadChunk = 4u << 20;
}

BallotStream::BallotStream(ContestFile contest, std::string file_label)
    : contest_(std::move(contest)),
      file_(std::move(file_label)),
      index_(contest_.contest.candidates),
      parser_(index_),
      session_(contest_.session) {
  if (contest_.round_given) start_counter();
}

void BallotStream::start_counter() {
  counter_.emplace(contest_.contest);
}

bool BallotStream::fail(std::size_t offset_in_line, std::string message) {
  (void)offset_in_line;
  failed_ = true;
  error_ = InputError{file_, line_, std::move(message)};
  return false;
}

bool BallotStream::line(std::string_view text) {
  ++line_;
  // A blank line carries no ballot: skipped (the line still counts for the numbers in messages).
  if (text.find_first_not_of(" \t\r") == std::string_view::npos) return true;
  if (!parser_.parse(text, fields_)) return fail(parser_.error_offset(), parser_.error());
  const tally::Contest& c = contest_.contest;
  if (fields_.contest != c.id) {
    return fail(0, "contest: \"" + std::string(fields_.contest) +
                       "\" is not the contest being counted (\"" + c.id + "\")");
  }
  if (!session_) {
    session_.emplace(fields_.session);
  } else if (fields_.session != *session_) {
    return fail(0, "session: \"" + std::string(fields_.session) + "\" differs from \"" + *session_ +
                       "\" (a ballot box holds one session's ballots)");
  }
  if (!counter_) {
    // The contest file named no round: the first ballot's round is the round counted.
    contest_.contest.round = static_cast<std::uint32_t>(fields_.round);
    const tally::ContestProblem p = tally::check_contest(contest_.contest);
    if (p != tally::ContestProblem::none) {
      return fail(
          0, "round: " + std::to_string(fields_.round) + ": " + std::string(tally::describe(p)));
    }
    start_counter();
  } else if (fields_.round != counter_->contest().round) {
    return fail(0, "round: " + std::to_string(fields_.round) + " is not the round being counted (" +
                       std::to_string(counter_->contest().round) + ")");
  }
  const tally::BallotVerdict v = counter_->add(fields_.marks);
  if (tally::is_refused(v)) {
    // A repeated id: contract section 2 calls the payload malformed; the station never accepts
    // one, so a ballots file holding one is not a ballot box: bad input.
    std::string id = "?";
    for (std::size_t i = 0; i < fields_.marks.size() && id == "?"; ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (fields_.marks[j] == fields_.marks[i] && fields_.marks[i] != tally::kUnknownCandidate) {
          id = parser_.mark_text(text, fields_, i);
          break;
        }
      }
    }
    return fail(0,
                "marks: candidate \"" + id + "\" is marked twice (a repeated mark is malformed)");
  }
  return true;
}

bool BallotStream::feed(std::string_view chunk) {
  if (failed_) return false;
  std::size_t pos = 0;
  if (!pending_.empty()) {
    const void* nl = std::memchr(chunk.data(), '\n', chunk.size());
    const std::size_t end =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - chunk.data()) : chunk.size();
    if (pending_.size() + end > kMaxBallotLineBytes) {
      ++line_;
      return fail(0, "line too long (more than " + std::to_string(kMaxBallotLineBytes) + " bytes)");
    }
    pending_.append(chunk.data(), end);
    if (!nl) return true;
    if (!line(pending_)) return false;
    pending_.clear();
    pos = end + 1;
  }
  while (pos < chunk.size()) {
    const char* start = chunk.data() + pos;
    const void* nl = std::memchr(start, '\n', chunk.size() - pos);
    if (!nl) {
      if (chunk.size() - pos > kMaxBallotLineBytes) {
        ++line_;
        return fail(0,
                    "line too long (more than " + std::to_string(kMaxBallotLineBytes) + " bytes)");
      }
      pending_.assign(start, chunk.size() - pos);
      break;
    }
    const std::size_t len = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
    if (!line(std::string_view(start, len))) return false;
    pos += len + 1;
  }
  return true;
}

bool BallotStream::finish() {
  if (failed_) return false;
  // The newline that ends the last line does not open an empty line; a last line without one
  // is counted all the same.
  if (!pending_.empty()) {
    if (!line(pending_)) return false;
    pending_.clear();
  }
  return true;
}

tally::Result BallotStream::result() const {
  if (counter_) return counter_->finish();
  // No ballot at all: count an empty box for the contest's own round.
  return tally::Counter(contest_.contest).finish();
}

std::optional<InputError> stream_file(const std::string& path, BallotStream& stream) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return InputError{path, 0, std::string("cannot open: ") + std::strerror(errno)};
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  std::unique_ptr<char[]> buf(new char[kReadChunk]);
  while (true) {
    const ssize_t n = ::read(fd, buf.get(), kReadChunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return InputError{path, 0, std::string("cannot read: ") + std::strerror(errno)};
    }
    if (n == 0) break;
    if (!stream.feed(std::string_view(buf.get(), static_cast<std::size_t>(n)))) {
      return stream.error();
    }
  }
  if (!stream.finish()) return stream.error();
  return std::nullopt;
}

InputResult<tally::Result> recount_files(const std::string& contest_path,
                                                      const std::string& ballots_path) {
  auto contest = read_contest_file(contest_path);
  if (!contest) return contest.error();
  BallotStream stream(std::move(*contest), ballots_path);
  if (auto e = stream_file(ballots_path, stream)) return *e;
  return stream.result();
}

std::string json_quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

namespace {
void append_ids(std::string& out, const std::vector<std::string>& ids) {
  out += '[';
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += json_quote(ids[i]);
  }
  out += ']';
}
}  // namespace

std::string recount_json(const tally::Result& r) {
  std::string out;
  out += "{\"ballots_collected\":" + std::to_string(r.ballots_collected);
  out += ",\"valid\":" + std::to_string(r.valid);
  out += ",\"invalid\":" + std::to_string(r.invalid);
  out += ",\"basis\":" + std::to_string(r.basis);
  out += ",\"threshold\":" + std::to_string(r.threshold);
  out += ",\"tally\":[";
  for (std::size_t i = 0; i < r.tally.size(); ++i) {
    if (i) out += ',';
    out += "{\"candidate\":" + json_quote(r.tally[i].candidate);
    out += ",\"name\":" + json_quote(r.tally[i].name);
    out += ",\"votes\":" + std::to_string(r.tally[i].votes) + "}";
  }
  out += "],\"elected\":";
  append_ids(out, r.elected);
  out += ",\"elected_alternates\":";
  append_ids(out, r.elected_alternates);
  out += ",\"outcome\":" + json_quote(tally::to_string(r.outcome));
  out += ",\"tied\":";
  append_ids(out, r.tied);
  out += ",\"seats_unfilled\":" + std::to_string(r.seats_unfilled);
  out += '}';
  return out;
}

}  // namespace tallystation::audit
