// A small congress through the real stationd and the real stationctl, as child processes:
// a committee contest whose tie at the last seats goes to a run-off, a seat left open by the
// congress's decision, the secretary elected directly from the elected committee, and the minutes
// certified by countersignatures. Every number is checked against the counts worked out by hand
// in the comments. The refusals officials meet are checked on the way, and the minutes' station
// signature is verified with `openssl pkeyutl`, outside the project's code.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core_fixture.hpp"
#include "crypto/dsse.hpp"
#include "crypto/merkle.hpp"
#include "net_daemon.hpp"
#include "station/app/messages.hpp"
#include "station/client/https_client.hpp"
#include "tally/audit/verify/verifier.hpp"

#ifndef STATIOND_PATH
#error "STATIOND_PATH must name the stationd binary"
#endif
#ifndef STATIONCTL_PATH
#error "STATIONCTL_PATH must name the stationctl binary"
#endif
#ifndef TALLY_AUDIT_PATH
#error "TALLY_AUDIT_PATH must name the tally-audit binary"
#endif

extern char** environ;

namespace tallystation::station::client {
// For Catch's messages about results.
inline std::ostream& operator<<(std::ostream& os, const Response& r) {
  return os << r.status << " " << r.body;
}
}  // namespace tallystation::station::client

using namespace tallystation;
using namespace tallystation::station;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

struct Run {
  int exit = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a program with arguments (no shell), capturing stdout and stderr.
Run run(const fs::path& dir, std::vector<std::string> args) {
  static int n = 0;
  const fs::path out = dir / ("run-" + std::to_string(++n) + ".out");
  const fs::path err = dir / ("run-" + std::to_string(n) + ".err");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot spawn " + args[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  Run r;
  r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

struct Keys {
  crypto::SecretKey o1 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey m1 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey m2 = crypto::SecretKey::generate(crypto::KeyType::ecdsa_p256);
  crypto::SecretKey m3 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey t1 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
};

// Ten delegates convened; the Statute's basis `convened`: threshold 10 / 2 + 1 = 6.
json::object congress_session(const Keys& k) {
  const auto person = testing::person_json;
  return json::object{
      {"id", "cell-2026"},
      {"title", "Congress of the Party committee 2026"},
      {"organisation", "The Party"},
      {"congress_kind", "delegates"},
      {"convened", 10},
      {"officials", json::array{person("o1", "Chair of the Presidium", k.o1)}},
      {"counting_committee",
       json::object{{"members", json::array{person("m1", "Counting Chair", k.m1),
                                            person("m2", "Counting Secretary", k.m2),
                                            person("m3", "Counting Member", k.m3)}},
                    {"required_signatures", 2}}},
      {"terminals",
       json::array{json::object{{"id", "t1"}, {"public_key", k.t1.public_key().pem()}}}},
      {"contests", testing::committee_and_secretary_contests()}};
}

// The members' congress of scripts/demo-data/cell.json (15 members; the secretary elected
// directly, rule set cpv-2024-cell-secretary) with the officials, committee and terminal above.
json::object cell_session(const Keys& k) {
  json::object s = congress_session(k);
  const fs::path file = fs::path(TALLYSTATION_SOURCE_DIR) / "scripts" / "demo-data" / "cell.json";
  const json::object cell = json::parse(testing::read_file(file)).as_object();
  s["congress_kind"] = "members";
  s["convened"] = 15;
  s["congress_date"] = cell.at("congress_date");
  s["register"] = cell.at("register");
  json::object sec = cell.at("contests").at(0).as_object();
  sec["title"] = "Cell secretary";
  sec["seats"] = 1;
  sec["rule_set"] = "cpv-2024-cell-secretary";
  s["contests"] = json::array{sec};
  return s;
}

class Congress {
 public:
  explicit Congress(json::object (*session)(const Keys&) = congress_session)
      : daemon_(STATIOND_PATH, dir_ / "station") {
    testing::write_file(dir_ / "session.json", json::serialize(session(keys_)));
    for (auto [name, key] :
         {std::pair{"o1", &keys_.o1}, {"m1", &keys_.m1}, {"m2", &keys_.m2}, {"m3", &keys_.m3}}) {
      REQUIRE(crypto::save_secret_key(dir_ / (std::string(name) + ".key"), *key));
    }
    daemon_.start(dir_ / "session.json");
    client_ = std::make_unique<client::HttpsClient>(daemon_.client_options());
  }
  ~Congress() {
    client_.reset();
    daemon_.terminate();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // stationctl SUB --station ... --fingerprint ... [--key o1.key --official o1] ARGS...
  Run ctl(const std::string& sub, std::vector<std::string> args, const std::string& key = "o1") {
    std::vector<std::string> argv{
        STATIONCTL_PATH, sub,
        "--station",     "https://127.0.0.1:" + std::to_string(daemon_.port()),
        "--fingerprint", daemon_.tls_fingerprint()};
    if (sub == "export") argv.resize(2);  // works on the data directory, not over HTTPS
    if (!key.empty()) {
      argv.push_back("--key");
      argv.push_back((dir_ / (key + ".key")).string());
      if (key == "o1" && sub != "countersign") {
        argv.push_back("--official");
        argv.push_back("o1");
      }
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return run(dir_, argv);
  }
  // The same with --json; expects exit 0 and returns the JSON.
  json::value ctl_json(const std::string& sub, std::vector<std::string> args,
                       const std::string& key = "o1") {
    args.push_back("--json");
    Run r = ctl(sub, std::move(args), key);
    INFO(sub << ": " << r.out << r.err);
    REQUIRE(r.exit == 0);
    return json::parse(r.out);
  }
  // Expects stationctl to fail with the station's error code `code`.
  void refused(const std::string& sub, std::vector<std::string> args, const std::string& code,
               const std::string& key = "o1") {
    args.push_back("--json");
    Run r = ctl(sub, std::move(args), key);
    INFO(sub << ": " << r.out << r.err);
    CHECK(r.exit == 1);
    CHECK(json::parse(r.out).at("error").as_string() == code);
  }

  // Issues n tokens with stationctl (to a file, one per line) and reads them back.
  std::vector<std::string> tokens(const std::string& contest, int round, int n) {
    const fs::path file = dir_ / (contest + "-" + std::to_string(round) + ".tokens");
    ctl_json("issue-tokens", {"--contest", contest, "--round", std::to_string(round), "--count",
                              std::to_string(n), "--out", file.string()});
    std::vector<std::string> out;
    std::istringstream in(slurp(file));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    REQUIRE(out.size() == static_cast<std::size_t>(n));
    return out;
  }

  // Terminal t1 casts one ballot per entry of `marks`, each with its own token.
  void vote(const std::string& contest, int round, const std::vector<std::string>& tokens,
            const std::vector<std::vector<std::string>>& marks) {
    REQUIRE(tokens.size() >= marks.size());
    for (std::size_t i = 0; i < marks.size(); ++i) {
      const std::string payload = make_ballot_payload(
          "cell-2026", contest, static_cast<std::uint32_t>(round), tokens[i], marks[i]);
      auto r = client_->post("/v1/ballots", sign_ballot(keys_.t1, payload));
      REQUIRE(r);
      INFO(r->body);
      REQUIRE(r->status == 200);
      receipts_.push_back(r->body);
    }
  }

  json::object minutes(const std::string& contest, int round) {
    return ctl_json("results", {"--contest", contest, "--round", std::to_string(round)}, "")
        .at("payload")
        .as_object();
  }

  client::HttpsClient& client() { return *client_; }
  const Keys& keys() const { return keys_; }
  const fs::path& dir() const { return dir_; }
  fs::path data_dir() const { return daemon_.data_dir(); }
  const std::vector<std::string>& receipts() const { return receipts_; }

 private:
  fs::path dir_ = testing::temp_dir("congress");
  Keys keys_;
  test::Daemon daemon_;
  std::unique_ptr<client::HttpsClient> client_;
  std::vector<std::string> receipts_;
};

std::vector<std::string> ids(const json::value& v) {
  std::vector<std::string> out;
  for (const json::value& e : v.as_array()) out.emplace_back(e.as_string());
  return out;
}
using Ids = std::vector<std::string>;

std::string tally_of(const json::object& m) {
  std::string out;
  for (const json::value& e : m.at("tally").as_array()) {
    out += std::string(e.at("candidate").as_string()) + "=" +
           std::to_string(e.at("votes").to_number<int>()) + " ";
  }
  return out;
}

int num(const json::object& m, const char* key) {
  return m.at(key).to_number<int>();
}

}  // namespace

TEST_CASE(
    "a congress runs through stationd and stationctl: run-off, open seat, secretary, "
    "certification",
    "[congress]") {
  Congress c;
  c.ctl_json("enrol", {"--terminal", "t1"});
  c.ctl_json("attendance", {"--present", "10"});
  // Closing a round that was never opened.
  c.refused("close-round", {"--contest", "ec", "--round", "1"}, "round_state");
  // The secretary cannot be elected before the committee is.
  c.refused("open-round", {"--contest", "sec", "--round", "1", "--candidates", "a"}, "round_state");

  // ---- Executive Committee, round 1: 4 seats, 6 candidates, 10 ballots ----
  auto t = c.tokens("ec", 1, 10);
  c.ctl_json("open-round", {"--contest", "ec", "--round", "1"});
  // By hand: a 8 (ballots 1-8), b 7 (1-7), c 6 (1,2,4,5,7,8), d 6 (1,3,4,6,8,9),
  // e 6 (2,3,5,6,8,9), f 2 (7,9); ballot 10 crosses everyone out: invalid.
  c.vote("ec", 1, t,
         {{"a", "b", "c", "d"},
          {"a", "b", "c", "e"},
          {"a", "b", "d", "e"},
          {"a", "b", "c", "d"},
          {"a", "b", "c", "e"},
          {"a", "b", "d", "e"},
          {"a", "b", "c", "f"},
          {"a", "c", "d", "e"},
          {"d", "e", "f"},
          {}});
  auto closed = c.ctl_json("close-round", {"--contest", "ec", "--round", "1"});
  CHECK(closed.at("result").at("ballot_box").at("size").to_number<int>() == 10);

  json::object m1 = c.minutes("ec", 1);
  CHECK(num(m1, "basis") == 10);
  CHECK(num(m1, "threshold") == 6);
  CHECK(num(m1, "convened") == 10);
  CHECK(num(m1, "present") == 10);
  CHECK(num(m1, "ballots_issued") == 10);
  CHECK(num(m1, "ballots_collected") == 10);
  CHECK(num(m1, "valid") == 9);
  CHECK(num(m1, "invalid") == 1);
  CHECK(tally_of(m1) == "a=8 b=7 c=6 d=6 e=6 f=2 ");
  CHECK(ids(m1.at("elected")) == Ids{"a", "b"});
  CHECK(m1.at("outcome").as_string() == "tie");
  CHECK(ids(m1.at("tied")) == Ids{"c", "d", "e"});
  CHECK(num(m1, "seats_unfilled") == 2);
  CHECK(m1.at("percent_of_basis").at("a").as_string() == "80.00");

  // A run-off is among the tied only: no new names, no one else.
  c.refused("open-round", {"--contest", "ec", "--round", "2", "--nominate", "g=Giang"},
            "bad_command");
  c.refused("open-round", {"--contest", "ec", "--round", "2", "--candidates", "c,d,f"},
            "not_eligible");
  // The tie calls for a run-off; the congress cannot just stop here.
  c.refused("conclude", {"--contest", "ec"}, "round_state");

  // ---- Round 2: run-off among c, d, e for the 2 seats left; 9 ballots ----
  t = c.tokens("ec", 2, 9);
  auto opened = c.ctl_json("open-round", {"--contest", "ec", "--round", "2"});
  Ids runoff;
  for (const json::value& cand : opened.at("result").at("ballot").at("candidates").as_array()) {
    runoff.emplace_back(cand.at("id").as_string());
  }
  CHECK(runoff == Ids{"c", "d", "e"});
  CHECK(opened.at("result").at("ballot").at("seats").to_number<int>() == 2);
  // By hand: c 7 (1-7), d 5 (1,2,5,8,9), e 5 (3,4,6,8,9): c elected, d and e below 6.
  c.vote("ec", 2, t,
         {{"c", "d"},
          {"c", "d"},
          {"c", "e"},
          {"c", "e"},
          {"c", "d"},
          {"c", "e"},
          {"c"},
          {"d", "e"},
          {"d", "e"}});
  c.ctl_json("close-round", {"--contest", "ec", "--round", "2"});
  json::object m2 = c.minutes("ec", 2);
  CHECK(num(m2, "seats") == 2);
  CHECK(num(m2, "threshold") == 6);
  CHECK(num(m2, "ballots_issued") == 9);
  CHECK(num(m2, "ballots_collected") == 9);
  CHECK(num(m2, "valid") == 9);
  CHECK(num(m2, "invalid") == 0);
  CHECK(tally_of(m2) == "c=7 d=5 e=5 ");
  CHECK(ids(m2.at("elected")) == Ids{"c"});
  CHECK(m2.at("outcome").as_string() == "unfilled");
  CHECK(ids(m2.at("tied")).empty());
  CHECK(num(m2, "seats_unfilled") == 1);
  CHECK(ids(m2.at("elected_so_far")) == Ids{"a", "b", "c"});

  // The congress decides to leave the seat open.
  auto concluded = c.ctl_json("conclude", {"--contest", "ec"});
  CHECK(ids(concluded.at("result").at("elected")) == Ids{"a", "b", "c"});
  CHECK(concluded.at("result").at("seats_unfilled").to_number<int>() == 1);
  c.refused("open-round", {"--contest", "ec", "--round", "3"}, "round_state");

  // ---- Secretary, elected directly from the elected committee ----
  c.refused("open-round", {"--contest", "sec", "--round", "1", "--candidates", "a,d"},
            "not_eligible");
  t = c.tokens("sec", 1, 10);
  c.ctl_json("open-round", {"--contest", "sec", "--round", "1", "--candidates", "a,b"});
  // A ballot for a committee member not on the secretary's list is refused at the door.
  {
    const std::string payload = make_ballot_payload("cell-2026", "sec", 1, t[9], {"c"});
    auto r = c.client().post("/v1/ballots", sign_ballot(c.keys().t1, payload));
    REQUIRE(r);
    CHECK(r->status == 400);
  }
  // By hand: a 7, b 2; the tenth ballot marks both for one seat: invalid.
  c.vote("sec", 1, t, {{"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"b"}, {"b"}, {"a", "b"}});
  c.ctl_json("close-round", {"--contest", "sec", "--round", "1"});
  json::object s1 = c.minutes("sec", 1);
  CHECK(num(s1, "threshold") == 6);
  CHECK(num(s1, "valid") == 9);
  CHECK(num(s1, "invalid") == 1);
  CHECK(tally_of(s1) == "a=7 b=2 ");
  CHECK(ids(s1.at("elected")) == Ids{"a"});
  CHECK(s1.at("outcome").as_string() == "complete");
  CHECK(s1.at("elect_from").as_string() == "ec");
  // Complete: no further round.
  c.refused("open-round", {"--contest", "sec", "--round", "2"}, "round_state");

  // ---- Certification ----
  c.refused("countersign", {"--contest", "ec", "--round", "1"}, "not_committee_member", "o1");
  auto one = c.ctl_json("countersign", {"--contest", "ec", "--round", "1"}, "m1");
  CHECK_FALSE(one.at("certification").at("certified").as_bool());
  c.refused("countersign", {"--contest", "ec", "--round", "1"}, "already_signed", "m1");
  auto two = c.ctl_json("countersign", {"--contest", "ec", "--round", "1"}, "m2");
  CHECK(two.at("certification").at("certified").as_bool());
  // A member's signature over other bytes (round 2's minutes) is refused for round 1.
  {
    auto r1 = c.client().get("/v1/results/ec/2");
    REQUIRE(r1);
    auto env = crypto::parse_envelope(r1->body);
    REQUIRE(env);
    env->signatures = {crypto::sign_envelope(c.keys().m3, env->payload_type, env->payload)};
    auto r = c.client().post("/v1/results/ec/1/signatures", crypto::serialize(*env));
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(json::parse(r->body).at("error").as_string() == "malformed");
    const crypto::Signature& s = env->signatures[0];
    r = c.client().post(
        "/v1/results/ec/1/signatures",
        json::serialize(json::object{{"keyid", s.keyid}, {"sig", crypto::base64_encode(s.sig)}}));
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(json::parse(r->body).at("error").as_string() == "bad_signature");
  }
  for (const char* m : {"m1", "m3"}) {
    c.ctl_json("countersign", {"--contest", "ec", "--round", "2"}, m);
    c.ctl_json("countersign", {"--contest", "sec", "--round", "1"}, m);
  }

  // Status shows who has signed, and the contests' elected lists.
  json::value status = c.ctl_json("status", {}, "");
  for (const json::value& contest : status.at("contests").as_array()) {
    if (contest.at("id").as_string() == "ec") {
      CHECK(contest.at("state").as_string() == "concluded");
      CHECK(ids(contest.at("elected")) == Ids{"a", "b", "c"});
      const json::object& cert =
          contest.at("rounds").as_array().at(0).at("minutes").at("certification").as_object();
      CHECK(cert.at("certified").as_bool());
      CHECK(cert.at("signed_by").as_array().size() == 2);
      CHECK(ids(cert.at("missing")) == Ids{"m3"});
    } else {
      CHECK(contest.at("state").as_string() == "complete");
      CHECK(ids(contest.at("elected")) == Ids{"a"});
    }
  }
  Run text = c.ctl("status", {}, "");
  CHECK(text.exit == 0);
  CHECK(text.out.find("Executive Committee") != std::string::npos);
  // The session names no language: English, unless --lang says otherwise.
  CHECK(text.out.find("\ncommand log: ") != std::string::npos);
  Run text_vi = c.ctl("status", {"--lang", "vi"}, "");
  CHECK(text_vi.exit == 0);
  CHECK(text_vi.out.find("Executive Committee") != std::string::npos);
  CHECK(text_vi.out.find("cuộc bầu cử  lần bầu  trạng thái") != std::string::npos);
  CHECK(text_vi.out.find("\nNhật ký lệnh: ") != std::string::npos);
  Run results = c.ctl("results", {"--contest", "ec", "--round", "1"}, "");
  CHECK(results.exit == 0);
  CHECK(results.out.find("CERTIFIED") != std::string::npos);
  // The minutes carry codes; stationctl words the outcome, in English or in Vietnamese.
  CHECK(results.out.find("outcome: tie - A tie at the last seat: a run-off among the 3 tied "
                         "candidates for 2 seats\n") != std::string::npos);
  Run results_vi = c.ctl("results", {"--contest", "ec", "--round", "1", "--lang", "vi"}, "");
  CHECK(results_vi.exit == 0);
  CHECK(results_vi.out.find("Kết quả bầu cử: Có số phiếu bằng nhau ở vị trí cuối: bầu lại giữa 3 "
                            "người bằng phiếu để chọn 2 người\n") != std::string::npos);
  CHECK(results_vi.out.find("Biên bản kiểm phiếu: ") != std::string::npos);
  CHECK(c.ctl("results", {"--contest", "ec", "--round", "1", "--lang", "fr"}, "").exit != 0);

  // A delegate checks a receipt against the signed minutes.
  testing::write_file(c.dir() / "receipt.json", c.receipts().front());
  auto proof = c.ctl_json("proof", {"--receipt", (c.dir() / "receipt.json").string()}, "");
  CHECK(proof.at("verified").as_bool());

  // The audit bundle, exported from the data directory while the station runs.
  auto bundle = c.ctl_json(
      "export", {"--data", c.data_dir().string(), "--out", (c.dir() / "bundle").string()}, "");
  CHECK(bundle.at("rounds").to_number<int>() == 3);
  CHECK(bundle.at("ballots").to_number<int>() == 29);
  const fs::path b = c.dir() / "bundle";
  CHECK(slurp(b / "session.json") == slurp(c.dir() / "session.json"));
  for (const char* f :
       {"keys.json", "commands.jsonl", "command_log.json", "rounds/ec/1/ballots.jsonl",
        "rounds/ec/2/minutes.json", "rounds/sec/1/minutes.json"}) {
    CHECK(fs::exists(b / f));
  }
  auto exported = crypto::parse_envelope(slurp(b / "rounds/ec/1/minutes.json"));
  REQUIRE(exported);
  CHECK(exported->signatures.size() == 3);

  // An auditor's tally-audit verify holds on it: every signature, token, root, recount and the
  // command log (docs/audit.md); the secretary was elected from the committee's elected.
  const audit::verify::Report verified = audit::verify::verify_bundle(b);
  INFO(verified.text());
  CHECK(verified.ok());
  CHECK(verified.find("round ballot", "round sec/1")->state == audit::verify::CheckState::ok);
  CHECK(verified.find("certification", "round ec/1")->state == audit::verify::CheckState::ok);
  // And through the binary, as an auditor runs it.
  Run cli = run(c.dir(), {TALLY_AUDIT_PATH, "verify", b.string()});
  INFO(cli.out << cli.err);
  CHECK(cli.exit == 0);
  // A secretary's round claimed on someone the committee did not elect (d), even with minutes
  // the station re-signed, fails the round-ballot check.
  {
    const fs::path tampered = c.dir() / "bundle-secretary";
    fs::copy(b, tampered, fs::copy_options::recursive);
    auto env = crypto::parse_envelope(slurp(tampered / "rounds/sec/1/minutes.json"));
    REQUIRE(env);
    json::value p = json::parse(env->payload);
    json::object& second = p.at("tally").as_array()[1].as_object();
    REQUIRE(second.at("candidate").as_string() == "b");
    second["candidate"] = "d";
    second["name"] = "Dung";
    auto key = crypto::load_secret_key(c.data_dir() / "station.key");
    REQUIRE(key);
    testing::write_file(tampered / "rounds/sec/1/minutes.json",
                        crypto::serialize(crypto::make_envelope(
                            *key, crypto::payload_type::kResult, json::serialize(p))));
    const audit::verify::Report bad = audit::verify::verify_bundle(tampered);
    INFO(bad.text());
    CHECK(bad.failed("round ballot", "round sec/1") != nullptr);
    CHECK(bad.failed("station signature") == nullptr);
  }
  testing::write_file(c.dir() / "receipt-check.json", c.receipts().front());
  CHECK(run(c.dir(), {TALLY_AUDIT_PATH, "receipt", (c.dir() / "receipt-check.json").string(),
                      b.string()})
            .exit == 0);
}

TEST_CASE("the minutes' station signature verifies with openssl pkeyutl", "[congress]") {
  Congress c;
  c.ctl_json("enrol", {"--terminal", "t1"});
  auto t = c.tokens("ec", 1, 3);
  c.ctl_json("open-round", {"--contest", "ec", "--round", "1"});
  c.vote("ec", 1, t, {{"a", "b"}, {"a"}, {"c", "d", "e", "f"}});
  c.ctl_json("close-round", {"--contest", "ec", "--round", "1"});
  Run signed_vi =
      c.ctl("countersign", {"--contest", "ec", "--round", "1", "--lang", "vi"}, "m1");
  INFO(signed_vi.out << signed_vi.err);
  REQUIRE(signed_vi.exit == 0);
  CHECK(signed_vi.out.find("\nĐã ký bằng khóa ") != std::string::npos);
  CHECK(signed_vi.out.find("Biên bản chưa được xác nhận: 1 trên 2 chữ ký cần có") !=
        std::string::npos);

  auto station = c.client().get("/v1/station");
  REQUIRE(station);
  const json::object info = json::parse(station->body).as_object();
  testing::write_file(c.dir() / "station.pub", info.at("public_key").as_string());
  auto res = c.client().get("/v1/results/ec/1");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto env = crypto::parse_envelope(res->body);
  REQUIRE(env);
  REQUIRE(env->signatures.size() == 2);
  const std::string keyid(info.at("keyid").as_string());
  // What DSSE signs: PAE(type, payload), written out by hand, not with crypto::pae.
  const std::string pae = "DSSEv1 " + std::to_string(env->payload_type.size()) + " " +
                          env->payload_type + " " + std::to_string(env->payload.size()) + " " +
                          env->payload;
  testing::write_file(c.dir() / "pae.bin", pae);
  bool station_checked = false, member_checked = false;
  for (const crypto::Signature& s : env->signatures) {
    const bool is_station = s.keyid == keyid;
    testing::write_file(c.dir() / "sig.bin", s.sig);
    const fs::path pub = is_station ? c.dir() / "station.pub" : c.dir() / "m1.pub";
    if (!is_station) testing::write_file(pub, c.keys().m1.public_key().pem());
    Run r = run(c.dir(),
                {"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub.string(), "-rawin", "-in",
                 (c.dir() / "pae.bin").string(), "-sigfile", (c.dir() / "sig.bin").string()});
    INFO(r.out << r.err);
    CHECK(r.exit == 0);
    CHECK(r.out.find("Signature Verified Successfully") != std::string::npos);
    (is_station ? station_checked : member_checked) = true;
    // One flipped byte of the payload: openssl refuses.
    std::string tampered = pae;
    tampered[tampered.size() - 2] ^= 0x01;
    testing::write_file(c.dir() / "pae-bad.bin", tampered);
    Run bad = run(c.dir(), {"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub.string(),
                            "-rawin", "-in", (c.dir() / "pae-bad.bin").string(), "-sigfile",
                            (c.dir() / "sig.bin").string()});
    CHECK(bad.exit != 0);
  }
  CHECK(station_checked);
  CHECK(member_checked);
}

TEST_CASE("stationctl takes --key over $TALLY_KEY, also when another subcommand has --key",
          "[congress]") {
  Congress c;
  c.ctl_json("enrol", {"--terminal", "t1"});
  auto t = c.tokens("ec", 1, 1);
  c.ctl_json("open-round", {"--contest", "ec", "--round", "1"});
  c.vote("ec", 1, t, {{"a"}});
  c.ctl_json("close-round", {"--contest", "ec", "--round", "1"});
  // The official's key in the environment, the member's on the command line: the member signs.
  // (Each test case runs in its own process, so changing the environment is local to it.)
  REQUIRE(::setenv("TALLY_KEY", (c.dir() / "o1.key").c_str(), 1) == 0);
  auto one = c.ctl_json("countersign", {"--contest", "ec", "--round", "1"}, "m1");
  // Without --key the environment is used: the official's key is no committee member's.
  c.refused("countersign", {"--contest", "ec", "--round", "1"}, "not_committee_member", "");
  ::unsetenv("TALLY_KEY");
  auto res = c.client().get("/v1/results/ec/1");
  REQUIRE(res);
  auto env = crypto::parse_envelope(res->body);
  REQUIRE(env);
  CHECK(env->signatures.size() == 2);
}

TEST_CASE("stationctl keeps the roll, records an exception and shows eligibility and the "
          "composition of a cell congress",
          "[congress][people]") {
  Congress c(cell_session);
  c.ctl_json("enrol", {"--terminal", "t1"});
  Run roll = c.ctl("roll", {}, "");
  INFO(roll.out << roll.err);
  REQUIRE(roll.exit == 0);
  CHECK(roll.out.find("not yet recorded: 15 on the roll") != std::string::npos);
  CHECK(roll.out.find("Hoàng Văn Pác") != std::string::npos);
  // Bad input: said in the tool, or by the station with the rule's code.
  Run bad = c.ctl("roll", {"--absent", "dv09"});
  CHECK(bad.exit == 2);
  CHECK(bad.err.find("--absent: expected PERSON:CATEGORY") != std::string::npos);
  CHECK(c.ctl("roll", {"--replace", "dv01:"}).exit == 2);
  CHECK(c.ctl("roll", {"--summary", "--present", "dv01"}).exit == 2);
  c.refused("roll", {"--absent", "dv09:on_holiday"}, "bad_command");
  c.refused("roll", {"--present", "nobody"}, "bad_command");
  c.refused("attendance", {"--present", "13"}, "bad_command");  // roll_kept

  // By hand: 13 present; dv09 on transfer (out of the basis and the quorum's base), dv13 away
  // with an accepted reason (out of the basis): quorum ceil(14 * 2 / 3) = 10.
  json::value recorded = c.ctl_json(
      "roll", {"--present", "dv01,dv02,dv03,dv04,dv05,dv06,dv07", "--present",
               "dv08,dv10,dv11,dv12,dv14,dv15", "--absent", "dv09:temporary_transfer", "--absent",
               "dv13:absent_with_accepted_reason"});
  CHECK(json::serialize(recorded.at("result")) ==
        R"({"convened":15,"present":13,"absent":{"absent":0,"temporary_transfer":1,"exempted":0,)"
        R"("suspended_or_prosecuted":0,"absent_with_accepted_reason":1},"excluded":2,)"
        R"("quorum":{"base":14,"required":10,"held":true}})");
  Run summary = c.ctl("roll", {"--summary"}, "");
  CHECK(summary.out.find("quorum: held (13 present, 10 required)") != std::string::npos);
  CHECK(summary.out.find("dv01") == std::string::npos);  // the figures only
  Run summary_vi = c.ctl("roll", {"--summary", "--lang", "vi"}, "");
  CHECK(summary_vi.out.find("Đủ số đại biểu cần có mặt (13 có mặt, cần 10)") !=
        std::string::npos);
  CHECK(summary_vi.out.find("Vắng mặt: chuyển sinh hoạt tạm thời") != std::string::npos);

  auto t = c.tokens("sec", 1, 13);
  Run early = c.ctl("open-round", {"--contest", "sec", "--round", "1"});
  CHECK(early.exit == 1);
  CHECK(early.err.find("candidate_ineligible") != std::string::npos);
  CHECK(early.err.find("aged 68 on 2026-04-15") != std::string::npos);
  c.refused("exception",
            {"--contest", "sec", "--candidate", "dv05", "--rule", "cell-secretary-2024", "--body",
             "district standing committee", "--decision", "342", "--date", "2026-03-20"},
            "bad_command");  // exception_not_needed: dv05 is 41, within 60
  c.refused("exception",
            {"--contest", "sec", "--candidate", "dv01", "--rule", "cell-secretary-2024", "--body",
             "district standing committee", "--decision", "342", "--date", "2026-02-30"},
            "bad_command");
  c.ctl_json("exception", {"--contest", "sec", "--candidate", "dv01", "--rule",
                           "cell-secretary-2024", "--body", "district standing committee",
                           "--decision", "342-QĐ/HU", "--date", "2026-03-20"});
  Run elig = c.ctl("eligibility", {"--contest", "sec"}, "");
  INFO(elig.out);
  CHECK(elig.out.find("yes, by exception") != std::string::npos);
  CHECK(elig.out.find("decision 342-QĐ/HU of 2026-03-20") != std::string::npos);
  Run elig_vi = c.ctl("eligibility", {"--contest", "sec", "--lang", "vi"}, "");
  INFO(elig_vi.out);
  CHECK(elig_vi.out.find("có, theo ngoại lệ được chấp thuận") != std::string::npos);
  CHECK(elig_vi.out.find("quyết định số 342-QĐ/HU ngày 2026-03-20") != std::string::npos);
  Run unknown = c.ctl("eligibility", {"--contest", "nope"}, "");
  CHECK(unknown.exit == 1);
  CHECK(unknown.err.find("unknown_contest") != std::string::npos);
  CHECK(c.ctl("composition", {}, "").out.find("no one elected yet") != std::string::npos);

  c.ctl_json("open-round", {"--contest", "sec", "--round", "1"});
  // 8 for dv01, 4 for dv05, one ballot keeping both (invalid): dv01 has 8 of the basis 13.
  std::vector<std::vector<std::string>> marks(8, {"dv01"});
  marks.insert(marks.end(), 4, {"dv05"});
  marks.push_back({"dv01", "dv05"});
  c.vote("sec", 1, t, marks);
  c.ctl_json("close-round", {"--contest", "sec", "--round", "1"});
  CHECK(ids(c.minutes("sec", 1).at("elected")) == Ids{"dv01"});
  // By hand: dv01, Tày, local, a man of 68, the outgoing secretary.
  Run comp = c.ctl("composition", {"--contest", "sec"}, "");
  INFO(comp.out);
  CHECK(comp.out.find("contest sec (secretary): 1 elected, complete") != std::string::npos);
  CHECK(comp.out.find("re-elected             1   100.0%") != std::string::npos);
  CHECK(comp.out.find("women                  0     0.0%") != std::string::npos);
  CHECK(comp.out.find("ethnic minorities      1   100.0%") != std::string::npos);
  CHECK(comp.out.find("mean age: 68.0") != std::string::npos);
  CHECK(comp.out.find("directly elected by the congress: yes") != std::string::npos);
  Run comp_vi = c.ctl("composition", {"--contest", "sec", "--lang", "vi"}, "");
  INFO(comp_vi.out);
  CHECK(comp_vi.out.find("Cuộc bầu cử sec (bí thư): 1 người trúng cử, đã bầu xong") !=
        std::string::npos);
  CHECK(comp_vi.out.find("Tuổi bình quân: 68.0") != std::string::npos);
  CHECK(comp_vi.out.find("Bí thư do đại hội bầu trực tiếp: có") != std::string::npos);
  json::value people = c.ctl_json("composition", {}, "");
  CHECK(people.at("contests").at(0).at("composition").at("elected").as_int64() == 1);
}
