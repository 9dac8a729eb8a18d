#include "station/app/messages.hpp"

#include <boost/json.hpp>
#include <set>

#include "station/config/strict_json.hpp"

namespace tallystation::station {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxTokenLength = 256;
constexpr std::size_t kMaxMarks = 10'000;

// Members appear in the given order: json::object keeps insertion order when serialised.
std::string compact(const json::object& o) {
  return json::serialize(o);
}

Checked<json::object> strict_object(std::string_view bytes, std::string_view what) {
  auto v = parse_strict_json(bytes);
  if (!v) return refuse(Refusal::malformed, std::string(what) + ": " + v.error().message);
  if (!v->is_object()) return refuse(Refusal::malformed, std::string(what) + " is not an object");
  return std::move(v->get_object());
}

Checked<void> exact_members(const json::object& o, std::string_view what,
                            std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (!o.contains(n)) {
      return refuse(Refusal::malformed,
                    std::string(what) + ": missing member \"" + std::string(n) + "\"");
    }
  }
  if (o.size() != names.size()) {
    for (const auto& kv : o) {
      std::string_view k(kv.key().data(), kv.key().size());
      if (std::find(names.begin(), names.end(), k) == names.end()) {
        return refuse(Refusal::malformed,
                      std::string(what) + ": unknown member \"" + std::string(k) + "\"");
      }
    }
  }
  return {};
}

std::optional<std::string> string_member(const json::object& o, std::string_view key) {
  const json::value& v = o.at(key);
  if (!v.is_string()) return std::nullopt;
  return std::string(v.get_string().data(), v.get_string().size());
}

// A JSON integer >= 1 (not 1.0, not 1e0) up to max.
std::optional<std::uint64_t> positive_integer(const json::value& v, std::uint64_t max) {
  std::uint64_t n = 0;
  if (v.is_int64() && v.get_int64() > 0) {
    n = static_cast<std::uint64_t>(v.get_int64());
  } else if (v.is_uint64()) {
    n = v.get_uint64();
  } else {
    return std::nullopt;
  }
  if (n > max) return std::nullopt;
  return n;
}

}  // namespace

std::string make_ballot_payload(std::string_view session, std::string_view contest,
                                std::uint32_t round, std::string_view token,
                                const std::vector<std::string>& marks) {
  json::array m;
  for (const std::string& c : marks) m.emplace_back(c);
  return compact({{"session", session},
                  {"contest", contest},
                  {"round", round},
                  {"token", token},
                  {"marks", std::move(m)}});
}

std::string make_command_payload(std::string_view session, std::uint64_t seq,
                                 std::string_view official, std::string_view command,
                                 const json::object& args) {
  return compact({{"session", session},
                  {"seq", seq},
                  {"official", official},
                  {"command", command},
                  {"args", args}});
}

std::string make_receipt_payload(std::string_view session, std::string_view contest,
                                 std::uint32_t round, std::string_view ballot_hash_hex) {
  return compact({{"session", session},
                  {"contest", contest},
                  {"round", round},
                  {"ballot_hash", ballot_hash_hex}});
}

std::string make_checkpoint_payload(std::string_view session, std::string_view contest,
                                    std::uint32_t round, std::uint64_t ballots,
                                    std::string_view root_hex) {
  return compact({{"session", session},
                  {"contest", contest},
                  {"round", round},
                  {"ballots", ballots},
                  {"root", root_hex}});
}

std::string sign_ballot(const crypto::SecretKey& key, std::string_view payload) {
  return crypto::serialize(crypto::make_envelope(key, crypto::payload_type::kBallot, payload));
}

std::string sign_command(const crypto::SecretKey& key, std::string_view payload) {
  return crypto::serialize(crypto::make_envelope(key, crypto::payload_type::kCommand, payload));
}

crypto::Digest token_hash(std::string_view token) {
  return crypto::sha256(token);
}

std::string make_token() {
  return crypto::to_hex(crypto::random_bytes(32));
}

Checked<BallotPayload> parse_ballot_payload(std::string_view bytes) {
  auto o = strict_object(bytes, "ballot payload");
  if (!o) return o.error();
  if (auto s =
          exact_members(*o, "ballot payload", {"session", "contest", "round", "token", "marks"});
      !s) {
    return s.error();
  }
  BallotPayload b;
  auto session = string_member(*o, "session");
  auto contest = string_member(*o, "contest");
  auto token = string_member(*o, "token");
  if (!session || !contest || !token) {
    return refuse(Refusal::malformed, "ballot payload: session, contest and token must be strings");
  }
  if (token->empty() || token->size() > kMaxTokenLength) {
    return refuse(Refusal::malformed, "ballot payload: token must have 1 to 256 characters");
  }
  auto round = positive_integer(o->at("round"), UINT32_MAX);
  if (!round) return refuse(Refusal::malformed, "ballot payload: round must be a positive integer");
  const json::value& marks = o->at("marks");
  if (!marks.is_array())
    return refuse(Refusal::malformed, "ballot payload: marks must be an array");
  if (marks.get_array().size() > kMaxMarks) {
    return refuse(Refusal::malformed, "ballot payload: too many marks");
  }
  std::set<std::string, std::less<>> seen;
  for (const json::value& m : marks.get_array()) {
    if (!m.is_string()) {
      return refuse(Refusal::malformed, "ballot payload: marks must be candidate id strings");
    }
    std::string id(m.get_string().data(), m.get_string().size());
    if (!seen.insert(id).second) {
      return refuse(Refusal::duplicate_mark, "candidate \"" + id + "\" is marked twice");
    }
    b.marks.push_back(std::move(id));
  }
  b.session = std::move(*session);
  b.contest = std::move(*contest);
  b.token = std::move(*token);
  b.round = static_cast<std::uint32_t>(*round);
  return b;
}

}  // namespace tallystation::station
