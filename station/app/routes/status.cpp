// GET /v1/status: the session, its rounds and their counts, never ballot contents
// (docs/protocol.md).
#include <boost/json.hpp>

#include "station/app/ledger.hpp"
#include "station/app/routes/routes.hpp"

namespace tallystation::station::routes {

namespace json = boost::json;

void get_status(AppContext& app, RouteRequest&, Responder& respond) {
  json::object status = app.ledger.status();
  status["station"] = json::object{{"keyid", app.identity.signing_key.keyid()},
                                   {"tls_fingerprint", app.identity.tls_fingerprint}};
  respond(json_response(json::serialize(status)));
}

}  // namespace tallystation::station::routes
