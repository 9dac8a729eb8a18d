# cmake -DROOT=<source dir> -P check_includes.cmake
# What the linker cannot see, checked in the sources: who includes what (docs/architecture.md).
#   - crypto/detail/ is private to crypto/: nothing else includes "crypto/detail/...".
#   - SQLite is the store's: outside tests, only station/store/ includes <sqlite3.h>.
#   - The counting rules (tally/ but for the auditor's tally/audit/ and tally/tools/, so new rule
#     folders such as tally/congress/ are covered too) include only the standard library and
#     "tally/...", so not even a header-only library slips in.
set(problems "")
file(GLOB_RECURSE sources RELATIVE ${ROOT}
  ${ROOT}/crypto/*.hpp ${ROOT}/crypto/*.cpp ${ROOT}/tally/*.hpp ${ROOT}/tally/*.cpp
  ${ROOT}/station/*.hpp ${ROOT}/station/*.cpp ${ROOT}/tests/*.hpp ${ROOT}/tests/*.cpp)
foreach(f IN LISTS sources)
  file(STRINGS ${ROOT}/${f} includes REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS includes)
    if(line MATCHES "crypto/detail/" AND NOT f MATCHES "^crypto/")
      list(APPEND problems "${f}: ${line} (crypto/detail/ is private to crypto/)")
    endif()
    if(line MATCHES "<sqlite3\\.h>" AND NOT f MATCHES "^(station/store|tests)/")
      list(APPEND problems "${f}: ${line} (only station/store/ uses SQLite)")
    endif()
    if(f MATCHES "^tally/" AND NOT f MATCHES "^tally/(audit|tools)/"
       AND NOT line MATCHES "#[ \t]*include[ \t]*(<[a-z_]+>|\"tally/[^\"]+\")")
      list(APPEND problems "${f}: ${line} (the rules use only the standard library and tally/)")
    endif()
  endforeach()
endforeach()
if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "includes against the layers:\n  ${text}")
endif()
list(LENGTH sources n)
message(STATUS "${n} files: includes respect the layers")
