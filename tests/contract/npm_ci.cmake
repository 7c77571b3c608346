# ctest dwt_contract_npm_ci: `npm ci` of the pinned contract tools
# (SOURCE_DIR's package.json and package-lock.json) into NODE_DIR, skipped
# when node_modules there already matches the lock file. No npm or node is a failure
# with a clear message, never a silent skip.
find_program(NPM npm)
find_program(NODE node)
if(NOT NPM OR NOT NODE)
  message(FATAL_ERROR
    "The contract tests need Node.js (>= 20.19) and npm: run scripts/install-deps.sh "
    "or install them (Debian: apt-get install nodejs npm).")
endif()
execute_process(COMMAND "${NODE}" -e
  "const [a,b]=process.versions.node.split('.').map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)"
  RESULT_VARIABLE _old)
if(_old)
  execute_process(COMMAND "${NODE}" --version OUTPUT_VARIABLE _v OUTPUT_STRIP_TRAILING_WHITESPACE)
  message(FATAL_ERROR "The contract tests need Node.js >= 20.19 (the pinned Redocly CLI); found ${_v}.")
endif()
file(MAKE_DIRECTORY "${NODE_DIR}")
file(COPY "${SOURCE_DIR}/package.json" "${SOURCE_DIR}/package-lock.json" DESTINATION "${NODE_DIR}")
set(_stamp "${NODE_DIR}/node_modules/.dwt-lock-stamp")
if(EXISTS "${_stamp}")
  file(READ "${_stamp}" _old_lock)
  file(READ "${NODE_DIR}/package-lock.json" _new_lock)
  if(_old_lock STREQUAL _new_lock)
    message(STATUS "contract tools already installed from this package-lock.json")
    return()
  endif()
endif()
execute_process(COMMAND "${NPM}" ci --no-audit --no-fund --loglevel=error
  WORKING_DIRECTORY "${NODE_DIR}" RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "npm ci in ${NODE_DIR} failed (${_rc}).")
endif()
file(COPY_FILE "${NODE_DIR}/package-lock.json" "${_stamp}")
