# Copies SOURCE_DIR's scripts (*.mjs) into NODE_DIR (where `npm ci` put
# node_modules), runs `node COMMAND...` there and fails with node's status.
# A missing node is a failure, not a skip.
find_program(NODE node)
if(NOT NODE)
  message(FATAL_ERROR "The contract tests need Node.js: run scripts/install-deps.sh.")
endif()
if(NOT EXISTS "${NODE_DIR}/node_modules")
  message(FATAL_ERROR "${NODE_DIR}/node_modules is missing: the test dwt_contract_npm_ci did not run or failed.")
endif()
file(GLOB _scripts "${SOURCE_DIR}/*.mjs")
file(COPY ${_scripts} DESTINATION "${NODE_DIR}")
execute_process(COMMAND "${NODE}" ${COMMAND} WORKING_DIRECTORY "${NODE_DIR}" RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "node ${COMMAND} failed (${_rc}).")
endif()
