#pragma once
// Test aids for the network edge: a temporary directory, a TLS identity on disk, a raw TCP probe,
// and waiting on a condition with a deadline (the tests never sleep to wait).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tallystation::station::test {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// An Ed25519 key and a self-signed certificate for 127.0.0.1, written as PEM files in dir.
struct TlsIdentity {
  std::filesystem::path certificate_file;
  std::filesystem::path key_file;
  std::string fingerprint;  // lowercase hex SHA-256 of the certificate DER
};
TlsIdentity make_tls_identity(const std::filesystem::path& dir);

// Polls pred until it holds or the deadline passes; returns its last value.
bool wait_until(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Plain TCP (no TLS): connects to 127.0.0.1:port, sends bytes, and returns what comes back until
// the peer closes or timeout passes; *closed tells whether the peer closed.
std::string tcp_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout, bool* closed = nullptr);

// The lines of a text file.
std::vector<std::string> read_lines(const std::filesystem::path& file);

}  // namespace tallystation::station::test
