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
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crypto/hash.hpp"
#include "station/config/error.hpp"

namespace tallystation::station {

// 2: rounds.log_key (the internal log's leaves are keyed).
// 3: staging (ballots of open rounds, sealed, in arrival order); ballots store the payload once
//    (payload, sig_keyid, signature); meta.commit_count and meta.commit_chain.
// SqliteStore::open migrates 1 to 2 to 3 (3 only when no round is open).
inline constexpr int kSchemaVersion = 3;

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

// A ballot of a closed round's ballot box, as read back from the store.
struct BallotRow {
  std::string contest;
  std::uint32_t round = 0;
  crypto::Digest leaf_hash{};  // RFC 6962 leaf hash of the payload
  std::string terminal;        // terminal id
  std::string payload;         // exact bytes as signed
  std::string envelope;        // DSSE envelope JSON: the payload and the verified signature,
                               // rebuilt from them by crypto::serialize (stored once, as parts)
};

// A ballot accepted while its round is open, before the round closes: what the staging row
// holds, sealed (docs/storage.md "Staging").
struct StagedBallot {
  crypto::Digest token{};  // token_hash of the ballot's token
  crypto::Digest leaf{};   // leaf hash of the payload
  std::string terminal;    // terminal id
  std::string payload;     // exact bytes as signed
  std::string sig_keyid;   // the verified signature's keyid
  std::string signature;   // and its raw bytes
};

// The staging key of a round: HMAC-SHA-256(k_round, "tallystation staging v1"). It exists only
// while k_round does (rounds.log_key, erased at close).
crypto::Digest staging_key(const crypto::Digest& log_key);
// AES-256-GCM (crypto/aead.hpp) of the encoded StagedBallot under the staging key, with
// "<contest>\n<round>" as associated data, so that a row cannot be moved to another round.
std::string seal_staged(const crypto::Digest& key, std::string_view contest, std::uint32_t round,
                        const StagedBallot& b);
// nullopt: not sealed under this key for this round, or changed.
std::optional<StagedBallot> open_staged(const crypto::Digest& key, std::string_view contest,
                                        std::uint32_t round, std::string_view sealed);
// The DSSE envelope a ballot is exported as: crypto::serialize of its payload with its one
// verified signature (identical to what intake built from the received envelope).
std::string ballot_envelope(std::string_view payload, std::string_view sig_keyid,
                            std::string_view signature);

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
  // Outside a transaction, after a round closed: rebuilds the database file so that no page keeps
  // rows in the places their arrival gave them (VACUUM), then copies the write-ahead log into it
  // and truncates the log; a mirror is rewritten the same way (docs/storage.md "Staging").
  // Clears meta.compact_pending, which seal_round sets.
  virtual Status compact() = 0;
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
  // A token as the tokens table holds it. Spends are written there when the round closes
  // (seal_round); while it is open they are in its staging rows.
  virtual Result<std::optional<TokenRow>> find_token(std::string_view contest, std::uint32_t round,
                                                     const crypto::Digest& token_hash) = 0;
  // SHA-256 of every token issued for the round, spent or not, bytewise ascending (no batch or
  // issue order). The audit bundle publishes them and the minutes commit to them (docs/audit.md).
  virtual Result<std::vector<crypto::Digest>> token_hashes(std::string_view contest,
                                                           std::uint32_t round) = 0;

  // Appends sealed staging rows (seal_staged) of an open round, in the order given (arrival).
  virtual Status stage_ballots(std::string_view contest, std::uint32_t round,
                               const std::vector<std::string>& sealed) = 0;
  // The round's sealed staging rows, in the order they were staged.
  virtual Result<std::vector<std::string>> staged(std::string_view contest,
                                                  std::uint32_t round) = 0;
  // The same, one row at a time, from the `skip`-th on (a round can hold millions); an error the
  // callback returns stops the scan and is returned.
  using RowVisitor = std::function<Status(std::string_view)>;
  virtual Status scan_staged(std::string_view contest, std::uint32_t round, std::uint64_t skip,
                             const RowVisitor& visit) = 0;
  // A closed round's ballot payloads, one at a time, in leaf-hash order.
  virtual Status scan_payloads(std::string_view contest, std::uint32_t round,
                               const RowVisitor& visit) = 0;
  // Inside the close_round transaction: opens every staging row of the round with `key`, inserts
  // the ballots into the ballot box in leaf-hash order and marks their tokens spent in token-hash
  // order, deletes the round's staging rows and sets meta.compact_pending. Returns the number of
  // ballots. Errc::corrupt if a row does not open, or a token is unknown or spent twice.
  virtual Result<std::uint64_t> seal_round(std::string_view contest, std::uint32_t round,
                                           const crypto::Digest& key) = 0;
  // Leaf hashes of the round's accepted ballots, bytewise ascending (the ballot box order).
  virtual Result<std::vector<crypto::Digest>> leaf_hashes(std::string_view contest,
                                                          std::uint32_t round) = 0;
  virtual Result<std::vector<BallotRow>> ballots(std::string_view contest,
                                                 std::uint32_t round) = 0;  // by leaf hash
  // Per-terminal counts of the closed rounds' ballot boxes (open rounds' are in their staging).
  virtual Result<std::vector<TerminalCount>> ballot_counts() = 0;

  virtual Status append_command(const CommandRow& c) = 0;
  virtual Result<std::optional<CommandRow>> last_command() = 0;
  virtual Result<std::vector<CommandRow>> commands() = 0;  // by index
};

}  // namespace tallystation::station
