// GET /v1/results/{contest}/{round}: a closed round's signed minutes and their certification
// (docs/protocol.md "Results").
#include <boost/json.hpp>

#include "station/app/ledger.hpp"
#include "station/app/routes/routes.hpp"

namespace tallystation::station::routes {

namespace json = boost::json;

std::optional<std::uint32_t> results_round(AppContext& app, RouteRequest& request,
                                           Responder& respond) {
  const std::string& contest = request.params.at(0);
  const std::string& round = request.params.at(1);
  if (contest.empty()) {
    respond(refusal_response(Refusal::not_found, "no resource " + request.target.path));
    return std::nullopt;
  }
  if (app.session.find_contest(contest) == nullptr) {
    respond(refusal_response(Refusal::unknown_contest, "no contest \"" + contest + "\""));
    return std::nullopt;
  }
  auto n = round_number(round);
  if (!n) respond(refusal_response(Refusal::bad_query, "round must be a positive integer"));
  return n;
}

void get_results(AppContext& app, RouteRequest& request, Responder& respond) {
  auto round = results_round(app, request, respond);
  if (!round) return;
  auto out = app.ledger.book().results(request.params[0], *round);
  HttpResponse res = out ? json_response(json::serialize(*out)) : refusal_response(out.error());
  res.log_fields = {{"contest", request.params[0]}, {"round", request.params[1]}};
  respond(std::move(res));
}

}  // namespace tallystation::station::routes
