# The network edge, the daemon and its crash safety over real TLS on loopback (engineer D).
# Included from tests/station/CMakeLists.txt. Docs: docs/network.md, docs/terminals.md.
add_library(station_net_fixture STATIC ${CMAKE_CURRENT_SOURCE_DIR}/net_fixture.cpp)
# The fixtures build ballots and run the app in-process (core_fixture.hpp) and talk HTTPS.
target_link_libraries(station_net_fixture
  PUBLIC tallystation::net tallystation::client tallystation::app)

# The server with a fake Handler: keep-alive, limits, timeouts, garbage, connection limit, logs,
# shutdown with a request in flight.
add_executable(station_net_tests ${CMAKE_CURRENT_SOURCE_DIR}/net_server_test.cpp)
target_link_libraries(station_net_tests PRIVATE station_net_fixture Catch2::Catch2)
catch_discover_tests(station_net_tests TEST_PREFIX "station net: " PROPERTIES LABELS net)
target_sources(station_net_fixture PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/net_daemon.cpp)

# The real stationd as a child process: start-up banner, ballots and receipts, every refusal,
# token reuse, replayed commands, revoked terminals, closed rounds, garbage, stalls, SIGTERM.
add_executable(station_daemon_tests ${CMAKE_CURRENT_SOURCE_DIR}/daemon_test.cpp)
# kill -9 at random moments while terminals stream ballots; receipts and counts checked after.
add_executable(station_crash_tests ${CMAKE_CURRENT_SOURCE_DIR}/crash_test.cpp)
# A damaged write-ahead log after receipted ballots (with and without --mirror), a full disk and a
# read-only file system under the data directory and the mirror (tmpfs mounts in a private mount
# namespace; without CAP_SYS_ADMIN those cases warn and assert nothing).
add_executable(station_store_damage_tests ${CMAKE_CURRENT_SOURCE_DIR}/store_damage_test.cpp)
foreach(t station_daemon_tests station_crash_tests station_store_damage_tests)
  target_link_libraries(${t} PRIVATE station_net_fixture Catch2::Catch2)
  target_compile_definitions(${t} PRIVATE STATIOND_PATH="$<TARGET_FILE:stationd>")
  add_dependencies(${t} stationd)
endforeach()
catch_discover_tests(station_daemon_tests TEST_PREFIX "station daemon: ")
catch_discover_tests(station_crash_tests TEST_PREFIX "station crash: " PROPERTIES TIMEOUT 300)
catch_discover_tests(station_store_damage_tests TEST_PREFIX "station store damage: "
  PROPERTIES TIMEOUT 180)

# docs/terminals.md's shell example, run as written against a daemon started by the script.
add_test(NAME "docs: terminals.md example with curl and openssl"
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/terminals_doc_test.sh
          $<TARGET_FILE:stationd> ${PROJECT_SOURCE_DIR}/docs/terminals.md)
set_tests_properties("docs: terminals.md example with curl and openssl" PROPERTIES TIMEOUT 120)
