#pragma once
// A strict reader of uncompressed tar archives, the format half of tar bundles (docs/audit.md
// "Bundles as tar files"): 512-byte ustar, pax and GNU headers, read forwards as a stream. It
// yields regular files and directories with their names as the archive gives them (ustar
// prefix, pax `path` and GNU long names applied) and copies a file's data 64 KiB at a time;
// every other entry type, a bad checksum, a truncated archive and compressed input are refused.
// What names mean on disk is tar_bundle.cpp's business. Every refusal throws UnreadableBundle
// "ARCHIVE: entry N "NAME": why"; a fault of this machine (out of file descriptors or memory, an
// I/O error, a full disk when copying data out) throws LocalFailure (tar_bundle.hpp) with the
// same prefix. Owns the archive's file descriptor; not thread safe.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/audit/verify/bundle_model.hpp"

namespace tallystation::audit::verify {

struct TarEntry {
  std::string name;  // as the archive gives it, not yet checked
  bool directory = false;
  std::uint64_t size = 0;  // 0 for a directory
};

class TarReader {
 public:
  // Opens `archive` without blocking (a FIFO put there is refused, not waited on) and requires a
  // regular file, following symbolic links: UnreadableBundle "ARCHIVE: not a regular file".
  explicit TarReader(const std::filesystem::path& archive);
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  // The next regular file or directory, or nullopt at the end of the archive. A file's data not
  // copied by then is skipped. Before a file is returned, its data is known to be in the file.
  std::optional<TarEntry> next();

  // Writes the data of the file next() returned to `fd`, then skips its padding. A failed write
  // throws LocalFailure naming `written`, the file `fd` is open on.
  void copy_data(int fd, const std::filesystem::path& written);

  // Throws UnreadableBundle "ARCHIVE: entry N "NAME": what", for the entry being read; entries
  // are numbered from 1 as `tar tf` lists them (a pax header or long name is part of its entry).
  // A name longer than kMaxNameBytes is shown by its first 64 bytes: "PREFIX"...
  [[noreturn]] void refuse(const std::string& what) const;
  // As refuse, but throws LocalFailure: this machine failed, not the archive.
  [[noreturn]] void fail_locally(const std::string& what) const;
  // Throws UnreadableBundle "ARCHIVE: what".
  [[noreturn]] void refuse_archive(const std::string& what) const;

 private:
  std::string entry_prefix() const;
  std::size_t read(char* into, std::size_t n);
  void need(std::uint64_t bytes) const;
  void skip(std::uint64_t bytes);
  std::string read_meta(std::uint64_t size);
  void pax(const std::string& data);
  void end_of_archive();
  void first_block(const char* block, std::size_t got) const;
  std::optional<TarEntry> header(const char* block);

  std::filesystem::path archive_;
  int fd_ = -1;
  std::vector<char> buf_;           // one chunk of file data
  std::uint64_t size_ = 0;          // of the file
  std::uint64_t offset_ = 0;        // bytes read
  std::uint64_t data_left_ = 0;     // of the current file, not yet copied
  std::uint64_t padding_left_ = 0;  // after it
  std::uint64_t number_ = 0;        // of the entry being read
  std::string name_;                // of the entry being read, as the archive gives it
  bool pending_ = false;            // a pax header or long name waits for its entry
  std::optional<std::string> long_name_;
  std::optional<std::uint64_t> pax_size_;
  bool first_ = true;
  bool ended_ = false;
};

// A name as a message shows it: in double quotes, printable ASCII kept, every other byte \xNN.
std::string quoted_name(std::string_view name);

}  // namespace tallystation::audit::verify
