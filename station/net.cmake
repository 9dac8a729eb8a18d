# The network edge (station/net), the HTTPS client library (station/client) and the daemon
# executable. Included from station/CMakeLists.txt. Docs: docs/network.md, docs/terminals.md.
target_sources(tallystation_station PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/net/request_log.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/net/connection.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/net/server.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/client/https_client.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/client/peer_certificate.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/client/station_pin.cpp)

# The daemon.
add_executable(stationd ${CMAKE_CURRENT_SOURCE_DIR}/stationd_main.cpp)
target_link_libraries(stationd PRIVATE tallystation::station CLI11::CLI11)

# The ingest benchmark's load generator (scripts/bench-ingest).
add_executable(tallystation-loadgen ${CMAKE_CURRENT_SOURCE_DIR}/tools/loadgen_main.cpp)
target_link_libraries(tallystation-loadgen PRIVATE tallystation::station CLI11::CLI11)

# The reference terminal (station/client/terminal_client) and its tool (docs/terminals.md).
target_sources(tallystation_station PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/client/terminal_client.cpp)
add_executable(tallystation-terminal ${CMAKE_CURRENT_SOURCE_DIR}/tools/terminal_main.cpp)
target_link_libraries(tallystation-terminal PRIVATE tallystation::station CLI11::CLI11)
