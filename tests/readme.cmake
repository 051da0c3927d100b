# The README's example is built and run as a test, so it stays true.
file(READ "${PROJECT_SOURCE_DIR}/README.md" _readme)
if(_readme MATCHES "```c\n(.*int main\\(void\\)[^`]*)```")
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/readme_example.c" "${CMAKE_MATCH_1}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/README.md")
  fctx_add_executable(test_readme_example "${CMAKE_CURRENT_BINARY_DIR}/readme_example.c")
  # Exit code and exact output both checked.
  add_test(NAME test_readme_example COMMAND ${CMAKE_COMMAND}
           "-DEXE=$<TARGET_FILE:test_readme_example>"
           "-DEMU=${CMAKE_CROSSCOMPILING_EMULATOR}"
           "-DEXPECT=1 1 2 3 5 8 13 21 34 55 89 \n"
           -P ${CMAKE_CURRENT_SOURCE_DIR}/run_expect.cmake)
else()
  message(FATAL_ERROR "fctx tests: README.md has no C example with main()")
endif()
