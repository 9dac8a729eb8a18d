// GET /v1/people: the register as the command log has brought it so far: the roll with each
// place's presence, the attendance figures, each candidate's standing against the contest's age
// limits with any recorded exception, and the composition of those elected (docs/protocol.md).
// Every figure comes from the pure rules the station decides by (tally/congress/people.hpp), so
// what officials read here is what open_round and the minutes will hold.
#include <algorithm>

#include <boost/json.hpp>

#include "station/app/ledger.hpp"
#include "station/app/routes/routes.hpp"
#include "tally/rule_set.hpp"

namespace tallystation::station::routes {

namespace json = boost::json;

namespace {

std::string_view presence_name(congress::Presence p) {
  switch (p) {
    case congress::Presence::present:
      return "present";
    case congress::Presence::absent:
      return "absent";
    case congress::Presence::unrecorded:
      return "unrecorded";
  }
  return "unrecorded";
}

json::array roll_of(const congress::Register& reg, const congress::Roll& roll) {
  json::array out;
  for (const std::string& id : reg.roll) {
    const congress::Seat& seat = roll.seats.at(id);
    const congress::Person* p = reg.find_person(id);
    json::object row{{"person", id},
                     {"name", p != nullptr ? p->name : std::string()},
                     {"presence", presence_name(seat.presence)}};
    if (seat.presence == congress::Presence::absent) {
      row["category"] = congress::to_string(seat.absence);
    }
    row["alternate"] = seat.alternate.empty() ? json::value(nullptr) : json::value(seat.alternate);
    out.push_back(std::move(row));
  }
  return out;
}

// Everyone who may appear on one of the contest's ballots: the session's list in ballot order,
// then those the rounds added (an elect-from list, new nominations) as they first stood.
std::vector<std::string> candidates_of(const ContestDef& def, const congress::ContestState& cs) {
  std::vector<std::string> ids;
  for (const Candidate& c : def.candidates) ids.push_back(c.id);
  for (const tally::Candidate& c : cs.known) {
    if (std::find(ids.begin(), ids.end(), c.id) == ids.end()) ids.push_back(c.id);
  }
  return ids;
}

json::object eligibility_row(const congress::Register& reg, const congress::Person& p,
                             const congress::Eligibility& e) {
  json::value exception = nullptr;
  if (e.exception != nullptr) {
    exception = json::object{{"body", e.exception->body},
                             {"decision", e.exception->decision},
                             {"date", congress::to_string(e.exception->date)}};
  }
  return json::object{{"candidate", p.id},
                      {"name", p.name},
                      {"rule", e.rule},
                      {"re_election", e.re_election},
                      {"age", e.age},
                      {"limit", e.limit},
                      {"within_limit", e.within_limit},
                      {"eligible", e.eligible()},
                      {"reason", e.reason(reg.first_day)},
                      {"exception", std::move(exception)}};
}

json::object contest_of(const congress::Register& reg, const ContestDef& def,
                        const congress::State& state) {
  const congress::ContestState& cs = state.contest(def.id);
  const congress::ContestPeople* cp = reg.find_contest(def.id);
  json::array eligibility;
  if (cp != nullptr) {
    for (const std::string& id : candidates_of(def, cs)) {
      const congress::Person* p = reg.find_person(id);
      if (p == nullptr) continue;  // the session and open_round admit register people only
      for (const congress::Eligibility& e :
           congress::check_candidate(reg, *cp, *p, state.exceptions)) {
        eligibility.push_back(eligibility_row(reg, *p, e));
      }
    }
  }
  json::value composition = nullptr;
  if (cp != nullptr && (!cs.elected.empty() || cs.complete())) {
    composition = json::parse(congress::to_json(congress::composition(reg, *cp, cs.elected)));
  }
  return json::object{{"contest", def.id},
                      {"office", cp != nullptr ? cp->office : std::string("other")},
                      {"eligibility", std::move(eligibility)},
                      {"composition", std::move(composition)},
                      {"complete", cs.complete()}};
}

}  // namespace

void get_people(AppContext& app, RouteRequest&, Responder& respond) {
  if (!app.session.people) {
    respond(json_response(json::serialize(json::object{{"register", false}})));
    return;
  }
  const congress::Register& reg = *app.session.people;
  const congress::State state = app.ledger.congress_state();
  // The quorum fraction is the same in every built-in rule set; the Statute's is named.
  const congress::Attendance attendance =
      congress::roll_attendance(app.ledger.rules(), state, tally::kRuleSetCpv2024);
  json::array contests;
  for (const ContestDef& def : app.session.contests) {
    contests.push_back(contest_of(reg, def, state));
  }
  json::object out{{"register", true},
                   {"congress_kind", to_string(app.session.congress_kind)},
                   {"congress_date", congress::to_string(reg.first_day)},
                   {"attendance", json::parse(congress::to_json(attendance, reg.kind))},
                   {"roll", roll_of(reg, *state.roll)},
                   {"contests", std::move(contests)}};
  respond(json_response(json::serialize(out)));
}

}  // namespace tallystation::station::routes
