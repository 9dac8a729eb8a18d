#include "crypto/aead.hpp"

#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <stdexcept>

#include "crypto/detail/openssl_ptr.hpp"

namespace tallystation::crypto {

namespace {

using CipherCtxPtr =
    std::unique_ptr<EVP_CIPHER_CTX, detail::Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;

// AES-256-GCM, fetched once per process (an implicit fetch per call costs a lock and a lookup).
const EVP_CIPHER* gcm() {
  static const EVP_CIPHER* const cipher = [] {
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (c == nullptr) throw std::runtime_error("crypto: AES-256-GCM is not available");
    return c;
  }();
  return cipher;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

int length(std::string_view s) {
  if (s.size() > static_cast<std::size_t>(INT_MAX / 2)) {
    throw std::runtime_error("crypto: AEAD input too large");
  }
  return static_cast<int>(s.size());
}

}  // namespace

std::string aead_seal(const Digest& key, std::string_view aad, std::string_view plaintext) {
  std::string out = random_bytes(kAeadNonceBytes);
  out.resize(kAeadNonceBytes + plaintext.size() + kAeadTagBytes);
  auto* ct = reinterpret_cast<unsigned char*>(out.data()) + kAeadNonceBytes;
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  int fin = 0;
  if (!ctx ||
      EVP_EncryptInit_ex2(ctx.get(), gcm(), key.data(), bytes(out), nullptr) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes(aad), length(aad)) != 1) ||
      EVP_EncryptUpdate(ctx.get(), ct, &n, bytes(plaintext), length(plaintext)) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct + n, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagBytes),
                          ct + plaintext.size()) != 1) {
    throw std::runtime_error("crypto: AES-256-GCM encryption failed");
  }
  return out;
}

std::optional<std::string> aead_open(const Digest& key, std::string_view aad,
                                     std::string_view sealed) {
  if (sealed.size() < kAeadOverhead) return std::nullopt;
  const std::string_view nonce = sealed.substr(0, kAeadNonceBytes);
  const std::string_view ct =
      sealed.substr(kAeadNonceBytes, sealed.size() - kAeadOverhead);
  std::string tag(sealed.substr(sealed.size() - kAeadTagBytes));
  std::string out(ct.size(), '\0');
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::runtime_error("crypto: out of memory");
  int n = 0;
  int fin = 0;
  if (EVP_DecryptInit_ex2(ctx.get(), gcm(), key.data(), bytes(nonce), nullptr) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes(aad), length(aad)) != 1) ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, bytes(ct),
                        length(ct)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagBytes),
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &fin) !=
          1) {
    return std::nullopt;
  }
  return out;
}

}  // namespace tallystation::crypto
