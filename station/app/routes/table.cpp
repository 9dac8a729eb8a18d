// The station's HTTP surface, one row per method and path (docs/protocol.md "Routes").
#include "station/app/routes/routes.hpp"

namespace tallystation::station::routes {

namespace {

// A GET's body is read and ignored; it is held to the general limit like any other.
// clang-format off
constexpr Route kRoutes[] = {
  // method path                                        handler          body limit       type
  {"GET",  "/v1/station",                              get_station,     kMaxRequestBody, ""},
  {"GET",  "/v1/ballot",                               get_ballot,      kMaxRequestBody, ""},
  {"POST", "/v1/ballots",                              post_ballots,    kMaxBallotBody,  kJson},
  {"POST", "/v1/commands",                             post_commands,   kMaxRequestBody, kJson},
  {"GET",  "/v1/checkpoint",                           get_checkpoint,  kMaxRequestBody, ""},
  {"GET",  "/v1/status",                               get_status,      kMaxRequestBody, ""},
  {"GET",  "/v1/people",                               get_people,      kMaxRequestBody, ""},
  {"GET",  "/v1/results/{contest}/{round}",            get_results,     kMaxRequestBody, ""},
  {"POST", "/v1/results/{contest}/{round}/signatures", post_signatures, kMaxRequestBody, kJson},
  {"GET",  "/v1/proof",                                get_proof,       kMaxRequestBody, ""},
};
// clang-format on

}  // namespace

std::span<const Route> table() {
  return kRoutes;
}

// Every POST body of this protocol is JSON, so a POST that no row takes is held to it too.
Unrouted unrouted() {
  return {kMaxRequestBody, kJson};
}

}  // namespace tallystation::station::routes
