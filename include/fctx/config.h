/* fctx/config.h - version and symbol-visibility macros shared by all fctx headers. */
#ifndef FCTX_CONFIG_H
#define FCTX_CONFIG_H

/* The single source of the version: CMakeLists.txt reads these three lines. */
#define FCTX_VERSION_MAJOR 0
#define FCTX_VERSION_MINOR 1
#define FCTX_VERSION_PATCH 0
/** Version as one comparable number: major*10000 + minor*100 + patch. */
#define FCTX_VERSION (FCTX_VERSION_MAJOR * 10000 + FCTX_VERSION_MINOR * 100 + FCTX_VERSION_PATCH)

/* FCTX_API marks the public functions.  The build defines FCTX_BUILDING; a
 * shared build (and its consumers, through CMake or pkg-config) defines
 * FCTX_SHARED.  Everything else in the library has hidden visibility. */
#if defined(_WIN32) || defined(__CYGWIN__)
#  if defined(FCTX_SHARED) && defined(FCTX_BUILDING)
#    define FCTX_API __declspec(dllexport)
#  elif defined(FCTX_SHARED)
#    define FCTX_API __declspec(dllimport)
#  else
#    define FCTX_API
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define FCTX_API __attribute__((visibility("default")))
#else
#  define FCTX_API
#endif

#endif /* FCTX_CONFIG_H */
