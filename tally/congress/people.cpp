#include "tally/congress/people.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "tally/percent.hpp"
#include "tally/rule_set.hpp"

namespace tallystation::congress {

namespace {

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
int days_in(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

std::optional<Date> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t from, std::size_t n) -> int {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  const int y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days_in(y, m)) return std::nullopt;
  return Date{y, m, d};
}

std::string to_string(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

int age_on(const Date& birth, const Date& day) {
  int age = day.year - birth.year;
  // This year's birthday; 29 February falls on 1 March in a common year.
  int bm = birth.month, bd = birth.day;
  if (bm == 2 && bd == 29 && !leap(day.year)) {
    bm = 3;
    bd = 1;
  }
  if (day.month < bm || (day.month == bm && day.day < bd)) --age;
  return std::max(age, 0);
}

std::string_view to_string(Sex s) noexcept {
  return s == Sex::female ? "female" : "male";
}

AgeLimitRule cell_secretary_2024() {
  return AgeLimitRule{std::string(kCellSecretary2024),
                      "Party cell secretary: age limits of the provincial guidance (2024)",
                      65,
                      60,
                      67,
                      62,
                      "the district Party committee's standing committee"};
}

const Person* Register::find_person(std::string_view id) const {
  if (!person_index.empty()) {
    auto it = person_index.find(id);
    return it == person_index.end() ? nullptr : &people[it->second];
  }
  for (const Person& p : people) {
    if (p.id == id) return &p;
  }
  return nullptr;
}
const AgeLimitRule* Register::find_rule(std::string_view id) const {
  for (const AgeLimitRule& r : rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}
const ContestPeople* Register::find_contest(std::string_view id) const {
  for (const ContestPeople& c : contests) {
    if (c.contest == id) return &c;
  }
  return nullptr;
}
bool Register::on_roll(std::string_view id) const {
  if (!roll_index.empty()) return roll_index.contains(id);
  return contains(roll, id);
}
bool Register::is_alternate(std::string_view id) const {
  if (!alternate_index.empty()) return alternate_index.contains(id);
  return contains(alternates, id);
}

// ---- Roll ----

namespace {
constexpr std::array<Absence, 2> kDelegateAbsences = {Absence::absent, Absence::absent_throughout};
constexpr std::array<Absence, 5> kMemberAbsences = {
    Absence::absent, Absence::temporary_transfer, Absence::exempted,
    Absence::suspended_or_prosecuted, Absence::absent_with_accepted_reason};
}  // namespace

std::string_view to_string(Absence a) noexcept {
  switch (a) {
    case Absence::absent: return "absent";
    case Absence::absent_throughout: return "absent_throughout";
    case Absence::temporary_transfer: return "temporary_transfer";
    case Absence::exempted: return "exempted";
    case Absence::suspended_or_prosecuted: return "suspended_or_prosecuted";
    case Absence::absent_with_accepted_reason: return "absent_with_accepted_reason";
  }
  return "absent";
}

std::optional<Absence> parse_absence(std::string_view s) {
  for (Absence a : kMemberAbsences) {
    if (to_string(a) == s) return a;
  }
  if (s == to_string(Absence::absent_throughout)) return Absence::absent_throughout;
  return std::nullopt;
}

std::span<const Absence> absences_of(Kind kind) {
  if (kind == Kind::delegates) return kDelegateAbsences;
  return kMemberAbsences;
}

bool is_excluded(Kind kind, Absence a) {
  if (a == Absence::absent) return false;
  const auto cats = absences_of(kind);
  return std::find(cats.begin(), cats.end(), a) != cats.end();
}

bool is_quorum_exempt(Kind kind, Absence a) {
  return kind == Kind::members &&
         (a == Absence::temporary_transfer || a == Absence::exempted ||
          a == Absence::suspended_or_prosecuted);
}

Roll initial_roll(const Register& r) {
  Roll roll;
  for (const std::string& id : r.roll) roll.seats.emplace(id, Seat{});
  return roll;
}

Attendance attendance(const Register& r, const Roll& roll, std::uint32_t num, std::uint32_t den) {
  Attendance a;
  a.convened = r.roll.size();
  for (Absence cat : absences_of(r.kind)) a.absent.emplace_back(cat, 0);
  std::uint64_t exempt = 0;
  for (const auto& [id, seat] : roll.seats) {
    switch (seat.presence) {
      case Presence::unrecorded: ++a.unrecorded; break;
      case Presence::present: ++a.present; break;
      case Presence::absent:
        for (auto& [cat, n] : a.absent) {
          if (cat == seat.absence) ++n;
        }
        if (is_excluded(r.kind, seat.absence)) ++a.excluded;
        if (is_quorum_exempt(r.kind, seat.absence)) ++exempt;
        break;
    }
  }
  a.quorum_base = a.convened - exempt;
  a.quorum_required = den == 0 ? 0 : (a.quorum_base * num + den - 1) / den;
  a.quorum_held = a.present >= a.quorum_required;
  return a;
}

namespace {

// JSON string literal (ids and names are UTF-8 checked where they were read).
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}
std::string num(std::uint64_t n) {
  return std::to_string(n);
}
std::string boolean(bool b) {
  return b ? "true" : "false";
}
std::string id_array(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + quoted(ids[i]);
  return out + "]";
}

}  // namespace

std::string to_json(const Attendance& a, Kind) {
  std::string absent = "{";
  for (std::size_t i = 0; i < a.absent.size(); ++i) {
    absent += (i ? "," : "") + quoted(to_string(a.absent[i].first)) + ":" + num(a.absent[i].second);
  }
  absent += "}";
  return "{\"convened\":" + num(a.convened) + ",\"present\":" + num(a.present) +
         ",\"absent\":" + absent + ",\"excluded\":" + num(a.excluded) +
         ",\"quorum\":{\"base\":" + num(a.quorum_base) + ",\"required\":" +
         num(a.quorum_required) + ",\"held\":" + boolean(a.quorum_held) + "}}";
}

// ---- Eligibility ----

std::string Eligibility::reason(const Date& first_day) const {
  std::string s = "aged " + std::to_string(age) + " on " + to_string(first_day) + ", ";
  s += within_limit ? "within" : "over";
  s += std::string(" the ") + (re_election ? "re-election" : "first-time") + " limit of " +
       std::to_string(limit) + " (" + rule + ")";
  if (!within_limit && exception != nullptr) {
    s += "; exception approved by " + exception->body + ", decision " + exception->decision +
         " of " + to_string(exception->date);
  }
  return s;
}

Eligibility check_rule(const Register& r, const ContestPeople& c, const Person& p,
                       const AgeLimitRule& rule, std::span<const Exception> exceptions) {
  Eligibility e;
  e.candidate = p.id;
  e.rule = rule.id;
  e.re_election = contains(c.incumbents, p.id);
  e.age = age_on(p.birth_date, r.first_day);
  const bool woman = p.sex == Sex::female;
  e.limit = e.re_election ? (woman ? rule.re_election_female : rule.re_election_male)
                          : (woman ? rule.first_time_female : rule.first_time_male);
  e.within_limit = e.age <= e.limit;
  for (const Exception& x : exceptions) {
    if (x.contest == c.contest && x.candidate == p.id && x.rule == rule.id) e.exception = &x;
  }
  return e;
}

std::vector<Eligibility> check_candidate(const Register& r, const ContestPeople& c,
                                         const Person& p, std::span<const Exception> exceptions) {
  std::vector<Eligibility> out;
  for (const std::string& id : c.eligibility) {
    if (const AgeLimitRule* rule = r.find_rule(id)) {
      out.push_back(check_rule(r, c, p, *rule, exceptions));
    }
  }
  return out;
}

// ---- Composition ----

std::string percent_1(std::uint64_t part, std::uint64_t whole) {
  // Hundredths from the two-decimal half-up percentage would round twice: compute tenths
  // directly, half up, exactly (1000 * part / whole, then the remainder decides).
  if (whole == 0) return "0.0";
  const std::uint64_t scaled = part * 1000;
  std::uint64_t tenths = scaled / whole;
  if ((scaled % whole) * 2 >= whole) ++tenths;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
}

Composition composition(const Register& r, const ContestPeople& c,
                        std::span<const std::string> elected) {
  Composition out;
  out.office = c.office;
  out.elected = elected.size();
  out.directly_elected = c.office == "secretary";
  std::uint64_t age_sum = 0;
  for (const std::string& id : elected) {
    const Person* p = r.find_person(id);
    if (p == nullptr) continue;  // the rules admit register people only
    const int age = age_on(p->birth_date, r.first_day);
    age_sum += static_cast<std::uint64_t>(age);
    if (contains(c.incumbents, id)) {
      ++out.re_elected.count;
    } else {
      ++out.first_time.count;
    }
    if (p->sex == Sex::female) ++out.women.count;
    if (age < 40) ++out.under_40.count;
    if (p->ethnic_minority()) ++out.ethnic_minority.count;
    if (!p->local) ++out.non_local.count;
  }
  for (Share* s : {&out.re_elected, &out.first_time, &out.women, &out.under_40,
                   &out.ethnic_minority, &out.non_local}) {
    s->percent = percent_1(s->count, out.elected);
  }
  if (out.elected > 0) out.mean_age = percent_1(age_sum, out.elected * 100);
  if (c.plan) {
    out.has_plan = true;
    out.planned = c.plan->size();
    for (const std::string& id : *c.plan) {
      if (std::find(elected.begin(), elected.end(), id) == elected.end()) {
        out.planned_not_elected.push_back(id);
      }
    }
    for (const std::string& id : elected) {
      if (!contains(*c.plan, id)) out.elected_outside_plan.push_back(id);
    }
    out.planned_not_elected_percent = percent_1(out.planned_not_elected.size(), out.planned);
    out.elected_outside_plan_percent = percent_1(out.elected_outside_plan.size(), out.elected);
  }
  return out;
}

std::string to_json(const Composition& c) {
  auto share = [](const Share& s) {
    return "{\"count\":" + num(s.count) + ",\"percent\":" + quoted(s.percent) + "}";
  };
  std::string out = "{\"office\":" + quoted(c.office) + ",\"elected\":" + num(c.elected) +
                    ",\"re_elected\":" + share(c.re_elected) +
                    ",\"first_time\":" + share(c.first_time) + ",\"women\":" + share(c.women) +
                    ",\"under_40\":" + share(c.under_40) +
                    ",\"ethnic_minority\":" + share(c.ethnic_minority) +
                    ",\"non_local\":" + share(c.non_local) +
                    ",\"mean_age\":" + (c.mean_age ? quoted(*c.mean_age) : std::string("null")) +
                    ",\"directly_elected\":" + boolean(c.directly_elected);
  if (c.has_plan) {
    out += ",\"plan\":{\"planned\":" + num(c.planned) + ",\"planned_not_elected\":{\"count\":" +
           num(c.planned_not_elected.size()) + ",\"percent\":" +
           quoted(c.planned_not_elected_percent) + ",\"ids\":" + id_array(c.planned_not_elected) +
           "},\"elected_outside_plan\":{\"count\":" + num(c.elected_outside_plan.size()) +
           ",\"percent\":" + quoted(c.elected_outside_plan_percent) +
           ",\"ids\":" + id_array(c.elected_outside_plan) + "}}";
  }
  return out + "}";
}

// ---- Reading the session file ----

namespace {

struct Invalid {
  std::string message;
};
[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Invalid{path + ": " + what};
}
std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string at(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}
std::string q(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

void only(const JsonValue& o, const std::string& path, std::initializer_list<std::string_view> ok) {
  for (const JsonValue::Member& m : o.members()) {
    if (std::find(ok.begin(), ok.end(), m.first) == ok.end()) {
      fail(join(path, m.first), "unknown member");
    }
  }
}
const JsonValue& object(const JsonValue* v, const std::string& path) {
  if (v == nullptr) fail(path, "missing");
  if (!v->is_object()) fail(path, "must be an object");
  return *v;
}
const JsonValue& array(const JsonValue* v, const std::string& path) {
  if (v == nullptr) fail(path, "missing");
  if (!v->is_array()) fail(path, "must be an array");
  return *v;
}
std::string text(const JsonValue& o, const std::string& path, std::string_view key) {
  const JsonValue* v = o.find(key);
  if (v == nullptr) fail(join(path, key), "missing");
  if (!v->is_string()) fail(join(path, key), "must be a string");
  if (v->text().empty()) fail(join(path, key), "must not be empty");
  return v->text();
}
bool flag(const JsonValue& o, const std::string& path, std::string_view key) {
  const JsonValue* v = o.find(key);
  if (v == nullptr) fail(join(path, key), "missing");
  if (v->kind() != JsonValue::Kind::boolean) fail(join(path, key), "must be true or false");
  return v->boolean();
}
int small_int(const JsonValue& o, const std::string& path, std::string_view key) {
  const JsonValue* v = o.find(key);
  if (v == nullptr) fail(join(path, key), "missing");
  if (!v->is_integer() || v->integer() < 18 || v->integer() > 120) {
    fail(join(path, key), "must be an integer from 18 to 120");
  }
  return static_cast<int>(v->integer());
}
Date date(const JsonValue& o, const std::string& path, std::string_view key) {
  const std::string t = text(o, path, key);
  auto d = parse_date(t);
  if (!d) fail(join(path, key), "must be a date YYYY-MM-DD from 1900-01-01 to 2100-12-31, not " + q(t));
  return *d;
}
bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}
std::string identifier(const JsonValue& v, const std::string& path) {
  if (!v.is_string() || !valid_id(v.text())) {
    fail(path, "must be an identifier (1 to 64 characters of A-Z a-z 0-9 . _ -, starting with a "
               "letter or digit)");
  }
  return v.text();
}

// A list of register person ids, each once.
std::vector<std::string> person_ids(const JsonValue& o, const std::string& path,
                                    std::string_view key, const Register& r) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  const JsonValue& a = array(o.find(key), join(path, key));
  for (std::size_t i = 0; i < a.items().size(); ++i) {
    const std::string p = at(join(path, key), i);
    std::string id = identifier(a.items()[i], p);
    if (r.find_person(id) == nullptr) fail(p, "no person " + q(id) + " in register.people");
    if (!seen.insert(id).second) fail(p, q(id) + " is listed twice");
    out.push_back(std::move(id));
  }
  return out;
}

std::map<std::string, std::size_t, std::less<>> index_of(const std::vector<std::string>& ids) {
  std::map<std::string, std::size_t, std::less<>> out;
  for (std::size_t i = 0; i < ids.size(); ++i) out.emplace(ids[i], i);
  return out;
}

// "Kinh" decides who counts as an ethnic minority: a near miss would count a Kinh as one.
bool near_kinh(std::string_view g) {
  while (!g.empty() && (g.front() == ' ' || g.front() == '\t')) g.remove_prefix(1);
  while (!g.empty() && (g.back() == ' ' || g.back() == '\t')) g.remove_suffix(1);
  if (g.size() != 4) return false;
  std::string lower(g);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower == "kinh";
}

AgeLimitRule age_rule(const JsonValue& o, const std::string& p) {
  only(o, p, {"id", "title", "max_age", "approving_body"});
  AgeLimitRule r;
  if (o.find("id") == nullptr) fail(join(p, "id"), "missing");
  r.id = identifier(*o.find("id"), join(p, "id"));
  r.title = text(o, p, "title");
  r.approving_body = text(o, p, "approving_body");
  const std::string mp = join(p, "max_age");
  const JsonValue& m = object(o.find("max_age"), mp);
  only(m, mp, {"first_time", "re_election"});
  const JsonValue& f = object(m.find("first_time"), join(mp, "first_time"));
  const JsonValue& re = object(m.find("re_election"), join(mp, "re_election"));
  only(f, join(mp, "first_time"), {"male", "female"});
  only(re, join(mp, "re_election"), {"male", "female"});
  r.first_time_male = small_int(f, join(mp, "first_time"), "male");
  r.first_time_female = small_int(f, join(mp, "first_time"), "female");
  r.re_election_male = small_int(re, join(mp, "re_election"), "male");
  r.re_election_female = small_int(re, join(mp, "re_election"), "female");
  if (r.id == kCellSecretary2024) fail(join(p, "id"), q(r.id) + " is a built-in rule");
  return r;
}

constexpr std::array<std::string_view, 7> kOffices = {
    "committee", "standing_committee", "secretary", "deputy_secretary",
    "inspection_committee", "delegates", "other"};

std::optional<Register> read(const JsonValue& root) {
  if (!root.is_object()) fail("(document)", "must be an object");
  const JsonValue* reg = root.find("register");
  const JsonValue* contests = root.find("contests");
  const bool any_people_field = root.find("congress_date") || root.find("eligibility_rules");
  bool contest_people_field = false;
  if (contests != nullptr && contests->is_array()) {
    for (const JsonValue& c : contests->items()) {
      for (std::string_view k : {"office", "incumbents", "personnel_plan", "eligibility"}) {
        if (c.find(k) != nullptr) contest_people_field = true;
      }
    }
  }
  if (reg == nullptr) {
    if (any_people_field || contest_people_field) {
      fail("register", "missing: congress_date, eligibility_rules and the contests' office, "
                       "incumbents, personnel_plan and eligibility need a register");
    }
    return std::nullopt;
  }
  Register r;
  const JsonValue* kind = root.find("congress_kind");
  if (kind == nullptr || !kind->is_string() ||
      (kind->text() != "members" && kind->text() != "delegates")) {
    fail("congress_kind", "must be \"delegates\" or \"members\"");
  }
  r.kind = kind->text() == "members" ? Kind::members : Kind::delegates;
  r.first_day = date(root, "", "congress_date");

  const JsonValue& ro = object(reg, "register");
  only(ro, "register", {"people", "roll", "alternates"});
  const JsonValue& people = array(ro.find("people"), "register.people");
  if (people.items().empty()) fail("register.people", "must have at least 1 entry");
  if (people.items().size() > 1'000'000) fail("register.people", "at most 1000000 entries");
  std::set<std::string, std::less<>> ids;
  for (std::size_t i = 0; i < people.items().size(); ++i) {
    const std::string p = at("register.people", i);
    const JsonValue& o = object(&people.items()[i], p);
    only(o, p, {"id", "name", "birth_date", "sex", "ethnic_group", "local"});
    Person person;
    const JsonValue* id = o.find("id");
    if (id == nullptr) fail(join(p, "id"), "missing");
    person.id = identifier(*id, join(p, "id"));
    if (!ids.insert(person.id).second) fail(join(p, "id"), "duplicate id " + q(person.id));
    person.name = text(o, p, "name");
    person.birth_date = date(o, p, "birth_date");
    if (person.birth_date > r.first_day) {
      fail(join(p, "birth_date"), "is after congress_date " + to_string(r.first_day));
    }
    const std::string sex = text(o, p, "sex");
    if (sex == "male") {
      person.sex = Sex::male;
    } else if (sex == "female") {
      person.sex = Sex::female;
    } else {
      fail(join(p, "sex"), "must be \"male\" or \"female\", not " + q(sex));
    }
    person.ethnic_group = text(o, p, "ethnic_group");
    if (person.ethnic_group != "Kinh" && near_kinh(person.ethnic_group)) {
      fail(join(p, "ethnic_group"), "write \"Kinh\" exactly, not " + q(person.ethnic_group) +
                                        " (anything else counts as an ethnic minority)");
    }
    person.local = flag(o, p, "local");
    r.person_index.emplace(person.id, r.people.size());
    r.people.push_back(std::move(person));
  }
  r.roll = person_ids(ro, "register", "roll", r);
  if (r.roll.empty()) fail("register.roll", "must have at least 1 entry");
  r.roll_index = index_of(r.roll);
  if (ro.find("alternates") != nullptr) {
    if (r.kind == Kind::members) {
      fail("register.alternates", "a members' congress has no alternate delegates");
    }
    r.alternates = person_ids(ro, "register", "alternates", r);
    r.alternate_index = index_of(r.alternates);
    for (std::size_t i = 0; i < r.alternates.size(); ++i) {
      if (r.on_roll(r.alternates[i])) {
        fail(at("register.alternates", i), q(r.alternates[i]) + " is on the roll already");
      }
    }
  }
  const JsonValue* convened = root.find("convened");
  if (convened != nullptr && convened->is_integer() && convened->integer() != r.roll.size()) {
    fail("convened", "must equal the number on register.roll (" + std::to_string(r.roll.size()) +
                         "), not " + std::to_string(convened->integer()));
  }

  if (const JsonValue* rules = root.find("eligibility_rules")) {
    const JsonValue& a = array(rules, "eligibility_rules");
    for (std::size_t i = 0; i < a.items().size(); ++i) {
      const std::string p = at("eligibility_rules", i);
      AgeLimitRule rule = age_rule(object(&a.items()[i], p), p);
      if (r.find_rule(rule.id) != nullptr) fail(join(p, "id"), "duplicate id " + q(rule.id));
      r.rules.push_back(std::move(rule));
    }
  }

  if (contests == nullptr || !contests->is_array()) return r;  // the caller refuses it
  for (std::size_t i = 0; i < contests->items().size(); ++i) {
    const std::string p = at("contests", i);
    const JsonValue& c = contests->items()[i];
    if (!c.is_object()) continue;  // the caller refuses it
    ContestPeople cp;
    if (const JsonValue* id = c.find("id"); id != nullptr && id->is_string()) cp.contest = id->text();
    cp.office = "other";
    if (c.find("office") != nullptr) {
      cp.office = text(c, p, "office");
      if (std::find(kOffices.begin(), kOffices.end(), cp.office) == kOffices.end()) {
        fail(join(p, "office"), "must be one of committee, standing_committee, secretary, "
                                "deputy_secretary, inspection_committee, delegates, other");
      }
    }
    if (c.find("excluded") != nullptr) {
      fail(join(p, "excluded"), "not with a register: the roll decides who is excluded");
    }
    if (c.find("incumbents") != nullptr) cp.incumbents = person_ids(c, p, "incumbents", r);
    if (c.find("personnel_plan") != nullptr) cp.plan = person_ids(c, p, "personnel_plan", r);
    if (const JsonValue* cands = c.find("candidates"); cands != nullptr && cands->is_array()) {
      for (std::size_t k = 0; k < cands->items().size(); ++k) {
        const std::string cpath = at(join(p, "candidates"), k);
        const JsonValue& cand = cands->items()[k];
        const JsonValue* id = cand.find("id");
        const JsonValue* name = cand.find("name");
        if (id == nullptr || !id->is_string()) continue;  // the caller refuses it
        const Person* person = r.find_person(id->text());
        if (person == nullptr) {
          fail(join(cpath, "id"), "no person " + q(id->text()) + " in register.people");
        }
        if (name != nullptr && name->is_string() && name->text() != person->name) {
          fail(join(cpath, "name"), "must be the register's name " + q(person->name));
        }
      }
    }
    const JsonValue* rule_set = c.find("rule_set");
    const bool cell = rule_set != nullptr && rule_set->is_string() &&
                      rule_set->text() == tally::kRuleSetCpv2024CellSecretary;
    if (const JsonValue* e = c.find("eligibility")) {
      const JsonValue& a = array(e, join(p, "eligibility"));
      for (std::size_t k = 0; k < a.items().size(); ++k) {
        const std::string ep = at(join(p, "eligibility"), k);
        std::string id = identifier(a.items()[k], ep);
        if (id == kCellSecretary2024 && r.find_rule(id) == nullptr) {
          r.rules.push_back(cell_secretary_2024());
        }
        if (r.find_rule(id) == nullptr) {
          fail(ep, "no eligibility rule " + q(id) + " (built in: cell-secretary-2024; others in "
                   "eligibility_rules)");
        }
        if (contains(cp.eligibility, id)) fail(ep, q(id) + " is listed twice");
        cp.eligibility.push_back(std::move(id));
      }
      if (cell && cp.eligibility.empty()) {
        fail(join(p, "eligibility"), "a cpv-2024-cell-secretary contest applies an age rule "
                                     "(leave eligibility out for cell-secretary-2024)");
      }
    } else if (cell) {
      // The rule set names its eligibility rule (docs/rules.md "Eligibility").
      if (r.find_rule(kCellSecretary2024) == nullptr) r.rules.push_back(cell_secretary_2024());
      cp.eligibility.emplace_back(kCellSecretary2024);
    }
    r.contests.push_back(std::move(cp));
  }
  return r;
}

}  // namespace

PeopleParse parse_people(std::string_view bytes) {
  PeopleParse out;
  JsonParse p = parse_json(bytes);
  if (!p.value) {
    out.error = "(document): " + p.error;
    return out;
  }
  try {
    out.people = read(*p.value);
  } catch (const Invalid& e) {
    out.error = e.message;
  }
  return out;
}

}  // namespace tallystation::congress
