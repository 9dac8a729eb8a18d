#include <catch2/catch.hpp>

#include "crypto/keys.hpp"
#include "crypto/x509.hpp"
#include "test_util.hpp"

using namespace tallystation::crypto;
using namespace tallystation::crypto::test;

namespace {

// "SHA256 Fingerprint=AB:CD:..." -> "abcd..."
std::string openssl_fingerprint(const std::filesystem::path& cert) {
  const std::string out = run_output("openssl x509 -noout -fingerprint -sha256 -in " + quote(cert));
  const auto eq = out.find('=');
  std::string hex;
  if (eq == std::string::npos) return hex;
  for (char c : out.substr(eq + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return hex;
}

}  // namespace

TEST_CASE("a self-signed certificate's fingerprint agrees with openssl x509", "[crypto][x509]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  const SecretKey key = SecretKey::generate(type);
  auto pem = make_self_signed_certificate(
      key, "tallystation", {"localhost", "127.0.0.1", "::1", "station.congress.example"}, 365);
  REQUIRE(pem);
  CHECK(pem->starts_with("-----BEGIN CERTIFICATE-----\n"));
  auto fp = certificate_fingerprint(*pem);
  REQUIRE(fp);
  CHECK(fp->size() == 64);

  TempDir dir;
  write_file(dir / "cert.pem", *pem);
  CHECK(openssl_fingerprint(dir / "cert.pem") == *fp);

  // The certificate carries the station's key, its names, and a valid self-signature.
  write_file(dir / "pub.pem", key.public_key().pem());
  const std::string cert_pub =
      run_output("openssl x509 -noout -pubkey -in " + quote(dir / "cert.pem"));
  CHECK(cert_pub == key.public_key().pem());
  const std::string text = run_output("openssl x509 -noout -text -in " + quote(dir / "cert.pem"));
  CHECK(text.find("DNS:localhost") != std::string::npos);
  CHECK(text.find("IP Address:127.0.0.1") != std::string::npos);
  CHECK(text.find("DNS:station.congress.example") != std::string::npos);
  CHECK(text.find("CN = tallystation") != std::string::npos);
  CHECK(text.find("Version: 3") != std::string::npos);
  CHECK(run("openssl verify -CAfile " + quote(dir / "cert.pem") + " " + quote(dir / "cert.pem")) ==
        0);
}

TEST_CASE("two certificates for one key have different fingerprints", "[crypto][x509]") {
  const SecretKey key = SecretKey::generate(KeyType::ed25519);
  auto a = make_self_signed_certificate(key, "tallystation", {"localhost"}, 30);
  auto b = make_self_signed_certificate(key, "tallystation", {"localhost"}, 30);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*certificate_fingerprint(*a) != *certificate_fingerprint(*b));  // random serials
}

TEST_CASE("certificate inputs that cannot be encoded safely are refused", "[crypto][x509]") {
  const SecretKey key = SecretKey::generate(KeyType::ed25519);
  CHECK(make_self_signed_certificate(key, "", {}, 30).error() == Errc::bad_certificate);
  CHECK(make_self_signed_certificate(key, "x", {}, 0).error() == Errc::bad_certificate);
  CHECK(make_self_signed_certificate(key, "x", {"a,DNS:evil.example"}, 30).error() ==
        Errc::bad_certificate);
  CHECK(make_self_signed_certificate(key, "x", {""}, 30).error() == Errc::bad_certificate);
  CHECK(make_self_signed_certificate(key, "x", {}, 30));
}

TEST_CASE("a fingerprint of something that is not a certificate is bad_certificate",
          "[crypto][x509]") {
  CHECK(certificate_fingerprint("").error() == Errc::bad_certificate);
  CHECK(certificate_fingerprint("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .error() == Errc::bad_certificate);
  const SecretKey key = SecretKey::generate(KeyType::ed25519);
  CHECK(certificate_fingerprint(key.public_key().pem()).error() == Errc::bad_certificate);
}
