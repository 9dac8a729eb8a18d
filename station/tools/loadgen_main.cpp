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
//       p99_ms, max_ms, cpu_s (this process's own CPU time during the run) and, with
//       --station-pid, station_cpu_s and station_threads_cpu_s (stationd's, over the same window).
//       One thread drives all K connections asynchronously (Asio), and every request is written
//       out before the clock starts, so that the generator takes as little of the shared machine
//       as it can; scripts/bench-ingest reports its CPU share beside the station's. With more
//       than --chunk ballots (100000) they are signed, submitted and checked a chunk at a time,
//       so that memory stays bounded (scripts/bench-close submits 10^6); the window is the sum.
//   tallystation-loadgen close --dir D --port P --fingerprint F [--contest cc] [--round 1]
//       as official o1: close_round, timed; prints one JSON line: seconds, status, box_size,
//       box_root, tokens_issued, outcome, and from the signed minutes read back afterwards
//       minutes_signed, minutes_ballots_collected, minutes_valid, minutes_invalid,
//       minutes_box_size (for scripts/bench-close).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json.hpp>

#include "crypto/hash.hpp"
#include "crypto/keys.hpp"
#include "crypto/merkle.hpp"
#include "station/app/messages.hpp"
#include "station/client/https_client.hpp"
#include "station/client/peer_certificate.hpp"
#include "station/client/terminal_client.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using boost::system::error_code;
using tcp = asio::ip::tcp;
namespace crypto = tallystation::crypto;
namespace ts = tallystation::station;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
using Stream = beast::ssl_stream<beast::tcp_stream>;

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
  double rate = 0;      // 0: closed loop
  int station_pid = 0;  // if set, stationd's CPU time in the measured window is reported too
  int chunk = 100000;   // ballots signed and held in memory at a time (0: all)
  std::uint64_t seed = 20261201;  // the marks are random, from this seed
};

// Marks as delegates make them on the bench contest (6 candidates, 3 seats): most keep one to
// three names; about 3 in 100 keep four or more (over-voting: an invalid ballot, accepted and
// counted as such) and about 1 in 100 cross every name out (also invalid under cpv-2024).
std::vector<std::string> random_marks(std::mt19937_64& rng, bool& invalid) {
  std::vector<std::string> all{"c1", "c2", "c3", "c4", "c5", "c6"};
  std::shuffle(all.begin(), all.end(), rng);
  const auto roll = std::uniform_int_distribution<int>(0, 99)(rng);
  std::size_t keep = 1 + static_cast<std::size_t>(std::uniform_int_distribution<int>(0, 2)(rng));
  if (roll < 3) keep = 4 + static_cast<std::size_t>(roll % 3);  // 4..6 marks for 3 seats
  if (roll == 3) keep = 0;
  invalid = keep == 0 || keep > 3;
  all.resize(keep);
  return all;
}

// CPU seconds (user + system) of each thread of process pid, by thread name (threads of the same
// name summed), from /proc/PID/task/*/stat; empty if pid is 0 or gone.
std::map<std::string, double> threads_cpu(int pid) {
  std::map<std::string, double> out;
  if (pid <= 0) return out;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream stat(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // pid (comm) state ppid ... : fields 14 and 15 (utime, stime) counted after the ")".
    const auto open = text.find('(');
    const auto close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    double utime = 0;
    double stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    out[text.substr(open + 1, close - open - 1)] += (utime + stime) / tick;
  }
  return out;
}

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

// One terminal's kept-alive TLS connection, pinned to the station's certificate like
// station/client's (the fingerprint given on the command line), driven asynchronously so that one
// thread serves all K of them: the load generator's own CPU per ballot stays small, and what it
// does use is measured and reported (cpu_s).
struct Terminal {
  Terminal(asio::io_context& ioc, asio::ssl::context& tls) : stream(ioc, tls), timer(ioc) {}
  Stream stream;
  asio::steady_timer timer;
  beast::flat_buffer buffer;
};

struct Submission {
  const std::vector<std::string>& requests;  // whole HTTP requests, built before the clock
  std::vector<double>& latencies;
  std::vector<std::string>& receipts;  // each answer's body, checked after the clock stops
  const double rate;
  Clock::time_point start{};
  std::size_t next = 0;  // one thread: no atomics needed
};

asio::awaitable<void> submit_all(Terminal& t, Submission& s) {
  for (std::size_t i; (i = s.next++) < s.requests.size();) {
    auto scheduled = Clock::now();
    if (s.rate > 0) {
      scheduled = s.start + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(static_cast<double>(i) / s.rate));
      t.timer.expires_at(scheduled);
      co_await t.timer.async_wait(kTuple);
    }
    auto [wec, wn] = co_await asio::async_write(t.stream, asio::buffer(s.requests[i]), kTuple);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    error_code rec = wec;
    if (!rec) std::tie(rec, wn) = co_await http::async_read(t.stream, t.buffer, parser, kTuple);
    // A ballot without a latency is an error (counted after the run): a refusal, or, when the
    // connection is gone, this one and whatever this terminal would still have sent.
    if (rec) co_return;
    if (parser.get().result_int() != 200) continue;
    s.latencies[i] = std::chrono::duration<double, std::milli>(Clock::now() - scheduled).count();
    s.receipts[i] = std::move(parser.get().body());
  }
}

asio::awaitable<error_code> open_terminal(Terminal& t, const tcp::endpoint& station) {
  auto& tcp_stream = beast::get_lowest_layer(t.stream);
  tcp_stream.expires_after(std::chrono::seconds(30));
  auto [cec] = co_await tcp_stream.async_connect(station, kTuple);
  if (cec) co_return cec;
  error_code ignored;
  tcp_stream.socket().set_option(tcp::no_delay(true), ignored);
  auto [hec] = co_await t.stream.async_handshake(asio::ssl::stream_base::client, kTuple);
  tcp_stream.expires_never();
  co_return hec;
}

// "POST /v1/ballots" with body, as the bytes a terminal sends.
std::string ballot_request(const std::string& body) {
  return "POST /v1/ballots HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The terminals' keys, as prepare wrote them.
std::vector<crypto::SecretKey> load_terminal_keys(const std::filesystem::path& dir) {
  std::vector<crypto::SecretKey> terminals;
  for (int i = 1; i <= kTerminalKeys; ++i) {
    terminals.push_back(
        crypto::load_secret_key(dir / "keys" / ("t" + std::to_string(i) + ".key")).value());
  }
  return terminals;
}

ts::client::ClientOptions admin_options(std::uint16_t port, const std::string& fingerprint,
                                        std::chrono::milliseconds timeout) {
  ts::client::ClientOptions options;
  options.port = port;
  options.tls_fingerprint = fingerprint;
  options.timeout = timeout;
  return options;
}

int run(const RunFlags& f) {
  auto o1 = crypto::load_secret_key(f.dir / "keys" / "o1.key").value();
  const auto terminals = load_terminal_keys(f.dir);
  ts::client::HttpsClient admin(admin_options(f.port, f.fingerprint, std::chrono::seconds(30)));
  auto tokens = set_up(admin, o1, f.ballots);
  // The station's signing key, to check every receipt afterwards as a terminal would.
  auto station_info = json::parse(admin.get("/v1/station").value().body);
  auto station_key = crypto::PublicKey::from_pem(station_info.at("public_key").as_string()).value();

  asio::io_context ioc(1);
  asio::ssl::context tls{asio::ssl::context::tlsv13_client};
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_tlsv1_2);
  tls.set_verify_mode(asio::ssl::verify_peer);
  bool pin_failed = false;
  tls.set_verify_callback([&](bool, asio::ssl::verify_context& vc) {
    auto cert = ts::client::current_certificate(vc);
    if (!cert) return false;
    if (cert->depth != 0) return true;
    const bool pinned =
        crypto::constant_time_equal(crypto::to_hex(crypto::sha256(cert->der)), f.fingerprint);
    if (!pinned) pin_failed = true;
    return pinned;
  });
  const tcp::endpoint station{asio::ip::make_address("127.0.0.1"), f.port};

  // Connections first, so that handshakes are not in the measured window.
  std::vector<std::unique_ptr<Terminal>> conns;
  int failed = 0;
  for (int c = 0; c < f.connections; ++c) {
    conns.push_back(std::make_unique<Terminal>(ioc, tls));
    asio::co_spawn(ioc, open_terminal(*conns.back(), station),
                   [&](std::exception_ptr e, error_code ec) { failed += (e || ec) ? 1 : 0; });
  }
  ioc.run();
  if (failed > 0 || pin_failed) {
    throw std::runtime_error(std::to_string(failed) + " connections failed" +
                             (pin_failed ? " (TLS fingerprint mismatch)" : ""));
  }

  // The ballots go in chunks of at most f.chunk (one chunk unless there are more): each chunk is
  // signed and its requests written out before its clock starts (a terminal's own signing is not
  // the station's work), then submitted, then its receipts checked after its clock stops. Every
  // request, signed ballot and receipt of a chunk is held in memory (a few KiB per ballot): chunks
  // bound that for 10^6 ballots. The measured window is the sum of the chunks' windows; with
  // --rate, each chunk's schedule starts afresh.
  const std::size_t chunk = f.chunk > 0 ? static_cast<std::size_t>(f.chunk) : tokens.size();
  std::mt19937_64 rng(f.seed);
  std::size_t invalid_marked = 0, receipts_verified = 0, receipts_bad = 0;
  int errors = 0;
  double seconds = 0, cpu = 0;
  std::map<std::string, double> station_by_thread;
  std::vector<double> ok;  // the latencies of the ballots answered 200
  ok.reserve(tokens.size());
  for (std::size_t begin = 0; begin < tokens.size(); begin += chunk) {
    const std::size_t n = std::min(chunk, tokens.size() - begin);
    std::vector<std::string> requests(n);
    std::vector<ts::client::PreparedBallot> sent(n);
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t i = begin + j;
      bool invalid = false;
      auto marks = random_marks(rng, invalid);
      invalid_marked += invalid ? 1 : 0;
      auto& b = sent[j];
      b.session = kSession;
      b.contest = "cc";
      b.round = 1;
      b.payload = ts::make_ballot_payload(kSession, "cc", 1, tokens[i], marks);
      b.envelope = ts::sign_ballot(terminals[i % kTerminalKeys], b.payload);
      b.ballot_hash = crypto::to_hex(crypto::leaf_hash(b.payload));
      requests[j] = ballot_request(b.envelope);
      std::string().swap(tokens[i]);  // sent: not needed any more
    }

    std::vector<double> latencies(n, -1);
    std::vector<std::string> receipts(n);
    Submission sub{requests, latencies, receipts, f.rate};
    sub.start = Clock::now() + std::chrono::milliseconds(50);
    std::this_thread::sleep_until(sub.start);
    // Both processes' CPU is read over exactly the measured window (the set-up above, tokens
    // issued and the round opened, is the station's work but not ingest).
    auto station0 = threads_cpu(f.station_pid);
    const double cpu0 = cpu_seconds();
    const auto t0 = Clock::now();
    for (auto& t : conns) {
      // A terminal that throws leaves its ballots without a latency: counted as errors below.
      asio::co_spawn(ioc, submit_all(*t, sub), [](std::exception_ptr) {});
    }
    ioc.restart();
    ioc.run();
    seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    cpu += cpu_seconds() - cpu0;
    for (auto& [name, seconds1] : threads_cpu(f.station_pid)) {
      station_by_thread[name] += seconds1 - station0[name];
    }
    // Ballots never sent because their connection failed count as errors too.
    errors += static_cast<int>(std::count(latencies.begin(), latencies.end(), -1.0));

    // Every receipt, as the reference terminal checks it (station/client/terminal_client.hpp):
    // signed by the station, exactly its members, for the ballot that was sent. After the clock.
    for (std::size_t j = 0; j < n; ++j) {
      if (latencies[j] < 0) continue;
      ok.push_back(latencies[j]);
      if (ts::client::verify_receipt(receipts[j], station_key, &sent[j])) {
        ++receipts_verified;
      } else {
        ++receipts_bad;
      }
    }
  }
  json::object station_threads;
  double station_cpu = 0;
  for (auto& [name, used] : station_by_thread) {
    station_threads[name] = used;
    station_cpu += used;
  }

  std::sort(ok.begin(), ok.end());
  auto pct = [&](double p) {
    if (ok.empty()) return 0.0;
    return ok[std::min(ok.size() - 1,
                       static_cast<std::size_t>(p * static_cast<double>(ok.size())))];
  };
  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  std::cout << json::serialize(
                   json::object{{"ballots", ok.size()},
                                {"errors", errors},
                                {"invalid_marked", invalid_marked},
                                {"receipts_verified", receipts_verified},
                                {"receipts_bad", receipts_bad},
                                {"connections", f.connections},
                                {"rate", f.rate},
                                {"chunk", chunk},
                                {"seconds", seconds},
                                {"ballots_per_s", static_cast<double>(ok.size()) / seconds},
                                {"p50_ms", pct(0.50)},
                                {"p99_ms", pct(0.99)},
                                {"max_ms", ok.empty() ? 0.0 : ok.back()},
                                {"cpu_s", cpu},
                                {"max_rss_kb", self.ru_maxrss},
                                {"station_cpu_s", station_cpu},
                                {"station_threads_cpu_s", station_threads}})
            << std::endl;
  return errors == 0 && receipts_bad == 0 ? 0 : 1;
}

struct CloseFlags {
  std::filesystem::path dir;
  std::uint16_t port = 8443;
  std::string fingerprint;
  std::string contest = "cc";
  std::uint32_t round = 1;
  int timeout_s = 3600;
};

// A member of a JSON object by path, or nullptr.
const json::value* member(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* at = &v;
  for (auto key : path) {
    if (!at->is_object()) return nullptr;
    at = at->as_object().if_contains(key);
    if (at == nullptr) return nullptr;
  }
  return at;
}

// Closes the round as official o1 (close_round) and prints one JSON line: the seconds the command
// took (request sent to answer read, over a connection opened before the clock), its HTTP status,
// the ballot box's size and tokens issued from the answer, then, from the signed minutes fetched
// after the clock (GET /v1/results, checked against the station's key), ballots_collected, valid,
// invalid and the box size they state.
int close_round(const CloseFlags& f) {
  auto o1 = crypto::load_secret_key(f.dir / "keys" / "o1.key").value();
  ts::client::HttpsClient admin(
      admin_options(f.port, f.fingerprint, std::chrono::seconds(f.timeout_s)));
  auto status = json::parse(admin.get("/v1/status").value().body);
  const std::uint64_t seq = status.at("command_log").at("last_seq").to_number<std::uint64_t>() + 1;
  const std::string body = ts::sign_command(
      o1, ts::make_command_payload(kSession, seq, "o1", "close_round",
                                   {{"contest", f.contest}, {"round", f.round}}));
  const auto t0 = Clock::now();
  auto r = admin.post("/v1/commands", body);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!r) throw std::runtime_error("close_round: no answer (" + r.error().message() + ")");
  error_code ec;
  const json::value answer = json::parse(r->body, ec);
  json::object out{{"seconds", seconds}, {"status", r->status}};
  auto copy = [&](const char* name, const json::value& from,
                  std::initializer_list<std::string_view> path) {
    if (const json::value* v = member(from, path)) out[name] = *v;
  };
  if (ec) out["answer"] = r->body;
  copy("box_size", answer, {"result", "ballot_box", "size"});
  copy("box_root", answer, {"result", "ballot_box", "root"});
  copy("tokens_issued", answer, {"result", "tokens_issued"});
  copy("outcome", answer, {"result", "minutes", "outcome"});
  if (r->status != 200) out["answer"] = answer;

  if (r->status == 200) {
    // The minutes as anyone reads them, signed by the station.
    const std::string target = "/v1/results/" + f.contest + "/" + std::to_string(f.round);
    auto station_info = json::parse(admin.get("/v1/station").value().body);
    crypto::KeySet keys;
    keys.add(crypto::PublicKey::from_pem(station_info.at("public_key").as_string()).value());
    auto got = admin.get(target);
    std::optional<crypto::Envelope> env;
    if (got && got->status == 200) {
      if (auto parsed = crypto::parse_envelope(got->body)) env = std::move(*parsed);
    }
    const bool signed_ok =
        env && crypto::verify_envelope(*env, crypto::payload_type::kResult, keys).has_value();
    out["minutes_signed"] = signed_ok;
    if (env) {
      const json::value minutes = json::parse(env->payload, ec);
      if (!ec) {
        copy("minutes_ballots_collected", minutes, {"ballots_collected"});
        copy("minutes_valid", minutes, {"valid"});
        copy("minutes_invalid", minutes, {"invalid"});
        copy("minutes_box_size", minutes, {"ballot_box", "size"});
      }
    }
  }
  std::cout << json::serialize(out) << std::endl;
  return r->status == 200 ? 0 : 1;
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
  r->add_option("--seed", f.seed, "seed of the random marks")->capture_default_str();
  r->add_option("--station-pid", f.station_pid,
                "stationd's process id: report its CPU time (by thread) in the measured window");
  r->add_option("--chunk", f.chunk,
                "ballots signed, submitted and checked at a time, to bound memory (0: all)")
      ->capture_default_str();
  CloseFlags cf;
  auto* c = cli.add_subcommand("close", "close the round as official o1 and time the command");
  c->add_option("--dir", cf.dir, "directory written by prepare")->required();
  c->add_option("--port", cf.port)->required();
  c->add_option("--fingerprint", cf.fingerprint, "the station's TLS fingerprint")->required();
  c->add_option("--contest", cf.contest)->capture_default_str();
  c->add_option("--round", cf.round)->capture_default_str();
  c->add_option("--timeout", cf.timeout_s, "seconds to wait for the answer")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  try {
    if (*prep) return prepare(prepare_dir);
    if (*c) return close_round(cf);
    return run(f);
  } catch (const std::exception& e) {
    std::cerr << "tallystation-loadgen: " << e.what() << "\n";
    return 2;
  }
}
