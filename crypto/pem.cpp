#include "crypto/detail/pem.hpp"

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <stdexcept>

#include "crypto/detail/openssl_ptr.hpp"

namespace tallystation::crypto::detail {

namespace {

struct PemParts {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  ~PemParts() {
    OPENSSL_free(name);
    OPENSSL_free(header);
    if (data != nullptr) OPENSSL_clear_free(data, static_cast<std::size_t>(len));
  }
};

}  // namespace

Result<std::string> pem_decode(std::string_view pem, std::string_view label) {
  if (pem.empty() || pem.size() > (1u << 20)) return Errc::bad_key;
  BioPtr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  if (!bio) return Errc::internal;
  PemParts parts;
  if (PEM_read_bio(bio.get(), &parts.name, &parts.header, &parts.data, &parts.len) != 1) {
    clear_errors();
    return Errc::bad_key;
  }
  if (std::string_view(parts.name) != label ||
      (parts.header != nullptr && parts.header[0] != '\0') || parts.len <= 0) {
    return Errc::bad_key;
  }
  return std::string(reinterpret_cast<const char*>(parts.data),
                     static_cast<std::size_t>(parts.len));
}

std::string pem_encode(std::string_view der, std::string_view label) {
  BioPtr bio{BIO_new(BIO_s_mem())};
  const std::string name(label);
  if (!bio ||
      PEM_write_bio(bio.get(), name.c_str(), "", reinterpret_cast<const unsigned char*>(der.data()),
                    static_cast<long>(der.size())) <= 0) {
    clear_errors();
    throw std::runtime_error("crypto: PEM encoding failed");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace tallystation::crypto::detail
