// The pieces of `tally-audit verify` on their own: the enrolment-overlap rule, the token set
// file, the report formats, the legacy outcome sentence, the worker pool, and the people members'
// formats and checks (attendance, composition). Whole bundles, good and tampered, are checked in
// tests/station/bundle_test.cpp (people_bundle_test.cpp for the people members).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "crypto/hash.hpp"
#include "crypto/merkle.hpp"
#include "tally/audit/verify/box_scan.hpp"
#include "tally/audit/verify/bundle_model.hpp"
#include "tally/audit/verify/minutes_compare.hpp"
#include "tally/audit/verify/people_check.hpp"
#include "tally/audit/verify/report.hpp"
#include "tally/audit/verify/verifier.hpp"
#include "tally/audit/verify/worker_pool.hpp"

using namespace tallystation;
using namespace tallystation::audit::verify;
namespace fs = std::filesystem;

namespace {

fs::path temp_file(const std::string& name, const std::string& content) {
  const fs::path p =
      fs::temp_directory_path() / ("ts-verify-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

std::string hex_line(int i) {
  return crypto::to_hex(crypto::sha256("token" + std::to_string(i)));
}

}  // namespace

TEST_CASE("a terminal counts as enrolled for a round when its enrolment overlaps the open round",
          "[verify]") {
  // Log positions: the round opens at command 10 and closes at command 20; ballots arrive in
  // the gaps between commands 11..20.
  RoundFacts r;
  r.opened_at = 10;
  r.closed_at = 20;
  struct Row {
    std::optional<std::uint64_t> enrolled, revoked;
    bool expected;
  };
  const Row row =
      GENERATE(Row{0, std::nullopt, true},    // enrolled before, never revoked
               Row{0, 5, false},              // revoked before the round opened
               Row{0, 10, false},             // revoked by the command before opening
               Row{0, 11, true},              // revoked just after opening
               Row{15, std::nullopt, true},   // enrolled while open
               Row{19, std::nullopt, true},   // enrolled by the last command before close
               Row{20, std::nullopt, false},  // (impossible) enrolled at close
               Row{25, std::nullopt, false},  // enrolled after the round closed
               Row{std::nullopt, std::nullopt, false});  // never enrolled
  TerminalFacts t{"t1", "pem", row.enrolled, row.revoked};
  CHECK(enrolled_while_open(t, r) == row.expected);
}

TEST_CASE("a round that never opened or closed has no enrolled terminals", "[verify]") {
  TerminalFacts t{"t1", "pem", 0, std::nullopt};
  RoundFacts r;
  r.opened_at = 3;
  CHECK_FALSE(enrolled_while_open(t, r));
}

TEST_CASE("the token set file must be sorted, unique, lowercase hex and as large as issued",
          "[verify]") {
  std::vector<std::string> lines;
  for (int i = 0; i < 5; ++i) lines.push_back(hex_line(i));
  std::sort(lines.begin(), lines.end());
  auto join = [](const std::vector<std::string>& l) {
    std::string s;
    for (const auto& x : l) s += x + "\n";
    return s;
  };
  SECTION("good: the root is RFC 6962 over the raw hashes") {
    Report report;
    const TokenSet set = read_token_set(temp_file("good", join(lines)), 5, "round x/1", report);
    CHECK(report.ok());
    std::vector<crypto::Digest> leaves;
    for (const auto& l : lines) {
      const std::string raw = *crypto::from_hex(l);
      leaves.push_back(crypto::leaf_hash(raw));
    }
    CHECK(set.root == crypto::merkle_root(leaves));
    CHECK(set.hashes.size() == 5);
  }
  SECTION("a count other than the log's fails") {
    Report report;
    read_token_set(temp_file("count", join(lines)), 6, "round x/1", report);
    CHECK(report.failed("token set") != nullptr);
  }
  SECTION("unsorted, repeated or upper-case lines fail") {
    auto bad = lines;
    const int which = GENERATE(0, 1, 2);
    if (which == 0) std::swap(bad[1], bad[2]);
    if (which == 1) bad[2] = bad[1];
    if (which == 2) {
      for (char& c : bad[3]) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    Report report;
    read_token_set(temp_file("bad", join(bad)), 5, "round x/1", report);
    CHECK(report.failed("token set") != nullptr);
  }
}

TEST_CASE("the readable report has one line per check and names what is wrong", "[verify]") {
  Report report;
  CheckBuilder good("ballot signatures", "round cc/1");
  good.pass(295);
  report.add(good.done());
  CheckBuilder bad("ballot tokens", "round cc/1");
  bad.pass(3);
  bad.fail("ballots.jsonl:4: its token was not issued for this round");
  report.add(bad.done());
  const std::string text = report.text();
  CHECK(text.find("ok   ballot signatures      295 of 295 (round cc/1)\n") == 0);
  CHECK(text.find("FAIL ballot tokens          3 of 4 (round cc/1)\n") != std::string::npos);
  CHECK(text.find("ballots.jsonl:4: its token was not issued") != std::string::npos);
  CHECK(text.find("verdict: 1 check(s) failed") != std::string::npos);
  CHECK_FALSE(report.ok());
  const std::string json = report.json();
  CHECK(json.rfind("{\"ok\":false,\"checks\":[{\"name\":\"ballot signatures\"", 0) == 0);
  CHECK(json.find("\"state\":\"fail\"") != std::string::npos);
}

TEST_CASE("a warning does not fail the report", "[verify]") {
  Report report;
  CheckBuilder c("certification", "round cc/1");
  c.warn();
  report.add(c.done());
  CHECK(report.ok());
  CHECK(report.text().rfind("WARN certification", 0) == 0);
}

TEST_CASE("the worker pool runs every job and reports its exceptions", "[verify]") {
  std::atomic<int> n{0};
  std::vector<std::future<void>> done;
  {
    WorkerPool pool(2);
    for (int i = 0; i < 100; ++i) done.push_back(pool.submit([&n] { ++n; }));
    auto failing = pool.submit([] { throw std::runtime_error("boom"); });
    CHECK_THROWS_AS(failing.get(), std::runtime_error);
    for (auto& f : done) f.get();
  }
  CHECK(n == 100);
}

TEST_CASE("a bundle that is not there is unreadable, not a failed check", "[verify]") {
  CHECK_THROWS_AS(verify_bundle("/nonexistent/bundle"), UnreadableBundle);
}

TEST_CASE("a line far longer than any bundle line is unreadable, not buffered", "[verify]") {
  // 32 MiB without a newline: the reader refuses it instead of growing its buffer without end.
  const fs::path p = temp_file("long", std::string(32u << 20, 'a'));
  Report report;
  CHECK_THROWS_AS(read_token_set(p, 1, "round x/1", report), UnreadableBundle);
  fs::remove(p);
}

TEST_CASE("the legacy outcome sentence is the English text older stations signed, word for word",
          "[verify][legacy]") {
  // Bundles exported before the minutes carried codes only hold these exact sentences in
  // `outcome_message`; rewording any of them would make those bundles fail `recount`.
  tally::Result r;
  r.outcome = tally::Outcome::complete;
  CHECK(legacy_outcome_message(r, 0) == "every place is filled");
  r.alternates_unfilled = 2;
  CHECK(legacy_outcome_message(r, 0) ==
        "every seat is filled; 2 alternate place(s) left unfilled: the congress decides whether "
        "to vote again");
  r.outcome = tally::Outcome::tie;
  r.tied = {"c1", "c2", "c3"};
  r.seats_unfilled = 1;
  CHECK(legacy_outcome_message(r, 0) ==
        "a tie at the last seat: a run-off among the 3 tied candidates for 1 seat(s)");
  r.seats_unfilled = 0;
  CHECK(legacy_outcome_message(r, 0) ==
        "a tie at the last alternate place: a run-off among the 3 tied candidates for 2 alternate "
        "place(s)");
  r.outcome = tally::Outcome::unfilled;
  r.tied.clear();
  r.seats_unfilled = 4;
  CHECK(legacy_outcome_message(r, 0) ==
        "4 seat(s) unfilled: the congress decides whether to hold another round among the "
        "candidates not yet elected");
  r.outcome = tally::Outcome::exhausted;
  r.seats_unfilled = 1;
  r.appointment_by_higher_committee = true;
  CHECK(legacy_outcome_message(r, 3) ==
        "the round limit of 3 is reached with the position unfilled: it goes to appointment by "
        "the directly higher Party committee");
  r.appointment_by_higher_committee = false;
  CHECK(legacy_outcome_message(r, 5) == "the round limit of 5 is reached with 1 seat(s) unfilled");
}

// ---- The people members (docs/audit.md "Formats, exactly": attendance, composition) ----

namespace {

namespace cg = tallystation::congress;

cg::Person member(const char* id, cg::Date born, cg::Sex sex, const char* group, bool local) {
  return cg::Person{id, std::string("Member ") + id, born, sex, group, local};
}

// A members' congress of five on 2025-03-01: m1, m2 present; m3 on temporary transfer; m4
// absent; m5 absent throughout with a reason the convener accepted.
cg::Register members_congress() {
  cg::Register r;
  r.kind = cg::Kind::members;
  r.first_day = {2025, 3, 1};
  r.people = {member("m1", {1985, 3, 1}, cg::Sex::female, "Kinh", true),
              member("m2", {1985, 3, 2}, cg::Sex::male, "Thái", false),
              member("m3", {1960, 1, 1}, cg::Sex::male, "Kinh", true),
              member("m4", {1970, 1, 1}, cg::Sex::female, "Kinh", true),
              member("m5", {1990, 1, 1}, cg::Sex::male, "Kinh", true)};
  r.roll = {"m1", "m2", "m3", "m4", "m5"};
  r.contests.push_back(cg::ContestPeople{"sec", "secretary", {"m1"}, std::nullopt, {}});
  return r;
}

cg::Roll members_roll(const cg::Register& r) {
  cg::Roll roll = cg::initial_roll(r);
  roll.seats["m1"].presence = cg::Presence::present;
  roll.seats["m2"].presence = cg::Presence::present;
  for (auto [id, why] :
       {std::pair{"m3", cg::Absence::temporary_transfer}, std::pair{"m4", cg::Absence::absent},
        std::pair{"m5", cg::Absence::absent_with_accepted_reason}}) {
    roll.seats[id].presence = cg::Presence::absent;
    roll.seats[id].absence = why;
  }
  return roll;
}

}  // namespace

TEST_CASE("the minutes' attendance is the roll's arithmetic in the documented member order",
          "[verify][people]") {
  // Excluded from the basis: the transfer and the accepted absence (2); from the quorum's base
  // only the transfer: base 4, two thirds of it rounded up 3, and 2 present do not make it.
  const cg::Register r = members_congress();
  const cg::Attendance a = cg::attendance(r, members_roll(r), 2, 3);
  CHECK(cg::to_json(a, r.kind) ==
        R"({"convened":5,"present":2,"absent":{"absent":1,"temporary_transfer":1,"exempted":0,)"
        R"("suspended_or_prosecuted":0,"absent_with_accepted_reason":1},"excluded":2,)"
        R"("quorum":{"base":4,"required":3,"held":false}})");
}

TEST_CASE("composition percentages have one decimal rounded half up from the exact ratio",
          "[verify][people]") {
  struct Row {
    std::uint64_t part, whole;
    const char* text;
  };
  const Row row = GENERATE(Row{11, 15, "73.3"}, Row{2, 3, "66.7"}, Row{1, 8, "12.5"},
                           Row{1, 16, "6.3"},  // 6.25: half up
                           Row{1, 6, "16.7"}, Row{1, 2000, "0.1"}, Row{1, 2001, "0.0"},
                           Row{5, 5, "100.0"}, Row{0, 7, "0.0"}, Row{0, 0, "0.0"},
                           // mean age: the sum of ages over 100 * elected (241 / 5 = 48.2)
                           Row{241, 500, "48.2"}, Row{127, 300, "42.3"});
  CHECK(cg::percent_1(row.part, row.whole) == row.text);
}

TEST_CASE("a composition with no one elected has mean_age null and no plan member",
          "[verify][people]") {
  const cg::Register r = members_congress();
  CHECK(cg::to_json(cg::composition(r, r.contests[0], {})) ==
        R"({"office":"secretary","elected":0,"re_elected":{"count":0,"percent":"0.0"},)"
        R"("first_time":{"count":0,"percent":"0.0"},"women":{"count":0,"percent":"0.0"},)"
        R"("under_40":{"count":0,"percent":"0.0"},"ethnic_minority":{"count":0,"percent":"0.0"},)"
        R"("non_local":{"count":0,"percent":"0.0"},"mean_age":null,"directly_elected":true})");
  // m2 turns 40 the day after the first day: 39, under 40; not local; of a minority.
  const std::vector<std::string> elected = {"m2"};
  CHECK(cg::to_json(cg::composition(r, r.contests[0], elected)) ==
        R"({"office":"secretary","elected":1,"re_elected":{"count":0,"percent":"0.0"},)"
        R"("first_time":{"count":1,"percent":"100.0"},"women":{"count":0,"percent":"0.0"},)"
        R"("under_40":{"count":1,"percent":"100.0"},"ethnic_minority":{"count":1,)"
        R"("percent":"100.0"},"non_local":{"count":1,"percent":"100.0"},"mean_age":"39.0",)"
        R"("directly_elected":true})");
}

TEST_CASE("the attendance check adds the minutes' figures up as well as comparing them",
          "[verify][people]") {
  const cg::Register r = members_congress();
  const cg::PeopleMinutes expected{cg::to_json(cg::attendance(r, members_roll(r), 2, 3), r.kind),
                                   ""};
  boost::json::object m{{"convened", 5}, {"excluded", 2}, {"present", 2}, {"basis", 3}};
  m["attendance"] = boost::json::parse(expected.attendance);
  SECTION("figures as the roll has them, but without the quorum: no round could have opened") {
    Report report;
    compare_people(expected, m, "convened", "round sec/1", report);
    const Check* att = report.failed("attendance", "round sec/1");
    REQUIRE(att != nullptr);
    CHECK(att->problems == std::vector<std::string>{"attendance.quorum: 2 present, 3 required: "
                                                    "without its quorum the round could not have "
                                                    "opened"});
    CHECK(att->passed == 16);  // 11 members, the sum, convened, excluded, present, basis
    CHECK(report.find("composition", "round sec/1")->state == CheckState::ok);
  }
  SECTION("a member that is not one, and a figure that is not a count") {
    m["attendance"].as_object()["late"] = 1;
    m["attendance"].as_object()["present"] = "2";
    Report report;
    compare_people(expected, m, "present", "round sec/1", report);
    const Check* att = report.failed("attendance", "round sec/1");
    REQUIRE(att != nullptr);
    CHECK(att->problems == std::vector<std::string>{
                               R"(attendance.present: the roll recorded 2, the minutes say "2")",
                               "attendance.late: not a member of attendance"});
  }
  SECTION("attendance that is not an object") {
    m["attendance"] = 5;
    Report report;
    compare_people(expected, m, "convened", "round sec/1", report);
    CHECK(report.failed("attendance")->problems ==
          std::vector<std::string>{"attendance: the roll recorded " + expected.attendance +
                                   ", the minutes say 5"});
  }
}
