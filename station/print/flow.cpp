#include "station/print/flow.hpp"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>

namespace tallystation::station::print {

namespace {

constexpr double kCellPad = 3;

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

Layout make_layout(cairo_t* cr, std::string_view text, const Font& font, double width,
                   Align align) {
  Layout layout(pango_cairo_create_layout(cr));
  PangoFontDescription* d = pango_font_description_new();
  pango_font_description_set_family(d, font.family);
  // Absolute size: cairo's user unit is the point, so no device resolution enters the layout.
  pango_font_description_set_absolute_size(d, font.size * PANGO_SCALE);
  pango_font_description_set_weight(d, font.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style(d, font.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  pango_layout_set_font_description(layout.get(), d);
  pango_font_description_free(d);
  pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
  // Word wrap, and within a word too long for the line (a hash), wrap by character.
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(layout.get(), align == Align::center  ? PANGO_ALIGN_CENTER
                                           : align == Align::right ? PANGO_ALIGN_RIGHT
                                                                   : PANGO_ALIGN_LEFT);
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  return layout;
}

}  // namespace

PdfWriter::PdfWriter(const std::string& title) {
  surface_ = cairo_pdf_surface_create_for_stream(&PdfWriter::append, this, kPageWidth, kPageHeight);
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "tallystation");
  cr_ = cairo_create(surface_);
}

PdfWriter::~PdfWriter() {
  if (cr_ != nullptr) cairo_destroy(cr_);
  if (surface_ != nullptr) cairo_surface_destroy(surface_);
}

cairo_status_t PdfWriter::append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<PdfWriter*>(closure)->bytes_.append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void PdfWriter::show_page() {
  cairo_show_page(cr_);
  ++pages_;
}

Pdf PdfWriter::finish() {
  cairo_destroy(cr_);
  cr_ = nullptr;
  cairo_surface_finish(surface_);
  const cairo_status_t status = cairo_surface_status(surface_);
  if (status != CAIRO_STATUS_SUCCESS) {
    throw PrintError(std::string("the PDF could not be made: ") + cairo_status_to_string(status));
  }
  return Pdf{std::move(bytes_), pages_};
}

double text_height(cairo_t* cr, std::string_view text, const Font& font, double width) {
  int w = 0, h = 0;
  pango_layout_get_size(make_layout(cr, text, font, width, Align::left).get(), &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

void draw_text(cairo_t* cr, std::string_view text, const Font& font, double x, double y,
               double width, Align align) {
  Layout layout = make_layout(cr, text, font, width, align);
  cairo_save(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout.get());
  cairo_restore(cr);
}

Flow::Flow(PdfWriter& out, bool draw, Footer footer)
    : out_(out), draw_(draw), footer_(std::move(footer)) {}

void Flow::new_page() {
  if (open_) {
    ++pages_;
    if (draw_) {
      if (footer_) footer_(out_.cr(), pages_);
      out_.show_page();
    }
  }
  open_ = true;
  y_ = kMargin;
}

void Flow::end() {
  if (!open_) return;
  ++pages_;
  if (draw_) {
    if (footer_) footer_(out_.cr(), pages_);
    out_.show_page();
  }
  open_ = false;
}

void Flow::make_room(double height) {
  if (!open_) new_page();
  const double bottom = kPageHeight - kMargin - kFooterSpace;
  // A block taller than a page is placed anyway, on a page of its own: it cannot do better.
  if (y_ + height > bottom && y_ > kMargin) new_page();
}

void Flow::paragraph(std::string_view text, const Font& font, Align align, double space_after) {
  const double h = text_height(out_.cr(), text, font, width());
  make_room(h);
  if (draw_) draw_text(out_.cr(), text, font, left(), y_, width(), align);
  y_ += h + space_after;
}

void Flow::space(double points) {
  if (!open_) new_page();
  y_ += points;
}

void Flow::block(double height, const std::function<void(cairo_t*, double x, double y)>& draw) {
  make_room(height);
  if (draw_) draw(out_.cr(), left(), y_);
  y_ += height;
}

double Flow::table_row(const std::vector<Column>& columns, const std::vector<std::string>& cells,
                       bool strong, bool header, bool measure_only) {
  cairo_t* cr = out_.cr();
  const Font font{"Noto Sans", 9, strong || header};
  double height = 0;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::string& text = i < cells.size() ? cells[i] : std::string();
    const double w = columns[i].share * width() - 2 * kCellPad;
    height = std::max(height, text_height(cr, text, font, w));
  }
  height += 2 * kCellPad;
  if (measure_only || !draw_) return height;
  cairo_save(cr);
  if (header) {
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    cairo_rectangle(cr, left(), y_, width(), height);
    cairo_fill(cr);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.5);
  double x = left();
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const double w = columns[i].share * width();
    cairo_rectangle(cr, x, y_, w, height);
    cairo_stroke(cr);
    const std::string& text = i < cells.size() ? cells[i] : std::string();
    draw_text(cr, text, font, x + kCellPad, y_ + kCellPad, w - 2 * kCellPad,
              header ? Align::left : columns[i].align);
    x += w;
  }
  cairo_restore(cr);
  return height;
}

void Flow::table(const std::vector<Column>& columns, const std::vector<std::string>& header,
                 const std::vector<Row>& rows) {
  const double header_height = header.empty() ? 0 : table_row(columns, header, true, true, true);
  auto put_header = [&] {
    if (header.empty()) return;
    table_row(columns, header, true, true, false);
    y_ += header_height;
  };
  // The header with at least the first row, never a header alone at a page's foot.
  const double first =
      rows.empty() ? 0 : table_row(columns, rows.front().cells, rows.front().strong, false, true);
  make_room(header_height + first);
  put_header();
  for (const Row& row : rows) {
    const double h = table_row(columns, row.cells, row.strong, false, true);
    const unsigned before = pages_;
    make_room(h);
    if (pages_ != before) put_header();  // the table ran onto a new page
    table_row(columns, row.cells, row.strong, false, false);
    y_ += h;
  }
  y_ += 6;
}

}  // namespace tallystation::station::print
