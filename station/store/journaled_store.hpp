#pragma once
// The station's store as it runs: the SQLite database, every committed transaction numbered and
// chained, recorded in a head file beside the database and, with a mirror, written a second time
// to another device before the commit returns (docs/storage.md "Mirror and head",
// docs/operations.md "Recovering the ballot store").
//
// Every transaction that changes something is recorded as a list of Store operations (its
// "body"). Commit number n (meta.commit_count, from 1) has the chain value
//   chain_n = SHA-256(chain_{n-1} || u64be(n) || body_n),   chain_0 = 32 zero bytes,
// kept in meta.commit_chain (hex) in the same SQLite transaction. After SQLite has committed:
//   - station.head (in the data directory) is overwritten with n and chain_n (one pwrite, not
//     fsynced: it survives a killed process, and after a power cut it can only lag behind);
//   - with a mirror, the record (n, chain_n, body) is appended to MIRROR/journal and fdatasynced.
// Only then does commit() return, and the station answers the request.
//
// At open, before anything is served, the database is compared with the head file and the
// mirror (open_journaled_store). Not thread safe: as Store.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "station/store/sqlite_store.hpp"

namespace tallystation::station {

struct JournalSetup {
  std::filesystem::path database;              // DATA/station.db
  std::filesystem::path head;                  // DATA/station.head
  std::optional<std::filesystem::path> mirror;  // stationd --mirror DIR
  // Start although the head file shows that the database lost transactions (stationd
  // --accept-loss, docs/operations.md): the operator has decided to go on without them.
  bool accept_loss = false;
  SqliteStore::Options sqlite;  // tests: a fault-injecting VFS
};

class JournaledStore;

struct OpenedStore {
  std::unique_ptr<JournaledStore> store;
  // What the checks at open found and did, one sentence each, for the operator (stationd prints
  // them to stderr): a restore from the mirror, a mirror rebuilt, a damaged write-ahead log, the
  // warning that runs without a mirror get.
  std::vector<std::string> notices;
};

// Opens the database and settles it against the head file and the mirror:
//   - the data directory and the mirror directory must be writable (a probe file is written,
//     fsynced and removed): otherwise Errc::read_only / disk_full / device_error;
//   - the write-ahead log is inspected before SQLite reads it (wal_file.hpp);
//   - database behind the mirror: the missing commits are replayed from the mirror (or the
//     database is rebuilt from the mirror's snapshot and journal), and a notice says so;
//   - mirror behind, damaged or empty: it is rebuilt from the database, and a notice says so;
//   - the two disagree in a way that cannot be repaired: Errc::corrupt, naming what differs;
//   - the database behind station.head (commits lost, no mirror to restore them from):
//     Errc::corrupt, unless accept_loss;
//   - a round closed but not compacted (a crash between): compacted now.
Result<OpenedStore> open_journaled_store(const JournalSetup& setup);

// A directory the station must write: creates it if missing, then writes, fsyncs and removes a
// probe file. The error names the directory and the cause.
Status check_writable_directory(const std::filesystem::path& dir, std::string_view role);

class JournaledStore final : public Store {
 public:
  ~JournaledStore() override;

  Status begin() override;
  Status commit() override;
  void rollback() noexcept override;
  // After a round closed: compacts the database, then rewrites the mirror as a snapshot of it
  // (VACUUM INTO) with an empty journal, so that the mirror keeps no more than the database.
  Status compact() override;
  std::uint64_t commits() const noexcept override { return db_->commits(); }

  Result<std::optional<std::string>> get_meta(std::string_view key) override {
    return db_->get_meta(key);
  }
  Status put_meta(std::string_view key, std::string_view value) override;
  Result<std::vector<TerminalRow>> terminals() override { return db_->terminals(); }
  Status put_terminal(const TerminalRow& t) override;
  Result<std::vector<RoundRow>> rounds() override { return db_->rounds(); }
  Status put_round(const RoundRow& r) override;
  Status insert_tokens(std::string_view contest, std::uint32_t round,
                       const std::vector<crypto::Digest>& token_hashes) override;
  Result<std::optional<TokenRow>> find_token(std::string_view contest, std::uint32_t round,
                                             const crypto::Digest& token_hash) override {
    return db_->find_token(contest, round, token_hash);
  }
  Result<std::vector<crypto::Digest>> token_hashes(std::string_view contest,
                                                   std::uint32_t round) override {
    return db_->token_hashes(contest, round);
  }
  Status stage_ballots(std::string_view contest, std::uint32_t round,
                       const std::vector<std::string>& sealed) override;
  Result<std::vector<std::string>> staged(std::string_view contest, std::uint32_t round) override {
    return db_->staged(contest, round);
  }
  Status scan_staged(std::string_view contest, std::uint32_t round, std::uint64_t skip,
                     const RowVisitor& visit) override {
    return db_->scan_staged(contest, round, skip, visit);
  }
  Status scan_payloads(std::string_view contest, std::uint32_t round,
                       const RowVisitor& visit) override {
    return db_->scan_payloads(contest, round, visit);
  }
  Result<std::uint64_t> seal_round(std::string_view contest, std::uint32_t round,
                                   const crypto::Digest& key) override;
  Result<std::vector<crypto::Digest>> leaf_hashes(std::string_view contest,
                                                  std::uint32_t round) override {
    return db_->leaf_hashes(contest, round);
  }
  Result<std::vector<BallotRow>> ballots(std::string_view contest, std::uint32_t round) override {
    return db_->ballots(contest, round);
  }
  Result<std::vector<TerminalCount>> ballot_counts() override { return db_->ballot_counts(); }
  Status append_command(const CommandRow& c) override;
  Result<std::optional<CommandRow>> last_command() override { return db_->last_command(); }
  Result<std::vector<CommandRow>> commands() override { return db_->commands(); }

  // The last commit's number and chain value.
  std::uint64_t commit_count() const noexcept { return count_; }
  const crypto::Digest& commit_chain() const noexcept { return chain_; }
  bool mirrored() const noexcept { return mirror_ != nullptr; }

  class Mirror;  // journal_detail, in journaled_store.cpp

 private:
  friend Result<OpenedStore> open_journaled_store(const JournalSetup& setup);
  JournaledStore(std::unique_ptr<SqliteStore> db, JournalSetup setup);

  std::unique_ptr<SqliteStore> db_;
  JournalSetup setup_;
  std::unique_ptr<Mirror> mirror_;
  int head_fd_ = -1;
  std::uint64_t count_ = 0;
  crypto::Digest chain_{};
  std::string body_;  // the open transaction's operations
  bool in_transaction_ = false;
  // A mirror write failed after the database had committed: the two copies differ until a
  // restart rebuilds the mirror, so every later write is refused.
  std::optional<Error> mirror_failure_;
};

}  // namespace tallystation::station
