#include "station/app/further_rounds.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

namespace tallystation::station {

namespace json = boost::json;

namespace {

Refused bad(std::string message) {
  return refuse(Refusal::bad_command, std::move(message));
}
// A candidate who may not stand in this round (not elected in the source contest, not among the
// tied, already elected).
Refused not_eligible(std::string message) {
  return refuse(Refusal::not_eligible, std::move(message));
}

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::optional<std::uint32_t> arg_uint(const json::value& v, std::uint32_t max) {
  if (!v.is_int64() || v.get_int64() < 0 || v.get_int64() > max) return std::nullopt;
  return static_cast<std::uint32_t>(v.get_int64());
}

std::string list(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out.empty() ? "(none)" : out;
}

// The candidates chosen from `pool` (ballot order of `pool`), all of `ids` found there.
Checked<std::vector<Candidate>> pick(const std::vector<Candidate>& pool,
                                     const std::vector<std::string>& ids,
                                     const std::vector<std::string>& may_stand,
                                     const std::string& why_not) {
  std::set<std::string, std::less<>> wanted;
  for (const std::string& id : ids) {
    if (!wanted.insert(id).second) return bad("args.candidates: " + id + " is listed twice");
    if (!contains(may_stand, id)) {
      return not_eligible("args.candidates: " + id + " " + why_not);
    }
  }
  std::vector<Candidate> out;
  for (const Candidate& c : pool) {
    if (wanted.contains(c.id)) out.push_back(c);
  }
  return out;
}

Checked<void> check_places(const OpenRoundRequest& req, std::uint32_t seats,
                           std::uint32_t alternates) {
  if (req.seats && *req.seats != seats) {
    return bad("args.seats: the places left are " + std::to_string(seats) + ", not " +
               std::to_string(*req.seats));
  }
  if (req.alternates && *req.alternates != alternates) {
    return bad("args.alternates: the alternate places left are " + std::to_string(alternates) +
               ", not " + std::to_string(*req.alternates));
  }
  return {};
}

Checked<RoundBallot> first_round(const ContestDef& contest, const std::string& elect_from,
                                 const ContestHistory* source, const OpenRoundRequest& req) {
  if (!req.new_nominations.empty()) {
    return bad("args.new_nominations: only a further round after unfilled seats takes them");
  }
  if (elect_from.empty()) {
    if (req.candidates || req.seats || req.alternates) {
      return bad("round 1 of contest " + contest.id +
                 " is voted on the session's list: no candidates, seats or alternates");
    }
    return first_round_ballot(contest);
  }
  // Elected from the members just elected in another contest (e.g. the secretary).
  if (source == nullptr || !contest_complete(*source)) {
    return refuse(Refusal::round_state, "contest " + contest.id + " elects from contest " +
                                            elect_from + ", which is not complete yet");
  }
  std::vector<std::string> ids;
  if (req.candidates) {
    ids = *req.candidates;
  } else {
    // The session may name the list (ids of the source contest); else all elected there.
    for (const Candidate& c : contest.candidates) ids.push_back(c.id);
    if (ids.empty()) ids = source->progress.elected;
  }
  if (ids.empty()) return bad("args.candidates: contest " + elect_from + " elected no one");
  auto picked = pick(source->known, ids, source->progress.elected,
                     "was not elected in contest " + elect_from +
                         " (elected: " + list(source->progress.elected) + ")");
  if (!picked) return picked.error();
  RoundBallot b{contest.seats, contest.alternates, false, {}};
  // Ballot order: as the candidates were given (the congress's list), which pick() keeps as the
  // source's order; the source's order is the one the delegates saw.
  b.candidates = std::move(*picked);
  if (req.seats) b.seats = *req.seats;
  if (req.alternates) b.alternates = *req.alternates;
  if (b.seats == 0) return bad("args.seats: at least 1");
  return b;
}

}  // namespace

Checked<OpenRoundRequest> parse_open_round_args(const json::object& args) {
  OpenRoundRequest r;
  for (const auto& kv : args) {
    std::string_view k(kv.key().data(), kv.key().size());
    if (k != "contest" && k != "round" && k != "candidates" && k != "seats" && k != "alternates" &&
        k != "new_nominations") {
      return bad("args." + std::string(k) + ": unknown argument");
    }
  }
  const json::value* contest = args.if_contains("contest");
  if (contest == nullptr || !contest->is_string() || contest->get_string().empty()) {
    return bad("args.contest: must be a non-empty string");
  }
  r.contest = std::string(contest->get_string());
  const json::value* round = args.if_contains("round");
  auto n = round ? arg_uint(*round, UINT32_MAX >> 1) : std::nullopt;
  if (!n || *n == 0) return bad("args.round: must be a positive integer");
  r.round = *n;
  if (const json::value* c = args.if_contains("candidates")) {
    if (!c->is_array()) return bad("args.candidates: must be an array of candidate ids");
    r.candidates.emplace();
    for (const json::value& id : c->get_array()) {
      if (!id.is_string()) return bad("args.candidates: must be an array of candidate ids");
      r.candidates->emplace_back(id.get_string());
    }
  }
  for (const char* name : {"seats", "alternates"}) {
    if (const json::value* v = args.if_contains(name)) {
      auto count = arg_uint(*v, 1'000'000);
      if (!count) return bad(std::string("args.") + name + ": must be an integer from 0");
      (std::string_view(name) == "seats" ? r.seats : r.alternates) = *count;
    }
  }
  if (const json::value* noms = args.if_contains("new_nominations")) {
    if (!noms->is_array()) return bad("args.new_nominations: must be an array of {id, name}");
    for (const json::value& v : noms->get_array()) {
      const json::object* o = v.if_object();
      const json::value* id = o ? o->if_contains("id") : nullptr;
      const json::value* name = o ? o->if_contains("name") : nullptr;
      if (o == nullptr || o->size() != 2 || id == nullptr || name == nullptr || !id->is_string() ||
          !name->is_string() || name->get_string().empty()) {
        return bad("args.new_nominations: each must be {\"id\", \"name\"}");
      }
      if (!is_valid_id(id->get_string())) {
        return bad("args.new_nominations: invalid id \"" + std::string(id->get_string()) + "\"");
      }
      r.new_nominations.push_back(
          Candidate{std::string(id->get_string()), std::string(name->get_string())});
    }
  }
  return r;
}

bool contest_complete(const ContestHistory& h) {
  if (h.concluded) return true;
  if (!h.last_next) return false;
  const tally::NextStep s = h.last_next->step;
  return s == tally::NextStep::none || s == tally::NextStep::appointment ||
         s == tally::NextStep::closed;
}

std::string contest_state(const ContestHistory& h) {
  if (h.concluded) return "concluded";
  if (!h.last_next) return "voting";
  switch (h.last_next->step) {
    case tally::NextStep::none:
      return "complete";
    case tally::NextStep::runoff:
      return "tie";
    case tally::NextStep::further_round:
      return "unfilled";
    case tally::NextStep::appointment:
    case tally::NextStep::closed:
      return "exhausted";
  }
  return "voting";
}

std::optional<Refused> may_conclude(const ContestHistory& h) {
  if (h.concluded) return refuse(Refusal::round_state, "the contest is already concluded");
  if (!h.last_next || h.last_next->step != tally::NextStep::further_round) {
    return refuse(Refusal::round_state,
                  "only a contest whose last minutes leave places unfilled can be concluded "
                  "(state: " +
                      contest_state(h) + ")");
  }
  return std::nullopt;
}

Checked<RoundBallot> round_ballot_for(const ContestDef& contest, const std::string& elect_from,
                                      const ContestHistory& own, const ContestHistory* source,
                                      const OpenRoundRequest& req) {
  if (req.round == 1) return first_round(contest, elect_from, source, req);
  if (own.concluded) {
    return refuse(Refusal::round_state,
                  "contest " + contest.id + " was concluded by the congress: no further round");
  }
  if (!own.last_next || own.last_closed + 1 != req.round) {
    return refuse(Refusal::round_state, "round " + std::to_string(req.round) + " of contest " +
                                            contest.id + " needs round " +
                                            std::to_string(req.round - 1) + "'s minutes first");
  }
  const tally::FurtherRound& next = *own.last_next;
  const std::string after =
      "after round " + std::to_string(own.last_closed) + " of contest " + contest.id + ": ";
  switch (next.step) {
    case tally::NextStep::none:
      return refuse(Refusal::round_state, after + "every place is filled, no further round");
    case tally::NextStep::appointment:
      return refuse(Refusal::round_state,
                    after + "the round limit is reached; the directly higher committee appoints");
    case tally::NextStep::closed:
      return refuse(Refusal::round_state, after + "the round limit is reached");
    case tally::NextStep::runoff:
    case tally::NextStep::further_round:
      break;
  }
  RoundBallot b;
  b.alternates_only = next.alternates_only;
  b.seats = next.alternates_only ? next.alternates : next.seats;
  b.alternates = next.alternates_only ? 0 : next.alternates;
  if (auto s = check_places(req, b.seats, b.alternates); !s) return s.error();

  if (next.step == tally::NextStep::runoff) {
    // A tie: only the tied stand, for the places left; no new names (docs/rules.md "Ties").
    if (!req.new_nominations.empty()) {
      return bad("args.new_nominations: a run-off after a tie is among the tied only");
    }
    const std::vector<std::string> ids = req.candidates.value_or(next.eligible);
    auto picked =
        pick(own.known, ids, next.eligible, "is not among the tied (" + list(next.eligible) + ")");
    if (!picked) return picked.error();
    if (picked->size() != next.eligible.size()) {
      return bad("args.candidates: a run-off is among all the tied: " + list(next.eligible));
    }
    b.candidates = std::move(*picked);
    return b;
  }
  // Unfilled: everyone of the contest not yet elected may stand; the congress may add names.
  std::vector<std::string> may_stand;
  for (const Candidate& c : own.known) {
    if (!contains(own.progress.elected, c.id) && !contains(own.progress.elected_alternates, c.id)) {
      may_stand.push_back(c.id);
    }
  }
  // Given ids may name candidates not yet elected and the new nominations (added below anyway).
  std::vector<std::string> old_ids;
  for (const std::string& id : req.candidates.value_or(may_stand)) {
    bool nominated = false;
    for (const Candidate& n : req.new_nominations) nominated = nominated || n.id == id;
    if (!nominated) old_ids.push_back(id);
  }
  auto picked = pick(own.known, old_ids, may_stand, "may not stand: already elected or unknown");
  if (!picked) return picked.error();
  b.candidates = std::move(*picked);
  for (const Candidate& n : req.new_nominations) {
    for (const Candidate& k : own.known) {
      if (k.id == n.id) return bad("args.new_nominations: " + n.id + " has already stood");
    }
    if (b.find_candidate(n.id) != nullptr) {
      return bad("args.new_nominations: " + n.id + " is nominated twice");
    }
    if (source != nullptr && !contains(source->progress.elected, n.id)) {
      return not_eligible("args.new_nominations: " + n.id + " was not elected in contest " +
                          elect_from);
    }
    b.candidates.push_back(n);
  }
  if (b.candidates.empty()) return bad("args.candidates: no one may stand");
  return b;
}

}  // namespace tallystation::station
