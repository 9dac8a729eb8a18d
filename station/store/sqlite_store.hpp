#pragma once
// The SQLite implementation of Store (schema: docs/storage.md). One connection, opened in WAL mode
// with synchronous=FULL, so that commit() returns only after the transaction is on disk and
// survives kill -9 or power loss; SQLite replays or discards the WAL at the next open.
// Not thread safe: owned by the station's writer thread (see store.hpp). Internally, a second
// connection on a thread of its own copies the WAL into the database (checkpoints) in the
// background, so that commits never wait for a checkpoint (docs/storage.md, "Durability").
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "station/store/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tallystation::station {

// The station's error for SQLite's last failure on `db`, naming its cause (Errc::disk_full,
// read_only, device_error; else Errc::storage) and the system error behind it.
Error sqlite_error(sqlite3* db, std::string_view what);

class SqliteStore final : public Store {
 public:
  struct Options {
    std::string vfs;  // a registered SQLite VFS by name (tests inject faults); empty: the default
    // WAL pages after which the writer checkpoints itself, waiting (0: 65536). Tests set it low.
    int hard_limit_pages = 0;
  };
  // Opens (creating if needed) the database and its schema. Refuses a schema version it does not
  // know (Errc::corrupt) and a database it may not write (Errc::read_only).
  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& file,
                                                   const Options& options);
  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& file) {
    return open(file, Options{});
  }
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Status begin() override;
  Status commit() override;
  void rollback() noexcept override;
  Status compact() override;
  // Outside a transaction: a rebuilt, consistent copy of the database at `file` (VACUUM INTO),
  // not yet fsynced. The mirror's snapshot.
  Status vacuum_into(const std::filesystem::path& file);
  // Copies the WAL into the database and truncates it.
  Status checkpoint_truncate();
  // A round closed since the last compact() (a crash came between them).
  Result<bool> compact_pending();
  std::uint64_t commits() const noexcept override { return commits_; }

  Result<std::optional<std::string>> get_meta(std::string_view key) override;
  Status put_meta(std::string_view key, std::string_view value) override;
  Result<std::vector<TerminalRow>> terminals() override;
  Status put_terminal(const TerminalRow& t) override;
  Result<std::vector<RoundRow>> rounds() override;
  Status put_round(const RoundRow& r) override;
  Status insert_tokens(std::string_view contest, std::uint32_t round,
                       const std::vector<crypto::Digest>& token_hashes) override;
  Result<std::optional<TokenRow>> find_token(std::string_view contest, std::uint32_t round,
                                             const crypto::Digest& token_hash) override;
  Status stage_ballots(std::string_view contest, std::uint32_t round,
                       const std::vector<std::string>& sealed) override;
  Result<std::vector<std::string>> staged(std::string_view contest, std::uint32_t round) override;
  Status scan_staged(std::string_view contest, std::uint32_t round, std::uint64_t skip,
                     const RowVisitor& visit) override;
  Status scan_payloads(std::string_view contest, std::uint32_t round,
                       const RowVisitor& visit) override;
  Result<std::uint64_t> seal_round(std::string_view contest, std::uint32_t round,
                                   const crypto::Digest& key) override;
  Result<std::vector<crypto::Digest>> token_hashes(std::string_view contest,
                                                   std::uint32_t round) override;
  Result<std::vector<crypto::Digest>> leaf_hashes(std::string_view contest,
                                                  std::uint32_t round) override;
  Result<std::vector<BallotRow>> ballots(std::string_view contest, std::uint32_t round) override;
  Result<std::vector<TerminalCount>> ballot_counts() override;
  Status append_command(const CommandRow& c) override;
  Result<std::optional<CommandRow>> last_command() override;
  Result<std::vector<CommandRow>> commands() override;

 private:
  class Checkpointer;  // the WAL checkpoints, on a thread and connection of their own
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);

  explicit SqliteStore(sqlite3* db);
  Status exec(const char* sql);
  Status migrate_from_1();                         // inside open()'s transaction
  Status migrate_from_2();                         // likewise
  Result<sqlite3_stmt*> prepare(const char* sql);  // cached per SQL text
  Error error(std::string_view what) const;
  Result<std::vector<crypto::Digest>> round_digests(const char* sql, std::string_view contest,
                                                    std::uint32_t round, std::string_view column,
                                                    std::string_view what);

  sqlite3* db_;
  std::map<const char*, sqlite3_stmt*> cache_;
  std::atomic<std::uint64_t> commits_{0};       // read by tests from other threads
  std::unique_ptr<Checkpointer> checkpointer_;  // null: SQLite's own checkpoints, at commit
  int hard_limit_pages_ = 65536;
  bool compacting_ = false;  // writer thread: compact() is running
};

}  // namespace tallystation::station
