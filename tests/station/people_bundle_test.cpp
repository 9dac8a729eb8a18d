// The congress's people against `tally-audit verify` (docs/audit.md, checks `attendance` and
// `composition`; docs/congress.md): a delegates' congress with a register (twelve delegates on
// the roll, one absent throughout, one replaced by an alternate), a committee contest with a
// personnel plan and an age limit, and an incumbent over the limit who stands on an exception
// approved by the higher body, runs in-process through the station's handler and is exported.
// The untampered bundle verifies clean with the minutes' attendance and composition checked;
// each forgery (a command taken out of the log, a birth date changed in the session, a figure
// changed in the minutes and signed again by the station) fails by the check that names it. A
// members' congress of a Party cell (transfer, absence and suspension on the roll; a secretary
// under cpv-2024-cell-secretary) checks the members' categories the same way.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core_fixture.hpp"
#include "crypto/dsse.hpp"
#include "exported_bundle.hpp"
#include "forged_log.hpp"
#include "station/ctl/audit_bundle.hpp"
#include "tally/audit/verify/verifier.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;
namespace json = boost::json;
namespace fs = std::filesystem;
namespace verify = tallystation::audit::verify;

namespace {

constexpr const char* kRule = "district-committee-2025";

// {"id","name","birth_date","sex","ethnic_group","local"}
json::object person(const char* id, const char* name, const char* born, const char* sex,
                    const char* group, bool local = true) {
  return json::object{{"id", id},   {"name", name},          {"birth_date", born},
                      {"sex", sex}, {"ethnic_group", group}, {"local", local}};
}

// The congress opens on 2025-06-10. Delegates p01..p12 are convened (convened 12), p13 is an
// alternate. Ages on the first day: p01 55, p02 67 (an incumbent man: over the re-election
// limit of 65), p03 44, p04 37, p05 38, p06 49, p07 34. Contest committee: 5 seats among
// p01..p07; incumbents p01, p02, p03; the plan p01, p02, p03, p04, p06.
json::object people_session() {
  const Keys& k = Keys::get();
  const json::array people = {person("p01", "Nguyễn Văn An", "1970-03-15", "male", "Kinh"),
                              person("p02", "Trần Văn Bình", "1958-05-20", "male", "Kinh"),
                              person("p03", "Lê Thị Cúc", "1980-11-02", "female", "Tày"),
                              person("p04", "Phạm Văn Dũng", "1988-01-30", "male", "Kinh", false),
                              person("p05", "Hoàng Thị Em", "1986-09-12", "female", "Mường"),
                              person("p06", "Vũ Văn Giang", "1975-07-07", "male", "Kinh"),
                              person("p07", "Đặng Thị Hoa", "1990-12-25", "female", "Kinh"),
                              person("p08", "Bùi Văn Khải", "1979-02-14", "male", "Kinh"),
                              person("p09", "Đỗ Thị Lan", "1983-04-01", "female", "Kinh"),
                              person("p10", "Hồ Văn Minh", "1972-08-19", "male", "Nùng"),
                              person("p11", "Ngô Thị Nga", "1985-10-10", "female", "Kinh"),
                              person("p12", "Dương Văn Phúc", "1969-06-30", "male", "Kinh"),
                              person("p13", "Lý Thị Quyên", "1991-01-05", "female", "Dao")};
  json::array roll;
  for (int i = 1; i <= 12; ++i) roll.emplace_back((i < 10 ? "p0" : "p") + std::to_string(i));
  json::array candidates;
  for (std::size_t i = 0; i < 7; ++i) {
    const json::object& p = people[i].as_object();
    candidates.push_back(json::object{{"id", p.at("id")}, {"name", p.at("name")}});
  }
  return json::object{
      {"id", "people-2026"},
      {"title", "Congress of the district Party committee 2025-2030"},
      {"organisation", "The Party"},
      {"congress_kind", "delegates"},
      {"convened", 12},
      {"congress_date", "2025-06-10"},
      {"officials", json::array{person_json("o1", "Official One", k.official1),
                                person_json("o2", "Official Two", k.official2)}},
      {"counting_committee",
       json::object{{"members", json::array{person_json("m1", "Member One", k.member1),
                                            person_json("m2", "Member Two", k.member2)}},
                    {"required_signatures", 2}}},
      {"terminals",
       json::array{json::object{{"id", "t1"}, {"public_key", k.t1.public_key().pem()}}}},
      {"register",
       json::object{{"people", people}, {"roll", roll}, {"alternates", json::array{"p13"}}}},
      {"eligibility_rules",
       json::array{json::object{
           {"id", kRule},
           {"title", "District Party committee: age limits for the 2025-2030 term"},
           {"max_age", json::object{{"first_time", json::object{{"male", 60}, {"female", 55}}},
                                    {"re_election", json::object{{"male", 65}, {"female", 60}}}}},
           {"approving_body", "the provincial Party committee's standing committee"}}}},
      {"contests",
       json::array{json::object{{"id", "committee"},
                                {"title", "District Party Committee"},
                                {"seats", 5},
                                {"candidates", candidates},
                                {"office", "committee"},
                                {"incumbents", json::array{"p01", "p02", "p03"}},
                                {"personnel_plan", json::array{"p01", "p02", "p03", "p04", "p06"}},
                                {"eligibility", json::array{kRule}}}}}};
}

// What the rules give for both rounds (docs/audit.md "Formats, exactly"): 12 convened, p12 absent
// throughout (excluded from the basis), p11's place taken by the alternate p13 (present); the
// quorum two thirds of 12.
constexpr const char* kAttendance =
    R"({"convened":12,"present":11,"absent":{"absent":0,"absent_throughout":1},"excluded":1,)"
    R"("quorum":{"base":12,"required":8,"held":true}})";
// The committee elected p01, p02, p03, p04 (round 1) and p05 (the run-off): 3 re-elected, 2
// women (p03, p05), 2 under 40 (p04 37, p05 38), 2 of minorities (Tày, Mường), 1 not local
// (p04), mean age (55 + 67 + 44 + 37 + 38) / 5 = 48.2; p06 planned and not elected, p05 elected
// outside the plan.
constexpr const char* kComposition =
    R"({"office":"committee","elected":5,"re_elected":{"count":3,"percent":"60.0"},)"
    R"("first_time":{"count":2,"percent":"40.0"},"women":{"count":2,"percent":"40.0"},)"
    R"("under_40":{"count":2,"percent":"40.0"},"ethnic_minority":{"count":2,"percent":"40.0"},)"
    R"("non_local":{"count":1,"percent":"20.0"},"mean_age":"48.2","directly_elected":false,)"
    R"("plan":{"planned":5,"planned_not_elected":{"count":1,"percent":"20.0","ids":["p06"]},)"
    R"("elected_outside_plan":{"count":1,"percent":"20.0","ids":["p05"]}}})";

// The congress, exported once per test binary. Its command log (seq = line):
//   1 enrol_terminal t1          4 issue_tokens committee/1  7 issue_tokens committee/2
//   2 record_roll                5 open_round committee/1    8 open_round committee/2 (run-off)
//   3 record_exception p02       6 close_round committee/1   9 close_round committee/2
//                                  (tie p05, p06)              (p05; complete)
struct PeopleBundle : ExportedBundle {
  json::object minutes1, minutes2;  // the payloads of the exported minutes

  PeopleBundle() : ExportedBundle(temp_dir("people-bundle")) {
    RulesStation s(people_session());
    s.command("enrol_terminal", {{"terminal", "t1"}});
    json::array present;
    for (int i = 1; i <= 10; ++i) present.emplace_back((i < 10 ? "p0" : "p") + std::to_string(i));
    const json::object roll = s.command(
        "record_roll",
        {{"present", present},
         {"absent",
          json::array{json::object{{"person", "p12"}, {"category", "absent_throughout"}}}},
         {"replacements", json::array{json::object{{"delegate", "p11"}, {"alternate", "p13"}}}}});
    INFO(json::serialize(roll));
    REQUIRE(json::serialize(roll.at("result")) == kAttendance);
    s.command("record_exception", {{"contest", "committee"},
                                   {"candidate", "p02"},
                                   {"rule", kRule},
                                   {"body", "the provincial Party committee's standing committee"},
                                   {"decision", "125-QD/TU"},
                                   {"date", "2025-05-20"}});
    // Round 1, 11 ballots (basis 12 - 1 = 11, threshold 6): p01 10, p02 9, p03 9, p04 9, p05 7,
    // p06 7, p07 2: four elected, p05 and p06 tied for the last seat.
    auto t = s.tokens("committee", 1, 11);
    s.command("open_round", {{"contest", "committee"}, {"round", 1}});
    s.vote("committee", 1, t,
           {{"p01", "p02", "p03", "p04", "p05"},
            {"p01", "p02", "p03", "p04", "p06"},
            {"p01", "p02", "p03", "p04", "p05"},
            {"p01", "p02", "p03", "p04", "p06"},
            {"p01", "p02", "p03", "p04", "p05"},
            {"p01", "p02", "p03", "p04", "p06"},
            {"p01", "p02", "p03", "p05", "p06"},
            {"p01", "p02", "p04", "p05", "p06"},
            {"p01", "p03", "p04", "p05", "p06"},
            {"p01", "p02", "p03", "p07"},
            {"p04", "p05", "p06", "p07"}});
    const json::object m1 = s.command("close_round", {{"contest", "committee"}, {"round", 1}});
    INFO(json::serialize(m1));
    REQUIRE(m1.at("result").at("minutes").at("outcome").as_string() == "tie");
    // The run-off: p05 7, p06 4.
    t = s.tokens("committee", 2, 11);
    s.command("open_round", {{"contest", "committee"}, {"round", 2}});
    s.vote("committee", 2, t,
           {{"p05"},
            {"p05"},
            {"p05"},
            {"p05"},
            {"p05"},
            {"p05"},
            {"p05"},
            {"p06"},
            {"p06"},
            {"p06"},
            {"p06"}});
    const json::object m2 = s.command("close_round", {{"contest", "committee"}, {"round", 2}});
    INFO(json::serialize(m2));
    REQUIRE(m2.at("result").at("minutes").at("outcome").as_string() == "complete");
    REQUIRE(ctl::export_bundle(s.data(), bundle).has_value());
    station_key_pem = read_file(s.data() / "station.key");
    minutes1 = payload_of(bundle / "rounds/committee/1/minutes.json");
    minutes2 = payload_of(bundle / "rounds/committee/2/minutes.json");
    REQUIRE(minutes1.at("tied") == json::array{"p05", "p06"});
  }
  static json::object payload_of(const fs::path& minutes) {
    auto env = crypto::parse_envelope(read_file(minutes));
    REQUIRE(env);
    return json::parse(env->payload).as_object();
  }
  static PeopleBundle& get() {
    static PeopleBundle b;
    return b;
  }
};

// Rewrites a round's minutes payload and signs it again with the key of the station that exported
// `g` (a station that lies in its own signed minutes).
void resign_minutes(const ExportedBundle& g, const fs::path& bundle, const std::string& round_dir,
                    const std::function<void(json::object&)>& edit) {
  const fs::path p = bundle / "rounds" / round_dir / "minutes.json";
  auto env = crypto::parse_envelope(read_file(p));
  REQUIRE(env);
  json::value v = json::parse(env->payload);
  edit(v.as_object());
  write_file(p, crypto::serialize(crypto::make_envelope(
                    g.station_key(), crypto::payload_type::kResult, json::serialize(v))) +
                    "\n");
}

// Changes person `id`'s birth date in the bundle's session.json.
void change_birth_date(const fs::path& bundle, const std::string& id, const std::string& date) {
  json::value v = json::parse(read_file(bundle / "session.json"));
  for (json::value& p : v.at("register").at("people").as_array()) {
    if (p.at("id").as_string() == id) p.as_object()["birth_date"] = date;
  }
  write_file(bundle / "session.json", json::serialize(v));
}

// The names of the checks of `scope`, in report order.
std::vector<std::string> checks_of(const verify::Report& r, const std::string& scope) {
  std::vector<std::string> out;
  for (const verify::Check& c : r.checks()) {
    if (c.scope == scope) out.push_back(c.name);
  }
  return out;
}

// The problems of the failed check `name` in `scope`.
std::vector<std::string> problems(const verify::Report& r, const std::string& name,
                                  const std::string& scope) {
  const verify::Check* c = r.failed(name, scope);
  REQUIRE(c != nullptr);
  return c->problems;
}

bool has(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// `tally-audit verify BUNDLE`: its exit status and its text report.
std::pair<int, std::string> tally_audit_verify(const fs::path& bundle) {
  const fs::path out = bundle.parent_path() / (bundle.filename().string() + ".verify.txt");
  const std::string line = std::string("'") + TALLY_AUDIT_PATH + "' verify '" + bundle.string() +
                           "' > '" + out.string() + "' 2>&1";
  const int status = std::system(line.c_str());
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), read_file(out)};
}

const std::string kRound1 = "round committee/1";
const std::string kRound2 = "round committee/2";

// A members' congress of a Party cell on 2025-03-15: nine members on the roll, q01..q06 present,
// q07 on temporary transfer, q08 absent, q09 suspended. Its secretary is elected under the rule
// set cpv-2024-cell-secretary, whose age limits (cell-secretary-2024) both candidates meet: q01,
// the incumbent, 66 (re-election limit 67 for men), q02 45 (first time, 60 for women).
json::object cell_session() {
  json::object s = people_session();
  s["id"] = "cell-2025";
  s["title"] = "Congress of Party cell 3";
  s["congress_kind"] = "members";
  s["convened"] = 9;
  s["congress_date"] = "2025-03-15";
  json::array people = {person("q01", "Phan Văn Sơn", "1958-09-01", "male", "Kinh"),
                        person("q02", "Mai Thị Thu", "1980-01-01", "female", "Kinh")};
  json::array roll = {"q01", "q02"};
  for (int i = 3; i <= 9; ++i) {
    const std::string id = "q0" + std::to_string(i);
    people.push_back(json::object{{"id", id},
                                  {"name", "Member " + id},
                                  {"birth_date", "1975-05-05"},
                                  {"sex", "male"},
                                  {"ethnic_group", "Kinh"},
                                  {"local", true}});
    roll.emplace_back(id);
  }
  s["register"] = json::object{{"people", people}, {"roll", roll}};
  s.erase("eligibility_rules");
  s["contests"] = json::array{json::object{
      {"id", "secretary"},
      {"title", "Cell Secretary"},
      {"seats", 1},
      {"rule_set", "cpv-2024-cell-secretary"},
      {"office", "secretary"},
      {"incumbents", json::array{"q01"}},
      {"candidates", json::array{json::object{{"id", "q01"}, {"name", "Phan Văn Sơn"}},
                                 json::object{{"id", "q02"}, {"name", "Mai Thị Thu"}}}}}};
  return s;
}

// Excluded from the basis: the transfer and the suspension (2); from the quorum's base the same
// two: base 7, two thirds rounded up 5, and 6 present make it.
constexpr const char* kCellAttendance =
    R"({"convened":9,"present":6,"absent":{"absent":1,"temporary_transfer":1,"exempted":0,)"
    R"("suspended_or_prosecuted":1,"absent_with_accepted_reason":0},"excluded":2,)"
    R"("quorum":{"base":7,"required":5,"held":true}})";
constexpr const char* kCellComposition =
    R"({"office":"secretary","elected":1,"re_elected":{"count":1,"percent":"100.0"},)"
    R"("first_time":{"count":0,"percent":"0.0"},"women":{"count":0,"percent":"0.0"},)"
    R"("under_40":{"count":0,"percent":"0.0"},"ethnic_minority":{"count":0,"percent":"0.0"},)"
    R"("non_local":{"count":0,"percent":"0.0"},"mean_age":"66.0","directly_elected":true})";

// The cell's congress: record_roll, then the secretary's round 1 (basis 9 - 2 = 7, threshold
// 4): q01 4, q02 2 of 6 ballots.
struct CellBundle : ExportedBundle {
  json::object minutes;

  CellBundle() : ExportedBundle(temp_dir("cell-bundle")) {
    RulesStation s(cell_session());
    s.command("enrol_terminal", {{"terminal", "t1"}});
    s.command(
        "record_roll",
        {{"present", json::array{"q01", "q02", "q03", "q04", "q05", "q06"}},
         {"absent",
          json::array{json::object{{"person", "q07"}, {"category", "temporary_transfer"}},
                      json::object{{"person", "q08"}, {"category", "absent"}},
                      json::object{{"person", "q09"}, {"category", "suspended_or_prosecuted"}}}}});
    auto t = s.tokens("secretary", 1, 6);
    s.command("open_round", {{"contest", "secretary"}, {"round", 1}});
    s.vote("secretary", 1, t, {{"q01"}, {"q01"}, {"q01"}, {"q01"}, {"q02"}, {"q02"}});
    const json::object m = s.command("close_round", {{"contest", "secretary"}, {"round", 1}});
    INFO(json::serialize(m));
    REQUIRE(m.at("result").at("minutes").at("outcome").as_string() == "complete");
    REQUIRE(ctl::export_bundle(s.data(), bundle).has_value());
    station_key_pem = read_file(s.data() / "station.key");
    minutes = PeopleBundle::payload_of(bundle / "rounds/secretary/1/minutes.json");
  }
  static CellBundle& get() {
    static CellBundle b;
    return b;
  }
};

}  // namespace

TEST_CASE("a congress with a register, an alternate and an age exception verifies clean",
          "[bundle][people]") {
  const PeopleBundle& g = PeopleBundle::get();
  // The station wrote the people members as the rules give them.
  CHECK(json::serialize(g.minutes1.at("attendance")) == kAttendance);
  CHECK_FALSE(g.minutes1.contains("composition"));
  CHECK(json::serialize(g.minutes2.at("attendance")) == kAttendance);
  CHECK(json::serialize(g.minutes2.at("composition")) == kComposition);
  // The counts: excluded and present from the roll, the basis 12 - 1.
  CHECK(g.minutes1.at("excluded") == 1);
  CHECK(g.minutes1.at("present") == 11);
  CHECK(g.minutes1.at("basis") == 11);
  CHECK(g.minutes1.at("threshold") == 6);

  const verify::Report r = verify::verify_bundle(g.bundle);
  INFO(r.text());
  CHECK(r.ok());
  CHECK(failed_checks(r).empty());
  CHECK(r.find("command effects", "command log")->passed == 9);
  for (const std::string& scope : {kRound1, kRound2}) {
    const std::vector<std::string> names = checks_of(r, scope);
    REQUIRE(names.size() >= 3);
    // The people checks come right after "minutes facts", attendance first.
    CHECK(std::vector<std::string>(names.end() - 3, names.end()) ==
          std::vector<std::string>{"minutes facts", "attendance", "composition"});
    const verify::Check* att = r.find("attendance", scope);
    REQUIRE(att != nullptr);
    CHECK(att->state == verify::CheckState::ok);
    // Every member and category (8); the sum, convened, excluded, present, basis, quorum (6).
    CHECK(att->passed == 14);
    CHECK(att->total == 14);
    CHECK(att->note == "convened 12: 11 present, 1 excluded; quorum 8 of 12 held");
  }
  const verify::Check* none = r.find("composition", kRound1);
  CHECK(none->total == 0);
  CHECK(none->note == "the contest is not complete after this round: no composition");
  const verify::Check* comp = r.find("composition", kRound2);
  CHECK(comp->state == verify::CheckState::ok);
  // Office, elected, 6 shares of 2, mean age, directly elected, planned, 2 plan figures of 3.
  CHECK(comp->passed == 23);
  CHECK(comp->note == "5 elected (committee), against the personnel plan");

  const auto [exit, text] = tally_audit_verify(g.bundle);
  INFO(text);
  CHECK(exit == 0);
  CHECK(text.find("ok   attendance") != std::string::npos);
  CHECK(text.find("ok   composition") != std::string::npos);
}

TEST_CASE("the people's forgeries fail tally-audit verify, by the check that names them",
          "[bundle][people][forgery]") {
  const PeopleBundle& g = PeopleBundle::get();

  SECTION("an exception that was never recorded: the round could not open") {
    // record_exception taken out; the rest signed again and chained, so that only the rules
    // refuse the log.
    const fs::path b = g.copy("no-exception");
    Log log = read_log(b);
    REQUIRE(log[2].payload.at("command").as_string() == "record_exception");
    log.erase(log.begin() + 2);
    write_log(b, log, g.station_key());
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) == std::set<std::string>{"command effects"});
    const std::vector<std::string> p = problems(r, "command effects", "command log");
    REQUIRE(p.size() == 1);
    CHECK(p[0] ==
          "commands.jsonl:4 (seq 4, open_round): candidate_ineligible: candidate p02 (Trần Văn "
          "Bình) is aged 67 on 2025-06-10, over the re-election limit of 65 "
          "(district-committee-2025), and no exception is recorded (record_exception); the "
          "replay stops here");
    CHECK(r.find("attendance") == nullptr);  // no round is checked after the refusal
    const auto [exit, text] = tally_audit_verify(b);
    INFO(text);
    CHECK(exit == 1);
    CHECK(text.find("FAIL command effects") != std::string::npos);
  }
  SECTION("an elected member's birth date changed: the chain, the facts and the mean age fail") {
    // p04 born a year earlier: 38, still under 40, but the mean age becomes 242 / 5 = 48.4.
    const fs::path b = g.copy("older-member");
    change_birth_date(b, "p04", "1987-01-30");
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) ==
          std::set<std::string>{"command log chain", "minutes facts", "composition"});
    CHECK(r.failed("composition", kRound1) == nullptr);
    CHECK(problems(r, "composition", kRound2) ==
          std::vector<std::string>{
              R"(composition.mean_age: recomputed "48.4", the minutes say "48.2")"});
    const std::vector<std::string> facts = problems(r, "minutes facts", kRound2);
    REQUIRE_FALSE(facts.empty());
    CHECK(facts[0].rfind("minutes say config_hash = ", 0) == 0);
    CHECK(r.failed("attendance") == nullptr);
  }
  SECTION("the excepted candidate's birth date changed to within the limit: no exception needed") {
    // p02 born 1962: 63 on the first day, within the re-election limit of 65.
    const fs::path b = g.copy("younger-candidate");
    change_birth_date(b, "p02", "1962-05-20");
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) == std::set<std::string>{"command log chain", "command effects"});
    const std::vector<std::string> p = problems(r, "command effects", "command log");
    REQUIRE(p.size() == 1);
    CHECK(p[0] ==
          "commands.jsonl:3 (seq 3, record_exception): exception_not_needed: args.candidate: p02 "
          "is aged 63 on 2025-06-10, within the re-election limit of 65 "
          "(district-committee-2025): no exception is needed; the replay stops here");
  }
  SECTION("a roll that does not add up: one more present in the minutes' attendance") {
    const fs::path b = g.copy("present-plus-one");
    resign_minutes(g, b, "committee/1",
                   [](json::object& m) { m["attendance"].as_object()["present"] = 12; });
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) == std::set<std::string>{"attendance"});
    CHECK(problems(r, "attendance", kRound1) ==
          std::vector<std::string>{
              "attendance.present: the roll recorded 11, the minutes say 12",
              "attendance does not add up: present 12 + absent 1 + unrecorded 0 is not convened 12",
              "attendance.present 12 is not the minutes' present 11"});
    CHECK(r.failed("attendance", kRound2) == nullptr);
    const auto [exit, text] = tally_audit_verify(b);
    INFO(text);
    CHECK(exit == 1);
    CHECK(text.find("attendance.present: the roll recorded 11, the minutes say 12") !=
          std::string::npos);
  }
  SECTION("a composition figure off by one: one more woman") {
    const fs::path b = g.copy("one-more-woman");
    resign_minutes(g, b, "committee/2", [](json::object& m) {
      m["composition"].as_object()["women"] = json::object{{"count", 3}, {"percent", "60.0"}};
    });
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) == std::set<std::string>{"composition"});
    CHECK(problems(r, "composition", kRound2) ==
          std::vector<std::string>{
              "composition.women.count: recomputed 2, the minutes say 3",
              R"(composition.women.percent: recomputed "40.0", the minutes say "60.0")"});
  }
  SECTION("a plan figure: an id left out of those elected outside the plan") {
    const fs::path b = g.copy("plan-ids");
    resign_minutes(g, b, "committee/2", [](json::object& m) {
      m["composition"].as_object()["plan"].as_object()["elected_outside_plan"] =
          json::object{{"count", 0}, {"percent", "0.0"}, {"ids", json::array{}}};
    });
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) == std::set<std::string>{"composition"});
    CHECK(
        problems(r, "composition", kRound2) ==
        std::vector<std::string>{
            "composition.plan.elected_outside_plan.count: recomputed 1, the minutes say 0",
            R"(composition.plan.elected_outside_plan.percent: recomputed "20.0", the minutes say "0.0")",
            R"(composition.plan.elected_outside_plan.ids: recomputed ["p05"], the minutes say [])"});
  }
  SECTION("a composition in the minutes of a round that did not complete the contest") {
    const fs::path b = g.copy("early-composition");
    resign_minutes(g, b, "committee/1",
                   [&](json::object& m) { m["composition"] = g.minutes2.at("composition"); });
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) == std::set<std::string>{"composition"});
    CHECK(problems(r, "composition", kRound1) ==
          std::vector<std::string>{
              "the minutes carry \"composition\", but the contest is not complete after this "
              "round: only the round that completes it states the elected body"});
  }
  SECTION("the composition left out of the round that completed the contest") {
    const fs::path b = g.copy("no-composition");
    resign_minutes(g, b, "committee/2", [](json::object& m) { m.erase("composition"); });
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) == std::set<std::string>{"composition"});
    CHECK(problems(r, "composition", kRound2) ==
          std::vector<std::string>{std::string("minutes lack \"composition\" (recomputed ") +
                                   kComposition + ")"});
  }
  SECTION("the attendance left out") {
    const fs::path b = g.copy("no-attendance");
    resign_minutes(g, b, "committee/2", [](json::object& m) { m.erase("attendance"); });
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) == std::set<std::string>{"attendance"});
    CHECK(problems(r, "attendance", kRound2) ==
          std::vector<std::string>{std::string("minutes lack \"attendance\" (the roll recorded ") +
                                   kAttendance + ")"});
  }
  SECTION("the attendance's members in another order") {
    const fs::path b = g.copy("attendance-order");
    resign_minutes(g, b, "committee/1", [](json::object& m) {
      const json::object a = m.at("attendance").as_object();
      json::object reordered;
      reordered["present"] = a.at("present");
      for (const auto& kv : a) {
        if (kv.key() != "present") reordered[kv.key()] = kv.value();
      }
      m["attendance"] = reordered;
    });
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) == std::set<std::string>{"attendance"});
    CHECK(problems(r, "attendance", kRound1) ==
          std::vector<std::string>{"attendance: members in the order present, convened, absent, "
                                   "excluded, quorum, not convened, present, absent, excluded, "
                                   "quorum"});
  }
  SECTION("the top-level excluded taken from the session's contest instead of the roll") {
    // A station that ignored the roll: excluded 0, so basis 12 and threshold 7, with the
    // attendance as the roll has it.
    const fs::path b = g.copy("excluded-zero");
    resign_minutes(g, b, "committee/1", [](json::object& m) {
      m["excluded"] = 0;
      m["basis"] = 12;
      m["threshold"] = 7;
    });
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(failed_checks(r) == std::set<std::string>{"recount", "minutes facts", "attendance"});
    CHECK(
        has(problems(r, "minutes facts", kRound1), "minutes say excluded = 0, the bundle gives 1"));
    CHECK(
        problems(r, "attendance", kRound1) ==
        std::vector<std::string>{"attendance.excluded 1 is not the minutes' excluded 0",
                                 "basis 12 is not attendance.convened 12 - attendance.excluded 1"});
  }
  SECTION("no register: the register taken out of session.json makes the session unreadable") {
    // The contests' people fields need a register (docs/session.md "People"): exit 2.
    const fs::path b = g.copy("no-register");
    json::value v = json::parse(read_file(b / "session.json"));
    v.as_object().erase("register");
    write_file(b / "session.json", json::serialize(v));
    try {
      verify::verify_bundle(b);
      FAIL("an unreadable register was taken");
    } catch (const verify::UnreadableBundle& e) {
      CHECK(std::string(e.what()) ==
            "session.json: register: missing: congress_date, eligibility_rules and the contests' "
            "office, incumbents, personnel_plan and eligibility need a register");
    }
  }
  SECTION("a register that names an unknown person on the roll is unreadable") {
    const fs::path b = g.copy("unknown-on-roll");
    json::value v = json::parse(read_file(b / "session.json"));
    v.at("register").at("roll").as_array()[11] = "p99";
    write_file(b / "session.json", json::serialize(v));
    try {
      verify::verify_bundle(b);
      FAIL("an unreadable register was taken");
    } catch (const verify::UnreadableBundle& e) {
      CHECK(std::string(e.what()) ==
            "session.json: register.roll[11]: no person \"p99\" in register.people");
    }
    const auto [exit, text] = tally_audit_verify(b);
    CHECK(exit == 2);
    CHECK(text.find("register.roll[11]: no person \"p99\" in register.people") !=
          std::string::npos);
  }
}

TEST_CASE("a members' cell congress excludes transfers and suspensions and states its secretary",
          "[bundle][people]") {
  const CellBundle& g = CellBundle::get();
  CHECK(json::serialize(g.minutes.at("attendance")) == kCellAttendance);
  CHECK(json::serialize(g.minutes.at("composition")) == kCellComposition);
  CHECK(g.minutes.at("excluded") == 2);
  CHECK(g.minutes.at("present") == 6);
  CHECK(g.minutes.at("basis") == 7);
  CHECK(g.minutes.at("threshold") == 4);
  const verify::Report r = verify::verify_bundle(g.bundle);
  INFO(r.text());
  CHECK(r.ok());
  CHECK(failed_checks(r).empty());
  const std::string scope = "round secretary/1";
  CHECK(r.find("attendance", scope)->note ==
        "convened 9: 6 present, 2 excluded; quorum 5 of 7 held");
  CHECK(r.find("composition", scope)->note == "1 elected (secretary)");

  SECTION("the transfer moved to plain absence in the minutes, the excluded left as it was") {
    const fs::path b = g.copy("transfer-as-absent");
    resign_minutes(g, b, "secretary/1", [](json::object& m) {
      json::object& absent = m["attendance"].as_object()["absent"].as_object();
      absent["absent"] = 2;
      absent["temporary_transfer"] = 0;
    });
    const verify::Report t = verify::verify_bundle(b);
    INFO(t.text());
    CHECK(failed_checks(t) == std::set<std::string>{"attendance"});
    CHECK(problems(t, "attendance", scope) ==
          std::vector<std::string>{
              "attendance.absent.absent: the roll recorded 1, the minutes say 2",
              "attendance.absent.temporary_transfer: the roll recorded 1, the minutes say 0"});
  }
}
