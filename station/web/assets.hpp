#pragma once
// The pages' files, compiled in (embed_assets.cmake): served at /assets/<name>, and the two pages
// at / and /display (docs/hall.md). Internal to tallystation_web; constant data, thread safe.
#include <string_view>
#include <vector>

namespace tallystation::station::web {

struct Asset {
  std::string_view name;        // the file name in station/web/assets/, e.g. "hall.css"
  std::string_view media_type;  // e.g. "text/css; charset=utf-8"
  std::string_view bytes;
};

const std::vector<Asset>& assets();

}  // namespace tallystation::station::web
