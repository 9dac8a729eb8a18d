#include "tally/audit/rollup/html_report.hpp"

#include <array>
#include <vector>

#include "tally/congress/people.hpp"

namespace tallystation::audit::rollup {

namespace {

// A4 portrait with 15 mm margins; a unit's block is not split across pages when it fits.
constexpr std::string_view kStyle =
    "body{font-family:sans-serif;font-size:11pt;color:#000;margin:1.5em}"
    "h1{font-size:16pt}h2{font-size:13pt;margin-top:1.5em}h3{font-size:11pt;margin:.8em 0 .3em}"
    "table{border-collapse:collapse;margin:.3em 0}"
    "th,td{border:1px solid #888;padding:2px 6px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
    ".unit{border-left:3px solid #ccc;padding-left:.6em;margin:.6em 0}"
    "svg text{font-size:11px;font-family:sans-serif}"
    "@page{size:A4 portrait;margin:15mm}"
    "@media print{body{margin:0;font-size:10pt}.unit,table,svg{break-inside:avoid}}";

constexpr std::array<std::string_view, 6> kShares = {"re_elected", "first_time",      "women",
                                                     "under_40",   "ethnic_minority", "non_local"};
// The charted shares (docs/audit.md: re-elected, women, under 40, ethnic minority).
constexpr std::array<std::string_view, 4> kCharted = {"re_elected", "women", "under_40",
                                                      "ethnic_minority"};

std::uint64_t share_count(const BodyFigures& b, std::string_view key) {
  if (key == "re_elected") return b.re_elected;
  if (key == "first_time") return b.first_time;
  if (key == "women") return b.women;
  if (key == "under_40") return b.under_40;
  if (key == "ethnic_minority") return b.ethnic_minority;
  return b.non_local;
}

std::string num(std::uint64_t n) {
  return std::to_string(n);
}

struct Page {
  Lang lang;
  std::string out;
  void add(std::string_view s) { out += s; }
  void text(std::string_view s) { out += html_escape(s); }
  void w(std::string_view key) { out += html_escape(word(lang, key)); }
};

void body_table(Page& p, const Figures& f) {
  p.add("<table><tr><th>");
  p.w("body");
  for (std::string_view k : {"contests", "elected", "described"}) {
    p.add("</th><th>");
    p.w(k);
  }
  for (std::string_view k : kShares) {
    p.add("</th><th>");
    p.w(k);
    p.add(" (%)");
  }
  p.add("</th><th>");
  p.w("mean_age");
  p.add("</th></tr>\n");
  for (std::size_t i = 0; i < kOffices.size(); ++i) {
    const BodyFigures& b = f.bodies[i];
    if (b.contests == 0) continue;
    p.add("<tr><td>");
    p.w(kOffices[i]);
    for (std::uint64_t n : {b.contests, b.elected, b.described}) p.add("</td><td>" + num(n));
    for (std::string_view k : kShares) {
      p.add("</td><td>" + num(share_count(b, k)) + " (" +
            congress::percent_1(share_count(b, k), b.described) + ")");
    }
    p.add("</td><td>");
    p.add(b.described == 0 ? "-" : congress::percent_1(b.age_sum, b.described * 100));
    p.add("</td></tr>\n");
  }
  p.add("</table>\n");
}

// One horizontal bar per charted share, its length the share of 300 px, the exact figure beside.
void body_chart(Page& p, std::string_view office, const BodyFigures& b) {
  constexpr int kRow = 22, kLabel = 170, kBar = 300;
  const int height = static_cast<int>(kCharted.size()) * kRow + 24;
  p.add("<svg width=\"560\" height=\"" + std::to_string(height) +
        "\" role=\"img\"><text x=\"0\" y=\"14\" font-weight=\"bold\">");
  p.w(office);
  p.add("</text>");
  int y = 24;
  for (std::string_view k : kCharted) {
    const std::uint64_t c = share_count(b, k);
    const std::uint64_t len = b.described == 0 ? 0 : c * kBar / b.described;
    p.add("<text x=\"0\" y=\"" + std::to_string(y + 14) + "\">");
    p.w(k);
    p.add("</text><rect x=\"" + std::to_string(kLabel) + "\" y=\"" + std::to_string(y + 3) +
          "\" width=\"" + num(len) + "\" height=\"15\" fill=\"#4a6fa5\"/><rect x=\"" +
          std::to_string(kLabel) + "\" y=\"" + std::to_string(y + 3) + "\" width=\"" +
          std::to_string(kBar) + "\" height=\"15\" fill=\"none\" stroke=\"#888\"/>");
    p.add("<text x=\"" + std::to_string(kLabel + kBar + 6) + "\" y=\"" + std::to_string(y + 14) +
          "\">" + congress::percent_1(c, b.described) + "%</text>");
    y += kRow;
  }
  p.add("</svg>\n");
}

void unit_list(Page& p, const Season& s, const Roster& roster, UnitStatus status) {
  p.add("<h3>");
  p.w(to_string(status));
  p.add("</h3>\n<ul>");
  bool any = false;
  for (std::size_t k = 0; k < s.units.size(); ++k) {
    if (s.units[k].status != status) continue;
    any = true;
    const Unit& u = roster.units()[k];
    p.add("<li>");
    p.text(u.id);
    p.add(" &#8212; ");
    p.text(u.name);
    if (status == UnitStatus::excluded) {
      p.add(" (");
      p.w("failed_check");
      p.add(": ");
      p.text(s.bundles[s.units[k].bundles.front()].failed_check);
      p.add(")");
    }
    p.add("</li>");
  }
  if (!any) {
    p.add("<li>");
    p.w("none");
    p.add("</li>");
  }
  p.add("</ul>\n");
}

void held_line(Page& p, const Figures& f) {
  p.add("<tr><td>");
  p.w("held_of_expected");
  p.add("</td><td>" + num(f.held) + " / " + num(f.expected) + " (" +
        congress::percent_1(f.held, f.expected) + "%)</td></tr>\n<tr><td>");
  p.w("units_without_secretary");
  p.add("</td><td>" + num(f.units_without_secretary) + "</td></tr>\n<tr><td>");
  p.w("contests_not_complete");
  p.add("</td><td>" + num(f.contests_not_complete) + "</td></tr>\n");
}

// The units depth first from the roots, children in roster order.
void units_in_tree(const Roster& roster, std::vector<std::size_t>& order) {
  const std::vector<Unit>& units = roster.units();
  std::vector<std::vector<std::size_t>> children(units.size());
  std::vector<std::size_t> roots;
  for (std::size_t k = 0; k < units.size(); ++k) {
    if (units[k].parent.empty()) {
      roots.push_back(k);
    } else {
      children[*roster.find(units[k].parent)].push_back(k);
    }
  }
  std::vector<std::size_t> stack(roots.rbegin(), roots.rend());
  while (!stack.empty()) {
    const std::size_t k = stack.back();
    stack.pop_back();
    order.push_back(k);
    stack.insert(stack.end(), children[k].rbegin(), children[k].rend());
  }
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_html(const Season& s, const Roster& roster, Lang lang,
                        const std::string& generated) {
  Page p{lang, {}};
  p.add("<!DOCTYPE html>\n<html lang=\"");
  p.add(to_string(lang));
  p.add("\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
  p.w("title");
  p.add("</title>\n<style>");
  p.add(kStyle);
  p.add("</style>\n</head>\n<body>\n<h1>");
  p.w("title");
  p.add("</h1>\n<p>");
  p.w("generated");
  p.add(": ");
  p.text(generated);
  p.add("</p>\n<h2>");
  p.w("congresses");
  p.add("</h2>\n<table>\n");
  held_line(p, s.totals);
  p.add("</table>\n");
  for (UnitStatus st : {UnitStatus::missing, UnitStatus::excluded, UnitStatus::conflict}) {
    unit_list(p, s, roster, st);
  }
  p.add("<h2>");
  p.w("bodies");
  p.add("</h2>\n");
  body_table(p, s.totals);
  p.add("<h3>");
  p.w("chart");
  p.add("</h3>\n");
  for (std::size_t i = 0; i < kOffices.size(); ++i) {
    if (s.totals.bodies[i].described != 0) body_chart(p, kOffices[i], s.totals.bodies[i]);
  }
  p.add("<h2>");
  p.w("units");
  p.add("</h2>\n");
  std::vector<std::size_t> order;
  units_in_tree(roster, order);
  for (std::size_t k : order) {
    const Unit& u = roster.units()[k];
    const UnitReport& r = s.units[k];
    p.add("<section class=\"unit\" style=\"margin-left:" +
          std::to_string(roster.ancestors(k).size() * 2) + "em\">\n<h3>");
    p.text(u.name);
    p.add(" (");
    p.text(u.id);
    p.add(") &#8212; ");
    p.w(to_string(r.status));
    p.add("</h3>\n<table>\n");
    held_line(p, r.total);
    p.add("</table>\n");
    body_table(p, r.total);
    p.add("</section>\n");
  }
  p.add("</body>\n</html>\n");
  return p.out;
}

}  // namespace tallystation::audit::rollup
