// The counting minutes through the Handler seam (no sockets): close_round signs them, GET
// /v1/results serves them, countersignatures certify them, further rounds follow the outcome, the
// proof of a receipt checks against the minutes, and all of it survives a restart.
#include <catch2/catch.hpp>

#include "core_fixture.hpp"
#include "crypto/merkle.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;

namespace {

const Keys& K() {
  return Keys::get();
}

std::string countersign_body(const crypto::SecretKey& key, const std::string& envelope_json) {
  auto env = crypto::parse_envelope(envelope_json);
  const crypto::Signature s = crypto::sign_envelope(key, env->payload_type, env->payload);
  return json::serialize(json::object{{"keyid", s.keyid}, {"sig", crypto::base64_encode(s.sig)}});
}

// Contest cc (3 seats, 1 alternate, 300 convened: threshold 151), round 1 with 4 ballots.
std::vector<std::string> close_small_round(Station& st) {
  auto tokens = st.open_cc(4);
  std::vector<std::string> payloads;
  const std::vector<std::vector<std::string>> marks = {
      {"c1", "c2"}, {"c1"}, {"c1", "c3", "c4", "c5"}, {"c1", "c2", "c3", "c4", "c5"}};
  for (std::size_t i = 0; i < marks.size(); ++i) {
    payloads.push_back(make_ballot_payload("cc2026", "cc", 1, tokens[i], marks[i]));
    REQUIRE(st.call("POST", "/v1/ballots", sign_ballot(K().t1, payloads.back())).status == 200);
  }
  Station::expect_ok(st.command("record_attendance", {{"present", 250}}));
  auto closed = Station::expect_ok(st.command("close_round", {{"contest", "cc"}, {"round", 1}}));
  CHECK(closed.at("result").at("minutes").at("outcome").as_string() == "unfilled");
  return payloads;
}

}  // namespace

TEST_CASE("close_round signs minutes counted by hand, served at GET /v1/results", "[results]") {
  Station st("minutes");
  CHECK(error_code_of(st.call("GET", "/v1/results/cc/1")) == "not_found");
  close_small_round(st);
  auto res = st.call("GET", "/v1/results/cc/1");
  REQUIRE(res.status == 200);
  auto station_key = crypto::PublicKey::from_pem(st.app().station_public_key_pem());
  const json::object p = verified_payload(res.body, *station_key, crypto::payload_type::kResult);
  // By hand: c1 3, c2 1, c3 1, c4 1, c5 1, c6 0; the fourth ballot marks 5 > 4 places: invalid.
  // Basis convened 300, threshold 151: no one elected.
  CHECK(p.at("ballots_collected").as_int64() == 4);
  CHECK(p.at("valid").as_int64() == 3);
  CHECK(p.at("invalid").as_int64() == 1);
  CHECK(p.at("basis").as_int64() == 300);
  CHECK(p.at("threshold").as_int64() == 151);
  CHECK(p.at("present").as_int64() == 250);
  CHECK(p.at("ballots_issued").as_int64() == 4);
  CHECK(p.at("tally").as_array().at(0).at("votes").as_int64() == 3);
  CHECK(p.at("outcome").as_string() == "unfilled");
  CHECK(p.at("seats_unfilled").as_int64() == 3);
  CHECK(p.at("config_hash").as_string() == st.app().config_hash());
  const json::object status = Station::expect_ok(st.call("GET", "/v1/status"));
  const json::object& round =
      status.at("contests").as_array().at(0).at("rounds").as_array().at(0).as_object();
  CHECK(p.at("ballot_box").at("root") == round.at("ballot_box").at("root"));
  CHECK(round.at("minutes").at("outcome").as_string() == "unfilled");
  CHECK_FALSE(json::parse(res.body).at("certification").at("certified").as_bool());
}

TEST_CASE("countersignatures by two committee members certify the minutes", "[results]") {
  Station st("certify");
  close_small_round(st);
  const std::string minutes = st.call("GET", "/v1/results/cc/1").body;
  const std::string path = "/v1/results/cc/1/signatures";
  CHECK(error_code_of(st.call("POST", path, countersign_body(K().official1, minutes))) ==
        "not_committee_member");
  auto one = Station::expect_ok(st.call("POST", path, countersign_body(K().member1, minutes)));
  CHECK_FALSE(one.at("certification").at("certified").as_bool());
  CHECK(error_code_of(st.call("POST", path, countersign_body(K().member1, minutes))) ==
        "already_signed");
  // Over other bytes: does not verify.
  auto env = crypto::parse_envelope(minutes);
  env->payload += " ";
  CHECK(error_code_of(
            st.call("POST", path, countersign_body(K().member2, crypto::serialize(*env)))) ==
        "bad_signature");
  auto two = Station::expect_ok(st.call("POST", path, countersign_body(K().member2, minutes)));
  CHECK(two.at("certification").at("certified").as_bool());

  // The certified envelope verifies for all three keys and survives a restart.
  st.reopen();
  auto stored = crypto::parse_envelope(st.call("GET", "/v1/results/cc/1").body);
  REQUIRE(stored);
  CHECK(stored->signatures.size() == 3);
  crypto::KeySet keys;
  keys.add(*crypto::PublicKey::from_pem(st.app().station_public_key_pem()));
  keys.add(K().member1.public_key());
  keys.add(K().member2.public_key());
  auto verified = crypto::verify_envelope(*stored, crypto::payload_type::kResult, keys);
  REQUIRE(verified);
  CHECK(verified->size() == 3);
}

TEST_CASE("after unfilled seats a further round opens only on what the minutes allow",
          "[results]") {
  Station st("further");
  close_small_round(st);
  CHECK(error_code_of(st.command("open_round", {{"contest", "cc"}, {"round", 2}, {"seats", 1}})) ==
        "bad_command");
  CHECK(error_code_of(st.command(
            "open_round",
            {{"contest", "cc"},
             {"round", 2},
             {"new_nominations", json::array{json::object{{"id", "c2"}, {"name", "again"}}}}})) ==
        "bad_command");
  auto opened = Station::expect_ok(st.command(
      "open_round",
      {{"contest", "cc"},
       {"round", 2},
       {"candidates", json::array{"c1", "c2", "n1"}},
       {"new_nominations", json::array{json::object{{"id", "n1"}, {"name", "New One"}}}}}));
  CHECK(opened.at("result").at("ballot").at("seats").as_int64() == 3);
  auto ballot = Station::expect_ok(st.call("GET", "/v1/ballot?contest=cc"));
  CHECK(ballot.at("candidates").as_array().size() == 3);
  CHECK(ballot.at("candidates").as_array().at(2).at("name").as_string() == "New One");
  auto tokens = Station::expect_ok(
      st.command("issue_tokens", {{"contest", "cc"}, {"round", 2}, {"count", 2}}));
  const std::string t0(tokens.at("result").at("tokens").as_array().at(0).as_string());
  // c3 stood in round 1 but is not on round 2's list.
  CHECK(error_code_of(st.ballot(t0, {"c3"}, nullptr, "cc", 2)) == "unknown_candidate");
  REQUIRE(st.ballot(t0, {"n1"}, nullptr, "cc", 2).status == 200);
  CHECK(error_code_of(st.command("conclude_contest", {{"contest", "cc"}})) == "round_state");
  Station::expect_ok(st.command("close_round", {{"contest", "cc"}, {"round", 2}}));
  auto concluded = Station::expect_ok(st.command("conclude_contest", {{"contest", "cc"}}));
  CHECK(concluded.at("result").at("no_one_elected").as_bool());
  CHECK(error_code_of(st.command("open_round", {{"contest", "cc"}, {"round", 3}})) ==
        "round_state");
}

TEST_CASE("a receipt's ballot gets an inclusion proof against the minutes' box root", "[results]") {
  Station st("proof");
  const auto payloads = close_small_round(st);
  const std::string hash = crypto::to_hex(crypto::leaf_hash(payloads[2]));
  auto proof =
      Station::expect_ok(st.call("GET", "/v1/proof?contest=cc&round=1&ballot_hash=" + hash));
  const json::object minutes =
      verified_payload(st.call("GET", "/v1/results/cc/1").body,
                       *crypto::PublicKey::from_pem(st.app().station_public_key_pem()),
                       crypto::payload_type::kResult);
  CHECK(proof.at("root") == minutes.at("ballot_box").at("root"));
  std::vector<crypto::Digest> path;
  for (const auto& h : proof.at("audit_path").as_array()) {
    path.push_back(*crypto::digest_from_hex(h.as_string()));
  }
  CHECK(crypto::verify_inclusion(
      *crypto::digest_from_hex(hash), proof.at("leaf_index").to_number<std::uint64_t>(),
      proof.at("tree_size").to_number<std::uint64_t>(), path,
      *crypto::digest_from_hex(minutes.at("ballot_box").at("root").as_string())));
  CHECK(error_code_of(st.call("GET", "/v1/proof?contest=cc&round=1&ballot_hash=" +
                                         std::string(64, '0'))) == "not_found");
  CHECK(error_code_of(st.call("GET", "/v1/proof?contest=cc&round=2&ballot_hash=" + hash)) ==
        "round_state");
}
