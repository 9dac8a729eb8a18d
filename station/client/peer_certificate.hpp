#pragma once
// The certificate being verified during a TLS handshake, as DER bytes, so that the client can pin
// it by fingerprint.
//
// NOTE: peer_certificate.cpp is the one file outside crypto/ that calls OpenSSL directly: Asio's
// verify_context exposes only the native X509_STORE_CTX. It reads, never decides; the pin is
// compared in https_client.cpp with crypto::sha256. Candidate for crypto/x509.hpp.
#include <optional>
#include <string>

#include <boost/asio/ssl/verify_context.hpp>

namespace tallystation::station::client {

struct PeerCertificate {
  int depth = 0;    // 0 for the station's own (leaf) certificate
  std::string der;  // the certificate, DER encoded
};

// The certificate the verify callback is being called for; nullopt if there is none.
std::optional<PeerCertificate> current_certificate(boost::asio::ssl::verify_context& ctx);

}  // namespace tallystation::station::client
