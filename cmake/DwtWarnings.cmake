# dwt_target_warnings(<target>): strict warnings for dwt's own code only.
# Third-party headers are included as SYSTEM so they never trip -Werror.
function(dwt_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
  if(DWT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
