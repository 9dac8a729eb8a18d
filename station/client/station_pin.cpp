#include "station/client/station_pin.hpp"

#include <fstream>
#include <iterator>

#include "crypto/hash.hpp"
#include "crypto/x509.hpp"

namespace tallystation::station::client {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw PinError("io", path + ": cannot be read");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

ClientOptions parse_station_url(const std::string& url) {
  std::string rest = url;
  if (rest.rfind("https://", 0) == 0) rest = rest.substr(8);
  if (rest.rfind("http://", 0) == 0)
    throw PinError("usage", "--station: the station speaks HTTPS only");
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  ClientOptions o;
  std::string port = "8443";
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string::npos) throw PinError("usage", "--station: bad address " + url);
    o.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') throw PinError("usage", "--station: bad address " + url);
      port = rest.substr(close + 2);
    }
  } else {
    const auto colon = rest.rfind(':');
    o.host = rest.substr(0, colon);
    if (colon != std::string::npos) port = rest.substr(colon + 1);
  }
  if (o.host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    throw PinError("usage", "--station: expected https://HOST:PORT, got " + url);
  }
  o.port = static_cast<std::uint16_t>(std::stoul(port));
  return o;
}

ClientOptions pinned_options(const StationPin& o) {
  ClientOptions c = parse_station_url(o.station);
  c.timeout = std::chrono::milliseconds(o.timeout_ms);
  if (!o.fingerprint.empty()) {
    auto fp = crypto::digest_from_hex(o.fingerprint);
    if (!fp) throw PinError("usage", "--fingerprint: must be 64 hex digits (SHA-256)");
    c.tls_fingerprint = crypto::to_hex(*fp);
  } else if (!o.cacert.empty()) {
    auto fp = crypto::certificate_fingerprint(read_text(o.cacert));
    if (!fp) throw PinError("usage", o.cacert + ": not a PEM certificate");
    c.tls_fingerprint = *fp;
  } else {
    throw PinError("usage",
                   "the station's TLS certificate must be pinned: --fingerprint HEX or --cacert "
                   "FILE (stationd prints the fingerprint at start)");
  }
  return c;
}

}  // namespace tallystation::station::client
