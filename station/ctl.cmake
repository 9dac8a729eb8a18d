# The counting minutes, further rounds and certification (station/app), and stationctl, the
# officials' and committee members' command-line tool (station/ctl, station/tools).
# Included from station/CMakeLists.txt. Docs: docs/operations.md, docs/protocol.md "Results".
target_sources(tallystation_station PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/app/minutes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/countersign.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/results_book.cpp)
target_sources(tallystation_station PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/ctl/audit_bundle.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/ctl/station_link.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/ctl/tables.cpp)

add_executable(stationctl ${CMAKE_CURRENT_SOURCE_DIR}/tools/stationctl_main.cpp)
target_link_libraries(stationctl PRIVATE tallystation::station CLI11::CLI11)

# A valid audit bundle of N ballots, for scripts/bench-verify.
add_executable(tallystation-genbundle ${CMAKE_CURRENT_SOURCE_DIR}/tools/genbundle_main.cpp)
target_link_libraries(tallystation-genbundle PRIVATE tallystation::station CLI11::CLI11 Threads::Threads)
set_target_properties(tallystation-genbundle PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
