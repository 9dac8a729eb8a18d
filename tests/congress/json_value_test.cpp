// The congress rules' strict JSON reader: what a command's payload may be.
#include <catch2/catch.hpp>

#include "tally/congress/json_value.hpp"

using tallystation::congress::JsonValue;
using tallystation::congress::parse_json;

TEST_CASE("an object that repeats a member name is refused, at any depth", "[congress][json]") {
  const char* text = GENERATE(R"({"a":1,"a":1})", R"({"a":{"b":1,"b":2}})",
                              R"([{"x":1},{"y":1,"y":2}])");
  auto p = parse_json(text);
  CHECK_FALSE(p.value);
  CHECK(p.error.find("repeated member") != std::string::npos);
}

TEST_CASE("integers are non-negative digit strings that fit 64 bits, other numbers are not",
          "[congress][json]") {
  auto p = parse_json(R"({"a":0,"b":18446744073709551615,"c":-1,"d":1.0,"e":1e2,)"
                      R"("f":18446744073709551616})");
  REQUIRE(p.value);
  CHECK(p.value->find("a")->is_integer());
  CHECK(p.value->find("b")->integer() == 18446744073709551615ull);
  for (const char* k : {"c", "d", "e", "f"}) {
    CAPTURE(k);
    CHECK(p.value->find(k)->kind() == JsonValue::Kind::other_number);
  }
}

TEST_CASE("text after the value, bad UTF-8 and deep nesting are refused", "[congress][json]") {
  CHECK_FALSE(parse_json("{} {}").value);
  CHECK_FALSE(parse_json("{\"a\":\"\xff\"}").value);
  CHECK_FALSE(parse_json(std::string(100, '[') + std::string(100, ']')).value);
  CHECK(parse_json(" {\"s\":\"\\u00e9\",\"n\":null,\"t\":true,\"l\":[1,\"x\"]} ").value);
}

TEST_CASE("members keep document order and strings are unescaped", "[congress][json]") {
  auto p = parse_json(R"({"z":"a\"b","a":[true,false,null]})");
  REQUIRE(p.value);
  REQUIRE(p.value->members().size() == 2);
  CHECK(p.value->members()[0].first == "z");
  CHECK(p.value->find("z")->text() == "a\"b");
  CHECK(p.value->find("a")->items().size() == 3);
}
