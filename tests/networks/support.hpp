#pragma once
/// @file
/// Shared helpers of the networks tests: repository paths, file reading,
/// the development keys, and running the independent implementation
/// (vectors/fle_vectors.py on Debian's /usr/bin/python3). A missing
/// interpreter or module FAILS the calling test with a clear message; it
/// never skips.

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/keys.hpp"
#include "dwt/networks/mdes/fle_key_ring.hpp"

namespace dwt::networks::test {

inline std::filesystem::path repo() {
  return DWT_SOURCE_DIR;
}
inline std::filesystem::path dev_key(const std::string& name) {
  return repo() / "config" / "dev" / name;
}
inline std::filesystem::path vectors_dir() {
  return repo() / "tests" / "networks" / "vectors";
}
inline constexpr const char* python = "/usr/bin/python3";

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in{p, std::ios::binary | std::ios::ate};
  EXPECT_TRUE(in.good()) << "cannot read " << p;
  const auto size = in.tellg();
  if (size <= 0)
    return {};
  std::string text(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  in.read(text.data(), size);
  return text;
}

/// The errc of a failed result (ok for success), for EXPECT_EQ.
template <class Expected>
errc code(const Expected& e) {
  if (e)
    return errc::ok;
  EXPECT_TRUE(is_networks_error(e.error()));
  return code_of(e.error());
}

/// The issuer ring over config/dev/mdes-issuer-fle.key.pem and the test
/// certificate.
inline mdes::fle_key_ring issuer_ring(bool with_certificate = true) {
  mdes::fle_key_ring ring;
  auto err = ring.add_pem_files(dev_key("mdes-issuer-fle.key.pem"),
                                with_certificate ? vectors_dir() / "mdes-issuer-fle.cert.pem"
                                                 : std::filesystem::path{});
  EXPECT_FALSE(err) << "loading the development key failed";
  return ring;
}

struct run_result {
  int exit_code = -1;
  std::string out;
};

/// Runs the independent implementation `script` (in vectors/) with `args`
/// on /usr/bin/python3, feeding `input` on stdin. Fails the test (and
/// returns exit_code -1) when the interpreter is missing; exit code 3 is the
/// scripts' "a module is missing", also a failure naming the packages.
inline run_result run_python_script(const std::string& script, const std::string& args,
                                    const std::string& input, const std::string& packages) {
  run_result r;
  if (::access(python, X_OK) != 0) {
    ADD_FAILURE() << python << " is missing: the known-answer tests need Debian's python3 and "
                  << packages << " (scripts/install-deps.sh)";
    return r;
  }
  const auto in_path = std::filesystem::temp_directory_path() /
                       ("dwt_networks_in_" + std::to_string(::getpid()) + ".txt");
  {
    std::ofstream f{in_path, std::ios::binary | std::ios::trunc};
    f << input;
  }
  const std::string cmd = std::string{python} + " '" + (vectors_dir() / script).string() + "' " +
                          args + " < '" + in_path.string() + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    ADD_FAILURE() << "cannot run " << cmd;
    return r;
  }
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  std::filesystem::remove(in_path);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (r.exit_code == 3)
    ADD_FAILURE() << packages << " missing for " << python << " (install: scripts/install-deps.sh)";
  return r;
}

/// Runs fle_vectors.py (python3-cryptography).
inline run_result run_vectors_script(const std::string& args, const std::string& input = {}) {
  return run_python_script("fle_vectors.py", args, input, "python3-cryptography");
}

/// Runs oauth_vectors.py (python3-oauthlib, python3-jwt, python3-cryptography).
inline run_result run_oauth_script(const std::string& args, const std::string& input = {}) {
  return run_python_script("oauth_vectors.py", args, input,
                           "python3-oauthlib, python3-jwt and python3-cryptography");
}

} // namespace dwt::networks::test
