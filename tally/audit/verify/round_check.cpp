#include "tally/audit/verify/round_check.hpp"

#include <algorithm>
#include <set>

#include "crypto/json_keys.hpp"
#include "tally/audit/verify/box_scan.hpp"
#include "tally/audit/verify/minutes_compare.hpp"
#include "tally/majority.hpp"
#include "tally/percent.hpp"
#include "tally/rule_set.hpp"

namespace tallystation::audit::verify {

namespace json = boost::json;

namespace {

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

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

struct RoundList {
  std::uint32_t seats = 0, alternates = 0;
  bool alternates_only = false;
  std::vector<tally::Candidate> candidates;
};

// The list and places the minutes say the round was voted on (checked by check_round_list).
std::optional<RoundList> list_from_minutes(const json::object& m) {
  RoundList l;
  auto seats = count_of(m, "seats");
  auto alternates = count_of(m, "alternates");
  const json::value* only = m.if_contains("alternates_only");
  const json::value* tally = m.if_contains("tally");
  if (!seats || !alternates || *seats > UINT32_MAX || *alternates > UINT32_MAX || !only ||
      !only->is_bool() || !tally || !tally->is_array()) {
    return std::nullopt;
  }
  l.seats = static_cast<std::uint32_t>(*seats);
  l.alternates = static_cast<std::uint32_t>(*alternates);
  l.alternates_only = only->get_bool();
  for (const json::value& e : tally->get_array()) {
    const json::object* o = e.if_object();
    const json::value* id = o ? o->if_contains("candidate") : nullptr;
    const json::value* name = o ? o->if_contains("name") : nullptr;
    if (!id || !id->is_string() || !name || !name->is_string()) return std::nullopt;
    l.candidates.push_back({std::string(id->get_string()), std::string(name->get_string())});
  }
  return l;
}

const tally::Candidate* find(const std::vector<tally::Candidate>& list, std::string_view id) {
  for (const tally::Candidate& c : list) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::vector<std::string> string_list(const json::object& args, std::string_view key) {
  std::vector<std::string> out;
  if (const json::value* v = args.if_contains(key); v && v->is_array()) {
    for (const json::value& s : v->get_array()) {
      if (s.is_string()) out.emplace_back(s.get_string());
    }
  }
  return out;
}

// Was the round allowed, on this list and for these places? (docs/protocol.md "Further rounds
// and elect-from contests", docs/rules.md "Further rounds".)
void check_round_list(const RoundJob& job, const RoundList& l, const RoundFacts& f,
                      const ContestProgress& p, const ContestProgress* source, CheckBuilder& b) {
  const ContestDef& def = *job.contest;
  const std::vector<std::string> args_candidates = string_list(f.open_args, "candidates");
  if (job.round != p.rounds + 1) {
    return b.fail("round " + std::to_string(job.round) + " follows round " +
                  std::to_string(p.rounds));
  }
  if (p.last_closed_at && f.opened_at && *f.opened_at < *p.last_closed_at) {
    return b.fail("opened before the previous round closed");
  }
  auto concluded = job.log->concluded_at.find(def.id);
  if (job.round == 1 && def.elect_from.empty()) {
    if (l.seats != def.seats || l.alternates != def.alternates || l.alternates_only) {
      b.fail("places differ from the session's (" + std::to_string(def.seats) + " seats, " +
             std::to_string(def.alternates) + " alternates)");
    }
    if (l.candidates.size() != def.candidates.size()) {
      b.fail("the list has " + std::to_string(l.candidates.size()) + " candidates, the session " +
             std::to_string(def.candidates.size()));
    }
    for (const tally::Candidate& c : l.candidates) {
      const tally::Candidate* s = find(def.candidates, c.id);
      if (s == nullptr || s->name != c.name) {
        b.fail("candidate " + c.id + " is not on the session's list under that name");
      } else {
        b.pass();
      }
    }
    return;
  }
  if (job.round == 1) {  // elect_from: only members elected in the source contest, once complete
    const bool source_done = source != nullptr && source->last_next &&
                             (source->last_next->step == tally::NextStep::none ||
                              source->last_next->step == tally::NextStep::appointment ||
                              source->last_next->step == tally::NextStep::closed ||
                              (job.log->concluded_at.count(def.elect_from) != 0 &&
                               job.log->concluded_at.at(def.elect_from) < f.opened_at.value_or(0)));
    if (!source_done) b.fail("contest " + def.elect_from + " was not complete when it opened");
    // Places: the session's, unless open_round named them (docs/protocol.md).
    const std::uint64_t seats = count_of(f.open_args, "seats").value_or(def.seats);
    const std::uint64_t alternates = count_of(f.open_args, "alternates").value_or(def.alternates);
    if (l.seats != seats || l.alternates != alternates || l.alternates_only) {
      b.fail("places differ from the session's or open_round's (" + std::to_string(seats) +
             " seats, " + std::to_string(alternates) + " alternates)");
    }
    // The list: open_round's candidates, else the session's, else everyone elected there.
    std::vector<std::string> want = args_candidates;
    if (want.empty()) {
      for (const tally::Candidate& c : def.candidates) want.push_back(c.id);
    }
    if (want.empty() && source != nullptr) want = source->elected;
    if (l.candidates.size() != want.size()) {
      b.fail("the list has " + std::to_string(l.candidates.size()) + " candidates, open_round " +
             "and the session call for " + std::to_string(want.size()));
    }
    for (const tally::Candidate& c : l.candidates) {
      const tally::Candidate* known = source != nullptr ? find(source->known, c.id) : nullptr;
      if (!contains(want, c.id)) {
        b.fail("candidate " + c.id + " is not on the list open_round and the session call for");
        continue;
      }
      if (source == nullptr || !contains(source->elected, c.id)) {
        b.fail("candidate " + c.id + " was not elected in contest " + def.elect_from);
      } else if (known == nullptr || known->name != c.name) {
        b.fail("candidate " + c.id + " stood in contest " + def.elect_from + " under another name");
      } else if (!args_candidates.empty() && !contains(args_candidates, c.id)) {
        b.fail("candidate " + c.id + " is not among open_round's candidates");
      } else {
        b.pass();
      }
    }
    return;
  }
  if (!p.last_next || (p.last_next->step != tally::NextStep::runoff &&
                       p.last_next->step != tally::NextStep::further_round)) {
    return b.fail("the previous round's outcome allows no further round");
  }
  if (concluded != job.log->concluded_at.end() && concluded->second < f.opened_at.value_or(0)) {
    return b.fail("the contest was concluded before this round opened");
  }
  const tally::FurtherRound& next = *p.last_next;
  if (l.seats != next.seats || l.alternates != next.alternates ||
      l.alternates_only != next.alternates_only) {
    b.fail("places differ from those the previous round left (" + std::to_string(next.seats) +
           " seats, " + std::to_string(next.alternates) + " alternates)");
  }
  std::vector<tally::Candidate> nominated;
  if (const json::value* v = f.open_args.if_contains("new_nominations"); v && v->is_array()) {
    for (const json::value& n : v->get_array()) {
      const json::object* o = n.if_object();
      if (o && o->if_contains("id") && o->at("id").is_string() && o->if_contains("name") &&
          o->at("name").is_string()) {
        nominated.push_back(
            {std::string(o->at("id").get_string()), std::string(o->at("name").get_string())});
      }
    }
  }
  if (next.step == tally::NextStep::runoff && l.candidates.size() != next.eligible.size()) {
    b.fail("a run-off must take all of the tied, and only them");
  }
  if (next.step == tally::NextStep::further_round) {
    // The list: open_round's candidates (else everyone who may stand) and every new nomination.
    const json::value* given = f.open_args.if_contains("candidates");
    std::vector<std::string> want =
        given != nullptr && given->is_array() ? args_candidates : next.eligible;
    for (const tally::Candidate& n : nominated) {
      if (!contains(want, n.id)) want.push_back(n.id);
    }
    if (l.candidates.size() != want.size()) {
      b.fail("the list has " + std::to_string(l.candidates.size()) + " candidates, open_round " +
             "calls for " + std::to_string(want.size()));
    }
    for (const tally::Candidate& c : l.candidates) {
      if (!contains(want, c.id)) b.fail("candidate " + c.id + " is not on open_round's list");
    }
  }
  for (const tally::Candidate& c : l.candidates) {
    const bool eligible = contains(next.eligible, c.id);
    // A new nomination is someone who has not stood yet (and, elect_from, was elected there).
    const tally::Candidate* nominee =
        next.step == tally::NextStep::further_round && find(p.known, c.id) == nullptr &&
                (def.elect_from.empty() || (source != nullptr && contains(source->elected, c.id)))
            ? find(nominated, c.id)
            : nullptr;
    const tally::Candidate* known = eligible ? find(p.known, c.id) : nominee;
    if (!eligible && nominee == nullptr) {
      b.fail("candidate " + c.id + " may not stand in this round");
    } else if (known == nullptr || known->name != c.name) {
      b.fail("candidate " + c.id + " stands under another name than before");
    } else {
      b.pass();
    }
  }
}

tally::Contest engine_contest(const RoundJob& job, const RoundList& l, const RoundFacts& f) {
  const ContestDef& def = *job.contest;
  tally::Contest c;
  c.id = def.id;
  c.title = def.title;
  c.seats = l.seats;
  c.alternates = l.alternates;
  c.candidates = l.candidates;
  c.rule_set = tally::find_rule_set(def.rule_set).value_or(tally::rule_set_cpv_2024());
  c.majority_basis =
      tally::parse_majority_basis(def.majority_basis).value_or(tally::MajorityBasis::convened);
  c.convened = job.session->convened;
  c.excluded = def.excluded;
  c.present = f.present.value_or(0);
  c.round = job.round;
  return c;
}

}  // namespace

void check_round(const RoundJob& job, ContestProgress& p, const ContestProgress* source,
                 Report& report) {
  const std::string scope = "round " + job.contest->id + "/" + std::to_string(job.round);
  const RoundFacts& f = job.log->rounds.at({job.contest->id, job.round});
  const std::string minutes_text = read_whole_file(job.dir / "minutes.json");
  auto env = crypto::parse_envelope(minutes_text);
  if (!env) throw UnreadableBundle((job.dir / "minutes.json").string() + ": not a DSSE envelope");
  boost::system::error_code ec;
  const json::value raw = json::parse(minutes_text, ec);
  check_signatures(job, *env, raw.as_object(), scope, report);

  CheckBuilder list_check("round ballot", scope);
  const json::value mv = json::parse(env->payload, ec);
  const std::optional<RoundList> list =
      (!ec && mv.is_object() && crypto::json_keys_unique(env->payload))
          ? list_from_minutes(mv.get_object())
          : std::nullopt;
  if (!list) {
    list_check.fail("the minutes' payload is not a result record");
    report.add(list_check.done());
    p.counted = false;
    return;
  }
  const json::object& m = mv.get_object();
  check_round_list(job, *list, f, p, source, list_check);
  // A rule set or basis the verifier does not know cannot be recounted under a stand-in.
  if (!tally::find_rule_set(job.contest->rule_set) ||
      !tally::parse_majority_basis(job.contest->majority_basis)) {
    list_check.fail("session.json names rule set \"" + job.contest->rule_set +
                    "\" or majority basis \"" + job.contest->majority_basis +
                    "\", which this verifier does not know");
  }
  const tally::Contest contest = engine_contest(job, *list, f);
  if (const tally::ContestProblem problem = tally::check_contest(contest);
      problem != tally::ContestProblem::none) {
    list_check.fail("the round cannot be counted: " + std::string(tally::to_string(problem)));
    report.add(list_check.done());
    p.counted = false;
    return;
  }
  report.add(list_check.done());

  const TokenSet tokens = read_token_set(job.dir / "tokens.txt", f.tokens_issued, scope, report);
  BoxInput in{scope, job.session->id, &contest, job.log, &f, &tokens, job.threads};
  const BoxScan box = scan_box(job.dir / "ballots.jsonl", in, report);

  // Progress and the next step, as the verifier works them out (docs/rules.md).
  for (const tally::Candidate& c : job.contest->candidates) {
    if (!find(p.known, c.id)) p.known.push_back(c);
  }
  for (const tally::Candidate& c : list->candidates) {
    if (!find(p.known, c.id)) p.known.push_back(c);
  }
  auto add = [](std::vector<std::string>& to, const std::vector<std::string>& ids) {
    for (const std::string& id : ids) {
      if (!contains(to, id)) to.push_back(id);
    }
  };
  if (list->alternates_only) {
    add(p.elected_alternates, box.result.elected);
  } else {
    add(p.elected, box.result.elected);
    add(p.elected_alternates, box.result.elected_alternates);
  }
  tally::FurtherRound next = tally::further_round(contest, box.result);
  if (next.step == tally::NextStep::further_round) {
    next.eligible.clear();
    for (const tally::Candidate& c : p.known) {
      if (!contains(p.elected, c.id) && !contains(p.elected_alternates, c.id))
        next.eligible.push_back(c.id);
    }
  }
  p.last_next = next;
  p.last_closed_at = f.closed_at;
  p.rounds = job.round;

  CheckBuilder recount("recount", scope);
  compare_count(contest, box.result, m, p, recount);
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
  compare_facts(job, f, box, tokens, m, report, scope);
}

}  // namespace tallystation::audit::verify
