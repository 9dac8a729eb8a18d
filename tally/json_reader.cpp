#include "tally/json_reader.hpp"

#include <algorithm>

namespace tallystation::tally {

namespace {
constexpr int kMaxDepth = 64;

// Bytes that end the fast scan of a string: the closing quote, an escape, a control character
// (refused) and the lead bytes of multi-byte UTF-8 (validated).
struct SpecialBytes {
  bool table[256] = {};
  constexpr SpecialBytes() {
    for (int c = 0; c < 0x20; ++c) table[c] = true;
    for (int c = 0x80; c < 0x100; ++c) table[c] = true;
    table[static_cast<unsigned char>('"')] = true;
    table[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr SpecialBytes kSpecial;

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}
}  // namespace

std::uint64_t line_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<std::uint64_t>(std::count(
                 text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

char JsonReader::peek_slow() {
  while (pos_ < text_.size() && is_ws(text_[pos_])) ++pos_;
  return pos_ < text_.size() ? text_[pos_] : '\0';
}

bool JsonReader::fail(std::string message) {
  return fail_at(pos_, std::move(message));
}

bool JsonReader::fail_at(std::size_t at, std::string message) {
  if (!failed_) {
    failed_ = true;
    error_ = std::move(message);
    error_offset_ = at;
  }
  return false;
}

void JsonReader::add_context(std::string_view context) {
  if (failed_) error_ = std::string(context) + ": " + error_;
}

bool JsonReader::skip_utf8() {
  const auto* s = reinterpret_cast<const unsigned char*>(text_.data());
  const std::size_t n = text_.size();
  const unsigned char b0 = s[pos_];
  auto cont = [&](std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i < n && s[i] >= lo && s[i] <= hi;
  };
  std::size_t len = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = cont(pos_ + 1) ? 2 : 0;
  } else if (b0 == 0xE0) {
    len = cont(pos_ + 1, 0xA0, 0xBF) && cont(pos_ + 2) ? 3 : 0;
  } else if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) {
    len = cont(pos_ + 1) && cont(pos_ + 2) ? 3 : 0;
  } else if (b0 == 0xED) {
    len = cont(pos_ + 1, 0x80, 0x9F) && cont(pos_ + 2) ? 3 : 0;
  } else if (b0 == 0xF0) {
    len = cont(pos_ + 1, 0x90, 0xBF) && cont(pos_ + 2) && cont(pos_ + 3) ? 4 : 0;
  } else if (b0 >= 0xF1 && b0 <= 0xF3) {
    len = cont(pos_ + 1) && cont(pos_ + 2) && cont(pos_ + 3) ? 4 : 0;
  } else if (b0 == 0xF4) {
    len = cont(pos_ + 1, 0x80, 0x8F) && cont(pos_ + 2) && cont(pos_ + 3) ? 4 : 0;
  }
  if (len == 0) return fail("invalid UTF-8 in string");
  pos_ += len;
  return true;
}

bool JsonReader::read_string(std::string_view& out, std::string& scratch) {
  if (peek() != '"') return fail("expected a string");
  const std::size_t start = ++pos_;
  const std::size_t n = text_.size();
  const auto* bytes = reinterpret_cast<const unsigned char*>(text_.data());
  while (pos_ < n) {
    if (!kSpecial.table[bytes[pos_]]) {
      ++pos_;
      continue;
    }
    const unsigned char c = bytes[pos_];
    if (c == '"') {
      out = text_.substr(start, pos_ - start);
      ++pos_;
      return true;
    }
    if (c == '\\') return read_string_slow(start, out, scratch);
    if (c < 0x20) return fail("control character in string (must be escaped)");
    if (c >= 0x80) {
      if (!skip_utf8()) return false;
    } else {
      ++pos_;
    }
  }
  return fail("unterminated string");
}

bool JsonReader::read_hex4(std::uint32_t& out) {
  if (text_.size() - pos_ < 4) return fail("truncated \\u escape");
  out = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = text_[pos_++];
    out <<= 4;
    if (c >= '0' && c <= '9')
      out |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      out |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      out |= static_cast<std::uint32_t>(c - 'A' + 10);
    else
      return fail("invalid \\u escape");
  }
  return true;
}

bool JsonReader::read_string_slow(std::size_t start, std::string_view& out, std::string& scratch) {
  scratch.assign(text_.data() + start, pos_ - start);
  const std::size_t n = text_.size();
  while (pos_ < n) {
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      out = scratch;
      return true;
    }
    if (c < 0x20) return fail("control character in string (must be escaped)");
    if (c >= 0x80) {
      const std::size_t from = pos_;
      if (!skip_utf8()) return false;
      scratch.append(text_.data() + from, pos_ - from);
      continue;
    }
    if (c != '\\') {
      scratch += static_cast<char>(c);
      ++pos_;
      continue;
    }
    if (++pos_ >= n) break;
    const char e = text_[pos_++];
    switch (e) {
      case '"':
        scratch += '"';
        break;
      case '\\':
        scratch += '\\';
        break;
      case '/':
        scratch += '/';
        break;
      case 'b':
        scratch += '\b';
        break;
      case 'f':
        scratch += '\f';
        break;
      case 'n':
        scratch += '\n';
        break;
      case 'r':
        scratch += '\r';
        break;
      case 't':
        scratch += '\t';
        break;
      case 'u': {
        std::uint32_t cp = 0;
        if (!read_hex4(cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate in \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t lo = 0;
          if (text_.substr(pos_, 2) != "\\u") return fail("lone high surrogate in \\u escape");
          pos_ += 2;
          if (!read_hex4(lo)) return false;
          if (lo < 0xDC00 || lo > 0xDFFF) return fail("lone high surrogate in \\u escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        append_utf8(scratch, cp);
        break;
      }
      default:
        return fail("invalid escape in string");
    }
  }
  return fail("unterminated string");
}

bool JsonReader::read_uint(std::uint64_t& out) {
  const char first = peek();
  if (first == '-') return fail("expected a non-negative integer");
  if (first < '0' || first > '9') return fail("expected a non-negative integer");
  const std::size_t start = pos_;
  std::uint64_t v = 0;
  while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
    const auto d = static_cast<std::uint64_t>(text_[pos_] - '0');
    if (v > (UINT64_MAX - d) / 10) return fail_at(start, "number too large");
    v = v * 10 + d;
    ++pos_;
  }
  if (pos_ - start > 1 && text_[start] == '0')
    return fail_at(start, "invalid number (leading zero)");
  if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
    return fail_at(start, "expected an integer (no fraction or exponent)");
  }
  out = v;
  return true;
}

bool JsonReader::expect_literal(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) return fail("invalid JSON value");
  pos_ += word.size();
  return true;
}

bool JsonReader::consume_null() {
  if (peek() == 'n' && text_.substr(pos_, 4) == "null") {
    pos_ += 4;
    return true;
  }
  return false;
}

bool JsonReader::skip_value(int depth) {
  if (depth > kMaxDepth) return fail("JSON nested too deeply");
  const char c = peek();
  std::string scratch;
  std::string_view sv;
  switch (c) {
    case '"':
      return read_string(sv, scratch);
    case 't':
      return expect_literal("true");
    case 'f':
      return expect_literal("false");
    case 'n':
      return expect_literal("null");
    case '{': {
      ++pos_;
      if (consume('}')) return true;
      do {
        if (!read_string(sv, scratch)) return false;
        if (!consume(':')) return fail("expected ':'");
        if (!skip_value(depth + 1)) return false;
      } while (consume(','));
      return consume('}') || fail("expected ',' or '}'");
    }
    case '[': {
      ++pos_;
      if (consume(']')) return true;
      do {
        if (!skip_value(depth + 1)) return false;
      } while (consume(','));
      return consume(']') || fail("expected ',' or ']'");
    }
    default:
      break;
  }
  // A number: -? int frac? exp?
  const std::size_t start = pos_;
  auto digits = [&] {
    const std::size_t from = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > from;
  };
  if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
  const std::size_t int_start = pos_;
  if (!digits()) return fail_at(start, "invalid JSON value");
  if (pos_ - int_start > 1 && text_[int_start] == '0') return fail_at(start, "invalid number");
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    if (!digits()) return fail_at(start, "invalid number");
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (!digits()) return fail_at(start, "invalid number");
  }
  return true;
}

}  // namespace tallystation::tally
