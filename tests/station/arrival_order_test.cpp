// Acceptance: after close_round, nothing in station.db reveals the order in which the round's
// ballots arrived (docs/storage.md). The station is driven in-process (core_fixture.hpp); the
// database file is then read raw, page by page (sqlite_pages.hpp), as an adversary holding a copy
// of the data directory would read it. A control case reads the file during the round, where the
// arrival order is expected to live: in the staging table, sealed under the round's staging key.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core_fixture.hpp"
#include "crypto/merkle.hpp"
#include "sqlite_pages.hpp"
#include "station/store/store.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;
using tallystation::station::test::ArrivalRank;
using tallystation::station::test::Cell;
using tallystation::station::test::in_page_position_leak;
using tallystation::station::test::OrderLeak;
using tallystation::station::test::row_cells;
using tallystation::station::test::row_order_leak;

namespace {

const Keys& K() {
  return Keys::get();
}

std::string digest_bytes(const crypto::Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

struct SignedBallot {
  std::string body;  // the DSSE envelope posted
  std::string leaf;  // crypto::leaf_hash(payload), 32 raw bytes
};

// One ballot per token, with a random subset of c1..c6 as marks (so payload sizes differ), signed
// by t1, t2 or t3 (Ed25519 and ECDSA signatures: envelope sizes differ too). Signing runs on two
// threads; the result is in token order.
std::vector<SignedBallot> sign_ballots(const std::vector<std::string>& tokens,
                                       std::mt19937_64& rng) {
  const char* const candidates[] = {"c1", "c2", "c3", "c4", "c5", "c6"};
  const crypto::SecretKey* const terminals[] = {&K().t1, &K().t2, &K().t3};
  std::vector<std::string> payloads;
  std::vector<int> signer;
  payloads.reserve(tokens.size());
  for (const std::string& token : tokens) {
    std::vector<std::string> marks;
    for (const char* c : candidates) {
      if (rng() % 2 == 0) marks.emplace_back(c);
    }
    std::shuffle(marks.begin(), marks.end(), rng);
    payloads.push_back(make_ballot_payload("cc2026", "cc", 1, token, marks));
    signer.push_back(static_cast<int>(rng() % 3));
  }
  std::vector<SignedBallot> out(tokens.size());
  auto work = [&](std::size_t from, std::size_t step) {
    for (std::size_t i = from; i < out.size(); i += step) {
      out[i].body = sign_ballot(*terminals[signer[i]], payloads[i]);
      out[i].leaf = digest_bytes(crypto::leaf_hash(payloads[i]));
    }
  };
  std::thread other(work, 1, 2);
  work(0, 2);
  other.join();
  return out;
}

// Station::open_cc for more tokens than one issue_tokens command may issue (10,000): enrols t1..t3,
// issues n tokens for cc round 1 in commands of at most 10,000, and opens the round.
std::vector<std::string> open_cc(Station& st, int n) {
  for (const char* t : {"t1", "t2", "t3"}) {
    Station::expect_ok(st.command("enrol_terminal", {{"terminal", t}}));
  }
  std::vector<std::string> tokens;
  for (int left = n; left > 0;) {
    const int count = std::min(left, 10000);
    auto res = Station::expect_ok(
        st.command("issue_tokens", {{"contest", "cc"}, {"round", 1}, {"count", count}}));
    for (const auto& t : res.at("result").at("tokens").as_array()) {
      tokens.emplace_back(t.as_string().c_str());
    }
    left -= count;
  }
  Station::expect_ok(st.command("open_round", {{"contest", "cc"}, {"round", 1}}));
  return tokens;
}

// Opens round cc 1 with n tokens and posts n ballots one at a time (each answered before the next
// is sent), in a random order unrelated to their leaf hashes. Returns leaf (raw bytes) -> arrival
// rank (0 = first).
std::unordered_map<std::string, std::uint64_t> post_in_random_order(Station& st, int n,
                                                                     std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto tokens = open_cc(st, n);
  REQUIRE(tokens.size() == static_cast<std::size_t>(n));
  const auto t0 = std::chrono::steady_clock::now();
  auto ballots = sign_ballots(tokens, rng);
  const auto t1 = std::chrono::steady_clock::now();
  std::vector<std::size_t> order(ballots.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::shuffle(order.begin(), order.end(), rng);

  std::unordered_map<std::string, std::uint64_t> rank;
  std::size_t refused = 0;
  std::string first_refusal;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const SignedBallot& b = ballots[order[i]];
    const HttpResponse res = st.call("POST", "/v1/ballots", b.body);
    if (res.status != 200) {
      if (refused++ == 0) first_refusal = res.body;
      continue;
    }
    rank.emplace(b.leaf, i);
  }
  const auto t2 = std::chrono::steady_clock::now();
  using ms = std::chrono::milliseconds;
  WARN(n << " ballots: signed in " << std::chrono::duration_cast<ms>(t1 - t0).count()
         << " ms (2 threads), posted one at a time in "
         << std::chrono::duration_cast<ms>(t2 - t1).count() << " ms");
  INFO("first refusal: " << first_refusal);
  REQUIRE(refused == 0);
  REQUIRE(rank.size() == static_cast<std::size_t>(n));  // leaf hashes all distinct
  return rank;
}

class ReadOnlyDb {
 public:
  explicit ReadOnlyDb(const std::filesystem::path& file, bool writable = false) {
    const int flags = writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("sqlite3_open_v2 " + file.string() + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ReadOnlyDb(const ReadOnlyDb&) = delete;
  ReadOnlyDb& operator=(const ReadOnlyDb&) = delete;
  ~ReadOnlyDb() { sqlite3_close(db_); }

  // The first column of the first row of `sql`, raw bytes, or nullopt for SQL NULL / no row.
  std::optional<std::string> value(const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string(sql) + ": " + sqlite3_errmsg(db_));
    }
    std::optional<std::string> out;
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
      const void* p = sqlite3_column_blob(st, 0);
      out = std::string(static_cast<const char*>(p),
                        static_cast<std::size_t>(sqlite3_column_bytes(st, 0)));
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      const std::string msg = sqlite3_errmsg(db_);
      sqlite3_finalize(st);
      throw std::runtime_error(std::string(sql) + ": " + msg);
    }
    sqlite3_finalize(st);
    return out;
  }

  std::int64_t integer(const char* sql) {
    auto v = value(sql);
    return v ? std::stoll(*v) : -1;
  }

 private:
  sqlite3* db_ = nullptr;
};

// k_round of cc/1 as station.db holds it while the round is open (rounds.log_key), read through a
// read-only connection that is closed again before returning.
crypto::Digest read_log_key(const std::filesystem::path& db_file) {
  ReadOnlyDb db(db_file);
  auto key = db.value("SELECT log_key FROM rounds WHERE contest = 'cc' AND round = 1");
  REQUIRE(key.has_value());
  REQUIRE(key->size() == 32);
  crypto::Digest k{};
  std::copy(key->begin(), key->end(), reinterpret_cast<char*>(k.data()));
  return k;
}

std::string describe(const char* what, const OrderLeak& l) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s: accuracy %.4f over %llu pairs (%llu correct)", what,
                l.accuracy(), static_cast<unsigned long long>(l.pairs),
                static_cast<unsigned long long>(l.correct));
  return buf;
}

std::uint64_t ranked(const std::vector<Cell>& cells, const ArrivalRank& rank) {
  return static_cast<std::uint64_t>(
      std::count_if(cells.begin(), cells.end(), [&](const Cell& c) { return rank(c).has_value(); }));
}

// Every place in the file's raw bytes where `needle` occurs (byte offsets).
std::vector<std::size_t> occurrences(const std::string& hay, const std::string& needle) {
  std::vector<std::size_t> at;
  for (std::size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) {
    at.push_back(p);
  }
  return at;
}

// Reads `table` of `db` page by page and checks that neither in-page position nor row order
// predicts arrival better than chance (50% +- 2%); a row's arrival is the rank of the leaf hash in
// its column `rank_column`, and all `n` rows must be found and ranked.
void check_at_chance(const std::filesystem::path& db, const char* table, std::size_t rank_column,
                     const std::unordered_map<std::string, std::uint64_t>& rank_of, int n) {
  const auto cells = row_cells(db, table, rank_column + 1);
  const ArrivalRank rank = [&](const Cell& c) -> std::optional<std::uint64_t> {
    if (c.columns.size() <= rank_column) return std::nullopt;
    auto it = rank_of.find(c.columns[rank_column]);
    if (it == rank_of.end()) return std::nullopt;
    return it->second;
  };
  const auto position = in_page_position_leak(cells, rank);
  const auto order = row_order_leak(cells, rank);
  WARN(describe((std::string(table) + ", in-page position").c_str(), position));
  WARN(describe((std::string(table) + ", row order").c_str(), order));
  CHECK(cells.size() == static_cast<std::size_t>(n));
  CHECK(ranked(cells, rank) == static_cast<std::uint64_t>(n));
  CHECK(position.pairs > static_cast<std::uint64_t>(n));
  CHECK(position.accuracy() == Approx(0.5).margin(0.02));
  CHECK(order.pairs == static_cast<std::uint64_t>(n - 1));
  CHECK(order.accuracy() == Approx(0.5).margin(0.02));
}

}  // namespace

TEST_CASE("after close_round station.db does not reveal the order in which 20000 ballots arrived",
          "[arrival_order]") {
  constexpr int kBallots = 20000;
  const auto start = std::chrono::steady_clock::now();
  Station st("arrival");
  const auto db_file = st.data() / "station.db";
  const auto rank_of = post_in_random_order(st, kBallots, 20260601);

  const crypto::Digest k_round = read_log_key(db_file);
  const crypto::Digest k_staging = staging_key(k_round);

  const auto t_close = std::chrono::steady_clock::now();
  auto closed = Station::expect_ok(st.command("close_round", {{"contest", "cc"}, {"round", 1}}));
  const auto t_closed = std::chrono::steady_clock::now();
  CHECK(closed.at("result").at("ballot_box").at("size").as_int64() == kBallots);
  // Stops the worker pool and the writer (the store itself stays open until the fixture goes).
  st.app().drain();
  WARN("close_round (seal, VACUUM, WAL truncate) took "
       << std::chrono::duration_cast<std::chrono::milliseconds>(t_closed - t_close).count()
       << " ms");

  // The close's compaction checkpointed and truncated the WAL: the file alone is the database.
  const auto wal = st.data() / "station.db-wal";
  const auto shm = st.data() / "station.db-shm";
  const bool wal_present = std::filesystem::exists(wal);
  if (wal_present) {
    INFO("station.db-wal holds " << std::filesystem::file_size(wal) << " bytes");
    REQUIRE(std::filesystem::file_size(wal) == 0);
  }

  // Raw bytes first, before any connection of ours touches the files.
  for (const auto& f : {db_file, wal, shm}) {
    if (!std::filesystem::exists(f)) continue;
    const std::string bytes = read_file(f);
    INFO(f.filename().string() << " (" << bytes.size() << " bytes)");
    CHECK(occurrences(bytes, digest_bytes(k_round)).empty());
    CHECK(occurrences(bytes, digest_bytes(k_staging)).empty());
  }

  // The ballot box, keyed by leaf hash; and the tokens, each of which "arrived" with the ballot
  // that spent it (spent_by = its leaf hash): neither cell positions nor row order say who came
  // first.
  check_at_chance(db_file, "ballots", 2, rank_of, kBallots);  // contest, round, leaf_hash
  check_at_chance(db_file, "tokens", 3, rank_of, kBallots);   // ..., token_hash, spent_by

  // Nothing staged is left, and the round's key is gone (raw pages first, then through SQLite).
  CHECK(row_cells(db_file, "staging").empty());
  {
    const auto rounds = row_cells(db_file, "rounds");
    auto it = std::find_if(rounds.begin(), rounds.end(), [](const Cell& c) {
      return c.columns.size() >= 8 && c.columns[0] == "cc" && c.columns[1] == "1";
    });
    REQUIRE(it != rounds.end());
    CHECK(it->columns[2] == "closed");
    CHECK(it->columns[7].empty());  // log_key: NULL (the reader shows NULL as no bytes)
  }
  {
    ReadOnlyDb db(db_file);
    CHECK(db.integer("SELECT count(*) FROM staging") == 0);
    CHECK(db.integer("SELECT log_key IS NULL FROM rounds WHERE contest = 'cc' AND round = 1") == 1);
    CHECK(db.integer("SELECT count(*) FROM ballots WHERE contest = 'cc' AND round = 1") == kBallots);
  }
  WARN("whole test case: "
       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                start)
              .count()
       << " ms");
}

TEST_CASE("after close_round the mirror holds no more than the database: a snapshot in key order "
          "and an empty journal",
          "[arrival_order]") {
  constexpr int kBallots = 4000;
  Station st("arrival-mirror", [&] {
    StationOptions o;
    o.mirror = temp_dir("arrival-mirror-dir");
    return o;
  }());
  const auto mirror = *st.options().mirror;
  const auto db_file = st.data() / "station.db";
  const auto rank_of = post_in_random_order(st, kBallots, 20261202);
  const crypto::Digest k_round = read_log_key(db_file);
  const crypto::Digest k_staging = staging_key(k_round);
  {  // during the round the journal holds the staged rows (sealed) and the key, as the database
    const std::string journal = read_file(mirror / "journal");
    CHECK(journal.size() > 112);
    CHECK_FALSE(occurrences(journal, digest_bytes(k_round)).empty());
  }
  Station::expect_ok(st.command("close_round", {{"contest", "cc"}, {"round", 1}}));
  st.app().drain();

  // The journal is its 112-byte header only; neither key is in any file of the mirror.
  CHECK(std::filesystem::file_size(mirror / "journal") == 112);
  for (const auto& entry : std::filesystem::directory_iterator(mirror)) {
    const std::string bytes = read_file(entry.path());
    INFO(entry.path().filename().string() << " (" << bytes.size() << " bytes)");
    CHECK(occurrences(bytes, digest_bytes(k_round)).empty());
    CHECK(occurrences(bytes, digest_bytes(k_staging)).empty());
  }
  const auto snapshot = mirror / "snapshot.db";
  CHECK(row_cells(snapshot, "staging").empty());
  const auto cells = row_cells(snapshot, "ballots", 3);
  const ArrivalRank rank = [&](const Cell& c) -> std::optional<std::uint64_t> {
    if (c.columns.size() < 3) return std::nullopt;
    auto it = rank_of.find(c.columns[2]);
    if (it == rank_of.end()) return std::nullopt;
    return it->second;
  };
  const auto position = in_page_position_leak(cells, rank);
  const auto order = row_order_leak(cells, rank);
  WARN(describe("mirror snapshot ballots, in-page position", position));
  WARN(describe("mirror snapshot ballots, row order", order));
  CHECK(ranked(cells, rank) == static_cast<std::uint64_t>(kBallots));
  CHECK(position.accuracy() == Approx(0.5).margin(0.02));
  CHECK(order.accuracy() == Approx(0.5).margin(0.02));
  std::error_code ec;
  std::filesystem::remove_all(mirror, ec);
}

TEST_CASE("during a round the arrival order lies in the staging table under the staging key only",
          "[arrival_order]") {
  // The control: the same posting, and the file read before close. The staging rows, opened with
  // the staging key, come back in exactly the order the ballots arrived, and the raw measures see
  // that order in the pages; so the measures and the decoding path can fail.
  constexpr int kBallots = 4000;
  Station st("arrival-open");
  const auto db_file = st.data() / "station.db";
  const auto rank_of = post_in_random_order(st, kBallots, 19450902);
  const crypto::Digest k_round = read_log_key(db_file);
  const crypto::Digest k_staging = staging_key(k_round);

  // The page reader needs the WAL copied into the file: checkpoint from a connection of our own
  // while the station is idle (every ballot has been answered).
  {
    ReadOnlyDb db(db_file, /*writable=*/true);
    auto busy = db.value("PRAGMA wal_checkpoint(TRUNCATE)");
    REQUIRE(busy.has_value());
    REQUIRE(*busy == "0");
  }

  const auto cells = row_cells(db_file, "staging");  // seq (the rowid), contest, round, sealed
  REQUIRE(cells.size() == static_cast<std::size_t>(kBallots));
  std::vector<std::uint64_t> opened;  // arrival rank of each staging row, in rowid order
  std::unordered_map<std::string, std::uint64_t> rank_by_sealed;
  std::size_t unopened = 0, wrong_key_opened = 0;
  crypto::Digest other_key = k_staging;
  other_key[0] ^= 1;
  for (const Cell& c : cells) {
    REQUIRE(c.columns.size() == 4);
    auto b = open_staged(k_staging, c.columns[1], static_cast<std::uint32_t>(std::stoul(c.columns[2])),
                         c.columns[3]);
    if (open_staged(other_key, c.columns[1], 1, c.columns[3])) ++wrong_key_opened;
    if (!b) {
      ++unopened;
      continue;
    }
    auto it = rank_of.find(digest_bytes(b->leaf));
    REQUIRE(it != rank_of.end());
    opened.push_back(it->second);
    rank_by_sealed.emplace(c.columns[3], it->second);
  }
  CHECK(unopened == 0);
  CHECK(wrong_key_opened == 0);
  std::vector<std::uint64_t> expected(kBallots);
  std::iota(expected.begin(), expected.end(), std::uint64_t{0});
  CHECK(opened == expected);  // rowid order is arrival order, exactly
  {
    std::vector<std::int64_t> rowids;
    for (const Cell& c : cells) rowids.push_back(c.rowid);
    CHECK(std::is_sorted(rowids.begin(), rowids.end()));
  }

  // The measures of the acceptance case see it: far above chance.
  const ArrivalRank rank = [&](const Cell& c) -> std::optional<std::uint64_t> {
    if (c.columns.size() < 4) return std::nullopt;
    auto it = rank_by_sealed.find(c.columns[3]);
    if (it == rank_by_sealed.end()) return std::nullopt;
    return it->second;
  };
  const auto position = in_page_position_leak(cells, rank);
  const auto order = row_order_leak(cells, rank);
  WARN(describe("staging during the round, in-page position", position));
  WARN(describe("staging during the round, row order", order));
  CHECK(position.pairs > static_cast<std::uint64_t>(kBallots));
  CHECK(position.accuracy() > 0.53);
  CHECK(order.pairs == static_cast<std::uint64_t>(kBallots - 1));
  CHECK(order.accuracy() > 0.53);

  // Elsewhere nothing of the round's ballots yet: no ballot box rows, no token spent.
  CHECK(row_cells(db_file, "ballots").empty());
  {
    const auto tokens = row_cells(db_file, "tokens", 4);
    CHECK(tokens.size() == static_cast<std::size_t>(kBallots));
    CHECK(std::all_of(tokens.begin(), tokens.end(),
                      [](const Cell& c) { return c.columns.size() == 4 && c.columns[3].empty(); }));
  }
  // The key search of the acceptance case finds k_round while the round is open (rounds.log_key);
  // the staging key itself is never stored.
  const std::string bytes = read_file(db_file);
  const auto found = occurrences(bytes, digest_bytes(k_round));
  WARN("during the round, k_round occurs " << found.size() << " time(s) in station.db");
  CHECK_FALSE(found.empty());
  CHECK(occurrences(bytes, digest_bytes(k_staging)).empty());
}
