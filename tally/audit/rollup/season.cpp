#include "tally/audit/rollup/season.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/json.hpp>

#include "crypto/hash.hpp"
#include "tally/audit/rollup/nist_results.hpp"
#include "tally/audit/verify/tar_bundle.hpp"
#include "tally/audit/verify/verifier.hpp"

namespace tallystation::audit::rollup {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::optional<std::string> slurp(const fs::path& p) {
  try {
    return verify::read_whole_file(p);
  } catch (const verify::UnreadableBundle&) {
    return std::nullopt;
  }
}

// A string member of a JSON file's top object, or "" if the file or member is not there.
std::string string_member(const std::optional<std::string>& text, const char* member) {
  if (!text) return "";
  boost::system::error_code ec;
  const json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return "";
  const json::value* m = v.as_object().if_contains(member);
  return m != nullptr && m->is_string() ? std::string(m->as_string()) : std::string();
}

// One bundle: its unit, its verdict as `tally-audit verify` gives it, and, verified, its figures
// (and with options.nist_staging its NIST results, staged as file `index`). Nothing of the bundle
// outlives this call but the outcome: a tar is unpacked here, by the worker that verifies it, and
// removed when the call returns.
BundleOutcome examine(const fs::path& entry, const RollupOptions& options, const Roster& roster,
                      std::size_t index, Figures& figures) {
  BundleOutcome o;
  o.dir = entry.filename().string();
  std::optional<verify::BundleDir> opened;
  try {
    opened.emplace(entry);
  } catch (const verify::UnreadableBundle& e) {  // a refused tar: its unit is not known
    o.failed_check = "unreadable";
    o.problem = e.what();
    return o;
  }
  const fs::path& bundle = opened->path();
  const std::optional<std::string> session = slurp(bundle / "session.json");
  o.unit = string_member(session, "id");
  if (session) o.config_hash = crypto::to_hex(crypto::sha256(*session));
  o.command_log_head = string_member(slurp(bundle / "command_log.json"), "head");
  try {
    const verify::Report r =
        verify::verify_bundle(bundle, verify::VerifyOptions{0, options.require_certified});
    if (r.ok()) {
      o.verified = true;
      bool any = false;
      o.certified = true;
      for (const verify::Check& c : r.checks()) {
        if (c.name != "certification") continue;
        any = true;
        if (c.state != verify::CheckState::ok) o.certified = false;
      }
      o.certified = o.certified && any;
    } else {
      for (const verify::Check& c : r.checks()) {
        if (c.state != verify::CheckState::fail) continue;
        o.failed_check = c.name;
        o.failed_scope = c.scope;
        o.problem = c.problems.empty() ? std::string() : c.problems.front();
        break;
      }
    }
  } catch (const verify::UnreadableBundle& e) {
    o.failed_check = "unreadable";
    o.problem = opened->in_archive(e.what());
  } catch (const std::exception& e) {  // as `tally-audit verify`: no verdict
    o.failed_check = "unreadable";
    o.problem = std::string("cannot read the bundle: ") + opened->in_archive(e.what());
  }
  if (!o.verified) return o;
  try {
    figures = bundle_figures(bundle, o.contests);
  } catch (const std::exception& e) {  // changed under the reader after its verification
    o.verified = false;
    o.certified = false;
    o.contests.clear();
    figures = Figures{};
    o.failed_check = "unreadable";
    o.problem = std::string("reading the verified minutes: ") + opened->in_archive(e.what());
    return o;
  }
  const std::optional<std::size_t> unit = roster.find(o.unit);
  if (options.nist_staging.empty() || !unit || !roster.units()[*unit].expected) return o;
  const fs::path file = options.nist_staging / (".nist-" + std::to_string(index) + ".tmp");
  std::string text;
  try {
    text = render_nist(bundle, o, roster.units()[*unit], NistContext{options.generated});
  } catch (const std::exception& e) {  // fatal only if the unit turns out held (write_report)
    o.nist_error = opened->in_archive(e.what());
    return o;
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw std::runtime_error(file.string() + ": cannot write");
  o.nist_file = file.string();
  return o;
}

// The part of a bundle's report.json entry that does not depend on the roster: from `verified`
// on, as compact JSON without its opening brace.
std::string entry_tail(const BundleOutcome& o) {
  json::array contests;
  for (const ContestTrace& t : o.contests) {
    contests.push_back(json::object{{"contest", t.contest},
                                    {"round", t.round},
                                    {"counted", t.counted},
                                    {"office", t.office},
                                    {"elected", t.elected},
                                    {"composition", t.composition},
                                    {"minutes_sha256", t.minutes_sha256},
                                    {"ballot_box_root", t.ballot_box_root}});
  }
  json::value failed = nullptr;
  if (!o.verified) {
    failed =
        json::object{{"name", o.failed_check}, {"scope", o.failed_scope}, {"problem", o.problem}};
  }
  const std::string text = json::serialize(json::object{{"verified", o.verified},
                                                        {"failed_check", std::move(failed)},
                                                        {"config_hash", o.config_hash},
                                                        {"command_log_head", o.command_log_head},
                                                        {"contests", std::move(contests)}});
  return text.substr(1);
}

// The bundles' entry names in `dir`, sorted (names, not paths: a season has thousands).
std::vector<std::string> list_bundles(const fs::path& dir, std::vector<std::string>& ignored) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw verify::UnreadableBundle(dir.string() + ": not a directory");
  std::vector<std::string> out;
  fs::directory_iterator it(dir, ec);
  if (ec) throw verify::UnreadableBundle(dir.string() + ": " + ec.message());
  for (const auto& e : it) {
    if (e.is_directory(ec) ||
        (e.is_regular_file(ec) && e.path().filename().string().ends_with(".tar"))) {
      out.push_back(e.path().filename().string());
    } else {
      ignored.push_back(e.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  std::sort(ignored.begin(), ignored.end());
  return out;
}

}  // namespace

SpillFile::SpillFile() {
  std::string name = (fs::temp_directory_path() / "tally-audit-rollup-XXXXXX").string();
  fd = ::mkstemp(name.data());
  if (fd < 0) throw std::runtime_error(name + ": cannot create a temporary file for the report");
  ::unlink(name.c_str());  // unnamed: gone with the descriptor, whatever happens
}

SpillFile::~SpillFile() {
  if (fd >= 0) ::close(fd);
}

void SpillFile::append(std::string_view bytes, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                               static_cast<off_t>(offset + done));
    if (n <= 0) throw std::runtime_error("cannot write the rollup's temporary file");
    done += static_cast<std::size_t>(n);
  }
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::counted:
      return "counted";
    case Verdict::excluded:
      return "excluded";
    case Verdict::conflict:
      return "conflict";
    case Verdict::not_in_roster:
      return "not_in_roster";
    case Verdict::not_expected:
      return "not_expected";
  }
  return "?";
}

std::string_view to_string(UnitStatus s) {
  switch (s) {
    case UnitStatus::held:
      return "held";
    case UnitStatus::missing:
      return "missing";
    case UnitStatus::excluded:
      return "excluded";
    case UnitStatus::conflict:
      return "conflict";
    case UnitStatus::not_expected:
      return "not_expected";
  }
  return "?";
}

std::string Season::bundle_entry(std::size_t b) const {
  const BundleOutcome& o = bundles.at(b);
  std::string tail(o.entry_size, '\0');
  const ssize_t n = ::pread(spill->fd, tail.data(), tail.size(),
                            static_cast<off_t>(o.entry_offset));
  if (n < 0 || static_cast<std::size_t>(n) != tail.size()) {
    throw std::runtime_error("the rollup's temporary file cannot be read back");
  }
  return "{\"dir\":" + json::serialize(json::value(o.dir)) +
         ",\"unit\":" + json::serialize(json::value(o.unit)) + ",\"verdict\":\"" +
         std::string(to_string(o.verdict)) + "\"," + tail;
}

Season rollup(const Roster& roster, const fs::path& bundles, const RollupOptions& options) {
  Season s;
  const std::vector<std::string> paths = list_bundles(bundles, s.ignored);
  s.bundles.resize(paths.size());
  const std::vector<Unit>& units = roster.units();
  s.units.resize(units.size());
  s.spill = std::make_shared<SpillFile>();
  std::uint64_t spilled = 0;
  std::vector<std::uint32_t> seen(units.size(), 0);  // bundles naming each unit so far
  std::mutex fold_mutex;  // the spill file, `seen` and the units' own figures
  unsigned jobs = options.jobs != 0 ? options.jobs : std::thread::hardware_concurrency();
  jobs = std::max(
      1u, std::min<unsigned>(jobs, static_cast<unsigned>(std::max<std::size_t>(paths.size(), 1))));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::string failure;  // the first error writing a staged file (no report then)
  std::mutex failure_mutex;
  {
    std::vector<std::jthread> workers;
    for (unsigned j = 0; j < jobs; ++j) {
      workers.emplace_back([&] {
        for (std::size_t i = next++; i < paths.size() && !failed; i = next++) {
          try {
            Figures figures;
            BundleOutcome o = examine(bundles / paths[i], options, roster, i, figures);
            const std::string tail = entry_tail(o);
            // Only its report entry keeps these, and the NIST file the worker staged; without
            // staging, write_report renders that file later from them.
            if (!options.nist_staging.empty()) o.contests = {};
            o.command_log_head = {};
            const std::optional<std::size_t> unit = roster.find(o.unit);
            std::lock_guard lock(fold_mutex);
            s.spill->append(tail, spilled);
            o.entry_offset = spilled;
            o.entry_size = static_cast<std::uint32_t>(tail.size());
            spilled += tail.size();
            // The unit's own figures are its bundle's if it turns out to be its only one (held).
            if (unit && ++seen[*unit] == 1 && o.verified) s.units[*unit].own = figures;
            s.bundles[i] = std::move(o);
          } catch (const std::exception& e) {
            std::lock_guard lock(failure_mutex);
            if (!failed.exchange(true)) failure = e.what();
          }
        }
      });
    }
  }  // the workers join here
  if (failed) throw std::runtime_error(failure);

  for (std::size_t b = 0; b < s.bundles.size(); ++b) {
    if (auto u = roster.find(s.bundles[b].unit)) s.units[*u].bundles.push_back(b);
  }
  for (BundleOutcome& o : s.bundles) {
    if (!roster.find(o.unit)) o.verdict = Verdict::not_in_roster;
  }
  for (std::size_t k = 0; k < units.size(); ++k) {
    UnitReport& u = s.units[k];
    Figures& own = u.own;
    const bool held = units[k].expected && u.bundles.size() == 1 &&
                      s.bundles[u.bundles.front()].verified;
    if (!held) own = Figures{};  // a bundle's figures count only for a held unit
    if (!units[k].expected) {
      u.status = UnitStatus::not_expected;
      for (std::size_t b : u.bundles) s.bundles[b].verdict = Verdict::not_expected;
      continue;
    }
    own.expected = 1;
    if (u.bundles.empty()) {
      u.status = UnitStatus::missing;
      own.missing = 1;
    } else if (u.bundles.size() > 1) {
      u.status = UnitStatus::conflict;
      own.conflict = 1;
      for (std::size_t b : u.bundles) s.bundles[b].verdict = Verdict::conflict;
    } else if (BundleOutcome& o = s.bundles[u.bundles.front()]; o.verified) {
      u.status = UnitStatus::held;
      o.verdict = Verdict::counted;
      own.held = 1;
    } else {
      u.status = UnitStatus::excluded;
      o.verdict = Verdict::excluded;
      own.excluded = 1;
    }
  }
  for (std::size_t k = 0; k < units.size(); ++k) {
    s.units[k].total.add(s.units[k].own);
    for (std::size_t a : roster.ancestors(k)) s.units[a].total.add(s.units[k].own);
    s.totals.add(s.units[k].own);
  }
  return s;
}

}  // namespace tallystation::audit::rollup
