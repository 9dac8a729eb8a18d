// Audit bundles given as tar files (docs/audit.md "Bundles as tar files"): a real exported
// bundle tarred by GNU tar in each format verifies exactly as its directory does; hostile
// archives written here header by header are each refused with their own message, nothing is
// written outside the private extraction folder, and that folder is gone once the BundleDir is;
// `tally-audit verify` and `receipt` take a tar, and the season rollup reads *.tar files.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core_fixture.hpp"
#include "crypto/hash.hpp"
#include "exported_bundle.hpp"
#include "rollup_options.hpp"
#include "station/ctl/audit_bundle.hpp"
#include "tally/audit/rollup/season.hpp"
#include "tally/audit/verify/tar_bundle.hpp"
#include "tally/audit/verify/tar_reader.hpp"
#include "tally/audit/verify/verifier.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;
namespace fs = std::filesystem;
namespace json = boost::json;
namespace rollup = tallystation::audit::rollup;
namespace verify = tallystation::audit::verify;

namespace {

// One congress (contest cc, four ballots, closed), exported once per test binary, and the first
// ballot's receipt.
struct TarFixture : ExportedBundle {
  fs::path receipt;

  TarFixture() : ExportedBundle(temp_dir("tar")), receipt(dir / "receipt.json") {
    Station s("tar-src");
    const std::vector<std::string> tokens = s.open_cc(6);
    Station::expect_ok(s.command("record_attendance", {{"present", 290}}));
    const std::vector<std::vector<std::string>> marks = {
        {"c1", "c2", "c3"}, {"c1", "c2", "c4"}, {"c2", "c3", "c5"}, {}};
    for (std::size_t i = 0; i < marks.size(); ++i) {
      auto r = s.ballot(tokens[i], marks[i]);
      REQUIRE(r.status == 200);
      if (i == 0) write_file(receipt, r.body);
    }
    Station::expect_ok(s.command("close_round", {{"contest", "cc"}, {"round", 1}}));
    REQUIRE(ctl::export_bundle(s.data(), bundle).has_value());
  }
  static TarFixture& get() {
    static TarFixture f;
    return f;
  }
};

void run(const std::string& line) {
  INFO(line);
  REQUIRE(std::system(line.c_str()) == 0);
}

std::string q(const fs::path& p) {
  return "'" + p.string() + "'";
}

// A folder of the test's own as $TMPDIR (so std::filesystem::temp_directory_path()) while it
// lives; the previous value is put back after.
struct OwnTmpdir {
  fs::path path;
  std::optional<std::string> before;

  explicit OwnTmpdir(const std::string& name) : path(TarFixture::get().dir / name) {
    fs::remove_all(path);
    fs::create_directories(path);
    if (const char* t = std::getenv("TMPDIR")) before = t;
    ::setenv("TMPDIR", path.c_str(), 1);
  }
  ~OwnTmpdir() {
    if (before) {
      ::setenv("TMPDIR", before->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }
  bool empty() const { return fs::is_empty(path); }
};

// The message of the UnreadableBundle that opening `archive` throws, or "" if it opens.
std::string refusal(const fs::path& archive) {
  try {
    verify::BundleDir d(archive);
  } catch (const verify::UnreadableBundle& e) {
    return e.what();
  }
  return "";
}

int mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 07777);
}

// Archives written by hand: POSIX ustar headers (IEEE Std 1003.1, pax "ustar Interchange
// Format"), the checksum the unsigned sum of the header's bytes with its own field as spaces.
// Sets the checksum of the header that starts `h`.
void set_checksum(std::string& h) {
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (std::size_t i = 0; i < 512; ++i) sum += static_cast<unsigned char>(h[i]);
  char field[8];
  std::snprintf(field, sizeof field, "%06o", sum);
  std::memcpy(h.data() + 148, field, 7);  // six digits and a NUL, then the space
}

std::string header(const std::string& name, char type, std::uint64_t size,
                   const std::string& link = "") {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  std::memcpy(h.data() + 100, "0000644", 7);
  std::memcpy(h.data() + 108, "0000000", 7);
  std::memcpy(h.data() + 116, "0000000", 7);
  char size_field[12];
  std::snprintf(size_field, sizeof size_field, "%011llo", static_cast<unsigned long long>(size));
  std::memcpy(h.data() + 124, size_field, 11);
  std::memcpy(h.data() + 136, "00000000000", 11);
  h[156] = type;
  std::memcpy(h.data() + 157, link.data(), std::min<std::size_t>(link.size(), 100));
  std::memcpy(h.data() + 257,
              "ustar\0"
              "00",
              8);
  set_checksum(h);
  return h;
}

std::string padded(std::string data) {
  data.resize((data.size() + 511) / 512 * 512, '\0');
  return data;
}

std::string member(const std::string& name, char type, const std::string& data = "",
                   const std::string& link = "") {
  return header(name, type, data.size(), link) + padded(data);
}

// A pax extended header record, "LENGTH KEY=VALUE\n", LENGTH counting itself.
std::string pax_record(const std::string& key, const std::string& value) {
  const std::size_t rest = key.size() + value.size() + 3;  // space, '=', newline
  std::size_t length = rest + 1;
  while (std::to_string(length).size() + rest != length) ++length;
  return std::to_string(length) + " " + key + "=" + value + "\n";
}

const std::string kEnd(1024, '\0');

}  // namespace

TEST_CASE("a bundle tarred by GNU tar in each format verifies as its directory does", "[tar]") {
  TarFixture& f = TarFixture::get();
  const verify::Report plain = verify::verify_bundle(f.bundle);
  REQUIRE(plain.ok());
  struct Way {
    const char* label;
    std::string options;  // tar's options before -cf
    bool flat;            // the bundle's files at the top ("./" names), no top directory
  };
  const Way way = GENERATE(
      Way{"default format, a top directory", "", false},
      Way{"no top directory: -C bundle .", "", true}, Way{"--format=pax", "--format=pax", false},
      Way{"--format=gnu", "--format=gnu", false}, Way{"--format=ustar", "--format=ustar", false},
      Way{"--format=pax, no top directory", "--format=pax", true});
  INFO(way.label);
  const fs::path archive = f.dir / "formats.tar";
  run("tar " + way.options + " -cf " + q(archive) + " -C " +
      (way.flat ? q(f.bundle) + " ." : q(f.dir) + " bundle"));
  const OwnTmpdir tmp("tmp-formats");
  {
    const verify::BundleDir opened(archive);
    CHECK(opened.unpacked());
    if (way.flat) {
      CHECK(opened.path().parent_path() == tmp.path);
    } else {
      CHECK(opened.path().filename() == "bundle");
      CHECK(opened.path().parent_path().parent_path() == tmp.path);
    }
    CHECK(fs::is_regular_file(opened.path() / "session.json"));
    CHECK_FALSE(tmp.empty());
  }
  CHECK(tmp.empty());
  const verify::Report r = verify::verify_bundle(archive);
  CHECK(r.ok());
  CHECK(r.text() == plain.text());
  CHECK(tmp.empty());
}

TEST_CASE("long names of GNU, pax and ustar archives are unpacked to their full path", "[tar]") {
  TarFixture& f = TarFixture::get();
  const std::string deep = "bundle/" + std::string(60, 'd') + "/" + std::string(60, 'e');
  const fs::path src = f.dir / "long";
  fs::remove_all(src);
  fs::create_directories(src / deep);
  write_file(src / deep / "file.txt", "deep\n");
  write_file(src / "bundle/session.json", "{}");
  const std::string format = GENERATE("gnu", "pax", "ustar");
  INFO(format);
  const fs::path archive = f.dir / "long.tar";
  run("tar --format=" + format + " -cf " + q(archive) + " -C " + q(src) + " bundle");
  const OwnTmpdir tmp("tmp-long");
  {
    const verify::BundleDir opened(archive);
    CHECK(opened.path().filename() == "bundle");
    const fs::path file = opened.path().parent_path() / deep / "file.txt";
    REQUIRE(fs::is_regular_file(file));
    CHECK(read_file(file) == "deep\n");
    CHECK(mode_of(file) == 0600);  // the archive says 0644: not applied
    CHECK(mode_of(opened.path()) == 0700);
    CHECK(mode_of(opened.path().parent_path()) == 0700);
  }
  CHECK(tmp.empty());
}

TEST_CASE("archives written by hand: no end blocks, implied folders, base-256 sizes", "[tar]") {
  TarFixture& f = TarFixture::get();
  const OwnTmpdir tmp("tmp-by-hand");
  const fs::path archive = f.dir / "by-hand.tar";
  SECTION("session.json at the top, no end-of-archive blocks, a base-256 size") {
    std::string big = header("./rounds/cc/1/minutes.json", '0', 0);
    big[124] = static_cast<char>(0x80);  // GNU base-256: 0x80, then big-endian
    std::memset(big.data() + 125, 0, 11);
    big[135] = 5;
    set_checksum(big);
    write_file(archive, member("./session.json", '0', "{\"a\":1}") + big + padded("hello"));
    {
      const verify::BundleDir opened(archive);
      CHECK(opened.path().parent_path() == tmp.path);
      CHECK(read_file(opened.path() / "session.json") == "{\"a\":1}");
      CHECK(read_file(opened.path() / "rounds/cc/1/minutes.json") == "hello");
      CHECK(mode_of(opened.path() / "rounds/cc") == 0700);
    }
    CHECK(tmp.empty());
  }
  SECTION("one top-level directory without session.json is the root; errors name its members") {
    write_file(archive, member("top/", '5') + member("top/keys.json", '0', "{}") + kEnd);
    {
      const verify::BundleDir opened(archive);
      CHECK(opened.path().filename() == "top");
    }
    try {
      verify::verify_bundle(archive);
      FAIL("verified");
    } catch (const verify::UnreadableBundle& e) {
      CHECK(std::string(e.what()) == archive.string() + ": top/session.json: cannot be read");
    }
    CHECK(tmp.empty());
  }
}

TEST_CASE("hostile tar files are refused, naming the entry, and nothing is left behind", "[tar]") {
  TarFixture& f = TarFixture::get();
  const OwnTmpdir tmp("tmp-hostile");
  const fs::path folder = f.dir / "hostile";
  fs::remove_all(folder);
  fs::create_directories(folder);
  const std::string session = member("session.json", '0', "{}");
  std::string bad_sum = member("keys.json", '0', "{}");
  bad_sum[0] = 'K';  // after the checksum was computed
  std::string pax_header = member("PaxHeaders/x", 'x', pax_record("path", "../evil/x"));
  struct Case {
    const char* label;
    std::string bytes;
    std::string message;  // after "ARCHIVE: "
  };
  const std::vector<Case> cases = {
      {"symlink", session + member("link", '2', "", "/etc/passwd") + kEnd,
       "entry 2 \"link\": a symbolic link is refused"},
      {"hard link", session + member("keys.json", '1', "", "session.json") + kEnd,
       "entry 2 \"keys.json\": a hard link is refused"},
      {"dot-dot", member("../x", '0', "evil") + kEnd,
       "entry 1 \"../x\": a name with .. is refused"},
      {"dot-dot inside", member("a/../../x", '0', "evil") + kEnd,
       "entry 1 \"a/../../x\": a name with .. is refused"},
      {"absolute", member((tmp.path / "abs").string(), '0', "evil") + kEnd,
       "entry 1 \"" + (tmp.path / "abs").string() + "\": an absolute name is refused"},
      {"bad checksum", session + bad_sum + kEnd,
       "entry 2 \"Keys.json\": the header checksum does not match"},
      {"truncated data", header("session.json", '0', 1000) + std::string(100, 'x'),
       "entry 1 \"session.json\": the data runs past the end of the file (truncated)"},
      {"truncated header", session + std::string(100, 'x'),
       "entry 2: the archive ends inside a header (truncated)"},
      {"duplicate", session + member("./session.json", '0', "{}") + kEnd,
       "entry 2 \"./session.json\": a name given twice is refused"},
      {"file where a directory is", member("a/", '5') + member("a", '0', "x") + kEnd,
       "entry 2 \"a\": a file where a directory is"},
      {"directory where a file is", member("a", '0', "x") + member("a/b", '0', "y") + kEnd,
       "entry 2 \"a/b\": a directory where a file is: \"a\" is a file of the archive"},
      {"character device", member("tty", '3') + kEnd,
       "entry 1 \"tty\": a character device is refused"},
      {"fifo", session + member("pipe", '6') + kEnd, "entry 2 \"pipe\": a FIFO is refused"},
      {"GNU long link", member("././@LongLink", 'K', "target") + kEnd,
       "entry 1 \"././@LongLink\": a GNU long link name is refused"},
      {"pax path with ..", pax_header + member("x", '0', "evil") + kEnd,
       "entry 1 \"../evil/x\": a name with .. is refused"},
      {"GNU long name with ..",
       member("././@LongLink", 'L', std::string("../evil") + '\0') + member("x", '0', "e") + kEnd,
       "entry 1 \"../evil\": a name with .. is refused"},
      {"pax header with no entry", session + pax_header + kEnd,
       "entry 2 \"../evil/x\": an extended header or long name with no entry after it"},
      {"zero block inside", session + std::string(512, '\0') + member("x", '0', "e") + kEnd,
       "entry 2: a zero block inside the archive (an archive with more after its end)"},
      {"two top directories", member("a/session.json", '0', "{}") + member("b/f", '0', "") + kEnd,
       "no session.json at the top of the archive, and not one single top-level directory"},
      {"nothing in it", kEnd, "the archive holds no entry"},
      {"empty file", "", "an empty file, not a tar archive"},
      {"not a tar", std::string(600, 'x'), "not a tar archive (no valid first header)"},
      {"bzip2", "BZh91AY&SY" + std::string(600, 'x'),
       "compressed tar: unpack it first (tar xf); this one is bzip2"},
      {"xz",
       std::string("\xfd"
                   "7zXZ\0",
                   6) +
           std::string(600, 'x'),
       "compressed tar: unpack it first (tar xf); this one is xz"},
      {"zstd", "\x28\xb5\x2f\xfd" + std::string(600, 'x'),
       "compressed tar: unpack it first (tar xf); this one is zstd"},
  };
  for (const Case& c : cases) {
    INFO(c.label);
    const fs::path archive = folder / (std::string(c.label) + ".tar");
    write_file(archive, c.bytes);
    CHECK(refusal(archive) == archive.string() + ": " + c.message);
    CHECK(tmp.empty());  // the extraction folder is gone, and "../x" or the absolute name missed
    CHECK(std::distance(fs::directory_iterator(folder), fs::directory_iterator()) ==
          static_cast<std::ptrdiff_t>(&c - cases.data() + 1));  // only the archives
  }
  SECTION("a v7 header (no ustar magic) is refused") {
    std::string v7 = member("session.json", '0', "{}");
    std::memset(v7.data() + 257, 0, 8);
    set_checksum(v7);
    write_file(folder / "v7.tar", v7 + kEnd);
    CHECK(refusal(folder / "v7.tar") ==
          (folder / "v7.tar").string() +
              ": entry 1 \"session.json\": not a ustar, pax or GNU tar header");
  }
  SECTION("a gzip-compressed tar says to unpack it first") {
    const fs::path tgz = f.dir / "bundle.tar.gz";
    run("tar -czf " + q(tgz) + " -C " + q(f.dir) + " bundle");
    CHECK(refusal(tgz) ==
          tgz.string() + ": compressed tar: unpack it first (tar xf); this one is gzip");
  }
  CHECK(tmp.empty());
}

TEST_CASE("names past 1024 bytes, 8 components or a 255-byte component are refused", "[tar]") {
  TarFixture& f = TarFixture::get();
  const OwnTmpdir tmp("tmp-caps");
  const fs::path folder = f.dir / "caps";
  fs::remove_all(folder);
  fs::create_directories(folder);
  // An entry named by a pax `path` record; a GNU long name for the second kind of hostile name.
  const auto pax_named = [](const std::string& name) {
    return member("PaxHeaders/x", 'x', pax_record("path", name)) + member("x", '0', "e");
  };
  const auto gnu_named = [](const std::string& name) {
    return member("././@LongLink", 'L', name + '\0') + member("x", '0', "e");
  };
  std::string deep = "t/1";  // the review's case: a folder per component, ~2,000 of them
  while (deep.size() < 4000) deep += "/a";
  std::string huge = "t";
  while (huge.size() < (1u << 20) - 600) huge += "/a";
  const std::string c255(255, 'c');
  // 2 + 3 * 256 + 254 = 1024 bytes, 5 components
  const std::string at_limit = "t/" + c255 + "/" + c255 + "/" + c255 + "/" + std::string(254, 'd');
  SECTION("names at the limits are unpacked") {
    const fs::path archive = folder / "at-limits.tar";
    write_file(archive, member("t/session.json", '0', "{}") + pax_named(at_limit) +
                            member("./t//2/./3/4/5/6/7/8", '0', "eight") + kEnd);
    {
      const verify::BundleDir opened(archive);
      CHECK(opened.path().filename() == "t");
      CHECK(read_file(opened.path().parent_path() / at_limit) == "e");
      CHECK(read_file(opened.path() / "2/3/4/5/6/7/8") == "eight");
    }
    CHECK(tmp.empty());
  }
  struct Case {
    const char* label;
    std::string bytes;
    std::string message;  // after "ARCHIVE: "
  };
  const std::string long_shown = "\"" + deep.substr(0, 64) + "\"...";
  const std::vector<Case> cases = {
      {"deep pax path", pax_named(deep) + kEnd,
       "entry 1 " + long_shown + ": a name longer than 1024 bytes is refused"},
      {"deep GNU long name of almost 1 MiB", gnu_named(huge) + kEnd,
       "entry 1 \"" + huge.substr(0, 64) + "\"...: a name longer than 1024 bytes is refused"},
      {"1025 bytes", member("t/session.json", '0', "{}") + pax_named(at_limit + "d") + kEnd,
       "entry 2 \"" + at_limit.substr(0, 64) + "\"...: a name longer than 1024 bytes is refused"},
      {"nine components", member("t/2/3/4/5/6/7/8/9", '0', "nine") + kEnd,
       "entry 1 \"t/2/3/4/5/6/7/8/9\": a name with more than 8 components is refused"},
      {"nine components, a directory", member("t/2/3/4/5/6/7/8/9/", '5') + kEnd,
       "entry 1 \"t/2/3/4/5/6/7/8/9/\": a name with more than 8 components is refused"},
      {"a 256-byte component", pax_named("t/" + c255 + "c") + kEnd,
       "entry 1 \"t/" + c255 + "c\": a name component longer than 255 bytes is refused"},
  };
  for (const Case& c : cases) {
    INFO(c.label);
    const fs::path archive = folder / (std::string(c.label) + ".tar");
    write_file(archive, c.bytes);
    CHECK(refusal(archive) == archive.string() + ": " + c.message);
    CHECK(tmp.empty());
  }
}

TEST_CASE("a fault of this machine is a LocalFailure, not an unreadable bundle", "[tar]") {
  TarFixture& f = TarFixture::get();
  const fs::path good = f.dir / "local.tar";
  run("tar -cf " + q(good) + " -C " + q(f.dir) + " bundle");
  const fs::path missing = f.dir / "no-such-tmp";  // TMPDIR names a folder that is not there
  fs::remove_all(missing);
  const std::string expected = good.string() + ": no temporary folder to unpack it in (" +
                               missing.string() + "): No such file or directory";
  SECTION("BundleDir, verify_bundle and the rollup throw it") {
    OwnTmpdir tmp("tmp-local");  // restores TMPDIR after
    ::setenv("TMPDIR", missing.c_str(), 1);
    try {
      verify::BundleDir d(good);
      FAIL("unpacked");
    } catch (const verify::UnreadableBundle& e) {
      FAIL(std::string("UnreadableBundle: ") + e.what());
    } catch (const verify::LocalFailure& e) {
      CHECK(std::string(e.what()) == expected);
    }
    CHECK_THROWS_AS(verify::verify_bundle(good), verify::LocalFailure);
    // The rollup stops (tally-audit rollup exits 2) instead of calling the bundle unreadable.
    // Where the rollup keeps its own temporary file in TMPDIR too, it stops before the bundle,
    // so only that it throws is checked.
    const fs::path season = f.dir / "local-season";
    fs::remove_all(season);
    fs::create_directories(season);
    fs::copy_file(good, season / "good.tar");
    write_file(f.dir / "local-roster.csv", "unit,name,parent\nu1,The unit,\n");
    const rollup::Roster roster = rollup::read_roster(f.dir / "local-roster.csv");
    CHECK_THROWS(rollup::rollup(roster, season, jobs_option(2)));
  }
  SECTION("tally-audit verify exits 2 naming the temporary folder") {
    const fs::path out = f.dir / "local.txt";
    const std::string line = "TMPDIR=" + q(missing) + " '" + std::string(TALLY_AUDIT_PATH) +
                             "' verify " + q(good) + " > " + q(out) + " 2>&1";
    const int status = std::system(line.c_str());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 2);
    CHECK(read_file(out) == "tally-audit verify: " + expected + "\n");
  }
}

TEST_CASE("a FIFO at the bundle's path is refused at once; a symbolic link to a tar is read",
          "[tar]") {
  TarFixture& f = TarFixture::get();
  const OwnTmpdir tmp("tmp-fifo");
  const fs::path fifo = f.dir / "fifo.tar";
  fs::remove(fifo);
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // No writer ever opens it: a blocking open would hang here.
  CHECK(refusal(fifo) == fifo.string() + ": not a directory or a tar file");
  try {
    verify::TarReader r(fifo);
    FAIL("opened");
  } catch (const verify::UnreadableBundle& e) {
    CHECK(std::string(e.what()) == fifo.string() + ": not a regular file");
  }
  const fs::path link = f.dir / "link.tar";
  fs::remove(link);
  run("tar -cf " + q(f.dir / "linked.tar") + " -C " + q(f.dir) + " bundle");
  fs::create_symlink(f.dir / "linked.tar", link);
  {
    const verify::BundleDir opened(link);
    CHECK(fs::is_regular_file(opened.path() / "session.json"));
  }
  try {
    verify::TarReader r(f.dir);  // a directory: opened (O_RDONLY works on one), then refused
    FAIL("opened");
  } catch (const verify::UnreadableBundle& e) {
    CHECK(std::string(e.what()) == f.dir.string() + ": not a regular file");
  }
  CHECK(tmp.empty());
  fs::remove(fifo);
}

TEST_CASE("tally-audit verify and receipt take a tar, and a refused one exits 2", "[tar]") {
  TarFixture& f = TarFixture::get();
  const fs::path good = f.dir / "cli.tar";
  run("tar -cf " + q(good) + " -C " + q(f.dir) + " bundle");
  const fs::path bad = f.dir / "cli-bad.tar";
  write_file(bad, member("session.json", '0', "{}") + member("evil", '2', "", "/etc") + kEnd);
  const fs::path out = f.dir / "cli.txt";
  const auto cli = [&](const std::string& args) {
    const std::string line =
        "'" + std::string(TALLY_AUDIT_PATH) + "' " + args + " > " + q(out) + " 2>&1";
    const int status = std::system(line.c_str());
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
  };
  const OwnTmpdir tmp("tmp-cli");
  CHECK(cli("verify " + q(good)) == 0);
  CHECK(read_file(out).find("verdict: every check holds") != std::string::npos);
  CHECK(cli("receipt " + q(f.receipt) + " " + q(good)) == 0);
  CHECK(read_file(out).find("receipt inclusion") != std::string::npos);
  CHECK(cli("verify " + q(bad)) == 2);
  CHECK(read_file(out) ==
        "tally-audit verify: " + bad.string() + ": entry 2 \"evil\": a symbolic link is refused\n");
  CHECK(cli("verify " + q(f.dir / "no-such.tar")) == 2);
  CHECK(read_file(out).find("no-such.tar: not a directory or a tar file") != std::string::npos);
  CHECK(tmp.empty());
}

TEST_CASE("the season rollup takes *.tar files as bundles and a refused one as unreadable",
          "[tar]") {
  TarFixture& f = TarFixture::get();
  const fs::path season = f.dir / "season";
  fs::remove_all(season);
  fs::create_directories(season);
  run("tar -cf " + q(season / "good.tar") + " -C " + q(f.dir) + " bundle");
  write_file(season / "bad.tar", member("session.json", '0', "{}") + member("../x", '0') + kEnd);
  run("tar -czf " + q(season / "other.tgz") + " -C " + q(f.dir) + " bundle");
  const std::string unit(json::parse(read_file(f.bundle / "session.json")).at("id").as_string());
  write_file(f.dir / "season-roster.csv", "unit,name,parent\n" + unit + ",The unit,\n");
  const rollup::Roster roster = rollup::read_roster(f.dir / "season-roster.csv");
  const OwnTmpdir tmp("tmp-season");
  const rollup::Season s = rollup::rollup(roster, season, jobs_option(2));
  CHECK(s.ignored == std::vector<std::string>{"other.tgz"});
  REQUIRE(s.bundles.size() == 2);
  const rollup::BundleOutcome& bad = s.bundles[0];
  CHECK(bad.dir == "bad.tar");
  CHECK(bad.unit == "");
  CHECK(bad.verdict == rollup::Verdict::not_in_roster);
  CHECK(bad.failed_check == "unreadable");
  CHECK(bad.problem ==
        (season / "bad.tar").string() + ": entry 2 \"../x\": a name with .. is refused");
  const rollup::BundleOutcome& good = s.bundles[1];
  CHECK(good.dir == "good.tar");
  CHECK(good.unit == unit);
  CHECK(good.verified);
  CHECK(good.verdict == rollup::Verdict::counted);
  CHECK(good.config_hash == crypto::to_hex(crypto::sha256(read_file(f.bundle / "session.json"))));
  CHECK(s.totals.held == 1);
  CHECK(tmp.empty());
  CHECK_FALSE(fs::exists(season / "x"));
}
