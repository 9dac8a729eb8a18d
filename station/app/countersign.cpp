#include "station/app/countersign.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "crypto/merkle.hpp"
#include "station/config/strict_json.hpp"

namespace tallystation::station {

namespace json = boost::json;

namespace {

// The refusals of countersigning (docs/protocol.md "Results").
Refused not_member(std::string m) {
  return refuse(Refusal::not_committee_member, std::move(m));
}
Refused already(std::string m) {
  return refuse(Refusal::already_signed, std::move(m));
}

const Person* member_by_keyid(const Session& session, std::string_view keyid) {
  for (const Person& p : session.committee) {
    if (p.public_key.keyid() == keyid) return &p;
  }
  return nullptr;
}

}  // namespace

Checked<std::vector<crypto::Signature>> parse_countersignatures(std::string_view body,
                                                                const crypto::Envelope& stored) {
  auto v = parse_strict_json(body);
  if (!v || !v->is_object()) {
    return refuse(Refusal::malformed, "the body must be {\"keyid\",\"sig\"} or a DSSE envelope");
  }
  const json::object& o = v->get_object();
  if (o.contains("payload")) {
    auto env = crypto::parse_envelope(body);
    if (!env) return refuse(Refusal::malformed, "not a DSSE envelope");
    if (env->payload_type != stored.payload_type || env->payload != stored.payload) {
      return refuse(Refusal::malformed,
                    "the envelope is over different bytes than the stored minutes");
    }
    if (env->signatures.empty()) return refuse(Refusal::bad_signature, "no signature");
    return env->signatures;
  }
  const json::value* keyid = o.if_contains("keyid");
  const json::value* sig = o.if_contains("sig");
  if (o.size() != 2 || keyid == nullptr || sig == nullptr || !keyid->is_string() ||
      !sig->is_string()) {
    return refuse(Refusal::malformed, "the body must be {\"keyid\",\"sig\"} or a DSSE envelope");
  }
  auto raw = crypto::base64_decode(sig->get_string());
  if (!raw) return refuse(Refusal::malformed, "sig: not standard base64");
  return std::vector<crypto::Signature>{
      crypto::Signature{std::string(keyid->get_string()), std::move(*raw)}};
}

Checked<crypto::Envelope> add_countersignatures(const crypto::Envelope& stored,
                                                std::span<const crypto::Signature> offered,
                                                const Session& session) {
  crypto::Envelope out = stored;
  const std::string pae = crypto::pae(stored.payload_type, stored.payload);
  for (const crypto::Signature& s : offered) {
    const Person* member = member_by_keyid(session, s.keyid);
    if (member == nullptr) {
      return not_member("key " + s.keyid + " is not a counting-committee member's key");
    }
    for (const crypto::Signature& have : out.signatures) {
      if (have.keyid == s.keyid) return already(member->id + " has already signed these minutes");
    }
    if (!member->public_key.verify(pae, s.sig)) {
      return refuse(Refusal::bad_signature,
                    "the signature of " + member->id + " does not verify over the stored minutes");
    }
    out.signatures.push_back(s);
  }
  return out;
}

Certification certification(const crypto::Envelope& minutes, const Session& session,
                            const crypto::PublicKey& station_key) {
  Certification c;
  c.required = session.required_signatures;
  const std::string pae = crypto::pae(minutes.payload_type, minutes.payload);
  auto signed_by = [&](const crypto::PublicKey& key) {
    for (const crypto::Signature& s : minutes.signatures) {
      if (s.keyid == key.keyid() && key.verify(pae, s.sig)) return true;
    }
    return false;
  };
  c.station_signed = signed_by(station_key);
  for (const Person& p : session.committee) {
    (signed_by(p.public_key) ? c.signed_by : c.missing).push_back(p.id);
  }
  c.certified = c.station_signed && c.signed_by.size() >= c.required;
  return c;
}

json::object to_json(const Certification& c, const Session& session) {
  json::array signed_by;
  for (const std::string& id : c.signed_by) {
    for (const Person& p : session.committee) {
      if (p.id == id) {
        signed_by.push_back(
            json::object{{"id", p.id}, {"name", p.name}, {"keyid", p.public_key.keyid()}});
      }
    }
  }
  json::array missing;
  for (const std::string& id : c.missing) missing.emplace_back(id);
  return json::object{{"certified", c.certified},
                      {"required", c.required},
                      {"station_signed", c.station_signed},
                      {"signed_by", std::move(signed_by)},
                      {"missing", std::move(missing)}};
}

Checked<json::object> box_inclusion_proof(std::span<const crypto::Digest> box,
                                          std::string_view ballot_hash_hex) {
  auto leaf = crypto::digest_from_hex(ballot_hash_hex);
  if (!leaf) return refuse(Refusal::bad_query, "ballot_hash must be 64 hex digits");
  auto it = std::lower_bound(box.begin(), box.end(), *leaf);
  if (it == box.end() || *it != *leaf) {
    return refuse(Refusal::not_found, "no ballot with this hash in the round's ballot box");
  }
  const auto index = static_cast<std::uint64_t>(it - box.begin());
  json::array path;
  for (const crypto::Digest& d : crypto::inclusion_proof(box, index)) {
    path.emplace_back(crypto::to_hex(d));
  }
  return json::object{{"tree_size", box.size()},
                      {"leaf_index", index},
                      {"audit_path", std::move(path)},
                      {"root", crypto::to_hex(crypto::merkle_root(box))}};
}

}  // namespace tallystation::station
