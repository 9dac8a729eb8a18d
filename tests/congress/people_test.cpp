// The congress's people (tally/congress/people.hpp, docs/rules.md "Roll, quorum, eligibility,
// composition"): ages in whole years on the boundary days, 29 February, the cell secretary age
// limits and their exceptions, the quorum just under and at its limit, each absence category
// and what it does to the basis and the threshold, the composition with its percentages and the
// plan; and the commands that keep them (record_roll, record_exception, open_round's checks),
// with the exact refusal codes. Rounds are counted by the real engine on ballots the test casts.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tally/congress/congress.hpp"
#include "tally/counter.hpp"
#include "tally/majority.hpp"

namespace cg = tallystation::congress;
namespace tl = tallystation::tally;
using Ids = std::vector<std::string>;

namespace Catch {
template <>
struct StringMaker<cg::Code> {
  static std::string convert(cg::Code c) { return std::string(cg::to_string(c)); }
};
}  // namespace Catch

namespace {

cg::Date day(const char* text) {
  auto d = cg::parse_date(text);
  REQUIRE(d.has_value());
  return *d;
}

// ---- A members' congress of a Party cell: 12 members, secretary elected directly ----
//
//   m01 Nguyễn Văn An      1956-12-10  male    Kinh  incumbent secretary: 68 on the first day
//   m02 Lò Thị Bình        1964-12-11  female  Thái  first time: 59 (60 the next day)
//   m03 Trần Văn Cường     1985-03-02  male    Kinh  first time, 39
//   m04..m12               members, born 1970..1990
const char* kCell = R"({
  "id": "cell-2024", "congress_kind": "members", "convened": 12,
  "congress_date": "2024-12-10",
  "register": {
    "people": [
      {"id":"m01","name":"Nguyễn Văn An","birth_date":"1956-12-10","sex":"male","ethnic_group":"Kinh","local":true},
      {"id":"m02","name":"Lò Thị Bình","birth_date":"1964-12-11","sex":"female","ethnic_group":"Thái","local":true},
      {"id":"m03","name":"Trần Văn Cường","birth_date":"1985-03-02","sex":"male","ethnic_group":"Kinh","local":false},
      {"id":"m04","name":"Phạm Thị Dung","birth_date":"1970-01-01","sex":"female","ethnic_group":"Kinh","local":true},
      {"id":"m05","name":"Hoàng Văn Em","birth_date":"1972-05-05","sex":"male","ethnic_group":"Tày","local":true},
      {"id":"m06","name":"Vũ Thị Giang","birth_date":"1975-06-06","sex":"female","ethnic_group":"Kinh","local":true},
      {"id":"m07","name":"Đặng Văn Hải","birth_date":"1978-07-07","sex":"male","ethnic_group":"Kinh","local":true},
      {"id":"m08","name":"Bùi Thị Hoa","birth_date":"1980-08-08","sex":"female","ethnic_group":"Kinh","local":true},
      {"id":"m09","name":"Đỗ Văn Khánh","birth_date":"1982-09-09","sex":"male","ethnic_group":"Nùng","local":true},
      {"id":"m10","name":"Ngô Thị Lan","birth_date":"1984-10-10","sex":"female","ethnic_group":"Kinh","local":true},
      {"id":"m11","name":"Dương Văn Minh","birth_date":"1988-11-11","sex":"male","ethnic_group":"Kinh","local":true},
      {"id":"m12","name":"Lý Thị Nga","birth_date":"1990-12-12","sex":"female","ethnic_group":"Dao","local":true}
    ],
    "roll": ["m01","m02","m03","m04","m05","m06","m07","m08","m09","m10","m11","m12"]
  },
  "contests": [
    {"id": "sec", "title": "Bí thư chi bộ", "seats": 1, "rule_set": "cpv-2024-cell-secretary",
     "office": "secretary", "incumbents": ["m01"], "personnel_plan": ["m01"],
     "candidates": [{"id":"m01","name":"Nguyễn Văn An"},{"id":"m03","name":"Trần Văn Cường"}]}
  ]
})";

cg::Register cell_register() {
  cg::PeopleParse p = cg::parse_people(kCell);
  INFO(p.error);
  REQUIRE(p.error.empty());
  REQUIRE(p.people.has_value());
  return *p.people;
}

cg::SessionRules cell_session() {
  cg::SessionRules s;
  s.id = "cell-2024";
  s.convened = 12;
  s.officials = {"o1"};
  cg::ContestRules sec;
  sec.id = "sec";
  sec.title = "Bí thư chi bộ";
  sec.seats = 1;
  sec.rule_set = "cpv-2024-cell-secretary";
  sec.candidates = {{"m01", "Nguyễn Văn An"}, {"m03", "Trần Văn Cường"}};
  s.contests = {sec};
  s.people = cell_register();
  return s;
}

// Applies commands in order through the rules; the round is counted on `ballots` (each a list of
// marks) by the engine, and the engine's contest is kept in `counted`.
struct Congress {
  cg::SessionRules session;
  cg::State state;
  std::uint64_t seq = 0;
  std::vector<Ids> ballots;
  std::vector<tl::Contest> counted;

  explicit Congress(cg::SessionRules s) : session(std::move(s)), state(cg::initial_state(session)) {}

  cg::Decision run(const std::string& name, const std::string& args) {
    cg::Command c;
    c.session = session.id;
    c.seq = ++seq;
    c.official = "o1";
    c.name = name;
    auto parsed = cg::parse_json(args);
    REQUIRE(parsed.value.has_value());
    c.args = *parsed.value;
    cg::Environment env;
    env.count = [&](const tl::Contest& contest) {
      counted.push_back(contest);
      tl::Counter counter(contest);
      for (const Ids& b : ballots) {
        std::vector<std::string_view> marks(b.begin(), b.end());
        counter.add_ids(marks);
      }
      return counter.finish();
    };
    cg::Decision d = cg::apply(session, state, c, "o1", env);
    if (d.applied) state = d.applied->state;
    return d;
  }
  void ok(const std::string& name, const std::string& args) {
    const cg::Decision d = run(name, args);
    INFO(name << " " << args << ": " << d.refusal.message);
    REQUIRE(d.applied.has_value());
  }
  cg::Refusal refused(const std::string& name, const std::string& args) {
    const cg::Decision d = run(name, args);
    REQUIRE_FALSE(d.applied.has_value());
    return d.refusal;
  }
};

const char* kAllPresent =
    R"({"present":["m01","m02","m03","m04","m05","m06","m07","m08","m09","m10","m11","m12"]})";
const char* kException =
    R"({"contest":"sec","candidate":"m01","rule":"cell-secretary-2024","body":"Ban Thường vụ Huyện ủy","decision":"45-QĐ/HU","date":"2024-11-20"})";

}  // namespace

// ---- Dates and ages ----

TEST_CASE("dates are exactly YYYY-MM-DD naming a real day", "[people]") {
  CHECK(cg::parse_date("2024-02-29").has_value());
  CHECK_FALSE(cg::parse_date("2023-02-29").has_value());
  CHECK_FALSE(cg::parse_date("1900-02-29").has_value());  // not a leap year
  CHECK(cg::parse_date("2000-02-29").has_value());        // a leap year
  CHECK_FALSE(cg::parse_date("2024-2-29").has_value());
  CHECK_FALSE(cg::parse_date("2024-04-31").has_value());
  CHECK_FALSE(cg::parse_date("2024-13-01").has_value());
  CHECK_FALSE(cg::parse_date("1899-12-31").has_value());
  CHECK_FALSE(cg::parse_date("2024-01-01T00").has_value());
  CHECK_FALSE(cg::parse_date("２０２４-01-01").has_value());
  CHECK(cg::to_string(day("2024-03-05")) == "2024-03-05");
}

TEST_CASE("age in whole years on the boundary days", "[people]") {
  const cg::Date born = day("1959-12-10");
  CHECK(cg::age_on(born, day("2024-12-09")) == 64);  // the day before the 65th birthday
  CHECK(cg::age_on(born, day("2024-12-10")) == 65);  // the day of it
  CHECK(cg::age_on(born, day("2025-12-09")) == 65);
  CHECK(cg::age_on(born, day("2025-12-10")) == 66);
  CHECK(cg::age_on(born, day("1959-12-10")) == 0);
  CHECK(cg::age_on(born, day("1960-12-09")) == 0);
  CHECK(cg::age_on(born, day("1960-12-10")) == 1);
}

TEST_CASE("born on 29 February: a new year of age on 1 March in common years", "[people]") {
  const cg::Date born = day("1960-02-29");
  CHECK(cg::age_on(born, day("2023-02-28")) == 62);
  CHECK(cg::age_on(born, day("2023-03-01")) == 63);
  CHECK(cg::age_on(born, day("2024-02-28")) == 63);
  CHECK(cg::age_on(born, day("2024-02-29")) == 64);  // a leap year: the day itself
  CHECK(cg::age_on(born, day("2025-02-28")) == 64);
  CHECK(cg::age_on(born, day("2025-03-01")) == 65);
  CHECK(cg::age_on(born, day("2100-02-28")) == 139);  // 2100 is a common year
  CHECK(cg::age_on(born, day("2100-03-01")) == 140);
}

// ---- The cell secretary age limits ----

namespace {

// Whether someone of `sex` born on `birth`, incumbent or not, may stand under
// cell-secretary-2024 at a congress whose first day is `first`.
bool within(const char* birth, cg::Sex sex, bool incumbent, const char* first) {
  cg::Register r;
  r.first_day = day(first);
  r.rules = {cg::cell_secretary_2024()};
  cg::Person p{"p", "P", day(birth), sex, "Kinh", true};
  cg::ContestPeople c;
  c.contest = "sec";
  c.eligibility = {"cell-secretary-2024"};
  if (incumbent) c.incumbents = {"p"};
  return cg::check_rule(r, c, p, r.rules[0], {}).within_limit;
}

}  // namespace

TEST_CASE("cell-secretary-2024: at most 65 and 60 for the first time, 67 and 62 for re-election",
          "[people]") {
  using cg::Sex;
  SECTION("a man standing for the first time: 65 may, 66 may not") {
    CHECK(within("1959-12-10", Sex::male, false, "2024-12-09"));  // day before the 65th birthday
    CHECK(within("1959-12-10", Sex::male, false, "2024-12-10"));  // day of it: 65
    CHECK(within("1958-12-10", Sex::male, false, "2024-12-09"));  // day before the 66th
    CHECK_FALSE(within("1958-12-10", Sex::male, false, "2024-12-10"));  // day of the 66th
  }
  SECTION("a woman standing for the first time: 60 may, 61 may not") {
    CHECK(within("1964-12-10", Sex::female, false, "2024-12-09"));
    CHECK(within("1964-12-10", Sex::female, false, "2024-12-10"));
    CHECK(within("1963-12-10", Sex::female, false, "2024-12-09"));
    CHECK_FALSE(within("1963-12-10", Sex::female, false, "2024-12-10"));
  }
  SECTION("a man standing for re-election: 67 may, 68 may not") {
    CHECK(within("1957-12-10", Sex::male, true, "2024-12-09"));  // the day before the 67th
    CHECK(within("1957-12-10", Sex::male, true, "2024-12-10"));  // the day of the 67th
    CHECK(within("1956-12-10", Sex::male, true, "2024-12-09"));
    CHECK_FALSE(within("1956-12-10", Sex::male, true, "2024-12-10"));
    // The first-time limit does not apply to an incumbent, nor the re-election one to others.
    CHECK_FALSE(within("1957-12-10", Sex::male, false, "2024-12-10"));
  }
  SECTION("a woman standing for re-election: 62 may, 63 may not") {
    CHECK(within("1962-12-10", Sex::female, true, "2024-12-09"));  // the day before the 62nd
    CHECK(within("1962-12-10", Sex::female, true, "2024-12-10"));  // the day of it
    CHECK(within("1961-12-10", Sex::female, true, "2024-12-09"));
    CHECK_FALSE(within("1961-12-10", Sex::female, true, "2024-12-10"));
  }
  SECTION("29 February: the 66th year starts on 1 March of a common year") {
    CHECK(within("1960-02-29", cg::Sex::male, false, "2026-02-28"));        // 65
    CHECK_FALSE(within("1960-02-29", cg::Sex::male, false, "2026-03-01"));  // 66
  }
}

TEST_CASE("an exception applies to its contest, candidate and rule only", "[people]") {
  const cg::Register r = cell_register();
  const cg::ContestPeople& sec = *r.find_contest("sec");
  const cg::Person& an = *r.find_person("m01");
  REQUIRE(sec.eligibility == Ids{"cell-secretary-2024"});  // named by the rule set
  std::vector<cg::Exception> xs;
  auto e = cg::check_candidate(r, sec, an, xs);
  REQUIRE(e.size() == 1);
  CHECK(e[0].re_election);
  CHECK(e[0].age == 68);
  CHECK(e[0].limit == 67);
  CHECK_FALSE(e[0].eligible());
  CHECK(e[0].reason(r.first_day) ==
        "aged 68 on 2024-12-10, over the re-election limit of 67 (cell-secretary-2024)");
  xs.push_back({"other", "m01", "cell-secretary-2024", "b", "d", day("2024-11-01"), 0});
  xs.push_back({"sec", "m02", "cell-secretary-2024", "b", "d", day("2024-11-01"), 0});
  CHECK_FALSE(cg::check_candidate(r, sec, an, xs)[0].eligible());
  xs.push_back({"sec", "m01", "cell-secretary-2024", "Ban Thường vụ Huyện ủy", "45-QĐ/HU",
                day("2024-11-20"), 3});
  e = cg::check_candidate(r, sec, an, xs);
  CHECK(e[0].eligible());
  CHECK_FALSE(e[0].within_limit);
  CHECK(e[0].reason(r.first_day) ==
        "aged 68 on 2024-12-10, over the re-election limit of 67 (cell-secretary-2024); exception "
        "approved by Ban Thường vụ Huyện ủy, decision 45-QĐ/HU of 2024-11-20");
}

// ---- The roll: quorum and the basis ----

TEST_CASE("quorum: two thirds of those convened, just under and at the limit", "[people]") {
  const cg::Register r = cell_register();  // 12 convened: 8 needed (2/3 of 12)
  cg::Roll roll = cg::initial_roll(r);
  auto mark = [&](int present) {
    int i = 0;
    for (auto& [id, seat] : roll.seats) {
      seat.presence = i++ < present ? cg::Presence::present : cg::Presence::absent;
      seat.absence = cg::Absence::absent;
    }
    return cg::attendance(r, roll, 2, 3);
  };
  CHECK(mark(7).quorum_required == 8);
  CHECK_FALSE(mark(7).quorum_held);
  CHECK(mark(8).quorum_held);
  CHECK(mark(12).quorum_held);
  SECTION("a base that is no multiple of 3 rounds the requirement up") {
    // One member on temporary transfer leaves a base of 11: 2/3 is 7.33, so 8 are needed.
    mark(7);  // m01..m07 present, m08..m12 absent
    cg::Seat& transferred = roll.seats.at("m12");
    transferred.absence = cg::Absence::temporary_transfer;
    const cg::Attendance a = cg::attendance(r, roll, 2, 3);
    CHECK(a.quorum_base == 11);
    CHECK(a.quorum_required == 8);
    CHECK(a.present == 7);
    CHECK_FALSE(a.quorum_held);
  }
}

TEST_CASE("each absence category and the basis: members' congress", "[people]") {
  // 12 convened: basis 12, threshold 7. Each excluded category takes one off the basis (11,
  // threshold 6); a plain absence does not. Through the commands, so the round is counted on it.
  struct Case {
    const char* category;
    std::uint64_t basis;
    std::uint64_t quorum_base;
  };
  const Case cases[] = {{"absent", 12, 12},
                        {"temporary_transfer", 11, 11},
                        {"exempted", 11, 11},
                        {"suspended_or_prosecuted", 11, 11},
                        {"absent_with_accepted_reason", 11, 12}};
  for (const Case& k : cases) {
    SECTION(k.category) {
      Congress c(cell_session());
      c.ok("record_roll",
           std::string(R"({"present":["m01","m02","m03","m04","m05","m06","m07","m08","m09","m10","m11"],"absent":[{"person":"m12","category":")") +
               k.category + R"("}]})");
      c.ok("record_exception", kException);
      c.ok("issue_tokens", R"({"contest":"sec","round":1,"count":11})");
      c.ok("open_round", R"({"contest":"sec","round":1})");
      c.ballots.assign(6, Ids{"m03"});
      c.ok("close_round", R"({"contest":"sec","round":1})");
      REQUIRE(c.counted.size() == 1);
      const tl::Contest& engine = c.counted[0];
      CHECK(engine.convened == 12);
      CHECK(engine.excluded == 12 - k.basis);
      const auto& round = c.state.contest("sec").rounds.at(1);
      CHECK(round.excluded == 12 - k.basis);
      CHECK(round.present == 11u);
      REQUIRE(round.result.has_value());
      CHECK(round.result->basis == k.basis);
      CHECK(round.result->threshold == tl::threshold_for(k.basis));
      // Six votes: exactly half of 12 elects no one; more than half of 11 elects.
      CHECK((round.result->outcome == tl::Outcome::complete) == (k.basis == 11));
      REQUIRE(round.attendance.has_value());
      CHECK(round.attendance->quorum_base == k.quorum_base);
      CHECK(round.attendance->excluded == 12 - k.basis);
    }
  }
}

TEST_CASE("the basis at a delegates' congress: absent throughout, alternates", "[people]") {
  // 6 delegates convened, 2 alternates.
  const char* text = R"({
    "congress_kind": "delegates", "convened": 6, "congress_date": "2025-06-01",
    "register": {
      "people": [
        {"id":"d1","name":"A","birth_date":"1970-01-01","sex":"male","ethnic_group":"Kinh","local":true},
        {"id":"d2","name":"B","birth_date":"1971-01-01","sex":"female","ethnic_group":"Kinh","local":true},
        {"id":"d3","name":"C","birth_date":"1972-01-01","sex":"male","ethnic_group":"Mường","local":true},
        {"id":"d4","name":"D","birth_date":"1973-01-01","sex":"female","ethnic_group":"Kinh","local":false},
        {"id":"d5","name":"E","birth_date":"1974-01-01","sex":"male","ethnic_group":"Kinh","local":true},
        {"id":"d6","name":"F","birth_date":"1975-01-01","sex":"male","ethnic_group":"Kinh","local":true},
        {"id":"a1","name":"G","birth_date":"1980-01-01","sex":"female","ethnic_group":"Kinh","local":true},
        {"id":"a2","name":"H","birth_date":"1981-01-01","sex":"male","ethnic_group":"Kinh","local":true}
      ],
      "roll": ["d1","d2","d3","d4","d5","d6"], "alternates": ["a1","a2"]
    },
    "contests": [{"id":"ec","title":"EC","seats":2,"candidates":[{"id":"d1","name":"A"},{"id":"d2","name":"B"},{"id":"d3","name":"C"}]}]
  })";
  cg::PeopleParse p = cg::parse_people(text);
  INFO(p.error);
  REQUIRE(p.people.has_value());
  cg::SessionRules s;
  s.id = "s";
  s.convened = 6;
  s.officials = {"o1"};
  cg::ContestRules ec;
  ec.id = "ec";
  ec.title = "EC";
  ec.seats = 2;
  ec.candidates = {{"d1", "A"}, {"d2", "B"}, {"d3", "C"}};
  s.contests = {ec};
  s.people = *p.people;
  Congress c(s);
  SECTION("a delegate absent throughout leaves the basis; a plain absence does not") {
    c.ok("record_roll",
         R"({"present":["d1","d2","d3","d4"],"absent":[{"person":"d5","category":"absent_throughout"},{"person":"d6","category":"absent"}]})");
    const cg::Attendance a = cg::roll_attendance(c.session, c.state, "cpv-2024");
    CHECK(a.present == 4);
    CHECK(a.excluded == 1);
    CHECK(a.quorum_base == 6);  // absence does not excuse itself from the quorum
    CHECK(a.quorum_required == 4);
    CHECK(a.quorum_held);
    CHECK(cg::to_json(a, cg::Kind::delegates) ==
          R"({"convened":6,"present":4,"absent":{"absent":1,"absent_throughout":1},"excluded":1,"quorum":{"base":6,"required":4,"held":true}})");
    CHECK(c.refused("record_roll", R"({"absent":[{"person":"d5","category":"exempted"}]})").code ==
          cg::Code::bad_argument);
  }
  SECTION("a replacement and an absence of the same place in one command") {
    CHECK(c.refused("record_roll",
                    R"({"replacements":[{"delegate":"d5","alternate":"a1"}],"absent":[{"person":"d5","category":"absent"}]})")
              .code == cg::Code::bad_argument);
    CHECK(c.state.log_size == 0);
  }
  SECTION("an alternate takes the place: present, and nobody is excluded") {
    c.ok("record_roll", R"({"present":["d1","d2","d3","d4","d6"],"replacements":[{"delegate":"d5","alternate":"a1"}]})");
    const cg::Attendance a = cg::roll_attendance(c.session, c.state, "cpv-2024");
    CHECK(a.present == 6);
    CHECK(a.excluded == 0);
    // The alternate answers for the place from now on; the place has an alternate in it, so it
    // cannot be absent throughout (that category is for a place nobody took).
    CHECK(c.refused("record_roll", R"({"absent":[{"person":"a1","category":"absent_throughout"}]})")
              .code == cg::Code::bad_argument);
    CHECK(c.refused("record_roll", R"({"absent":[{"person":"d5","category":"absent_throughout"}]})")
              .code == cg::Code::bad_argument);
    c.ok("record_roll", R"({"absent":[{"person":"a1","category":"absent"}]})");
    const cg::Attendance later = cg::roll_attendance(c.session, c.state, "cpv-2024");
    CHECK(later.present == 5);
    CHECK(later.excluded == 0);
    // A delegate and the alternate in their place are one place: named once per command.
    CHECK(c.refused("record_roll", R"({"present":["a1"],"absent":[{"person":"d5","category":"absent"}]})")
              .code == cg::Code::bad_argument);
    CHECK(c.refused("record_roll", R"({"replacements":[{"delegate":"d5","alternate":"a2"}]})")
              .code == cg::Code::already_replaced);
    CHECK(c.refused("record_roll", R"({"replacements":[{"delegate":"d6","alternate":"a1"}]})")
              .code == cg::Code::already_replaced);
    CHECK(c.refused("record_roll", R"({"replacements":[{"delegate":"d6","alternate":"d1"}]})")
              .code == cg::Code::unknown_person);
    CHECK(c.refused("record_roll", R"({"replacements":[{"delegate":"a2","alternate":"a2"}]})")
              .code == cg::Code::unknown_person);
  }
}

// ---- The commands ----

TEST_CASE("record_roll: refusals", "[people]") {
  Congress c(cell_session());
  CHECK(c.refused("record_roll", "{}").code == cg::Code::bad_argument);
  CHECK(c.refused("record_roll", R"({"present":[]})").code == cg::Code::bad_argument);
  CHECK(c.refused("record_roll", R"({"present":["x99"]})").code == cg::Code::unknown_person);
  CHECK(c.refused("record_roll", R"({"present":["m01","m01"]})").code == cg::Code::bad_argument);
  CHECK(c.refused("record_roll", R"({"present":["m01"],"absent":[{"person":"m01","category":"absent"}]})")
            .code == cg::Code::bad_argument);
  CHECK(c.refused("record_roll", R"({"absent":[{"person":"m01","category":"absent_throughout"}]})")
            .code == cg::Code::bad_argument);  // a delegates' category at a members' congress
  CHECK(c.refused("record_roll", R"({"absent":[{"person":"m01"}]})").code ==
        cg::Code::bad_argument);
  CHECK(c.refused("record_roll", R"({"replacements":[{"delegate":"m01","alternate":"m02"}]})")
            .code == cg::Code::bad_argument);  // a members' congress has no alternates
  CHECK(c.refused("record_attendance", R"({"present":12})").code == cg::Code::roll_kept);
  CHECK(c.state.log_size == 0);  // nothing refused changed anything
  c.ok("record_roll", kAllPresent);
  CHECK(c.state.present == 12u);
  c.ok("record_exception", kException);
  c.ok("issue_tokens", R"({"contest":"sec","round":1,"count":12})");
  c.ok("open_round", R"({"contest":"sec","round":1})");
  CHECK(c.refused("record_roll", R"({"absent":[{"person":"m02","category":"absent"}]})").code ==
        cg::Code::round_open);
}

TEST_CASE("a session without a register keeps record_attendance and refuses the roll",
          "[people]") {
  cg::SessionRules s = cell_session();
  s.people.reset();
  Congress c(s);
  CHECK(c.refused("record_roll", kAllPresent).code == cg::Code::no_register);
  CHECK(c.refused("record_exception", kException).code == cg::Code::no_register);
  c.ok("record_attendance", R"({"present":12})");
}

TEST_CASE("open_round: roll incomplete, no quorum, an ineligible candidate", "[people]") {
  Congress c(cell_session());
  c.ok("issue_tokens", R"({"contest":"sec","round":1,"count":12})");
  const cg::Refusal incomplete = c.refused("open_round", R"({"contest":"sec","round":1})");
  CHECK(incomplete.code == cg::Code::roll_incomplete);
  CHECK(incomplete.message ==
        "12 of 12 on the roll have no recorded presence (m01, m02, m03, m04, m05, ...): "
        "record_roll first");
  // 7 present of 12: the quorum is 8.
  c.ok("record_roll",
       R"({"present":["m01","m02","m03","m04","m05","m06","m07"],"absent":[{"person":"m08","category":"absent"},{"person":"m09","category":"absent"},{"person":"m10","category":"absent"},{"person":"m11","category":"absent"},{"person":"m12","category":"absent"}]})");
  const cg::Refusal quorum = c.refused("open_round", R"({"contest":"sec","round":1})");
  CHECK(quorum.code == cg::Code::no_quorum);
  CHECK(quorum.message == "7 present: the quorum is 8 of 12 (rule set cpv-2024-cell-secretary)");
  c.ok("record_roll", R"({"present":["m08"]})");
  const cg::Refusal old = c.refused("open_round", R"({"contest":"sec","round":1})");
  CHECK(old.code == cg::Code::candidate_ineligible);
  CHECK(old.message ==
        "candidate m01 (Nguyễn Văn An) is aged 68 on 2024-12-10, over the re-election limit of "
        "67 (cell-secretary-2024), and no exception is recorded (record_exception)");
  c.ok("record_exception", kException);
  c.ok("open_round", R"({"contest":"sec","round":1})");
}

TEST_CASE("record_exception: refusals", "[people]") {
  Congress c(cell_session());
  auto with = [](const std::string& field, const std::string& value) {
    std::string args = kException;
    const std::string key = "\"" + field + "\":\"";
    const auto at = args.find(key) + key.size();
    args.replace(at, args.find('"', at) - at, value);
    return args;
  };
  CHECK(c.refused("record_exception", with("contest", "nope")).code == cg::Code::unknown_contest);
  CHECK(c.refused("record_exception", with("candidate", "x99")).code == cg::Code::unknown_person);
  CHECK(c.refused("record_exception", with("rule", "other-rule")).code == cg::Code::unknown_rule);
  CHECK(c.refused("record_exception", with("date", "2024-02-30")).code ==
        cg::Code::bad_argument);
  CHECK(c.refused("record_exception", with("body", "")).code == cg::Code::bad_argument);
  const cg::Refusal young = c.refused("record_exception", with("candidate", "m03"));
  CHECK(young.code == cg::Code::exception_not_needed);
  CHECK(young.message == "args.candidate: m03 is aged 39 on 2024-12-10, within the first-time "
                         "limit of 65 (cell-secretary-2024): no exception is needed");
  c.ok("record_exception", kException);
  REQUIRE(c.state.exceptions.size() == 1);
  CHECK(c.state.exceptions[0].decision == "45-QĐ/HU");
  CHECK(c.state.exceptions[0].recorded_at == 0);
  CHECK(c.refused("record_exception", kException).code == cg::Code::exception_recorded);
}

// ---- Composition ----

TEST_CASE("percentages with one decimal, rounded half up", "[people]") {
  CHECK(cg::percent_1(27690, 36954) == "74.9");
  CHECK(cg::percent_1(9264, 36954) == "25.1");
  CHECK(cg::percent_1(1, 3) == "33.3");
  CHECK(cg::percent_1(2, 3) == "66.7");
  CHECK(cg::percent_1(1, 16) == "6.3");   // 6.25 rounds up
  CHECK(cg::percent_1(1, 80) == "1.3");   // 1.25
  CHECK(cg::percent_1(0, 5) == "0.0");
  CHECK(cg::percent_1(5, 5) == "100.0");
  CHECK(cg::percent_1(3, 0) == "0.0");
}

TEST_CASE("the composition of an elected body and the plan", "[people]") {
  cg::Register r = cell_register();
  cg::ContestPeople body;
  body.contest = "cc";
  body.office = "committee";
  body.incumbents = {"m01", "m04", "m05"};
  body.plan = Ids{"m01", "m02", "m04", "m05", "m06"};
  // Elected (the order elected): m04 (54, woman), m05 (52, Tày), m03 (39, non-local, first time),
  // m06 (49, woman), m12 (33, woman, Dao, first time outside the plan) and m01 (68).
  const Ids elected = {"m04", "m05", "m03", "m06", "m12", "m01"};
  const cg::Composition c = cg::composition(r, body, elected);
  CHECK(c.elected == 6);
  CHECK(c.re_elected.count == 3);
  CHECK(c.re_elected.percent == "50.0");
  CHECK(c.first_time.count == 3);
  CHECK(c.women.count == 3);
  CHECK(c.under_40.count == 2);
  CHECK(c.under_40.percent == "33.3");
  CHECK(c.ethnic_minority.count == 2);
  CHECK(c.non_local.count == 1);
  CHECK(c.non_local.percent == "16.7");
  // Ages on 2024-12-10: 54 + 52 + 39 + 49 + 33 + 68 = 295; 295 / 6 = 49.17.
  REQUIRE(c.mean_age.has_value());
  CHECK(*c.mean_age == "49.2");
  CHECK_FALSE(c.directly_elected);
  CHECK(c.planned == 5);
  CHECK(c.planned_not_elected == Ids{"m02"});
  CHECK(c.planned_not_elected_percent == "20.0");
  CHECK(c.elected_outside_plan == Ids{"m03", "m12"});
  CHECK(c.elected_outside_plan_percent == "33.3");
  CHECK(cg::to_json(c) ==
        R"({"office":"committee","elected":6,"re_elected":{"count":3,"percent":"50.0"},"first_time":{"count":3,"percent":"50.0"},"women":{"count":3,"percent":"50.0"},"under_40":{"count":2,"percent":"33.3"},"ethnic_minority":{"count":2,"percent":"33.3"},"non_local":{"count":1,"percent":"16.7"},"mean_age":"49.2","directly_elected":false,"plan":{"planned":5,"planned_not_elected":{"count":1,"percent":"20.0","ids":["m02"]},"elected_outside_plan":{"count":2,"percent":"33.3","ids":["m03","m12"]}}})");
  SECTION("no one elected: no mean age, every share 0.0") {
    const cg::Composition none = cg::composition(r, body, {});
    CHECK_FALSE(none.mean_age.has_value());
    CHECK(none.women.percent == "0.0");
    CHECK(none.planned_not_elected.size() == 5);
  }
}

TEST_CASE("a cell congress end to end: the secretary's minutes facts", "[people]") {
  Congress c(cell_session());
  c.ok("record_roll",
       R"({"present":["m01","m02","m03","m04","m05","m06","m07","m08","m09","m10"],"absent":[{"person":"m11","category":"temporary_transfer"},{"person":"m12","category":"absent"}]})");
  c.ok("record_exception", kException);
  c.ok("issue_tokens", R"({"contest":"sec","round":1,"count":10})");
  c.ok("open_round", R"({"contest":"sec","round":1})");
  // Basis 11 (m11 transferred), threshold 6: m01 gets 7.
  c.ballots = {{"m01"}, {"m01"}, {"m01"}, {"m01"}, {"m01"}, {"m01"}, {"m01"}, {"m03"}, {"m03"}, {}};
  c.ok("close_round", R"({"contest":"sec","round":1})");
  const cg::ContestState& sec = c.state.contest("sec");
  CHECK(sec.elected == Ids{"m01"});
  CHECK(sec.complete());
  const cg::PeopleMinutes m = cg::people_minutes(c.session.people, c.state, "sec", 1);
  CHECK(m.attendance ==
        R"({"convened":12,"present":10,"absent":{"absent":1,"temporary_transfer":1,"exempted":0,"suspended_or_prosecuted":0,"absent_with_accepted_reason":0},"excluded":1,"quorum":{"base":11,"required":8,"held":true}})");
  CHECK(m.composition ==
        R"({"office":"secretary","elected":1,"re_elected":{"count":1,"percent":"100.0"},"first_time":{"count":0,"percent":"0.0"},"women":{"count":0,"percent":"0.0"},"under_40":{"count":0,"percent":"0.0"},"ethnic_minority":{"count":0,"percent":"0.0"},"non_local":{"count":0,"percent":"0.0"},"mean_age":"68.0","directly_elected":true,"plan":{"planned":1,"planned_not_elected":{"count":0,"percent":"0.0","ids":[]},"elected_outside_plan":{"count":0,"percent":"0.0","ids":[]}}})");
}

// ---- Reading the register ----

TEST_CASE("the register is refused with the field's path", "[people]") {
  auto error_of = [](std::string text) { return cg::parse_people(text).error; };
  auto replaced = [](std::string from, const std::string& what, const std::string& with) {
    const auto at = from.find(what);
    REQUIRE(at != std::string::npos);
    from.replace(at, what.size(), with);
    return from;
  };
  const std::string base = kCell;
  CHECK(error_of(base).empty());
  CHECK(error_of(replaced(base, R"("convened": 12)", R"("convened": 13)")) ==
        "convened: must equal the number on register.roll (12), not 13");
  CHECK(error_of(replaced(base, R"("roll": ["m01")", R"("roll": ["x01")")) ==
        "register.roll[0]: no person \"x01\" in register.people");
  CHECK(error_of(replaced(base, R"("roll": ["m01","m02")", R"("roll": ["m01","m01")")) ==
        "register.roll[1]: \"m01\" is listed twice");
  CHECK(error_of(replaced(base, R"("birth_date":"1956-12-10")", R"("birth_date":"1956-13-10")")) ==
        "register.people[0].birth_date: must be a date YYYY-MM-DD from 1900-01-01 to 2100-12-31, "
        "not \"1956-13-10\"");
  CHECK(error_of(replaced(base, R"("birth_date":"1956-12-10")", R"("birth_date":"2025-01-01")")) ==
        "register.people[0].birth_date: is after congress_date 2024-12-10");
  CHECK(error_of(replaced(base, R"("sex":"male")", R"("sex":"m")")) ==
        "register.people[0].sex: must be \"male\" or \"female\", not \"m\"");
  CHECK(error_of(replaced(base, R"("local":true})", R"("local":"yes"})")) ==
        "register.people[0].local: must be true or false");
  CHECK(error_of(replaced(base, R"("ethnic_group":"Kinh",)", "")) ==
        "register.people[0].ethnic_group: missing");
  CHECK(error_of(replaced(base, R"("id":"m02")", R"("id":"m01")")) ==
        "register.people[1].id: duplicate id \"m01\"");
  CHECK(error_of(replaced(base, R"({"id":"m03","name":"Trần Văn Cường"}])",
                          R"({"id":"m03","name":"Tran Van Cuong"}])")) ==
        "contests[0].candidates[1].name: must be the register's name \"Trần Văn Cường\"");
  CHECK(error_of(replaced(base, R"({"id":"m03","name":"Trần Văn Cường"}])",
                          R"({"id":"x03","name":"X"}])")) ==
        "contests[0].candidates[1].id: no person \"x03\" in register.people");
  CHECK(error_of(replaced(base, R"("office": "secretary")", R"("office": "chief")")) ==
        "contests[0].office: must be one of committee, standing_committee, secretary, "
        "deputy_secretary, inspection_committee, delegates, other");
  CHECK(error_of(replaced(base, R"("office": "secretary")", R"("excluded": 1)")) ==
        "contests[0].excluded: not with a register: the roll decides who is excluded");
  CHECK(error_of(replaced(base, R"("incumbents": ["m01"])", R"("incumbents": ["m01","zz"])")) ==
        "contests[0].incumbents[1]: no person \"zz\" in register.people");
  CHECK(error_of(replaced(base, R"("office": "secretary")", R"("eligibility": ["old-rule"])")) ==
        "contests[0].eligibility[0]: no eligibility rule \"old-rule\" (built in: "
        "cell-secretary-2024; others in eligibility_rules)");
  CHECK(error_of(replaced(base, R"("congress_kind": "members")", R"("congress_kind": "members", "x": 1)"))
            .empty());  // not a people field: the session reader refuses it, not this one
  CHECK(error_of(replaced(base, R"("register": {)", R"("registre": {)")) ==
        "register: missing: congress_date, eligibility_rules and the contests' office, "
        "incumbents, personnel_plan and eligibility need a register");
  CHECK(error_of(replaced(base, R"("roll": [)", R"("alternates": ["m02"], "roll": [)")) ==
        "register.alternates: a members' congress has no alternate delegates");
  CHECK(error_of(replaced(base, R"("office": "secretary")", R"("eligibility": [])")) ==
        "contests[0].eligibility: a cpv-2024-cell-secretary contest applies an age rule (leave "
        "eligibility out for cell-secretary-2024)");
  CHECK(error_of(replaced(base, R"("ethnic_group":"Kinh")", R"("ethnic_group":"kinh ")")) ==
        "register.people[0].ethnic_group: write \"Kinh\" exactly, not \"kinh \" (anything else "
        "counts as an ethnic minority)");
  CHECK(error_of(replaced(base, R"("congress_kind": "members")", R"("congress_kind": "cell")")) ==
        "congress_kind: must be \"delegates\" or \"members\"");
  SECTION("a rule of the session's own") {
    const std::string own = replaced(
        replaced(base, R"("office": "secretary")",
                 R"("office": "secretary", "eligibility": ["district-2025"])"),
        R"("contests": [)",
        R"("eligibility_rules": [{"id":"district-2025","title":"District","approving_body":"Ban Thường vụ Tỉnh ủy","max_age":{"first_time":{"male":60,"female":55},"re_election":{"male":65,"female":60}}}],
           "contests": [)");
    cg::PeopleParse p = cg::parse_people(own);
    INFO(p.error);
    REQUIRE(p.people.has_value());
    const cg::ContestPeople& sec = *p.people->find_contest("sec");
    CHECK(sec.eligibility == Ids{"district-2025"});  // given: the rule set's default is not added
    CHECK(p.people->find_rule("district-2025")->re_election_male == 65);
    CHECK(error_of(replaced(own, R"("male":60)", R"("male":12)")) ==
          "eligibility_rules[0].max_age.first_time.male: must be an integer from 18 to 120");
  }
}
