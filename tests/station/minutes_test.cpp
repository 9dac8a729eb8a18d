// The counting minutes and certification as pure functions: payloads checked member by member
// against hand-computed counts, every refusal of countersigning, and the ballot box inclusion
// proof. (The further-round rules are the congress rules': tests/congress/.)
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "crypto/dsse.hpp"
#include "crypto/merkle.hpp"
#include "station/app/countersign.hpp"
#include "station/app/messages.hpp"
#include "station/app/minutes.hpp"
#include "station/ctl/tables.hpp"

using namespace tallystation;
using namespace tallystation::station;
namespace json = boost::json;

namespace {

ContestDef committee() {
  ContestDef c;
  c.id = "cc";
  c.title = "Executive Committee";
  c.seats = 3;
  c.candidates = {{"a", "Anna"}, {"b", "Bao"}, {"c", "Chi"}, {"d", "Dung"}, {"e", "Em"}};
  c.rule_set = "cpv-2024";
  c.majority_basis = "convened";
  return c;
}

MinutesFacts facts_for(const ContestDef& contest, std::uint32_t round, RoundBallot ballot,
                       congress::ContestState before = {}) {
  MinutesFacts f;
  f.session_id = "s1";
  f.config_hash = std::string(64, 'c');
  f.convened = 10;
  f.contest = &contest;
  f.round = round;
  f.ballot = std::move(ballot);
  f.present = 10;
  f.ballots_issued = 10;
  f.box_root = std::string(64, 'b');
  f.audit_log_head = std::string(64, 'h');
  f.before = std::move(before);
  for (const Candidate& c : contest.candidates) f.before.known.push_back(c);
  return f;
}

std::vector<std::string> box(std::uint32_t round,
                             const std::vector<std::vector<std::string>>& marks) {
  std::vector<std::string> out;
  int i = 0;
  for (const auto& m : marks) {
    out.push_back(make_ballot_payload("s1", "cc", round, "tok" + std::to_string(i++), m));
  }
  return out;
}

// Round 1 by hand: basis = convened 10, threshold 6.
// a: ballots 1-6,8,9 = 8; b: 1,2,4,5,7,8,9 = 7; c: 1,3,4,6,7,8 = 6; d: 2,3,5,6,7,9 = 6; e: 0.
// a and b elected; c and d tie at the last seat, both at the threshold. Ballot 10 is empty on a
// list with a surplus: invalid (all_crossed_out).
const std::vector<std::vector<std::string>> kRound1 = {
    {"a", "b", "c"}, {"a", "b", "d"}, {"a", "c", "d"}, {"a", "b", "c"}, {"a", "b", "d"},
    {"a", "c", "d"}, {"b", "c", "d"}, {"a", "b", "c"}, {"a", "b", "d"}, {}};

std::vector<std::string> ids(const json::value& v) {
  std::vector<std::string> out;
  for (const json::value& e : v.as_array()) out.emplace_back(e.as_string());
  return out;
}

}  // namespace

TEST_CASE("the minutes carry the contract's members in its order, counted by hand", "[minutes]") {
  const ContestDef cc = committee();
  const auto payloads = box(1, kRound1);
  const Minutes m = make_minutes(facts_for(cc, 1, first_round_ballot(cc)), payloads);
  const json::object p = json::parse(m.payload).as_object();

  const std::vector<std::string> contract_order = {"session",
                                                   "contest",
                                                   "round",
                                                   "title",
                                                   "seats",
                                                   "rule_set",
                                                   "majority_basis",
                                                   "basis",
                                                   "threshold",
                                                   "convened",
                                                   "excluded",
                                                   "present",
                                                   "ballots_issued",
                                                   "ballots_collected",
                                                   "valid",
                                                   "invalid",
                                                   "tally",
                                                   "elected",
                                                   "elected_alternates",
                                                   "outcome",
                                                   "tied",
                                                   "seats_unfilled",
                                                   "ballot_box",
                                                   "config_hash",
                                                   "audit_log_head"};
  std::vector<std::string> keys;
  for (const auto& kv : p) keys.emplace_back(kv.key());
  REQUIRE(keys.size() > contract_order.size());
  CHECK(std::vector<std::string>(keys.begin(), keys.begin() + 25) == contract_order);

  CHECK(p.at("session").as_string() == "s1");
  CHECK(p.at("round").as_int64() == 1);
  CHECK(p.at("title").as_string() == "Executive Committee");
  CHECK(p.at("seats").as_int64() == 3);
  CHECK(p.at("rule_set").as_string() == "cpv-2024");
  CHECK(p.at("majority_basis").as_string() == "convened");
  CHECK(p.at("basis").as_int64() == 10);
  CHECK(p.at("threshold").as_int64() == 6);
  CHECK(p.at("present").as_int64() == 10);
  CHECK(p.at("ballots_issued").as_int64() == 10);
  CHECK(p.at("ballots_collected").as_int64() == 10);
  CHECK(p.at("valid").as_int64() == 9);
  CHECK(p.at("invalid").as_int64() == 1);
  CHECK(json::serialize(p.at("tally")) ==
        R"([{"candidate":"a","name":"Anna","votes":8},{"candidate":"b","name":"Bao","votes":7},)"
        R"({"candidate":"c","name":"Chi","votes":6},{"candidate":"d","name":"Dung","votes":6},)"
        R"({"candidate":"e","name":"Em","votes":0}])");
  CHECK(ids(p.at("elected")) == std::vector<std::string>{"a", "b"});
  CHECK(ids(p.at("elected_alternates")).empty());
  CHECK(p.at("outcome").as_string() == "tie");
  CHECK(ids(p.at("tied")) == std::vector<std::string>{"c", "d"});
  CHECK(p.at("seats_unfilled").as_int64() == 1);
  CHECK(p.at("ballot_box").at("size").as_int64() == 10);
  CHECK(p.at("ballot_box").at("root").as_string() == std::string(64, 'b'));
  CHECK(p.at("config_hash").as_string() == std::string(64, 'c'));
  CHECK(p.at("audit_log_head").as_string() == std::string(64, 'h'));
  // Extras.
  CHECK(p.at("percent_of_basis").at("a").as_string() == "80.00");
  CHECK(p.at("percent_of_basis").at("c").as_string() == "60.00");
  CHECK(p.at("invalid_by_reason").at("all_crossed_out").as_int64() == 1);
  CHECK(p.at("next_step").at("step").as_string() == "runoff");
  CHECK(ids(p.at("next_step").at("eligible")) == std::vector<std::string>{"c", "d"});
  CHECK(ids(p.at("elected_so_far")) == std::vector<std::string>{"a", "b"});
  // The same facts and box give the same bytes (they are signed and countersigned).
  CHECK(make_minutes(facts_for(cc, 1, first_round_ballot(cc)), payloads).payload == m.payload);
}

TEST_CASE("attendance not yet recorded is null in the minutes", "[minutes]") {
  const ContestDef cc = committee();
  MinutesFacts f = facts_for(cc, 1, first_round_ballot(cc));
  f.present.reset();
  const json::object p = json::parse(make_minutes(f, box(1, kRound1)).payload).as_object();
  CHECK(p.at("present").is_null());
}

namespace {

// Every string of the payload but the session's own title and names, recursively.
void strings_of(const json::value& v, std::string_view key, std::vector<std::string>& out) {
  if (key == "title" || key == "name") return;
  if (v.is_string()) out.emplace_back(v.get_string());
  if (v.is_array()) {
    for (const json::value& e : v.get_array()) strings_of(e, key, out);
  }
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) strings_of(kv.value(), kv.key(), out);
  }
}

}  // namespace

TEST_CASE("the minutes name the outcome by codes and numbers, never in words of one language",
          "[minutes]") {
  const ContestDef cc = committee();
  const Minutes m = make_minutes(facts_for(cc, 1, first_round_ballot(cc)), box(1, kRound1));
  const json::object p = json::parse(m.payload).as_object();
  CHECK_FALSE(p.contains("outcome_message"));
  // Codes, ids, hex and decimal numbers: no string holds a space, so none is a sentence.
  std::vector<std::string> strings;
  strings_of(p, "", strings);
  REQUIRE_FALSE(strings.empty());
  for (const std::string& s : strings) {
    CAPTURE(s);
    CHECK(s.find(' ') == std::string::npos);
  }
  // Whoever shows the minutes renders the sentence from those codes, in the reader's language.
  CHECK(ctl::outcome_sentence(p, tally::Language::en) ==
        "A tie at the last seat: a run-off among the 2 tied candidates for 1 seat");
  CHECK(ctl::outcome_sentence(p, tally::Language::vi) ==
        "Có số phiếu bằng nhau ở vị trí cuối: bầu lại giữa 2 người bằng phiếu để chọn 1 người");
  CHECK(ctl::render_minutes(p, {}, tally::Language::vi)
            .find("Kết quả bầu cử: Có số phiếu bằng nhau ở vị trí cuối") != std::string::npos);
  CHECK(ctl::render_minutes(p, {}, tally::Language::en)
            .find("outcome: tie - A tie at the last seat") != std::string::npos);
  // A code this build does not know is shown as the code, with no sentence.
  json::object unknown = p;
  unknown["outcome"] = "postponed";
  CHECK(ctl::outcome_sentence(unknown, tally::Language::en).empty());
  CHECK(ctl::render_minutes(unknown, {}, tally::Language::en).find("outcome: postponed\n") !=
        std::string::npos);
}

TEST_CASE("a round's ballot survives its stored JSON form", "[minutes]") {
  RoundBallot b{2, 1, true, {{"x", "Xuân"}, {"y", "Yến"}}};
  auto back = parse_round_ballot(to_json(b));
  REQUIRE(back.has_value());
  CHECK(*back == b);
  CHECK_FALSE(parse_round_ballot("{}").has_value());
  CHECK_FALSE(
      parse_round_ballot(
          R"({"seats":1,"alternates":0,"alternates_only":false,"candidates":[{"id":1,"name":"x"}]})")
          .has_value());
}

namespace {

struct Committee {
  crypto::SecretKey station = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey m1 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey m2 = crypto::SecretKey::generate(crypto::KeyType::ecdsa_p256);
  crypto::SecretKey m3 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey outsider = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  Session session;
  Committee() {
    session.id = "s1";
    session.committee = {{"m1", "Member One", m1.public_key()},
                         {"m2", "Member Two", m2.public_key()},
                         {"m3", "Member Three", m3.public_key()}};
    session.officials = {{"o1", "Official", outsider.public_key()}};
    session.required_signatures = 2;
  }
  crypto::Envelope minutes(std::string payload = R"({"minutes":1})") const {
    return crypto::make_envelope(station, crypto::payload_type::kResult, payload);
  }
  static crypto::Signature sign(const crypto::SecretKey& k, const crypto::Envelope& e) {
    return crypto::sign_envelope(k, e.payload_type, e.payload);
  }
};

}  // namespace

TEST_CASE("countersignatures by committee members certify the minutes", "[certify]") {
  const Committee c;
  crypto::Envelope env = c.minutes();
  Certification none = certification(env, c.session, c.station.public_key());
  CHECK(none.station_signed);
  CHECK_FALSE(none.certified);
  CHECK(none.missing == std::vector<std::string>{"m1", "m2", "m3"});

  const crypto::Signature s2 = Committee::sign(c.m2, env);
  auto one = add_countersignatures(env, std::vector{s2}, c.session);
  REQUIRE(one.has_value());
  CHECK_FALSE(certification(*one, c.session, c.station.public_key()).certified);

  // Any DSSE tool's envelope over the same bytes is accepted as well.
  crypto::Envelope theirs = env;
  theirs.signatures = {Committee::sign(c.m1, env)};
  auto offered = parse_countersignatures(crypto::serialize(theirs), *one);
  REQUIRE(offered.has_value());
  auto two = add_countersignatures(*one, *offered, c.session);
  REQUIRE(two.has_value());
  const Certification cert = certification(*two, c.session, c.station.public_key());
  CHECK(cert.certified);
  CHECK(cert.signed_by == std::vector<std::string>{"m1", "m2"});
  CHECK(cert.missing == std::vector<std::string>{"m3"});
  const json::object j = to_json(cert, c.session);
  CHECK(j.at("certified").as_bool());
  CHECK(j.at("signed_by").as_array().at(0).at("name").as_string() == "Member One");

  SECTION("the same member twice is refused") {
    auto again = add_countersignatures(*two, std::vector{s2}, c.session);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().message.find("already signed") != std::string::npos);
  }
  SECTION("a non-member's signature is refused") {
    auto r = add_countersignatures(env, std::vector{Committee::sign(c.outsider, env)}, c.session);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("not a counting-committee member") != std::string::npos);
  }
  SECTION("a member's signature over different bytes is refused") {
    const crypto::Envelope other = c.minutes(R"({"minutes":2})");
    auto r = add_countersignatures(env, std::vector{Committee::sign(c.m3, other)}, c.session);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Refusal::bad_signature);
    crypto::Envelope theirs_other = other;
    theirs_other.signatures = {Committee::sign(c.m3, other)};
    auto parsed = parse_countersignatures(crypto::serialize(theirs_other), env);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().message.find("different bytes") != std::string::npos);
  }
  SECTION("every flipped byte of a countersignature is refused") {
    const crypto::Signature good = Committee::sign(c.m3, env);
    for (std::size_t i = 0; i < good.sig.size(); ++i) {
      crypto::Signature bad = good;
      bad.sig[i] = static_cast<char>(bad.sig[i] ^ 0x01);
      CHECK_FALSE(add_countersignatures(env, std::vector{bad}, c.session).has_value());
    }
  }
  SECTION("the short form {keyid, sig}") {
    const crypto::Signature s3 = Committee::sign(c.m3, env);
    const std::string body =
        json::serialize(json::object{{"keyid", s3.keyid}, {"sig", crypto::base64_encode(s3.sig)}});
    auto parsed = parse_countersignatures(body, env);
    REQUIRE(parsed.has_value());
    CHECK(parsed->at(0) == s3);
    CHECK_FALSE(parse_countersignatures(R"({"keyid":"x"})", env).has_value());
    CHECK_FALSE(parse_countersignatures(R"({"keyid":"x","sig":"!!"})", env).has_value());
  }
}

TEST_CASE("a receipt's ballot hash gets an inclusion proof in the sorted box", "[proof]") {
  std::vector<crypto::Digest> leaves;
  for (int i = 0; i < 7; ++i) leaves.push_back(crypto::leaf_hash("ballot " + std::to_string(i)));
  std::sort(leaves.begin(), leaves.end());
  const crypto::Digest root = crypto::merkle_root(leaves);
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    auto p = box_inclusion_proof(leaves, crypto::to_hex(leaves[i]));
    REQUIRE(p.has_value());
    CHECK(p->at("tree_size").to_number<std::int64_t>() == 7);
    CHECK(p->at("leaf_index").to_number<std::int64_t>() == static_cast<std::int64_t>(i));
    CHECK(p->at("root").as_string() == crypto::to_hex(root));
    std::vector<crypto::Digest> path;
    for (const json::value& h : p->at("audit_path").as_array()) {
      path.push_back(*crypto::digest_from_hex(h.as_string()));
    }
    CHECK(crypto::verify_inclusion(leaves[i], i, leaves.size(), path, root));
  }
  CHECK(box_inclusion_proof(leaves, std::string(64, '0')).error().code == Refusal::not_found);
  CHECK(box_inclusion_proof(leaves, "zz").error().code == Refusal::bad_query);
}
