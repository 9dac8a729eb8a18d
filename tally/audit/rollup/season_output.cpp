#include "tally/audit/rollup/season_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <ostream>
#include <sstream>
#include <set>
#include <stdexcept>

#include <boost/json.hpp>

#include "tally/audit/rollup/html_report.hpp"
#include "tally/audit/rollup/nist_results.hpp"
#include "tally/audit/verify/tar_bundle.hpp"
#include "tally/congress/people.hpp"

namespace tallystation::audit::rollup {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

json::array unit_ids(const Season& s, const Roster& roster, UnitStatus status) {
  json::array out;
  for (std::size_t k = 0; k < s.units.size(); ++k) {
    if (s.units[k].status == status) out.emplace_back(roster.units()[k].id);
  }
  return out;
}

std::string csv_field(const std::string& f) {
  if (f.find_first_of(",\"\r\n") == std::string::npos) return f;
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void add_csv_row(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i != 0) out += ',';
    out += csv_field(fields[i]);
  }
  out += "\r\n";  // RFC 4180
}

// Writes `file` under a temporary name in its folder (".<name>.tmp"), not yet synced; `moves`
// records where it goes once everything is durable (commit()).
using Moves = std::vector<std::pair<fs::path, fs::path>>;
void stage(const fs::path& file, const std::function<void(std::ostream&)>& body, Moves& moves) {
  const fs::path tmp = file.parent_path() / ("." + file.filename().string() + ".tmp");
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  body(out);
  out.close();
  if (!out) throw std::runtime_error(tmp.string() + ": cannot write");
  moves.emplace_back(tmp, file);
}

void sync_path(const fs::path& p, bool whole_filesystem) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(p.string() + ": cannot open to sync");
  const int rc = whole_filesystem ? ::syncfs(fd) : ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw std::runtime_error(p.string() + ": cannot sync");
}

bool same_device(const fs::path& a, const fs::path& b) {
  struct stat sa {}, sb {};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev;
}

// Every staged file made durable at once (one syncfs() of the report's file system, and of
// results-nist/'s if it is another; not one fsync per file: a season has thousands of NIST
// files), then each renamed over its final name in the order given, then the folders synced: a
// reader, or a crash, sees each file old or new, never a part.
void commit(const Moves& moves, const fs::path& dir, const fs::path& nist) {
  sync_path(dir, true);
  if (!same_device(dir, nist)) sync_path(nist, true);
  for (const auto& [tmp, file] : moves) {
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec) throw std::runtime_error(file.string() + ": cannot rename into place: " + ec.message());
  }
  sync_path(nist, false);
  sync_path(dir, false);
}

}  // namespace

void write_json(const Season& s, const Roster& roster, std::ostream& out) {
  std::uint64_t by_verdict[5] = {0, 0, 0, 0, 0};
  std::uint64_t failed = 0;
  for (const BundleOutcome& o : s.bundles) {
    ++by_verdict[static_cast<int>(o.verdict)];
    if (!o.verified) ++failed;
  }
  json::array ignored;
  for (const std::string& n : s.ignored) ignored.emplace_back(n);
  const json::object congresses{
      {"expected", s.totals.expected},
      {"held", s.totals.held},
      {"held_percent", congress::percent_1(s.totals.held, s.totals.expected)},
      {"missing", unit_ids(s, roster, UnitStatus::missing)},
      {"excluded", unit_ids(s, roster, UnitStatus::excluded)},
      {"conflict", unit_ids(s, roster, UnitStatus::conflict)}};
  const json::object counts{
      {"found", s.bundles.size()},
      {"counted", by_verdict[static_cast<int>(Verdict::counted)]},
      {"excluded", by_verdict[static_cast<int>(Verdict::excluded)]},
      {"conflict", by_verdict[static_cast<int>(Verdict::conflict)]},
      {"not_in_roster", by_verdict[static_cast<int>(Verdict::not_in_roster)]},
      {"not_expected", by_verdict[static_cast<int>(Verdict::not_expected)]},
      {"failed_verification", failed},
      {"ignored", std::move(ignored)}};
  // One unit and one bundle at a time: a season of thousands of units is never one JSON tree in
  // memory.
  out << "{\"congresses\":" << json::serialize(congresses)
      << ",\"bundle_counts\":" << json::serialize(counts)
      << ",\"totals\":" << json::serialize(to_json(s.totals)) << ",\"units\":[";
  for (std::size_t k = 0; k < s.units.size(); ++k) {
    const Unit& u = roster.units()[k];
    const UnitReport& r = s.units[k];
    json::array dirs;
    for (std::size_t b : r.bundles) dirs.emplace_back(s.bundles[b].dir);
    std::string text = k == 0 ? "{" : ",{";
    text += "\"unit\":" + json::serialize(json::value(u.id));
    text += ",\"name\":" + json::serialize(json::value(u.name));
    text += ",\"parent\":" +
            (u.parent.empty() ? std::string("null") : json::serialize(json::value(u.parent)));
    text += ",\"status\":\"" + std::string(to_string(r.status)) + "\"";
    text += ",\"bundles\":" + json::serialize(dirs);
    text += ",\"own\":";
    append_json(r.own, text);
    text += ",\"total\":";
    append_json(r.total, text);
    text += '}';
    out << text;
  }
  out << "],\"bundles\":[";
  for (std::size_t b = 0; b < s.bundles.size(); ++b) {
    if (b != 0) out << ',';
    out << s.bundle_entry(b);
  }
  out << "]}\n";
}

std::string render_json(const Season& s, const Roster& roster) {
  std::ostringstream out;
  write_json(s, roster, out);
  return std::move(out).str();
}

std::string render_csv(const Season& s, const Roster& roster) {
  std::string out;
  std::vector<std::string> header = {"unit", "name", "parent", "status", "failed_check"};
  for (std::string& c : csv_columns()) header.push_back(std::move(c));
  add_csv_row(out, header);
  for (std::size_t k = 0; k < s.units.size(); ++k) {
    const Unit& u = roster.units()[k];
    const UnitReport& r = s.units[k];
    std::string failed;
    if (r.status == UnitStatus::excluded) failed = s.bundles[r.bundles.front()].failed_check;
    std::vector<std::string> row = {u.id, u.name, u.parent, std::string(to_string(r.status)),
                                    failed};
    for (std::string& f : to_csv_row(r.total)) row.push_back(std::move(f));
    add_csv_row(out, row);
  }
  return out;
}

void write_report(const Season& s, const Roster& roster, const fs::path& dir,
                  const ReportOptions& options) {
  const fs::path nist = dir / "results-nist";
  std::error_code ec;
  fs::create_directories(nist, ec);
  if (ec) throw std::runtime_error(nist.string() + ": cannot create: " + ec.message());
  Moves reports;  // report.json last: its rename marks the new report
  Moves nists;
  try {
    stage(dir / "report.csv", [&](std::ostream& out) { out << render_csv(s, roster); }, reports);
    stage(dir / "report.html",
          [&](std::ostream& out) {
            out << render_html(s, roster, options.lang, options.generated);
          },
          reports);
    stage(dir / "report.json", [&](std::ostream& out) { write_json(s, roster, out); }, reports);
    std::set<std::string> written;
    for (std::size_t k = 0; k < s.units.size(); ++k) {
      if (s.units[k].status != UnitStatus::held) continue;
      const Unit& u = roster.units()[k];
      const BundleOutcome& o = s.bundles[s.units[k].bundles.front()];
      const std::string name = u.id + ".json";
      if (!o.nist_error.empty()) throw std::runtime_error(o.nist_error);
      if (!o.nist_file.empty()) {  // rendered by the worker that verified the bundle
        nists.emplace_back(o.nist_file, nist / name);
      } else {
        stage(nist / name,
              [&](std::ostream& out) {
                const verify::BundleDir bundle(options.bundles / o.dir);  // a tar: unpacked again
                out << render_nist(bundle.path(), o, u, NistContext{options.generated});
              },
              nists);
      }
      written.insert(name);
    }
    Moves all = nists;
    all.insert(all.end(), reports.begin(), reports.end());
    commit(all, dir, nist);
    reports.clear();
    nists.clear();
    // Then, the report in place: a unit held in an earlier run of the same --out but not now must
    // not keep its old file, and staged files not used (bundles not counted, an earlier run's)
    // go. A failure here leaves a stray file, never a wrong report: not fatal.
    for (const auto& e : fs::directory_iterator(nist, ec)) {
      const std::string name = e.path().filename().string();
      const bool stale = name.ends_with(".json") && !name.starts_with(".") && !written.contains(name);
      const bool staged = name.starts_with(".") && name.ends_with(".tmp");
      if (stale || staged) fs::remove(e.path(), ec);
    }
  } catch (...) {
    for (const auto& [tmp, file] : reports) fs::remove(tmp, ec);
    for (const auto& [tmp, file] : nists) fs::remove(tmp, ec);
    discard_staged(nist);
    throw;
  }
}

void discard_staged(const fs::path& nist) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(nist, ec)) {
    if (e.path().filename().string().starts_with(".nist-")) fs::remove(e.path(), ec);
  }
}

}  // namespace tallystation::audit::rollup
