#pragma once
// Strict JSON for untrusted, signed bytes: RFC 8259 text (Boost.JSON, UTF-8 validated) in which no
// object repeats a member name. Boost.JSON alone keeps the last of repeated members; a signed
// ballot such as {"token":"a","token":"b"} must instead be refused, since two readers could see
// two different ballots in it. Pure function, thread safe.
#include <boost/json/value.hpp>
#include <string_view>

#include "station/config/error.hpp"

namespace tallystation::station {

// The value, or Errc::invalid_session with a message such as
// `duplicate member "token"` or `syntax error at byte 17`.
Result<boost::json::value> parse_strict_json(std::string_view text);

}  // namespace tallystation::station
