#pragma once
// A Store wrapper for tests that makes chosen commits fail, as a full disk or an I/O error would:
// the failing commit() returns Errc::injected_fault without committing, so the caller's rollback()
// discards the transaction. Everything else is forwarded to the wrapped store.
// Thread safety: as Store, except that the fault controls are atomic and may be set from any
// thread while the writer runs.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "station/store/store.hpp"

namespace tallystation::station {

class FaultyStore final : public Store {
 public:
  explicit FaultyStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

  // The n-th commit() from now fails (1 = the next one); 0 disarms.
  void fail_commit_in(std::uint64_t n) noexcept { countdown_ = n; }
  // While set, every commit() fails.
  void fail_all_commits(bool on) noexcept { fail_all_ = on; }
  std::uint64_t failed_commits() const noexcept { return failed_; }
  // While set, find_token() and stage_ballots() fail as a read or write error inside the
  // transaction would (Errc::injected_fault).
  void fail_token_lookups(bool on) noexcept { fail_lookups_ = on; }
  // While set, put_round() throws std::runtime_error, as a broken invariant deep in a write
  // would: the transaction is left open for the caller's exception path to roll back.
  void throw_in_put_round(bool on) noexcept { throw_put_round_ = on; }
  // While set, rounds() fails as a read error would (Errc::injected_fault).
  void fail_round_reads(bool on) noexcept { fail_round_reads_ = on; }
  // While held, commit() waits (on the writer thread) until release_commits(): lets a test line
  // up ballots behind a commit in progress.
  void hold_commits();
  void release_commits();
  // True once a commit() is waiting in a hold; false if the deadline passes first.
  bool wait_until_commit_held(std::chrono::steady_clock::time_point deadline);

  Status begin() override { return inner_->begin(); }
  Status commit() override;
  void rollback() noexcept override { inner_->rollback(); }
  Status compact() override { return inner_->compact(); }
  std::uint64_t commits() const noexcept override { return inner_->commits(); }

  Result<std::optional<std::string>> get_meta(std::string_view key) override {
    return inner_->get_meta(key);
  }
  Status put_meta(std::string_view key, std::string_view value) override {
    return inner_->put_meta(key, value);
  }
  Result<std::vector<TerminalRow>> terminals() override { return inner_->terminals(); }
  Status put_terminal(const TerminalRow& t) override { return inner_->put_terminal(t); }
  Result<std::vector<RoundRow>> rounds() override {
    if (fail_round_reads_) return make_error(Errc::injected_fault, "rounds: injected fault");
    return inner_->rounds();
  }
  Status put_round(const RoundRow& r) override;
  Status insert_tokens(std::string_view contest, std::uint32_t round,
                       const std::vector<crypto::Digest>& token_hashes) override {
    return inner_->insert_tokens(contest, round, token_hashes);
  }
  Result<std::optional<TokenRow>> find_token(std::string_view contest, std::uint32_t round,
                                             const crypto::Digest& token_hash) override {
    if (fail_lookups_) return make_error(Errc::injected_fault, "find_token: injected fault");
    return inner_->find_token(contest, round, token_hash);
  }
  Status stage_ballots(std::string_view contest, std::uint32_t round,
                       const std::vector<std::string>& sealed) override {
    if (fail_lookups_) return make_error(Errc::injected_fault, "stage_ballots: injected fault");
    return inner_->stage_ballots(contest, round, sealed);
  }
  Result<std::vector<std::string>> staged(std::string_view contest, std::uint32_t round) override {
    return inner_->staged(contest, round);
  }
  Status scan_staged(std::string_view contest, std::uint32_t round, std::uint64_t skip,
                     const RowVisitor& visit) override {
    return inner_->scan_staged(contest, round, skip, visit);
  }
  Status scan_payloads(std::string_view contest, std::uint32_t round,
                       const RowVisitor& visit) override {
    return inner_->scan_payloads(contest, round, visit);
  }
  Result<std::uint64_t> seal_round(std::string_view contest, std::uint32_t round,
                                   const crypto::Digest& key) override {
    return inner_->seal_round(contest, round, key);
  }
  Result<std::vector<crypto::Digest>> token_hashes(std::string_view contest,
                                                   std::uint32_t round) override {
    return inner_->token_hashes(contest, round);
  }
  Result<std::vector<crypto::Digest>> leaf_hashes(std::string_view contest,
                                                  std::uint32_t round) override {
    return inner_->leaf_hashes(contest, round);
  }
  Result<std::vector<BallotRow>> ballots(std::string_view contest, std::uint32_t round) override {
    return inner_->ballots(contest, round);
  }
  Result<std::vector<TerminalCount>> ballot_counts() override { return inner_->ballot_counts(); }
  Status append_command(const CommandRow& c) override { return inner_->append_command(c); }
  Result<std::optional<CommandRow>> last_command() override { return inner_->last_command(); }
  Result<std::vector<CommandRow>> commands() override { return inner_->commands(); }

 private:
  std::unique_ptr<Store> inner_;
  std::atomic<std::uint64_t> countdown_{0};
  std::atomic<bool> fail_all_{false};
  std::atomic<bool> fail_lookups_{false};
  std::atomic<bool> throw_put_round_{false};
  std::atomic<bool> fail_round_reads_{false};
  std::atomic<std::uint64_t> failed_{0};
  std::mutex hold_mutex_;
  std::condition_variable hold_changed_;
  bool held_ = false;
  bool waiting_ = false;
};

}  // namespace tallystation::station
