// The command table (docs/congress.md "Commands"): one row per command kind, with its argument
// schema, its legality check against the state and its effect. apply() runs the checks common
// to every command, then the row.
#include <algorithm>
#include <set>

#include "tally/congress/congress.hpp"

namespace tallystation::congress {

namespace {

constexpr std::uint64_t kMaxRound = 2'147'483'647;  // 2^31 - 1
constexpr std::uint64_t kMaxTokensPerCommand = 10'000;
constexpr std::uint64_t kMaxPlaces = 1'000'000;

// ---- Argument schema ----

enum class ArgKind { id, text, count, id_list, nominations, absences, replacements, date };

struct ArgSpec {
  std::string_view name;
  ArgKind kind;
  bool required;
  std::uint64_t min = 0;
  std::uint64_t max = 0;  // count: upper bound; 0 with `max_is_convened`: the session's convened
  bool max_is_convened = false;
};

Refusal refusal(Code code, std::string message) {
  return Refusal{code, std::move(message)};
}
Decision refused(Code code, std::string message) {
  return Decision{std::nullopt, refusal(code, std::move(message))};
}

std::optional<Refusal> check_arg(const ArgSpec& spec, const JsonValue& v,
                                 const SessionRules& session) {
  const std::string at = "args." + std::string(spec.name);
  switch (spec.kind) {
    case ArgKind::id:
      if (!v.is_string() || !is_valid_id(v.text())) {
        return refusal(Code::bad_argument,
                       at + ": must be an identifier (1 to 64 of A-Z a-z 0-9 . _ -, starting "
                            "with a letter or digit)");
      }
      return std::nullopt;
    case ArgKind::text:
      if (!v.is_string() || v.text().empty()) {
        return refusal(Code::bad_argument, at + ": must be a non-empty string");
      }
      return std::nullopt;
    case ArgKind::count: {
      const std::uint64_t max = spec.max_is_convened ? session.convened : spec.max;
      if (!v.is_integer() || v.integer() < spec.min || v.integer() > max) {
        return refusal(Code::bad_argument, at + ": must be an integer from " +
                                               std::to_string(spec.min) + " to " +
                                               std::to_string(max));
      }
      return std::nullopt;
    }
    case ArgKind::id_list:
      if (!v.is_array()) return refusal(Code::bad_argument, at + ": must be an array of ids");
      for (const JsonValue& id : v.items()) {
        if (!id.is_string() || !is_valid_id(id.text())) {
          return refusal(Code::bad_argument, at + ": must be an array of ids");
        }
      }
      return std::nullopt;
    case ArgKind::nominations:
      if (!v.is_array()) {
        return refusal(Code::bad_argument, at + ": must be an array of {\"id\", \"name\"}");
      }
      for (const JsonValue& n : v.items()) {
        const JsonValue* id = n.find("id");
        const JsonValue* name = n.find("name");
        if (!n.is_object() || n.members().size() != 2 || id == nullptr || name == nullptr ||
            !id->is_string() || !is_valid_id(id->text()) || !name->is_string() ||
            name->text().empty()) {
          return refusal(Code::bad_argument,
                         at + ": each must be {\"id\": an identifier, \"name\": a non-empty "
                              "string}");
        }
      }
      return std::nullopt;
    case ArgKind::absences:
      if (!v.is_array()) {
        return refusal(Code::bad_argument,
                       at + ": must be an array of {\"person\", \"category\"}");
      }
      for (const JsonValue& n : v.items()) {
        const JsonValue* person = n.find("person");
        const JsonValue* category = n.find("category");
        if (!n.is_object() || n.members().size() != 2 || person == nullptr ||
            category == nullptr || !person->is_string() || !is_valid_id(person->text()) ||
            !category->is_string()) {
          return refusal(Code::bad_argument,
                         at + ": each must be {\"person\": an identifier, \"category\": a "
                              "string}");
        }
      }
      return std::nullopt;
    case ArgKind::replacements:
      if (!v.is_array()) {
        return refusal(Code::bad_argument,
                       at + ": must be an array of {\"delegate\", \"alternate\"}");
      }
      for (const JsonValue& n : v.items()) {
        const JsonValue* d = n.find("delegate");
        const JsonValue* a = n.find("alternate");
        if (!n.is_object() || n.members().size() != 2 || d == nullptr || a == nullptr ||
            !d->is_string() || !is_valid_id(d->text()) || !a->is_string() ||
            !is_valid_id(a->text())) {
          return refusal(Code::bad_argument,
                         at + ": each must be {\"delegate\": an identifier, \"alternate\": an "
                              "identifier}");
        }
      }
      return std::nullopt;
    case ArgKind::date:
      if (!v.is_string() || !parse_date(v.text())) {
        return refusal(Code::bad_argument,
                       at + ": must be a date YYYY-MM-DD from 1900-01-01 to 2100-12-31");
      }
      return std::nullopt;
  }
  return std::nullopt;
}

// ---- Reading checked arguments ----

std::string id_arg(const JsonValue& args, std::string_view name) {
  const JsonValue* v = args.find(name);
  return v != nullptr ? v->text() : std::string();
}
std::uint64_t count_arg(const JsonValue& args, std::string_view name) {
  const JsonValue* v = args.find(name);
  return v != nullptr ? v->integer() : 0;
}
std::optional<std::uint64_t> optional_count(const JsonValue& args, std::string_view name) {
  const JsonValue* v = args.find(name);
  if (v == nullptr) return std::nullopt;
  return v->integer();
}
std::optional<std::vector<std::string>> optional_ids(const JsonValue& args,
                                                     std::string_view name) {
  const JsonValue* v = args.find(name);
  if (v == nullptr) return std::nullopt;
  std::vector<std::string> out;
  for (const JsonValue& id : v->items()) out.push_back(id.text());
  return out;
}
std::vector<tally::Candidate> nominations_arg(const JsonValue& args) {
  std::vector<tally::Candidate> out;
  if (const JsonValue* v = args.find("new_nominations")) {
    for (const JsonValue& n : v->items()) out.push_back({n.find("id")->text(), n.find("name")->text()});
  }
  return out;
}

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}
const tally::Candidate* find(const std::vector<tally::Candidate>& list, std::string_view id) {
  for (const tally::Candidate& c : list) {
    if (c.id == id) return &c;
  }
  return nullptr;
}
std::string list(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out.empty() ? "(none)" : out;
}

// What a row sees: the session, the state before, the command, the caller's environment.
struct Context {
  const SessionRules& session;
  const State& state;
  const Command& command;
  const Environment& env;
  const JsonValue& args() const { return command.args; }
};

// A row's verdict: the state after, or why not.
struct RowResult {
  std::optional<State> next;
  Refusal refusal;
};
RowResult refuse_row(Code code, std::string message) {
  return RowResult{std::nullopt, refusal(code, std::move(message))};
}

struct CommandRow {
  std::string_view name;
  std::vector<ArgSpec> args;
  RowResult (*run)(const Context&, Effect&);
};

// ---- Terminals ----

RowResult enrol_terminal(const Context& cx, Effect& effect) {
  const std::string id = id_arg(cx.args(), "terminal");
  effect.terminal = id;
  if (auto it = cx.state.terminals.find(id); it != cx.state.terminals.end()) {
    return it->second.revoked
               ? refuse_row(Code::terminal_revoked,
                            "terminal " + id + " is revoked; enrol a replacement under a new id")
               : refuse_row(Code::terminal_enrolled, "terminal " + id + " is already enrolled");
  }
  const ListedTerminal* listed = nullptr;
  for (const ListedTerminal& t : cx.session.terminals) {
    if (t.id == id) listed = &t;
  }
  std::string keyid;
  std::string pem;
  if (const JsonValue* given = cx.args().find("public_key")) {
    pem = given->text();
    auto k = cx.env.keyid_of ? cx.env.keyid_of(pem) : std::nullopt;
    if (!k) {
      return refuse_row(Code::key_invalid,
                        "args.public_key: not a PEM Ed25519 or ECDSA P-256 public key");
    }
    if (listed != nullptr && *k != listed->keyid) {
      return refuse_row(Code::key_mismatch,
                        "args.public_key: terminal " + id + " is listed in the session with another key");
    }
    keyid = *k;
  } else if (listed != nullptr) {
    keyid = listed->keyid;
  } else {
    return refuse_row(Code::key_required,
                      "args.public_key: required for a terminal that the session does not list");
  }
  for (const auto& [other, t] : cx.state.terminals) {
    if (t.keyid == keyid) {
      return refuse_row(Code::key_in_use, "args.public_key: the key belongs to terminal " + other);
    }
  }
  for (const ListedTerminal& t : cx.session.terminals) {
    if (t.keyid == keyid && t.id != id) {
      return refuse_row(Code::key_in_use,
                        "args.public_key: the session lists this key for terminal " + t.id);
    }
  }
  if (contains(cx.session.people_keyids, keyid)) {
    return refuse_row(Code::key_in_use,
                      "args.public_key: the key is an official's or committee member's");
  }
  State next = cx.state;
  next.terminals.emplace(id, TerminalState{keyid, pem, false, cx.state.log_size, std::nullopt});
  return RowResult{std::move(next), {}};
}

RowResult revoke_terminal(const Context& cx, Effect& effect) {
  const std::string id = id_arg(cx.args(), "terminal");
  effect.terminal = id;
  auto it = cx.state.terminals.find(id);
  if (it == cx.state.terminals.end()) {
    return refuse_row(Code::terminal_not_enrolled, "terminal " + id + " is not enrolled");
  }
  if (it->second.revoked) {
    return refuse_row(Code::terminal_revoked, "terminal " + id + " is already revoked");
  }
  State next = cx.state;
  TerminalState& t = next.terminals.find(id)->second;
  t.revoked = true;
  t.revoked_at = cx.state.log_size;
  return RowResult{std::move(next), {}};
}

RowResult record_attendance(const Context& cx, Effect&) {
  if (cx.session.people) {
    return refuse_row(Code::roll_kept,
                      "the session keeps a roll: attendance follows from it (record_roll)");
  }
  State next = cx.state;
  next.present = count_arg(cx.args(), "present");
  return RowResult{std::move(next), {}};
}


// ---- The roll and eligibility (docs/congress.md "People") ----

std::string open_round_anywhere(const State& state) {
  for (const auto& [id, c] : state.contests) {
    if (auto r = c.open_round()) return "round " + std::to_string(*r) + " of contest " + id;
  }
  return {};
}

std::string categories_of(Kind kind) {
  std::string out;
  for (Absence a : absences_of(kind)) out += (out.empty() ? "" : ", ") + std::string(to_string(a));
  return out;
}

RowResult record_roll(const Context& cx, Effect&) {
  if (!cx.session.people) {
    return refuse_row(Code::no_register, "the session has no register: record attendance with "
                                         "record_attendance");
  }
  const Register& reg = *cx.session.people;
  const JsonValue& a = cx.args();
  const JsonValue* present = a.find("present");
  const JsonValue* absent = a.find("absent");
  const JsonValue* replacements = a.find("replacements");
  const std::size_t n = (present ? present->items().size() : 0) +
                        (absent ? absent->items().size() : 0) +
                        (replacements ? replacements->items().size() : 0);
  if (n == 0) {
    return refuse_row(Code::bad_argument,
                      "args: name at least one person in present, absent or replacements");
  }
  if (auto open = open_round_anywhere(cx.state); !open.empty()) {
    return refuse_row(Code::round_open,
                      open + " is open: the roll changes between rounds, not during one");
  }
  State next = cx.state;
  Roll& roll = *next.roll;
  // Who holds which place as an alternate, kept up to date as replacements apply.
  std::map<std::string, std::string, std::less<>> held;  // alternate -> the delegate's id
  for (const auto& [delegate, seat] : roll.seats) {
    if (!seat.alternate.empty()) held.emplace(seat.alternate, delegate);
  }
  // The place a person answers for: their own, or the one they hold as an alternate; its id is
  // the convened person's.
  auto place_of = [&](const std::string& id) -> std::optional<std::string> {
    if (roll.seats.contains(id)) return id;
    if (auto it = held.find(id); it != held.end()) return it->second;
    return std::nullopt;
  };
  // Places named in this command: one entry per place, whoever is named for it.
  std::set<std::string, std::less<>> named;
  if (replacements != nullptr) {
    if (!replacements->items().empty() && reg.kind == Kind::members) {
      return refuse_row(Code::bad_argument,
                        "args.replacements: a members' congress has no alternate delegates");
    }
    for (std::size_t i = 0; i < replacements->items().size(); ++i) {
      const std::string at = "args.replacements[" + std::to_string(i) + "]";
      const std::string d = replacements->items()[i].find("delegate")->text();
      const std::string alt = replacements->items()[i].find("alternate")->text();
      auto it = roll.seats.find(d);
      if (it == roll.seats.end()) {
        return refuse_row(Code::unknown_person, at + ".delegate: " + d + " is not on the roll");
      }
      if (!reg.is_alternate(alt)) {
        return refuse_row(Code::unknown_person,
                          at + ".alternate: " + alt + " is not an alternate of the register");
      }
      if (!it->second.alternate.empty()) {
        return refuse_row(Code::already_replaced, at + ".delegate: " + d +
                                                      "'s place is already taken by " +
                                                      it->second.alternate);
      }
      if (auto h = held.find(alt); h != held.end()) {
        return refuse_row(Code::already_replaced,
                          at + ".alternate: " + alt + " already takes the place of " + h->second);
      }
      if (!named.insert(d).second) {
        return refuse_row(Code::bad_argument, at + ".delegate: " + d + "'s place is named twice");
      }
      it->second.alternate = alt;
      it->second.presence = Presence::present;
      held.emplace(alt, d);
    }
  }
  if (present != nullptr) {
    for (std::size_t i = 0; i < present->items().size(); ++i) {
      const std::string id = present->items()[i].text();
      const std::string at = "args.present[" + std::to_string(i) + "]";
      const auto place = place_of(id);
      if (!place) {
        return refuse_row(Code::unknown_person,
                          at + ": " + id + " is not on the roll nor an alternate in a place");
      }
      if (!named.insert(*place).second) {
        return refuse_row(Code::bad_argument,
                          at + ": " + id + " is named twice (or their place is)");
      }
      roll.seats.find(*place)->second.presence = Presence::present;
    }
  }
  if (absent != nullptr) {
    for (std::size_t i = 0; i < absent->items().size(); ++i) {
      const JsonValue& e = absent->items()[i];
      const std::string id = e.find("person")->text();
      const std::string at = "args.absent[" + std::to_string(i) + "]";
      const auto place = place_of(id);
      if (!place) {
        return refuse_row(Code::unknown_person, at + ".person: " + id +
                                                    " is not on the roll nor an alternate in a "
                                                    "place");
      }
      if (!named.insert(*place).second) {
        return refuse_row(Code::bad_argument,
                          at + ".person: " + id + " is named twice (or their place is)");
      }
      auto cat = parse_absence(e.find("category")->text());
      const auto allowed = absences_of(reg.kind);
      if (!cat || std::find(allowed.begin(), allowed.end(), *cat) == allowed.end()) {
        return refuse_row(Code::bad_argument,
                          at + ".category: for a " +
                              (reg.kind == Kind::members ? "members'" : "delegates'") +
                              " congress one of " + categories_of(reg.kind));
      }
      Seat* seat = &roll.seats.find(*place)->second;
      if (*cat == Absence::absent_throughout && !seat->alternate.empty()) {
        return refuse_row(Code::bad_argument,
                          at + ".category: absent_throughout is for a place with no alternate "
                               "in it; " + *place + "'s is held by " + seat->alternate +
                               " (use absent)");
      }
      seat->presence = Presence::absent;
      seat->absence = *cat;
    }
  }
  next.present = attendance(reg, roll, 2, 3).present;
  return RowResult{std::move(next), {}};
}

RowResult record_exception(const Context& cx, Effect& effect) {
  if (!cx.session.people) {
    return refuse_row(Code::no_register, "the session has no register: no eligibility rules");
  }
  const Register& reg = *cx.session.people;
  effect.contest = id_arg(cx.args(), "contest");
  if (cx.session.find_contest(effect.contest) == nullptr) {
    return refuse_row(Code::unknown_contest, "no contest \"" + effect.contest + "\"");
  }
  const ContestPeople* cp = reg.find_contest(effect.contest);
  const std::string candidate = id_arg(cx.args(), "candidate");
  const std::string rule_id = id_arg(cx.args(), "rule");
  const Person* person = reg.find_person(candidate);
  if (person == nullptr) {
    return refuse_row(Code::unknown_person,
                      "args.candidate: " + candidate + " is not a person of the register");
  }
  const AgeLimitRule* rule = reg.find_rule(rule_id);
  if (cp == nullptr || rule == nullptr || !contains(cp->eligibility, rule_id)) {
    return refuse_row(Code::unknown_rule, "args.rule: contest " + effect.contest +
                                              " does not apply the eligibility rule " + rule_id);
  }
  for (const Exception& x : cx.state.exceptions) {
    if (x.contest == effect.contest && x.candidate == candidate && x.rule == rule_id) {
      return refuse_row(Code::exception_recorded,
                        "an exception for " + candidate + " under " + rule_id + " in contest " +
                            effect.contest + " is already recorded (decision " + x.decision + ")");
    }
  }
  const Eligibility e = check_rule(reg, *cp, *person, *rule, {});
  if (e.within_limit) {
    return refuse_row(Code::exception_not_needed,
                      "args.candidate: " + candidate + " is " + e.reason(reg.first_day) +
                          ": no exception is needed");
  }
  State next = cx.state;
  next.exceptions.push_back(Exception{effect.contest, candidate, rule_id,
                                      cx.args().find("body")->text(),
                                      cx.args().find("decision")->text(),
                                      *parse_date(cx.args().find("date")->text()),
                                      cx.state.log_size});
  return RowResult{std::move(next), {}};
}

// With a register: the roll is complete, the quorum holds, and everyone on the round's list is a
// person of the register eligible for the contest (docs/congress.md "open_round").
std::optional<Refusal> people_check(const Context& cx, const ContestRules& def,
                                    const RoundBallot& b) {
  if (!cx.session.people) return std::nullopt;
  const Register& reg = *cx.session.people;
  const Attendance a = roll_attendance(cx.session, cx.state, def.rule_set);
  if (a.unrecorded > 0) {
    std::vector<std::string> missing;
    for (const auto& [id, seat] : cx.state.roll->seats) {
      if (seat.presence == Presence::unrecorded && missing.size() < 5) missing.push_back(id);
    }
    return refusal(Code::roll_incomplete,
                   std::to_string(a.unrecorded) + " of " + std::to_string(a.convened) +
                       " on the roll have no recorded presence (" + list(missing) +
                       (a.unrecorded > missing.size() ? ", ..." : "") + "): record_roll first");
  }
  if (!a.quorum_held) {
    return refusal(Code::no_quorum,
                   std::to_string(a.present) + " present: the quorum is " +
                       std::to_string(a.quorum_required) + " of " + std::to_string(a.quorum_base) +
                       " (rule set " + def.rule_set + ")");
  }
  const ContestPeople* cp = reg.find_contest(def.id);
  for (const tally::Candidate& c : b.candidates) {
    const Person* p = reg.find_person(c.id);
    if (p == nullptr) {
      return refusal(Code::unknown_person,
                     "candidate " + c.id + " is not a person of the register");
    }
    if (p->name != c.name) {
      return refusal(Code::unknown_person, "candidate " + c.id + " is named \"" + p->name +
                                               "\" in the register, not \"" + c.name + "\"");
    }
  }
  for (const tally::Candidate& c : b.candidates) {
    const Person* p = reg.find_person(c.id);
    if (cp == nullptr) continue;
    for (const Eligibility& e : check_candidate(reg, *cp, *p, cx.state.exceptions)) {
      if (!e.eligible()) {
        return refusal(Code::candidate_ineligible,
                       "candidate " + c.id + " (" + p->name + ") is " + e.reason(reg.first_day) +
                           ", and no exception is recorded (record_exception)");
      }
    }
  }
  return std::nullopt;
}

// The excluded count a round is counted with now: the roll's, or the contest's.
std::uint64_t excluded_now(const Context& cx, const ContestRules& def) {
  if (!cx.session.people) return def.excluded;
  return roll_attendance(cx.session, cx.state, def.rule_set).excluded;
}

// ---- Rounds ----

// The contest named by args.contest, and the round number, into the effect.
const ContestRules* contest_of(const Context& cx, Effect& effect, Refusal& why) {
  effect.contest = id_arg(cx.args(), "contest");
  effect.round = static_cast<std::uint32_t>(count_arg(cx.args(), "round"));
  const ContestRules* c = cx.session.find_contest(effect.contest);
  if (c == nullptr) why = refusal(Code::unknown_contest, "no contest \"" + effect.contest + "\"");
  return c;
}

std::string round_name(const Effect& e) {
  return "round " + std::to_string(e.round) + " of contest " + e.contest;
}

RowResult issue_tokens(const Context& cx, Effect& effect) {
  Refusal why;
  if (contest_of(cx, effect, why) == nullptr) return RowResult{std::nullopt, why};
  effect.count = count_arg(cx.args(), "count");
  const ContestState& cs = cx.state.contest(effect.contest);
  auto it = cs.rounds.find(effect.round);
  if (it != cs.rounds.end() && it->second.phase == Phase::closed) {
    return refuse_row(Code::round_closed, round_name(effect) + " is closed");
  }
  const bool open = it != cs.rounds.end() && it->second.phase == Phase::open;
  if (!open && effect.round != cs.last_started() + 1) {
    return refuse_row(Code::round_not_next,
                      "tokens can be issued for the open round or round " +
                          std::to_string(cs.last_started() + 1) + ", not " +
                          std::to_string(effect.round));
  }
  State next = cx.state;
  next.contests.find(effect.contest)->second.rounds[effect.round].tokens_issued += effect.count;
  return RowResult{std::move(next), {}};
}

// The candidates of `pool` (in pool order) that `ids` name; each must be in `may_stand`.
std::optional<Refusal> pick(const std::vector<tally::Candidate>& pool,
                            const std::vector<std::string>& ids,
                            const std::vector<std::string>& may_stand, const std::string& why_not,
                            std::vector<tally::Candidate>& out) {
  std::set<std::string, std::less<>> wanted;
  for (const std::string& id : ids) {
    if (!wanted.insert(id).second) {
      return refusal(Code::duplicate_candidate, "args.candidates: " + id + " is listed twice");
    }
    if (!contains(may_stand, id)) {
      return refusal(Code::not_eligible, "args.candidates: " + id + " " + why_not);
    }
  }
  for (const tally::Candidate& c : pool) {
    if (wanted.contains(c.id)) out.push_back(c);
  }
  return std::nullopt;
}

// Round 1: the session's list, or for an elect_from contest the members elected there.
std::optional<Refusal> first_round(const Context& cx, const ContestRules& def, RoundBallot& b) {
  const JsonValue& a = cx.args();
  if (!nominations_arg(a).empty()) {
    return refusal(Code::list_not_allowed,
                   "args.new_nominations: only a further round after unfilled seats takes them");
  }
  if (def.elect_from.empty()) {
    if (a.find("candidates") || a.find("seats") || a.find("alternates")) {
      return refusal(Code::list_not_allowed,
                     "round 1 of contest " + def.id +
                         " is voted on the session's list: no candidates, seats or alternates");
    }
    b = RoundBallot{def.seats, def.alternates, false, def.candidates};
    return std::nullopt;
  }
  if (cx.session.find_contest(def.elect_from) == nullptr) {
    return refusal(Code::unknown_contest, "contest " + def.id + " elects from contest \"" +
                                              def.elect_from + "\", which the session does not have");
  }
  const ContestState& source = cx.state.contest(def.elect_from);
  if (!source.complete()) {
    return refusal(Code::source_incomplete, "contest " + def.id + " elects from contest " +
                                                def.elect_from + ", which is not complete yet");
  }
  std::vector<std::string> ids;
  if (auto given = optional_ids(a, "candidates")) {
    ids = *given;
  } else {
    for (const tally::Candidate& c : def.candidates) ids.push_back(c.id);
    if (ids.empty()) ids = source.elected;
  }
  if (ids.empty()) {
    return refusal(Code::no_candidates, "args.candidates: contest " + def.elect_from +
                                            " elected no one");
  }
  // Ballot order: the source contest's order, the one the delegates saw.
  if (auto r = pick(source.known, ids, source.elected,
                    "was not elected in contest " + def.elect_from +
                        " (elected: " + list(source.elected) + ")",
                    b.candidates)) {
    return r;
  }
  b.seats = static_cast<std::uint32_t>(optional_count(a, "seats").value_or(def.seats));
  b.alternates = static_cast<std::uint32_t>(optional_count(a, "alternates").value_or(def.alternates));
  if (b.seats == 0) return refusal(Code::places_mismatch, "args.seats: at least 1");
  return std::nullopt;
}

// A later round: only what the last minutes allow (docs/congress.md "Further rounds").
std::optional<Refusal> later_round(const Context& cx, const ContestRules& def,
                                   std::uint32_t round, RoundBallot& b) {
  const ContestState& own = cx.state.contest(def.id);
  const JsonValue& a = cx.args();
  if (own.concluded) {
    return refusal(Code::contest_concluded,
                   "contest " + def.id + " was concluded by the congress: no further round");
  }
  if (!own.last_next || own.last_closed + 1 != round) {
    return refusal(Code::round_not_next, "round " + std::to_string(round) + " of contest " +
                                             def.id + " needs round " +
                                             std::to_string(round - 1) + "'s minutes first");
  }
  const tally::FurtherRound& next = *own.last_next;
  const std::string after =
      "after round " + std::to_string(own.last_closed) + " of contest " + def.id + ": ";
  if (next.step != tally::NextStep::runoff && next.step != tally::NextStep::further_round) {
    return refusal(Code::no_further_round,
                   after + (next.step == tally::NextStep::none
                                ? "every place is filled, no further round"
                                : next.step == tally::NextStep::appointment
                                      ? "the round limit is reached; the directly higher "
                                        "committee appoints"
                                      : "the round limit is reached"));
  }
  b.alternates_only = next.alternates_only;
  b.seats = next.alternates_only ? next.alternates : next.seats;
  b.alternates = next.alternates_only ? 0 : next.alternates;
  if (auto s = optional_count(a, "seats"); s && *s != b.seats) {
    return refusal(Code::places_mismatch, "args.seats: the places left are " +
                                              std::to_string(b.seats) + ", not " +
                                              std::to_string(*s));
  }
  if (auto s = optional_count(a, "alternates"); s && *s != b.alternates) {
    return refusal(Code::places_mismatch, "args.alternates: the alternate places left are " +
                                              std::to_string(b.alternates) + ", not " +
                                              std::to_string(*s));
  }
  const std::vector<tally::Candidate> nominations = nominations_arg(a);
  if (next.step == tally::NextStep::runoff) {
    if (!nominations.empty()) {
      return refusal(Code::list_not_allowed,
                     "args.new_nominations: a run-off after a tie is among the tied only");
    }
    const std::vector<std::string> ids = optional_ids(a, "candidates").value_or(next.eligible);
    if (auto r = pick(own.known, ids, next.eligible,
                      "is not among the tied (" + list(next.eligible) + ")", b.candidates)) {
      return r;
    }
    if (b.candidates.size() != next.eligible.size()) {
      return refusal(Code::runoff_incomplete,
                     "args.candidates: a run-off is among all the tied: " + list(next.eligible));
    }
    return std::nullopt;
  }
  // Unfilled: everyone of the contest not yet elected may stand; the congress may add names.
  std::vector<std::string> may_stand;
  for (const tally::Candidate& c : own.known) {
    if (!contains(own.elected, c.id) && !contains(own.elected_alternates, c.id)) {
      may_stand.push_back(c.id);
    }
  }
  std::vector<std::string> old_ids;
  for (const std::string& id : optional_ids(a, "candidates").value_or(may_stand)) {
    if (find(nominations, id) == nullptr) old_ids.push_back(id);
  }
  if (auto r = pick(own.known, old_ids, may_stand, "may not stand: already elected or unknown",
                    b.candidates)) {
    return r;
  }
  for (const tally::Candidate& n : nominations) {
    if (find(own.known, n.id) != nullptr) {
      return refusal(Code::nomination_stood,
                     "args.new_nominations: " + n.id + " has already stood");
    }
    if (b.find_candidate(n.id) != nullptr) {
      return refusal(Code::duplicate_candidate,
                     "args.new_nominations: " + n.id + " is nominated twice");
    }
    if (!def.elect_from.empty() && cx.session.find_contest(def.elect_from) != nullptr &&
        !contains(cx.state.contest(def.elect_from).elected, n.id)) {
      return refusal(Code::not_eligible, "args.new_nominations: " + n.id +
                                             " was not elected in contest " + def.elect_from);
    }
    b.candidates.push_back(n);
  }
  if (b.candidates.empty()) return refusal(Code::no_candidates, "args.candidates: no one may stand");
  return std::nullopt;
}

RowResult open_round(const Context& cx, Effect& effect) {
  Refusal why;
  const ContestRules* def = contest_of(cx, effect, why);
  if (def == nullptr) return RowResult{std::nullopt, why};
  const ContestState& cs = cx.state.contest(def->id);
  if (auto open = cs.open_round()) {
    return refuse_row(Code::round_open, "round " + std::to_string(*open) + " of contest " +
                                            def->id + " is still open");
  }
  if (effect.round != cs.last_started() + 1) {
    return refuse_row(Code::round_not_next, "the next round to open is " +
                                                std::to_string(cs.last_started() + 1) +
                                                ", not " + std::to_string(effect.round));
  }
  RoundBallot b;
  auto r = effect.round == 1 ? first_round(cx, *def, b) : later_round(cx, *def, effect.round, b);
  if (r) return RowResult{std::nullopt, *r};
  if (auto p = people_check(cx, *def, b)) return RowResult{std::nullopt, *p};
  const tally::Contest engine = round_contest(cx.session, *def, effect.round, b, cx.state.present,
                                              excluded_now(cx, *def));
  if (auto p = tally::check_contest(engine); p != tally::ContestProblem::none) {
    return refuse_row(Code::round_cannot_be_counted,
                      round_name(effect) + " cannot be counted: " + std::string(tally::to_string(p)));
  }
  State next = cx.state;
  ContestState& c = next.contests.find(def->id)->second;
  RoundState& round = c.rounds[effect.round];
  round.phase = Phase::open;
  round.opened_at = cx.state.log_size;
  for (const tally::Candidate& cand : b.candidates) {
    if (find(c.known, cand.id) == nullptr) c.known.push_back(cand);
  }
  round.ballot = std::move(b);
  return RowResult{std::move(next), {}};
}

RowResult close_round(const Context& cx, Effect& effect) {
  Refusal why;
  const ContestRules* def = contest_of(cx, effect, why);
  if (def == nullptr) return RowResult{std::nullopt, why};
  const ContestState& cs = cx.state.contest(def->id);
  auto it = cs.rounds.find(effect.round);
  if (it == cs.rounds.end() || it->second.phase != Phase::open) {
    return refuse_row(Code::round_not_open, round_name(effect) + " is not open");
  }
  if (def->majority_basis == "present" && !cx.state.present) {
    return refuse_row(Code::attendance_required,
                      "contest " + def->id +
                          " counts on the basis present: record attendance (record_attendance) "
                          "before closing the round");
  }
  const RoundBallot& ballot = *it->second.ballot;
  const std::uint64_t excluded = excluded_now(cx, *def);
  const tally::Contest engine =
      round_contest(cx.session, *def, effect.round, ballot, cx.state.present, excluded);
  const tally::Result result = cx.env.count(engine);
  State next = cx.state;
  ContestState& c = next.contests.find(def->id)->second;
  record_count(c, effect.round, ballot, engine, result);
  RoundState& round = c.rounds[effect.round];
  round.closed_at = cx.state.log_size;
  round.present = cx.state.present;
  round.excluded = excluded;
  if (cx.session.people) round.attendance = roll_attendance(cx.session, cx.state, def->rule_set);
  return RowResult{std::move(next), {}};
}

RowResult conclude_contest(const Context& cx, Effect& effect) {
  effect.contest = id_arg(cx.args(), "contest");
  if (cx.session.find_contest(effect.contest) == nullptr) {
    return refuse_row(Code::unknown_contest, "no contest \"" + effect.contest + "\"");
  }
  const ContestState& cs = cx.state.contest(effect.contest);
  if (auto open = cs.open_round()) {
    return refuse_row(Code::round_open, "round " + std::to_string(*open) + " of " +
                                            effect.contest + " is open: close it first");
  }
  if (cs.concluded) {
    return refuse_row(Code::contest_concluded, "the contest is already concluded");
  }
  if (!cs.last_next || cs.last_next->step != tally::NextStep::further_round) {
    return refuse_row(Code::conclude_not_allowed,
                      "only a contest whose last minutes leave places unfilled can be concluded "
                      "(state: " + std::string(cs.state()) + ")");
  }
  State next = cx.state;
  next.contests.find(effect.contest)->second.concluded = true;
  return RowResult{std::move(next), {}};
}

// ---- The table ----

const ArgSpec kContest{"contest", ArgKind::id, true};
const ArgSpec kRound{"round", ArgKind::count, true, 1, kMaxRound};

const std::vector<CommandRow>& table() {
  static const std::vector<CommandRow> rows = {
      {"enrol_terminal",
       {{"terminal", ArgKind::id, true}, {"public_key", ArgKind::text, false}},
       enrol_terminal},
      {"revoke_terminal", {{"terminal", ArgKind::id, true}}, revoke_terminal},
      {"record_attendance", {{"present", ArgKind::count, true, 0, 0, true}}, record_attendance},
      {"issue_tokens",
       {kContest, kRound, {"count", ArgKind::count, true, 1, kMaxTokensPerCommand}},
       issue_tokens},
      {"open_round",
       {kContest,
        kRound,
        {"candidates", ArgKind::id_list, false},
        {"seats", ArgKind::count, false, 0, kMaxPlaces},
        {"alternates", ArgKind::count, false, 0, kMaxPlaces},
        {"new_nominations", ArgKind::nominations, false}},
       open_round},
      {"close_round", {kContest, kRound}, close_round},
      {"conclude_contest", {kContest}, conclude_contest},
      {"record_roll",
       {{"present", ArgKind::id_list, false},
        {"absent", ArgKind::absences, false},
        {"replacements", ArgKind::replacements, false}},
       record_roll},
      {"record_exception",
       {kContest,
        {"candidate", ArgKind::id, true},
        {"rule", ArgKind::id, true},
        {"body", ArgKind::text, true},
        {"decision", ArgKind::text, true},
        {"date", ArgKind::date, true}},
       record_exception},
  };
  return rows;
}

std::optional<Refusal> check_schema(const CommandRow& row, const JsonValue& args,
                                    const SessionRules& session) {
  for (const JsonValue::Member& m : args.members()) {
    auto spec = std::find_if(row.args.begin(), row.args.end(),
                             [&](const ArgSpec& s) { return s.name == m.first; });
    if (spec == row.args.end()) {
      return refusal(Code::bad_argument, "args." + m.first + ": unknown argument");
    }
  }
  for (const ArgSpec& spec : row.args) {
    const JsonValue* v = args.find(spec.name);
    if (v == nullptr) {
      if (spec.required) {
        return refusal(Code::bad_argument, "args." + std::string(spec.name) + ": missing");
      }
      continue;
    }
    if (auto r = check_arg(spec, *v, session)) return r;
  }
  return std::nullopt;
}

}  // namespace

ParsedCommand parse_command(std::string_view payload) {
  ParsedCommand out;
  JsonParse p = parse_json(payload);
  if (!p.value) {
    out.refusal = refusal(Code::malformed_command, "the payload is not strict JSON: " + p.error);
    return out;
  }
  const JsonValue& v = *p.value;
  const JsonValue* session = v.find("session");
  const JsonValue* seq = v.find("seq");
  const JsonValue* official = v.find("official");
  const JsonValue* name = v.find("command");
  const JsonValue* args = v.find("args");
  if (!v.is_object() || v.members().size() != 5 || session == nullptr || !session->is_string() ||
      seq == nullptr || !seq->is_integer() || seq->integer() == 0 || official == nullptr ||
      !official->is_string() || name == nullptr || !name->is_string() || args == nullptr ||
      !args->is_object()) {
    out.refusal = refusal(Code::malformed_command,
                          "the payload must be exactly {\"session\": string, \"seq\": integer >= "
                          "1, \"official\": string, \"command\": string, \"args\": object}");
    return out;
  }
  out.command = Command{session->text(), seq->integer(), official->text(), name->text(), *args};
  return out;
}

Decision apply(const SessionRules& session, const State& state, const Command& command,
               std::string_view signer, const Environment& env) {
  if (command.session != session.id) {
    return refused(Code::wrong_session, "the command is for session \"" + command.session +
                                            "\", not \"" + session.id + "\"");
  }
  if (command.seq <= state.last_seq) {
    return refused(Code::seq_not_above, "seq " + std::to_string(command.seq) +
                                            " is not above the last accepted " +
                                            std::to_string(state.last_seq));
  }
  if (std::find(session.officials.begin(), session.officials.end(), command.official) ==
      session.officials.end()) {
    return refused(Code::official_not_signer,
                   "\"" + command.official + "\" is not an official of the session");
  }
  if (command.official != signer) {
    return refused(Code::official_not_signer, "the command names official \"" +
                                                  command.official + "\" but is signed by \"" +
                                                  std::string(signer) + "\"");
  }
  const auto& rows = table();
  auto row = std::find_if(rows.begin(), rows.end(),
                          [&](const CommandRow& r) { return r.name == command.name; });
  if (row == rows.end()) {
    return refused(Code::unknown_command, "unknown command \"" + command.name + "\"");
  }
  if (auto r = check_schema(*row, command.args, session)) return Decision{std::nullopt, *r};
  Effect effect;
  effect.command = command.name;
  const Context cx{session, state, command, env};
  RowResult result = row->run(cx, effect);
  if (!result.next) return Decision{std::nullopt, result.refusal};
  result.next->log_size = state.log_size + 1;
  result.next->last_seq = command.seq;
  return Decision{Applied{std::move(*result.next), std::move(effect)}, {}};
}

}  // namespace tallystation::congress
