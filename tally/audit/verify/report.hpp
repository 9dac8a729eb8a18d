#pragma once
// The verifier's report (docs/audit.md "Reports"): one line per check, each with what was counted
// and, when it fails, exactly what is wrong. Rendered as readable text or as one JSON object.
// Value type; not thread safe.
#include <cstdint>
#include <string>
#include <vector>

namespace tallystation::audit::verify {

enum class CheckState : std::uint8_t { ok, fail, warn };

struct Check {
  std::string name;   // stable, e.g. "ballot signatures"
  std::string scope;  // "bundle", "command log", "round cc/1"
  CheckState state = CheckState::ok;
  std::uint64_t passed = 0;           // items that hold
  std::uint64_t total = 0;            // items looked at
  std::string note;                   // e.g. "certified: 2 of 2 required"
  std::vector<std::string> problems;  // the first few; problem_count counts all
  std::uint64_t problem_count = 0;
};

// Collects problems for one check while it runs; keeps the first kMaxProblems messages.
class CheckBuilder {
 public:
  static constexpr std::size_t kMaxProblems = 8;
  CheckBuilder(std::string name, std::string scope) {
    check_.name = std::move(name);
    check_.scope = std::move(scope);
  }
  void pass(std::uint64_t n = 1) {
    check_.passed += n;
    check_.total += n;
  }
  void fail(std::string problem) {
    ++check_.total;
    problem_only(std::move(problem));
  }
  // A problem that is not one more item (e.g. a count that disagrees).
  void problem_only(std::string problem) {
    ++check_.problem_count;
    if (check_.problems.size() < kMaxProblems) check_.problems.push_back(std::move(problem));
  }
  void set_note(std::string note) { check_.note = std::move(note); }
  void warn() { warn_ = true; }
  bool ok() const { return check_.problem_count == 0; }
  Check done() {
    check_.state =
        check_.problem_count != 0 ? CheckState::fail : (warn_ ? CheckState::warn : CheckState::ok);
    return std::move(check_);
  }

 private:
  Check check_;
  bool warn_ = false;
};

class Report {
 public:
  void add(Check c) { checks_.push_back(std::move(c)); }
  const std::vector<Check>& checks() const { return checks_; }
  bool ok() const;
  // The failed check named `name` in `scope` (any scope if empty), or nullptr.
  const Check* failed(std::string_view name, std::string_view scope = {}) const;
  const Check* find(std::string_view name, std::string_view scope = {}) const;

  // One line per check: "ok   ballot signatures      295 of 295 (round cc/1)", failures as
  // "FAIL ..." followed by indented problem lines; a last line "verdict: ...".
  std::string text() const;
  // {"ok":bool,"checks":[{"name","scope","state","passed","total","note","problems":[..],
  //  "problem_count"}]}
  std::string json() const;

 private:
  std::vector<Check> checks_;
};

std::string_view to_string(CheckState s);

}  // namespace tallystation::audit::verify
