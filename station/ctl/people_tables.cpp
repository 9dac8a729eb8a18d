// The register's tables for stationctl roll, eligibility and composition, from GET /v1/people
// (docs/protocol.md). Words only: every figure is the station's.
#include <boost/json.hpp>
#include <map>
#include <sstream>

#include "station/ctl/station_link.hpp"
#include "station/ctl/tables.hpp"
#include "station/ctl/words.hpp"

namespace tallystation::station::ctl {

namespace json = boost::json;

namespace {

const json::object& with_register(const json::object& people) {
  const json::value* reg = people.if_contains("register");
  if (reg == nullptr || !reg->is_bool() || !reg->get_bool()) {
    throw CtlError("no_register",
                   "the session has no register of people: attendance is a number "
                   "(stationctl attendance), and there is no roll, eligibility or composition");
  }
  return people;
}

// The contests asked for: one by id (refused if the session has none), or all.
std::vector<const json::object*> contests_of(const json::object& people,
                                             const std::string& contest) {
  std::vector<const json::object*> out;
  for (const json::value& c : people.at("contests").as_array()) {
    if (contest.empty() || c.at("contest").as_string() == contest) out.push_back(&c.as_object());
  }
  if (!contest.empty() && out.empty()) {
    throw CtlError("unknown_contest", "the session has no contest \"" + contest + "\"");
  }
  return out;
}

// Names the station answered with: the roll's and the candidates'.
std::map<std::string, std::string> names_of(const json::object& people) {
  std::map<std::string, std::string> names;
  for (const json::value& r : people.at("roll").as_array()) {
    names[text(r.as_object(), "person", tally::Language::en)] =
        text(r.as_object(), "name", tally::Language::en);
  }
  for (const json::value& c : people.at("contests").as_array()) {
    for (const json::value& e : c.at("eligibility").as_array()) {
      names[text(e.as_object(), "candidate", tally::Language::en)] =
          text(e.as_object(), "name", tally::Language::en);
    }
  }
  return names;
}

// "d012 Nguyễn Văn A, d031 Lê Thị B", or "none".
std::string named_ids(const json::value& ids, const std::map<std::string, std::string>& names,
                      tally::Language language) {
  std::string out;
  for (const json::value& v : ids.as_array()) {
    const std::string id(v.as_string());
    auto it = names.find(id);
    out += (out.empty() ? "" : ", ") + id + (it != names.end() ? " " + it->second : "");
  }
  return out.empty() ? std::string(word(Word::none, language)) : out;
}

// Why a candidate is over an age limit, worded from the members the station's English `reason`
// is made of (in English, the same sentence).
std::string over_limit(const json::object& e, const std::string& first_day,
                       tally::Language language) {
  const auto t = [&](std::string_view key) { return text(e, key, language); };
  std::string out =
      fill(word(e.at("re_election").as_bool() ? Word::over_re_election_limit
                                              : Word::over_first_time_limit,
                language),
           {{"age", t("age")}, {"date", first_day}, {"limit", t("limit")}, {"rule", t("rule")}});
  if (const json::value* x = e.if_contains("exception"); x && x->is_object()) {
    const json::object& ex = x->as_object();
    out += fill(word(Word::exception_approved, language),
                {{"body", text(ex, "body", language)},
                 {"decision", text(ex, "decision", language)},
                 {"date", text(ex, "date", language)}});
  }
  return out;
}

}  // namespace

std::string render_roll(const json::object& people, bool summary, tally::Language language) {
  with_register(people);
  const auto w = [language](Word x) { return std::string(word(x, language)); };
  std::ostringstream out;
  const json::object& a = people.at("attendance").as_object();
  const auto t = [language](const json::object& o, std::string_view key) {
    return text(o, key, language);
  };
  out << fill(word(Word::congress_of, language),
              {{"kind", code_words(Code::congress_kind, t(people, "congress_kind"), language)},
               {"date", t(people, "congress_date")}})
      << "\n";
  Table figures({"", w(Word::col_count)});
  figures.add({w(Word::convened), t(a, "convened")});
  figures.add({w(Word::present), t(a, "present")});
  for (const auto& [category, n] : a.at("absent").as_object()) {
    figures.add({fill(word(Word::absent_as, language),
                      {{"category", code_words(Code::absence, category, language)}}),
                 text(&n, language)});
  }
  figures.add({w(Word::excluded_from_basis), t(a, "excluded")});
  const json::object& q = a.at("quorum").as_object();
  figures.add({w(Word::quorum_base), t(q, "base")});
  figures.add({w(Word::quorum_required), t(q, "required")});
  out << figures.render();
  out << fill(word(q.at("held").as_bool() ? Word::quorum_held : Word::quorum_not_held, language),
              {{"present", t(a, "present")}, {"required", t(q, "required")}})
      << "\n";
  std::uint64_t unrecorded = 0;
  for (const json::value& r : people.at("roll").as_array()) {
    if (r.at("presence").as_string() == "unrecorded") ++unrecorded;
  }
  if (unrecorded > 0) {
    out << fill(word(Word::not_yet_recorded, language), {{"n", std::to_string(unrecorded)}})
        << "\n";
  }
  if (summary) return out.str();
  Table roll({w(Word::col_rank), w(Word::col_person), w(Word::col_name), w(Word::col_presence),
              w(Word::col_category), w(Word::col_alternate_in_place)});
  int n = 0;
  for (const json::value& rv : people.at("roll").as_array()) {
    const json::object& r = rv.as_object();
    roll.add({std::to_string(++n), t(r, "person"), t(r, "name"),
              code_words(Code::presence, t(r, "presence"), language),
              r.contains("category") ? code_words(Code::absence, t(r, "category"), language) : "",
              t(r, "alternate")});
  }
  out << "\n" << roll.render();
  return out.str();
}

std::string render_eligibility(const json::object& people, const std::string& contest,
                               tally::Language language) {
  with_register(people);
  const auto w = [language](Word x) { return std::string(word(x, language)); };
  const auto t = [language](const json::object& o, std::string_view key) {
    return text(o, key, language);
  };
  std::ostringstream out;
  bool first = true;
  for (const json::object* c : contests_of(people, contest)) {
    const json::array& rows = c->at("eligibility").as_array();
    if (!first) out << "\n";
    first = false;
    out << fill(word(Word::contest_office, language),
                {{"contest", t(*c, "contest")},
                 {"office", code_words(Code::office, t(*c, "office"), language)}});
    if (rows.empty()) {
      out << w(Word::no_eligibility_rule) << "\n";
      continue;
    }
    out << fill(word(Word::first_day, language), {{"date", t(people, "congress_date")}}) << "\n";
    Table table({w(Word::col_candidate), w(Word::col_name), w(Word::col_rule), w(Word::col_age),
                 w(Word::col_limit), w(Word::col_standing), w(Word::col_eligible)});
    std::string notes;
    for (const json::value& v : rows) {
      const json::object& e = v.as_object();
      const bool within = e.at("within_limit").as_bool();
      const bool eligible = e.at("eligible").as_bool();
      table.add({t(e, "candidate"), t(e, "name"), t(e, "rule"), t(e, "age"), t(e, "limit"),
                 w(e.at("re_election").as_bool() ? Word::re_election : Word::first_time),
                 w(!eligible ? Word::not_eligible
                   : within  ? Word::eligible
                             : Word::eligible_by_exception)});
      if (!within) {
        notes += "  " + t(e, "candidate") + ": " +
                 over_limit(e, t(people, "congress_date"), language) + "\n";
      }
    }
    out << table.render();
    if (!notes.empty()) out << w(Word::over_the_limit) << "\n" << notes;
  }
  return out.str();
}

std::string render_composition(const json::object& people, const std::string& contest,
                               tally::Language language) {
  with_register(people);
  const auto w = [language](Word x) { return std::string(word(x, language)); };
  const auto t = [language](const json::object& o, std::string_view key) {
    return text(o, key, language);
  };
  const auto names = names_of(people);
  std::ostringstream out;
  bool any = false;
  for (const json::object* c : contests_of(people, contest)) {
    const json::value& cv = c->at("composition");
    if (cv.is_null()) {
      if (!contest.empty()) {
        out << fill(word(Word::no_one_elected_in, language), {{"contest", contest}}) << "\n";
      }
      continue;
    }
    if (any) out << "\n";
    any = true;
    const json::object& m = cv.as_object();
    out << fill(word(c->at("complete").as_bool() ? Word::composition_complete
                                                 : Word::composition_so_far,
                     language),
                {{"contest", t(*c, "contest")},
                 {"office", code_words(Code::office, t(m, "office"), language)},
                 {"elected", t(m, "elected")}})
        << "\n";
    Table table({"", w(Word::col_count), w(Word::col_percent_share)});
    table.add({w(Word::elected_count), t(m, "elected"), "100.0%"});
    const std::pair<Word, const char*> shares[] = {{Word::share_re_elected, "re_elected"},
                                                   {Word::share_first_time, "first_time"},
                                                   {Word::share_women, "women"},
                                                   {Word::share_under_40, "under_40"},
                                                   {Word::share_ethnic_minority, "ethnic_minority"},
                                                   {Word::share_non_local, "non_local"}};
    for (const auto& [label, key] : shares) {
      const json::object& share = m.at(key).as_object();
      table.add({w(label), t(share, "count"), t(share, "percent") + "%"});
    }
    out << table.render();
    out << fill(word(Word::mean_age, language), {{"age", t(m, "mean_age")}}) << "\n";
    out << fill(word(Word::directly_elected, language), {{"yes_no", t(m, "directly_elected")}})
        << "\n";
    if (const json::value* pv = m.if_contains("plan")) {
      const json::object& p = pv->as_object();
      const json::object& missed = p.at("planned_not_elected").as_object();
      const json::object& outside = p.at("elected_outside_plan").as_object();
      out << fill(word(Word::plan_planned, language), {{"n", t(p, "planned")}}) << "\n"
          << fill(word(Word::plan_not_elected, language),
                  {{"n", t(missed, "count")},
                   {"percent", t(missed, "percent")},
                   {"ids", named_ids(missed.at("ids"), names, language)}})
          << "\n"
          << fill(word(Word::plan_outside, language),
                  {{"n", t(outside, "count")},
                   {"percent", t(outside, "percent")},
                   {"ids", named_ids(outside.at("ids"), names, language)}})
          << "\n";
    } else {
      out << w(Word::plan_none) << "\n";
    }
  }
  if (!any && contest.empty()) out << w(Word::no_one_elected) << "\n";
  return out.str();
}

}  // namespace tallystation::station::ctl
