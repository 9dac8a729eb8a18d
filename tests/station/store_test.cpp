// The SQLite store and the fault-injecting wrapper.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "core_fixture.hpp"
#include "crypto/merkle.hpp"
#include "station/store/faulty_store.hpp"
#include "station/store/sqlite_store.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;

namespace {

crypto::Digest digest_of(std::string_view s) {
  return crypto::sha256(s);
}

struct TempDb {
  std::filesystem::path dir = temp_dir("store");
  std::filesystem::path file = dir / "station.db";
  ~TempDb() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::unique_ptr<SqliteStore> open() {
    auto s = SqliteStore::open(file);
    REQUIRE(s.has_value());
    return std::move(*s);
  }
};

}  // namespace

TEST_CASE("a committed transaction survives closing and reopening the database", "[store]") {
  TempDb db;
  {
    auto s = db.open();
    REQUIRE(s->begin());
    REQUIRE(s->put_meta("k", "v"));
    REQUIRE(s->put_terminal({"t1", "ab", "PEM", false}));
    REQUIRE(s->insert_tokens("cc", 1, {digest_of("a"), digest_of("b")}));
    REQUIRE(s->commit());
    CHECK(s->commits() == 1);
  }
  auto s = db.open();
  CHECK(s->get_meta("k")->value() == "v");
  CHECK(s->get_meta("schema_version")->value() == std::to_string(kSchemaVersion));
  REQUIRE(s->terminals()->size() == 1);
  auto tok = s->find_token("cc", 1, digest_of("a"));
  REQUIRE(tok.has_value());
  REQUIRE(tok->has_value());
  CHECK_FALSE((*tok)->spent_by.has_value());
  CHECK_FALSE(s->find_token("cc", 2, digest_of("a"))->has_value());
}

TEST_CASE("a rolled back transaction leaves nothing behind", "[store]") {
  TempDb db;
  auto s = db.open();
  REQUIRE(s->begin());
  REQUIRE(s->insert_tokens("cc", 1, {digest_of("a")}));
  s->rollback();
  CHECK_FALSE(s->find_token("cc", 1, digest_of("a"))->has_value());
  CHECK(s->commits() == 0);
}

TEST_CASE("a token is spent once and remembers the ballot that spent it", "[store]") {
  TempDb db;
  auto s = db.open();
  REQUIRE(s->begin());
  REQUIRE(s->insert_tokens("cc", 1, {digest_of("a")}));
  REQUIRE(s->spend_token("cc", 1, digest_of("a"), digest_of("leaf")));
  auto again = s->spend_token("cc", 1, digest_of("a"), digest_of("other"));
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == make_error_code(Errc::corrupt));
  REQUIRE(s->commit());
  CHECK((*s->find_token("cc", 1, digest_of("a")))->spent_by == digest_of("leaf"));
}

TEST_CASE("ballots come back sorted by leaf hash, the ballot box order", "[store]") {
  TempDb db;
  auto s = db.open();
  REQUIRE(s->begin());
  std::vector<crypto::Digest> leaves;
  for (int i = 0; i < 20; ++i) {
    const std::string payload = "ballot " + std::to_string(i);
    leaves.push_back(crypto::leaf_hash(payload));
    REQUIRE(s->insert_ballot({"cc", 1, leaves.back(), "t1", payload, "{}"}));
  }
  REQUIRE(s->insert_ballot({"cc", 2, crypto::leaf_hash("x"), "t2", "x", "{}"}));
  REQUIRE(s->commit());
  std::sort(leaves.begin(), leaves.end());
  CHECK(*s->leaf_hashes("cc", 1) == leaves);
  auto rows = s->ballots("cc", 1);
  REQUIRE(rows->size() == 20);
  CHECK(rows->front().leaf_hash == leaves.front());
  auto counts = s->ballot_counts();
  REQUIRE(counts->size() == 2);
  CHECK(counts->at(0).ballots == 20);
  CHECK(counts->at(1).terminal == "t2");
}

TEST_CASE("a ballot cannot be stored twice", "[store]") {
  TempDb db;
  auto s = db.open();
  REQUIRE(s->begin());
  REQUIRE(s->insert_ballot({"cc", 1, crypto::leaf_hash("x"), "t1", "x", "{}"}));
  CHECK_FALSE(s->insert_ballot({"cc", 1, crypto::leaf_hash("x"), "t1", "x", "{}"}).has_value());
  s->rollback();
}

TEST_CASE("rounds and commands round-trip through the store", "[store]") {
  TempDb db;
  auto s = db.open();
  REQUIRE(s->begin());
  crypto::AppendOnlyTree tree;
  tree.append(crypto::leaf_hash("x"));
  REQUIRE(s->put_round({"cc", 1, RoundPhase::open, tree.serialize(), 1, 5, "", std::nullopt}));
  REQUIRE(s->append_command({0, 7, "o1", "{\"e\":1}", digest_of("p"), digest_of("e")}));
  REQUIRE(s->commit());
  auto rounds = s->rounds();
  REQUIRE(rounds->size() == 1);
  CHECK(rounds->at(0).phase == RoundPhase::open);
  CHECK(crypto::AppendOnlyTree::restore(rounds->at(0).tree_state)->root() == tree.root());
  auto last = s->last_command();
  REQUIRE(last->has_value());
  CHECK((*last)->seq == 7);
  CHECK((*last)->entry_hash == digest_of("e"));
}

TEST_CASE("a store with an unknown schema version is refused", "[store]") {
  TempDb db;
  {
    auto s = db.open();
    REQUIRE(s->begin());
    REQUIRE(s->put_meta("schema_version", "99"));
    REQUIRE(s->commit());
  }
  auto s = SqliteStore::open(db.file);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().code == make_error_code(Errc::corrupt));
}

TEST_CASE("the fault-injecting store fails exactly the chosen commit", "[store]") {
  TempDb db;
  FaultyStore s(db.open());
  s.fail_commit_in(2);
  REQUIRE(s.begin());
  REQUIRE(s.put_meta("a", "1"));
  REQUIRE(s.commit());
  REQUIRE(s.begin());
  REQUIRE(s.put_meta("b", "2"));
  auto failed = s.commit();
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == make_error_code(Errc::injected_fault));
  s.rollback();
  CHECK(s.get_meta("a")->has_value());
  CHECK_FALSE(s.get_meta("b")->has_value());
  CHECK(s.failed_commits() == 1);
  REQUIRE(s.begin());
  REQUIRE(s.put_meta("c", "3"));
  REQUIRE(s.commit());
  CHECK(s.commits() == 2);
}

TEST_CASE("a round's log key round-trips through the store", "[store]") {
  TempDb db;
  auto s = db.open();
  crypto::Digest key{};
  key.fill(7);
  RoundRow open{"cc", 1, RoundPhase::open, crypto::AppendOnlyTree{}.serialize(), 0, 5, "", key};
  RoundRow pending;
  pending.contest = "cc";
  pending.round = 2;
  pending.tree_state = crypto::AppendOnlyTree{}.serialize();
  REQUIRE(s->begin());
  REQUIRE(s->put_round(open));
  REQUIRE(s->put_round(pending));
  REQUIRE(s->commit());
  auto rounds = s->rounds();
  REQUIRE(rounds->size() == 2);
  CHECK(rounds->at(0).log_key == key);
  CHECK_FALSE(rounds->at(1).log_key.has_value());
  CHECK(internal_log_leaf(key, digest_of("leaf")) ==
        crypto::hmac_sha256(
            std::string(32, '\x07'),
            std::string_view(reinterpret_cast<const char*>(digest_of("leaf").data()), 32)));
}

TEST_CASE("a version 1 database is migrated: logs keyed, closed rounds' logs erased", "[store]") {
  TempDb db;
  crypto::AppendOnlyTree unkeyed_open, unkeyed_closed;
  const std::vector<crypto::Digest> open_leaves = {crypto::leaf_hash("b2"),
                                                   crypto::leaf_hash("b1")};
  for (const auto& l : open_leaves) unkeyed_open.append(l);
  for (const char* b : {"x", "y", "z"}) unkeyed_closed.append(crypto::leaf_hash(b));
  {
    // The version 1 schema, as the first release created it.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.file.c_str(), &raw) == SQLITE_OK);
    const char* v1 = R"sql(
      CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE rounds(contest TEXT NOT NULL, round INTEGER NOT NULL CHECK(round > 0),
        phase TEXT NOT NULL CHECK(phase IN ('pending', 'open', 'closed')),
        tree BLOB NOT NULL, ballots INTEGER NOT NULL, tokens_issued INTEGER NOT NULL,
        box_root TEXT NOT NULL, PRIMARY KEY(contest, round)) WITHOUT ROWID;
      CREATE TABLE ballots(contest TEXT NOT NULL, round INTEGER NOT NULL, leaf_hash BLOB NOT NULL,
        terminal TEXT NOT NULL, payload BLOB NOT NULL, envelope TEXT NOT NULL,
        PRIMARY KEY(contest, round, leaf_hash)) WITHOUT ROWID;
      INSERT INTO meta VALUES('schema_version', '1');
    )sql";
    REQUIRE(sqlite3_exec(raw, v1, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(raw, "INSERT INTO rounds VALUES(?1, ?2, ?3, ?4, ?5, 9, ?6)", -1, &st,
                               nullptr) == SQLITE_OK);
    auto put = [&](const char* contest, int round, const char* phase,
                   const crypto::AppendOnlyTree& t, const char* box) {
      const std::string state = t.serialize();
      sqlite3_bind_text(st, 1, contest, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int(st, 2, round);
      sqlite3_bind_text(st, 3, phase, -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob(st, 4, state.data(), static_cast<int>(state.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(st, 5, static_cast<sqlite3_int64>(t.size()));
      sqlite3_bind_text(st, 6, box, -1, SQLITE_TRANSIENT);
      REQUIRE(sqlite3_step(st) == SQLITE_DONE);
      sqlite3_reset(st);
    };
    put("cc", 1, "closed", unkeyed_closed, "ab");
    put("cc", 2, "open", unkeyed_open, "");
    put("chair", 1, "pending", crypto::AppendOnlyTree{}, "");
    sqlite3_finalize(st);
    REQUIRE(sqlite3_prepare_v2(raw, "INSERT INTO ballots VALUES('cc', 2, ?1, 't1', 'p', 'e')", -1,
                               &st, nullptr) == SQLITE_OK);
    for (const auto& l : open_leaves) {
      sqlite3_bind_blob(st, 1, l.data(), 32, SQLITE_TRANSIENT);
      REQUIRE(sqlite3_step(st) == SQLITE_DONE);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(raw);
  }
  auto s = db.open();
  CHECK(s->get_meta("schema_version")->value() == std::to_string(kSchemaVersion));
  auto rounds = s->rounds();
  REQUIRE(rounds->size() == 3);
  const RoundRow& closed = rounds->at(0);
  CHECK_FALSE(closed.log_key.has_value());
  CHECK(closed.tree_state == crypto::AppendOnlyTree{}.serialize());
  CHECK(closed.ballots == 3);
  CHECK(closed.box_root == "ab");
  const RoundRow& open = rounds->at(1);
  REQUIRE(open.log_key.has_value());
  // Rebuilt over the keyed leaves in leaf-hash order: nothing of the arrival order survives.
  auto sorted = open_leaves;
  std::sort(sorted.begin(), sorted.end());
  crypto::AppendOnlyTree keyed;
  for (const auto& l : sorted) keyed.append(internal_log_leaf(*open.log_key, l));
  CHECK(open.tree_state == keyed.serialize());
  CHECK(open.ballots == 2);
  CHECK_FALSE(rounds->at(2).log_key.has_value());
  CHECK(rounds->at(2).phase == RoundPhase::pending);
  // Opening again is a no-op.
  s.reset();
  auto again = db.open();
  CHECK(again->rounds()->at(1).log_key == open.log_key);
}
