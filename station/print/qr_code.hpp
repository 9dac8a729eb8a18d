#pragma once
// A QR code as a square of modules, from libqrencode (ISO/IEC 18004), and its drawing on a cairo
// context as filled squares (vector, so it stays sharp at any print resolution). Internal to
// tallystation_print; thread safe.
#include <cairo.h>

#include <string_view>
#include <vector>

namespace tallystation::station::print {

struct QrCode {
  int width = 0;           // modules per side, without the quiet zone
  std::vector<bool> dark;  // width * width, row by row
};

// Byte mode, error correction level M (15%: a creased or smudged slip still reads). Throws
// PrintError if the text is too long for any QR version.
QrCode qr_encode(std::string_view text);

// Draws the code in the square (x, y, side), the ISO quiet zone of 4 modules included.
void draw_qr(cairo_t* cr, const QrCode& code, double x, double y, double side);

}  // namespace tallystation::station::print
