#include "station/store/wal_file.hpp"

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace tallystation::station {

namespace {

constexpr std::uint32_t kMagic = 0x377f0682;
constexpr std::uint32_t kVersion = 3007000;
constexpr std::uint64_t kHeaderBytes = 32;
constexpr std::uint64_t kFrameHeaderBytes = 24;

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

std::uint32_t le32(const unsigned char* p) {
  return (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) |
         std::uint32_t{p[0]};
}

struct Checksum {
  std::uint32_t s1 = 0;
  std::uint32_t s2 = 0;
  bool operator==(const Checksum&) const = default;
};

// SQLite's WAL checksum over n bytes (n a multiple of 8), continuing from c.
Checksum add(Checksum c, bool big_endian, const unsigned char* p, std::size_t n) {
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    const std::uint32_t a = big_endian ? be32(p + i) : le32(p + i);
    const std::uint32_t b = big_endian ? be32(p + i + 4) : le32(p + i + 4);
    c.s1 += a + c.s2;
    c.s2 += b + c.s1;
  }
  return c;
}

Checksum stored(const unsigned char* p) {
  return {be32(p), be32(p + 4)};
}

bool valid_page_size(std::uint32_t n) {
  return n >= 512 && n <= 65536 && (n & (n - 1)) == 0;
}

}  // namespace

std::variant<WalReport, std::string> inspect_wal(const std::filesystem::path& path) {
  WalReport r;
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory)
      return path.string() + ": " + ec.message();
    return r;
  }
  if (!std::filesystem::is_regular_file(status)) return path.string() + ": not a regular file";
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return path.string() + ": " + ec.message();
  if (size == 0) return r;
  r.present = true;
  r.file_bytes = size;

  std::ifstream in(path, std::ios::binary);
  if (!in) return path.string() + ": cannot open for reading";
  auto read = [&](unsigned char* buf, std::uint64_t n) {
    in.read(reinterpret_cast<char*>(buf), static_cast<std::streamsize>(n));
    return static_cast<std::uint64_t>(in.gcount()) == n;
  };

  if (size < kHeaderBytes) {
    r.partial_tail_bytes = size;
    return r;
  }
  std::array<unsigned char, kHeaderBytes> hdr{};
  if (!read(hdr.data(), kHeaderBytes)) return path.string() + ": read error in the header";
  const std::uint32_t magic = be32(hdr.data());
  const std::uint32_t page_size = be32(hdr.data() + 8);
  if ((magic & ~std::uint32_t{1}) != kMagic || !valid_page_size(page_size)) {
    // Not a WAL header SQLite could have written: frames cannot even be delimited.
    return r;
  }
  r.big_endian_checksums = (magic & 1) != 0;
  r.page_size = page_size;
  const bool be = r.big_endian_checksums;
  const Checksum header_sum = add({}, be, hdr.data(), 24);
  r.header_valid = be32(hdr.data() + 4) == kVersion && header_sum == stored(hdr.data() + 24);

  const std::uint64_t frame_bytes = kFrameHeaderBytes + page_size;
  r.frames_in_file = (size - kHeaderBytes) / frame_bytes;
  r.partial_tail_bytes = (size - kHeaderBytes) % frame_bytes;

  std::vector<unsigned char> frame(frame_bytes);
  auto salts_match = [&] { return std::memcmp(frame.data() + 8, hdr.data() + 16, 8) == 0; };
  auto verifies = [&](Checksum seed) {
    if (be32(frame.data()) == 0) return false;  // page number 0: SQLite rejects the frame
    Checksum c = add(seed, be, frame.data(), 8);
    c = add(c, be, frame.data() + kFrameHeaderBytes, page_size);
    return c == stored(frame.data() + 16);
  };
  auto is_commit = [&] { return be32(frame.data() + 4) != 0; };

  // The valid prefix, exactly as SQLite's recovery reads it. With an invalid header SQLite uses no
  // frame: the scan of what follows starts at frame 0, seeded with the header's stored values.
  std::uint64_t i = 0;
  std::uint64_t valid = 0;
  Checksum seed = r.header_valid ? header_sum : stored(hdr.data() + 24);
  bool stop_salts_match = false;
  if (r.header_valid) {
    for (; i < r.frames_in_file; ++i) {
      if (!read(frame.data(), frame_bytes))
        return path.string() + ": read error in frame " + std::to_string(i);
      if (!salts_match() || !verifies(seed)) {
        stop_salts_match = salts_match();
        break;
      }
      seed = stored(frame.data() + 16);
      ++valid;
      if (is_commit()) {
        r.frames_valid = valid;
        ++r.commits_valid;
      }
    }
    r.frames_after_last_commit = valid - r.frames_valid;
  }

  // Past the stopping point (frame i, already read when i < frames_in_file).
  const std::uint64_t stop = i;
  std::uint64_t same_generation_after = 0;
  if (r.header_valid && stop < r.frames_in_file) {
    seed = stored(frame.data() + 16);  // for frame stop + 1
    ++i;
  }
  for (; i < r.frames_in_file; ++i) {
    if (!read(frame.data(), frame_bytes))
      return path.string() + ": read error in frame " + std::to_string(i);
    if (salts_match()) {
      ++same_generation_after;
      if (verifies(seed)) {
        ++r.frames_after_damage;
        if (is_commit()) ++r.commits_after_damage;
      }
    } else {
      ++r.stale_frames;
    }
    seed = stored(frame.data() + 16);
  }
  if (r.header_valid && stop < r.frames_in_file) {
    if (same_generation_after > 0) {
      r.first_bad_frame = stop;
    } else if (stop_salts_match) {
      r.torn_frame = stop;
    } else {
      ++r.stale_frames;  // the prefix simply ends where the older generation begins
    }
  }
  return r;
}

bool WalReport::suspicious() const {
  if (!present) return false;
  return !header_valid || commits_after_damage > 0 || partial_tail_bytes > 0;
}

std::string WalReport::describe() const {
  std::ostringstream o;
  if (!present) {
    o << "No write-ahead log (missing or empty): nothing to replay.";
    return o.str();
  }
  o << "Write-ahead log of " << file_bytes << " bytes";
  if (page_size == 0) {
    o << " without a readable WAL header (wrong magic or page size";
    if (file_bytes < kHeaderBytes) o << ", shorter than the 32-byte header";
    o << "): SQLite will ignore the whole file; whatever it held is lost.";
    if (suspicious()) o << " SUSPICIOUS: this is not a file SQLite leaves behind.";
    return o.str();
  }
  o << ", page size " << page_size << " (" << (big_endian_checksums ? "big" : "little")
    << "-endian checksums), " << frames_in_file << " whole frame(s)";
  if (!header_valid) {
    o << ". The header is damaged (checksum or format version): SQLite will ignore all frames";
    if (frames_after_damage > 0)
      o << "; " << frames_after_damage << " frame(s) still chain to the header, "
        << commits_after_damage
        << " of them commit frames (committed transactions that will be lost)";
    o << ".";
  } else {
    o << ". SQLite will replay " << frames_valid << " frame(s) holding " << commits_valid
      << " committed transaction(s).";
    if (frames_after_last_commit > 0)
      o << " " << frames_after_last_commit
        << " valid frame(s) after the last commit belong to a transaction that did not commit "
           "there and are ignored.";
    if (first_bad_frame && commits_after_damage > 0)
      o << " Frame " << *first_bad_frame << " is damaged (checksum, page number or salts), and "
        << frames_after_damage << " intact frame(s) of the same generation follow it, "
        << commits_after_damage
        << " of them commit frames: those committed transactions will be silently dropped.";
    else if (first_bad_frame)
      o << " Frame " << *first_bad_frame << " does not verify and " << frames_after_damage
        << " intact frame(s) of the same generation follow it, no commit among them: what an "
           "uncommitted transaction leaves when a later one overwrites its start (after a "
           "rollback or a crash); harmless.";
    if (torn_frame)
      o << " Frame " << *torn_frame
        << " fails its checksum and is the last of its generation: a write torn by a crash (never "
           "acknowledged) or damage to the last frame; it is ignored.";
  }
  if (stale_frames > 0)
    o << " " << stale_frames
      << " frame(s) of an older generation (left after a checkpoint restarted the log) are "
         "ignored, "
         "as expected.";
  if (partial_tail_bytes > 0)
    o << " " << partial_tail_bytes
      << " byte(s) after the last whole frame: the file was cut, or a crash interrupted an append "
         "(which was then never acknowledged); the two cannot be told apart.";
  if (suspicious())
    o << " SUSPICIOUS: committed transactions may be lost; keep a copy of the file.";
  else
    o << " Nothing suggests lost transactions.";
  return o.str();
}

}  // namespace tallystation::station
