// The congress state machine (tally/congress/congress.hpp): every command's rule, legal and
// refused, with the exact refusal code; further rounds after ties and unfilled seats; elect-from
// contests; round limits; alternates. Rules: docs/protocol.md "POST /v1/commands" and "Further
// rounds and elect-from contests", docs/rules.md.
//
// The count is a stub: each close_round returns the tally::Result the test queued, so the tests
// decide the outcome (complete, tie, unfilled, exhausted) and check what the congress makes of it.

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "tally/congress/congress.hpp"

namespace cg = tallystation::congress;
namespace tl = tallystation::tally;
using Ids = std::vector<std::string>;

namespace Catch {
template <>
struct StringMaker<cg::Code> {
  static std::string convert(cg::Code c) { return std::string(cg::to_string(c)); }
};
template <>
struct StringMaker<cg::Phase> {
  static std::string convert(cg::Phase p) { return std::string(cg::to_string(p)); }
};
template <>
struct StringMaker<tl::NextStep> {
  static std::string convert(tl::NextStep s) { return std::string(tl::to_string(s)); }
};
}  // namespace Catch

namespace {

constexpr const char* kSession = "cpv-xx-congress-2026";

tl::Candidate cand(const std::string& id) {
  return {id, "Candidate " + id};
}

std::vector<tl::Candidate> cands(const Ids& ids) {
  std::vector<tl::Candidate> out;
  for (const auto& id : ids) out.push_back(cand(id));
  return out;
}

Ids ids_of(const std::vector<tl::Candidate>& cs) {
  Ids out;
  for (const auto& c : cs) out.push_back(c.id);
  return out;
}

Ids sorted(Ids v) {
  std::sort(v.begin(), v.end());
  return v;
}

cg::ContestRules contest_rules(std::string id, std::uint32_t seats, std::uint32_t alternates,
                               const Ids& candidates) {
  cg::ContestRules c;
  c.id = std::move(id);
  c.title = "Contest " + c.id;
  c.seats = seats;
  c.alternates = alternates;
  c.candidates = cands(candidates);
  return c;
}

// The session every test starts from:
//   cc    executive committee, 3 seats, a..e (4 excluded from the basis)
//   sec   secretary, 1 seat, elected from cc, no list of its own
//   vice  deputy secretary, 1 seat, elected from cc, the session lists a and c
//   del   delegates, 2 seats and 2 alternates, d1..d6
//   cell  cell secretary (cpv-2024-cell-secretary: 3 rounds, then appointment), x, y, z
//   pres  1 seat on the basis `present`, p and q
cg::SessionRules make_session() {
  cg::SessionRules s;
  s.id = kSession;
  s.convened = 500;
  s.officials = {"o1", "o2"};
  s.people_keyids = {"keyid-o1", "keyid-o2", "keyid-m1"};
  s.terminals = {{"t1", "keyid-k1"}, {"t2", "keyid-k2"}};
  auto cc = contest_rules("cc", 3, 0, {"a", "b", "c", "d", "e"});
  cc.excluded = 4;
  auto sec = contest_rules("sec", 1, 0, {});
  sec.elect_from = "cc";
  auto vice = contest_rules("vice", 1, 0, {"a", "c"});
  vice.elect_from = "cc";
  auto del = contest_rules("del", 2, 2, {"d1", "d2", "d3", "d4", "d5", "d6"});
  auto cell = contest_rules("cell", 1, 0, {"x", "y", "z"});
  cell.rule_set = "cpv-2024-cell-secretary";
  auto pres = contest_rules("pres", 1, 0, {"p", "q"});
  pres.majority_basis = "present";
  s.contests = {cc, sec, vice, del, cell, pres};
  return s;
}

// "PEM:<name>" is a usable key whose keyid is "keyid-<name>"; anything else is not a key.
std::optional<std::string> fake_keyid(std::string_view pem) {
  if (pem.substr(0, 4) != "PEM:" || pem.size() == 4) return std::nullopt;
  return "keyid-" + std::string(pem.substr(4));
}

cg::JsonValue json(std::string_view text) {
  auto p = cg::parse_json(text);
  if (!p.value) FAIL("test JSON does not parse: " << p.error << ": " << text);
  return *p.value;
}

// {"contest":C,"round":N<extra>}
std::string round_args(const std::string& contest, std::uint32_t round,
                       const std::string& extra = "") {
  return R"({"contest":")" + contest + R"(","round":)" + std::to_string(round) + extra + "}";
}

// ---- Results as the count would give them ----

tl::Result complete(Ids elected, Ids alternates = {}, std::uint64_t alternates_unfilled = 0) {
  tl::Result r;
  r.outcome = tl::Outcome::complete;
  r.elected = std::move(elected);
  r.elected_alternates = std::move(alternates);
  r.alternates_unfilled = alternates_unfilled;
  return r;
}

tl::Result tie(Ids elected, Ids tied, std::uint64_t seats_unfilled,
               std::uint64_t alternates_unfilled = 0, Ids alternates = {}) {
  tl::Result r;
  r.outcome = tl::Outcome::tie;
  r.elected = std::move(elected);
  r.elected_alternates = std::move(alternates);
  r.tied = std::move(tied);
  r.seats_unfilled = seats_unfilled;
  r.alternates_unfilled = alternates_unfilled;
  return r;
}

tl::Result unfilled(Ids elected, std::uint64_t seats_unfilled,
                    std::uint64_t alternates_unfilled = 0) {
  tl::Result r;
  r.outcome = tl::Outcome::unfilled;
  r.elected = std::move(elected);
  r.seats_unfilled = seats_unfilled;
  r.alternates_unfilled = alternates_unfilled;
  return r;
}

tl::Result exhausted() {
  tl::Result r;
  r.outcome = tl::Outcome::exhausted;
  r.seats_unfilled = 1;
  r.appointment_by_higher_committee = true;
  return r;
}

// A congress under test: the session, the state so far, the next seq, and the stub count.
struct Congress {
  cg::SessionRules session = make_session();
  cg::State state = cg::initial_state(session);
  std::uint64_t seq = 0;
  std::deque<tl::Result> results;    // what the next counts return, in order
  std::vector<tl::Contest> counted;  // what each count was asked to count

  cg::Environment env() {
    cg::Environment e;
    e.keyid_of = fake_keyid;
    e.count = [this](const tl::Contest& c) {
      counted.push_back(c);
      tl::Result r;
      if (!results.empty()) {
        r = results.front();
        results.pop_front();
      } else {  // default: the first places of the list are filled
        std::vector<std::string> list = ids_of(c.candidates);
        for (std::size_t i = 0; i < list.size() && i < c.places(); ++i) {
          (i < c.seats ? r.elected : r.elected_alternates).push_back(list[i]);
        }
      }
      r.round = c.round;
      return r;
    };
    return e;
  }

  cg::Command command(const std::string& name, const std::string& args,
                      const std::string& official = "o1") const {
    cg::Command c;
    c.session = kSession;
    c.seq = seq + 1;
    c.official = official;
    c.name = name;
    c.args = json(args);
    return c;
  }

  cg::Decision decide(const cg::Command& c, std::string_view signer) {
    return cg::apply(session, state, c, signer, env());
  }

  // The command must be accepted; the state moves on.
  cg::Applied ok(const std::string& name, const std::string& args,
                 const std::string& official = "o1") {
    const cg::Decision d = decide(command(name, args, official), official);
    INFO(name << " " << args);
    if (!d.applied) {
      FAIL("refused " << cg::to_string(d.refusal.code) << ": " << d.refusal.message);
    }
    state = d.applied->state;
    ++seq;
    return *d.applied;
  }

  // The command must be refused; the state stays.
  cg::Code refused(const std::string& name, const std::string& args) {
    const cg::Decision d = decide(command(name, args), "o1");
    INFO(name << " " << args);
    if (d.applied) FAIL("accepted, expected a refusal");
    CHECK_FALSE(d.refusal.message.empty());
    return d.refusal.code;
  }

  cg::Applied open(const std::string& contest, std::uint32_t round, const std::string& extra = "") {
    return ok("open_round", round_args(contest, round, extra));
  }
  cg::Applied close(const std::string& contest, std::uint32_t round, tl::Result result) {
    results.push_back(std::move(result));
    return ok("close_round", round_args(contest, round));
  }
  void run(const std::string& contest, std::uint32_t round, tl::Result result,
           const std::string& open_extra = "") {
    open(contest, round, open_extra);
    close(contest, round, std::move(result));
  }
  const cg::ContestState& contest(std::string_view id) const { return state.contest(id); }
  const cg::RoundState& round(std::string_view id, std::uint32_t n) const {
    const auto& rounds = state.contest(id).rounds;
    auto it = rounds.find(n);
    if (it == rounds.end()) FAIL("contest " << id << " has no round " << n);
    return it->second;
  }
  Ids ballot_ids(std::string_view id, std::uint32_t n) const {
    const auto& r = round(id, n);
    REQUIRE(r.ballot.has_value());
    return ids_of(r.ballot->candidates);
  }
};

}  // namespace

// ===================================================================== parse_command

TEST_CASE("a payload of exactly session, seq, official, command and args parses into the command",
          "[congress]") {
  const auto parsed = cg::parse_command(
      R"({"session":"cpv-xx-congress-2026","seq":12,"official":"o1","command":"open_round",)"
      R"("args":{"contest":"cc","round":1}})");
  REQUIRE(parsed.command.has_value());
  const cg::Command& c = *parsed.command;
  CHECK(c.session == kSession);
  CHECK(c.seq == 12);
  CHECK(c.official == "o1");
  CHECK(c.name == "open_round");
  REQUIRE(c.args.is_object());
  REQUIRE(c.args.find("contest") != nullptr);
  CHECK(c.args.find("contest")->text() == "cc");
  REQUIRE(c.args.find("round") != nullptr);
  CHECK(c.args.find("round")->integer() == 1);
}

TEST_CASE("the members of a command payload may come in any order", "[congress]") {
  const auto parsed =
      cg::parse_command(R"({"args":{},"command":"record_attendance","official":"o2","seq":1,)"
                        R"("session":"s"})");
  REQUIRE(parsed.command.has_value());
  CHECK(parsed.command->seq == 1);
  CHECK(parsed.command->official == "o2");
  CHECK(parsed.command->args.members().empty());
}

TEST_CASE("a payload that is not exactly the five members with their types is malformed_command",
          "[congress]") {
  auto payload = GENERATE(
      as<std::string>{},
      // missing members
      R"({"session":"s","seq":1,"official":"o1","command":"c"})",
      R"({"seq":1,"official":"o1","command":"c","args":{}})",
      R"({"session":"s","official":"o1","command":"c","args":{}})",
      // an extra member
      R"({"session":"s","seq":1,"official":"o1","command":"c","args":{},"note":"x"})",
      // a repeated member, at the top and inside args
      R"({"session":"s","seq":1,"seq":2,"official":"o1","command":"c","args":{}})",
      R"({"session":"s","seq":1,"official":"o1","command":"c","args":{"round":1,"round":2}})",
      // seq: not a positive integer
      R"({"session":"s","seq":0,"official":"o1","command":"c","args":{}})",
      R"({"session":"s","seq":-1,"official":"o1","command":"c","args":{}})",
      R"({"session":"s","seq":1.5,"official":"o1","command":"c","args":{}})",
      R"({"session":"s","seq":1.0,"official":"o1","command":"c","args":{}})",
      R"({"session":"s","seq":1e2,"official":"o1","command":"c","args":{}})",
      R"({"session":"s","seq":"1","official":"o1","command":"c","args":{}})",
      R"({"session":"s","seq":18446744073709551616,"official":"o1","command":"c","args":{}})",
      // wrong types
      R"({"session":1,"seq":1,"official":"o1","command":"c","args":{}})",
      R"({"session":"s","seq":1,"official":null,"command":"c","args":{}})",
      R"({"session":"s","seq":1,"official":"o1","command":["c"],"args":{}})",
      R"({"session":"s","seq":1,"official":"o1","command":"c","args":[]})",
      R"({"session":"s","seq":1,"official":"o1","command":"c","args":null})",
      // not one JSON object
      R"([{"session":"s","seq":1,"official":"o1","command":"c","args":{}}])",
      R"({"session":"s","seq":1,"official":"o1","command":"c","args":{}} x)",
      R"({"session":"s","seq":1,"official":"o1","command":"c","args":{})", "");
  CAPTURE(payload);
  const auto parsed = cg::parse_command(payload);
  CHECK_FALSE(parsed.command.has_value());
  CHECK(parsed.refusal.code == cg::Code::malformed_command);
  CHECK_FALSE(parsed.refusal.message.empty());
}

// ===================================================================== identifiers, names

TEST_CASE("an identifier is 1 to 64 bytes of letters, digits, dot, underscore and hyphen",
          "[congress]") {
  auto [id, valid] = GENERATE(table<std::string, bool>({
      {"a", true},
      {"7", true},
      {"t-1.a_b", true},
      {"cpv-xx-congress-2026", true},
      {std::string(64, 'x'), true},
      {std::string(65, 'x'), false},
      {"", false},
      {"-x", false},
      {".x", false},
      {"_x", false},
      {"a b", false},
      {"a/b", false},
      {"a:b", false},
      {"\xc3\xa9", false},
      {std::string("a\0b", 3), false},
  }));
  CAPTURE(id);
  CHECK(cg::is_valid_id(id) == valid);
}

TEST_CASE("codes and phases have their stable names", "[congress]") {
  CHECK(cg::to_string(cg::Code::malformed_command) == "malformed_command");
  CHECK(cg::to_string(cg::Code::round_not_next) == "round_not_next");
  CHECK(cg::to_string(cg::Code::source_incomplete) == "source_incomplete");
  CHECK(cg::to_string(cg::Code::conclude_not_allowed) == "conclude_not_allowed");
  CHECK(cg::to_string(cg::Code::round_cannot_be_counted) == "round_cannot_be_counted");
  CHECK(static_cast<int>(cg::Code::round_cannot_be_counted) == 31);
  CHECK(cg::to_string(cg::Phase::pending) == "pending");
  CHECK(cg::to_string(cg::Phase::open) == "open");
  CHECK(cg::to_string(cg::Phase::closed) == "closed");
}

TEST_CASE("the initial state has every contest of the session and nothing done", "[congress]") {
  Congress k;
  CHECK(k.state.log_size == 0);
  CHECK(k.state.last_seq == 0);
  CHECK_FALSE(k.state.present.has_value());
  CHECK(k.state.terminals.empty());
  CHECK(k.state.contests.size() == k.session.contests.size());
  for (const auto& c : k.session.contests) {
    CAPTURE(c.id);
    const cg::ContestState& s = k.contest(c.id);
    CHECK(s.rounds.empty());
    CHECK(s.elected.empty());
    CHECK(s.last_closed == 0);
    CHECK(s.last_started() == 0);
    CHECK_FALSE(s.open_round().has_value());
    CHECK_FALSE(s.complete());
    CHECK(s.state() == "voting");
  }
  REQUIRE(k.session.find_contest("del") != nullptr);
  CHECK(k.session.find_contest("del")->alternates == 2);
  CHECK(k.session.find_contest("nope") == nullptr);
}

// ===================================================================== preflight

TEST_CASE("apply checks session, seq, official, command name and arguments in that order",
          "[congress]") {
  Congress k;
  k.ok("record_attendance", R"({"present":10})");  // last seq 1
  cg::Command c = k.command("no_such_command", R"({"bogus":1})", "o2");
  c.session = "another-session";
  c.seq = 1;
  std::string signer = "o1";  // not the official the payload names
  CHECK(k.decide(c, signer).refusal.code == cg::Code::wrong_session);
  c.session = kSession;
  CHECK(k.decide(c, signer).refusal.code == cg::Code::seq_not_above);
  c.seq = 2;
  CHECK(k.decide(c, signer).refusal.code == cg::Code::official_not_signer);
  signer = "o2";
  CHECK(k.decide(c, signer).refusal.code == cg::Code::unknown_command);
  c.name = "record_attendance";
  CHECK(k.decide(c, signer).refusal.code == cg::Code::bad_argument);
  c.args = json(R"({"present":20})");
  const cg::Decision d = k.decide(c, signer);
  REQUIRE(d.applied.has_value());
  CHECK(d.applied->state.present == 20u);
}

TEST_CASE("seq must be above the last accepted one over all officials", "[congress]") {
  Congress k;
  k.seq = 4;
  k.ok("record_attendance", R"({"present":10})");  // seq 5
  CHECK(k.state.last_seq == 5);
  CHECK(k.state.log_size == 1);
  auto [seq, official, accepted] = GENERATE(table<std::uint64_t, std::string, bool>({
      {5, "o1", false},  // equal
      {5, "o2", false},  // equal, another official: one counter for the session
      {4, "o1", false},  // lower
      {1, "o2", false},
      {6, "o2", true},
      {100, "o1", true},  // gaps are allowed
  }));
  CAPTURE(seq, official);
  cg::Command c = k.command("record_attendance", R"({"present":11})", official);
  c.seq = seq;
  const cg::Decision d = k.decide(c, official);
  if (accepted) {
    REQUIRE(d.applied.has_value());
    CHECK(d.applied->state.last_seq == seq);
    CHECK(d.applied->state.log_size == 2);
    CHECK(d.applied->effect.command == "record_attendance");
  } else {
    REQUIRE_FALSE(d.applied.has_value());
    CHECK(d.refusal.code == cg::Code::seq_not_above);
  }
}

TEST_CASE("seq 0 is never above the last accepted seq", "[congress]") {
  Congress k;
  cg::Command c = k.command("record_attendance", R"({"present":1})");
  c.seq = 0;
  const cg::Decision d = k.decide(c, "o1");
  REQUIRE_FALSE(d.applied.has_value());
  CHECK(d.refusal.code == cg::Code::seq_not_above);
}

TEST_CASE("a command naming another official than its signer is official_not_signer",
          "[congress]") {
  Congress k;
  auto [official, signer] = GENERATE(table<std::string, std::string>({
      {"o1", "o2"},
      {"o2", "o1"},
      {"o1", ""},
  }));
  CAPTURE(official, signer);
  const cg::Decision d =
      k.decide(k.command("record_attendance", R"({"present":1})", official), signer);
  REQUIRE_FALSE(d.applied.has_value());
  CHECK(d.refusal.code == cg::Code::official_not_signer);
}

TEST_CASE("a command by someone who is not an official of the session is official_not_signer",
          "[congress]") {
  Congress k;
  // A committee member's or a stranger's signature, naming itself: not an official.
  auto who = GENERATE(as<std::string>{}, "m1", "zz");
  CAPTURE(who);
  const cg::Decision d = k.decide(k.command("record_attendance", R"({"present":1})", who), who);
  REQUIRE_FALSE(d.applied.has_value());
  CHECK(d.refusal.code == cg::Code::official_not_signer);
}

TEST_CASE("a command name that is not in the table is unknown_command", "[congress]") {
  Congress k;
  auto name = GENERATE(as<std::string>{}, "delete_everything", "", "Open_round", "open_round ",
                       "openround");
  CAPTURE(name);
  CHECK(k.refused(name, R"({"contest":"cc","round":1})") == cg::Code::unknown_command);
}

TEST_CASE("an unknown, missing, mistyped or out-of-range argument is bad_argument", "[congress]") {
  Congress k;
  const std::string long_id(65, 'c');
  auto [name, args] = GENERATE_COPY(table<std::string, std::string>({
      // record_attendance: present 0..convened (500)
      {"record_attendance", R"({})"},
      {"record_attendance", R"({"present":501})"},
      {"record_attendance", R"({"present":-1})"},
      {"record_attendance", R"({"present":"10"})"},
      {"record_attendance", R"({"present":10.5})"},
      {"record_attendance", R"({"present":null})"},
      {"record_attendance", R"({"present":10,"convened":500})"},
      // issue_tokens: contest, round >= 1, count 1..10000
      {"issue_tokens", R"({"contest":"cc","round":1,"count":0})"},
      {"issue_tokens", R"({"contest":"cc","round":1,"count":10001})"},
      {"issue_tokens", R"({"contest":"cc","round":1,"count":-5})"},
      {"issue_tokens", R"({"contest":"cc","round":1})"},
      {"issue_tokens", R"({"contest":"cc","count":5})"},
      {"issue_tokens", R"({"round":1,"count":5})"},
      {"issue_tokens", R"({"contest":"cc","round":0,"count":5})"},
      {"issue_tokens", R"({"contest":"cc","round":-1,"count":5})"},
      {"issue_tokens", R"({"contest":"cc","round":"1","count":5})"},
      {"issue_tokens", R"({"contest":"cc","round":1.5,"count":5})"},
      {"issue_tokens", R"({"contest":"cc","round":4294967296,"count":5})"},
      {"issue_tokens", R"({"contest":7,"round":1,"count":5})"},
      {"issue_tokens", R"({"contest":"a b","round":1,"count":5})"},
      {"issue_tokens", R"({"contest":"","round":1,"count":5})"},
      {"issue_tokens", R"({"contest":"-x","round":1,"count":5})"},
      {"issue_tokens", R"({"contest":")" + long_id + R"(","round":1,"count":5})"},
      {"issue_tokens", R"({"contest":"cc","round":1,"count":5,"tokens":[]})"},
      // open_round
      {"open_round", R"({"contest":"cc"})"},
      {"open_round", R"({"contest":"cc","round":0})"},
      {"open_round", R"({"contest":"cc","round":1,"force":true})"},
      {"open_round", R"({"contest":"cc","round":1,"candidates":"a"})"},
      {"open_round", R"({"contest":"cc","round":1,"candidates":[1]})"},
      {"open_round", R"({"contest":"cc","round":1,"candidates":["a b"]})"},
      {"open_round", R"({"contest":"cc","round":1,"seats":-1})"},
      {"open_round", R"({"contest":"cc","round":1,"seats":"1"})"},
      {"open_round", R"({"contest":"cc","round":1,"new_nominations":["f"]})"},
      {"open_round", R"({"contest":"cc","round":1,"new_nominations":[{"id":"f"}]})"},
      {"open_round", R"({"contest":"cc","round":1,"new_nominations":[{"id":"f f","name":"F"}]})"},
      {"open_round",
       R"({"contest":"cc","round":1,"new_nominations":[{"id":"f","name":"F","x":1}]})"},
      // close_round: contest and round only
      {"close_round", R"({"contest":"cc","round":1,"candidates":["a"]})"},
      {"close_round", R"({"contest":"cc"})"},
      // conclude_contest: contest only
      {"conclude_contest", R"({})"},
      {"conclude_contest", R"({"contest":"cc","round":1})"},
      // terminals
      {"enrol_terminal", R"({})"},
      {"enrol_terminal", R"({"terminal":"a b","public_key":"PEM:k7"})"},
      {"enrol_terminal", R"({"terminal":"","public_key":"PEM:k7"})"},
      {"enrol_terminal", R"({"terminal":")" + long_id + R"(","public_key":"PEM:k7"})"},
      {"enrol_terminal", R"({"terminal":"t1","public_key":5})"},
      {"enrol_terminal", R"({"terminal":"t1","name":"front desk"})"},
      {"revoke_terminal", R"({})"},
      {"revoke_terminal", R"({"terminal":"-t"})"},
      {"revoke_terminal", R"({"terminal":"t1","reason":"lost"})"},
  }));
  CAPTURE(name, args);
  CHECK(k.refused(name, args) == cg::Code::bad_argument);
}

TEST_CASE("arguments at the edges of their ranges are accepted", "[congress]") {
  Congress k;
  SECTION("attendance 0 and attendance equal to convened; the last one recorded counts") {
    k.ok("record_attendance", R"({"present":0})");
    CHECK(k.state.present == 0u);
    auto a = k.ok("record_attendance", R"({"present":500})");
    CHECK(k.state.present == 500u);
    CHECK(a.effect.command == "record_attendance");
  }
  SECTION("1 token and 10000 tokens") {
    k.ok("issue_tokens", R"({"contest":"cc","round":1,"count":1})");
    auto a = k.ok("issue_tokens", R"({"contest":"cc","round":1,"count":10000})");
    CHECK(a.effect.count == 10000);
    CHECK(k.round("cc", 1).tokens_issued == 10001);
  }
  SECTION("a terminal id of 64 characters with dot, underscore and hyphen inside") {
    const std::string id = "t-1.a_b" + std::string(57, 'z');
    REQUIRE(id.size() == 64);
    auto a = k.ok("enrol_terminal", R"({"terminal":")" + id + R"(","public_key":"PEM:k7"})");
    CHECK(a.effect.terminal == id);
    CHECK(k.state.terminals.contains(id));
  }
}

// ===================================================================== terminals

TEST_CASE("a terminal the session lists enrols with or without its listed key", "[congress]") {
  Congress k;
  k.ok("record_attendance", R"({"present":10})");
  k.ok("record_attendance", R"({"present":11})");
  const std::string args = GENERATE(as<std::string>{}, R"({"terminal":"t1"})",
                                    R"({"terminal":"t1","public_key":"PEM:k1"})");
  CAPTURE(args);
  const cg::Applied a = k.ok("enrol_terminal", args);
  CHECK(a.effect.command == "enrol_terminal");
  CHECK(a.effect.terminal == "t1");
  REQUIRE(k.state.terminals.contains("t1"));
  const cg::TerminalState& t = k.state.terminals.find("t1")->second;
  CHECK(t.keyid == "keyid-k1");
  CHECK_FALSE(t.revoked);
  CHECK(t.enrolled_at == 2);  // the third command of the log
  CHECK_FALSE(t.revoked_at.has_value());
  CHECK(k.state.log_size == 3);
}

TEST_CASE("an unlisted terminal enrols with a usable key of its own", "[congress]") {
  Congress k;
  k.ok("enrol_terminal", R"({"terminal":"t7","public_key":"PEM:k7"})");
  const cg::TerminalState& t = k.state.terminals.find("t7")->second;
  CHECK(t.keyid == "keyid-k7");
  CHECK(t.public_key == "PEM:k7");
  CHECK(t.enrolled_at == 0);
}

TEST_CASE("enrol_terminal refuses what the rules on keys and terminal states forbid",
          "[congress]") {
  Congress k;
  k.ok("enrol_terminal", R"({"terminal":"t3","public_key":"PEM:k3"})");
  k.ok("enrol_terminal", R"({"terminal":"t4","public_key":"PEM:k4"})");
  k.ok("revoke_terminal", R"({"terminal":"t4"})");
  k.ok("enrol_terminal", R"({"terminal":"t1"})");
  auto [args, code] = GENERATE(table<std::string, cg::Code>({
      // an unlisted terminal needs a key
      {R"({"terminal":"t9"})", cg::Code::key_required},
      // a key that is not a usable key
      {R"({"terminal":"t9","public_key":"garbage"})", cg::Code::key_invalid},
      {R"({"terminal":"t2","public_key":"garbage"})", cg::Code::key_invalid},
      // a listed terminal with another key than the listed one
      {R"({"terminal":"t2","public_key":"PEM:k9"})", cg::Code::key_mismatch},
      // someone else's key: an enrolled terminal's, a revoked one's, another listed
      // terminal's, an official's, a committee member's
      {R"({"terminal":"t9","public_key":"PEM:k3"})", cg::Code::key_in_use},
      {R"({"terminal":"t9","public_key":"PEM:k4"})", cg::Code::key_in_use},
      {R"({"terminal":"t9","public_key":"PEM:k2"})", cg::Code::key_in_use},
      {R"({"terminal":"t9","public_key":"PEM:k1"})", cg::Code::key_in_use},
      {R"({"terminal":"t9","public_key":"PEM:o1"})", cg::Code::key_in_use},
      {R"({"terminal":"t9","public_key":"PEM:o2"})", cg::Code::key_in_use},
      {R"({"terminal":"t9","public_key":"PEM:m1"})", cg::Code::key_in_use},
      // states
      {R"({"terminal":"t1"})", cg::Code::terminal_enrolled},
      {R"({"terminal":"t3","public_key":"PEM:k3"})", cg::Code::terminal_enrolled},
      {R"({"terminal":"t4","public_key":"PEM:k4"})", cg::Code::terminal_revoked},
      {R"({"terminal":"t4","public_key":"PEM:k8"})", cg::Code::terminal_revoked},
  }));
  CAPTURE(args);
  CHECK(k.refused("enrol_terminal", args) == code);
}

TEST_CASE("revoke_terminal revokes an enrolled terminal once and records where", "[congress]") {
  Congress k;
  k.ok("enrol_terminal", R"({"terminal":"t1"})");
  k.ok("record_attendance", R"({"present":1})");
  SECTION("a terminal never enrolled, listed or not, is terminal_not_enrolled") {
    CHECK(k.refused("revoke_terminal", R"({"terminal":"t2"})") == cg::Code::terminal_not_enrolled);
    CHECK(k.refused("revoke_terminal", R"({"terminal":"t9"})") == cg::Code::terminal_not_enrolled);
  }
  SECTION("revoked, then revoking again is terminal_revoked") {
    const cg::Applied a = k.ok("revoke_terminal", R"({"terminal":"t1"})");
    CHECK(a.effect.command == "revoke_terminal");
    CHECK(a.effect.terminal == "t1");
    const cg::TerminalState& t = k.state.terminals.find("t1")->second;
    CHECK(t.revoked);
    CHECK(t.enrolled_at == 0);
    CHECK(t.revoked_at == 2u);
    CHECK(t.keyid == "keyid-k1");
    CHECK(k.refused("revoke_terminal", R"({"terminal":"t1"})") == cg::Code::terminal_revoked);
    CHECK(k.refused("enrol_terminal", R"({"terminal":"t1"})") == cg::Code::terminal_revoked);
  }
}

// ===================================================================== issue_tokens

TEST_CASE("tokens may be issued for the next round before it opens and for the open round",
          "[congress]") {
  Congress k;
  const cg::Applied a = k.ok("issue_tokens", R"({"contest":"cc","round":1,"count":5})");
  CHECK(a.effect.command == "issue_tokens");
  CHECK(a.effect.contest == "cc");
  CHECK(a.effect.round == 1);
  CHECK(a.effect.count == 5);
  CHECK(k.round("cc", 1).phase == cg::Phase::pending);
  CHECK(k.contest("cc").last_started() == 0);
  CHECK(k.contest("cc").state() == "voting");
  k.ok("issue_tokens", R"({"contest":"cc","round":1,"count":7})");
  CHECK(k.round("cc", 1).tokens_issued == 12);
  k.open("cc", 1);
  CHECK(k.round("cc", 1).tokens_issued == 12);
  k.ok("issue_tokens", R"({"contest":"cc","round":1,"count":3})");
  CHECK(k.round("cc", 1).tokens_issued == 15);
  CHECK(k.round("cc", 1).phase == cg::Phase::open);
  // Round 2 is the next one while round 1 votes: its tokens may be printed ahead.
  k.ok("issue_tokens", R"({"contest":"cc","round":2,"count":4})");
  CHECK(k.round("cc", 2).phase == cg::Phase::pending);
  CHECK(k.round("cc", 2).tokens_issued == 4);
  // Other contests are untouched.
  CHECK(k.contest("del").rounds.empty());
}

TEST_CASE("issue_tokens refuses a closed round, a round that is not next and an unknown contest",
          "[congress]") {
  Congress k;
  SECTION("no round opened yet: only round 1") {
    CHECK(k.refused("issue_tokens", R"({"contest":"cc","round":2,"count":5})") ==
          cg::Code::round_not_next);
    CHECK(k.refused("issue_tokens", R"({"contest":"nope","round":1,"count":5})") ==
          cg::Code::unknown_contest);
  }
  SECTION("after round 1 closed with a tie: round 1 is closed, round 3 is not next") {
    k.run("cc", 1, tie({"a"}, {"b", "c", "d"}, 2));
    CHECK(k.refused("issue_tokens", R"({"contest":"cc","round":1,"count":5})") ==
          cg::Code::round_closed);
    CHECK(k.refused("issue_tokens", R"({"contest":"cc","round":3,"count":5})") ==
          cg::Code::round_not_next);
    k.ok("issue_tokens", R"({"contest":"cc","round":2,"count":5})");
  }
}

// ===================================================================== open_round

TEST_CASE("round 1 of an ordinary contest opens on the session's list and places", "[congress]") {
  Congress k;
  k.ok("record_attendance", R"({"present":10})");
  const cg::Applied a = k.open("del", 1);
  CHECK(a.effect.command == "open_round");
  CHECK(a.effect.contest == "del");
  CHECK(a.effect.round == 1);
  const cg::RoundState& r = k.round("del", 1);
  CHECK(r.phase == cg::Phase::open);
  CHECK(r.opened_at == 1);
  REQUIRE(r.ballot.has_value());
  CHECK(r.ballot->seats == 2);
  CHECK(r.ballot->alternates == 2);
  CHECK_FALSE(r.ballot->alternates_only);
  CHECK(ids_of(r.ballot->candidates) == Ids{"d1", "d2", "d3", "d4", "d5", "d6"});
  CHECK(r.ballot->candidates[0].name == "Candidate d1");
  REQUIRE(r.ballot->find_candidate("d4") != nullptr);
  CHECK(r.ballot->find_candidate("d4")->name == "Candidate d4");
  CHECK(r.ballot->find_candidate("zz") == nullptr);
  CHECK(k.contest("del").open_round() == 1u);
  CHECK(k.contest("del").last_started() == 1);
  CHECK(k.contest("del").state() == "voting");
  CHECK_FALSE(k.contest("del").complete());
}

TEST_CASE("open_round refuses a round while another is open and a round that is not next",
          "[congress]") {
  Congress k;
  SECTION("nothing opened yet") {
    CHECK(k.refused("open_round", round_args("cc", 2)) == cg::Code::round_not_next);
    CHECK(k.refused("open_round", round_args("nope", 1)) == cg::Code::unknown_contest);
  }
  SECTION("round 1 open") {
    k.open("cc", 1);
    CHECK(k.refused("open_round", round_args("cc", 2)) == cg::Code::round_open);
    // Other contests open independently.
    k.open("del", 1);
    CHECK(k.contest("del").open_round() == 1u);
  }
  SECTION("round 1 closed with unfilled seats") {
    k.run("cc", 1, unfilled({"a"}, 2));
    CHECK(k.refused("open_round", round_args("cc", 1)) == cg::Code::round_not_next);
    CHECK(k.refused("open_round", round_args("cc", 3)) == cg::Code::round_not_next);
  }
}

TEST_CASE("round 1 of an ordinary contest takes no list, places or nominations", "[congress]") {
  Congress k;
  auto extra = GENERATE(as<std::string>{}, R"(,"candidates":["a","b","c"])",
                        R"(,"candidates":["a","b","c","d","e"])", R"(,"seats":3)", R"(,"seats":2)",
                        R"(,"alternates":0)", R"(,"new_nominations":[{"id":"f","name":"F"}])");
  CAPTURE(extra);
  CHECK(k.refused("open_round", round_args("cc", 1, extra)) == cg::Code::list_not_allowed);
}

TEST_CASE("a round whose contest cannot be counted never reaches the count", "[congress]") {
  Congress k;
  // A cell secretary contest that the session gives two seats: the rule set elects one person.
  for (auto& c : k.session.contests) {
    if (c.id == "cell") c.seats = 2;
  }
  k.state = cg::initial_state(k.session);
  const cg::Decision d = k.decide(k.command("open_round", round_args("cell", 1)), "o1");
  if (d.applied) {
    k.state = d.applied->state;
    ++k.seq;
    CHECK(k.refused("close_round", round_args("cell", 1)) == cg::Code::round_cannot_be_counted);
  } else {
    CHECK(d.refusal.code == cg::Code::round_cannot_be_counted);
  }
  CHECK(k.counted.empty());
}

// ===================================================================== close_round

TEST_CASE("close_round closes only the open round", "[congress]") {
  Congress k;
  SECTION("never opened") {
    CHECK(k.refused("close_round", round_args("cc", 1)) == cg::Code::round_not_open);
  }
  SECTION("tokens issued but not opened") {
    k.ok("issue_tokens", R"({"contest":"cc","round":1,"count":5})");
    CHECK(k.refused("close_round", round_args("cc", 1)) == cg::Code::round_not_open);
  }
  SECTION("already closed") {
    k.run("cc", 1, complete({"a", "b", "c"}));
    CHECK(k.refused("close_round", round_args("cc", 1)) == cg::Code::round_not_open);
  }
  SECTION("another round") {
    k.open("cc", 1);
    CHECK(k.refused("close_round", round_args("cc", 2)) == cg::Code::round_not_open);
  }
  SECTION("an unknown contest") {
    CHECK(k.refused("close_round", round_args("nope", 1)) == cg::Code::unknown_contest);
  }
  CHECK(k.counted.size() <= 1);
}

TEST_CASE("the count receives the round's list, places, rule set and basis counts", "[congress]") {
  Congress k;
  k.ok("record_attendance", R"({"present":321})");
  k.ok("issue_tokens", R"({"contest":"cc","round":1,"count":9})");
  k.open("cc", 1);
  REQUIRE(k.counted.empty());
  const cg::Applied a = k.close("cc", 1, complete({"b", "a", "e"}));
  REQUIRE(k.counted.size() == 1);
  const tl::Contest& c = k.counted[0];
  CHECK(c.id == "cc");
  CHECK(c.title == "Contest cc");
  CHECK(c.seats == 3);
  CHECK(c.alternates == 0);
  CHECK(ids_of(c.candidates) == Ids{"a", "b", "c", "d", "e"});
  CHECK(c.rule_set.name == "cpv-2024");
  CHECK(c.majority_basis == tl::MajorityBasis::convened);
  CHECK(c.convened == 500);
  CHECK(c.excluded == 4);
  CHECK(c.present == 321);
  CHECK(c.round == 1);
  CHECK(tl::check_contest(c) == tl::ContestProblem::none);

  CHECK(a.effect.command == "close_round");
  CHECK(a.effect.contest == "cc");
  CHECK(a.effect.round == 1);
  const cg::RoundState& r = k.round("cc", 1);
  CHECK(r.phase == cg::Phase::closed);
  CHECK(r.opened_at == 2);
  CHECK(r.closed_at == 3);
  CHECK(r.present == 321u);
  CHECK(r.tokens_issued == 9);
  REQUIRE(r.result.has_value());
  CHECK(r.result->elected == Ids{"b", "a", "e"});
  CHECK(r.result->outcome == tl::Outcome::complete);

  const cg::ContestState& s = k.contest("cc");
  CHECK(s.elected == Ids{"b", "a", "e"});
  CHECK(s.last_closed == 1);
  CHECK_FALSE(s.open_round().has_value());
  REQUIRE(s.last_next.has_value());
  CHECK(s.last_next->step == tl::NextStep::none);
  CHECK(s.complete());
  CHECK(s.state() == "complete");
  CHECK(ids_of(s.known) == Ids{"a", "b", "c", "d", "e"});
}

TEST_CASE("the round's contest is the engine's view: round_contest", "[congress]") {
  const cg::SessionRules session = make_session();
  const cg::ContestRules& cell = *session.find_contest("cell");
  cg::RoundBallot ballot;
  ballot.seats = 1;
  ballot.candidates = cands({"y", "z"});
  SECTION("no attendance recorded counts as 0 present") {
    const tl::Contest c = cg::round_contest(session, cell, 2, ballot, std::nullopt, cell.excluded);
    CHECK(c.id == "cell");
    CHECK(c.round == 2);
    CHECK(c.seats == 1);
    CHECK(c.alternates == 0);
    CHECK(ids_of(c.candidates) == Ids{"y", "z"});
    CHECK(c.rule_set.name == "cpv-2024-cell-secretary");
    CHECK(c.rule_set.max_rounds == 3);
    CHECK(c.rule_set.appointment_when_exhausted);
    CHECK(c.convened == 500);
    CHECK(c.present == 0);
  }
  SECTION("the basis present and the attendance") {
    const tl::Contest c = cg::round_contest(session, *session.find_contest("pres"), 1,
                                            cg::RoundBallot{1, 0, false, cands({"p", "q"})}, 42u, 0);
    CHECK(c.majority_basis == tl::MajorityBasis::present);
    CHECK(c.present == 42);
  }
}

TEST_CASE("a contest on the basis present cannot close before attendance is recorded",
          "[congress]") {
  Congress k;
  k.open("pres", 1);
  CHECK(k.refused("close_round", round_args("pres", 1)) == cg::Code::attendance_required);
  CHECK(k.counted.empty());
  CHECK(k.round("pres", 1).phase == cg::Phase::open);
  k.ok("record_attendance", R"({"present":120})");
  k.close("pres", 1, complete({"q"}));
  REQUIRE(k.counted.size() == 1);
  CHECK(k.counted[0].majority_basis == tl::MajorityBasis::present);
  CHECK(k.counted[0].present == 120);
  CHECK(k.round("pres", 1).present == 120u);
  CHECK(k.contest("pres").elected == Ids{"q"});
}

TEST_CASE("a contest on the basis convened closes without attendance", "[congress]") {
  Congress k;
  k.open("cc", 1);
  k.close("cc", 1, complete({"a", "b", "c"}));
  REQUIRE(k.counted.size() == 1);
  CHECK(k.counted[0].present == 0);
  CHECK_FALSE(k.round("cc", 1).present.has_value());
}

TEST_CASE("the contest's state follows its last minutes", "[congress]") {
  Congress k;
  auto [result, state, complete_now, step] =
      GENERATE(table<tl::Result, std::string, bool, tl::NextStep>({
          {complete({"a", "b", "c"}), "complete", true, tl::NextStep::none},
          {tie({"a"}, {"b", "c", "d"}, 2), "tie", false, tl::NextStep::runoff},
          {unfilled({"a"}, 2), "unfilled", false, tl::NextStep::further_round},
          {unfilled({}, 3), "unfilled", false, tl::NextStep::further_round},
      }));
  CAPTURE(state);
  k.open("cc", 1);
  CHECK(k.contest("cc").state() == "voting");
  k.close("cc", 1, result);
  const cg::ContestState& s = k.contest("cc");
  CHECK(s.state() == state);
  CHECK(s.complete() == complete_now);
  REQUIRE(s.last_next.has_value());
  CHECK(s.last_next->step == step);
  CHECK(s.elected == result.elected);
}

// ===================================================================== after a tie

TEST_CASE("after a tie round 2 is the run-off among all the tied for the places left",
          "[congress]") {
  Congress k;
  k.run("cc", 1, tie({"a"}, {"b", "c", "d"}, 2));
  const cg::ContestState& s = k.contest("cc");
  REQUIRE(s.last_next.has_value());
  CHECK(s.last_next->step == tl::NextStep::runoff);
  CHECK(s.last_next->round == 2);
  CHECK(s.last_next->seats == 2);
  CHECK(s.last_next->eligible == Ids{"b", "c", "d"});
  CHECK_FALSE(s.last_next->new_nominations_allowed);
  CHECK(s.elected == Ids{"a"});

  SECTION("the defaults: the tied, the places left") {
    k.open("cc", 2);
  }
  SECTION("the same given explicitly") {
    k.open("cc", 2, R"(,"candidates":["b","c","d"],"seats":2,"alternates":0)");
  }
  SECTION("the tied in another order keep the ballot order") {
    k.open("cc", 2, R"(,"candidates":["d","b","c"])");
  }
  const cg::RoundState& r = k.round("cc", 2);
  CHECK(r.phase == cg::Phase::open);
  REQUIRE(r.ballot.has_value());
  CHECK(ids_of(r.ballot->candidates) == Ids{"b", "c", "d"});
  CHECK(r.ballot->seats == 2);
  CHECK(r.ballot->alternates == 0);
  CHECK_FALSE(r.ballot->alternates_only);

  k.close("cc", 2, complete({"c", "b"}));
  CHECK(k.counted.back().round == 2);
  CHECK(k.counted.back().seats == 2);
  CHECK(ids_of(k.counted.back().candidates) == Ids{"b", "c", "d"});
  CHECK(k.contest("cc").elected == Ids{"a", "c", "b"});
  CHECK(k.contest("cc").complete());
  CHECK(k.contest("cc").state() == "complete");
}

TEST_CASE("a run-off refuses a list other than all the tied, nominations and other places",
          "[congress]") {
  Congress k;
  k.run("cc", 1, tie({"a"}, {"b", "c", "d"}, 2));
  auto [extra, code] = GENERATE(table<std::string, cg::Code>({
      {R"(,"candidates":["b","c"])", cg::Code::runoff_incomplete},
      {R"(,"candidates":["b"])", cg::Code::runoff_incomplete},
      {R"(,"candidates":["b","c","d","e"])", cg::Code::not_eligible},
      {R"(,"candidates":["a","b","c","d"])", cg::Code::not_eligible},
      {R"(,"candidates":["b","c","zz"])", cg::Code::not_eligible},
      {R"(,"candidates":["b","c","d","b"])", cg::Code::duplicate_candidate},
      {R"(,"new_nominations":[{"id":"f","name":"F"}])", cg::Code::list_not_allowed},
      {R"(,"seats":3)", cg::Code::places_mismatch},
      {R"(,"seats":1)", cg::Code::places_mismatch},
      {R"(,"alternates":1)", cg::Code::places_mismatch},
  }));
  CAPTURE(extra);
  CHECK(k.refused("open_round", round_args("cc", 2, extra)) == code);
}

TEST_CASE("a run-off that ties again calls for another run-off among the new tied", "[congress]") {
  Congress k;
  k.run("cc", 1, tie({"a"}, {"b", "c", "d"}, 2));
  k.run("cc", 2, tie({"d"}, {"b", "c"}, 1));
  CHECK(k.contest("cc").elected == Ids{"a", "d"});
  CHECK(k.contest("cc").state() == "tie");
  CHECK(k.refused("open_round", round_args("cc", 3, R"(,"candidates":["b","c","d"])")) ==
        cg::Code::not_eligible);
  k.open("cc", 3);
  CHECK(k.ballot_ids("cc", 3) == Ids{"b", "c"});
  CHECK(k.round("cc", 3).ballot->seats == 1);
}

// ===================================================================== after unfilled seats

TEST_CASE("after unfilled seats anyone of the contest not yet elected may stand, with new names",
          "[congress]") {
  Congress k;
  k.run("cc", 1, unfilled({"a"}, 2));
  const cg::ContestState& s = k.contest("cc");
  REQUIRE(s.last_next.has_value());
  CHECK(s.last_next->step == tl::NextStep::further_round);
  CHECK(s.last_next->seats == 2);
  CHECK(s.last_next->eligible == Ids{"b", "c", "d", "e"});
  CHECK(s.last_next->new_nominations_allowed);

  SECTION("the default list: everyone not yet elected, for the places left") {
    k.open("cc", 2);
    CHECK(k.ballot_ids("cc", 2) == Ids{"b", "c", "d", "e"});
    CHECK(k.round("cc", 2).ballot->seats == 2);
  }
  SECTION("a chosen few") {
    k.open("cc", 2, R"(,"candidates":["e","c"],"seats":2)");
    CHECK(sorted(k.ballot_ids("cc", 2)) == Ids{"c", "e"});
  }
  SECTION("with a new nomination, added after the list") {
    k.open("cc", 2, R"(,"new_nominations":[{"id":"f","name":"Nominee F"}])");
    CHECK(k.ballot_ids("cc", 2) == Ids{"b", "c", "d", "e", "f"});
    const tl::Candidate* f = k.round("cc", 2).ballot->find_candidate("f");
    REQUIRE(f != nullptr);
    CHECK(f->name == "Nominee F");
    k.close("cc", 2, complete({"f", "b"}));
    CHECK(ids_of(k.counted.back().candidates) == Ids{"b", "c", "d", "e", "f"});
    CHECK(ids_of(k.contest("cc").known) == Ids{"a", "b", "c", "d", "e", "f"});
    CHECK(k.contest("cc").known.back().name == "Nominee F");
    CHECK(k.contest("cc").elected == Ids{"a", "f", "b"});
    CHECK(k.contest("cc").state() == "complete");
  }
}

TEST_CASE("a further round after unfilled seats refuses who may not stand and other places",
          "[congress]") {
  Congress k;
  k.run("cc", 1, unfilled({"a"}, 2));
  auto [extra, code] = GENERATE(table<std::string, cg::Code>({
      {R"(,"candidates":["a","b"])", cg::Code::not_eligible},
      {R"(,"candidates":["b","zz"])", cg::Code::not_eligible},
      {R"(,"candidates":["b","c","b"])", cg::Code::duplicate_candidate},
      {R"(,"new_nominations":[{"id":"b","name":"B again"}])", cg::Code::nomination_stood},
      {R"(,"new_nominations":[{"id":"a","name":"A again"}])", cg::Code::nomination_stood},
      {R"(,"new_nominations":[{"id":"f","name":"F"},{"id":"f","name":"F"}])",
       cg::Code::duplicate_candidate},
      {R"(,"seats":1)", cg::Code::places_mismatch},
      {R"(,"seats":3)", cg::Code::places_mismatch},
      {R"(,"alternates":1)", cg::Code::places_mismatch},
      {R"(,"candidates":[])", cg::Code::no_candidates},
  }));
  CAPTURE(extra);
  CHECK(k.refused("open_round", round_args("cc", 2, extra)) == code);
}

TEST_CASE("a nomination stands once: in a later round it is nomination_stood", "[congress]") {
  Congress k;
  k.run("cc", 1, unfilled({"a"}, 2));
  k.run("cc", 2, unfilled({"b"}, 1), R"(,"new_nominations":[{"id":"f","name":"F"}])");
  CHECK(k.refused("open_round",
                  round_args("cc", 3, R"(,"new_nominations":[{"id":"f","name":"F"}])")) ==
        cg::Code::nomination_stood);
  k.open("cc", 3, R"(,"new_nominations":[{"id":"g","name":"G"}])");
  CHECK(k.ballot_ids("cc", 3) == Ids{"c", "d", "e", "f", "g"});
  CHECK(k.round("cc", 3).ballot->seats == 1);
}

TEST_CASE("after unfilled seats the next step is widened to everyone known not yet elected",
          "[congress]") {
  Congress k;
  k.run("cc", 1, unfilled({"a"}, 2));
  // Round 2 is voted on b and c only, plus the nominee f; it elects f.
  k.run("cc", 2, unfilled({"f"}, 1),
        R"(,"candidates":["b","c"],"new_nominations":[{"id":"f","name":"F"}])");
  CHECK(ids_of(k.counted.back().candidates) == Ids{"b", "c", "f"});
  const cg::ContestState& s = k.contest("cc");
  CHECK(s.elected == Ids{"a", "f"});
  REQUIRE(s.last_next.has_value());
  CHECK(s.last_next->step == tl::NextStep::further_round);
  CHECK(s.last_next->round == 3);
  CHECK(s.last_next->seats == 1);
  // d and e did not stand in round 2 and may stand again in round 3.
  CHECK(s.last_next->eligible == Ids{"b", "c", "d", "e"});
  k.open("cc", 3);
  CHECK(k.ballot_ids("cc", 3) == Ids{"b", "c", "d", "e"});
}

TEST_CASE("next_step widens only a further round after unfilled places", "[congress]") {
  tl::Contest round2;
  round2.id = "cc";
  round2.seats = 2;
  round2.round = 2;
  round2.convened = 500;
  round2.candidates = cands({"b", "c", "f"});
  cg::ContestState after;
  after.known = cands({"a", "b", "c", "d", "e", "f", "g"});
  after.elected = {"a", "f"};
  after.elected_alternates = {"g"};
  SECTION("unfilled: everyone known minus the elected and the elected alternates, in known order") {
    const tl::FurtherRound n = cg::next_step(round2, unfilled({"f"}, 1), after);
    CHECK(n.step == tl::NextStep::further_round);
    CHECK(n.round == 3);
    CHECK(n.seats == 1);
    CHECK(n.congress_decides);
    CHECK(n.new_nominations_allowed);
    CHECK(n.eligible == Ids{"b", "c", "d", "e"});
  }
  SECTION("tie: the tied only") {
    const tl::FurtherRound n = cg::next_step(round2, tie({"f"}, {"b", "c"}, 1), after);
    CHECK(n.step == tl::NextStep::runoff);
    CHECK(n.eligible == Ids{"b", "c"});
    CHECK(n.seats == 1);
  }
  SECTION("complete: none") {
    const tl::FurtherRound n = cg::next_step(round2, complete({"f", "b"}), after);
    CHECK(n.step == tl::NextStep::none);
    CHECK(n.eligible.empty());
  }
  SECTION("exhausted: the appointment") {
    const tl::FurtherRound n = cg::next_step(round2, exhausted(), after);
    CHECK(n.step == tl::NextStep::appointment);
    CHECK(n.eligible.empty());
  }
}

TEST_CASE("record_count closes the round, adds the elected in rank order and sets the next step",
          "[congress]") {
  const cg::SessionRules session = make_session();
  const cg::ContestRules& def = *session.find_contest("del");
  cg::ContestState c;
  const cg::RoundBallot first{2, 2, false, cands({"d1", "d2", "d3", "d4", "d5", "d6"})};
  cg::record_count(c, 1, first, cg::round_contest(session, def, 1, first, std::nullopt, def.excluded),
                   complete({"d2", "d1"}, {"d5"}, 1));
  REQUIRE(c.rounds.contains(1));
  CHECK(c.rounds[1].phase == cg::Phase::closed);
  REQUIRE(c.rounds[1].ballot.has_value());
  CHECK(*c.rounds[1].ballot == first);
  REQUIRE(c.rounds[1].result.has_value());
  CHECK(c.rounds[1].result->elected == Ids{"d2", "d1"});
  CHECK(c.elected == Ids{"d2", "d1"});
  CHECK(c.elected_alternates == Ids{"d5"});
  CHECK(ids_of(c.known) == Ids{"d1", "d2", "d3", "d4", "d5", "d6"});
  CHECK(c.last_closed == 1);
  REQUIRE(c.last_next.has_value());
  CHECK(c.last_next->step == tl::NextStep::further_round);
  CHECK(c.last_next->alternates_only);
  CHECK(c.last_next->eligible == Ids{"d3", "d4", "d6"});
  CHECK(c.state() == "unfilled");

  // An alternates-only round with a new nominee: its winners take alternate places.
  const cg::RoundBallot second{1, 0, true, cands({"d4", "d6", "n1"})};
  cg::record_count(c, 2, second, cg::round_contest(session, def, 2, second, std::nullopt, def.excluded),
                   complete({"n1"}));
  CHECK(c.elected == Ids{"d2", "d1"});
  CHECK(c.elected_alternates == Ids{"d5", "n1"});
  CHECK(ids_of(c.known) == Ids{"d1", "d2", "d3", "d4", "d5", "d6", "n1"});
  CHECK(c.last_closed == 2);
  CHECK(c.last_next->step == tl::NextStep::none);
  CHECK(c.complete());
}

// ===================================================================== no further round

TEST_CASE("no round follows complete minutes or a concluded contest", "[congress]") {
  Congress k;
  SECTION("complete") {
    k.run("cc", 1, complete({"a", "b", "c"}));
    CHECK(k.refused("open_round", round_args("cc", 2)) == cg::Code::no_further_round);
  }
  SECTION("concluded after unfilled") {
    k.run("cc", 1, unfilled({"a"}, 2));
    k.ok("conclude_contest", R"({"contest":"cc"})");
    CHECK(k.refused("open_round", round_args("cc", 2)) == cg::Code::contest_concluded);
    CHECK(k.refused("open_round",
                    round_args("cc", 2, R"(,"new_nominations":[{"id":"f","name":"F"}])")) ==
          cg::Code::contest_concluded);
  }
}

// ===================================================================== conclude_contest

TEST_CASE("after unfilled seats the congress may conclude the contest", "[congress]") {
  Congress k;
  k.run("cc", 1, unfilled({"a"}, 2));
  const cg::Applied a = k.ok("conclude_contest", R"({"contest":"cc"})");
  CHECK(a.effect.command == "conclude_contest");
  CHECK(a.effect.contest == "cc");
  const cg::ContestState& s = k.contest("cc");
  CHECK(s.concluded);
  CHECK(s.complete());
  CHECK(s.state() == "concluded");
  CHECK(s.elected == Ids{"a"});
  CHECK(k.refused("conclude_contest", R"({"contest":"cc"})") == cg::Code::contest_concluded);
}

TEST_CASE("conclude_contest is refused unless the last minutes leave places unfilled",
          "[congress]") {
  Congress k;
  SECTION("no round closed") {
    CHECK(k.refused("conclude_contest", R"({"contest":"cc"})") == cg::Code::conclude_not_allowed);
    k.open("cc", 1);
    CHECK(k.refused("conclude_contest", R"({"contest":"cc"})") !=
          cg::Code::malformed_command);  // refused, whichever of the two codes
  }
  SECTION("complete") {
    k.run("cc", 1, complete({"a", "b", "c"}));
    CHECK(k.refused("conclude_contest", R"({"contest":"cc"})") == cg::Code::conclude_not_allowed);
  }
  SECTION("a tie: the run-off is due") {
    k.run("cc", 1, tie({"a"}, {"b", "c", "d"}, 2));
    CHECK(k.refused("conclude_contest", R"({"contest":"cc"})") == cg::Code::conclude_not_allowed);
  }
  SECTION("unknown contest") {
    CHECK(k.refused("conclude_contest", R"({"contest":"nope"})") == cg::Code::unknown_contest);
  }
}

TEST_CASE("a contest cannot be concluded while one of its rounds is open", "[congress]") {
  Congress k;
  k.run("cc", 1, unfilled({"a"}, 2));
  k.open("cc", 2);
  CHECK(k.refused("conclude_contest", R"({"contest":"cc"})") == cg::Code::round_open);
  k.close("cc", 2, unfilled({"b"}, 1));
  k.ok("conclude_contest", R"({"contest":"cc"})");
  CHECK(k.contest("cc").elected == Ids{"a", "b"});
}

// ===================================================================== the two forgeries

TEST_CASE(
    "forgery: a tie at the committee's last seat cannot be concluded away, the run-off is due",
    "[congress]") {
  Congress k;
  k.run("cc", 1, tie({"a", "b"}, {"c", "d"}, 1));
  CHECK(k.contest("cc").state() == "tie");
  CHECK(k.refused("conclude_contest", R"({"contest":"cc"})") == cg::Code::conclude_not_allowed);
  // Nor may the secretary be elected from the incomplete committee.
  CHECK(k.refused("open_round", round_args("sec", 1)) == cg::Code::source_incomplete);
  k.open("cc", 2);
  CHECK(k.ballot_ids("cc", 2) == Ids{"c", "d"});
  CHECK(k.round("cc", 2).ballot->seats == 1);
}

TEST_CASE("forgery: the secretary's round cannot open before the committee's run-off has closed",
          "[congress]") {
  Congress k;
  k.run("cc", 1, tie({"a"}, {"b", "c", "d"}, 2));
  // Tokens for the secretary's first round may be printed ahead...
  k.ok("issue_tokens", R"({"contest":"sec","round":1,"count":30})");
  CHECK(k.round("sec", 1).phase == cg::Phase::pending);
  // ...but the round opens only once the committee is complete.
  CHECK(k.refused("open_round", round_args("sec", 1)) == cg::Code::source_incomplete);
  CHECK(k.refused("open_round", round_args("sec", 1, R"(,"candidates":["a"])")) ==
        cg::Code::source_incomplete);
  k.open("cc", 2);
  CHECK(k.refused("open_round", round_args("sec", 1)) == cg::Code::source_incomplete);
  k.close("cc", 2, complete({"c", "b"}));
  k.open("sec", 1);
  CHECK(sorted(k.ballot_ids("sec", 1)) == Ids{"a", "b", "c"});
  CHECK(k.round("sec", 1).tokens_issued == 30);
  CHECK(k.round("sec", 1).ballot->seats == 1);
}

// ===================================================================== elect_from

TEST_CASE("an elect-from contest waits until its source is complete or concluded", "[congress]") {
  Congress k;
  SECTION("no round of the source") {
    CHECK(k.refused("open_round", round_args("sec", 1)) == cg::Code::source_incomplete);
  }
  SECTION("the source's round open") {
    k.open("cc", 1);
    CHECK(k.refused("open_round", round_args("sec", 1)) == cg::Code::source_incomplete);
  }
  SECTION("the source unfilled, the congress not decided") {
    k.run("cc", 1, unfilled({"a", "b"}, 1));
    CHECK(k.refused("open_round", round_args("sec", 1)) == cg::Code::source_incomplete);
    k.ok("conclude_contest", R"({"contest":"cc"})");
    k.open("sec", 1);
    CHECK(sorted(k.ballot_ids("sec", 1)) == Ids{"a", "b"});
  }
  SECTION("the source concluded with no one elected: no one may stand") {
    k.run("cc", 1, unfilled({}, 3));
    k.ok("conclude_contest", R"({"contest":"cc"})");
    CHECK(k.refused("open_round", round_args("sec", 1)) == cg::Code::no_candidates);
  }
}

TEST_CASE("an elect-from contest stands the source's elected: the session's list or all",
          "[congress]") {
  Congress k;
  k.run("cc", 1, complete({"c", "a", "b"}));
  SECTION("no list in the session: everyone elected in the source") {
    k.open("sec", 1);
    const cg::RoundBallot& b = *k.round("sec", 1).ballot;
    CHECK(sorted(ids_of(b.candidates)) == Ids{"a", "b", "c"});
    CHECK(b.find_candidate("a")->name == "Candidate a");
    CHECK(b.seats == 1);
    CHECK(b.alternates == 0);
    k.close("sec", 1, complete({"b"}));
    CHECK(k.counted.back().id == "sec");
    CHECK(k.counted.back().seats == 1);
    CHECK(k.contest("sec").elected == Ids{"b"});
    CHECK(k.contest("sec").state() == "complete");
  }
  SECTION("the session's list for it") {
    k.open("vice", 1);
    CHECK(k.ballot_ids("vice", 1) == Ids{"a", "c"});
  }
  SECTION("a list given with open_round") {
    k.open("sec", 1, R"(,"candidates":["b"])");
    CHECK(k.ballot_ids("sec", 1) == Ids{"b"});
  }
  SECTION("who was not elected in the source may not stand") {
    CHECK(k.refused("open_round", round_args("sec", 1, R"(,"candidates":["a","d"])")) ==
          cg::Code::not_eligible);
    CHECK(k.refused("open_round", round_args("sec", 1, R"(,"candidates":["zz"])")) ==
          cg::Code::not_eligible);
    CHECK(k.refused("open_round", round_args("sec", 1, R"(,"candidates":["a","a"])")) ==
          cg::Code::duplicate_candidate);
    CHECK(k.refused("open_round",
                    round_args("sec", 1, R"(,"new_nominations":[{"id":"a","name":"A"}])")) ==
          cg::Code::list_not_allowed);
  }
  SECTION("its places: the session's by default; no round for zero seats") {
    CHECK(k.refused("open_round", round_args("sec", 1, R"(,"seats":0)")) ==
          cg::Code::places_mismatch);
    k.open("sec", 1, R"(,"seats":1,"alternates":0)");
    CHECK(k.round("sec", 1).ballot->seats == 1);
    CHECK(k.round("sec", 1).ballot->alternates == 0);
  }
}

TEST_CASE("the session's list for an elect-from contest must have been elected in the source",
          "[congress]") {
  Congress k;
  k.run("cc", 1, complete({"a", "b", "e"}));  // c, on the vice list, was not elected
  CHECK(k.refused("open_round", round_args("vice", 1)) == cg::Code::not_eligible);
  k.open("vice", 1, R"(,"candidates":["a"])");
  CHECK(k.ballot_ids("vice", 1) == Ids{"a"});
}

TEST_CASE("a further round of an elect-from contest nominates only the source's elected",
          "[congress]") {
  Congress k;
  k.run("cc", 1, complete({"a", "b", "c"}));
  k.run("sec", 1, unfilled({}, 1), R"(,"candidates":["a"])");
  CHECK(k.contest("sec").state() == "unfilled");
  CHECK(k.refused("open_round",
                  round_args("sec", 2, R"(,"new_nominations":[{"id":"d","name":"D"}])")) ==
        cg::Code::not_eligible);
  k.open("sec", 2, R"(,"new_nominations":[{"id":"b","name":"Candidate b"}])");
  CHECK(k.ballot_ids("sec", 2) == Ids{"a", "b"});
}

// ===================================================================== round limits

TEST_CASE("a cell secretary unfilled after three rounds goes to appointment, no round 4",
          "[congress]") {
  Congress k;
  k.run("cell", 1, unfilled({}, 1));
  k.run("cell", 2, unfilled({}, 1));
  CHECK(k.contest("cell").state() == "unfilled");
  k.open("cell", 3);
  CHECK(k.ballot_ids("cell", 3) == Ids{"x", "y", "z"});
  k.close("cell", 3, exhausted());
  REQUIRE(k.counted.size() == 3);
  CHECK(k.counted.back().round == 3);
  CHECK(k.counted.back().rule_set.name == "cpv-2024-cell-secretary");
  CHECK(k.counted.back().rule_set.max_rounds == 3);
  const cg::ContestState& s = k.contest("cell");
  REQUIRE(s.last_next.has_value());
  CHECK(s.last_next->step == tl::NextStep::appointment);
  CHECK(s.last_next->eligible.empty());
  CHECK(s.state() == "exhausted");
  CHECK(s.complete());
  CHECK(s.elected.empty());
  CHECK(k.refused("open_round", round_args("cell", 4)) == cg::Code::no_further_round);
  CHECK(k.refused("conclude_contest", R"({"contest":"cell"})") == cg::Code::conclude_not_allowed);
}

// ===================================================================== alternates

TEST_CASE("a tie at the last alternate place calls for an alternates-only run-off", "[congress]") {
  Congress k;
  k.run("del", 1, tie({"d1", "d2"}, {"d4", "d5"}, 0, 1, {"d3"}));
  const cg::ContestState& s = k.contest("del");
  CHECK(s.elected == Ids{"d1", "d2"});
  CHECK(s.elected_alternates == Ids{"d3"});
  CHECK(s.state() == "tie");
  CHECK_FALSE(s.complete());
  REQUIRE(s.last_next.has_value());
  CHECK(s.last_next->step == tl::NextStep::runoff);
  CHECK(s.last_next->alternates_only);
  CHECK(s.last_next->alternates == 1);
  CHECK(s.last_next->eligible == Ids{"d4", "d5"});

  CHECK(k.refused("open_round", round_args("del", 2, R"(,"candidates":["d4","d6"])")) ==
        cg::Code::not_eligible);
  CHECK(k.refused("open_round", round_args("del", 2, R"(,"candidates":["d5"])")) ==
        cg::Code::runoff_incomplete);
  CHECK(k.refused("open_round", round_args("del", 2, R"(,"seats":2)")) ==
        cg::Code::places_mismatch);

  k.open("del", 2);
  const cg::RoundBallot& b = *k.round("del", 2).ballot;
  CHECK(b.alternates_only);
  CHECK(ids_of(b.candidates) == Ids{"d4", "d5"});
  // The engine counts it as one place to fill.
  k.close("del", 2, complete({"d5"}));
  const tl::Contest& counted = k.counted.back();
  CHECK(counted.round == 2);
  CHECK(counted.places() == 1);
  CHECK(counted.seats == 1);
  CHECK(ids_of(counted.candidates) == Ids{"d4", "d5"});
  // Its winner takes an alternate place, after those already elected.
  const cg::ContestState& after = k.contest("del");
  CHECK(after.elected == Ids{"d1", "d2"});
  CHECK(after.elected_alternates == Ids{"d3", "d5"});
  CHECK(after.complete());
  CHECK(after.state() == "complete");
  CHECK(k.refused("open_round", round_args("del", 3)) == cg::Code::no_further_round);
}

TEST_CASE("a tie at the last official seat leaves every alternate place to the run-off",
          "[congress]") {
  Congress k;
  k.run("del", 1, tie({"d1"}, {"d2", "d3", "d4"}, 1, 2));
  const cg::ContestState& s = k.contest("del");
  CHECK(s.elected == Ids{"d1"});
  CHECK(s.elected_alternates.empty());
  k.open("del", 2);
  const cg::RoundBallot& b = *k.round("del", 2).ballot;
  CHECK_FALSE(b.alternates_only);
  CHECK(b.seats == 1);
  CHECK(b.alternates == 2);
  CHECK(ids_of(b.candidates) == Ids{"d2", "d3", "d4"});
  k.close("del", 2, complete({"d3"}, {"d2", "d4"}));
  const cg::ContestState& after = k.contest("del");
  CHECK(after.elected == Ids{"d1", "d3"});
  CHECK(after.elected_alternates == Ids{"d2", "d4"});
  CHECK(after.complete());
}

TEST_CASE("alternates short with every seat filled: a further round for the alternate places",
          "[congress]") {
  Congress k;
  k.run("del", 1, complete({"d1", "d2"}, {"d3"}, 1));
  const cg::ContestState& s = k.contest("del");
  REQUIRE(s.last_next.has_value());
  CHECK(s.last_next->step == tl::NextStep::further_round);
  CHECK(s.last_next->alternates_only);
  CHECK(s.last_next->eligible == Ids{"d4", "d5", "d6"});
  CHECK(s.state() == "unfilled");
  SECTION("the congress votes again for the alternate place") {
    // The elected, official or alternate, may not stand again.
    CHECK(k.refused("open_round", round_args("del", 2, R"(,"candidates":["d3","d4"])")) ==
          cg::Code::not_eligible);
    CHECK(k.refused("open_round", round_args("del", 2, R"(,"candidates":["d1","d4"])")) ==
          cg::Code::not_eligible);
    CHECK(k.refused("open_round", round_args("del", 2, R"(,"alternates":1)")) ==
          cg::Code::places_mismatch);
    k.open("del", 2);
    CHECK(k.round("del", 2).ballot->alternates_only);
    CHECK(k.ballot_ids("del", 2) == Ids{"d4", "d5", "d6"});
    k.close("del", 2, complete({"d6"}));
    CHECK(k.counted.back().seats == 1);
    CHECK(k.counted.back().alternates == 0);
    const cg::ContestState& after = k.contest("del");
    CHECK(after.elected_alternates == Ids{"d3", "d6"});
    CHECK(after.elected == Ids{"d1", "d2"});
    CHECK(after.complete());
  }
  SECTION("the congress decides to hold no further round") {
    k.ok("conclude_contest", R"({"contest":"del"})");
    CHECK(k.contest("del").state() == "concluded");
    CHECK(k.contest("del").elected_alternates == Ids{"d3"});
  }
}

TEST_CASE("a run-off for alternate places that ties again stays a run-off for alternate places",
          "[congress]") {
  // An alternates-only round is counted with its places as "seats": what it leaves is still
  // alternate places, never official seats.
  Congress k;
  k.run("del", 1, tie({"d1", "d2"}, {"d3", "d4", "d5"}, 0, 2));
  k.open("del", 2);
  REQUIRE(k.round("del", 2).ballot->alternates_only);
  k.close("del", 2, tie({"d3"}, {"d4", "d5"}, 1));
  const cg::ContestState& s = k.contest("del");
  CHECK(s.elected == Ids{"d1", "d2"});
  CHECK(s.elected_alternates == Ids{"d3"});
  REQUIRE(s.last_next.has_value());
  CHECK(s.last_next->step == tl::NextStep::runoff);
  CHECK(s.last_next->alternates_only);
  CHECK(s.last_next->seats == 0);
  CHECK(s.last_next->alternates == 1);
  k.open("del", 3);
  const cg::RoundBallot& b = *k.round("del", 3).ballot;
  CHECK(b.alternates_only);
  CHECK(b.seats == 1);
  CHECK(b.alternates == 0);
  k.close("del", 3, complete({"d5"}));
  CHECK(k.contest("del").elected == Ids{"d1", "d2"});
  CHECK(k.contest("del").elected_alternates == Ids{"d3", "d5"});
}

TEST_CASE("an alternates-only round that leaves its place unfilled calls for another such round",
          "[congress]") {
  Congress k;
  k.run("del", 1, complete({"d1", "d2"}, {"d3"}, 1));
  k.open("del", 2);
  k.close("del", 2, unfilled({}, 1));
  const cg::ContestState& s = k.contest("del");
  REQUIRE(s.last_next.has_value());
  CHECK(s.last_next->step == tl::NextStep::further_round);
  CHECK(s.last_next->alternates_only);
  CHECK(s.last_next->seats == 0);
  CHECK(s.last_next->alternates == 1);
  CHECK(s.elected == Ids{"d1", "d2"});
}

TEST_CASE("a contest that elects from a contest the session does not have cannot open",
          "[congress]") {
  Congress k;
  auto ghost = contest_rules("ghost", 1, 0, {});
  ghost.elect_from = "nowhere";
  k.session.contests.push_back(ghost);
  k.state = cg::initial_state(k.session);
  CHECK(k.refused("open_round", round_args("ghost", 1)) == cg::Code::unknown_contest);
}

TEST_CASE("no terminal is enrolled with the station's key", "[congress]") {
  Congress k;
  k.session.people_keyids.push_back("keyid-station");
  CHECK(k.refused("enrol_terminal", R"({"terminal":"t9","public_key":"PEM:station"})") ==
        cg::Code::key_in_use);
}
