// StationApp through the Handler seam, without sockets: routes, ballots and every refusal code,
// receipts, checkpoints, status, and what never leaves the station.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "core_fixture.hpp"
#include "crypto/merkle.hpp"
#include "crypto/x509.hpp"
#include "station/store/sqlite_store.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;

namespace {
const Keys& K() {
  return Keys::get();
}

// The round's row as the database holds it (a second connection, as an auditor would open it).
RoundRow stored_round(Station& st, const std::string& contest, std::uint32_t round) {
  auto db = SqliteStore::open(st.data() / "station.db");
  REQUIRE(db.has_value());
  auto rounds = (*db)->rounds();
  REQUIRE(rounds.has_value());
  for (RoundRow& r : *rounds) {
    if (r.contest == contest && r.round == round) return r;
  }
  FAIL("no such round in the database");
  return {};
}
}  // namespace

TEST_CASE("the first run creates the station's keys and certificate, the next run reuses them",
          "[app]") {
  Station st("firstrun");
  CHECK(st.app().first_run());
  const std::string keyid = st.app().station_keyid();
  const std::string fp = st.app().tls_fingerprint();
  struct stat info {};
  REQUIRE(::stat((st.data() / "station.key").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::stat((st.data() / "tls.key").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(*crypto::certificate_fingerprint(read_file(st.app().tls_certificate_path())) == fp);
  CHECK(read_file(st.data() / "session.json") == read_file(st.dir() / "session-def.json"));

  st.reopen();
  CHECK_FALSE(st.app().first_run());
  CHECK(st.app().station_keyid() == keyid);
  CHECK(st.app().tls_fingerprint() == fp);
}

TEST_CASE("GET /v1/station returns the key and fingerprint to pin", "[app]") {
  Station st("station");
  auto body = Station::expect_ok(st.call("GET", "/v1/station"));
  CHECK(body.at("keyid").as_string() == st.app().station_keyid());
  CHECK(body.at("tls_fingerprint").as_string() == st.app().tls_fingerprint());
  auto key = crypto::PublicKey::from_pem(body.at("public_key").as_string().c_str());
  REQUIRE(key.has_value());
  CHECK(key->keyid() == st.app().station_keyid());
}

TEST_CASE("a data directory refuses a different session and a first run needs one", "[app]") {
  Station st("mismatch");
  st.app().drain();
  StationOptions other = st.options();
  json::object changed = session_json();
  changed["title"] = "Another congress";
  write_file(st.dir() / "other.json", json::serialize(changed));
  other.session_file = st.dir() / "other.json";
  auto refused = StationApp::open(other);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == make_error_code(Errc::session_mismatch));

  StationOptions none;
  none.data_dir = st.dir() / "empty";
  auto missing = StationApp::open(none);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == make_error_code(Errc::missing_session));

  // session.json edited in place: the database still remembers the original config_hash.
  write_file(st.data() / "session.json", json::serialize(changed));
  StationOptions edited;
  edited.data_dir = st.data();
  auto tampered = StationApp::open(edited);
  REQUIRE_FALSE(tampered.has_value());
  CHECK(tampered.error().code == make_error_code(Errc::session_mismatch));
}

TEST_CASE("a data directory whose database is gone refuses to start empty", "[app]") {
  Station st("lostdb");
  st.app().drain();
  for (const char* f : {"station.db", "station.db-wal", "station.db-shm"}) {
    std::filesystem::remove(st.data() / f);
  }
  auto reopened = StationApp::open(st.options());
  REQUIRE_FALSE(reopened.has_value());
  CHECK(reopened.error().code == make_error_code(Errc::corrupt));
  CHECK(reopened.error().message.find("station.db is missing") != std::string::npos);
}

TEST_CASE("an accepted ballot gets a station-signed receipt over its leaf hash", "[app]") {
  Station st("receipt");
  auto tokens = st.open_cc();
  const std::string payload = make_ballot_payload("cc2026", "cc", 1, tokens[0], {"c1", "c3"});
  auto res = st.call("POST", "/v1/ballots", sign_ballot(K().t1, payload));
  REQUIRE(res.status == 200);
  CHECK(res.log_code == "ok");
  auto station_key = crypto::PublicKey::from_pem(st.app().station_public_key_pem());
  auto receipt = verified_payload(res.body, *station_key, crypto::payload_type::kReceipt);
  CHECK(receipt.at("session").as_string() == "cc2026");
  CHECK(receipt.at("contest").as_string() == "cc");
  CHECK(receipt.at("round").as_int64() == 1);
  CHECK(receipt.at("ballot_hash").as_string() == crypto::to_hex(crypto::leaf_hash(payload)));
  CHECK(receipt.size() == 4);
  // The log line names the terminal and round, never the token or the marks.
  for (const auto& [k, v] : res.log_fields) {
    CHECK(v.find(tokens[0]) == std::string::npos);
    CHECK(k != "marks");
  }
}

TEST_CASE("resubmitting an accepted ballot returns the same receipt and counts it once", "[app]") {
  Station st("retry");
  auto tokens = st.open_cc();
  const std::string body = Station::ballot_body(tokens[0], {"c2"});
  auto first = st.call("POST", "/v1/ballots", body);
  auto second = st.call("POST", "/v1/ballots", body);
  REQUIRE(first.status == 200);
  REQUIRE(second.status == 200);
  CHECK(first.body == second.body);
  // The same payload signed by another terminal is still the same ballot.
  auto third = st.ballot(tokens[0], {"c2"}, &K().t2);
  CHECK(third.body == first.body);
  auto status = Station::expect_ok(st.call("GET", "/v1/status"));
  CHECK(status.at("contests").at(0).at("rounds").at(0).at("ballots").as_int64() == 1);
}

TEST_CASE("a different ballot with a spent token is refused and changes nothing", "[app]") {
  Station st("spent");
  auto tokens = st.open_cc();
  REQUIRE(st.ballot(tokens[0], {"c1"}).status == 200);
  auto res = st.ballot(tokens[0], {"c2"});
  CHECK(res.status == 409);
  CHECK(error_code_of(res) == "token_spent");
  CHECK(res.log_code == "token_spent");
}

namespace {

struct Case {
  std::string name;
  std::function<HttpResponse(Station&, const std::vector<std::string>&)> send;
  unsigned status;
  std::string code;
};

std::string with_payload(const crypto::SecretKey& key, std::string payload,
                         std::string_view type = crypto::payload_type::kBallot) {
  return crypto::serialize(crypto::make_envelope(key, type, payload));
}

}  // namespace

TEST_CASE("every refused ballot gets its error code and status and leaves its token unspent",
          "[app]") {
  auto c = GENERATE(values<Case>({
      {"not JSON", [](Station& s, auto&) { return s.call("POST", "/v1/ballots", "{"); }, 400,
       "malformed"},
      {"wrong payload type",
       [](Station& s, auto& t) {
         return s.call("POST", "/v1/ballots",
                       with_payload(K().t1, make_ballot_payload("cc2026", "cc", 1, t[0], {}),
                                    crypto::payload_type::kCommand));
       },
       400, "malformed"},
      {"extra member",
       [](Station& s, auto& t) {
         return s.call("POST", "/v1/ballots",
                       with_payload(K().t1, R"({"session":"cc2026","contest":"cc","round":1,)"
                                            R"("token":")" +
                                                t[0] + R"(","marks":[],"time":1})"));
       },
       400, "malformed"},
      {"repeated member",
       [](Station& s, auto& t) {
         return s.call("POST", "/v1/ballots",
                       with_payload(K().t1, R"({"session":"cc2026","contest":"cc","round":1,)"
                                            R"("token":")" +
                                                t[0] + R"(","marks":[],"marks":["c1"]})"));
       },
       400, "malformed"},
      {"round as a string",
       [](Station& s, auto& t) {
         return s.call("POST", "/v1/ballots",
                       with_payload(K().t1, R"({"session":"cc2026","contest":"cc","round":"1",)"
                                            R"("token":")" +
                                                t[0] + R"(","marks":[]})"));
       },
       400, "malformed"},
      {"round 1.0",
       [](Station& s, auto& t) {
         return s.call("POST", "/v1/ballots",
                       with_payload(K().t1, R"({"session":"cc2026","contest":"cc","round":1.0,)"
                                            R"("token":")" +
                                                t[0] + R"(","marks":[]})"));
       },
       400, "malformed"},
      {"marks not strings",
       [](Station& s, auto& t) {
         return s.call("POST", "/v1/ballots",
                       with_payload(K().t1, R"({"session":"cc2026","contest":"cc","round":1,)"
                                            R"("token":")" +
                                                t[0] + R"(","marks":[1]})"));
       },
       400, "malformed"},
      {"bad signature",
       [](Station& s, auto& t) {
         auto env = crypto::make_envelope(K().t1, crypto::payload_type::kBallot,
                                          make_ballot_payload("cc2026", "cc", 1, t[0], {"c1"}));
         env.signatures[0].sig[5] ^= 1;
         return s.call("POST", "/v1/ballots", crypto::serialize(env));
       },
       401, "bad_signature"},
      {"signed for another payload",
       [](Station& s, auto& t) {
         auto env = crypto::make_envelope(K().t1, crypto::payload_type::kBallot,
                                          make_ballot_payload("cc2026", "cc", 1, t[0], {"c1"}));
         env.payload = make_ballot_payload("cc2026", "cc", 1, t[0], {"c2"});
         return s.call("POST", "/v1/ballots", crypto::serialize(env));
       },
       401, "bad_signature"},
      {"unknown terminal",
       [](Station& s, auto& t) { return s.ballot(t[0], {"c1"}, &K().stranger); }, 403,
       "unknown_terminal"},
      {"official's key", [](Station& s, auto& t) { return s.ballot(t[0], {"c1"}, &K().official1); },
       403, "unknown_terminal"},
      {"revoked terminal",
       [](Station& s, auto& t) {
         Station::expect_ok(s.command("revoke_terminal", {{"terminal", "t2"}}));
         return s.ballot(t[0], {"c1"}, &K().t2);
       },
       403, "revoked_terminal"},
      {"unknown session",
       [](Station& s, auto& t) {
         return s.call("POST", "/v1/ballots",
                       sign_ballot(K().t1, make_ballot_payload("other", "cc", 1, t[0], {})));
       },
       404, "unknown_session"},
      {"unknown contest",
       [](Station& s, auto& t) { return s.ballot(t[0], {"c1"}, nullptr, "nope"); }, 404,
       "unknown_contest"},
      {"round never opened",
       [](Station& s, auto& t) { return s.ballot(t[0], {"a"}, nullptr, "chair"); }, 404,
       "round_not_open"},
      {"next round", [](Station& s, auto& t) { return s.ballot(t[0], {"c1"}, nullptr, "cc", 2); },
       404, "round_not_open"},
      {"unknown candidate",
       [](Station& s, auto& t) {
         return s.ballot(t[0], {"c1", "zz"});
       },
       400, "unknown_candidate"},
      {"duplicate mark",
       [](Station& s, auto& t) {
         return s.ballot(t[0], {"c1", "c1"});
       },
       400, "duplicate_mark"},
      {"unknown token", [](Station& s, auto&) { return s.ballot(make_token(), {"c1"}); }, 403,
       "token_unknown"},
      {"too large",
       [](Station& s, auto&) {
         return s.call("POST", "/v1/ballots", std::string(kMaxBallotBody + 1, ' '));
       },
       413, "too_large"},
      {"wrong content type",
       [](Station& s, auto& t) {
         return s.call("POST", "/v1/ballots", Station::ballot_body(t[0], {"c1"}), "text/plain");
       },
       415, "wrong_content_type"},
      {"GET on the ballot route", [](Station& s, auto&) { return s.call("GET", "/v1/ballots"); },
       405, "method_not_allowed"},
      {"unknown route", [](Station& s, auto&) { return s.call("GET", "/v2/ballots"); }, 404,
       "not_found"},
  }));
  CAPTURE(c.name);
  Station st("refusal");
  auto tokens = st.open_cc();
  auto res = c.send(st, tokens);
  CHECK(res.status == c.status);
  CHECK(error_code_of(res) == c.code);
  CHECK(res.log_code == c.code);
  CHECK(json::parse(res.body).at("message").as_string().size() > 0);
  // Nothing changed: the token still buys exactly one ballot.
  REQUIRE(st.ballot(tokens[0], {"c1"}).status == 200);
  auto status = Station::expect_ok(st.call("GET", "/v1/status"));
  CHECK(status.at("contests").at(0).at("rounds").at(0).at("ballots").as_int64() == 1);
}

TEST_CASE("of several signatures the first by a terminal's key is checked", "[app]") {
  Station st("multisig");
  auto tokens = st.open_cc();
  const std::string payload = make_ballot_payload("cc2026", "cc", 1, tokens[0], {"c1"});
  auto env = crypto::make_envelope(K().stranger, crypto::payload_type::kBallot, payload);
  env.signatures.push_back(crypto::sign_envelope(K().t2, crypto::payload_type::kBallot, payload));
  auto res = st.call("POST", "/v1/ballots", crypto::serialize(env));
  CHECK(res.status == 200);
  CHECK(res.log_fields.at(0) == std::pair<std::string, std::string>{"terminal", "t2"});
  // A bad signature by the terminal is not rescued by a good one from someone else.
  auto bad = crypto::make_envelope(K().t1, crypto::payload_type::kBallot,
                                   make_ballot_payload("cc2026", "cc", 1, tokens[1], {"c1"}));
  bad.signatures[0].sig[0] ^= 1;
  bad.signatures.push_back(
      crypto::sign_envelope(K().stranger, crypto::payload_type::kBallot, bad.payload));
  CHECK(error_code_of(st.call("POST", "/v1/ballots", crypto::serialize(bad))) == "bad_signature");
  auto none = crypto::make_envelope(K().t1, crypto::payload_type::kBallot, payload);
  none.signatures.clear();
  CHECK(error_code_of(st.call("POST", "/v1/ballots", crypto::serialize(none))) == "bad_signature");
}

TEST_CASE("a ballot that breaks a counting rule is still accepted", "[app]") {
  Station st("overvote");
  auto tokens = st.open_cc();
  CHECK(st.ballot(tokens[0], {"c1", "c2", "c3", "c4", "c5", "c6"}).status == 200);  // 6 > 3 seats
  CHECK(st.ballot(tokens[1], {}).status == 200);  // every name crossed out
}

TEST_CASE("terminals with ECDSA P-256 keys are accepted", "[app]") {
  Station st("ecdsa");
  auto tokens = st.open_cc();
  CHECK(st.ballot(tokens[0], {"c4"}, &K().t3).status == 200);
}

TEST_CASE("a listed terminal cannot vote before it is enrolled", "[app]") {
  Station st("enrol");
  auto res = Station::expect_ok(
      st.command("issue_tokens", {{"contest", "cc"}, {"round", 1}, {"count", 1}}));
  Station::expect_ok(st.command("open_round", {{"contest", "cc"}, {"round", 1}}));
  const std::string token(res.at("result").at("tokens").at(0).as_string().c_str());
  auto refused = st.ballot(token, {"c1"});
  CHECK(refused.status == 403);
  CHECK(error_code_of(refused) == "unknown_terminal");
  Station::expect_ok(st.command("enrol_terminal", {{"terminal", "t1"}}));
  CHECK(st.ballot(token, {"c1"}).status == 200);
}

TEST_CASE("GET /v1/ballot shows the open round's ballot in ballot order", "[app]") {
  Station st("getballot");
  auto before = st.call("GET", "/v1/ballot?contest=cc");
  CHECK(before.status == 404);
  CHECK(error_code_of(before) == "round_not_open");
  CHECK(error_code_of(st.call("GET", "/v1/ballot?contest=zz")) == "unknown_contest");
  CHECK(error_code_of(st.call("GET", "/v1/ballot")) == "bad_query");
  st.open_cc();
  auto b = Station::expect_ok(st.call("GET", "/v1/ballot?contest=%63c"));  // percent-decoded
  CHECK(b.at("session").as_string() == "cc2026");
  CHECK(b.at("round").as_int64() == 1);
  CHECK(b.at("seats").as_int64() == 3);
  CHECK(b.at("alternates").as_int64() == 1);
  REQUIRE(b.at("candidates").as_array().size() == 6);
  CHECK(b.at("candidates").at(0).at("id").as_string() == "c1");
  CHECK(b.at("candidates").at(5).at("name").as_string() == "Candidate 6");
}

TEST_CASE("a checkpoint signs the count and root of the open round's internal log", "[app]") {
  Station st("checkpoint");
  auto tokens = st.open_cc();
  // The log's leaves are keyed with the round's secret k_round (docs/storage.md).
  const auto log_key = stored_round(st, "cc", 1).log_key;
  REQUIRE(log_key.has_value());
  crypto::AppendOnlyTree expected;
  for (int i = 0; i < 5; ++i) {
    const std::string payload =
        make_ballot_payload("cc2026", "cc", 1, tokens[i], {"c" + std::to_string(i + 1)});
    REQUIRE(st.call("POST", "/v1/ballots", sign_ballot(K().t1, payload)).status == 200);
    expected.append(internal_log_leaf(*log_key, crypto::leaf_hash(payload)));
  }
  auto res = st.call("GET", "/v1/checkpoint?contest=cc&round=1");
  REQUIRE(res.status == 200);
  auto key = crypto::PublicKey::from_pem(st.app().station_public_key_pem());
  auto cp = verified_payload(res.body, *key, crypto::payload_type::kCheckpoint);
  CHECK(cp.at("session").as_string() == "cc2026");
  CHECK(cp.at("ballots").as_int64() == 5);
  CHECK(cp.at("root").as_string() == crypto::to_hex(expected.root()));
  CHECK(cp.size() == 5);

  CHECK(error_code_of(st.call("GET", "/v1/checkpoint?contest=cc&round=2")) == "round_not_open");
  CHECK(error_code_of(st.call("GET", "/v1/checkpoint?contest=cc&round=x")) == "bad_query");
  CHECK(error_code_of(st.call("GET", "/v1/checkpoint?contest=cc")) == "bad_query");
  CHECK(error_code_of(st.call("GET", "/v1/checkpoint?contest=zz&round=1")) == "unknown_contest");
  CHECK(st.call("POST", "/v1/checkpoint?contest=cc&round=1").status == 405);
  Station::expect_ok(st.command("close_round", {{"contest", "cc"}, {"round", 1}}));
  CHECK(error_code_of(st.call("GET", "/v1/checkpoint?contest=cc&round=1")) == "round_not_open");
}

TEST_CASE("status counts ballots per round and terminal and shows no ballot contents", "[app]") {
  Station st("status");
  auto tokens = st.open_cc();
  REQUIRE(st.ballot(tokens[0], {"c5"}, &K().t1).status == 200);
  REQUIRE(st.ballot(tokens[1], {"c5"}, &K().t1).status == 200);
  REQUIRE(st.ballot(tokens[2], {"c5"}, &K().t2).status == 200);
  Station::expect_ok(st.command("record_attendance", {{"present", 296}}));
  auto res = st.call("GET", "/v1/status");
  auto s = Station::expect_ok(res);
  CHECK(s.at("session").at("id").as_string() == "cc2026");
  CHECK(s.at("session").at("config_hash").as_string() == st.app().config_hash());
  // The committee by id and name, for printed signature lines; never its keys.
  const auto& committee = s.at("session").at("committee").as_array();
  REQUIRE(committee.size() == 2);
  CHECK(committee.at(0) == json::value(json::object{{"id", "m1"}, {"name", "Member One"}}));
  CHECK(s.at("session").at("required_signatures").as_int64() == 2);
  CHECK(json::serialize(s).find("BEGIN PUBLIC KEY") == std::string::npos);
  CHECK(s.at("attendance").at("present").as_int64() == 296);
  const auto& round = s.at("contests").at(0).at("rounds").at(0);
  CHECK(round.at("state").as_string() == "open");
  CHECK(round.at("tokens_issued").as_int64() == 20);
  CHECK(round.at("ballots").as_int64() == 3);
  CHECK(round.at("ballots_by_terminal").at("t1").as_int64() == 2);
  CHECK(round.at("ballots_by_terminal").at("t2").as_int64() == 1);
  CHECK(s.at("contests").at(1).at("rounds").as_array().empty());
  CHECK(s.at("terminals").at(0).at("state").as_string() == "enrolled");
  CHECK(s.at("command_log").at("size").as_int64() == 6);
  CHECK(res.body.find("\"c5\"") == std::string::npos);  // the mark, as a JSON string
  for (const auto& t : tokens) CHECK(res.body.find(t) == std::string::npos);
}

TEST_CASE("query strings are percent-decoded and bad escapes are refused", "[app]") {
  auto t = parse_target("/v1/checkpoint?contest=a%20b&round=1+2#frag");
  REQUIRE(t.has_value());
  CHECK(t->path == "/v1/checkpoint");
  CHECK(t->query.at("contest") == "a b");
  CHECK(t->query.at("round") == "1 2");
  CHECK_FALSE(parse_target("/v1/x?a=%zz").has_value());
  CHECK_FALSE(parse_target("/v1/x?a=%2").has_value());
  CHECK_FALSE(parse_target("/v1/x?a=1&a=2").has_value());
  CHECK_FALSE(parse_target("v1/x").has_value());
}

TEST_CASE("the message builders write the contract's members in the contract's order", "[app]") {
  CHECK(make_ballot_payload("s", "c", 2, "tok", {"a", "b"}) ==
        R"({"session":"s","contest":"c","round":2,"token":"tok","marks":["a","b"]})");
  CHECK(make_ballot_payload("s", "c", 1, "tok", {}) ==
        R"({"session":"s","contest":"c","round":1,"token":"tok","marks":[]})");
  CHECK(make_receipt_payload("s", "c", 1, "ab") ==
        R"({"session":"s","contest":"c","round":1,"ballot_hash":"ab"})");
  CHECK(make_checkpoint_payload("s", "c", 1, 5, "ab") ==
        R"({"session":"s","contest":"c","round":1,"ballots":5,"root":"ab"})");
  CHECK(make_command_payload("s", 3, "o1", "open_round", {{"contest", "c"}, {"round", 1}}) ==
        R"({"session":"s","seq":3,"official":"o1","command":"open_round",)"
        R"("args":{"contest":"c","round":1}})");
  auto parsed = parse_ballot_payload(make_ballot_payload("s", "c", 2, "tok", {"a", "b"}));
  REQUIRE(parsed.has_value());
  CHECK(parsed->round == 2);
  CHECK(parsed->marks == std::vector<std::string>{"a", "b"});
  CHECK(token_hash("abc") == crypto::sha256("abc"));
}

TEST_CASE("checkpoints do not show which ballot came when, yet stay consistent", "[app]") {
  Station st("checkpoint-order");
  auto tokens = st.open_cc();
  const auto log_key = stored_round(st, "cc", 1).log_key;
  REQUIRE(log_key.has_value());
  auto key = crypto::PublicKey::from_pem(st.app().station_public_key_pem());
  auto checkpoint_root = [&] {
    auto res = st.call("GET", "/v1/checkpoint?contest=cc&round=1");
    REQUIRE(res.status == 200);
    auto cp = verified_payload(res.body, *key, crypto::payload_type::kCheckpoint);
    return *crypto::digest_from_hex(cp.at("root").as_string());
  };
  std::vector<crypto::Digest> leaves;  // public leaf hashes (= receipt hashes), arrival order
  std::vector<crypto::Digest> keyed;   // the internal log's leaves
  std::vector<crypto::Digest> roots;   // checkpoint root after each ballot
  for (int i = 0; i < 6; ++i) {
    const std::string payload = make_ballot_payload("cc2026", "cc", 1, tokens[i], {"c1"});
    REQUIRE(st.call("POST", "/v1/ballots", sign_ballot(K().t1, payload)).status == 200);
    leaves.push_back(crypto::leaf_hash(payload));
    keyed.push_back(internal_log_leaf(*log_key, leaves.back()));
    roots.push_back(checkpoint_root());
  }
  // Without k_round, the published roots cannot be rebuilt from the published leaf hashes: after
  // the first ballot the root is not its receipt hash, and no unkeyed order reproduces a root.
  CHECK(roots[0] != leaves[0]);
  CHECK(roots[0] == keyed[0]);
  CHECK(roots[1] != crypto::merkle_root(std::vector<crypto::Digest>{leaves[0], leaves[1]}));
  CHECK(roots[1] != crypto::merkle_root(std::vector<crypto::Digest>{leaves[1], leaves[0]}));
  CHECK(roots[5] != crypto::merkle_root(leaves));
  // Each checkpoint is consistent with every later one (RFC 9162 2.1.4): the station is committed
  // to the sequence it accepted.
  for (std::size_t old_size = 1; old_size < keyed.size(); ++old_size) {
    auto proof = crypto::consistency_proof(keyed, old_size);
    CHECK(crypto::verify_consistency(old_size, keyed.size(), roots[old_size - 1], roots.back(),
                                     proof));
  }
  // Each round has its own key.
  Station::expect_ok(
      st.command("issue_tokens", {{"contest", "chair"}, {"round", 1}, {"count", 1}}));
  Station::expect_ok(st.command("open_round", {{"contest", "chair"}, {"round", 1}}));
  const auto other_key = stored_round(st, "chair", 1).log_key;
  REQUIRE(other_key.has_value());
  CHECK(*other_key != *log_key);
}

TEST_CASE("closing a round erases its log key and log state, and a restart accepts that", "[app]") {
  Station st("erase-log");
  auto tokens = st.open_cc();
  for (int i = 0; i < 5; ++i) REQUIRE(st.ballot(tokens[i], {"c2"}).status == 200);
  RoundRow open = stored_round(st, "cc", 1);
  REQUIRE(open.log_key.has_value());
  CHECK(crypto::AppendOnlyTree::restore(open.tree_state)->size() == 5);

  Station::expect_ok(st.command("close_round", {{"contest", "cc"}, {"round", 1}}));
  RoundRow closed = stored_round(st, "cc", 1);
  CHECK_FALSE(closed.log_key.has_value());
  CHECK(closed.tree_state == crypto::AppendOnlyTree{}.serialize());  // no frontier left
  CHECK(closed.ballots == 5);
  CHECK_FALSE(closed.box_root.empty());

  const std::string status = st.call("GET", "/v1/status").body;
  st.reopen();
  CHECK(st.call("GET", "/v1/status").body == status);
  CHECK(error_code_of(st.call("GET", "/v1/checkpoint?contest=cc&round=1")) == "round_not_open");
}

TEST_CASE("only the verified signature of a ballot is stored", "[app]") {
  Station st("one-signature");
  auto tokens = st.open_cc();
  const std::string payload = make_ballot_payload("cc2026", "cc", 1, tokens[0], {"c1"});
  auto env = crypto::make_envelope(K().t1, crypto::payload_type::kBallot, payload);
  // A bogus extra signature: never checked, so it must not be kept as if it were part of the
  // signed record.
  env.signatures.push_back(crypto::Signature{std::string(64, 'a'), std::string(64, '\x01')});
  env.signatures.push_back(
      crypto::sign_envelope(K().stranger, crypto::payload_type::kBallot, payload));
  REQUIRE(st.call("POST", "/v1/ballots", crypto::serialize(env)).status == 200);
  Station::expect_ok(st.command("close_round", {{"contest", "cc"}, {"round", 1}}));

  auto db = SqliteStore::open(st.data() / "station.db");
  REQUIRE(db.has_value());
  auto ballots = (*db)->ballots("cc", 1);
  REQUIRE(ballots.has_value());
  REQUIRE(ballots->size() == 1);
  auto stored = crypto::parse_envelope(ballots->at(0).envelope);
  REQUIRE(stored.has_value());
  CHECK(stored->payload == payload);
  REQUIRE(stored->signatures.size() == 1);
  CHECK(stored->signatures[0] == env.signatures[0]);
  CHECK(ballots->at(0).envelope ==
        crypto::serialize(crypto::Envelope{payload, env.payload_type, {env.signatures[0]}}));
}
