// Fuzz target: crypto::parse_envelope, the DSSE envelope parser every signed message goes through
// (ballots, commands, countersignatures, the audit bundle's files).
// Invariants: parse_envelope gives parse_envelope_reference's answer; a parsed envelope re-serialises to JSON that parses back to the same value and
// serialises to the same bytes; verifying it against a trusted key never crashes, and verifies
// only signatures by that key.
#include <cstdint>
#include <string>

#include "crypto/dsse.hpp"
#include "crypto/keys.hpp"
#include "fuzz_util.hpp"

using namespace tallystation;

namespace {
struct Trusted {
  crypto::KeySet keys;
  std::string keyid;
  Trusted() {
    auto key = crypto::PublicKey::from_pem(fuzz::source_file("docs/examples/keys/terminal-t1.pub"));
    if (!key) std::abort();
    keyid = key->keyid();
    keys.add(*key);
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Trusted trusted;
  auto env = crypto::parse_envelope(fuzz::as_view(data, size));
  // The one-pass reader of the common shape answers as the full JSON parser, always.
  auto reference = crypto::parse_envelope_reference(fuzz::as_view(data, size));
  FUZZ_CHECK(env.has_value() == reference.has_value());
  if (!env) {
    FUZZ_CHECK(env.error() == reference.error());
    return 0;
  }
  FUZZ_CHECK(*env == *reference);
  const std::string once = crypto::serialize(*env);
  auto again = crypto::parse_envelope(once);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *env);
  FUZZ_CHECK(crypto::serialize(*again) == once);
  (void)crypto::pae(env->payload_type, env->payload);
  auto verified = crypto::verify_envelope(*env, env->payload_type, trusted.keys);
  if (verified) {
    FUZZ_CHECK(verified->size() == 1 && (*verified)[0] == trusted.keyid);
  }
  return 0;
}
