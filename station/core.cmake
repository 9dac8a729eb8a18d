# The daemon's core (engineer-owned parts config/, store/, app/): the session definition, the
# store (SQLite and a fault-injecting wrapper), and the application behind the Handler seam.
# Included from station/CMakeLists.txt. Docs: docs/session.md, docs/protocol.md, docs/storage.md.
target_sources(tallystation_station PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/config/error.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/config/session.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/config/strict_json.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/store/faulty_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/store/sqlite_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/commands.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/data_dir.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/intake.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/ledger.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/messages.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/query.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/refusal.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/rounds.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/route_table.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/station_app.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/writer.cpp)
# The HTTP routes: the table (routes/table.cpp), then one file per resource.
target_sources(tallystation_station PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/app/routes/table.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/routes/station.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/routes/ballot.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/routes/ballots.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/routes/commands.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/routes/checkpoint.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/routes/status.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/routes/results.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/routes/signatures.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/app/routes/proof.cpp)
