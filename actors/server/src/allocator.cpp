/// @file
/// Which allocator the process runs on (allocator.hpp).

#include "dwt/server/allocator.hpp"

#include <dlfcn.h>

namespace dwt::server {

namespace {

/// Each allocator by a function only it defines (not `malloc`, which all
/// of them and glibc define).
struct signature {
  std::string_view name;
  const char* symbol;
};
constexpr signature signatures[] = {
    {"tcmalloc", "tc_version"},
    {"jemalloc", "mallctl"},
    {"mimalloc", "mi_version"},
};

std::string_view detect() noexcept {
  for (const auto& s : signatures)
    if (dlsym(RTLD_DEFAULT, s.symbol) != nullptr)
      return s.name;
  return "system";
}

} // namespace

std::string_view active_allocator() noexcept {
  static const std::string_view answer = detect();
  return answer;
}

std::string render_build_info(std::string_view version, std::string_view allocator) {
  std::string out;
  out.reserve(160);
  out.append("# HELP dwt_build_info The running dwt-server build: version and malloc "
             "implementation.\n");
  out.append("# TYPE dwt_build_info gauge\n");
  out.append("dwt_build_info{version=\"")
      .append(version)
      .append("\",allocator=\"")
      .append(allocator)
      .append("\"} 1\n");
  return out;
}

} // namespace dwt::server
