// tallystation-genbundle: writes a valid audit bundle (docs/audit.md) with N ballots in one
// contest round, for benchmarking `tally-audit verify` (scripts/bench-verify). It plays every
// part itself (officials, one terminal, the station, two committee members) with fresh keys, and
// uses the station's own builders for ballots, commands and minutes; ballots are signed on
// several threads. Seeded: the same --ballots and --seed give the same votes and tokens.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "crypto/dsse.hpp"
#include "crypto/keys.hpp"
#include "crypto/merkle.hpp"
#include "station/app/ledger.hpp"
#include "station/app/messages.hpp"
#include "station/app/minutes.hpp"
#include "station/config/session.hpp"
#include "station/tools/bundle_writer.hpp"

using namespace tallystation;
using namespace tallystation::station::tools;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

struct Options {
  std::string out;
  std::uint64_t ballots = 10000;
  std::uint32_t candidates = 20;
  std::uint32_t seats = 7;
  std::uint64_t seed = 20261123;
  unsigned threads = 2;
};

std::string session_bytes(const Options& o, const CongressKeys& keys) {
  json::array candidates;
  for (std::uint32_t i = 1; i <= o.candidates; ++i) {
    candidates.push_back(
        json::object{{"id", "c" + std::to_string(i)}, {"name", "Candidate " + std::to_string(i)}});
  }
  json::object session{
      {"id", "bench"},
      {"title", "Benchmark congress"},
      {"organisation", "The Party"},
      {"congress_kind", "delegates"},
      {"convened", std::min<std::uint64_t>(o.ballots + 10, 1000000)},  // the session's limit
      {"contests", json::array{json::object{{"id", "cc"},
                                            {"title", "Central Committee"},
                                            {"seats", o.seats},
                                            {"candidates", std::move(candidates)}}}}};
  add_key_members(session, keys);
  return json::serialize(session);
}

// Ballot i: its token (deterministic from the seed) and marks (a random subset of at most
// `seats` candidates).
std::string ballot_payload(const Options& o, std::uint64_t i, std::string& token) {
  std::mt19937_64 rng(o.seed * 1000003u + i);
  token = crypto::to_hex(crypto::sha256(std::to_string(o.seed) + ":" + std::to_string(i)));
  std::vector<std::string> marks;
  const std::uint32_t n = static_cast<std::uint32_t>(rng() % (o.seats + 1));
  std::vector<std::uint32_t> ids(o.candidates);
  for (std::uint32_t k = 0; k < o.candidates; ++k) ids[k] = k + 1;
  for (std::uint32_t k = 0; k < n; ++k) {
    std::swap(ids[k], ids[k + rng() % (o.candidates - k)]);
    marks.push_back("c" + std::to_string(ids[k]));
  }
  return station::make_ballot_payload("bench", "cc", 1, token, marks);
}

// The command log: each envelope with its chained entry hash (docs/storage.md).
struct Log {
  crypto::Digest head{};
  std::string lines;
  std::uint64_t size = 0;
  std::uint64_t seq = 0;
  void add(const crypto::SecretKey& key, const std::string& name, json::object args) {
    const std::string env =
        station::sign_command(key, station::make_command_payload("bench", ++seq, "o1", name, args));
    head = station::command_entry_hash(head, env);
    lines += env + "\n";
    ++size;
  }
};

int run(const Options& o) {
  const fs::path out(o.out);
  if (fs::exists(out)) throw std::runtime_error(out.string() + ": already exists");
  fs::create_directories(out / "rounds/cc/1");
  const CongressKeys keys;
  const crypto::SecretKey& official = keys.official;
  const crypto::SecretKey& terminal = keys.terminal;
  const std::string session_text = session_bytes(o, keys);
  write_file(out / "session.json", session_text);
  auto session = station::parse_session(session_text);
  if (!session) throw std::runtime_error(session.error().message);

  // Payloads, sorted by leaf hash (the box order), and the sorted token hashes.
  std::vector<std::pair<crypto::Digest, std::string>> box(o.ballots);
  std::vector<crypto::Digest> tokens(o.ballots);
  for (std::uint64_t i = 0; i < o.ballots; ++i) {
    std::string token;
    box[i].second = ballot_payload(o, i, token);
    box[i].first = crypto::leaf_hash(box[i].second);
    tokens[i] = station::token_hash(token);
  }
  std::sort(box.begin(), box.end());
  std::sort(tokens.begin(), tokens.end());

  // Ballot envelopes, signed on `threads` threads in blocks, written in box order.
  std::ofstream ballots(out / "rounds/cc/1/ballots.jsonl", std::ios::binary);
  const std::size_t block = 16384;
  std::vector<std::string> signed_block(block);
  for (std::size_t start = 0; start < box.size(); start += block) {
    const std::size_t n = std::min(block, box.size() - start);
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < o.threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t i = t; i < n; i += o.threads)
          signed_block[i] = station::sign_ballot(terminal, box[start + i].second);
      });
    }
    for (auto& w : workers) w.join();
    for (std::size_t i = 0; i < n; ++i) ballots << signed_block[i] << '\n';
  }
  ballots.close();
  if (!ballots) throw std::runtime_error("ballots.jsonl: cannot be written");
  std::string token_lines;
  for (const crypto::Digest& h : tokens) token_lines += crypto::to_hex(h) + "\n";
  write_file(out / "rounds/cc/1/tokens.txt", token_lines);

  // The command log: enrol, tokens in the station's batches of at most 10000, open, close.
  Log log;
  log.head = *crypto::digest_from_hex(session->config_hash);
  log.add(official, "enrol_terminal", {{"terminal", "t1"}});
  for (std::uint64_t left = o.ballots; left > 0;) {
    const std::uint64_t n = std::min<std::uint64_t>(left, 10000);
    log.add(official, "issue_tokens", {{"contest", "cc"}, {"round", 1}, {"count", n}});
    left -= n;
  }
  log.add(official, "open_round", {{"contest", "cc"}, {"round", 1}});
  const std::string head_before_close = crypto::to_hex(log.head);
  log.add(official, "close_round", {{"contest", "cc"}, {"round", 1}});
  write_file(out / "commands.jsonl", log.lines);
  write_file(out / "command_log.json",
      json::serialize(json::object{{"size", log.size}, {"head", crypto::to_hex(log.head)}}) + "\n");

  // The minutes, counted by the station's own code, signed by the station and both members.
  std::vector<crypto::Digest> leaves;
  std::vector<std::string> payloads;
  leaves.reserve(box.size());
  payloads.reserve(box.size());
  for (auto& [leaf, payload] : box) {
    leaves.push_back(leaf);
    payloads.push_back(std::move(payload));
  }
  box.clear();
  box.shrink_to_fit();
  station::MinutesFacts f;
  f.session_id = "bench";
  f.config_hash = session->config_hash;
  f.convened = session->convened;
  f.contest = &session->contests[0];
  f.round = 1;
  f.ballot = station::first_round_ballot(session->contests[0]);
  f.ballots_issued = o.ballots;
  f.box_root = crypto::to_hex(crypto::merkle_root(leaves));
  f.audit_log_head = head_before_close;
  f.tokens_root = crypto::to_hex(station::tokens_root(tokens));
  f.before.known = session->contests[0].candidates;
  const station::Minutes m = station::make_minutes(f, payloads);
  crypto::Envelope env =
      crypto::make_envelope(keys.station, crypto::payload_type::kResult, m.payload);
  for (const crypto::SecretKey* k : {&keys.member1, &keys.member2})
    env.signatures.push_back(crypto::sign_envelope(*k, env.payload_type, env.payload));
  write_file(out / "rounds/cc/1/minutes.json", crypto::serialize(env) + "\n");

  write_file(out / "keys.json", json::serialize(keys_json(keys)) + "\n");
  std::cout << "wrote " << o.ballots << " ballots to " << out.string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tallystation-genbundle: a valid audit bundle with N ballots, for benchmarks"};
  Options o;
  app.add_option("--out", o.out, "The bundle directory to create")->required();
  app.add_option("--ballots", o.ballots, "Ballots in the box")->check(CLI::Range(1, 1000000));
  app.add_option("--candidates", o.candidates, "Candidates on the list")
      ->check(CLI::Range(2, 1000));
  app.add_option("--seats", o.seats, "Seats")->check(CLI::Range(1, 999));
  app.add_option("--seed", o.seed, "Seed of votes and tokens");
  app.add_option("--threads", o.threads, "Signing threads")->check(CLI::Range(1, 64));
  try {
    app.parse(argc, argv);
    if (o.seats >= o.candidates) throw CLI::ValidationError("--seats must be below --candidates");
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "tallystation-genbundle: " << e.what() << "\n";
    return 1;
  }
}
