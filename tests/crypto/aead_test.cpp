#include <catch2/catch.hpp>

#include "crypto/aead.hpp"
#include "test_util.hpp"

using namespace tallystation::crypto;
using tallystation::crypto::test::unhex;

namespace {
Digest key_of(std::uint8_t fill) {
  Digest k{};
  k.fill(fill);
  return k;
}
}  // namespace

// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 13 and 14: the
// 256-bit all-zero key and 96-bit all-zero IV. Our sealed format is nonce || ciphertext || tag.
TEST_CASE("AES-256-GCM opens the published test vectors", "[crypto][aead]") {
  const Digest zero = key_of(0);
  const std::string nonce(12, '\0');
  CHECK(aead_open(zero, "", nonce + unhex("530f8afbc74536b9a963b4f1c4cb738b")) == std::string());
  auto p = aead_open(zero, "",
                     nonce + unhex("cea7403d4d606b6e074ec5d3baf39d18") +
                         unhex("d0d1c8a799996bf0265b98b5d48ab919"));
  REQUIRE(p);
  CHECK(*p == std::string(16, '\0'));
}

TEST_CASE("a sealed message opens only under its key and associated data, unchanged",
          "[crypto][aead]") {
  const Digest k = key_of(7);
  const std::string msg = "a staged ballot, 32 bytes or so.";
  const std::string sealed = aead_seal(k, "cc/1", msg);
  CHECK(sealed.size() == msg.size() + kAeadOverhead);
  CHECK(aead_open(k, "cc/1", sealed) == msg);
  CHECK_FALSE(aead_open(key_of(8), "cc/1", sealed));
  CHECK_FALSE(aead_open(k, "cc/2", sealed));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    CHECK_FALSE(aead_open(k, "cc/1", bad));
  }
  CHECK_FALSE(aead_open(k, "cc/1", sealed.substr(0, sealed.size() - 1)));
  CHECK_FALSE(aead_open(k, "cc/1", std::string(kAeadOverhead - 1, '\0')));
  // The plaintext does not appear in the sealed bytes, and two seals differ (fresh nonces).
  CHECK(sealed.find("staged ballot") == std::string::npos);
  CHECK(aead_seal(k, "cc/1", msg) != sealed);
}
