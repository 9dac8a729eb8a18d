#pragma once
// Errors as values for the station's config and store: boost::system::result<T, Error>, where an
// Error carries a stable error_code (for tests and callers that branch) and a human message that
// names what went wrong (a field path such as `contests[1].candidates[3].id`, an SQL statement, a
// file). Nothing in config/ or store/ throws on bad input or a failing disk.
//
// Value types; thread safety is that of std::string.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <ostream>
#include <string>
#include <system_error>

namespace tallystation::station {

// Stable values: append only.
enum class Errc {
  invalid_session = 1,   // the session definition breaks its schema (docs/session.md)
  io_error = 2,          // a file in the data directory could not be read or written
  storage = 3,           // SQLite refused a statement or a commit
  session_mismatch = 4,  // the data directory holds another session than the one given
  corrupt = 5,           // stored state that cannot have been written by this station
  missing_session = 6,   // first run without a session definition
  injected_fault = 7,    // FaultyStore's deliberate failure (tests)
  disk_full = 8,         // the device holding the database or the mirror has no space left
  read_only = 9,         // ... is read-only (or the files are not writable)
  device_error = 10,     // ... reported an I/O error (EIO): the hardware or the file system
};

// The cause of a storage failure, for operators and for the HTTP answer's "cause" member
// (docs/protocol.md "Errors"): "disk_full", "read_only", "io_error", or "" when the failure is
// none of those (a constraint, a corrupt file, a bug).
std::string_view storage_cause(const boost::system::error_code& code) noexcept;

const boost::system::error_category& station_category() noexcept;
boost::system::error_code make_error_code(Errc e) noexcept;

struct Error {
  boost::system::error_code code;
  std::string message;
};

inline Error make_error(Errc e, std::string message) {
  return Error{make_error_code(e), std::move(message)};
}

inline std::ostream& operator<<(std::ostream& os, const Error& e) {
  return os << e.message;
}

template <class T>
using Result = boost::system::result<T, Error>;
using Status = boost::system::result<void, Error>;

// Found by ADL when .value() is called on a Result holding an Error: a broken invariant.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

}  // namespace tallystation::station

namespace boost::system {
template <>
struct is_error_code_enum<tallystation::station::Errc> : std::true_type {};
}  // namespace boost::system
