/* tool_env.h - what a test runs under, for the cases a tool cannot model:
 *   RUNNING_ON_VALGRIND  nonzero at run time under valgrind (0 without
 *                        <valgrind/valgrind.h>);
 *   UNDER_ASAN, UNDER_TSAN, UNDER_SANITIZER (either): defined at compile
 *                        time in sanitizer builds (gcc and clang spellings). */
#ifndef FCTX_TEST_TOOL_ENV_H
#define FCTX_TEST_TOOL_ENV_H

#if defined(__has_include)
#  if __has_include(<valgrind/valgrind.h>)
#    include <valgrind/valgrind.h>
#  endif
#endif
#ifndef RUNNING_ON_VALGRIND
#  define RUNNING_ON_VALGRIND 0
#endif

#if defined(__SANITIZE_ADDRESS__)
#  define UNDER_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#  define UNDER_TSAN 1
#endif
#if defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define UNDER_ASAN 1
#  endif
#  if __has_feature(thread_sanitizer)
#    define UNDER_TSAN 1
#  endif
#endif
#if defined(UNDER_ASAN) || defined(UNDER_TSAN)
#  define UNDER_SANITIZER 1
#endif

#endif
