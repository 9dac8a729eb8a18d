// tallystation-loadgen: K concurrent TLS terminals submitting signed ballots to a running stationd,
// for scripts/bench-ingest. Thin: the HTTPS client is station/client, the messages station/app.
//
//   tallystation-loadgen prepare --dir D
//       writes D/session.json (official o1, terminals t1..t8, contest cc) and their secret keys.
//   tallystation-loadgen run --dir D --port P --fingerprint F [--connections 64] [--ballots N]
//                            [--rate R]
//       as official o1: enrols the terminals, issues N tokens for cc round 1 and opens it (each
//       step skipped if already done); signs N ballots before the clock starts (a terminal's own
//       signing is not the station's work); then K connections submit them, closed-loop or, with
//       --rate, open-loop at R ballots/s in total with latency measured from each ballot's
//       scheduled time. Prints one JSON line: ballots, errors, seconds, ballots_per_s, p50_ms,
//       p99_ms, max_ms, cpu_s (this process's own CPU time during the run).
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "crypto/keys.hpp"
#include "station/app/messages.hpp"
#include "station/client/https_client.hpp"

namespace json = boost::json;
namespace crypto = tallystation::crypto;
namespace ts = tallystation::station;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kTerminalKeys = 8;
constexpr const char* kSession = "bench";

int prepare(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "keys");
  auto official = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  if (!crypto::save_secret_key(dir / "keys" / "o1.key", official)) return 2;
  json::array terminals;
  for (int i = 1; i <= kTerminalKeys; ++i) {
    auto key = crypto::SecretKey::generate(crypto::KeyType::ed25519);
    std::string id = "t" + std::to_string(i);
    if (!crypto::save_secret_key(dir / "keys" / (id + ".key"), key)) return 2;
    terminals.push_back(json::object{{"id", id}, {"public_key", key.public_key().pem()}});
  }
  auto member = [](const char* id) {
    return json::object{
        {"id", id},
        {"name", id},
        {"public_key", crypto::SecretKey::generate(crypto::KeyType::ed25519).public_key().pem()}};
  };
  json::array candidates;
  for (int i = 1; i <= 6; ++i) {
    candidates.push_back(
        json::object{{"id", "c" + std::to_string(i)}, {"name", "Candidate " + std::to_string(i)}});
  }
  json::object session{
      {"id", kSession},
      {"title", "Ingest benchmark"},
      {"organisation", "The Party"},
      {"congress_kind", "delegates"},
      {"convened", 1000000},
      {"officials",
       json::array{json::object{
           {"id", "o1"}, {"name", "Official"}, {"public_key", official.public_key().pem()}}}},
      {"counting_committee", json::object{{"members", json::array{member("m1"), member("m2")}},
                                          {"required_signatures", 2}}},
      {"terminals", terminals},
      {"contests", json::array{json::object{{"id", "cc"},
                                            {"title", "Central Committee"},
                                            {"seats", 3},
                                            {"alternates", 0},
                                            {"candidates", candidates},
                                            {"rule_set", "cpv-2024"},
                                            {"majority_basis", "convened"},
                                            {"excluded", 0}}}}};
  std::ofstream(dir / "session.json") << json::serialize(session);
  return 0;
}

struct RunFlags {
  std::filesystem::path dir;
  std::uint16_t port = 8443;
  std::string fingerprint;
  int connections = 64;
  int ballots = 20000;
  double rate = 0;  // 0: closed loop
};

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Sets the round up as official o1 and returns n fresh tokens.
std::vector<std::string> set_up(ts::client::HttpsClient& client, const crypto::SecretKey& o1,
                                int n) {
  auto status = json::parse(client.get("/v1/status").value().body);
  std::uint64_t seq = status.at("command_log").at("last_seq").to_number<std::uint64_t>();
  auto command = [&](const char* name, json::object args) {
    auto body = ts::sign_command(o1, ts::make_command_payload(kSession, ++seq, "o1", name, args));
    auto r = client.post("/v1/commands", body).value();
    return std::make_pair(r.status, json::parse(r.body));
  };
  for (int i = 1; i <= kTerminalKeys; ++i) {
    command("enrol_terminal", {{"terminal", "t" + std::to_string(i)}});  // done already: refused
  }
  std::vector<std::string> tokens;
  while (static_cast<int>(tokens.size()) < n) {
    int batch = std::min(10000, n - static_cast<int>(tokens.size()));
    auto [code, body] =
        command("issue_tokens", {{"contest", "cc"}, {"round", 1}, {"count", batch}});
    if (code != 200) throw std::runtime_error("issue_tokens: " + json::serialize(body));
    for (const auto& t : body.at("result").at("tokens").as_array()) {
      tokens.emplace_back(t.as_string());
    }
  }
  command("open_round", {{"contest", "cc"}, {"round", 1}});  // open already: refused
  return tokens;
}

int run(const RunFlags& f) {
  auto o1 = crypto::load_secret_key(f.dir / "keys" / "o1.key").value();
  std::vector<crypto::SecretKey> terminals;
  for (int i = 1; i <= kTerminalKeys; ++i) {
    terminals.push_back(
        crypto::load_secret_key(f.dir / "keys" / ("t" + std::to_string(i) + ".key")).value());
  }
  ts::client::ClientOptions options;
  options.port = f.port;
  options.tls_fingerprint = f.fingerprint;
  options.timeout = std::chrono::seconds(30);
  ts::client::HttpsClient admin(options);
  auto tokens = set_up(admin, o1, f.ballots);
  std::vector<std::string> bodies(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::vector<std::string> marks{"c" + std::to_string(1 + i % 6),
                                   "c" + std::to_string(1 + (i / 6) % 6)};
    if (marks[0] == marks[1]) marks.pop_back();
    bodies[i] = ts::sign_ballot(terminals[i % kTerminalKeys],
                                ts::make_ballot_payload(kSession, "cc", 1, tokens[i], marks));
  }

  // Connections first, so that handshakes are not in the measured window.
  std::vector<std::unique_ptr<ts::client::HttpsClient>> clients;
  for (int c = 0; c < f.connections; ++c) {
    clients.push_back(std::make_unique<ts::client::HttpsClient>(options));
    if (auto ec = clients.back()->connect()) throw std::runtime_error("connect: " + ec.message());
  }
  std::vector<double> latencies(bodies.size(), -1);
  std::atomic<std::size_t> next{0};
  std::atomic<int> errors{0};
  const double cpu0 = cpu_seconds();
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  auto worker = [&](int c) {
    auto& client = *clients[static_cast<std::size_t>(c)];
    for (std::size_t i; (i = next++) < bodies.size();) {
      auto scheduled = Clock::now();
      if (f.rate > 0) {
        scheduled = start + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(static_cast<double>(i) / f.rate));
        std::this_thread::sleep_until(scheduled);
      }
      auto r = client.post("/v1/ballots", bodies[i]);
      if (!r || r->status != 200) {
        ++errors;
        continue;
      }
      latencies[i] = std::chrono::duration<double, std::milli>(Clock::now() - scheduled).count();
    }
  };
  std::this_thread::sleep_until(start);
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < f.connections; ++c) threads.emplace_back(worker, c);
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;

  std::vector<double> ok;
  for (double l : latencies) {
    if (l >= 0) ok.push_back(l);
  }
  std::sort(ok.begin(), ok.end());
  auto pct = [&](double p) {
    if (ok.empty()) return 0.0;
    return ok[std::min(ok.size() - 1,
                       static_cast<std::size_t>(p * static_cast<double>(ok.size())))];
  };
  std::cout << json::serialize(
                   json::object{{"ballots", ok.size()},
                                {"errors", errors.load()},
                                {"connections", f.connections},
                                {"rate", f.rate},
                                {"seconds", seconds},
                                {"ballots_per_s", static_cast<double>(ok.size()) / seconds},
                                {"p50_ms", pct(0.50)},
                                {"p99_ms", pct(0.99)},
                                {"max_ms", ok.empty() ? 0.0 : ok.back()},
                                {"cpu_s", cpu}})
            << std::endl;
  return errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"tallystation-loadgen: concurrent TLS terminals for the ingest benchmark"};
  cli.require_subcommand(1);
  std::filesystem::path prepare_dir;
  auto* prep = cli.add_subcommand("prepare", "write a session definition and keys");
  prep->add_option("--dir", prepare_dir)->required();
  RunFlags f;
  auto* r = cli.add_subcommand("run", "submit ballots to a running stationd");
  r->add_option("--dir", f.dir, "directory written by prepare")->required();
  r->add_option("--port", f.port)->required();
  r->add_option("--fingerprint", f.fingerprint, "the station's TLS fingerprint")->required();
  r->add_option("--connections", f.connections, "concurrent terminals")->capture_default_str();
  r->add_option("--ballots", f.ballots)->capture_default_str();
  r->add_option("--rate", f.rate, "total ballots/s, open loop (0: as fast as answered)")
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  try {
    if (*prep) return prepare(prepare_dir);
    return run(f);
  } catch (const std::exception& e) {
    std::cerr << "tallystation-loadgen: " << e.what() << "\n";
    return 2;
  }
}
