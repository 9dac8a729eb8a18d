#pragma once
// The congress as one pure state machine (docs/congress.md): what the session allows, what the
// signed command log has done so far (State), and one function that decides the next command
// against it. The station decides every official command through apply() before it stores it;
// `tally-audit verify` replays the whole command log through the same function, in log order. So
// the rules of a congress (which command is legal when, which list a further round may use, who
// may stand, when a contest is complete or may be concluded) exist once, here.
//
// Each command kind is one row of a table (commands.cpp): its name, its argument schema (types,
// ranges, identifier syntax, no unknown members), its legality check against the state, and its
// effect, as rippled's Transactor has preflight / preclaim / apply.
//
// Pure: no I/O, clock, randomness, crypto or storage. What only the caller can establish (the
// keyid of a PEM key, the count of a round's ballot box) comes in through Environment. Values;
// apply() is a pure function of its arguments and safe to call from any thread.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/congress/json_value.hpp"
#include "tally/congress/people.hpp"
#include "tally/contest.hpp"
#include "tally/further_round.hpp"
#include "tally/result.hpp"

namespace tallystation::congress {

// ---- The session, as far as the rules need it ----

struct ContestRules {
  std::string id;
  std::string title;
  std::uint32_t seats = 0;
  std::uint32_t alternates = 0;
  std::vector<tally::Candidate> candidates;  // ballot order; may be empty with elect_from
  std::string rule_set = "cpv-2024";
  std::string majority_basis = "convened";
  std::uint64_t excluded = 0;
  std::string elect_from;  // empty: an ordinary contest
};

struct ListedTerminal {
  std::string id;
  std::string keyid;
};

struct SessionRules {
  std::string id;
  std::uint64_t convened = 0;
  std::vector<std::string> officials;           // ids
  // The station's, every official's and every committee member's keyid: no terminal's.
  std::vector<std::string> people_keyids;
  std::vector<ListedTerminal> terminals;        // listed in the session (known, not enrolled)
  std::vector<ContestRules> contests;           // session order
  // The register (docs/session.md "People"): with one, attendance and exclusions follow from the
  // roll (record_roll), and candidates must be eligible (record_exception) and make a quorum.
  std::optional<Register> people;
  const ContestRules* find_contest(std::string_view id) const;
};

// An identifier as the session and the commands use them: 1 to 64 bytes of [A-Za-z0-9._-],
// starting with a letter or digit.
bool is_valid_id(std::string_view id) noexcept;

// ---- Refusals ----

// Stable values and codes (docs/congress.md lists each with the rule it enforces).
enum class Code : std::uint8_t {
  malformed_command = 1,    // the payload is not exactly {session, seq, official, command, args}
  wrong_session = 2,        // the payload names another session
  seq_not_above = 3,        // seq is not above the last accepted one
  official_not_signer = 4,  // `official` is not the official whose key signed
  unknown_command = 5,
  bad_argument = 6,         // unknown, missing, mistyped or out-of-range argument, bad id syntax
  unknown_contest = 7,
  terminal_enrolled = 8,      // enrol_terminal: already enrolled
  terminal_revoked = 9,       // enrol_terminal or revoke_terminal: already revoked
  terminal_not_enrolled = 10, // revoke_terminal: never enrolled
  key_required = 11,          // enrol_terminal: an unlisted terminal needs public_key
  key_invalid = 12,           // public_key is not a usable Ed25519 or ECDSA P-256 key
  key_mismatch = 13,          // public_key is not the key the session lists for the terminal
  key_in_use = 14,            // another terminal's, an official's or a committee member's key
  round_open = 15,            // another round of the contest is open
  round_not_next = 16,        // not the round after the last one opened
  round_closed = 17,          // issue_tokens for a closed round
  round_not_open = 18,        // close_round of a round that is not open
  source_incomplete = 19,     // elect_from: the source contest is not complete
  no_further_round = 20,      // the last minutes call for no further round
  contest_concluded = 21,     // the congress concluded the contest
  places_mismatch = 22,       // seats or alternates other than the places allowed
  list_not_allowed = 23,      // candidates, places or nominations where the round takes none
  not_eligible = 24,          // a candidate who may not stand in this round
  runoff_incomplete = 25,     // a run-off that leaves out one of the tied
  nomination_stood = 26,      // a new nomination of someone who has already stood
  duplicate_candidate = 27,   // a candidate listed twice
  no_candidates = 28,         // the round would have no one on its list
  attendance_required = 29,   // close_round with majority basis `present` and no attendance
  conclude_not_allowed = 30,  // conclude_contest unless the last outcome leaves places unfilled
  round_cannot_be_counted = 31,  // the round's contest fails tally::check_contest
  no_register = 32,           // record_roll or record_exception: the session has no register
  roll_kept = 33,             // record_attendance: the session keeps a roll (record_roll)
  unknown_person = 34,        // not on the roll, not an alternate, or not in the register
  already_replaced = 35,      // a place already taken by an alternate, or an alternate in one
  roll_incomplete = 36,       // open_round while someone on the roll has no recorded presence
  no_quorum = 37,             // open_round without the quorum of the rule set
  candidate_ineligible = 38,  // over an age limit of the contest, no exception recorded
  exception_not_needed = 39,  // record_exception for a candidate within the limit
  exception_recorded = 40,    // the same exception again
  unknown_rule = 41,          // record_exception naming a rule the contest does not apply
};

std::string_view to_string(Code code) noexcept;  // e.g. "round_not_next"

struct Refusal {
  Code code = Code::bad_argument;
  std::string message;  // names the argument or the state, in English (for logs and answers)
};

// ---- State ----

enum class Phase : std::uint8_t { pending, open, closed };
std::string_view to_string(Phase phase) noexcept;  // "pending", "open", "closed"

// What one round is voted on, fixed when it opens.
struct RoundBallot {
  std::uint32_t seats = 0;
  std::uint32_t alternates = 0;
  // The round fills alternate places only: its winners take alternate places.
  bool alternates_only = false;
  std::vector<tally::Candidate> candidates;  // ballot order
  const tally::Candidate* find_candidate(std::string_view id) const;
  friend bool operator==(const RoundBallot& a, const RoundBallot& b);
};

struct RoundState {
  Phase phase = Phase::pending;
  std::uint64_t tokens_issued = 0;
  std::optional<RoundBallot> ballot;  // set when opened
  std::uint64_t opened_at = 0;        // log index of open_round (phase open or closed)
  std::uint64_t closed_at = 0;        // log index of close_round (phase closed)
  std::optional<std::uint64_t> present;  // attendance when it closed
  std::uint64_t excluded = 0;            // excluded from the basis when it closed
  std::optional<Attendance> attendance;  // with a register: the roll's figures when it closed
  std::optional<tally::Result> result;   // the count, once closed
};

struct ContestState {
  std::map<std::uint32_t, RoundState> rounds;  // every round with tokens issued or opened
  std::vector<tally::Candidate> known;  // everyone who stood or was nominated, first seen first
  std::vector<std::string> elected;             // official seats, in the order elected
  std::vector<std::string> elected_alternates;  // alternate places, in the order elected
  std::optional<tally::FurtherRound> last_next;  // what the last closed round's minutes call for
  std::uint32_t last_closed = 0;                 // 0: no round closed
  bool concluded = false;                        // conclude_contest

  // Highest round opened (open or closed); 0 if none.
  std::uint32_t last_started() const;
  std::optional<std::uint32_t> open_round() const;
  // Every place filled, the round limit reached, or concluded.
  bool complete() const;
  // "voting", "complete", "tie", "unfilled", "exhausted", "concluded" (docs/congress.md).
  std::string_view state() const;
};

struct TerminalState {
  std::string keyid;
  std::string public_key;  // PEM, as enrolled
  bool revoked = false;
  std::uint64_t enrolled_at = 0;               // log index
  std::optional<std::uint64_t> revoked_at;     // log index
};

struct State {
  std::uint64_t log_size = 0;  // commands applied so far (the next command's log index)
  std::uint64_t last_seq = 0;
  std::optional<std::uint64_t> present;                           // attendance last recorded
  std::optional<Roll> roll;               // with a register: the roll as recorded so far
  std::vector<Exception> exceptions;      // eligibility exceptions, in log order
  std::map<std::string, TerminalState, std::less<>> terminals;   // enrolled (and revoked)
  std::map<std::string, ContestState, std::less<>> contests;     // every contest of the session

  const ContestState& contest(std::string_view id) const;  // precondition: a session contest
};

// The state before the first command.
State initial_state(const SessionRules& session);

// ---- Commands ----

struct Command {
  std::string session;
  std::uint64_t seq = 0;
  std::string official;
  std::string name;
  JsonValue args = JsonValue::make_object({});
};

// The payload bytes as signed: exactly the members session, seq (integer >= 1), official,
// command (strings) and args (an object); strict JSON, no repeated member. Else
// Code::malformed_command.
struct ParsedCommand {
  std::optional<Command> command;
  Refusal refusal;  // when command is empty
};
ParsedCommand parse_command(std::string_view payload);

// What only the caller can establish.
struct Environment {
  // The keyid (lowercase hex SHA-256 of the DER SubjectPublicKeyInfo) of a PEM public key, or
  // nullopt if it is not a usable Ed25519 or ECDSA P-256 key.
  std::function<std::optional<std::string>(std::string_view pem)> keyid_of;
  // close_round: counts the round's ballot box as `contest` (the round's list, places, basis
  // and attendance). Called once, after every legality check has passed.
  std::function<tally::Result(const tally::Contest& contest)> count;
};

// What a command did, for the caller to store and answer.
struct Effect {
  std::string command;
  std::string contest;     // commands on a contest
  std::uint32_t round = 0; // commands on a round
  std::string terminal;    // enrol/revoke
  std::uint64_t count = 0; // issue_tokens: tokens to issue
};

struct Applied {
  State state;  // the state after the command
  Effect effect;
};

struct Decision {
  std::optional<Applied> applied;  // set: the command is legal
  Refusal refusal;                 // else: why not
};

// Decides `command`, signed by official `signer` (the caller verified the signature), against
// `state`. Checks, in this order: session, seq, official, command name, argument schema, then
// the command's legality against the state; then applies its effect. Pure.
Decision apply(const SessionRules& session, const State& state, const Command& command,
               std::string_view signer, const Environment& env);

// ---- Queries the station and the auditor share ----

// The engine's contest for a round (list and places from the round's ballot, rule set and basis
// from the session, `present` from the attendance: the recorded one, else 0; `excluded` the
// contest's, or with a register the roll's).
tally::Contest round_contest(const SessionRules& session, const ContestRules& contest,
                             std::uint32_t round, const RoundBallot& ballot,
                             std::optional<std::uint64_t> present, std::uint64_t excluded);
// The same for a closed round, from what it recorded when it closed.
tally::Contest round_contest(const SessionRules& session, const ContestRules& contest,
                             std::uint32_t round, const RoundState& closed);

// With a register: the roll's figures now (rule set `rule_set`'s quorum). Precondition:
// session.people and state.roll.
Attendance roll_attendance(const SessionRules& session, const State& state,
                           std::string_view rule_set);

// What a round's minutes state about people (docs/protocol.md "Results"), as compact JSON texts;
// empty when the session has no register. `attendance`: the round's roll figures when it closed;
// `composition`: once the contest is complete after the round, its elected body against the plan.
struct PeopleMinutes {
  std::string attendance;
  std::string composition;
};
PeopleMinutes people_minutes(const std::optional<Register>& people, const State& after,
                             std::string_view contest, std::uint32_t round);

// The next step after a round, as the minutes state it: tally::further_round(), with the
// eligible list of a further round after unfilled seats widened to everyone of the contest not
// yet elected (`known` minus `elected` and `elected_alternates`, in `known` order). After a round
// that filled alternate places only (`alternates_only`), the places it left are alternate places
// too: a run-off or further round for them is again alternates-only (seats 0, alternates = the
// places left).
tally::FurtherRound next_step(const tally::Contest& contest, const tally::Result& result,
                              const ContestState& after, bool alternates_only = false);

// What counting round `round` (voted on `ballot`, counted as `engine`) does to its contest: the
// round closed with its result, the elected added in the order the count ranks them (an
// alternates-only round's winners to the alternate places), and the next step (next_step()).
// close_round's effect; also used by tools that write minutes without a command log.
void record_count(ContestState& contest, std::uint32_t round, const RoundBallot& ballot,
                  const tally::Contest& engine, const tally::Result& result);

}  // namespace tallystation::congress
