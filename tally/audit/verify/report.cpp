#include "tally/audit/verify/report.hpp"

#include "tally/audit/recount.hpp"

namespace tallystation::audit::verify {

std::string_view to_string(CheckState s) {
  switch (s) {
    case CheckState::ok:
      return "ok";
    case CheckState::fail:
      return "fail";
    case CheckState::warn:
      return "warn";
  }
  return "fail";
}

bool Report::ok() const {
  for (const Check& c : checks_) {
    if (c.state == CheckState::fail) return false;
  }
  return true;
}

const Check* Report::find(std::string_view name, std::string_view scope) const {
  for (const Check& c : checks_) {
    if (c.name == name && (scope.empty() || c.scope == scope)) return &c;
  }
  return nullptr;
}

const Check* Report::failed(std::string_view name, std::string_view scope) const {
  for (const Check& c : checks_) {
    if (c.name == name && (scope.empty() || c.scope == scope) && c.state == CheckState::fail) {
      return &c;
    }
  }
  return nullptr;
}

std::string Report::text() const {
  std::string out;
  std::uint64_t failed = 0;
  for (const Check& c : checks_) {
    std::string tag = c.state == CheckState::ok     ? "ok  "
                      : c.state == CheckState::warn ? "WARN"
                                                    : "FAIL";
    std::string name = c.name;
    if (name.size() < 22) name.resize(22, ' ');
    out += tag + " " + name + " " + std::to_string(c.passed) + " of " + std::to_string(c.total) +
           " (" + c.scope + ")";
    if (!c.note.empty()) out += ": " + c.note;
    out += "\n";
    for (const std::string& p : c.problems) out += "       - " + p + "\n";
    if (c.problem_count > c.problems.size()) {
      out += "       - ... and " + std::to_string(c.problem_count - c.problems.size()) + " more\n";
    }
    if (c.state == CheckState::fail) ++failed;
  }
  out += failed == 0 ? "verdict: every check holds\n"
                     : "verdict: " + std::to_string(failed) + " check(s) failed\n";
  return out;
}

std::string Report::json() const {
  std::string out = "{\"ok\":";
  out += ok() ? "true" : "false";
  out += ",\"checks\":[";
  for (std::size_t i = 0; i < checks_.size(); ++i) {
    const Check& c = checks_[i];
    if (i != 0) out += ",";
    out += "{\"name\":" + json_quote(c.name) + ",\"scope\":" + json_quote(c.scope) +
           ",\"state\":\"" + std::string(to_string(c.state)) +
           "\",\"passed\":" + std::to_string(c.passed) + ",\"total\":" + std::to_string(c.total) +
           ",\"note\":" + json_quote(c.note) + ",\"problems\":[";
    for (std::size_t j = 0; j < c.problems.size(); ++j) {
      if (j != 0) out += ",";
      out += json_quote(c.problems[j]);
    }
    out += "],\"problem_count\":" + std::to_string(c.problem_count) + "}";
  }
  out += "]}";
  return out;
}

}  // namespace tallystation::audit::verify
