#pragma once
// The officials' console and the hall display (docs/hall.md): a small HTTP/1.1 server on
// 127.0.0.1 that serves the pages (compiled in) and the JSON they draw, following one station
// through stationctl's pinned link. The console also signs and sends the officials' commands and
// the member's countersignatures with the key it was started with; the key stays in this process.
//
// Thread safe: run() serves on the calling thread (one thread per connection, one that follows
// the station); stop() may be called from any thread, once or more.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "crypto/keys.hpp"
#include "station/ctl/station_link.hpp"

namespace tallystation::station::web {

enum class Mode : std::uint8_t { display, console };

struct HallOptions {
  Mode mode = Mode::display;
  ctl::LinkOptions link;
  std::string language;  // "en" or "vi"; empty: the session's (GET /v1/status session.language)
  std::uint16_t port = 0;  // 0: a free port
  // Console only.
  std::optional<crypto::SecretKey> key;  // signs commands and countersignatures
  std::string official;                  // the official the key signs commands for; may be empty
  std::string data_dir;                  // the station's data directory, for the export; may be empty
  std::string out_dir = ".";             // tokens, slips and bundles are written here
};

// A refusal at start-up: `code` as docs/hall.md "Starting" names them ("usage", "io", "bind").
struct HallError : std::runtime_error {
  HallError(std::string code_, const std::string& message)
      : std::runtime_error(message), code(std::move(code_)) {}
  std::string code;
};

class Hall {
 public:
  // Checks the options and binds 127.0.0.1:port; throws HallError. Nothing is served before
  // run().
  explicit Hall(HallOptions options);
  ~Hall();
  Hall(const Hall&) = delete;
  Hall& operator=(const Hall&) = delete;

  std::uint16_t port() const;
  // The address to open: http://127.0.0.1:PORT/ and, for the console, #k=<console key>.
  std::string url() const;

  // Serves until stop(); returns when every connection is closed.
  void run();
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tallystation::station::web
