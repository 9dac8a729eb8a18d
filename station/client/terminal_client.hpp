#pragma once
// The reference voting terminal: what a terminal does, as a library (docs/terminals.md). It pins
// the station (TLS certificate fingerprint, and optionally the station's signing keyid), shows the
// open round's ballot, builds and signs a ballot for a token and marks, submits it, verifies the
// signed receipt against what it sent, and later checks a receipt against the published ballot
// box with an RFC 6962 inclusion proof. Wire formats: CONTRACT.md sections 1-3.
//
// Retries: a submission whose answer is lost (timeout, broken connection, 503) is resent as the
// EXACT same envelope bytes, with bounded attempts and exponential backoff. The station answers
// the same receipt for the same payload (CONTRACT.md section 2), so a network blip can neither
// make a delegate vote twice nor lose the receipt. A PreparedBallot is signed once and never
// re-signed: a second signature over other bytes for the same token would be a different ballot.
//
// Synchronous; one connection (kept alive) per client. Not thread safe: one TerminalClient per
// thread. Failures are values (TerminalFailure), never exceptions, except for broken invariants.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/system/result.hpp>

#include "crypto/keys.hpp"
#include "station/client/https_client.hpp"

namespace tallystation::station::client {

// Why something failed. `code` is the station's error code when it answered one (e.g.
// "token_spent", "round_not_open"), else a local one:
//   transport      the station could not be reached or did not answer (after every attempt)
//   pin            the station's certificate or signing key is not the pinned one
//   bad_receipt    the receipt is not signed by the station, or is for another ballot
//   bad_proof      the inclusion proof does not verify against the signed minutes
//   bad_response   the station answered something that is not what the protocol says
//   usage          the caller's input is wrong (no such candidate on the ballot, ...)
struct TerminalFailure {
  TerminalFailure() = default;
  // Not constructible from one string, so that Outcome<std::string> is never ambiguous.
  TerminalFailure(std::string code_, std::string message_, unsigned status_ = 0)
      : code(std::move(code_)), message(std::move(message_)), status(status_) {}
  std::string code;
  std::string message;
  unsigned status = 0;  // HTTP status, 0 if none
};

// A value or a TerminalFailure (the station layer's one result type, docs/architecture.md
// "Errors").
template <class T>
using Outcome = boost::system::result<T, TerminalFailure>;
// Found by ADL when .value() is called on an Outcome holding a failure: a broken invariant.
[[noreturn]] void throw_exception_from_error(const TerminalFailure& f,
                                             const boost::source_location& loc);

// How the client reaches the station. The default sends over HttpsClient; tests substitute one
// that loses answers on purpose.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual boost::system::result<Response> request(std::string_view method, std::string_view target,
                                                  std::string_view body) = 0;
  // Drops the connection (the next request opens a new one).
  virtual void reset() = 0;
  // The TLS fingerprint the station showed in the last handshake ("" if unknown).
  virtual std::string peer_fingerprint() const { return {}; }
};

// Transport over a pinned HttpsClient.
std::unique_ptr<Transport> make_https_transport(const ClientOptions& options);

struct TerminalOptions {
  ClientOptions connection;  // host, port, the pinned TLS fingerprint, timeouts
  // Lowercase hex keyid of the station's signing key, handed over out of band. Empty: take the
  // key that GET /v1/station serves over the pinned connection.
  std::string station_keyid;
  // Submission attempts in all (>= 1), and the pause before the 2nd, doubled each time.
  int max_attempts = 5;
  std::chrono::milliseconds first_backoff{200};
  std::chrono::milliseconds max_backoff{4000};
};

struct BallotCandidate {
  std::string id;
  std::string name;
};

// GET /v1/ballot: the open round's ballot.
struct BallotSheet {
  std::string session;
  std::string contest;
  std::uint32_t round = 0;
  std::string title;
  std::uint32_t seats = 0;
  std::uint32_t alternates = 0;
  std::vector<BallotCandidate> candidates;  // ballot order
};

// A ballot signed once, ready to send (and to resend, byte for byte).
struct PreparedBallot {
  std::string session, contest;
  std::uint32_t round = 0;
  std::string payload;      // the payload bytes signed
  std::string envelope;     // the HTTP body: the DSSE envelope
  std::string ballot_hash;  // hex RFC 6962 leaf hash of payload
};

// A verified receipt.
struct Receipt {
  std::string envelope;  // as the station sent it (store it, hand it to the delegate)
  std::string session, contest;
  std::uint32_t round = 0;
  std::string ballot_hash;
  int attempts = 1;  // how many sends it took (1: no retry)
};

// The result of checking a receipt against the closed round's box.
struct ProofCheck {
  std::uint64_t tree_size = 0;
  std::uint64_t leaf_index = 0;
  std::string root;  // the box root in the station-signed minutes
};

// Verifies a receipt envelope (JSON) with the station's key: payload type, the station's
// signature, exactly the members {"session","contest","round","ballot_hash"}, and, when
// `expected` is given, that they match the ballot that was sent.
Outcome<Receipt> verify_receipt(std::string_view receipt_json, const crypto::PublicKey& station_key,
                                const PreparedBallot* expected = nullptr);

class TerminalClient {
 public:
  TerminalClient(TerminalOptions options, crypto::SecretKey terminal_key);
  // With a transport of the caller's (tests).
  TerminalClient(TerminalOptions options, crypto::SecretKey terminal_key,
                 std::unique_ptr<Transport> transport);
  ~TerminalClient();
  TerminalClient(const TerminalClient&) = delete;
  TerminalClient& operator=(const TerminalClient&) = delete;
  TerminalClient(TerminalClient&&) noexcept;
  TerminalClient& operator=(TerminalClient&&) noexcept;

  // GET /v1/station, once: checks the served tls_fingerprint against the pinned one and the
  // keyid against the pinned keyid (if any). "pin" failure otherwise.
  Outcome<crypto::PublicKey> station_key();

  // GET /v1/ballot?contest=ID.
  Outcome<BallotSheet> ballot(std::string_view contest);

  // Builds and signs the ballot payload for the sheet's session, contest and round. Checks the
  // marks against the sheet first (each on the list, none twice): "usage" otherwise. Over-voting
  // is not refused here: the station accepts it and counts an invalid ballot, as on paper.
  Outcome<PreparedBallot> prepare(const BallotSheet& sheet, std::string_view token,
                                  const std::vector<std::string>& marks) const;

  // POSTs the envelope, retrying the same bytes on transport failures and 503 answers, and
  // verifies the receipt against the ballot. A 4xx refusal is returned at once (no retry).
  Outcome<Receipt> submit(const PreparedBallot& ballot);

  // After the round closed: fetches the inclusion proof for the receipt's ballot_hash and the
  // round's station-signed minutes, and checks the proof against the minutes' box root.
  Outcome<ProofCheck> check_receipt(const Receipt& receipt);

  const crypto::SecretKey& key() const noexcept { return key_; }

  // Called before each retry with the attempt number (2, 3, ...) and what went wrong; for tools
  // that want to say so. Default: nothing.
  std::function<void(int, const TerminalFailure&)> on_retry;

 private:
  Outcome<Response> get_ok(std::string_view target);
  TerminalFailure transport_failure(std::string_view what, const boost::system::error_code& ec);

  TerminalOptions options_;
  crypto::SecretKey key_;
  std::unique_ptr<Transport> transport_;
  std::optional<crypto::PublicKey> station_key_;
};

}  // namespace tallystation::station::client
