// The session definition: the documented example loads, and every broken definition is refused
// with a message that names the offending field.
#include <catch2/catch.hpp>

#include "core_fixture.hpp"
#include "crypto/hash.hpp"
#include "station/config/session.hpp"
#include "station/config/strict_json.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;

TEST_CASE("the documented example session loads and hashes to the SHA-256 of its bytes",
          "[config]") {
  const auto path = std::filesystem::path(TALLYSTATION_SOURCE_DIR) / "docs/examples/session.json";
  auto s = load_session_file(path);
  REQUIRE(s.has_value());
  CHECK(s->id == "cpv-xx-congress-2026");
  CHECK(s->congress_kind == CongressKind::delegates);
  CHECK(s->convened == 300);
  CHECK(s->officials.size() == 2);
  CHECK(s->committee.size() == 3);
  CHECK(s->required_signatures == 2);
  CHECK(s->terminals.size() == 3);
  REQUIRE(s->contests.size() == 2);
  CHECK(s->contests[0].candidates.size() == 8);
  CHECK(s->contests[1].rule_set == "cpv-2024");  // the default
  CHECK(s->contests[1].alternates == 0);
  CHECK(s->contests[1].majority_basis == "present");
  CHECK(s->config_hash == crypto::to_hex(crypto::sha256(read_file(path))));
}

TEST_CASE("the fixture session is valid", "[config]") {
  auto s = parse_session(json::serialize(session_json()));
  REQUIRE(s.has_value());
  CHECK(s->find_contest("cc")->seats == 3);
}

namespace {

std::string refusal_of(const std::function<void(json::object&)>& edit) {
  json::object o = session_json();
  edit(o);
  auto s = parse_session(json::serialize(o));
  if (s) return "(accepted)";
  CHECK(s.error().code == make_error_code(Errc::invalid_session));
  return s.error().message;
}

json::object& contest0(json::object& o) {
  return o["contests"].as_array()[0].as_object();
}

}  // namespace

TEST_CASE("a broken session definition is refused with the path of the offending field",
          "[config]") {
  using Edit = std::function<void(json::object&)>;
  auto [edit, message] = GENERATE(table<Edit, std::string>({
      {[](json::object& o) { o.erase("title"); }, "title: missing"},
      {[](json::object& o) { o["titel"] = "x"; }, "titel: unknown member"},
      {[](json::object& o) { o["id"] = "has space"; }, "id: invalid id \"has space\""},
      {[](json::object& o) { o["congress_kind"] = "party"; }, "congress_kind: must be"},
      {[](json::object& o) { o["convened"] = 0; }, "convened: must be an integer from 1"},
      {[](json::object& o) { o["convened"] = "300"; }, "convened: must be an integer"},
      {[](json::object& o) { o["officials"] = json::array{}; },
       "officials: must have at least 1 entry"},
      {[](json::object& o) { o["officials"].as_array()[1].as_object()["id"] = "o1"; },
       "officials[1].id: duplicate id \"o1\""},
      {[](json::object& o) { o["officials"].as_array()[0].as_object()["public_key"] = "nope"; },
       "officials[0].public_key: not a PEM"},
      {[](json::object& o) { o["counting_committee"].as_object()["required_signatures"] = 3; },
       "counting_committee.required_signatures: must not exceed the number of members (2)"},
      {[](json::object& o) {
         o["terminals"].as_array()[0].as_object()["public_key"] =
             Keys::get().official1.public_key().pem();
       },
       "terminals[0].public_key: is also an official's"},
      {[](json::object& o) {
         o["terminals"].as_array()[1].as_object()["public_key"] = Keys::get().t1.public_key().pem();
       },
       "terminals[1].public_key: the same key is listed twice"},
      {[](json::object& o) { o["contests"] = json::array{}; },
       "contests: must have at least 1 entry"},
      {[](json::object& o) { contest0(o)["seats"] = 0; }, "contests[0].seats: must be an integer"},
      {[](json::object& o) { contest0(o)["rule_set"] = "stv"; },
       "contests[0].rule_set: unknown rule set \"stv\""},
      {[](json::object& o) { contest0(o)["majority_basis"] = "half"; },
       "contests[0].majority_basis: must be one of"},
      {[](json::object& o) { contest0(o)["excluded"] = 300; },
       "contests[0].excluded: must be less than convened (300)"},
      {[](json::object& o) { contest0(o)["candidates"].as_array()[3].as_object()["id"] = "c1"; },
       "contests[0].candidates[3].id: duplicate id \"c1\""},
      {[](json::object& o) { contest0(o)["candidates"].as_array()[2].as_object().erase("name"); },
       "contests[0].candidates[2].name: missing"},
      {[](json::object& o) { o["contests"].as_array()[1].as_object()["id"] = "cc"; },
       "contests[1].id: duplicate id \"cc\""},
      {[](json::object& o) { contest0(o)["rule_set"] = "cpv-2024-cell-secretary"; },
       "contests[0].seats: rule set cpv-2024-cell-secretary elects one secretary"},
      {[](json::object& o) { o["congress_date"] = "2025-01-10"; },
       "register: missing: congress_date"},
      {[](json::object& o) { contest0(o)["personnel_plan"] = json::array{"c1"}; },
       "register: missing"},
  }));
  CAPTURE(message);
  const std::string got = refusal_of(edit);
  CAPTURE(got);
  CHECK(got.rfind(message, 0) == 0);
}

TEST_CASE("a session with a register: people, roll, plan and the cell secretary rule set",
          "[config]") {
  json::object o = session_json();
  o["convened"] = 3;
  o["congress_kind"] = "members";
  o["congress_date"] = "2025-01-10";
  json::array people;
  for (const char* id : {"c1", "c2", "c3", "c4", "m1", "m2", "m3"}) {
    people.push_back(json::object{{"id", id}, {"name", std::string("Người ") + id},
                                  {"birth_date", "1970-05-01"}, {"sex", "female"},
                                  {"ethnic_group", "Kinh"}, {"local", true}});
  }
  o["register"] = json::object{{"people", people}, {"roll", json::array{"m1", "m2", "m3"}}};
  json::array contests;
  json::array cands;
  for (const char* id : {"c1", "c2"}) cands.push_back(json::object{{"id", id}, {"name", std::string("Người ") + id}});
  contests.push_back(json::object{{"id", "sec"}, {"title", "Bí thư"}, {"seats", 1},
                                  {"rule_set", "cpv-2024-cell-secretary"}, {"office", "secretary"},
                                  {"incumbents", json::array{"c1"}},
                                  {"personnel_plan", json::array{"c1"}}, {"candidates", cands}});
  o["contests"] = contests;
  auto s = parse_session(json::serialize(o));
  INFO((s ? std::string() : s.error().message));
  REQUIRE(s.has_value());
  REQUIRE(s->people.has_value());
  CHECK(s->people->roll.size() == 3);
  CHECK(s->people->find_contest("sec")->eligibility ==
        std::vector<std::string>{"cell-secretary-2024"});
  CHECK(s->find_contest("sec")->rule_set == "cpv-2024-cell-secretary");
  // The register's reader names the field, as the session's does.
  o["convened"] = 4;
  auto wrong = parse_session(json::serialize(o));
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().message == "convened: must equal the number on register.roll (3), not 4");
}

TEST_CASE("a session definition that repeats a member name is refused", "[config]") {
  std::string text = json::serialize(session_json());
  text.insert(1, "\"id\":\"other\",");
  auto s = parse_session(text);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().message.find("duplicate member \"id\"") != std::string::npos);
}

TEST_CASE("a session definition that is not JSON is refused", "[config]") {
  auto s = parse_session("{\"id\": ");
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().message.find("not JSON") != std::string::npos);
}

TEST_CASE("strict JSON refuses repeated members at any depth and accepts the rest", "[config]") {
  CHECK(parse_strict_json(R"({"a":{"b":1,"c":[{"d":1}]},"e":2})").has_value());
  CHECK_FALSE(parse_strict_json(R"({"a":1,"a":1})").has_value());
  CHECK_FALSE(parse_strict_json(R"({"a":{"b":1,"b":2}})").has_value());
  CHECK_FALSE(parse_strict_json(R"([{"x":1},{"y":1,"y":2}])").has_value());
  CHECK(parse_strict_json(R"([{"x":1},{"x":2}])").has_value());
  CHECK_FALSE(parse_strict_json("{\"a\":\"\xff\"}").has_value());  // not UTF-8
  CHECK_FALSE(parse_strict_json("{} {}").has_value());
}

TEST_CASE("a missing session file is an i/o error naming the file", "[config]") {
  auto s = load_session_file("/nonexistent/session.json");
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().code == make_error_code(Errc::io_error));
  CHECK(s.error().message.find("/nonexistent/session.json") != std::string::npos);
}
