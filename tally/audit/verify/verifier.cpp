#include "tally/audit/verify/verifier.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "crypto/dsse.hpp"
#include "crypto/json_keys.hpp"
#include "crypto/merkle.hpp"
#include "tally/audit/verify/box_scan.hpp"
#include "tally/audit/verify/round_check.hpp"

namespace tallystation::audit::verify {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

bool is_round_number(const std::string& s) {
  return !s.empty() && s.size() < 10 && s[0] != '0' &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The closed rounds of the log and the round directories of the bundle must be the same set.
std::set<RoundKey> rounds_present(const fs::path& bundle, const LogFacts& log, Report& report) {
  CheckBuilder b("rounds present", "bundle");
  std::set<RoundKey> dirs;
  std::error_code ec;
  if (fs::is_directory(bundle / "rounds", ec)) {
    for (const auto& c : fs::directory_iterator(bundle / "rounds", ec)) {
      if (!c.is_directory()) continue;
      for (const auto& r : fs::directory_iterator(c.path(), ec)) {
        const std::string n = r.path().filename().string();
        if (!is_round_number(n)) {
          b.fail("rounds/" + c.path().filename().string() + "/" + n + ": not a round number");
          continue;
        }
        dirs.insert({c.path().filename().string(), static_cast<std::uint32_t>(std::stoul(n))});
      }
    }
  }
  std::set<RoundKey> good;
  for (const auto& [key, f] : log.rounds) {
    if (!f.closed_at) continue;
    const std::string name = key.first + "/" + std::to_string(key.second);
    if (dirs.count(key) == 0) {
      b.fail("round " + name + " was closed by the log but is not in the bundle");
      continue;
    }
    bool files = true;
    for (const char* file : {"ballots.jsonl", "minutes.json", "tokens.txt"}) {
      if (!fs::is_regular_file(bundle / "rounds" / key.first / std::to_string(key.second) / file)) {
        b.fail("round " + name + ": " + file + " is missing");
        files = false;
      }
    }
    if (files) {
      b.pass();
      good.insert(key);
    }
  }
  for (const RoundKey& key : dirs) {
    auto it = log.rounds.find(key);
    if (it == log.rounds.end() || !it->second.closed_at) {
      b.fail("rounds/" + key.first + "/" + std::to_string(key.second) +
             ": the command log closed no such round");
    }
  }
  report.add(b.done());
  return good;
}

crypto::KeySet station_keys(const std::string& pem) {
  crypto::KeySet k;
  auto key = crypto::PublicKey::from_pem(pem);
  if (key) k.add(*key);
  return k;
}

std::string station_pem_of(const fs::path& bundle) {
  boost::system::error_code ec;
  const json::value v = json::parse(read_whole_file(bundle / "keys.json"), ec);
  const json::value* pem = ec ? nullptr : v.find_pointer("/station/public_key", ec);
  if (pem == nullptr || !pem->is_string()) {
    throw UnreadableBundle("keys.json: no station public_key");
  }
  return std::string(pem->get_string());
}

}  // namespace

Report verify_bundle(const fs::path& bundle, const VerifyOptions& options) {
  if (!fs::is_directory(bundle)) throw UnreadableBundle(bundle.string() + ": not a directory");
  Report report;
  const SessionDef session = load_session(bundle / "session.json");
  const LogFacts log = read_command_log(bundle, session, report);
  const crypto::KeySet station = station_keys(check_keys_file(bundle, session, log, report));
  const std::set<RoundKey> rounds = rounds_present(bundle, log, report);

  // Contests in session order (an elect_from source is listed before, docs/session.md), rounds
  // in number order: each round is judged by what the verifier established before it.
  std::map<std::string, ContestProgress> progress;
  for (const ContestDef& contest : session.contests) {
    ContestProgress& p = progress[contest.id];
    const ContestProgress* source = nullptr;
    if (!contest.elect_from.empty()) {
      auto it = progress.find(contest.elect_from);
      if (it != progress.end()) source = &it->second;
    }
    for (const RoundKey& key : rounds) {
      if (key.first != contest.id) continue;
      RoundJob job{bundle / "rounds" / key.first / std::to_string(key.second),
                   &session,
                   &log,
                   &contest,
                   key.second,
                   &station,
                   options.threads,
                   options.require_certified};
      check_round(job, p, source, report);
    }
  }
  for (const RoundKey& key : rounds) {
    if (session.find_contest(key.first) == nullptr) {
      CheckBuilder b("round ballot", "round " + key.first + "/" + std::to_string(key.second));
      b.fail("no contest " + key.first + " in session.json");
      report.add(b.done());
    }
  }
  return report;
}

Report verify_receipt(const fs::path& receipt_file, const fs::path& bundle) {
  Report report;
  const crypto::KeySet station = station_keys(station_pem_of(bundle));
  auto receipt = crypto::parse_envelope(read_whole_file(receipt_file));
  if (!receipt) throw UnreadableBundle(receipt_file.string() + ": not a DSSE envelope");
  CheckBuilder sig("receipt signature", "receipt");
  if (auto k = crypto::verify_envelope(*receipt, crypto::payload_type::kReceipt, station); !k) {
    sig.fail("not signed by the station key of keys.json (" +
             std::string(crypto::to_string(k.error())) + ")");
  } else {
    sig.pass();
  }
  report.add(sig.done());

  boost::system::error_code ec;
  const json::value pv = json::parse(receipt->payload, ec);
  const json::object* p =
      ec || !crypto::json_keys_unique(receipt->payload) ? nullptr : pv.if_object();
  const json::value* session = p ? p->if_contains("session") : nullptr;
  const json::value* contest = p ? p->if_contains("contest") : nullptr;
  const json::value* round = p ? p->if_contains("round") : nullptr;
  const json::value* hash = p ? p->if_contains("ballot_hash") : nullptr;
  // The contest names a directory of the bundle: a plain name, never a path.
  if (!session || !session->is_string() || !contest || !contest->is_string() ||
      contest->get_string().empty() || contest->get_string() == "." ||
      contest->get_string() == ".." ||
      contest->get_string().find_first_of("/\\") != json::string::npos ||
      contest->get_string().find('\0') != json::string::npos || !round || !round->is_int64() ||
      round->get_int64() < 1 || !hash || !hash->is_string() ||
      !crypto::digest_from_hex(hash->get_string())) {
    throw UnreadableBundle(receipt_file.string() + ": not a receipt payload");
  }
  const crypto::Digest leaf = *crypto::digest_from_hex(hash->get_string());
  const std::string scope =
      "round " + std::string(contest->get_string()) + "/" + std::to_string(round->get_int64());
  const fs::path dir =
      bundle / "rounds" / std::string(contest->get_string()) / std::to_string(round->get_int64());
  CheckBuilder inc("receipt inclusion", scope);
  auto minutes = crypto::parse_envelope(read_whole_file(dir / "minutes.json"));
  if (!minutes) throw UnreadableBundle((dir / "minutes.json").string() + ": not a DSSE envelope");
  const json::value mv = json::parse(minutes->payload, ec);
  const json::value* root_v = ec ? nullptr : mv.find_pointer("/ballot_box/root", ec);
  const json::value* size_v = ec ? nullptr : mv.find_pointer("/ballot_box/size", ec);
  // The minutes must be those of the receipt's round, not of another one in its place.
  const json::object* mo = mv.if_object();
  const json::value* m_session = mo ? mo->if_contains("session") : nullptr;
  const json::value* m_contest = mo ? mo->if_contains("contest") : nullptr;
  const json::value* m_round = mo ? mo->if_contains("round") : nullptr;
  if (!crypto::json_keys_unique(minutes->payload) || !m_session || !m_contest || !m_round ||
      *m_session != *session || *m_contest != *contest || *m_round != *round) {
    inc.problem_only("the minutes are not those of the receipt's session, contest and round");
  }
  std::string error;
  auto leaves = box_leaves(dir / "ballots.jsonl", error);
  if (!leaves) throw UnreadableBundle(error);
  if (minutes->signatures.empty() ||
      !crypto::verify_signature(*minutes, minutes->signatures[0], station)) {
    inc.problem_only("the minutes are not signed by the station");
  }
  if (!root_v || !root_v->is_string() || !size_v || !size_v->is_int64() ||
      !crypto::digest_from_hex(root_v->get_string())) {
    inc.fail("the minutes carry no ballot_box root");
  } else {
    const crypto::Digest root = *crypto::digest_from_hex(root_v->get_string());
    const std::uint64_t size = static_cast<std::uint64_t>(size_v->get_int64());
    auto it = std::lower_bound(leaves->begin(), leaves->end(), leaf);
    if (it == leaves->end() || *it != leaf) {
      inc.fail("ballot " + crypto::to_hex(leaf) + " is not in the published box");
    } else {
      const std::uint64_t index = static_cast<std::uint64_t>(it - leaves->begin());
      const auto path = crypto::inclusion_proof(*leaves, index);
      if (crypto::verify_inclusion(leaf, index, size, path, root)) {
        inc.pass();
        inc.set_note("leaf " + std::to_string(index) + " of " + std::to_string(size) +
                     ", audit path of " + std::to_string(path.size()) + " hashes");
      } else {
        inc.fail("the inclusion proof does not verify against the minutes' root " +
                 crypto::to_hex(root));
      }
    }
  }
  report.add(inc.done());
  return report;
}

}  // namespace tallystation::audit::verify
