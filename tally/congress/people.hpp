#pragma once
// The congress's people (docs/session.md "People", docs/rules.md "Roll, quorum, eligibility,
// composition"): the register of the session definition (people, the roll of those convened,
// alternates), each contest's incumbents, personnel plan and eligibility rules; and the pure rules
// over them that the station and `tally-audit verify` share: age in whole years, the age limits
// with exceptions approved by a higher body, the roll's arithmetic (present, excluded by
// category, basis, quorum) and the composition of an elected body compared with the plan.
//
// Pure: no I/O, clock or randomness. The register is read from the session file's exact bytes
// by parse_people(), the one reader both the station and the verifier use.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tally/congress/json_value.hpp"

namespace tallystation::congress {

// ---- Dates and ages ----

// A calendar day (proleptic Gregorian), years 1900 to 2100.
struct Date {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  friend auto operator<=>(const Date&, const Date&) = default;
};
// Exactly "YYYY-MM-DD" naming a real day from 1900-01-01 to 2100-12-31, else nullopt.
std::optional<Date> parse_date(std::string_view text);
std::string to_string(const Date& d);  // "YYYY-MM-DD"

// Whole years completed on `day` by someone born on `birth` (0 before the first birthday). Born
// on 29 February: in a common year the new year of age starts on 1 March. Precondition:
// birth <= day.
int age_on(const Date& birth, const Date& day);

// ---- The register ----

enum class Sex : std::uint8_t { male, female };
std::string_view to_string(Sex s) noexcept;  // "male", "female"

enum class Kind : std::uint8_t { delegates, members };  // the session's congress_kind

struct Person {
  std::string id;
  std::string name;
  Date birth_date;
  Sex sex = Sex::male;
  std::string ethnic_group;  // e.g. "Kinh", "Tày", "Mường"
  bool local = true;         // from the locality the body serves
  // Every group but the Kinh majority is an ethnic minority (the official classification).
  bool ethnic_minority() const { return ethnic_group != "Kinh"; }
};

// An age limit for standing (docs/rules.md "Eligibility"): the highest age, in whole years on the
// congress's first day, at which a man or a woman may stand for the first time or for
// re-election.
struct AgeLimitRule {
  std::string id;
  std::string title;
  int first_time_male = 0;
  int first_time_female = 0;
  int re_election_male = 0;
  int re_election_female = 0;
  std::string approving_body;  // who may approve an exception, as the guidance names it
};
// The provincial guidance of the seed report for Party cell secretaries (2024): first time at
// most 65 (men) and 60 (women), re-election at most 67 and 62; the district standing committee
// may approve an exception case by case.
inline constexpr std::string_view kCellSecretary2024 = "cell-secretary-2024";
AgeLimitRule cell_secretary_2024();

// What the people rules know of one contest.
struct ContestPeople {
  std::string contest;
  std::string office;                     // docs/session.md: committee, secretary, ...
  std::vector<std::string> incumbents;    // held the position in the outgoing term
  std::optional<std::vector<std::string>> plan;  // the approved personnel plan, if any
  std::vector<std::string> eligibility;   // rule ids, in the session's order
};

struct Register {
  Kind kind = Kind::delegates;
  Date first_day;                      // the congress's first day (`congress_date`)
  std::vector<Person> people;          // everyone the session names
  std::vector<std::string> roll;       // those convened (person ids), in roll order
  std::vector<std::string> alternates; // alternate delegates who may take a place (delegates)
  std::vector<AgeLimitRule> rules;     // the session's own rules, then the built-in ones used
  std::vector<ContestPeople> contests; // one per contest, session order
  // Lookup indexes, built by parse_people (a register built by hand is searched linearly): a
  // register may name a million people, and every roll entry, alternate and candidate is looked
  // up once.
  std::map<std::string, std::size_t, std::less<>> person_index;
  std::map<std::string, std::size_t, std::less<>> roll_index;
  std::map<std::string, std::size_t, std::less<>> alternate_index;

  const Person* find_person(std::string_view id) const;
  const AgeLimitRule* find_rule(std::string_view id) const;
  const ContestPeople* find_contest(std::string_view id) const;
  bool on_roll(std::string_view id) const;
  bool is_alternate(std::string_view id) const;
};

// The people members of the session file, read by parse_people. With no `register` member the
// session has none (nullopt, and the congress runs on `convened` and `record_attendance`).
struct PeopleParse {
  std::optional<Register> people;
  std::string error;  // "field.path: what is wrong" (set: the file is refused)
};
// Reads `congress_date`, `register`, `eligibility_rules` and each contest's `office`,
// `incumbents`, `personnel_plan`, `eligibility` from the whole session file (docs/session.md
// "People"): everything else is the caller's to check. Refuses people fields without a
// `register`, a `congress_kind` other than "delegates" or "members", unknown ids, a register
// person listed twice, a candidate who is not a register person or whose `name` differs,
// `convened` other than the roll's size and a contest `excluded` (the roll decides both), a
// `cpv-2024-cell-secretary` contest whose `eligibility` is empty, and an `ethnic_group` that is
// "Kinh" but for case or surrounding spaces.
PeopleParse parse_people(std::string_view session_bytes);

// ---- The roll ----

// Why someone on the roll is absent (docs/rules.md "Roll"). Which are excluded from the basis
// depends on the congress kind (is_excluded).
enum class Absence : std::uint8_t {
  absent,                       // absent now; stays in the basis
  absent_throughout,            // delegates: absent for the whole congress, no alternate in place
  temporary_transfer,           // members: on temporary transfer to another Party organisation
  exempted,                     // members: exempted from Party work and activities, absent
  suspended_or_prosecuted,      // members: suspended, prosecuted, indicted or detained
  absent_with_accepted_reason,  // members: absent throughout, reason accepted by the convener
};
std::string_view to_string(Absence a) noexcept;
std::optional<Absence> parse_absence(std::string_view s);
// The categories a congress of `kind` records, in the minutes' order.
std::span<const Absence> absences_of(Kind kind);
// Excluded from the majority basis (Statute art. 12.3 as Quy dinh 24-QD/TW point 9.3 details it).
bool is_excluded(Kind kind, Absence a);
// Excluded from the quorum's base too: not those excluded for being absent (docs/rules.md
// "Quorum", engine decision), only transfer, exemption, suspension or prosecution.
bool is_quorum_exempt(Kind kind, Absence a);

enum class Presence : std::uint8_t { unrecorded, present, absent };

// One place on the roll: the person convened, or the alternate who took the place.
struct Seat {
  Presence presence = Presence::unrecorded;
  Absence absence = Absence::absent;  // with presence absent
  std::string alternate;              // the alternate holding the place, if any
};

struct Roll {
  std::map<std::string, Seat, std::less<>> seats;  // by the convened person's id
};
Roll initial_roll(const Register& r);

struct Attendance {
  std::uint64_t convened = 0;
  std::uint64_t present = 0;
  std::uint64_t unrecorded = 0;
  std::vector<std::pair<Absence, std::uint64_t>> absent;  // absences_of(kind) order, every one
  std::uint64_t excluded = 0;                             // from the majority basis
  std::uint64_t quorum_base = 0;
  std::uint64_t quorum_required = 0;  // ceil(base * num / den)
  bool quorum_held = false;
};
// The roll's arithmetic, with the rule set's quorum fraction num/den.
Attendance attendance(const Register& r, const Roll& roll, std::uint32_t quorum_num,
                      std::uint32_t quorum_den);
// Compact JSON, members in this order (the minutes' `attendance`, docs/protocol.md):
// {"convened","present","absent":{<category>:n,...},"excluded","quorum":{"base","required","held"}}
std::string to_json(const Attendance& a, Kind kind);

// ---- Eligibility ----

struct Exception {
  std::string contest;
  std::string candidate;
  std::string rule;
  std::string body;      // the approving body, as recorded
  std::string decision;  // its decision's number
  Date date;             // and date
  std::uint64_t recorded_at = 0;  // log index
};

struct Eligibility {
  std::string candidate;
  std::string rule;
  bool re_election = false;
  int age = 0;
  int limit = 0;
  bool within_limit = true;
  const Exception* exception = nullptr;  // the recorded exception that allows it, if any
  bool eligible() const { return within_limit || exception != nullptr; }
  // "aged 68 on 2024-12-10, over the re-election limit of 67 (cell-secretary-2024)"
  std::string reason(const Date& first_day) const;
};
// The candidate against one rule: age on the first day against the limit for their sex and
// standing (re-election: an incumbent of the contest). Precondition: both exist.
Eligibility check_rule(const Register& r, const ContestPeople& c, const Person& p,
                       const AgeLimitRule& rule, std::span<const Exception> exceptions);
// Every rule of the contest, in its order.
std::vector<Eligibility> check_candidate(const Register& r, const ContestPeople& c,
                                         const Person& p, std::span<const Exception> exceptions);

// ---- Composition ----

// One figure: count and its percentage of the whole, one decimal, rounded half up ("74.9").
struct Share {
  std::uint64_t count = 0;
  std::string percent;
};
std::string percent_1(std::uint64_t part, std::uint64_t whole);  // "0.0" when whole is 0

struct Composition {
  std::string office;
  std::uint64_t elected = 0;
  Share re_elected, first_time, women, under_40, ethnic_minority, non_local;
  std::optional<std::string> mean_age;  // one decimal, half up; nullopt with no one elected
  bool directly_elected = false;        // a secretary elected by the congress itself
  // With a personnel plan: planned and not elected (share of the plan), elected outside it
  // (share of the elected); the ids in plan order and in elected order.
  bool has_plan = false;
  std::uint64_t planned = 0;
  std::vector<std::string> planned_not_elected, elected_outside_plan;
  std::string planned_not_elected_percent, elected_outside_plan_percent;
};
// The elected members (`elected`, the order elected) of contest `c`.
Composition composition(const Register& r, const ContestPeople& c,
                        std::span<const std::string> elected);
// Compact JSON (the minutes' `composition`, docs/protocol.md), members in this order:
// {"office","elected","re_elected":{"count","percent"},"first_time":..,"women":..,"under_40":..,
//  "ethnic_minority":..,"non_local":..,"mean_age","directly_elected"[,"plan":{"planned",
//  "planned_not_elected":{"count","percent","ids"},"elected_outside_plan":{..}}]}
std::string to_json(const Composition& c);

}  // namespace tallystation::congress
