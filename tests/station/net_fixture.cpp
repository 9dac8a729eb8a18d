#include "net_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "crypto/hash.hpp"
#include "crypto/keys.hpp"
#include "crypto/x509.hpp"

namespace tallystation::station::test {

TempDir::TempDir()
    : path_(std::filesystem::temp_directory_path() /
            ("tallystation-net-" + crypto::to_hex(crypto::random_bytes(6)))) {
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

TlsIdentity make_tls_identity(const std::filesystem::path& dir) {
  auto key = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  auto pem = crypto::make_self_signed_certificate(key, "localhost", {"localhost", "127.0.0.1"}, 7);
  if (!pem) throw std::runtime_error("cannot make a test certificate");
  TlsIdentity id{dir / "tls.crt", dir / "tls.key", {}};
  std::ofstream(id.certificate_file) << *pem;
  if (!crypto::save_secret_key(id.key_file, key)) throw std::runtime_error("cannot save key");
  auto fp = crypto::certificate_fingerprint(*pem);
  if (!fp) throw std::runtime_error("cannot fingerprint certificate");
  id.fingerprint = *fp;
  return id;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::string tcp_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout, bool* closed) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("connect");
  }
  if (!bytes.empty()) (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string out;
  bool eof = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      eof = true;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (closed) *closed = eof;
  return out;
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace tallystation::station::test
