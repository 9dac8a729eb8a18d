#include "station/client/peer_certificate.hpp"

// The only direct OpenSSL use outside crypto/ (see the header): reading the DER of the certificate
// under verification from the X509_STORE_CTX that Asio hands to verify callbacks.
#include <openssl/x509.h>

namespace tallystation::station::client {

std::optional<PeerCertificate> current_certificate(boost::asio::ssl::verify_context& ctx) {
  X509_STORE_CTX* store = ctx.native_handle();
  if (store == nullptr) return std::nullopt;
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (cert == nullptr) return std::nullopt;
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return std::nullopt;
  PeerCertificate out;
  out.depth = X509_STORE_CTX_get_error_depth(store);
  out.der.resize(static_cast<std::size_t>(len));
  auto* p = reinterpret_cast<unsigned char*>(out.der.data());
  if (i2d_X509(cert, &p) != len) return std::nullopt;
  return out;
}

}  // namespace tallystation::station::client
