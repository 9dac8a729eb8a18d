// Uses SQLite itself. Links with SQLite; must not link with a part that may not use it
// (tests/layering/CMakeLists.txt).
#include <sqlite3.h>

int main(int argc, char**) {
  if (argc > 1) return sqlite3_libversion_number() > 0 ? 0 : 1;
  return 0;
}
