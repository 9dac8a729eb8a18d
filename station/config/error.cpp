#include "station/config/error.hpp"

#include <stdexcept>

namespace tallystation::station {

namespace {

class StationCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "tallystation.station"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::invalid_session:
        return "invalid session definition";
      case Errc::io_error:
        return "i/o error";
      case Errc::storage:
        return "storage error";
      case Errc::session_mismatch:
        return "data directory holds another session";
      case Errc::corrupt:
        return "stored state is corrupt";
      case Errc::missing_session:
        return "no session definition given";
      case Errc::injected_fault:
        return "injected fault";
      case Errc::disk_full:
        return "disk full";
      case Errc::read_only:
        return "read-only storage";
      case Errc::device_error:
        return "storage I/O error";
    }
    return "unknown station error";
  }
};

}  // namespace

const boost::system::error_category& station_category() noexcept {
  static const StationCategory category;
  return category;
}

boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), station_category()};
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

std::string_view storage_cause(const boost::system::error_code& code) noexcept {
  if (code == make_error_code(Errc::disk_full)) return "disk_full";
  if (code == make_error_code(Errc::read_only)) return "read_only";
  if (code == make_error_code(Errc::device_error) || code == make_error_code(Errc::io_error)) {
    return "io_error";
  }
  return "";
}

}  // namespace tallystation::station
