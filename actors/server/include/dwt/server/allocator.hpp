#pragma once
/// @file
/// Which `malloc` this process runs on, for `/metrics`
/// (`dwt_build_info{allocator="..."}`) and the operator's eye.
///
/// `dwt-server` links tcmalloc (gperftools' `tcmalloc_minimal`) unless it is
/// built with `-DDWT_SERVER_ALLOCATOR=system` or with a sanitizer
/// (actors/server/README.md, "Allocator"). The answer is read from the
/// running process, not from the build: an `LD_PRELOAD`ed allocator shows
/// too, and a build that silently lost its allocator shows as `system`.
///
/// Threading: safe on any thread; the first call looks the symbols up
/// once (`dlsym`), later calls return the cached answer.

#include <string>
#include <string_view>

namespace dwt::server {

/// "tcmalloc", "jemalloc" or "mimalloc" when that allocator's own entry
/// point is in the process's global symbol scope; otherwise "system"
/// (glibc's malloc, or a sanitizer's interceptor).
[[nodiscard]] std::string_view active_allocator() noexcept;

/// One Prometheus gauge, always 1, whose labels describe the build:
/// `dwt_build_info{version="...",allocator="..."} 1` with its HELP/TYPE.
[[nodiscard]] std::string render_build_info(std::string_view version, std::string_view allocator);

} // namespace dwt::server
