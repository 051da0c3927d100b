/* vg.h - tests that switch between raw stacks they own tell valgrind about
 * those stacks (the fiber layer does it itself in FCTX_VALGRIND builds).
 * Client requests are no-ops when not running under valgrind. */
#ifndef FCTX_TEST_VG_H
#define FCTX_TEST_VG_H

#if defined(__has_include)
#  if __has_include(<valgrind/valgrind.h>)
#    include <valgrind/valgrind.h>
#    define TEST_STACK_REGISTER(lo, hi) ((void)VALGRIND_STACK_REGISTER((lo), (hi)))
#  endif
#endif
#ifndef TEST_STACK_REGISTER
#  define TEST_STACK_REGISTER(lo, hi) ((void)(lo), (void)(hi))
#endif

#endif
