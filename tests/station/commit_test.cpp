// Official commands and the command log; group commit; failed commits; restart recovery.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <set>
#include <thread>

#include "core_fixture.hpp"
#include "crypto/merkle.hpp"
#include "station/app/ledger.hpp"
#include "station/store/faulty_store.hpp"
#include "station/store/sqlite_store.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;

namespace {

const Keys& K() {
  return Keys::get();
}

std::chrono::steady_clock::time_point in_seconds(int s) {
  return std::chrono::steady_clock::now() + std::chrono::seconds(s);
}

std::unique_ptr<SqliteStore> open_db(Station& st) {
  auto s = SqliteStore::open(st.data() / "station.db");
  REQUIRE(s.has_value());
  return std::move(*s);
}

}  // namespace

TEST_CASE("a command answers with its log index, entry hash and result", "[commands]") {
  Station st("cmd");
  auto res = Station::expect_ok(st.command("enrol_terminal", {{"terminal", "t1"}}));
  CHECK(res.at("seq").as_int64() == 1);
  CHECK(res.at("log_index").as_int64() == 0);
  CHECK(res.at("entry_hash").as_string().size() == 64);
  CHECK(res.at("result").at("terminal").as_string() == "t1");
  CHECK(res.at("result").at("keyid").as_string() == K().t1.keyid());
}

TEST_CASE("a replayed or out-of-order command sequence number is refused", "[commands]") {
  Station st("replay");
  const std::string payload =
      make_command_payload("cc2026", 5, "o1", "record_attendance", {{"present", 100}});
  const std::string body = sign_command(K().official1, payload);
  REQUIRE(st.call("POST", "/v1/commands", body).status == 200);
  auto again = st.call("POST", "/v1/commands", body);
  CHECK(again.status == 409);
  CHECK(error_code_of(again) == "replayed_command");
  st.seq() = 3;  // lower than the last accepted
  CHECK(error_code_of(st.command("record_attendance", {{"present", 1}})) == "replayed_command");
  st.seq() = 5;
  CHECK(st.command("record_attendance", {{"present", 2}}).status == 200);  // seq 6
}

TEST_CASE("a refused command consumes no sequence number and logs nothing", "[commands]") {
  Station st("refusedcmd");
  CHECK(error_code_of(st.command("open_round", {{"contest", "cc"}, {"round", 2}})) ==
        "round_state");
  st.seq() = 0;
  auto ok = Station::expect_ok(st.command("record_attendance", {{"present", 3}}));
  CHECK(ok.at("seq").as_int64() == 1);
  CHECK(ok.at("log_index").as_int64() == 0);
}

TEST_CASE("commands from someone who is not an official are refused", "[commands]") {
  Station st("official");
  auto stranger = st.command("record_attendance", {{"present", 1}}, &K().stranger);
  CHECK(stranger.status == 403);
  CHECK(error_code_of(stranger) == "unknown_official");
  auto terminal = st.command("record_attendance", {{"present", 1}}, &K().t1);
  CHECK(error_code_of(terminal) == "unknown_official");
  auto impostor = st.command("record_attendance", {{"present", 1}}, &K().official1, "o2");
  CHECK(error_code_of(impostor) == "unknown_official");
  CHECK(st.command("record_attendance", {{"present", 1}}, &K().official2, "o2").status == 200);

  auto env = crypto::make_envelope(
      K().official1, crypto::payload_type::kCommand,
      make_command_payload("cc2026", 99, "o1", "record_attendance", {{"present", 1}}));
  env.signatures[0].sig[0] ^= 0x40;
  auto forged = st.call("POST", "/v1/commands", crypto::serialize(env));
  CHECK(forged.status == 401);
  CHECK(error_code_of(forged) == "bad_signature");
  auto ballot_type = st.call("POST", "/v1/commands", sign_ballot(K().official1, "{}"));
  CHECK(error_code_of(ballot_type) == "malformed");
  auto other_session = st.call(
      "POST", "/v1/commands",
      sign_command(K().official1,
                   make_command_payload("x", 100, "o1", "record_attendance", {{"present", 1}})));
  CHECK(error_code_of(other_session) == "unknown_session");
}

TEST_CASE("bad command names and arguments are refused with a specific code", "[commands]") {
  // `error`: the protocol's code (docs/protocol.md); `rule`: the congress rule that refused it
  // (docs/congress.md).
  Station st("badargs");
  using Args = json::object;
  auto [name, args, code, rule] =
      GENERATE(table<std::string, Args, std::string, std::string>({
          {"dissolve_congress", Args{}, "bad_command", "unknown_command"},
          {"record_attendance", Args{{"present", 301}}, "bad_command", "bad_argument"},
          {"record_attendance", Args{{"present", -1}}, "bad_command", "bad_argument"},
          {"record_attendance", Args{{"present", 1}, {"absent", 2}}, "bad_command",
           "bad_argument"},
          {"issue_tokens", Args{{"contest", "cc"}, {"round", 1}, {"count", 0}}, "bad_command",
           "bad_argument"},
          {"issue_tokens", Args{{"contest", "cc"}, {"round", 1}, {"count", 10001}},
           "bad_command", "bad_argument"},
          {"issue_tokens", Args{{"contest", "zz"}, {"round", 1}, {"count", 1}},
           "unknown_contest", "unknown_contest"},
          {"issue_tokens", Args{{"contest", "cc"}, {"round", 2}, {"count", 1}}, "round_state",
           "round_not_next"},
          {"open_round", Args{{"contest", "cc"}}, "bad_command", "bad_argument"},
          {"open_round", Args{{"contest", "c c"}, {"round", 1}}, "bad_command", "bad_argument"},
          {"open_round", Args{{"contest", "cc"}, {"round", 2}}, "round_state", "round_not_next"},
          {"open_round", Args{{"contest", "cc"}, {"round", 1}, {"seats", 2}}, "bad_command",
           "list_not_allowed"},
          {"close_round", Args{{"contest", "cc"}, {"round", 1}}, "round_state",
           "round_not_open"},
          {"conclude_contest", Args{{"contest", "cc"}}, "round_state", "conclude_not_allowed"},
          {"enrol_terminal", Args{{"terminal", "t9"}}, "bad_command", "key_required"},
          {"enrol_terminal", Args{{"terminal", "t1"}, {"public_key", K().t2.public_key().pem()}},
           "bad_command", "key_mismatch"},
          {"enrol_terminal",
           Args{{"terminal", "t9"}, {"public_key", K().official1.public_key().pem()}},
           "bad_command", "key_in_use"},
          {"enrol_terminal", Args{{"terminal", "t9"}, {"public_key", "not a key"}}, "bad_command",
           "key_invalid"},
          {"revoke_terminal", Args{{"terminal", "t1"}}, "unknown_terminal",
           "terminal_not_enrolled"},
      }));
  CAPTURE(name, args);
  auto res = st.command(name, args);
  CHECK(error_code_of(res) == code);
  CHECK(json::parse(res.body).as_object().at("rule").as_string() == rule);
  CHECK(res.status >= 400);
}

TEST_CASE("terminals are enrolled once, revoked once, and replaced under a new id", "[commands]") {
  Station st("terminals");
  Station::expect_ok(st.command("enrol_terminal", {{"terminal", "t1"}}));
  CHECK(error_code_of(st.command("enrol_terminal", {{"terminal", "t1"}})) == "terminal_state");
  Station::expect_ok(st.command("revoke_terminal", {{"terminal", "t1"}}));
  CHECK(error_code_of(st.command("revoke_terminal", {{"terminal", "t1"}})) == "terminal_state");
  CHECK(error_code_of(st.command("enrol_terminal", {{"terminal", "t1"}})) == "terminal_state");
  // A terminal the session does not list, with its own key.
  auto fresh = Station::expect_ok(
      st.command("enrol_terminal",
                 {{"terminal", "spare-1"}, {"public_key", K().stranger.public_key().pem()}}));
  CHECK(fresh.at("result").at("keyid").as_string() == K().stranger.keyid());
  auto tokens = Station::expect_ok(
      st.command("issue_tokens", {{"contest", "chair"}, {"round", 1}, {"count", 2}}));
  Station::expect_ok(st.command("open_round", {{"contest", "chair"}, {"round", 1}}));
  const std::string token(tokens.at("result").at("tokens").at(0).as_string().c_str());
  CHECK(st.ballot(token, {"a"}, &K().stranger, "chair").status == 200);
  CHECK(error_code_of(st.ballot(token, {"b"}, &K().t1, "chair")) == "revoked_terminal");
}

TEST_CASE("issued tokens are returned once and stored only as hashes", "[commands]") {
  Station st("tokens");
  auto res = Station::expect_ok(
      st.command("issue_tokens", {{"contest", "cc"}, {"round", 1}, {"count", 50}}));
  const auto& tokens = res.at("result").at("tokens").as_array();
  REQUIRE(tokens.size() == 50);
  CHECK(res.at("result").at("tokens_issued").as_int64() == 50);
  std::set<std::string> unique;
  for (const auto& t : tokens) {
    std::string s(t.as_string().c_str());
    CHECK(s.size() == 64);  // 256 random bits
    unique.insert(s);
  }
  CHECK(unique.size() == 50);
  auto more = Station::expect_ok(
      st.command("issue_tokens", {{"contest", "cc"}, {"round", 1}, {"count", 5}}));
  CHECK(more.at("result").at("tokens_issued").as_int64() == 55);
  st.app().drain();
  std::string everything;
  for (const char* f : {"station.db", "station.db-wal"}) {
    if (std::filesystem::exists(st.data() / f)) everything += read_file(st.data() / f);
  }
  REQUIRE_FALSE(everything.empty());
  auto db = open_db(st);
  for (const std::string& t : unique) {
    CHECK(everything.find(t) == std::string::npos);
    CHECK(db->find_token("cc", 1, token_hash(t))->has_value());
  }
}

TEST_CASE("the command log is a hash chain that starts at the config hash", "[commands]") {
  Station st("chain");
  auto tokens = st.open_cc(3);
  Station::expect_ok(st.command("record_attendance", {{"present", 250}}));
  auto last = Station::expect_ok(st.command("close_round", {{"contest", "cc"}, {"round", 1}}));
  st.app().drain();
  auto rows = open_db(st)->commands();
  REQUIRE(rows->size() == 7);
  crypto::Digest prev = *crypto::digest_from_hex(st.app().config_hash());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const CommandRow& row = rows->at(i);
    CHECK(row.index == i);
    CHECK(row.seq == i + 1);
    CHECK(row.official == "o1");
    CHECK(row.prev_hash == prev);
    std::string buf(reinterpret_cast<const char*>(prev.data()), 32);
    const crypto::Digest inner = crypto::sha256(row.envelope);
    buf.append(reinterpret_cast<const char*>(inner.data()), 32);
    CHECK(row.entry_hash == crypto::sha256(buf));
    // Each entry is the official's signed envelope, verifiable on its own.
    verified_payload(row.envelope, K().official1.public_key(), crypto::payload_type::kCommand);
    prev = row.entry_hash;
  }
  CHECK(crypto::to_hex(prev) == last.at("entry_hash").as_string());
}

TEST_CASE("closing a round fixes its ballot box root and refuses later ballots", "[commands]") {
  Station st("close");
  auto tokens = st.open_cc();
  std::vector<crypto::Digest> leaves;
  std::string first_receipt;
  for (int i = 0; i < 7; ++i) {
    const std::string payload = make_ballot_payload("cc2026", "cc", 1, tokens[i], {"c1"});
    auto res = st.call("POST", "/v1/ballots", sign_ballot(K().t2, payload));
    REQUIRE(res.status == 200);
    if (i == 0) first_receipt = res.body;
    leaves.push_back(crypto::leaf_hash(payload));
  }
  std::sort(leaves.begin(), leaves.end());
  auto res = Station::expect_ok(st.command("close_round", {{"contest", "cc"}, {"round", 1}}));
  CHECK(res.at("result").at("ballot_box").at("size").as_int64() == 7);
  CHECK(res.at("result").at("ballot_box").at("root").as_string() ==
        crypto::to_hex(crypto::merkle_root(leaves)));
  // The write-ahead log, which holds pages in commit order, is emptied at close.
  const auto wal = st.data() / "station.db-wal";
  CHECK((!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0));
  auto late = st.ballot(tokens[10], {"c1"});
  CHECK(late.status == 404);
  CHECK(error_code_of(late) == "round_not_open");
  // A retry of a ballot accepted before the close still gets its receipt.
  CHECK(st.ballot(tokens[0], {"c1"}, &K().t2).body == first_receipt);
  CHECK(error_code_of(st.command("close_round", {{"contest", "cc"}, {"round", 1}})) ==
        "round_state");
  CHECK(error_code_of(st.command(
            "issue_tokens", {{"contest", "cc"}, {"round", 1}, {"count", 1}})) == "round_state");
  // The next round may open now (run-off rules come with the minutes).
  CHECK(st.command("open_round", {{"contest", "cc"}, {"round", 2}}).status == 200);
  auto status = Station::expect_ok(st.call("GET", "/v1/status"));
  CHECK(status.at("contests").at(0).at("rounds").at(0).at("state").as_string() == "closed");
  CHECK(status.at("contests").at(0).at("rounds").at(1).at("state").as_string() == "open");
}

TEST_CASE("concurrent ballots share commits and are all acknowledged and stored", "[commit]") {
  StationOptions opts;
  opts.inject_faults = true;
  Station st("group", opts);
  auto tokens = st.open_cc(400);
  FaultyStore& faults = *st.app().faults();

  SECTION("ballots that queue up behind a commit go into the next one together") {
    const std::uint64_t before = st.app().commits();
    faults.hold_commits();
    std::vector<std::future<HttpResponse>> replies;
    replies.push_back(st.start("POST", "/v1/ballots", Station::ballot_body(tokens[0], {"c1"})));
    REQUIRE(faults.wait_until_commit_held(in_seconds(30)));
    for (int i = 1; i < 200; ++i) {
      replies.push_back(
          st.start("POST", "/v1/ballots", Station::ballot_body(tokens[i], {"c2"}, &K().t2)));
    }
    REQUIRE(st.app().wait_for_queued(199, in_seconds(30)));
    faults.release_commits();
    for (auto& r : replies) CHECK(Station::wait(std::move(r)).status == 200);
    CHECK(st.app().commits() - before == 2);
  }

  SECTION("ballots from many threads at once are all acknowledged") {
    const std::uint64_t before = st.app().commits();
    std::vector<std::thread> threads;
    std::vector<std::vector<HttpResponse>> results(8);
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        std::vector<std::future<HttpResponse>> mine;
        for (int i = 0; i < 50; ++i) {
          mine.push_back(
              st.start("POST", "/v1/ballots", Station::ballot_body(tokens[t * 50 + i], {"c3"})));
        }
        for (auto& f : mine) results[t].push_back(Station::wait(std::move(f)));
      });
    }
    for (auto& th : threads) th.join();
    for (const auto& rs : results) {
      for (const auto& r : rs) CHECK(r.status == 200);
    }
    CHECK(st.app().commits() - before <= 400);
    auto status = Station::expect_ok(st.call("GET", "/v1/status"));
    CHECK(status.at("contests").at(0).at("rounds").at(0).at("ballots").as_int64() == 400);
  }
}

TEST_CASE("a failed commit acknowledges nothing, stores nothing and spends no token", "[commit]") {
  StationOptions opts;
  opts.inject_faults = true;
  Station st("fault", opts);
  auto tokens = st.open_cc();
  REQUIRE(st.ballot(tokens[0], {"c1"}).status == 200);  // durable before the fault
  FaultyStore& faults = *st.app().faults();

  faults.hold_commits();
  auto first = st.start("POST", "/v1/ballots", Station::ballot_body(tokens[1], {"c1"}));
  REQUIRE(faults.wait_until_commit_held(in_seconds(30)));
  // The next batch: a new ballot, a retry of a durable one, and a refused one.
  auto fresh = st.start("POST", "/v1/ballots", Station::ballot_body(tokens[2], {"c2"}));
  auto retry = st.start("POST", "/v1/ballots", Station::ballot_body(tokens[0], {"c1"}));
  auto spent = st.start("POST", "/v1/ballots", Station::ballot_body(tokens[0], {"c6"}));
  REQUIRE(st.app().wait_for_queued(3, in_seconds(30)));
  faults.fail_commit_in(2);  // the held commit succeeds, the next one fails
  faults.release_commits();
  CHECK(Station::wait(std::move(first)).status == 200);
  auto failed = Station::wait(std::move(fresh));
  CHECK(failed.status == 503);
  CHECK(error_code_of(failed) == "storage_error");
  CHECK(Station::wait(std::move(retry)).status == 200);
  CHECK(error_code_of(Station::wait(std::move(spent))) == "token_spent");

  auto status = Station::expect_ok(st.call("GET", "/v1/status"));
  CHECK(status.at("contests").at(0).at("rounds").at(0).at("ballots").as_int64() == 2);
  // The token of the failed ballot is unspent: sending it again succeeds.
  CHECK(st.ballot(tokens[2], {"c2"}).status == 200);

  faults.fail_commit_in(1);
  auto cmd = st.command("record_attendance", {{"present", 10}});
  CHECK(error_code_of(cmd) == "storage_error");
  --st.seq();  // the refused command consumed nothing
  CHECK(st.command("record_attendance", {{"present", 10}}).status == 200);
}

TEST_CASE("a read error inside a batch fails the batch and spends nothing", "[commit]") {
  StationOptions opts;
  opts.inject_faults = true;
  Station st("readfault", opts);
  auto tokens = st.open_cc();
  FaultyStore& faults = *st.app().faults();
  faults.hold_commits();
  auto first = st.start("POST", "/v1/ballots", Station::ballot_body(tokens[0], {"c1"}));
  REQUIRE(faults.wait_until_commit_held(in_seconds(30)));
  auto a = st.start("POST", "/v1/ballots", Station::ballot_body(tokens[1], {"c1"}));
  auto b = st.start("POST", "/v1/ballots", Station::ballot_body(tokens[2], {"c2"}));
  REQUIRE(st.app().wait_for_queued(2, in_seconds(30)));
  faults.fail_token_lookups(true);
  faults.release_commits();
  CHECK(Station::wait(std::move(first)).status == 200);
  CHECK(error_code_of(Station::wait(std::move(a))) == "storage_error");
  CHECK(error_code_of(Station::wait(std::move(b))) == "storage_error");
  faults.fail_token_lookups(false);
  CHECK(st.ballot(tokens[1], {"c1"}).status == 200);
  CHECK(st.ballot(tokens[2], {"c2"}).status == 200);
  auto status = Station::expect_ok(st.call("GET", "/v1/status"));
  CHECK(status.at("contests").at(0).at("rounds").at(0).at("ballots").as_int64() == 3);
}

TEST_CASE("after a restart every acknowledged ballot, token and command is still there",
          "[commit]") {
  Station st("restart");
  auto tokens = st.open_cc();
  std::vector<std::string> receipts;
  for (int i = 0; i < 10; ++i) {
    auto res = st.ballot(tokens[i], {"c" + std::to_string(i % 6 + 1)}, i % 2 ? &K().t1 : &K().t2);
    REQUIRE(res.status == 200);
    receipts.push_back(res.body);
  }
  const std::string checkpoint = st.call("GET", "/v1/checkpoint?contest=cc&round=1").body;
  const std::string status = st.call("GET", "/v1/status").body;

  st.reopen();
  CHECK(st.call("GET", "/v1/status").body == status);
  CHECK(st.call("GET", "/v1/checkpoint?contest=cc&round=1").body == checkpoint);
  CHECK(st.ballot(tokens[3], {"c4"}, &K().t1).body == receipts[3]);
  CHECK(error_code_of(st.ballot(tokens[3], {"c5"})) == "token_spent");
  CHECK(error_code_of(st.command("record_attendance", {{"present", 1}}, nullptr, "o1")) !=
        "replayed_command");
  st.seq() = 2;
  CHECK(error_code_of(st.command("record_attendance", {{"present", 1}})) == "replayed_command");
  st.seq() = 100;
  CHECK(st.ballot(tokens[10], {"c1"}).status == 200);
}

TEST_CASE("draining answers every request exactly once and refuses new ones", "[commit]") {
  Station st("drain");
  auto tokens = st.open_cc(100);
  std::atomic<int> answers{0};
  std::vector<std::future<HttpResponse>> replies;
  for (int i = 0; i < 100; ++i) {
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    replies.push_back(promise->get_future());
    st.app().handle(HttpRequest{"POST", "/v1/ballots", "application/json",
                                Station::ballot_body(tokens[i], {"c1"}), "test"},
                    [promise, &answers](HttpResponse r) {
                      ++answers;
                      promise->set_value(std::move(r));  // throws if called twice
                    });
  }
  st.app().drain();
  // drain() returns only after everything taken has been answered.
  CHECK(answers.load() == 100);
  int accepted = 0;
  for (auto& r : replies) {
    REQUIRE(r.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
    const HttpResponse res = r.get();
    if (res.status == 200) ++accepted;
  }
  CHECK(accepted == 100);
  auto late = st.ballot(make_token(), {"c1"});
  CHECK(late.status == 503);
  CHECK(error_code_of(late) == "shutting_down");
  st.reopen();
  auto status = Station::expect_ok(st.call("GET", "/v1/status"));
  CHECK(status.at("contests").at(0).at("rounds").at(0).at("ballots").as_int64() == 100);
}

TEST_CASE("only the verified signature of a command is stored and chained", "[commands]") {
  Station st("command-one-signature");
  const std::string payload =
      make_command_payload("cc2026", ++st.seq(), "o1", "record_attendance", {{"present", 250}});
  auto env = crypto::make_envelope(K().official1, crypto::payload_type::kCommand, payload);
  env.signatures.push_back(crypto::Signature{std::string(64, 'b'), std::string(64, '\x02')});
  REQUIRE(st.call("POST", "/v1/commands", crypto::serialize(env)).status == 200);
  auto db = open_db(st);
  auto commands = db->commands();
  REQUIRE(commands.has_value());
  REQUIRE(commands->size() == 1);
  const std::string expected =
      crypto::serialize(crypto::Envelope{payload, env.payload_type, {env.signatures[0]}});
  CHECK(commands->at(0).envelope == expected);
  CHECK(commands->at(0).entry_hash == command_entry_hash(commands->at(0).prev_hash, expected));
}

TEST_CASE("an exception inside a write rolls back and leaves the writer usable", "[commit]") {
  StationOptions opts;
  opts.inject_faults = true;
  Station st("write-exception", opts);
  auto tokens = st.open_cc();
  FaultyStore& faults = *st.app().faults();

  SECTION("in a ballot batch") {
    faults.throw_in_put_round(true);
    CHECK(error_code_of(st.ballot(tokens[0], {"c1"})) == "internal");
    faults.throw_in_put_round(false);
    // Nothing of the failed batch stayed behind (the token is unspent), and the very next write
    // works: no transaction was left open.
    CHECK(st.ballot(tokens[0], {"c1"}).status == 200);
  }
  SECTION("in a command") {
    faults.throw_in_put_round(true);
    CHECK(error_code_of(st.command("issue_tokens",
                                   {{"contest", "cc"}, {"round", 1}, {"count", 5}})) == "internal");
    faults.throw_in_put_round(false);
    CHECK(st.command("record_attendance", {{"present", 10}}).status == 200);
    CHECK(st.ballot(tokens[0], {"c1"}).status == 200);
  }
  auto status = Station::expect_ok(st.call("GET", "/v1/status"));
  CHECK(status.at("contests").at(0).at("rounds").at(0).at("tokens_issued").as_int64() == 20);
  CHECK(status.at("contests").at(0).at("rounds").at(0).at("ballots").as_int64() == 1);
}

TEST_CASE("a command whose BEGIN fails does not block later writes", "[commit]") {
  StationOptions opts;
  opts.inject_faults = true;
  Station st("begin-fails", opts);
  auto tokens = st.open_cc();
  // A transaction left open on the writer's connection makes the next BEGIN fail.
  REQUIRE(st.app().faults()->begin());
  CHECK(error_code_of(st.command("record_attendance", {{"present", 10}})) == "storage_error");
  CHECK(st.command("record_attendance", {{"present", 11}}).status == 200);
  CHECK(st.ballot(tokens[0], {"c1"}).status == 200);
}

TEST_CASE("a command that commits but whose state cannot be re-read stops the process",
          "[commit]") {
  // The child builds its own station (threads do not survive fork) and reports on stderr.
  int err[2];
  REQUIRE(::pipe(err) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(err[1], STDERR_FILENO);
    ::close(err[0]);
    // The child must die of the abort itself, not run Catch's fatal-signal reporter (which is not
    // async-signal-safe, and which ThreadSanitizer reports as such).
    std::signal(SIGABRT, SIG_DFL);
    try {
      StationOptions opts;
      opts.inject_faults = true;
      Station st("fatal-reload", opts);
      std::cerr << "dir " << st.dir().string() << "\n" << std::flush;
      st.app().faults()->fail_round_reads(true);
      (void)st.command("record_attendance", {{"present", 1}});
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(3);  // answered from a state that no longer matches the database
  }
  ::close(err[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(err[0], buf, sizeof buf)) > 0;) out.append(buf, n);
  ::close(err[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGABRT);
  CHECK(out.find("fatal: cannot re-read the state") != std::string::npos);
  // The child could not clean up after itself.
  if (auto p = out.find("dir "); p != std::string::npos) {
    std::error_code ec;
    std::filesystem::remove_all(out.substr(p + 4, out.find('\n', p) - p - 4), ec);
  }
  // The command itself is durable: a restart would find it (docs/storage.md).
}
