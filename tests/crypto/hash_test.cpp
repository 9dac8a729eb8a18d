#include <catch2/catch.hpp>

#include "crypto/hash.hpp"
#include "test_util.hpp"

using namespace tallystation::crypto;
using tallystation::crypto::test::unhex;

TEST_CASE("SHA-256 matches the FIPS 180-2 examples", "[crypto][hash]") {
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("incremental SHA-256 equals the one-shot digest", "[crypto][hash]") {
  const std::string data(1000, 'a');
  Sha256 h;
  for (std::size_t i = 0; i < data.size(); i += 7) h.update(std::string_view(data).substr(i, 7));
  CHECK(h.finish() == sha256(data));
  Sha256 moved = std::move(h);
  (void)moved;
}

TEST_CASE("hex is lowercase and round-trips", "[crypto][hash]") {
  CHECK(to_hex(std::string_view("\x00\x01\xab\xff", 4)) == "0001abff");
  CHECK(to_hex(std::string_view{}).empty());
  CHECK(*from_hex("0001ABff") == std::string("\x00\x01\xab\xff", 4));
  CHECK(from_hex("")->empty());
}

TEST_CASE("hex with an odd length or a stray character is bad_hex", "[crypto][hash]") {
  const std::string bad = GENERATE(as<std::string>{}, "0", "abc", "zz", "0g", " 00", "00 ", "0x00",
                                   std::string("0\0", 2), std::string("\0\0", 2), "-1");
  auto r = from_hex(bad);
  REQUIRE_FALSE(r);
  CHECK(r.error() == Errc::bad_hex);
}

TEST_CASE("a digest in hex must be exactly 64 characters", "[crypto][hash]") {
  CHECK(digest_from_hex(std::string(64, 'a')));
  CHECK(digest_from_hex(std::string(62, 'a')).error() == Errc::bad_hex);
  CHECK(digest_from_hex(std::string(66, 'a')).error() == Errc::bad_hex);
  CHECK(digest_from_hex(std::string(63, 'a') + "g").error() == Errc::bad_hex);
}

TEST_CASE("base64 matches the RFC 4648 section 10 test vectors", "[crypto][hash]") {
  using P = std::pair<std::string, std::string>;
  const auto [plain, encoded] =
      GENERATE(P{"", ""}, P{"f", "Zg=="}, P{"fo", "Zm8="}, P{"foo", "Zm9v"}, P{"foob", "Zm9vYg=="},
               P{"fooba", "Zm9vYmE="}, P{"foobar", "Zm9vYmFy"});
  CHECK(base64_encode(plain) == encoded);
  auto d = base64_decode(encoded);
  REQUIRE(d);
  CHECK(*d == plain);
}

TEST_CASE("base64 round-trips every byte value and every length up to 70", "[crypto][hash]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  CHECK(*base64_decode(base64_encode(all)) == all);
  for (std::size_t n = 0; n <= 70; ++n) {
    const std::string s = all.substr(256 - n);
    CHECK(*base64_decode(base64_encode(s)) == s);
  }
}

TEST_CASE("base64 decoding is strict", "[crypto][hash]") {
  const std::string bad =
      GENERATE(as<std::string>{}, "Zg", "Zg=", "Zg===", "Z===", "====", "Zm9v\n", " Zm9v", "Zm 9v",
               "Zm9v\r\n", "Zm-v", "Zm_v", "Zm9v====", "Zg==Zg==", "=Zm9", "Zm=v",
               "Zh==",  // non-zero padding bits: not the canonical encoding of "f"
               "Zm9=",  // ditto for "fo"
               std::string("Zm9\0", 4), "Zm9v!", "\xc3\xa9\xc3\xa9");
  auto r = base64_decode(bad);
  REQUIRE_FALSE(r);
  CHECK(r.error() == Errc::bad_base64);
}

TEST_CASE("base64 accepts exactly the canonical encodings, byte by byte", "[crypto][hash]") {
  // Every byte value at every position of "Zm9vYg==" ("foob"). Accepted: any letter of the
  // alphabet in the four full characters and the first of the last group; in its second, only
  // those whose low four bits are zero (A, Q, g, w: the padding drops them); in place of the first
  // '=', '=' or a character whose low two bits are zero (16 of them, making "foo" + one more
  // byte); in place of the last, only '='.
  const std::string base = "Zm9vYg==";
  const std::size_t want[] = {64, 64, 64, 64, 64, 4, 17, 1};
  for (std::size_t pos = 0; pos < base.size(); ++pos) {
    std::size_t accepted = 0;
    for (int c = 0; c < 256; ++c) {
      std::string s = base;
      s[pos] = static_cast<char>(c);
      auto r = base64_decode(s);
      if (!r) {
        CHECK(r.error() == Errc::bad_base64);
        continue;
      }
      ++accepted;
      INFO(s);
      CHECK(base64_encode(*r) == s);  // an accepted text is the one encoding of its bytes
    }
    INFO("position " << pos);
    CHECK(accepted == want[pos]);
  }
}

TEST_CASE("random bytes have the asked length and differ", "[crypto][hash]") {
  CHECK(random_bytes(0).empty());
  const auto a = random_bytes(32);
  const auto b = random_bytes(32);
  CHECK(a.size() == 32);
  CHECK(a != b);
}

TEST_CASE("constant-time equality compares content and length", "[crypto][hash]") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK(constant_time_equal("", ""));
}

TEST_CASE("every error code has a stable name", "[crypto][result]") {
  CHECK(to_string(Errc::bad_hex) == "bad_hex");
  CHECK(to_string(Errc::bad_base64) == "bad_base64");
  CHECK(to_string(Errc::bad_json) == "bad_json");
  CHECK(to_string(Errc::wrong_payload_type) == "wrong_payload_type");
  CHECK(to_string(Errc::unknown_keyid) == "unknown_keyid");
  CHECK(to_string(Errc::bad_signature_length) == "bad_signature_length");
  CHECK(to_string(Errc::wrong_key_type) == "wrong_key_type");
  CHECK(to_string(Errc::bad_signature) == "bad_signature");
  CHECK(to_string(Errc::bad_key) == "bad_key");
  CHECK(to_string(Errc::io_error) == "io_error");
  CHECK(to_string(Errc::bad_proof) == "bad_proof");
  CHECK(to_string(Errc::no_signatures) == "no_signatures");
  CHECK(to_string(Errc::internal) == "internal");
  CHECK(to_string(Errc::bad_certificate) == "bad_certificate");
  CHECK(static_cast<int>(Errc::bad_certificate) == 14);
}

TEST_CASE("HMAC-SHA-256 matches the RFC 4231 test vectors", "[crypto][hash]") {
  struct Vector {
    std::string key;
    std::string data;
    const char* mac;
  };
  const std::string big_key(131, '\xaa');
  // RFC 4231 section 4: test cases 1, 2, 3, 4, 6, 7 (5 truncates the output, which we never do).
  const Vector v = GENERATE_COPY(
      Vector{std::string(20, '\x0b'), "Hi There",
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      Vector{"Jefe", "what do ya want for nothing?",
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      Vector{std::string(20, '\xaa'), std::string(50, '\xdd'),
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      Vector{unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'),
             "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      Vector{big_key, "Test Using Larger Than Block-Size Key - Hash Key First",
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      Vector{big_key,
             "This is a test using a larger than block-size key and a larger than block-size "
             "data. The key needs to be hashed before being used by the HMAC algorithm.",
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"});
  CHECK(to_hex(hmac_sha256(v.key, v.data)) == v.mac);
}

TEST_CASE("HMAC-SHA-256 changes with every byte of the key", "[crypto][hash]") {
  const std::string key = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const Digest mac = hmac_sha256(key, "leaf");
  for (std::size_t i = 0; i < key.size(); ++i) {
    std::string k = key;
    k[i] = static_cast<char>(k[i] ^ 1);
    CHECK(hmac_sha256(k, "leaf") != mac);
  }
  CHECK(hmac_sha256(key, "leaf") == mac);
}
