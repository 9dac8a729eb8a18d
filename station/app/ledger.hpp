#pragma once
// The station's ledger: the in-memory view of what the store holds (enrolled terminals, rounds
// with their internal logs, the command log head, the congress state) and the two ways it
// changes, a batch of ballots (group commit) and one official command, each as one store
// transaction. The ledger keeps storage and concurrency; the rules of the congress (which command
// is legal when, on which list a round opens) are decided by the congress state machine
// (tally/congress/congress.hpp), the same that `tally-audit verify` replays the log through.
//
// Threads: commit_ballots, apply_command and load run on the writer thread only (the single
// mutator). The read functions may be called from any thread; they take a shared lock and return
// copies. Memory is updated only after the store has committed, so readers never see state that
// a crash could take back.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "crypto/keys.hpp"
#include "crypto/merkle.hpp"
#include "station/app/messages.hpp"
#include "station/app/refusal.hpp"
#include "station/app/results_book.hpp"
#include "station/config/session.hpp"
#include "station/store/store.hpp"
#include "tally/congress/congress.hpp"

namespace tallystation::station {

// A ballot whose signature and payload have been checked, waiting for the writer.
struct PendingBallot {
  BallotPayload payload;
  std::string payload_bytes;
  std::string sig_keyid;  // the one signature intake verified (what the store keeps of the
  std::string signature;  // envelope: docs/storage.md), raw bytes
  std::string terminal_id;
  std::string terminal_keyid;
  crypto::Digest leaf{};
  crypto::Digest token{};  // token_hash(payload.token)
  // Intake checked the marks against the list the round was opened on (fixed by open_round, never
  // changed after). False: the round had not opened yet, so intake checked them against the
  // session's list, and the writer checks them again against the round's list before it commits
  // the ballot (recheck_marks, intake.hpp).
  bool marks_on_round_list = false;
};

// The writer's verdict on one ballot.
struct BallotOutcome {
  std::optional<Refused> refused;  // set: refused; else accepted (new or idempotent retry)
  bool retry = false;              // accepted earlier: this is the same ballot again
};

// A command whose signature has been checked, waiting for the writer.
struct PendingCommand {
  congress::Command payload;  // parsed from the signed payload bytes by congress::parse_command
  std::string envelope;  // as for ballots (only the verified signature): what the log commits to
  std::string official_id;
};

// {"seq","log_index","entry_hash","result"} or a refusal.
using CommandOutcome = Checked<boost::json::object>;

struct TerminalInfo {
  std::string id;
  crypto::PublicKey key;
  bool revoked = false;
};

struct CheckpointInfo {
  std::uint64_t ballots = 0;
  crypto::Digest root{};
};

class Ledger {
 public:
  // station_key signs the counting minutes (ResultsBook).
  Ledger(const Session& session, Store& store, const crypto::SecretKey& station_key);

  // (Re)reads everything from the store: at startup, and after a failed commit, whose outcome
  // on disk is then whatever SQLite says it is.
  Status load();

  // Writer thread, after an exception escaped commit_ballots or apply_command: rolls back whatever
  // transaction it left open and re-reads the store. If the store cannot be read, memory may no
  // longer match the disk: terminates the process (fatal_state_loss) rather than answer from it.
  void recover() noexcept;

  // Writer thread. One transaction for the whole batch: outcomes[i] answers batch[i]. A ballot
  // refused inside the batch writes nothing (checks run before writes), so it cannot affect the
  // others. If the store fails, every ballot not already durable gets Refusal::storage_error.
  std::vector<BallotOutcome> commit_ballots(const std::vector<PendingBallot>& batch);

  // Writer thread. Checks and applies one command and appends it to the command log, in one
  // transaction.
  CommandOutcome apply_command(const PendingCommand& cmd);

  // ---- Reads, any thread ----
  std::optional<TerminalInfo> terminal_by_keyid(std::string_view keyid) const;
  std::optional<RoundPhase> phase(std::string_view contest, std::uint32_t round) const;
  // The contest's open round, if any.
  std::optional<std::uint32_t> open_round(std::string_view contest) const;
  std::optional<CheckpointInfo> checkpoint(std::string_view contest, std::uint32_t round) const;
  // GET /v1/status body (docs/protocol.md): counts only, no ballot contents.
  boost::json::object status() const;
  // The congress state the command log has reached (a copy), and the rules it was decided by:
  // what GET /v1/people reads the roll, exceptions and elected from.
  congress::State congress_state() const;
  const congress::SessionRules& rules() const noexcept { return rules_; }
  // Round ballots, minutes, certification and proofs. Its mutators run on the writer thread.
  ResultsBook& book() noexcept { return book_; }
  const ResultsBook& book() const noexcept { return book_; }

 private:
  struct RoundView {
    RoundRow row;
    crypto::AppendOnlyTree tree;
    std::map<std::string, std::uint64_t> per_terminal;
  };
  using RoundKey = std::pair<std::string, std::uint32_t>;
  // An open round's ballot box in the making, in memory only (writer thread): its issued tokens
  // and which staged ballot spent each, rebuilt at load from the tokens table and the round's
  // staging rows (docs/storage.md "Staging").
  struct OpenBox {
    crypto::Digest key{};                      // staging_key(k_round)
    std::vector<crypto::Digest> tokens;        // issued, ascending
    std::vector<std::uint32_t> spent;          // per token: 0, or 1 + its ballot's index below
    std::vector<crypto::Digest> leaves;        // staged ballots' leaf hashes, in staging order
    std::vector<crypto::Digest> leaf_tokens;   // and their tokens
    std::map<std::string, std::uint64_t> per_terminal;
    // The index of token in tokens, or -1.
    std::ptrdiff_t find(const crypto::Digest& token) const;
    // Marks leaf_tokens[i] spent by leaves[i] for every i from `from`; false if a token is
    // unknown or spent twice.
    bool mark(std::size_t from);
  };
  struct State {
    std::map<RoundKey, RoundView> rounds;
    std::map<std::string, TerminalInfo, std::less<>> terminals_by_keyid;  // enrolled only
    std::map<std::string, bool, std::less<>> terminal_revoked_by_id;      // enrolled only
    std::uint64_t last_seq = 0;
    std::uint64_t log_size = 0;
    crypto::Digest log_head{};
    std::optional<std::uint32_t> present;
  };

  // The batch's own writes so far, which later ballots of the same batch must see.
  struct BatchView;
  enum class Verdict { write, retry, refuse, fail };
  // Decides one ballot of a batch against the committed state plus the batch's own writes.
  Verdict judge(const PendingBallot& b, const BatchView& batch, BallotOutcome& out, bool& fresh,
                Status& failure);

  Result<State> read_state();
  // Brings boxes_ in line with the open rounds of `s` (re-reading only what changed) and puts
  // their per-terminal counts into `s`.
  Status refresh_boxes(State& s);
  // Rebuilds the congress state by replaying the stored command log through the congress rules
  // (closed rounds recounted from their stored ballots). At start and after a failed commit.
  Result<congress::State> replay_commands();
  // The command's storage effects, inside the command's transaction.
  Checked<boost::json::object> store_effect(const congress::Applied& applied,
                                            const congress::State& before);
  Checked<boost::json::object> store_tokens(const congress::Effect& e, const congress::State& after);
  Checked<boost::json::object> store_open(const congress::Effect& e, const congress::State& after);
  Checked<boost::json::object> store_close(const congress::Effect& e, const congress::State& after);
  RoundRow round_row(const std::string& contest, std::uint32_t round) const;
  // The keyids of PEM keys (crypto) and the count of a round's stored ballot box.
  congress::Environment environment() const;

  const Session& session_;
  Store& store_;
  ResultsBook book_;
  mutable std::shared_mutex mutex_;
  State state_;  // writes: writer thread under unique lock; reads: shared lock
  const congress::SessionRules rules_;
  congress::State congress_;  // as state_
  std::map<RoundKey, OpenBox> boxes_;  // writer thread only
};

// The congress rules' view of a session definition; `station_keyid`, the station's own signing
// key, is one no terminal may be enrolled with.
congress::SessionRules congress_rules(const Session& session, const std::string& station_keyid);

// The station's answer to a refusal of the congress rules: the protocol's code for it
// (docs/protocol.md "Errors") and, in `rule`, the rule's own code (docs/congress.md).
Refused refusal_of(const congress::Refusal& r);

// Logs `what` to stderr and aborts. For the one case the writer cannot answer its way out of: a
// transaction committed but the in-memory state cannot be re-read to match it. Continuing would
// decide later ballots against stale state (a closed round still open in memory, say); a restart
// rebuilds everything from the database, which is the truth (docs/storage.md, "Crash recovery").
[[noreturn]] void fatal_state_loss(std::string_view what) noexcept;

// The command log chain (docs/storage.md): entry_hash = SHA-256(prev_hash || SHA-256(envelope)),
// and the first entry's prev_hash is the session's config_hash.
crypto::Digest command_entry_hash(const crypto::Digest& prev_hash, std::string_view envelope);

}  // namespace tallystation::station
