// What the audit-bundle tests (bundle_test.cpp, rules_bundle_test.cpp) share: an exported bundle
// in a temporary folder of its own, fresh copies of it to tamper with, the key of the station
// that exported it, and small helpers on the bundle's line files.
#pragma once

#include <filesystem>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core_fixture.hpp"
#include "crypto/keys.hpp"

namespace tallystation::station::testing {

// The lines of the file at p.
inline std::vector<std::string> lines_of(const std::filesystem::path& p) {
  std::vector<std::string> out;
  std::istringstream in(read_file(p));
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Writes `lines` to p, each ended by a newline.
inline void write_lines(const std::filesystem::path& p, const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  write_file(p, s);
}

// A bundle exported into dir / "bundle" (the fixture that derives from this exports it there and
// sets station_key_pem); dir is removed with it.
struct ExportedBundle {
  std::filesystem::path dir;
  std::filesystem::path bundle;
  std::string station_key_pem;

  explicit ExportedBundle(std::filesystem::path d) : dir(std::move(d)), bundle(dir / "bundle") {}
  ExportedBundle(const ExportedBundle&) = delete;
  ExportedBundle& operator=(const ExportedBundle&) = delete;
  ~ExportedBundle() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  // A fresh copy of the exported bundle, at dir / name.
  std::filesystem::path copy(const std::string& name) const {
    const std::filesystem::path out = dir / name;
    std::filesystem::remove_all(out);
    std::filesystem::copy(bundle, out, std::filesystem::copy_options::recursive);
    return out;
  }
  crypto::SecretKey station_key() const { return *crypto::SecretKey::from_pem(station_key_pem); }
};

}  // namespace tallystation::station::testing
