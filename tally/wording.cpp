#include "tally/wording.hpp"

namespace tallystation::tally {

std::string_view to_string(Language language) {
  switch (language) {
    case Language::en:
      return "en";
    case Language::vi:
      return "vi";
  }
  return "en";
}

std::optional<Language> parse_language(std::string_view code) {
  for (Language l : kLanguages) {
    if (to_string(l) == code) return l;
  }
  return std::nullopt;
}

std::optional<Outcome> parse_outcome(std::string_view code) {
  for (Outcome o : {Outcome::complete, Outcome::tie, Outcome::unfilled, Outcome::exhausted}) {
    if (to_string(o) == code) return o;
  }
  return std::nullopt;
}

std::optional<NextStep> parse_next_step(std::string_view code) {
  for (NextStep s : {NextStep::none, NextStep::runoff, NextStep::further_round,
                     NextStep::appointment, NextStep::closed}) {
    if (to_string(s) == code) return s;
  }
  return std::nullopt;
}

OutcomeFacts outcome_facts(const Result& result, const FurtherRound& next) {
  OutcomeFacts f;
  f.outcome = result.outcome;
  f.next_step = next.step;
  f.round = result.round;
  f.seats_unfilled = result.seats_unfilled;
  f.alternates_unfilled = result.alternates_unfilled;
  f.tied = result.tied.size();
  return f;
}

namespace {

// "1 seat", "2 seats".
std::string count(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string english(const OutcomeFacts& f) {
  switch (f.outcome) {
    case Outcome::complete:
      if (f.alternates_unfilled > 0) {
        return "Every seat is filled; " +
               count(f.alternates_unfilled, "alternate place", "alternate places") +
               " left unfilled: the congress decides whether to vote again";
      }
      return "Every place is filled";
    case Outcome::tie:
      if (f.seats_unfilled > 0) {
        return "A tie at the last seat: a run-off among the " + std::to_string(f.tied) +
               " tied candidates for " + count(f.seats_unfilled, "seat", "seats");
      }
      return "A tie at the last alternate place: a run-off among the " + std::to_string(f.tied) +
             " tied candidates for " +
             count(f.alternates_unfilled, "alternate place", "alternate places");
    case Outcome::unfilled:
      return count(f.seats_unfilled, "seat", "seats") +
             " unfilled: the congress decides whether to hold another round among the "
             "candidates not yet elected";
    case Outcome::exhausted:
      if (f.next_step == NextStep::appointment) {
        return "The round limit of " + std::to_string(f.round) +
               " is reached with the position unfilled: it goes to appointment by the directly "
               "higher Party committee";
      }
      return "The round limit of " + std::to_string(f.round) + " is reached with " +
             count(f.seats_unfilled, "seat", "seats") + " unfilled";
  }
  return "";
}

// Terms of the Quy chế bầu cử trong Đảng (190-QĐ/TW, 2024): trúng cử, dự khuyết, bầu lại,
// cấp ủy cấp trên trực tiếp chỉ định.
std::string vietnamese(const OutcomeFacts& f) {
  const auto n = [](std::uint64_t v) { return std::to_string(v); };
  switch (f.outcome) {
    case Outcome::complete:
      if (f.alternates_unfilled > 0) {
        return "Đã bầu đủ số chính thức; còn thiếu " + n(f.alternates_unfilled) +
               " người dự khuyết: Đại hội quyết định có bầu tiếp hay không";
      }
      return "Đã bầu đủ số lượng";
    case Outcome::tie:
      if (f.seats_unfilled > 0) {
        return "Có số phiếu bằng nhau ở vị trí cuối: bầu lại giữa " + n(f.tied) +
               " người bằng phiếu để chọn " + n(f.seats_unfilled) + " người";
      }
      return "Có số phiếu bằng nhau ở vị trí dự khuyết cuối: bầu lại giữa " + n(f.tied) +
             " người bằng phiếu để chọn " + n(f.alternates_unfilled) + " người dự khuyết";
    case Outcome::unfilled:
      return "Chưa bầu đủ, còn thiếu " + n(f.seats_unfilled) +
             " người: Đại hội quyết định có bầu tiếp hay không trong số những người chưa trúng cử";
    case Outcome::exhausted:
      if (f.next_step == NextStep::appointment) {
        return "Đã hết số vòng bầu (" + n(f.round) +
               " vòng) mà chưa bầu được: cấp ủy cấp trên trực tiếp chỉ định";
      }
      return "Đã hết số vòng bầu (" + n(f.round) + " vòng), còn thiếu " + n(f.seats_unfilled) +
             " người";
  }
  return "";
}

}  // namespace

std::string render_outcome(const OutcomeFacts& facts, Language language) {
  return language == Language::vi ? vietnamese(facts) : english(facts);
}

}  // namespace tallystation::tally
