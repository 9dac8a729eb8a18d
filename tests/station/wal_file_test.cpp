// The WAL inspector (station/store/wal_file.hpp) on WAL files written by SQLite itself, cut and
// damaged in the ways it must tell apart. Where SQLite can be asked, the test opens a copy of the
// damaged files and checks that SQLite replays exactly frames_valid frames (the "log" count of a
// passive checkpoint is the number of frames SQLite took from the WAL) and sees exactly the rows
// of commits_valid transactions.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core_fixture.hpp"
#include "station/store/wal_file.hpp"

using namespace tallystation::station;
using tallystation::station::testing::read_file;
using tallystation::station::testing::temp_dir;
using tallystation::station::testing::write_file;

namespace {

constexpr int kRowsPerCommit = 3;

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO(sql << ": " << (err ? err : ""));
  sqlite3_free(err);
  REQUIRE(rc == SQLITE_OK);
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  auto b = [&](std::size_t i) { return std::uint32_t{static_cast<unsigned char>(s[at + i])}; };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

void put_be32(std::string& s, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (24 - 8 * i));
}

// A database in WAL mode with `commits` insert transactions after the CREATE TABLE one, and copies
// of its files taken while the connection is open (closing would checkpoint and delete the WAL).
struct Source {
  std::filesystem::path dir = temp_dir("wal");
  std::string db_bytes;
  std::string wal_bytes;
  int total_commits = 0;  // including the CREATE TABLE transaction

  // commits_after_restart >= 0: then a RESTART checkpoint and that many commits in a new WAL
  // generation. rolled_back_spill: then a transaction too large for the page cache, which SQLite
  // spills into the WAL before it commits, rolled back, and one more commit.
  Source(int commits, int page_size = 4096, int commits_after_restart = -1,
         bool rolled_back_spill = false) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir / "x.db").c_str(), &db) == SQLITE_OK);
    exec(db, "PRAGMA page_size=" + std::to_string(page_size));
    exec(db, "PRAGMA journal_mode=WAL");
    exec(db, "PRAGMA wal_autocheckpoint=0");
    exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, payload BLOB)");
    auto insert = [&] {
      exec(db, "BEGIN");
      for (int r = 0; r < kRowsPerCommit; ++r)
        exec(db, "INSERT INTO t(payload) VALUES(randomblob(700))");
      exec(db, "COMMIT");
    };
    for (int c = 0; c < commits; ++c) insert();
    total_commits = 1 + commits;
    if (commits_after_restart >= 0) {
      // Everything into the database, and the next writer starts the WAL over with new salts.
      int log = -1, done = -1;
      REQUIRE(sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, &log, &done) ==
              SQLITE_OK);
      REQUIRE(log == done);
      for (int c = 0; c < commits_after_restart; ++c) insert();
      total_commits = commits_after_restart;  // commits in the current WAL generation
    }
    if (rolled_back_spill) {
      exec(db, "PRAGMA cache_size=10");
      exec(db, "BEGIN");
      for (int r = 0; r < 300; ++r) exec(db, "INSERT INTO t(payload) VALUES(randomblob(700))");
      exec(db, "ROLLBACK");
      insert();
      ++total_commits;
    }
    db_bytes = read_file(dir / "x.db");
    wal_bytes = read_file(dir / "x.db-wal");
    sqlite3_close(db);
  }
  ~Source() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::uint32_t page_size() const { return be32(wal_bytes, 8); }
  std::size_t frame_bytes() const { return 24 + page_size(); }
  std::size_t frames() const { return (wal_bytes.size() - 32) / frame_bytes(); }
  std::size_t frame_at(std::size_t i) const { return 32 + i * frame_bytes(); }
  bool is_commit(const std::string& wal, std::size_t i) const {
    return be32(wal, frame_at(i) + 4) != 0;
  }
};

// What SQLite makes of a database file and a WAL, opened fresh (no -shm: it recovers the WAL).
struct SqliteView {
  long long rows = -1;  // -1: the table does not exist (its creation was in the ignored WAL)
  int frames = -1;      // frames SQLite took from the WAL
};

struct Case {
  std::filesystem::path dir = temp_dir("walcase");
  std::filesystem::path wal = dir / "y.db-wal";
  Case(const Source& src, const std::string& wal_bytes) {
    write_file(dir / "y.db", src.db_bytes);
    write_file(wal, wal_bytes);
  }
  ~Case() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  WalReport inspect() const {
    auto r = inspect_wal(wal);
    REQUIRE(std::holds_alternative<WalReport>(r));
    return std::get<WalReport>(r);
  }
  // Call after inspect(): SQLite's recovery and checkpoint rewrite the files.
  SqliteView sqlite() const {
    SqliteView v;
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir / "y.db").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, nullptr) == SQLITE_OK) {
      REQUIRE(sqlite3_step(st) == SQLITE_ROW);
      v.rows = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    int done = -1;
    REQUIRE(sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &v.frames, &done) ==
            SQLITE_OK);
    sqlite3_close(db);
    return v;
  }
};

// SQLite's checksum, written again here to re-encode a WAL with the other word order.
void checksum(bool big_endian, const std::string& s, std::size_t at, std::size_t n,
              std::uint32_t& s1, std::uint32_t& s2) {
  auto word = [&](std::size_t i) {
    std::uint32_t w = be32(s, i);
    return big_endian ? w : __builtin_bswap32(w);
  };
  for (std::size_t i = at; i < at + n; i += 8) {
    s1 += word(i) + s2;
    s2 += word(i + 4) + s1;
  }
}

// The WAL re-encoded with checksums of the given word order (magic 0x377f0683 for big-endian),
// every checksum recomputed: SQLite then accepts whatever the frames now hold.
std::string reencode(const Source& src, std::string wal, bool big) {
  put_be32(wal, 0, 0x377f0682u | (big ? 1u : 0u));
  std::uint32_t s1 = 0, s2 = 0;
  checksum(big, wal, 0, 24, s1, s2);
  put_be32(wal, 24, s1);
  put_be32(wal, 28, s2);
  for (std::size_t i = 0; i < src.frames(); ++i) {
    const std::size_t f = src.frame_at(i);
    checksum(big, wal, f, 8, s1, s2);
    checksum(big, wal, f + 24, src.page_size(), s1, s2);
    put_be32(wal, f + 16, s1);
    put_be32(wal, f + 20, s2);
  }
  return wal;
}

long long rows_after(int commits_valid) {
  return commits_valid == 0 ? -1 : static_cast<long long>(commits_valid - 1) * kRowsPerCommit;
}

}  // namespace

TEST_CASE("an intact WAL: every commit is replayed, nothing is suspicious", "[wal]") {
  Source src(50);
  Case c(src, src.wal_bytes);
  const auto r = c.inspect();
  CHECK(r.present);
  CHECK(r.header_valid);
  CHECK_FALSE(r.big_endian_checksums);
  CHECK(r.page_size == 4096);
  CHECK(r.frames_in_file == src.frames());
  CHECK(r.partial_tail_bytes == 0);
  CHECK(r.commits_valid == 51);
  CHECK(r.frames_valid == src.frames());
  CHECK(r.frames_after_last_commit == 0);
  CHECK(r.stale_frames == 0);
  CHECK_FALSE(r.first_bad_frame);
  CHECK_FALSE(r.torn_frame);
  CHECK_FALSE(r.suspicious());
  CHECK_THAT(r.describe(), Catch::Contains("51 committed") && Catch::Contains("Nothing suggests"));
  const auto v = c.sqlite();
  CHECK(v.frames == static_cast<int>(r.frames_valid));
  CHECK(v.rows == 50 * kRowsPerCommit);
}

TEST_CASE("page sizes 512 and 65536 and big-endian checksums are read as SQLite reads them",
          "[wal]") {
  const int page_size = GENERATE(512, 65536);
  const bool big_endian = GENERATE(false, true);
  Source src(20, page_size);
  REQUIRE(src.page_size() == static_cast<std::uint32_t>(page_size));
  Case c(src, big_endian ? reencode(src, src.wal_bytes, true) : src.wal_bytes);
  const auto r = c.inspect();
  CHECK(r.header_valid);
  CHECK(r.big_endian_checksums == big_endian);
  CHECK(r.page_size == static_cast<std::uint32_t>(page_size));
  CHECK(r.commits_valid == 21);
  CHECK(r.frames_valid == src.frames());
  CHECK_FALSE(r.suspicious());
  const auto v = c.sqlite();  // SQLite accepts the re-encoded file too
  CHECK(v.frames == static_cast<int>(r.frames_valid));
  CHECK(v.rows == 20 * kRowsPerCommit);
}

TEST_CASE("a WAL whose tail was cut by 1000 bytes: partial tail, suspicious, the last commit lost",
          "[wal]") {
  Source src(50);
  const std::string cut = src.wal_bytes.substr(0, src.wal_bytes.size() - 1000);
  Case c(src, cut);
  const auto r = c.inspect();
  CHECK(r.header_valid);
  CHECK(r.partial_tail_bytes == src.frame_bytes() - 1000);
  CHECK(r.frames_in_file == src.frames() - 1);
  CHECK(r.commits_valid < 51);
  CHECK(r.frames_valid + r.frames_after_last_commit == src.frames() - 1);
  CHECK_FALSE(r.first_bad_frame);
  CHECK(r.suspicious());
  CHECK_THAT(r.describe(), Catch::Contains("SUSPICIOUS") && Catch::Contains("cut"));
  const auto v = c.sqlite();
  CHECK(v.frames == static_cast<int>(r.frames_valid));
  CHECK(v.rows == rows_after(static_cast<int>(r.commits_valid)));
  CHECK(v.rows < 50 * kRowsPerCommit);
}

// Cut in half exactly at a frame boundary: the shorter file is a well-formed WAL to which fewer
// transactions were written. Nothing in the WAL alone can show that more existed; the report is
// not suspicious, and frames_valid is the shorter file's (which is what SQLite replays).
TEST_CASE("a WAL cut in half at a frame boundary is undetectable from the WAL alone", "[wal]") {
  Source src(50);
  const std::size_t k = src.frames() / 2;
  Case c(src, src.wal_bytes.substr(0, src.frame_at(k)));
  const auto r = c.inspect();
  CHECK(r.header_valid);
  CHECK(r.frames_in_file == k);
  CHECK(r.partial_tail_bytes == 0);
  CHECK(r.frames_valid <= k);
  CHECK(r.frames_valid + r.frames_after_last_commit == k);
  CHECK(r.commits_valid < 51);
  CHECK_FALSE(r.first_bad_frame);
  CHECK_FALSE(r.suspicious());
  const auto v = c.sqlite();
  CHECK(v.frames == static_cast<int>(r.frames_valid));
  CHECK(v.rows == rows_after(static_cast<int>(r.commits_valid)));
}

TEST_CASE("a WAL cut in half inside a frame: partial tail, suspicious", "[wal]") {
  Source src(50);
  const std::size_t k = src.frames() / 2;
  Case c(src, src.wal_bytes.substr(0, src.frame_at(k) + 2000));
  const auto r = c.inspect();
  CHECK(r.frames_in_file == k);
  CHECK(r.partial_tail_bytes == 2000);
  CHECK(r.frames_valid + r.frames_after_last_commit == k);
  CHECK(r.suspicious());
  const auto v = c.sqlite();
  CHECK(v.frames == static_cast<int>(r.frames_valid));
  CHECK(v.rows == rows_after(static_cast<int>(r.commits_valid)));
}

TEST_CASE("one byte flipped in a middle frame: the damage and the commits after it are reported",
          "[wal]") {
  Source src(50);
  const std::size_t m = src.frames() / 2;
  // In the page data, or in the frame header's page number (its high byte: never 0 after the flip).
  const std::size_t offset = GENERATE_COPY(src.frame_at(m) + 24 + 1234, src.frame_at(m) + 0);
  std::string wal = src.wal_bytes;
  wal[offset] = static_cast<char>(wal[offset] ^ 0x80);
  Case c(src, wal);
  const auto r = c.inspect();
  INFO(r.describe());
  CHECK(r.header_valid);
  REQUIRE(r.first_bad_frame);
  CHECK(*r.first_bad_frame == m);
  CHECK(r.frames_valid + r.frames_after_last_commit == m);
  CHECK(r.frames_after_damage == src.frames() - m - 1);
  CHECK(r.commits_after_damage > 0);
  // Every commit is either replayed, the damaged frame itself, or after the damage.
  CHECK(r.commits_valid + (src.is_commit(wal, m) ? 1 : 0) + r.commits_after_damage == 51);
  CHECK(r.stale_frames == 0);
  CHECK_FALSE(r.torn_frame);
  CHECK(r.partial_tail_bytes == 0);
  CHECK(r.suspicious());
  CHECK_THAT(r.describe(), Catch::Contains("Frame " + std::to_string(m) + " is damaged") &&
                               Catch::Contains("silently dropped"));
  const auto v = c.sqlite();
  CHECK(v.frames == static_cast<int>(r.frames_valid));
  CHECK(v.rows == rows_after(static_cast<int>(r.commits_valid)));
  CHECK(v.rows < 50 * kRowsPerCommit);
}

TEST_CASE("a byte flipped in a middle frame's salt is damage, not an older generation", "[wal]") {
  Source src(50);
  const std::size_t m = src.frames() / 2;
  std::string wal = src.wal_bytes;
  wal[src.frame_at(m) + 9] = static_cast<char>(wal[src.frame_at(m) + 9] ^ 0x01);
  Case c(src, wal);
  const auto r = c.inspect();
  REQUIRE(r.first_bad_frame);
  CHECK(*r.first_bad_frame == m);
  CHECK(r.stale_frames == 0);
  CHECK(r.frames_after_damage == src.frames() - m - 1);
  CHECK(r.suspicious());
  const auto v = c.sqlite();
  CHECK(v.frames == static_cast<int>(r.frames_valid));
}

TEST_CASE("a frame for page 0 ends the prefix even with a correct checksum, as in SQLite",
          "[wal]") {
  Source src(50);
  const std::size_t m = src.frames() / 2;
  std::string wal = src.wal_bytes;
  put_be32(wal, src.frame_at(m), 0);
  Case c(src, reencode(src, wal, false));
  const auto r = c.inspect();
  REQUIRE(r.first_bad_frame);
  CHECK(*r.first_bad_frame == m);
  CHECK(r.frames_after_damage == src.frames() - m - 1);
  CHECK(r.suspicious());
  const auto v = c.sqlite();
  CHECK(v.frames == static_cast<int>(r.frames_valid));
  CHECK(v.rows == rows_after(static_cast<int>(r.commits_valid)));
}

TEST_CASE("a byte flipped in the last frame looks like a torn write: reported, not suspicious",
          "[wal]") {
  Source src(50);
  const std::size_t last = src.frames() - 1;
  std::string wal = src.wal_bytes;
  wal[src.frame_at(last) + 100] = static_cast<char>(wal[src.frame_at(last) + 100] ^ 0x01);
  Case c(src, wal);
  const auto r = c.inspect();
  CHECK_FALSE(r.first_bad_frame);
  REQUIRE(r.torn_frame);
  CHECK(*r.torn_frame == last);
  CHECK(r.commits_valid == 50);
  CHECK_FALSE(r.suspicious());
  const auto v = c.sqlite();
  CHECK(v.frames == static_cast<int>(r.frames_valid));
  CHECK(v.rows == 49 * kRowsPerCommit);
}

TEST_CASE("a damaged WAL header: SQLite ignores every frame, the frames still chain to it",
          "[wal]") {
  Source src(50);
  std::string wal = src.wal_bytes;
  wal[13] = static_cast<char>(wal[13] ^ 0x01);  // the checkpoint sequence: only the checksum fails
  Case c(src, wal);
  const auto r = c.inspect();
  CHECK(r.present);
  CHECK_FALSE(r.header_valid);
  CHECK(r.frames_valid == 0);
  CHECK(r.commits_valid == 0);
  CHECK(r.frames_after_damage == src.frames());
  CHECK(r.commits_after_damage == 51);
  CHECK(r.suspicious());
  CHECK_THAT(r.describe(), Catch::Contains("header is damaged"));
  const auto v = c.sqlite();
  CHECK(v.frames == 0);
  CHECK(v.rows == -1);  // even the CREATE TABLE was in the WAL
}

TEST_CASE("frames of an older generation after a restarted WAL are expected leftovers", "[wal]") {
  Source src(50, 4096, 5);
  Case c(src, src.wal_bytes);
  const auto r = c.inspect();
  INFO(r.describe());
  CHECK(r.header_valid);
  CHECK(r.commits_valid == 5);
  CHECK(r.stale_frames > 0);
  CHECK(r.frames_valid + r.stale_frames == src.frames());
  CHECK_FALSE(r.first_bad_frame);
  CHECK_FALSE(r.torn_frame);
  CHECK(r.partial_tail_bytes == 0);
  CHECK_FALSE(r.suspicious());
  CHECK_THAT(r.describe(), Catch::Contains("older generation"));
  const auto v = c.sqlite();
  CHECK(v.frames == static_cast<int>(r.frames_valid));
  CHECK(v.rows == 55 * kRowsPerCommit);
}

// SQLite writes a transaction's pages into the WAL before the commit when they do not fit in its
// cache; a rollback leaves those frames there, and the next transaction overwrites their start
// with the same salts. The rest still chains (each frame verifies from its predecessor), exactly
// as intact frames after damage do, but holds no commit frame: reported, not suspicious.
TEST_CASE("frames of a rolled-back transaction after a later commit are not suspicious", "[wal]") {
  Source src(10, 4096, -1, true);
  Case c(src, src.wal_bytes);
  const auto r = c.inspect();
  INFO(r.describe());
  CHECK(r.header_valid);
  CHECK(r.commits_valid == 12);
  REQUIRE(r.first_bad_frame);
  CHECK(*r.first_bad_frame == r.frames_valid);
  CHECK(r.frames_after_damage > 0);
  CHECK(r.commits_after_damage == 0);
  CHECK(r.stale_frames == 0);
  CHECK_FALSE(r.suspicious());
  CHECK_THAT(r.describe(),
             Catch::Contains("no commit among them") && Catch::Contains("Nothing suggests"));
  const auto v = c.sqlite();
  CHECK(v.frames == static_cast<int>(r.frames_valid));
  CHECK(v.rows == 11 * kRowsPerCommit);
}

TEST_CASE("a missing or empty WAL is absent; a WAL shorter than its header is suspicious",
          "[wal]") {
  const auto dir = temp_dir("walnone");
  auto missing = inspect_wal(dir / "station.db-wal");
  REQUIRE(std::holds_alternative<WalReport>(missing));
  CHECK_FALSE(std::get<WalReport>(missing).present);
  CHECK_FALSE(std::get<WalReport>(missing).suspicious());

  write_file(dir / "empty-wal", "");
  auto empty = inspect_wal(dir / "empty-wal");
  REQUIRE(std::holds_alternative<WalReport>(empty));
  CHECK_FALSE(std::get<WalReport>(empty).present);

  write_file(dir / "short-wal", std::string(20, '\x37'));
  auto short_wal = inspect_wal(dir / "short-wal");
  REQUIRE(std::holds_alternative<WalReport>(short_wal));
  CHECK(std::get<WalReport>(short_wal).present);
  CHECK(std::get<WalReport>(short_wal).partial_tail_bytes == 20);
  CHECK(std::get<WalReport>(short_wal).suspicious());

  auto dir_as_wal = inspect_wal(dir);
  CHECK(std::holds_alternative<std::string>(dir_as_wal));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
