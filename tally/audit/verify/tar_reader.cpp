#include "tally/audit/verify/tar_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <set>

#include "tally/audit/verify/tar_bundle.hpp"

namespace tallystation::audit::verify {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kBlock = 512;
constexpr std::size_t kChunk = 64u << 10;
// A pax extended header or a GNU long name is read whole; no bundle's comes near this.
constexpr std::uint64_t kMaxMetaBytes = 1u << 20;

std::string errno_text() {
  return std::strerror(errno);
}

// Errors of reading or opening the archive that come from this machine, not from the archive.
bool local_errno(int e) {
  return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS || e == EIO;
}

// A text field of a header: up to its first NUL, or all of it.
std::string text_field(const char* block, std::size_t offset, std::size_t length) {
  const std::string_view f(block + offset, length);
  return std::string(f.substr(0, f.find('\0')));
}

// An octal number field (POSIX ustar): optional leading spaces, at least one octal digit, then
// only NULs or spaces.
std::optional<std::uint64_t> octal_field(const char* block, std::size_t offset,
                                         std::size_t length) {
  const std::string_view f(block + offset, length);
  std::size_t i = 0;
  while (i < f.size() && f[i] == ' ') ++i;
  const std::size_t first = i;
  std::uint64_t v = 0;
  for (; i < f.size() && f[i] >= '0' && f[i] <= '7'; ++i) v = v * 8 + (f[i] - '0');
  if (i == first) return std::nullopt;
  for (; i < f.size(); ++i) {
    if (f[i] != ' ' && f[i] != '\0') return std::nullopt;
  }
  return v;
}

// The size field: octal, or GNU base-256 (first byte's high bit set, big-endian, not negative).
std::optional<std::uint64_t> size_field(const char* block) {
  const auto* b = reinterpret_cast<const unsigned char*>(block) + 124;
  if ((b[0] & 0x80) == 0) return octal_field(block, 124, 12);
  if (b[0] != 0x80) return std::nullopt;  // negative, or beyond 2^88
  std::uint64_t v = 0;
  for (std::size_t i = 1; i < 12; ++i) {
    if (v >> 55) return std::nullopt;
    v = (v << 8) | b[i];
  }
  return v;
}

bool checksum_holds(const char* block) {
  const std::optional<std::uint64_t> stored = octal_field(block, 148, 8);
  if (!stored) return false;
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(block[i]);
  }
  return sum == *stored;
}

bool all_zero(const char* block) {
  return std::all_of(block, block + kBlock, [](char c) { return c == '\0'; });
}

// The compression a file's first bytes announce, or nullptr.
const char* compression_of(const char* bytes, std::size_t n) {
  const auto starts = [&](std::string_view magic) {
    return n >= magic.size() && std::memcmp(bytes, magic.data(), magic.size()) == 0;
  };
  if (starts("\x1f\x8b")) return "gzip";
  if (starts("BZh")) return "bzip2";
  if (starts(std::string_view("\xfd"
                              "7zXZ\0",
                              6)))
    return "xz";
  if (starts("\x28\xb5\x2f\xfd")) return "zstd";
  return nullptr;
}

std::string type_name(char type) {
  switch (type) {
    case '1':
      return "a hard link";
    case '2':
      return "a symbolic link";
    case '3':
      return "a character device";
    case '4':
      return "a block device";
    case '6':
      return "a FIFO";
    case '7':
      return "a contiguous file";
    case 'D':
      return "a GNU dumpdir";
    case 'K':
      return "a GNU long link name";
    case 'M':
      return "a GNU multi-volume continuation";
    case 'N':
      return "an old GNU long name";
    case 'S':
      return "a GNU sparse file";
    case 'V':
      return "a GNU volume label";
    default:
      return "an entry of type " + quoted_name(std::string_view(&type, 1));
  }
}

std::uint64_t padded(std::uint64_t size) {
  return (size + kBlock - 1) / kBlock * kBlock;
}

}  // namespace

std::string quoted_name(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out + "\"";
}

TarReader::TarReader(const fs::path& archive) : archive_(archive), buf_(kChunk) {
  // O_NONBLOCK: a FIFO swapped in after the caller's check must not block the open. Symbolic
  // links are followed: a bundle given as a link to a tar is a tar.
  fd_ = ::open(archive.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) {
    const int e = errno;
    const std::string why = "cannot open: " + std::string(std::strerror(e));
    if (local_errno(e)) throw LocalFailure(archive_.string() + ": " + why);
    refuse_archive(why);
  }
  struct stat st {};
  std::string why;
  int e = 0;
  if (::fstat(fd_, &st) != 0) {
    e = errno;
    why = "cannot open: " + std::string(std::strerror(e));
  } else if (!S_ISREG(st.st_mode)) {
    why = "not a regular file";
  } else if (const int flags = ::fcntl(fd_, F_GETFL);
             flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    e = errno;
    why = "cannot open: " + std::string(std::strerror(e));
  }
  if (!why.empty()) {
    ::close(fd_);
    fd_ = -1;
    if (e != 0 && local_errno(e)) throw LocalFailure(archive_.string() + ": " + why);
    refuse_archive(why);
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
}

TarReader::~TarReader() {
  if (fd_ >= 0) ::close(fd_);
}

std::string TarReader::entry_prefix() const {
  std::string shown;
  if (name_.size() > kMaxNameBytes) {
    shown = " " + quoted_name(std::string_view(name_).substr(0, 64)) + "...";
  } else if (!name_.empty()) {
    shown = " " + quoted_name(name_);
  }
  return archive_.string() + ": entry " + std::to_string(number_) + shown + ": ";
}

void TarReader::refuse(const std::string& what) const {
  throw UnreadableBundle(entry_prefix() + what);
}

void TarReader::fail_locally(const std::string& what) const {
  throw LocalFailure(entry_prefix() + what);
}

void TarReader::refuse_archive(const std::string& what) const {
  throw UnreadableBundle(archive_.string() + ": " + what);
}

std::size_t TarReader::read(char* into, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd_, into + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && local_errno(errno)) fail_locally("cannot read the archive: " + errno_text());
    if (r < 0) refuse("cannot read the archive: " + errno_text());
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  offset_ += got;
  return got;
}

void TarReader::need(std::uint64_t bytes) const {
  if (bytes > (size_ > offset_ ? size_ - offset_ : 0)) {
    refuse("the data runs past the end of the file (truncated)");
  }
}

void TarReader::skip(std::uint64_t bytes) {
  need(bytes);
  while (bytes > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, kChunk));
    if (read(buf_.data(), n) < n) refuse("the data runs past the end of the file (truncated)");
    bytes -= n;
  }
}

std::optional<TarEntry> TarReader::next() {
  if (ended_) return std::nullopt;
  skip(data_left_ + padding_left_);
  data_left_ = padding_left_ = 0;
  ++number_;
  name_.clear();
  std::array<char, kBlock> block{};
  for (;;) {
    const std::size_t got = read(block.data(), kBlock);
    if (first_) first_block(block.data(), got);
    first_ = false;
    if (got == 0) {  // no end-of-archive blocks: accepted, as GNU tar does
      if (pending_) refuse("an extended header or long name with no entry after it");
      ended_ = true;
      return std::nullopt;
    }
    if (got < kBlock) refuse("the archive ends inside a header (truncated)");
    if (all_zero(block.data())) {
      end_of_archive();
      ended_ = true;
      return std::nullopt;
    }
    if (std::optional<TarEntry> e = header(block.data())) return e;
  }
}

void TarReader::first_block(const char* block, std::size_t got) const {
  if (got == kBlock && checksum_holds(block)) return;
  if (const char* kind = compression_of(block, got)) {
    refuse_archive(std::string("compressed tar: unpack it first (tar xf); this one is ") + kind);
  }
  if (got == 0) refuse_archive("an empty file, not a tar archive");
  if (got < kBlock || !all_zero(block)) refuse_archive("not a tar archive (no valid first header)");
}

// One zero block was read: a second one, or the end of the file, ends the archive. What follows
// the two zero blocks (the padding of the last record) is not read.
void TarReader::end_of_archive() {
  if (pending_) refuse("an extended header or long name with no entry after it");
  std::array<char, kBlock> block{};
  const std::size_t got = read(block.data(), kBlock);
  if (got == 0) return;
  if (got < kBlock || !all_zero(block.data())) {
    name_.clear();
    refuse("a zero block inside the archive (an archive with more after its end)");
  }
}

// The entry the header starts, or nullopt for a header that only describes the next one.
std::optional<TarEntry> TarReader::header(const char* block) {
  name_ = text_field(block, 0, 100);
  if (!checksum_holds(block)) refuse("the header checksum does not match");
  const bool ustar = std::memcmp(block + 257,
                                 "ustar\0"
                                 "00",
                                 8) == 0;
  const bool gnu = std::memcmp(block + 257, "ustar  \0", 8) == 0;
  if (!ustar && !gnu) refuse("not a ustar, pax or GNU tar header");
  if (ustar) {
    const std::string prefix = text_field(block, 345, 155);
    if (!prefix.empty()) name_ = prefix + "/" + name_;
  }
  const char type = block[156];
  std::optional<std::uint64_t> size = size_field(block);
  if (!size) refuse("the size field is not a number");
  switch (type) {
    case 'x':
      if (pending_) refuse("two extended headers or long names for one entry");
      pax(read_meta(*size));
      pending_ = true;
      return std::nullopt;
    case 'L':
      if (pending_) refuse("two extended headers or long names for one entry");
      long_name_ = read_meta(*size);
      long_name_ = long_name_->substr(0, long_name_->find('\0'));
      pending_ = true;
      return std::nullopt;
    case 'g':
      if (pending_) refuse("a global header between an extended header and its entry");
      skip(padded(*size));
      return std::nullopt;
    case '0':
    case '\0':
    case '5':
      break;
    default:
      if (long_name_) name_ = *long_name_;
      refuse(type_name(type) + " is refused");
  }
  if (long_name_) name_ = *long_name_;
  if (pax_size_) size = pax_size_;
  const bool directory = type == '5';
  if (directory && *size != 0) refuse("a directory with data is refused");
  need(padded(*size));
  data_left_ = *size;
  padding_left_ = padded(*size) - *size;
  pending_ = false;
  long_name_.reset();
  pax_size_.reset();
  return TarEntry{name_, directory, *size};
}

std::string TarReader::read_meta(std::uint64_t size) {
  if (size > kMaxMetaBytes) refuse("an extended header or long name over 1 MiB is refused");
  need(padded(size));
  std::string data(static_cast<std::size_t>(size), '\0');
  if (read(data.data(), data.size()) < data.size()) {
    refuse("the data runs past the end of the file (truncated)");
  }
  skip(padded(size) - size);
  return data;
}

// pax records, "LENGTH KEY=VALUE\n" (POSIX pax, "pax Extended Header"): `path` and `size` apply
// to the next entry; a sparse file is refused; every other key is ignored.
void TarReader::pax(const std::string& data) {
  std::set<std::string> seen;
  std::size_t at = 0;
  while (at < data.size()) {
    const std::size_t space = data.find(' ', at);
    std::uint64_t length = 0;
    bool digits = space != std::string::npos && space > at && space - at < 10;
    for (std::size_t i = at; digits && i < space; ++i) {
      digits = data[i] >= '0' && data[i] <= '9';
      length = length * 10 + static_cast<std::uint64_t>(data[i] - '0');
    }
    if (!digits || length <= space - at + 1 || length > data.size() - at ||
        data[at + length - 1] != '\n') {
      refuse("a malformed pax extended header record");
    }
    const std::string record = data.substr(space + 1, at + length - space - 2);
    at += length;
    const std::size_t eq = record.find('=');
    if (eq == 0 || eq == std::string::npos) refuse("a malformed pax extended header record");
    const std::string key = record.substr(0, eq);
    const std::string value = record.substr(eq + 1);
    if (key.rfind("GNU.sparse.", 0) == 0) refuse("a sparse file is refused");
    if (key != "path" && key != "size") continue;
    if (!seen.insert(key).second) refuse("pax record " + key + " given twice");
    if (value.empty()) refuse("pax record " + key + " with no value");
    if (key == "path") {
      long_name_ = value;
      name_ = value;
    } else {
      std::uint64_t v = 0;
      for (const char c : value) {
        if (c < '0' || c > '9' || v > (std::uint64_t{1} << 58)) {
          refuse("pax record size is not a decimal number");
        }
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
      }
      pax_size_ = v;
    }
  }
}

void TarReader::copy_data(int fd, const fs::path& written) {
  while (data_left_ > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(data_left_, kChunk));
    if (read(buf_.data(), n) < n) refuse("the data runs past the end of the file (truncated)");
    for (std::size_t done = 0; done < n;) {
      const ssize_t w = ::write(fd, buf_.data() + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      // Into a file of our own private folder: whatever fails there (a full disk, a quota, an
      // I/O error) is this machine's fault, never the archive's.
      if (w < 0) {
        const std::string why = errno_text();
        fail_locally("cannot write " + written.string() + ": " + why);
      }
      done += static_cast<std::size_t>(w);
    }
    data_left_ -= n;
  }
  skip(padding_left_);
  padding_left_ = 0;
}

}  // namespace tallystation::audit::verify
