# dwt_target_warnings(<target>): strict warnings for dwt's own code only.
# Third-party headers are included as SYSTEM so they never trip -Werror.
function(dwt_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
  get_target_property(_unity ${target} UNITY_BUILD)
  if(_unity AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # In a unity batch every source is an included file, and GCC warns about
    # a type with internal linkage (a test fixture in an anonymous namespace)
    # used as a base or member in an included file: right for headers,
    # meaningless for a .cpp that is only included by its batch.
    target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
  endif()
  if(DWT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
    # GCC 12 at -O3 (Release) reports -Wrestrict inside libstdc++'s
    # std::string concatenation (GCC bug 105651, fixed in 13): a false
    # positive in tests/actors/flows_test.cpp and tests/config/errors_test.cpp
    # that -Werror turned into a failed Release build. It stays a warning.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      target_compile_options(${target} PRIVATE -Wno-error=restrict)
    endif()
  endif()
endfunction()
