# Install + consume: find_package(fctx CONFIG), pkg-config, add_subdirectory
# and FetchContent (native builds only: the consumer must run here).
if(CMAKE_CROSSCOMPILING)
  message(STATUS "fctx tests: test_consumer not registered (cross build: the installed consumer cannot run natively)")
elseif(NOT UNIX)
  message(STATUS "fctx tests: test_consumer not registered (needs a POSIX shell)")
else()
  find_program(FCTX_PKG_CONFIG pkg-config)
  if(NOT FCTX_PKG_CONFIG)
    message(FATAL_ERROR "fctx tests: pkg-config is needed for test_consumer (apt-get install pkg-config)")
  endif()
  add_test(NAME test_consumer
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.sh ${PROJECT_BINARY_DIR}
                   ${PROJECT_SOURCE_DIR} ${CMAKE_C_COMPILER} ${CMAKE_CURRENT_BINARY_DIR}/consumer-work
                   "${CMAKE_C_FLAGS}")
endif()
