#pragma once
// Which round an official may open, and on which list: round 1 takes the session's list; after
// that, only what the last minutes' outcome allows (docs/rules.md "Further rounds",
// tally/further_round.hpp): a run-off among the tied for the places left after a tie; after
// unfilled seats, a further round the congress decided on, among the candidates not yet elected
// and any new nominations; nothing after a complete or exhausted contest. A contest that elects
// from another one (session `elect_from`, e.g. the secretary from the executive committee) opens
// only once that contest is complete, and only with members elected there.
//
// Pure functions over values; thread safe. Refusals are Refused values with the protocol's codes
// (docs/protocol.md "open_round").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "station/app/minutes.hpp"
#include "station/app/refusal.hpp"
#include "tally/further_round.hpp"

namespace tallystation::station {

// open_round's arguments (docs/protocol.md).
struct OpenRoundRequest {
  std::string contest;
  std::uint32_t round = 0;
  std::optional<std::vector<std::string>> candidates;  // ids; default: all who may stand
  std::optional<std::uint32_t> seats;                  // default: the places left
  std::optional<std::uint32_t> alternates;
  std::vector<Candidate> new_nominations;  // further rounds after unfilled only
};

// Strict: only contest, round, candidates, seats, alternates, new_nominations; else bad_command.
Checked<OpenRoundRequest> parse_open_round_args(const boost::json::object& args);

// What a contest's closed rounds established.
struct ContestHistory {
  std::vector<Candidate> known;  // every candidate that stood in a round so far, first seen first
  ContestProgress progress;      // elected so far
  // The next step the last closed round's minutes call for; nullopt while no round has closed.
  std::optional<tally::FurtherRound> last_next;
  std::uint32_t last_closed = 0;  // number of the last closed round (0: none)
  // The congress decided to hold no further round after unfilled seats (conclude_contest).
  bool concluded = false;
};

// A contest is complete when its last minutes call for nothing more (every place filled, or the
// round limit reached) or the congress concluded it.
bool contest_complete(const ContestHistory& history);
// "complete", "concluded", "tie", "unfilled", "exhausted" (after the last closed round), or
// "voting" while no round has closed.
std::string contest_state(const ContestHistory& history);

// The ballot for request.round of `contest`. `own`: the contest's history. `source`: for a contest
// with elect_from, the source contest's history (else nullptr). The round number itself (next,
// none open) is checked by rounds.hpp.
Checked<RoundBallot> round_ballot_for(const ContestDef& contest, const std::string& elect_from,
                                      const ContestHistory& own, const ContestHistory* source,
                                      const OpenRoundRequest& request);

// May the congress conclude the contest with places unfilled? Only after minutes whose outcome
// leaves places unfilled and calls for the congress's decision (not after a tie: the run-off is
// due).
std::optional<Refused> may_conclude(const ContestHistory& history);

}  // namespace tallystation::station
