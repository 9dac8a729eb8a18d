#include "tally/audit/rollup/figures.hpp"

#include <algorithm>
#include <stdexcept>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "tally/audit/verify/bundle_model.hpp"
#include "tally/congress/people.hpp"

namespace tallystation::audit::rollup {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::size_t office_index(std::string_view office) {
  auto it = std::find(kOffices.begin(), kOffices.end(), office);
  return it == kOffices.end() ? kOffices.size() - 1
                              : static_cast<std::size_t>(it - kOffices.begin());
}

std::uint64_t count_of(const json::object& comp, const char* member) {
  return json::value_to<std::uint64_t>(comp.at(member).at("count"));
}

// The highest round number among rounds/<contest>/N, or 0.
std::uint32_t last_round(const fs::path& dir) {
  std::uint32_t last = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.empty() || n.size() > 9 ||
        !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    last = std::max(last, static_cast<std::uint32_t>(std::stoul(n)));
  }
  return last;
}

// The ages of the elected, from the register the minutes' composition was verified against.
std::uint64_t age_sum(const congress::Register& reg, const json::array& elected) {
  std::uint64_t sum = 0;
  for (const json::value& id : elected) {
    const congress::Person* p = reg.find_person(id.as_string());
    if (p == nullptr)
      throw std::runtime_error("elected " + std::string(id.as_string()) +
                               " is not in the register");
    sum += static_cast<std::uint64_t>(congress::age_on(p->birth_date, reg.first_day));
  }
  return sum;
}

// One contest's last minutes, added to `f`.
void add_contest(const json::object& m, const std::optional<congress::Register>& reg,
                 ContestTrace& t, Figures& f) {
  const std::string step(m.at("next_step").at("step").as_string());
  t.counted = step == "none" || step == "appointment" || step == "closed";
  if (!t.counted) {
    ++f.contests_not_complete;
    return;
  }
  const json::array& so_far = m.at("elected_so_far").as_array();
  const json::value* comp_v = m.if_contains("composition");
  if (comp_v == nullptr) {  // a session without a register: the elected only
    t.office = "other";
    t.elected = so_far.size();
    BodyFigures& b = f.body(t.office);
    ++b.contests;
    b.elected += t.elected;
    return;
  }
  const json::object& c = comp_v->as_object();
  t.composition = true;
  t.office = std::string(c.at("office").as_string());
  t.elected = json::value_to<std::uint64_t>(c.at("elected"));
  if (!reg || so_far.size() != t.elected) {
    throw std::runtime_error("contest " + t.contest +
                             ": the composition does not match the minutes");
  }
  BodyFigures& b = f.body(t.office);
  ++b.contests;
  b.elected += t.elected;
  b.described += t.elected;
  b.re_elected += count_of(c, "re_elected");
  b.first_time += count_of(c, "first_time");
  b.women += count_of(c, "women");
  b.under_40 += count_of(c, "under_40");
  b.ethnic_minority += count_of(c, "ethnic_minority");
  b.non_local += count_of(c, "non_local");
  const std::uint64_t ages = age_sum(*reg, so_far);
  // The sum must give the mean the verified minutes state, with the same helper.
  const json::value& mean = c.at("mean_age");
  if (t.elected > 0 &&
      (!mean.is_string() || mean.as_string() != congress::percent_1(ages, t.elected * 100))) {
    throw std::runtime_error("contest " + t.contest +
                             ": the register's ages do not give the minutes' mean_age");
  }
  b.age_sum += ages;
  if (const json::value* plan = c.if_contains("plan")) {
    ++b.planned_contests;
    b.planned += json::value_to<std::uint64_t>(plan->at("planned"));
    b.planned_not_elected += count_of(plan->as_object(), "planned_not_elected");
    b.elected_in_planned += t.elected;
    b.elected_outside_plan += count_of(plan->as_object(), "elected_outside_plan");
  }
}

json::object share(std::uint64_t count, std::uint64_t whole) {
  return json::object{{"count", count}, {"percent", congress::percent_1(count, whole)}};
}

json::value mean_age(const BodyFigures& b) {
  if (b.described == 0) return nullptr;
  return json::value(congress::percent_1(b.age_sum, b.described * 100));
}

json::object body_json(const BodyFigures& b) {
  return json::object{
      {"contests", b.contests},
      {"elected", b.elected},
      {"described", b.described},
      {"re_elected", share(b.re_elected, b.described)},
      {"first_time", share(b.first_time, b.described)},
      {"women", share(b.women, b.described)},
      {"under_40", share(b.under_40, b.described)},
      {"ethnic_minority", share(b.ethnic_minority, b.described)},
      {"non_local", share(b.non_local, b.described)},
      {"mean_age", mean_age(b)},
      {"plan", json::object{
                   {"contests", b.planned_contests},
                   {"planned", b.planned},
                   {"planned_not_elected", share(b.planned_not_elected, b.planned)},
                   {"elected", b.elected_in_planned},
                   {"elected_outside_plan", share(b.elected_outside_plan, b.elected_in_planned)}}}};
}

}  // namespace

void BodyFigures::add(const BodyFigures& o) {
  contests += o.contests;
  elected += o.elected;
  described += o.described;
  re_elected += o.re_elected;
  first_time += o.first_time;
  women += o.women;
  under_40 += o.under_40;
  ethnic_minority += o.ethnic_minority;
  non_local += o.non_local;
  age_sum += o.age_sum;
  planned_contests += o.planned_contests;
  planned += o.planned;
  planned_not_elected += o.planned_not_elected;
  elected_in_planned += o.elected_in_planned;
  elected_outside_plan += o.elected_outside_plan;
}

void Figures::add(const Figures& o) {
  expected += o.expected;
  held += o.held;
  missing += o.missing;
  excluded += o.excluded;
  conflict += o.conflict;
  units_without_secretary += o.units_without_secretary;
  contests_not_complete += o.contests_not_complete;
  for (std::size_t i = 0; i < bodies.size(); ++i) bodies[i].add(o.bodies[i]);
}

BodyFigures& Figures::body(std::string_view office) {
  return bodies[office_index(office)];
}
const BodyFigures& Figures::body(std::string_view office) const {
  return bodies[office_index(office)];
}

Figures bundle_figures(const fs::path& bundle, std::vector<ContestTrace>& contests) {
  const std::string session_bytes = verify::read_whole_file(bundle / "session.json");
  congress::PeopleParse people = congress::parse_people(session_bytes);
  if (!people.error.empty()) throw std::runtime_error("session.json: " + people.error);
  const json::value session = json::parse(session_bytes);
  Figures f;
  for (const json::value& c : session.at("contests").as_array()) {
    ContestTrace t;
    t.contest = std::string(c.at("id").as_string());
    const fs::path dir = bundle / "rounds" / t.contest;
    t.round = last_round(dir);
    if (t.round == 0) {
      ++f.contests_not_complete;
      contests.push_back(std::move(t));
      continue;
    }
    const fs::path file = dir / std::to_string(t.round) / "minutes.json";
    const std::string bytes = verify::read_whole_file(file);
    t.minutes_sha256 = crypto::to_hex(crypto::sha256(bytes));
    auto env = crypto::parse_envelope(bytes);
    if (!env) throw std::runtime_error(file.string() + ": not a DSSE envelope");
    const json::object m = json::parse(env->payload).as_object();
    t.ballot_box_root = std::string(m.at("ballot_box").at("root").as_string());
    add_contest(m, people.people, t, f);
    contests.push_back(std::move(t));
  }
  if (f.body("secretary").elected == 0) f.units_without_secretary = 1;
  return f;
}

json::object to_json(const Figures& f) {
  json::object bodies;
  for (std::size_t i = 0; i < kOffices.size(); ++i) bodies[kOffices[i]] = body_json(f.bodies[i]);
  return json::object{{"expected", f.expected},
                      {"held", f.held},
                      {"held_percent", congress::percent_1(f.held, f.expected)},
                      {"missing", f.missing},
                      {"excluded", f.excluded},
                      {"conflict", f.conflict},
                      {"units_without_secretary", f.units_without_secretary},
                      {"contests_not_complete", f.contests_not_complete},
                      {"bodies", std::move(bodies)}};
}

namespace {

void put_count(std::string& out, const char* name, std::uint64_t n) {
  out += '"';
  out += name;
  out += "\":";
  out += std::to_string(n);
}

void put_share(std::string& out, const char* name, std::uint64_t count, std::uint64_t whole) {
  out += '"';
  out += name;
  out += "\":{\"count\":";
  out += std::to_string(count);
  out += ",\"percent\":\"";
  out += congress::percent_1(count, whole);  // digits and a point: nothing to escape
  out += "\"}";
}

}  // namespace

void append_json(const Figures& f, std::string& out) {
  out += '{';
  put_count(out, "expected", f.expected);
  out += ",\"held\":";
  out += std::to_string(f.held);
  out += ",\"held_percent\":\"";
  out += congress::percent_1(f.held, f.expected);
  out += "\",";
  put_count(out, "missing", f.missing);
  out += ',';
  put_count(out, "excluded", f.excluded);
  out += ',';
  put_count(out, "conflict", f.conflict);
  out += ',';
  put_count(out, "units_without_secretary", f.units_without_secretary);
  out += ',';
  put_count(out, "contests_not_complete", f.contests_not_complete);
  out += ",\"bodies\":{";
  for (std::size_t i = 0; i < kOffices.size(); ++i) {
    const BodyFigures& b = f.bodies[i];
    if (i != 0) out += ',';
    out += '"';
    out += kOffices[i];
    out += "\":{";
    put_count(out, "contests", b.contests);
    out += ',';
    put_count(out, "elected", b.elected);
    out += ',';
    put_count(out, "described", b.described);
    out += ',';
    put_share(out, "re_elected", b.re_elected, b.described);
    out += ',';
    put_share(out, "first_time", b.first_time, b.described);
    out += ',';
    put_share(out, "women", b.women, b.described);
    out += ',';
    put_share(out, "under_40", b.under_40, b.described);
    out += ',';
    put_share(out, "ethnic_minority", b.ethnic_minority, b.described);
    out += ',';
    put_share(out, "non_local", b.non_local, b.described);
    out += ",\"mean_age\":";
    if (b.described == 0) {
      out += "null";
    } else {
      out += '"';
      out += congress::percent_1(b.age_sum, b.described * 100);
      out += '"';
    }
    out += ",\"plan\":{";
    put_count(out, "contests", b.planned_contests);
    out += ',';
    put_count(out, "planned", b.planned);
    out += ',';
    put_share(out, "planned_not_elected", b.planned_not_elected, b.planned);
    out += ',';
    put_count(out, "elected", b.elected_in_planned);
    out += ',';
    put_share(out, "elected_outside_plan", b.elected_outside_plan, b.elected_in_planned);
    out += "}}";
  }
  out += "}}";
}

std::vector<std::string> csv_columns() {
  std::vector<std::string> out = {"expected",
                                  "held",
                                  "missing",
                                  "excluded",
                                  "conflict",
                                  "units_without_secretary",
                                  "contests_not_complete"};
  for (std::string_view o : kOffices) {
    for (const char* c : {"contests", "elected", "described", "re_elected", "first_time", "women",
                          "under_40", "ethnic_minority", "non_local", "mean_age", "planned",
                          "planned_not_elected", "elected_outside_plan"}) {
      out.push_back(std::string(o) + "_" + c);
    }
  }
  return out;
}

std::vector<std::string> to_csv_row(const Figures& f) {
  auto s = [](std::uint64_t n) { return std::to_string(n); };
  std::vector<std::string> out = {s(f.expected),
                                  s(f.held),
                                  s(f.missing),
                                  s(f.excluded),
                                  s(f.conflict),
                                  s(f.units_without_secretary),
                                  s(f.contests_not_complete)};
  for (const BodyFigures& b : f.bodies) {
    for (std::uint64_t n : {b.contests, b.elected, b.described, b.re_elected, b.first_time, b.women,
                            b.under_40, b.ethnic_minority, b.non_local}) {
      out.push_back(s(n));
    }
    out.push_back(b.described == 0 ? "" : congress::percent_1(b.age_sum, b.described * 100));
    for (std::uint64_t n : {b.planned, b.planned_not_elected, b.elected_outside_plan}) {
      out.push_back(s(n));
    }
  }
  return out;
}

}  // namespace tallystation::audit::rollup
