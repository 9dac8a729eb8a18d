#include "tally/audit/verify/round_check.hpp"

#include <algorithm>
#include <set>

#include "crypto/json_keys.hpp"
#include "tally/audit/verify/box_scan.hpp"
#include "tally/audit/verify/minutes_compare.hpp"
#include "tally/audit/verify/people_check.hpp"
#include "tally/majority.hpp"
#include "tally/percent.hpp"
#include "tally/rule_set.hpp"

namespace tallystation::audit::verify {

namespace json = boost::json;

namespace {


std::optional<std::uint64_t> count_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  if (v->is_uint64()) return v->get_uint64();
  return std::nullopt;
}

// The station's signature (the first) and the committee's countersignatures (the others).
void check_signatures(const RoundJob& job, const crypto::Envelope& env, const json::object& raw,
                      const std::string& scope, Report& report) {
  CheckBuilder station("station signature", scope);
  CheckBuilder counter("countersignatures", scope);
  CheckBuilder cert("certification", scope);
  if (env.payload_type != crypto::payload_type::kResult) {
    station.fail("payloadType is " + env.payload_type);
  } else if (env.signatures.empty()) {
    station.fail("no signature");
  } else if (auto s = crypto::verify_signature(env, env.signatures[0], *job.station); !s) {
    station.fail("the first signature is not the station's over this payload (" +
                 std::string(crypto::to_string(s.error())) + ")");
  } else {
    station.pass();
  }
  std::set<std::string> members;
  for (std::size_t i = 1; i < env.signatures.size(); ++i) {
    const crypto::Signature& s = env.signatures[i];
    auto who = job.session->member_by_keyid.find(s.keyid);
    if (who == job.session->member_by_keyid.end()) {
      counter.fail("signature " + std::to_string(i + 1) + ": keyid " + s.keyid.substr(0, 16) +
                   "... is no committee member's");
    } else if (!members.insert(who->second).second) {
      counter.fail("signature " + std::to_string(i + 1) + ": " + who->second + " signed twice");
    } else if (auto ok = crypto::verify_signature(env, s, job.session->committee); !ok) {
      members.erase(who->second);
      counter.fail("signature " + std::to_string(i + 1) + " by " + who->second +
                   " does not verify over the payload (" +
                   std::string(crypto::to_string(ok.error())) + ")");
    } else {
      counter.pass();
    }
  }
  const bool certified = members.size() >= job.session->required_signatures;
  cert.pass(std::min<std::uint64_t>(members.size(), job.session->required_signatures));
  cert.set_note(std::string(certified ? "certified" : "NOT certified") + ": " +
                std::to_string(members.size()) + " valid countersignature(s), " +
                std::to_string(job.session->required_signatures) + " required");
  for (const auto& kv : raw) {  // the envelope carries nothing unsigned besides the claim
    const std::string_view key = kv.key();
    if (key != "payload" && key != "payloadType" && key != "signatures" && key != "certification") {
      cert.problem_only("minutes.json carries an unknown member \"" + std::string(key) + "\"");
    }
  }
  if (const json::value* claim = raw.if_contains("certification"); claim && !claim->is_object()) {
    cert.problem_only("the envelope's certification claim is not an object");
  } else if (claim) {
    const json::object& c = claim->get_object();
    const json::value* said = c.if_contains("certified");
    if (said == nullptr || !said->is_bool() || said->get_bool() != certified) {
      cert.problem_only("the envelope's certification claim says certified = " +
                        (said ? json::serialize(*said) : std::string("nothing")));
    }
    if (count_of(c, "required") != job.session->required_signatures) {
      cert.problem_only(
          "the envelope's certification claim names another required count than "
          "session.json's " +
          std::to_string(job.session->required_signatures));
    }
  }
  if (!certified) {
    if (job.require_certified) {
      cert.problem_only("not certified");
    } else {
      cert.warn();
    }
  }
  report.add(station.done());
  report.add(counter.done());
  report.add(cert.done());
}


// The minutes were counted on the list and places the congress rules gave the round: seats,
// alternates, alternates_only, and the tally's candidates (ids and names) exactly the ballot's.
void check_round_list(const RoundJob& job, const json::object& m,
                      const congress::RoundBallot& ballot, CheckBuilder& b) {
  auto seats = count_of(m, "seats");
  auto alternates = count_of(m, "alternates");
  const json::value* only = m.if_contains("alternates_only");
  const json::value* tally = m.if_contains("tally");
  if (!seats || !alternates || !only || !only->is_bool() || !tally || !tally->is_array()) {
    return b.fail("the minutes' payload is not a result record");
  }
  if (*seats != ballot.seats || *alternates != ballot.alternates ||
      only->get_bool() != ballot.alternates_only) {
    b.fail("places differ from those the round was opened for (" + std::to_string(ballot.seats) +
           " seats, " + std::to_string(ballot.alternates) + " alternates" +
           (ballot.alternates_only ? ", alternate places only" : "") + ")");
  }
  std::vector<std::string> seen;
  for (const json::value& e : tally->get_array()) {
    const json::object* o = e.if_object();
    const json::value* id = o ? o->if_contains("candidate") : nullptr;
    const json::value* name = o ? o->if_contains("name") : nullptr;
    if (!id || !id->is_string() || !name || !name->is_string()) {
      b.fail("a tally entry is not {candidate, name, votes}");
      continue;
    }
    const std::string cid(id->get_string());
    const tally::Candidate* c = ballot.find_candidate(cid);
    if (c == nullptr) {
      b.fail("candidate " + cid + " was not on the round's list");
    } else if (c->name != std::string_view(name->get_string())) {
      b.fail("candidate " + cid + " stands under another name than on the round's list");
    } else if (std::find(seen.begin(), seen.end(), cid) != seen.end()) {
      b.fail("candidate " + cid + " is in the tally twice");
    } else {
      seen.push_back(cid);
      b.pass();
    }
  }
  if (seen.size() != ballot.candidates.size()) {
    b.fail("the tally names " + std::to_string(seen.size()) + " candidates, the round's list " +
           std::to_string(ballot.candidates.size()));
  }
  if (!tally::find_rule_set(job.contest->rule_set) ||
      !tally::parse_majority_basis(job.contest->majority_basis)) {
    b.fail("session.json names rule set \"" + job.contest->rule_set + "\" or majority basis \"" +
           job.contest->majority_basis + "\", which this verifier does not know");
  }
}

}  // namespace

RoundScan scan_round(const RoundJob& job, const tally::Contest& engine,
                     const congress::RoundBallot& ballot, Report& report) {
  RoundScan scan;
  scan.scope = "round " + job.contest->id + "/" + std::to_string(job.round);
  const RoundFacts& f = job.log->rounds.at({job.contest->id, job.round});
  const std::string minutes_text = read_whole_file(job.dir / "minutes.json");
  auto env = crypto::parse_envelope(minutes_text);
  if (!env) throw UnreadableBundle((job.dir / "minutes.json").string() + ": not a DSSE envelope");
  boost::system::error_code ec;
  const json::value raw = json::parse(minutes_text, ec);
  check_signatures(job, *env, raw.as_object(), scan.scope, report);

  CheckBuilder list_check("round ballot", scan.scope);
  json::value mv = json::parse(env->payload, ec);
  if (!ec && mv.is_object() && crypto::json_keys_unique(env->payload)) {
    scan.minutes = std::move(mv.get_object());
    check_round_list(job, *scan.minutes, ballot, list_check);
  } else {
    list_check.fail("the minutes' payload is not a result record");
  }
  report.add(list_check.done());

  scan.tokens = read_token_set(job.dir / "tokens.txt", f.tokens_issued, scan.scope, report);
  BoxInput in{scan.scope, job.session->id, &engine, job.log, &f, &scan.tokens, job.threads};
  scan.box = scan_box(job.dir / "ballots.jsonl", in, report);
  return scan;
}

void finish_round(const RoundJob& job, const RoundScan& scan, const tally::Contest& engine,
                  const congress::State& after, Report& report) {
  if (!scan.minutes) return;  // "round ballot" failed: nothing to compare the recount with
  const json::object& m = *scan.minutes;
  const congress::ContestState& contest = after.contest(job.contest->id);
  const tally::FurtherRound& next = *contest.last_next;
  CheckBuilder recount("recount", scan.scope);
  compare_count(engine, scan.box.result, m, contest, recount);
  expect(recount, m, "next_step",
         json::object{{"step", tally::to_string(next.step)},
                      {"round", next.round},
                      {"seats", next.seats},
                      {"alternates", next.alternates},
                      {"alternates_only", next.alternates_only},
                      {"eligible", string_array(next.eligible)},
                      {"congress_decides", next.congress_decides},
                      {"new_nominations_allowed", next.new_nominations_allowed}});
  report.add(recount.done());
  const RoundFacts& f = job.log->rounds.at({job.contest->id, job.round});
  compare_facts(job, f, contest.rounds.at(job.round), scan.box, scan.tokens, m, report, scan.scope);
  if (job.session->rules.people) {
    compare_people(
        congress::people_minutes(job.session->rules.people, after, job.contest->id, job.round), m,
        job.contest->majority_basis, scan.scope, report);
  }
}

}  // namespace tallystation::audit::verify
