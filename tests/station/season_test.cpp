// tallystation-genseason (docs/audit.md "A generated season"): a small season's bundles all verify
// and are counted by `tally-audit rollup`, the roster groups them as documented, every district
// congress has three rounds, and the same seed gives the same roster, people, votes and figures.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core_fixture.hpp"

using namespace tallystation::station::testing;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

int run(const std::string& command, const fs::path& log) {
  const std::string line = command + " > '" + log.string() + "' 2>&1";
  const int status = std::system(line.c_str());
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

int generate(const fs::path& out, const std::string& extra, const fs::path& log) {
  return run(std::string("'") + GENSEASON_PATH + "' --out '" + out.string() +
                 "' --provinces 2 --districts 6 --cells 30 --delegates 64 --jobs 2 " + extra,
             log);
}

json::object payload_of(const fs::path& minutes) {
  const json::object env = json::parse(read_file(minutes)).as_object();
  std::string payload;
  const std::string b64(env.at("payload").as_string());
  // Standard base64, no line breaks (DSSE).
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  unsigned buf = 0;
  int bits = 0;
  for (char c : b64) {
    if (c == '=') break;
    buf = (buf << 6) | static_cast<unsigned>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      payload += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return json::parse(payload).as_object();
}

struct Season {
  fs::path dir = temp_dir("season");
  Season() {
    REQUIRE(generate(dir / "a", "--seed 7", dir / "gen-a.txt") == 0);
    REQUIRE(generate(dir / "b", "--seed 7", dir / "gen-b.txt") == 0);
    REQUIRE(run(std::string("'") + TALLY_AUDIT_PATH + "' rollup --roster '" +
                    (dir / "a/roster.csv").string() + "' --bundles '" +
                    (dir / "a/bundles").string() + "' --out '" + (dir / "report-a").string() +
                    "' --jobs 2",
                dir / "rollup-a.txt") == 0);
    REQUIRE(run(std::string("'") + TALLY_AUDIT_PATH + "' rollup --roster '" +
                    (dir / "b/roster.csv").string() + "' --bundles '" +
                    (dir / "b/bundles").string() + "' --out '" + (dir / "report-b").string() +
                    "' --jobs 1",
                dir / "rollup-b.txt") == 0);
  }
  ~Season() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  static Season& get() {
    static Season s;
    return s;
  }
  json::object report(const char* which) const {
    return json::parse(read_file(dir / which / "report.json")).as_object();
  }
};

std::set<std::string> bundle_names(const fs::path& bundles) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(bundles)) out.insert(e.path().filename().string());
  return out;
}

}  // namespace

TEST_CASE("a generated season verifies whole and is counted up its roster", "[season]") {
  Season& s = Season::get();
  const json::object report = s.report("report-a");
  INFO(read_file(s.dir / "rollup-a.txt"));
  const std::set<std::string> bundles = bundle_names(s.dir / "a/bundles");
  REQUIRE(bundles.size() >= 30);  // of 36, about one in a hundred missing

  const json::object& counts = report.at("bundle_counts").as_object();
  CHECK(counts.at("found") == bundles.size());
  CHECK(counts.at("counted") == bundles.size());
  CHECK(counts.at("failed_verification") == 0);
  CHECK(counts.at("not_expected") == 0);
  CHECK(counts.at("not_in_roster") == 0);

  // The roster: the country and two provinces group, six districts and thirty cells expected.
  const std::string roster = read_file(s.dir / "a/roster.csv");
  CHECK(roster.starts_with("unit,name,parent,expected\r\nvn,Cả nước,,no\r\np01,Tỉnh p01,vn,no\r\n"));
  CHECK(roster.find("\r\nd0003,Huyện d0003,p01,yes\r\n") != std::string::npos);
  CHECK(roster.find("\r\nc00008,Chi bộ c00008,d0002,yes\r\n") != std::string::npos);
  const json::object& congresses = report.at("congresses").as_object();
  CHECK(congresses.at("expected") == 36);
  CHECK(congresses.at("held") == bundles.size());
  std::set<std::string> missing;
  for (const auto& m : congresses.at("missing").as_array())
    missing.insert(std::string(m.as_string()));
  CHECK(missing.size() + bundles.size() == 36);
  for (const auto& m : missing) CHECK_FALSE(bundles.contains(m));
  for (const auto& u : report.at("units").as_array()) {
    const std::string id(u.at("unit").as_string());
    if (id == "vn" || id == "p01" || id == "p02") CHECK(u.at("status") == "not_expected");
  }

  // Every district: three rounds; the secretary elected directly, or the committee in two rounds.
  std::uint64_t districts = 0, direct = 0, cells = 0;
  for (const std::string& b : bundles) {
    const fs::path rounds = s.dir / "a/bundles" / b / "rounds";
    std::uint64_t n = 0;
    for (const auto& contest : fs::directory_iterator(rounds))
      for ([[maybe_unused]] const auto& r : fs::directory_iterator(contest.path())) ++n;
    if (b.starts_with("d")) {
      ++districts;
      CHECK(n == 3);
      const bool secretary = fs::exists(rounds / "secretary/1/minutes.json");
      direct += secretary ? 1 : 0;
      CHECK(fs::exists(rounds / "committee/2") == !secretary);
      // Every contest complete: the committee's last minutes elect every seat.
      const json::object last =
          payload_of(rounds / "committee" / (secretary ? "1" : "2") / "minutes.json");
      CHECK(last.at("next_step").at("step") == "none");
      CHECK(last.at("elected_so_far").as_array().size() ==
            static_cast<std::size_t>(payload_of(rounds / "committee/1/minutes.json")
                                         .at("seats")
                                         .as_int64()));
    } else {
      ++cells;
      CHECK(n == 1);
    }
  }
  const json::object& totals = report.at("totals").as_object();
  CHECK(totals.at("contests_not_complete") == 0);
  const json::object& bodies = totals.at("bodies").as_object();
  CHECK(bodies.at("committee").at("contests") == districts);
  CHECK(bodies.at("delegates").at("contests") == districts);
  CHECK(bodies.at("secretary").at("contests") == cells + direct);
  CHECK(bodies.at("secretary").at("elected") == cells + direct);
  CHECK(totals.at("units_without_secretary") == districts - direct);
  // Every one elected is described by the register.
  CHECK(bodies.at("committee").at("described") == bodies.at("committee").at("elected"));
  CHECK(bodies.at("committee").at("plan").at("contests") == districts);
  // NIST results for every held unit.
  for (const std::string& b : bundles) CHECK(fs::exists(s.dir / "report-a/results-nist" / (b + ".json")));
}

TEST_CASE("the same seed gives the same season, but for the keys", "[season]") {
  Season& s = Season::get();
  CHECK(read_file(s.dir / "a/roster.csv") == read_file(s.dir / "b/roster.csv"));
  const std::set<std::string> a = bundle_names(s.dir / "a/bundles");
  CHECK(a == bundle_names(s.dir / "b/bundles"));
  for (const std::string& b : a) {
    json::object sa = json::parse(read_file(s.dir / "a/bundles" / b / "session.json")).as_object();
    json::object sb = json::parse(read_file(s.dir / "b/bundles" / b / "session.json")).as_object();
    CHECK(sa.at("register") == sb.at("register"));
    CHECK(sa.at("contests") == sb.at("contests"));
    CHECK(sa.at("officials") != sb.at("officials"));  // fresh keys
  }
  // The figures do not depend on the keys, nor on the number of jobs.
  json::object ra = s.report("report-a");
  json::object rb = s.report("report-b");
  CHECK(ra.at("totals") == rb.at("totals"));
  CHECK(ra.at("units") == rb.at("units"));
}

TEST_CASE("tallystation-genseason refuses what it cannot do", "[season]") {
  Season& s = Season::get();
  CHECK(run(std::string("'") + GENSEASON_PATH + "' --out '" + (s.dir / "x").string() +
                "' --districts 0 --cells 5",
            s.dir / "bad1.txt") == 2);
  CHECK(read_file(s.dir / "bad1.txt").find("--cells needs at least one district") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(s.dir / "x"));
  CHECK(run(std::string("'") + GENSEASON_PATH + "' --out '" + (s.dir / "x").string() +
                "' --delegates 63",
            s.dir / "bad3.txt") == 2);  // fewer than the candidates it draws from the roll
  CHECK_FALSE(fs::exists(s.dir / "x"));
  CHECK(generate(s.dir / "a", "", s.dir / "bad2.txt") == 1);  // exists
  CHECK(read_file(s.dir / "bad2.txt").find("already exists") != std::string::npos);
}
