#include "crypto/json_keys.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace tallystation::crypto {

namespace {

using boost::json::string_view;
using boost::system::error_code;

// A SAX handler that only tracks member names, one set per open object.
struct KeyTracker {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  // One entry per open container; arrays get an empty, unused set to keep the stack aligned.
  std::vector<std::set<std::string, std::less<>>> open;
  std::string key;
  std::string repeated;  // the first repeated member name, once found

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) {
    open.emplace_back();
    return true;
  }
  bool on_array_end(std::size_t, error_code&) {
    open.pop_back();
    return true;
  }
  bool on_object_begin(error_code&) {
    open.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    open.pop_back();
    return true;
  }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_key_part(string_view s, std::size_t, error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code& ec) {
    key.append(s.data(), s.size());
    const bool fresh = !open.empty() && open.back().insert(key).second;
    if (!fresh) {
      repeated = std::move(key);
      ec = boost::json::error::syntax;  // any error stops the parser
    }
    key.clear();
    return fresh;
  }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
  bool on_double(double, string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

}  // namespace

bool json_keys_unique(std::string_view text) {
  boost::json::basic_parser<KeyTracker> parser{boost::json::parse_options{}};
  error_code ec;
  const std::size_t n = parser.write_some(false, text.data(), text.size(), ec);
  return !ec && n == text.size() && parser.done();
}

std::optional<std::string> repeated_json_member(std::string_view text) {
  boost::json::basic_parser<KeyTracker> parser{boost::json::parse_options{}};
  error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  if (parser.handler().repeated.empty()) return std::nullopt;
  return std::move(parser.handler().repeated);
}

}  // namespace tallystation::crypto
