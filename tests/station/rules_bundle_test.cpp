// Forged command logs against `tally-audit verify` (docs/congress.md, docs/audit.md): a congress
// with a committee contest (tie at the last seats, run-off, a seat left open by conclude_contest)
// and a secretary elected from the committee (elect_from) runs in-process through the station's
// handler and is exported; each forged copy inserts, moves or appends commands that are signed by
// an official of the session and chained correctly (command_log.json's size and head, and each
// round's minutes.json audit_log_head re-signed by the station to match), so that the only reason
// to fail is the congress rule the replay ("command effects") refuses, named by its stable code.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

#include "core_fixture.hpp"
#include "crypto/dsse.hpp"
#include "exported_bundle.hpp"
#include "forged_log.hpp"
#include "station/app/messages.hpp"
#include "station/ctl/audit_bundle.hpp"
#include "tally/audit/verify/verifier.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;
namespace json = boost::json;
namespace fs = std::filesystem;
namespace verify = tallystation::audit::verify;

namespace {

constexpr const char* kSession = "rules-2026";

// Ten delegates convened (threshold 10 / 2 + 1 = 6); officials o1 (Ed25519) and o2 (ECDSA
// P-256); terminals t1..t3 listed, only t1 enrolled. Contest ec: 4 seats among a..f; contest
// sec: 1 seat, elected from those elected in ec.
json::object rules_session() {
  const Keys& k = Keys::get();
  const auto person = person_json;
  return json::object{
      {"id", kSession},
      {"title", "Congress of the Party committee 2026"},
      {"organisation", "The Party"},
      {"congress_kind", "delegates"},
      {"convened", 10},
      {"officials", json::array{person("o1", "Official One", k.official1),
                                person("o2", "Official Two", k.official2)}},
      {"counting_committee",
       json::object{{"members", json::array{person("m1", "Member One", k.member1),
                                            person("m2", "Member Two", k.member2)}},
                    {"required_signatures", 2}}},
      {"terminals",
       json::array{json::object{{"id", "t1"}, {"public_key", k.t1.public_key().pem()}},
                   json::object{{"id", "t2"}, {"public_key", k.t2.public_key().pem()}},
                   json::object{{"id", "t3"}, {"public_key", k.t3.public_key().pem()}}}},
      {"contests", committee_and_secretary_contests()}};
}

// The congress, exported once per test binary. Its command log (seq = line):
//   1 enrol_terminal t1            5 close_round ec/1 (tie c, d, e)   9 conclude_contest ec (o2)
//   2 record_attendance 10         6 issue_tokens ec/2                10 issue_tokens sec/1
//   3 issue_tokens ec/1            7 open_round ec/2 (run-off)        11 open_round sec/1 [a, b]
//   4 open_round ec/1              8 close_round ec/2 (c; 1 unfilled) 12 close_round sec/1 (a)
struct RulesBundle : ExportedBundle {
  RulesBundle() : ExportedBundle(temp_dir("rules-bundle")) {
    RulesStation s(rules_session());
    s.command("enrol_terminal", {{"terminal", "t1"}});
    s.command("record_attendance", {{"present", 10}});
    // ec/1: a 8, b 7, c 6, d 6, e 6, f 2 (as in congress_test.cpp): a and b elected, c, d and
    // e tied at the last 2 seats, all above the threshold: a run-off.
    auto t = s.tokens("ec", 1, 10);
    s.command("open_round", {{"contest", "ec"}, {"round", 1}});
    s.vote("ec", 1, t,
           {{"a", "b", "c", "d"},
            {"a", "b", "c", "e"},
            {"a", "b", "d", "e"},
            {"a", "b", "c", "d"},
            {"a", "b", "c", "e"},
            {"a", "b", "d", "e"},
            {"a", "b", "c", "f"},
            {"a", "c", "d", "e"},
            {"d", "e", "f"},
            {}});
    auto m1 = s.command("close_round", {{"contest", "ec"}, {"round", 1}});
    INFO(json::serialize(m1));
    REQUIRE(m1.at("result").at("minutes").at("outcome").as_string() == "tie");
    // ec/2, the run-off among c, d, e: c 7, d 5, e 5: c elected, one seat unfilled.
    t = s.tokens("ec", 2, 9);
    s.command("open_round", {{"contest", "ec"}, {"round", 2}});
    s.vote("ec", 2, t,
           {{"c", "d"},
            {"c", "d"},
            {"c", "e"},
            {"c", "e"},
            {"c", "d"},
            {"c", "e"},
            {"c"},
            {"d", "e"},
            {"d", "e"}});
    auto m2 = s.command("close_round", {{"contest", "ec"}, {"round", 2}});
    REQUIRE(m2.at("result").at("minutes").at("outcome").as_string() == "unfilled");
    // The congress leaves the seat open.
    s.command("conclude_contest", {{"contest", "ec"}}, "o2");
    // The secretary, from the committee's elected: a 7, b 2.
    t = s.tokens("sec", 1, 10);
    s.command("open_round",
              {{"contest", "sec"}, {"round", 1}, {"candidates", json::array{"a", "b"}}});
    s.vote("sec", 1, t, {{"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"b"}, {"b"}});
    auto s1 = s.command("close_round", {{"contest", "sec"}, {"round", 1}});
    REQUIRE(s1.at("result").at("minutes").at("outcome").as_string() == "complete");
    REQUIRE(ctl::export_bundle(s.data(), bundle).has_value());
    station_key_pem = read_file(s.data() / "station.key");
  }
  static RulesBundle& get() {
    static RulesBundle b;
    return b;
  }
};

// The congress of the issue: a 44-member Party committee and its secretary.
//   committee (44 seats, x01..x46), round 1, 10 ballots: ballots 1-6 each mark x44, x45 and
//   x01..x43 but one (ballot i leaves out x0i), ballots 7-10 mark x01..x43. So x01..x06 have 9,
//   x07..x43 10, x44 and x45 6 each (the threshold, 10 / 2 + 1): 43 elected and a tie at the last
//   seat between x44 and x45: a run-off. Round 2, the run-off: x44 7, x45 3: x44 elected, the
//   committee complete with 44. secretary (1 seat, elect_from committee), round 1 on x01, x02:
//   x01 7, x02 3.
// Its command log (seq = line):
//   1 enrol_terminal t1       5 close_round committee/1 (tie)   9 issue_tokens secretary/1
//   2 record_attendance 10    6 issue_tokens committee/2        10 open_round secretary/1
//   3 issue_tokens committee/1 7 open_round committee/2 (run-off) 11 close_round secretary/1
//   4 open_round committee/1  8 close_round committee/2 (complete)
json::object committee_session() {
  json::object s = rules_session();
  json::array candidates;
  for (int i = 1; i <= 46; ++i) {
    const std::string n = (i < 10 ? "0" : "") + std::to_string(i);
    candidates.push_back(json::object{{"id", "x" + n}, {"name", "Member " + n}});
  }
  s["contests"] = json::array{
      json::object{{"id", "committee"},
                   {"title", "Party Committee"},
                   {"seats", 44},
                   {"candidates", std::move(candidates)}},
      json::object{
          {"id", "secretary"}, {"title", "Secretary"}, {"seats", 1}, {"elect_from", "committee"}}};
  return s;
}

std::string x(int i) {
  return (i < 10 ? "x0" : "x") + std::to_string(i);
}

struct CommitteeBundle : ExportedBundle {
  CommitteeBundle() : ExportedBundle(temp_dir("committee-bundle")) {
    RulesStation s(committee_session());
    s.command("enrol_terminal", {{"terminal", "t1"}});
    s.command("record_attendance", {{"present", 10}});
    auto t = s.tokens("committee", 1, 10);
    s.command("open_round", {{"contest", "committee"}, {"round", 1}});
    std::vector<std::vector<std::string>> marks;
    for (int b = 1; b <= 10; ++b) {
      std::vector<std::string> m;
      for (int i = 1; i <= 43; ++i) {
        if (b <= 6 && i == b) continue;
        m.push_back(x(i));
      }
      if (b <= 6) {
        m.push_back(x(44));
        m.push_back(x(45));
      }
      marks.push_back(std::move(m));
    }
    s.vote("committee", 1, t, marks);
    auto m1 = s.command("close_round", {{"contest", "committee"}, {"round", 1}});
    const json::value& minutes1 = m1.at("result").at("minutes");
    INFO(json::serialize(minutes1));
    REQUIRE(minutes1.at("outcome").as_string() == "tie");
    REQUIRE(minutes1.at("elected").as_array().size() == 43);
    REQUIRE(minutes1.at("tied") == json::array{x(44), x(45)});
    t = s.tokens("committee", 2, 10);
    s.command("open_round", {{"contest", "committee"}, {"round", 2}});
    s.vote(
        "committee", 2, t,
        {{x(44)}, {x(44)}, {x(44)}, {x(44)}, {x(44)}, {x(44)}, {x(44)}, {x(45)}, {x(45)}, {x(45)}});
    auto m2 = s.command("close_round", {{"contest", "committee"}, {"round", 2}});
    REQUIRE(m2.at("result").at("minutes").at("outcome").as_string() == "complete");
    REQUIRE(m2.at("result").at("minutes").at("elected_so_far").as_array().size() == 44);
    t = s.tokens("secretary", 1, 10);
    s.command("open_round",
              {{"contest", "secretary"}, {"round", 1}, {"candidates", json::array{x(1), x(2)}}});
    s.vote("secretary", 1, t,
           {{x(1)}, {x(1)}, {x(1)}, {x(1)}, {x(1)}, {x(1)}, {x(1)}, {x(2)}, {x(2)}, {x(2)}});
    auto s1 = s.command("close_round", {{"contest", "secretary"}, {"round", 1}});
    REQUIRE(s1.at("result").at("minutes").at("outcome").as_string() == "complete");
    REQUIRE(ctl::export_bundle(s.data(), bundle).has_value());
    station_key_pem = read_file(s.data() / "station.key");
  }
  static CommitteeBundle& get() {
    static CommitteeBundle b;
    return b;
  }
};

// ---- Forging a command log ----

Entry cmd(const std::string& name, json::object args, const std::string& official = "o1") {
  return Entry{json::object{{"session", kSession},
                            {"seq", 0},
                            {"official", official},
                            {"command", name},
                            {"args", std::move(args)}},
               nullptr};
}

// The report fails "command effects" on `code`, and fails nothing but `failing`.
verify::Report expect_refused(const fs::path& bundle, const std::string& code,
                              std::set<std::string> failing = {"command effects"}) {
  const verify::Report r = verify::verify_bundle(bundle);
  INFO(r.text());
  CHECK_FALSE(r.ok());
  const verify::Check* effects = r.failed("command effects", "command log");
  REQUIRE(effects != nullptr);
  REQUIRE(effects->problems.size() == 1);
  CHECK(effects->problems[0].find(": " + code + ": ") != std::string::npos);
  CHECK(effects->problems[0].find("; the replay stops here") != std::string::npos);
  CHECK(failed_checks(r) == failing);
  if (failing.count("command signatures") == 0) CHECK(r.failed("command signatures") == nullptr);
  CHECK(r.failed("command log chain") == nullptr);
  return r;
}

// `tally-audit verify --json bundle`: its exit status and the problems of "command effects".
struct Cli {
  int exit = -1;
  std::vector<std::string> effects;
};
Cli tally_audit_verify(const fs::path& bundle) {
  const fs::path out = bundle.parent_path() / (bundle.filename().string() + ".verify.json");
  const std::string line = std::string("'") + TALLY_AUDIT_PATH + "' verify --json '" +
                           bundle.string() + "' > '" + out.string() + "' 2>&1";
  const int status = std::system(line.c_str());
  Cli cli;
  REQUIRE(WIFEXITED(status));
  cli.exit = WEXITSTATUS(status);
  const std::string text = read_file(out);
  INFO(text);
  const json::value v = json::parse(text);
  for (const json::value& c : v.at("checks").as_array()) {
    if (c.at("name").as_string() != "command effects") continue;
    for (const json::value& p : c.at("problems").as_array())
      cli.effects.emplace_back(p.as_string());
  }
  return cli;
}

}  // namespace

TEST_CASE("the congress with a run-off, a concluded contest and a secretary verifies clean",
          "[bundle][rules]") {
  const RulesBundle& g = RulesBundle::get();
  const verify::Report r = verify::verify_bundle(g.bundle);
  INFO(r.text());
  CHECK(r.ok());
  CHECK(failed_checks(r).empty());
  const verify::Check* effects = r.find("command effects", "command log");
  REQUIRE(effects != nullptr);
  CHECK(effects->passed == 12);
  CHECK(effects->total == 12);
  // The forging helpers leave a log alone when they change nothing in it.
  const fs::path b = g.copy("rewritten");
  write_log(b, read_log(b), g.station_key());
  const verify::Report again = verify::verify_bundle(b);
  INFO(again.text());
  CHECK(again.ok());
}

TEST_CASE("a committee concluded at a tie without its run-off is refused by the replay",
          "[bundle][rules][forgery]") {
  const RulesBundle& g = RulesBundle::get();

  SECTION("the run-off taken out: conclude_contest follows the tie, the secretary is elected") {
    // The forged bundle: ec/1 ties at the last seats; the run-off's three commands and its round
    // directory are gone, so the congress's conclude_contest follows the tie directly; the
    // secretary is then elected from the committee's a and b as before.
    const fs::path b = g.copy("tie-conclude");
    Log log = read_log(b);
    const std::size_t issue2 = index_of(log, "issue_tokens", "ec", 2);
    REQUIRE(index_of(log, "close_round", "ec", 2) == issue2 + 2);
    log.erase(log.begin() + static_cast<std::ptrdiff_t>(issue2),
              log.begin() + static_cast<std::ptrdiff_t>(issue2 + 3));
    fs::remove_all(b / "rounds/ec/2");
    REQUIRE(log[issue2].payload.at("command").as_string() == "conclude_contest");
    write_log(b, log, g.station_key());
    const verify::Report r = expect_refused(b, "conclude_not_allowed");
    const std::string& problem = r.failed("command effects")->problems[0];
    CHECK(problem.rfind("commands.jsonl:6 (seq 6, conclude_contest): conclude_not_allowed: ", 0) ==
          0);
    CHECK(problem.find("(state: tie)") != std::string::npos);
    // The ballots, boxes and minutes of the rounds before are sound.
    CHECK(r.failed("ballot signatures") == nullptr);
    CHECK(r.failed("rounds present") == nullptr);
  }
  SECTION("conclude_contest inserted right after the tie, the run-off left in") {
    const fs::path b = g.copy("tie-conclude-inserted");
    Log log = read_log(b);
    const std::size_t close1 = index_of(log, "close_round", "ec", 1);
    log.insert(log.begin() + static_cast<std::ptrdiff_t>(close1 + 1),
               cmd("conclude_contest", {{"contest", "ec"}}, "o2"));
    write_log(b, log, g.station_key());
    const verify::Report r = expect_refused(b, "conclude_not_allowed");
    CHECK(r.failed("command effects")
              ->problems[0]
              .rfind("commands.jsonl:6 (seq 6, conclude_contest): ", 0) == 0);
  }
}

TEST_CASE("a secretary opened before the committee's run-off closed is refused by the replay",
          "[bundle][rules][forgery]") {
  // The secretary's issue_tokens and open_round moved before the run-off's close_round (seqs
  // renumbered in the new order, every command signed again).
  const RulesBundle& g = RulesBundle::get();
  const fs::path b = g.copy("secretary-early");
  Log log = read_log(b);
  const std::size_t close2 = index_of(log, "close_round", "ec", 2);
  const std::size_t issue_sec = index_of(log, "issue_tokens", "sec", 1);
  const std::size_t open_sec = index_of(log, "open_round", "sec", 1);
  REQUIRE(close2 < issue_sec);
  REQUIRE(open_sec == issue_sec + 1);
  const Entry issue = log[issue_sec];
  const Entry open = log[open_sec];
  log.erase(log.begin() + static_cast<std::ptrdiff_t>(issue_sec),
            log.begin() + static_cast<std::ptrdiff_t>(open_sec + 1));
  log.insert(log.begin() + static_cast<std::ptrdiff_t>(close2), {issue, open});
  write_log(b, log, g.station_key());
  const verify::Report r = expect_refused(b, "source_incomplete");
  const std::string& problem = r.failed("command effects")->problems[0];
  // Tokens may be issued ahead; the round may not open.
  CHECK(problem.rfind("commands.jsonl:9 (seq 9, open_round): source_incomplete: ", 0) == 0);
  CHECK(problem.find("elects from contest ec") != std::string::npos);
  CHECK(r.find("command effects")->passed == 8);
}

TEST_CASE("each congress rule refuses its forged command in the replay",
          "[bundle][rules][forgery]") {
  const RulesBundle& g = RulesBundle::get();
  const Keys& k = Keys::get();
  struct Row {
    const char* name;
    const char* code;
    std::function<void(Log&)> forge;
    std::set<std::string> failing = {"command effects"};
    bool renumber = true;
    const char* message = "";  // also in the problem text
  };
  auto append = [](Entry e) { return [e](Log& log) { log.push_back(e); }; };
  // Inserts e before the first command `name` on contest/round.
  auto before = [](const char* name, const char* contest, int round, Entry e) {
    return [=](Log& log) {
      const std::size_t at = index_of(log, name, contest, round);
      log.insert(log.begin() + static_cast<std::ptrdiff_t>(at), e);
    };
  };
  auto after = [](const char* name, const char* contest, int round, Entry e) {
    return [=](Log& log) {
      const std::size_t at = index_of(log, name, contest, round);
      log.insert(log.begin() + static_cast<std::ptrdiff_t>(at + 1), e);
    };
  };
  const std::set<std::string> only = {"command effects"};
  const std::vector<Row> rows = {
      // ---- Argument schema ----
      {"issue_tokens count out of range", "bad_argument",
       append(cmd("issue_tokens", {{"contest", "sec"}, {"round", 2}, {"count", 10001}})),
       only, true,
       "args.count: must be an integer from 1 to 10000"},
      {"enrol_terminal with a malformed identifier", "bad_argument",
       append(cmd("enrol_terminal", {{"terminal", "a b"}})),
       only, true,
       "args.terminal: must be an identifier"},
      {"an unknown argument", "bad_argument",
       append(cmd("close_round", {{"contest", "cc"}, {"round", 1}, {"x", 1}})),
       only, true,
       "args.x: unknown argument"},
      {"an unknown command", "unknown_command",
       append(cmd("reopen_round", {{"contest", "ec"}, {"round", 2}}, "o2")),
       only, true,
       "unknown command \"reopen_round\""},
      // ---- Rounds ----
      {"open_round of a round that is not next", "round_not_next",
       append(cmd("open_round", {{"contest", "ec"}, {"round", 5}})),
       only, true,
       "the next round to open is 3, not 5"},
      {"a second open while one is open", "round_open",
       after("open_round", "ec", 1, cmd("open_round", {{"contest", "ec"}, {"round", 2}})),
       only, true,
       "round 1 of contest ec is still open"},
      {"close_round of a round that is not open", "round_not_open",
       append(cmd("close_round", {{"contest", "ec"}, {"round", 3}})),
       only, true,
       "round 3 of contest ec is not open"},
      {"tokens for a closed round", "round_closed",
       append(cmd("issue_tokens", {{"contest", "ec"}, {"round", 1}, {"count", 5}})),
       only, true,
       "round 1 of contest ec is closed"},
      // ---- Terminals ----
      {"revoke a terminal never enrolled", "terminal_not_enrolled",
       append(cmd("revoke_terminal", {{"terminal", "t2"}})),
       only, true,
       "terminal t2 is not enrolled"},
      {"enrol a terminal twice", "terminal_enrolled",
       append(cmd("enrol_terminal", {{"terminal", "t1"}}, "o2")),
       only, true,
       "terminal t1 is already enrolled"},
      // The log's facts (bundle_model.cpp record(), which notes enrolments whether or not they
      // were legal) then also enrol t9 with the key, which keys.json does not list: "keys
      // file"; with t1's key, t1's ballots are taken for t9's: "terminal enrolment" too.
      {"enrol a terminal with an official's key", "key_in_use",
       append(cmd("enrol_terminal",
                  {{"terminal", "t9"}, {"public_key", k.official2.public_key().pem()}})),
       {"command effects", "keys file"}, true, "the key is an official's or committee member's"},
      {"enrol a terminal with another terminal's key", "key_in_use",
       append(cmd("enrol_terminal", {{"terminal", "t9"}, {"public_key", k.t1.public_key().pem()}})),
       {"command effects", "keys file", "terminal enrolment"}, true,
       "the key belongs to terminal t1"},
      {"enrol a terminal with a key the session lists for another", "key_in_use",
       append(cmd("enrol_terminal", {{"terminal", "t9"}, {"public_key", k.t2.public_key().pem()}})),
       {"command effects", "keys file"}, true, "the session lists this key for terminal t2"},
      {"an unlisted terminal without public_key", "key_required",
       append(cmd("enrol_terminal", {{"terminal", "t9"}})),
       only, true,
       "args.public_key: required"},
      // ---- Further rounds ----
      {"a run-off leaving out one of the tied", "runoff_incomplete",
       before("open_round", "ec", 2,
              cmd("open_round",
                  {{"contest", "ec"}, {"round", 2}, {"candidates", json::array{"c", "d"}}})),
       only, true, "a run-off is among all the tied: c, d, e"},
      {"a run-off with a candidate not among the tied", "not_eligible",
       before("open_round", "ec", 2,
              cmd("open_round",
                  {{"contest", "ec"},
                   {"round", 2},
                   {"candidates", json::array{"c", "d", "e", "f"}}})),
       only, true, "f is not among the tied (c, d, e)"},
      {"a secretary candidate the committee did not elect", "not_eligible",
       before("open_round", "sec", 1,
              cmd("open_round",
                  {{"contest", "sec"}, {"round", 1}, {"candidates", json::array{"a", "d"}}})),
       only, true, "d was not elected in contest ec (elected: a, b, c)"},
      {"open_round after a complete contest", "no_further_round",
       append(cmd("open_round", {{"contest", "sec"}, {"round", 2}})),
       only, true,
       "every place is filled, no further round"},
      {"open_round after conclude_contest", "contest_concluded",
       append(cmd("open_round", {{"contest", "ec"}, {"round", 3}})),
       only, true,
       "contest ec was concluded by the congress"},
      {"conclude_contest twice", "contest_concluded",
       append(cmd("conclude_contest", {{"contest", "ec"}})),
       only, true,
       "the contest is already concluded"},
      // ---- Sequence and signer ----
      {"seq not above the last", "seq_not_above",
       [](Log& log) {
         Entry e = cmd("record_attendance", {{"present", 10}});
         e.payload["seq"] = log.back().payload.at("seq");
         log.push_back(e);
       },
       {"command effects", "command sequence"}, false, "seq 12 is not above the last accepted 12"},
      {"official naming another official than the signer", "official_not_signer",
       [](Log& log) {
         Entry e = cmd("record_attendance", {{"present", 10}}, "o2");
         e.key = &Keys::get().official1;
         log.push_back(e);
       },
       {"command effects", "command signatures"}, true,
       "names official \"o2\" but is signed by \"o1\""},
  };
  const std::size_t i = GENERATE_COPY(range(std::size_t{0}, rows.size()));
  const Row& row = rows[i];
  DYNAMIC_SECTION(row.name << " -> " << row.code) {
    const fs::path b = g.copy("rule");
    Log log = read_log(b);
    row.forge(log);
    write_log(b, log, g.station_key(), row.renumber);
    const verify::Report r = expect_refused(b, row.code, row.failing);
    const verify::Check* effects = r.failed("command effects");
    REQUIRE(effects != nullptr);
    INFO(effects->problems[0]);
    CHECK(effects->problems[0].find(row.message) != std::string::npos);
  }
}

TEST_CASE("the 44-member committee with a run-off and its secretary verifies clean",
          "[bundle][rules][committee]") {
  const CommitteeBundle& g = CommitteeBundle::get();
  const verify::Report r = verify::verify_bundle(g.bundle);
  INFO(r.text());
  CHECK(r.ok());
  CHECK(failed_checks(r).empty());
  CHECK(r.find("command effects", "command log")->passed == 11);
  const Cli cli = tally_audit_verify(g.bundle);
  CHECK(cli.exit == 0);
  CHECK(cli.effects.empty());
}

TEST_CASE("the issue's forgeries of the 44-member committee fail tally-audit verify",
          "[bundle][rules][committee][forgery]") {
  const CommitteeBundle& g = CommitteeBundle::get();

  SECTION(
      "the committee ties at its last seat and is concluded without its run-off; the "
      "secretary is then elected from it") {
    // The run-off's issue_tokens, open_round and close_round and rounds/committee/2 taken out;
    // conclude_contest (o2) in their place; the secretary's round as it was.
    const fs::path b = g.copy("tie-concluded");
    Log log = read_log(b);
    const std::size_t issue2 = index_of(log, "issue_tokens", "committee", 2);
    REQUIRE(index_of(log, "close_round", "committee", 2) == issue2 + 2);
    log.erase(log.begin() + static_cast<std::ptrdiff_t>(issue2),
              log.begin() + static_cast<std::ptrdiff_t>(issue2 + 3));
    log.insert(log.begin() + static_cast<std::ptrdiff_t>(issue2),
               cmd("conclude_contest", {{"contest", "committee"}}, "o2"));
    fs::remove_all(b / "rounds/committee/2");
    write_log(b, log, g.station_key());
    const verify::Report r = expect_refused(b, "conclude_not_allowed");
    const std::string& problem = r.failed("command effects")->problems[0];
    CHECK(problem.rfind(
              "commands.jsonl:6 (seq 6, conclude_contest): conclude_not_allowed: only a contest "
              "whose last minutes leave places unfilled can be concluded (state: tie); the "
              "replay stops here",
              0) == 0);
    const Cli cli = tally_audit_verify(b);
    CHECK(cli.exit == 1);
    REQUIRE(cli.effects.size() == 1);
    CHECK(cli.effects[0] == problem);
  }
  SECTION("the secretary's tokens and round 1 come before the committee's run-off closed") {
    const fs::path b = g.copy("secretary-before-runoff");
    Log log = read_log(b);
    const std::size_t close2 = index_of(log, "close_round", "committee", 2);
    const std::size_t issue_sec = index_of(log, "issue_tokens", "secretary", 1);
    REQUIRE(index_of(log, "open_round", "secretary", 1) == issue_sec + 1);
    const Entry issue = log[issue_sec];
    const Entry open = log[issue_sec + 1];
    log.erase(log.begin() + static_cast<std::ptrdiff_t>(issue_sec),
              log.begin() + static_cast<std::ptrdiff_t>(issue_sec + 2));
    log.insert(log.begin() + static_cast<std::ptrdiff_t>(close2), {issue, open});
    write_log(b, log, g.station_key());
    const verify::Report r = expect_refused(b, "source_incomplete");
    const std::string& problem = r.failed("command effects")->problems[0];
    CHECK(problem.rfind(
              "commands.jsonl:9 (seq 9, open_round): source_incomplete: contest secretary "
              "elects from contest committee, which is not complete yet; the replay stops here",
              0) == 0);
    // The tokens were issued ahead (legal); the round may not open.
    CHECK(r.find("command effects")->passed == 8);
    const Cli cli = tally_audit_verify(b);
    CHECK(cli.exit == 1);
    REQUIRE(cli.effects.size() == 1);
    CHECK(cli.effects[0] == problem);
  }
}
