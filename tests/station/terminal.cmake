# The reference terminal client against the real stationd (receipts, retries, pinning, proofs).
# Included from tests/station/CMakeLists.txt. Docs: docs/terminals.md.
add_executable(station_terminal_tests ${CMAKE_CURRENT_SOURCE_DIR}/terminal_test.cpp)
target_link_libraries(station_terminal_tests PRIVATE station_net_fixture Catch2::Catch2)
target_compile_definitions(station_terminal_tests PRIVATE STATIOND_PATH="$<TARGET_FILE:stationd>")
add_dependencies(station_terminal_tests stationd stationctl tallystation-terminal)
catch_discover_tests(station_terminal_tests TEST_PREFIX "station terminal: "
  PROPERTIES TIMEOUT 120)

# The tallystation-terminal tool itself, as a script drives it (exit codes, batch, pins, proofs).
add_test(NAME "station terminal: the tallystation-terminal tool against stationd"
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/terminal_tool_test.sh
          $<TARGET_FILE:stationd> $<TARGET_FILE:stationctl> $<TARGET_FILE:tallystation-terminal>
          ${PROJECT_SOURCE_DIR}/docs/examples)
set_tests_properties("station terminal: the tallystation-terminal tool against stationd"
  PROPERTIES TIMEOUT 120 ENVIRONMENT "TALLY_TERMINAL_KEY=;TALLY_STATION=;TALLY_FINGERPRINT=;TALLY_STATION_KEYID=")
