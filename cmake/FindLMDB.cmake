# FindLMDB: Debian's liblmdb-dev ships a pkg-config file but no CMake config.
# Defines LMDB::lmdb.
find_path(LMDB_INCLUDE_DIR NAMES lmdb.h)
find_library(LMDB_LIBRARY NAMES lmdb)
if(LMDB_INCLUDE_DIR AND EXISTS "${LMDB_INCLUDE_DIR}/lmdb.h")
  file(STRINGS "${LMDB_INCLUDE_DIR}/lmdb.h" _lmdb_maj REGEX "#define MDB_VERSION_MAJOR[ \t]+[0-9]+")
  file(STRINGS "${LMDB_INCLUDE_DIR}/lmdb.h" _lmdb_min REGEX "#define MDB_VERSION_MINOR[ \t]+[0-9]+")
  file(STRINGS "${LMDB_INCLUDE_DIR}/lmdb.h" _lmdb_pat REGEX "#define MDB_VERSION_PATCH[ \t]+[0-9]+")
  string(REGEX MATCH "[0-9]+$" _maj "${_lmdb_maj}")
  string(REGEX MATCH "[0-9]+$" _min "${_lmdb_min}")
  string(REGEX MATCH "[0-9]+$" _pat "${_lmdb_pat}")
  set(LMDB_VERSION "${_maj}.${_min}.${_pat}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LMDB REQUIRED_VARS LMDB_INCLUDE_DIR LMDB_LIBRARY VERSION_VAR LMDB_VERSION)
if(LMDB_FOUND AND NOT TARGET LMDB::lmdb)
  add_library(LMDB::lmdb UNKNOWN IMPORTED)
  set_target_properties(LMDB::lmdb PROPERTIES
    IMPORTED_LOCATION "${LMDB_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LMDB_INCLUDE_DIR}")
endif()
mark_as_advanced(LMDB_INCLUDE_DIR LMDB_LIBRARY)
