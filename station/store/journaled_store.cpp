#include "station/store/journaled_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "station/store/wal_file.hpp"

namespace tallystation::station {

namespace fs = std::filesystem;

namespace {

// ---- Errors from the file system, with their cause ----

Error errno_error(int err, const std::string& what) {
  Errc e = Errc::device_error;
  const char* cause = "storage I/O error";
  if (err == ENOSPC || err == EDQUOT) {
    e = Errc::disk_full;
    cause = "disk full";
  } else if (err == EROFS || err == EACCES || err == EPERM) {
    e = Errc::read_only;
    cause = "read-only storage";
  }
  return make_error(e, std::string(cause) + " (" + std::strerror(err) + "): " + what);
}

Status write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, what);
    }
    if (n == 0) return errno_error(ENOSPC, what);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Status fsync_path(const fs::path& p, bool directory) {
  const int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) return errno_error(errno, "open " + p.string());
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return errno_error(err, "fsync " + p.string());
  return {};
}

// Writes `bytes` to `target` durably: a temporary file, fsynced, renamed, the directory fsynced.
Status replace_file(const fs::path& target, std::string_view bytes) {
  const fs::path tmp = target.string() + ".new";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error(errno, "create " + tmp.string());
  Status s = write_all(fd, bytes, "write " + tmp.string());
  if (s && ::fsync(fd) != 0) s = errno_error(errno, "fsync " + tmp.string());
  ::close(fd);
  if (!s) return s;
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    return errno_error(errno, "rename " + tmp.string());
  }
  return fsync_path(target.parent_path(), true);
}

// SHA-256 of a file, read in 1 MiB pieces (a snapshot can be as large as the database).
std::optional<crypto::Digest> sha256_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  crypto::Sha256 h;
  std::string buf(1 << 20, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) h.update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) return std::nullopt;
  return h.finish();
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// ---- The operations of a transaction, as bytes ----

enum Op : std::uint8_t {
  op_put_meta = 1,
  op_put_terminal = 2,
  op_put_round = 3,
  op_insert_tokens = 4,
  op_stage_ballots = 5,
  op_seal_round = 6,
  op_append_command = 7,
};

void put_u8(std::string& out, std::uint8_t v) {
  out.push_back(static_cast<char>(v));
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_bytes(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
void put_digest(std::string& out, const crypto::Digest& d) {
  out.append(reinterpret_cast<const char*>(d.data()), d.size());
}
std::string_view digest_bytes(const crypto::Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool done() const { return in_.empty(); }
  bool ok() const { return ok_; }
  std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)[0]); }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (char c : take(4)) v = (v << 8) | static_cast<std::uint8_t>(c);
    return v;
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (char c : take(8)) v = (v << 8) | static_cast<std::uint8_t>(c);
    return v;
  }
  std::string bytes() { return std::string(take(u32())); }
  crypto::Digest digest() {
    crypto::Digest d{};
    const std::string_view s = take(32);
    std::copy(s.begin(), s.end(), reinterpret_cast<char*>(d.data()));
    return d;
  }

 private:
  std::string_view take(std::size_t n) {
    static const char zeros[32] = {};
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      in_ = {};
      return n <= sizeof zeros ? std::string_view(zeros, n) : std::string_view();
    }
    std::string_view out = in_.substr(0, n);
    in_.remove_prefix(n);
    return out;
  }
  std::string_view in_;
  bool ok_ = true;
};

// Applies a transaction's recorded operations to `db` (inside its transaction).
Status apply_ops(SqliteStore& db, std::string_view body, std::uint64_t& ballots) {
  Reader r(body);
  while (!r.done()) {
    const std::uint8_t op = r.u8();
    Status s;
    switch (op) {
      case op_put_meta: {
        std::string k = r.bytes();
        std::string v = r.bytes();
        if (r.ok()) s = db.put_meta(k, v);
        break;
      }
      case op_put_terminal: {
        TerminalRow t;
        t.id = r.bytes();
        t.keyid = r.bytes();
        t.public_key_pem = r.bytes();
        t.revoked = r.u8() != 0;
        if (r.ok()) s = db.put_terminal(t);
        break;
      }
      case op_put_round: {
        RoundRow row;
        row.contest = r.bytes();
        row.round = r.u32();
        row.phase = static_cast<RoundPhase>(r.u8());
        row.tree_state = r.bytes();
        row.ballots = r.u64();
        row.tokens_issued = r.u64();
        row.box_root = r.bytes();
        if (r.u8() != 0) row.log_key = r.digest();
        if (r.ok()) s = db.put_round(row);
        break;
      }
      case op_insert_tokens: {
        std::string contest = r.bytes();
        const std::uint32_t round = r.u32();
        std::vector<crypto::Digest> hashes(r.ok() ? r.u32() : 0);
        for (auto& h : hashes) h = r.digest();
        if (r.ok()) s = db.insert_tokens(contest, round, hashes);
        break;
      }
      case op_stage_ballots: {
        std::string contest = r.bytes();
        const std::uint32_t round = r.u32();
        std::vector<std::string> rows(r.ok() ? r.u32() : 0);
        for (auto& row : rows) row = r.bytes();
        if (r.ok()) s = db.stage_ballots(contest, round, rows);
        ballots += rows.size();
        break;
      }
      case op_seal_round: {
        std::string contest = r.bytes();
        const std::uint32_t round = r.u32();
        const crypto::Digest key = r.digest();
        if (r.ok()) {
          auto n = db.seal_round(contest, round, key);
          if (!n) s = n.error();
        }
        break;
      }
      case op_append_command: {
        CommandRow c;
        c.index = r.u64();
        c.seq = r.u64();
        c.official = r.bytes();
        c.envelope = r.bytes();
        c.prev_hash = r.digest();
        c.entry_hash = r.digest();
        if (r.ok()) s = db.append_command(c);
        break;
      }
      default:
        return make_error(Errc::corrupt, "unknown operation " + std::to_string(op));
    }
    if (!r.ok()) return make_error(Errc::corrupt, "a recorded transaction is truncated");
    if (!s) return s;
  }
  return {};
}

crypto::Digest next_chain(const crypto::Digest& prev, std::uint64_t n, std::string_view body) {
  crypto::Sha256 h;
  h.update(digest_bytes(prev));
  std::string num;
  put_u64(num, n);
  h.update(num);
  h.update(body);
  return h.finish();
}

Result<std::uint64_t> parse_count(const std::optional<std::string>& text) {
  if (!text) return std::uint64_t{0};
  std::uint64_t n = 0;
  for (char c : *text) {
    if (c < '0' || c > '9' || n > UINT64_MAX / 10) {
      return make_error(Errc::corrupt, "meta.commit_count is not a count");
    }
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

struct DbPosition {
  std::uint64_t count = 0;
  crypto::Digest chain{};
};

Result<DbPosition> position_of(SqliteStore& db) {
  auto count = db.get_meta("commit_count");
  if (!count) return count.error();
  auto n = parse_count(*count);
  if (!n) return n.error();
  DbPosition p{*n, {}};
  auto chain = db.get_meta("commit_chain");
  if (!chain) return chain.error();
  if (*chain) {
    auto d = crypto::digest_from_hex(**chain);
    if (!d) return make_error(Errc::corrupt, "meta.commit_chain is not a SHA-256 digest");
    p.chain = *d;
  } else if (p.count != 0) {
    return make_error(Errc::corrupt, "meta.commit_count without meta.commit_chain");
  }
  return p;
}

// ---- The head file: "commit <20 digits> chain <64 hex>\n", 99 bytes ----

std::string head_text(std::uint64_t n, const crypto::Digest& chain) {
  std::string num = std::to_string(n);
  return "commit " + std::string(20 - num.size(), '0') + num + " chain " + crypto::to_hex(chain) +
         "\n";
}

struct Head {
  std::uint64_t count = 0;
  crypto::Digest chain{};
};

// nullopt: no head file; an error: it exists but does not parse (a torn write after a power cut).
Result<std::optional<Head>> read_head(const fs::path& p) {
  auto text = read_file(p);
  if (!text) return std::optional<Head>();
  if (text->size() != 99 || text->compare(0, 7, "commit ") != 0 ||
      text->compare(27, 7, " chain ") != 0 || text->back() != '\n') {
    return make_error(Errc::corrupt, p.string() + " does not parse");
  }
  auto n = parse_count(text->substr(7, 20));
  auto chain = crypto::digest_from_hex(text->substr(34, 64));
  if (!n || !chain) return make_error(Errc::corrupt, p.string() + " does not parse");
  return std::optional<Head>(Head{*n, *chain});
}

std::string count_text(std::uint64_t n) {
  return "commit " + std::to_string(n);
}

}  // namespace

// ---- The mirror ----
//
// MIRROR/snapshot.db   a rebuilt copy of the database at commit S (VACUUM INTO), fsynced
// MIRROR/journal       header, then one record per commit after S, each fdatasynced
//   header (112 bytes): "TSMIRR01" | u64 S | chain_S (32) | SHA-256 of snapshot.db (32) |
//                       SHA-256 of the preceding 80 bytes (32)
//   record: "TSRC" | u32 body length | u64 n | chain_n (32) | body | SHA-256 of the preceding
//           bytes of the record (32)
// All integers big-endian. docs/storage.md "Mirror and head" is the specification.
class JournaledStore::Mirror {
 public:
  struct Record {
    std::uint64_t n = 0;
    crypto::Digest chain{};
    std::string_view body;  // into Contents::bytes (or the caller's buffer)
  };
  // What the mirror holds, as read at start.
  struct Contents {
    std::shared_ptr<const std::string> bytes;  // the journal as read; records point into it
    bool usable = false;        // header and snapshot check out
    std::string problem;        // why not, or what is damaged
    std::uint64_t base = 0;     // S
    crypto::Digest base_chain{};
    std::vector<Record> prefix;  // records S+1, S+2, ... each chaining from the one before
    bool damaged = false;        // bytes after the prefix that are not a valid record chain
    std::uint64_t max_seen = 0;  // highest commit number of any valid record in the file
  };

  explicit Mirror(fs::path dir) : dir_(std::move(dir)) {}
  ~Mirror() {
    if (fd_ >= 0) ::close(fd_);
  }
  fs::path snapshot() const { return dir_ / "snapshot.db"; }
  fs::path journal() const { return dir_ / "journal"; }

  Contents read() const {
    Contents c;
    auto file = read_file(journal());
    if (!file || file->empty()) {
      c.problem = "it holds no journal";
      return c;
    }
    c.bytes = std::make_shared<const std::string>(std::move(*file));
    const std::string* bytes = c.bytes.get();
    if (bytes->size() < 112 || bytes->compare(0, 8, "TSMIRR01") != 0 ||
        digest_bytes(crypto::sha256(std::string_view(*bytes).substr(0, 80))) !=
            std::string_view(*bytes).substr(80, 32)) {
      c.problem = "its journal header is damaged";
      return c;
    }
    Reader h(std::string_view(*bytes).substr(8, 72));
    c.base = h.u64();
    c.base_chain = h.digest();
    const crypto::Digest snap_hash = h.digest();
    auto snap = sha256_file(snapshot());
    if (!snap || *snap != snap_hash) {
      c.problem = snap ? "its snapshot.db does not match the journal header (damaged)"
                       : "its snapshot.db is missing";
      return c;
    }
    c.usable = true;
    // Records.
    std::string_view rest = std::string_view(*bytes).substr(112);
    std::uint64_t expect = c.base + 1;
    crypto::Digest chain = c.base_chain;
    bool in_prefix = true;
    while (!rest.empty()) {
      std::optional<Record> rec = parse_record(rest);
      if (!rec) {
        // Damage (or a torn last write): look for a later valid record, evidence of loss.
        c.damaged = true;
        in_prefix = false;
        const std::size_t next = rest.find("TSRC", 1);
        if (next == std::string_view::npos) break;
        rest.remove_prefix(next);
        continue;
      }
      c.max_seen = std::max(c.max_seen, rec->n);
      if (in_prefix && rec->n == expect && next_chain(chain, rec->n, rec->body) == rec->chain) {
        chain = rec->chain;
        ++expect;
        c.prefix.push_back(std::move(*rec));
      } else if (in_prefix && rec->n <= c.base) {
        // A record the snapshot already holds (a crash between the snapshot and the journal's
        // rewrite): skipped, and the journal is rewritten at start.
        c.damaged = true;
      } else {
        c.damaged = true;
        in_prefix = false;
      }
    }
    if (c.damaged && c.problem.empty()) c.problem = "its journal has damaged or stray records";
    return c;
  }

  // A record's bytes, removed from the front of `in`; nullopt if they are not a whole valid record
  // (in is then left as it was).
  static std::optional<Record> parse_record(std::string_view& in) {
    if (in.size() < 4 + 4 + 8 + 32 + 32 || in.compare(0, 4, "TSRC") != 0) return std::nullopt;
    Reader r(in.substr(4, 44));
    const std::uint32_t len = r.u32();
    Record rec;
    rec.n = r.u64();
    rec.chain = r.digest();
    const std::size_t total = 48 + static_cast<std::size_t>(len) + 32;
    if (in.size() < total) return std::nullopt;
    if (digest_bytes(crypto::sha256(in.substr(0, total - 32))) != in.substr(total - 32, 32)) {
      return std::nullopt;
    }
    rec.body = in.substr(48, len);
    in.remove_prefix(total);
    return rec;
  }

  static std::string record_bytes(std::uint64_t n, const crypto::Digest& chain,
                                  std::string_view body) {
    std::string out = "TSRC";
    put_u32(out, static_cast<std::uint32_t>(body.size()));
    put_u64(out, n);
    put_digest(out, chain);
    out.append(body);
    put_digest(out, crypto::sha256(out));
    return out;
  }

  // Appends one record and makes it durable.
  Status append(std::uint64_t n, const crypto::Digest& chain, std::string_view body) {
    if (fd_ < 0) {
      fd_ = ::open(journal().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      if (fd_ < 0) return errno_error(errno, "mirror: open " + journal().string());
    }
    const std::string rec = record_bytes(n, chain, body);
    if (auto s = write_all(fd_, rec, "mirror: write " + journal().string()); !s) return s;
    if (::fdatasync(fd_) != 0) return errno_error(errno, "mirror: fsync " + journal().string());
    return {};
  }

  // Rewrites the mirror as a snapshot of `db` at (n, chain) and a journal holding `records`
  // (those after n, when the journal is rewritten at start without a new snapshot: `db` null).
  Status rewrite(SqliteStore* db, std::uint64_t n, const crypto::Digest& chain,
                 const std::vector<Record>& records = {}) {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    crypto::Digest snap_hash{};
    if (db != nullptr) {
      const fs::path tmp = dir_ / "snapshot.db.new";
      std::error_code ec;
      fs::remove(tmp, ec);
      if (auto s = db->vacuum_into(tmp); !s) return s;
      if (auto s = fsync_path(tmp, false); !s) return s;
      auto hash = sha256_file(tmp);
      if (!hash) return make_error(Errc::device_error, "mirror: cannot read " + tmp.string());
      snap_hash = *hash;
      if (::rename(tmp.c_str(), snapshot().c_str()) != 0) {
        return errno_error(errno, "mirror: rename " + tmp.string());
      }
      if (auto s = fsync_path(dir_, true); !s) return s;
    } else {
      auto hash = sha256_file(snapshot());
      if (!hash) return make_error(Errc::device_error, "mirror: cannot read snapshot.db");
      snap_hash = *hash;
    }
    std::string j = "TSMIRR01";
    put_u64(j, n);
    put_digest(j, chain);
    put_digest(j, snap_hash);
    put_digest(j, crypto::sha256(j));
    for (const Record& r : records) j += record_bytes(r.n, r.chain, r.body);
    return replace_file(journal(), j);
  }

 private:
  fs::path dir_;
  int fd_ = -1;
};

Status check_writable_directory(const fs::path& dir, std::string_view role) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return errno_error(ec.value(), std::string(role) + " " + dir.string() + " cannot be created");
  }
  const fs::path probe = dir / ".write-probe";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return errno_error(errno, std::string(role) + " " + dir.string() + " is not writable");
  }
  Status s = write_all(fd, "probe\n", std::string(role) + " " + dir.string() + " is not writable");
  if (s && ::fsync(fd) != 0) {
    s = errno_error(errno, std::string(role) + " " + dir.string() + " cannot be synced");
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return s;
}

// ---- The store ----

JournaledStore::JournaledStore(std::unique_ptr<SqliteStore> db, JournalSetup setup)
    : db_(std::move(db)), setup_(std::move(setup)) {}

JournaledStore::~JournaledStore() {
  if (head_fd_ >= 0) ::close(head_fd_);
}

Status JournaledStore::begin() {
  if (mirror_failure_) {
    return Error{mirror_failure_->code,
                      mirror_failure_->message +
                          "; the mirror no longer matches the database: nothing more is "
                          "stored until stationd restarts (docs/operations.md)"};
  }
  if (auto s = db_->begin(); !s) return s;
  body_.clear();
  in_transaction_ = true;
  return {};
}

void JournaledStore::rollback() noexcept {
  db_->rollback();
  body_.clear();
  in_transaction_ = false;
}

Status JournaledStore::commit() {
  in_transaction_ = false;
  if (body_.empty()) return db_->commit();  // nothing changed: nothing to number
  const std::uint64_t n = count_ + 1;
  const crypto::Digest chain = next_chain(chain_, n, body_);
  if (auto s = db_->put_meta("commit_count", std::to_string(n)); !s) return s;
  if (auto s = db_->put_meta("commit_chain", crypto::to_hex(chain)); !s) return s;
  if (auto s = db_->commit(); !s) return s;
  count_ = n;
  chain_ = chain;
  std::string body = std::move(body_);
  body_.clear();
  if (mirror_) {
    if (auto s = mirror_->append(n, chain, body); !s) {
      mirror_failure_ = s.error();
      return Error{s.error().code,
                        s.error().message + " (the database has this transaction; the mirror "
                                            "does not)"};
    }
  }
  // The head, last: one small pwrite, not fsynced (see the header). A failure here is not an
  // error of the commit, which is durable; the head can only lag, which start-up tolerates.
  if (head_fd_ >= 0) {
    const std::string text = head_text(n, chain);
    (void)!::pwrite(head_fd_, text.data(), text.size(), 0);
  }
  return {};
}

Status JournaledStore::compact() {
  if (auto s = db_->compact(); !s) return s;
  if (mirror_ && !mirror_failure_) {
    if (auto s = mirror_->rewrite(db_.get(), count_, chain_); !s) {
      mirror_failure_ = s.error();
      return s;
    }
  }
  return {};
}

Status JournaledStore::put_meta(std::string_view key, std::string_view value) {
  if (auto s = db_->put_meta(key, value); !s) return s;
  put_u8(body_, op_put_meta);
  put_bytes(body_, key);
  put_bytes(body_, value);
  return {};
}

Status JournaledStore::put_terminal(const TerminalRow& t) {
  if (auto s = db_->put_terminal(t); !s) return s;
  put_u8(body_, op_put_terminal);
  put_bytes(body_, t.id);
  put_bytes(body_, t.keyid);
  put_bytes(body_, t.public_key_pem);
  put_u8(body_, t.revoked ? 1 : 0);
  return {};
}

Status JournaledStore::put_round(const RoundRow& r) {
  if (auto s = db_->put_round(r); !s) return s;
  put_u8(body_, op_put_round);
  put_bytes(body_, r.contest);
  put_u32(body_, r.round);
  put_u8(body_, static_cast<std::uint8_t>(r.phase));
  put_bytes(body_, r.tree_state);
  put_u64(body_, r.ballots);
  put_u64(body_, r.tokens_issued);
  put_bytes(body_, r.box_root);
  put_u8(body_, r.log_key ? 1 : 0);
  if (r.log_key) put_digest(body_, *r.log_key);
  return {};
}

Status JournaledStore::insert_tokens(std::string_view contest, std::uint32_t round,
                                     const std::vector<crypto::Digest>& token_hashes) {
  if (auto s = db_->insert_tokens(contest, round, token_hashes); !s) return s;
  put_u8(body_, op_insert_tokens);
  put_bytes(body_, contest);
  put_u32(body_, round);
  put_u32(body_, static_cast<std::uint32_t>(token_hashes.size()));
  for (const auto& h : token_hashes) put_digest(body_, h);
  return {};
}

Status JournaledStore::stage_ballots(std::string_view contest, std::uint32_t round,
                                     const std::vector<std::string>& sealed) {
  if (auto s = db_->stage_ballots(contest, round, sealed); !s) return s;
  put_u8(body_, op_stage_ballots);
  put_bytes(body_, contest);
  put_u32(body_, round);
  put_u32(body_, static_cast<std::uint32_t>(sealed.size()));
  for (const auto& row : sealed) put_bytes(body_, row);
  return {};
}

Result<std::uint64_t> JournaledStore::seal_round(std::string_view contest, std::uint32_t round,
                                                 const crypto::Digest& key) {
  auto n = db_->seal_round(contest, round, key);
  if (!n) return n;
  put_u8(body_, op_seal_round);
  put_bytes(body_, contest);
  put_u32(body_, round);
  put_digest(body_, key);
  return n;
}

Status JournaledStore::append_command(const CommandRow& c) {
  if (auto s = db_->append_command(c); !s) return s;
  put_u8(body_, op_append_command);
  put_u64(body_, c.index);
  put_u64(body_, c.seq);
  put_bytes(body_, c.official);
  put_bytes(body_, c.envelope);
  put_digest(body_, c.prev_hash);
  put_digest(body_, c.entry_hash);
  return {};
}

// ---- Open ----

namespace {

// Replays `records` into `db`, each in a transaction of its own with its number and chain.
Status replay(SqliteStore& db, const std::vector<JournaledStore::Mirror::Record>& records,
              std::uint64_t after, std::uint64_t& ballots) {
  for (const auto& rec : records) {
    if (rec.n <= after) continue;
    if (auto s = db.begin(); !s) return s;
    Status s = apply_ops(db, rec.body, ballots);
    if (s) s = db.put_meta("commit_count", std::to_string(rec.n));
    if (s) s = db.put_meta("commit_chain", crypto::to_hex(rec.chain));
    if (s) s = db.commit();
    if (!s) {
      db.rollback();
      return Error{s.error().code,
                        "replaying mirror commit " + std::to_string(rec.n) + ": " +
                            s.error().message};
    }
  }
  return {};
}

void remove_database_files(const fs::path& db) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    fs::remove(fs::path(db.string() + suffix), ec);
  }
}

}  // namespace

Result<OpenedStore> open_journaled_store(const JournalSetup& setup) {
  OpenedStore out;
  auto& notes = out.notices;
  if (auto s = check_writable_directory(setup.database.parent_path(), "the data directory"); !s) {
    return s.error();
  }
  std::unique_ptr<JournaledStore::Mirror> mirror;
  JournaledStore::Mirror::Contents mc;
  if (setup.mirror) {
    if (auto s = check_writable_directory(*setup.mirror, "the mirror directory"); !s) {
      return s.error();
    }
    mirror = std::make_unique<JournaledStore::Mirror>(*setup.mirror);
    mc = mirror->read();
  } else {
    notes.push_back(
        "no mirror (stationd --mirror DIR on a second device): if this disk damages the "
        "database, ballots already acknowledged can be lost");
  }

  // The write-ahead log, before SQLite reads (and then discards) what it cannot use.
  const fs::path wal_path = setup.database.string() + "-wal";
  bool wal_suspicious = false;
  std::string wal_note;  // the suspicious report, also for a refusal (which prints no notice)
  if (auto report = inspect_wal(wal_path); std::holds_alternative<WalReport>(report)) {
    const WalReport& w = std::get<WalReport>(report);
    if (w.suspicious()) {
      wal_suspicious = true;
      wal_note = wal_path.string() + ": " + w.describe();
      notes.push_back(wal_note);
    }
  } else {
    notes.push_back(wal_path.string() + ": " + std::get<std::string>(report));
  }

  auto head = read_head(setup.head);
  if (!head) {
    notes.push_back(head.error().message + " (a torn write after a power cut?): it is rewritten");
  }

  const bool db_existed = fs::exists(setup.database);
  auto opened = SqliteStore::open(setup.database, setup.sqlite);
  std::unique_ptr<SqliteStore> db;
  std::optional<DbPosition> pos;
  if (opened) {
    db = std::move(*opened);
    auto p = position_of(*db);
    if (!p) return p.error();
    pos = *p;
  } else if (!(mirror && mc.usable && db_existed &&
               opened.error().code != make_error_code(Errc::read_only) &&
               opened.error().code != make_error_code(Errc::disk_full))) {
    return opened.error();
  } else {
    notes.push_back("the database does not open (" + opened.error().message +
                    "): it is rebuilt from the mirror");
  }

  auto rebuild_from_mirror = [&]() -> Status {
    // The database is replaced by the mirror's snapshot and journal.
    db.reset();
    const fs::path tmp = setup.database.string() + ".restore";
    remove_database_files(tmp);
    std::error_code ec;
    fs::copy_file(mirror->snapshot(), tmp, fs::copy_options::overwrite_existing, ec);
    if (ec) return errno_error(ec.value(), "copy " + mirror->snapshot().string());
    std::uint64_t ballots = 0;
    {
      auto r = SqliteStore::open(tmp, setup.sqlite);
      if (!r) return r.error();
      if (auto s = replay(**r, mc.prefix, mc.base, ballots); !s) return s;
      if (auto s = (*r)->checkpoint_truncate(); !s) return s;
    }
    if (auto s = fsync_path(tmp, false); !s) return s;
    remove_database_files(setup.database);
    if (::rename(tmp.c_str(), setup.database.c_str()) != 0) {
      return errno_error(errno, "rename " + tmp.string());
    }
    if (auto s = fsync_path(setup.database.parent_path(), true); !s) return s;
    auto r = SqliteStore::open(setup.database, setup.sqlite);
    if (!r) return r.error();
    db = std::move(*r);
    auto p = position_of(*db);
    if (!p) return p.error();
    pos = *p;
    notes.push_back("the database was rebuilt from the mirror's snapshot (" +
                    count_text(mc.base) + ") and journal: it now holds " + count_text(pos->count) +
                    " (" + std::to_string(ballots) + " staged ballots replayed)");
    return {};
  };

  bool rewrite_mirror = false;
  const bool mirror_new = mirror && !fs::exists(mirror->journal()) && !fs::exists(mirror->snapshot());
  if (mirror_new) {
    if (!db) return opened.error();
    notes.push_back("the mirror " + setup.mirror->string() + " is new: it is written from the "
                    "database, which holds " + count_text(pos->count));
    rewrite_mirror = true;
  } else if (mirror && !mc.usable) {
    if (!db) return make_error(Errc::corrupt, "the database does not open and the mirror is unusable");
    notes.push_back("the mirror " + setup.mirror->string() + " is not usable (" + mc.problem +
                    "): it is rebuilt from the database, which holds " +
                    count_text(pos->count));
    rewrite_mirror = true;
  } else if (mirror) {
    const std::uint64_t top = mc.prefix.empty() ? mc.base : mc.prefix.back().n;
    auto chain_at = [&](std::uint64_t n) -> std::optional<crypto::Digest> {
      if (n == mc.base) return mc.base_chain;
      for (const auto& r : mc.prefix) {
        if (r.n == n) return r.chain;
      }
      return std::nullopt;
    };
    if (!db) {
      if (auto s = rebuild_from_mirror(); !s) return s.error();
    } else if (pos->count == top) {
      if (chain_at(top) != pos->chain) {
        return make_error(Errc::corrupt,
                          "the database and the mirror disagree: both hold " + count_text(top) +
                              " but with different contents (chain " + crypto::to_hex(pos->chain) +
                              " in the database, " + crypto::to_hex(*chain_at(top)) +
                              " in the mirror); see docs/operations.md");
      }
    } else if (pos->count > top) {
      notes.push_back("the mirror is behind the database (" + count_text(top) + " against " +
                      count_text(pos->count) + "): it is rebuilt from the database");
      rewrite_mirror = true;
    } else if (pos->count >= mc.base) {
      // The database is behind: it continues into the mirror only if the chains agree there.
      if (chain_at(pos->count) != pos->chain) {
        return make_error(
            Errc::corrupt,
            "the database (" + count_text(pos->count) + ", chain " + crypto::to_hex(pos->chain) +
                ") is behind the mirror (" + count_text(top) +
                ") and does not agree with it at " + count_text(pos->count) +
                "; nothing was changed (docs/operations.md)");
      }
      const std::uint64_t from = pos->count;
      std::uint64_t ballots = 0;
      if (auto s = replay(*db, mc.prefix, from, ballots); !s) return s.error();
      auto p = position_of(*db);
      if (!p) return p.error();
      pos = *p;
      const std::uint64_t k = top - from;
      notes.push_back("the database was behind its mirror: " + std::to_string(k) +
                      (k == 1 ? " commit (" + count_text(top)
                              : " commits (" + count_text(from + 1) + " to " + std::to_string(top)) +
                      ", " + std::to_string(ballots) + (ballots == 1 ? " ballot" : " ballots") +
                      ") restored from the mirror");
    } else {
      notes.push_back("the database (" + count_text(pos->count) +
                      ") is behind the mirror's snapshot (" + count_text(mc.base) + ")");
      if (auto s = rebuild_from_mirror(); !s) return s.error();
    }
    if (mc.damaged) {
      if (mc.max_seen > pos->count && !setup.accept_loss) {
        return make_error(Errc::corrupt,
                          "the mirror's journal is damaged after " + count_text(top) +
                              " but holds records up to " + count_text(mc.max_seen) +
                              ", which the database (" + count_text(pos->count) +
                              ") does not have: acknowledged transactions are lost on both "
                              "copies; see docs/operations.md (stationd --accept-loss)");
      }
      notes.push_back("the mirror's journal " + mc.problem + " after " + count_text(top) +
                      ": it is rewritten from the database");
      rewrite_mirror = true;
    }
  }

  // The head: the database must not be behind the last commit this station made.
  if (head && *head) {
    const Head& h = **head;
    const bool behind = h.count > pos->count;
    const bool differs = h.count == pos->count && h.chain != pos->chain;
    if ((behind || differs) && !setup.accept_loss) {
      std::string what = behind ? "the database holds " + count_text(pos->count) +
                                      " but the station had committed up to " +
                                      count_text(h.count) + " (" + setup.head.string() +
                                      "): " + std::to_string(h.count - pos->count) +
                                      " transactions, which may hold acknowledged ballots, are "
                                      "missing"
                                : "the database's " + count_text(pos->count) +
                                      " is not the one recorded in " + setup.head.string();
      if (wal_suspicious) what += "; the write-ahead log is damaged (" + wal_note + ")";
      return make_error(Errc::corrupt,
                        what + ". Restore the data directory from a mirror or a copy "
                               "(docs/operations.md), or start with --accept-loss to go on "
                               "without them");
    }
    if (behind || differs) {
      notes.push_back("--accept-loss: starting at " + count_text(pos->count) + " although " +
                      setup.head.string() + " records " + count_text(h.count));
    }
  }
  if (wal_suspicious && !mirror) {
    notes.push_back(
        "the write-ahead log was damaged; without a mirror the station cannot restore what it "
        "held beyond what " + setup.head.string() + " accounts for");
  }

  std::unique_ptr<JournaledStore> store(new JournaledStore(std::move(db), setup));
  store->count_ = pos->count;
  store->chain_ = pos->chain;
  store->head_fd_ = ::open(setup.head.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (store->head_fd_ < 0) return errno_error(errno, "open " + setup.head.string());
  const std::string text = head_text(store->count_, store->chain_);
  if (::pwrite(store->head_fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
      ::fsync(store->head_fd_) != 0) {
    return errno_error(errno, "write " + setup.head.string());
  }
  auto pending = store->db_->compact_pending();
  if (!pending) return pending.error();
  if (*pending) {
    // A round closed, and the station stopped before the file was rebuilt.
    if (auto s = store->db_->compact(); !s) return s.error();
    notes.push_back("a round closed before the last stop was not compacted yet: done now");
    rewrite_mirror = rewrite_mirror || mirror != nullptr;
  }
  if (mirror) {
    if (rewrite_mirror) {
      // Rebuilt as a snapshot of the database as it now is.
      if (auto s = store->db_->checkpoint_truncate(); !s) return s.error();
      if (auto s = mirror->rewrite(store->db_.get(), store->count_, store->chain_); !s) {
        return s.error();
      }
    }
    store->mirror_ = std::move(mirror);
  }
  out.store = std::move(store);
  return out;
}

}  // namespace tallystation::station
