// `tally-audit rollup` on real exported bundles (docs/audit.md "The season report"): a province
// P with two districts D1 (communes C1, C2) and D2 (commune C3). P and C1 hold congresses with a
// register (a committee and a directly elected secretary), D1 one without a register (its
// elected are counted, not described); C2 sent two bundles (a conflict: neither counts), D2's
// bundle was tampered with (excluded, named with its first failing check, the same as
// `tally-audit verify` gives), C3 sent none (missing), and one more bundle names a unit that is
// not in the roster. C1's bundle is a tar of its directory. Every figure below is computed by hand
// from the people in the sessions.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core_fixture.hpp"
#include "crypto/dsse.hpp"
#include "exported_bundle.hpp"
#include "forged_log.hpp"
#include "rollup_options.hpp"
#include "station/ctl/audit_bundle.hpp"
#include "tally/audit/rollup/html_report.hpp"
#include "tally/audit/rollup/nist_results.hpp"
#include "tally/audit/rollup/season.hpp"
#include "tally/audit/rollup/season_output.hpp"
#include "tally/audit/verify/verifier.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;
namespace json = boost::json;
namespace fs = std::filesystem;
namespace rollup = tallystation::audit::rollup;
namespace verify = tallystation::audit::verify;

namespace {

// {"id","name","birth_date","sex","ethnic_group","local"}; born on 1 January, so the age on the
// congress date 2025-06-10 is 2025 - year.
json::object person(const std::string& id, int born, const char* sex, const char* group,
                    bool local) {
  return json::object{
      {"id", id},   {"name", "Person " + id}, {"birth_date", std::to_string(born) + "-01-01"},
      {"sex", sex}, {"ethnic_group", group},  {"local", local}};
}

json::array candidates_of(const std::vector<std::string>& ids) {
  json::array out;
  for (const auto& id : ids) out.push_back(json::object{{"id", id}, {"name", "Person " + id}});
  return out;
}

json::array ids(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.emplace_back(s);
  return out;
}

json::object base_session(const std::string& unit) {
  const Keys& k = Keys::get();
  return json::object{
      {"id", unit},
      {"title", "Congress of " + unit + " 2025-2030"},
      {"organisation", "The Party"},
      {"congress_kind", "delegates"},
      {"convened", 4},
      {"officials", json::array{person_json("o1", "Official One", k.official1),
                                person_json("o2", "Official Two", k.official2)}},
      {"counting_committee",
       json::object{{"members", json::array{person_json("m1", "Member One", k.member1),
                                            person_json("m2", "Member Two", k.member2)}},
                    {"required_signatures", 2}}},
      {"terminals",
       json::array{json::object{{"id", "t1"}, {"public_key", k.t1.public_key().pem()}}}}};
}

// A congress with a register of four delegates (`people`, all on the roll, all present): the
// committee (3 seats among the four; every one of the four ballots marks the first three) and,
// with `secretary`, the secretary (1 seat between `secretary` and another; every ballot marks
// `secretary`).
struct UnitSpec {
  std::string unit;
  json::array people;  // four people
  std::vector<std::string> committee_incumbents;
  std::optional<std::vector<std::string>> plan;
  std::optional<std::string> secretary;  // who is elected secretary
  std::vector<std::string> secretary_incumbents;
};

std::vector<std::string> people_ids(const json::array& people) {
  std::vector<std::string> out;
  for (const auto& p : people) out.emplace_back(p.at("id").as_string());
  return out;
}

// Both counting-committee members countersign round 1 of `contest` (docs/protocol.md "Results").
void countersign_round(RulesStation& st, const std::string& contest) {
  const auto r = st.call("GET", "/v1/results/" + contest + "/1", "");
  REQUIRE(r.status == 200);
  const auto env = crypto::parse_envelope(r.body);
  REQUIRE(env);
  for (const crypto::SecretKey* key : {&Keys::get().member1, &Keys::get().member2}) {
    const crypto::Signature sig = crypto::sign_envelope(*key, env->payload_type, env->payload);
    Station::expect_ok(
        st.call("POST", "/v1/results/" + contest + "/1/signatures",
                json::serialize(
                    json::object{{"keyid", sig.keyid}, {"sig", crypto::base64_encode(sig.sig)}})));
  }
}

// With `certify`, every round's minutes are certified by both members.
fs::path export_with_register(const UnitSpec& u, const fs::path& out, bool certify = false) {
  const std::vector<std::string> all = people_ids(u.people);
  json::object s = base_session(u.unit);
  s["congress_date"] = "2025-06-10";
  s["register"] = json::object{{"people", u.people}, {"roll", ids(all)}};
  json::object committee{{"id", "committee"},
                         {"title", "Committee"},
                         {"seats", 3},
                         {"candidates", candidates_of(all)},
                         {"office", "committee"},
                         {"incumbents", ids(u.committee_incumbents)}};
  if (u.plan) committee["personnel_plan"] = ids(*u.plan);
  json::array contests{committee};
  if (u.secretary) {
    std::vector<std::string> two{*u.secretary, *u.secretary == all[3] ? all[0] : all[3]};
    contests.push_back(json::object{{"id", "secretary"},
                                    {"title", "Secretary"},
                                    {"seats", 1},
                                    {"candidates", candidates_of(two)},
                                    {"office", "secretary"},
                                    {"incumbents", ids(u.secretary_incumbents)}});
  }
  s["contests"] = contests;
  RulesStation st(s);
  st.command("enrol_terminal", {{"terminal", "t1"}});
  st.command("record_roll", {{"present", ids(all)}});
  auto t = st.tokens("committee", 1, 4);
  st.command("open_round", {{"contest", "committee"}, {"round", 1}});
  st.vote("committee", 1, t, std::vector<std::vector<std::string>>(4, {all[0], all[1], all[2]}));
  REQUIRE(st.command("close_round", {{"contest", "committee"}, {"round", 1}})
              .at("result")
              .at("minutes")
              .at("outcome")
              .as_string() == "complete");
  if (u.secretary) {
    t = st.tokens("secretary", 1, 4);
    st.command("open_round", {{"contest", "secretary"}, {"round", 1}});
    st.vote("secretary", 1, t, std::vector<std::vector<std::string>>(4, {*u.secretary}));
    REQUIRE(st.command("close_round", {{"contest", "secretary"}, {"round", 1}})
                .at("result")
                .at("minutes")
                .at("outcome")
                .as_string() == "complete");
  }
  if (certify) {
    countersign_round(st, "committee");
    if (u.secretary) countersign_round(st, "secretary");
  }
  REQUIRE(ctl::export_bundle(st.data(), out).has_value());
  return out;
}

// A congress without a register: the committee elects a1, a2, a3 of four; with `unopened`, a
// second contest is defined and never voted on.
fs::path export_without_register(const std::string& unit, const fs::path& out,
                                 bool unopened = false) {
  json::object s = base_session(unit);
  json::array contests{json::object{{"id", "committee"},
                                    {"title", "Committee"},
                                    {"seats", 3},
                                    {"candidates", candidates_of({"a1", "a2", "a3", "a4"})}}};
  if (unopened) {
    contests.push_back(json::object{{"id", "inspection"},
                                    {"title", "Inspection committee"},
                                    {"seats", 1},
                                    {"candidates", candidates_of({"a1", "a4"})}});
  }
  s["contests"] = contests;
  RulesStation st(s);
  st.command("enrol_terminal", {{"terminal", "t1"}});
  auto t = st.tokens("committee", 1, 4);
  st.command("open_round", {{"contest", "committee"}, {"round", 1}});
  st.vote("committee", 1, t, std::vector<std::vector<std::string>>(4, {"a1", "a2", "a3"}));
  st.command("close_round", {{"contest", "committee"}, {"round", 1}});
  REQUIRE(ctl::export_bundle(st.data(), out).has_value());
  return out;
}

constexpr const char* kRoster =
    "unit,name,parent\r\n"
    "P,\"Province P, the top\",\r\n"
    "D1,District one,P\r\n"
    "D2,District two,P\r\n"
    "C1,Commune one,D1\r\n"
    "C2,Commune two,D1\r\n"
    "C3,Commune three,D2\r\n";

// The season's folder, made once per test binary.
struct SeasonFixture {
  fs::path dir = temp_dir("rollup");
  fs::path bundles = dir / "bundles";
  fs::path roster_file = dir / "roster.csv";

  SeasonFixture() {
    fs::create_directories(bundles);
    write_file(roster_file, kRoster);
    // P: committee p1 (55, man, Kinh, incumbent), p2 (38, woman, Tày), p3 (45, man, Kinh, not
    // local, incumbent); the plan p1, p2, p4 (p4 not elected, p3 elected outside it); secretary p1
    // (incumbent).
    export_with_register(
        {"P",
         json::array{
             person("p1", 1970, "male", "Kinh", true), person("p2", 1987, "female", "Tày", true),
             person("p3", 1980, "male", "Kinh", false), person("p4", 1975, "male", "Kinh", true)},
         {"p1", "p3"},
         std::vector<std::string>{"p1", "p2", "p4"},
         "p1",
         {"p1"}},
        bundles / "p");
    // C1: committee c1 (50, man, Kinh, incumbent), c2 (29, woman, Dao, not local), c3 (33, man,
    // Kinh, incumbent); secretary c2 (first time). Its minutes are certified.
    export_with_register(
        {"C1",
         json::array{
             person("c1", 1975, "male", "Kinh", true), person("c2", 1996, "female", "Dao", false),
             person("c3", 1992, "male", "Kinh", true), person("c4", 1960, "female", "Kinh", true)},
         {"c1", "c3"},
         std::nullopt,
         "c2",
         {}},
        bundles / "c1", true);
    // C1's bundle reaches the auditor as a tar of its directory (CONTRACT.md section 6).
    const std::string tar_c1 =
        "tar -C '" + bundles.string() + "' -cf '" + (bundles / "c1.tar").string() + "' c1";
    REQUIRE(std::system(tar_c1.c_str()) == 0);
    fs::remove_all(bundles / "c1");
    export_without_register("D1", bundles / "d1", true);  // its inspection contest never voted
    // C2 twice: the same export under two names.
    export_with_register(
        {"C2",
         json::array{
             person("e1", 1970, "male", "Kinh", true), person("e2", 1971, "male", "Kinh", true),
             person("e3", 1972, "male", "Kinh", true), person("e4", 1973, "male", "Kinh", true)},
         {},
         std::nullopt,
         "e1",
         {}},
        bundles / "c2-a");
    fs::copy(bundles / "c2-a", bundles / "c2-b", fs::copy_options::recursive);
    // D2: one ballot taken out of its committee's box.
    const fs::path d2 = export_without_register("D2", bundles / "d2");
    auto lines = lines_of(d2 / "rounds/committee/1/ballots.jsonl");
    lines.pop_back();
    write_lines(d2 / "rounds/committee/1/ballots.jsonl", lines);
    // A bundle of a unit the roster does not know.
    export_without_register("X9", bundles / "x9");
    write_file(bundles / "notes.txt", "not a bundle\n");
  }
  ~SeasonFixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  static SeasonFixture& get() {
    static SeasonFixture f;
    return f;
  }
};

const json::object& body(const json::object& figures, const char* office) {
  return figures.at("bodies").at(office).as_object();
}

json::value share(std::uint64_t count, const char* percent) {
  return json::object{{"count", count}, {"percent", percent}};
}

const json::object& unit_of(const json::object& report, const char* id) {
  for (const auto& u : report.at("units").as_array()) {
    if (u.at("unit").as_string() == id) return u.as_object();
  }
  FAIL("no unit " << id);
  throw std::logic_error("unreachable");
}

struct CliRun {
  int rc;
  std::string output;
};
CliRun run_cli(const std::string& args, const fs::path& out) {
  const std::string line =
      std::string("'") + TALLY_AUDIT_PATH + "' rollup " + args + " > '" + out.string() + "' 2>&1";
  const int status = std::system(line.c_str());
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), read_file(out)};
}

}  // namespace

TEST_CASE("the season report counts verified congresses and sums them up the roster", "[rollup]") {
  SeasonFixture& f = SeasonFixture::get();
  const rollup::Roster roster = rollup::read_roster(f.roster_file);
  const unsigned jobs = GENERATE(1u, 3u);
  const rollup::Season season = rollup::rollup(roster, f.bundles, jobs_option(jobs));
  const json::object report = json::parse(rollup::render_json(season, roster)).as_object();
  INFO(json::serialize(report));

  SECTION("congresses held of expected, and which are not") {
    const json::object& c = report.at("congresses").as_object();
    CHECK(c.at("expected") == 6);
    CHECK(c.at("held") == 3);
    CHECK(c.at("held_percent") == "50.0");
    CHECK(c.at("missing") == json::array{"C3"});
    CHECK(c.at("excluded") == json::array{"D2"});
    CHECK(c.at("conflict") == json::array{"C2"});
    const json::object& b = report.at("bundle_counts").as_object();
    CHECK(b.at("found") == 7);
    CHECK(b.at("counted") == 3);
    CHECK(b.at("excluded") == 1);
    CHECK(b.at("conflict") == 2);
    CHECK(b.at("not_in_roster") == 1);
    CHECK(b.at("failed_verification") == 1);
    CHECK(b.at("ignored") == json::array{"notes.txt"});
  }
  SECTION("the whole roster: committee, secretary, and the elected without a register") {
    const json::object& t = report.at("totals").as_object();
    CHECK(t.at("units_without_secretary") == 1);  // D1
    CHECK(t.at("contests_not_complete") == 1);    // D1's inspection contest
    // P (p1 55, p2 38, p3 45) and C1 (c1 50, c2 29, c3 33): 250 / 6 = 41.67.
    const json::object& cm = body(t, "committee");
    CHECK(cm.at("contests") == 2);
    CHECK(cm.at("elected") == 6);
    CHECK(cm.at("described") == 6);
    CHECK(cm.at("re_elected") == share(4, "66.7"));
    CHECK(cm.at("first_time") == share(2, "33.3"));
    CHECK(cm.at("women") == share(2, "33.3"));
    CHECK(cm.at("under_40") == share(3, "50.0"));
    CHECK(cm.at("ethnic_minority") == share(2, "33.3"));
    CHECK(cm.at("non_local") == share(2, "33.3"));
    CHECK(cm.at("mean_age") == "41.7");
    const json::object& plan = cm.at("plan").as_object();
    CHECK(plan.at("contests") == 1);
    CHECK(plan.at("planned") == 3);
    CHECK(plan.at("planned_not_elected") == share(1, "33.3"));
    CHECK(plan.at("elected") == 3);
    CHECK(plan.at("elected_outside_plan") == share(1, "33.3"));
    // Secretaries p1 (55, re-elected) and c2 (29, a woman of the Dao, not local): 84 / 2.
    const json::object& sec = body(t, "secretary");
    CHECK(sec.at("elected") == 2);
    CHECK(sec.at("re_elected") == share(1, "50.0"));
    CHECK(sec.at("women") == share(1, "50.0"));
    CHECK(sec.at("non_local") == share(1, "50.0"));
    CHECK(sec.at("mean_age") == "42.0");
    // D1 has no register: its three elected are counted under "other", described by nothing.
    const json::object& other = body(t, "other");
    CHECK(other.at("elected") == 3);
    CHECK(other.at("described") == 0);
    CHECK(other.at("mean_age").is_null());
    CHECK(other.at("women") == share(0, "0.0"));
  }
  SECTION("every ancestor gets its descendants' totals") {
    const json::object& d1 = unit_of(report, "D1");
    CHECK(d1.at("status") == "held");
    CHECK(d1.at("own").at("held") == 1);
    CHECK(body(d1.at("own").as_object(), "committee").at("elected") == 0);
    const json::object& d1t = d1.at("total").as_object();
    CHECK(d1t.at("expected") == 3);
    CHECK(d1t.at("held") == 2);
    CHECK(d1t.at("conflict") == 1);
    CHECK(d1t.at("held_percent") == "66.7");
    CHECK(d1t.at("contests_not_complete") == 1);
    CHECK(body(d1t, "committee").at("elected") == 3);        // C1's; C2's conflict is not counted
    CHECK(body(d1t, "committee").at("mean_age") == "37.3");  // (50 + 29 + 33) / 3
    CHECK(body(d1t, "other").at("elected") == 3);
    const json::object& d2t = unit_of(report, "D2").at("total").as_object();
    CHECK(d2t.at("expected") == 2);
    CHECK(d2t.at("held") == 0);
    CHECK(d2t.at("excluded") == 1);
    CHECK(d2t.at("missing") == 1);
    CHECK(body(d2t, "other").at("elected") == 0);
    const json::object& p = unit_of(report, "P");
    CHECK(p.at("parent").is_null());
    CHECK(p.at("total") == report.at("totals"));
    CHECK(body(p.at("own").as_object(), "committee").at("mean_age") == "46.0");  // 138 / 3
  }
  SECTION("a tampered bundle is excluded with the first check verify fails") {
    const verify::Report r = verify::verify_bundle(f.bundles / "d2");
    REQUIRE_FALSE(r.ok());
    const verify::Check* first = nullptr;
    for (const auto& c : r.checks()) {
      if (c.state == verify::CheckState::fail) {
        first = &c;
        break;
      }
    }
    REQUIRE(first != nullptr);
    CHECK(first->name == "recount");  // the box lost a ballot the minutes counted
    const json::object* d2 = nullptr;
    for (const auto& b : report.at("bundles").as_array()) {
      if (b.at("dir") == "d2") d2 = &b.as_object();
    }
    REQUIRE(d2 != nullptr);
    CHECK(d2->at("verdict") == "excluded");
    CHECK(d2->at("verified") == false);
    CHECK(d2->at("failed_check").at("name") == first->name.c_str());
    CHECK(d2->at("failed_check").at("scope") == first->scope.c_str());
    CHECK(d2->at("failed_check").at("problem") == first->problems.at(0).c_str());
    CHECK(d2->at("contests").as_array().empty());
  }
  SECTION("a bundle given as a tar is verified and counted as its directory would be") {
    const json::object& c1 = unit_of(report, "C1");
    CHECK(c1.at("status") == "held");
    CHECK(c1.at("bundles") == json::array{"c1.tar"});
    CHECK(body(c1.at("own").as_object(), "secretary").at("elected") == 1);
    const json::object* b = nullptr;
    for (const auto& e : report.at("bundles").as_array()) {
      if (e.at("dir") == "c1.tar") b = &e.as_object();
    }
    REQUIRE(b != nullptr);
    CHECK(b->at("unit") == "C1");
    CHECK(b->at("verdict") == "counted");
    CHECK(b->at("verified") == true);
    CHECK(b->at("config_hash").as_string().size() == 64);
    CHECK(b->at("contests").as_array().size() == 2);
  }
  SECTION("a duplicate unit is a conflict: both bundles listed, neither counted") {
    const json::object& c2 = unit_of(report, "C2");
    CHECK(c2.at("status") == "conflict");
    CHECK(c2.at("bundles") == json::array{"c2-a", "c2-b"});
    CHECK(body(c2.at("total").as_object(), "committee").at("elected") == 0);
    CHECK(body(c2.at("total").as_object(), "secretary").at("elected") == 0);
    for (const auto& b : report.at("bundles").as_array()) {
      if (b.at("unit") == "C2") {
        CHECK(b.at("verdict") == "conflict");
        CHECK(b.at("verified") == true);
      }
    }
  }
  SECTION("a contest with no closed round is traced and not counted") {
    for (const auto& b : report.at("bundles").as_array()) {
      if (b.at("dir") != "d1") continue;
      const json::array& contests = b.at("contests").as_array();
      REQUIRE(contests.size() == 2);
      CHECK(contests[0].at("counted") == true);
      CHECK(contests[0].at("office") == "other");
      CHECK(contests[0].at("composition") == false);
      CHECK(contests[1].at("contest") == "inspection");
      CHECK(contests[1].at("round") == 0);
      CHECK(contests[1].at("counted") == false);
      CHECK(contests[1].at("minutes_sha256") == "");
    }
  }
  SECTION("a counted bundle carries what traces its figures") {
    const json::object* p = nullptr;
    for (const auto& b : report.at("bundles").as_array()) {
      if (b.at("dir") == "p") p = &b.as_object();
    }
    REQUIRE(p != nullptr);
    CHECK(p->at("verdict") == "counted");
    CHECK(p->at("config_hash") ==
          crypto::to_hex(crypto::sha256(read_file(f.bundles / "p/session.json"))).c_str());
    const json::array& contests = p->at("contests").as_array();
    REQUIRE(contests.size() == 2);
    CHECK(contests[1].at("office") == "secretary");
    CHECK(contests[1].at("minutes_sha256") ==
          crypto::to_hex(crypto::sha256(read_file(f.bundles / "p/rounds/secretary/1/minutes.json")))
              .c_str());
  }
}

TEST_CASE("report.json writes figures exactly as their JSON objects serialize", "[rollup]") {
  SeasonFixture& f = SeasonFixture::get();
  const rollup::Roster roster = rollup::read_roster(f.roster_file);
  const rollup::Season season = rollup::rollup(roster, f.bundles, jobs_option(2));
  std::vector<const rollup::Figures*> all{&season.totals};
  for (const rollup::UnitReport& u : season.units) {
    all.push_back(&u.own);
    all.push_back(&u.total);
  }
  rollup::Figures zero;
  all.push_back(&zero);
  for (const rollup::Figures* fig : all) {
    std::string text;
    rollup::append_json(*fig, text);
    CHECK(text == json::serialize(rollup::to_json(*fig)));
  }
  // And the whole report parses, with every unit's figures as to_json gives them.
  const json::object report = json::parse(rollup::render_json(season, roster)).as_object();
  const json::array& units = report.at("units").as_array();
  REQUIRE(units.size() == season.units.size());
  for (std::size_t k = 0; k < units.size(); ++k) {
    CHECK(units[k].at("own") == json::value(rollup::to_json(season.units[k].own)));
    CHECK(units[k].at("total") == json::value(rollup::to_json(season.units[k].total)));
  }
}

TEST_CASE("tally-audit rollup writes report.json and report.csv, and refuses a bad roster",
          "[rollup]") {
  SeasonFixture& f = SeasonFixture::get();
  const fs::path out = f.dir / "report";
  const CliRun ok = run_cli("--roster '" + f.roster_file.string() + "' --bundles '" +
                                f.bundles.string() + "' --out '" + out.string() + "' --jobs 2",
                            f.dir / "cli.txt");
  INFO(ok.output);
  REQUIRE(ok.rc == 0);
  CHECK(ok.output.find("congresses held 3 of 6") != std::string::npos);
  const json::value report = json::parse(read_file(out / "report.json"));
  CHECK(report.at("totals").at("held") == 3);
  const std::vector<std::string> csv = lines_of(out / "report.csv");
  REQUIRE(csv.size() == 7);
  CHECK(csv[0].rfind("unit,name,parent,status,failed_check,expected,held,missing,", 0) == 0);
  CHECK(csv[1].rfind("P,\"Province P, the top\",,held,,6,3,1,1,1,1,1,2,6,6,4,2,2,3,2,2,41.7,3,1,1",
                     0) == 0);
  CHECK(csv[3].rfind("D2,District two,P,excluded,", 0) == 0);
  CHECK(csv[6].rfind("C3,Commune three,D2,missing,,1,0,1,0,0,0,0,", 0) == 0);
  for (const auto& e : fs::directory_iterator(out)) {  // no temporary file left behind
    const fs::path n = e.path().filename();
    CHECK((n == "report.json" || n == "report.csv" || n == "report.html" || n == "results-nist"));
  }
  std::vector<std::string> nist;  // one file per held unit, nothing else
  for (const auto& e : fs::directory_iterator(out / "results-nist")) {
    nist.push_back(e.path().filename().string());
  }
  std::sort(nist.begin(), nist.end());
  CHECK(nist == std::vector<std::string>{"C1.json", "D1.json", "P.json"});

  write_file(f.dir / "cycle.csv", "unit,name,parent\nA,a,B\nB,b,A\n");
  const CliRun bad = run_cli("--roster '" + (f.dir / "cycle.csv").string() + "' --bundles '" +
                                 f.bundles.string() + "' --out '" + (f.dir / "no").string() + "'",
                             f.dir / "cli-bad.txt");
  CHECK(bad.rc == 2);
  CHECK(bad.output.find("cycle.csv:2: unit \"A\": its parents form a cycle: A -> B -> A") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(f.dir / "no"));

  const CliRun no_folder =
      run_cli("--roster '" + f.roster_file.string() + "' --bundles '" +
                  (f.dir / "no-such-folder").string() + "' --out '" + (f.dir / "no").string() + "'",
              f.dir / "cli-no-folder.txt");
  CHECK(no_folder.rc == 2);
  CHECK(no_folder.output.find("no-such-folder: not a directory") != std::string::npos);
  CHECK_FALSE(fs::exists(f.dir / "no"));
}

TEST_CASE("a second rollup into the same folder: a unit no longer expected loses its files",
          "[rollup]") {
  SeasonFixture& f = SeasonFixture::get();
  const fs::path out = f.dir / "again";
  REQUIRE(run_cli("--roster '" + f.roster_file.string() + "' --bundles '" + f.bundles.string() +
                      "' --out '" + out.string() + "'",
                  f.dir / "again-1.txt")
              .rc == 0);
  REQUIRE(fs::exists(out / "results-nist/P.json"));
  // The same season with P a grouping only: its bundle is not_expected, never counted.
  write_file(f.dir / "grouped.csv",
             "unit,name,parent,expected\r\n"
             "P,\"Province P, the top\",,no\r\n"
             "D1,District one,P,yes\r\n"
             "D2,District two,P,yes\r\n"
             "C1,Commune one,D1,yes\r\n"
             "C2,Commune two,D1,yes\r\n"
             "C3,Commune three,D2,yes\r\n");
  const CliRun run = run_cli("--roster '" + (f.dir / "grouped.csv").string() + "' --bundles '" +
                                 f.bundles.string() + "' --out '" + out.string() + "' --jobs 2",
                             f.dir / "again-2.txt");
  INFO(run.output);
  REQUIRE(run.rc == 0);
  CHECK(run.output.find("congresses held 2 of 5") != std::string::npos);
  const json::object report = json::parse(read_file(out / "report.json")).as_object();
  CHECK(report.at("congresses").at("expected") == 5);
  CHECK(report.at("bundle_counts").at("not_expected") == 1);
  CHECK(report.at("bundle_counts").at("counted") == 2);
  const json::object& p = unit_of(report, "P");
  CHECK(p.at("status") == "not_expected");
  CHECK(p.at("own").at("expected") == 0);
  CHECK(p.at("own").at("bodies").at("committee").at("elected") == 0);
  CHECK(p.at("total").at("held") == 2);  // C1 and D1 below it
  for (const auto& b : report.at("bundles").as_array()) {
    if (b.at("dir") == "p") CHECK(b.at("verdict") == "not_expected");
  }
  std::vector<std::string> nist;  // P.json of the first run is gone; no staged file is left
  for (const auto& e : fs::directory_iterator(out / "results-nist")) {
    nist.push_back(e.path().filename().string());
  }
  std::sort(nist.begin(), nist.end());
  CHECK(nist == std::vector<std::string>{"C1.json", "D1.json"});
}

TEST_CASE("tally-audit rollup refuses a report folder inside the bundles or in use", "[rollup]") {
  SeasonFixture& f = SeasonFixture::get();
  const CliRun inside = run_cli("--roster '" + f.roster_file.string() + "' --bundles '" +
                                    f.bundles.string() + "' --out '" +
                                    (f.bundles / "report").string() + "'",
                                f.dir / "inside.txt");
  CHECK(inside.rc == 2);
  CHECK(inside.output.find("the report folder cannot be inside") != std::string::npos);
  CHECK_FALSE(fs::exists(f.bundles / "report"));

  const fs::path busy = f.dir / "busy";
  fs::create_directories(busy);
  const int fd = ::open(busy.c_str(), O_RDONLY | O_DIRECTORY);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);  // as another rollup would hold it
  const CliRun locked = run_cli("--roster '" + f.roster_file.string() + "' --bundles '" +
                                    f.bundles.string() + "' --out '" + busy.string() + "'",
                                f.dir / "busy.txt");
  ::close(fd);
  CHECK(locked.rc == 2);
  CHECK(locked.output.find("another tally-audit rollup is writing there") != std::string::npos);
  CHECK_FALSE(fs::exists(busy / "report.json"));
}

namespace {

// From NIST SP 1500-100 Rev. 2, Election Results Reporting Common Data Format, JSON schema
// NIST_V2_election_results_reporting.json (usnistgov/ElectionResultsReporting, branch version2,
// commit 1b628689498fca405e1a4c755a723ca615cdd0d5): the "required" list of each class the
// report uses, every property the class defines ("additionalProperties": false), and the
// enumerations of the members it gives.
struct NistClass {
  std::set<std::string> required;
  std::set<std::string> properties;  // besides the required
};
const std::map<std::string, NistClass>& nist_classes() {
  static const std::map<std::string, NistClass> k = {
      {"ElectionResults.ElectionReport",
       {{"@type", "Format", "GeneratedDate", "Issuer", "IssuerAbbreviation", "SequenceEnd",
         "SequenceStart", "Status", "VendorApplicationId"},
        {"Election", "ExternalIdentifier", "GpUnit", "Header", "IsTest", "Notes", "Office",
         "OfficeGroup", "Party", "Person", "TestType"}}},
      {"ElectionResults.Election",
       {{"@type", "ElectionScopeId", "EndDate", "Name", "StartDate", "Type"},
        {"BallotCounts", "BallotStyle", "Candidate", "ContactInformation", "Contest", "CountStatus",
         "ExternalIdentifier", "OtherType"}}},
      {"ElectionResults.ReportingUnit",
       {{"@id", "@type", "Type"},
        {"AuthorityIds", "ComposingGpUnitIds", "ContactInformation", "CountStatus",
         "ElectionAdministration", "ExternalIdentifier", "IsDistricted", "IsMailOnly", "Name",
         "Number", "OtherType", "PartyRegistration", "SpatialDimension", "SubUnitsReported",
         "TotalSubUnits", "VotersParticipated", "VotersRegistered"}}},
      {"ElectionResults.CandidateContest",
       {{"@id", "@type", "ElectionDistrictId", "Name", "VotesAllowed"},
        {"Abbreviation", "BallotSubTitle", "BallotTitle", "ContestSelection", "CountStatus",
         "ExternalIdentifier", "HasRotation", "NumberElected", "NumberRunoff", "OfficeIds",
         "OtherCounts", "OtherVoteVariation", "PrimaryPartyIds", "SequenceOrder",
         "SubUnitsReported", "TotalSubUnits", "VoteVariation"}}},
      {"ElectionResults.CandidateSelection",
       {{"@id", "@type"},
        {"CandidateIds", "EndorsementPartyIds", "IsWriteIn", "SequenceOrder", "VoteCounts"}}},
      {"ElectionResults.Candidate",
       {{"@id", "@type", "BallotName"},
        {"CampaignSlogan", "ContactInformation", "ExternalIdentifier", "FileDate", "IsIncumbent",
         "IsTopTicket", "PartyId", "PersonId", "PostElectionStatus", "PreElectionStatus"}}},
      {"ElectionResults.Person",
       {{"@id", "@type"},
        {"ContactInformation", "DateOfBirth", "ExternalIdentifier", "FirstName", "FullName",
         "Gender", "LastName", "MiddleName", "Nickname", "PartyId", "Prefix", "Profession",
         "Suffix", "Title"}}},
      {"ElectionResults.VoteCounts",
       {{"@type", "Count", "GpUnitId", "Type"},
        {"DeviceClass", "IsSuppressedForPrivacy", "OtherType", "Round"}}},
      {"ElectionResults.OtherCounts",
       {{"@type", "GpUnitId"}, {"DeviceClass", "Overvotes", "Undervotes", "WriteIns"}}},
      {"ElectionResults.InternationalizedText", {{"@type", "Text"}, {"Label"}}},
      {"ElectionResults.LanguageString", {{"@type", "Content", "Language"}, {}}},
  };
  return k;
}
// (class, member) -> the schema's enumeration.
const std::map<std::pair<std::string, std::string>, std::set<std::string>>& nist_enums() {
  static const std::map<std::pair<std::string, std::string>, std::set<std::string>> k = {
      {{"ElectionResults.ElectionReport", "Format"}, {"precinct-level", "summary-contest"}},
      {{"ElectionResults.ElectionReport", "Status"},
       {"certified", "correction", "pre-election", "recount", "unofficial-complete",
        "unofficial-partial"}},
      {{"ElectionResults.Election", "Type"},
       {"general", "other", "partisan-primary-closed", "partisan-primary-open", "primary", "runoff",
        "special"}},
      {{"ElectionResults.ReportingUnit", "Type"}, {"ballot-batch",   "ballot-style-area",
                                                   "borough",        "city",
                                                   "city-council",   "combined-precinct",
                                                   "congressional",  "country",
                                                   "county",         "county-council",
                                                   "drop-box",       "judicial",
                                                   "municipality",   "other",
                                                   "polling-place",  "precinct",
                                                   "school",         "special",
                                                   "split-precinct", "state",
                                                   "state-house",    "state-senate",
                                                   "town",           "township",
                                                   "utility",        "village",
                                                   "vote-center",    "ward",
                                                   "water"}},
      {{"ElectionResults.VoteCounts", "Type"},
       {"absentee", "absentee-fwab", "absentee-in-person", "absentee-mail", "early", "election-day",
        "other", "provisional", "seats", "total", "uocava", "write-in"}},
      {{"ElectionResults.Candidate", "PostElectionStatus"},
       {"advanced-to-runoff", "defeated", "projected-winner", "winner", "withdrawn"}},
      {{"ElectionResults.CandidateContest", "VoteVariation"},
       {"approval", "borda", "cumulative", "majority", "n-of-m", "other", "plurality",
        "proportional", "range", "rcv", "super-majority"}},
  };
  return k;
}

// Checks every object of `v` that names an @type against the lists above; collects the @ids.
void check_nist(const json::value& v, std::set<std::string>& ids, std::size_t& objects) {
  if (v.is_array()) {
    for (const auto& e : v.as_array()) check_nist(e, ids, objects);
    return;
  }
  if (!v.is_object()) return;
  const json::object& o = v.as_object();
  REQUIRE(o.contains("@type"));
  const std::string type(o.at("@type").as_string());
  INFO(type);
  REQUIRE(nist_classes().contains(type));
  const NistClass& c = nist_classes().at(type);
  ++objects;
  for (const std::string& r : c.required) CHECK(o.contains(r));
  for (const auto& [key, value] : o) {
    INFO(std::string(key));
    CHECK((c.required.contains(std::string(key)) || c.properties.contains(std::string(key))));
    const auto e = nist_enums().find({type, std::string(key)});
    if (e != nist_enums().end()) CHECK(e->second.contains(std::string(value.as_string())));
    check_nist(value, ids, objects);
  }
  if (o.contains("@id")) CHECK(ids.insert(std::string(o.at("@id").as_string())).second);
}

json::object minutes_of(const fs::path& file) {
  const auto env = crypto::parse_envelope(read_file(file));
  REQUIRE(env.has_value());
  return json::parse(env->payload).as_object();
}

}  // namespace

TEST_CASE("each held unit's results are an ElectionReport of NIST SP 1500-100 rev. 2", "[rollup]") {
  SeasonFixture& f = SeasonFixture::get();
  const rollup::Roster roster = rollup::read_roster(f.roster_file);
  const rollup::Season season = rollup::rollup(roster, f.bundles, jobs_option(2));
  const fs::path out = f.dir / "report-nist";
  rollup::write_report(season, roster, out, {f.bundles, rollup::Lang::en, "2026-01-02T03:04:05Z"});
  const json::object r = json::parse(read_file(out / "results-nist/P.json")).as_object();
  INFO(json::serialize(r));

  std::set<std::string> ids;
  std::size_t objects = 0;
  check_nist(r, ids, objects);
  // 1 report, 1 election, 1 unit, 2 contests, 6 selections (4 + 2), 6 candidates, 4 people,
  // 6 vote counts, 2 other counts, and 1 + 6 + 4 + 1 names of 2 objects each.
  CHECK(objects == 1 + 1 + 1 + 2 + 6 + 6 + 4 + 6 + 2 + 2 * (1 + 6 + 4 + 1));
  CHECK(ids.contains("ru-P"));

  const json::object& election = r.at("Election").at(0).as_object();
  CHECK(r.at("GeneratedDate") == "2026-01-02T03:04:05Z");
  CHECK(r.at("Issuer") == "The Party");
  CHECK(r.at("IssuerAbbreviation") == "P");
  CHECK(!r.contains("Notes"));  // P has a congress_date
  CHECK(election.at("StartDate") == "2025-06-10");
  CHECK(election.at("EndDate") == "2025-06-10");
  CHECK(election.at("Name").at("Text").at(0).at("Content") == "Congress of P 2025-2030");
  CHECK(election.at("ElectionScopeId") == "ru-P");
  CHECK(r.at("GpUnit").at(0).at("Name").at("Text").at(0).at("Content") == "Province P, the top");
  // The fixture's minutes carry the station's signature only: not certified.
  for (const auto& b : season.bundles) {
    if (b.dir == "p") CHECK_FALSE(b.certified);
  }
  CHECK(r.at("Status") == "unofficial-complete");
  // C1's minutes carry both members' countersignatures: certified.
  bool c1_seen = false;
  for (const auto& b : season.bundles) {
    if (b.dir != "c1.tar") continue;
    c1_seen = true;
    CHECK(b.certified);
  }
  CHECK(c1_seen);
  CHECK(json::parse(read_file(out / "results-nist/C1.json")).at("Status") == "certified");

  SECTION("every vote count is the minutes' tally, every reference resolves") {
    std::size_t counted = 0;
    for (const auto& cv : election.at("Contest").as_array()) {
      const json::object& c = cv.as_object();
      const std::string contest = c.at("@id") == "cc-9-committee-1" ? "committee" : "secretary";
      REQUIRE((c.at("@id") == "cc-9-committee-1" || c.at("@id") == "cc-9-secretary-1"));
      const json::object m = minutes_of(f.bundles / "p/rounds" / contest / "1/minutes.json");
      CHECK(c.at("Name") == m.at("title"));
      CHECK(c.at("VotesAllowed") == m.at("seats"));
      CHECK(c.at("NumberElected") == m.at("elected").as_array().size());
      CHECK(c.at("ElectionDistrictId") == "ru-P");
      CHECK(c.at("OtherCounts").at(0).at("Overvotes") ==
            m.at("invalid_by_reason").at("too_many_marks"));
      const json::array& tally = m.at("tally").as_array();
      const json::array& sel = c.at("ContestSelection").as_array();
      REQUIRE(sel.size() == tally.size());
      for (std::size_t i = 0; i < sel.size(); ++i) {
        const json::object& vc = sel[i].at("VoteCounts").at(0).as_object();
        CHECK(vc.at("Count") == tally[i].at("votes"));
        CHECK(vc.at("Type") == "total");
        CHECK(vc.at("Round") == 1);
        CHECK(vc.at("GpUnitId") == "ru-P");
        const std::string cand(tally[i].at("candidate").as_string());
        CHECK(sel[i].at("CandidateIds").at(0) ==
              ("ca-" + std::to_string(contest.size()) + "-" + contest + "-" + cand).c_str());
        CHECK(ids.contains(std::string(sel[i].at("CandidateIds").at(0).as_string())));
        ++counted;
      }
    }
    CHECK(counted == 6);
    std::size_t winners = 0;
    for (const auto& c : election.at("Candidate").as_array()) {
      CHECK(ids.contains(std::string(c.at("PersonId").as_string())));
      if (c.at("PostElectionStatus") == "winner") ++winners;
    }
    CHECK(winners == 4);  // p1, p2, p3 to the committee, p1 secretary
  }
  SECTION("a congress without a register is dated by the report, and says so") {
    const json::object d1 = json::parse(read_file(out / "results-nist/D1.json")).as_object();
    std::set<std::string> d1_ids;
    std::size_t n = 0;
    check_nist(d1, d1_ids, n);
    CHECK(d1.at("Election").at(0).at("StartDate") == "2026-01-02");
    CHECK(d1.at("Notes").as_string().find("no congress_date") != json::string::npos);
    CHECK(d1.at("Election").at(0).at("Contest").as_array().size() == 1);  // inspection not voted
  }
}

TEST_CASE("report.html shows the season in English and Vietnamese, self-contained and escaped",
          "[rollup]") {
  SeasonFixture& f = SeasonFixture::get();
  for (const char* lang : {"en", "vi"}) {
    INFO(lang);
    const fs::path out = f.dir / (std::string("report-html-") + lang);
    const CliRun ok =
        run_cli("--roster '" + f.roster_file.string() + "' --bundles '" + f.bundles.string() +
                    "' --out '" + out.string() + "' --lang " + lang,
                f.dir / "cli-html.txt");
    INFO(ok.output);
    REQUIRE(ok.rc == 0);
    const std::string html = read_file(out / "report.html");
    const bool vi = std::string(lang) == "vi";
    CHECK(html.find(std::string("<html lang=\"") + lang + "\">") != std::string::npos);
    CHECK(html.find("3 / 6 (50.0%)") != std::string::npos);  // held of expected, the totals
    CHECK(html.find(vi ? "Ban Chấp hành" : "Committee") != std::string::npos);
    CHECK(html.find(vi ? "Tuổi bình quân" : "Mean age") != std::string::npos);
    CHECK(html.find("<td>41.7</td>") != std::string::npos);             // the committee's mean age
    CHECK(html.find("<td>42.0</td>") != std::string::npos);             // the secretaries'
    CHECK(html.find("4 (66.7)") != std::string::npos);                  // committee re-elected
    CHECK(html.find("C3 &#8212; Commune three") != std::string::npos);  // missing
    CHECK(html.find("D2 &#8212; District two") != std::string::npos);   // excluded
    CHECK(html.find("recount") != std::string::npos);                   // its first failing check
    CHECK(html.find("<svg") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    CHECK(html.find("@page{size:A4") != std::string::npos);
  }
  const fs::path roster_file = f.dir / "roster-markup.csv";
  write_file(roster_file, std::string(kRoster).replace(std::string(kRoster).find("Province P"), 10,
                                                       "<b>P</b> & \"\"P's\"\""));
  const rollup::Roster roster = rollup::read_roster(roster_file);
  const rollup::Season season = rollup::rollup(roster, f.bundles, jobs_option(2));
  const std::string html = rollup::render_html(season, roster, rollup::Lang::vi, "<now>");
  CHECK(html.find("&lt;b&gt;P&lt;/b&gt; &amp; &quot;P&#39;s&quot;") != std::string::npos);
  CHECK(html.find("<b>") == std::string::npos);
  CHECK(html.find("&lt;now&gt;") != std::string::npos);
}
