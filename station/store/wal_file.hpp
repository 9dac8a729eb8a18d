// A read-only inspector of SQLite's write-ahead log (station.db-wal), run at start before SQLite
// opens the database: opening replays the WAL and hides what it ignored.
// Docs: docs/storage.md, "Inspecting the write-ahead log before SQLite opens it".
//
// The format (https://www.sqlite.org/fileformat2.html, "The Write-Ahead Log"): a 32-byte header
// (magic 0x377f0682 or 0x377f0683, format version 3007000, page size, checkpoint sequence, salt-1,
// salt-2, checksum-1, checksum-2, all big-endian) and frames of a 24-byte header (page number,
// database size in pages for a commit frame or 0, salt-1, salt-2, checksum-1, checksum-2) and one
// page. The checksum runs over 32-bit words, little-endian for magic 0x377f0682 and big-endian for
// 0x377f0683, s1 += w[i] + s2, s2 += w[i+1] + s1, from (0, 0) over the header's first 24 bytes, and
// cumulatively over each frame's first 8 header bytes and its page, seeded with the previous
// frame's checksum (the header's for the first frame).
//
// What SQLite does at open (walIndexRecover): it ignores the whole file if the magic or the page
// size is wrong or the header checksum fails; it reads whole frames only, and stops at the first
// frame whose salts differ from the header's, whose page number is 0 or whose checksum fails; it
// keeps the frames up to and including the last commit frame before that point. Nothing is
// reported. This inspector reproduces that, and then looks past the stopping point:
//
//  - frames whose salts differ from the header's are an older generation: after a checkpoint
//    SQLite rewrites the WAL from the start with new salts, leaving the old frames beyond the new
//    end. Expected; counted in stale_frames.
//  - frames of the current generation (the header's salts) after the stopping point mean the
//    file was damaged: SQLite writes a generation front to back, so a later frame of the same
//    generation was written after the one that now fails. Each such frame whose checksum verifies
//    when seeded with its predecessor's stored checksum is intact; a commit frame among them is a
//    committed transaction SQLite will drop.
//  - bytes after the last whole frame (a partial tail) are what a crash while appending a frame
//    leaves, and also what a file cut short leaves. The station cannot tell these apart, so a
//    partial tail counts as suspicious; after a crash the operator confirms that the last ballots
//    before it were not acknowledged. (SQLite's PRAGMA journal_size_limit can also truncate the
//    WAL to a size that is not frame-aligned; the station does not set it.)
//  - a frame of the current generation that fails its checksum and is the last one of its
//    generation is a torn write from a crash (never acknowledged), or damage to the last frame;
//    indistinguishable, reported as torn_frame, not suspicious.
//
// Cutting the file exactly at a frame boundary cannot be detected from the WAL alone: the result
// looks like a WAL to which fewer transactions were written (frames_valid is then simply smaller).
// Comparing with a count recorded elsewhere (the command log's last index) is the only defence.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>

namespace tallystation::station {

struct WalReport {
  // The -wal file exists and is non-empty.
  bool present = false;
  // Magic, format version 3007000, page size and header checksum are right.
  bool header_valid = false;
  // Magic 0x377f0683: checksums over big-endian words.
  bool big_endian_checksums = false;
  // From the header when its magic and page size are readable, else 0.
  std::uint32_t page_size = 0;
  std::uint64_t file_bytes = 0;
  // Whole frames after the header: (file_bytes - 32) / (24 + page_size).
  std::uint64_t frames_in_file = 0;

  // Frames SQLite will use: the valid prefix, up to and including its last commit frame.
  std::uint64_t frames_valid = 0;
  // Commit frames in that prefix.
  std::uint64_t commits_valid = 0;
  // Valid frames after the prefix's last commit: an interrupted transaction, or the start of the
  // one the damage cut. SQLite ignores them.
  std::uint64_t frames_after_last_commit = 0;

  // Whole frames after the prefix whose salts are not the header's: an older generation, expected.
  std::uint64_t stale_frames = 0;

  // The frame at which the valid prefix ends (a checksum that fails, page number 0 or salts
  // altered), when frames of the current generation (the header's salts) follow it, 0-based.
  // Damage when commits_after_damage > 0; without a commit after it, the frames are what an
  // uncommitted transaction (rolled back, or cut by a crash) left when the next transaction
  // overwrote its start.
  std::optional<std::uint64_t> first_bad_frame;
  // Frames after the bad one whose salts match the header and whose checksum verifies when seeded
  // with their predecessor's stored checksum.
  std::uint64_t frames_after_damage = 0;
  // Commit frames among them: committed transactions SQLite will ignore.
  std::uint64_t commits_after_damage = 0;
  // When the header is readable but invalid (checksum or version), SQLite ignores every frame;
  // frames_after_damage / commits_after_damage then count the frames chained to the header's
  // stored salts and checksum, from frame 0, and first_bad_frame stays empty.

  // The frame of the current generation at which the valid prefix ends, when no later frame of
  // the generation follows: a torn write (crash) or damage to the last frame. Not suspicious.
  std::optional<std::uint64_t> torn_frame;

  // Bytes after the last whole frame (the whole file when it is shorter than the header).
  std::uint64_t partial_tail_bytes = 0;

  // One paragraph for the operator naming the numbers above and what they mean.
  std::string describe() const;
  // True when the file shows that committed transactions will be ignored by SQLite, or cannot rule
  // it out: commit frames after a damaged frame (or after a damaged header), a partial tail (a cut
  // file, or a crash mid-append: indistinguishable), or a non-empty file without a valid header
  // (SQLite ignores all of it). Frames after a bad frame without any commit among them are not
  // suspicious: they are what an uncommitted transaction left when a later one overwrote its
  // start (SQLite appends after the last commit at the next write, keeping the salts).
  bool suspicious() const;
};

// Reads path (e.g. "DATA/station.db-wal") without modifying it. A missing or empty file gives
// present == false. A file that cannot be read gives an error message.
std::variant<WalReport, std::string> inspect_wal(const std::filesystem::path& path);

}  // namespace tallystation::station
