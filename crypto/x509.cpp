#include "crypto/x509.hpp"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <climits>

#include "crypto/detail/key_access.hpp"
#include "crypto/detail/openssl_ptr.hpp"
#include "crypto/hash.hpp"

namespace tallystation::crypto {

namespace {

using detail::X509Ptr;

// A DNS name as subjectAltName may carry it (RFC 5280 section 4.2.1.6, RFC 1123 letters, digits,
// hyphens, dots; a leading "*." wildcard label).
bool plausible_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (s.starts_with("*.")) s.remove_prefix(2);
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return !s.empty() && s.front() != '.' && s.back() != '.';
}

// Builds subjectAltName entry by entry, so that no name is ever parsed as OpenSSL config syntax
// (a comma in a name cannot smuggle in a second entry).
bool add_alt_names(X509* x, const std::vector<std::string>& names) {
  if (names.empty()) return true;
  detail::GeneralNamesPtr gens{sk_GENERAL_NAME_new_null()};
  if (!gens) return false;
  for (const std::string& n : names) {
    GENERAL_NAME* gen = GENERAL_NAME_new();
    if (gen == nullptr) return false;
    if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(n.c_str())) {
      GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
    } else {
      detail::clear_errors();
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (!plausible_dns_name(n) || dns == nullptr ||
          ASN1_STRING_set(dns, n.data(), static_cast<int>(n.size())) != 1) {
        ASN1_IA5STRING_free(dns);
        GENERAL_NAME_free(gen);
        return false;
      }
      GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
    }
    if (sk_GENERAL_NAME_push(gens.get(), gen) == 0) {
      GENERAL_NAME_free(gen);
      return false;
    }
  }
  return X509_add1_ext_i2d(x, NID_subject_alt_name, gens.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

bool add_ext(X509* x, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(x, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool set_random_serial(X509* x) {
  // 16 random bytes, top bit clear so that the INTEGER is positive (RFC 5280 section 4.1.2.2).
  std::string raw = random_bytes(16);
  raw[0] = static_cast<char>(raw[0] & 0x7f);
  detail::BignumPtr bn{BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 16, nullptr)};
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) != nullptr;
}

}  // namespace

Result<std::string> make_self_signed_certificate(const SecretKey& key, std::string_view common_name,
                                                 const std::vector<std::string>& alt_names,
                                                 int days) {
  if (days <= 0 || days > 100 * 366 || common_name.empty() || common_name.size() > 64 ||
      common_name.size() > INT_MAX) {
    return Errc::bad_certificate;
  }
  X509Ptr x{X509_new()};
  if (!x) return Errc::internal;
  EVP_PKEY* pkey = detail::secret_pkey(key);
  X509_NAME* name = X509_get_subject_name(x.get());
  const bool ok =
      X509_set_version(x.get(), X509_VERSION_3) == 1 && set_random_serial(x.get()) &&
      X509_gmtime_adj(X509_getm_notBefore(x.get()), 0) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(x.get()), 60L * 60 * 24 * days) != nullptr &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) == 1 &&
      X509_set_issuer_name(x.get(), name) == 1 && X509_set_pubkey(x.get(), pkey) == 1 &&
      add_ext(x.get(), NID_basic_constraints, "critical,CA:FALSE") &&
      add_ext(x.get(), NID_key_usage, "critical,digitalSignature") &&
      add_ext(x.get(), NID_ext_key_usage, "serverAuth") &&
      add_ext(x.get(), NID_subject_key_identifier, "hash") && add_alt_names(x.get(), alt_names) &&
      // Ed25519 signs the certificate directly (RFC 8410 section 6): no digest.
      X509_sign(x.get(), pkey, key.type() == KeyType::ed25519 ? nullptr : EVP_sha256()) > 0;
  if (!ok) {
    detail::clear_errors();
    return Errc::bad_certificate;
  }
  detail::BioPtr bio{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_X509(bio.get(), x.get()) != 1) {
    detail::clear_errors();
    return Errc::internal;
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Result<std::string> certificate_fingerprint(std::string_view pem) {
  if (pem.empty() || pem.size() > INT_MAX) return Errc::bad_certificate;
  detail::BioPtr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  if (!bio) return Errc::internal;
  X509Ptr x{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)};
  if (!x) {
    detail::clear_errors();
    return Errc::bad_certificate;
  }
  unsigned char* der = nullptr;
  const int n = i2d_X509(x.get(), &der);
  if (n <= 0) {
    detail::clear_errors();
    return Errc::bad_certificate;
  }
  const std::string fp = to_hex(
      sha256(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n))));
  OPENSSL_free(der);
  return fp;
}

}  // namespace tallystation::crypto
