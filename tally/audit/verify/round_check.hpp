#pragma once
// One closed round of the bundle, checked against everything else (docs/audit.md "Checks"):
// the minutes' station signature and countersignatures, whether the round was counted on the
// list and places the congress rules gave it, the token set, the ballot box (box_scan), and a
// recount with the tally/ engine compared with every number of the minutes. The round is checked
// in two steps around its close_round in the replay of the command log (verifier.cpp).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crypto/dsse.hpp"
#include "tally/audit/verify/box_scan.hpp"
#include "tally/audit/verify/bundle_model.hpp"
#include "tally/audit/verify/report.hpp"
#include "tally/congress/congress.hpp"
#include "tally/contest.hpp"
#include "tally/further_round.hpp"
#include "tally/result.hpp"

namespace tallystation::audit::verify {

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

// What the first step found: the minutes (if they parse) and the recount of the box.
struct RoundScan {
  std::string scope;  // "round cc/1"
  std::optional<boost::json::object> minutes;  // the payload, when it is a JSON object
  TokenSet tokens;
  BoxScan box;
};

// The first step, when the replay reaches the round's close_round and the congress rules ask for
// its count: the minutes' signatures ("station signature", "countersignatures",
// "certification"), whether the minutes were counted on the list and places the congress rules
// gave the round ("round ballot"), the token set and the ballot box (box_scan), counted as
// `engine` (the rules' view of the round). box.result is the count the rules go on with.
RoundScan scan_round(const RoundJob& job, const tally::Contest& engine,
                     const congress::RoundBallot& ballot, Report& report);

// The second step, after close_round is applied: the minutes against the recount and the state
// the rules reached (`after`: "recount": counts, next_step, elected so far), the facts ("box
// root", "token root", "minutes facts") and, with a register, the people members
// ("attendance", "composition").
void finish_round(const RoundJob& job, const RoundScan& scan, const tally::Contest& engine,
                  const congress::State& after, Report& report);

}  // namespace tallystation::audit::verify
