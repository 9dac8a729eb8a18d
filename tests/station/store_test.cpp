// The SQLite store and the fault-injecting wrapper.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "core_fixture.hpp"
#include "crypto/dsse.hpp"
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

namespace {

StagedBallot staged_ballot(int i, const std::string& terminal = "t1") {
  StagedBallot b;
  b.payload = "ballot " + std::to_string(i);
  b.token = digest_of("token " + std::to_string(i));
  b.leaf = crypto::leaf_hash(b.payload);
  b.terminal = terminal;
  b.sig_keyid = std::string(64, 'a');
  b.signature = std::string(64, static_cast<char>(i));
  return b;
}

}  // namespace

TEST_CASE("a staged ballot is sealed for its round and opens only there", "[store]") {
  const crypto::Digest key = staging_key(new_log_key());
  const StagedBallot b = staged_ballot(3, "t9");
  const std::string sealed = seal_staged(key, "cc", 1, b);
  CHECK(sealed.find("ballot 3") == std::string::npos);
  auto back = open_staged(key, "cc", 1, sealed);
  REQUIRE(back);
  CHECK(back->payload == b.payload);
  CHECK(back->token == b.token);
  CHECK(back->leaf == b.leaf);
  CHECK(back->terminal == "t9");
  CHECK(back->sig_keyid == b.sig_keyid);
  CHECK(back->signature == b.signature);
  CHECK_FALSE(open_staged(key, "cc", 2, sealed));
  CHECK_FALSE(open_staged(key, "cd", 1, sealed));
  CHECK_FALSE(open_staged(staging_key(new_log_key()), "cc", 1, sealed));
}

TEST_CASE("sealing a round sorts its staged ballots into the box and spends their tokens",
          "[store]") {
  TempDb db;
  auto s = db.open();
  const crypto::Digest key = staging_key(new_log_key());
  std::vector<crypto::Digest> tokens;
  std::vector<crypto::Digest> leaves;
  std::vector<std::string> sealed;
  for (int i = 0; i < 20; ++i) {
    StagedBallot b = staged_ballot(i);
    tokens.push_back(b.token);
    leaves.push_back(b.leaf);
    sealed.push_back(seal_staged(key, "cc", 1, b));
  }
  tokens.push_back(digest_of("unused"));
  REQUIRE(s->begin());
  REQUIRE(s->insert_tokens("cc", 1, tokens));
  REQUIRE(s->stage_ballots("cc", 1, {sealed.begin(), sealed.begin() + 12}));
  REQUIRE(s->stage_ballots("cc", 1, {sealed.begin() + 12, sealed.end()}));
  REQUIRE(s->commit());
  CHECK(*s->staged("cc", 1) == sealed);  // arrival order
  CHECK(s->leaf_hashes("cc", 1)->empty());
  CHECK_FALSE((*s->find_token("cc", 1, tokens[0]))->spent_by.has_value());

  REQUIRE(s->begin());
  auto n = s->seal_round("cc", 1, key);
  REQUIRE(n.has_value());
  CHECK(*n == 20);
  REQUIRE(s->commit());
  CHECK(s->staged("cc", 1)->empty());
  CHECK(*s->compact_pending());
  std::vector<crypto::Digest> sorted = leaves;
  std::sort(sorted.begin(), sorted.end());
  CHECK(*s->leaf_hashes("cc", 1) == sorted);
  auto rows = s->ballots("cc", 1);
  REQUIRE(rows->size() == 20);
  for (const BallotRow& r : *rows) {
    auto env = crypto::parse_envelope(r.envelope);
    REQUIRE(env.has_value());
    CHECK(env->payload == r.payload);
    CHECK(crypto::leaf_hash(r.payload) == r.leaf_hash);
    REQUIRE(env->signatures.size() == 1);
    CHECK(env->signatures[0].keyid == std::string(64, 'a'));
  }
  for (int i = 0; i < 20; ++i) {
    CHECK((*s->find_token("cc", 1, tokens[i]))->spent_by == leaves[i]);
  }
  CHECK_FALSE((*s->find_token("cc", 1, tokens[20]))->spent_by.has_value());
  auto counts = s->ballot_counts();
  REQUIRE(counts->size() == 1);
  CHECK(counts->at(0).ballots == 20);
  REQUIRE(s->compact());
  CHECK_FALSE(*s->compact_pending());
  CHECK(s->ballots("cc", 1)->size() == 20);
}

TEST_CASE("compacting a large round does not wait on its own WAL checkpoint", "[store]") {
  // Regression: compact() holds the checkpoint lock while VACUUM commits through the WAL; the WAL
  // hook then took the same lock once the WAL passed its hard limit, and the writer deadlocked
  // (seen closing a round of 10^6 ballots). A tiny limit makes every commit cross it.
  TempDb db;
  SqliteStore::Options options;
  options.hard_limit_pages = 4;
  auto opened = SqliteStore::open(db.file, options);
  REQUIRE(opened.has_value());
  auto& s = *opened;
  const crypto::Digest key = staging_key(new_log_key());
  std::vector<crypto::Digest> tokens;
  std::vector<std::string> sealed;
  for (int i = 0; i < 300; ++i) {
    StagedBallot b = staged_ballot(i);
    b.payload += std::string(500, 'x');
    tokens.push_back(b.token);
    sealed.push_back(seal_staged(key, "cc", 1, b));
  }
  REQUIRE(s->begin());
  REQUIRE(s->insert_tokens("cc", 1, tokens));
  REQUIRE(s->stage_ballots("cc", 1, sealed));
  REQUIRE(s->commit());
  REQUIRE(s->begin());
  REQUIRE(s->seal_round("cc", 1, key).has_value());
  REQUIRE(s->commit());
  REQUIRE(s->compact());
  CHECK(s->ballots("cc", 1)->size() == 300);
  CHECK(std::filesystem::file_size(db.file.string() + "-wal") == 0);
}

TEST_CASE("sealing refuses a row under another key and a token spent twice", "[store]") {
  TempDb db;
  auto s = db.open();
  const crypto::Digest key = staging_key(new_log_key());
  StagedBallot a = staged_ballot(1);
  StagedBallot b = staged_ballot(2);
  b.token = a.token;  // two ballots with one token
  REQUIRE(s->begin());
  REQUIRE(s->insert_tokens("cc", 1, {a.token}));
  REQUIRE(s->stage_ballots("cc", 1, {seal_staged(key, "cc", 1, a), seal_staged(key, "cc", 1, b)}));
  auto twice = s->seal_round("cc", 1, key);
  REQUIRE_FALSE(twice.has_value());
  CHECK(twice.error().code == make_error_code(Errc::corrupt));
  s->rollback();
  REQUIRE(s->begin());
  REQUIRE(s->insert_tokens("cc", 1, {a.token}));
  REQUIRE(s->stage_ballots("cc", 1, {seal_staged(key, "cc", 1, a)}));
  auto wrong = s->seal_round("cc", 1, staging_key(new_log_key()));
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().code == make_error_code(Errc::corrupt));
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

namespace {

// A version 1 database, as the first release created it: round cc/1 closed with three ballots
// (real envelopes), and, if `with_open_round`, cc/2 open with two.
void write_v1(const std::filesystem::path& file, bool with_open_round) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
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
  auto put = [&](const char* contest, int round, const char* phase, std::uint64_t n,
                 const char* box) {
    crypto::AppendOnlyTree t;
    for (std::uint64_t i = 0; i < n; ++i) t.append(digest_of(std::to_string(i)));
    const std::string state = t.serialize();
    sqlite3_bind_text(st, 1, contest, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, round);
    sqlite3_bind_text(st, 3, phase, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 4, state.data(), static_cast<int>(state.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, static_cast<sqlite3_int64>(n));
    sqlite3_bind_text(st, 6, box, -1, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_reset(st);
  };
  put("cc", 1, "closed", 3, "ab");
  if (with_open_round) put("cc", 2, "open", 2, "");
  put("chair", 1, "pending", 0, "");
  sqlite3_finalize(st);
  REQUIRE(sqlite3_prepare_v2(raw, "INSERT INTO ballots VALUES('cc', ?1, ?2, 't1', ?3, ?4)", -1,
                             &st, nullptr) == SQLITE_OK);
  for (int i = 0; i < (with_open_round ? 5 : 3); ++i) {
    const std::string payload = "{\"ballot\":" + std::to_string(i) + "}";
    const std::string envelope =
        ballot_envelope(payload, std::string(64, 'b'), std::string(64, static_cast<char>(i)));
    const crypto::Digest leaf = crypto::leaf_hash(payload);
    sqlite3_bind_int(st, 1, i < 3 ? 1 : 2);
    sqlite3_bind_blob(st, 2, leaf.data(), 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, payload.data(), static_cast<int>(payload.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, envelope.c_str(), -1, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

}  // namespace

TEST_CASE("a version 1 database with closed rounds only is migrated to the current schema",
          "[store]") {
  TempDb db;
  write_v1(db.file, false);
  auto s = db.open();
  CHECK(s->get_meta("schema_version")->value() == std::to_string(kSchemaVersion));
  auto rounds = s->rounds();
  REQUIRE(rounds->size() == 2);
  const RoundRow& closed = rounds->at(0);
  CHECK_FALSE(closed.log_key.has_value());
  CHECK(closed.tree_state == crypto::AppendOnlyTree{}.serialize());
  CHECK(closed.ballots == 3);
  CHECK(closed.box_root == "ab");
  CHECK_FALSE(rounds->at(1).log_key.has_value());
  CHECK(rounds->at(1).phase == RoundPhase::pending);
  // The ballots keep their payloads and signatures, stored once, and export the same envelopes.
  auto ballots = s->ballots("cc", 1);
  REQUIRE(ballots->size() == 3);
  for (const BallotRow& b : *ballots) {
    auto env = crypto::parse_envelope(b.envelope);
    REQUIRE(env.has_value());
    CHECK(env->payload == b.payload);
    CHECK(env->signatures.at(0).keyid == std::string(64, 'b'));
    CHECK(crypto::leaf_hash(b.payload) == b.leaf_hash);
  }
  CHECK(*s->compact_pending());
  // Opening again is a no-op.
  s.reset();
  auto again = db.open();
  CHECK(again->ballots("cc", 1)->size() == 3);
}

TEST_CASE("a database of an older version with a round open is refused, unchanged", "[store]") {
  TempDb db;
  write_v1(db.file, true);
  auto s = SqliteStore::open(db.file);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().code == make_error_code(Errc::corrupt));
  CHECK(s.error().message.find("round 2 of contest cc is open") != std::string::npos);
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.file.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                             nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "1");
  sqlite3_finalize(st);
  sqlite3_close(raw);
}
