#pragma once
// Why the station refuses a request: one enum class with stable values and stable string codes.
// The codes are the `error` member of every 4xx/5xx answer (CONTRACT.md section 2 lists the ballot
// ones) and the log_code of the request log; docs/protocol.md lists each with its HTTP status.
// A refusal is data, never an exception. Pure functions, thread safe.
#include <boost/system/result.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "station/app/handler.hpp"
#include "station/config/error.hpp"

namespace tallystation::station {

// Stable values: append only.
enum class Refusal : std::uint8_t {
  // Ballots (CONTRACT.md section 2).
  malformed = 1,
  bad_signature = 2,
  unknown_terminal = 3,
  revoked_terminal = 4,
  unknown_session = 5,
  unknown_contest = 6,
  round_not_open = 7,
  unknown_candidate = 8,
  duplicate_mark = 9,
  token_unknown = 10,
  token_spent = 11,
  too_large = 12,
  // HTTP.
  not_found = 20,
  method_not_allowed = 21,
  wrong_content_type = 22,
  bad_query = 23,
  // Commands.
  unknown_official = 30,
  replayed_command = 31,
  bad_command = 32,
  round_state = 33,     // the round is not in the state the command needs
  terminal_state = 34,  // the terminal is not in the state the command needs
  // Results (docs/protocol.md "Results").
  not_committee_member = 35,  // a countersignature by a key that is no committee member's
  already_signed = 36,        // the member has already countersigned these minutes
  not_eligible = 37,          // a candidate who may not stand in this round
  // The station itself.
  storage_error = 40,  // the commit failed: nothing was stored, the request may be retried
  shutting_down = 41,
  internal = 42,
};

// The wire code, e.g. "token_spent".
std::string_view to_string(Refusal r) noexcept;
// The HTTP status that goes with it (docs/protocol.md).
unsigned http_status(Refusal r) noexcept;

// A refusal with its human message, as checks pass it along.
struct Refused {
  Refusal code = Refusal::internal;
  std::string message;
  // Commands refused by the congress rules: the rule's stable code (docs/congress.md), answered
  // as the member `rule` beside `error`. Empty otherwise.
  std::string rule;
  // Refusal::storage_error: the cause, "disk_full", "read_only" or "io_error" (empty when it is
  // none of those), answered as the member `cause` and written to the request log.
  std::string cause;
};
inline std::ostream& operator<<(std::ostream& os, const Refused& r) {
  return os << to_string(r.code) << ": " << r.message;
}
template <class T>
using Checked = boost::system::result<T, Refused>;
// Found by ADL when .value() is called on a Checked holding a refusal: a broken invariant.
[[noreturn]] void throw_exception_from_error(const Refused& r, const boost::source_location& loc);

inline Refused refuse(Refusal code, std::string message) {
  return Refused{code, std::move(message), {}, {}};
}

// Refusal::storage_error with the failure's cause ("disk_full", "read_only", "io_error": the
// answer's `cause` member, docs/protocol.md "Errors").
Refused storage_refusal(const Error& e, std::string message);
// Writes the storage failure to stderr, naming its cause; a repeat of the same failure within a
// second is not written again. Thread safe.
void report_storage_failure(const Error& e);

// {"error":"<code>","message":"<message>"} with the matching status and log_code. The message is
// made valid UTF-8 (a byte that starts no well-formed sequence becomes U+FFFD): it may quote the
// request, and JSON text is UTF-8.
HttpResponse refusal_response(Refusal r, std::string_view message);
// With a rule: {"error","rule","message"}; with a cause: {"error","cause","message"}, and the
// request log's line gets "cause" too.
HttpResponse refusal_response(const Refused& r);

}  // namespace tallystation::station
