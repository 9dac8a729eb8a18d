#include <catch2/catch.hpp>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "test_util.hpp"

using namespace tallystation::crypto;

namespace {

const std::string kBallot =
    R"({"session":"s-2026-congress","contest":"central-committee","round":1,)"
    R"("token":"q3X9v0b0c4m2Yt1l8kP7Zw","marks":["c-017","c-042","c-103"]})";

KeySet keyset(std::initializer_list<const SecretKey*> keys) {
  KeySet ks;
  for (const SecretKey* k : keys) ks.add(k->public_key());
  return ks;
}

}  // namespace

TEST_CASE("PAE matches the DSSE specification example", "[crypto][dsse]") {
  CHECK(pae("http://example.com/HelloWorld", "hello world") ==
        "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST_CASE("PAE counts bytes, not characters, and keeps the payload verbatim", "[crypto][dsse]") {
  CHECK(pae("", "") == "DSSEv1 0  0 ");
  CHECK(pae("t", "\xc3\xa9") == "DSSEv1 1 t 2 \xc3\xa9");
  CHECK(pae("a b", std::string("\0 x", 3)) == std::string("DSSEv1 3 a b 3 \0 x", 18));
}

TEST_CASE("an envelope serialises in the contract's member order and parses back",
          "[crypto][dsse]") {
  Envelope env{"hello world", "http://example.com/HelloWorld", {{"66301bbf", "\x01\x02\x03"}}};
  const std::string json = serialize(env);
  CHECK(json == R"({"payload":"aGVsbG8gd29ybGQ=","payloadType":"http://example.com/HelloWorld",)"
                R"("signatures":[{"keyid":"66301bbf","sig":"AQID"}]})");
  auto back = parse_envelope(json);
  REQUIRE(back);
  CHECK(*back == env);
}

TEST_CASE("a ballot envelope made by a terminal verifies with its keyid", "[crypto][dsse]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  const SecretKey terminal = SecretKey::generate(type);
  const Envelope env = make_envelope(terminal, payload_type::kBallot, kBallot);
  auto parsed = parse_envelope(serialize(env));
  REQUIRE(parsed);
  CHECK(parsed->payload == kBallot);
  auto ok = verify_envelope(*parsed, payload_type::kBallot, keyset({&terminal}));
  REQUIRE(ok);
  CHECK(*ok == std::vector<std::string>{terminal.keyid()});
  CHECK(verify_signature(*parsed, parsed->signatures[0], keyset({&terminal})));
}

TEST_CASE("a result envelope collects the station's and the committee's signatures",
          "[crypto][dsse]") {
  const SecretKey station = SecretKey::generate(KeyType::ed25519);
  const SecretKey member1 = SecretKey::generate(KeyType::ed25519);
  const SecretKey member2 = SecretKey::generate(KeyType::ecdsa_p256);
  const SecretKey outsider = SecretKey::generate(KeyType::ed25519);
  const std::string result = R"({"session":"s","contest":"c","round":1})";
  Envelope env = make_envelope(station, payload_type::kResult, result);
  env.signatures.push_back(sign_envelope(member2, payload_type::kResult, result));
  env.signatures.push_back(sign_envelope(outsider, payload_type::kResult, result));
  env.signatures.push_back(sign_envelope(member1, payload_type::kResult, result));
  env.signatures.push_back(sign_envelope(member1, payload_type::kResult, result));  // repeated
  Signature forged = sign_envelope(member1, payload_type::kResult, result + " ");
  env.signatures.push_back(forged);

  auto parsed = parse_envelope(serialize(env));
  REQUIRE(parsed);
  REQUIRE(parsed->signatures.size() == 6);
  auto ok = verify_envelope(*parsed, payload_type::kResult, keyset({&station, &member1, &member2}));
  REQUIRE(ok);
  std::vector<std::string> want{station.keyid(), member1.keyid(), member2.keyid()};
  std::sort(want.begin(), want.end());
  CHECK(*ok == want);
  const KeySet all = keyset({&station, &member1, &member2});
  CHECK(verify_signature(*parsed, parsed->signatures[2], all).error() == Errc::unknown_keyid);
  CHECK(verify_signature(*parsed, parsed->signatures[5], all).error() == Errc::bad_signature);
}

TEST_CASE("verification refuses with the specific reason", "[crypto][dsse]") {
  const SecretKey terminal = SecretKey::generate(KeyType::ed25519);
  const SecretKey stranger = SecretKey::generate(KeyType::ed25519);
  const KeySet trusted = keyset({&terminal});
  const Envelope env = make_envelope(terminal, payload_type::kBallot, kBallot);

  SECTION("wrong payloadType") {
    CHECK(verify_envelope(env, payload_type::kCommand, trusted).error() ==
          Errc::wrong_payload_type);
    Envelope relabelled = env;
    relabelled.payload_type = std::string(payload_type::kCommand);
    CHECK(verify_envelope(relabelled, payload_type::kCommand, trusted).error() ==
          Errc::bad_signature);
  }
  SECTION("no signatures") {
    Envelope bare = env;
    bare.signatures.clear();
    CHECK(verify_envelope(bare, payload_type::kBallot, trusted).error() == Errc::no_signatures);
  }
  SECTION("unknown keyid") {
    const Envelope other = make_envelope(stranger, payload_type::kBallot, kBallot);
    CHECK(verify_envelope(other, payload_type::kBallot, trusted).error() == Errc::unknown_keyid);
    CHECK(verify_envelope(env, payload_type::kBallot, KeySet{}).error() == Errc::unknown_keyid);
  }
  SECTION("a signature of the wrong length") {
    Envelope cut = env;
    cut.signatures[0].sig.pop_back();
    CHECK(verify_envelope(cut, payload_type::kBallot, trusted).error() ==
          Errc::bad_signature_length);
  }
  SECTION("a signature by another key under the terminal's keyid") {
    Envelope swapped = env;
    swapped.signatures[0].sig = stranger.sign(pae(payload_type::kBallot, kBallot));
    CHECK(verify_envelope(swapped, payload_type::kBallot, trusted).error() == Errc::bad_signature);
  }
  SECTION("a key of the wrong type for the signature") {
    // An ECDSA signature presented under an Ed25519 keyid has the wrong length for Ed25519.
    const SecretKey ec = SecretKey::generate(KeyType::ecdsa_p256);
    Envelope mixed = env;
    mixed.signatures[0].sig = ec.sign(pae(payload_type::kBallot, kBallot));
    CHECK(verify_envelope(mixed, payload_type::kBallot, trusted).error() ==
          Errc::bad_signature_length);
  }
  SECTION("the first failure is reported when none verifies") {
    Envelope two = make_envelope(stranger, payload_type::kBallot, kBallot);
    two.signatures.push_back(env.signatures[0]);
    two.signatures.back().sig[0] ^= 1;
    CHECK(verify_envelope(two, payload_type::kBallot, trusted).error() == Errc::unknown_keyid);
  }
}

TEST_CASE("flipping any byte of the signature, payload or type makes the envelope fail",
          "[crypto][dsse]") {
  const KeyType type = GENERATE(KeyType::ed25519, KeyType::ecdsa_p256);
  const SecretKey terminal = SecretKey::generate(type);
  const KeySet trusted = keyset({&terminal});
  const Envelope env = make_envelope(terminal, payload_type::kBallot, kBallot);
  REQUIRE(verify_envelope(env, payload_type::kBallot, trusted));
  for (std::size_t i = 0; i < env.signatures[0].sig.size(); ++i) {
    Envelope bad = env;
    bad.signatures[0].sig[i] = static_cast<char>(bad.signatures[0].sig[i] ^ 0x01);
    CHECK_FALSE(verify_envelope(bad, payload_type::kBallot, trusted));
  }
  for (std::size_t i = 0; i < env.payload.size(); ++i) {
    Envelope bad = env;
    bad.payload[i] = static_cast<char>(bad.payload[i] ^ 0x20);
    CHECK(verify_envelope(bad, payload_type::kBallot, trusted).error() == Errc::bad_signature);
  }
  for (std::size_t i = 0; i < env.signatures[0].keyid.size(); ++i) {
    Envelope bad = env;
    bad.signatures[0].keyid[i] = bad.signatures[0].keyid[i] == '0' ? '1' : '0';
    CHECK(verify_envelope(bad, payload_type::kBallot, trusted).error() == Errc::unknown_keyid);
  }
}

TEST_CASE("flipping any byte of a serialised envelope never verifies a different payload",
          "[crypto][dsse]") {
  const SecretKey terminal = SecretKey::generate(KeyType::ed25519);
  const KeySet trusted = keyset({&terminal});
  const std::string json = serialize(make_envelope(terminal, payload_type::kBallot, kBallot));
  for (std::size_t i = 0; i < json.size(); ++i) {
    for (char flip : {'\x01', '\x20', '\x80'}) {
      std::string bad = json;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      auto env = parse_envelope(bad);
      if (!env) continue;  // refused at parse: fine
      auto ok = verify_envelope(*env, payload_type::kBallot, trusted);
      if (ok) CHECK(env->payload == kBallot);  // only changes that keep the signed bytes verify
    }
  }
}

TEST_CASE("parse_envelope refuses malformed input with bad_json or bad_base64", "[crypto][dsse]") {
  using P = std::pair<std::string, Errc>;
  const auto [text, want] = GENERATE(
      P{"", Errc::bad_json}, P{"{", Errc::bad_json}, P{"[]", Errc::bad_json},
      P{"null", Errc::bad_json}, P{R"("x")", Errc::bad_json},
      P{R"({"payloadType":"t","signatures":[]})", Errc::bad_json},
      P{R"({"payload":"","signatures":[]})", Errc::bad_json},
      P{R"({"payload":"","payloadType":"t"})", Errc::bad_json},
      P{R"({"payload":1,"payloadType":"t","signatures":[]})", Errc::bad_json},
      P{R"({"payload":"","payloadType":null,"signatures":[]})", Errc::bad_json},
      P{R"({"payload":"","payloadType":"t","signatures":{}})", Errc::bad_json},
      P{R"({"payload":"","payloadType":"t","signatures":["x"]})", Errc::bad_json},
      P{R"({"payload":"","payloadType":"t","signatures":[{"sig":"AA=="}]})", Errc::bad_json},
      P{R"({"payload":"","payloadType":"t","signatures":[{"keyid":"k"}]})", Errc::bad_json},
      P{R"({"payload":"","payloadType":"t","signatures":[{"keyid":1,"sig":""}]})", Errc::bad_json},
      P{R"({"payload":"","payloadType":"t","signatures":[]} x)", Errc::bad_json},
      P{R"({"payload":"","payloadType":"t","signatures":[]}{})", Errc::bad_json},
      P{R"({"payload":"aGk=","payload":"aGo=","payloadType":"t","signatures":[]})", Errc::bad_json},
      P{R"({"payload":"","payloadType":"t","signatures":[{"keyid":"a","keyid":"b","sig":""}]})",
        Errc::bad_json},
      P{"{\"payload\":\"\",\"payloadType\":\"\xff\",\"signatures\":[]}", Errc::bad_json},
      P{R"({"payload":"aGk","payloadType":"t","signatures":[]})", Errc::bad_base64},
      P{R"({"payload":"a Gk=","payloadType":"t","signatures":[]})", Errc::bad_base64},
      P{R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k","sig":"A"}]})",
        Errc::bad_base64},
      P{R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k","sig":"-_8="}]})",
        Errc::bad_base64});
  auto r = parse_envelope(text);
  INFO(text);
  REQUIRE_FALSE(r);
  CHECK(r.error() == want);
}

TEST_CASE("parse_envelope ignores unknown members and accepts an empty signature list",
          "[crypto][dsse]") {
  auto r =
      parse_envelope(R"( {"x":[1,{"y":null}],"signatures":[{"keyid":"","sig":"","extra":true}],)"
                     R"("payloadType":"t","payload":"aGk="} )");
  REQUIRE(r);
  CHECK(r->payload == "hi");
  CHECK(r->signatures.size() == 1);
  auto e = parse_envelope(R"({"payload":"","payloadType":"t","signatures":[]})");
  REQUIRE(e);
  CHECK(e->signatures.empty());
}

namespace {

// parse_envelope and the reference parser give the same answer: the same envelope, or the same
// error.
void same_answer(const std::string& text) {
  auto fast = parse_envelope(text);
  auto ref = parse_envelope_reference(text);
  INFO(text);
  REQUIRE(fast.has_value() == ref.has_value());
  if (fast) {
    CHECK(*fast == *ref);
  } else {
    CHECK(fast.error() == ref.error());
  }
}

}  // namespace

TEST_CASE("parse_envelope answers as the full JSON parser on every variation of an envelope",
          "[crypto][dsse]") {
  const auto key = SecretKey::generate(KeyType::ed25519);
  Envelope two = make_envelope(key, payload_type::kBallot, kBallot);
  two.signatures.push_back(sign_envelope(key, payload_type::kBallot, "other"));
  const std::string wire = serialize(two);
  std::vector<std::string> texts = {
      wire,
      R"({"payload":"","payloadType":"t","signatures":[]})",
      " \t\r\n{ \"signatures\" : [ { \"sig\" : \"AAAA\" , \"keyid\" : \"k\" } ] , "
      "\"payloadType\" : \"t\" , \"payload\" : \"aGk=\" } \n",
      R"({"payload":"aGk=","payloadType":"t\u0041","signatures":[]})",
      R"({"payload":"aGk=","payloadType":"t\"q","signatures":[]})",
      R"({"payload":"aGk=","payloadType":"t/x","signatures":[],"extra":1})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k","sig":"AAAA","x":null}]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k","sig":"AAAA"},]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k","sig":"AAAA"}],})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[,]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{}]})",
      R"({"payload":"aGk=","payloadType":"t","payload":"aGk=","signatures":[]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k","keyid":"k"}]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"sig":"AAAA","sig":"AAAA"}]})",
      "{\"payload\":\"aGk=\",\"payloadType\":\"t\xc3\xa9\",\"signatures\":[]}",
      "{\"payload\":\"aGk=\",\"payloadType\":\"t\x7f\",\"signatures\":[]}",
      "{\"payload\":\"aGk=\",\"payloadType\":\"t\x01\",\"signatures\":[]}",
      "{\"payload\":\"aGk=\",\"payloadType\":\"t\",\"signatures\":[]}\f",
      R"({"payload":"aGk","payloadType":"t","signatures":[{"keyid":"k","sig":"A"}]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k","sig":"A"}]})",
  };
  for (const std::string& t : texts) same_answer(t);
  // Every truncation, every byte deleted, and every byte replaced by one of the characters the
  // readers treat specially, in a real two-signature envelope.
  const std::string specials = std::string("\"\\ \t\n\r,:{}[]=A0/+\x7f\xc3", 19) + '\0';
  for (std::size_t i = 0; i <= wire.size(); ++i) {
    same_answer(wire.substr(0, i));
    if (i == wire.size()) break;
    same_answer(wire.substr(0, i) + wire.substr(i + 1));
    for (char c : specials) {
      std::string t = wire;
      t[i] = c;
      same_answer(t);
    }
  }
}

TEST_CASE("deeply nested or huge hostile JSON is refused without a crash", "[crypto][dsse]") {
  CHECK(parse_envelope(std::string(100000, '[')).error() == Errc::bad_json);
  CHECK(parse_envelope(std::string(100000, '{')).error() == Errc::bad_json);
  std::string many = R"({"payload":"","payloadType":"t","signatures":[)";
  for (int i = 0; i < 10000; ++i) many += R"({"keyid":"k","sig":"AAAA"},)";
  many += R"({"keyid":"k","sig":""}]})";
  auto r = parse_envelope(many);
  REQUIRE(r);
  CHECK(r->signatures.size() == 10001);
}
