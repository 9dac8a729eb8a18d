#include "station/ctl/tables.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <sstream>

namespace tallystation::station::ctl {

namespace json = boost::json;

namespace {

std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count UTF-8 lead bytes
  return n;
}

bool numeric(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789.%-") == std::string::npos &&
         s.find_first_of("0123456789") != std::string::npos;
}

std::string text(const json::value* v) {
  if (v == nullptr || v->is_null()) return "-";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "yes" : "no";
  if (v->is_array()) {
    std::string out;
    for (const json::value& e : v->get_array()) out += (out.empty() ? "" : ", ") + text(&e);
    return out.empty() ? "(none)" : out;
  }
  return json::serialize(*v);
}

std::string text(const json::object& o, std::string_view key) {
  return text(o.if_contains(key));
}

std::optional<std::uint64_t> count_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v != nullptr && v->is_int64() && v->get_int64() >= 0) {
    return static_cast<std::uint64_t>(v->get_int64());
  }
  if (v != nullptr && v->is_uint64()) return v->get_uint64();
  return std::nullopt;
}

}  // namespace

std::string outcome_sentence(const json::object& m, tally::Language language) {
  const json::value* outcome = m.if_contains("outcome");
  const json::value* next = m.if_contains("next_step");
  const json::value* step =
      next != nullptr && next->is_object() ? next->get_object().if_contains("step") : nullptr;
  const json::value* tied = m.if_contains("tied");
  const auto round = count_of(m, "round");
  const auto seats_unfilled = count_of(m, "seats_unfilled");
  if (outcome == nullptr || !outcome->is_string() || step == nullptr || !step->is_string() ||
      tied == nullptr || !tied->is_array() || !round || *round > UINT32_MAX || !seats_unfilled) {
    return "";
  }
  const auto o = tally::parse_outcome(outcome->get_string());
  const auto s = tally::parse_next_step(step->get_string());
  if (!o || !s) return "";
  tally::OutcomeFacts f;
  f.outcome = *o;
  f.next_step = *s;
  f.round = static_cast<std::uint32_t>(*round);
  f.seats_unfilled = *seats_unfilled;
  f.alternates_unfilled = count_of(m, "alternates_unfilled").value_or(0);
  f.tied = tied->get_array().size();
  return tally::render_outcome(f, language);
}

std::string Table::render() const {
  std::vector<std::size_t> widths(header_.size(), 0);
  std::vector<bool> right(header_.size(), true);
  for (std::size_t i = 0; i < header_.size(); ++i) widths[i] = width(header_[i]);
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], width(row[i]));
      if (!numeric(row[i])) right[i] = false;
    }
  }
  if (rows_.empty()) std::fill(right.begin(), right.end(), false);
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string l;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      const std::string pad(widths[i] - width(cell), ' ');
      if (i > 0) l += "  ";
      l += (right[i] && !header) ? pad + cell : cell + pad;
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out << l << "\n";
  };
  line(header_, false);
  std::string rule;
  for (std::size_t i = 0; i < widths.size(); ++i) {
    rule += (i > 0 ? "  " : "") + std::string(widths[i], '-');
  }
  out << rule << "\n";
  for (const auto& row : rows_) line(row, false);
  return out.str();
}

std::string render_status(const json::object& status) {
  std::ostringstream out;
  const json::object& s = status.at("session").as_object();
  out << text(s, "title") << " (" << text(s, "id") << ")\n"
      << text(s, "organisation") << ", congress of " << text(s, "congress_kind") << ", convened "
      << text(s, "convened") << ", present " << text(status.at("attendance").as_object(), "present")
      << "\n"
      << "config_hash " << text(s, "config_hash") << "\n\n";

  Table terminals({"terminal", "state"});
  for (const json::value& t : status.at("terminals").as_array()) {
    terminals.add({text(t.as_object(), "id"), text(t.as_object(), "state")});
  }
  out << terminals.render() << "\n";

  Table rounds({"contest", "round", "state", "seats", "tokens", "ballots", "box root", "minutes"});
  for (const json::value& cv : status.at("contests").as_array()) {
    const json::object& c = cv.as_object();
    for (const json::value& rv : c.at("rounds").as_array()) {
      const json::object& r = rv.as_object();
      std::string root = "-";
      if (const json::value* box = r.if_contains("ballot_box")) {
        root = text(box->as_object(), "root").substr(0, 16) + "…";
      }
      std::string minutes = "-";
      if (const json::value* m = r.if_contains("minutes"); m && m->is_object()) {
        const json::object& mo = m->as_object();
        minutes = text(mo, "outcome");
        if (const json::value* cert = mo.if_contains("certification"); cert && cert->is_object()) {
          const json::object& co = cert->as_object();
          minutes += co.at("certified").as_bool() ? ", certified" : ", not certified";
          minutes += " (" + std::to_string(co.at("signed_by").as_array().size()) + "/" +
                     text(co, "required") + ")";
        }
      }
      std::string seats = text(r, "seats");
      if (seats == "-") seats = text(c, "seats");
      rounds.add({text(c, "id"), text(r, "round"), text(r, "state"), seats,
                  text(r, "tokens_issued"), text(r, "ballots"), root, minutes});
    }
    if (c.at("rounds").as_array().empty()) {
      rounds.add({text(c, "id"), "-", "not started", text(c, "seats"), "0", "0", "-", "-"});
    }
  }
  out << rounds.render() << "\n";

  Table contests({"contest", "title", "seats", "state", "elected"});
  for (const json::value& cv : status.at("contests").as_array()) {
    const json::object& c = cv.as_object();
    contests.add({text(c, "id"), text(c, "title"), text(c, "seats"),
                  c.contains("state") ? text(c, "state") : "-",
                  c.contains("elected") ? text(c, "elected") : "-"});
  }
  out << contests.render() << "\n";
  const json::object& log = status.at("command_log").as_object();
  out << "command log: " << text(log, "size") << " entries, last seq " << text(log, "last_seq")
      << ", head " << text(log, "head") << "\n";
  return out.str();
}

std::string render_minutes(const json::object& m, const json::object& certification,
                           tally::Language language) {
  std::ostringstream out;
  out << "Minutes of the count: " << text(m, "title") << " (contest " << text(m, "contest")
      << "), round " << text(m, "round") << "\n"
      << "session " << text(m, "session") << ", rule set " << text(m, "rule_set") << "\n\n";
  Table counts({"", "count"});
  counts.add({"convened", text(m, "convened")});
  counts.add({"excluded", text(m, "excluded")});
  counts.add({"present", text(m, "present")});
  counts.add({"ballots issued", text(m, "ballots_issued")});
  counts.add({"ballots collected", text(m, "ballots_collected")});
  counts.add({"valid", text(m, "valid")});
  counts.add({"invalid", text(m, "invalid")});
  counts.add({"basis (" + text(m, "majority_basis") + ")", text(m, "basis")});
  counts.add({"threshold (more than half)", text(m, "threshold")});
  counts.add({"seats", text(m, "seats")});
  out << counts.render() << "\n";

  std::vector<std::string> elected, alternates;
  for (const json::value& v : m.at("elected").as_array()) elected.emplace_back(v.as_string());
  for (const json::value& v : m.at("elected_alternates").as_array()) {
    alternates.emplace_back(v.as_string());
  }
  const json::object* percent = nullptr;
  if (const json::value* p = m.if_contains("percent_of_basis"); p && p->is_object()) {
    percent = &p->as_object();
  }
  Table tally({"#", "candidate", "name", "votes", "% of basis", ""});
  int rank = 0;
  for (const json::value& v : m.at("tally").as_array()) {
    const json::object& e = v.as_object();
    const std::string id = text(e, "candidate");
    std::string mark;
    if (std::find(elected.begin(), elected.end(), id) != elected.end()) mark = "elected";
    if (std::find(alternates.begin(), alternates.end(), id) != alternates.end()) {
      mark = "alternate";
    }
    tally.add({std::to_string(++rank), id, text(e, "name"), text(e, "votes"),
               percent && percent->contains(id) ? text(*percent, id) : "-", mark});
  }
  out << tally.render() << "\n";
  out << "outcome: " << text(m, "outcome");
  if (const std::string said = outcome_sentence(m, language); !said.empty()) {
    out << " - " << said;
  }
  out << "\n";
  out << "elected: " << text(m, "elected") << "\n";
  if (!m.at("elected_alternates").as_array().empty()) {
    out << "elected alternates: " << text(m, "elected_alternates") << "\n";
  }
  if (!m.at("tied").as_array().empty()) out << "tied: " << text(m, "tied") << "\n";
  out << "seats unfilled: " << text(m, "seats_unfilled") << "\n";
  if (m.contains("elected_so_far")) {
    out << "elected in the contest so far: " << text(m, "elected_so_far") << "\n";
  }
  if (const json::value* n = m.if_contains("next_step"); n && n->is_object()) {
    const json::object& next = n->as_object();
    out << "next step: " << text(next, "step");
    if (text(next, "step") == "runoff" || text(next, "step") == "further_round") {
      out << " (round " << text(next, "round") << ", " << text(next, "seats")
          << " seat(s), may stand: " << text(next, "eligible") << ")";
    }
    out << "\n";
  }
  const json::object& box = m.at("ballot_box").as_object();
  out << "ballot box: " << text(box, "size") << " ballots, root " << text(box, "root") << "\n"
      << "config_hash: " << text(m, "config_hash") << "\n"
      << "command log head: " << text(m, "audit_log_head") << "\n";
  if (!certification.empty()) {
    out << "\ncertification: "
        << (certification.at("certified").as_bool() ? "CERTIFIED" : "not certified") << ", "
        << certification.at("signed_by").as_array().size() << " of "
        << text(certification, "required") << " required signatures\n";
    Table who({"member", "name", "signed"});
    for (const json::value& s : certification.at("signed_by").as_array()) {
      who.add({text(s.as_object(), "id"), text(s.as_object(), "name"), "yes"});
    }
    for (const json::value& s : certification.at("missing").as_array()) {
      who.add({text(&s), "", "no"});
    }
    out << who.render();
  }
  return out.str();
}

}  // namespace tallystation::station::ctl
