// Uses the SQLite store. Links with tallystation_store; must not link with a part that may not
// reach the store (tests/layering/CMakeLists.txt).
#include "station/store/sqlite_store.hpp"

int main(int argc, char** argv) {
  if (argc > 1) return tallystation::station::SqliteStore::open(argv[1]) ? 0 : 1;
  return 0;
}
