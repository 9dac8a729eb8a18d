// tallystation-terminal: the reference voting terminal on the command line, over the terminal
// client library (station/client/terminal_client.hpp). Makes the terminal's key, shows the open
// ballot, casts ballots (one, or a batch over one kept-alive connection) with verified receipts,
// and checks receipts against the published ballot box. Usage and examples: docs/terminals.md.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/dsse.hpp"
#include "crypto/keys.hpp"
#include "station/client/station_pin.hpp"
#include "station/client/terminal_client.hpp"

namespace json = boost::json;
namespace crypto = tallystation::crypto;
namespace client = tallystation::station::client;

namespace {

struct Failed : std::runtime_error {
  Failed(std::string code_, const std::string& message)
      : std::runtime_error(message), code(std::move(code_)) {}
  std::string code;
};

[[noreturn]] void fail(const client::TerminalFailure& f) {
  throw Failed(f.code, f.message.empty() ? f.code : f.message);
}

constexpr const char* kDefaultStation = "https://127.0.0.1:8443";

struct Options {
  std::string station, fingerprint, station_keyid, key_file, contest, token, receipt_out, batch,
      receipts_out, out, public_out;
  std::vector<std::string> marks, receipts;
  unsigned timeout_ms = 10000;
  int attempts = 5;
  bool ecdsa = false, as_json = false, quiet = false;
};

client::TerminalOptions terminal_options(const Options& o) {
  if (o.fingerprint.empty()) {
    throw Failed("usage", "--fingerprint: the station's TLS fingerprint, as stationd printed it");
  }
  client::TerminalOptions t;
  client::StationPin pin;
  pin.station = o.station;
  pin.fingerprint = o.fingerprint;
  pin.timeout_ms = o.timeout_ms;
  t.connection = client::pinned_options(pin);
  t.station_keyid = o.station_keyid;
  t.max_attempts = o.attempts;
  return t;
}

// Showing the ballot and checking receipts sign nothing: they work without the terminal's key.
crypto::SecretKey terminal_key(const Options& o, bool signs) {
  if (o.key_file.empty() && !signs) return crypto::SecretKey::generate(crypto::KeyType::ed25519);
  if (o.key_file.empty()) throw Failed("usage", "--key: the terminal's private key file");
  auto key = crypto::load_secret_key(o.key_file);
  if (!key) {
    throw Failed("io", o.key_file + ": not a private key (" +
                           std::string(crypto::to_string(key.error())) + ")");
  }
  return *key;
}

client::TerminalClient make_client(const Options& o, bool signs = true) {
  client::TerminalClient c(terminal_options(o), terminal_key(o, signs));
  c.on_retry = [quiet = o.quiet](int attempt, const client::TerminalFailure& f) {
    if (!quiet)
      std::cerr << "no answer (" << f.message << "); sending again, attempt " << attempt << "\n";
  };
  return c;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out.flush()) throw Failed("io", path + ": cannot be written");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Failed("io", path + ": cannot be read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- Subcommands --------------------------------------------------------------------------

void do_keygen(const Options& o) {
  const auto type = o.ecdsa ? crypto::KeyType::ecdsa_p256 : crypto::KeyType::ed25519;
  auto key = crypto::SecretKey::generate(type);
  if (!crypto::save_secret_key(o.out, key)) throw Failed("io", o.out + ": cannot be written");
  if (!o.public_out.empty() && !crypto::save_public_key(o.public_out, key.public_key())) {
    throw Failed("io", o.public_out + ": cannot be written");
  }
  std::cout << crypto::to_string(type) << " key written to " << o.out
            << (o.public_out.empty() ? "" : ", public key to " + o.public_out)
            << "\nkeyid: " << key.keyid() << "\n";
}

void do_ballot(const Options& o) {
  auto c = make_client(o, false);
  if (auto k = c.station_key(); !k) fail(k.error());
  auto sheet = c.ballot(o.contest);
  if (!sheet) fail(sheet.error());
  if (o.as_json) {
    json::array cands;
    for (const auto& x : sheet->candidates)
      cands.push_back(json::object{{"id", x.id}, {"name", x.name}});
    std::cout << json::serialize(json::object{{"session", sheet->session},
                                              {"contest", sheet->contest},
                                              {"round", sheet->round},
                                              {"title", sheet->title},
                                              {"seats", sheet->seats},
                                              {"alternates", sheet->alternates},
                                              {"candidates", std::move(cands)}})
              << "\n";
    return;
  }
  std::cout << sheet->title << " (" << sheet->contest << ", round " << sheet->round << ")\n"
            << "keep at most " << sheet->seats + sheet->alternates
            << " names; cross out the others\n";
  int n = 0;
  for (const auto& x : sheet->candidates) {
    std::printf("%4d  %-8s %s\n", ++n, x.id.c_str(), x.name.c_str());
  }
}

void do_vote_one(const Options& o) {
  if (o.token.empty())
    throw Failed("usage", "give --token TOKEN (and --mark ID ...), or --batch FILE");
  auto c = make_client(o);
  auto sheet = c.ballot(o.contest);
  if (!sheet) fail(sheet.error());
  auto ballot = c.prepare(*sheet, o.token, o.marks);
  if (!ballot) fail(ballot.error());
  auto receipt = c.submit(*ballot);
  if (!receipt) fail(receipt.error());
  if (!o.receipt_out.empty()) write_file(o.receipt_out, receipt->envelope + "\n");
  if (o.as_json) {
    std::cout << receipt->envelope << "\n";
    return;
  }
  std::cout << "ballot accepted for " << receipt->contest << " round " << receipt->round
            << "; receipt verified: ballot_hash " << receipt->ballot_hash
            << (o.receipt_out.empty() ? "" : ", saved to " + o.receipt_out) << "\n";
}

// Lines "TOKEN [MARK ...]"; blank lines and lines starting with '#' are skipped.
void do_vote_batch(const Options& o) {
  std::ifstream in(o.batch);
  if (!in) throw Failed("io", o.batch + ": cannot be read");
  std::ofstream receipts;
  if (!o.receipts_out.empty()) {
    receipts.open(o.receipts_out, std::ios::binary | std::ios::trunc);
    if (!receipts) throw Failed("io", o.receipts_out + ": cannot be written");
  }
  auto c = make_client(o);
  auto sheet = c.ballot(o.contest);
  if (!sheet) fail(sheet.error());
  const auto start = std::chrono::steady_clock::now();
  std::size_t accepted = 0, refused = 0, retried = 0, line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    std::istringstream words(line);
    std::string token;
    if (!(words >> token) || token.front() == '#') continue;
    std::vector<std::string> marks;
    for (std::string m; words >> m;) marks.push_back(m);
    auto ballot = c.prepare(*sheet, token, marks);
    auto receipt = ballot ? c.submit(*ballot) : client::Outcome<client::Receipt>(ballot.error());
    if (!receipt) {
      ++refused;
      std::cerr << o.batch << ":" << line_no << ": " << receipt.error().code << ": "
                << receipt.error().message << "\n";
      if (receipt.error().code == "pin" || receipt.error().code == "transport") break;
      continue;
    }
    ++accepted;
    if (receipt->attempts > 1) ++retried;
    if (receipts.is_open()) receipts << receipt->envelope << "\n";
  }
  if (receipts.is_open() && !receipts.flush())
    throw Failed("io", o.receipts_out + ": write failed");
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.as_json) {
    std::cout << json::serialize(json::object{{"contest", sheet->contest},
                                              {"round", sheet->round},
                                              {"accepted", accepted},
                                              {"refused", refused},
                                              {"retried", retried},
                                              {"seconds", secs}})
              << "\n";
  } else if (!o.quiet || refused > 0) {
    std::printf(
        "%s round %u: %zu ballots accepted with verified receipts, %zu refused, %zu "
        "retried (%.2f s)\n",
        sheet->contest.c_str(), sheet->round, accepted, refused, retried, secs);
  }
  if (refused > 0) throw Failed("refused", std::to_string(refused) + " ballots were not accepted");
}

// A receipt file holds one envelope, or one per line (vote --batch --receipts-out).
std::vector<std::string> receipt_envelopes(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<std::string> out;
  if (crypto::parse_envelope(text)) {
    out.push_back(text);
    return out;
  }
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) out.push_back(line);
  }
  return out;
}

void do_check_receipt(const Options& o) {
  auto c = make_client(o, false);
  auto key = c.station_key();
  if (!key) fail(key.error());
  std::size_t checked = 0;
  for (const std::string& file : o.receipts) {
    for (const std::string& env : receipt_envelopes(file)) {
      auto receipt = client::verify_receipt(env, *key);
      if (!receipt) throw Failed(receipt.error().code, file + ": " + receipt.error().message);
      auto proof = c.check_receipt(*receipt);
      if (!proof) throw Failed(proof.error().code, file + ": " + proof.error().message);
      ++checked;
      if (!o.quiet) {
        std::cout << "ballot " << receipt->ballot_hash << " is in the ballot box of "
                  << receipt->contest << " round " << receipt->round << " (leaf "
                  << proof->leaf_index << " of " << proof->tree_size << ", root " << proof->root
                  << ", signed in the minutes)\n";
      }
    }
  }
  if (o.quiet)
    std::cout << checked << " receipts checked: every ballot is in its signed ballot box\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "tallystation-terminal: the reference voting terminal: sign ballots, submit them to a "
      "pinned station, verify and keep the receipts, check them against the ballot box "
      "(docs/terminals.md)"};
  cli.require_subcommand(1);
  Options o;
  // The environment fills what the command line leaves out (after parsing: CLI11's envname on
  // options of several subcommands bound to one variable lets the environment override them).
  auto station = [&](CLI::App* s) {
    s->add_option("--station", o.station,
                  "station address, https://HOST:PORT (env TALLY_STATION; default " +
                      std::string(kDefaultStation) + ")");
    s->add_option("--fingerprint", o.fingerprint,
                  "SHA-256 of the station's TLS certificate (hex), as stationd printed it (env "
                  "TALLY_FINGERPRINT)");
    s->add_option("--station-keyid", o.station_keyid,
                  "keyid of the station's signing key, as stationd printed it: receipts must be "
                  "signed by it (env TALLY_STATION_KEYID)");
    s->add_option("--key", o.key_file,
                  "this terminal's private key, PKCS#8 PEM; vote needs it, the others do not "
                  "(env TALLY_TERMINAL_KEY)");
    s->add_option("--timeout-ms", o.timeout_ms, "per request")->capture_default_str();
    s->add_option("--attempts", o.attempts, "sends of one ballot at most (same bytes each time)")
        ->capture_default_str();
    s->add_flag("--json", o.as_json, "print JSON");
    s->add_flag("--quiet", o.quiet, "print only a summary");
  };

  auto* keygen = cli.add_subcommand("keygen", "make this terminal's key pair");
  keygen->add_option("--out", o.out, "private key file to write (mode 0600)")->required();
  keygen->add_option("--public-out", o.public_out, "public key file (goes to the officials)");
  keygen->add_flag("--ecdsa", o.ecdsa, "ECDSA P-256 instead of Ed25519");

  auto* ballot = cli.add_subcommand("ballot", "show the open round's ballot of a contest");
  station(ballot);
  ballot->add_option("--contest", o.contest, "contest id")->required();

  auto* vote = cli.add_subcommand(
      "vote", "cast a ballot (--token, --mark ...) or a batch of them (--batch FILE)");
  station(vote);
  vote->add_option("--contest", o.contest, "contest id")->required();
  vote->add_option("--token", o.token, "the delegate's ballot token");
  vote->add_option("--mark", o.marks,
                   "a candidate id the delegate keeps (repeat; none: all "
                   "crossed out)");
  vote->add_option("--receipt-out", o.receipt_out, "write the verified receipt here");
  vote->add_option("--batch", o.batch,
                   "cast one ballot per line \"TOKEN [MARK ...]\" over one connection");
  vote->add_option("--receipts-out", o.receipts_out,
                   "with --batch: write the receipts here, one envelope per line");

  auto* check = cli.add_subcommand(
      "check-receipt",
      "after the round closed: check receipts against the station-signed ballot box "
      "(RFC 6962 inclusion proof)");
  station(check);
  check->add_option("--receipt", o.receipts, "receipt file (one envelope, or one per line)")
      ->required();

  CLI11_PARSE(cli, argc, argv);
  auto from_env = [](std::string& value, const char* name, const char* fallback = "") {
    if (!value.empty()) return;
    const char* v = std::getenv(name);
    value = v != nullptr ? v : fallback;
  };
  from_env(o.station, "TALLY_STATION", kDefaultStation);
  from_env(o.fingerprint, "TALLY_FINGERPRINT");
  from_env(o.station_keyid, "TALLY_STATION_KEYID");
  from_env(o.key_file, "TALLY_TERMINAL_KEY");
  try {
    if (keygen->parsed()) do_keygen(o);
    if (ballot->parsed()) do_ballot(o);
    if (vote->parsed()) o.batch.empty() ? do_vote_one(o) : do_vote_batch(o);
    if (check->parsed()) do_check_receipt(o);
    return 0;
  } catch (const Failed& e) {
    std::cerr << "tallystation-terminal: " << e.code << ": " << e.what() << "\n";
    return e.code == "usage" ? 2 : 1;
  } catch (const client::PinError& e) {
    std::cerr << "tallystation-terminal: " << e.code << ": " << e.what() << "\n";
    return e.code == "usage" ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "tallystation-terminal: " << e.what() << "\n";
    return 1;
  }
}
