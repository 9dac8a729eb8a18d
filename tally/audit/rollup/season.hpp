#pragma once
// `tally-audit rollup` as a library call (docs/audit.md "The season report"): every immediate
// subdirectory of a folder, and every regular file in it named *.tar, is an audit bundle; each is
// verified exactly as `tally-audit verify` does (verify::verify_bundle, the same checks), on
// `jobs` threads, one bundle per thread at a time, everything read from it released (and a tar's
// unpacked copy removed) once its outcome is taken. Memory: jobs x one bundle, a fixed record per
// roster unit (its figures) and a few hundred bytes per bundle: a bundle's figures go into its
// unit at once, and its entry of report.json (traces, hashes, problem) to an unnamed temporary
// file, read back when the report is written. Temporary disk: jobs x one unpacked tar, plus the
// entries. A bundle names its unit by its session `id`. The outcomes are
// then matched with the roster and the verified figures summed up the roster's hierarchy.
// Thread safe between calls.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/audit/rollup/figures.hpp"
#include "tally/audit/rollup/roster.hpp"

namespace tallystation::audit::rollup {

enum class Verdict : std::uint8_t {
  counted,        // verified, the only bundle of a roster unit
  excluded,       // failed verification (or could not be read), the only bundle of its unit
  conflict,       // another bundle names the same roster unit: neither is counted
  not_in_roster,  // its session id is no unit of the roster (or could not be read)
  not_expected,   // its unit is in the roster but not expected to hold a congress this season
};
std::string_view to_string(Verdict v);

struct BundleOutcome {
  std::string dir;               // its directory or .tar file name in the bundles folder
  std::string unit;              // its session `id` ("" if session.json gives none)
  bool verified = false;         // tally-audit verify would exit 0
  bool certified = false;        // verified, and every `certification` check passed (no warning)
  std::string failed_check;      // the first failing check's name, or "unreadable" (exit 2)
  std::string failed_scope;      // its scope
  std::string problem;           // its first problem line, or the reason it could not be read
  std::string config_hash;       // SHA-256 of session.json's bytes ("" if unreadable)
  std::string command_log_head;  // command_log.json's head ("" if unreadable)
  Verdict verdict = Verdict::excluded;
  // Verified bundles only, while the worker holds the outcome (render_nist); emptied once the
  // bundle's report entry is written to the season's spill file.
  std::vector<ContestTrace> contests;
  // Verified bundles of a roster unit, with RollupOptions::nist_staging: the file holding the
  // congress's NIST results (render_nist), written while the bundle was at hand; write_report
  // moves it into place if the unit is held and removes it otherwise.
  std::string nist_file;
  // Why its NIST results could not be rendered (the bundle changed after its verification, say):
  // write_report refuses to write a report if the unit is held.
  std::string nist_error;
  // Where its report.json entry (from `verified` on) lies in the season's spill file.
  std::uint64_t entry_offset = 0;
  std::uint32_t entry_size = 0;
};

// not_expected: the roster marks the unit `expected` no (whether or not a bundle names it).
enum class UnitStatus : std::uint8_t { held, missing, excluded, conflict, not_expected };
std::string_view to_string(UnitStatus s);

struct UnitReport {
  UnitStatus status = UnitStatus::missing;
  std::vector<std::size_t> bundles;  // indexes into Season::bundles naming this unit
  Figures own;                       // this unit's congress (held) plus its status count
  Figures total;                     // own, plus every descendant's own
};

// An unnamed temporary file in std::filesystem::temp_directory_path() ($TMPDIR): created with
// mkstemp and unlinked at once. Written and read with pwrite/pread at explicit offsets, so
// readers never share a file position. Throws std::runtime_error if it cannot be made.
struct SpillFile {
  int fd = -1;
  SpillFile();
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;
  void append(std::string_view bytes, std::uint64_t offset);
};

struct Season {
  std::vector<BundleOutcome> bundles;  // by directory name
  std::vector<std::string> ignored;    // entries of the folder neither directories nor *.tar files
  std::vector<UnitReport> units;       // roster order
  Figures totals;                      // the whole roster
  // The bundles' report entries (gone with the last copy of the Season).
  std::shared_ptr<SpillFile> spill;

  // Bundle b's object in report.json's `bundles`: {"dir","unit","verdict","verified",
  // "failed_check","config_hash","command_log_head","contests"}, compact. Throws
  // std::runtime_error if the spill file cannot be read. Thread safe (pread).
  std::string bundle_entry(std::size_t b) const;
};

struct RollupOptions {
  unsigned jobs = 0;               // 0: std::thread::hardware_concurrency()
  bool require_certified = false;  // as `tally-audit verify --require-certified`
  // Non-empty: an existing folder where each worker writes the NIST results of every verified
  // bundle of a roster unit (BundleOutcome::nist_file), with `generated` as their GeneratedDate.
  std::filesystem::path nist_staging;
  std::string generated;
};

// Throws verify::UnreadableBundle if `bundles` is not a readable directory.
Season rollup(const Roster& roster, const std::filesystem::path& bundles,
              const RollupOptions& options = {});

}  // namespace tallystation::audit::rollup
