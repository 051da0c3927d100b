/*
 * Floating-point rounding mode across switches, as fctx documents it for
 * the i386, ppc64le, s390x and mips64el ports (docs/more-targets.md):
 *  - default build: the FP control register (x87 CW + MXCSR, FPSCR + VSCR,
 *    FPC, FCSR) belongs to the context.  A new context starts with the
 *    mode its creator had at fctx_make() time; fctx_jump() and fctx_ontop()
 *    return to the caller with the caller's mode, whatever the other
 *    context set; a function run by fctx_ontop() sees the target's mode;
 *  - FCTX_NO_FPU_CONTROL build (FCTX_EXPECT_SHARED_FPU_CONTROL=1): the mode
 *    is not switched: all contexts of a thread share it.
 * Uses only <fenv.h>, so the expectations are stated in portable terms.
 */
#include <fctx/context.h>

#include <fenv.h>
#include <stdint.h>

#include "check.h"

#ifndef FCTX_EXPECT_SHARED_FPU_CONTROL
#  error "tests/more-targets.cmake defines FCTX_EXPECT_SHARED_FPU_CONTROL to 0 or 1"
#endif
#define SHARED FCTX_EXPECT_SHARED_FPU_CONTROL

#if !defined(FE_UPWARD) || !defined(FE_DOWNWARD) || !defined(FE_TOWARDZERO)
#  error "this target lacks the IEEE rounding modes the test needs"
#endif

static char stack[64 * 1024];
static int mode_at_entry; /* what the context found on its first resume */
static int mode_resumed;  /* what it found on later resumes */
static int mode_in_fn;    /* what an fctx_ontop function found */

/* Each resume: record the mode, switch to the one passed in data, go back. */
static void entry(fctx_transfer_t t)
{
    mode_at_entry = fegetround();
    for (;;) {
        CHECK_EQ_U(fesetround((int)(intptr_t)t.data), 0);
        t = fctx_jump(t.ctx, NULL);
        mode_resumed = fegetround();
    }
}

static fctx_transfer_t probe(fctx_transfer_t t)
{
    mode_in_fn = fegetround();
    return t; /* t.data: the mode the context sets next */
}

static fctx_t ctx;

static void test_new_context_inherits_creator_mode(void)
{
    CHECK_EQ_U(fesetround(FE_UPWARD), 0);
    ctx = fctx_make(stack + sizeof stack, sizeof stack, entry);
    CHECK_EQ_U(fesetround(FE_TONEAREST), 0);
    ctx = fctx_jump(ctx, (void *)(intptr_t)FE_DOWNWARD).ctx;
    CHECK_EQ_U(mode_at_entry, SHARED ? FE_TONEAREST : FE_UPWARD);
    CHECK_EQ_U(fegetround(), SHARED ? FE_DOWNWARD : FE_TONEAREST);
}

static void test_jump_keeps_each_mode(void)
{
    CHECK_EQ_U(fesetround(FE_TOWARDZERO), 0);
    ctx = fctx_jump(ctx, (void *)(intptr_t)FE_UPWARD).ctx;
    CHECK_EQ_U(mode_resumed, SHARED ? FE_TOWARDZERO : FE_DOWNWARD);
    CHECK_EQ_U(fegetround(), SHARED ? FE_UPWARD : FE_TOWARDZERO);
}

static void test_ontop_runs_with_target_mode(void)
{
    CHECK_EQ_U(fesetround(FE_TONEAREST), 0);
    ctx = fctx_ontop(ctx, (void *)(intptr_t)FE_DOWNWARD, probe).ctx;
    CHECK_EQ_U(mode_in_fn, SHARED ? FE_TONEAREST : FE_UPWARD);
    CHECK_EQ_U(mode_resumed, SHARED ? FE_TONEAREST : FE_UPWARD);
    CHECK_EQ_U(fegetround(), SHARED ? FE_DOWNWARD : FE_TONEAREST);
}

int main(void)
{
    printf("FP control %s\n", SHARED ? "shared by all contexts (FCTX_NO_FPU_CONTROL)"
                                     : "kept per context");
    RUN(test_new_context_inherits_creator_mode);
    RUN(test_jump_keeps_each_mode);
    RUN(test_ontop_runs_with_target_mode);
    CHECK_EQ_U(fesetround(FE_TONEAREST), 0);
    return 0;
}
