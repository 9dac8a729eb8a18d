#include "tally/audit/verify/tar_bundle.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string_view>
#include <system_error>
#include <vector>

#include "tally/audit/verify/tar_reader.hpp"

namespace tallystation::audit::verify {

namespace fs = std::filesystem;

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

// A failed mkdir or open in our own private folder, its name already checked: the archive's fault
// only if the filesystem refuses the name itself; anything else (no space, no inodes, a quota, no
// file descriptors, an I/O error) is this machine's.
bool name_errno(int e) {
  return e == ENAMETOOLONG || e == EILSEQ || e == EINVAL;
}

// The folder temp_directory_path() looked at, for a message when it is not there: libstdc++
// reads TMPDIR, TMP, TEMP, TEMPDIR, else /tmp.
std::string temp_folder_named() {
  for (const char* v : {"TMPDIR", "TMP", "TEMP", "TEMPDIR"}) {
    if (const char* t = std::getenv(v)) return t;
  }
  return "/tmp";
}

enum class Kind : std::uint8_t { file, dir, implied_dir };

// One pass over the archive, extracting into `into`: what the archive's names may be and what
// they become on disk (docs/audit.md "Bundles as tar files", Names and Root).
class Extractor {
 public:
  Extractor(const fs::path& archive, const fs::path& into) : tar_(archive), into_(into) {
    kinds_[""] = Kind::implied_dir;  // the extraction folder itself
  }

  // Extracts everything and returns the bundle root.
  fs::path run() {
    while (std::optional<TarEntry> e = tar_.next()) {
      const std::vector<std::string> parts = components(e->name);
      if (e->directory) {
        directory(parts);
      } else {
        file(parts);
      }
    }
    return root();
  }

 private:
  // The name as path components: "." and empty components dropped (so "./a//b/" is "a/b");
  // empty, over-long, too deep, absolute and ".." names refused. The length is checked first, so
  // a hostile name of up to 1 MiB (a pax path or a GNU long name) is never split.
  std::vector<std::string> components(const std::string& name) const {
    if (name.empty()) tar_.refuse("an empty name is refused");
    if (name.size() > kMaxNameBytes) {
      tar_.refuse("a name longer than " + std::to_string(kMaxNameBytes) + " bytes is refused");
    }
    if (name.find('\0') != std::string::npos) tar_.refuse("a name with a NUL byte is refused");
    if (name.front() == '/') tar_.refuse("an absolute name is refused");
    std::vector<std::string> parts;
    std::size_t at = 0;
    while (at <= name.size()) {
      std::size_t slash = name.find('/', at);
      if (slash == std::string::npos) slash = name.size();
      const std::string_view part = std::string_view(name).substr(at, slash - at);
      if (part == "..") tar_.refuse("a name with .. is refused");
      if (part.size() > kMaxComponentBytes) {
        tar_.refuse("a name component longer than " + std::to_string(kMaxComponentBytes) +
                    " bytes is refused");
      }
      if (!part.empty() && part != ".") {
        if (parts.size() == kMaxNameComponents) {
          tar_.refuse("a name with more than " + std::to_string(kMaxNameComponents) +
                      " components is refused");
        }
        parts.emplace_back(part);
      }
      at = slash + 1;
    }
    return parts;
  }

  // A failed mkdir or open of `p` (errno set): refused if the filesystem refuses the name, else
  // LocalFailure naming the path on disk.
  [[noreturn]] void cannot(const char* what, const std::string& p) const {
    const int e = errno;
    const std::string why = std::string("cannot ") + what + " ";
    if (name_errno(e)) tar_.refuse(why + quoted_name(p) + ": " + std::strerror(e));
    tar_.fail_locally(why + (into_ / p).string() + ": " + std::strerror(e));
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
        if (::mkdir((into_ / p).c_str(), 0700) != 0) cannot("make the folder", p);
        kinds_[p] = Kind::implied_dir;
      } else if (it->second == Kind::file) {
        tar_.refuse("a directory where a file is: " + quoted_name(p) + " is a file of the archive");
      }
    }
  }

  void directory(const std::vector<std::string>& parts) {
    const std::string p = joined(parts, parts.size());
    parents(parts);
    auto it = kinds_.find(p);
    if (it != kinds_.end()) {
      if (it->second == Kind::file) tar_.refuse("a directory where a file is");
      if (it->second == Kind::dir) tar_.refuse("a name given twice is refused");
      it->second = Kind::dir;  // made for an earlier entry inside it
      return;
    }
    if (::mkdir((into_ / p).c_str(), 0700) != 0) cannot("make the folder", p);
    kinds_[p] = Kind::dir;
  }

  void file(const std::vector<std::string>& parts) {
    if (parts.empty()) tar_.refuse("a file named as the archive's top folder is refused");
    const std::string p = joined(parts, parts.size());
    parents(parts);
    auto it = kinds_.find(p);
    if (it != kinds_.end()) {
      if (it->second == Kind::file) tar_.refuse("a name given twice is refused");
      tar_.refuse("a file where a directory is");
    }
    const int fd =
        ::open((into_ / p).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) cannot("create the file", p);
    kinds_[p] = Kind::file;
    try {
      tar_.copy_data(fd, into_ / p);
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (::close(fd) != 0) {
      const std::string why = errno_text();
      tar_.fail_locally("cannot write " + (into_ / p).string() + ": " + why);
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
    if (tops.empty()) tar_.refuse_archive("the archive holds no entry");
    if (tops.size() == 1 && kinds_.at(*tops.begin()) != Kind::file) return into_ / *tops.begin();
    tar_.refuse_archive(
        "no session.json at the top of the archive, and not one single top-level directory");
  }

  TarReader tar_;
  const fs::path into_;
  std::map<std::string, Kind> kinds_;  // every name made, "a/b" form
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
  if (ec) {
    throw LocalFailure(bundle.string() + ": no temporary folder to unpack it in (" +
                       temp_folder_named() + "): " + ec.message());
  }
  std::string tmpl = (tmp / "tally-audit-bundle-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw LocalFailure(bundle.string() + ": cannot make a folder to unpack it in (" + tmpl +
                       "): " + errno_text());
  }
  archive_ = bundle;
  unpacked_ = tmpl;
  try {
    root_ = Extractor(archive_, unpacked_).run();
  } catch (...) {  // refused, a local failure, or out of memory: each goes on as it is
    fs::remove_all(unpacked_, ec);
    throw;
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
