// The real stationd binary on a loopback port, over real TLS: what it prints at start, accepted
// ballots and their receipts, every refusal code, token reuse, replayed commands, revoked
// terminals, closed rounds, oversize bodies, garbage, stalls, and SIGTERM with ballots in flight.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "daemon_fixture.hpp"

namespace ts = tallystation::station;
using ts::test::DaemonStation;
using ts::test::error_of;
using ts::testing::Keys;
using namespace std::chrono_literals;

namespace {

std::string ballot_payload(const std::string& token, const std::vector<std::string>& marks,
                           const std::string& contest = "cc", std::uint32_t round = 1,
                           const std::string& session = "cc2026") {
  return ts::make_ballot_payload(session, contest, round, token, marks);
}

std::string signed_ballot(const std::string& payload,
                          const tallystation::crypto::SecretKey& key = Keys::get().t1) {
  return ts::sign_ballot(key, payload);
}

}  // namespace

TEST_CASE("stationd prints the keyid and TLS fingerprint that /v1/station serves, and keeps them",
          "[daemon]") {
  DaemonStation s;
  auto out = s.daemon().output();
  CHECK(out.find("first run") != std::string::npos);
  CHECK(out.find("station keyid:   " + s.daemon().keyid()) != std::string::npos);
  CHECK(out.find("tls fingerprint: " + s.daemon().tls_fingerprint()) != std::string::npos);
  CHECK(out.find("listening on 127.0.0.1:" + std::to_string(s.daemon().port())) !=
        std::string::npos);
  auto station = boost::json::parse(s.client().get("/v1/station")->body).as_object();
  CHECK(station.at("keyid").as_string() == s.daemon().keyid());
  CHECK(station.at("tls_fingerprint").as_string() == s.daemon().tls_fingerprint());
  CHECK(s.client().peer_fingerprint() == s.daemon().tls_fingerprint());
  CHECK(s.station_key().keyid() == s.daemon().keyid());

  const auto keyid = s.daemon().keyid();
  const auto fingerprint = s.daemon().tls_fingerprint();
  CHECK(s.daemon().terminate() == 0);
  s.start();
  CHECK(s.daemon().output().find("first run") == std::string::npos);
  CHECK(s.daemon().keyid() == keyid);
  CHECK(s.daemon().tls_fingerprint() == fingerprint);
}

TEST_CASE("signed ballots from each terminal are accepted with receipts signed by the station",
          "[daemon]") {
  DaemonStation s;
  auto tokens = s.open_cc(10);
  const auto& k = Keys::get();
  const tallystation::crypto::SecretKey* terminals[] = {&k.t1, &k.t2, &k.t3};  // t3: ECDSA P-256
  for (int i = 0; i < 3; ++i) {
    auto payload = ballot_payload(tokens[i], {"c1", "c3"});
    auto r = s.client().post("/v1/ballots", signed_ballot(payload, *terminals[i]));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(s.receipt_matches(r->body, payload));
  }
  CHECK(s.ballots() == 3);
  // A ballot with more marks than seats is accepted (it counts as invalid).
  auto over = ballot_payload(tokens[3], {"c1", "c2", "c3", "c4"});
  CHECK(s.client().post("/v1/ballots", signed_ballot(over))->status == 200);
  CHECK(s.ballots() == 4);
  CHECK(s.client().connections_opened() == 1);  // all of it on one kept-alive connection
}

TEST_CASE("every ballot refusal comes back over the wire with its code, and changes nothing",
          "[daemon]") {
  DaemonStation s;
  auto tokens = s.open_cc(10);
  const auto& k = Keys::get();
  auto good = ballot_payload(tokens[0], {"c2"});
  auto tampered = tallystation::crypto::parse_envelope(signed_ballot(good)).value();
  tampered.signatures[0].sig[5] ^= 0x01;

  struct Case {
    std::string expected;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"malformed", "{not json"},
      {"malformed", signed_ballot(R"({"session":"cc2026","contest":"cc","round":1})")},
      {"bad_signature", tallystation::crypto::serialize(tampered)},
      {"unknown_terminal", signed_ballot(good, k.stranger)},
      {"unknown_session", signed_ballot(ballot_payload(tokens[0], {"c1"}, "cc", 1, "other"))},
      {"unknown_contest", signed_ballot(ballot_payload(tokens[0], {"c1"}, "nope"))},
      {"round_not_open", signed_ballot(ballot_payload(tokens[0], {"a"}, "chair"))},
      {"unknown_candidate", signed_ballot(ballot_payload(tokens[0], {"zz"}))},
      {"duplicate_mark", signed_ballot(ballot_payload(tokens[0], {"c1", "c1"}))},
      {"token_unknown", signed_ballot(ballot_payload(std::string(64, 'a'), {"c1"}))},
      {"too_large", std::string(2 * 1024 * 1024, ' ')},  // over the edge's body limit
      {"too_large", std::string(100 * 1024, ' ')},       // over the app's ballot limit
  };
  for (const auto& c : cases) {
    INFO("expecting " << c.expected);
    auto r = s.client().post("/v1/ballots", c.body);
    REQUIRE(r);
    CHECK(r->status >= 400);
    CHECK(r->status < 500);
    CHECK(error_of(*r) == c.expected);
  }
  auto r = s.client().request("POST", "/v1/ballots", signed_ballot(good), "text/plain");
  CHECK(r->status == 415);
  CHECK(s.ballots() == 0);
  // The token was never spent by the refused ballots.
  CHECK(s.client().post("/v1/ballots", signed_ballot(good))->status == 200);
  CHECK(s.ballots() == 1);
}

TEST_CASE("a spent token refuses another ballot but the same ballot again gets the same receipt",
          "[daemon]") {
  DaemonStation s;
  auto tokens = s.open_cc(3);
  auto first = ballot_payload(tokens[0], {"c1"});
  auto receipt = s.client().post("/v1/ballots", signed_ballot(first)).value();
  REQUIRE(receipt.status == 200);
  auto again = s.new_client()->post("/v1/ballots", signed_ballot(first)).value();
  CHECK(again.status == 200);
  CHECK(again.body == receipt.body);
  auto other = s.client().post("/v1/ballots", signed_ballot(ballot_payload(tokens[0], {"c2"})));
  CHECK(other->status == 409);
  CHECK(error_of(*other) == "token_spent");
  CHECK(s.ballots() == 1);
}

TEST_CASE("a replayed command, a revoked terminal and a closed round are refused", "[daemon]") {
  DaemonStation s;
  auto tokens = s.open_cc(5);
  const auto& k = Keys::get();

  auto revoke = s.command_body("revoke_terminal", {{"terminal", "t2"}});
  REQUIRE(s.client().post("/v1/commands", revoke)->status == 200);
  auto replay = s.client().post("/v1/commands", revoke);
  CHECK(replay->status >= 400);
  CHECK(error_of(*replay) == "replayed_command");

  auto by_t2 =
      s.client().post("/v1/ballots", signed_ballot(ballot_payload(tokens[0], {"c1"}), k.t2));
  CHECK(error_of(*by_t2) == "revoked_terminal");
  CHECK(s.client()
            .post("/v1/ballots", signed_ballot(ballot_payload(tokens[0], {"c1"}), k.t1))
            ->status == 200);

  REQUIRE(s.command("close_round", {{"contest", "cc"}, {"round", 1}}).status == 200);
  auto late = s.client().post("/v1/ballots", signed_ballot(ballot_payload(tokens[1], {"c1"})));
  CHECK(late->status >= 400);
  CHECK(error_of(*late) == "round_not_open");
  CHECK(s.ballots() == 1);
}

TEST_CASE("garbage, plain text and a stalled half request get clear errors or a closed socket",
          "[daemon]") {
  DaemonStation s({"--read-timeout-ms", "400"});
  auto raw = ts::client::RawTlsConnection::connect(s.daemon().client_options()).value();
  CHECK(!raw->write("\x16\x03garbage\r\n\r\n"));
  auto answer = raw->read_until_close(5s);
  CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(answer.find(R"("error":"malformed")") != std::string::npos);

  bool closed = false;
  ts::test::tcp_exchange(s.daemon().port(), "GET /v1/status HTTP/1.1\r\n\r\n", 5s, &closed);
  CHECK(closed);

  auto stall = ts::client::RawTlsConnection::connect(s.daemon().client_options()).value();
  const auto started = std::chrono::steady_clock::now();
  CHECK(!stall->write("POST /v1/ballots HTTP/1.1\r\nHost: x\r\nContent-Length: 300\r\n\r\n{"));
  stall->read_until_close(5s);
  CHECK(stall->closed());
  CHECK(std::chrono::steady_clock::now() - started < 3s);

  // Still serving, and the log has a line for each refusal, none holding a token.
  CHECK(s.client().get("/v1/status")->status == 200);
  auto logged = [&](const std::string& what) {
    return ts::test::wait_until([&] {  // the log is written by a thread of its own
      for (const auto& l : ts::test::read_lines(s.daemon().log_file())) {
        if (l.find(what) != std::string::npos) return true;
      }
      return false;
    });
  };
  CHECK(logged(R"("code":"malformed")"));
  CHECK(logged(R"("code":"timeout")"));
  CHECK(logged("tls_handshake_failed"));
}

TEST_CASE("SIGTERM answers the ballots in flight, exits 0, and every receipt is kept", "[daemon]") {
  DaemonStation s;
  auto tokens = s.open_cc(400);
  std::atomic<std::size_t> next{0};
  std::atomic<int> acked{0};
  std::mutex mu;
  struct Acked {
    std::string payload, envelope, receipt;
  };
  std::vector<Acked> receipts;
  std::vector<std::string> in_doubt;
  auto stream = [&](int which) {
    auto client = s.new_client();
    const auto& key = which % 2 ? Keys::get().t1 : Keys::get().t2;
    for (std::size_t i; (i = next++) < tokens.size();) {
      auto payload = ballot_payload(tokens[i], {"c" + std::to_string(1 + i % 6)});
      auto body = signed_ballot(payload, key);
      auto r = client->post("/v1/ballots", body);
      std::lock_guard lock(mu);
      if (r && r->status == 200) {
        receipts.push_back({payload, body, r->body});
        ++acked;
      } else {
        in_doubt.push_back(payload);
        if (!r || r->status == 503) break;  // the station is going away
      }
    }
  };
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) clients.emplace_back(stream, i);
  REQUIRE(ts::test::wait_until([&] { return acked >= 20; }));
  CHECK(s.daemon().terminate() == 0);
  for (auto& t : clients) t.join();

  s.start();
  const auto stored = s.ballots();
  CHECK(stored >= static_cast<std::int64_t>(receipts.size()));
  CHECK(stored <= static_cast<std::int64_t>(receipts.size() + in_doubt.size()));
  for (const auto& [payload, envelope, receipt] : receipts) {
    auto again = s.client().post("/v1/ballots", envelope);
    REQUIRE(again);
    CHECK(again->status == 200);
    CHECK(again->body == receipt);
    CHECK(s.receipt_matches(again->body, payload));
  }
  CHECK(s.ballots() == stored);
}
