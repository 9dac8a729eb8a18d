#include "tally/percent.hpp"

namespace tallystation::tally {

std::string percent_of(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "0.00";
  // Long division, one decimal digit at a time, so nothing overflows for whole < 2^60:
  // 100 * part / whole in hundredths of a percent is the quotient's integer part times 10^4
  // plus its first four decimals; the fifth decimal decides the rounding (>= 5: the rest is at
  // least one half).
  std::uint64_t hundredths = (part / whole) * 10000;
  std::uint64_t rem = part % whole;
  for (std::uint64_t scale = 1000; scale >= 1; scale /= 10) {
    rem *= 10;
    hundredths += (rem / whole) * scale;
    rem %= whole;
  }
  rem *= 10;
  if (rem / whole >= 5) ++hundredths;
  std::string out = std::to_string(hundredths / 100);
  const std::uint64_t frac = hundredths % 100;
  out += '.';
  out += static_cast<char>('0' + frac / 10);
  out += static_cast<char>('0' + frac % 10);
  return out;
}

}  // namespace tallystation::tally
