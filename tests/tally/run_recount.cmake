# Runs `tally-audit recount` on fixtures and checks its exit code, its stdout against an expected
# file (byte for byte) or its stderr against a regular expression.
#   cmake -DEXE=.. -DCONTEST=.. -DBALLOTS=.. -DRC=0|2 [-DEXPECTED=file] [-DSTDERR_REGEX=re] -P run_recount.cmake
execute_process(
  COMMAND ${EXE} recount --contest ${CONTEST} --ballots ${BALLOTS}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
if(NOT rc EQUAL RC)
  message(FATAL_ERROR "exit code ${rc}, expected ${RC}\nstdout: ${out}\nstderr: ${err}")
endif()
if(DEFINED EXPECTED)
  file(READ ${EXPECTED} expected)
  if(NOT out STREQUAL expected)
    message(FATAL_ERROR "output differs from ${EXPECTED}\ngot:      ${out}\nexpected: ${expected}")
  endif()
endif()
if(DEFINED STDERR_REGEX)
  if(NOT err MATCHES "${STDERR_REGEX}")
    message(FATAL_ERROR "stderr does not match '${STDERR_REGEX}': ${err}")
  endif()
  if(NOT out STREQUAL "")
    message(FATAL_ERROR "stdout should be empty on error: ${out}")
  endif()
endif()
