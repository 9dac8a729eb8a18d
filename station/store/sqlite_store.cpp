#include "station/store/sqlite_store.hpp"

#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "crypto/aead.hpp"
#include "crypto/dsse.hpp"
#include "crypto/merkle.hpp"

namespace tallystation::station {

namespace {

// docs/storage.md is the specification of this schema; keep them in step.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS terminals(
  id TEXT PRIMARY KEY, keyid TEXT NOT NULL UNIQUE, public_key TEXT NOT NULL,
  revoked INTEGER NOT NULL CHECK(revoked IN (0, 1))) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rounds(
  contest TEXT NOT NULL, round INTEGER NOT NULL CHECK(round > 0),
  phase TEXT NOT NULL CHECK(phase IN ('pending', 'open', 'closed')),
  tree BLOB NOT NULL, ballots INTEGER NOT NULL, tokens_issued INTEGER NOT NULL,
  box_root TEXT NOT NULL, log_key BLOB CHECK(log_key IS NULL OR length(log_key) = 32),
  PRIMARY KEY(contest, round)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens(
  contest TEXT NOT NULL, round INTEGER NOT NULL, token_hash BLOB NOT NULL, spent_by BLOB,
  PRIMARY KEY(contest, round, token_hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ballots(
  contest TEXT NOT NULL, round INTEGER NOT NULL, leaf_hash BLOB NOT NULL, terminal TEXT NOT NULL,
  payload BLOB NOT NULL, sig_keyid TEXT NOT NULL, signature BLOB NOT NULL,
  PRIMARY KEY(contest, round, leaf_hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS staging(
  seq INTEGER PRIMARY KEY, contest TEXT NOT NULL, round INTEGER NOT NULL, sealed BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS commands(
  log_index INTEGER PRIMARY KEY CHECK(log_index >= 0), seq INTEGER NOT NULL UNIQUE,
  official TEXT NOT NULL, envelope TEXT NOT NULL, prev_hash BLOB NOT NULL,
  entry_hash BLOB NOT NULL);
)sql";

// Tables of schema 3 that version 2 lacks or shaped otherwise (migrate_from_2).
constexpr const char* kBallotsV3 = R"sql(
CREATE TABLE ballots_v3(
  contest TEXT NOT NULL, round INTEGER NOT NULL, leaf_hash BLOB NOT NULL, terminal TEXT NOT NULL,
  payload BLOB NOT NULL, sig_keyid TEXT NOT NULL, signature BLOB NOT NULL,
  PRIMARY KEY(contest, round, leaf_hash)) WITHOUT ROWID;
)sql";

// Resets a cached statement when the query that used it goes out of scope.
class Query {
 public:
  explicit Query(sqlite3_stmt* s) : s_(s) {}
  ~Query() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& text(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& blob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& digest(int i, const crypto::Digest& d) {
    sqlite3_bind_blob(s_, i, d.data(), static_cast<int>(d.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& integer(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Query& null(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  int step() { return sqlite3_step(s_); }

  std::string col_text(int i) const {
    const auto* p = sqlite3_column_blob(s_, i);
    const int n = sqlite3_column_bytes(s_, i);
    return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
  }
  std::int64_t col_int(int i) const { return sqlite3_column_int64(s_, i); }
  // Valid until the next step or reset.
  std::string_view col_view(int i) const {
    const auto* p = sqlite3_column_blob(s_, i);
    const int n = sqlite3_column_bytes(s_, i);
    return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), n);
  }
  bool col_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  bool col_digest(int i, crypto::Digest& out) const {
    if (sqlite3_column_bytes(s_, i) != static_cast<int>(out.size())) return false;
    std::memcpy(out.data(), sqlite3_column_blob(s_, i), out.size());
    return true;
  }

 private:
  sqlite3_stmt* s_;
};

RoundPhase phase_from(std::string_view s) {
  if (s == "open") return RoundPhase::open;
  if (s == "closed") return RoundPhase::closed;
  return RoundPhase::pending;
}

}  // namespace

crypto::Digest internal_log_leaf(const crypto::Digest& log_key, const crypto::Digest& leaf_hash) {
  return crypto::hmac_sha256(
      std::string_view(reinterpret_cast<const char*>(log_key.data()), log_key.size()),
      std::string_view(reinterpret_cast<const char*>(leaf_hash.data()), leaf_hash.size()));
}

crypto::Digest new_log_key() {
  std::string raw = crypto::random_bytes(32);
  crypto::Digest key{};
  std::copy(raw.begin(), raw.end(), reinterpret_cast<char*>(key.data()));
  std::fill(raw.begin(), raw.end(), '\0');
  return key;
}

crypto::Digest staging_key(const crypto::Digest& log_key) {
  return crypto::hmac_sha256(
      std::string_view(reinterpret_cast<const char*>(log_key.data()), log_key.size()),
      "tallystation staging v1");
}

namespace {

std::string staging_aad(std::string_view contest, std::uint32_t round) {
  return std::string(contest) + "\n" + std::to_string(round);
}

void put_u16_string(std::string& out, std::string_view s) {
  const auto n = static_cast<std::uint16_t>(s.size());
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(s);
}

bool get_u16_string(std::string_view& in, std::string& out) {
  if (in.size() < 2) return false;
  const std::size_t n = (static_cast<std::uint8_t>(in[0]) << 8) | static_cast<std::uint8_t>(in[1]);
  if (in.size() < 2 + n) return false;
  out.assign(in.substr(2, n));
  in.remove_prefix(2 + n);
  return true;
}

}  // namespace

// Plaintext: token (32) || leaf (32) || terminal, sig_keyid, signature (each a 16-bit big-endian
// length and the bytes) || payload (the rest).
std::string seal_staged(const crypto::Digest& key, std::string_view contest, std::uint32_t round,
                        const StagedBallot& b) {
  std::string plain;
  plain.reserve(64 + 6 + b.terminal.size() + b.sig_keyid.size() + b.signature.size() +
                b.payload.size());
  plain.append(reinterpret_cast<const char*>(b.token.data()), b.token.size());
  plain.append(reinterpret_cast<const char*>(b.leaf.data()), b.leaf.size());
  put_u16_string(plain, b.terminal);
  put_u16_string(plain, b.sig_keyid);
  put_u16_string(plain, b.signature);
  plain.append(b.payload);
  std::string sealed = crypto::aead_seal(key, staging_aad(contest, round), plain);
  std::fill(plain.begin(), plain.end(), '\0');
  return sealed;
}

std::optional<StagedBallot> open_staged(const crypto::Digest& key, std::string_view contest,
                                        std::uint32_t round, std::string_view sealed) {
  auto plain = crypto::aead_open(key, staging_aad(contest, round), sealed);
  if (!plain || plain->size() < 64) return std::nullopt;
  StagedBallot b;
  std::copy_n(plain->data(), 32, reinterpret_cast<char*>(b.token.data()));
  std::copy_n(plain->data() + 32, 32, reinterpret_cast<char*>(b.leaf.data()));
  std::string_view rest = std::string_view(*plain).substr(64);
  if (!get_u16_string(rest, b.terminal) || !get_u16_string(rest, b.sig_keyid) ||
      !get_u16_string(rest, b.signature)) {
    return std::nullopt;
  }
  b.payload.assign(rest);
  return b;
}

std::string ballot_envelope(std::string_view payload, std::string_view sig_keyid,
                            std::string_view signature) {
  return crypto::serialize(crypto::Envelope{
      std::string(payload),
      std::string(crypto::payload_type::kBallot),
      {crypto::Signature{std::string(sig_keyid), std::string(signature)}}});
}

std::string_view to_string(RoundPhase p) noexcept {
  switch (p) {
    case RoundPhase::pending:
      return "pending";
    case RoundPhase::open:
      return "open";
    case RoundPhase::closed:
      return "closed";
  }
  return "pending";
}

// Checkpoints the WAL from a connection and a thread of its own (PASSIVE: it never blocks the
// writer, and the writer never waits for it), when the writer's commits have grown the WAL past
// kCheckpointPages. SQLite would otherwise run the checkpoint inside the COMMIT that crosses its
// threshold, on the writer thread, stalling every ballot queued behind it for the time it takes
// to copy thousands of pages and fsync the database.
class SqliteStore::Checkpointer {
 public:
  static constexpr int kCheckpointPages = 4000;  // 16 MiB of WAL with 4 KiB pages
  // If the WAL still reaches this size (the background checkpoints cannot keep up, or a reader
  // holds an old snapshot), the writer checkpoints itself, waiting, so that the WAL stays bounded.
  static constexpr int kHardLimitPages = 65536;

  static std::unique_ptr<Checkpointer> start(const std::filesystem::path& file,
                                             const std::string& vfs) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        vfs.empty() ? nullptr : vfs.c_str()) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return nullptr;
    }
    sqlite3_busy_timeout(db, 5000);
    return std::unique_ptr<Checkpointer>(new Checkpointer(db));
  }

  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
    sqlite3_close(db_);
  }

  // Any thread: a checkpoint is wanted.
  void request() {
    {
      std::lock_guard lock(mu_);
      if (std::exchange(pending_, true)) return;
    }
    cv_.notify_one();
  }

  // Held while a checkpoint runs, so that the writer's own checkpoints (checkpoint_wal(), the hard
  // limit) wait for a background one instead of failing with SQLITE_BUSY.
  std::mutex& running() { return running_; }

 private:
  explicit Checkpointer(sqlite3* db) : db_(db), thread_([this] { run(); }) {}

  void run() {
    ::pthread_setname_np(::pthread_self(), "checkpoint");
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || pending_; });
      if (stopping_) return;
      pending_ = false;
      lock.unlock();
      {
        std::lock_guard run_lock(running_);
        // A failure (an I/O error, say) leaves the frames in the WAL, where SQLite still reads
        // them and the next checkpoint copies them: nothing is lost, so it is only retried.
        sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      }
      lock.lock();
    }
  }

  sqlite3* db_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;   // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::mutex running_;
  std::thread thread_;
};

#define TS_PREPARE(var, sql)                  \
  auto var##_stmt = prepare(sql);             \
  if (!var##_stmt) return var##_stmt.error(); \
  Query var(*var##_stmt)

SqliteStore::SqliteStore(sqlite3* db) : db_(db) {}

int SqliteStore::on_wal_commit(void* self, sqlite3* db, const char*, int pages) {
  auto& store = *static_cast<SqliteStore*>(self);
  // compact() holds the checkpoint lock itself, and truncates the WAL when it is done.
  if (store.compacting_) return SQLITE_OK;
  if (pages >= store.hard_limit_pages_) {
    std::lock_guard lock(store.checkpointer_->running());
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  } else if (pages >= Checkpointer::kCheckpointPages) {
    store.checkpointer_->request();
  }
  return SQLITE_OK;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& file,
                                                       const Options& options) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      options.vfs.empty() ? nullptr : options.vfs.c_str());
  if (rc != SQLITE_OK) {
    Error e = db ? sqlite_error(db, file.string())
                 : make_error(Errc::storage, file.string() + ": " + sqlite3_errstr(rc));
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  sqlite3_extended_result_codes(db, 1);
  // SQLite opens a file it may not write read-only, silently; the station must not start so.
  if (sqlite3_db_readonly(db, "main") == 1) {
    return make_error(Errc::read_only, "read-only storage: " + file.string() +
                                           " cannot be written (file permissions or a read-only "
                                           "file system)");
  }
  sqlite3_busy_timeout(db, 5000);
  // synchronous=FULL in WAL mode fsyncs the WAL at every commit: an acknowledged ballot survives
  // power loss, not just a process crash (https://sqlite.org/pragma.html#pragma_synchronous).
  // cache_size: ballots and tokens are keyed by hashes, so every ballot touches a random page of
  // each table; with SQLite's default 2 MiB cache most of those pages are read back from the file
  // at every touch (a pread system call each). 64 MiB holds the pages of a congress's ballot box
  // (a ballot row is under 1 KiB). wal_autocheckpoint: a page that several commits changed is
  // copied into the database once per checkpoint, so checkpoints every 4000 pages (16 MiB of WAL)
  // rather than every 1000 copy fewer pages in all, and fsync the database less often. (Once the
  // background checkpointer runs, below, it replaces SQLite's own checkpoints at that size.)
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
        "PRAGMA secure_delete=ON", "PRAGMA cache_size=-65536", "PRAGMA wal_autocheckpoint=4000"}) {
    if (auto s = store->exec(pragma); !s) return s.error();
  }
  if (auto s = store->exec("BEGIN IMMEDIATE"); !s) return s.error();
  if (auto s = store->exec(kSchema); !s) {
    store->rollback();
    return s.error();
  }
  auto version = store->get_meta("schema_version");
  if (!version) {
    store->rollback();
    return version.error();
  }
  if (!*version) {
    if (auto s = store->put_meta("schema_version", std::to_string(kSchemaVersion)); !s) {
      store->rollback();
      return s.error();
    }
  } else if (**version == "1" || **version == "2") {
    Status s = **version == "1" ? store->migrate_from_1() : Status{};
    if (s) s = store->migrate_from_2();
    if (!s) {
      store->rollback();
      return s.error();
    }
  } else if (**version != std::to_string(kSchemaVersion)) {
    store->rollback();
    return make_error(Errc::corrupt, file.string() + ": schema version " + **version +
                                         " is not the supported " + std::to_string(kSchemaVersion));
  }
  if (auto s = store->exec("COMMIT"); !s) {
    store->rollback();
    return s.error();
  }
  // Checkpoints in the background from here on (the WAL hook replaces SQLite's automatic
  // checkpoint at commit); if the second connection cannot be opened, SQLite's own remain.
  store->checkpointer_ = Checkpointer::start(file, options.vfs);
  if (options.hard_limit_pages > 0) store->hard_limit_pages_ = options.hard_limit_pages;
  if (store->checkpointer_) sqlite3_wal_hook(db, &SqliteStore::on_wal_commit, store.get());
  return store;
}

// Version 1 kept the internal log over the bare leaf hashes, so a checkpoint root could be matched
// against the ballot box (docs/storage.md). Closed rounds lose their log state; an open round gets
// its key and a log rebuilt over its ballots in leaf-hash order, which says nothing about arrival
// (its checkpoints from before the upgrade are not consistent with the later ones).
Status SqliteStore::migrate_from_1() {
  if (auto s = exec("ALTER TABLE rounds ADD COLUMN log_key BLOB "
                    "CHECK(log_key IS NULL OR length(log_key) = 32)");
      !s) {
    return s;
  }
  auto all = rounds();
  if (!all) return all.error();
  for (RoundRow& r : *all) {
    crypto::AppendOnlyTree tree;
    r.log_key.reset();
    if (r.phase == RoundPhase::open) {
      const crypto::Digest key = new_log_key();
      auto leaves = leaf_hashes(r.contest, r.round);
      if (!leaves) return leaves.error();
      if (leaves->size() != r.ballots) {
        return make_error(Errc::corrupt, "rounds: ballots of " + r.contest + " round " +
                                             std::to_string(r.round) + " do not match its count");
      }
      for (const crypto::Digest& leaf : *leaves) tree.append(internal_log_leaf(key, leaf));
      r.log_key = key;
    }
    if (r.phase != RoundPhase::pending) {
      r.tree_state = tree.serialize();
      if (auto s = put_round(r); !s) return s;
    }
  }
  return put_meta("schema_version", "2");
}

// Version 2 stored each ballot's payload twice (the payload and, base64-encoded, in the envelope)
// and wrote the ballots of an open round into the ballot box as they arrived. Closed rounds'
// ballots move to the version 3 table (payload once, the signature as its parts); an open round
// cannot be migrated (its ballots were never staged): close it with the version that opened it.
Status SqliteStore::migrate_from_2() {
  auto all = rounds();
  if (!all) return all.error();
  for (const RoundRow& r : *all) {
    if (r.phase == RoundPhase::open) {
      return make_error(Errc::corrupt,
                        "round " + std::to_string(r.round) + " of contest " + r.contest +
                            " is open in a version 2 database; close it with the station "
                            "version that opened it, then upgrade (docs/storage.md)");
    }
  }
  if (auto s = exec(kBallotsV3); !s) return s;
  {
    TS_PREPARE(read, "SELECT contest, round, leaf_hash, terminal, payload, envelope FROM ballots");
    TS_PREPARE(write,
               "INSERT INTO ballots_v3(contest, round, leaf_hash, terminal, payload, sig_keyid, "
               "signature) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    int rc;
    while ((rc = read.step()) == SQLITE_ROW) {
      auto env = crypto::parse_envelope(read.col_text(5));
      if (!env || env->signatures.size() != 1 || env->payload != read.col_text(4)) {
        return make_error(Errc::corrupt, "ballots: a stored envelope does not hold its payload "
                                         "with exactly one signature");
      }
      write.text(1, read.col_text(0)).integer(2, read.col_int(1)).blob(3, read.col_text(2));
      write.text(4, read.col_text(3)).blob(5, env->payload).text(6, env->signatures[0].keyid);
      write.blob(7, env->signatures[0].sig);
      if (write.step() != SQLITE_DONE) return error("migrate ballots");
      sqlite3_reset(*write_stmt);
    }
    if (rc != SQLITE_DONE) return error("migrate ballots");
  }
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  cache_.clear();  // statements prepared against the old table
  if (auto s = exec("DROP TABLE ballots; ALTER TABLE ballots_v3 RENAME TO ballots;"); !s) return s;
  if (auto s = put_meta("compact_pending", "1"); !s) return s;
  return put_meta("schema_version", std::to_string(kSchemaVersion));
}

SqliteStore::~SqliteStore() {
  sqlite3_wal_hook(db_, nullptr, nullptr);
  checkpointer_.reset();  // its connection closes first; the last one to close cleans the WAL up
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Error sqlite_error(sqlite3* db, std::string_view what) {
  const int code = sqlite3_extended_errcode(db);
  const int primary = code & 0xff;
  const int sys = sqlite3_system_errno(db);
  Errc e = Errc::storage;
  const char* cause = nullptr;
  if (primary == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT) {
    e = Errc::disk_full;
    cause = "disk full";
  } else if (primary == SQLITE_READONLY || sys == EROFS) {
    e = Errc::read_only;
    cause = "read-only storage";
  } else if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) {
    e = Errc::device_error;
    cause = "storage I/O error";
  }
  std::string msg;
  if (cause != nullptr) {
    msg = cause;
    if (sys != 0) msg += std::string(" (") + std::strerror(sys) + ")";
    msg += ": ";
  }
  msg += std::string(what) + ": " + sqlite3_errmsg(db);
  return make_error(e, std::move(msg));
}

Error SqliteStore::error(std::string_view what) const {
  return sqlite_error(db_, what);
}

Status SqliteStore::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return error(std::string(sql).substr(0, 40));
  }
  return {};
}

Result<sqlite3_stmt*> SqliteStore::prepare(const char* sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return error(sql);
  }
  cache_.emplace(sql, stmt);
  return stmt;
}

Status SqliteStore::begin() {
  return exec("BEGIN IMMEDIATE");
}

Status SqliteStore::commit() {
  if (auto s = exec("COMMIT"); !s) return s;
  ++commits_;
  return {};
}

Status SqliteStore::checkpoint_truncate() {
  int log = 0;
  int done = 0;
  if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log, &done) !=
      SQLITE_OK) {
    return error("wal_checkpoint");
  }
  return {};
}

Status SqliteStore::compact() {
  std::unique_lock<std::mutex> lock;
  if (checkpointer_) lock = std::unique_lock(checkpointer_->running());
  // VACUUM commits through the WAL, whose hook must not take the lock held here.
  compacting_ = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{compacting_};
  // VACUUM rebuilds every table into fresh pages in key order (https://sqlite.org/lang_vacuum.html):
  // afterwards a row's page and its place in the page follow from the keys alone.
  if (auto s = exec("VACUUM"); !s) return s;
  if (auto s = exec("BEGIN IMMEDIATE"); !s) return s;
  if (auto s = put_meta("compact_pending", "0"); !s) {
    rollback();
    return s;
  }
  if (auto s = exec("COMMIT"); !s) {
    rollback();
    return s;
  }
  return checkpoint_truncate();
}

Status SqliteStore::vacuum_into(const std::filesystem::path& file) {
  char* sql = sqlite3_mprintf("VACUUM INTO %Q", file.c_str());
  if (sql == nullptr) return make_error(Errc::storage, "out of memory");
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  sqlite3_free(sql);
  if (rc != SQLITE_OK) return error("VACUUM INTO " + file.string());
  return {};
}

Result<bool> SqliteStore::compact_pending() {
  auto v = get_meta("compact_pending");
  if (!v) return v.error();
  return *v && **v == "1";
}

void SqliteStore::rollback() noexcept {
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}


Result<std::optional<std::string>> SqliteStore::get_meta(std::string_view key) {
  TS_PREPARE(q, "SELECT value FROM meta WHERE key = ?1");
  q.text(1, key);
  const int rc = q.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(q.col_text(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return error("get_meta");
}

Status SqliteStore::put_meta(std::string_view key, std::string_view value) {
  TS_PREPARE(q, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
  q.text(1, key).text(2, value);
  if (q.step() != SQLITE_DONE) return error("put_meta");
  return {};
}

Result<std::vector<TerminalRow>> SqliteStore::terminals() {
  TS_PREPARE(q, "SELECT id, keyid, public_key, revoked FROM terminals ORDER BY id");
  std::vector<TerminalRow> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    out.push_back({q.col_text(0), q.col_text(1), q.col_text(2), q.col_int(3) != 0});
  }
  if (rc != SQLITE_DONE) return error("terminals");
  return out;
}

Status SqliteStore::put_terminal(const TerminalRow& t) {
  TS_PREPARE(q,
             "INSERT OR REPLACE INTO terminals(id, keyid, public_key, revoked) "
             "VALUES(?1, ?2, ?3, ?4)");
  q.text(1, t.id).text(2, t.keyid).text(3, t.public_key_pem).integer(4, t.revoked ? 1 : 0);
  if (q.step() != SQLITE_DONE) return error("put_terminal");
  return {};
}

Result<std::vector<RoundRow>> SqliteStore::rounds() {
  TS_PREPARE(q,
             "SELECT contest, round, phase, tree, ballots, tokens_issued, box_root, log_key "
             "FROM rounds ORDER BY contest, round");
  std::vector<RoundRow> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    RoundRow r;
    r.contest = q.col_text(0);
    r.round = static_cast<std::uint32_t>(q.col_int(1));
    r.phase = phase_from(q.col_text(2));
    r.tree_state = q.col_text(3);
    r.ballots = static_cast<std::uint64_t>(q.col_int(4));
    r.tokens_issued = static_cast<std::uint64_t>(q.col_int(5));
    r.box_root = q.col_text(6);
    if (!q.col_null(7)) {
      crypto::Digest k{};
      if (!q.col_digest(7, k)) return make_error(Errc::corrupt, "rounds.log_key is not 32 bytes");
      r.log_key = k;
    }
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return error("rounds");
  return out;
}

Status SqliteStore::put_round(const RoundRow& r) {
  TS_PREPARE(q,
             "INSERT OR REPLACE INTO rounds(contest, round, phase, tree, ballots, tokens_issued, "
             "box_root, log_key) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  q.text(1, r.contest).integer(2, r.round).text(3, to_string(r.phase)).blob(4, r.tree_state);
  q.integer(5, static_cast<std::int64_t>(r.ballots));
  q.integer(6, static_cast<std::int64_t>(r.tokens_issued)).text(7, r.box_root);
  if (r.log_key) {
    q.digest(8, *r.log_key);
  } else {
    q.null(8);
  }
  if (q.step() != SQLITE_DONE) return error("put_round");
  return {};
}

Status SqliteStore::insert_tokens(std::string_view contest, std::uint32_t round,
                                  const std::vector<crypto::Digest>& token_hashes) {
  TS_PREPARE(q,
             "INSERT INTO tokens(contest, round, token_hash, spent_by) VALUES(?1, ?2, ?3, NULL)");
  for (const crypto::Digest& h : token_hashes) {
    q.text(1, contest).integer(2, round).digest(3, h);
    if (q.step() != SQLITE_DONE) return error("insert_tokens");
    sqlite3_reset(*q_stmt);
  }
  return {};
}

Result<std::optional<TokenRow>> SqliteStore::find_token(std::string_view contest,
                                                        std::uint32_t round,
                                                        const crypto::Digest& token_hash) {
  TS_PREPARE(q,
             "SELECT spent_by FROM tokens WHERE contest = ?1 AND round = ?2 AND token_hash = ?3");
  q.text(1, contest).integer(2, round).digest(3, token_hash);
  const int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<TokenRow>();
  if (rc != SQLITE_ROW) return error("find_token");
  TokenRow t{token_hash, std::nullopt};
  if (!q.col_null(0)) {
    crypto::Digest d{};
    if (!q.col_digest(0, d)) return make_error(Errc::corrupt, "tokens.spent_by is not 32 bytes");
    t.spent_by = d;
  }
  return std::optional<TokenRow>(t);
}

Status SqliteStore::stage_ballots(std::string_view contest, std::uint32_t round,
                                  const std::vector<std::string>& sealed) {
  TS_PREPARE(q, "INSERT INTO staging(contest, round, sealed) VALUES(?1, ?2, ?3)");
  for (const std::string& row : sealed) {
    q.text(1, contest).integer(2, round).blob(3, row);
    if (q.step() != SQLITE_DONE) return error("stage_ballots");
    sqlite3_reset(*q_stmt);
  }
  return {};
}

Result<std::vector<std::string>> SqliteStore::staged(std::string_view contest,
                                                     std::uint32_t round) {
  TS_PREPARE(q, "SELECT sealed FROM staging WHERE contest = ?1 AND round = ?2 ORDER BY seq");
  q.text(1, contest).integer(2, round);
  std::vector<std::string> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back(q.col_text(0));
  if (rc != SQLITE_DONE) return error("staged");
  return out;
}

Status SqliteStore::scan_staged(std::string_view contest, std::uint32_t round,
                                std::uint64_t skip, const RowVisitor& visit) {
  TS_PREPARE(q,
             "SELECT sealed FROM staging WHERE contest = ?1 AND round = ?2 ORDER BY seq "
             "LIMIT -1 OFFSET ?3");
  q.text(1, contest).integer(2, round).integer(3, static_cast<std::int64_t>(skip));
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    if (auto s = visit(q.col_view(0)); !s) return s;
  }
  if (rc != SQLITE_DONE) return error("scan_staged");
  return {};
}

Status SqliteStore::scan_payloads(std::string_view contest, std::uint32_t round,
                                  const RowVisitor& visit) {
  TS_PREPARE(q,
             "SELECT payload FROM ballots WHERE contest = ?1 AND round = ?2 ORDER BY leaf_hash");
  q.text(1, contest).integer(2, round);
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    if (auto s = visit(q.col_view(0)); !s) return s;
  }
  if (rc != SQLITE_DONE) return error("scan_payloads");
  return {};
}

Result<std::uint64_t> SqliteStore::seal_round(std::string_view contest, std::uint32_t round,
                                              const crypto::Digest& key) {
  const std::string where = " of contest " + std::string(contest) + " round " +
                            std::to_string(round);
  // Pass 1: what each row holds, without its payload: (leaf, token, row).
  struct Item {
    crypto::Digest leaf;
    crypto::Digest token;
    std::int64_t seq;
  };
  std::vector<Item> items;
  {
    TS_PREPARE(q, "SELECT seq, sealed FROM staging WHERE contest = ?1 AND round = ?2");
    q.text(1, contest).integer(2, round);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
      auto b = open_staged(key, contest, round, q.col_text(1));
      if (!b) return make_error(Errc::corrupt, "a staging row" + where + " does not open");
      items.push_back({b->leaf, b->token, q.col_int(0)});
    }
    if (rc != SQLITE_DONE) return error("seal_round");
  }
  // Pass 2: the ballot box, in leaf-hash order (the rows arrive at the B-tree in key order).
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.leaf < b.leaf; });
  {
    TS_PREPARE(get, "SELECT sealed FROM staging WHERE seq = ?1");
    TS_PREPARE(put,
               "INSERT INTO ballots(contest, round, leaf_hash, terminal, payload, sig_keyid, "
               "signature) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    for (const Item& it : items) {
      get.integer(1, it.seq);
      if (get.step() != SQLITE_ROW) return error("seal_round");
      auto b = open_staged(key, contest, round, get.col_text(0));
      sqlite3_reset(*get_stmt);
      if (!b) return make_error(Errc::corrupt, "a staging row" + where + " does not open");
      put.text(1, contest).integer(2, round).digest(3, b->leaf).text(4, b->terminal);
      put.blob(5, b->payload).text(6, b->sig_keyid).blob(7, b->signature);
      const int rc = put.step();
      sqlite3_reset(*put_stmt);
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return make_error(Errc::corrupt, "a ballot is staged twice" + where);
      }
      if (rc != SQLITE_DONE) return error("seal_round: ballots");
    }
  }
  // Pass 3: the token spends, in token-hash order.
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.token < b.token; });
  {
    TS_PREPARE(q,
               "UPDATE tokens SET spent_by = ?4 WHERE contest = ?1 AND round = ?2 AND "
               "token_hash = ?3 AND spent_by IS NULL");
    for (const Item& it : items) {
      q.text(1, contest).integer(2, round).digest(3, it.token).digest(4, it.leaf);
      if (q.step() != SQLITE_DONE) return error("seal_round: tokens");
      sqlite3_reset(*q_stmt);
      if (sqlite3_changes(db_) != 1) {
        return make_error(Errc::corrupt, "a staged ballot's token is unknown or spent twice" +
                                             where);
      }
    }
  }
  {
    TS_PREPARE(q, "DELETE FROM staging WHERE contest = ?1 AND round = ?2");
    q.text(1, contest).integer(2, round);
    if (q.step() != SQLITE_DONE) return error("seal_round: staging");
  }
  if (auto s = put_meta("compact_pending", "1"); !s) return s.error();
  return static_cast<std::uint64_t>(items.size());
}

// One round's 32-byte digests from `sql` (parameters ?1 contest, ?2 round), in its ORDER BY.
Result<std::vector<crypto::Digest>> SqliteStore::round_digests(const char* sql,
                                                               std::string_view contest,
                                                               std::uint32_t round,
                                                               std::string_view column,
                                                               std::string_view what) {
  TS_PREPARE(q, sql);
  q.text(1, contest).integer(2, round);
  std::vector<crypto::Digest> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    crypto::Digest d{};
    if (!q.col_digest(0, d)) {
      return make_error(Errc::corrupt, std::string(column) + " is not 32 bytes");
    }
    out.push_back(d);
  }
  if (rc != SQLITE_DONE) return error(what);
  return out;
}

Result<std::vector<crypto::Digest>> SqliteStore::token_hashes(std::string_view contest,
                                                              std::uint32_t round) {
  // The primary key order (memcmp on the BLOB): sorted, so nothing of the issue order shows.
  return round_digests(
      "SELECT token_hash FROM tokens WHERE contest = ?1 AND round = ?2 ORDER BY token_hash",
      contest, round, "tokens.token_hash", "token_hashes");
}

Result<std::vector<crypto::Digest>> SqliteStore::leaf_hashes(std::string_view contest,
                                                             std::uint32_t round) {
  // BLOB comparison is memcmp: the primary key order is the ballot box order.
  return round_digests(
      "SELECT leaf_hash FROM ballots WHERE contest = ?1 AND round = ?2 ORDER BY leaf_hash",
      contest, round, "ballots.leaf_hash", "leaf_hashes");
}

Result<std::vector<BallotRow>> SqliteStore::ballots(std::string_view contest, std::uint32_t round) {
  TS_PREPARE(q,
             "SELECT leaf_hash, terminal, payload, sig_keyid, signature FROM ballots WHERE "
             "contest = ?1 AND round = ?2 ORDER BY leaf_hash");
  q.text(1, contest).integer(2, round);
  std::vector<BallotRow> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    BallotRow b;
    b.contest = std::string(contest);
    b.round = round;
    if (!q.col_digest(0, b.leaf_hash)) {
      return make_error(Errc::corrupt, "ballots.leaf_hash is not 32 bytes");
    }
    b.terminal = q.col_text(1);
    b.payload = q.col_text(2);
    b.envelope = ballot_envelope(b.payload, q.col_text(3), q.col_text(4));
    out.push_back(std::move(b));
  }
  if (rc != SQLITE_DONE) return error("ballots");
  return out;
}

Result<std::vector<TerminalCount>> SqliteStore::ballot_counts() {
  TS_PREPARE(q,
             "SELECT contest, round, terminal, count(*) FROM ballots GROUP BY contest, round, "
             "terminal ORDER BY contest, round, terminal");
  std::vector<TerminalCount> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    out.push_back({q.col_text(0), static_cast<std::uint32_t>(q.col_int(1)), q.col_text(2),
                   static_cast<std::uint64_t>(q.col_int(3))});
  }
  if (rc != SQLITE_DONE) return error("ballot_counts");
  return out;
}

Status SqliteStore::append_command(const CommandRow& c) {
  TS_PREPARE(q,
             "INSERT INTO commands(log_index, seq, official, envelope, prev_hash, entry_hash) "
             "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  q.integer(1, static_cast<std::int64_t>(c.index)).integer(2, static_cast<std::int64_t>(c.seq));
  q.text(3, c.official).text(4, c.envelope).digest(5, c.prev_hash).digest(6, c.entry_hash);
  if (q.step() != SQLITE_DONE) return error("append_command");
  return {};
}

namespace {
bool read_command(const Query& q, CommandRow& c) {
  c.index = static_cast<std::uint64_t>(q.col_int(0));
  c.seq = static_cast<std::uint64_t>(q.col_int(1));
  c.official = q.col_text(2);
  c.envelope = q.col_text(3);
  return q.col_digest(4, c.prev_hash) && q.col_digest(5, c.entry_hash);
}
}  // namespace

Result<std::optional<CommandRow>> SqliteStore::last_command() {
  TS_PREPARE(q,
             "SELECT log_index, seq, official, envelope, prev_hash, entry_hash FROM commands "
             "ORDER BY log_index DESC LIMIT 1");
  const int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<CommandRow>();
  if (rc != SQLITE_ROW) return error("last_command");
  CommandRow c;
  if (!read_command(q, c)) return make_error(Errc::corrupt, "commands: hash is not 32 bytes");
  return std::optional<CommandRow>(std::move(c));
}

Result<std::vector<CommandRow>> SqliteStore::commands() {
  TS_PREPARE(q,
             "SELECT log_index, seq, official, envelope, prev_hash, entry_hash FROM commands "
             "ORDER BY log_index");
  std::vector<CommandRow> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    CommandRow c;
    if (!read_command(q, c)) return make_error(Errc::corrupt, "commands: hash is not 32 bytes");
    out.push_back(std::move(c));
  }
  if (rc != SQLITE_DONE) return error("commands");
  return out;
}

}  // namespace tallystation::station
