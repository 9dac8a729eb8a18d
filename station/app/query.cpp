#include "station/app/query.hpp"

namespace tallystation::station {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::optional<Target> parse_target(std::string_view target) {
  if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  const auto q = target.find('?');
  auto path = decode(target.substr(0, q), false);
  if (!path || path->empty() || path->front() != '/') return std::nullopt;
  Target t{std::move(*path), {}};
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = decode(pair.substr(0, eq), true);
    auto value =
        decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    if (!t.query.emplace(std::move(*key), std::move(*value)).second) return std::nullopt;
  }
  return t;
}

std::optional<std::uint32_t> round_number(std::string_view text) {
  const bool digits = !text.empty() && text.size() <= 9 && text.front() != '0' &&
                      text.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits) return std::nullopt;
  std::uint32_t n = 0;
  for (char c : text) n = n * 10 + static_cast<std::uint32_t>(c - '0');
  return n;
}

}  // namespace tallystation::station
