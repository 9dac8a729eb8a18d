// GET /v1/station: the station's signing key and TLS fingerprint, which terminals and auditors
// pin (CONTRACT.md section 1).
#include <boost/json.hpp>

#include "station/app/routes/routes.hpp"

namespace tallystation::station::routes {

namespace json = boost::json;

void get_station(AppContext& app, RouteRequest&, Responder& respond) {
  const crypto::SecretKey& key = app.identity.signing_key;
  respond(json_response(
      json::serialize(json::object{{"keyid", key.keyid()},
                                   {"public_key", key.public_key().pem()},
                                   {"tls_fingerprint", app.identity.tls_fingerprint}})));
}

}  // namespace tallystation::station::routes
