#include "tally/audit/verify/tar_bundle.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <vector>

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

// A name as a message shows it: printable ASCII kept, every other byte as \xNN.
std::string shown(std::string_view name) {
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
      return "an entry of type " + shown(std::string_view(&type, 1));
  }
}

// The archive file, read forwards only.
class Input {
 public:
  explicit Input(const fs::path& p) : fd_(::open(p.c_str(), O_RDONLY | O_CLOEXEC)) {
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
      throw UnreadableBundle(p.string() + ": cannot open: " + errno_text());
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  ~Input() {
    if (fd_ >= 0) ::close(fd_);
  }
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  // Reads up to n bytes, fewer only at the end of the file.
  std::size_t read(char* into, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::read(fd_, into + got, n - got);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw std::system_error(errno, std::generic_category(), "read");
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    offset_ += got;
    return got;
  }
  std::uint64_t left() const { return size_ > offset_ ? size_ - offset_ : 0; }

 private:
  int fd_;
  std::uint64_t size_ = 0;
  std::uint64_t offset_ = 0;
};

enum class Kind : std::uint8_t { file, dir, implied_dir };

// One pass over the archive, extracting into `into` (docs/audit.md "Bundles as tar files").
class Extractor {
 public:
  Extractor(const fs::path& archive, const fs::path& into)
      : archive_(archive), into_(into), in_(archive) {
    kinds_[""] = Kind::implied_dir;  // the extraction folder itself
  }

  // Extracts everything and returns the bundle root.
  fs::path run() {
    std::array<char, kBlock> block{};
    bool first = true;
    for (;;) {
      const std::size_t got = in_.read(block.data(), kBlock);
      if (first) refuse_if_not_tar(block.data(), got);
      first = false;
      if (got == 0) break;  // no end-of-archive blocks: accepted, as GNU tar does
      if (got < kBlock) refuse_here("the archive ends inside a header (truncated)");
      if (all_zero(block.data())) {
        end_of_archive();
        break;
      }
      header(block.data());
    }
    if (pending_) refuse_here("an extended header or long name with no entry after it");
    return root();
  }

 private:
  [[noreturn]] void refuse(const std::string& what) const {
    throw UnreadableBundle(archive_.string() + ": " + what);
  }
  // Names the entry being read: numbered from 1 as `tar tf` lists the archive (a pax header or a
  // GNU long name belongs to the entry after it).
  [[noreturn]] void refuse_here(const std::string& what) const {
    refuse("entry " + std::to_string(entries_ + 1) + (name_.empty() ? "" : " " + shown(name_)) +
           ": " + what);
  }

  void refuse_if_not_tar(const char* block, std::size_t got) const {
    if (got == kBlock && checksum_holds(block)) return;
    if (compression_of(block, got) != nullptr) {
      refuse(std::string("compressed tar: unpack it first (tar xf); this one is ") +
             compression_of(block, got));
    }
    if (got == 0) refuse("an empty file, not a tar archive");
    if (got < kBlock || !all_zero(block)) refuse("not a tar archive (no valid first header)");
  }

  // One zero block was read: a second one, or the end of the file, ends the archive. What
  // follows the two zero blocks (the padding of the last record) is not read.
  void end_of_archive() {
    if (pending_) refuse_here("an extended header or long name with no entry after it");
    std::array<char, kBlock> block{};
    const std::size_t got = in_.read(block.data(), kBlock);
    if (got == 0) return;
    if (got < kBlock || !all_zero(block.data())) {
      name_.clear();
      refuse_here("a zero block inside the archive (an archive with more after its end)");
    }
  }

  void header(const char* block) {
    name_ = text_field(block, 0, 100);
    if (!checksum_holds(block)) refuse_here("the header checksum does not match");
    const bool ustar = std::memcmp(block + 257,
                                   "ustar\0"
                                   "00",
                                   8) == 0;
    const bool gnu = std::memcmp(block + 257, "ustar  \0", 8) == 0;
    if (!ustar && !gnu) refuse_here("not a ustar, pax or GNU tar header");
    if (ustar) {
      const std::string prefix = text_field(block, 345, 155);
      if (!prefix.empty()) name_ = prefix + "/" + name_;
    }
    const char type = block[156];
    std::optional<std::uint64_t> size = size_field(block);
    if (!size) refuse_here("the size field is not a number");
    switch (type) {
      case 'x':
        if (pending_) refuse_here("two extended headers or long names for one entry");
        pax(read_meta(*size));
        pending_ = true;
        return;
      case 'L':
        if (pending_) refuse_here("two extended headers or long names for one entry");
        long_name_ = read_meta(*size);
        long_name_ = long_name_->substr(0, long_name_->find('\0'));
        pending_ = true;
        return;
      case 'g':
        if (pending_) refuse_here("a global header between an extended header and its entry");
        skip(padded(*size));
        return;
      case '0':
      case '\0':
      case '5':
        break;
      default:
        if (long_name_) name_ = *long_name_;
        refuse_here(type_name(type) + " is refused");
    }
    if (long_name_) name_ = *long_name_;
    if (pax_size_) size = pax_size_;
    const std::vector<std::string> parts = components();
    if (type == '5') {
      if (*size != 0) refuse_here("a directory with data is refused");
      directory(parts);
    } else {
      file(parts, *size);
    }
    ++entries_;
    pending_ = false;
    long_name_.reset();
    pax_size_.reset();
    name_.clear();
  }

  static std::uint64_t padded(std::uint64_t size) { return (size + kBlock - 1) / kBlock * kBlock; }

  void need(std::uint64_t bytes) const {
    if (bytes > in_.left()) refuse_here("the data runs past the end of the file (truncated)");
  }

  void skip(std::uint64_t bytes) {
    need(bytes);
    std::vector<char> buf(kChunk);
    while (bytes > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, kChunk));
      if (in_.read(buf.data(), n) < n) refuse_here("the data runs past the end of the file");
      bytes -= n;
    }
  }

  std::string read_meta(std::uint64_t size) {
    if (size > kMaxMetaBytes) refuse_here("an extended header or long name over 1 MiB is refused");
    need(padded(size));
    std::string data(static_cast<std::size_t>(size), '\0');
    if (in_.read(data.data(), data.size()) < data.size()) {
      refuse_here("the data runs past the end of the file");
    }
    skip(padded(size) - size);
    return data;
  }

  // pax records, "LENGTH KEY=VALUE\n" (POSIX pax, "pax Extended Header"): `path` and `size`
  // apply to the next entry; a sparse file is refused; every other key is ignored.
  void pax(const std::string& data) {
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
        refuse_here("a malformed pax extended header record");
      }
      const std::string record = data.substr(space + 1, at + length - space - 2);
      at += length;
      const std::size_t eq = record.find('=');
      if (eq == 0 || eq == std::string::npos) refuse_here("a malformed pax extended header record");
      const std::string key = record.substr(0, eq);
      const std::string value = record.substr(eq + 1);
      if (key.rfind("GNU.sparse.", 0) == 0) refuse_here("a sparse file is refused");
      if (key != "path" && key != "size") continue;
      if (!seen.insert(key).second) refuse_here("pax record " + key + " given twice");
      if (value.empty()) refuse_here("pax record " + key + " with no value");
      if (key == "path") {
        long_name_ = value;
        name_ = value;
      } else {
        std::uint64_t v = 0;
        for (const char c : value) {
          if (c < '0' || c > '9' || v > (std::uint64_t{1} << 58)) {
            refuse_here("pax record size is not a decimal number");
          }
          v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        pax_size_ = v;
      }
    }
  }

  // The entry's name as path components: "." and empty components dropped (so "./a//b/" is
  // "a/b"); empty, absolute and ".." names refused.
  std::vector<std::string> components() const {
    if (name_.empty()) refuse_here("an empty name is refused");
    if (name_.find('\0') != std::string::npos) refuse_here("a name with a NUL byte is refused");
    if (name_.front() == '/') refuse_here("an absolute name is refused");
    std::vector<std::string> parts;
    std::size_t at = 0;
    while (at <= name_.size()) {
      std::size_t slash = name_.find('/', at);
      if (slash == std::string::npos) slash = name_.size();
      const std::string part = name_.substr(at, slash - at);
      if (part == "..") refuse_here("a name with .. is refused");
      if (!part.empty() && part != ".") parts.push_back(part);
      at = slash + 1;
    }
    return parts;
  }

  static std::string joined(const std::vector<std::string>& parts, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i == 0 ? "" : "/") + parts[i];
    return out;
  }

  // Makes the folders above the entry that no earlier entry made (as GNU tar does).
  void parents(const std::vector<std::string>& parts) {
    for (std::size_t i = 1; i < parts.size(); ++i) {
      const std::string p = joined(parts, i);
      auto it = kinds_.find(p);
      if (it == kinds_.end()) {
        if (::mkdir((into_ / p).c_str(), 0700) != 0) {
          refuse_here("cannot make folder " + shown(p) + ": " + errno_text());
        }
        kinds_[p] = Kind::implied_dir;
      } else if (it->second == Kind::file) {
        refuse_here("a directory where a file is: " + shown(p) + " is a file of the archive");
      }
    }
  }

  void directory(const std::vector<std::string>& parts) {
    const std::string p = joined(parts, parts.size());
    parents(parts);
    auto it = kinds_.find(p);
    if (it != kinds_.end()) {
      if (it->second == Kind::file) refuse_here("a directory where a file is");
      if (it->second == Kind::dir) refuse_here("a name given twice is refused");
      it->second = Kind::dir;  // made for an earlier entry inside it
      return;
    }
    if (::mkdir((into_ / p).c_str(), 0700) != 0) {
      refuse_here("cannot make the folder: " + errno_text());
    }
    kinds_[p] = Kind::dir;
  }

  void file(const std::vector<std::string>& parts, std::uint64_t size) {
    if (parts.empty()) refuse_here("a file named as the archive's top folder is refused");
    const std::string p = joined(parts, parts.size());
    parents(parts);
    auto it = kinds_.find(p);
    if (it != kinds_.end()) {
      if (it->second == Kind::file) refuse_here("a name given twice is refused");
      refuse_here("a file where a directory is");
    }
    need(padded(size));
    const int fd =
        ::open((into_ / p).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) refuse_here("cannot create the file: " + errno_text());
    kinds_[p] = Kind::file;
    try {
      copy_to(fd, size);
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (::close(fd) != 0) refuse_here("cannot write the file: " + errno_text());
    skip(padded(size) - size);
  }

  void copy_to(int fd, std::uint64_t size) {
    std::vector<char> buf(kChunk);
    while (size > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, kChunk));
      if (in_.read(buf.data(), n) < n) refuse_here("the data runs past the end of the file");
      for (std::size_t done = 0; done < n;) {
        const ssize_t w = ::write(fd, buf.data() + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) refuse_here("cannot write the file: " + errno_text());
        done += static_cast<std::size_t>(w);
      }
      size -= n;
    }
  }

  // session.json at the top: the top; else the one top-level directory, if there is one.
  fs::path root() const {
    auto s = kinds_.find("session.json");
    if (s != kinds_.end() && s->second == Kind::file) return into_;
    std::set<std::string> tops;
    for (const auto& [name, kind] : kinds_) {
      if (!name.empty()) tops.insert(name.substr(0, name.find('/')));
    }
    if (tops.empty()) refuse("the archive holds no entry");
    if (tops.size() == 1 && kinds_.at(*tops.begin()) != Kind::file) return into_ / *tops.begin();
    refuse("no session.json at the top of the archive, and not one single top-level directory");
  }

  const fs::path archive_;
  const fs::path into_;
  Input in_;
  std::map<std::string, Kind> kinds_;  // every name made, "a/b" form
  std::uint64_t entries_ = 0;          // entries extracted
  std::string name_;                   // the entry being read, as the archive names it
  bool pending_ = false;               // a pax header or long name waits for its entry
  std::optional<std::string> long_name_;
  std::optional<std::uint64_t> pax_size_;
};

}  // namespace

BundleDir::BundleDir(const fs::path& bundle) {
  std::error_code ec;
  const fs::file_status st = fs::status(bundle, ec);
  if (fs::is_directory(st)) {
    root_ = bundle;
    return;
  }
  if (!fs::is_regular_file(st)) {
    throw UnreadableBundle(bundle.string() + ": not a directory or a tar file");
  }
  const fs::path tmp = fs::temp_directory_path(ec);
  if (ec) throw UnreadableBundle(bundle.string() + ": no temporary folder: " + ec.message());
  std::string tmpl = (tmp / "tally-audit-bundle-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw UnreadableBundle(bundle.string() + ": cannot make a folder to unpack it in (" + tmpl +
                           "): " + errno_text());
  }
  archive_ = bundle;
  unpacked_ = tmpl;
  try {
    root_ = Extractor(archive_, unpacked_).run();
  } catch (const UnreadableBundle&) {
    fs::remove_all(unpacked_, ec);
    throw;
  } catch (const std::exception& e) {  // a read error of the archive
    fs::remove_all(unpacked_, ec);
    throw UnreadableBundle(bundle.string() + ": " + e.what());
  }
}

BundleDir::~BundleDir() {
  if (unpacked_.empty()) return;
  std::error_code ec;
  fs::remove_all(unpacked_, ec);
}

std::string BundleDir::in_archive(const std::string& message) const {
  if (unpacked_.empty()) return message;
  const std::string from = unpacked_.string();
  std::string out;
  std::size_t at = 0;
  for (std::size_t hit; (hit = message.find(from, at)) != std::string::npos;) {
    out += message.substr(at, hit - at) + archive_.string();
    at = hit + from.size();
    if (at < message.size() && message[at] == '/') {
      out += ": ";
      ++at;
    }
  }
  return out + message.substr(at);
}

}  // namespace tallystation::audit::verify
