#include "tally/audit/verify/people_check.hpp"

#include <optional>
#include <vector>

namespace tallystation::audit::verify {

namespace json = boost::json;

namespace {

std::optional<std::uint64_t> count_of(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  if (v->is_uint64()) return v->get_uint64();
  return std::nullopt;
}

std::string num(std::uint64_t n) {
  return std::to_string(n);
}

std::vector<std::string> keys_of(const json::object& o) {
  std::vector<std::string> out;
  for (const auto& kv : o) out.emplace_back(kv.key());
  return out;
}

std::string joined(const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

// The minutes' attendance figures against each other and against the minutes' top-level counts
// (docs/audit.md, `attendance`). A figure that is not a count is left to compare_members, which
// names it; the sums that need it are then not formed.
void add_up(const json::object& a, const json::object& m, std::string_view majority_basis,
            CheckBuilder& b) {
  const auto convened = count_of(a.if_contains("convened"));
  const auto present = count_of(a.if_contains("present"));
  const auto excluded = count_of(a.if_contains("excluded"));
  const auto absent = [&]() -> std::optional<std::uint64_t> {  // the sum over the categories
    const json::value* c = a.if_contains("absent");
    if (c == nullptr || !c->is_object()) return std::nullopt;
    std::uint64_t sum = 0;
    for (const auto& kv : c->get_object()) {
      const auto n = count_of(&kv.value());
      if (!n || __builtin_add_overflow(sum, *n, &sum)) return std::nullopt;
    }
    return sum;
  }();
  // Everyone on the roll is present or absent in one category when a round closes: a round
  // opens only on a complete roll, and the roll does not change while a round is open.
  if (convened && present && absent) {
    std::uint64_t total = 0;
    if (!__builtin_add_overflow(*present, *absent, &total) && total == *convened) {
      b.pass();
    } else {
      b.fail("attendance does not add up: present " + num(*present) + " + absent " + num(*absent) +
             " + unrecorded 0 is not convened " + num(*convened));
    }
  }
  // The same figures at the top of the minutes, where the count used them.
  for (const auto& [key, mine] :
       {std::pair<std::string_view, std::optional<std::uint64_t>>{"convened", convened},
        {"excluded", excluded},
        {"present", present}}) {
    const json::value* top = m.if_contains(key);
    if (!mine || top == nullptr) continue;  // named by the member comparison or "minutes facts"
    if (count_of(top) == mine) {
      b.pass();
    } else {
      b.fail("attendance." + std::string(key) + " " + num(*mine) + " is not the minutes' " +
             std::string(key) + " " + json::serialize(*top));
    }
  }
  // The Statute's basis: those convened less those excluded (CONTRACT.md section 4).
  if (majority_basis == "convened" && convened && excluded) {
    const json::value* basis = m.if_contains("basis");
    if (basis != nullptr) {
      if (*excluded <= *convened && count_of(basis) == *convened - *excluded) {
        b.pass();
      } else {
        b.fail("basis " + json::serialize(*basis) + " is not attendance.convened " +
               num(*convened) + " - attendance.excluded " + num(*excluded));
      }
    }
  }
  // A round opens only with its quorum, and the roll stays as it was until it closes.
  const json::value* q = a.if_contains("quorum");
  if (q != nullptr && q->is_object()) {
    const json::value* held = q->get_object().if_contains("held");
    const auto required = count_of(q->get_object().if_contains("required"));
    if (held != nullptr && held->is_bool() && required && present) {
      if (held->get_bool() && *present >= *required) {
        b.pass();
      } else if (*present < *required) {
        b.fail("attendance.quorum: " + num(*present) + " present, " + num(*required) +
               " required: without its quorum the round could not have opened");
      } else {
        b.fail("attendance.quorum.held is false with " + num(*present) + " present and " +
               num(*required) + " required");
      }
    }
  }
}

std::string attendance_note(const json::value& want) {
  const json::object& a = want.as_object();
  const json::object& q = a.at("quorum").as_object();
  return "convened " + json::serialize(a.at("convened")) + ": " + json::serialize(a.at("present")) +
         " present, " + json::serialize(a.at("excluded")) + " excluded; quorum " +
         json::serialize(q.at("required")) + " of " + json::serialize(q.at("base")) +
         (q.at("held").as_bool() ? " held" : " not held");
}

std::string composition_note(const json::value& want) {
  const json::object& c = want.as_object();
  return json::serialize(c.at("elected")) + " elected (" + std::string(c.at("office").as_string()) +
         ")" + (c.contains("plan") ? ", against the personnel plan" : "");
}

}  // namespace

void compare_members(const json::value& got, const json::value& want, const std::string& path,
                     std::string_view source, CheckBuilder& b) {
  if (!got.is_object() || !want.is_object()) {
    if (json::serialize(got) == json::serialize(want)) {
      b.pass();
    } else {
      b.fail(path + ": " + std::string(source) + " " + json::serialize(want) +
             ", the minutes say " + json::serialize(got));
    }
    return;
  }
  const json::object& g = got.get_object();
  const json::object& w = want.get_object();
  bool same_members = g.size() == w.size();
  for (const auto& kv : w) {
    const std::string at = path + "." + std::string(kv.key());
    const json::value* v = g.if_contains(kv.key());
    if (v == nullptr) {
      same_members = false;
      b.fail(at + ": missing (" + std::string(source) + " " + json::serialize(kv.value()) + ")");
    } else {
      compare_members(*v, kv.value(), at, source, b);
    }
  }
  for (const auto& kv : g) {
    if (!w.contains(kv.key())) {
      b.fail(path + "." + std::string(kv.key()) + ": not a member of " + path);
    }
  }
  // Inside the people members the order is part of the value (docs/audit.md "Formats, exactly").
  if (same_members && keys_of(g) != keys_of(w)) {
    b.problem_only(path + ": members in the order " + joined(keys_of(g)) + ", not " +
                   joined(keys_of(w)));
  }
}

void compare_people(const congress::PeopleMinutes& expected, const json::object& m,
                    std::string_view majority_basis, const std::string& scope, Report& report) {
  CheckBuilder att("attendance", scope);
  const json::value* got = m.if_contains("attendance");
  if (expected.attendance.empty()) {
    // Not reached: the rules record the roll's figures at every close_round with a register.
    if (got != nullptr)
      att.fail("the minutes carry \"attendance\", the replay has no roll figures");
  } else {
    const json::value want = json::parse(expected.attendance);
    if (got == nullptr) {
      att.fail("minutes lack \"attendance\" (the roll recorded " + expected.attendance + ")");
    } else {
      compare_members(*got, want, "attendance", "the roll recorded", att);
      if (got->is_object()) add_up(got->get_object(), m, majority_basis, att);
    }
    att.set_note(attendance_note(want));
  }
  report.add(att.done());

  CheckBuilder comp("composition", scope);
  got = m.if_contains("composition");
  if (expected.composition.empty()) {
    if (got != nullptr) {
      comp.fail(
          "the minutes carry \"composition\", but the contest is not complete after this "
          "round: only the round that completes it states the elected body");
    }
    comp.set_note("the contest is not complete after this round: no composition");
  } else {
    const json::value want = json::parse(expected.composition);
    if (got == nullptr) {
      comp.fail("minutes lack \"composition\" (recomputed " + expected.composition + ")");
    } else {
      compare_members(*got, want, "composition", "recomputed", comp);
    }
    comp.set_note(composition_note(want));
  }
  report.add(comp.done());
}

}  // namespace tallystation::audit::verify
