// The journaled store's checks at open (docs/storage.md "Mirror and head"), one case per row of
// the decision: the database behind the mirror (restored), the mirror behind or damaged (rebuilt),
// the two disagreeing (refused), the database behind the head file (refused, or --accept-loss).
#include <catch2/catch.hpp>

#include <fstream>

#include "core_fixture.hpp"
#include "station/store/journaled_store.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;

namespace {

namespace fs = std::filesystem;

struct Dirs {
  fs::path root = temp_dir("journal");
  fs::path data = root / "data";
  fs::path mirror = root / "mirror";
  fs::path db = data / "station.db";
  ~Dirs() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  JournalSetup setup(bool with_mirror, bool accept_loss = false) const {
    JournalSetup s;
    s.database = db;
    s.head = data / "station.head";
    if (with_mirror) s.mirror = mirror;
    s.accept_loss = accept_loss;
    return s;
  }
  // The database file alone, as a crash-free close left it (no -wal).
  void save_db(const fs::path& to) const { fs::copy_file(db, to, fs::copy_options::overwrite_existing); }
  void restore_db(const fs::path& from) const {
    std::error_code ec;
    fs::remove(db.string() + "-wal", ec);
    fs::remove(db.string() + "-shm", ec);
    fs::copy_file(from, db, fs::copy_options::overwrite_existing);
  }
};

OpenedStore open_ok(const JournalSetup& s) {
  auto r = open_journaled_store(s);
  if (!r) FAIL(r.error().message);
  return std::move(*r);
}

void put(Store& s, const std::string& key, const std::string& value) {
  REQUIRE(s.begin());
  REQUIRE(s.put_meta(key, value));
  REQUIRE(s.commit());
}

std::string meta(Store& s, const std::string& key) {
  auto v = s.get_meta(key);
  REQUIRE(v.has_value());
  return v->value_or("<none>");
}

bool any_notice(const OpenedStore& o, const std::string& part) {
  for (const auto& n : o.notices) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("each commit is numbered and chained, in the database and the head file", "[journal]") {
  Dirs d;
  auto o = open_ok(d.setup(false));
  CHECK(any_notice(o, "no mirror"));
  put(*o.store, "a", "1");
  put(*o.store, "b", "2");
  CHECK(o.store->commit_count() == 2);
  CHECK(meta(*o.store, "commit_count") == "2");
  CHECK(meta(*o.store, "commit_chain") == crypto::to_hex(o.store->commit_chain()));
  // A transaction that changes nothing has no number.
  REQUIRE(o.store->begin());
  REQUIRE(o.store->commit());
  CHECK(o.store->commit_count() == 2);
  std::ifstream head(d.data / "station.head");
  std::string line;
  std::getline(head, line);
  CHECK(line == "commit 00000000000000000002 chain " + crypto::to_hex(o.store->commit_chain()));
}

TEST_CASE("a database behind its mirror is restored from it, and says so", "[journal]") {
  Dirs d;
  const fs::path old = d.root / "old.db";
  {
    auto o = open_ok(d.setup(true));
    CHECK(any_notice(o, "is new"));
    put(*o.store, "a", "1");
  }
  d.save_db(old);
  crypto::Digest chain{};
  {
    auto o = open_ok(d.setup(true));
    CHECK(o.notices.empty());
    put(*o.store, "b", "2");
    put(*o.store, "c", "3");
    chain = o.store->commit_chain();
  }
  d.restore_db(old);  // the disk lost commits 2 and 3
  auto o = open_ok(d.setup(true));
  CHECK(any_notice(o, "2 commits (commit 2 to 3"));
  CHECK(meta(*o.store, "b") == "2");
  CHECK(meta(*o.store, "c") == "3");
  CHECK(o.store->commit_count() == 3);
  CHECK(o.store->commit_chain() == chain);
}

TEST_CASE("without a mirror a database behind the head file is refused, or opened with "
          "--accept-loss",
          "[journal]") {
  Dirs d;
  const fs::path old = d.root / "old.db";
  {
    auto o = open_ok(d.setup(false));
    put(*o.store, "a", "1");
  }
  d.save_db(old);
  {
    auto o = open_ok(d.setup(false));
    put(*o.store, "b", "2");
  }
  d.restore_db(old);
  auto refused = open_journaled_store(d.setup(false));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == make_error_code(Errc::corrupt));
  CHECK(refused.error().message.find("holds commit 1 but the station had committed up to commit 2") !=
        std::string::npos);
  auto accepted = open_ok(d.setup(false, true));
  CHECK(any_notice(accepted, "--accept-loss"));
  CHECK(meta(*accepted.store, "b") == "<none>");
}

TEST_CASE("a mirror behind the database, or damaged, is rebuilt from it", "[journal]") {
  Dirs d;
  {
    auto o = open_ok(d.setup(true));
    put(*o.store, "a", "1");
  }
  {
    auto o = open_ok(d.setup(false));  // a run without the mirror: it falls behind
    put(*o.store, "b", "2");
  }
  {
    auto o = open_ok(d.setup(true));
    CHECK(any_notice(o, "the mirror is behind the database (commit 1 against commit 2)"));
    put(*o.store, "c", "3");
  }
  {  // one byte of the last record flipped: a damaged journal, the database intact
    std::fstream j(d.mirror / "journal", std::ios::in | std::ios::out | std::ios::binary);
    j.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(j.tellg());
    j.seekp(size - 40);
    j.put('\x5a');
  }
  auto o = open_ok(d.setup(true));
  CHECK(any_notice(o, "rewritten"));
  CHECK(meta(*o.store, "c") == "3");
  // The rewritten mirror is whole again: a later start finds nothing to say.
  put(*o.store, "d", "4");
  o.store.reset();
  auto again = open_ok(d.setup(true));
  CHECK(again.notices.empty());
}

TEST_CASE("a database and a mirror with different histories are refused, unchanged",
          "[journal]") {
  Dirs d;
  const fs::path old = d.root / "old.db";
  {
    auto o = open_ok(d.setup(true));
    put(*o.store, "a", "1");
  }
  d.save_db(old);
  {
    auto o = open_ok(d.setup(true));
    put(*o.store, "b", "2");
    put(*o.store, "c", "3");
  }
  d.restore_db(old);
  std::error_code ec;
  fs::remove(d.data / "station.head", ec);
  {
    auto o = open_ok(d.setup(false));  // another commit 2, not the mirror's
    put(*o.store, "x", "other");
  }
  auto r = open_journaled_store(d.setup(true));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("does not agree with it at commit 2") != std::string::npos);
}

TEST_CASE("a missing database is rebuilt from the mirror's snapshot and journal", "[journal]") {
  Dirs d;
  {
    auto o = open_ok(d.setup(true));
    put(*o.store, "a", "1");
    REQUIRE(o.store->compact());  // as after a close: a snapshot at commit 1
    put(*o.store, "b", "2");
  }
  std::error_code ec;
  for (const char* f : {"station.db", "station.db-wal", "station.db-shm"}) fs::remove(d.data / f, ec);
  auto o = open_ok(d.setup(true));
  CHECK(any_notice(o, "rebuilt from the mirror's snapshot (commit 1)"));
  CHECK(meta(*o.store, "a") == "1");
  CHECK(meta(*o.store, "b") == "2");
  CHECK(o.store->commit_count() == 2);
}

TEST_CASE("an unwritable mirror directory is refused at start", "[journal]") {
  Dirs d;
  // A regular file where the directory should be: it cannot be created or written.
  fs::create_directories(d.root);
  std::ofstream(d.mirror) << "not a directory";
  auto r = open_journaled_store(d.setup(true));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("the mirror directory") != std::string::npos);
}
