#pragma once
// Small helpers shared by the fuzz targets: the input as a string_view, splitting an input into
// parts, reading a source-tree file at start-up, and FUZZ_CHECK, which aborts (so libFuzzer and the
// replay driver report it) when an invariant does not hold.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tallystation::fuzz {

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `text` at every occurrence of `sep`; always at least one part.
inline std::vector<std::string_view> split(std::string_view text, std::string_view sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(sep);
    if (at == std::string_view::npos) {
      parts.push_back(text);
      return parts;
    }
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + sep.size());
  }
}

// A file of the source tree (TALLYSTATION_SOURCE_DIR), read once at start-up.
inline std::string source_file(const char* relative) {
  const std::string path = std::string(TALLYSTATION_SOURCE_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz: cannot read %s\n", path.c_str());
    std::abort();
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

[[noreturn]] inline void invariant_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
  std::abort();
}

}  // namespace tallystation::fuzz

#define FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::tallystation::fuzz::invariant_failed(#cond, __FILE__, __LINE__))
