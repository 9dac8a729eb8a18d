#pragma once
// An audit bundle given as a directory or as an uncompressed tar of one (CONTRACT.md section 6;
// docs/audit.md "Bundles as tar files" is the spec of what is accepted and refused). A directory
// is used in place. A regular file is read by TarReader (tar_reader.hpp: strict, as a stream, 64
// KiB at a time), its names checked here, and extracted into a fresh private directory (mkdtemp,
// 0700) under std::filesystem::temp_directory_path(): files 0600, directories 0700, created with
// O_EXCL | O_NOFOLLOW, nothing of the archive's modes, owners or times applied. A BundleDir owns
// that directory and removes it in its destructor, so disk use lasts as long as the object.
// Names are capped (kMaxNameBytes, kMaxNameComponents, kMaxComponentBytes), so that an entry
// makes at most kMaxNameComponents folders and keeps at most that many short strings.
// Anything the archive is refused for throws UnreadableBundle naming the archive and the entry; a
// fault of this machine (no temporary folder, disk full, out of file descriptors, an I/O error)
// throws LocalFailure, and std::bad_alloc propagates as is: neither says anything of the archive.
// Either way nothing is left behind. Not thread safe; distinct objects are independent.
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "tally/audit/verify/bundle_model.hpp"

namespace tallystation::audit::verify {

// A tar bundle could not be unpacked for a reason of this machine, not of the archive: the
// message names the path and the system's error. Not an unreadable bundle: whoever reports on
// many bundles stops rather than report a good one as unreadable.
struct LocalFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Limits on an entry's name (docs/audit.md "Bundles as tar files", Names): a real bundle's
// deepest name is top/rounds/<contest>/<round>/<file>, 5 components.
inline constexpr std::size_t kMaxNameBytes = 1024;      // the whole name, as the archive gives it
inline constexpr std::size_t kMaxNameComponents = 8;    // after "." and empty ones are dropped
inline constexpr std::size_t kMaxComponentBytes = 255;  // NAME_MAX on Linux

class BundleDir {
 public:
  // Opens `bundle`: a directory in place, a regular file as a tar (see above). Throws
  // UnreadableBundle if it is neither, or if the archive is refused; LocalFailure or
  // std::bad_alloc if this machine cannot unpack it.
  explicit BundleDir(const std::filesystem::path& bundle);
  ~BundleDir();
  BundleDir(const BundleDir&) = delete;
  BundleDir& operator=(const BundleDir&) = delete;

  // The bundle's root, the folder that holds session.json: the directory itself, or, for a tar,
  // the extraction folder if session.json is at the top of the archive, else the archive's one
  // top-level directory inside it.
  const std::filesystem::path& path() const { return root_; }
  bool unpacked() const { return !unpacked_.empty(); }

  // `message` with the extraction folder's path replaced by "ARCHIVE: ", so that a file named in
  // an error reads as the archive's member it came from; unchanged for a directory.
  std::string in_archive(const std::string& message) const;

 private:
  std::filesystem::path archive_;   // the tar as given; empty for a directory
  std::filesystem::path unpacked_;  // the extraction folder (owned); empty for a directory
  std::filesystem::path root_;
};

}  // namespace tallystation::audit::verify
