// The printed minutes of a round (print.hpp): every member of the signed payload that a reader
// checks against the hall's count, in the reader's language, with a QR code of the ballot box
// root (a delegate's phone compares it with the root their inclusion proof ends in) and a
// signature line per counting-committee member.
#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "station/ctl/tables.hpp"
#include "station/print/flow.hpp"
#include "station/print/labels.hpp"
#include "station/print/print.hpp"
#include "station/print/qr_code.hpp"

namespace tallystation::station::print {

namespace {

namespace json = boost::json;
using tally::Language;

const Font kBody{"Noto Sans", 10};
const Font kHeading{"Noto Sans", 12, true};
const Font kMono{"monospace", 8.5};

const json::value& member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) throw PrintError("the minutes have no member `" + std::string(key) + "`");
  return *v;
}

const json::object& object_member(const json::object& o, std::string_view key) {
  const json::value& v = member(o, key);
  if (!v.is_object()) throw PrintError("the minutes' `" + std::string(key) + "` is no object");
  return v.get_object();
}

const json::array& array_member(const json::object& o, std::string_view key) {
  const json::value& v = member(o, key);
  if (!v.is_array()) throw PrintError("the minutes' `" + std::string(key) + "` is no array");
  return v.get_array();
}

std::string text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return "-";
  return json::serialize(v);
}

std::string text(const json::object& o, std::string_view key) {
  return text(member(o, key));
}

struct Context {
  const MinutesInput& in;
  const json::object& m;  // the payload
  Language lang;
  std::map<std::string, std::string> names;  // candidate id -> name, from the tally

  std::string_view operator[](Label l) const { return label(l, lang); }
  std::string person(const json::value& id) const {
    const std::string s = text(id);
    const auto it = names.find(s);
    return it == names.end() ? s : it->second + " (" + s + ")";
  }
  std::string people(std::string_view key) const {
    std::string out;
    for (const json::value& id : array_member(m, key))
      out += (out.empty() ? "" : ", ") + person(id);
    return out.empty() ? std::string((*this)[Label::nobody]) : out;
  }
};

// Label and value, no header row.
void pair_table(Flow& flow, const std::vector<Row>& rows) {
  flow.table({{0.62}, {0.38, Align::right}}, {}, rows);
}

void heading(Flow& flow, const Context& c) {
  if (!c.in.organisation.empty()) flow.paragraph(c.in.organisation, kBody, Align::center, 2);
  if (!c.in.session_title.empty()) {
    flow.paragraph(c.in.session_title, {"Noto Sans", 11, true}, Align::center, 10);
  }
  flow.paragraph(c[Label::minutes_title], {"Noto Serif", 18, true}, Align::center, 4);
  flow.paragraph(
      text(c.m, "title") + " · " + std::string(c[Label::round]) + " " + text(c.m, "round"),
      {"Noto Serif", 13}, Align::center, 12);
  std::vector<Row> rows = {
      {{std::string(c[Label::session]), text(c.m, "session")}},
      {{std::string(c[Label::contest]), text(c.m, "contest")}},
      {{std::string(c[Label::round]), text(c.m, "round")}},
      {{std::string(c[Label::title]), text(c.m, "title")}},
      {{std::string(c[Label::rule_set]), text(c.m, "rule_set")}},
      {{std::string(c[Label::majority_basis]), basis_words(text(c.m, "majority_basis"), c.lang) +
                                                   " (" + text(c.m, "majority_basis") + ")"}},
      {{std::string(c[Label::basis]), text(c.m, "basis")}},
      {{std::string(c[Label::threshold]), text(c.m, "threshold")}, true},
      {{std::string(c[Label::seats]), text(c.m, "seats")}},
  };
  if (const json::value* a = c.m.if_contains("alternates"); a && text(*a) != "0") {
    rows.push_back({{std::string(c[Label::alternates]), text(*a)}});
  }
  flow.table({{0.4}, {0.6}}, {}, rows);
}

void counts(Flow& flow, const Context& c) {
  flow.paragraph(c[Label::counts], kHeading, Align::left, 4);
  const json::value& present = member(c.m, "present");
  std::vector<Row> rows = {
      {{std::string(c[Label::convened]), text(c.m, "convened")}},
      {{std::string(c[Label::excluded]), text(c.m, "excluded")}},
      {{std::string(c[Label::present]),
        present.is_null() ? std::string(c[Label::not_recorded]) : text(present)}},
      {{std::string(c[Label::ballots_issued]), text(c.m, "ballots_issued")}},
      {{std::string(c[Label::ballots_collected]), text(c.m, "ballots_collected")}},
      {{std::string(c[Label::valid]), text(c.m, "valid")}},
      {{std::string(c[Label::invalid]), text(c.m, "invalid")}},
  };
  const json::object& by_reason = object_member(c.m, "invalid_by_reason");
  const std::pair<const char*, Label> reasons[] = {
      {"too_many_marks", Label::invalid_too_many_marks},
      {"unknown_candidate", Label::invalid_unknown_candidate},
      {"all_crossed_out", Label::invalid_all_crossed_out}};
  for (const auto& [code, l] : reasons) {
    rows.push_back({{"    " + std::string(c[l]), text(by_reason, code)}});
  }
  pair_table(flow, rows);
}

// The roll's figures (docs/congress.md), only in a session with a register.
void roll(Flow& flow, const Context& c) {
  const json::value* a = c.m.if_contains("attendance");
  if (a == nullptr || !a->is_object()) return;
  const json::object& att = a->get_object();
  flow.paragraph(c[Label::roll], kHeading, Align::left, 4);
  std::vector<Row> rows = {{{std::string(c[Label::convened]), text(att, "convened")}},
                           {{std::string(c[Label::present]), text(att, "present")}}};
  for (const auto& [category, n] : object_member(att, "absent")) {
    rows.push_back(
        {{std::string(c[Label::absent_prefix]) + ": " + absence_words(category, c.lang), text(n)}});
  }
  rows.push_back({{std::string(c[Label::excluded]), text(att, "excluded")}});
  const json::object& q = object_member(att, "quorum");
  rows.push_back({{std::string(c[Label::quorum_base]), text(q, "base")}});
  rows.push_back({{std::string(c[Label::quorum_required]), text(q, "required")}});
  const json::value& held = member(q, "held");
  rows.push_back({{std::string(c[Label::quorum_held]),
                   std::string(c[held.is_bool() && held.get_bool() ? Label::yes : Label::no])},
                  true});
  pair_table(flow, rows);
}

bool listed(const json::array& ids, std::string_view id) {
  return std::any_of(ids.begin(), ids.end(),
                     [&](const json::value& v) { return v.is_string() && v.get_string() == id; });
}

void tally_table(Flow& flow, const Context& c) {
  flow.paragraph(c[Label::tally], kHeading, Align::left, 4);
  const json::object& percent = object_member(c.m, "percent_of_basis");
  const json::array& elected = array_member(c.m, "elected");
  const json::array& alternates = array_member(c.m, "elected_alternates");
  const json::array& tied = array_member(c.m, "tied");
  std::vector<Row> rows;
  int rank = 0;
  for (const json::value& v : array_member(c.m, "tally")) {
    if (!v.is_object()) throw PrintError("the minutes' `tally` holds a non-object");
    const json::object& e = v.get_object();
    const std::string id = text(e, "candidate");
    Row row{{std::to_string(++rank), id, text(e, "name"), text(e, "votes"),
             percent.contains(id) ? text(percent, id) : "-", ""}};
    if (listed(elected, id)) {
      row.cells[5] = c[Label::mark_elected];
      row.strong = true;
    } else if (listed(alternates, id)) {
      row.cells[5] = c[Label::mark_alternate];
      row.strong = true;
    } else if (listed(tied, id)) {
      row.cells[5] = c[Label::mark_tied];
    }
    rows.push_back(std::move(row));
  }
  flow.table(
      {{0.06, Align::right}, {0.13}, {0.37}, {0.12, Align::right}, {0.14, Align::right}, {0.18}},
      {std::string(c[Label::col_rank]), std::string(c[Label::col_candidate]),
       std::string(c[Label::col_name]), std::string(c[Label::col_votes]),
       std::string(c[Label::col_percent]), std::string(c[Label::col_result])},
      rows);
}

std::string next_step_words(const Context& c) {
  const json::object& n = object_member(c.m, "next_step");
  const std::string step = text(n, "step");
  if (step == "none") return std::string(c[Label::step_none]);
  if (step == "appointment") return std::string(c[Label::step_appointment]);
  if (step == "closed") return std::string(c[Label::step_closed]);
  if (step != "runoff" && step != "further_round") return step;
  const json::value& only = member(n, "alternates_only");
  const std::string places =
      only.is_bool() && only.get_bool() ? text(n, "alternates") : text(n, "seats");
  std::string out = fill(c[step == "runoff" ? Label::step_runoff : Label::step_further_round],
                         {{"round", text(n, "round")}, {"seats", places}});
  if (const json::value* nn = n.if_contains("new_nominations_allowed");
      nn && nn->is_bool() && nn->get_bool()) {
    out += "; " + std::string(c[Label::new_nominations]);
  }
  std::string eligible;
  for (const json::value& id : array_member(n, "eligible")) {
    eligible += (eligible.empty() ? "" : ", ") + c.person(id);
  }
  if (!eligible.empty()) out += ". " + std::string(c[Label::among]) + ": " + eligible;
  return out;
}

void outcome(Flow& flow, const Context& c) {
  flow.paragraph(c[Label::outcome], kHeading, Align::left, 4);
  std::string said = ctl::outcome_sentence(c.m, c.lang);
  if (said.empty()) said = text(c.m, "outcome");
  flow.paragraph(said + " (" + text(c.m, "outcome") + ").", {"Noto Sans", 10.5, true});
  flow.paragraph(std::string(c[Label::next_step]) + ": " + next_step_words(c) + ".", kBody);
  flow.paragraph(std::string(c[Label::elected]) + ": " + c.people("elected") + ".", kBody);
  if (!array_member(c.m, "elected_alternates").empty()) {
    flow.paragraph(
        std::string(c[Label::elected_alternates]) + ": " + c.people("elected_alternates") + ".",
        kBody);
  }
  flow.paragraph(std::string(c[Label::elected_so_far]) + ": " + c.people("elected_so_far") + ".",
                 kBody);
  if (!array_member(c.m, "elected_alternates_so_far").empty()) {
    flow.paragraph(std::string(c[Label::elected_alternates_so_far]) + ": " +
                       c.people("elected_alternates_so_far") + ".",
                   kBody);
  }
  flow.space(6);
}

// docs/rules.md "Composition": shares as count and percentage, in the payload's order.
void composition(Flow& flow, const Context& c) {
  const json::value* v = c.m.if_contains("composition");
  if (v == nullptr || !v->is_object()) return;
  const json::object& comp = v->get_object();
  flow.paragraph(c[Label::composition], kHeading, Align::left, 4);
  std::vector<Row> rows;
  auto share = [&](std::string name, const json::object& s) {
    rows.push_back({{std::move(name), text(s, "count"), text(s, "percent")}});
  };
  for (const auto& [key, value] : comp) {
    if (key == "office") {
      rows.push_back({{std::string(c[Label::office]), text(value), ""}});
    } else if (key == "elected") {
      rows.push_back({{std::string(c[Label::elected_count]), text(value), ""}, true});
    } else if (key == "mean_age") {
      rows.push_back({{std::string(c[Label::mean_age]), text(value), ""}});
    } else if (key == "directly_elected") {
      rows.push_back(
          {{std::string(c[Label::directly_elected]),
            std::string(c[value.is_bool() && value.get_bool() ? Label::yes : Label::no]), ""}});
    } else if (key == "plan" && value.is_object()) {
      const json::object& plan = value.get_object();
      rows.push_back({{std::string(c[Label::plan_planned]), text(plan, "planned"), ""}});
      share(std::string(c[Label::plan_not_elected]), object_member(plan, "planned_not_elected"));
      share(std::string(c[Label::plan_outside]), object_member(plan, "elected_outside_plan"));
    } else if (value.is_object()) {
      share(composition_words(key, c.lang), value.get_object());
    } else {
      rows.push_back({{std::string(key), text(value), ""}});
    }
  }
  flow.table({{0.56}, {0.22, Align::right}, {0.22, Align::right}},
             {"", std::string(c[Label::col_count]), "%"}, rows);
}

void ballot_box(Flow& flow, const Context& c) {
  const json::object& box = object_member(c.m, "ballot_box");
  const std::string root = text(box, "root");
  const QrCode qr = qr_encode(root);
  constexpr double kQr = 118;
  const double text_width = flow.width() - kQr - 12;
  flow.block(kQr + 4, [&](cairo_t* cr, double x, double y) {
    draw_text(cr, c[Label::ballot_box], kHeading, x, y, text_width);
    draw_text(cr, std::string(c[Label::box_size]) + ": " + text(box, "size"), kBody, x, y + 22,
              text_width);
    draw_text(cr, c[Label::box_root], kBody, x, y + 40, text_width);
    draw_text(cr, root, kMono, x, y + 55, text_width);
    draw_text(cr, c[Label::box_qr], {"Noto Sans", 8, false, true}, x, y + 75, text_width);
    draw_qr(cr, qr, x + flow.width() - kQr, y, kQr);
  });
  auto hash_line = [&](Label l, const std::string& hex) {
    flow.paragraph(std::string(c[l]) + ":", {"Noto Sans", 8.5}, Align::left, 0);
    flow.paragraph(hex, kMono, Align::left, 3);
  };
  hash_line(Label::config_hash, text(c.m, "config_hash"));
  hash_line(Label::log_head, text(c.m, "audit_log_head"));
  if (const json::value* t = c.m.if_contains("tokens"); t && t->is_object()) {
    hash_line(Label::tokens_root, text(t->get_object(), "root"));
  }
  flow.space(6);
}

void certification(Flow& flow, const Context& c) {
  const json::object& cert = c.in.certification;
  if (cert.empty()) return;
  flow.paragraph(c[Label::certification], kHeading, Align::left, 4);
  const json::array& signed_by = array_member(cert, "signed_by");
  const json::value& certified = member(cert, "certified");
  const bool yes = certified.is_bool() && certified.get_bool();
  flow.paragraph(
      fill(c[yes ? Label::certified : Label::not_certified],
           {{"signed", std::to_string(signed_by.size())}, {"required", text(cert, "required")}}) +
          ".",
      {"Noto Sans", 10, true});
  if (const json::value* s = cert.if_contains("station_signed"); s && s->is_bool()) {
    flow.paragraph(
        std::string(c[s->get_bool() ? Label::station_signed : Label::station_not_signed]) + ".",
        kBody);
  }
  std::string who;
  for (const json::value& s : signed_by) {
    if (!s.is_object()) continue;
    who += (who.empty() ? "" : ", ") + text(s.get_object(), "name") + " (" +
           text(s.get_object(), "id") + ")";
  }
  if (!who.empty()) flow.paragraph(std::string(c[Label::signed_by]) + ": " + who + ".", kBody);
  flow.space(6);
}

void signature_lines(Flow& flow, const Context& c) {
  if (c.in.committee.empty()) return;
  flow.paragraph(c[Label::committee], kHeading, Align::left, 8);
  for (const Person& p : c.in.committee) {
    flow.block(46, [&](cairo_t* cr, double x, double y) {
      const double half = flow.width() / 2;
      draw_text(cr, p.name + " (" + p.id + ")", kBody, x, y + 22, half - 10);
      cairo_save(cr);
      cairo_set_line_width(cr, 0.6);
      cairo_move_to(cr, x + half, y + 34);
      cairo_line_to(cr, x + flow.width(), y + 34);
      cairo_stroke(cr);
      cairo_restore(cr);
      draw_text(cr, c[Label::signature_hint], {"Noto Sans", 7.5, false, true}, x + half, y + 36,
                half, Align::center);
    });
  }
}

void minutes_copy(Flow& flow, const Context& c) {
  heading(flow, c);
  flow.space(8);
  counts(flow, c);
  roll(flow, c);
  tally_table(flow, c);
  outcome(flow, c);
  composition(flow, c);
  ballot_box(flow, c);
  certification(flow, c);
  signature_lines(flow, c);
  flow.end();
}

}  // namespace

Pdf minutes_pdf(const MinutesInput& input, Language language, unsigned copies) {
  if (copies < 1 || copies > kMaxCopies) {
    throw PrintError("copies must be 1 to " + std::to_string(kMaxCopies));
  }
  Context c{input, input.minutes, language, {}};
  for (const json::value& v : array_member(input.minutes, "tally")) {
    if (!v.is_object()) throw PrintError("the minutes' `tally` holds a non-object");
    c.names[text(v.get_object(), "candidate")] = text(v.get_object(), "name");
  }
  const std::string title = std::string(c[Label::minutes_title]) + ": " +
                            text(input.minutes, "title") + ", " + std::string(c[Label::round]) +
                            " " + text(input.minutes, "round");
  PdfWriter out(title);
  Flow measure(out, false, {});
  minutes_copy(measure, c);
  const unsigned pages = measure.pages();
  for (unsigned copy = 1; copy <= copies; ++copy) {
    auto footer = [&](cairo_t* cr, unsigned page) {
      const std::string line =
          fill(c[Label::copy_page], {{"session", text(input.minutes, "session")},
                                     {"contest", text(input.minutes, "contest")},
                                     {"round", text(input.minutes, "round")},
                                     {"copy", std::to_string(copy)},
                                     {"copies", std::to_string(copies)},
                                     {"page", std::to_string(page)},
                                     {"pages", std::to_string(pages)}});
      draw_text(cr, line, {"Noto Sans", 7.5}, Flow::kMargin, kPageHeight - Flow::kMargin - 10,
                kPageWidth - 2 * Flow::kMargin, Align::center);
    };
    Flow flow(out, true, footer);
    minutes_copy(flow, c);
  }
  return out.finish();
}

MinutesInput minutes_input(boost::json::object minutes, boost::json::object certification,
                           const boost::json::object& status) {
  const boost::json::object& session = status.at("session").as_object();
  if (session.at("id") != minutes.at("session")) {
    throw PrintError("the minutes name session " + boost::json::serialize(minutes.at("session")) +
                     ", the station's status another");
  }
  MinutesInput in;
  in.minutes = std::move(minutes);
  in.certification = std::move(certification);
  in.session_title = std::string(session.at("title").as_string());
  in.organisation = std::string(session.at("organisation").as_string());
  const boost::json::value* committee = session.if_contains("committee");
  if (committee == nullptr || !committee->is_array()) {
    throw PrintError(
        "the station's status names no counting committee (a station older than print-minutes); "
        "the signature lines cannot be printed");
  }
  for (const boost::json::value& p : committee->as_array()) {
    in.committee.push_back(
        {std::string(p.at("id").as_string()), std::string(p.at("name").as_string())});
  }
  return in;
}

}  // namespace tallystation::station::print
