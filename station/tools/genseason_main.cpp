// tallystation-genseason: writes a realistic congress season (docs/audit.md "A generated
// season") for `tally-audit rollup`'s tests and benchmark: a roster (the country, its provinces,
// the districts and the Party cells) and one audit bundle per congress held, each with a
// register of people, its roll, and every round voted, counted and countersigned
// (station/tools/bundle_writer.hpp). Seeded: the same options give the same roster, people,
// votes and tokens (keys are fresh, so signatures differ from run to run).
//
//   DIR/roster.csv            unit,name,parent,expected (the country and provinces: expected no)
//   DIR/bundles/<unit>/       one bundle per congress held (the unit is its session id)
//
// A district congress: `--delegates` delegates (300) on the roll, a few absent; it elects the
// executive committee, its delegates to the provincial congress and, in about one district in
// ten, the secretary directly from the committee just elected. Three rounds each: where the
// secretary is not elected directly, the committee's first round leaves two seats unfilled and a
// further round fills them. A cell congress: `--cell-members` members (15), electing the
// secretary directly in one round. About one unit in a hundred holds no congress (listed in the
// roster, no bundle).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "station/tools/bundle_writer.hpp"

using namespace tallystation;
using namespace tallystation::station::tools;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

struct Options {
  std::string out;
  std::uint32_t provinces = 63;
  std::uint32_t districts = 1311;
  std::uint32_t cells = 10000;
  std::uint32_t delegates = 300;
  std::uint32_t cell_members = 15;
  std::uint32_t missing_permille = 10;
  std::uint64_t seed = 20250610;
  unsigned jobs = 0;
};

constexpr const char* kFamily[] = {"Nguyễn", "Trần", "Lê",  "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
                                   "Võ",     "Đặng", "Bùi", "Đỗ",   "Hồ",    "Ngô",   "Dương", "Lý"};
constexpr const char* kMiddleMale[] = {"Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Công"};
constexpr const char* kMiddleFemale[] = {"Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh"};
constexpr const char* kGivenMale[] = {"An",   "Bình", "Dũng", "Hải", "Hùng", "Long", "Nam",
                                      "Phong", "Quân", "Sơn",  "Tâm", "Tuấn", "Việt", "Khoa"};
constexpr const char* kGivenFemale[] = {"Chi",  "Hà",   "Hạnh", "Hoa",   "Lan", "Linh", "Mai",
                                        "Ngọc", "Thảo", "Trang", "Vân",  "Yến", "Hương", "Nga"};
constexpr const char* kMinorities[] = {"Tày", "Thái", "Mường", "Khmer", "Hoa",
                                       "Nùng", "H'Mông", "Dao", "Gia Rai", "Ê Đê"};

template <std::size_t N>
const char* pick(const char* const (&list)[N], std::mt19937_64& rng) {
  return list[rng() % N];
}

double uniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

std::string padded(std::uint64_t n, int width) {
  std::string s = std::to_string(n);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))),
                     '0') +
         s;
}

std::string province_id(std::uint32_t p) { return "p" + padded(p, 2); }
std::string district_id(std::uint32_t d) { return "d" + padded(d, 4); }
std::string cell_id(std::uint32_t c) { return "c" + padded(c, 5); }

// The province of district d (1-based) and the district of cell c.
std::uint32_t province_of(const Options& o, std::uint32_t d) { return (d - 1) % o.provinces + 1; }
std::uint32_t district_of(const Options& o, std::uint32_t c) { return (c - 1) % o.districts + 1; }

struct PersonSpec {
  std::string id;
  json::object json;
};

// A person born so that they are between min_age and max_age on the congress date (2025-06-10
// for districts, 2025-03-15 for cells); women with probability `women`, an ethnic minority with
// probability `minority`, from elsewhere with probability `non_local`.
json::object make_person(const std::string& id, std::mt19937_64& rng, int min_age, int max_age,
                         double women, double minority, double non_local) {
  const bool female = uniform(rng) < women;
  const int age = min_age + static_cast<int>(rng() % static_cast<std::uint64_t>(max_age - min_age + 1));
  const int year = 2025 - age - 1;  // born after the congress date's day of the year: age holds
  const int month = 7 + static_cast<int>(rng() % 6);
  const int day = 1 + static_cast<int>(rng() % 28);
  char date[16];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day);
  std::string name = std::string(pick(kFamily, rng)) + " " +
                     (female ? pick(kMiddleFemale, rng) : pick(kMiddleMale, rng)) + " " +
                     (female ? pick(kGivenFemale, rng) : pick(kGivenMale, rng));
  return json::object{{"id", id},
                      {"name", name},
                      {"birth_date", date},
                      {"sex", female ? "female" : "male"},
                      {"ethnic_group", uniform(rng) < minority ? pick(kMinorities, rng) : "Kinh"},
                      {"local", !(uniform(rng) < non_local)}};
}

json::array id_array(const std::vector<std::string>& ids) {
  json::array a;
  for (const auto& s : ids) a.emplace_back(s);
  return a;
}

json::array candidates_of(const json::array& people, const std::vector<std::string>& ids) {
  json::array out;
  for (const auto& id : ids) {
    for (const auto& p : people) {
      if (p.at("id").as_string() == id) {
        out.push_back(json::object{{"id", id}, {"name", p.at("name")}});
        break;
      }
    }
  }
  return out;
}

// Marks: each candidate of the round's ballot with its own probability of support (`support`,
// by id; absent: `otherwise`), at most `seats` marks (a voter keeps no more names than seats).
BundleWriter::Marker marker(std::map<std::string, double> support, double otherwise) {
  return [support = std::move(support), otherwise](const congress::RoundBallot& ballot,
                                                    std::mt19937_64& rng) {
    std::vector<std::string> marks;
    for (const tally::Candidate& c : ballot.candidates) {
      auto it = support.find(c.id);
      const double p = it != support.end() ? it->second : otherwise;
      if (uniform(rng) < p) marks.push_back(c.id);
    }
    if (marks.size() > ballot.seats) marks.resize(ballot.seats);
    return marks;
  };
}

// The roll recorded at the opening: everyone present but those drawn absent (each with
// probability `absent`), with the congress kind's plain category "absent".
std::uint64_t record_roll(BundleWriter& w, const std::vector<std::string>& roll, double absent,
                          std::mt19937_64& rng) {
  json::array present;
  json::array away;
  for (const auto& id : roll) {
    if (uniform(rng) < absent) {
      away.push_back(json::object{{"person", id}, {"category", "absent"}});
    } else {
      present.emplace_back(id);
    }
  }
  const std::uint64_t n = present.size();
  json::object args{{"present", std::move(present)}};
  if (!away.empty()) args["absent"] = std::move(away);
  w.command("record_roll", std::move(args));
  return n;
}

json::object base_session(const std::string& id, const std::string& title, const char* kind,
                          const char* date, std::uint32_t convened, const CongressKeys& keys) {
  json::object s{{"id", id},
                 {"title", title},
                 {"organisation", "The Party"},
                 {"congress_kind", kind},
                 {"convened", convened},
                 {"congress_date", date},
                 {"language", "vi"}};
  add_key_members(s, keys);
  return s;
}

void district_congress(const Options& o, std::uint32_t d, const fs::path& out) {
  std::mt19937_64 rng(o.seed * 1000003u + d);
  const std::string id = district_id(d);
  const std::uint32_t p = province_of(o, d);
  // Mountain provinces (one in six) have many more ethnic-minority delegates.
  const double minority = p % 6 == 1 ? 0.45 : 0.06;
  const bool direct_secretary = rng() % 10 == 0;
  const std::uint32_t seats = 25 + static_cast<std::uint32_t>(rng() % 11);  // 25..35
  const std::uint32_t committee_candidates = seats + 3 + static_cast<std::uint32_t>(rng() % 4);
  const std::uint32_t delegate_seats = 10 + static_cast<std::uint32_t>(rng() % 11);
  const std::uint32_t delegate_candidates = delegate_seats + 2;

  json::array people;
  std::vector<std::string> roll;
  for (std::uint32_t i = 1; i <= o.delegates; ++i) {
    const std::string pid = "d" + padded(i, 3);
    // The committee's candidates (the first ones) are older and more often from elsewhere.
    const bool candidate = i <= committee_candidates;
    people.push_back(candidate ? make_person(pid, rng, 33, 59, 0.20, minority, 0.10)
                               : make_person(pid, rng, 28, 62, 0.30, minority, 0.03));
    roll.push_back(pid);
  }
  std::vector<std::string> committee(roll.begin(), roll.begin() + committee_candidates);
  // Those the delegates support: all but three or more of the list; the plan names the first
  // `seats`, so one planned candidate falls short where a later one is supported instead.
  std::vector<std::string> supported(committee.begin(), committee.begin() + seats);
  std::vector<std::string> plan = supported;
  if (rng() % 2 == 0) supported[seats - 1] = committee[seats];
  // Incumbents: three in four of those supported, one in three of the others.
  std::vector<std::string> incumbents;
  for (const auto& c : committee) {
    const bool backed = std::find(supported.begin(), supported.end(), c) != supported.end();
    if (uniform(rng) < (backed ? 0.75 : 0.33)) incumbents.push_back(c);
  }
  // The delegates to the provincial congress: people after the committee's candidates.
  std::vector<std::string> delegates_list(roll.begin() + committee_candidates,
                                          roll.begin() + committee_candidates + delegate_candidates);

  const CongressKeys keys;
  json::object s = base_session(id, "Đại hội Đảng bộ huyện " + id + " nhiệm kỳ 2025-2030",
                                "delegates", "2025-06-10", o.delegates, keys);
  s["register"] = json::object{{"people", people}, {"roll", id_array(roll)}};
  json::array contests{
      json::object{{"id", "committee"},
                   {"title", "Ban Chấp hành Đảng bộ huyện"},
                   {"seats", seats},
                   {"candidates", candidates_of(people, committee)},
                   {"office", "committee"},
                   {"incumbents", id_array(incumbents)},
                   {"personnel_plan", id_array(plan)}},
      json::object{{"id", "delegates"},
                   {"title", "Đoàn đại biểu dự Đại hội Đảng bộ tỉnh"},
                   {"seats", delegate_seats},
                   {"candidates", candidates_of(people, delegates_list)},
                   {"office", "delegates"}}};
  // The secretary stands among the first supported; an incumbent four times in five.
  const std::string secretary = supported[rng() % 3];
  const std::string runner_up = supported[3 + rng() % 3];
  if (direct_secretary) {
    json::array sec_incumbents;
    if (rng() % 5 != 0) sec_incumbents.emplace_back(secretary);
    contests.push_back(json::object{{"id", "secretary"},
                                    {"title", "Bí thư Huyện ủy"},
                                    {"seats", 1},
                                    {"elect_from", "committee"},
                                    {"office", "secretary"},
                                    {"incumbents", std::move(sec_incumbents)}});
  }
  s["contests"] = std::move(contests);

  BundleWriter w(out, json::serialize(s), keys);
  w.command("enrol_terminal", {{"terminal", "t1"}});
  const std::uint64_t present = record_roll(w, roll, 0.02, rng);
  const std::string token_seed = std::to_string(o.seed) + ":" + id;

  // The committee: where the secretary is not elected directly, the last two supported fall
  // short in round 1 and are elected in the further round.
  std::map<std::string, double> support;
  const std::size_t strong = direct_secretary ? supported.size() : supported.size() - 2;
  for (std::size_t i = 0; i < supported.size(); ++i)
    support[supported[i]] = i < strong ? 0.70 + 0.25 * uniform(rng) : 0.25;
  w.round("committee", 1, present, {}, marker(support, 0.20), rng, token_seed);
  if (!direct_secretary) {
    std::map<std::string, double> second;
    for (std::size_t i = strong; i < supported.size(); ++i) second[supported[i]] = 0.85;
    w.round("committee", 2, present, {}, marker(second, 0.10), rng, token_seed);
  }
  std::map<std::string, double> backing;
  for (std::uint32_t i = 0; i < delegate_seats; ++i) backing[delegates_list[i]] = 0.80;
  w.round("delegates", 1, present, {}, marker(backing, 0.25), rng, token_seed);
  if (direct_secretary) {
    w.round("secretary", 1, present,
            {{"candidates", json::array{json::value(secretary), json::value(runner_up)}}},
            marker({{secretary, 0.85}}, 0.10), rng, token_seed);
  }
  w.finish();
}

void cell_congress(const Options& o, std::uint32_t c, const fs::path& out) {
  std::mt19937_64 rng(o.seed * 1000033u + 7919u * c);
  const std::string id = cell_id(c);
  json::array people;
  std::vector<std::string> roll;
  const double minority = province_of(o, district_of(o, c)) % 6 == 1 ? 0.45 : 0.06;
  for (std::uint32_t i = 1; i <= o.cell_members; ++i) {
    const std::string pid = "m" + padded(i, 2);
    people.push_back(make_person(pid, rng, 22, 70, 0.35, minority, 0.02));
    roll.push_back(pid);
  }
  const std::vector<std::string> candidates{roll[0], roll[1]};
  const std::string secretary = candidates[rng() % 2];
  const CongressKeys keys;
  json::object s = base_session(id, "Đại hội Chi bộ " + id + " nhiệm kỳ 2025-2027", "members",
                                "2025-03-15", o.cell_members, keys);
  s["register"] = json::object{{"people", people}, {"roll", id_array(roll)}};
  json::array incumbents;
  if (rng() % 3 != 0) incumbents.emplace_back(secretary);
  s["contests"] = json::array{json::object{{"id", "secretary"},
                                           {"title", "Bí thư Chi bộ"},
                                           {"seats", 1},
                                           {"candidates", candidates_of(people, candidates)},
                                           {"office", "secretary"},
                                           {"incumbents", std::move(incumbents)}}};
  BundleWriter w(out, json::serialize(s), keys);
  w.command("enrol_terminal", {{"terminal", "t1"}});
  const std::uint64_t present = record_roll(w, roll, 0.03, rng);
  w.round("secretary", 1, present, {}, marker({{secretary, 0.95}}, 0.05), rng,
          std::to_string(o.seed) + ":" + id);
  w.finish();
}

// Whether unit number `n` of a kind (salt) holds no congress: about `permille` in a thousand.
bool missing(const Options& o, std::uint64_t salt, std::uint32_t n) {
  std::mt19937_64 rng(o.seed ^ (salt * 0x9e3779b97f4a7c15ull + n));
  return rng() % 1000 < o.missing_permille;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

int run(const Options& o) {
  const fs::path out(o.out);
  if (fs::exists(out)) throw std::runtime_error(out.string() + ": already exists");
  fs::create_directories(out / "bundles");
  {
    std::ofstream roster(out / "roster.csv", std::ios::binary);
    // The country and the provinces only group the units below them: this season's congresses
    // are the districts' and the cells'.
    roster << "unit,name,parent,expected\r\n";
    roster << "vn,Cả nước,,no\r\n";
    for (std::uint32_t p = 1; p <= o.provinces; ++p)
      roster << province_id(p) << "," << csv_field("Tỉnh " + province_id(p)) << ",vn,no\r\n";
    for (std::uint32_t d = 1; d <= o.districts; ++d)
      roster << district_id(d) << "," << csv_field("Huyện " + district_id(d)) << ","
             << province_id(province_of(o, d)) << ",yes\r\n";
    for (std::uint32_t c = 1; c <= o.cells; ++c)
      roster << cell_id(c) << "," << csv_field("Chi bộ " + cell_id(c)) << ","
             << district_id(district_of(o, c)) << ",yes\r\n";
    if (!roster) throw std::runtime_error("roster.csv: cannot be written");
  }
  // Work items: districts first (the big ones), then cells.
  std::vector<std::pair<bool, std::uint32_t>> work;
  for (std::uint32_t d = 1; d <= o.districts; ++d)
    if (!missing(o, 1, d)) work.emplace_back(true, d);
  for (std::uint32_t c = 1; c <= o.cells; ++c)
    if (!missing(o, 2, c)) work.emplace_back(false, c);
  const unsigned jobs = o.jobs != 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::string error;
  std::mutex error_mutex;
  {
    std::vector<std::jthread> workers;
    for (unsigned j = 0; j < jobs; ++j) {
      workers.emplace_back([&] {
        for (std::size_t i = next++; i < work.size() && !failed; i = next++) {
          const auto [district, n] = work[i];
          try {
            if (district) {
              district_congress(o, n, out / "bundles" / district_id(n));
            } else {
              cell_congress(o, n, out / "bundles" / cell_id(n));
            }
          } catch (const std::exception& e) {
            std::lock_guard lock(error_mutex);
            if (!failed.exchange(true)) error = e.what();
          }
        }
      });
    }
  }
  if (failed) throw std::runtime_error(error);
  std::size_t districts_held = 0;
  for (const auto& [district, n] : work) districts_held += district ? 1 : 0;
  std::cout << "wrote " << work.size() << " bundles (" << districts_held << " of " << o.districts
            << " districts, " << work.size() - districts_held << " of " << o.cells
            << " cells) and a roster of " << 1 + o.provinces + o.districts + o.cells
            << " units to " << out.string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tallystation-genseason: a congress season of audit bundles and its roster"};
  Options o;
  app.add_option("--out", o.out, "The folder to create (roster.csv, bundles/)")->required();
  app.add_option("--provinces", o.provinces, "Provinces")->check(CLI::Range(1, 99));
  app.add_option("--districts", o.districts, "District congresses")->check(CLI::Range(0, 9999));
  app.add_option("--cells", o.cells, "Party cell congresses")->check(CLI::Range(0, 99999));
  // At least the committee's candidates (up to 41) and the delegates' (up to 22), who are all
  // delegates themselves.
  app.add_option("--delegates", o.delegates, "Delegates of a district congress (64 or more)")
      ->check(CLI::Range(64, 100000));
  app.add_option("--cell-members", o.cell_members, "Members of a cell")->check(CLI::Range(3, 99));
  app.add_option("--missing-permille", o.missing_permille,
                 "Units in a thousand that hold no congress")
      ->check(CLI::Range(0, 1000));
  app.add_option("--seed", o.seed, "Seed of the people, votes and tokens");
  app.add_option("--jobs", o.jobs, "Threads (0: every core)")->check(CLI::Range(0, 256));
  try {
    app.parse(argc, argv);
    if (o.cells > 0 && o.districts == 0)
      throw CLI::ValidationError("--cells needs at least one district to belong to");
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "tallystation-genseason: " << e.what() << "\n";
    return 1;
  }
}
