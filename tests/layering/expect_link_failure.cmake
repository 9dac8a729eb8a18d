# cmake -DBUILD_DIR=... -DTARGET=... -DTARGET_FILE=... -DSYMBOL=... -P expect_link_failure.cmake
# Builds TARGET, which calls SYMBOL without linking a library that defines it, and passes only if
# the link fails on exactly that: "undefined reference" (GNU ld, gold) or "undefined symbol"
# (lld) naming SYMBOL. Linking, or failing for any other reason, fails the test.
# From scratch: an executable left over from an earlier, wrong link must not count as built.
file(REMOVE ${TARGET_FILE})
execute_process(
  COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${TARGET} linked, yet it calls ${SYMBOL} that its part must not reach: "
                      "a CMake file now links a wrong-way dependency (docs/architecture.md)")
endif()
if(NOT out MATCHES "undefined (reference to|symbol)[^\n]*${SYMBOL}")
  message(FATAL_ERROR "${TARGET} failed, but not for the missing ${SYMBOL}:\n${out}")
endif()
message(STATUS "${TARGET} refused as it should be: undefined ${SYMBOL}")
