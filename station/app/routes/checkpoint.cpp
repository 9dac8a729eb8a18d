// GET /v1/checkpoint?contest=ID&round=N: the station's signed checkpoint over an open round's
// internal log (CONTRACT.md section 3, docs/protocol.md).
#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "station/app/ledger.hpp"
#include "station/app/routes/routes.hpp"

namespace tallystation::station::routes {

void get_checkpoint(AppContext& app, RouteRequest& request, Responder& respond) {
  const auto& query = request.target.query;
  auto contest = query.find("contest");
  auto round = query.find("round");
  if (contest == query.end() || round == query.end()) {
    return respond(refusal_response(Refusal::bad_query, "query parameters contest and round"));
  }
  if (app.session.find_contest(contest->second) == nullptr) {
    return respond(
        refusal_response(Refusal::unknown_contest, "no contest \"" + contest->second + "\""));
  }
  const std::string& r = round->second;
  auto n = round_number(r);
  if (!n) return respond(refusal_response(Refusal::bad_query, "round must be a positive integer"));
  auto cp = app.ledger.checkpoint(contest->second, *n);
  if (!cp) {
    return respond(refusal_response(
        Refusal::round_not_open, "round " + r + " of contest " + contest->second + " is not open"));
  }
  const std::string payload = make_checkpoint_payload(app.session.id, contest->second, *n,
                                                      cp->ballots, crypto::to_hex(cp->root));
  HttpResponse res = json_response(crypto::serialize(
      crypto::make_envelope(app.identity.signing_key, crypto::payload_type::kCheckpoint, payload)));
  res.log_fields = {{"contest", contest->second}, {"round", r}};
  respond(std::move(res));
}

}  // namespace tallystation::station::routes
