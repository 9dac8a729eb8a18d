#include "station/ctl/tables.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <sstream>

#include "station/ctl/words.hpp"

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

std::optional<std::uint64_t> count_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v != nullptr && v->is_int64() && v->get_int64() >= 0) {
    return static_cast<std::uint64_t>(v->get_int64());
  }
  if (v != nullptr && v->is_uint64()) return v->get_uint64();
  return std::nullopt;
}

}  // namespace

tally::Language session_language(const json::object& status) {
  const json::value* s = status.if_contains("session");
  const json::value* l =
      s != nullptr && s->is_object() ? s->get_object().if_contains("language") : nullptr;
  if (l == nullptr || !l->is_string()) return tally::Language::en;
  return tally::parse_language(l->get_string()).value_or(tally::Language::en);
}

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

namespace {

// The "minutes" cell of a round in the status: the outcome and how far the certification got.
std::string minutes_cell(const json::object& round, tally::Language language) {
  const json::value* m = round.if_contains("minutes");
  if (m == nullptr || !m->is_object()) return "-";
  const json::object& mo = m->as_object();
  std::string cell = code_words(Code::outcome, text(mo, "outcome", language), language);
  if (const json::value* cert = mo.if_contains("certification"); cert && cert->is_object()) {
    const json::object& co = cert->as_object();
    cell += ", ";
    cell += word(co.at("certified").as_bool() ? Word::certified : Word::not_certified, language);
    cell += " (" + std::to_string(co.at("signed_by").as_array().size()) + "/" +
            text(co, "required", language) + ")";
  }
  return cell;
}

}  // namespace

std::string render_status(const json::object& status, tally::Language language) {
  const auto w = [language](Word x) { return std::string(word(x, language)); };
  const auto t = [language](const json::object& o, std::string_view key) {
    return text(o, key, language);
  };
  std::ostringstream out;
  const json::object& s = status.at("session").as_object();
  out << t(s, "title") << " (" << t(s, "id") << ")\n"
      << fill(word(Word::status_session, language),
              {{"organisation", t(s, "organisation")},
               {"kind", code_words(Code::congress_kind, t(s, "congress_kind"), language)},
               {"convened", t(s, "convened")},
               {"present", t(status.at("attendance").as_object(), "present")}})
      << "\n"
      << fill(word(Word::status_config_hash, language), {{"hash", t(s, "config_hash")}}) << "\n\n";

  Table terminals({w(Word::col_terminal), w(Word::col_state)});
  for (const json::value& tv : status.at("terminals").as_array()) {
    const json::object& term = tv.as_object();
    terminals.add({t(term, "id"), code_words(Code::terminal_state, t(term, "state"), language)});
  }
  out << terminals.render() << "\n";

  Table rounds({w(Word::col_contest), w(Word::col_round), w(Word::col_state), w(Word::col_seats),
                w(Word::col_tokens), w(Word::col_ballots), w(Word::col_box_root),
                w(Word::col_minutes)});
  for (const json::value& cv : status.at("contests").as_array()) {
    const json::object& c = cv.as_object();
    for (const json::value& rv : c.at("rounds").as_array()) {
      const json::object& r = rv.as_object();
      std::string root = "-";
      if (const json::value* box = r.if_contains("ballot_box")) {
        root = t(box->as_object(), "root").substr(0, 16) + "…";
      }
      std::string seats = t(r, "seats");
      if (seats == "-") seats = t(c, "seats");
      rounds.add({t(c, "id"), t(r, "round"), code_words(Code::round_state, t(r, "state"), language),
                  seats, t(r, "tokens_issued"), t(r, "ballots"), root, minutes_cell(r, language)});
    }
    if (c.at("rounds").as_array().empty()) {
      rounds.add({t(c, "id"), "-", w(Word::not_started), t(c, "seats"), "0", "0", "-", "-"});
    }
  }
  out << rounds.render() << "\n";

  Table contests({w(Word::col_contest), w(Word::col_title), w(Word::col_seats), w(Word::col_state),
                  w(Word::col_elected)});
  for (const json::value& cv : status.at("contests").as_array()) {
    const json::object& c = cv.as_object();
    contests.add(
        {t(c, "id"), t(c, "title"), t(c, "seats"),
         c.contains("state") ? code_words(Code::contest_state, t(c, "state"), language) : "-",
         c.contains("elected") ? t(c, "elected") : "-"});
  }
  out << contests.render() << "\n";
  const json::object& log = status.at("command_log").as_object();
  out << fill(word(Word::status_command_log, language),
              {{"size", t(log, "size")}, {"seq", t(log, "last_seq")}, {"head", t(log, "head")}})
      << "\n";
  return out.str();
}

namespace {

// The table of attendance and ballots of a round's minutes.
std::string minutes_counts(const json::object& m, tally::Language language) {
  const auto w = [language](Word x) { return std::string(word(x, language)); };
  const auto t = [&](std::string_view key) { return text(m, key, language); };
  Table counts({"", w(Word::col_count)});
  counts.add({w(Word::convened), t("convened")});
  counts.add({w(Word::excluded), t("excluded")});
  counts.add({w(Word::present), t("present")});
  counts.add({w(Word::ballots_issued), t("ballots_issued")});
  counts.add({w(Word::ballots_collected), t("ballots_collected")});
  counts.add({w(Word::valid), t("valid")});
  counts.add({w(Word::invalid), t("invalid")});
  counts.add({fill(word(Word::basis, language),
                   {{"basis", code_words(Code::basis, t("majority_basis"), language)}}),
              t("basis")});
  counts.add({w(Word::threshold), t("threshold")});
  counts.add({w(Word::seats), t("seats")});
  return counts.render();
}

// The candidates in the order of the count, with their votes and what became of them.
std::string minutes_tally(const json::object& m, tally::Language language) {
  const auto w = [language](Word x) { return std::string(word(x, language)); };
  std::vector<std::string> elected, alternates;
  for (const json::value& v : m.at("elected").as_array()) elected.emplace_back(v.as_string());
  for (const json::value& v : m.at("elected_alternates").as_array()) {
    alternates.emplace_back(v.as_string());
  }
  const json::object* percent = nullptr;
  if (const json::value* p = m.if_contains("percent_of_basis"); p && p->is_object()) {
    percent = &p->as_object();
  }
  Table tally({w(Word::col_rank), w(Word::col_candidate), w(Word::col_name), w(Word::col_votes),
               w(Word::col_percent), ""});
  int rank = 0;
  for (const json::value& v : m.at("tally").as_array()) {
    const json::object& e = v.as_object();
    const std::string id = text(e, "candidate", language);
    std::string mark;
    if (std::find(elected.begin(), elected.end(), id) != elected.end()) {
      mark = w(Word::mark_elected);
    }
    if (std::find(alternates.begin(), alternates.end(), id) != alternates.end()) {
      mark = w(Word::mark_alternate);
    }
    tally.add({std::to_string(++rank), id, text(e, "name", language), text(e, "votes", language),
               percent && percent->contains(id) ? text(*percent, id, language) : "-", mark});
  }
  return tally.render();
}

// The certification of a round's minutes: the state, then who has signed and who has not.
std::string minutes_certification(const json::object& certification, tally::Language language) {
  const auto w = [language](Word x) { return std::string(word(x, language)); };
  std::ostringstream out;
  out << fill(word(Word::certification, language),
              {{"state", w(certification.at("certified").as_bool() ? Word::certified_caps
                                                                   : Word::not_certified)},
               {"signed", std::to_string(certification.at("signed_by").as_array().size())},
               {"required", text(certification, "required", language)}})
      << "\n";
  Table who({w(Word::col_member), w(Word::col_name), w(Word::col_signed)});
  for (const json::value& s : certification.at("signed_by").as_array()) {
    who.add(
        {text(s.as_object(), "id", language), text(s.as_object(), "name", language), w(Word::yes)});
  }
  for (const json::value& s : certification.at("missing").as_array()) {
    who.add({text(&s, language), "", w(Word::no)});
  }
  out << who.render();
  return out.str();
}

}  // namespace

std::string render_minutes(const json::object& m, const json::object& certification,
                           tally::Language language) {
  const auto t = [&](std::string_view key) { return text(m, key, language); };
  const auto line = [&](Word x, std::vector<std::pair<std::string_view, std::string>> values) {
    return fill(word(x, language), values) + "\n";
  };
  std::ostringstream out;
  out << line(Word::minutes_title,
              {{"title", t("title")}, {"contest", t("contest")}, {"round", t("round")}})
      << line(Word::minutes_session, {{"session", t("session")}, {"rule_set", t("rule_set")}})
      << "\n";
  out << minutes_counts(m, language) << "\n";
  out << minutes_tally(m, language) << "\n";
  const std::string code = t("outcome");
  if (const std::string said = outcome_sentence(m, language); !said.empty()) {
    out << line(Word::outcome_said, {{"code", code}, {"sentence", said}});
  } else {
    out << line(Word::outcome_code, {{"code", code_words(Code::outcome, code, language)}});
  }
  out << line(Word::elected, {{"ids", t("elected")}});
  if (!m.at("elected_alternates").as_array().empty()) {
    out << line(Word::elected_alternates, {{"ids", t("elected_alternates")}});
  }
  if (!m.at("tied").as_array().empty()) out << line(Word::tied, {{"ids", t("tied")}});
  out << line(Word::seats_unfilled, {{"n", t("seats_unfilled")}});
  if (m.contains("elected_so_far")) {
    out << line(Word::elected_so_far, {{"ids", t("elected_so_far")}});
  }
  if (const json::value* n = m.if_contains("next_step"); n && n->is_object()) {
    const json::object& next = n->as_object();
    const std::string step = text(next, "step", language);
    out << fill(word(Word::next_step, language),
                {{"step", code_words(Code::next_step, step, language)}});
    if (step == "runoff" || step == "further_round") {
      out << fill(word(Word::next_round, language),
                  {{"round", text(next, "round", language)},
                   {"seats", text(next, "seats", language)},
                   {"eligible", text(next, "eligible", language)}});
    }
    out << "\n";
  }
  const json::object& box = m.at("ballot_box").as_object();
  out << line(Word::ballot_box,
              {{"size", text(box, "size", language)}, {"root", text(box, "root", language)}})
      << line(Word::config_hash, {{"hash", t("config_hash")}})
      << line(Word::log_head, {{"head", t("audit_log_head")}});
  if (!certification.empty()) out << "\n" << minutes_certification(certification, language);
  return out.str();
}

std::string render_countersigned(const json::object& minutes, std::string_view keyid,
                                 const json::object& certification, tally::Language language) {
  std::string out = render_minutes(minutes, {}, language) + "\n" +
                    fill(word(Word::signed_with_key, language), {{"keyid", std::string(keyid)}});
  if (!certification.empty()) {
    out += "\n" + fill(word(certification.at("certified").as_bool() ? Word::minutes_certified
                                                                    : Word::minutes_not_certified,
                            language),
                       {{"signed", std::to_string(certification.at("signed_by").as_array().size())},
                        {"required", json::serialize(certification.at("required"))}});
  }
  return out;
}

}  // namespace tallystation::station::ctl
