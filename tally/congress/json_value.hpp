#pragma once
// A small JSON document for the congress rules: the arguments of a signed command, parsed from the
// exact payload bytes with the engine's strict reader (tally/json_reader.hpp). Strict: RFC 8259,
// UTF-8 checked, values nested at most 64 levels below the top one, and an object that repeats a member name is refused
// (parsers differ on which of the two values they keep). Numbers that are non-negative integers
// up to 2^64 - 1 are kept as integers; any other number is kept as its text and is never an
// integer. Plain value type, no I/O; safe to share between threads once built.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tallystation::congress {

class JsonValue {
 public:
  enum class Kind : std::uint8_t { null, boolean, integer, other_number, string, array, object };
  using Member = std::pair<std::string, JsonValue>;

  Kind kind() const { return kind_; }
  bool is_integer() const { return kind_ == Kind::integer; }
  bool is_string() const { return kind_ == Kind::string; }
  bool is_array() const { return kind_ == Kind::array; }
  bool is_object() const { return kind_ == Kind::object; }
  bool boolean() const { return boolean_; }
  std::uint64_t integer() const { return integer_; }
  // The string's value (unescaped), or the text of an other_number.
  const std::string& text() const { return text_; }
  const std::vector<JsonValue>& items() const { return items_; }
  // Members in document order; names are unique.
  const std::vector<Member>& members() const { return members_; }
  // The member's value, or nullptr (also when this is not an object).
  const JsonValue* find(std::string_view name) const;

  static JsonValue make_null() { return JsonValue(Kind::null); }
  static JsonValue make_bool(bool b);
  static JsonValue make_integer(std::uint64_t n);
  static JsonValue make_other_number(std::string text);
  static JsonValue make_string(std::string s);
  static JsonValue make_array(std::vector<JsonValue> items);
  static JsonValue make_object(std::vector<Member> members);  // precondition: unique names

 private:
  explicit JsonValue(Kind k) : kind_(k) {}
  Kind kind_ = Kind::null;
  bool boolean_ = false;
  std::uint64_t integer_ = 0;
  std::string text_;
  std::vector<JsonValue> items_;
  std::vector<Member> members_;
};

struct JsonParse {
  std::optional<JsonValue> value;  // set on success
  std::string error;               // else: what is wrong, with the byte offset
};

// The whole text must be one JSON value (whitespace around it allowed).
JsonParse parse_json(std::string_view text);

}  // namespace tallystation::congress
