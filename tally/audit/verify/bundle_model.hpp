#pragma once
// What the verifier reads from an audit bundle besides the ballot boxes (layout: docs/audit.md):
// the session definition (session.json, hashed into config_hash), the command log
// (commands.jsonl, command_log.json) with its checks, and what the log says happened: when each
// terminal was enrolled and revoked, when each round opened and closed, how many tokens were
// issued for it. An independent reading of the documents, sharing no code with station/.
//
// Files that cannot be read or parsed at all throw UnreadableBundle (exit 2); everything that
// parses but does not hold is a failed check in the Report. Values; not thread safe.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "tally/audit/verify/report.hpp"
#include "tally/congress/congress.hpp"
#include "tally/contest.hpp"

namespace tallystation::audit::verify {

struct UnreadableBundle : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The whole file, or UnreadableBundle.
std::string read_whole_file(const std::filesystem::path& p);

struct ContestDef {
  std::string id;
  std::string title;
  std::uint32_t seats = 0;
  std::uint32_t alternates = 0;
  std::vector<tally::Candidate> candidates;  // may be empty with elect_from
  std::string rule_set = "cpv-2024";
  std::string majority_basis = "convened";
  std::uint64_t excluded = 0;
  std::string elect_from;
};

struct SessionDef {
  std::string id;
  std::string config_hash;  // hex SHA-256 of session.json's bytes
  std::uint64_t convened = 0;
  crypto::KeySet officials;
  std::map<std::string, std::string, std::less<>> official_by_keyid;
  crypto::KeySet committee;
  std::map<std::string, std::string, std::less<>> member_by_keyid;
  std::uint64_t required_signatures = 0;
  std::vector<std::pair<std::string, std::string>> terminals;  // id, PEM
  std::vector<ContestDef> contests;
  const ContestDef* find_contest(std::string_view id) const;
  // The congress rules' view of the session (docs/congress.md), for the replay of the log; with
  // the register (rules.people) when the session has one.
  congress::SessionRules rules;
};

SessionDef load_session(const std::filesystem::path& file);

struct Command {
  std::uint64_t index = 0;
  std::uint64_t seq = 0;
  std::string official;
  std::string name;
  boost::json::object args;
  crypto::Digest entry_hash{};
  std::optional<congress::Command> parsed;  // the payload as the congress rules read it
  std::string signer;                       // the official whose key signed it ("" if none)
};

struct TerminalFacts {
  std::string id;
  std::string pem;
  std::optional<std::uint64_t> enrolled_at;  // log index of enrol_terminal
  std::optional<std::uint64_t> revoked_at;   // log index of revoke_terminal
};

struct RoundFacts {
  std::optional<std::uint64_t> opened_at, closed_at;  // log indexes
  std::uint64_t tokens_issued = 0;                    // sum of issue_tokens counts
  boost::json::object open_args;
  std::string log_head_before_close;  // hex: the head before close_round (audit_log_head)
};

using RoundKey = std::pair<std::string, std::uint32_t>;

struct LogFacts {
  std::vector<Command> commands;  // in log order
  std::string head;               // hex, recomputed
  std::map<std::string, TerminalFacts, std::less<>> terminals;
  std::map<RoundKey, RoundFacts> rounds;
  std::map<std::string, std::uint64_t, std::less<>> concluded_at;
  crypto::KeySet terminal_keys;  // every terminal key the session and the log name
  std::map<std::string, std::string, std::less<>> terminal_by_keyid;
};

// Reads commands.jsonl and command_log.json, adds the checks "command signatures",
// "command sequence" and "command log chain" to the report, and records the facts of every
// command that parses (a command that fails its signature is still taken, so later checks can
// name what it claimed; its failure already fails the report). Whether each command was legal
// where it stands is the replay's question ("command effects", verifier.cpp).
LogFacts read_command_log(const std::filesystem::path& bundle, const SessionDef& session,
                          Report& report);

// keys.json against the session and the log: "keys file". Returns the station key's PEM.
std::string check_keys_file(const std::filesystem::path& bundle, const SessionDef& session,
                            const LogFacts& log, Report& report);

// Whether a terminal could have cast a ballot while a round was open (docs/audit.md): its
// enrolment interval [enrolled_at, revoked_at) overlaps the open interval (opened_at,
// closed_at) in log positions.
bool enrolled_while_open(const TerminalFacts& t, const RoundFacts& r);

}  // namespace tallystation::audit::verify
