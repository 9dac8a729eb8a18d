#include "tally/tools/rollup_command.hpp"

#include <chrono>
#include <ctime>
#include <exception>
#include <iostream>
#include <memory>
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
    const rollup::Season season =
        rollup::rollup(roster, o.bundles, rollup::RollupOptions{o.jobs, o.require_certified});
    rollup::write_report(season, roster, o.out,
                         rollup::ReportOptions{o.bundles, *rollup::parse_lang(o.lang), utc_now()});
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
  sub->add_option("--roster", o->roster, "The roster CSV (header unit,name,parent)")->required();
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
