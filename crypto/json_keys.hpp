#pragma once
// Duplicate-member detection for untrusted JSON: the project's one checker for it. DSSE envelopes
// (crypto/dsse.hpp), the station's strict JSON (station/config/strict_json.hpp) and the auditor's
// verifier (tally/audit/verify) all refuse repeated member names through these two functions.
//
// Why: Boost.JSON's DOM keeps the last of repeated members while other parsers keep the first;
// refusing repeats means that the station and a third-party verifier can never read two different
// payloads out of one envelope (RFC 8259 section 4: names "SHOULD be unique").
//
// Pure functions, thread safe. Implemented in crypto/json_keys.cpp with Boost.JSON's SAX parser.
#include <optional>
#include <string>
#include <string_view>

namespace tallystation::crypto {

// True if text is one JSON document (RFC 8259, UTF-8 validated, nothing after it) in which no
// object repeats a member name.
bool json_keys_unique(std::string_view text);

// The first member name that an object in text repeats, in document order, if one is repeated
// before the text stops being JSON; nullopt otherwise (also for text that is not JSON at all,
// which the caller's own parser then reports).
std::optional<std::string> repeated_json_member(std::string_view text);

}  // namespace tallystation::crypto
