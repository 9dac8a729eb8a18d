#include "tally/audit/contest_file.hpp"

#include <fstream>
#include <sstream>
#include <unordered_set>
#include <vector>

#include "tally/json_reader.hpp"

namespace tallystation::audit {

namespace {

constexpr std::uint64_t kMaxContestFileBytes = 64ull << 20;

class ContestParser {
 public:
  ContestParser(std::string_view text, const std::string& file)
      : text_(text), file_(file), r_(text) {}

  InputResult<ContestFile> run() {
    if (!parse_root() || !finish_checks()) return error();
    return std::move(out_);
  }

 private:
  InputError error() const {
    return InputError{file_, line_of(text_, r_.error_offset()), r_.error()};
  }

  // Members that may be null mean "absent" (a dumper writing nulls is not an error).
  bool is_null() { return r_.consume_null(); }

  bool read_count(std::string_view key, std::uint64_t& out, std::uint64_t min = 0,
                  std::uint64_t max = UINT64_MAX) {
    const std::size_t at = r_.offset();
    if (!r_.read_uint(out)) {
      r_.add_context(key);
      return false;
    }
    if (out < min || out > max) {
      return r_.fail_at(at, std::string(key) + ": out of range (" + std::to_string(min) + ".." +
                                std::to_string(max) + ")");
    }
    return true;
  }

  bool read_text(std::string_view key, std::string& out) {
    std::string_view v;
    if (!r_.read_string(v, scratch_)) {
      r_.add_context(key);
      return false;
    }
    out.assign(v);
    return true;
  }

  bool parse_root() {
    r_.peek();
    if (!r_.consume('{')) return r_.fail("expected a JSON object (the contest)");
    if (!r_.consume('}')) {
      do {
        if (!member()) return false;
      } while (r_.consume(','));
      if (!r_.consume('}')) return r_.fail("expected ',' or '}'");
    }
    if (!r_.at_end()) return r_.fail("unexpected data after the contest object");
    return true;
  }

  bool member() {
    std::string key;
    r_.peek();
    const std::size_t key_at = r_.offset();
    if (!read_text("member name", key)) return false;
    for (const auto& k : seen_) {
      if (k == key) return r_.fail_at(key_at, key + ": member appears twice");
    }
    seen_.push_back(key);
    if (!r_.consume(':')) return r_.fail("expected ':'");
    r_.peek();
    if (!known(key)) return r_.fail_at(key_at, key + ": unknown member of a contest");
    // Required members may not be null; optional ones may (null means absent).
    const bool required = key == "id" || key == "seats" || key == "candidates";
    if (!required && is_null()) return true;
    return value(key);
  }

  static bool known(const std::string& key) {
    for (const char* k :
         {"id", "title", "seats", "alternates", "candidates", "rule_set", "majority_basis",
          "convened", "excluded", "present", "round", "session", "max_surplus_percent"}) {
      if (key == k) return true;
    }
    return false;
  }

  bool read_u32(std::string_view key, std::uint32_t& out, std::uint64_t min, std::uint64_t max) {
    std::uint64_t n = 0;
    if (!read_count(key, n, min, max)) return false;
    out = static_cast<std::uint32_t>(n);
    return true;
  }

  // Reads the value of the known member `key` (not null).
  bool value(const std::string& key) {
    tally::Contest& c = out_.contest;
    if (key == "id") return read_text(key, c.id);
    if (key == "title") return read_text(key, c.title);
    if (key == "seats") return read_u32(key, c.seats, 1, 0xFFFFFFFFu);
    if (key == "alternates") return read_u32(key, c.alternates, 0, 0xFFFFFFFFu);
    if (key == "candidates") return candidates();
    if (key == "rule_set") return rule_set();
    if (key == "majority_basis") return majority_basis();
    if (key == "convened") return (has_convened_ = true) && read_count(key, c.convened);
    if (key == "excluded") return read_count(key, c.excluded);
    if (key == "present") return (has_present_ = true) && read_count(key, c.present);
    if (key == "round") return (out_.round_given = true) && read_u32(key, c.round, 1, 0xFFFFFFFFu);
    if (key == "max_surplus_percent") return read_u32(key, c.max_surplus_percent, 0, 1000);
    std::string session;  // "session"
    if (!read_text(key, session)) return false;
    out_.session = std::move(session);
    return true;
  }

  bool rule_set() {
    std::string name;
    const std::size_t at = r_.offset();
    if (!read_text("rule_set", name)) return false;
    auto rs = tally::find_rule_set(name);
    if (!rs) {
      std::string known;
      for (auto n : tally::rule_set_names()) known += (known.empty() ? "" : ", ") + std::string(n);
      return r_.fail_at(at, "rule_set: unknown rule set \"" + name + "\" (known: " + known + ")");
    }
    out_.contest.rule_set = *rs;
    return true;
  }

  bool majority_basis() {
    std::string name;
    const std::size_t at = r_.offset();
    if (!read_text("majority_basis", name)) return false;
    auto b = tally::parse_majority_basis(name);
    if (!b) {
      return r_.fail_at(at,
                        "majority_basis: expected one of convened, present, "
                        "ballots_collected, valid_ballots");
    }
    out_.contest.majority_basis = *b;
    return true;
  }

  bool candidates() {
    has_candidates_ = true;
    if (!r_.consume('[')) return r_.fail("candidates: expected an array of {\"id\",\"name\"}");
    if (r_.consume(']')) return true;
    do {
      if (!candidate()) return false;
    } while (r_.consume(','));
    return r_.consume(']') || r_.fail("candidates: expected ',' or ']'");
  }

  bool candidate() {
    r_.peek();
    const std::size_t at = r_.offset();
    if (!r_.consume('{')) return r_.fail("candidates: expected an object {\"id\",\"name\"}");
    tally::Candidate cand;
    bool has_id = false, has_name = false;
    if (!r_.consume('}')) {
      do {
        std::string key;
        r_.peek();
        const std::size_t key_at = r_.offset();
        if (!read_text("candidates: member name", key)) return false;
        if (!r_.consume(':')) return r_.fail("expected ':'");
        if (key == "id" && !has_id) {
          has_id = true;
          r_.peek();
          const std::size_t id_at = r_.offset();
          if (!read_text("candidates: id", cand.id)) return false;
          if (cand.id.empty()) return r_.fail_at(id_at, "candidates: id: must not be empty");
          // A set, not a scan of the list so far: a contest file of many candidates must not
          // take quadratic time (membership only; nothing iterates this set).
          if (!candidate_ids_.insert(cand.id).second) {
            return r_.fail_at(id_at, "candidates: id \"" + cand.id + "\" appears twice");
          }
        } else if (key == "name" && !has_name) {
          has_name = true;
          if (!read_text("candidates: name", cand.name)) return false;
        } else if (key == "id" || key == "name") {
          return r_.fail_at(key_at, "candidates: " + key + ": member appears twice");
        } else {
          return r_.fail_at(key_at, "candidates: " + key + ": unknown member of a candidate");
        }
      } while (r_.consume(','));
      if (!r_.consume('}')) return r_.fail("candidates: expected ',' or '}'");
    }
    if (!has_id) return r_.fail_at(at, "candidates: a candidate has no id");
    if (!has_name) return r_.fail_at(at, "candidates: candidate \"" + cand.id + "\" has no name");
    out_.contest.candidates.push_back(std::move(cand));
    return true;
  }

  bool missing(std::string_view what) {
    return r_.fail_at(0, std::string(what) + ": missing (required member of a contest)");
  }

  bool finish_checks() {
    const tally::Contest& c = out_.contest;
    if (!has("id")) return missing("id");
    if (!has("seats")) return missing("seats");
    if (!has_candidates_) return missing("candidates");
    if (c.majority_basis == tally::MajorityBasis::convened && !has_convened_) {
      return missing("convened (the basis is convened)");
    }
    if (c.majority_basis == tally::MajorityBasis::present && !has_present_) {
      return missing("present (the basis is present)");
    }
    const tally::ContestProblem p = tally::check_contest(c);
    if (p != tally::ContestProblem::none) {
      return r_.fail_at(0, "contest cannot be counted: " + std::string(tally::describe(p)));
    }
    return true;
  }

  bool has(std::string_view key) const {
    for (const auto& k : seen_) {
      if (k == key) return true;
    }
    return false;
  }

  std::string_view text_;
  const std::string& file_;
  JsonReader r_;
  ContestFile out_;
  std::vector<std::string> seen_;
  std::unordered_set<std::string> candidate_ids_;
  std::string scratch_;
  bool has_candidates_ = false;
  bool has_convened_ = false;
  bool has_present_ = false;
};

}  // namespace

InputResult<ContestFile> parse_contest(std::string_view text,
                                                    const std::string& file_label) {
  return ContestParser(text, file_label).run();
}

InputResult<ContestFile> read_contest_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InputError{path, 0, "cannot open the contest file"};
  std::string text;
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  if (size < 0 || static_cast<std::uint64_t>(size) > kMaxContestFileBytes) {
    return InputError{path, 0, "the contest file is too large or unreadable"};
  }
  in.seekg(0, std::ios::beg);
  text.resize(static_cast<std::size_t>(size));
  if (!in.read(text.data(), size)) return InputError{path, 0, "cannot read the contest file"};
  return parse_contest(text, path);
}

}  // namespace tallystation::audit
