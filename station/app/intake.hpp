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

// malformed, bad_signature, unknown_official, unknown_session; else the command for the writer.
Checked<PendingCommand> check_command(std::string_view body, const Session& session);

}  // namespace tallystation::station
