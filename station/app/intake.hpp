#pragma once
// The checks a ballot or a command passes before it reaches the writer: the envelope, its signer,
// the signature (the expensive part, run on the worker pool), and the payload against the session.
// What needs the store (tokens, round state, revocation, replay) is checked by the Ledger on the
// writer thread. Thread safe: reads the Session (immutable) and the Ledger's locked views.
#include <string_view>

#include "station/app/ledger.hpp"
#include "station/app/refusal.hpp"
#include "station/config/session.hpp"

namespace tallystation::station {

// malformed, bad_signature, unknown_terminal, unknown_session, unknown_contest, unknown_candidate,
// duplicate_mark; else the ballot ready for the writer.
Checked<PendingBallot> check_ballot(std::string_view body, const Session& session,
                                    const Ledger& ledger);

// Writer thread, before the ballot's batch: judges the marks against the list of the round the
// ballot is about to be committed to. check_ballot judged them against the round's list if the
// round had been opened, else against the session's; an open_round committed between the two
// (a run-off, a further round, an elect-from contest: another list than the session's) would
// otherwise let a mark off the round's list into its box. unknown_candidate, or nothing (also
// when the round has not opened: the writer refuses that with round_not_open).
Checked<void> recheck_marks(const PendingBallot& ballot, const Ledger& ledger);

// malformed, bad_signature, unknown_official, unknown_session; else the command for the writer.
Checked<PendingCommand> check_command(std::string_view body, const Session& session);

}  // namespace tallystation::station
