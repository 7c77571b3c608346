/// Regression driver for one fuzz target in ordinary (non-fuzzing) builds:
/// feeds every file of the target's seed corpus and of its regressions
/// directory to the same `LLVMFuzzerTestOneInput` libFuzzer runs. A
/// property violation aborts (the test fails); a crash found by fuzzing
/// and kept under tests/fuzz/regressions/<target>/ stays fixed.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir))
    return out;
  for (const auto& entry : fs::directory_iterator{dir})
    if (entry.is_regular_file() && !entry.path().filename().string().starts_with("."))
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t feed(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& file : files_in(dir)) {
    std::ifstream in{file, std::ios::binary};
    EXPECT_TRUE(in.good()) << file;
    const std::vector<char> bytes{std::istreambuf_iterator<char>{in},
                                  std::istreambuf_iterator<char>{}};
    // Named before running, so an abort shows which input it was.
    std::fprintf(stderr, "fuzz input %s (%zu bytes)\n", file.c_str(), bytes.size());
    std::fflush(stderr);
    EXPECT_EQ(
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
        0)
        << file;
    ++n;
  }
  return n;
}

TEST(FuzzRegression, SeedCorpus) {
  EXPECT_GT(feed(DWT_FUZZ_CORPUS_DIR), 0U) << "no seed corpus in " << DWT_FUZZ_CORPUS_DIR;
}

TEST(FuzzRegression, SavedCrashes) {
  feed(DWT_FUZZ_REGRESSION_DIR);
}

TEST(FuzzRegression, EdgeInputs) {
  const std::string inputs[] = {"", std::string(1, '\0'), std::string(4096, '\xff'),
                                std::string(4096, '[')};
  for (const auto& s : inputs)
    EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), 0);
}

} // namespace
