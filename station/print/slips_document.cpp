// Ballot-token slips (print.hpp): a fixed grid of kSlipsPerPage slips per A4 page, each with the
// token as text (typed at a terminal if the QR code cannot be read) and as a QR code. Slips carry
// no number and no name, so a slip cannot be tied to the delegate who received it.
#include <string>

#include "station/print/flow.hpp"
#include "station/print/labels.hpp"
#include "station/print/print.hpp"
#include "station/print/qr_code.hpp"

namespace tallystation::station::print {

namespace {

constexpr double kSideMargin = 36;
constexpr double kTopMargin = 28;
constexpr double kSlipHeight = (kPageHeight - 2 * kTopMargin) / kSlipsPerPage;
constexpr double kPad = 10;
constexpr double kQr = kSlipHeight - 2 * kPad;

// One line of printable ASCII or UTF-8, no spaces: what a terminal's token field accepts as typed.
void check_token(const std::string& token, std::size_t index) {
  if (token.empty() || token.size() > 256) {
    throw PrintError("token " + std::to_string(index + 1) + " is empty or longer than 256 bytes");
  }
  for (unsigned char ch : token) {
    if (ch <= 0x20 || ch == 0x7F) {
      throw PrintError("token " + std::to_string(index + 1) +
                       " holds a space or a control character");
    }
  }
}

void cut_line(cairo_t* cr, double y) {
  const double dashes[] = {4, 3};
  cairo_save(cr);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  cairo_set_line_width(cr, 0.5);
  cairo_set_dash(cr, dashes, 2, 0);
  cairo_move_to(cr, 12, y);
  cairo_line_to(cr, kPageWidth - 12, y);
  cairo_stroke(cr);
  cairo_restore(cr);
}

void slip(cairo_t* cr, const SlipsInput& in, tally::Language lang, const std::string& token,
          double top) {
  const double x = kSideMargin;
  draw_qr(cr, qr_encode(token), x, top + kPad, kQr);
  const double tx = x + kQr + 14;
  const double width = kPageWidth - kSideMargin - tx;
  double y = top + kPad + 2;
  const Font session{"Noto Sans", 8.5};
  draw_text(cr, in.session_title, session, tx, y, width);
  y += text_height(cr, in.session_title, session, width) + 3;
  const std::string contest =
      in.contest_title + " · " +
      fill(label(Label::slip_round, lang), {{"round", std::to_string(in.round)}});
  const Font bold{"Noto Sans", 11, true};
  draw_text(cr, contest, bold, tx, y, width);
  y += text_height(cr, contest, bold, width) + 6;
  draw_text(cr, label(Label::slip_heading, lang), {"Noto Sans", 8.5, true}, tx, y, width);
  y += 13;
  const Font mono{"monospace", 9};
  draw_text(cr, token, mono, tx, y, width);
  y += text_height(cr, token, mono, width) + 6;
  draw_text(cr, label(Label::slip_hint, lang), {"Noto Sans", 7.5, false, true}, tx, y, width);
}

}  // namespace

Pdf slips_pdf(const SlipsInput& input, tally::Language language) {
  if (input.tokens.empty()) throw PrintError("no tokens to print");
  for (std::size_t i = 0; i < input.tokens.size(); ++i) check_token(input.tokens[i], i);
  PdfWriter out(std::string(label(Label::slips_title, language)) + ": " + input.contest_title +
                ", " +
                fill(label(Label::slip_round, language), {{"round", std::to_string(input.round)}}));
  cairo_t* cr = out.cr();
  for (std::size_t first = 0; first < input.tokens.size(); first += kSlipsPerPage) {
    const std::size_t n = std::min<std::size_t>(kSlipsPerPage, input.tokens.size() - first);
    for (std::size_t i = 0; i < n; ++i) {
      const double top = kTopMargin + static_cast<double>(i) * kSlipHeight;
      cut_line(cr, top);
      slip(cr, input, language, input.tokens[first + i], top);
    }
    cut_line(cr, kTopMargin + static_cast<double>(n) * kSlipHeight);
    out.show_page();
  }
  return out.finish();
}

}  // namespace tallystation::station::print
