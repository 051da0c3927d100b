/* vg.h - tests that switch between raw stacks they own tell valgrind about
 * those stacks (the fiber layer registers its own stacks under valgrind in
 * every build that found valgrind/valgrind.h).
 * Client requests are no-ops when not running under valgrind. */
#ifndef FCTX_TEST_VG_H
#define FCTX_TEST_VG_H

#if defined(__has_include)
#  if __has_include(<valgrind/valgrind.h>)
#    include <valgrind/valgrind.h>
/* valgrind's stack ranges include both ends, and an empty stack's SP is its
 * top, so `hi` must be inside.  The lowest byte is left out: when two stacks
 * are adjacent (one's top is the next one's bottom), a context starting at
 * that address must belong to the upper-bounded stack only, or valgrind
 * takes the switch for a move within one stack and kills the frame the
 * switch just saved below its stack pointer. */
#    define TEST_STACK_REGISTER(lo, hi) \
        ((void)VALGRIND_STACK_REGISTER((char *)(lo) + 1, (hi)))
#  endif
#endif
#ifndef TEST_STACK_REGISTER
#  define TEST_STACK_REGISTER(lo, hi) ((void)(lo), (void)(hi))
#endif

#endif
