# The counting minutes, further rounds and certification: pure functions, and through the
# Handler seam without sockets (results_test.cpp).
# Included from tests/station/CMakeLists.txt.
add_executable(station_minutes_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/core_main.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/minutes_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/results_test.cpp)
target_link_libraries(station_minutes_tests PRIVATE tallystation::app tallystation::ctl Catch2::Catch2)
catch_discover_tests(station_minutes_tests TEST_PREFIX "station minutes: ")

# stationctl's tables and reports in English (unchanged, byte for byte) and Vietnamese.
add_executable(station_tables_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/core_main.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/tables_test.cpp)
target_link_libraries(station_tables_tests PRIVATE tallystation::ctl Catch2::Catch2)
catch_discover_tests(station_tables_tests TEST_PREFIX "station tables: ")

# A congress through the real stationd and stationctl (child processes), and the minutes'
# signatures checked with openssl pkeyutl.
add_executable(station_congress_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/core_main.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/congress_test.cpp)
target_link_libraries(station_congress_tests
  PRIVATE station_net_fixture tallystation::audit Catch2::Catch2)
target_compile_definitions(station_congress_tests PRIVATE
  STATIOND_PATH="$<TARGET_FILE:stationd>" STATIONCTL_PATH="$<TARGET_FILE:stationctl>"
  TALLY_AUDIT_PATH="$<TARGET_FILE:tally-audit>" TALLYSTATION_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(station_congress_tests stationd stationctl tally-audit)
catch_discover_tests(station_congress_tests TEST_PREFIX "station congress: "
  PROPERTIES TIMEOUT 300)

# Audit bundles exported from an in-process congress, verified by tally-audit's library: the
# good bundle verifies clean, each tampered copy fails with the check named (docs/audit.md).
add_executable(station_bundle_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/core_main.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/bundle_test.cpp)
target_link_libraries(station_bundle_tests
  PRIVATE tallystation::ctl tallystation::app tallystation::audit Catch2::Catch2)
catch_discover_tests(station_bundle_tests TEST_PREFIX "station bundle: ")

# Forged command logs (signed and chained correctly) that only the congress rules refuse: the
# replay of `tally-audit verify` fails "command effects" with the rule's code (docs/congress.md).
add_executable(station_rules_bundle_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/core_main.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/rules_bundle_test.cpp)
target_link_libraries(station_rules_bundle_tests
  PRIVATE tallystation::ctl tallystation::app tallystation::audit Catch2::Catch2)
target_compile_definitions(station_rules_bundle_tests PRIVATE
  TALLY_AUDIT_PATH="$<TARGET_FILE:tally-audit>")
add_dependencies(station_rules_bundle_tests tally-audit)
catch_discover_tests(station_rules_bundle_tests TEST_PREFIX "station rules bundle: ")

# The congress's people (register, roll, alternates, age exceptions, personnel plan) through the
# station and `tally-audit verify`: the checks "attendance" and "composition", and forged logs,
# sessions and minutes that fail them or the replay (docs/audit.md).
add_executable(station_people_bundle_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/core_main.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/people_bundle_test.cpp)
target_link_libraries(station_people_bundle_tests
  PRIVATE tallystation::ctl tallystation::app tallystation::audit Catch2::Catch2)
target_compile_definitions(station_people_bundle_tests PRIVATE
  TALLY_AUDIT_PATH="$<TARGET_FILE:tally-audit>")
add_dependencies(station_people_bundle_tests tally-audit)
catch_discover_tests(station_people_bundle_tests TEST_PREFIX "station people bundle: ")

# `tally-audit rollup`: a roster of six units and a folder of real exported bundles (with and
# without a register, a conflict, a tampered bundle, a missing unit), the season report's figures
# checked by hand (docs/audit.md "The season report").
add_executable(station_rollup_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/core_main.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/rollup_test.cpp)
target_link_libraries(station_rollup_tests
  PRIVATE tallystation::ctl tallystation::app tallystation::audit Catch2::Catch2)
target_compile_definitions(station_rollup_tests PRIVATE
  TALLY_AUDIT_PATH="$<TARGET_FILE:tally-audit>")
add_dependencies(station_rollup_tests tally-audit)
catch_discover_tests(station_rollup_tests TEST_PREFIX "station rollup: ")

# tallystation-genseason: a small generated season verifies whole through `tally-audit rollup`,
# grouped by its roster, three rounds per district, the same seed the same figures (docs/audit.md
# "A generated season").
add_executable(station_season_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/core_main.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/season_test.cpp)
target_link_libraries(station_season_tests
  PRIVATE tallystation::app Boost::json Catch2::Catch2)
target_compile_definitions(station_season_tests PRIVATE
  TALLY_AUDIT_PATH="$<TARGET_FILE:tally-audit>"
  GENSEASON_PATH="$<TARGET_FILE:tallystation-genseason>")
add_dependencies(station_season_tests tally-audit tallystation-genseason)
catch_discover_tests(station_season_tests TEST_PREFIX "station season: "
  PROPERTIES TIMEOUT 300)

# Audit bundles given as tar files: GNU tar's formats verify as the directory does, hostile
# archives written by hand are refused, tally-audit verify and receipt take a tar, the season
# rollup reads *.tar files (docs/audit.md "Bundles as tar files").
add_executable(station_tar_bundle_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/core_main.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/tar_bundle_test.cpp)
target_link_libraries(station_tar_bundle_tests
  PRIVATE tallystation::ctl tallystation::app tallystation::audit Catch2::Catch2)
target_compile_definitions(station_tar_bundle_tests PRIVATE
  TALLY_AUDIT_PATH="$<TARGET_FILE:tally-audit>")
add_dependencies(station_tar_bundle_tests tally-audit)
catch_discover_tests(station_tar_bundle_tests TEST_PREFIX "station tar bundle: ")
