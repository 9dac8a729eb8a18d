#include "station/config/session.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "crypto/hash.hpp"
#include "station/config/strict_json.hpp"

namespace tallystation::station {

namespace json = boost::json;

namespace {

// A refusal with its field path; thrown only inside this file and turned into an Error at the
// boundary of parse_session, which keeps every check a one-liner.
struct Invalid {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Invalid{path + ": " + what};
}

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

const json::object& as_object(const json::value& v, const std::string& path) {
  if (!v.is_object()) fail(path, "must be an object");
  return v.get_object();
}

// Refuses members outside `allowed`, so that a misspelt field is an error, not a silent default.
void only_members(const json::object& o, const std::string& path,
                  std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : o) {
    std::string_view key(kv.key().data(), kv.key().size());
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      fail(path.empty() ? std::string(key) : path + "." + std::string(key), "unknown member");
    }
  }
}

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

const json::value& member(const json::object& o, const std::string& path, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) fail(join(path, key), "missing");
  return *v;
}

std::string text(const json::object& o, const std::string& path, std::string_view key) {
  const json::value& v = member(o, path, key);
  if (!v.is_string()) fail(join(path, key), "must be a string");
  std::string s(v.get_string().c_str(), v.get_string().size());
  if (s.empty()) fail(join(path, key), "must not be empty");
  return s;
}

std::string identifier(const json::object& o, const std::string& path, std::string_view key) {
  std::string s = text(o, path, key);
  if (!is_valid_id(s)) {
    fail(join(path, key), "invalid id " + in_quotes(s) +
                              " (1 to 64 characters of A-Z a-z 0-9 . _ -, starting with a letter "
                              "or digit)");
  }
  return s;
}

std::uint32_t count(const json::object& o, const std::string& path, std::string_view key,
                    std::uint32_t min, std::optional<std::uint32_t> fallback = std::nullopt) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    if (fallback) return *fallback;
    fail(join(path, key), "missing");
  }
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64()) {
    n = -1;  // far too large
  } else {
    fail(join(path, key), "must be an integer");
  }
  if (n < static_cast<std::int64_t>(min) || n > 1'000'000) {
    fail(join(path, key), "must be an integer from " + std::to_string(min) + " to 1000000");
  }
  return static_cast<std::uint32_t>(n);
}

crypto::PublicKey public_key(const json::object& o, const std::string& path) {
  std::string pem = text(o, path, "public_key");
  auto key = crypto::PublicKey::from_pem(pem);
  if (!key) {
    fail(join(path, "public_key"), "not a PEM Ed25519 or ECDSA P-256 public key (" +
                                       std::string(crypto::to_string(key.error())) + ")");
  }
  return *key;
}

const json::array& list(const json::object& o, const std::string& path, std::string_view key,
                        std::size_t min) {
  const json::value& v = member(o, path, key);
  if (!v.is_array()) fail(join(path, key), "must be an array");
  if (v.get_array().size() < min) {
    fail(join(path, key),
         "must have at least " + std::to_string(min) + " entr" + (min == 1 ? "y" : "ies"));
  }
  return v.get_array();
}

std::string at(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// Ids are unique per list; the message names the later of the two.
void unique_id(std::set<std::string, std::less<>>& seen, const std::string& id,
               const std::string& path) {
  if (!seen.insert(id).second) fail(join(path, "id"), "duplicate id " + in_quotes(id));
}

std::vector<Person> people(const json::array& a, const std::string& path) {
  std::vector<Person> out;
  std::set<std::string, std::less<>> ids;
  std::set<std::string, std::less<>> keyids;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string p = at(path, i);
    const json::object& o = as_object(a[i], p);
    only_members(o, p, {"id", "name", "public_key"});
    Person person{identifier(o, p, "id"), text(o, p, "name"), public_key(o, p)};
    unique_id(ids, person.id, p);
    if (!keyids.insert(person.public_key.keyid()).second) {
      fail(join(p, "public_key"), "the same key is listed twice");
    }
    out.push_back(std::move(person));
  }
  return out;
}

ContestDef contest(const json::object& o, const std::string& p, std::uint32_t convened) {
  only_members(o, p,
               {"id", "title", "seats", "alternates", "candidates", "rule_set", "majority_basis",
                "excluded", "elect_from", "office", "incumbents", "personnel_plan",
                "eligibility"});
  ContestDef c;
  c.id = identifier(o, p, "id");
  c.title = text(o, p, "title");
  c.seats = count(o, p, "seats", 1);
  c.alternates = count(o, p, "alternates", 0, 0u);
  c.excluded = count(o, p, "excluded", 0, 0u);
  if (c.excluded >= convened) {
    fail(join(p, "excluded"), "must be less than convened (" + std::to_string(convened) + ")");
  }
  c.rule_set = o.contains("rule_set") ? text(o, p, "rule_set") : std::string(kRuleSets[0]);
  if (std::find(std::begin(kRuleSets), std::end(kRuleSets), c.rule_set) == std::end(kRuleSets)) {
    fail(join(p, "rule_set"), "unknown rule set " + in_quotes(c.rule_set) +
                                  " (known: cpv-2024, cpv-2024-cell-secretary)");
  }
  if (c.rule_set == "cpv-2024-cell-secretary" && (c.seats != 1 || c.alternates != 0)) {
    fail(join(p, "seats"), "rule set cpv-2024-cell-secretary elects one secretary: seats 1, no "
                           "alternates");
  }
  c.majority_basis =
      o.contains("majority_basis") ? text(o, p, "majority_basis") : std::string("convened");
  if (std::find(std::begin(kMajorityBases), std::end(kMajorityBases), c.majority_basis) ==
      std::end(kMajorityBases)) {
    fail(join(p, "majority_basis"),
         "must be one of convened, present, ballots_collected, valid_ballots");
  }
  if (o.contains("elect_from")) c.elect_from = identifier(o, p, "elect_from");
  // An elect-from contest's list is drawn from the other contest's elected when its round opens.
  static const json::array kNone;
  const json::array& cands = c.elect_from.empty() || o.contains("candidates")
                                 ? list(o, p, "candidates", c.elect_from.empty() ? 1 : 0)
                                 : kNone;
  std::set<std::string, std::less<>> ids;
  for (std::size_t i = 0; i < cands.size(); ++i) {
    const std::string cp = at(join(p, "candidates"), i);
    const json::object& co = as_object(cands[i], cp);
    only_members(co, cp, {"id", "name"});
    Candidate cand{identifier(co, cp, "id"), text(co, cp, "name")};
    unique_id(ids, cand.id, cp);
    c.candidates.push_back(std::move(cand));
  }
  return c;
}

Session session_from(const json::value& root) {
  const json::object& o = as_object(root, "(document)");
  only_members(o, "",
               {"id", "title", "organisation", "congress_kind", "convened", "officials",
                "counting_committee", "terminals", "contests", "congress_date", "register",
                "eligibility_rules", "language"});
  Session s;
  s.id = identifier(o, "", "id");
  s.title = text(o, "", "title");
  s.organisation = text(o, "", "organisation");
  if (o.contains("language")) {
    s.language = text(o, "", "language");
    if (s.language != "en" && s.language != "vi") {
      fail("language", "must be \"en\" or \"vi\", not " + in_quotes(s.language));
    }
  }
  const std::string kind = text(o, "", "congress_kind");
  if (kind == "delegates") {
    s.congress_kind = CongressKind::delegates;
  } else if (kind == "members") {
    s.congress_kind = CongressKind::members;
  } else {
    fail("congress_kind", "must be \"delegates\" or \"members\", not " + in_quotes(kind));
  }
  s.convened = count(o, "", "convened", 1);
  s.officials = people(list(o, "", "officials", 1), "officials");

  const json::object& cc = as_object(member(o, "", "counting_committee"), "counting_committee");
  only_members(cc, "counting_committee", {"members", "required_signatures"});
  s.committee = people(list(cc, "counting_committee", "members", 1), "counting_committee.members");
  s.required_signatures = count(cc, "counting_committee", "required_signatures", 1);
  if (s.required_signatures > s.committee.size()) {
    fail("counting_committee.required_signatures",
         "must not exceed the number of members (" + std::to_string(s.committee.size()) + ")");
  }

  // A key signs for one role: a terminal key must not be able to pass for an official's.
  std::set<std::string, std::less<>> role_keys;
  for (const Person& p : s.officials) role_keys.insert(p.public_key.keyid());
  for (const Person& p : s.committee) role_keys.insert(p.public_key.keyid());

  const json::array& terms = list(o, "", "terminals", 0);
  std::set<std::string, std::less<>> ids;
  std::set<std::string, std::less<>> keyids;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const std::string p = at("terminals", i);
    const json::object& to = as_object(terms[i], p);
    only_members(to, p, {"id", "public_key"});
    TerminalDef t{identifier(to, p, "id"), public_key(to, p)};
    unique_id(ids, t.id, p);
    if (!keyids.insert(t.public_key.keyid()).second) {
      fail(join(p, "public_key"), "the same key is listed twice");
    }
    if (role_keys.contains(t.public_key.keyid())) {
      fail(join(p, "public_key"), "is also an official's or committee member's key");
    }
    s.terminals.push_back(std::move(t));
  }

  const json::array& contests = list(o, "", "contests", 1);
  std::set<std::string, std::less<>> contest_ids;
  for (std::size_t i = 0; i < contests.size(); ++i) {
    const std::string p = at("contests", i);
    ContestDef c = contest(as_object(contests[i], p), p, s.convened);
    // Only from a contest listed before: no contest can wait on itself, directly or not.
    if (!c.elect_from.empty() && !contest_ids.contains(c.elect_from)) {
      fail(join(p, "elect_from"),
           "must name a contest listed before this one, not " + in_quotes(c.elect_from));
    }
    unique_id(contest_ids, c.id, p);
    s.contests.push_back(std::move(c));
  }
  return s;
}

}  // namespace

std::string_view to_string(CongressKind k) noexcept {
  return k == CongressKind::members ? "members" : "delegates";
}


congress::ContestRules contest_rules(const ContestDef& c) {
  return congress::ContestRules{c.id,       c.title,          c.seats,    c.alternates, c.candidates,
                                c.rule_set, c.majority_basis, c.excluded, c.elect_from};
}

const Candidate* ContestDef::find_candidate(std::string_view cid) const {
  for (const Candidate& c : candidates) {
    if (c.id == cid) return &c;
  }
  return nullptr;
}

const ContestDef* Session::find_contest(std::string_view cid) const {
  for (const ContestDef& c : contests) {
    if (c.id == cid) return &c;
  }
  return nullptr;
}

const Person* Session::find_official_by_keyid(std::string_view keyid) const {
  for (const Person& p : officials) {
    if (p.public_key.keyid() == keyid) return &p;
  }
  return nullptr;
}

const TerminalDef* Session::find_terminal(std::string_view tid) const {
  for (const TerminalDef& t : terminals) {
    if (t.id == tid) return &t;
  }
  return nullptr;
}

Result<Session> parse_session(std::string_view bytes) {
  auto root = parse_strict_json(bytes);
  if (!root) return make_error(Errc::invalid_session, "(document): " + root.error().message);
  try {
    Session s = session_from(*root);
    // The people members: one reader for the station and the verifier (tally/congress/people).
    congress::PeopleParse people = congress::parse_people(bytes);
    if (!people.error.empty()) return make_error(Errc::invalid_session, people.error);
    s.people = std::move(people.people);
    s.config_hash = crypto::to_hex(crypto::sha256(bytes));
    return s;
  } catch (const Invalid& e) {
    return make_error(Errc::invalid_session, e.message);
  }
}

Result<Session> load_session_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io_error, path.string() + ": cannot open");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return make_error(Errc::io_error, path.string() + ": cannot read");
  auto s = parse_session(buf.str());
  if (!s) return make_error(Errc::invalid_session, path.string() + ": " + s.error().message);
  return s;
}

}  // namespace tallystation::station
