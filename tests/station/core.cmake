# Tests of the station core without sockets: session definition, store, handler (every refusal),
# the register of people (GET /v1/people, the demo's composition figures), commands and the
# command log, group commit, fault injection and restart recovery; and a reader
# of SQLite's raw b-tree pages (sqlite_pages.hpp) measuring whether the file reveals arrival order,
# and the station's acceptance test of it (arrival_order_test.cpp).
add_executable(station_core_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/core_main.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/config_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/store_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/routes_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/people_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/commit_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/wal_file_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/journal_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/sqlite_pages.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/sqlite_pages_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/arrival_order_test.cpp)
target_link_libraries(station_core_tests PRIVATE tallystation::app SQLite::SQLite3 Catch2::Catch2)
target_compile_definitions(station_core_tests PRIVATE
  TALLYSTATION_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# Label "core" (scripts/test --sanitize address --only core,net,audit; .ci/run).
catch_discover_tests(station_core_tests TEST_PREFIX "station core: " PROPERTIES LABELS core)
