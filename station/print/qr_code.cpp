#include "station/print/qr_code.hpp"

#include <qrencode.h>

#include <memory>
#include <string>

#include "station/print/print.hpp"

namespace tallystation::station::print {

QrCode qr_encode(std::string_view text) {
  const std::string s(text);
  // 8-bit mode over the exact bytes: no case folding, what is scanned is what was printed.
  std::unique_ptr<QRcode, decltype(&QRcode_free)> q(
      QRcode_encodeData(static_cast<int>(s.size()),
                        reinterpret_cast<const unsigned char*>(s.data()), 0, QR_ECLEVEL_M),
      &QRcode_free);
  if (!q) throw PrintError("cannot encode a QR code of " + std::to_string(s.size()) + " bytes");
  QrCode out;
  out.width = q->width;
  out.dark.resize(static_cast<std::size_t>(q->width) * static_cast<std::size_t>(q->width));
  for (std::size_t i = 0; i < out.dark.size(); ++i) out.dark[i] = (q->data[i] & 1) != 0;
  return out;
}

void draw_qr(cairo_t* cr, const QrCode& code, double x, double y, double side) {
  constexpr int kQuiet = 4;  // ISO/IEC 18004: four modules of light margin on every side
  const double m = side / (code.width + 2 * kQuiet);
  cairo_save(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, side, side);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < code.width; ++row) {
    for (int col = 0; col < code.width; ++col) {
      if (!code.dark[static_cast<std::size_t>(row * code.width + col)]) continue;
      // A hair of overlap so that renderers do not show seams between neighbouring modules.
      cairo_rectangle(cr, x + (col + kQuiet) * m, y + (row + kQuiet) * m, m + 0.01, m + 0.01);
    }
  }
  cairo_fill(cr);
  cairo_restore(cr);
}

}  // namespace tallystation::station::print
