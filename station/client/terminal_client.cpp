#include "station/client/terminal_client.hpp"

#include <stdexcept>

#include <algorithm>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "crypto/merkle.hpp"
#include "station/app/messages.hpp"

namespace tallystation::station::client {

void throw_exception_from_error(const TerminalFailure& f, const boost::source_location& loc) {
  throw std::logic_error("terminal client: value() of a failure (" + f.code + ": " + f.message +
                         ") at " + loc.file_name() + ":" + std::to_string(loc.line()));
}

namespace json = boost::json;

namespace {

class HttpsTransport final : public Transport {
 public:
  explicit HttpsTransport(const ClientOptions& options) : client_(options) {}
  boost::system::result<Response> request(std::string_view method, std::string_view target,
                                          std::string_view body) override {
    return client_.request(method, target, body);
  }
  void reset() override { client_.close(); }
  std::string peer_fingerprint() const override { return client_.peer_fingerprint(); }

 private:
  HttpsClient client_;
};

TerminalFailure failure(std::string code, std::string message, unsigned status = 0) {
  return TerminalFailure{std::move(code), std::move(message), status};
}

// The station's {"error","message"} answer as a failure; bad_response if it is not one.
TerminalFailure refusal_of(const Response& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    const json::object& o = v.as_object();
    const json::value* code = o.if_contains("error");
    const json::value* message = o.if_contains("message");
    if (code != nullptr && code->is_string()) {
      return failure(std::string(code->as_string()),
                     message != nullptr && message->is_string() ? std::string(message->as_string())
                                                                : std::string(),
                     r.status);
    }
  }
  return failure("bad_response", "HTTP " + std::to_string(r.status) + " without an error code",
                 r.status);
}

const json::object* as_object(const json::value& v) {
  return v.is_object() ? &v.as_object() : nullptr;
}

std::optional<std::string> string_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

std::optional<std::uint64_t> count_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<std::uint64_t>(v->as_int64());
  return std::nullopt;
}

std::optional<std::uint32_t> round_member(const json::object& o) {
  auto n = count_member(o, "round");
  if (!n || *n == 0 || *n > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(*n);
}

std::string round_label(std::string_view contest, std::uint32_t round) {
  return std::string(contest) + " round " + std::to_string(round);
}

}  // namespace

std::unique_ptr<Transport> make_https_transport(const ClientOptions& options) {
  return std::make_unique<HttpsTransport>(options);
}

Outcome<Receipt> verify_receipt(std::string_view receipt_json, const crypto::PublicKey& station_key,
                                const PreparedBallot* expected) {
  auto env = crypto::parse_envelope(receipt_json);
  if (!env) return failure("bad_receipt", "the receipt is not a DSSE envelope");
  crypto::KeySet keys;
  keys.add(station_key);
  auto signers = crypto::verify_envelope(*env, crypto::payload_type::kReceipt, keys);
  if (!signers) {
    return failure("bad_receipt", "the receipt is not signed by the station (" +
                                      std::string(crypto::to_string(signers.error())) + ")");
  }
  boost::system::error_code ec;
  json::value v = json::parse(env->payload, ec);
  const json::object* o = ec ? nullptr : as_object(v);
  if (o == nullptr || o->size() != 4) {
    return failure("bad_receipt", "the receipt payload is not {session,contest,round,ballot_hash}");
  }
  Receipt r;
  r.envelope = std::string(receipt_json);
  auto session = string_member(*o, "session");
  auto contest = string_member(*o, "contest");
  auto round = round_member(*o);
  auto hash = string_member(*o, "ballot_hash");
  if (!session || !contest || !round || !hash || !crypto::digest_from_hex(*hash)) {
    return failure("bad_receipt", "the receipt payload is not {session,contest,round,ballot_hash}");
  }
  r.session = *session;
  r.contest = *contest;
  r.round = *round;
  r.ballot_hash = *hash;
  if (expected != nullptr) {
    if (r.ballot_hash != expected->ballot_hash) {
      return failure("bad_receipt", "the receipt is for another ballot (ballot_hash " +
                                        r.ballot_hash + ", sent " + expected->ballot_hash + ")");
    }
    if (r.session != expected->session || r.contest != expected->contest ||
        r.round != expected->round) {
      return failure("bad_receipt", "the receipt names " + r.session + " " +
                                        round_label(r.contest, r.round) + ", the ballot was for " +
                                        expected->session + " " +
                                        round_label(expected->contest, expected->round));
    }
  }
  return r;
}

TerminalClient::TerminalClient(TerminalOptions options, crypto::SecretKey terminal_key)
    : TerminalClient(options, std::move(terminal_key), make_https_transport(options.connection)) {}

TerminalClient::TerminalClient(TerminalOptions options, crypto::SecretKey terminal_key,
                               std::unique_ptr<Transport> transport)
    : options_(std::move(options)),
      key_(std::move(terminal_key)),
      transport_(std::move(transport)) {
  options_.max_attempts = std::max(1, options_.max_attempts);
}

TerminalClient::~TerminalClient() = default;
TerminalClient::TerminalClient(TerminalClient&&) noexcept = default;
TerminalClient& TerminalClient::operator=(TerminalClient&&) noexcept = default;

TerminalFailure TerminalClient::transport_failure(std::string_view what,
                                                  const boost::system::error_code& ec) {
  const std::string& pinned = options_.connection.tls_fingerprint;
  const std::string shown = transport_->peer_fingerprint();
  transport_->reset();
  if (!pinned.empty() && !shown.empty() && shown != pinned) {
    return failure("pin",
                   "the station presented TLS certificate " + shown + ", not the pinned " + pinned);
  }
  return failure("transport", std::string(what) + ": " + ec.message());
}

Outcome<Response> TerminalClient::get_ok(std::string_view target) {
  auto r = transport_->request("GET", target, {});
  if (!r) return transport_failure("GET " + std::string(target), r.error());
  if (r->status != 200) return refusal_of(*r);
  return *r;
}

Outcome<crypto::PublicKey> TerminalClient::station_key() {
  if (station_key_) return *station_key_;
  auto r = get_ok("/v1/station");
  if (!r) return r.error();
  boost::system::error_code ec;
  json::value v = json::parse(r->body, ec);
  const json::object* o = ec ? nullptr : as_object(v);
  auto pem = o ? string_member(*o, "public_key") : std::nullopt;
  auto fingerprint = o ? string_member(*o, "tls_fingerprint") : std::nullopt;
  if (!pem || !fingerprint) return failure("bad_response", "GET /v1/station: not the station info");
  auto key = crypto::PublicKey::from_pem(*pem);
  if (!key) return failure("bad_response", "GET /v1/station: unreadable public_key");
  if (!options_.connection.tls_fingerprint.empty() &&
      *fingerprint != options_.connection.tls_fingerprint) {
    return failure("pin", "the station reports TLS fingerprint " + *fingerprint +
                              ", the pinned one is " + options_.connection.tls_fingerprint);
  }
  if (!options_.station_keyid.empty() && key->keyid() != options_.station_keyid) {
    return failure("pin", "the station's signing key has keyid " + key->keyid() +
                              ", the pinned one is " + options_.station_keyid);
  }
  station_key_ = *key;
  return *key;
}

Outcome<BallotSheet> TerminalClient::ballot(std::string_view contest) {
  auto r = get_ok("/v1/ballot?contest=" + std::string(contest));
  if (!r) return r.error();
  boost::system::error_code ec;
  json::value v = json::parse(r->body, ec);
  const json::object* o = ec ? nullptr : as_object(v);
  const auto bad = failure("bad_response", "GET /v1/ballot: not a ballot");
  if (o == nullptr) return bad;
  BallotSheet s;
  auto session = string_member(*o, "session");
  auto id = string_member(*o, "contest");
  auto round = round_member(*o);
  auto seats = count_member(*o, "seats");
  const json::value* cands = o->if_contains("candidates");
  if (!session || !id || !round || !seats || cands == nullptr || !cands->is_array()) return bad;
  s.session = *session;
  s.contest = *id;
  s.round = *round;
  s.title = string_member(*o, "title").value_or("");
  s.seats = static_cast<std::uint32_t>(*seats);
  s.alternates = static_cast<std::uint32_t>(count_member(*o, "alternates").value_or(0));
  for (const json::value& c : cands->as_array()) {
    const json::object* co = as_object(c);
    auto cid = co ? string_member(*co, "id") : std::nullopt;
    if (!cid) return bad;
    s.candidates.push_back({*cid, string_member(*co, "name").value_or("")});
  }
  return s;
}

Outcome<PreparedBallot> TerminalClient::prepare(const BallotSheet& sheet, std::string_view token,
                                                const std::vector<std::string>& marks) const {
  if (token.empty()) return failure("usage", "no ballot token");
  std::set<std::string, std::less<>> seen;
  for (const std::string& m : marks) {
    const bool listed = std::any_of(sheet.candidates.begin(), sheet.candidates.end(),
                                    [&](const BallotCandidate& c) { return c.id == m; });
    if (!listed) return failure("usage", "candidate " + m + " is not on the ballot");
    if (!seen.insert(m).second) return failure("usage", "candidate " + m + " is marked twice");
  }
  PreparedBallot b;
  b.session = sheet.session;
  b.contest = sheet.contest;
  b.round = sheet.round;
  b.payload = make_ballot_payload(sheet.session, sheet.contest, sheet.round, token, marks);
  b.envelope = sign_ballot(key_, b.payload);
  b.ballot_hash = crypto::to_hex(crypto::leaf_hash(b.payload));
  return b;
}

Outcome<Receipt> TerminalClient::submit(const PreparedBallot& ballot) {
  auto key = station_key();
  if (!key) return key.error();
  auto pause = options_.first_backoff;
  TerminalFailure last;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    if (attempt > 1) {
      if (on_retry) on_retry(attempt, last);
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, options_.max_backoff);
    }
    // The same bytes every time: never re-sign (see the header).
    auto r = transport_->request("POST", "/v1/ballots", ballot.envelope);
    if (!r) {
      last = transport_failure("POST /v1/ballots", r.error());
      if (last.code == "pin") return last;  // another station: never send it anything again
      continue;
    }
    if (r->status == 503) {  // shutting down or a failed commit: nothing stored, send again
      last = refusal_of(*r);
      continue;
    }
    if (r->status != 200) return refusal_of(*r);
    auto receipt = verify_receipt(r->body, *key, &ballot);
    if (receipt) receipt->attempts = attempt;
    return receipt;
  }
  last.message += " (after " + std::to_string(options_.max_attempts) + " attempts)";
  return last;
}

namespace {

// The ballot box root in minutes the station signed, for this contest round.
Outcome<std::string> signed_box_root(std::string_view minutes_json, const crypto::PublicKey& key,
                                     const std::string& contest, std::uint32_t round) {
  auto env = crypto::parse_envelope(minutes_json);
  crypto::KeySet keys;
  keys.add(key);
  if (!env || !crypto::verify_envelope(*env, crypto::payload_type::kResult, keys)) {
    return failure("bad_proof", "the minutes are not signed by the station");
  }
  boost::system::error_code ec;
  json::value v = json::parse(env->payload, ec);
  const json::object* o = ec ? nullptr : as_object(v);
  const json::value* box = o ? o->if_contains("ballot_box") : nullptr;
  auto root = box && box->is_object() ? string_member(box->as_object(), "root") : std::nullopt;
  if (!root || !crypto::digest_from_hex(*root) || string_member(*o, "contest") != contest ||
      round_member(*o) != round) {
    return failure("bad_response", "the minutes of " + round_label(contest, round) +
                                       " carry no ballot box root for them");
  }
  return *root;
}

struct InclusionProof {
  std::uint64_t tree_size = 0, leaf_index = 0;
  std::vector<crypto::Digest> path;
};

Outcome<InclusionProof> parse_proof(std::string_view body) {
  const auto bad = failure("bad_response", "GET /v1/proof: not an inclusion proof");
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* o = ec ? nullptr : as_object(v);
  auto size = o ? count_member(*o, "tree_size") : std::nullopt;
  auto index = o ? count_member(*o, "leaf_index") : std::nullopt;
  const json::value* path = o ? o->if_contains("audit_path") : nullptr;
  if (!size || !index || path == nullptr || !path->is_array()) return bad;
  InclusionProof p{*size, *index, {}};
  for (const json::value& h : path->as_array()) {
    if (!h.is_string()) return bad;
    auto d = crypto::digest_from_hex(h.as_string());
    if (!d) return bad;
    p.path.push_back(*d);
  }
  return p;
}

}  // namespace

Outcome<ProofCheck> TerminalClient::check_receipt(const Receipt& receipt) {
  auto key = station_key();
  if (!key) return key.error();
  // The receipt itself first: it must be the station's.
  auto r = verify_receipt(receipt.envelope, *key);
  if (!r) return r.error();
  const std::string round = std::to_string(r->round);
  auto proof_body = get_ok("/v1/proof?contest=" + r->contest + "&round=" + round +
                           "&ballot_hash=" + r->ballot_hash);
  if (!proof_body) return proof_body.error();
  auto proof = parse_proof(proof_body->body);
  if (!proof) return proof.error();
  auto minutes = get_ok("/v1/results/" + r->contest + "/" + round);
  if (!minutes) return minutes.error();
  auto root = signed_box_root(minutes->body, *key, r->contest, r->round);
  if (!root) return root.error();
  // Checked against the root in the signed minutes, not the root the proof names.
  const crypto::Digest leaf = crypto::digest_from_hex(r->ballot_hash).value();
  if (!crypto::verify_inclusion(leaf, proof->leaf_index, proof->tree_size, proof->path,
                                crypto::digest_from_hex(*root).value())) {
    return failure("bad_proof", "the inclusion proof does not lead to the ballot box root " +
                                    *root + " of the signed minutes");
  }
  return ProofCheck{proof->tree_size, proof->leaf_index, *root};
}

}  // namespace tallystation::station::client
