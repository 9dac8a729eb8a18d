#include "tally/tools/rollup_command.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "tally/audit/rollup/roster.hpp"
#include "tally/audit/rollup/season.hpp"
#include "tally/audit/rollup/season_output.hpp"

namespace tallystation::audit {

namespace {

struct RollupCli {
  std::string roster;
  std::string bundles;
  std::string out;
  unsigned jobs = 0;
  bool require_certified = false;
  std::string lang = "en";
};

// The report's time, UTC, to the second: the only clock of the report, read here at the edge.
std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int run_rollup(const RollupCli& o) {
  try {
    const rollup::Roster roster = rollup::read_roster(o.roster);
    namespace fs = std::filesystem;
    const fs::path out(o.out);
    const fs::path nist = out / "results-nist";
    // The report folder must not be one of the bundles (a second run would list it).
    std::error_code ec;
    const fs::path bundles_real = fs::weakly_canonical(o.bundles, ec);
    const fs::path out_real = fs::weakly_canonical(out, ec);
    if (!bundles_real.empty() && !out_real.empty()) {
      const auto [b_end, o_it] = std::mismatch(bundles_real.begin(), bundles_real.end(),
                                               out_real.begin(), out_real.end());
      if (b_end == bundles_real.end()) {
        throw std::runtime_error(out.string() + ": the report folder cannot be inside " +
                                 o.bundles + " (or be it)");
      }
    }
    // The workers write each congress's NIST results while its bundle is at hand, staged in the
    // folder they end in; write_report moves them into place. A run that ends without a report
    // leaves no folder it made. One run at a time writes to a folder (a lock on it).
    const bool out_existed = fs::exists(out);
    const bool nist_existed = fs::exists(nist);
    fs::create_directories(nist);
    const int lock_fd = ::open(out.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
      if (lock_fd >= 0) ::close(lock_fd);
      throw std::runtime_error(out.string() + ": another tally-audit rollup is writing there");
    }
    struct Unlock {
      int fd;
      ~Unlock() { ::close(fd); }  // releases the lock
    } unlock{lock_fd};
    const std::string generated = utc_now();
    rollup::Season season;
    try {
      season = rollup::rollup(roster, o.bundles,
                              rollup::RollupOptions{o.jobs, o.require_certified, nist, generated});
      rollup::write_report(
          season, roster, o.out,
          rollup::ReportOptions{o.bundles, *rollup::parse_lang(o.lang), generated});
    } catch (...) {
      rollup::discard_staged(nist);
      if (!nist_existed) fs::remove(nist, ec);
      if (!out_existed) fs::remove(out, ec);
      throw;
    }
    const rollup::Figures& t = season.totals;
    std::cout << "congresses held " << t.held << " of " << t.expected << "; missing " << t.missing
              << ", excluded " << t.excluded << ", conflict " << t.conflict << "; bundles "
              << season.bundles.size() << "\nreport: " << o.out << "/report.json, " << o.out
              << "/report.csv, " << o.out << "/report.html, " << o.out << "/results-nist/\n";
    return 0;
  } catch (const std::exception& e) {  // the roster, the folder or the report: no report
    std::cerr << "tally-audit rollup: " << e.what() << "\n";
  }
  return 2;
}

}  // namespace

void add_rollup_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RollupCli>();
  CLI::App* sub = app.add_subcommand(
      "rollup", "Verify a folder of audit bundles against a roster and write the season report");
  sub->add_option("--roster", o->roster, "The roster CSV (header unit,name,parent[,expected])")->required();
  sub->add_option("--bundles", o->bundles,
                  "The folder whose subfolders (and .tar files) are audit bundles")
      ->required();
  sub->add_option("--out", o->out,
                  "The folder to write report.json, report.csv, report.html and results-nist/ into")
      ->required();
  sub->add_option("--lang", o->lang, "report.html's language: en (default) or vi")
      ->check(CLI::IsMember({"en", "vi"}));
  sub->add_option("--jobs", o->jobs,
                  "Bundles verified at once (default: the number of hardware threads)")
      ->check(CLI::Range(1u, 1024u));
  sub->add_flag("--require-certified", o->require_certified,
                "As verify --require-certified: an uncertified result fails its bundle");
  sub->callback([o, &exit_code] { exit_code = run_rollup(*o); });
}

}  // namespace tallystation::audit
