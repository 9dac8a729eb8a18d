#include "station/ctl/audit_bundle.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <iterator>

#include "crypto/keys.hpp"
#include "station/app/data_dir.hpp"
#include "station/config/session.hpp"
#include "station/store/sqlite_store.hpp"

namespace tallystation::station::ctl {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

Status write(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return make_error(Errc::io_error, p.string() + ": cannot be written");
  return {};
}

json::object person(const std::string& id, const crypto::PublicKey& key) {
  return json::object{{"id", id}, {"keyid", key.keyid()}, {"public_key", key.pem()}};
}

}  // namespace

Result<BundleSummary> export_bundle(const fs::path& data_dir, const fs::path& out) {
  const DataDirPaths paths{data_dir};
  if (fs::exists(out)) return make_error(Errc::io_error, out.string() + ": already exists");
  if (!fs::exists(paths.database())) {
    return make_error(Errc::io_error, paths.database().string() + ": no station database");
  }
  auto session = load_session_file(paths.session());
  if (!session) return session.error();
  auto station_key = crypto::load_secret_key(paths.signing_key());
  if (!station_key)
    return make_error(Errc::io_error, paths.signing_key().string() + ": unreadable");
  auto store = SqliteStore::open(paths.database());
  if (!store) return store.error();

  std::error_code ec;
  fs::create_directories(out / "rounds", ec);
  if (ec) return make_error(Errc::io_error, out.string() + ": " + ec.message());
  BundleSummary summary;

  std::ifstream in(paths.session(), std::ios::binary);
  const std::string session_bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (auto s = write(out / "session.json", session_bytes); !s) return s.error();

  // Every key that could sign anything, with its role.
  json::array officials, committee, terminals;
  for (const Person& p : session->officials) officials.push_back(person(p.id, p.public_key));
  for (const Person& p : session->committee) committee.push_back(person(p.id, p.public_key));
  auto rows = (*store)->terminals();
  if (!rows) return rows.error();
  for (const TerminalRow& t : *rows) {
    terminals.push_back(json::object{{"id", t.id},
                                     {"keyid", t.keyid},
                                     {"public_key", t.public_key_pem},
                                     {"state", t.revoked ? "revoked" : "enrolled"}});
  }
  const crypto::PublicKey& sk = station_key->public_key();
  json::object keys{{"station", json::object{{"keyid", sk.keyid()}, {"public_key", sk.pem()}}},
                    {"officials", std::move(officials)},
                    {"counting_committee", std::move(committee)},
                    {"terminals", std::move(terminals)}};
  if (auto s = write(out / "keys.json", json::serialize(keys) + "\n"); !s) return s.error();

  // The command log, in log order; its head for the chain check (docs/storage.md).
  auto commands = (*store)->commands();
  if (!commands) return commands.error();
  std::string log;
  std::string head = session->config_hash;
  for (const CommandRow& c : *commands) {
    log += c.envelope + "\n";
    head = crypto::to_hex(c.entry_hash);
  }
  summary.commands = commands->size();
  if (auto s = write(out / "commands.jsonl", log); !s) return s.error();
  if (auto s =
          write(out / "command_log.json",
                json::serialize(json::object{{"size", commands->size()}, {"head", head}}) + "\n");
      !s) {
    return s.error();
  }

  // Each closed round: its box (envelopes sorted by leaf hash) and its signed minutes.
  auto rounds = (*store)->rounds();
  if (!rounds) return rounds.error();
  for (const RoundRow& r : *rounds) {
    if (r.phase != RoundPhase::closed) continue;
    const fs::path dir = out / "rounds" / r.contest / std::to_string(r.round);
    fs::create_directories(dir, ec);
    if (ec) return make_error(Errc::io_error, dir.string() + ": " + ec.message());
    auto ballots = (*store)->ballots(r.contest, r.round);
    if (!ballots) return ballots.error();
    std::string box;
    for (const BallotRow& b : *ballots) box += b.envelope + "\n";
    if (auto s = write(dir / "ballots.jsonl", box); !s) return s.error();
    // The round's issued tokens as sorted hashes, one lowercase hex line each (docs/audit.md).
    auto tokens = (*store)->token_hashes(r.contest, r.round);
    if (!tokens) return tokens.error();
    std::string token_lines;
    token_lines.reserve(tokens->size() * 65);
    for (const crypto::Digest& h : *tokens) token_lines += crypto::to_hex(h) + "\n";
    if (auto s = write(dir / "tokens.txt", token_lines); !s) return s.error();
    auto minutes = (*store)->get_meta("minutes:" + r.contest + ":" + std::to_string(r.round));
    if (!minutes) return minutes.error();
    if (*minutes) {
      if (auto s = write(dir / "minutes.json", **minutes + "\n"); !s) return s.error();
    }
    ++summary.rounds;
    summary.ballots += ballots->size();
  }
  return summary;
}

}  // namespace tallystation::station::ctl
