#include "crypto/dsse.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <new>
#include <optional>

#include "crypto/hash.hpp"
#include "crypto/json_keys.hpp"

namespace tallystation::crypto {

namespace json = boost::json;

namespace {

void append_decimal(std::string& out, std::size_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

const json::string* string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_string() : nullptr;
}

std::string_view view(const json::string& s) {
  return {s.data(), s.size()};
}

Result<Envelope> envelope_from(const json::value& root) {
  const json::object* obj = root.if_object();
  if (obj == nullptr) return Errc::bad_json;
  const json::string* payload = string_member(*obj, "payload");
  const json::string* type = string_member(*obj, "payloadType");
  const json::value* sigs_v = obj->if_contains("signatures");
  const json::array* sigs = sigs_v != nullptr ? sigs_v->if_array() : nullptr;
  if (payload == nullptr || type == nullptr || sigs == nullptr) return Errc::bad_json;

  Envelope env;
  env.payload_type = std::string(view(*type));
  auto body = base64_decode(view(*payload));
  if (!body) return body.error();
  env.payload = std::move(*body);
  env.signatures.reserve(sigs->size());
  for (const json::value& sv : *sigs) {
    const json::object* so = sv.if_object();
    if (so == nullptr) return Errc::bad_json;
    const json::string* keyid = string_member(*so, "keyid");
    const json::string* sig = string_member(*so, "sig");
    if (keyid == nullptr || sig == nullptr) return Errc::bad_json;
    auto raw = base64_decode(view(*sig));
    if (!raw) return raw.error();
    env.signatures.push_back(Signature{std::string(view(*keyid)), std::move(*raw)});
  }
  return env;
}

}  // namespace

std::string pae(std::string_view payload_type, std::string_view payload) {
  std::string out;
  out.reserve(6 + 2 + 20 + payload_type.size() + 20 + payload.size() + 2);
  out.append("DSSEv1 ");
  append_decimal(out, payload_type.size());
  out.push_back(' ');
  out.append(payload_type);
  out.push_back(' ');
  append_decimal(out, payload.size());
  out.push_back(' ');
  out.append(payload);
  return out;
}

namespace {

// The flat shape: the three members, each signature exactly {keyid, sig}, strings of printable
// ASCII without escapes, JSON whitespace anywhere between tokens: what nearly every producer
// writes. parse_envelope reads it in one pass without a parse tree; any other text goes to
// parse_envelope_reference. Where the flat reader answers, its answer (the envelope or the error)
// is the reference's: tests/crypto/dsse_test.cpp and the fuzz target fuzz_dsse compare the two.
//
// A cursor over the flat shape. Every method that reads a token first skips JSON whitespace
// (RFC 8259 section 2); a byte it does not expect makes it return false, and the text then goes
// to the full parser.
class FlatCursor {
 public:
  explicit FlatCursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool punct(char c) {
    skip_space();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // A string of printable ASCII (0x20-0x7e) without a backslash: its bytes are its value.
  bool plain_string(std::string_view& out) {
    if (!punct('"')) return false;
    const char* start = p_;
    for (; p_ != end_; ++p_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
    }
    return false;
  }

  bool at_end() {
    skip_space();
    return p_ == end_;
  }

 private:
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  const char* p_;
  const char* end_;
};

struct FlatSignature {
  std::string_view keyid, sig;
};

// {"keyid": "...", "sig": "..."} in either order, nothing else.
bool flat_signature(FlatCursor& c, FlatSignature& out) {
  if (!c.punct('{')) return false;
  bool have_keyid = false;
  bool have_sig = false;
  for (int member = 0; member < 2; ++member) {
    std::string_view key;
    if (!c.plain_string(key) || !c.punct(':')) return false;
    if (key == "keyid" && !have_keyid) {
      if (!c.plain_string(out.keyid)) return false;
      have_keyid = true;
    } else if (key == "sig" && !have_sig) {
      if (!c.plain_string(out.sig)) return false;
      have_sig = true;
    } else {
      return false;
    }
    if (!c.punct(member == 0 ? ',' : '}')) return false;
  }
  return true;
}

// The envelope if text has the flat shape; std::nullopt if not.
std::optional<Result<Envelope>> parse_envelope_flat(std::string_view text) {
  // Far beyond any envelope, and below every limit of the full parser (whose strings stop short
  // of 2 GiB), so that the two never differ on size alone.
  constexpr std::size_t kMaxFlat = std::size_t{1} << 30;
  if (text.size() > kMaxFlat) return std::nullopt;
  FlatCursor c(text);
  std::string_view payload;
  std::string_view type;
  std::vector<FlatSignature> sigs;
  bool have_payload = false;
  bool have_type = false;
  bool have_sigs = false;
  if (!c.punct('{')) return std::nullopt;
  for (int member = 0; member < 3; ++member) {
    std::string_view key;
    if (!c.plain_string(key) || !c.punct(':')) return std::nullopt;
    if (key == "payload" && !have_payload) {
      if (!c.plain_string(payload)) return std::nullopt;
      have_payload = true;
    } else if (key == "payloadType" && !have_type) {
      if (!c.plain_string(type)) return std::nullopt;
      have_type = true;
    } else if (key == "signatures" && !have_sigs) {
      if (!c.punct('[')) return std::nullopt;
      if (!c.punct(']')) {
        do {
          FlatSignature s;
          if (!flat_signature(c, s)) return std::nullopt;
          sigs.push_back(s);
        } while (c.punct(','));
        if (!c.punct(']')) return std::nullopt;
      }
      have_sigs = true;
    } else {
      return std::nullopt;
    }
    if (!c.punct(member < 2 ? ',' : '}')) return std::nullopt;
  }
  if (!c.at_end()) return std::nullopt;

  // The members in the order envelope_from takes them, so that the first error is the same.
  try {
    Envelope env;
    env.payload_type = std::string(type);
    auto body = base64_decode(payload);
    if (!body) return Result<Envelope>(body.error());
    env.payload = std::move(*body);
    env.signatures.reserve(sigs.size());
    for (const FlatSignature& s : sigs) {
      auto raw = base64_decode(s.sig);
      if (!raw) return Result<Envelope>(raw.error());
      env.signatures.push_back(Signature{std::string(s.keyid), std::move(*raw)});
    }
    return Result<Envelope>(std::move(env));
  } catch (const std::bad_alloc&) {
    return Result<Envelope>(Errc::internal);
  }
}

}  // namespace

Result<Envelope> parse_envelope_reference(std::string_view text) {
  try {
    if (!json_keys_unique(text)) return Errc::bad_json;
    boost::system::error_code ec;
    json::value root = json::parse(json::string_view(text.data(), text.size()), ec);
    if (ec) return Errc::bad_json;
    return envelope_from(root);
  } catch (const std::bad_alloc&) {
    return Errc::internal;
  } catch (const std::exception&) {
    return Errc::bad_json;
  }
}

Result<Envelope> parse_envelope(std::string_view text) {
  if (auto flat = parse_envelope_flat(text)) return std::move(*flat);
  return parse_envelope_reference(text);
}

std::string serialize(const Envelope& env) {
  json::array sigs;
  sigs.reserve(env.signatures.size());
  for (const Signature& s : env.signatures) {
    json::object o;
    o.emplace("keyid", s.keyid);
    o.emplace("sig", base64_encode(s.sig));
    sigs.emplace_back(std::move(o));
  }
  json::object root;
  root.emplace("payload", base64_encode(env.payload));
  root.emplace("payloadType", env.payload_type);
  root.emplace("signatures", std::move(sigs));
  return json::serialize(root);
}

Signature sign_envelope(const SecretKey& key, std::string_view payload_type,
                        std::string_view payload) {
  return Signature{key.keyid(), key.sign(pae(payload_type, payload))};
}

Envelope make_envelope(const SecretKey& key, std::string_view payload_type,
                       std::string_view payload) {
  Envelope env;
  env.payload = std::string(payload);
  env.payload_type = std::string(payload_type);
  env.signatures.push_back(sign_envelope(key, payload_type, payload));
  return env;
}

const PublicKey* KeySet::find(std::string_view keyid) const {
  auto it = keys_.find(keyid);
  return it == keys_.end() ? nullptr : &it->second;
}

namespace {

Status verify_over(std::string_view message, const Signature& s, const KeySet& trusted) {
  const PublicKey* key = trusted.find(s.keyid);
  if (key == nullptr) return Errc::unknown_keyid;
  return key->verify(message, s.sig);
}

}  // namespace

Status verify_signature(const Envelope& env, const Signature& s, const KeySet& trusted) {
  return verify_over(pae(env.payload_type, env.payload), s, trusted);
}

Result<std::vector<std::string>> verify_envelope(const Envelope& env,
                                                 std::string_view expected_type,
                                                 const KeySet& trusted) {
  if (env.payload_type != expected_type) return Errc::wrong_payload_type;
  if (env.signatures.empty()) return Errc::no_signatures;
  const std::string message = pae(env.payload_type, env.payload);
  std::vector<std::string> valid;
  Errc first_error = Errc::bad_signature;
  bool have_error = false;
  for (const Signature& s : env.signatures) {
    Status st = verify_over(message, s, trusted);
    if (st) {
      valid.push_back(s.keyid);
    } else if (!have_error) {
      first_error = st.error();
      have_error = true;
    }
  }
  if (valid.empty()) return first_error;
  std::sort(valid.begin(), valid.end());
  valid.erase(std::unique(valid.begin(), valid.end()), valid.end());
  return valid;
}

}  // namespace tallystation::crypto
