// Interoperability with the openssl command-line tool: what a third-party terminal or an auditor
// with nothing but OpenSSL would do must agree with the library, both ways.
#include <catch2/catch.hpp>

#include "crypto/dsse.hpp"
#include "crypto/keys.hpp"
#include "test_util.hpp"

using namespace tallystation::crypto;
using namespace tallystation::crypto::test;

namespace {

const std::string kReceipt = R"({"session":"s-2026","contest":"cc","round":1,"ballot_hash":")"
                             "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d\"}";

std::string genpkey_args(KeyType t) {
  return t == KeyType::ed25519 ? "-algorithm ed25519"
                               : "-algorithm EC -pkeyopt ec_paramgen_curve:P-256";
}

// pkeyutl signs PAE itself for Ed25519 (-rawin) and SHA-256(PAE) for ECDSA (-rawin -digest).
std::string pkeyutl_mode(KeyType t) {
  return t == KeyType::ed25519 ? "-rawin" : "-rawin -digest sha256";
}

}  // namespace

TEST_CASE("a PAE signature made by openssl pkeyutl verifies in the library", "[crypto][interop]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  TempDir dir;
  REQUIRE(run("openssl genpkey " + genpkey_args(type) + " -out " + quote(dir / "k.pem")) == 0);
  REQUIRE(run("openssl pkey -in " + quote(dir / "k.pem") + " -pubout -out " +
              quote(dir / "pub.pem")) == 0);
  write_file(dir / "pae.bin", pae(payload_type::kReceipt, kReceipt));
  REQUIRE(run("openssl pkeyutl -sign " + pkeyutl_mode(type) + " -inkey " + quote(dir / "k.pem") +
              " -in " + quote(dir / "pae.bin") + " -out " + quote(dir / "sig.bin")) == 0);

  auto pub = load_public_key(dir / "pub.pem");
  REQUIRE(pub);
  CHECK(pub->type() == type);
  // The keyid is the SHA-256 of the DER that openssl itself writes.
  REQUIRE(run("openssl pkey -pubin -in " + quote(dir / "pub.pem") + " -outform DER -out " +
              quote(dir / "pub.der")) == 0);
  CHECK(pub->keyid() == to_hex(sha256(read_file(dir / "pub.der"))));

  Envelope env{
      kReceipt, std::string(payload_type::kReceipt), {{pub->keyid(), read_file(dir / "sig.bin")}}};
  KeySet trusted;
  trusted.add(*pub);
  auto ok = verify_envelope(*parse_envelope(serialize(env)), payload_type::kReceipt, trusted);
  REQUIRE(ok);
  CHECK(ok->front() == pub->keyid());

  // openssl's secret key file loads in the library too, and signs as the same key.
  auto sk = load_secret_key(dir / "k.pem");
  REQUIRE(sk);
  CHECK(sk->keyid() == pub->keyid());
}

TEST_CASE("a PAE signature made by the library verifies with openssl pkeyutl",
          "[crypto][interop]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  TempDir dir;
  const SecretKey key = SecretKey::generate(type);
  REQUIRE(save_public_key(dir / "pub.pem", key.public_key()));
  const Envelope env = make_envelope(key, payload_type::kReceipt, kReceipt);
  write_file(dir / "pae.bin", pae(env.payload_type, env.payload));
  write_file(dir / "sig.bin", env.signatures[0].sig);
  CHECK(run("openssl pkeyutl -verify -pubin -inkey " + quote(dir / "pub.pem") + " " +
            pkeyutl_mode(type) + " -in " + quote(dir / "pae.bin") + " -sigfile " +
            quote(dir / "sig.bin")) == 0);
  // ... and a tampered payload does not.
  write_file(dir / "pae.bin", pae(env.payload_type, env.payload + " "));
  CHECK(run("openssl pkeyutl -verify -pubin -inkey " + quote(dir / "pub.pem") + " " +
            pkeyutl_mode(type) + " -in " + quote(dir / "pae.bin") + " -sigfile " +
            quote(dir / "sig.bin")) != 0);
}

TEST_CASE("keys written by the library load in openssl pkey", "[crypto][interop]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  TempDir dir;
  const SecretKey key = SecretKey::generate(type);
  REQUIRE(save_secret_key(dir / "k.pem", key));
  REQUIRE(save_public_key(dir / "pub.pem", key.public_key()));
  CHECK(run("openssl pkey -noout -in " + quote(dir / "k.pem")) == 0);
  CHECK(run("openssl pkey -noout -pubin -in " + quote(dir / "pub.pem")) == 0);
  // openssl derives the same public key from the library's secret key file.
  CHECK(run_output("openssl pkey -pubout -in " + quote(dir / "k.pem")) == key.public_key().pem());
  CHECK(run_output("openssl pkey -pubin -in " + quote(dir / "pub.pem") +
                   " -outform DER | "
                   "openssl dgst -sha256 -r")
            .substr(0, 64) == key.keyid());
  const std::string text = run_output("openssl pkey -noout -text -in " + quote(dir / "k.pem"));
  CHECK(text.find(type == KeyType::ed25519 ? "ED25519 Private-Key" : "prime256v1") !=
        std::string::npos);
}

TEST_CASE("keys of other algorithms or curves are wrong_key_type", "[crypto][interop]") {
  const std::string args =
      GENERATE(as<std::string>{}, "-algorithm RSA -pkeyopt rsa_keygen_bits:1024",
               "-algorithm EC -pkeyopt ec_paramgen_curve:P-384",
               "-algorithm EC -pkeyopt ec_paramgen_curve:secp256k1", "-algorithm X25519",
               "-algorithm ED448");
  TempDir dir;
  REQUIRE(run("openssl genpkey " + args + " -out " + quote(dir / "k.pem")) == 0);
  REQUIRE(run("openssl pkey -in " + quote(dir / "k.pem") + " -pubout -out " +
              quote(dir / "pub.pem")) == 0);
  INFO(args);
  auto pub = load_public_key(dir / "pub.pem");
  REQUIRE_FALSE(pub);
  CHECK(pub.error() == Errc::wrong_key_type);
  auto sk = load_secret_key(dir / "k.pem");
  REQUIRE_FALSE(sk);
  CHECK(sk.error() == Errc::wrong_key_type);
}

TEST_CASE("an encrypted or legacy-format secret key is refused, never prompted for",
          "[crypto][interop]") {
  TempDir dir;
  REQUIRE(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
              quote(dir / "k.pem")) == 0);
  REQUIRE(run("openssl pkey -in " + quote(dir / "k.pem") + " -aes256 -passout pass:secret -out " +
              quote(dir / "enc.pem")) == 0);
  REQUIRE(run("openssl ec -in " + quote(dir / "k.pem") + " -out " + quote(dir / "legacy.pem")) ==
          0);
  CHECK(load_secret_key(dir / "enc.pem").error() == Errc::bad_key);
  CHECK(load_secret_key(dir / "legacy.pem").error() == Errc::bad_key);  // not PKCS#8
  CHECK(load_secret_key(dir / "k.pem"));
}

TEST_CASE("a compressed P-256 public key has the keyid of its uncompressed form",
          "[crypto][interop]") {
  TempDir dir;
  REQUIRE(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
              quote(dir / "k.pem")) == 0);
  REQUIRE(run("openssl pkey -in " + quote(dir / "k.pem") + " -pubout -out " +
              quote(dir / "pub.pem")) == 0);
  REQUIRE(run("openssl ec -in " + quote(dir / "k.pem") + " -pubout -conv_form compressed -out " +
              quote(dir / "pubc.pem")) == 0);
  auto a = load_public_key(dir / "pub.pem");
  auto b = load_public_key(dir / "pubc.pem");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->keyid() == b->keyid());
  CHECK(read_file(dir / "pubc.pem") != read_file(dir / "pub.pem"));
}
