// The register's tables for stationctl roll, eligibility and composition, from GET /v1/people
// (docs/protocol.md). Words only: every figure is the station's.
#include <boost/json.hpp>
#include <map>
#include <sstream>

#include "station/ctl/station_link.hpp"
#include "station/ctl/tables.hpp"

namespace tallystation::station::ctl {

namespace json = boost::json;

namespace {

std::string str(const json::value* v) {
  if (v == nullptr || v->is_null()) return "-";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "yes" : "no";
  return json::serialize(*v);
}
std::string str(const json::object& o, std::string_view key) {
  return str(o.if_contains(key));
}

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
    names[str(r.as_object(), "person")] = str(r.as_object(), "name");
  }
  for (const json::value& c : people.at("contests").as_array()) {
    for (const json::value& e : c.at("eligibility").as_array()) {
      names[str(e.as_object(), "candidate")] = str(e.as_object(), "name");
    }
  }
  return names;
}

std::string share(const json::object& composition, std::string_view key) {
  return str(composition.at(key).as_object(), "percent") + "%";
}

// "d012 Nguyễn Văn A, d031 Lê Thị B", or "none".
std::string named_ids(const json::value& ids, const std::map<std::string, std::string>& names) {
  std::string out;
  for (const json::value& v : ids.as_array()) {
    const std::string id(v.as_string());
    auto it = names.find(id);
    out += (out.empty() ? "" : ", ") + id + (it != names.end() ? " " + it->second : "");
  }
  return out.empty() ? "none" : out;
}

}  // namespace

std::string render_roll(const json::object& people, bool summary) {
  with_register(people);
  std::ostringstream out;
  const json::object& a = people.at("attendance").as_object();
  out << "congress of " << str(people, "congress_kind") << ", first day "
      << str(people, "congress_date") << "\n";
  Table figures({"", "count"});
  figures.add({"convened", str(a, "convened")});
  figures.add({"present", str(a, "present")});
  for (const auto& [category, n] : a.at("absent").as_object()) {
    figures.add({"absent: " + std::string(category), str(&n)});
  }
  figures.add({"excluded from the basis", str(a, "excluded")});
  const json::object& q = a.at("quorum").as_object();
  figures.add({"quorum base", str(q, "base")});
  figures.add({"quorum required", str(q, "required")});
  out << figures.render();
  out << "quorum: " << (q.at("held").as_bool() ? "held" : "NOT held") << " (" << str(a, "present")
      << " present, " << str(q, "required") << " required)\n";
  std::uint64_t unrecorded = 0;
  for (const json::value& r : people.at("roll").as_array()) {
    if (r.at("presence").as_string() == "unrecorded") ++unrecorded;
  }
  if (unrecorded > 0) out << "not yet recorded: " << unrecorded << " on the roll\n";
  if (summary) return out.str();
  Table roll({"#", "person", "name", "presence", "category", "alternate in place"});
  int n = 0;
  for (const json::value& rv : people.at("roll").as_array()) {
    const json::object& r = rv.as_object();
    roll.add({std::to_string(++n), str(r, "person"), str(r, "name"), str(r, "presence"),
              r.contains("category") ? str(r, "category") : "", str(r, "alternate")});
  }
  out << "\n" << roll.render();
  return out.str();
}

std::string render_eligibility(const json::object& people, const std::string& contest) {
  with_register(people);
  std::ostringstream out;
  bool first = true;
  for (const json::object* c : contests_of(people, contest)) {
    const json::array& rows = c->at("eligibility").as_array();
    if (!first) out << "\n";
    first = false;
    out << "contest " << str(*c, "contest") << " (" << str(*c, "office") << ")";
    if (rows.empty()) {
      out << ": no eligibility rule\n";
      continue;
    }
    out << ", first day " << str(people, "congress_date") << "\n";
    Table t({"candidate", "name", "rule", "age", "limit", "standing", "eligible"});
    std::string notes;
    for (const json::value& v : rows) {
      const json::object& e = v.as_object();
      const bool within = e.at("within_limit").as_bool();
      const bool eligible = e.at("eligible").as_bool();
      t.add({str(e, "candidate"), str(e, "name"), str(e, "rule"), str(e, "age"), str(e, "limit"),
             e.at("re_election").as_bool() ? "re-election" : "first time",
             !eligible ? "NO"
             : within  ? "yes"
                       : "yes, by exception"});
      if (!within) notes += "  " + str(e, "candidate") + ": " + str(e, "reason") + "\n";
    }
    out << t.render();
    if (!notes.empty()) out << "over the limit:\n" << notes;
  }
  return out.str();
}

std::string render_composition(const json::object& people, const std::string& contest) {
  with_register(people);
  const auto names = names_of(people);
  std::ostringstream out;
  bool any = false;
  for (const json::object* c : contests_of(people, contest)) {
    const json::value& cv = c->at("composition");
    if (cv.is_null()) {
      if (!contest.empty()) out << "contest " << contest << ": no one elected yet\n";
      continue;
    }
    if (any) out << "\n";
    any = true;
    const json::object& m = cv.as_object();
    out << "contest " << str(*c, "contest") << " (" << str(m, "office")
        << "): " << str(m, "elected") << " elected"
        << (c->at("complete").as_bool() ? ", complete" : ", so far (not complete)") << "\n";
    Table t({"", "count", "percent"});
    t.add({"elected", str(m, "elected"), "100.0%"});
    const std::pair<const char*, const char*> shares[] = {{"re-elected", "re_elected"},
                                                          {"first time", "first_time"},
                                                          {"women", "women"},
                                                          {"under 40", "under_40"},
                                                          {"ethnic minorities", "ethnic_minority"},
                                                          {"non-local", "non_local"}};
    for (const auto& [label, key] : shares) {
      t.add({label, str(m.at(key).as_object(), "count"), share(m, key)});
    }
    out << t.render();
    out << "mean age: " << str(m, "mean_age") << "\n";
    out << "directly elected by the congress: " << str(m, "directly_elected") << "\n";
    if (const json::value* pv = m.if_contains("plan")) {
      const json::object& p = pv->as_object();
      const json::object& missed = p.at("planned_not_elected").as_object();
      const json::object& outside = p.at("elected_outside_plan").as_object();
      out << "personnel plan: " << str(p, "planned") << " planned\n"
          << "  planned, not elected: " << str(missed, "count") << " (" << str(missed, "percent")
          << "% of the plan): " << named_ids(missed.at("ids"), names) << "\n"
          << "  elected outside the plan: " << str(outside, "count") << " ("
          << str(outside, "percent") << "% of the elected): " << named_ids(outside.at("ids"), names)
          << "\n";
    } else {
      out << "personnel plan: none in the session\n";
    }
  }
  if (!any && contest.empty()) out << "no one elected yet in any contest\n";
  return out.str();
}

}  // namespace tallystation::station::ctl
