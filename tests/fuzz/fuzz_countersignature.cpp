// Fuzz target: station::parse_countersignatures, the parser of a committee member's
// POST /v1/results/<contest>/<round>/signatures body ({"keyid","sig"} or a whole DSSE envelope),
// then add_countersignatures and certification over the example session's committee
// (docs/examples/session.json), against a station-signed minutes envelope made at start-up.
// Invariants: what is accepted is non-empty; an envelope with signatures added keeps the stored
// payload and type and grows by exactly the offered signatures; certification never counts more
// signers than the committee has.
#include <cstdint>
#include <string>

#include "crypto/dsse.hpp"
#include "crypto/keys.hpp"
#include "fuzz_util.hpp"
#include "station/app/countersign.hpp"
#include "station/config/session.hpp"

using namespace tallystation;

namespace {
struct World {
  station::Session session;
  crypto::SecretKey station_key = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::Envelope minutes;
  World() {
    auto s = station::parse_session(fuzz::source_file("docs/examples/session.json"));
    if (!s) std::abort();
    session = std::move(*s);
    minutes = crypto::make_envelope(station_key, crypto::payload_type::kResult,
                                    R"({"session":"cpv-xx-congress-2026","contest":"cc","round":1})");
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const World w;
  auto offered = station::parse_countersignatures(fuzz::as_view(data, size), w.minutes);
  if (!offered) return 0;
  FUZZ_CHECK(!offered->empty());
  auto added = station::add_countersignatures(w.minutes, *offered, w.session);
  if (!added) return 0;
  FUZZ_CHECK(added->payload == w.minutes.payload);
  FUZZ_CHECK(added->payload_type == w.minutes.payload_type);
  FUZZ_CHECK(added->signatures.size() == w.minutes.signatures.size() + offered->size());
  auto c = station::certification(*added, w.session, w.station_key.public_key());
  FUZZ_CHECK(c.station_signed);
  FUZZ_CHECK(c.signed_by.size() + c.missing.size() == w.session.committee.size());
  (void)station::to_json(c, w.session);
  return 0;
}
