// GET /v1/proof?contest=C&round=R&ballot_hash=H: the RFC 6962 inclusion proof of a ballot in a
// closed round's ballot box (CONTRACT.md section 3).
#include <boost/json.hpp>

#include "station/app/ledger.hpp"
#include "station/app/routes/routes.hpp"

namespace tallystation::station::routes {

namespace json = boost::json;

void get_proof(AppContext& app, RouteRequest& request, Responder& respond) {
  const auto& query = request.target.query;
  auto contest = query.find("contest");
  auto round = query.find("round");
  auto hash = query.find("ballot_hash");
  if (contest == query.end() || round == query.end() || hash == query.end()) {
    return respond(
        refusal_response(Refusal::bad_query, "query parameters contest, round and ballot_hash"));
  }
  if (app.session.find_contest(contest->second) == nullptr) {
    return respond(
        refusal_response(Refusal::unknown_contest, "no contest \"" + contest->second + "\""));
  }
  auto n = round_number(round->second);
  if (!n) return respond(refusal_response(Refusal::bad_query, "round must be a positive integer"));
  auto out = app.ledger.book().proof(contest->second, *n, hash->second);
  HttpResponse res = out ? json_response(json::serialize(*out)) : refusal_response(out.error());
  res.log_fields = {{"contest", contest->second}, {"round", round->second}};
  respond(std::move(res));
}

}  // namespace tallystation::station::routes
