#pragma once
// stationctl's connection to a station: where it is and how it is trusted (a pinned TLS
// fingerprint, given as hex or as the station's certificate file), the station's signing key
// (checked against a pinned keyid when one is given), and the requests officials and committee
// members make: signed commands with the next sequence number, minutes, countersignatures,
// status, proofs. Protocol: docs/protocol.md; how officials use it: docs/operations.md.
//
// Synchronous, one HTTPS connection, not thread safe (one StationLink per thread).
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "crypto/dsse.hpp"
#include "crypto/keys.hpp"
#include "station/client/https_client.hpp"
#include "station/client/station_pin.hpp"

namespace tallystation::station::ctl {

// A failure stationctl reports and exits on: `code` is the station's error code (e.g.
// "round_state") or a local one ("transport", "pin", "usage", "io"); `status` the HTTP status
// (0 if none came).
struct CtlError : std::runtime_error {
  CtlError(std::string code_, std::string message, unsigned status_ = 0)
      : std::runtime_error(std::move(message)), code(std::move(code_)), status(status_) {}
  std::string code;
  unsigned status = 0;
  std::string rule;  // the congress rule that refused a command, when the station names one
};

// Where the station is and its pin (station/client/station_pin.hpp), and optionally the pin of
// its signing key.
struct LinkOptions : client::StationPin {
  std::string station_keyid;  // optional pin of the signing key
};

// client::pinned_options, its PinError reported as a CtlError with the same code and message.
client::ClientOptions pinned_options(const LinkOptions& options);

class StationLink {
 public:
  // Resolves the pin (reading cacert if given); throws CtlError("usage") without a pin.
  explicit StationLink(const LinkOptions& options);

  // GET target; 200 -> parsed JSON; otherwise throws CtlError with the station's error code.
  boost::json::value get_json(std::string_view target);
  // POST body (JSON) to target; 200 -> parsed JSON, else CtlError.
  boost::json::value post_json(std::string_view target, std::string_view body);

  // GET /v1/station; checks the keyid pin when one was given. Cached.
  const crypto::PublicKey& station_key();

  // Sends a command signed by `key` as official `official`, with seq = the station's last_seq + 1
  // (GET /v1/status); if another official took that seq meanwhile (replayed_command), asks again
  // and retries, at most 3 times. Returns the command's response {"seq","log_index",..,"result"}.
  boost::json::object command(const crypto::SecretKey& key, const std::string& official,
                              const std::string& name, const boost::json::object& args);

  // GET /v1/results/<contest>/<round>: {"envelope":{DSSE},"certification":{..}}; the envelope is
  // returned parsed and its station signature checked (CtlError "bad_signature" if it fails).
  struct Minutes {
    crypto::Envelope envelope;
    boost::json::object payload;
    boost::json::object certification;
  };
  Minutes minutes(const std::string& contest, std::uint32_t round);

  // The session id (from GET /v1/status, cached).
  const std::string& session_id();

 private:
  client::HttpsClient client_;
  std::string keyid_pin_;
  std::optional<crypto::PublicKey> station_key_;
  std::string session_id_;
};

// Reads a PKCS#8 PEM secret key; throws CtlError("io") naming the file.
crypto::SecretKey load_key(const std::string& path);

}  // namespace tallystation::station::ctl
