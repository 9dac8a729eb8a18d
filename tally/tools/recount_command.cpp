#include "tally/tools/recount_command.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "tally/audit/recount.hpp"
#include "tally/further_round.hpp"
#include "tally/percent.hpp"
#include "tally/wording.hpp"

namespace tallystation::audit {

namespace {

struct RecountOptions {
  std::string contest;
  std::string ballots;
  bool timing = false;
  bool report = false;
};

// A human summary for the counting committee, on stderr (stdout carries only the JSON object).
void print_report(const tally::Contest& c, const tally::Result& r) {
  std::cerr << "contest " << c.id << " round " << r.round << " (" << c.rule_set.name << ", basis "
            << tally::to_string(c.majority_basis) << " = " << r.basis << ", threshold "
            << r.threshold << ")\n";
  std::cerr << "ballots collected " << r.ballots_collected << ", valid " << r.valid << ", invalid "
            << r.invalid;
  for (auto v : {tally::BallotVerdict::too_many_marks, tally::BallotVerdict::unknown_candidate,
                 tally::BallotVerdict::all_crossed_out}) {
    if (r.invalid_by_reason.of(v) != 0) {
      std::cerr << " (" << tally::to_string(v) << " " << r.invalid_by_reason.of(v) << ")";
    }
  }
  std::cerr << "\n";
  for (const auto& e : r.tally) {
    std::cerr << "  " << e.candidate << "  " << e.votes << "  "
              << tally::percent_of(e.votes, r.basis) << "% of basis  " << e.name << "\n";
  }
  const tally::FurtherRound next = tally::further_round(c, r);
  std::cerr << "outcome " << tally::to_string(r.outcome) << ": "
            << tally::render_outcome(tally::outcome_facts(r, next), tally::Language::en) << "\n";
  if (next.step != tally::NextStep::none) {
    std::cerr << "next: " << tally::to_string(next.step);
    if (next.round != 0) {
      std::cerr << " round " << next.round << ", seats " << next.seats << ", alternates "
                << next.alternates << ", eligible " << next.eligible.size();
    }
    std::cerr << "\n";
  }
}

int run_recount(const RecountOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  auto contest = read_contest_file(o.contest);
  if (!contest) {
    std::cerr << contest.error().to_string() << "\n";
    return 2;
  }
  auto stream = std::make_unique<BallotStream>(std::move(*contest), o.ballots);
  if (auto e = stream_file(o.ballots, *stream)) {
    std::cerr << e->to_string() << "\n";
    return 2;
  }
  const tally::Result result = stream->result();
  const auto t1 = std::chrono::steady_clock::now();
  const std::string json = recount_json(result);
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  if (o.report) print_report(stream->contest(), result);
  if (o.timing) {
    struct stat st {};
    const double bytes = ::stat(o.ballots.c_str(), &st) == 0 ? static_cast<double>(st.st_size) : 0;
    const double secs = std::chrono::duration<double>(t1 - t0).count();
    struct rusage ru {};
    ::getrusage(RUSAGE_SELF, &ru);
    std::fprintf(stderr, "timing: lines %llu bytes %.0f seconds %.4f MB/s %.1f max_rss_kb %ld\n",
                 static_cast<unsigned long long>(stream->lines()), bytes, secs,
                 secs > 0 ? bytes / secs / 1e6 : 0.0, ru.ru_maxrss);
  }
  return 0;
}

}  // namespace

void add_recount_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<RecountOptions>();
  CLI::App* sub = app.add_subcommand(
      "recount", "Count a ballots file against a contest file; print the result as JSON");
  sub->add_option("--contest", opts->contest, "contest definition (JSON)")->required();
  sub->add_option("--ballots", opts->ballots, "ballot payloads, one JSON object per line")
      ->required();
  sub->add_flag("--timing", opts->timing, "print throughput figures on stderr");
  sub->add_flag("--report", opts->report, "print a summary for the minutes on stderr");
  sub->callback([opts, &exit_code] { exit_code = run_recount(*opts); });
}

}  // namespace tallystation::audit
