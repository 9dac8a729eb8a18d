#include <sys/stat.h>

#include <atomic>
#include <iterator>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "crypto/keys.hpp"
#include "test_util.hpp"

using namespace tallystation::crypto;
using tallystation::crypto::test::TempDir;
using tallystation::crypto::test::unhex;

namespace {

struct Rfc8032Vector {
  const char* name;
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1, TEST 1, TEST 2 and TEST 3 (Ed25519).
constexpr Rfc8032Vector kRfc8032[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
     "b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
     "1d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984d"
     "c6594a7c15e9716ed28dc027beceea1ec40a"},
};

// The fixed SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410 section 4).
const std::string kEd25519SpkiPrefix = unhex("302a300506032b6570032100");

}  // namespace

TEST_CASE("Ed25519 reproduces the RFC 8032 section 7.1 test vectors byte for byte",
          "[crypto][keys]") {
  for (const auto& v : kRfc8032) {
    INFO(v.name);
    auto key = SecretKey::from_ed25519_seed(unhex(v.secret));
    REQUIRE(key);
    CHECK(key->type() == KeyType::ed25519);
    CHECK(key->public_key().der() == kEd25519SpkiPrefix + unhex(v.public_key));
    const std::string msg = unhex(v.message);
    const std::string sig = key->sign(msg);
    CHECK(to_hex(sig) == v.signature);
    CHECK(key->public_key().verify(msg, unhex(v.signature)));
    // The public key alone, as a verifier receives it.
    auto pub = PublicKey::from_der(kEd25519SpkiPrefix + unhex(v.public_key));
    REQUIRE(pub);
    CHECK(pub->verify(msg, unhex(v.signature)));
    CHECK(pub->verify(msg + "x", unhex(v.signature)).error() == Errc::bad_signature);
  }
}

TEST_CASE("a key signs the RFC 8032 vectors again and again, from several threads at once",
          "[crypto][keys]") {
  // Signing contexts are kept and reused (secret_key.cpp): a reused one must give the same bytes
  // as a fresh one, in any order of messages, and never mix up two threads' signatures.
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        const auto& v = kRfc8032[static_cast<std::size_t>(round + t) % std::size(kRfc8032)];
        auto key = SecretKey::from_ed25519_seed(unhex(v.secret));
        if (!key) {
          ++wrong;
          continue;
        }
        for (int i = 0; i < 3; ++i) {
          if (to_hex(key->sign(unhex(v.message))) != v.signature) ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  // One key shared by the threads, two messages interleaved.
  auto key = SecretKey::from_ed25519_seed(unhex(kRfc8032[1].secret)).value();
  threads.clear();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const bool odd = (i + t) % 2 == 1;
        const std::string msg = odd ? unhex(kRfc8032[1].message) : "other";
        const std::string sig = key.sign(msg);
        if (odd && to_hex(sig) != kRfc8032[1].signature) ++wrong;
        if (!key.public_key().verify(msg, sig)) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
}

TEST_CASE("a keyid is the lowercase hex SHA-256 of the DER SubjectPublicKeyInfo",
          "[crypto][keys]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  const SecretKey key = SecretKey::generate(type);
  CHECK(key.keyid() == to_hex(sha256(key.public_key().der())));
  CHECK(key.keyid().size() == 64);
  CHECK(key.keyid().find_first_not_of("0123456789abcdef") == std::string::npos);
  // RFC 8032 TEST 1: the keyid of a published key, computed independently from its SPKI bytes.
  auto k1 = SecretKey::from_ed25519_seed(unhex(kRfc8032[0].secret));
  CHECK(k1->keyid() == to_hex(sha256(kEd25519SpkiPrefix + unhex(kRfc8032[0].public_key))));
}

TEST_CASE("an Ed25519 key read from its DER has the key and keyid OpenSSL's encoder gives",
          "[crypto][keys]") {
  // from_der takes the one DER form of an Ed25519 SubjectPublicKeyInfo as it is; a generated key's
  // der() comes from OpenSSL's encoder (i2d_PUBKEY). Both must be the same bytes, keyid and key.
  for (int i = 0; i < 20; ++i) {
    const SecretKey key = SecretKey::generate(KeyType::ed25519);
    auto pub = PublicKey::from_der(key.public_key().der());
    REQUIRE(pub);
    CHECK(pub->der() == key.public_key().der());
    CHECK(pub->keyid() == key.keyid());
    CHECK(pub->type() == KeyType::ed25519);
    CHECK(pub->verify("m", key.sign("m")));
    CHECK_FALSE(pub->verify("n", key.sign("m")));
  }
  // Another BER spelling of the same key (a long-form length) goes OpenSSL's general way: refused,
  // or read as the same key with the same keyid, never as another key.
  const SecretKey key = SecretKey::generate(KeyType::ed25519);
  const std::string der = key.public_key().der();
  const std::string long_form = std::string("\x30\x81\x2a", 3) + der.substr(2);
  auto pub = PublicKey::from_der(long_form);
  if (pub) {
    CHECK(pub->keyid() == key.keyid());
    CHECK(pub->der() == der);
  }
  // The same prefix with a key of another length is no Ed25519 key.
  CHECK_FALSE(PublicKey::from_der(der.substr(0, 11) + std::string(1, '\x20') + der.substr(12, 31)));
}

TEST_CASE("generated keys sign and verify, and refuse a changed message", "[crypto][keys]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  const SecretKey key = SecretKey::generate(type);
  CHECK(key.type() == type);
  CHECK(key.public_key().type() == type);
  const std::string msg = "DSSEv1 3 abc 5 hello";
  const std::string sig = key.sign(msg);
  if (type == KeyType::ed25519) CHECK(sig.size() == 64);
  if (type == KeyType::ecdsa_p256) CHECK((sig.size() >= 8 && sig.size() <= 72));
  CHECK(key.public_key().verify(msg, sig));
  CHECK(key.public_key().verify("DSSEv1 3 abc 5 hellO", sig).error() == Errc::bad_signature);
  CHECK(SecretKey::generate(type).public_key().verify(msg, sig).error() == Errc::bad_signature);
}

TEST_CASE("flipping any bit of any signature byte makes verification fail", "[crypto][keys]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  const SecretKey key = SecretKey::generate(type);
  const std::string msg = "a ballot";
  const std::string sig = key.sign(msg);
  for (std::size_t i = 0; i < sig.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = sig;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      auto st = key.public_key().verify(msg, bad);
      INFO("byte " << i << " bit " << bit);
      REQUIRE_FALSE(st);
      CHECK((st.error() == Errc::bad_signature || st.error() == Errc::bad_signature_length));
    }
  }
  for (std::size_t i = 0; i < msg.size(); ++i) {
    std::string bad = msg;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    CHECK_FALSE(key.public_key().verify(bad, sig));
  }
}

TEST_CASE("a signature of the wrong length is bad_signature_length", "[crypto][keys]") {
  const SecretKey ed = SecretKey::generate(KeyType::ed25519);
  const std::string sig = ed.sign("m");
  CHECK(ed.public_key().verify("m", sig.substr(0, 63)).error() == Errc::bad_signature_length);
  CHECK(ed.public_key().verify("m", sig + '\0').error() == Errc::bad_signature_length);
  CHECK(ed.public_key().verify("m", "").error() == Errc::bad_signature_length);
  const SecretKey ec = SecretKey::generate(KeyType::ecdsa_p256);
  CHECK(ec.public_key().verify("m", std::string(73, '\x30')).error() == Errc::bad_signature_length);
  CHECK(ec.public_key().verify("m", "").error() == Errc::bad_signature_length);
  // An Ed25519 signature offered to a P-256 key is not a valid DER signature.
  CHECK(ec.public_key().verify("m", sig).error() == Errc::bad_signature);
}

TEST_CASE("keys round-trip through PEM", "[crypto][keys]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  const SecretKey key = SecretKey::generate(type);
  const std::string pem = key.public_key().pem();
  CHECK(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
  auto pub = PublicKey::from_pem(pem);
  REQUIRE(pub);
  CHECK(pub->keyid() == key.keyid());
  CHECK(pub->der() == key.public_key().der());
  CHECK(pub->type() == type);

  const std::string secret = key.pkcs8_pem();
  CHECK(secret.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  auto back = SecretKey::from_pem(secret);
  REQUIRE(back);
  CHECK(back->keyid() == key.keyid());
  CHECK(key.public_key().verify("x", back->sign("x")));
}

TEST_CASE("malformed key material is bad_key", "[crypto][keys]") {
  const SecretKey key = SecretKey::generate(KeyType::ed25519);
  const std::string pub = key.public_key().pem();
  const std::string sec = key.pkcs8_pem();
  CHECK(PublicKey::from_pem("").error() == Errc::bad_key);
  CHECK(PublicKey::from_pem("hello").error() == Errc::bad_key);
  CHECK(PublicKey::from_pem(sec).error() == Errc::bad_key);  // a private key is not a public key
  CHECK(SecretKey::from_pem(pub).error() == Errc::bad_key);
  CHECK(SecretKey::from_pem("").error() == Errc::bad_key);
  CHECK(PublicKey::from_der("").error() == Errc::bad_key);
  CHECK(PublicKey::from_der(key.public_key().der() + '\0').error() == Errc::bad_key);
  CHECK(PublicKey::from_der(key.public_key().der().substr(1)).error() == Errc::bad_key);
  CHECK(SecretKey::from_ed25519_seed(std::string(31, 'a')).error() == Errc::bad_key);
  std::string broken = pub;
  broken[40] = broken[40] == 'A' ? 'B' : 'A';  // still base64, no longer the same DER
  auto r = PublicKey::from_pem(broken);
  if (r) CHECK(r->keyid() != key.keyid());
  // Truncating the PEM body anywhere never crashes.
  for (std::size_t n = 0; n < sec.size(); n += 3) {
    auto s = SecretKey::from_pem(sec.substr(0, n));
    CHECK_FALSE(s);
  }
  for (std::size_t n = 0; n < key.public_key().der().size(); ++n) {
    CHECK_FALSE(PublicKey::from_der(key.public_key().der().substr(0, n)));
  }
}

TEST_CASE("key type names are stable", "[crypto][keys]") {
  CHECK(to_string(KeyType::ed25519) == "ed25519");
  CHECK(to_string(KeyType::ecdsa_p256) == "ecdsa-p256");
}

TEST_CASE("a secret key file is written with mode 0600 and loads back", "[crypto][keys]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  TempDir dir;
  const SecretKey key = SecretKey::generate(type);
  const mode_t old = ::umask(0);  // the most permissive umask must not widen the file
  const auto st = save_secret_key(dir / "station.key", key);
  ::umask(old);
  REQUIRE(st);
  struct stat sb {};
  REQUIRE(::stat((dir / "station.key").c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  auto back = load_secret_key(dir / "station.key");
  REQUIRE(back);
  CHECK(back->keyid() == key.keyid());

  // Overwriting replaces the key, still 0600, and leaves no temporary file behind.
  const SecretKey other = SecretKey::generate(type);
  REQUIRE(save_secret_key(dir / "station.key", other));
  REQUIRE(::stat((dir / "station.key").c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  CHECK(load_secret_key(dir / "station.key")->keyid() == other.keyid());
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                      std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("a public key file loads back with the same keyid", "[crypto][keys]") {
  TempDir dir;
  const SecretKey key = SecretKey::generate(KeyType::ecdsa_p256);
  REQUIRE(save_public_key(dir / "station.pub", key.public_key()));
  auto back = load_public_key(dir / "station.pub");
  REQUIRE(back);
  CHECK(back->keyid() == key.keyid());
}

TEST_CASE("missing or unwritable key files are io_error", "[crypto][keys]") {
  TempDir dir;
  const SecretKey key = SecretKey::generate(KeyType::ed25519);
  CHECK(load_secret_key(dir / "nope.key").error() == Errc::io_error);
  CHECK(load_public_key(dir / "nope.pub").error() == Errc::io_error);
  CHECK(save_secret_key(dir / "no" / "such" / "dir.key", key).error() == Errc::io_error);
  tallystation::crypto::test::write_file(dir / "garbage.key", "not a key");
  CHECK(load_secret_key(dir / "garbage.key").error() == Errc::bad_key);
}
