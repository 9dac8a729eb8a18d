#pragma once
// Splits an HTTP request target into its path and its query parameters, percent-decoded
// (RFC 3986 section 2.1; '+' in a query is a space, as HTML forms send it). Pure, thread safe.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tallystation::station {

struct Target {
  std::string path;
  std::map<std::string, std::string, std::less<>> query;
};

// nullopt for a bad percent escape, a path that is not absolute, or a repeated parameter.
std::optional<Target> parse_target(std::string_view target);

// A round number in a path or query: 1 to 999999999, decimal digits, no sign, no leading zero.
std::optional<std::uint32_t> round_number(std::string_view text);

}  // namespace tallystation::station
