#pragma once
// The station's data directory (docs/storage.md): the session definition copied verbatim at the
// first run, the station's Ed25519 signing key, its TLS key and self-signed certificate, and the
// SQLite database. open_data_dir creates what is missing (first run) and otherwise checks that the
// directory holds the session it was started with. Not thread safe: call once, at startup.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crypto/keys.hpp"
#include "station/config/error.hpp"
#include "station/config/session.hpp"

namespace tallystation::station {

struct DataDirPaths {
  std::filesystem::path root;
  std::filesystem::path session() const { return root / "session.json"; }
  std::filesystem::path database() const { return root / "station.db"; }
  std::filesystem::path head() const { return root / "station.head"; }
  std::filesystem::path signing_key() const { return root / "station.key"; }
  std::filesystem::path tls_key() const { return root / "tls.key"; }
  std::filesystem::path tls_certificate() const { return root / "tls.crt"; }
};

struct StationIdentity {
  crypto::SecretKey signing_key;  // Ed25519: receipts are deterministic, so retries get equal ones
  std::string tls_fingerprint;    // lowercase hex SHA-256 of the certificate DER
  bool created = false;           // this run created the keys (first run)
};

// Loads the signing key, TLS key and certificate, creating any that is missing (keys 0600).
// tls_names: subjectAltName entries (DNS names or IP addresses) for a new certificate.
Result<StationIdentity> load_or_create_identity(const DataDirPaths& dir,
                                                const std::vector<std::string>& tls_names);

// The session of the data directory. With no session.json yet (first run), session_file is
// required and is parsed; the caller installs its bytes with install_session once the database
// records its config_hash. Otherwise the stored copy is loaded and, if session_file is given, it
// must be byte-identical (Errc::session_mismatch).
struct SessionSource {
  Session session;
  std::string bytes;     // the file's exact bytes
  bool install = false;  // first run: session.json is still to be written
};
Result<SessionSource> load_session(const DataDirPaths& dir,
                                   const std::optional<std::filesystem::path>& session_file);
// Writes session.json durably (temporary file, fsync, rename).
Status install_session(const DataDirPaths& dir, std::string_view bytes);

}  // namespace tallystation::station
