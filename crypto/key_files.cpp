// Key files: PEM on disk, written atomically (temporary file, fsync, rename) so that a crash
// leaves either the old file or the new one, and secret keys are never readable by others, not
// even for a moment: the temporary file is created 0600 by mkstemp and fchmod'ed to exactly 0600.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cerrno>
#include <string>
#include <vector>

#include "crypto/keys.hpp"

namespace tallystation::crypto {

namespace {

constexpr std::size_t kMaxKeyFile = 64 * 1024;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view data, mode_t mode) {
  const std::filesystem::path dir =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  Fd fd{::mkostemp(tmpl.data(), O_CLOEXEC)};  // created with mode 0600
  if (fd.get() < 0) return Errc::io_error;
  const bool ok = ::fchmod(fd.get(), mode) == 0 && write_all(fd.get(), data) &&
                  ::fsync(fd.get()) == 0 && ::close(fd.release()) == 0 &&
                  ::rename(tmpl.c_str(), path.c_str()) == 0;
  if (!ok) {
    ::unlink(tmpl.c_str());
    return Errc::io_error;
  }
  // Make the rename itself durable.
  Fd dfd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dfd.get() >= 0) ::fsync(dfd.get());
  return Ok{};
}

Result<std::string> read_file(const std::filesystem::path& path) {
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.get() < 0) return Errc::io_error;
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      OPENSSL_cleanse(buf, sizeof buf);
      OPENSSL_cleanse(out.data(), out.size());
      return Errc::io_error;
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > kMaxKeyFile) {
      OPENSSL_cleanse(buf, sizeof buf);
      OPENSSL_cleanse(out.data(), out.size());
      return Errc::bad_key;
    }
    // Reserve up front so that appending never reallocates and leaves a stale secret copy behind.
    if (out.capacity() < kMaxKeyFile) out.reserve(kMaxKeyFile);
    out.append(buf, static_cast<std::size_t>(n));
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return out;
}

}  // namespace

Status save_secret_key(const std::filesystem::path& path, const SecretKey& key) {
  std::string pem = key.pkcs8_pem();
  auto st = write_file_atomic(path, pem, 0600);
  OPENSSL_cleanse(pem.data(), pem.size());
  return st;
}

Result<SecretKey> load_secret_key(const std::filesystem::path& path) {
  auto pem = read_file(path);
  if (!pem) return pem.error();
  auto key = SecretKey::from_pem(*pem);
  OPENSSL_cleanse(pem->data(), pem->size());
  return key;
}

Status save_public_key(const std::filesystem::path& path, const PublicKey& key) {
  return write_file_atomic(path, key.pem(), 0644);
}

Result<PublicKey> load_public_key(const std::filesystem::path& path) {
  auto pem = read_file(path);
  if (!pem) return pem.error();
  return PublicKey::from_pem(*pem);
}

}  // namespace tallystation::crypto
