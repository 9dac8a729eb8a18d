// Words for the minutes' outcome codes (tally/wording.hpp): the signed minutes carry codes and
// numbers only (CONTRACT.md section 0), and every code reads as a sentence in each language.

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "contest_fixture.hpp"
#include "tally/wording.hpp"

using namespace tallystation::tally;
using namespace tallystation::tally::test;

namespace {

// One case of each outcome and each next step the engine gives (docs/rules.md), with the
// numbers the sentence must name.
struct Case {
  OutcomeFacts facts;
  std::vector<std::string> numbers;
};

std::vector<Case> every_code() {
  auto f = [](Outcome o, NextStep s, std::uint32_t round, std::uint64_t seats,
              std::uint64_t alternates, std::uint64_t tied) {
    OutcomeFacts x;
    x.outcome = o;
    x.next_step = s;
    x.round = round;
    x.seats_unfilled = seats;
    x.alternates_unfilled = alternates;
    x.tied = tied;
    return x;
  };
  return {
      {f(Outcome::complete, NextStep::none, 1, 0, 0, 0), {}},
      {f(Outcome::complete, NextStep::further_round, 1, 0, 2, 0), {"2"}},
      {f(Outcome::tie, NextStep::runoff, 1, 1, 0, 3), {"3", "1"}},
      {f(Outcome::tie, NextStep::runoff, 1, 0, 2, 4), {"4", "2"}},
      {f(Outcome::unfilled, NextStep::further_round, 2, 5, 0, 0), {"5"}},
      {f(Outcome::exhausted, NextStep::appointment, 3, 1, 0, 0), {"3"}},
      {f(Outcome::exhausted, NextStep::closed, 4, 2, 0, 0), {"4", "2"}},
  };
}

bool has_non_ascii(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return (c & 0x80) != 0; });
}

}  // namespace

TEST_CASE("every outcome and next-step code reads as a sentence in English and Vietnamese",
          "[tally][wording]") {
  std::set<Outcome> outcomes;
  std::set<NextStep> steps;
  for (Language lang : kLanguages) {
    std::set<std::string> sentences;
    for (const Case& c : every_code()) {
      outcomes.insert(c.facts.outcome);
      steps.insert(c.facts.next_step);
      const std::string s = render_outcome(c.facts, lang);
      CAPTURE(to_string(lang), to_string(c.facts.outcome), to_string(c.facts.next_step), s);
      CHECK_FALSE(s.empty());
      CHECK(s.back() != '.');
      for (const std::string& n : c.numbers) CHECK(s.find(n) != std::string::npos);
      // Vietnamese is written with its diacritics; English is plain ASCII.
      CHECK(has_non_ascii(s) == (lang == Language::vi));
      CHECK(sentences.insert(s).second);  // no two cases read the same
    }
  }
  CHECK(outcomes.size() == 4);  // complete, tie, unfilled, exhausted
  CHECK(steps.size() == 5);     // none, runoff, further_round, appointment, closed
}

TEST_CASE("the sentences in both languages, word for word", "[tally][wording]") {
  const std::vector<Case> cases = every_code();
  const std::vector<std::pair<std::string, std::string>> want = {
      {"Every place is filled", "Đã bầu đủ số lượng"},
      {"Every seat is filled; 2 alternate places left unfilled: the congress decides whether to "
       "vote again",
       "Đã bầu đủ số chính thức; còn thiếu 2 người dự khuyết: Đại hội quyết định có bầu tiếp hay "
       "không"},
      {"A tie at the last seat: a run-off among the 3 tied candidates for 1 seat",
       "Có số phiếu bằng nhau ở vị trí cuối: bầu lại giữa 3 người bằng phiếu để chọn 1 người"},
      {"A tie at the last alternate place: a run-off among the 4 tied candidates for 2 alternate "
       "places",
       "Có số phiếu bằng nhau ở vị trí dự khuyết cuối: bầu lại giữa 4 người bằng phiếu để chọn 2 "
       "người dự khuyết"},
      {"5 seats unfilled: the congress decides whether to hold another round among the "
       "candidates not yet elected",
       "Chưa bầu đủ, còn thiếu 5 người: Đại hội quyết định có bầu tiếp hay không trong số những "
       "người chưa trúng cử"},
      {"The round limit of 3 is reached with the position unfilled: it goes to appointment by "
       "the directly higher Party committee",
       "Đã hết số vòng bầu (3 vòng) mà chưa bầu được: cấp ủy cấp trên trực tiếp chỉ định"},
      {"The round limit of 4 is reached with 2 seats unfilled",
       "Đã hết số vòng bầu (4 vòng), còn thiếu 2 người"},
  };
  REQUIRE(cases.size() == want.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CHECK(render_outcome(cases[i].facts, Language::en) == want[i].first);
    CHECK(render_outcome(cases[i].facts, Language::vi) == want[i].second);
  }
}

TEST_CASE("codes and language tags round-trip; unknown ones are refused", "[tally][wording]") {
  for (Language l : kLanguages) CHECK(parse_language(to_string(l)) == l);
  CHECK(to_string(Language::vi) == "vi");
  CHECK_FALSE(parse_language("fr"));
  CHECK_FALSE(parse_language("EN"));
  for (Outcome o : {Outcome::complete, Outcome::tie, Outcome::unfilled, Outcome::exhausted}) {
    CHECK(parse_outcome(to_string(o)) == o);
  }
  for (NextStep s : {NextStep::none, NextStep::runoff, NextStep::further_round,
                     NextStep::appointment, NextStep::closed}) {
    CHECK(parse_next_step(to_string(s)) == s);
  }
  CHECK_FALSE(parse_outcome("every place is filled"));
  CHECK_FALSE(parse_next_step("appoint"));
}

TEST_CASE("the facts of a counted round are the codes and numbers its minutes carry",
          "[tally][wording]") {
  Contest c = make_contest(2, 4, 9);  // threshold 5
  const Result r = result_for(c, {7, 6, 6, 1}, 9);
  REQUIRE(r.outcome == Outcome::tie);
  const FurtherRound next = further_round(c, r);
  const OutcomeFacts f = outcome_facts(r, next);
  CHECK(f.outcome == Outcome::tie);
  CHECK(f.next_step == NextStep::runoff);
  CHECK(f.round == 1);
  CHECK(f.seats_unfilled == 1);
  CHECK(f.tied == 2);
  CHECK(render_outcome(f, Language::en) ==
        "A tie at the last seat: a run-off among the 2 tied candidates for 1 seat");
}
