#pragma once
// The station's routes (docs/protocol.md): the rows StationApp dispatches through (table.cpp) and
// their handlers, one file per resource in this folder. A new resource is one row in table.cpp,
// one file here (listed in station/core.cmake) and its declaration below.
//
// A handler runs on the thread that called StationApp::handle and must not block there: work on
// signatures goes to the worker pool (AppContext::to_pool), writes to the writer thread. It answers
// through the Responder exactly once (handler.hpp). The table has already checked the method, the
// content type and the body's size; the handler checks the parameters and the body itself.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "station/app/data_dir.hpp"
#include "station/app/handler.hpp"
#include "station/app/refusal.hpp"
#include "station/app/route_table.hpp"
#include "station/config/session.hpp"

namespace tallystation::station {

class Ledger;
class Writer;

inline constexpr std::size_t kMaxBallotBody = 64 * 1024;     // a ballot envelope
inline constexpr std::size_t kMaxRequestBody = 1024 * 1024;  // anything, commands included

// What a route's handler may use, borrowed from StationApp, which outlives every request it takes.
struct AppContext {
  const Session& session;
  const StationIdentity& identity;
  Ledger& ledger;
  Writer& writer;
  // Runs work on the worker pool with the responder, unless the station is draining (then answers
  // shutting_down at once). work answers as its last step; if it throws, the answer is internal.
  std::function<void(Responder& respond, std::function<void(Responder)> work)> to_pool;
};

// A 200 answer with this JSON body.
inline HttpResponse json_response(std::string body) {
  HttpResponse res;
  res.body = std::move(body);
  return res;
}

}  // namespace tallystation::station

namespace tallystation::station::routes {

inline constexpr std::string_view kJson = "application/json";

// The station's rows, and the rules for a request that none takes.
std::span<const Route> table();
Unrouted unrouted();

// GET /v1/station (station.cpp)
void get_station(AppContext& app, RouteRequest& request, Responder& respond);
// GET /v1/ballot?contest=ID (ballot.cpp)
void get_ballot(AppContext& app, RouteRequest& request, Responder& respond);
// POST /v1/ballots (ballots.cpp)
void post_ballots(AppContext& app, RouteRequest& request, Responder& respond);
// POST /v1/commands (commands.cpp)
void post_commands(AppContext& app, RouteRequest& request, Responder& respond);
// GET /v1/checkpoint?contest=ID&round=N (checkpoint.cpp)
void get_checkpoint(AppContext& app, RouteRequest& request, Responder& respond);
// GET /v1/status (status.cpp)
void get_status(AppContext& app, RouteRequest& request, Responder& respond);
// GET /v1/people (people.cpp)
void get_people(AppContext& app, RouteRequest& request, Responder& respond);
// GET /v1/results/{contest}/{round} (results.cpp)
void get_results(AppContext& app, RouteRequest& request, Responder& respond);
// POST /v1/results/{contest}/{round}/signatures (signatures.cpp)
void post_signatures(AppContext& app, RouteRequest& request, Responder& respond);
// GET /v1/proof?contest=C&round=R&ballot_hash=H (proof.cpp)
void get_proof(AppContext& app, RouteRequest& request, Responder& respond);

// The round of /v1/results/{contest}/{round}[/signatures] once both parameters are checked (in
// results.cpp). Else nullopt, after answering: an empty contest is 404 not_found, an unknown one
// 404 unknown_contest, a round that is not a positive integer 400 bad_query.
std::optional<std::uint32_t> results_round(AppContext& app, RouteRequest& request,
                                           Responder& respond);

}  // namespace tallystation::station::routes
