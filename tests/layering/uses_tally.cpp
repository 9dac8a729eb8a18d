// Uses the counting rules. Links with tallystation_tally; must not link with crypto/, which never
// uses them (tests/layering/CMakeLists.txt).
#include "tally/percent.hpp"

int main(int argc, char**) {
  if (argc > 1) return static_cast<int>(tallystation::tally::percent_of(1, 3).size());
  return 0;
}
