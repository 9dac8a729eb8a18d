#pragma once
// The session definition: the one JSON file from which officials start a session (who may sign
// what, the contests and their rules). Schema and a complete example: docs/session.md,
// docs/examples/session.json.
//
// parse_session validates the whole file and refuses it with a message that names the offending
// field by its path, e.g. `contests[1].candidates[3].id: duplicate id "c07"`. The parsed Session is
// an immutable value; share it freely between threads.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.hpp"
#include "station/config/error.hpp"
#include "tally/congress/congress.hpp"

namespace tallystation::station {

enum class CongressKind { delegates, members };
std::string_view to_string(CongressKind k) noexcept;

struct Person {  // an official or a member of the counting committee
  std::string id;
  std::string name;
  crypto::PublicKey public_key;
};

struct TerminalDef {
  std::string id;
  crypto::PublicKey public_key;
};

using Candidate = tally::Candidate;  // {id, name}

struct ContestDef {
  std::string id;
  std::string title;
  std::uint32_t seats = 0;
  std::uint32_t alternates = 0;
  std::vector<Candidate> candidates;  // in ballot order
  std::string rule_set;               // "cpv-2024"
  std::string majority_basis;         // convened | present | ballots_collected | valid_ballots
  std::uint32_t excluded = 0;
  // Elects from the members elected in this other contest (e.g. the secretary from the executive
  // committee); empty: an ordinary contest. Its candidates are then named when round 1 opens.
  std::string elect_from;

  const Candidate* find_candidate(std::string_view id) const;
};

struct Session {
  std::string id;
  std::string title;
  std::string organisation;
  // The language the session's documents and pages are shown in unless a reader chooses another
  // (`language`, ISO 639-1: "en" or "vi"; "en" when the file names none). Signed records carry
  // codes only; this only chooses how they are rendered (docs/session.md).
  std::string language = "en";
  CongressKind congress_kind = CongressKind::delegates;
  std::uint32_t convened = 0;
  std::vector<Person> officials;
  std::vector<Person> committee;
  std::uint32_t required_signatures = 0;
  std::vector<TerminalDef> terminals;  // known terminals; enrolment makes them active
  std::vector<ContestDef> contests;
  std::string config_hash;  // lowercase hex SHA-256 of the exact file bytes
  // The register (docs/session.md "People"): people, roll, alternates, the contests' incumbents,
  // plans and eligibility rules; nullopt for a session that has none.
  std::optional<congress::Register> people;

  const ContestDef* find_contest(std::string_view id) const;
  const Person* find_official_by_keyid(std::string_view keyid) const;
  const TerminalDef* find_terminal(std::string_view id) const;
};

inline constexpr std::string_view kRuleSets[] = {"cpv-2024", "cpv-2024-cell-secretary"};
inline constexpr std::string_view kMajorityBases[] = {"convened", "present", "ballots_collected",
                                                      "valid_ballots"};

// An identifier as the session and the commands use them: 1 to 64 characters of [A-Za-z0-9._-],
// starting with a letter or digit (the congress rules' definition).
using congress::is_valid_id;

// The congress rules' view of one contest (tally/congress/congress.hpp).
congress::ContestRules contest_rules(const ContestDef& contest);

// Validates and parses the file's bytes. Errors: Errc::invalid_session, message with field path.
Result<Session> parse_session(std::string_view bytes);

// Reads the file and parses it. Errors: Errc::io_error or Errc::invalid_session, message prefixed
// by the file name.
Result<Session> load_session_file(const std::filesystem::path& path);

}  // namespace tallystation::station
