#pragma once
// Where a station is and how a tool trusts it, as a person types it: "https://HOST:PORT" and the
// station's TLS certificate pinned by its fingerprint (hex, any case) or by the certificate file.
// Turns that into the HttpsClient's ClientOptions. Shared by stationctl (station/ctl) and
// tallystation-terminal, so that both read addresses and pins alike (docs/operations.md,
// docs/terminals.md). Pure apart from reading the certificate file; thread safe.
#include <stdexcept>
#include <string>

#include "station/client/https_client.hpp"

namespace tallystation::station::client {

// An address or pin that cannot be used: `code` is "usage" (malformed or missing; tools exit 2)
// or "io" (the certificate file cannot be read).
struct PinError : std::runtime_error {
  PinError(std::string code_, const std::string& message)
      : std::runtime_error(message), code(std::move(code_)) {}
  std::string code;
};

struct StationPin {
  std::string station = "https://127.0.0.1:8443";  // https://HOST:PORT (scheme optional)
  std::string fingerprint;                         // hex SHA-256 of the TLS certificate DER
  std::string cacert;                              // or: the station's certificate (PEM) file
  unsigned timeout_ms = 30000;
};

// Splits "https://host:port" (or "host:port", "[::1]:port"); throws PinError("usage").
ClientOptions parse_station_url(const std::string& url);

// Where the station is and its TLS pin: the fingerprint (any case, normalised to lowercase hex)
// or the certificate file's. Throws PinError("usage") if the pin is missing or malformed.
ClientOptions pinned_options(const StationPin& pin);

}  // namespace tallystation::station::client
