// The auditor's readers: strict JSON, the contest file (contract section 5) and the ballots
// stream (contract section 2 payloads). Edge-case decisions: docs/rules.md "tally-audit recount".

#include <catch2/catch.hpp>


#include "tally/audit/ballot_parser.hpp"
#include "tally/audit/contest_file.hpp"
#include "tally/json_reader.hpp"
#include "tally/audit/recount.hpp"

using namespace tallystation;
using namespace tallystation::audit;

namespace {

const char* kContest = R"({"id":"cc","title":"T","seats":2,"candidates":[
 {"id":"c01","name":"A"},{"id":"c02","name":"B"},{"id":"c03","name":"C"}],
 "convened":5})";

ContestFile contest_of(std::string_view text) {
  auto parsed = parse_contest(text, "contest.json");
  if (!parsed) FAIL(parsed.error().to_string());
  return *parsed;
}

std::string ballot(std::string_view marks, std::string_view contest = "cc", int round = 1,
                   std::string_view session = "s1") {
  return std::string(R"({"session":")") + std::string(session) + R"(","contest":")" +
         std::string(contest) + R"(","round":)" + std::to_string(round) +
         R"(,"token":"t","marks":[)" + std::string(marks) + "]}";
}

// Feeds `text` in chunks of `chunk` bytes; returns the JSON result or "ERR " + error.
std::string run(std::string_view text, std::size_t chunk = 1 << 20,
                std::string_view contest = kContest) {
  BallotStream s(contest_of(contest), "ballots.jsonl");
  for (std::size_t i = 0; i < text.size(); i += chunk) {
    if (!s.feed(text.substr(i, chunk))) return "ERR " + s.error().to_string();
  }
  if (!s.finish()) return "ERR " + s.error().to_string();
  return recount_json(s.result());
}

std::string strings_of(std::string_view json) {
  JsonReader r(json);
  std::string scratch;
  std::string_view out;
  if (!r.read_string(out, scratch)) return "ERR " + r.error();
  return std::string(out);
}

}  // namespace

TEST_CASE("JSON strings decode every escape and refuse what RFC 8259 refuses", "[audit][json]") {
  auto [in, out] = GENERATE(table<std::string, std::string>({
      {R"("abc")", "abc"},
      {R"("a\"b\\c\/d")", "a\"b\\c/d"},
      {R"("\b\f\n\r\t")", "\b\f\n\r\t"},
      {R"("\u0041\u00e9\u1EA1")", "A\xC3\xA9\xE1\xBA\xA1"},
      {R"("\ud83d\ude00")", "\xF0\x9F\x98\x80"},
      {"\"Nguy\xE1\xBB\x85n\"", "Nguy\xE1\xBB\x85n"},
      {R"("\ud83d")", "ERR lone high surrogate in \\u escape"},
      {R"("\ude00")", "ERR lone low surrogate in \\u escape"},
      {R"("\x")", "ERR invalid escape in string"},
      {R"("\u12g4")", "ERR invalid \\u escape"},
      {"\"a\tb\"", "ERR control character in string (must be escaped)"},
      {"\"\xC3\"", "ERR invalid UTF-8 in string"},
      {"\"\xC0\xAF\"", "ERR invalid UTF-8 in string"},
      {"\"\xED\xA0\x80\"", "ERR invalid UTF-8 in string"},
      {"\"abc", "ERR unterminated string"},
      {"abc", "ERR expected a string"},
  }));
  CAPTURE(in);
  CHECK(strings_of(in) == out);
}

TEST_CASE("JSON integers for counts refuse signs fractions exponents and leading zeros",
          "[audit][json]") {
  auto [in, ok, value] =
      GENERATE(table<std::string, bool, std::uint64_t>({{"0", true, 0},
                                                        {"17", true, 17},
                                                        {"18446744073709551615", true, UINT64_MAX},
                                                        {"18446744073709551616", false, 0},
                                                        {"-1", false, 0},
                                                        {"1.0", false, 0},
                                                        {"1e2", false, 0},
                                                        {"01", false, 0},
                                                        {"x", false, 0}}));
  JsonReader r(in);
  std::uint64_t v = 0;
  CAPTURE(in);
  CHECK(r.read_uint(v) == ok);
  if (ok) CHECK(v == value);
}

TEST_CASE(
    "a contest file takes the contract's defaults for alternates excluded rule set and basis "
    "(contract section 5)",
    "[audit][contest]") {
  const ContestFile cf = contest_of(kContest);
  CHECK(cf.contest.id == "cc");
  CHECK(cf.contest.seats == 2);
  CHECK(cf.contest.alternates == 0);
  CHECK(cf.contest.excluded == 0);
  CHECK(cf.contest.rule_set.name == "cpv-2024");
  CHECK(cf.contest.majority_basis == tally::MajorityBasis::convened);
  CHECK(cf.contest.round == 1);
  CHECK_FALSE(cf.round_given);
  CHECK(cf.contest.candidates.size() == 3);
}

TEST_CASE("a contest file with an error is refused naming its line", "[audit][contest]") {
  auto [text, message] = GENERATE(table<std::string, std::string>({
      {"{\"id\":\"x\",\n\"seats\":0,\"candidates\":[{\"id\":\"a\",\"name\":\"A\"}],\"convened\":1}",
       "contest.json:2: seats: out of range (1..4294967295)"},
      {"{\"id\":\"x\",\"seats\":1,\n\"exclude\":1,\"candidates\":[{\"id\":\"a\",\"name\":\"A\"}],"
       "\"convened\":1}",
       "contest.json:2: exclude: unknown member of a contest"},
      {"{\"id\":\"x\",\"seats\":1,\"candidates\":[{\"id\":\"a\",\"name\":\"A\"},\n\n{\"id\":\"a\","
       "\"name\":\"B\"}],\"convened\":1}",
       "contest.json:3: candidates: id \"a\" appears twice"},
      {"{\"id\":\"x\",\"seats\":1,\"candidates\":[{\"id\":\"a\",\"name\":\"A\"}]}",
       "contest.json:1: convened (the basis is convened): missing (required member of a contest)"},
      {"{\"id\":\"x\",\"seats\":1,\"candidates\":[{\"id\":\"a\",\"name\":\"A\"}],\"convened\":3,"
       "\n\"excluded\":4}",
       "contest.json:1: contest cannot be counted: excluded is larger than convened"},
      {"{\"id\":\"x\",\"seats\":1,\"candidates\":[],\"convened\":3,\n\"rule_set\":\"cpv-2014\"}",
       "contest.json:2: rule_set: unknown rule set \"cpv-2014\" (known: cpv-2024, "
       "cpv-2024-cell-secretary)"},
      {"{\"id\":\"x\",\"seats\":1,\n\"majority_basis\":\"valid\"}",
       "contest.json:2: majority_basis: expected one of convened, present, ballots_collected, "
       "valid_ballots"},
      {"{\"id\":\"x\",\"seats\":\"1\"}", "contest.json:1: seats: expected a non-negative integer"},
      {"{\"id\":\"x\",\"id\":\"y\"}", "contest.json:1: id: member appears twice"},
      {"[1]", "contest.json:1: expected a JSON object (the contest)"},
      {"{\"id\":\"x\",\"seats\":1,\"candidates\":[{\"id\":\"a\",\"name\":\"A\"}],\"convened\":3}\n{"
       "}",
       "contest.json:2: unexpected data after the contest object"},
  }));
  auto parsed = parse_contest(text, "contest.json");
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().to_string() == message);
}

TEST_CASE("the optional contest members round session and max_surplus_percent are read",
          "[audit][contest]") {
  const ContestFile cf = contest_of(
      R"({"id":"x","seats":1,"alternates":null,"candidates":[{"id":"a","name":"A"}],"majority_basis":"present","present":7,"round":2,"session":"s","max_surplus_percent":20,"rule_set":"cpv-2024-cell-secretary"})");
  CHECK(cf.round_given);
  CHECK(cf.contest.round == 2);
  CHECK(cf.session == "s");
  CHECK(cf.contest.max_surplus_percent == 20);
  CHECK(cf.contest.present == 7);
  CHECK(cf.contest.rule_set.max_rounds == 3);
}

TEST_CASE("recount gives the same result whatever the chunk size of the stream",
          "[audit][recount]") {
  std::string text;
  text += ballot(R"("c01","c02")") + "\n";
  text += ballot(R"("c01")") + "\n";
  text += ballot(R"("c01","c03")") + "\r\n";
  text += ballot(R"("c\u0030\u0031","c02","c03")") + "\n";  // escaped id; too many marks
  text += ballot(R"("c09")") + "\n";                        // not on the list: invalid
  text += ballot("") + "\n";                                // all crossed out: invalid
  text += "  " + ballot(R"("c02")");                        // last line without newline
  const std::string whole = run(text);
  CHECK(whole.rfind(
            "{\"ballots_collected\":7,\"valid\":4,\"invalid\":3,\"basis\":5,\"threshold\":3,", 0) ==
        0);
  CHECK(whole.find(R"("elected":["c01"])") != std::string::npos);
  CHECK(whole.find(R"("outcome":"unfilled")") != std::string::npos);
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u, 100u}) {
    CAPTURE(chunk);
    CHECK(run(text, chunk) == whole);
  }
}

TEST_CASE("recount skips blank lines, which carry no ballot, and keeps counting lines",
          "[audit][recount]") {
  const std::string ok = ballot(R"("c01")") + "\n";
  const std::string three = run(ok + ok + ok, 5);
  REQUIRE(three.rfind("ERR", 0) == std::string::npos);
  CHECK(run(ok + "\n" + ok + "  \r\n" + ok + "\n\n", 5) == three);
}

TEST_CASE("recount refuses a bad ballots file naming the line (contract section 5)",
          "[audit][recount]") {
  const std::string ok = ballot(R"("c01")") + "\n";
  auto [text, message] = GENERATE_COPY(table<std::string, std::string>({
      {ok + "\n" + ok + "{}", "ballots.jsonl:4: session: missing (a ballot payload has exactly "
                             "session, contest, round, token, marks)"},
      {ok + R"({"session":"s1","contest":"cc","round":1,"token":"t","marks":"c01"})",
       "ballots.jsonl:2: marks: expected an array of strings"},
      {ok + R"({"session":"s1","contest":"cc","round":1,"token":"t","marks":[1]})",
       "ballots.jsonl:2: marks: expected an array of strings"},
      {R"({"session":"s1","contest":"cc","round":1,"token":"t","marks":[],"x":1})",
       "ballots.jsonl:1: x: unknown member (a ballot payload has exactly session, contest, round, "
       "token, marks)"},
      {R"({"session":"s1","contest":"cc","round":1,"marks":[]})",
       "ballots.jsonl:1: token: missing (a ballot payload has exactly session, contest, round, "
       "token, marks)"},
      {R"({"session":"s1","contest":"cc","round":1,"round":1,"token":"t","marks":[]})",
       "ballots.jsonl:1: round: member appears twice"},
      {R"({"session":"s1","contest":"cc","round":0,"token":"t","marks":[]})",
       "ballots.jsonl:1: round: expected a positive integer"},
      {R"({"session":"s1","contest":"cc","round":"1","token":"t","marks":[]})",
       "ballots.jsonl:1: round: expected a positive integer"},
      {R"({"session":"s1","contest":"cc","round":1.0,"token":"t","marks":[]})",
       "ballots.jsonl:1: round: expected an integer (no fraction or exponent)"},
      {R"({"session":1,"contest":"cc","round":1,"token":"t","marks":[]})",
       "ballots.jsonl:1: session: expected a string"},
      {ok + ballot(R"("c01","c01")"),
       "ballots.jsonl:2: marks: candidate \"c01\" is marked twice (a repeated mark is malformed)"},
      {ballot(R"("zz","zz")"),
       "ballots.jsonl:1: marks: candidate \"zz\" is marked twice (a repeated mark is malformed)"},
      {ok + ballot(R"("c01")", "other"),
       "ballots.jsonl:2: contest: \"other\" is not the contest being counted (\"cc\")"},
      {ok + ballot(R"("c01")", "cc", 2),
       "ballots.jsonl:2: round: 2 is not the round being counted (1)"},
      {ok + ballot(R"("c01")", "cc", 1, "s2"),
       "ballots.jsonl:2: session: \"s2\" differs from \"s1\" (a ballot box holds one session's "
       "ballots)"},
      {ok + ok + "{\"session\":\"s1\"", "ballots.jsonl:3: expected ',' or '}'"},
      {ballot(R"("c01")") + " x", "ballots.jsonl:1: unexpected data after the ballot payload"},
      {"[]", "ballots.jsonl:1: expected a ballot payload (a JSON object)"},
      {"\xEF\xBB\xBF" + ok, "ballots.jsonl:1: expected a ballot payload (a JSON object)"},
  }));
  CAPTURE(text);
  CHECK(run(text) == "ERR " + message);
  CHECK(run(text, 5) == "ERR " + message);
}

TEST_CASE("recount of an empty ballots file counts an empty box", "[audit][recount]") {
  const std::string out = run("");
  CHECK(out.rfind("{\"ballots_collected\":0,\"valid\":0,\"invalid\":0,\"basis\":5,\"threshold\":3,",
                  0) == 0);
  CHECK(out.find(R"("outcome":"unfilled")") != std::string::npos);
}

TEST_CASE(
    "recount takes the round from the contest file when it names one and from the first ballot "
    "otherwise",
    "[audit][recount]") {
  const std::string cell =
      R"({"id":"cc","seats":1,"candidates":[{"id":"c01","name":"A"},{"id":"c02","name":"B"}],"convened":5,"rule_set":"cpv-2024-cell-secretary")";
  SECTION("from the ballots: round 3 of a cell secretary exhausts the contest") {
    const std::string out = run(ballot(R"("c01")", "cc", 3) + "\n", 1 << 20, cell + "}");
    CHECK(out.find(R"("outcome":"exhausted")") != std::string::npos);
  }
  SECTION("past the round limit is bad input") {
    CHECK(run(ballot(R"("c01")", "cc", 4) + "\n", 1 << 20, cell + "}") ==
          "ERR ballots.jsonl:1: round: 4: the rule set's round limit is already past");
  }
  SECTION("from the contest file: a ballot of another round is bad input") {
    CHECK(run(ballot(R"("c01")", "cc", 1) + "\n", 1 << 20, cell + R"(,"round":2})") ==
          "ERR ballots.jsonl:1: round: 1 is not the round being counted (2)");
  }
}

TEST_CASE("recount output escapes names as JSON and keeps UTF-8", "[audit][recount]") {
  CHECK(json_quote("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
  CHECK(json_quote("Tr\xE1\xBA\xA7n") == "\"Tr\xE1\xBA\xA7n\"");
}

TEST_CASE(
    "every truncation of a ballot line is refused and every byte flip is either refused or read "
    "whole",
    "[audit][recount][tamper]") {
  const std::string line = ballot(R"("c01","c\u0030\u0032")");
  tally::CandidateIndex index(contest_of(kContest).contest.candidates);
  BallotParser parser(index);
  BallotFields fields;
  REQUIRE(parser.parse(line, fields));
  for (std::size_t n = 0; n < line.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(parser.parse(std::string_view(line).substr(0, n), fields));
    CHECK(parser.error_offset() <= n);
  }
  for (std::size_t i = 0; i < line.size(); ++i) {
    for (const int flip : {0x01, 0x20, 0x80, 0xFF}) {
      std::string t = line;
      t[i] = static_cast<char>(t[i] ^ flip);
      CAPTURE(i, flip);
      if (parser.parse(t, fields)) {
        // Still a well-formed payload: all five members, marks that are indexes or unknown.
        CHECK(fields.marks.size() <= 2);
      } else {
        CHECK_FALSE(parser.error().empty());
        CHECK(parser.error_offset() <= t.size());
      }
    }
  }
}

TEST_CASE("a repeated unknown mark is found however many unknown marks the line holds",
          "[audit][recount]") {
  for (const int n : {3, 31, 32, 33, 200}) {
    CAPTURE(n);
    std::string marks;
    for (int i = 0; i < n; ++i) marks += (i ? ",\"x" : "\"x") + std::to_string(i) + "\"";
    CHECK(run(ballot(marks) + "\n").rfind("ERR", 0) == std::string::npos);
    const std::string repeated = marks + ",\"x" + std::to_string(n - 1) + "\"";
    CHECK(run(ballot(repeated) + "\n").find("is marked twice") != std::string::npos);
  }
}
