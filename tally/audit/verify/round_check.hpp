#pragma once
// One closed round of the bundle, checked against everything else (docs/audit.md "Checks"):
// the minutes' station signature and countersignatures, whether the round's list and places are
// ones the session and the previous minutes allowed, the token set, the ballot box (box_scan),
// and a recount with the tally/ engine compared with every number of the minutes.
// Not thread safe; one ContestProgress per contest, updated round by round.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crypto/dsse.hpp"
#include "tally/audit/verify/bundle_model.hpp"
#include "tally/audit/verify/report.hpp"
#include "tally/contest.hpp"
#include "tally/further_round.hpp"
#include "tally/result.hpp"

namespace tallystation::audit::verify {

// What the verifier itself established about a contest so far (never read from minutes).
struct ContestProgress {
  std::uint32_t rounds = 0;                     // rounds checked
  std::vector<std::string> elected;             // official seats, in the order elected
  std::vector<std::string> elected_alternates;  // alternate places
  std::vector<tally::Candidate> known;          // everyone who stood or was listed
  std::optional<tally::FurtherRound> last_next;
  std::optional<std::uint64_t> last_closed_at;
  bool counted = true;  // every round so far could be recounted
};

struct RoundJob {
  std::filesystem::path dir;  // rounds/<contest>/<round>
  const SessionDef* session = nullptr;
  const LogFacts* log = nullptr;
  const ContestDef* contest = nullptr;
  std::uint32_t round = 0;
  const crypto::KeySet* station = nullptr;
  unsigned threads = 2;
  bool require_certified = false;
};

// Checks the round and updates `progress` (and reads `source`, the elect_from contest's).
void check_round(const RoundJob& job, ContestProgress& progress, const ContestProgress* source,
                 Report& report);

}  // namespace tallystation::audit::verify
