// GET /v1/ballot?contest=ID: the ballot of the contest's open round, everything a terminal needs
// to show it (CONTRACT.md section 2).
#include <boost/json.hpp>

#include "station/app/ledger.hpp"
#include "station/app/routes/routes.hpp"

namespace tallystation::station::routes {

namespace json = boost::json;

void get_ballot(AppContext& app, RouteRequest& request, Responder& respond) {
  auto query = request.target.query.find("contest");
  if (query == request.target.query.end()) {
    return respond(refusal_response(Refusal::bad_query, "missing query parameter contest"));
  }
  const std::string& contest_id = query->second;
  const ContestDef* contest = app.session.find_contest(contest_id);
  if (contest == nullptr) {
    return respond(refusal_response(Refusal::unknown_contest, "no contest \"" + contest_id + "\""));
  }
  auto round = app.ledger.open_round(contest_id);
  if (!round) {
    return respond(
        refusal_response(Refusal::round_not_open, "contest " + contest_id + " has no open round"));
  }
  // The round's own list and places (a run-off, a further round, an elect-from contest).
  const RoundBallot ballot =
      app.ledger.book().ballot(contest_id, *round).value_or(first_round_ballot(*contest));
  json::array candidates;
  for (const Candidate& c : ballot.candidates) {
    candidates.push_back(json::object{{"id", c.id}, {"name", c.name}});
  }
  HttpResponse res = json_response(json::serialize(json::object{{"session", app.session.id},
                                                                {"contest", contest->id},
                                                                {"round", *round},
                                                                {"title", contest->title},
                                                                {"seats", ballot.seats},
                                                                {"alternates", ballot.alternates},
                                                                {"candidates", candidates}}));
  res.log_fields = {{"contest", contest->id}, {"round", std::to_string(*round)}};
  respond(std::move(res));
}

}  // namespace tallystation::station::routes
