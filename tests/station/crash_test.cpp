// Crash safety of the whole daemon: terminals stream ballots while the test kill -9s stationd at
// random moments, again and again, restarting it each time. Afterwards every receipt a terminal
// got must match a stored ballot (resubmitting it returns the identical receipt), the station's
// count must equal the distinct ballots it acknowledged plus at most those whose answer was lost,
// and no token may have been spent twice. The test runs without and with `--mirror DIR`: with the
// mirror, every restart must find the database and the mirror in agreement (no "disagree"
// refusal) and never need to restore the database from the mirror (kill -9 loses nothing that
// SQLite committed, and the database commits before the mirror appends).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "daemon_fixture.hpp"

namespace ts = tallystation::station;
using ts::test::DaemonStation;
using ts::test::error_of;
using ts::testing::Keys;
using namespace std::chrono_literals;

namespace {

struct Ballot {
  std::string token;
  std::string payload;
  std::string envelope;
  std::string receipt;  // empty: never acknowledged (in doubt)
};

// Restarts the killed station; with a mirror, the checks at start must find the two copies
// in agreement.
void restart(DaemonStation& s, bool mirrored) {
  std::string failure;
  try {
    s.start();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  const std::string err = s.daemon().error_output();
  INFO("stderr of the restart: " << err);
  CHECK(err.find("disagree") == std::string::npos);
  if (!failure.empty()) FAIL("stationd did not restart: " << failure);
  if (mirrored) CHECK(err.find("from the mirror") == std::string::npos);
}

void kill_at_random_moments(bool mirrored) {
  constexpr int kCycles = 12;
  constexpr int kTerminals = 4;
  ts::test::TempDir mirror_dir;
  std::vector<std::string> args;
  if (mirrored) args = {"--mirror", (mirror_dir.path() / "mirror").string()};
  DaemonStation s(args);
  auto tokens = s.open_cc(3000);
  std::vector<Ballot> ballots(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    ballots[i].token = tokens[i];
    std::vector<std::string> marks;
    for (int c = 1; c <= 6; ++c) {
      if ((i >> c) & 1) marks.push_back("c" + std::to_string(c));
    }
    ballots[i].payload = ts::make_ballot_payload("cc2026", "cc", 1, tokens[i], marks);
    const auto& key = i % 3 == 0 ? Keys::get().t3 : Keys::get().t1;  // ECDSA and Ed25519
    ballots[i].envelope = ts::sign_ballot(key, ballots[i].payload);
  }

  std::mt19937 rng(Catch::rngSeed());
  std::atomic<std::size_t> next{0};
  std::size_t acked = 0;
  std::vector<std::string> refusals;
  for (int cycle = 0; cycle < kCycles && next < ballots.size(); ++cycle) {
    if (cycle > 0) restart(s, mirrored);
    // What the station holds now: every acknowledged ballot, and at most the ones in doubt.
    std::size_t attempted = std::min(next.load(), ballots.size());
    const auto stored = static_cast<std::size_t>(s.ballots());
    CHECK(stored >= acked);
    CHECK(stored <= attempted);

    std::atomic<std::size_t> acked_this_cycle{0};
    std::mutex mu;
    auto stream = [&] {
      auto client = s.new_client();
      for (std::size_t i; (i = next++) < ballots.size();) {
        auto r = client->post("/v1/ballots", ballots[i].envelope);
        if (!r) return;  // the station died under us: ballot i is in doubt
        std::lock_guard lock(mu);
        if (r->status != 200) {  // Catch's assertions are for the main thread only
          refusals.push_back("ballot " + std::to_string(i) + " refused: " + r->body);
          return;
        }
        ballots[i].receipt = r->body;
        ++acked_this_cycle;
      }
    };
    std::vector<std::thread> terminals;
    for (int t = 0; t < kTerminals; ++t) terminals.emplace_back(stream);
    // Kill at a random moment once ballots flow: sometimes at once, sometimes mid-stream.
    const auto target = std::uniform_int_distribution<std::size_t>(0, 60)(rng);
    ts::test::wait_until([&] { return acked_this_cycle >= target; }, 5s);
    std::this_thread::sleep_for(std::chrono::microseconds(
        std::uniform_int_distribution<int>(0, 20000)(rng)));  // a random moment, not a wait
    s.daemon().kill9();
    for (auto& t : terminals) t.join();
    acked += acked_this_cycle;
    INFO("cycle " << cycle << ": " << acked << " acknowledged so far");
  }

  for (const auto& r : refusals) UNSCOPED_INFO(r);
  CHECK(refusals.empty());
  restart(s, mirrored);
  const std::size_t attempted = std::min(next.load(), ballots.size());
  const auto stored = static_cast<std::size_t>(s.ballots());
  CHECK(acked >= kCycles);  // ballots did flow between the kills
  CHECK(stored >= acked);
  CHECK(stored <= attempted);

  // Every receipt matches a stored ballot: the same envelope again returns the identical receipt.
  auto client = s.new_client();
  std::size_t in_doubt_stored = 0;
  for (std::size_t i = 0; i < attempted; ++i) {
    auto r = client->post("/v1/ballots", ballots[i].envelope);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(s.receipt_matches(r->body, ballots[i].payload));
    if (!ballots[i].receipt.empty()) {
      CHECK(r->body == ballots[i].receipt);
    } else {
      ++in_doubt_stored;
    }
  }
  // Resubmitting everything attempted stored the in-doubt ones that were missing, nothing twice.
  CHECK(static_cast<std::size_t>(s.ballots()) == attempted);
  CHECK(in_doubt_stored == attempted - acked);
  // No token is spent twice: a different ballot with an acknowledged token is refused.
  for (std::size_t i = 0; i < attempted; i += 17) {
    auto other = ts::sign_ballot(
        Keys::get().t1, ts::make_ballot_payload("cc2026", "cc", 1, ballots[i].token, {"c6", "c1"}));
    auto r = client->post("/v1/ballots", other);
    REQUIRE(r);
    CHECK(error_of(*r) == "token_spent");
  }
  CHECK(static_cast<std::size_t>(s.ballots()) == attempted);
  CHECK(s.daemon().terminate() == 0);
}

}  // namespace

TEST_CASE("receipts survive kill -9 at random moments and the counts add up", "[crash]") {
  kill_at_random_moments(false);
}

TEST_CASE("receipts survive kill -9 at random moments with --mirror, the mirror agreeing",
          "[crash][mirror]") {
  kill_at_random_moments(true);
}
