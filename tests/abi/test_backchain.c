/*
 * Back-chain stack walks on the ports whose ABI has one: ppc64 (ELFv2 and
 * ELFv1) and ppc32 SysV (the word at the stack pointer always links to the
 * caller's frame, and the first frame's link is 0) and s390x (the optional back chain of
 * -mbackchain code, same rule).  A walk that starts anywhere inside a
 * context must stay inside that context's stack and end at the zero link
 * of the start stub's frame:
 *  - from the entry function (through the frame fctx_make built);
 *  - from a function run by fctx_ontop on a suspended context (through the
 *    ontop call frame, the frames of the suspended code and the stub);
 *  - from a function run by fctx_ontop on a context that never ran.
 * Built with -mbackchain on s390x (tests/more-targets.cmake).
 */
#include <fctx/context.h>

#include <stdint.h>

#include "check.h"

static char stack[64 * 1024] __attribute__((aligned(16)));
static unsigned walked; /* frames seen by the last walk */

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void walk(void)
{
    uintptr_t lo = (uintptr_t)stack, hi = lo + sizeof stack;
    void *const *frame = (void *const *)__builtin_frame_address(0);
    unsigned n = 0;
    while (frame != NULL) {
        CHECK((uintptr_t)frame >= lo && (uintptr_t)frame < hi);
        CHECK(++n < 10000);
        void *const *next = (void *const *)*frame;
        CHECK(next == NULL || next > frame); /* links only go up the stack */
        frame = next;
    }
    walked = n;
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static fctx_transfer_t nest(fctx_transfer_t t, unsigned depth)
{
    volatile char pad[64]; /* a real frame, live across the call */
    pad[0] = (char)depth;
    if (depth > 0)
        t = nest(t, depth - 1);
    else
        t = fctx_jump(t.ctx, NULL); /* suspended 6 calls deep */
    CHECK(pad[0] == (char)depth);
    return t;
}

static void entry(fctx_transfer_t t)
{
    walk();
    unsigned at_entry = walked;
    t = fctx_jump(t.ctx, (void *)(uintptr_t)at_entry);
    for (;;)
        t = nest(t, 5);
}

static fctx_transfer_t walk_on_top(fctx_transfer_t t)
{
    walk();
    return t;
}

static void test_walk_from_entry(void)
{
    fctx_t c = fctx_make(stack + sizeof stack, sizeof stack, entry);
    fctx_transfer_t t = fctx_jump(c, NULL);
    unsigned at_entry = (unsigned)(uintptr_t)t.data;
    CHECK(at_entry >= 2); /* walk, entry (+ the stub's frame) */
    printf("  frames from the entry function: %u\n", at_entry);

    t = fctx_jump(t.ctx, NULL); /* now suspended inside nest() */
    walked = 0;
    t = fctx_ontop(t.ctx, NULL, walk_on_top);
    CHECK(walked >= at_entry + 6); /* + the nest() frames and the ontop frame */
    printf("  frames from an ontop function on a suspended context: %u\n", walked);
}

static void never_runs(fctx_transfer_t t)
{
    fctx_jump(t.ctx, NULL);
}

static void test_walk_on_new_context(void)
{
    fctx_t c = fctx_make(stack + sizeof stack, sizeof stack, never_runs);
    walked = 0;
    fctx_transfer_t t = fctx_ontop(c, NULL, walk_on_top);
    CHECK(walked >= 1);
    printf("  frames from an ontop function on a new context: %u\n", walked);
    (void)t;
}

int main(void)
{
    RUN(test_walk_from_entry);
    RUN(test_walk_on_new_context);
    return 0;
}
