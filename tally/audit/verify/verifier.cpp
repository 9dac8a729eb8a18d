#include "tally/audit/verify/verifier.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "crypto/dsse.hpp"
#include "crypto/json_keys.hpp"
#include "crypto/merkle.hpp"
#include "tally/audit/verify/box_scan.hpp"
#include "tally/audit/verify/round_check.hpp"
#include "tally/audit/verify/tar_bundle.hpp"
#include "tally/congress/congress.hpp"
#include "tally/counter.hpp"

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

// The whole command log, in log order, through the congress rules (docs/congress.md): every
// command must be one the station could have accepted where it stands. At each close_round the
// rules ask for the round's count: the round's files are checked then (scan_round), and its
// minutes against the state the rules reach (finish_round). The first refused command fails
// "command effects" with its rule's code, and the replay stops there.
void replay(const fs::path& bundle, const SessionDef& session, const LogFacts& log,
            const crypto::KeySet& station, const std::set<RoundKey>& rounds,
            const VerifyOptions& options, Report& report) {
  CheckBuilder effects("command effects", "command log");
  congress::State state = congress::initial_state(session.rules);
  congress::Environment env;
  env.keyid_of = [](std::string_view pem) -> std::optional<std::string> {
    auto key = crypto::PublicKey::from_pem(pem);
    if (!key) return std::nullopt;
    return key->keyid();
  };
  std::optional<RoundScan> scan;
  std::optional<RoundJob> job;
  env.count = [&](const tally::Contest& engine) {
    const RoundKey key{engine.id, engine.round};
    job.reset();
    scan.reset();
    if (rounds.count(key) == 0) {  // "rounds present" failed for it: count an empty box
      return tally::Counter(engine).finish();
    }
    job = RoundJob{bundle / "rounds" / key.first / std::to_string(key.second),
                   &session,
                   &log,
                   session.find_contest(key.first),
                   key.second,
                   &station,
                   options.threads,
                   options.require_certified};
    const congress::RoundBallot& ballot =
        *state.contest(key.first).rounds.at(key.second).ballot;
    scan = scan_round(*job, engine, ballot, report);
    return scan->box.result;
  };
  for (const Command& c : log.commands) {
    const std::string at = "commands.jsonl:" + std::to_string(c.index + 1) + " (seq " +
                           std::to_string(c.seq) + ", " + (c.name.empty() ? "?" : c.name) + ")";
    if (!c.parsed) {
      effects.fail(at + ": " + std::string(congress::to_string(congress::Code::malformed_command)) +
                   ": the payload is not a command; the replay stops here");
      break;
    }
    const congress::Decision d = congress::apply(session.rules, state, *c.parsed, c.signer, env);
    if (!d.applied) {
      effects.fail(at + ": " + std::string(congress::to_string(d.refusal.code)) + ": " +
                   d.refusal.message + "; the replay stops here");
      break;
    }
    state = d.applied->state;
    effects.pass();
    if (c.parsed->name == "close_round" && scan) {
      const congress::Effect& e = d.applied->effect;
      const congress::RoundState& r = state.contest(e.contest).rounds.at(e.round);
      const tally::Contest engine = congress::round_contest(
          session.rules, *session.rules.find_contest(e.contest), e.round, r);
      finish_round(*job, *scan, engine, state, report);
    }
  }
  effects.set_note("replayed through the congress rules (docs/congress.md)");
  report.add(effects.done());
}

Report verify_bundle_dir(const fs::path& bundle, const VerifyOptions& options) {
  Report report;
  const SessionDef session = load_session(bundle / "session.json");
  const LogFacts log = read_command_log(bundle, session, report);
  const std::string station_pem = check_keys_file(bundle, session, log, report);
  const crypto::KeySet station = station_keys(station_pem);
  const std::set<RoundKey> rounds = rounds_present(bundle, log, report);

  // The rules refuse a terminal enrolled with the station's key (docs/congress.md).
  SessionDef with_station = session;
  if (auto key = crypto::PublicKey::from_pem(station_pem)) {
    with_station.rules.people_keyids.push_back(key->keyid());
  }
  replay(bundle, with_station, log, station, rounds, options, report);
  return report;
}

Report verify_receipt_dir(const fs::path& receipt_file, const fs::path& bundle) {
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

}  // namespace

// A tar bundle is unpacked for the call and removed after it; a file named in an error is named
// as the archive's member.
Report verify_bundle(const fs::path& bundle, const VerifyOptions& options) {
  const BundleDir dir(bundle);
  try {
    return verify_bundle_dir(dir.path(), options);
  } catch (const UnreadableBundle& e) {
    throw UnreadableBundle(dir.in_archive(e.what()));
  }
}

Report verify_receipt(const fs::path& receipt, const fs::path& bundle) {
  const BundleDir dir(bundle);
  try {
    return verify_receipt_dir(receipt, dir.path());
  } catch (const UnreadableBundle& e) {
    throw UnreadableBundle(dir.in_archive(e.what()));
  }
}

}  // namespace tallystation::audit::verify
