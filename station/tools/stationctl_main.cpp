// stationctl: the officials' and counting-committee members' tool. Every mutating action is a
// command signed with the official's key (docs/protocol.md); countersignatures are signed with
// the member's key; reads are shown as tables or, with --json, as the station's JSON.
// Usage: stationctl --help, stationctl SUBCOMMAND --help; the congress step by step:
// docs/operations.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "crypto/merkle.hpp"
#include "station/app/station_app.hpp"
#include "station/ctl/audit_bundle.hpp"
#include "station/ctl/station_link.hpp"
#include "station/ctl/tables.hpp"
#include "station/tools/stationctl_hall.hpp"
#include "station/tools/stationctl_print.hpp"

namespace json = boost::json;
namespace ts = tallystation::station;
namespace ctl = tallystation::station::ctl;
namespace crypto = tallystation::crypto;
namespace tally = tallystation::tally;

namespace {

struct Global {
  ctl::LinkOptions link;
  std::string key_file;
  std::string official;
  bool as_json = false;
};

// An option that falls back to an environment variable. CLI11's envname() is not used: several
// subcommands bind the same variable, and CLI11 also fills the options of subcommands that were
// not called from the environment, which would overwrite what the user typed on the command line
// (`countersign --key m1.key` with TALLY_KEY set would sign with TALLY_KEY). The fallback is
// applied after parsing, only where the subcommand called did not get the option.
struct EnvBacked {
  CLI::Option* option;
  const char* env;
  std::string* target;
};

// Applies the environment to each target that no parsed option of it set.
void apply_environment(const std::vector<EnvBacked>& all) {
  for (const auto& e : all) {
    bool given = false;
    for (const auto& other : all) {
      if (other.target == e.target && other.option->count() > 0) given = true;
    }
    if (given) continue;
    if (const char* v = std::getenv(e.env); v != nullptr && *v != '\0') *e.target = v;
  }
}

// What one subcommand needs, filled by CLI11.
struct Args {
  std::string data, session, terminal, public_key, contest, out, ballot_hash, receipt, name;
  std::string args_json;
  bool summary = false;  // roll: the figures without the roll itself
  std::string lang;      // the language of the tables and reports; empty: the session's
  std::vector<std::string> tls_names, candidates, nominations;
  // record_roll: ids present, ID:CATEGORY absent, DELEGATE:ALTERNATE replacements.
  std::vector<std::string> present_ids, absences, replacements;
  std::string candidate, rule, body, decision, date;  // record_exception
  std::uint32_t round = 0, present = 0, count = 0;
  std::optional<std::uint32_t> seats, alternates, round_opt;
};

void print(const Global& g, const json::value& v, const std::string& human) {
  if (g.as_json) {
    std::cout << json::serialize(v) << "\n";
  } else {
    std::cout << human;
    if (!human.empty() && human.back() != '\n') std::cout << "\n";
  }
}

std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw ctl::CtlError("io", path + ": cannot be read");
  std::string out;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}

struct Official {
  crypto::SecretKey key;
  std::string id;
};

Official official(const Global& g) {
  if (g.key_file.empty() || g.official.empty()) {
    throw ctl::CtlError("usage",
                        "commands are signed: give --key OFFICIAL.key and --official ID (or "
                        "TALLY_KEY and TALLY_OFFICIAL)");
  }
  return Official{ctl::load_key(g.key_file), g.official};
}

json::object run_command(const Global& g, const std::string& name, const json::object& args) {
  Official o = official(g);
  ctl::StationLink link(g.link);
  return link.command(o.key, o.id, name, args);
}

std::string log_line(const json::object& r) {
  return "(command log entry " + json::serialize(r.at("log_index")) + ", seq " +
         json::serialize(r.at("seq")) + ")";
}

// ---- Subcommands --------------------------------------------------------------------------

void do_init(const Global& g, const Args& a) {
  ts::StationOptions o;
  o.data_dir = a.data;
  o.session_file = a.session;
  o.worker_threads = 1;
  if (!a.tls_names.empty()) o.tls_names = a.tls_names;
  auto app = ts::StationApp::open(o);
  if (!app) throw ctl::CtlError("init", app.error().message);
  json::object out{{"data", a.data},
                   {"session", (*app)->session().id},
                   {"config_hash", (*app)->config_hash()},
                   {"keyid", (*app)->station_keyid()},
                   {"tls_fingerprint", (*app)->tls_fingerprint()},
                   {"first_run", (*app)->first_run()}};
  (*app)->drain();
  print(g, out,
        std::string((*app)->first_run() ? "initialised " : "already initialised ") + a.data +
            " for session " + (*app)->session().id + "\nconfig_hash:     " + (*app)->config_hash() +
            "\nstation keyid:   " + (*app)->station_keyid() + "\ntls fingerprint: " +
            (*app)->tls_fingerprint() + "\nstart it with: stationd --data " + a.data + "\n");
}

void do_export(const Global& g, const Args& a) {
  auto summary = ctl::export_bundle(a.data, a.out);
  if (!summary) throw ctl::CtlError("export", summary.error().message);
  json::object out{{"bundle", a.out},
                   {"commands", summary->commands},
                   {"rounds", summary->rounds},
                   {"ballots", summary->ballots}};
  print(g, out,
        "audit bundle written to " + a.out + ": " + std::to_string(summary->commands) +
            " commands, " + std::to_string(summary->rounds) + " closed rounds, " +
            std::to_string(summary->ballots) + " ballots");
}

void do_enrol(const Global& g, const Args& a) {
  json::object args{{"terminal", a.terminal}};
  if (!a.public_key.empty()) args["public_key"] = read_file(a.public_key);
  auto r = run_command(g, "enrol_terminal", args);
  const json::object& res = r.at("result").as_object();
  print(g, r,
        "terminal " + a.terminal + " enrolled, keyid " + std::string(res.at("keyid").as_string()) +
            " " + log_line(r));
}

void do_revoke(const Global& g, const Args& a) {
  auto r = run_command(g, "revoke_terminal", {{"terminal", a.terminal}});
  print(g, r, "terminal " + a.terminal + " revoked " + log_line(r));
}

void do_attendance(const Global& g, const Args& a) {
  auto r = run_command(g, "record_attendance", {{"present", a.present}});
  print(g, r,
        "attendance recorded: " + std::to_string(a.present) + " present of " +
            json::serialize(r.at("result").at("convened")) + " convened " + log_line(r));
}

// "A:B" split at its first colon, both parts non-empty; else a usage error naming the option.
std::pair<std::string, std::string> pair_arg(const std::string& option, const std::string& v,
                                             const char* form) {
  const auto colon = v.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size()) {
    throw ctl::CtlError("usage", option + ": expected " + form + ", got \"" + v + "\"");
  }
  return {v.substr(0, colon), v.substr(colon + 1)};
}

// The language of the text shown: --lang if given, else the session's (from `status` if the
// caller has it, else from GET /v1/status). With --json nothing is worded and nothing is fetched.
tally::Language language_of(const Global& g, const Args& a, ctl::StationLink& link,
                            const json::value* status = nullptr) {
  if (!a.lang.empty()) return tally::parse_language(a.lang).value_or(tally::Language::en);
  if (g.as_json) return tally::Language::en;
  if (status != nullptr) return ctl::session_language(status->as_object());
  return ctl::session_language(link.get_json("/v1/status").as_object());
}

// GET /v1/people, and the language its tables are shown in.
std::pair<json::object, tally::Language> people_of(const Global& g, const Args& a) {
  ctl::StationLink link(g.link);
  json::object people = link.get_json("/v1/people").as_object();
  return {std::move(people), language_of(g, a, link)};
}

void do_roll(const Global& g, const Args& a) {
  const bool records = !a.present_ids.empty() || !a.absences.empty() || !a.replacements.empty();
  if (records && a.summary) {
    throw ctl::CtlError("usage",
                        "--summary shows the roll; it does not go with --present, "
                        "--absent or --replace");
  }
  if (!records) {
    auto [people, language] = people_of(g, a);
    print(g, people, ctl::render_roll(people, a.summary, language));
    return;
  }
  json::object args;
  if (!a.present_ids.empty()) {
    json::array ids;
    for (const std::string& id : a.present_ids) ids.emplace_back(id);
    args["present"] = std::move(ids);
  }
  if (!a.absences.empty()) {
    json::array absent;
    for (const std::string& v : a.absences) {
      auto [person, category] = pair_arg("--absent", v, "PERSON:CATEGORY");
      absent.push_back(json::object{{"person", person}, {"category", category}});
    }
    args["absent"] = std::move(absent);
  }
  if (!a.replacements.empty()) {
    json::array repl;
    for (const std::string& v : a.replacements) {
      auto [delegate, alternate] = pair_arg("--replace", v, "DELEGATE:ALTERNATE");
      repl.push_back(json::object{{"delegate", delegate}, {"alternate", alternate}});
    }
    args["replacements"] = std::move(repl);
  }
  auto r = run_command(g, "record_roll", args);
  const json::object& res = r.at("result").as_object();
  std::string absent;
  for (const auto& [category, n] : res.at("absent").as_object()) {
    if (n.to_number<std::uint64_t>() > 0) {
      absent += (absent.empty() ? "" : ", ") + json::serialize(n) + " " + std::string(category);
    }
  }
  const json::object& q = res.at("quorum").as_object();
  print(g, r,
        "roll recorded: " + json::serialize(res.at("present")) + " present of " +
            json::serialize(res.at("convened")) + " convened" +
            (absent.empty() ? "" : " (absent: " + absent + ")") + ", " +
            json::serialize(res.at("excluded")) + " excluded from the basis; quorum " +
            json::serialize(q.at("required")) + " of " + json::serialize(q.at("base")) +
            (q.at("held").as_bool() ? " held " : " NOT held ") + log_line(r));
}

void do_exception(const Global& g, const Args& a) {
  auto r = run_command(g, "record_exception",
                       {{"contest", a.contest},
                        {"candidate", a.candidate},
                        {"rule", a.rule},
                        {"body", a.body},
                        {"decision", a.decision},
                        {"date", a.date}});
  print(g, r,
        "exception recorded: " + a.candidate + " may stand in " + a.contest + " over rule " +
            a.rule + " (" + a.body + ", decision " + a.decision + " of " + a.date + ") " +
            log_line(r));
}

void do_eligibility(const Global& g, const Args& a) {
  auto [people, language] = people_of(g, a);
  print(g, people, ctl::render_eligibility(people, a.contest, language));
}

void do_composition(const Global& g, const Args& a) {
  auto [people, language] = people_of(g, a);
  print(g, people, ctl::render_composition(people, a.contest, language));
}

void do_issue_tokens(const Global& g, const Args& a) {
  // The file is created first (never overwritten, readable by its owner only), so that tokens
  // are not issued that could not be written down.
  const int fd = ::open(a.out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw ctl::CtlError("io",
                        a.out + ": cannot create (it must not exist yet): " + std::strerror(errno));
  }
  json::object r;
  try {
    r = run_command(g, "issue_tokens",
                    {{"contest", a.contest}, {"round", a.round}, {"count", a.count}});
  } catch (...) {
    ::close(fd);
    std::filesystem::remove(a.out);
    throw;
  }
  std::string lines;
  json::object& res = r.at("result").as_object();
  for (const json::value& t : res.at("tokens").as_array()) {
    lines += std::string(t.as_string()) + "\n";
  }
  const bool ok = ::write(fd, lines.data(), lines.size()) == static_cast<ssize_t>(lines.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw ctl::CtlError("io", a.out + ": writing the tokens failed; they are issued");
  res.erase("tokens");  // never on stdout: only in the file
  res["file"] = a.out;
  print(g, r,
        std::to_string(a.count) + " tokens for " + a.contest + " round " + std::to_string(a.round) +
            " written to " + a.out + " (one per line; " + json::serialize(res.at("tokens_issued")) +
            " issued for the round) " + log_line(r));
}

void do_open_round(const Global& g, const Args& a) {
  json::object args{{"contest", a.contest}, {"round", a.round}};
  if (!a.candidates.empty()) {
    json::array ids;
    for (const std::string& c : a.candidates) ids.emplace_back(c);
    args["candidates"] = std::move(ids);
  }
  if (a.seats) args["seats"] = *a.seats;
  if (a.alternates) args["alternates"] = *a.alternates;
  if (!a.nominations.empty()) {
    json::array noms;
    for (const std::string& n : a.nominations) {
      const auto eq = n.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == n.size()) {
        throw ctl::CtlError("usage", "--nominate: expected ID=NAME, got " + n);
      }
      noms.push_back(json::object{{"id", n.substr(0, eq)}, {"name", n.substr(eq + 1)}});
    }
    args["new_nominations"] = std::move(noms);
  }
  auto r = run_command(g, "open_round", args);
  const json::object& res = r.at("result").as_object();
  std::string human = a.contest + " round " + std::to_string(a.round) + " is open " + log_line(r);
  if (const json::value* b = res.if_contains("ballot"); b && b->is_object()) {
    human += "\nseats " + json::serialize(b->at("seats")) + ", candidates:";
    for (const json::value& c : b->at("candidates").as_array()) {
      human += " " + std::string(c.at("id").as_string());
    }
  }
  print(g, r, human);
}

void do_close_round(const Global& g, const Args& a) {
  auto r = run_command(g, "close_round", {{"contest", a.contest}, {"round", a.round}});
  const json::object& res = r.at("result").as_object();
  std::string human = a.contest + " round " + std::to_string(a.round) + " is closed " +
                      log_line(r) +
                      "\nballot box: " + json::serialize(res.at("ballot_box").at("size")) +
                      " ballots, root " + std::string(res.at("ballot_box").at("root").as_string());
  if (const json::value* m = res.if_contains("minutes"); m && m->is_object()) {
    human += "\noutcome: " + std::string(m->at("outcome").as_string()) +
             "; see: stationctl results --contest " + a.contest + " --round " +
             std::to_string(a.round);
  }
  print(g, r, human);
}

void do_conclude(const Global& g, const Args& a) {
  auto r = run_command(g, "conclude_contest", {{"contest", a.contest}});
  const json::object& res = r.at("result").as_object();
  print(g, r,
        "contest " + a.contest + " concluded by the congress's decision; elected: " +
            json::serialize(res.at("elected")) +
            ", seats unfilled: " + json::serialize(res.at("seats_unfilled")) + " " + log_line(r));
}

void do_raw_command(const Global& g, const Args& a) {
  boost::system::error_code ec;
  json::value args = json::parse(a.args_json, ec);
  if (ec || !args.is_object()) throw ctl::CtlError("usage", "--args: must be a JSON object");
  auto r = run_command(g, a.name, args.as_object());
  print(g, r, json::serialize(r));
}

void do_status(const Global& g, const Args& a) {
  ctl::StationLink link(g.link);
  json::value status = link.get_json("/v1/status");
  print(g, status, ctl::render_status(status.as_object(), language_of(g, a, link, &status)));
}

void do_results(const Global& g, const Args& a) {
  ctl::StationLink link(g.link);
  std::vector<std::uint32_t> rounds;
  std::optional<tally::Language> language;
  if (a.round_opt) {
    rounds.push_back(*a.round_opt);
  } else {
    json::value status = link.get_json("/v1/status");
    language = language_of(g, a, link, &status);
    for (const json::value& c : status.at("contests").as_array()) {
      if (c.at("id").as_string() != a.contest) continue;
      for (const json::value& r : c.at("rounds").as_array()) {
        if (r.at("state").as_string() == "closed") {
          rounds.push_back(r.at("round").to_number<std::uint32_t>());
        }
      }
    }
    if (rounds.empty())
      throw ctl::CtlError("no_result", "contest " + a.contest + " has no closed round");
  }
  if (!language) language = language_of(g, a, link);
  json::array all;
  std::string human;
  for (std::uint32_t n : rounds) {
    auto m = link.minutes(a.contest, n);
    all.push_back(json::object{{"payload", m.payload}, {"certification", m.certification}});
    human +=
        (human.empty() ? "" : "\n") + ctl::render_minutes(m.payload, m.certification, *language);
  }
  print(g, a.round_opt ? all.at(0) : json::value(all), human);
}

void do_countersign(const Global& g, const Args& a) {
  if (g.key_file.empty()) throw ctl::CtlError("usage", "--key MEMBER.key: the member's own key");
  crypto::SecretKey key = ctl::load_key(g.key_file);
  ctl::StationLink link(g.link);
  const tally::Language language = language_of(g, a, link);  // before signing, not after
  auto m = link.minutes(a.contest, a.round);
  // The member signs the bytes the station signed, exactly as stored (CONTRACT.md section 1).
  const std::string sig = key.sign(crypto::pae(m.envelope.payload_type, m.envelope.payload));
  const std::string body =
      json::serialize(json::object{{"keyid", key.keyid()}, {"sig", crypto::base64_encode(sig)}});
  json::value r = link.post_json(
      "/v1/results/" + a.contest + "/" + std::to_string(a.round) + "/signatures", body);
  json::object certification;
  if (const json::value* c = r.as_object().if_contains("certification"); c && c->is_object()) {
    certification = c->as_object();
  }
  print(g, r, ctl::render_countersigned(m.payload, key.keyid(), certification, language));
}

void do_proof(const Global& g, const Args& a) {
  ctl::StationLink link(g.link);
  std::string contest = a.contest, hash = a.ballot_hash;
  std::uint32_t round = a.round_opt.value_or(0);
  if (!a.receipt.empty()) {
    auto env = crypto::parse_envelope(read_file(a.receipt));
    if (!env) throw ctl::CtlError("usage", a.receipt + ": not a DSSE envelope");
    crypto::KeySet keys;
    keys.add(link.station_key());
    if (!crypto::verify_envelope(*env, crypto::payload_type::kReceipt, keys)) {
      throw ctl::CtlError("bad_signature", a.receipt + ": not a receipt signed by this station");
    }
    json::object r = json::parse(env->payload).as_object();
    contest = std::string(r.at("contest").as_string());
    round = r.at("round").to_number<std::uint32_t>();
    hash = std::string(r.at("ballot_hash").as_string());
  }
  if (contest.empty() || round == 0 || hash.empty()) {
    throw ctl::CtlError("usage", "give --receipt FILE, or --contest, --round and --ballot-hash");
  }
  json::value proof = link.get_json("/v1/proof?contest=" + contest +
                                    "&round=" + std::to_string(round) + "&ballot_hash=" + hash);
  auto m = link.minutes(contest, round);
  const std::string root(m.payload.at("ballot_box").at("root").as_string());
  std::vector<crypto::Digest> path;
  for (const json::value& h : proof.at("audit_path").as_array()) {
    path.push_back(crypto::digest_from_hex(h.as_string()).value());
  }
  const bool ok = proof.at("root").as_string() == root &&
                  crypto::verify_inclusion(crypto::digest_from_hex(hash).value(),
                                           proof.at("leaf_index").to_number<std::uint64_t>(),
                                           proof.at("tree_size").to_number<std::uint64_t>(), path,
                                           crypto::digest_from_hex(root).value());
  json::object out{{"proof", proof}, {"minutes_root", root}, {"verified", ok}};
  print(g, out,
        ok ? "the ballot " + hash + " is in the ballot box of " + contest + " round " +
                 std::to_string(round) + " (root " + root + ", signed in the minutes)"
           : "the proof does NOT verify against the minutes' ballot box root");
  if (!ok) throw ctl::CtlError("bad_proof", "inclusion proof does not verify");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "stationctl: run a tallystation congress: terminals, attendance or the roll, eligibility, "
      "tokens, rounds, minutes and their countersignatures, composition (docs/operations.md)"};
  cli.require_subcommand(1);
  Global g;
  Args a;
  std::vector<EnvBacked> env_backed;
  auto global = [&](CLI::App* sub, bool needs_station) {
    if (needs_station) {
      env_backed.push_back(
          {sub->add_option("--station", g.link.station,
                           "station address, https://HOST:PORT (or $TALLY_STATION)"),
           "TALLY_STATION", &g.link.station});
      env_backed.back().option->capture_default_str();
      env_backed.push_back({sub->add_option("--fingerprint", g.link.fingerprint,
                                            "SHA-256 of the station's TLS certificate (hex), as "
                                            "stationd printed it (or $TALLY_FINGERPRINT)"),
                            "TALLY_FINGERPRINT", &g.link.fingerprint});
      env_backed.push_back(
          {sub->add_option("--cacert", g.link.cacert,
                           "or: the station's certificate file (tls.crt) (or $TALLY_CACERT)"),
           "TALLY_CACERT", &g.link.cacert});
      env_backed.push_back(
          {sub->add_option(
               "--station-keyid", g.link.station_keyid,
               "refuse a station whose signing key has another keyid (or $TALLY_STATION_KEYID)"),
           "TALLY_STATION_KEYID", &g.link.station_keyid});
    }
    sub->add_flag("--json", g.as_json, "print the station's JSON instead of text");
  };
  auto signer = [&](CLI::App* sub) {
    env_backed.push_back(
        {sub->add_option("--key", g.key_file,
                         "the official's private key (PKCS#8 PEM) (or $TALLY_KEY)"),
         "TALLY_KEY", &g.key_file});
    env_backed.push_back({sub->add_option("--official", g.official,
                                          "the official's id in the session (or $TALLY_OFFICIAL)"),
                          "TALLY_OFFICIAL", &g.official});
  };
  std::vector<std::pair<CLI::App*, std::function<void(const Global&, const Args&)>>> subs;
  auto sub = [&](const char* name, const char* help, bool station, bool signs,
                 std::function<void(const Global&, const Args&)> fn) {
    CLI::App* s = cli.add_subcommand(name, help);
    global(s, station);
    if (signs) signer(s);
    subs.emplace_back(s, std::move(fn));
    return s;
  };

  auto* init = sub("init",
                   "initialise a station's data directory from a session definition "
                   "(keys, certificate, database) and print what to pin",
                   false, false, do_init);
  init->add_option("--data", a.data, "data directory to create")->required();
  init->add_option("--session", a.session, "session definition file")->required();
  init->add_option("--tls-name", a.tls_names, "subjectAltName for the TLS certificate (repeat)");

  auto* bundle = sub("export",
                     "export the audit bundle (session, keys, command log, closed rounds' ballot "
                     "boxes and minutes) from the station's data directory",
                     false, false, do_export);
  bundle->add_option("--data", a.data, "the station's data directory")->required();
  bundle->add_option("--out", a.out, "bundle directory to create (must not exist)")->required();

  auto* enrol = sub("enrol", "enrol a terminal (command enrol_terminal)", true, true, do_enrol);
  enrol->add_option("--terminal", a.terminal, "terminal id")->required();
  enrol->add_option("--public-key", a.public_key,
                    "PEM public key file (for a terminal the session does not list)");
  auto* revoke =
      sub("revoke", "revoke a terminal, for good (command revoke_terminal)", true, true, do_revoke);
  revoke->add_option("--terminal", a.terminal, "terminal id")->required();
  auto* att = sub("attendance", "record how many delegates are present (record_attendance)", true,
                  true, do_attendance);
  att->add_option("--present", a.present, "delegates present")->required();
  auto* roll = sub("roll",
                   "with a register of people: show the roll and the attendance figures; with "
                   "--present, --absent or --replace, record them (record_roll)",
                   true, true, do_roll);
  roll->add_option("--present", a.present_ids, "people present, ID[,ID..] (repeat)")
      ->delimiter(',');
  roll->add_option("--absent", a.absences,
                   "someone absent, PERSON:CATEGORY (repeat); categories: absent, "
                   "absent_throughout (delegates); absent, temporary_transfer, exempted, "
                   "suspended_or_prosecuted, absent_with_accepted_reason (members)");
  roll->add_option("--replace", a.replacements,
                   "an alternate delegate takes a delegate's place, DELEGATE:ALTERNATE (repeat)");
  roll->add_flag("--summary", a.summary, "show the figures only, not the roll place by place");
  auto* exc = sub("exception",
                  "record an exception to an age limit approved by the higher body, so that the "
                  "candidate may stand (record_exception)",
                  true, true, do_exception);
  exc->add_option("--contest", a.contest, "contest id")->required();
  exc->add_option("--candidate", a.candidate, "the candidate's person id")->required();
  exc->add_option("--rule", a.rule, "the eligibility rule's id")->required();
  exc->add_option("--body", a.body, "the approving body, as its decision names it")->required();
  exc->add_option("--decision", a.decision, "the decision's number")->required();
  exc->add_option("--date", a.date, "the decision's date, YYYY-MM-DD")->required();
  auto* elig = sub("eligibility",
                   "show each candidate against the contest's age limits: age, limit, standing, "
                   "eligible, and the reason or the exception",
                   true, false, do_eligibility);
  elig->add_option("--contest", a.contest, "one contest (default: every contest)");
  auto* comp = sub("composition",
                   "show the composition of those elected (re-elected, first time, women, under "
                   "40, ethnic minorities, non-local, mean age) and the personnel plan",
                   true, false, do_composition);
  comp->add_option("--contest", a.contest, "one contest (default: every contest)");
  auto* tokens = sub("issue-tokens",
                     "issue ballot tokens for a contest round and write them to a file, one per "
                     "line, for printing on ballot slips (issue_tokens)",
                     true, true, do_issue_tokens);
  tokens->add_option("--contest", a.contest, "contest id")->required();
  tokens->add_option("--round", a.round, "round number")->required();
  tokens->add_option("--count", a.count, "how many (1..10000)")->required();
  tokens->add_option("--out", a.out, "file to create (must not exist)")->required();
  auto* open = sub("open-round",
                   "open a contest round; rounds after the first take the list and places the "
                   "last minutes allow (open_round)",
                   true, true, do_open_round);
  open->add_option("--contest", a.contest, "contest id")->required();
  open->add_option("--round", a.round, "round number")->required();
  open->add_option("--candidates", a.candidates,
                   "candidate ids standing (run-off, further round, elect-from contest)")
      ->delimiter(',');
  open->add_option("--seats", a.seats, "seats to fill (default: the places left)");
  open->add_option("--alternates", a.alternates, "alternate places to fill");
  open->add_option("--nominate", a.nominations,
                   "a new nomination ID=NAME for a further round (repeat)");
  auto* close = sub("close-round",
                    "close the open round: fixes the ballot box, counts it and signs the minutes "
                    "(close_round)",
                    true, true, do_close_round);
  close->add_option("--contest", a.contest, "contest id")->required();
  close->add_option("--round", a.round, "round number")->required();
  auto* conclude = sub("conclude",
                       "record the congress's decision to hold no further round for a contest "
                       "with seats unfilled (conclude_contest)",
                       true, true, do_conclude);
  conclude->add_option("--contest", a.contest, "contest id")->required();
  auto* counter =
      sub("countersign", "sign a round's minutes as a counting-committee member (your own key)",
          true, false, do_countersign);
  env_backed.push_back(
      {counter->add_option("--key", g.key_file,
                           "the member's private key (PKCS#8 PEM) (or $TALLY_KEY)"),
       "TALLY_KEY", &g.key_file});
  counter->add_option("--contest", a.contest, "contest id")->required();
  counter->add_option("--round", a.round, "round number")->required();
  auto* status = sub("status", "show the session, terminals, rounds, minutes and the command log",
                     true, false, do_status);
  auto* results = sub("results", "show the signed minutes of a contest's closed rounds", true,
                      false, do_results);
  results->add_option("--contest", a.contest, "contest id")->required();
  results->add_option("--round", a.round_opt, "one round (default: every closed round)");
  // The text shown, not the --json output (codes, in no language).
  for (CLI::App* s : {roll, elig, comp, counter, status, results}) {
    s->add_option("--lang", a.lang,
                  "language of the text: en (English) or vi (tiếng Việt); default: the "
                  "session's language")
        ->check(CLI::IsMember({"en", "vi"}));
  }
  auto* proof = sub("proof",
                    "check that a ballot is in a closed round's ballot box (inclusion proof "
                    "against the signed minutes)",
                    true, false, do_proof);
  proof->add_option("--receipt", a.receipt, "the receipt envelope file the terminal gave");
  proof->add_option("--contest", a.contest, "contest id");
  proof->add_option("--round", a.round_opt, "round number");
  proof->add_option("--ballot-hash", a.ballot_hash, "the receipt's ballot_hash");
  auto* raw = sub("command", "send any command (for scripts): --name and --args JSON", true, true,
                  do_raw_command);
  raw->add_option("--name", a.name, "command name")->required();
  raw->add_option("--args", a.args_json, "arguments, a JSON object")->required();

  ctl::add_print_subcommands(
      [&](const std::string& name, const std::string& help, ctl::LinkAction run) {
        return sub(name.c_str(), help.c_str(), true, false,
                   [run](const Global& gl, const Args&) { run(gl.link, gl.as_json); });
      });

  ctl::add_hall_subcommands([&](const std::string& name, const std::string& help, bool signs,
                                ctl::HallAction run) {
    return sub(name.c_str(), help.c_str(), true, signs, [run](const Global& gl, const Args&) {
      run(gl.link, ctl::Signer{gl.key_file, gl.official});
    });
  });

  CLI11_PARSE(cli, argc, argv);
  apply_environment(env_backed);
  for (auto& [s, fn] : subs) {
    if (!s->parsed()) continue;
    try {
      fn(g, a);
      return 0;
    } catch (const ctl::CtlError& e) {
      if (g.as_json) {
        std::cout << json::serialize(json::object{{"error", e.code}, {"message", e.what()}})
                  << "\n";
      }
      std::cerr << "stationctl " << s->get_name() << ": " << e.code << ": " << e.what() << "\n";
      return e.code == "usage" ? 2 : 1;
    } catch (const std::exception& e) {
      std::cerr << "stationctl " << s->get_name() << ": " << e.what() << "\n";
      return 1;
    }
  }
  return 2;
}
