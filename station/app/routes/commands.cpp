// POST /v1/commands: an official's signed command, run by the writer in its own transaction with
// its entry in the command log (docs/protocol.md).
#include <boost/json.hpp>

#include "station/app/intake.hpp"
#include "station/app/routes/routes.hpp"
#include "station/app/writer.hpp"

namespace tallystation::station::routes {

namespace json = boost::json;

void post_commands(AppContext& app, RouteRequest& request, Responder& respond) {
  app.to_pool(respond, [&app, body = std::move(request.http.body)](Responder r) {
    auto command = check_command(body, app.session);
    if (!command) return r(refusal_response(command.error()));
    std::vector<std::pair<std::string, std::string>> fields = {
        {"official", command->official_id},
        {"command", command->payload.name},
        {"seq", std::to_string(command->payload.seq)}};
    app.writer.submit(
        std::move(*command), [fields = std::move(fields), r = std::move(r)](CommandOutcome o) {
          HttpResponse res = o ? json_response(json::serialize(*o)) : refusal_response(o.error());
          // After the route's fields, what the refusal logs (a storage error's "cause").
          res.log_fields.insert(res.log_fields.begin(), fields.begin(), fields.end());
          r(std::move(res));
        });
  });
}

}  // namespace tallystation::station::routes
