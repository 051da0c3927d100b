/*
 * 32-bit Arm: Arm/Thumb interworking through fctx_jump, fctx_make and
 * fctx_ontop.  The library is built in the preset's instruction set (-marm
 * or -mthumb); the functions marked OTHER below are compiled in the other
 * one, so every code address the asm handles - entry functions, ontop
 * functions, resume addresses (lr) of callers - comes in both states and
 * must be entered with bx/blx in the right state.
 */
#include <fctx/context.h>

#include <stdint.h>
#include <string.h>

#include "check.h"

#if defined(__thumb__)
#  define OTHER __attribute__((target("arm"), noinline))
#  define OTHER_IS_THUMB 0
#else
#  define OTHER __attribute__((target("thumb"), noinline))
#  define OTHER_IS_THUMB 1
#endif
#define SAME __attribute__((noinline))

#define STACK_SIZE (64 * 1024)
static char stack_a[STACK_SIZE], stack_b[STACK_SIZE];

/* Entry in the other state: echoes data + 1, with some VFP work in between. */
static OTHER void entry_other(fctx_transfer_t t)
{
    volatile double acc = 0.5;
    for (;;) {
        intptr_t v = (intptr_t)t.data;
        acc = acc * 2.0;
        t = fctx_jump(t.ctx, (void *)(v + 1));
    }
}

/* Entry in our own state, same job. */
static SAME void entry_same(fctx_transfer_t t)
{
    for (;;) {
        intptr_t v = (intptr_t)t.data;
        t = fctx_jump(t.ctx, (void *)(v + 1));
    }
}

/* ontop functions in both states: multiply by 10 / by 100. */
static OTHER fctx_transfer_t times10_other(fctx_transfer_t t)
{
    t.data = (void *)((intptr_t)t.data * 10);
    return t;
}

static SAME fctx_transfer_t times100_same(fctx_transfer_t t)
{
    t.data = (void *)((intptr_t)t.data * 100);
    return t;
}

/* Callers in the other state: the switch's lr has the other state's bit 0,
 * and the resumer's bx lr must bring us back in that state. */
static OTHER fctx_transfer_t jump_from_other(fctx_t to, void *data)
{
    return fctx_jump(to, data);
}

static OTHER fctx_transfer_t ontop_from_other(fctx_t to, void *data, fctx_ontop_fn fn)
{
    return fctx_ontop(to, data, fn);
}

static int is_thumb_code(void (*fn)(fctx_transfer_t))
{
    uintptr_t a;
    memcpy(&a, &fn, sizeof a);
    return (int)(a & 1);
}

static void test_states_really_differ(void)
{
    /* Otherwise this test would not test interworking at all. */
    CHECK(is_thumb_code(entry_other) == OTHER_IS_THUMB);
    CHECK(is_thumb_code(entry_same) != OTHER_IS_THUMB);
}

static void test_entry_in_other_state(void)
{
    fctx_t c = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, entry_other);
    for (intptr_t i = 0; i < 100; ++i) {
        /* Alternate the resumer's state too. */
        fctx_transfer_t t = (i & 1) ? jump_from_other(c, (void *)i) : fctx_jump(c, (void *)i);
        CHECK(t.data == (void *)(i + 1));
        c = t.ctx;
    }
}

static void test_ontop_fn_in_other_state(void)
{
    /* First resume of a new context through ontop: fn (other state) returns
     * into the start stub (our state), which calls entry (other state). */
    fctx_t c = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, entry_other);
    fctx_transfer_t t = fctx_ontop(c, (void *)4, times10_other);
    CHECK(t.data == (void *)41);
    /* ontop onto a context suspended in a jump made from the other state. */
    t = fctx_ontop(t.ctx, (void *)7, times10_other);
    CHECK(t.data == (void *)71);
    t = fctx_ontop(t.ctx, (void *)7, times100_same);
    CHECK(t.data == (void *)701);
}

static void test_ontop_from_other_state(void)
{
    fctx_t c = fctx_make(stack_b + STACK_SIZE, STACK_SIZE, entry_same);
    fctx_transfer_t t = ontop_from_other(c, (void *)3, times100_same);
    CHECK(t.data == (void *)301);
    t = ontop_from_other(t.ctx, (void *)5, times10_other);
    CHECK(t.data == (void *)51);
    t = jump_from_other(t.ctx, (void *)8);
    CHECK(t.data == (void *)9);
}

int main(void)
{
    printf("library and this file: %s; OTHER functions: %s\n",
           OTHER_IS_THUMB ? "Arm" : "Thumb", OTHER_IS_THUMB ? "Thumb" : "Arm");
    RUN(test_states_really_differ);
    RUN(test_entry_in_other_state);
    RUN(test_ontop_fn_in_other_state);
    RUN(test_ontop_from_other_state);
    return 0;
}
