// POST /v1/results/{contest}/{round}/signatures: a counting-committee member's countersignature
// of a closed round's minutes (docs/protocol.md "Results", station/app/countersign.hpp).
#include <boost/json.hpp>

#include "station/app/ledger.hpp"
#include "station/app/routes/routes.hpp"
#include "station/app/writer.hpp"

namespace tallystation::station::routes {

namespace json = boost::json;

void post_signatures(AppContext& app, RouteRequest& request, Responder& respond) {
  auto round = results_round(app, request, respond);
  if (!round) return;
  std::vector<std::pair<std::string, std::string>> fields = {{"contest", request.params[0]},
                                                             {"round", request.params[1]}};
  // The envelope is rewritten in a transaction of its own, on the writer thread.
  app.writer.submit([&app, contest = request.params[0], n = *round,
                     body = std::move(request.http.body), fields = std::move(fields),
                     r = respond](bool run) {
    HttpResponse res;
    if (!run) {
      res = refusal_response(Refusal::shutting_down, "the station is shutting down");
    } else {
      try {
        auto out = app.ledger.book().countersign(contest, n, body);
        res = out ? json_response(json::serialize(*out)) : refusal_response(out.error());
      } catch (const std::exception& e) {
        res = refusal_response(Refusal::internal, e.what());
      }
    }
    // After the route's fields, what the refusal logs (a storage error's "cause").
    res.log_fields.insert(res.log_fields.begin(), fields.begin(), fields.end());
    r(std::move(res));
  });
}

}  // namespace tallystation::station::routes
