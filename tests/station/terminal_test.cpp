// The reference terminal (station/client/terminal_client.hpp) against the real stationd on
// loopback over real TLS: receipts it refuses, answers lost after the station stored the ballot
// (the same envelope bytes are resent and the same receipt comes back, the ballot stored once),
// pinning, and receipts checked against the closed round's box with an inclusion proof.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/error.hpp>
#include <thread>

#include "daemon_fixture.hpp"
#include "station/client/terminal_client.hpp"

namespace ts = tallystation::station;
namespace tc = tallystation::station::client;

// How Catch shows a client Outcome in a failed assertion.
namespace Catch {
template <class T>
struct StringMaker<tc::Outcome<T>> {
  static std::string convert(const tc::Outcome<T>& o) {
    return o ? std::string("a value") : "failure " + o.error().code + ": " + o.error().message;
  }
};
}  // namespace Catch
namespace crypto = tallystation::crypto;
using ts::test::DaemonStation;
using ts::testing::Keys;
using namespace std::chrono_literals;

namespace {

tc::TerminalOptions options_for(DaemonStation& s) {
  tc::TerminalOptions o;
  o.connection = s.daemon().client_options();
  o.station_keyid = s.daemon().keyid();
  o.first_backoff = 10ms;
  o.max_backoff = 40ms;
  return o;
}

// Sends through the real station, and lets a test see and spoil what passes.
class ProbeTransport final : public tc::Transport {
 public:
  explicit ProbeTransport(const tc::ClientOptions& o) : inner_(tc::make_https_transport(o)) {}
  boost::system::result<tc::Response> request(std::string_view method, std::string_view target,
                                              std::string_view body) override {
    if (method == "POST") ballot_bodies.emplace_back(body);
    auto r = inner_->request(method, target, body);
    if (method == "POST" && r) answers.push_back(r->body);
    if (method == "POST" && lose_answers > 0) {
      --lose_answers;  // the station has the ballot; its answer never arrives
      inner_->reset();
      return boost::system::error_code(boost::asio::error::timed_out);
    }
    if (r && rewrite) r->body = rewrite(std::string(target), r->body);
    return r;
  }
  void reset() override { inner_->reset(); }
  std::string peer_fingerprint() const override { return inner_->peer_fingerprint(); }

  int lose_answers = 0;
  std::function<std::string(const std::string&, const std::string&)> rewrite;
  std::vector<std::string> ballot_bodies;
  std::vector<std::string> answers;

 private:
  std::unique_ptr<tc::Transport> inner_;
};

// A TCP proxy in front of the station that, on the first connection carrying a large TLS
// application-data record from the client (a ballot POST; the GETs are small), forwards that
// request to the station but swallows everything the station answers on that connection: the
// ballot is stored, its receipt is lost in the network. Later connections pass untouched.
class StallingProxy {
 public:
  explicit StallingProxy(std::uint16_t target) : target_(target) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      throw std::runtime_error("proxy: cannot listen");
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~StallingProxy() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : pumps_) t.join();
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }
  std::atomic<int> stalls_left{1};
  std::atomic<int> stalled{0};

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      const int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(target_);
      if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(client);
        ::close(server);
        continue;
      }
      pumps_.emplace_back([this, client, server] { pump(client, server); });
    }
  }
  void pump(int client, int server) {
    bool swallow = false;
    std::string records;   // client -> server bytes not yet parsed into TLS record headers
    std::size_t skip = 0;  // bytes of the current record's body still to pass
    char buf[16384];
    while (!stop_) {
      pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      if (p[0].revents != 0) {
        const ssize_t n = ::read(client, buf, sizeof buf);
        if (n <= 0 || ::write(server, buf, static_cast<std::size_t>(n)) != n) break;
        for (ssize_t i = 0; i < n; ++i) {
          if (skip > 0) {
            --skip;
            continue;
          }
          records.push_back(buf[i]);
          if (records.size() < 5) continue;
          skip = static_cast<std::size_t>((static_cast<unsigned char>(records[3]) << 8) |
                                          static_cast<unsigned char>(records[4]));
          if (records[0] == 23 && skip > 400 && !swallow && stalls_left.fetch_sub(1) > 0) {
            swallow = true;
            ++stalled;
          }
          records.clear();
        }
      }
      if (p[1].revents != 0) {
        const ssize_t n = ::read(server, buf, sizeof buf);
        if (n <= 0) break;
        if (!swallow && ::write(client, buf, static_cast<std::size_t>(n)) != n) break;
      }
    }
    ::close(client);
    ::close(server);
  }

  std::uint16_t target_;
  std::uint16_t port_ = 0;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::vector<std::thread> pumps_;  // touched by the acceptor thread only, joined after it
};

struct Probed {
  ProbeTransport* probe;
  tc::TerminalClient client;
};

Probed probed_client(DaemonStation& s, std::optional<tc::TerminalOptions> options = {}) {
  const tc::TerminalOptions o = options ? *options : options_for(s);
  auto transport = std::make_unique<ProbeTransport>(o.connection);
  ProbeTransport* probe = transport.get();
  return Probed{probe, tc::TerminalClient(o, Keys::get().t1, std::move(transport))};
}

tc::PreparedBallot prepared(tc::TerminalClient& c, const std::string& token,
                            std::vector<std::string> marks = {"c1", "c3"}) {
  auto sheet = c.ballot("cc");
  REQUIRE(sheet);
  auto b = c.prepare(*sheet, token, marks);
  REQUIRE(b);
  return *b;
}

// A receipt for `payload` signed by `key`, as a station would make it.
std::string receipt_for(const crypto::SecretKey& key, const std::string& session,
                        const std::string& contest, std::uint32_t round,
                        const std::string& ballot_hash) {
  return crypto::serialize(
      crypto::make_envelope(key, crypto::payload_type::kReceipt,
                            ts::make_receipt_payload(session, contest, round, ballot_hash)));
}

}  // namespace

TEST_CASE("the terminal casts a ballot and keeps a receipt it has checked against what it sent",
          "[terminal]") {
  DaemonStation s;
  auto tokens = s.open_cc(3);
  tc::TerminalClient c(options_for(s), Keys::get().t1);
  auto sheet = c.ballot("cc");
  REQUIRE(sheet);
  CHECK(sheet->session == "cc2026");
  CHECK(sheet->round == 1);
  CHECK(sheet->seats == 3);
  CHECK(sheet->candidates.size() == 6);

  auto ballot = c.prepare(*sheet, tokens[0], {"c1", "c4"});
  REQUIRE(ballot);
  CHECK(ballot->payload == ts::make_ballot_payload("cc2026", "cc", 1, tokens[0], {"c1", "c4"}));
  auto receipt = c.submit(*ballot);
  REQUIRE(receipt);
  CHECK(receipt->attempts == 1);
  CHECK(receipt->ballot_hash == crypto::to_hex(crypto::leaf_hash(ballot->payload)));
  CHECK(s.receipt_matches(receipt->envelope, ballot->payload));
  CHECK(s.ballots() == 1);

  SECTION("marks that are not on the ballot, or repeated, are refused before anything is sent") {
    CHECK(c.prepare(*sheet, tokens[1], {"zz"}).error().code == "usage");
    CHECK(c.prepare(*sheet, tokens[1], {"c1", "c1"}).error().code == "usage");
  }
  SECTION("the station's refusals come back with their codes, and are not retried") {
    auto other = c.prepare(*sheet, tokens[0], {"c2"});  // the token is spent by another ballot
    auto r = c.submit(*other);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "token_spent");
    CHECK(r.error().status == 409);
    CHECK(s.ballots() == 1);
  }
}

TEST_CASE("a receipt with a wrong signature, another ballot's hash or another round is refused",
          "[terminal]") {
  const auto station = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  const auto payload = ts::make_ballot_payload("cc2026", "cc", 1, std::string(64, 'a'), {"c1"});
  tc::PreparedBallot sent;
  sent.session = "cc2026";
  sent.contest = "cc";
  sent.round = 1;
  sent.payload = payload;
  sent.ballot_hash = crypto::to_hex(crypto::leaf_hash(payload));

  const auto good = receipt_for(station, "cc2026", "cc", 1, sent.ballot_hash);
  REQUIRE(tc::verify_receipt(good, station.public_key(), &sent));

  SECTION("every flipped bit of the station's signature") {
    auto env = crypto::parse_envelope(good).value();
    for (std::size_t i = 0; i < env.signatures[0].sig.size(); ++i) {
      auto bad = env;
      bad.signatures[0].sig[i] = static_cast<char>(bad.signatures[0].sig[i] ^ 0x01);
      INFO("byte " << i);
      CHECK(
          tc::verify_receipt(crypto::serialize(bad), station.public_key(), &sent).error().code ==
          "bad_receipt");
    }
  }
  SECTION("signed by another key than the station's") {
    const auto other = crypto::SecretKey::generate(crypto::KeyType::ed25519);
    CHECK_FALSE(tc::verify_receipt(receipt_for(other, "cc2026", "cc", 1, sent.ballot_hash),
                                   station.public_key(), &sent));
  }
  SECTION("the hash of another ballot, or no leaf prefix") {
    const auto other = ts::make_ballot_payload("cc2026", "cc", 1, std::string(64, 'b'), {"c1"});
    for (const auto& hash :
         {crypto::to_hex(crypto::leaf_hash(other)), crypto::to_hex(crypto::sha256(payload))}) {
      auto r = tc::verify_receipt(receipt_for(station, "cc2026", "cc", 1, hash),
                                  station.public_key(), &sent);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == "bad_receipt");
    }
  }
  SECTION("another round, contest or session") {
    for (const auto& bad : {receipt_for(station, "cc2026", "cc", 2, sent.ballot_hash),
                            receipt_for(station, "cc2026", "chair", 1, sent.ballot_hash),
                            receipt_for(station, "other", "cc", 1, sent.ballot_hash)}) {
      CHECK(tc::verify_receipt(bad, station.public_key(), &sent).error().code == "bad_receipt");
    }
  }
  SECTION("another payload type, or a payload with more members") {
    auto env = crypto::make_envelope(station, crypto::payload_type::kCheckpoint,
                                     ts::make_receipt_payload("cc2026", "cc", 1, sent.ballot_hash));
    CHECK_FALSE(tc::verify_receipt(crypto::serialize(env), station.public_key(), &sent));
    std::string extra = ts::make_receipt_payload("cc2026", "cc", 1, sent.ballot_hash);
    extra.insert(extra.size() - 1, ",\"x\":1");
    env = crypto::make_envelope(station, crypto::payload_type::kReceipt, extra);
    CHECK_FALSE(tc::verify_receipt(crypto::serialize(env), station.public_key(), &sent));
  }
}

TEST_CASE("a station answering with the receipt of another ballot is caught", "[terminal]") {
  DaemonStation s;
  auto tokens = s.open_cc(3);
  auto p = probed_client(s);
  auto first = p.client.submit(prepared(p.client, tokens[0]));
  REQUIRE(first);
  // From now on every ballot answer is the (genuine, station-signed) receipt of the first.
  p.probe->rewrite = [&](const std::string& target, const std::string& body) {
    return target == "/v1/ballots" ? first->envelope : body;
  };
  auto second = p.client.submit(prepared(p.client, tokens[1]));
  REQUIRE_FALSE(second);
  CHECK(second.error().code == "bad_receipt");
}

TEST_CASE(
    "an answer lost after the station stored the ballot is retried with the same bytes, "
    "and the same receipt comes back for a ballot stored once",
    "[terminal]") {
  DaemonStation s;
  auto tokens = s.open_cc(3);
  auto p = probed_client(s);
  std::vector<int> retries;
  p.client.on_retry = [&](int attempt, const tc::TerminalFailure& f) {
    retries.push_back(attempt);
    CHECK(f.code == "transport");
  };
  const auto ballot = prepared(p.client, tokens[0]);
  p.probe->lose_answers = GENERATE(1, 2);
  const int lost = p.probe->lose_answers;
  auto receipt = p.client.submit(ballot);
  REQUIRE(receipt);
  CHECK(receipt->attempts == lost + 1);
  CHECK(retries.size() == static_cast<std::size_t>(lost));
  // Every send carried the very same envelope bytes, and every answer was the same receipt.
  REQUIRE(p.probe->ballot_bodies.size() == static_cast<std::size_t>(lost + 1));
  for (const auto& body : p.probe->ballot_bodies) CHECK(body == ballot.envelope);
  for (const auto& answer : p.probe->answers) CHECK(answer == receipt->envelope);
  CHECK(s.ballots() == 1);
}

TEST_CASE(
    "over the network: a receipt lost after the station stored the ballot comes back on "
    "a new connection for the same bytes, and the ballot is stored once",
    "[terminal]") {
  DaemonStation s;
  auto tokens = s.open_cc(3);
  StallingProxy proxy(s.daemon().port());
  auto o = options_for(s);
  o.connection.port = proxy.port();
  o.connection.timeout = 1500ms;
  tc::TerminalClient c(o, Keys::get().t1);
  int retries = 0;
  c.on_retry = [&](int, const tc::TerminalFailure& f) {
    ++retries;
    CHECK(f.code == "transport");
  };
  const auto ballot = prepared(c, tokens[0]);
  auto receipt = c.submit(ballot);
  REQUIRE(receipt);
  CHECK(proxy.stalled == 1);
  CHECK(retries == 1);
  CHECK(receipt->attempts == 2);
  CHECK(s.receipt_matches(receipt->envelope, ballot.payload));
  CHECK(s.ballots() == 1);
}

TEST_CASE("attempts are bounded when the station never answers", "[terminal]") {
  DaemonStation s;
  auto tokens = s.open_cc(3);
  auto o = options_for(s);
  o.max_attempts = 3;
  auto p = probed_client(s, o);
  const auto ballot = prepared(p.client, tokens[0]);
  p.probe->lose_answers = 10;
  auto r = p.client.submit(ballot);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "transport");
  CHECK(p.probe->ballot_bodies.size() == 3);
  CHECK(s.ballots() == 1);  // stored by the first send; the later ones were the same ballot
  // The answer arrives at last: still the same receipt, still one ballot.
  p.probe->lose_answers = 0;
  auto again = p.client.submit(ballot);
  REQUIRE(again);
  CHECK(again->envelope == p.probe->answers.front());
  CHECK(s.ballots() == 1);
}

TEST_CASE("a station with another certificate or another signing key is refused", "[terminal]") {
  DaemonStation s;
  auto tokens = s.open_cc(3);
  auto o = options_for(s);
  SECTION("TLS fingerprint") {
    o.connection.tls_fingerprint = std::string(64, '0');
    tc::TerminalClient c(o, Keys::get().t1);
    auto k = c.station_key();
    REQUIRE_FALSE(k);
    CHECK(k.error().code == "pin");
    CHECK(k.error().message.find(s.daemon().tls_fingerprint()) != std::string::npos);
  }
  SECTION("station keyid") {
    o.station_keyid = std::string(64, 'e');
    tc::TerminalClient c(o, Keys::get().t1);
    auto sheet = c.ballot("cc");
    REQUIRE(sheet);  // reading the ballot needs no key
    auto b = c.prepare(*sheet, tokens[0], {"c1"});
    auto r = c.submit(*b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "pin");
  }
  CHECK(s.ballots() == 0);
}

TEST_CASE("receipts are checked against the closed round's box by inclusion proofs", "[terminal]") {
  DaemonStation s;
  auto tokens = s.open_cc(7);
  auto p = probed_client(s);
  std::vector<tc::Receipt> receipts;
  for (int i = 0; i < 7; ++i) {
    auto r = p.client.submit(prepared(p.client, tokens[i], {"c" + std::to_string(1 + i % 6)}));
    REQUIRE(r);
    receipts.push_back(*r);
  }
  // Before the close there is no box to be in.
  CHECK(p.client.check_receipt(receipts[0]).error().code == "round_state");
  DaemonStation::expect(s.command("close_round", {{"contest", "cc"}, {"round", 1}}), 200);

  std::set<std::uint64_t> leaves;
  for (const auto& r : receipts) {
    auto proof = p.client.check_receipt(r);
    REQUIRE(proof);
    CHECK(proof->tree_size == 7);
    leaves.insert(proof->leaf_index);
  }
  CHECK(leaves.size() == 7);

  SECTION("a proof that does not lead to the signed root is refused") {
    p.probe->rewrite = [](const std::string& target, const std::string& body) {
      if (target.rfind("/v1/proof", 0) != 0) return body;
      auto v = boost::json::parse(body);
      auto& path = v.at("audit_path").as_array();
      std::string h(path.at(0).as_string());
      h[0] = h[0] == '0' ? '1' : '0';
      path.at(0) = h;
      return boost::json::serialize(v);
    };
    CHECK(p.client.check_receipt(receipts[3]).error().code == "bad_proof");
  }
  SECTION("a receipt the station did not sign is refused") {
    auto forged = receipts[2];
    const auto stranger = Keys::get().stranger;
    forged.envelope = receipt_for(stranger, "cc2026", "cc", 1, forged.ballot_hash);
    CHECK(p.client.check_receipt(forged).error().code == "bad_receipt");
  }
}
