// POST /v1/ballots: a terminal's signed ballot, answered with the station's signed receipt once
// the ballot is durable (CONTRACT.md section 2, docs/protocol.md).
#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "station/app/intake.hpp"
#include "station/app/routes/routes.hpp"
#include "station/app/writer.hpp"

namespace tallystation::station::routes {

void post_ballots(AppContext& app, RouteRequest& request, Responder& respond) {
  app.to_pool(respond, [&app, body = std::move(request.http.body)](Responder r) {
    auto ballot = check_ballot(body, app.session, app.ledger);
    if (!ballot) return r(refusal_response(ballot.error()));
    std::vector<std::pair<std::string, std::string>> fields = {
        {"terminal", ballot->terminal_id},
        {"contest", ballot->payload.contest},
        {"round", std::to_string(ballot->payload.round)}};
    // The receipt says only what the ballot already fixes (session, contest, round, leaf hash),
    // so it is signed here, on the worker pool beside the verification, rather than on the single
    // writer thread; it is sent only once the writer has made the ballot durable, and never if the
    // writer refuses it. Ed25519 is deterministic (RFC 8032): a retry gets a byte-identical
    // receipt.
    std::string receipt = crypto::serialize(crypto::make_envelope(
        app.identity.signing_key, crypto::payload_type::kReceipt,
        make_receipt_payload(app.session.id, ballot->payload.contest, ballot->payload.round,
                             crypto::to_hex(ballot->leaf))));
    app.writer.submit(std::move(*ballot), [receipt = std::move(receipt), fields = std::move(fields),
                                           r = std::move(r)](BallotOutcome o) mutable {
      HttpResponse res;
      if (o.refused) {
        res = refusal_response(*o.refused);
      } else {
        res.body = std::move(receipt);
      }
      // After the route's fields, what the refusal logs (a storage error's "cause").
      res.log_fields.insert(res.log_fields.begin(), fields.begin(), fields.end());
      if (!o.refused && o.retry) res.log_fields.emplace_back("retry", "true");
      r(std::move(res));
    });
  });
}

}  // namespace tallystation::station::routes
