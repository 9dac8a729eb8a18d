#pragma once
// The page machinery of tallystation_print: a PDF surface that writes into memory, text measured
// and drawn by Pango, and a Flow that places paragraphs, tables and fixed blocks down A4 pages,
// starting a new page when the next one does not fit. Internal to tallystation_print; one Flow
// per document, not thread safe.
//
// Page numbers ("page 2 of 3") need the page count before the first page is drawn, so a document
// is laid out twice by the same code: a Flow with draw = false only measures and counts pages,
// then one with draw = true draws. Layout is deterministic, so both passes break pages alike.
#include <cairo.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "station/print/print.hpp"

namespace tallystation::station::print {

inline constexpr double kPageWidth = 595.276;  // A4 in points (210 mm x 297 mm)
inline constexpr double kPageHeight = 841.890;

class PdfWriter {
 public:
  explicit PdfWriter(const std::string& title);
  ~PdfWriter();
  PdfWriter(const PdfWriter&) = delete;
  PdfWriter& operator=(const PdfWriter&) = delete;

  cairo_t* cr() { return cr_; }
  void show_page();
  // Ends the document; throws PrintError if cairo failed at any point (it records its first
  // error and ignores what follows).
  Pdf finish();

 private:
  static cairo_status_t append(void* closure, const unsigned char* data, unsigned int length);
  std::string bytes_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  unsigned pages_ = 0;
};

enum class Align { left, center, right };

struct Font {
  const char* family = "Noto Sans";  // fontconfig names; a missing glyph falls back by fontconfig
  double size = 10;                  // points
  bool bold = false;
  bool italic = false;
};

// The height of `text` set in `font` and wrapped at `width` points.
double text_height(cairo_t* cr, std::string_view text, const Font& font, double width);
// Draws it with its top left corner at (x, y).
void draw_text(cairo_t* cr, std::string_view text, const Font& font, double x, double y,
               double width, Align align = Align::left);

struct Column {
  double share;  // of the table's width; the shares add up to 1
  Align align = Align::left;
};

struct Row {
  std::vector<std::string> cells;
  bool strong = false;  // set in bold (the elected in the tally)
};

class Flow {
 public:
  // Called with the cairo context and the 1-based page number after each page is filled.
  using Footer = std::function<void(cairo_t*, unsigned page)>;
  static constexpr double kMargin = 50;
  static constexpr double kFooterSpace = 24;

  Flow(PdfWriter& out, bool draw, Footer footer);

  double left() const { return kMargin; }
  double width() const { return kPageWidth - 2 * kMargin; }
  double y() const { return y_; }

  void paragraph(std::string_view text, const Font& font, Align align = Align::left,
                 double space_after = 4);
  void space(double points);
  // A header row (none if `header` is empty) repeated on each page the table runs over; rows
  // never split.
  void table(const std::vector<Column>& columns, const std::vector<std::string>& header,
             const std::vector<Row>& rows);
  // A block of a fixed height drawn by `draw` at (left(), top); moved whole to the next page
  // when it does not fit.
  void block(double height, const std::function<void(cairo_t*, double x, double y)>& draw);
  void new_page();
  // Ends the last page; a Flow that placed nothing has no page.
  void end();
  unsigned pages() const { return pages_; }

 private:
  void make_room(double height);
  double table_row(const std::vector<Column>& columns, const std::vector<std::string>& cells,
                   bool strong, bool header, bool measure_only);

  PdfWriter& out_;
  bool draw_;
  Footer footer_;
  bool open_ = false;
  double y_ = kMargin;
  unsigned pages_ = 0;
};

}  // namespace tallystation::station::print
