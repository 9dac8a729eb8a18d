#include "station/config/strict_json.hpp"

#include <boost/json/parser.hpp>
#include <string>

#include "crypto/json_keys.hpp"

namespace tallystation::station {

namespace json = boost::json;

Result<json::value> parse_strict_json(std::string_view text) {
  // Repeated members first, with crypto's checker (the project's one), so that the message names
  // the member; then the DOM parse, whose error says where the text stops being JSON.
  if (auto name = crypto::repeated_json_member(text)) {
    return make_error(Errc::invalid_session, "duplicate member \"" + *name + "\"");
  }
  json::parser parser;
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(text.data(), text.size(), ec);
  if (ec) {
    return make_error(Errc::invalid_session,
                      "not JSON: " + ec.message() + " at byte " + std::to_string(used));
  }
  // A second document after the first (Boost.JSON's "extra data").
  if (used != text.size()) return make_error(Errc::invalid_session, "not JSON: extra data");
  return parser.release();
}

}  // namespace tallystation::station
