// GET /v1/people (docs/protocol.md) on a station without a register and on the cell congress of
// scripts/demo-data/cell.json, and the composition figures of the district demo's elected bodies
// (scripts/demo-data/district.json) against a count made by hand.
#include <catch2/catch.hpp>

#include "core_fixture.hpp"
#include "tally/congress/people.hpp"

using namespace tallystation::station;
using namespace tallystation::station::testing;
namespace congress = tallystation::congress;

namespace {

const std::filesystem::path kDemoData =
    std::filesystem::path(TALLYSTATION_SOURCE_DIR) / "scripts" / "demo-data";

// The fixture's officials, committee and terminals with the cell's register and its one
// contest, the secretary elected directly under cpv-2024-cell-secretary.
json::object cell_session() {
  json::object s = session_json();
  json::object people = json::parse(read_file(kDemoData / "cell.json")).as_object();
  s["congress_kind"] = "members";
  s["convened"] = 15;
  s["congress_date"] = people.at("congress_date");
  s["register"] = people.at("register");
  json::object sec = people.at("contests").at(0).as_object();
  sec["title"] = "Cell secretary";
  sec["seats"] = 1;
  sec["rule_set"] = "cpv-2024-cell-secretary";
  s["contests"] = json::array{sec};
  return s;
}

const json::object& entry_of(const json::object& people, std::string_view candidate) {
  for (const json::value& e : people.at("contests").at(0).at("eligibility").as_array()) {
    if (e.at("candidate").as_string() == candidate) return e.as_object();
  }
  throw std::runtime_error("no eligibility entry for " + std::string(candidate));
}

}  // namespace

TEST_CASE("GET /v1/people answers register false for a session without a register", "[people]") {
  Station st("people-none");
  const HttpResponse r = st.call("GET", "/v1/people");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"register":false})");
}

TEST_CASE(
    "GET /v1/people shows the roll, the candidates' standing and the exception that lets "
    "an over-age incumbent stand",
    "[people]") {
  Station st("people-cell", cell_session());
  json::object p = Station::expect_ok(st.call("GET", "/v1/people"));
  CHECK(p.at("register").as_bool());
  CHECK(p.at("congress_kind").as_string() == "members");
  CHECK(p.at("congress_date").as_string() == "2026-04-15");
  REQUIRE(p.at("roll").as_array().size() == 15);
  CHECK(json::serialize(p.at("roll").at(0)) ==
        R"({"person":"dv01","name":"Hoàng Văn Pác","presence":"unrecorded","alternate":null})");
  CHECK(p.at("attendance").at("present").as_int64() == 0);
  CHECK(p.at("contests").at(0).at("office").as_string() == "secretary");
  CHECK(p.at("contests").at(0).at("composition").is_null());
  CHECK_FALSE(p.at("contests").at(0).at("complete").as_bool());

  // dv01, born 1958-03-01, is 68 on 2026-04-15: over the re-election limit of 67 for men.
  const json::object& over = entry_of(p, "dv01");
  CHECK(over.at("rule").as_string() == "cell-secretary-2024");
  CHECK(over.at("re_election").as_bool());
  CHECK(over.at("age").as_int64() == 68);
  CHECK(over.at("limit").as_int64() == 67);
  CHECK_FALSE(over.at("within_limit").as_bool());
  CHECK_FALSE(over.at("eligible").as_bool());
  CHECK(over.at("exception").is_null());
  // dv05, a woman born 1984-07-09, stands for the first time at 41: limit 60.
  const json::object& first = entry_of(p, "dv05");
  CHECK_FALSE(first.at("re_election").as_bool());
  CHECK(first.at("age").as_int64() == 41);
  CHECK(first.at("limit").as_int64() == 60);
  CHECK(first.at("eligible").as_bool());

  json::array present;
  for (const char* id : {"dv01", "dv02", "dv03", "dv04", "dv05", "dv06", "dv07", "dv08", "dv10",
                         "dv11", "dv12", "dv14", "dv15"}) {
    present.emplace_back(id);
  }
  Station::expect_ok(st.command(
      "record_roll",
      {{"present", present},
       {"absent", json::array{json::object{{"person", "dv09"}, {"category", "temporary_transfer"}},
                              json::object{{"person", "dv13"},
                                           {"category", "absent_with_accepted_reason"}}}}}));
  p = Station::expect_ok(st.call("GET", "/v1/people"));
  // Both out of the basis; only the transfer out of the quorum's base: 10 of 14.
  CHECK(json::serialize(p.at("attendance")) ==
        R"({"convened":15,"present":13,"absent":{"absent":0,"temporary_transfer":1,"exempted":0,)"
        R"("suspended_or_prosecuted":0,"absent_with_accepted_reason":1},"excluded":2,)"
        R"("quorum":{"base":14,"required":10,"held":true}})");
  CHECK(json::serialize(p.at("roll").at(8)) ==
        R"({"person":"dv09","name":"Lục Văn Toản","presence":"absent",)"
        R"("category":"temporary_transfer","alternate":null})");

  Station::expect_ok(st.command("issue_tokens", {{"contest", "sec"}, {"round", 1}, {"count", 13}}));
  const HttpResponse refused = st.command("open_round", {{"contest", "sec"}, {"round", 1}});
  CHECK(refused.status != 200);
  CHECK(refused.body.find("candidate_ineligible") != std::string::npos);

  Station::expect_ok(st.command("record_exception", {{"contest", "sec"},
                                                     {"candidate", "dv01"},
                                                     {"rule", "cell-secretary-2024"},
                                                     {"body", "district standing committee"},
                                                     {"decision", "342-QD/HU"},
                                                     {"date", "2026-03-20"}}));
  p = Station::expect_ok(st.call("GET", "/v1/people"));
  const json::object& allowed = entry_of(p, "dv01");
  CHECK_FALSE(allowed.at("within_limit").as_bool());
  CHECK(allowed.at("eligible").as_bool());
  CHECK(json::serialize(allowed.at("exception")) ==
        R"({"body":"district standing committee","decision":"342-QD/HU","date":"2026-03-20"})");
  CHECK(allowed.at("reason").as_string() ==
        "aged 68 on 2026-04-15, over the re-election limit of 67 (cell-secretary-2024); exception "
        "approved by district standing committee, decision 342-QD/HU of 2026-03-20");
  Station::expect_ok(st.command("open_round", {{"contest", "sec"}, {"round", 1}}));
  // HEAD is the GET without its body here too.
  const HttpResponse get = st.call("GET", "/v1/people");
  const HttpResponse head = st.call("HEAD", "/v1/people");
  CHECK(head.status == 200);
  CHECK(head.body == get.body);
}

// The district demo's elected bodies, as scripts/demo votes them: round 1 of "ec" elects everyone
// of d001..d050 but d008 (131 votes), d026 (102), d044 (77) and d050 (58), below the threshold,
// and d017 and d038, tied at 168 for the 45th seat; the run-off elects d017 (171 to 118). "sec"
// elects d043 (262 of 292 valid).
//
// The expected figures were counted by hand from scripts/demo-data/district.json, not by the
// code under test: with jq, the elected people's records were listed (incumbents of ec, sex,
// ethnic_group, local, birth_date) and counted with `select(...) | length`; the ages on
// 2026-06-18 were worked out with awk from the birth dates (year difference, less one if the
// birthday falls after 06-18): 6 are under 40 (38, 39, 35, 36, 38, 35), and they sum to 2219,
// so the mean is 2219 / 45 = 49.31. The percentages are the counts over 45 to one decimal,
// rounded half up (33 / 45 = 73.33 %); the plan (46 people: d001..d050 without d017, d026, d044,
// d050) leaves d008 and d038 out (2 / 46 = 4.35 %), and d017 was elected outside it (1 / 45).
TEST_CASE(
    "the composition of the district demo's committee and secretary matches a count by "
    "hand",
    "[people]") {
  const congress::PeopleParse parsed =
      congress::parse_people(R"({"congress_kind": "delegates", )" +
                             read_file(kDemoData / "district.json").substr(1));
  REQUIRE(parsed.error.empty());
  REQUIRE(parsed.people);
  const congress::Register& reg = *parsed.people;
  CHECK(reg.people.size() == 305);
  CHECK(reg.roll.size() == 300);

  std::vector<std::string> ec;
  for (int i = 1; i <= 50; ++i) {
    if (i == 8 || i == 26 || i == 38 || i == 44 || i == 50) continue;
    ec.push_back((i < 10 ? "d00" : "d0") + std::to_string(i));
  }
  REQUIRE(ec.size() == 45);
  const congress::Composition c = congress::composition(reg, *reg.find_contest("ec"), ec);
  CHECK(c.office == "committee");
  CHECK(c.elected == 45);
  CHECK(c.re_elected.count == 33);
  CHECK(c.re_elected.percent == "73.3");
  CHECK(c.first_time.count == 12);
  CHECK(c.first_time.percent == "26.7");
  CHECK(c.women.count == 19);
  CHECK(c.women.percent == "42.2");
  CHECK(c.under_40.count == 6);
  CHECK(c.under_40.percent == "13.3");
  CHECK(c.ethnic_minority.count == 8);
  CHECK(c.ethnic_minority.percent == "17.8");
  CHECK(c.non_local.count == 3);
  CHECK(c.non_local.percent == "6.7");
  CHECK(c.mean_age == "49.3");
  CHECK_FALSE(c.directly_elected);
  CHECK(c.has_plan);
  CHECK(c.planned == 46);
  CHECK(c.planned_not_elected == std::vector<std::string>{"d008", "d038"});
  CHECK(c.planned_not_elected_percent == "4.3");
  CHECK(c.elected_outside_plan == std::vector<std::string>{"d017"});
  CHECK(c.elected_outside_plan_percent == "2.2");

  // d043, a Kinh woman, local, born 1967-03-02: 59 on the first day, the outgoing secretary.
  const std::vector<std::string> sec = {"d043"};
  const congress::ContestPeople& sec_people = *reg.find_contest("sec");
  const congress::Composition s = congress::composition(reg, sec_people, sec);
  CHECK(congress::to_json(s) ==
        R"({"office":"secretary","elected":1,"re_elected":{"count":1,"percent":"100.0"},)"
        R"("first_time":{"count":0,"percent":"0.0"},"women":{"count":1,"percent":"100.0"},)"
        R"("under_40":{"count":0,"percent":"0.0"},"ethnic_minority":{"count":0,"percent":"0.0"},)"
        R"("non_local":{"count":0,"percent":"0.0"},"mean_age":"59.0","directly_elected":true})");
  // Over the district rule's re-election limit of 58 for women: the demo records the exception.
  const auto e = congress::check_candidate(reg, sec_people, *reg.find_person("d043"), {});
  REQUIRE(e.size() == 1);
  CHECK(e[0].age == 59);
  CHECK(e[0].limit == 58);
  CHECK_FALSE(e[0].eligible());
}
