#include "crypto/hash.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <stdexcept>

#include "crypto/detail/openssl_ptr.hpp"

namespace tallystation::crypto {
namespace detail {

const EVP_MD* sha256_md() {
  // Fetched once and kept for the life of the process; thread-safe static initialisation.
  static const MdPtr md{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
  if (!md) throw std::runtime_error("crypto: OpenSSL has no SHA256");
  return md.get();
}

void clear_errors() noexcept {
  ERR_clear_error();
}

}  // namespace detail

namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Value of each byte as a character of the standard base64 alphabet (RFC 4648 section 4), or -1.
constexpr std::array<signed char, 256> kBase64Values = [] {
  std::array<signed char, 256> t{};
  t.fill(-1);
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  return t;
}();

int base64_value(char c) noexcept {
  return kBase64Values[static_cast<unsigned char>(c)];
}

}  // namespace

Digest sha256(std::string_view data) {
  Digest d{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), d.data(), &len, detail::sha256_md(), nullptr) != 1 ||
      len != d.size()) {
    throw std::runtime_error("crypto: SHA-256 failed");
  }
  return d;
}

Digest hmac_sha256(std::string_view key, std::string_view data) {
  // HMAC (RFC 2104) spelled out over the SHA-256 fetched once (detail::sha256_md): OpenSSL's
  // one-shot EVP_Q_mac fetches the MAC and the digest by name at every call, which costs more
  // than the two hashes themselves for the short inputs the station MACs (one per ballot).
  constexpr std::size_t kBlock = 64;  // SHA-256's block size, B in RFC 2104
  std::array<unsigned char, kBlock> k{};
  if (key.size() > kBlock) {
    const Digest hashed = sha256(key);  // keys longer than B are hashed first (section 2)
    std::copy(hashed.begin(), hashed.end(), k.begin());
  } else {
    std::copy(key.begin(), key.end(), reinterpret_cast<char*>(k.data()));
  }
  std::array<unsigned char, kBlock> pad{};
  Digest inner{};
  Digest d{};
  unsigned int len = 0;
  detail::MdCtxPtr ctx{EVP_MD_CTX_new()};
  bool ok = ctx != nullptr;
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x36;  // ipad
  ok = ok && EVP_DigestInit_ex2(ctx.get(), detail::sha256_md(), nullptr) == 1 &&
       EVP_DigestUpdate(ctx.get(), pad.data(), pad.size()) == 1 &&
       EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
       EVP_DigestFinal_ex(ctx.get(), inner.data(), &len) == 1 && len == inner.size();
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x5c;  // opad
  ok = ok && EVP_DigestInit_ex2(ctx.get(), detail::sha256_md(), nullptr) == 1 &&
       EVP_DigestUpdate(ctx.get(), pad.data(), pad.size()) == 1 &&
       EVP_DigestUpdate(ctx.get(), inner.data(), inner.size()) == 1 &&
       EVP_DigestFinal_ex(ctx.get(), d.data(), &len) == 1 && len == d.size();
  OPENSSL_cleanse(k.data(), k.size());
  OPENSSL_cleanse(pad.data(), pad.size());
  OPENSSL_cleanse(inner.data(), inner.size());
  if (!ok) {
    detail::clear_errors();
    throw std::runtime_error("crypto: HMAC-SHA-256 failed");
  }
  return d;
}

struct Sha256::Impl {
  detail::MdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  if (!impl_->ctx || EVP_DigestInit_ex2(impl_->ctx.get(), detail::sha256_md(), nullptr) != 1) {
    throw std::runtime_error("crypto: SHA-256 init failed");
  }
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1) {
    throw std::runtime_error("crypto: SHA-256 update failed");
  }
}

Digest Sha256::finish() {
  Digest d{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), d.data(), &len) != 1 || len != d.size()) {
    throw std::runtime_error("crypto: SHA-256 final failed");
  }
  return d;
}

std::string to_hex(std::string_view in) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(in.size() * 2, '\0');
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto b = static_cast<unsigned char>(in[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

std::string to_hex(const Digest& d) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

Result<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Errc::bad_hex;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if ((hi | lo) < 0) return Errc::bad_hex;
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

Result<Digest> digest_from_hex(std::string_view hex) {
  if (hex.size() != 64) return Errc::bad_hex;
  auto raw = from_hex(hex);
  if (!raw) return raw.error();
  Digest d{};
  std::copy(raw->begin(), raw->end(), d.begin());
  return d;
}

std::string base64_encode(std::string_view in) {
  if (in.size() > static_cast<std::size_t>(INT_MAX / 4 * 3)) {
    throw std::length_error("crypto: base64 input too large");
  }
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(in),
                                static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> base64_decode(std::string_view b64) {
  if (b64.size() % 4 != 0) return Errc::bad_base64;
  if (b64.empty()) return std::string{};
  std::size_t pad = 0;
  if (b64.back() == '=') pad = b64[b64.size() - 2] == '=' ? 2 : 1;
  const std::size_t data_chars = b64.size() - pad;
  std::string out(b64.size() / 4 * 3 - pad, '\0');
  // Four characters make three bytes; the last group may hold two or three characters (with
  // their padding). Any character outside the alphabet, '=' anywhere but at the end included, is
  // refused.
  std::size_t o = 0;
  std::size_t i = 0;
  for (; i + 4 <= data_chars; i += 4) {
    const int a = base64_value(b64[i]);
    const int b = base64_value(b64[i + 1]);
    const int c = base64_value(b64[i + 2]);
    const int d = base64_value(b64[i + 3]);
    if ((a | b | c | d) < 0) return Errc::bad_base64;
    const unsigned v = (unsigned(a) << 18) | (unsigned(b) << 12) | (unsigned(c) << 6) | unsigned(d);
    out[o++] = static_cast<char>(v >> 16);
    out[o++] = static_cast<char>(v >> 8);
    out[o++] = static_cast<char>(v);
  }
  if (pad != 0) {
    const int a = base64_value(b64[i]);
    const int b = base64_value(b64[i + 1]);
    const int c = pad == 1 ? base64_value(b64[i + 2]) : 0;
    if ((a | b | c) < 0) return Errc::bad_base64;
    // Canonical form only (RFC 4648 section 3.5): the bits that padding discards must be zero,
    // so that every byte string has exactly one accepted encoding.
    if ((pad == 1 && (c & 0x3) != 0) || (pad == 2 && (b & 0xf) != 0)) return Errc::bad_base64;
    const unsigned v = (unsigned(a) << 18) | (unsigned(b) << 12) | (unsigned(c) << 6);
    out[o++] = static_cast<char>(v >> 16);
    if (pad == 1) out[o++] = static_cast<char>(v >> 8);
  }
  return out;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > static_cast<std::size_t>(INT_MAX) ||
      RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("crypto: the random generator failed");
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tallystation::crypto
