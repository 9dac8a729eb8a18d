#include "station/ctl/station_link.hpp"

#include <boost/json.hpp>

#include "station/app/messages.hpp"

namespace tallystation::station::ctl {

namespace json = boost::json;

namespace {

// The station's {"error","message"} (and, for a command the congress rules refused, "rule") as a
// CtlError; the rule's code is named at the end of the message.
CtlError refused(const client::Response& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (!ec && v.is_object() && v.as_object().contains("error")) {
    const json::object& o = v.as_object();
    std::string message = o.contains("message") && o.at("message").is_string()
                              ? std::string(o.at("message").as_string())
                              : std::string();
    std::string rule;
    if (const json::value* rule_value = o.if_contains("rule");
        rule_value && rule_value->is_string()) {
      rule = std::string(rule_value->get_string());
      message += " (rule " + rule + ")";
    }
    CtlError e(std::string(o.at("error").as_string()), message, r.status);
    e.rule = std::move(rule);
    return e;
  }
  return CtlError("http", "HTTP " + std::to_string(r.status) + ": " + r.body, r.status);
}

json::value answer(const boost::system::result<client::Response>& r, std::string_view what) {
  if (!r) {
    throw CtlError("transport", std::string(what) + ": " + r.error().message() +
                                    " (is the station running, and the fingerprint right?)");
  }
  if (r->status != 200) throw refused(*r);
  boost::system::error_code ec;
  json::value v = json::parse(r->body, ec);
  if (ec) throw CtlError("protocol", std::string(what) + ": the station's answer is not JSON");
  return v;
}

}  // namespace

crypto::SecretKey load_key(const std::string& path) {
  auto key = crypto::load_secret_key(path);
  if (!key) {
    throw CtlError("io", path + ": not an unencrypted PKCS#8 Ed25519 or ECDSA P-256 key (" +
                             std::string(crypto::to_string(key.error())) + ")");
  }
  return *key;
}

// The pin resolved, its errors reported as stationctl's.
client::ClientOptions pinned_options(const LinkOptions& options) {
  try {
    return client::pinned_options(options);
  } catch (const client::PinError& e) {
    throw CtlError(e.code, e.what());
  }
}

StationLink::StationLink(const LinkOptions& options)
    : client_(pinned_options(options)), keyid_pin_(options.station_keyid) {}

json::value StationLink::get_json(std::string_view target) {
  return answer(client_.get(target), target);
}

json::value StationLink::post_json(std::string_view target, std::string_view body) {
  return answer(client_.post(target, body), target);
}

const crypto::PublicKey& StationLink::station_key() {
  if (station_key_) return *station_key_;
  json::value v = get_json("/v1/station");
  const json::value* pem = v.is_object() ? v.as_object().if_contains("public_key") : nullptr;
  if (pem == nullptr || !pem->is_string()) throw CtlError("protocol", "/v1/station: no public_key");
  auto key = crypto::PublicKey::from_pem(pem->as_string());
  if (!key) throw CtlError("protocol", "/v1/station: public_key is not a usable key");
  if (!keyid_pin_.empty() && key->keyid() != keyid_pin_) {
    throw CtlError("pin", "the station's signing key is " + key->keyid() +
                              ", not the pinned --station-keyid " + keyid_pin_);
  }
  station_key_ = *key;
  return *station_key_;
}

const std::string& StationLink::session_id() {
  if (session_id_.empty()) {
    json::value status = get_json("/v1/status");
    session_id_ = std::string(status.at("session").at("id").as_string());
  }
  return session_id_;
}

json::object StationLink::command(const crypto::SecretKey& key, const std::string& official,
                                  const std::string& name, const json::object& args) {
  for (int attempt = 0;; ++attempt) {
    json::value status = get_json("/v1/status");
    session_id_ = std::string(status.at("session").at("id").as_string());
    const auto last = status.at("command_log").at("last_seq").to_number<std::uint64_t>();
    const std::string payload = make_command_payload(session_id_, last + 1, official, name, args);
    try {
      return post_json("/v1/commands", sign_command(key, payload)).as_object();
    } catch (const CtlError& e) {
      // Another official's command took this seq in the meantime: take the next one.
      if (e.code != "replayed_command" || attempt == 2) throw;
    }
  }
}

StationLink::Minutes StationLink::minutes(const std::string& contest, std::uint32_t round) {
  const std::string target = "/v1/results/" + contest + "/" + std::to_string(round);
  json::value v = get_json(target);
  Minutes m;
  auto env = crypto::parse_envelope(json::serialize(v));
  if (!env) throw CtlError("protocol", target + ": not a DSSE envelope");
  crypto::KeySet keys;
  keys.add(station_key());
  auto verified = crypto::verify_envelope(*env, crypto::payload_type::kResult, keys);
  if (!verified) {
    throw CtlError("bad_signature", target + ": the minutes are not validly signed by the station");
  }
  m.envelope = std::move(*env);
  boost::system::error_code ec;
  json::value payload = json::parse(m.envelope.payload, ec);
  if (ec || !payload.is_object()) throw CtlError("protocol", target + ": payload is not JSON");
  m.payload = std::move(payload.as_object());
  if (const json::value* c = v.as_object().if_contains("certification"); c && c->is_object()) {
    m.certification = c->as_object();
  }
  return m;
}

}  // namespace tallystation::station::ctl
