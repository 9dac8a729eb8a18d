// Uses the station application. Links with tallystation_app; must not link with a part that may
// not reach the application (tests/layering/CMakeLists.txt).
#include "station/app/station_app.hpp"

int main(int argc, char** argv) {
  if (argc > 1) {
    tallystation::station::StationOptions options;
    options.data_dir = argv[1];
    return tallystation::station::StationApp::open(options) ? 0 : 1;
  }
  return 0;
}
