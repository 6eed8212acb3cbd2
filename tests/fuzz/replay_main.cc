// Replays inputs through a fuzz target without libFuzzer (issue 6): each
// argument is a file or a directory of files (names starting with '.' are
// skipped), and each file's bytes are passed to LLVMFuzzerTestOneInput in a
// buffer of exactly their size, as libFuzzer does. A target that finds a
// property broken aborts; memory errors and undefined behaviour stop the
// process under make test-sanitize. Exits 2 when an argument does not exist
// or there is nothing to replay.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path path = argv[i];
    std::vector<fs::path> files;
    std::error_code error;
    if (fs::is_directory(path, error)) {
      for (const auto& item : fs::directory_iterator(path)) {
        if (item.is_regular_file() && item.path().filename().string()[0] != '.') files.push_back(item.path());
      }
      std::sort(files.begin(), files.end());
    } else if (fs::is_regular_file(path, error)) {
      files.push_back(path);
    } else {
      std::fprintf(stderr, "replay: %s: no such file or directory\n", argv[i]);
      return 2;
    }
    for (const fs::path& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "replay: %s: cannot read\n", file.c_str());
        return 2;
      }
      std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), bytes.size());
      // A buffer of exactly the input's size, so that reading past it is caught.
      std::unique_ptr<uint8_t[]> buffer(new uint8_t[std::max<size_t>(bytes.size(), 1)]);
      std::copy(bytes.begin(), bytes.end(), buffer.get());
      LLVMFuzzerTestOneInput(buffer.get(), bytes.size());
      ++replayed;
    }
  }
  if (replayed == 0) {
    std::fprintf(stderr, "replay: no inputs\n");
    return 2;
  }
  std::printf("replay: %zu inputs, none failed\n", replayed);
  return 0;
}
