# Install rules, the CMake package (one export file per library kind), the
# pkg-config file and CPack (source tarball, libfctx-dev .deb).  Included by
# CMakeLists.txt when FCTX_INSTALL is on.
#
# Static and shared installs coexist in one prefix: each kind installs its
# own export set, fctxTargets-static.cmake or fctxTargets-shared.cmake, both
# defining fctx::fctx; fctxConfig.cmake picks one (rule in README.md, "Build
# and install on Linux").  The files the two kinds share (headers,
# fctxConfig*.cmake, fctx.pc, docs) are identical for both.

include(CMakePackageConfigHelpers)

if(BUILD_SHARED_LIBS)
  set(FCTX_KIND shared)
else()
  set(FCTX_KIND static)
endif()
set(FCTX_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/fctx)

install(TARGETS fctx EXPORT fctxTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/fctx DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT fctxTargets NAMESPACE fctx:: FILE fctxTargets-${FCTX_KIND}.cmake
        DESTINATION ${FCTX_CMAKE_DIR})
configure_package_config_file(cmake/fctxConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/fctxConfig.cmake"
  INSTALL_DESTINATION ${FCTX_CMAKE_DIR})
# Below 1.0 an ABI change bumps the minor version (SONAME libfctx.so.0.N,
# see CMakeLists.txt): only the same 0.N is compatible.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_fctx_compat SameMinorVersion)
else()
  set(_fctx_compat SameMajorVersion)
endif()
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/fctxConfigVersion.cmake"
  COMPATIBILITY ${_fctx_compat})
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/fctxConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/fctxConfigVersion.cmake"
        DESTINATION ${FCTX_CMAKE_DIR})
install(FILES LICENSE CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- pkg-config ----
# One fctx.pc for both kinds: FCTX_SHARED matters only for Windows DLL
# imports (fctx/config.h), so elsewhere it is left out and the file does not
# depend on which kind was installed last.
set(FCTX_PC_CFLAGS "")
if(WIN32 AND BUILD_SHARED_LIBS)
  set(FCTX_PC_CFLAGS " -DFCTX_SHARED")
endif()
# What a static link needs besides libfctx.a: the libraries fctx itself
# links (threads, dl for dladdr), as found for this toolchain.
set(FCTX_PC_LIBS_PRIVATE "")
if(NOT WIN32)
  foreach(_l IN LISTS CMAKE_THREAD_LIBS_INIT CMAKE_DL_LIBS)
    if(_l MATCHES "^-")
      string(APPEND FCTX_PC_LIBS_PRIVATE " ${_l}")
    elseif(_l)
      string(APPEND FCTX_PC_LIBS_PRIVATE " -l${_l}")
    endif()
  endforeach()
endif()
# The prefix line is chosen at install time, when the real prefix is known
# (cmake --install --prefix, CPack): literally /usr for a /usr install, so
# that pkg-config recognises /usr/include and /usr/lib as system directories
# and prints no -I/usr/include; anywhere else relative to the .pc file's own
# location, so the install can be moved.
file(RELATIVE_PATH _fctx_pc_up "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" _fctx_pc_up "${_fctx_pc_up}")
foreach(_kind IN ITEMS usr relocatable)
  if(_kind STREQUAL "usr")
    set(FCTX_PC_PREFIX "/usr")
  else()
    set(FCTX_PC_PREFIX "\${pcfiledir}/${_fctx_pc_up}")
  endif()
  configure_file(cmake/fctx.pc.in "${CMAKE_CURRENT_BINARY_DIR}/pkgconfig-${_kind}/fctx.pc" @ONLY)
endforeach()
install(CODE "
  string(REGEX REPLACE \"/+$\" \"\" _fctx_prefix \"\${CMAKE_INSTALL_PREFIX}\")
  if(_fctx_prefix STREQUAL \"/usr\")
    set(_fctx_pc \"${CMAKE_CURRENT_BINARY_DIR}/pkgconfig-usr/fctx.pc\")
  else()
    set(_fctx_pc \"${CMAKE_CURRENT_BINARY_DIR}/pkgconfig-relocatable/fctx.pc\")
  endif()
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig\"
       TYPE FILE FILES \"\${_fctx_pc}\")")

# ---- CPack: `cpack` makes libfctx-dev_<version>_<arch>.deb, `cpack --config
# CPackSourceConfig.cmake` the source tarball ----
# The .deb holds both kinds: CPack installs this build and a build of the
# other kind (configured and built by cmake/FctxCPackProject.cmake when cpack
# runs, in <build>/cpack-<kind>) into one staging tree.  Configure with
# -DCMAKE_INSTALL_PREFIX=/usr for Debian's multiarch libdir.
if(BUILD_SHARED_LIBS)
  set(FCTX_CPACK_OTHER_KIND static)
  set(FCTX_CPACK_OTHER_SHARED OFF)
else()
  set(FCTX_CPACK_OTHER_KIND shared)
  set(FCTX_CPACK_OTHER_SHARED ON)
endif()
set(FCTX_CPACK_OTHER_DIR "${CMAKE_CURRENT_BINARY_DIR}/cpack-${FCTX_CPACK_OTHER_KIND}")
configure_file(cmake/FctxCPackProject.cmake.in "${CMAKE_CURRENT_BINARY_DIR}/FctxCPackProject.cmake" @ONLY)

set(CPACK_PACKAGE_NAME fctx)
set(CPACK_PACKAGE_VENDOR "fctx")
set(CPACK_PACKAGE_CONTACT "fctx maintainers <fctx@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_CURRENT_SOURCE_DIR}/LICENSE")
set(CPACK_GENERATOR DEB)
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${CMAKE_CURRENT_BINARY_DIR};fctx;ALL;/"
    "${FCTX_CPACK_OTHER_DIR};fctx;ALL;/")
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_CURRENT_BINARY_DIR}/FctxCPackProject.cmake")
set(CPACK_DEBIAN_PACKAGE_NAME libfctx-dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Headers, static and shared libraries, CMake package (find_package(fctx)) and pkg-config file.")
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_PACKAGE_FILE_NAME "fctx-${PROJECT_VERSION}")
# Not in the tarball: version control, build trees (.gitignore), ctest output.
string(REGEX REPLACE "([][+.*()^$?|\\])" "\\\\\\1" _fctx_src_re "${CMAKE_CURRENT_SOURCE_DIR}")
set(CPACK_SOURCE_IGNORE_FILES "^${_fctx_src_re}/(\\.git|build[^/]*|b|Testing|CMakeFiles)(/|$)"
                              "^${_fctx_src_re}/(CMakeCache\\.txt|cmake_install\\.cmake)$" "\\.swp$")
set(CPACK_VERBATIM_VARIABLES ON)
if(FCTX_TOP_LEVEL)  # an embedding project's CPack settings are its own
  include(CPack)
endif()
