// Audit bundles against `tally-audit verify` (docs/audit.md): a congress run in-process through
// the station's handler, exported with stationctl's export code, verifies clean; each tampered
// copy (one change to a good bundle) fails with the check that names the change.
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <sstream>

#include "core_fixture.hpp"
#include "crypto/dsse.hpp"
#include "crypto/merkle.hpp"
#include "exported_bundle.hpp"
#include "station/app/messages.hpp"
#include "station/ctl/audit_bundle.hpp"
#include "station/store/faulty_store.hpp"
#include "tally/audit/verify/verifier.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;
namespace json = boost::json;
namespace fs = std::filesystem;
namespace verify = tallystation::audit::verify;

namespace {

// Parses the JSON file at p, lets `edit` change the value, and writes it back.
void edit_json(const fs::path& p, const std::function<void(json::value&)>& edit) {
  json::value v = json::parse(read_file(p));
  edit(v);
  write_file(p, json::serialize(v));
}

void countersign(Station& s, const std::string& contest, const crypto::SecretKey& member) {
  auto r = s.call("GET", "/v1/results/" + contest + "/1");
  REQUIRE(r.status == 200);
  auto env = crypto::parse_envelope(r.body);
  REQUIRE(env);
  const crypto::Signature sig = crypto::sign_envelope(member, env->payload_type, env->payload);
  Station::expect_ok(s.call("POST", "/v1/results/" + contest + "/1/signatures",
                            json::serialize(json::object{
                                {"keyid", sig.keyid}, {"sig", crypto::base64_encode(sig.sig)}})));
}

// One congress, exported once per test binary: contest cc (3 seats, 1 alternate) with ballots
// from t1, t2 and t3; then t3 is revoked and contest chair votes from t1 and t2 only. cc/1 is
// countersigned by both members (certified), chair/1 by one (not certified: a warning).
struct GoodBundle : ExportedBundle {
  std::vector<std::string> cc_tokens, chair_tokens;
  std::string receipt;
  std::string removed_receipt;  // the receipt of the box's first ballot

  GoodBundle() : ExportedBundle(temp_dir("bundle")) {
    Station s("bundle-src");
    const Keys& k = Keys::get();
    cc_tokens = s.open_cc(20);
    Station::expect_ok(s.command("record_attendance", {{"present", 290}}));
    const std::vector<std::vector<std::string>> marks = {{"c1", "c2", "c3"},
                                                         {"c1", "c2", "c4"},
                                                         {"c1", "c3", "c5"},
                                                         {"c2", "c3", "c4"},
                                                         {"c1", "c2", "c3", "c4"},
                                                         {},
                                                         {"c1"},
                                                         {"c6", "c5"},
                                                         {"c1", "c2"},
                                                         {"c3", "c4", "c5"},
                                                         {"c1", "c2", "c3", "c4", "c5"},
                                                         {"c2"}};
    const crypto::SecretKey* terminals[] = {&k.t1, &k.t2, &k.t3};
    for (std::size_t i = 0; i < marks.size(); ++i) {
      auto r = s.ballot(cc_tokens[i], marks[i], terminals[i % 3]);
      REQUIRE(r.status == 200);
      if (i == 0) receipt = r.body;
    }
    Station::expect_ok(s.command("close_round", {{"contest", "cc"}, {"round", 1}}));
    Station::expect_ok(s.command("revoke_terminal", {{"terminal", "t3"}}));
    auto issued = Station::expect_ok(
        s.command("issue_tokens", {{"contest", "chair"}, {"round", 1}, {"count", 8}}));
    for (const auto& t : issued.at("result").at("tokens").as_array())
      chair_tokens.emplace_back(t.as_string());
    Station::expect_ok(s.command("open_round", {{"contest", "chair"}, {"round", 1}}));
    for (int i = 0; i < 6; ++i) {
      auto r = s.ballot(chair_tokens[i], {i < 4 ? "a" : "b"}, i % 2 ? &k.t2 : &k.t1, "chair");
      REQUIRE(r.status == 200);
    }
    Station::expect_ok(s.command("close_round", {{"contest", "chair"}, {"round", 1}}));
    countersign(s, "cc", k.member1);
    countersign(s, "cc", k.member2);
    countersign(s, "chair", k.member1);
    auto exported = ctl::export_bundle(s.data(), bundle);
    REQUIRE(exported.has_value());
    station_key_pem = read_file(s.data() / "station.key");
  }
  static GoodBundle& get() {
    static GoodBundle b;
    return b;
  }
};

// Rewrites a round's minutes payload and signs it again with the station's key (a station that
// lies in its own signed minutes): the countersignatures are dropped.
void resign_minutes(const fs::path& bundle, const std::string& round_dir,
                    const std::function<void(json::object&)>& edit) {
  const fs::path p = bundle / "rounds" / round_dir / "minutes.json";
  auto env = crypto::parse_envelope(read_file(p));
  REQUIRE(env);
  json::value v = json::parse(env->payload);
  edit(v.as_object());
  const GoodBundle& g = GoodBundle::get();
  write_file(p, crypto::serialize(crypto::make_envelope(
                    g.station_key(), crypto::payload_type::kResult, json::serialize(v))) +
                    "\n");
}

// A new ballot for cc/1 signed by t1, inserted at its place in the sorted box.
void add_ballot(const fs::path& bundle, const std::string& token, std::vector<std::string> marks) {
  const fs::path p = bundle / "rounds/cc/1/ballots.jsonl";
  auto lines = lines_of(p);
  const std::string env =
      sign_ballot(Keys::get().t1, make_ballot_payload("cc2026", "cc", 1, token, marks));
  lines.push_back(env);
  auto leaf = [](const std::string& l) {
    return crypto::leaf_hash(crypto::parse_envelope(l)->payload);
  };
  std::sort(lines.begin(), lines.end(),
            [&](const std::string& a, const std::string& b) { return leaf(a) < leaf(b); });
  write_lines(p, lines);
}

// Rewrites a round's minutes payload as text (to write what a JSON object cannot hold, such as
// a repeated member) and signs it again with the station's key.
void resign_minutes_text(const fs::path& bundle, const std::string& round_dir,
                         const std::function<std::string(const std::string&)>& edit) {
  const fs::path p = bundle / "rounds" / round_dir / "minutes.json";
  auto env = crypto::parse_envelope(read_file(p));
  REQUIRE(env);
  const GoodBundle& g = GoodBundle::get();
  write_file(p, crypto::serialize(crypto::make_envelope(
                    g.station_key(), crypto::payload_type::kResult, edit(env->payload))) +
                    "\n");
}

void expect_failure(const fs::path& bundle, const std::string& check) {
  const verify::Report r = verify::verify_bundle(bundle);
  INFO(r.text());
  CHECK_FALSE(r.ok());
  CHECK(r.failed(check) != nullptr);
}

}  // namespace

TEST_CASE("the exported bundle of a congress verifies clean", "[bundle]") {
  const GoodBundle& g = GoodBundle::get();
  const verify::Report r = verify::verify_bundle(g.bundle);
  INFO(r.text());
  CHECK(r.ok());
  const verify::Check* sigs = r.find("ballot signatures", "round cc/1");
  REQUIRE(sigs != nullptr);
  CHECK(sigs->passed == 12);
  CHECK(sigs->total == 12);
  // chair/1 has one countersignature of the two required: a warning, not a failure.
  const verify::Check* cert = r.find("certification", "round chair/1");
  REQUIRE(cert != nullptr);
  CHECK(cert->state == verify::CheckState::warn);
  CHECK(r.find("certification", "round cc/1")->state == verify::CheckState::ok);
  // With --require-certified the missing countersignature fails.
  CHECK_FALSE(verify::verify_bundle(g.bundle, {1, true}).ok());
  // A session without a register: no people checks, and excluded and present as recorded.
  CHECK(r.find("attendance") == nullptr);
  CHECK(r.find("composition") == nullptr);
  CHECK(r.find("minutes facts", "round cc/1")->state == verify::CheckState::ok);
  // The tokens file holds every issued token's hash, sorted.
  auto tokens = lines_of(g.bundle / "rounds/cc/1/tokens.txt");
  CHECK(tokens.size() == 20);
  CHECK(std::is_sorted(tokens.begin(), tokens.end()));
}

TEST_CASE("a tampered bundle fails with the check that names the change", "[bundle]") {
  const GoodBundle& g = GoodBundle::get();
  const crypto::SecretKey station = g.station_key();

  SECTION("a flipped byte in a ballot") {
    const fs::path b = g.copy("flip");
    auto lines = lines_of(b / "rounds/cc/1/ballots.jsonl");
    std::string& l = lines[3];
    const std::size_t at = l.find("\"payload\":\"") + 20;
    l[at] = l[at] == 'A' ? 'B' : 'A';
    write_lines(b / "rounds/cc/1/ballots.jsonl", lines);
    expect_failure(b, "ballot signatures");
  }
  SECTION("a ballot removed") {
    const fs::path b = g.copy("removed");
    auto lines = lines_of(b / "rounds/cc/1/ballots.jsonl");
    lines.erase(lines.begin() + 5);
    write_lines(b / "rounds/cc/1/ballots.jsonl", lines);
    expect_failure(b, "box root");
    expect_failure(b, "recount");
  }
  SECTION("a ballot added with a forged token") {
    const fs::path b = g.copy("forged");
    add_ballot(b, std::string(64, 'f'), {"c6"});
    expect_failure(b, "ballot tokens");
  }
  SECTION("a ballot added with a token already used") {
    const fs::path b = g.copy("reused");
    add_ballot(b, g.cc_tokens[0], {"c6"});
    expect_failure(b, "ballot tokens");
  }
  SECTION("a ballot added with an issued but unused token still changes the box root") {
    const fs::path b = g.copy("unused");
    add_ballot(b, g.cc_tokens[15], {"c6"});
    expect_failure(b, "box root");
  }
  SECTION("a ballot signed by a terminal revoked before the round opened") {
    const fs::path b = g.copy("revoked");
    auto lines = lines_of(b / "rounds/chair/1/ballots.jsonl");
    auto env = crypto::parse_envelope(lines[2]);
    REQUIRE(env);
    env->signatures = {crypto::sign_envelope(Keys::get().t3, env->payload_type, env->payload)};
    lines[2] = crypto::serialize(*env);
    write_lines(b / "rounds/chair/1/ballots.jsonl", lines);
    expect_failure(b, "terminal enrolment");
  }
  SECTION("a changed vote count in the minutes") {
    const fs::path b = g.copy("votes");
    resign_minutes(b, "cc/1", [](json::object& m) {
      json::object& first = m.at("tally").as_array()[0].as_object();
      first["votes"] = first.at("votes").to_number<std::int64_t>() + 1;
    });
    expect_failure(b, "recount");
  }
  SECTION("a wrong threshold in the minutes") {
    const fs::path b = g.copy("threshold");
    resign_minutes(b, "cc/1", [](json::object& m) {
      m["threshold"] = m.at("threshold").to_number<std::int64_t>() - 1;
    });
    expect_failure(b, "recount");
  }
  SECTION("a wrong box root in the minutes") {
    const fs::path b = g.copy("root");
    resign_minutes(b, "cc/1", [](json::object& m) {
      m["ballot_box"].as_object()["root"] = std::string(64, '0');
    });
    expect_failure(b, "box root");
  }
  SECTION("a wrong audit_log_head in the minutes") {
    const fs::path b = g.copy("head");
    resign_minutes(b, "chair/1",
                   [](json::object& m) { m["audit_log_head"] = std::string(64, '1'); });
    expect_failure(b, "minutes facts");
  }
  SECTION("a candidate renamed in the minutes") {
    const fs::path b = g.copy("renamed");
    resign_minutes(b, "cc/1", [](json::object& m) {
      m.at("tally").as_array()[1].as_object()["name"] = "Someone Else";
    });
    expect_failure(b, "round ballot");
  }
  SECTION("two commands swapped") {
    const fs::path b = g.copy("reordered");
    auto lines = lines_of(b / "commands.jsonl");
    std::swap(lines[1], lines[2]);
    write_lines(b / "commands.jsonl", lines);
    expect_failure(b, "command log chain");
    expect_failure(b, "command sequence");
  }
  SECTION("a command removed") {
    const fs::path b = g.copy("removed-command");
    auto lines = lines_of(b / "commands.jsonl");
    lines.erase(lines.begin() + 5);  // record_attendance
    write_lines(b / "commands.jsonl", lines);
    expect_failure(b, "command log chain");
  }
  SECTION("a countersignature over other bytes") {
    const fs::path b = g.copy("other-bytes");
    const fs::path p = b / "rounds/cc/1/minutes.json";
    auto env = crypto::parse_envelope(read_file(p));
    auto other = crypto::parse_envelope(read_file(b / "rounds/chair/1/minutes.json"));
    REQUIRE(env);
    REQUIRE(other);
    env->signatures[1] =
        crypto::sign_envelope(Keys::get().member1, other->payload_type, other->payload);
    write_file(p, crypto::serialize(*env));
    expect_failure(b, "countersignatures");
  }
  SECTION("the same member countersigning twice") {
    const fs::path b = g.copy("twice");
    const fs::path p = b / "rounds/cc/1/minutes.json";
    auto env = crypto::parse_envelope(read_file(p));
    REQUIRE(env);
    env->signatures[2] = env->signatures[1];
    write_file(p, crypto::serialize(*env));
    expect_failure(b, "countersignatures");
  }
  SECTION("a certification claim the signatures do not support") {
    const fs::path b = g.copy("claim");
    const fs::path p = b / "rounds/chair/1/minutes.json";
    edit_json(p, [&](json::value& v) {
      v.as_object()["certification"] = json::object{{"certified", true}, {"required", 1}};
    });
    expect_failure(b, "certification");
  }
  SECTION("an edited session definition") {
    const fs::path b = g.copy("session");
    edit_json(b / "session.json",
              [&](json::value& v) { v.as_object()["title"] = "Another congress"; });
    expect_failure(b, "command log chain");
    expect_failure(b, "minutes facts");
  }
  SECTION("a box out of leaf-hash order") {
    const fs::path b = g.copy("unsorted");
    auto lines = lines_of(b / "rounds/cc/1/ballots.jsonl");
    std::swap(lines[0], lines[1]);
    write_lines(b / "rounds/cc/1/ballots.jsonl", lines);
    expect_failure(b, "box order");
  }
  SECTION("the same ballot twice in the box") {
    const fs::path b = g.copy("duplicate");
    auto lines = lines_of(b / "rounds/cc/1/ballots.jsonl");
    lines.insert(lines.begin() + 4, lines[4]);
    write_lines(b / "rounds/cc/1/ballots.jsonl", lines);
    expect_failure(b, "box order");
  }
  SECTION("an extra token hash") {
    const fs::path b = g.copy("extra-token");
    auto lines = lines_of(b / "rounds/cc/1/tokens.txt");
    lines.push_back(crypto::to_hex(crypto::sha256("extra")));
    std::sort(lines.begin(), lines.end());
    write_lines(b / "rounds/cc/1/tokens.txt", lines);
    expect_failure(b, "token set");
    expect_failure(b, "token root");
  }
  SECTION("a terminal's key swapped in keys.json") {
    const fs::path b = g.copy("keys");
    edit_json(b / "keys.json", [&](json::value& v) {
      v.at("terminals").as_array()[0].as_object()["public_key"] =
          Keys::get().stranger.public_key().pem();
    });
    expect_failure(b, "keys file");
  }
  // Each key record's keyid must be its own key's (SHA-256 of the DER SubjectPublicKeyInfo):
  // here it is still valid hex, but another key's.
  SECTION("the station's keyid in keys.json naming another key") {
    const fs::path b = g.copy("keyid-station");
    edit_json(b / "keys.json", [&](json::value& v) {
      v.at("station").as_object()["keyid"] = Keys::get().member1.keyid();
    });
    expect_failure(b, "keys file");
  }
  SECTION("an official's keyid in keys.json naming another key") {
    const fs::path b = g.copy("keyid-official");
    edit_json(b / "keys.json", [&](json::value& v) {
      json::object& o1 = v.at("officials").as_array()[0].as_object();
      REQUIRE(o1.at("keyid").as_string() == Keys::get().official1.keyid());
      o1["keyid"] = Keys::get().official2.keyid();
    });
    expect_failure(b, "keys file");
  }
  SECTION("a committee member's keyid in keys.json naming another key") {
    const fs::path b = g.copy("keyid-member");
    edit_json(b / "keys.json", [&](json::value& v) {
      json::object& m2 = v.at("counting_committee").as_array()[1].as_object();
      REQUIRE(m2.at("keyid").as_string() == Keys::get().member2.keyid());
      m2["keyid"] = Keys::get().member1.keyid();
    });
    expect_failure(b, "keys file");
  }
  SECTION("a terminal's keyid in keys.json naming another key") {
    const fs::path b = g.copy("keyid-terminal");
    edit_json(b / "keys.json", [&](json::value& v) {
      for (json::value& t : v.at("terminals").as_array()) {
        if (t.at("id").as_string() == "t2") t.as_object()["keyid"] = Keys::get().t3.keyid();
      }
    });
    expect_failure(b, "keys file");
  }
  SECTION("a key record without its keyid") {
    const fs::path b = g.copy("keyid-missing");
    edit_json(b / "keys.json", [&](json::value& v) {
      v.at("counting_committee").as_array()[0].as_object().erase("keyid");
    });
    expect_failure(b, "keys file");
  }
  SECTION("a box written with CRLF line ends") {
    // JSON allows the CR after the envelope; the bundle's line format does not (as in
    // commands.jsonl and tokens.txt).
    const fs::path b = g.copy("crlf");
    auto lines = lines_of(b / "rounds/cc/1/ballots.jsonl");
    for (std::string& l : lines) l += "\r";
    write_lines(b / "rounds/cc/1/ballots.jsonl", lines);
    expect_failure(b, "ballot signatures");
  }
  SECTION("a blank line in the box") {
    const fs::path b = g.copy("blank-line");
    auto lines = lines_of(b / "rounds/cc/1/ballots.jsonl");
    lines.insert(lines.begin() + 3, "");
    write_lines(b / "rounds/cc/1/ballots.jsonl", lines);
    expect_failure(b, "ballot signatures");
  }
  SECTION("a round's minutes missing") {
    const fs::path b = g.copy("no-minutes");
    fs::remove(b / "rounds/chair/1/minutes.json");
    expect_failure(b, "rounds present");
  }
  SECTION("minutes with an unchecked extra member") {
    const fs::path b = g.copy("extra-member");
    resign_minutes(b, "cc/1", [](json::object& m) { m["winner"] = "c6"; });
    expect_failure(b, "minutes facts");
  }
  SECTION("people members in the minutes of a session without a register") {
    // Without a register nothing backs an attendance or a composition: they are unknown members
    // (docs/audit.md "minutes facts"), and the people checks are not run.
    for (const std::string member : {"attendance", "composition"}) {
      const fs::path b = g.copy("people-without-register");
      resign_minutes(b, "cc/1", [&](json::object& m) {
        m[member] = json::object{{"convened", 300}, {"present", 290}};
      });
      const verify::Report r = verify::verify_bundle(b);
      INFO(r.text());
      const verify::Check* facts = r.failed("minutes facts", "round cc/1");
      REQUIRE(facts != nullptr);
      CHECK(facts->problems ==
            std::vector<std::string>{"minutes carry an unknown member \"" + member + "\""});
      CHECK(r.find("attendance") == nullptr);
      CHECK(r.find("composition") == nullptr);
    }
  }
  SECTION("minutes that repeat a member (another parser reads the other value)") {
    const fs::path b = g.copy("repeated-member");
    resign_minutes_text(b, "cc/1", [](const std::string& payload) {
      return "{\"elected\":[\"c6\"]," + payload.substr(1);
    });
    expect_failure(b, "round ballot");
  }
  SECTION("minutes whose seats only match the session modulo 2^32") {
    const fs::path b = g.copy("seats-wrap");
    resign_minutes(b, "cc/1", [](json::object& m) {
      m["seats"] = (std::uint64_t{1} << 32) + m.at("seats").to_number<std::uint64_t>();
    });
    expect_failure(b, "round ballot");
  }
  SECTION("a certification claim that is not an object") {
    const fs::path b = g.copy("claim-type");
    const fs::path p = b / "rounds/chair/1/minutes.json";
    edit_json(p, [&](json::value& v) { v.as_object()["certification"] = true; });
    expect_failure(b, "certification");
  }
  SECTION("keys.json listing one terminal twice and leaving another out") {
    const fs::path b = g.copy("keys-twice");
    edit_json(b / "keys.json", [&](json::value& v) {
      json::array& t = v.at("terminals").as_array();
      REQUIRE(t.size() == 3);
      t[2] = t[0];
    });
    expect_failure(b, "keys file");
  }
  SECTION("keys.json giving a terminal a state that is neither enrolled nor revoked") {
    const fs::path b = g.copy("keys-state");
    edit_json(b / "keys.json", [&](json::value& v) {
      for (json::value& t : v.at("terminals").as_array()) {
        if (t.at("state").as_string() == "enrolled") t.as_object()["state"] = "lost";
      }
    });
    expect_failure(b, "keys file");
  }
  SECTION("the station's key also a counting-committee member's") {
    const fs::path b = g.copy("station-member");
    edit_json(b / "session.json", [&](json::value& v) {
      v.at("counting_committee")
          .at("members")
          .as_array()
          .push_back(json::object{{"id", "m9"},
                                  {"name", "The Station"},
                                  {"public_key", g.station_key().public_key().pem()}});
    });
    // keys.json agrees with that session, so only the double role is left to find.
    edit_json(b / "keys.json", [&](json::value& keys) {
      keys.at("counting_committee")
          .as_array()
          .push_back(json::object{{"id", "m9"},
                                  {"keyid", g.station_key().keyid()},
                                  {"public_key", g.station_key().public_key().pem()}});
    });
    expect_failure(b, "keys file");
  }
  SECTION("a terminal whose key is an official's") {
    const fs::path b = g.copy("terminal-official");
    const std::string pem = Keys::get().official1.public_key().pem();
    edit_json(b / "session.json", [&](json::value& v) {
      for (json::value& t : v.at("terminals").as_array()) {
        if (t.at("id").as_string() == "t1") t.as_object()["public_key"] = pem;
      }
    });
    edit_json(b / "keys.json", [&](json::value& keys) {
      for (json::value& t : keys.at("terminals").as_array()) {
        if (t.at("id").as_string() == "t1") t.as_object()["public_key"] = pem;
      }
    });
    expect_failure(b, "keys file");
  }
  SECTION("minutes.json with an unsigned member beside the envelope") {
    const fs::path b = g.copy("envelope-extra");
    const fs::path p = b / "rounds/cc/1/minutes.json";
    edit_json(p, [&](json::value& v) { v.as_object()["elected"] = json::array{"c6"}; });
    expect_failure(b, "certification");
  }
  SECTION("a session rule set the verifier does not know is not recounted under another") {
    const fs::path b = g.copy("rule-set");
    edit_json(b / "session.json", [&](json::value& v) {
      for (json::value& c : v.at("contests").as_array()) {
        if (c.at("id").as_string() == "cc") c.as_object()["rule_set"] = "strict-2030";
      }
    });
    expect_failure(b, "round ballot");
  }
  SECTION("a ballot carrying an unverified second signature") {
    const fs::path b = g.copy("second-signature");
    auto lines = lines_of(b / "rounds/cc/1/ballots.jsonl");
    auto env = crypto::parse_envelope(lines[2]);
    REQUIRE(env);
    env->signatures.push_back(crypto::Signature{Keys::get().t2.keyid(), std::string(64, 'x')});
    lines[2] = crypto::serialize(*env);
    write_lines(b / "rounds/cc/1/ballots.jsonl", lines);
    expect_failure(b, "ballot signatures");
  }
  SECTION("a command whose payload repeats a member") {
    const fs::path b = g.copy("command-repeat");
    auto lines = lines_of(b / "commands.jsonl");
    auto env = crypto::parse_envelope(lines[1]);
    REQUIRE(env);
    const Keys& k = Keys::get();
    const crypto::SecretKey& key =
        env->signatures[0].keyid == k.official1.keyid() ? k.official1 : k.official2;
    const std::string payload = "{\"command\":\"conclude_contest\"," + env->payload.substr(1);
    lines[1] = crypto::serialize(crypto::make_envelope(key, env->payload_type, payload));
    write_lines(b / "commands.jsonl", lines);
    expect_failure(b, "command sequence");
  }
}

namespace {

// The minutes of cc/1 as a station signed them before the minutes carried codes only: with
// `outcome_message`, where those stations wrote it (after percent_of_basis), saying `said`.
void legacy_minutes(const fs::path& bundle, const std::string& said) {
  resign_minutes(bundle, "cc/1", [&](json::object& m) {
    json::object old;
    for (const auto& kv : m) {
      old[kv.key()] = kv.value();
      if (kv.key() == "percent_of_basis") old["outcome_message"] = said;
    }
    REQUIRE(old.contains("outcome_message"));
    m = std::move(old);
  });
}

}  // namespace

TEST_CASE(
    "a bundle exported before the minutes carried codes only verifies only if its "
    "outcome_message is the sentence those stations wrote",
    "[bundle][legacy]") {
  const GoodBundle& g = GoodBundle::get();
  // cc/1: 12 ballots against a basis of 300 convened: no one reaches the threshold.
  const std::string written =
      "3 seat(s) unfilled: the congress decides whether to hold another round among the "
      "candidates not yet elected";

  SECTION("the exported minutes carry no outcome_message") {
    auto env = crypto::parse_envelope(read_file(g.bundle / "rounds/cc/1/minutes.json"));
    REQUIRE(env);
    const json::object m = json::parse(env->payload).as_object();
    CHECK(m.at("outcome").as_string() == "unfilled");
    CHECK_FALSE(m.contains("outcome_message"));
  }
  SECTION("the sentence as written passes recount, which says it checked the legacy member") {
    const fs::path b = g.copy("legacy");
    legacy_minutes(b, written);
    const verify::Report r = verify::verify_bundle(b);
    INFO(r.text());
    CHECK(r.ok());
    const verify::Check* recount = r.find("recount", "round cc/1");
    REQUIRE(recount != nullptr);
    CHECK(recount->state == verify::CheckState::ok);
    CHECK(recount->note.find("legacy member outcome_message") != std::string::npos);
    CHECK(r.find("minutes facts", "round cc/1")->state == verify::CheckState::ok);
    // The round without it says nothing of a legacy member.
    CHECK(r.find("recount", "round chair/1")->note.empty());
  }
  SECTION("an altered sentence fails recount, naming both texts") {
    const fs::path b = g.copy("legacy-altered");
    legacy_minutes(b,
                   "2 seat(s) unfilled: the congress decides whether to hold another round "
                   "among the candidates not yet elected");
    expect_failure(b, "recount");
    const verify::Report r = verify::verify_bundle(b);
    const verify::Check* recount = r.failed("recount", "round cc/1");
    REQUIRE(recount != nullptr);
    REQUIRE(recount->problems.size() == 1);
    CHECK(recount->problems[0].find("outcome_message") != std::string::npos);
    CHECK(recount->problems[0].find(written) != std::string::npos);
  }
  SECTION("today's wording, or another language, is not the legacy sentence: it fails") {
    for (const char* said :
         {"3 seats unfilled: the congress decides whether to hold another round among the "
          "candidates not yet elected",
          "Chưa bầu đủ, còn thiếu 3 người: Đại hội quyết định có bầu tiếp hay không trong số "
          "những người chưa trúng cử"}) {
      const fs::path b = g.copy("legacy-reworded");
      legacy_minutes(b, said);
      expect_failure(b, "recount");
    }
  }
}

TEST_CASE("unreadable bundle files are not a verdict", "[bundle]") {
  const GoodBundle& g = GoodBundle::get();
  const fs::path b = g.copy("unreadable");
  write_file(b / "session.json", "{not json");
  CHECK_THROWS_AS(verify::verify_bundle(b), verify::UnreadableBundle);
}

TEST_CASE("a delegate's receipt is checked against the published box", "[bundle][receipt]") {
  const GoodBundle& g = GoodBundle::get();
  const fs::path receipt = g.dir / "receipt.json";
  write_file(receipt, g.receipt);
  SECTION("a receipt of a counted ballot holds") {
    const verify::Report r = verify::verify_receipt(receipt, g.bundle);
    INFO(r.text());
    CHECK(r.ok());
  }
  SECTION("a ballot left out of the box fails the inclusion check") {
    const fs::path b = g.copy("receipt-removed");
    auto env = crypto::parse_envelope(g.receipt);
    const std::string hash = std::string(json::parse(env->payload).at("ballot_hash").as_string());
    auto lines = lines_of(b / "rounds/cc/1/ballots.jsonl");
    std::erase_if(lines, [&](const std::string& l) {
      return crypto::to_hex(crypto::leaf_hash(crypto::parse_envelope(l)->payload)) == hash;
    });
    REQUIRE(lines.size() == 11);
    write_lines(b / "rounds/cc/1/ballots.jsonl", lines);
    const verify::Report r = verify::verify_receipt(receipt, b);
    CHECK(r.failed("receipt inclusion") != nullptr);
  }
  SECTION("a receipt whose round directory holds another round's box and minutes") {
    const fs::path b = g.copy("receipt-swapped");
    for (const char* f : {"ballots.jsonl", "minutes.json", "tokens.txt"}) {
      fs::copy_file(b / "rounds/chair/1" / f, b / "rounds/cc/1" / f,
                    fs::copy_options::overwrite_existing);
    }
    auto first = crypto::parse_envelope(lines_of(b / "rounds/cc/1/ballots.jsonl")[0]);
    REQUIRE(first);
    const std::string payload =
        make_receipt_payload("cc2026", "cc", 1, crypto::to_hex(crypto::leaf_hash(first->payload)));
    const fs::path forged = g.dir / "swapped-receipt.json";
    write_file(forged, crypto::serialize(crypto::make_envelope(
                           g.station_key(), crypto::payload_type::kReceipt, payload)));
    const verify::Report r = verify::verify_receipt(forged, b);
    INFO(r.text());
    CHECK(r.failed("receipt inclusion") != nullptr);
  }
  SECTION("a receipt whose contest is a path out of its directory is unreadable") {
    auto first = crypto::parse_envelope(lines_of(g.bundle / "rounds/cc/1/ballots.jsonl")[0]);
    REQUIRE(first);
    const std::string payload = make_receipt_payload(
        "cc2026", "../rounds/cc", 1, crypto::to_hex(crypto::leaf_hash(first->payload)));
    const fs::path forged = g.dir / "path-receipt.json";
    write_file(forged, crypto::serialize(crypto::make_envelope(
                           g.station_key(), crypto::payload_type::kReceipt, payload)));
    CHECK_THROWS_AS(verify::verify_receipt(forged, g.bundle), verify::UnreadableBundle);
  }
  SECTION("a receipt not signed by the station fails its signature check") {
    auto env = crypto::parse_envelope(g.receipt);
    env->signatures = {
        crypto::sign_envelope(Keys::get().stranger, env->payload_type, env->payload)};
    const fs::path forged = g.dir / "forged-receipt.json";
    write_file(forged, crypto::serialize(*env));
    CHECK(verify::verify_receipt(forged, g.bundle).failed("receipt signature") != nullptr);
  }
}

TEST_CASE("a further round's list is open_round's, not one the station shortened", "[bundle]") {
  // cc/1 fills no seat (3 ballots); cc/2 is opened on c1..c5 only, by open_round's candidates.
  const fs::path dir = temp_dir("bundle-further");
  const fs::path bundle = dir / "bundle";
  Station s("bundle-further-src");
  const Keys& k = Keys::get();
  auto tokens = s.open_cc(10);
  for (int i = 0; i < 3; ++i) REQUIRE(s.ballot(tokens[i], {"c1"}, &k.t1).status == 200);
  Station::expect_ok(s.command("close_round", {{"contest", "cc"}, {"round", 1}}));
  auto issued = Station::expect_ok(
      s.command("issue_tokens", {{"contest", "cc"}, {"round", 2}, {"count", 5}}));
  std::vector<std::string> t2;
  for (const auto& t : issued.at("result").at("tokens").as_array()) t2.emplace_back(t.as_string());
  Station::expect_ok(
      s.command("open_round",
                {{"contest", "cc"}, {"round", 2}, {"candidates", {"c1", "c2", "c3", "c4", "c5"}}}));
  for (int i = 0; i < 2; ++i) REQUIRE(s.ballot(t2[i], {"c1"}, &k.t1, "cc", 2).status == 200);
  Station::expect_ok(s.command("close_round", {{"contest", "cc"}, {"round", 2}}));
  REQUIRE(ctl::export_bundle(s.data(), bundle).has_value());
  const crypto::SecretKey station =
      *crypto::SecretKey::from_pem(read_file(s.data() / "station.key"));
  {
    const verify::Report r = verify::verify_bundle(bundle);
    INFO(r.text());
    REQUIRE(r.ok());
  }

  // The same box and minutes with open_round's candidates taken out of the log (the log signed
  // and chained again, the minutes' audit_log_head to match): c6 was left off without a word.
  auto lines = lines_of(bundle / "commands.jsonl");
  std::size_t open2 = lines.size(), close2 = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto env = crypto::parse_envelope(lines[i]);
    REQUIRE(env);
    json::value p = json::parse(env->payload);
    const json::object& a = p.at("args").as_object();
    if (a.if_contains("round") && a.at("round").to_number<int>() == 2) {
      if (p.at("command").as_string() == "open_round") {
        open2 = i;
        p.at("args").as_object().erase("candidates");
        lines[i] = crypto::serialize(
            crypto::make_envelope(k.official1, env->payload_type, json::serialize(p)));
      } else if (p.at("command").as_string() == "close_round") {
        close2 = i;
      }
    }
  }
  REQUIRE(open2 < close2);
  REQUIRE(close2 < lines.size());
  write_lines(bundle / "commands.jsonl", lines);
  crypto::Digest head = crypto::sha256(read_file(bundle / "session.json"));
  std::string before_close;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i == close2) before_close = crypto::to_hex(head);
    const crypto::Digest inner = crypto::sha256(lines[i]);
    std::string buf(reinterpret_cast<const char*>(head.data()), head.size());
    buf.append(reinterpret_cast<const char*>(inner.data()), inner.size());
    head = crypto::sha256(buf);
  }
  write_file(
      bundle / "command_log.json",
      json::serialize(json::object{{"size", lines.size()}, {"head", crypto::to_hex(head)}}) + "\n");
  const fs::path p = bundle / "rounds/cc/2/minutes.json";
  auto env = crypto::parse_envelope(read_file(p));
  REQUIRE(env);
  json::value m = json::parse(env->payload);
  m.as_object()["audit_log_head"] = before_close;
  write_file(p, crypto::serialize(crypto::make_envelope(station, crypto::payload_type::kResult,
                                                        json::serialize(m))) +
                    "\n");
  const verify::Report r = verify::verify_bundle(bundle);
  INFO(r.text());
  CHECK(r.failed("command log chain") == nullptr);
  CHECK(r.failed("minutes facts") == nullptr);
  CHECK(r.failed("round ballot", "round cc/2") != nullptr);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST_CASE("a ballot checked before its round opened is judged against that round's list",
          "[bundle][rounds]") {
  // Intake checks a ballot's marks on a worker before the writer commits it. A ballot for cc/2
  // checked while cc/2 was still pending saw no list of its own (the session's); open_round
  // then commits before the ballot does, on a shorter list. The writer judges the marks against
  // the list of the round the ballot is committed to: c3 is not on cc/2's list.
  const fs::path dir = temp_dir("bundle-stale-list");
  const fs::path bundle = dir / "bundle";
  StationOptions opts;
  opts.inject_faults = true;
  Station s("stale-list-src", opts);
  const Keys& k = Keys::get();
  auto tokens = s.open_cc(10);
  for (int i = 0; i < 3; ++i) REQUIRE(s.ballot(tokens[i], {"c1"}, &k.t1).status == 200);
  Station::expect_ok(s.command("close_round", {{"contest", "cc"}, {"round", 1}}));  // unfilled
  auto issued = Station::expect_ok(
      s.command("issue_tokens", {{"contest", "cc"}, {"round", 2}, {"count", 5}}));
  std::vector<std::string> t2;
  for (const auto& t : issued.at("result").at("tokens").as_array()) t2.emplace_back(t.as_string());

  auto signed_command = [&](const std::string& name, json::object args) {
    return sign_command(k.official1, make_command_payload("cc2026", ++s.seq(), "o1", name, args));
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  FaultyStore& faults = *s.app().faults();
  // The writer is held inside a commit; open_round queues behind it, then the two ballots are
  // checked (round 2 has no list yet) and queue behind open_round.
  faults.hold_commits();
  auto attendance =
      s.start("POST", "/v1/commands", signed_command("record_attendance", {{"present", 250}}));
  REQUIRE(faults.wait_until_commit_held(deadline));
  auto open = s.start(
      "POST", "/v1/commands",
      signed_command("open_round",
                     {{"contest", "cc"}, {"round", 2}, {"candidates", json::array{"c1", "c2"}}}));
  REQUIRE(s.app().wait_for_queued(1, deadline));
  auto off_list =
      s.start("POST", "/v1/ballots", Station::ballot_body(t2[0], {"c3"}, &k.t1, "cc", 2));
  auto on_list =
      s.start("POST", "/v1/ballots", Station::ballot_body(t2[1], {"c1"}, &k.t1, "cc", 2));
  REQUIRE(s.app().wait_for_queued(3, deadline));
  faults.release_commits();
  Station::expect_ok(Station::wait(std::move(attendance)));
  Station::expect_ok(Station::wait(std::move(open)));
  CHECK(error_code_of(Station::wait(std::move(off_list))) == "unknown_candidate");
  CHECK(Station::wait(std::move(on_list)).status == 200);
  // Refused, so its token is still unspent.
  CHECK(s.ballot(t2[0], {"c2"}, &k.t1, "cc", 2).status == 200);

  auto closed = Station::expect_ok(s.command("close_round", {{"contest", "cc"}, {"round", 2}}));
  CHECK(closed.at("result").at("minutes").at("outcome").as_string() == "unfilled");
  REQUIRE(ctl::export_bundle(s.data(), bundle).has_value());
  const verify::Report r = verify::verify_bundle(bundle);
  INFO(r.text());
  CHECK(r.ok());
  CHECK(r.find("ballot payloads", "round cc/2")->passed == 2);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// A round for alternate places only is opened with seats = the alternate places left and
// alternates 0 (tally::next_round_contest); station and verifier agree because both take the
// round's list and places from the congress rules.
TEST_CASE("a round for alternate places only verifies", "[bundle][rounds]") {
  const fs::path dir = temp_dir("bundle-alternates");
  const fs::path bundle = dir / "bundle";
  Station s("bundle-alternates-src");
  const Keys& k = Keys::get();
  // cc: 3 seats and 1 alternate, threshold 151 of 300. c1..c3 get 160 votes, nobody else any:
  // every seat is filled, the alternate place is not.
  auto tokens = s.open_cc(160);
  std::vector<std::future<HttpResponse>> replies;
  for (const std::string& t : tokens) {
    replies.push_back(
        s.start("POST", "/v1/ballots", Station::ballot_body(t, {"c1", "c2", "c3"}, &k.t1)));
  }
  for (auto& r : replies) REQUIRE(Station::wait(std::move(r)).status == 200);
  auto closed = Station::expect_ok(s.command("close_round", {{"contest", "cc"}, {"round", 1}}));
  REQUIRE(closed.at("result").at("minutes").at("outcome").as_string() == "complete");
  auto issued = Station::expect_ok(
      s.command("issue_tokens", {{"contest", "cc"}, {"round", 2}, {"count", 2}}));
  auto opened = Station::expect_ok(s.command("open_round", {{"contest", "cc"}, {"round", 2}}));
  CHECK(opened.at("result").at("ballot").at("alternates_only").as_bool());
  const std::string t2(issued.at("result").at("tokens").as_array().at(0).as_string());
  REQUIRE(s.ballot(t2, {"c4"}, &k.t1, "cc", 2).status == 200);
  Station::expect_ok(s.command("close_round", {{"contest", "cc"}, {"round", 2}}));
  REQUIRE(ctl::export_bundle(s.data(), bundle).has_value());
  const verify::Report r = verify::verify_bundle(bundle);
  INFO(r.text());
  std::error_code ec;
  fs::remove_all(dir, ec);
  CHECK(r.ok());
}
