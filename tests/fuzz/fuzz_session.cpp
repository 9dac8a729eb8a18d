// Fuzz target: station::parse_session, the session definition reader (station/config/session.hpp):
// the one file officials start a session from.
// Invariants: an accepted session's config_hash is the SHA-256 of the exact bytes; every contest,
// official and terminal is found by its id or key; every id is a valid identifier; each contest
// has a congress-rules view; with a register, convened is the roll's size and every candidate is
// a register person under the same name.
#include <cstdint>
#include <string>

#include "crypto/hash.hpp"
#include "fuzz_util.hpp"
#include "station/config/session.hpp"

using namespace tallystation;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fuzz::as_view(data, size);
  auto s = station::parse_session(bytes);
  if (!s) {
    FUZZ_CHECK(!s.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(s->config_hash == crypto::to_hex(crypto::sha256(bytes)));
  FUZZ_CHECK(station::is_valid_id(s->id));
  for (const auto& c : s->contests) {
    FUZZ_CHECK(station::is_valid_id(c.id));
    FUZZ_CHECK(s->find_contest(c.id) == &c);
    for (const auto& cand : c.candidates) FUZZ_CHECK(c.find_candidate(cand.id) != nullptr);
    const auto rules = station::contest_rules(c);
    FUZZ_CHECK(rules.id == c.id && rules.seats == c.seats);
  }
  if (s->people) {
    // The register decides convened, and every candidate is one of its people under their name.
    FUZZ_CHECK(s->people->roll.size() == s->convened);
    for (const auto& c : s->contests) {
      FUZZ_CHECK(c.excluded == 0);
      for (const auto& cand : c.candidates) {
        const auto* p = s->people->find_person(cand.id);
        FUZZ_CHECK(p != nullptr && p->name == cand.name);
      }
    }
  }
  for (const auto& o : s->officials) {
    FUZZ_CHECK(s->find_official_by_keyid(o.public_key.keyid()) != nullptr);
  }
  for (const auto& t : s->terminals) FUZZ_CHECK(s->find_terminal(t.id) == &t);
  return 0;
}
