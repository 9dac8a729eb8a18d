#include "tally/audit/rollup/nist_results.hpp"

#include <algorithm>

#include <map>
#include <stdexcept>

#include <boost/json.hpp>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "tally/audit/verify/bundle_model.hpp"

namespace tallystation::audit::rollup {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

json::object minutes_payload(const fs::path& file, const std::string& bytes) {
  auto env = crypto::parse_envelope(bytes);
  if (!env) throw std::runtime_error(file.string() + ": not a DSSE envelope");
  return json::parse(env->payload).as_object();
}

// The names come from the session in whatever language it was written in, which the session
// does not state: BCP 47 "und" (undetermined).
json::object text(std::string_view s) {
  return json::object{{"@type", "ElectionResults.InternationalizedText"},
                      {"Text", json::array{json::object{{"@type", "ElectionResults.LanguageString"},
                                                        {"Content", s},
                                                        {"Language", "und"}}}}};
}

// Identifiers may use every character an @id may, so the contest id is prefixed by its length:
// "cs-5-chair-1-p1" can only be contest "chair", round 1, candidate "p1".
std::string contest_key(std::string_view contest) {
  return std::to_string(contest.size()) + "-" + std::string(contest);
}
std::string unit_id(std::string_view unit) {
  return "ru-" + std::string(unit);
}
std::string person_id(std::string_view c) {
  return "pe-" + std::string(c);
}
std::string candidate_id(std::string_view contest, std::string_view c) {
  return "ca-" + contest_key(contest) + "-" + std::string(c);
}
std::string round_id(std::string_view contest, std::uint32_t round) {
  return "cc-" + contest_key(contest) + "-" + std::to_string(round);
}

bool contains(const json::array& ids, std::string_view id) {
  for (const json::value& v : ids) {
    if (v.as_string() == id) return true;
  }
  return false;
}

// One counted round: a CandidateContest with the round's tally.
json::object round_contest(const json::object& m, const std::string& contest, std::uint32_t round,
                           const std::string& ru) {
  json::array selections;
  std::uint64_t order = 0;
  for (const json::value& row : m.at("tally").as_array()) {
    const std::string cand(row.at("candidate").as_string());
    selections.push_back(json::object{
        {"@type", "ElectionResults.CandidateSelection"},
        {"@id", "cs-" + contest_key(contest) + "-" + std::to_string(round) + "-" + cand},
        {"CandidateIds", json::array{candidate_id(contest, cand)}},
        {"SequenceOrder", ++order},
        {"VoteCounts", json::array{json::object{{"@type", "ElectionResults.VoteCounts"},
                                                {"Count", row.at("votes")},
                                                {"GpUnitId", ru},
                                                {"Round", round},
                                                {"Type", "total"}}}}});
  }
  return json::object{
      {"@type", "ElectionResults.CandidateContest"},
      {"@id", round_id(contest, round)},
      {"ContestSelection", std::move(selections)},
      {"ElectionDistrictId", ru},
      {"Name", m.at("title")},
      {"NumberElected", m.at("elected").as_array().size()},
      {"OtherCounts",
       json::array{json::object{{"@type", "ElectionResults.OtherCounts"},
                                {"GpUnitId", ru},
                                {"Overvotes", m.at("invalid_by_reason").at("too_many_marks")}}}},
      {"SequenceOrder", round},
      {"VoteVariation", "n-of-m"},
      {"VotesAllowed", m.at("seats")}};
}

// What the counted contests add to the report, in session order.
struct Entries {
  std::map<std::string, std::string> names;  // person id -> the name it first appears under
  json::array candidates, contests;
};

// Contest `def` (session.json), counted with the outcome's trace `t`: a CandidateContest per
// closed round, and its candidates.
void add_contest(const fs::path& bundle, const json::object& def, const ContestTrace& t,
                 const std::string& ru, Entries& e) {
  const std::string& contest = t.contest;
  json::object last;
  // Who stood: the session's list; an elect_from contest that lists none: everyone on the
  // rounds' tallies, first seen first (the contest's `known`).
  std::vector<std::pair<std::string, std::string>> stood;
  if (const json::value* listed = def.if_contains("candidates")) {
    for (const json::value& c : listed->as_array()) {
      stood.emplace_back(c.at("id").as_string(), c.at("name").as_string());
    }
  }
  const bool from_tallies = stood.empty();
  for (std::uint32_t round = 1; round <= t.round; ++round) {
    const fs::path file = bundle / "rounds" / contest / std::to_string(round) / "minutes.json";
    if (!fs::exists(file)) continue;  // a round number never closed
    const std::string bytes = verify::read_whole_file(file);
    if (round == t.round && crypto::to_hex(crypto::sha256(bytes)) != t.minutes_sha256) {
      throw std::runtime_error(file.string() + ": changed since it was verified");
    }
    json::object m = minutes_payload(file, bytes);
    if (from_tallies) {
      for (const json::value& row : m.at("tally").as_array()) {
        const std::string id(row.at("candidate").as_string());
        if (std::none_of(stood.begin(), stood.end(), [&](const auto& p) { return p.first == id; }))
          stood.emplace_back(id, row.at("name").as_string());
      }
    }
    e.contests.push_back(round_contest(m, contest, round, ru));
    if (round == t.round) last = std::move(m);
  }
  const json::array& elected = last.at("elected_so_far").as_array();
  const json::array& alternates = last.at("elected_alternates_so_far").as_array();
  for (const auto& [id, name] : stood) {
    e.names.emplace(id, name);
    json::object cand{{"@type", "ElectionResults.Candidate"},
                      {"@id", candidate_id(contest, id)},
                      {"BallotName", text(name)},
                      {"PersonId", person_id(id)}};
    // An elected alternate neither won a seat nor was defeated: no status.
    if (contains(elected, id)) {
      cand["PostElectionStatus"] = "winner";
    } else if (!contains(alternates, id)) {
      cand["PostElectionStatus"] = "defeated";
    }
    e.candidates.push_back(std::move(cand));
  }
}

}  // namespace

std::string render_nist(const fs::path& bundle, const BundleOutcome& o, const Unit& unit,
                        const NistContext& ctx) {
  const std::string session_bytes = verify::read_whole_file(bundle / "session.json");
  if (crypto::to_hex(crypto::sha256(session_bytes)) != o.config_hash) {
    throw std::runtime_error((bundle / "session.json").string() +
                             ": changed since it was verified");
  }
  const json::object session = json::parse(session_bytes).as_object();
  const std::string ru = unit_id(unit.id);

  Entries e;
  for (const json::value& def : session.at("contests").as_array()) {
    const std::string contest(def.at("id").as_string());
    for (const ContestTrace& t : o.contests) {
      if (t.contest == contest && t.counted) add_contest(bundle, def.as_object(), t, ru, e);
    }
  }
  json::array people;
  for (const auto& [id, name] : e.names) {
    people.push_back(json::object{
        {"@type", "ElectionResults.Person"}, {"@id", person_id(id)}, {"FullName", text(name)}});
  }

  const json::value* date = session.if_contains("congress_date");
  const bool dated = date != nullptr && date->is_string();
  const std::string day = dated ? std::string(date->as_string()) : ctx.generated.substr(0, 10);
  const json::value* org = session.if_contains("organisation");
  // Members in alphabetical order, "@type" first (docs/audit.md).
  json::object report;
  report["@type"] = "ElectionResults.ElectionReport";
  report["Election"] = json::array{json::object{{"@type", "ElectionResults.Election"},
                                                {"Candidate", std::move(e.candidates)},
                                                {"Contest", std::move(e.contests)},
                                                {"ElectionScopeId", ru},
                                                {"EndDate", day},
                                                {"Name", text(session.at("title").as_string())},
                                                {"OtherType", "party-congress"},
                                                {"StartDate", day},
                                                {"Type", "other"}}};
  report["Format"] = "summary-contest";
  report["GeneratedDate"] = ctx.generated;
  report["GpUnit"] = json::array{json::object{{"@type", "ElectionResults.ReportingUnit"},
                                              {"@id", ru},
                                              {"Name", text(unit.name)},
                                              {"OtherType", "party-unit"},
                                              {"Type", "other"}}};
  report["Issuer"] = org != nullptr && org->is_string() ? std::string(org->as_string()) : unit.name;
  report["IssuerAbbreviation"] = unit.id;
  if (!dated) {
    report["Notes"] =
        "The session gives no congress_date: StartDate and EndDate are the date of GeneratedDate.";
  }
  report["Person"] = std::move(people);
  report["SequenceEnd"] = 1;
  report["SequenceStart"] = 1;
  report["Status"] = o.certified ? "certified" : "unofficial-complete";
  report["VendorApplicationId"] = "tallystation tally-audit rollup";
  return json::serialize(report) + "\n";
}

}  // namespace tallystation::audit::rollup
