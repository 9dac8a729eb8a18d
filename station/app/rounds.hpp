#pragma once
// The rules for a contest's rounds, kept apart so that they can grow (run-offs and further rounds
// come with the counting minutes). A contest's rounds are numbered 1, 2, ...; each is pending
// (tokens may be issued ahead of opening), open (ballots accepted), then closed, for good.
// Pure functions, thread safe.
#include <cstdint>
#include <map>
#include <optional>

#include "station/app/refusal.hpp"
#include "station/store/store.hpp"

namespace tallystation::station {

// The phase of every round of one contest that exists (has had tokens issued or been opened).
using ContestRounds = std::map<std::uint32_t, RoundPhase>;

// A round may be opened if no round of the contest is open, it is the next one (one more than the
// last opened or closed round) and it is not closed. Else Refusal::round_state.
std::optional<Refused> may_open_round(const ContestRounds& rounds, std::uint32_t round);
// Tokens may be issued for the open round or for the next round ahead of its opening.
std::optional<Refused> may_issue_tokens(const ContestRounds& rounds, std::uint32_t round);
// Only an open round closes.
std::optional<Refused> may_close_round(const ContestRounds& rounds, std::uint32_t round);

}  // namespace tallystation::station
