#pragma once
// The station's durable state behind one interface: terminals, rounds (with their internal log's
// compact tree state), ballot tokens (as hashes), accepted ballots and the hash-chained command
// log. Tables, transactions and the command-log chain are specified in docs/storage.md.
//
// Implementations: SqliteStore (the real one: WAL, synchronous=FULL) and FaultyStore (a wrapper for
// tests that fails chosen commits). A Store is used by one thread at a time: the station's writer
// thread (and, before it starts and after it stops, StationApp::open / drain). Nothing in it is
// thread safe. Every mutating call must happen between begin() and commit()/rollback(); a commit
// that returns an error has made nothing durable as far as the caller may assume, and the caller
// must rollback().
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/hash.hpp"
#include "station/config/error.hpp"

namespace tallystation::station {

// 2: rounds.log_key (the internal log's leaves are keyed). SqliteStore::open migrates 1 to 2.
inline constexpr int kSchemaVersion = 2;

enum class RoundPhase : std::uint8_t { pending = 0, open = 1, closed = 2 };
std::string_view to_string(RoundPhase p) noexcept;  // "pending", "open", "closed"

struct TerminalRow {
  std::string id;
  std::string keyid;
  std::string public_key_pem;
  bool revoked = false;  // an enrolled terminal is active until revoked; revocation is final
};

struct RoundRow {
  std::string contest;
  std::uint32_t round = 0;
  RoundPhase phase = RoundPhase::pending;
  std::string tree_state;     // crypto::AppendOnlyTree::serialize() of the internal log; an
                              // empty tree once the round is closed (the log is then erased)
  std::uint64_t ballots = 0;  // accepted ballots (= internal log size while the round is open)
  std::uint64_t tokens_issued = 0;
  std::string box_root;  // hex, set when closed (CONTRACT.md section 3)
  // k_round: the secret key of the internal log's leaves (internal_log_leaf), made when the round
  // opens, never published, and erased (nullopt) when it closes.
  std::optional<crypto::Digest> log_key;
};

// The internal log's leaf for a ballot: HMAC-SHA-256(k_round, leaf_hash) (docs/storage.md). Keyed
// so that a published checkpoint root cannot be matched against the ballot box to learn the order
// in which ballots arrived (CONTRACT.md section 3).
crypto::Digest internal_log_leaf(const crypto::Digest& log_key, const crypto::Digest& leaf_hash);
// A fresh k_round: 32 bytes from OpenSSL's DRBG.
crypto::Digest new_log_key();

struct BallotRow {
  std::string contest;
  std::uint32_t round = 0;
  crypto::Digest leaf_hash{};  // RFC 6962 leaf hash of the payload
  std::string terminal;        // terminal id
  std::string payload;         // exact bytes as signed
  std::string envelope;        // DSSE envelope JSON: payload as received, the verified signature
};

struct TokenRow {
  crypto::Digest token_hash{};
  std::optional<crypto::Digest> spent_by;  // leaf hash of the ballot that spent it
};

struct CommandRow {
  std::uint64_t index = 0;  // 0, 1, 2, ... in the order accepted
  std::uint64_t seq = 0;    // the official's sequence number from the payload
  std::string official;     // official id
  std::string envelope;     // DSSE envelope JSON: payload as received, the verified signature
  crypto::Digest prev_hash{};
  crypto::Digest entry_hash{};
};

struct TerminalCount {
  std::string contest;
  std::uint32_t round = 0;
  std::string terminal;
  std::uint64_t ballots = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // BEGIN IMMEDIATE / COMMIT / ROLLBACK. commit() returns only once the transaction is durable.
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual void rollback() noexcept = 0;
  // Copies the write-ahead log into the database and truncates it (outside a transaction). The
  // WAL holds pages in commit order; the station calls this when a round closes so that the
  // order in which its ballots arrived does not linger in that file (docs/storage.md).
  virtual Status checkpoint_wal() = 0;
  // Number of successful commits since the store was opened (group-commit evidence for tests).
  virtual std::uint64_t commits() const noexcept = 0;

  virtual Result<std::optional<std::string>> get_meta(std::string_view key) = 0;
  virtual Status put_meta(std::string_view key, std::string_view value) = 0;

  virtual Result<std::vector<TerminalRow>> terminals() = 0;
  virtual Status put_terminal(const TerminalRow& t) = 0;  // insert or replace by id

  virtual Result<std::vector<RoundRow>> rounds() = 0;
  virtual Status put_round(const RoundRow& r) = 0;  // insert or replace by (contest, round)

  virtual Status insert_tokens(std::string_view contest, std::uint32_t round,
                               const std::vector<crypto::Digest>& token_hashes) = 0;
  virtual Result<std::optional<TokenRow>> find_token(std::string_view contest, std::uint32_t round,
                                                     const crypto::Digest& token_hash) = 0;
  // Marks an unspent token spent; Errc::corrupt if it is missing or already spent.
  virtual Status spend_token(std::string_view contest, std::uint32_t round,
                             const crypto::Digest& token_hash, const crypto::Digest& leaf) = 0;
  // SHA-256 of every token issued for the round, spent or not, bytewise ascending (no batch or
  // issue order). The audit bundle publishes them and the minutes commit to them (docs/audit.md).
  virtual Result<std::vector<crypto::Digest>> token_hashes(std::string_view contest,
                                                           std::uint32_t round) = 0;

  virtual Status insert_ballot(const BallotRow& b) = 0;
  // Leaf hashes of the round's accepted ballots, bytewise ascending (the ballot box order).
  virtual Result<std::vector<crypto::Digest>> leaf_hashes(std::string_view contest,
                                                          std::uint32_t round) = 0;
  virtual Result<std::vector<BallotRow>> ballots(std::string_view contest,
                                                 std::uint32_t round) = 0;  // by leaf hash
  virtual Result<std::vector<TerminalCount>> ballot_counts() = 0;

  virtual Status append_command(const CommandRow& c) = 0;
  virtual Result<std::optional<CommandRow>> last_command() = 0;
  virtual Result<std::vector<CommandRow>> commands() = 0;  // by index
};

}  // namespace tallystation::station
