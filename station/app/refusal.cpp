#include "station/app/refusal.hpp"

#include <chrono>
#include <iostream>
#include <mutex>

#include <boost/json.hpp>
#include <stdexcept>

namespace tallystation::station {

std::string_view to_string(Refusal r) noexcept {
  switch (r) {
    case Refusal::malformed:
      return "malformed";
    case Refusal::bad_signature:
      return "bad_signature";
    case Refusal::unknown_terminal:
      return "unknown_terminal";
    case Refusal::revoked_terminal:
      return "revoked_terminal";
    case Refusal::unknown_session:
      return "unknown_session";
    case Refusal::unknown_contest:
      return "unknown_contest";
    case Refusal::round_not_open:
      return "round_not_open";
    case Refusal::unknown_candidate:
      return "unknown_candidate";
    case Refusal::duplicate_mark:
      return "duplicate_mark";
    case Refusal::token_unknown:
      return "token_unknown";
    case Refusal::token_spent:
      return "token_spent";
    case Refusal::too_large:
      return "too_large";
    case Refusal::not_found:
      return "not_found";
    case Refusal::method_not_allowed:
      return "method_not_allowed";
    case Refusal::wrong_content_type:
      return "wrong_content_type";
    case Refusal::bad_query:
      return "bad_query";
    case Refusal::unknown_official:
      return "unknown_official";
    case Refusal::replayed_command:
      return "replayed_command";
    case Refusal::bad_command:
      return "bad_command";
    case Refusal::round_state:
      return "round_state";
    case Refusal::terminal_state:
      return "terminal_state";
    case Refusal::not_committee_member:
      return "not_committee_member";
    case Refusal::already_signed:
      return "already_signed";
    case Refusal::not_eligible:
      return "not_eligible";
    case Refusal::storage_error:
      return "storage_error";
    case Refusal::shutting_down:
      return "shutting_down";
    case Refusal::internal:
      return "internal";
  }
  return "internal";
}

unsigned http_status(Refusal r) noexcept {
  switch (r) {
    case Refusal::malformed:
    case Refusal::unknown_candidate:
    case Refusal::duplicate_mark:
    case Refusal::bad_query:
    case Refusal::bad_command:
      return 400;
    case Refusal::bad_signature:
      return 401;
    case Refusal::unknown_terminal:
    case Refusal::revoked_terminal:
    case Refusal::token_unknown:
    case Refusal::unknown_official:
    case Refusal::not_committee_member:
      return 403;
    case Refusal::unknown_session:
    case Refusal::unknown_contest:
    case Refusal::round_not_open:
    case Refusal::not_found:
      return 404;
    case Refusal::method_not_allowed:
      return 405;
    case Refusal::token_spent:
    case Refusal::replayed_command:
    case Refusal::round_state:
    case Refusal::terminal_state:
    case Refusal::already_signed:
    case Refusal::not_eligible:
      return 409;
    case Refusal::too_large:
      return 413;
    case Refusal::wrong_content_type:
      return 415;
    case Refusal::internal:
      return 500;
    case Refusal::storage_error:
    case Refusal::shutting_down:
      return 503;
  }
  return 500;
}

void throw_exception_from_error(const Refused& r, const boost::source_location&) {
  throw std::logic_error(std::string(to_string(r.code)) + ": " + r.message);
}

Refused storage_refusal(const Error& e, std::string message) {
  Refused r = refuse(Refusal::storage_error, std::move(message));
  r.cause = std::string(storage_cause(e.code));
  return r;
}

void report_storage_failure(const Error& e) {
  // One line per distinct failure, and at most one a second for a repeated one: a full disk
  // refuses every batch, and the operator needs the cause, not ten thousand copies of it.
  static std::mutex mu;
  static std::string last;
  static std::chrono::steady_clock::time_point last_at;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu);
  if (e.message == last && now - last_at < std::chrono::seconds(1)) return;
  last = e.message;
  last_at = now;
  std::cerr << "stationd: storage error: " << e.message << "\n" << std::flush;
}

namespace {

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0 if it is not one.
std::size_t utf8_sequence(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < n || b(1) < lo || b(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (b(i) < 0x80 || b(i) > 0xBF) return 0;
  }
  return n;
}

// A message is English text that may quote the request (a path, a member name): its bytes are
// the client's. JSON text is UTF-8 (RFC 8259), so each byte that does not start a well-formed
// sequence becomes U+FFFD; valid text is unchanged.
std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t n = utf8_sequence(text);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      text.remove_prefix(1);
    } else {
      out.append(text.substr(0, n));
      text.remove_prefix(n);
    }
  }
  return out;
}

}  // namespace

HttpResponse refusal_response(Refusal r, std::string_view message) {
  HttpResponse res;
  res.status = http_status(r);
  res.body = boost::json::serialize(
      boost::json::object{{"error", to_string(r)}, {"message", valid_utf8(message)}});
  res.log_code = std::string(to_string(r));
  return res;
}

HttpResponse refusal_response(const Refused& r) {
  HttpResponse res = refusal_response(r.code, r.message);
  if (r.rule.empty() && r.cause.empty()) return res;
  boost::json::object body{{"error", to_string(r.code)}};
  if (!r.rule.empty()) body["rule"] = r.rule;
  if (!r.cause.empty()) {
    body["cause"] = r.cause;
    res.log_fields.emplace_back("cause", r.cause);
  }
  body["message"] = valid_utf8(r.message);
  res.body = boost::json::serialize(body);
  return res;
}

}  // namespace tallystation::station
