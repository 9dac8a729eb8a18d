#include "tally/audit/verify/box_scan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>

#include "crypto/dsse.hpp"
#include "crypto/merkle.hpp"
#include "tally/audit/ballot_parser.hpp"
#include "tally/audit/verify/worker_pool.hpp"
#include "tally/candidate_index.hpp"
#include "tally/counter.hpp"

namespace tallystation::audit::verify {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kBatchLines = 512;
constexpr std::size_t kChunkBytes = 4u << 20;
// No line of a bundle comes near this (a ballot is a few hundred bytes): a longer one is hostile
// input, refused before it can grow the buffer without bound.
constexpr std::size_t kMaxLineBytes = 16u << 20;

std::string_view bytes_of(const crypto::Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// Reads a file as lines (without '\n'), in large chunks; a last line without a newline counts.
class LineReader {
 public:
  explicit LineReader(const fs::path& p) : fd_(::open(p.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw UnreadableBundle(p.string() + ": cannot be read");
    path_ = p.string();
    // A small file is read in one chunk of its size (a cell's box is a few kilobytes: zeroing
    // a 4 MiB buffer for it would cost more than reading it).
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && st.st_size >= 0 &&
        static_cast<std::uint64_t>(st.st_size) < kChunkBytes) {
      chunk_ = std::max<std::size_t>(static_cast<std::size_t>(st.st_size) + 1, 4096);
    }
  }
  ~LineReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  // The next line, valid until the next call; false at the end.
  bool next(std::string_view& line) {
    for (;;) {
      const char* nl =
          static_cast<const char*>(std::memchr(buf_.data() + pos_, '\n', buf_.size() - pos_));
      if (nl != nullptr) {
        line = std::string_view(buf_.data() + pos_, nl - (buf_.data() + pos_));
        pos_ = nl - buf_.data() + 1;
        return true;
      }
      if (eof_) {
        if (pos_ == buf_.size()) return false;
        line = std::string_view(buf_.data() + pos_, buf_.size() - pos_);
        pos_ = buf_.size();
        return true;
      }
      buf_.erase(0, pos_);
      pos_ = 0;
      if (buf_.size() > kMaxLineBytes) throw UnreadableBundle(path_ + ": a line is too long");
      const std::size_t old = buf_.size();
      buf_.resize(old + chunk_);
      const ssize_t n = ::read(fd_, buf_.data() + old, chunk_);
      if (n < 0) throw UnreadableBundle(path_ + ": read error");
      buf_.resize(old + static_cast<std::size_t>(n));
      if (n == 0) eof_ = true;
    }
  }

 private:
  int fd_;
  std::string path_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::size_t chunk_ = kChunkBytes;
  bool eof_ = false;
};

// What a worker finds out about one line.
struct LineResult {
  bool envelope = false;    // parsed as a ballot envelope
  std::string sig_problem;  // empty: a terminal's signature verifies
  const std::string* terminal = nullptr;
  std::string payload_problem;  // empty: well formed, this round, marks on the list, no repeat
  crypto::Digest leaf{};
  crypto::Digest token{};
  std::vector<std::uint32_t> marks;
};

struct Batch {
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> lines;  // offset, length in text
  std::uint64_t first_line = 0;
  std::vector<LineResult> out;
  std::future<void> done;
};

struct WorkerContext {
  const BoxInput& in;
  tally::CandidateIndex index;
};

void check_line(std::string_view line, const WorkerContext& ctx, BallotParser& parser,
                BallotFields& fields, LineResult& r) {
  // A line is one envelope and nothing else (docs/audit.md "Formats, exactly"): JSON would allow
  // whitespace around it, a CR of a CRLF file included, but commands.jsonl (hashed line by line)
  // and tokens.txt refuse it, and so does the box: one reading of "one envelope per line".
  if (line.empty() || line.front() != '{' || line.back() != '}') {
    r.sig_problem = line.empty() ? "an empty line (each line holds one envelope)"
                                 : "the line does not start with '{' and end with '}' (no "
                                   "whitespace or CR around the envelope)";
    r.payload_problem = "no payload";
    return;
  }
  auto env = crypto::parse_envelope(line);
  if (!env) {
    r.sig_problem = "not a DSSE envelope (" + std::string(crypto::to_string(env.error())) + ")";
    r.payload_problem = "no payload";
    return;
  }
  r.envelope = true;
  r.leaf = crypto::leaf_hash(env->payload);
  auto keyids =
      crypto::verify_envelope(*env, crypto::payload_type::kBallot, ctx.in.log->terminal_keys);
  if (!keyids) {
    r.sig_problem =
        "no terminal's signature verifies (" + std::string(crypto::to_string(keyids.error())) + ")";
  } else if (env->signatures.size() != 1) {
    // The station stores the one signature it verified: others are unverified bytes.
    r.sig_problem = "carries " + std::to_string(env->signatures.size()) + " signatures, not one";
  } else {
    r.terminal = &ctx.in.log->terminal_by_keyid.find(keyids->front())->second;
  }
  if (!parser.parse(env->payload, fields)) {
    r.payload_problem = "malformed payload: " + parser.error();
    return;
  }
  const tally::Contest& c = *ctx.in.contest;
  if (fields.session != ctx.in.session_id || fields.contest != c.id || fields.round != c.round) {
    r.payload_problem = "payload is for session " + std::string(fields.session) + ", contest " +
                        std::string(fields.contest) + ", round " + std::to_string(fields.round);
    return;
  }
  r.token = crypto::sha256(fields.token);
  r.marks = fields.marks;
  std::vector<std::uint32_t> sorted = fields.marks;
  std::sort(sorted.begin(), sorted.end());
  if (!sorted.empty() && sorted.back() >= c.candidates.size()) {
    r.payload_problem = "marks a candidate not on the round's list";
  } else if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    r.payload_problem = "marks a candidate twice";
  }
}

void run_batch(Batch& b, const WorkerContext& ctx) {
  BallotParser parser(ctx.index);
  BallotFields fields;
  b.out.resize(b.lines.size());
  for (std::size_t i = 0; i < b.lines.size(); ++i) {
    check_line(std::string_view(b.text).substr(b.lines[i].first, b.lines[i].second), ctx, parser,
               fields, b.out[i]);
  }
}

// Folds one batch's results, in file order, into the checks, the tree and the count.
class Folder {
 public:
  explicit Folder(const BoxInput& in)
      : in_(in),
        sigs_("ballot signatures", in.scope),
        enrol_("terminal enrolment", in.scope),
        payloads_("ballot payloads", in.scope),
        order_("box order", in.scope),
        tokens_("ballot tokens", in.scope),
        counter_(*in.contest),
        spent_(in.tokens->hashes.size(), false) {}

  void fold(const Batch& b) {
    for (std::size_t i = 0; i < b.out.size(); ++i) {
      const LineResult& r = b.out[i];
      auto at = [&] { return "ballots.jsonl:" + std::to_string(b.first_line + i); };
      ++size_;
      if (!r.sig_problem.empty()) {
        sigs_.fail(at() + ": " + r.sig_problem);
      } else {
        sigs_.pass();
        const TerminalFacts& t = in_.log->terminals.find(*r.terminal)->second;
        if (enrolled_while_open(t, *in_.facts)) {
          enrol_.pass();
        } else {
          enrol_.fail(at() + ": terminal " + t.id + " was not enrolled while the round was open");
        }
      }
      if (!r.envelope) continue;
      tree_.append(r.leaf);
      if (have_prev_ && !(prev_ < r.leaf)) {
        order_.fail(at() +
                    (prev_ == r.leaf ? ": the same ballot twice" : ": not sorted by leaf hash"));
      } else {
        order_.pass();
      }
      prev_ = r.leaf;
      have_prev_ = true;
      if (!r.payload_problem.empty()) {
        payloads_.fail(at() + ": " + r.payload_problem);
        continue;
      }
      payloads_.pass();
      counter_.add(r.marks);
      const auto& set = in_.tokens->hashes;
      auto it = std::lower_bound(set.begin(), set.end(), r.token);
      if (it == set.end() || *it != r.token) {
        tokens_.fail(at() + ": its token was not issued for this round");
      } else if (spent_[static_cast<std::size_t>(it - set.begin())]) {
        tokens_.fail(at() + ": its token was already used by another ballot");
      } else {
        spent_[static_cast<std::size_t>(it - set.begin())] = true;
        tokens_.pass();
      }
    }
  }

  BoxScan finish(Report& report) {
    if (size_ > in_.tokens->hashes.size()) {
      tokens_.problem_only(std::to_string(size_) + " ballots collected, only " +
                           std::to_string(in_.tokens->hashes.size()) + " tokens issued");
    }
    order_.set_note("sorted by leaf hash, no repeats");
    tokens_.set_note(std::to_string(in_.tokens->hashes.size()) + " issued");
    report.add(sigs_.done());
    report.add(enrol_.done());
    report.add(payloads_.done());
    report.add(order_.done());
    report.add(tokens_.done());
    BoxScan s;
    s.size = tree_.size();
    s.root = tree_.root();
    s.result = counter_.finish();
    return s;
  }

 private:
  const BoxInput& in_;
  CheckBuilder sigs_, enrol_, payloads_, order_, tokens_;
  tally::Counter counter_;
  std::vector<bool> spent_;
  crypto::AppendOnlyTree tree_;
  crypto::Digest prev_{};
  bool have_prev_ = false;
  std::uint64_t size_ = 0;
};

}  // namespace

TokenSet read_token_set(const fs::path& file, std::uint64_t issued_in_log, const std::string& scope,
                        Report& report) {
  CheckBuilder b("token set", scope);
  TokenSet set;
  crypto::AppendOnlyTree tree;
  LineReader reader(file);
  std::string_view line;
  std::uint64_t n = 0;
  std::uint64_t held = 0;  // well-formed, ordered lines
  while (reader.next(line)) {
    ++n;
    auto d = crypto::digest_from_hex(line);
    if (!d || crypto::to_hex(*d) != line) {
      b.fail("tokens.txt:" + std::to_string(n) + ": not 64 lowercase hex digits");
      continue;
    }
    if (!set.hashes.empty() && !(set.hashes.back() < *d)) {
      b.fail("tokens.txt:" + std::to_string(n) +
             ": not above the previous line (sorted, no repeats)");
      continue;
    }
    b.pass();
    ++held;
    // Memory stays bounded by what the log issued: lines beyond it are counted, not kept.
    if (set.hashes.size() == issued_in_log) continue;
    set.hashes.push_back(*d);
    tree.append(crypto::leaf_hash(bytes_of(*d)));
  }
  set.root = tree.root();
  if (held != issued_in_log) {
    b.problem_only("tokens.txt holds " + std::to_string(held) +
                   " token hashes, the command log issued " + std::to_string(issued_in_log));
  }
  b.set_note(std::to_string(issued_in_log) + " issued by the command log");
  report.add(b.done());
  return set;
}

BoxScan scan_box(const fs::path& ballots_file, const BoxInput& in, Report& report) {
  WorkerContext ctx{in, tally::CandidateIndex(in.contest->candidates)};
  Folder folder(in);
  LineReader reader(ballots_file);
  WorkerPool pool(in.threads);
  std::deque<std::unique_ptr<Batch>> inflight;
  const std::size_t max_inflight = std::max<std::size_t>(1, 4 * pool.size());
  std::uint64_t line_no = 0;
  auto submit = [&](std::unique_ptr<Batch> b) {
    Batch* raw = b.get();
    raw->done = pool.submit([raw, &ctx] { run_batch(*raw, ctx); });
    inflight.push_back(std::move(b));
    while (inflight.size() >= max_inflight) {
      inflight.front()->done.get();
      folder.fold(*inflight.front());
      inflight.pop_front();
    }
  };
  auto batch = std::make_unique<Batch>();
  std::string_view line;
  while (reader.next(line)) {
    ++line_no;
    if (batch->lines.empty()) batch->first_line = line_no;
    batch->lines.emplace_back(batch->text.size(), line.size());
    batch->text.append(line);
    if (batch->lines.size() == kBatchLines || batch->text.size() >= kChunkBytes) {
      submit(std::move(batch));
      batch = std::make_unique<Batch>();
    }
  }
  if (!batch->lines.empty()) submit(std::move(batch));
  while (!inflight.empty()) {
    inflight.front()->done.get();
    folder.fold(*inflight.front());
    inflight.pop_front();
  }
  return folder.finish(report);
}

std::optional<std::vector<crypto::Digest>> box_leaves(const fs::path& ballots_file,
                                                      std::string& error) {
  LineReader reader(ballots_file);
  std::vector<crypto::Digest> out;
  std::string_view line;
  while (reader.next(line)) {
    auto env = crypto::parse_envelope(line);
    if (!env) {
      error =
          ballots_file.string() + ":" + std::to_string(out.size() + 1) + ": not a DSSE envelope";
      return std::nullopt;
    }
    out.push_back(crypto::leaf_hash(env->payload));
  }
  return out;
}

}  // namespace tallystation::audit::verify
