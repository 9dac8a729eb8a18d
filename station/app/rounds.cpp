#include "station/app/rounds.hpp"

#include <string>

namespace tallystation::station {

namespace {

// Highest round that has been opened (open or closed); 0 if none.
std::uint32_t last_started(const ContestRounds& rounds) {
  std::uint32_t last = 0;
  for (const auto& [n, phase] : rounds) {
    if (phase != RoundPhase::pending) last = n;
  }
  return last;
}

std::optional<std::uint32_t> open_one(const ContestRounds& rounds) {
  for (const auto& [n, phase] : rounds) {
    if (phase == RoundPhase::open) return n;
  }
  return std::nullopt;
}

std::string name(std::uint32_t round) {
  return "round " + std::to_string(round);
}

}  // namespace

std::optional<Refused> may_open_round(const ContestRounds& rounds, std::uint32_t round) {
  if (auto open = open_one(rounds)) {
    return refuse(Refusal::round_state, name(*open) + " is still open");
  }
  const std::uint32_t next = last_started(rounds) + 1;
  if (round != next) {
    return refuse(Refusal::round_state, "the next round to open is " + std::to_string(next) +
                                            ", not " + std::to_string(round));
  }
  return std::nullopt;
}

std::optional<Refused> may_issue_tokens(const ContestRounds& rounds, std::uint32_t round) {
  auto it = rounds.find(round);
  if (it != rounds.end() && it->second == RoundPhase::closed) {
    return refuse(Refusal::round_state, name(round) + " is closed");
  }
  if (it != rounds.end() && it->second == RoundPhase::open) return std::nullopt;
  const std::uint32_t next = last_started(rounds) + 1;
  if (round != next) {
    return refuse(Refusal::round_state, "tokens can be issued for the open round or round " +
                                            std::to_string(next) + ", not " +
                                            std::to_string(round));
  }
  return std::nullopt;
}

std::optional<Refused> may_close_round(const ContestRounds& rounds, std::uint32_t round) {
  auto it = rounds.find(round);
  if (it == rounds.end() || it->second != RoundPhase::open) {
    return refuse(Refusal::round_state, name(round) + " is not open");
  }
  return std::nullopt;
}

}  // namespace tallystation::station
