// tally-genballots: writes a deterministic (seeded) synthetic contest and ballots file for
// benchmarks and load tests: `tally-genballots --out DIR --ballots N --candidates C --seats S
// --seed X`. Uses std::mt19937_64 raw output only (its sequence is fixed by the standard), so the
// same arguments give the same bytes everywhere. Most ballots are valid; about 0.5% mark one
// candidate too many and 0.2% cross out every name.

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"tally-genballots: synthetic ballots for benchmarks"};
  std::string out_dir = ".";
  std::uint64_t ballots = 1000000;
  std::uint32_t candidates = 60;
  std::uint32_t seats = 30;
  std::uint64_t seed = 20241010;
  app.add_option("--out", out_dir, "directory for contest.json and ballots.jsonl");
  app.add_option("--ballots", ballots, "number of ballots");
  app.add_option("--candidates", candidates, "number of candidates")->check(CLI::Range(1u, 9999u));
  app.add_option("--seats", seats, "seats")->check(CLI::Range(1u, 9999u));
  app.add_option("--seed", seed, "seed");
  CLI11_PARSE(app, argc, argv);
  if (seats > candidates) seats = candidates;

  auto id = [](std::uint32_t i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "c%03u", i + 1);
    return std::string(buf);
  };

  const std::string contest_path = out_dir + "/contest.json";
  std::FILE* cf = std::fopen(contest_path.c_str(), "wb");
  if (!cf) {
    std::perror(contest_path.c_str());
    return 2;
  }
  std::fprintf(
      cf, "{\"id\":\"bench\",\"title\":\"benchmark contest\",\"seats\":%u,\"candidates\":[", seats);
  for (std::uint32_t i = 0; i < candidates; ++i) {
    std::fprintf(cf, "%s{\"id\":\"%s\",\"name\":\"Candidate %u\"}", i ? "," : "", id(i).c_str(),
                 i + 1);
  }
  std::fprintf(cf,
               "],\"rule_set\":\"cpv-2024\",\"majority_basis\":\"convened\",\"convened\":%llu,"
               "\"excluded\":0,\"present\":%llu}\n",
               static_cast<unsigned long long>(ballots), static_cast<unsigned long long>(ballots));
  std::fclose(cf);

  const std::string ballots_path = out_dir + "/ballots.jsonl";
  std::FILE* bf = std::fopen(ballots_path.c_str(), "wb");
  if (!bf) {
    std::perror(ballots_path.c_str());
    return 2;
  }
  static char iobuf[1 << 20];
  std::setvbuf(bf, iobuf, _IOFBF, sizeof iobuf);
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> stamp(candidates, 0);
  std::vector<std::uint32_t> picks;
  std::string line;
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::uint64_t b = 1; b <= ballots; ++b) {
    const std::uint64_t kind = rng() % 1000;
    std::uint32_t k = seats - std::min<std::uint32_t>(seats, static_cast<std::uint32_t>(rng() % 6));
    if (kind < 5) k = std::min(seats + 1, candidates);  // too many marks
    if (kind >= 5 && kind < 7) k = 0;                   // every name crossed out
    picks.clear();
    while (picks.size() < k) {
      // min of two draws: a skewed preference, so the count has winners and losers
      const auto j = static_cast<std::uint32_t>(std::min(rng() % candidates, rng() % candidates));
      if (stamp[j] == b) continue;
      stamp[j] = b;
      picks.push_back(j);
    }
    line.assign("{\"session\":\"s-2026\",\"contest\":\"bench\",\"round\":1,\"token\":\"");
    std::uint64_t t1 = rng(), t2 = rng();
    for (int i = 0; i < 16; ++i) line += kHex[(t1 >> (i * 4)) & 15];
    for (int i = 0; i < 16; ++i) line += kHex[(t2 >> (i * 4)) & 15];
    line += "\",\"marks\":[";
    for (std::size_t i = 0; i < picks.size(); ++i) {
      if (i) line += ',';
      line += '"';
      line += id(picks[i]);
      line += '"';
    }
    line += "]}\n";
    std::fwrite(line.data(), 1, line.size(), bf);
  }
  if (std::fclose(bf) != 0) {
    std::perror(ballots_path.c_str());
    return 2;
  }
  return 0;
}
