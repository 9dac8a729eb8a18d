// Uses crypto/. Links with tallystation_crypto; must not link with the counting rules, which never
// use crypto (tests/layering/CMakeLists.txt).
#include "crypto/hash.hpp"

int main(int argc, char** argv) {
  if (argc > 1) return tallystation::crypto::sha256(argv[1])[0];
  return 0;
}
