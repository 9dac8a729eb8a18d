// The SQLite store and the fault-injecting wrapper.
#include <catch2/catch.hpp>

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
  REQUIRE(s->put_round({"cc", 1, RoundPhase::open, tree.serialize(), 1, 5, ""}));
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
