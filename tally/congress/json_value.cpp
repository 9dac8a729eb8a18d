#include "tally/congress/json_value.hpp"

#include <set>

#include "tally/json_reader.hpp"

namespace tallystation::congress {

namespace {

constexpr int kMaxDepth = 64;

// A number's text is an integer when it is 0 or a digit string without a leading zero that fits.
std::optional<std::uint64_t> as_integer(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

class Builder {
 public:
  explicit Builder(std::string_view text) : text_(text), r_(text) {}

  std::optional<JsonValue> value(int depth) {
    if (depth > kMaxDepth) return fail("JSON nested too deeply");
    const char c = r_.peek();
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') {
      std::string_view sv;
      std::string scratch;
      if (!r_.read_string(sv, scratch)) return std::nullopt;
      return JsonValue::make_string(std::string(sv));
    }
    const std::size_t start = r_.offset();
    if (!r_.skip_value()) return std::nullopt;  // literals and numbers, checked by the reader
    // skip_value stops right after the value: its text is [start, offset).
    // peek() skipped the whitespace before it, so the value's text is [start, offset).
    const std::string_view raw = text_.substr(start, r_.offset() - start);
    if (raw == "null") return JsonValue::make_null();
    if (raw == "true") return JsonValue::make_bool(true);
    if (raw == "false") return JsonValue::make_bool(false);
    if (auto n = as_integer(raw)) return JsonValue::make_integer(*n);
    return JsonValue::make_other_number(std::string(raw));
  }

  bool finish() { return r_.at_end() || (r_.fail("text after the JSON value"), false); }
  std::string error() const {
    return r_.error() + " (at byte " + std::to_string(r_.error_offset()) + ")";
  }

 private:
  std::optional<JsonValue> fail(std::string message) {
    r_.fail(std::move(message));
    return std::nullopt;
  }

  std::optional<JsonValue> object(int depth) {
    r_.consume('{');
    std::vector<JsonValue::Member> members;
    std::set<std::string, std::less<>> names;
    if (r_.consume('}')) return JsonValue::make_object(std::move(members));
    do {
      std::string_view sv;
      std::string scratch;
      const std::size_t at = r_.offset();
      if (r_.peek() != '"') return fail("expected a member name");
      if (!r_.read_string(sv, scratch)) return std::nullopt;
      std::string name(sv);
      if (!names.insert(name).second) {
        r_.fail_at(at, "repeated member \"" + name + "\"");
        return std::nullopt;
      }
      if (!r_.consume(':')) return fail("expected ':'");
      auto v = value(depth + 1);
      if (!v) return std::nullopt;
      members.emplace_back(std::move(name), std::move(*v));
    } while (r_.consume(','));
    if (!r_.consume('}')) return fail("expected ',' or '}'");
    return JsonValue::make_object(std::move(members));
  }

  std::optional<JsonValue> array(int depth) {
    r_.consume('[');
    std::vector<JsonValue> items;
    if (r_.consume(']')) return JsonValue::make_array(std::move(items));
    do {
      auto v = value(depth + 1);
      if (!v) return std::nullopt;
      items.push_back(std::move(*v));
    } while (r_.consume(','));
    if (!r_.consume(']')) return fail("expected ',' or ']'");
    return JsonValue::make_array(std::move(items));
  }

  std::string_view text_;
  tally::JsonReader r_;
};

}  // namespace

const JsonValue* JsonValue::find(std::string_view name) const {
  for (const Member& m : members_) {
    if (m.first == name) return &m.second;
  }
  return nullptr;
}

JsonValue JsonValue::make_bool(bool b) {
  JsonValue v(Kind::boolean);
  v.boolean_ = b;
  return v;
}
JsonValue JsonValue::make_integer(std::uint64_t n) {
  JsonValue v(Kind::integer);
  v.integer_ = n;
  return v;
}
JsonValue JsonValue::make_other_number(std::string text) {
  JsonValue v(Kind::other_number);
  v.text_ = std::move(text);
  return v;
}
JsonValue JsonValue::make_string(std::string s) {
  JsonValue v(Kind::string);
  v.text_ = std::move(s);
  return v;
}
JsonValue JsonValue::make_array(std::vector<JsonValue> items) {
  JsonValue v(Kind::array);
  v.items_ = std::move(items);
  return v;
}
JsonValue JsonValue::make_object(std::vector<Member> members) {
  JsonValue v(Kind::object);
  v.members_ = std::move(members);
  return v;
}

JsonParse parse_json(std::string_view text) {
  Builder b(text);
  JsonParse out;
  auto v = b.value(0);
  if (!v || !b.finish()) {
    out.error = b.error();
    return out;
  }
  out.value = std::move(v);
  return out;
}

}  // namespace tallystation::congress
