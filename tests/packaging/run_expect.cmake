# Run a program (through EMU if cross compiling) and require exit code 0 AND
# stdout equal to EXPECT.  -DEXE=... -DEXPECT=... [-DEMU="emulator;args"]
execute_process(COMMAND ${EMU} "${EXE}" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} exited with ${rc}; output:\n${out}")
endif()
if(NOT out STREQUAL EXPECT)
  message(FATAL_ERROR "${EXE} printed:\n${out}\nexpected:\n${EXPECT}")
endif()
message(STATUS "output as expected: ${out}")
