// Hostile input: every parser at the crypto boundary answers garbage with an error value, and the
// shared verification state holds up under concurrent use.
#include <atomic>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "crypto/dsse.hpp"
#include "crypto/merkle.hpp"
#include "crypto/x509.hpp"
#include "test_util.hpp"

using namespace tallystation::crypto;

namespace {

std::string random_string(std::mt19937_64& rng, std::size_t max_len, std::string_view alphabet) {
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string s(len(rng), '\0');
  for (char& c : s) c = alphabet[pick(rng)];
  return s;
}

std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

// Mutates a valid input: flips, deletions, insertions, truncation.
std::string mutate(std::mt19937_64& rng, std::string s) {
  std::uniform_int_distribution<int> op(0, 3);
  std::uniform_int_distribution<int> byte(0, 255);
  const int n = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < n && !s.empty(); ++i) {
    const std::size_t at = rng() % s.size();
    switch (op(rng)) {
      case 0:
        s[at] = static_cast<char>(byte(rng));
        break;
      case 1:
        s.erase(at, 1);
        break;
      case 2:
        s.insert(at, 1, static_cast<char>(byte(rng)));
        break;
      default:
        s.resize(at);
        break;
    }
  }
  return s;
}

}  // namespace

TEST_CASE("random bytes never crash a parser and never parse as a key", "[crypto][hostile]") {
  std::mt19937_64 rng(20260323);
  const std::string bytes = all_bytes();
  const std::string json_chars = R"({}[]":,0123456789 truefalsnul\payloadTypesigkeyidAZaz+/=)";
  for (int i = 0; i < 3000; ++i) {
    const std::string junk = random_string(rng, 300, bytes);
    const std::string jsonish = random_string(rng, 300, json_chars);
    CHECK_FALSE(PublicKey::from_der(junk));
    CHECK_FALSE(PublicKey::from_pem(junk));
    CHECK_FALSE(SecretKey::from_pem(junk));
    (void)parse_envelope(junk);
    (void)parse_envelope(jsonish);
    (void)base64_decode(jsonish);
    (void)from_hex(junk);
    (void)AppendOnlyTree::restore(junk);
    CHECK_FALSE(certificate_fingerprint(junk));
  }
}

TEST_CASE("mutated valid inputs are refused or parse to something harmless", "[crypto][hostile]") {
  std::mt19937_64 rng(7);
  const SecretKey ed = SecretKey::generate(KeyType::ed25519);
  const SecretKey ec = SecretKey::generate(KeyType::ecdsa_p256);
  KeySet trusted;
  trusted.add(ed.public_key());
  trusted.add(ec.public_key());
  Envelope env = make_envelope(ed, payload_type::kBallot, R"({"marks":["a"]})");
  env.signatures.push_back(sign_envelope(ec, payload_type::kBallot, R"({"marks":["a"]})"));
  const std::string wire = serialize(env);
  const std::string pems[] = {ed.public_key().pem(), ec.public_key().pem(), ed.pkcs8_pem(),
                              ec.pkcs8_pem()};
  auto cert = make_self_signed_certificate(ed, "x", {"localhost"}, 1);
  REQUIRE(cert);
  for (int i = 0; i < 2000; ++i) {
    auto m = parse_envelope(mutate(rng, wire));
    if (m) {
      auto ok = verify_envelope(*m, payload_type::kBallot, trusted);
      if (ok) CHECK(m->payload == env.payload);
    }
    for (const auto& pem : pems) {
      auto pk = PublicKey::from_pem(mutate(rng, pem));
      if (pk) CHECK((pk->type() == KeyType::ed25519 || pk->type() == KeyType::ecdsa_p256));
      (void)SecretKey::from_pem(mutate(rng, pem));
    }
    (void)certificate_fingerprint(mutate(rng, *cert));
  }
}

TEST_CASE("one key verifies correctly from many threads at once", "[crypto][hostile]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  const SecretKey key = SecretKey::generate(type);
  const PublicKey pub = key.public_key();
  const std::string msg = "concurrent";
  const std::string good = key.sign(msg);
  std::string bad = good;
  bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x10);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        const bool expect = (i + t) % 3 != 0;
        const bool got = pub.verify(msg, expect ? good : bad).has_value();
        if (got != expect) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
}
