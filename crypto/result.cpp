#include "crypto/result.hpp"

namespace tallystation::crypto {

std::string_view to_string(Errc e) noexcept {
  switch (e) {
    case Errc::bad_hex:
      return "bad_hex";
    case Errc::bad_base64:
      return "bad_base64";
    case Errc::bad_json:
      return "bad_json";
    case Errc::wrong_payload_type:
      return "wrong_payload_type";
    case Errc::unknown_keyid:
      return "unknown_keyid";
    case Errc::bad_signature_length:
      return "bad_signature_length";
    case Errc::wrong_key_type:
      return "wrong_key_type";
    case Errc::bad_signature:
      return "bad_signature";
    case Errc::bad_key:
      return "bad_key";
    case Errc::io_error:
      return "io_error";
    case Errc::bad_proof:
      return "bad_proof";
    case Errc::no_signatures:
      return "no_signatures";
    case Errc::internal:
      return "internal";
    case Errc::bad_certificate:
      return "bad_certificate";
  }
  return "unknown_error";
}

}  // namespace tallystation::crypto
