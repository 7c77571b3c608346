# DwtInstall: `cmake --install` rules for the embeddable library — headers,
# the dwt_engine / dwt_persistence / dwt_actors libraries and a CMake
# package (dwtConfig.cmake, dwtTargets.cmake, FindCAF.cmake, FindLMDB.cmake)
# so that `find_package(dwt)` gives dwt::engine, dwt::persistence and
# dwt::actors. Included once at the end of the root CMakeLists.txt.
include(CMakePackageConfigHelpers)

set(_dwt_install_targets)
# dwt_outbound and dwt_networks: linked (privately) by dwt_actors for the
# webhook and network dispatchers.
foreach(_t dwt_engine dwt_persistence dwt_outbound dwt_networks dwt_actors)
  if(TARGET ${_t})
    list(APPEND _dwt_install_targets ${_t})
  endif()
endforeach()

if(_dwt_install_targets)
  install(TARGETS ${_dwt_install_targets} EXPORT dwtTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  foreach(_dir engine networks persistence actors actors/outbound)
    if(EXISTS "${PROJECT_SOURCE_DIR}/${_dir}/include/dwt")
      install(DIRECTORY "${PROJECT_SOURCE_DIR}/${_dir}/include/dwt"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
    endif()
  endforeach()

  set(DWT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/dwt)
  install(EXPORT dwtTargets NAMESPACE dwt:: DESTINATION ${DWT_INSTALL_CMAKEDIR})
  configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/dwtConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/dwtConfig.cmake"
    INSTALL_DESTINATION ${DWT_INSTALL_CMAKEDIR})
  write_basic_package_version_file("${PROJECT_BINARY_DIR}/dwtConfigVersion.cmake"
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
  install(FILES
    "${PROJECT_BINARY_DIR}/dwtConfig.cmake"
    "${PROJECT_BINARY_DIR}/dwtConfigVersion.cmake"
    "${PROJECT_SOURCE_DIR}/cmake/FindCAF.cmake"
    "${PROJECT_SOURCE_DIR}/cmake/FindLMDB.cmake"
    DESTINATION ${DWT_INSTALL_CMAKEDIR})
endif()
