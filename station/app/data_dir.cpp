#include "station/app/data_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "crypto/hash.hpp"
#include "crypto/x509.hpp"

namespace tallystation::station {

namespace fs = std::filesystem;

namespace {

constexpr int kCertificateDays = 5 * 365;

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io_error, path.string() + ": cannot open");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return make_error(Errc::io_error, path.string() + ": cannot read");
  return buf.str();
}

// Writes to a temporary file, fsyncs it, renames it into place and fsyncs the directory, so that
// after a crash the file is either absent or complete.
Status write_file_durably(const fs::path& path, std::string_view bytes, mode_t mode) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return make_error(Errc::io_error, tmp.string() + ": cannot create");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return make_error(Errc::io_error, tmp.string() + ": cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return make_error(Errc::io_error, tmp.string() + ": cannot sync");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return make_error(Errc::io_error, path.string() + ": " + ec.message());
  const int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

Result<crypto::SecretKey> load_or_create_key(const fs::path& path, crypto::KeyType type,
                                             bool& created) {
  if (fs::exists(path)) {
    auto key = crypto::load_secret_key(path);
    if (!key) {
      return make_error(Errc::io_error, path.string() + ": cannot load key (" +
                                            std::string(crypto::to_string(key.error())) + ")");
    }
    return *key;
  }
  crypto::SecretKey key = crypto::SecretKey::generate(type);
  if (auto s = write_file_durably(path, key.pkcs8_pem(), 0600); !s) return s.error();
  created = true;
  return key;
}

}  // namespace

Result<StationIdentity> load_or_create_identity(const DataDirPaths& dir,
                                                const std::vector<std::string>& tls_names) {
  bool created = false;
  auto signing = load_or_create_key(dir.signing_key(), crypto::KeyType::ed25519, created);
  if (!signing) return signing.error();
  // ECDSA P-256 for TLS: every TLS 1.3 client supports it, not all support Ed25519 certificates.
  bool tls_created = false;
  auto tls = load_or_create_key(dir.tls_key(), crypto::KeyType::ecdsa_p256, tls_created);
  if (!tls) return tls.error();
  if (tls_created || !fs::exists(dir.tls_certificate())) {
    auto cert =
        crypto::make_self_signed_certificate(*tls, "tallystation", tls_names, kCertificateDays);
    if (!cert) return make_error(Errc::io_error, "cannot create the TLS certificate");
    if (auto s = write_file_durably(dir.tls_certificate(), *cert, 0644); !s) return s.error();
    created = true;
  }
  auto pem = read_file(dir.tls_certificate());
  if (!pem) return pem.error();
  auto fp = crypto::certificate_fingerprint(*pem);
  if (!fp)
    return make_error(Errc::io_error, dir.tls_certificate().string() + ": not a certificate");
  return StationIdentity{*signing, *fp, created || tls_created};
}

Result<SessionSource> load_session(const DataDirPaths& dir,
                                   const std::optional<fs::path>& session_file) {
  if (!fs::exists(dir.session())) {
    if (!session_file) {
      return make_error(
          Errc::missing_session,
          dir.root.string() + " holds no session yet: give the session definition file");
    }
    auto bytes = read_file(*session_file);
    if (!bytes) return bytes.error();
    auto session = parse_session(*bytes);
    if (!session) {
      return make_error(Errc::invalid_session,
                        session_file->string() + ": " + session.error().message);
    }
    return SessionSource{std::move(*session), std::move(*bytes), true};
  }
  auto bytes = read_file(dir.session());
  if (!bytes) return bytes.error();
  auto stored = parse_session(*bytes);
  if (!stored) {
    return make_error(Errc::invalid_session,
                      dir.session().string() + ": " + stored.error().message);
  }
  if (session_file) {
    auto given = read_file(*session_file);
    if (!given) return given.error();
    if (*given != *bytes) {
      return make_error(Errc::session_mismatch,
                        dir.root.string() + " is initialised for session \"" + stored->id +
                            "\" (config_hash " + stored->config_hash + "); " +
                            session_file->string() + " is a different file");
    }
  }
  return SessionSource{std::move(*stored), std::move(*bytes), false};
}

Status install_session(const DataDirPaths& dir, std::string_view bytes) {
  return write_file_durably(dir.session(), bytes, 0644);
}

}  // namespace tallystation::station
