// The replay driver of the g++ build (tests/fuzz/CMakeLists.txt): runs the target's
// LLVMFuzzerTestOneInput on every regular file of each directory named on the command line
// (missing directories are skipped), in name order, and reports how many it ran. A crash or a
// violated invariant (abort) fails the ctest test; so every seed and every crash ever found is
// replayed on every run of the suite.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::size_t ran = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path dir = argv[i];
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::fprintf(stderr, "replay %s (%zu bytes)\n", f.c_str(), bytes.size());
      // A copy in a buffer of exactly its size, so that ASan builds catch overreads as libFuzzer does.
      std::vector<std::uint8_t> buf(bytes.begin(), bytes.end());
      LLVMFuzzerTestOneInput(buf.data(), buf.size());
      ++ran;
    }
  }
  std::printf("replayed %zu inputs\n", ran);
  return ran == 0 ? 1 : 0;
}
