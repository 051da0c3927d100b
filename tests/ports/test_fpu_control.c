/*
 * FP environment across switches, as fctx documents it for the AArch64 and
 * RISC-V 64 ports (docs/ports.md):
 *  - default build: the rounding mode (AArch64 FPCR, RISC-V frm) belongs to
 *    the context.  A new context starts with its creator's mode at
 *    fctx_make() time, and fctx_jump()/fctx_ontop() return to the caller
 *    with the caller's mode, whatever the other context set;
 *  - FCTX_NO_FPU_CONTROL build (FCTX_EXPECT_SHARED_FPU_CONTROL=1): the mode
 *    is not switched: all contexts of a thread share it;
 *  - in both: the accrued exception flags (FPSR / fflags) are never
 *    switched: a flag raised in one context stays visible in the thread.
 * Uses only <fenv.h>, so the expectations are stated in portable terms.
 */
#include <fctx/context.h>

#include <fenv.h>
#include <stdint.h>

#include "check.h"

#ifndef FCTX_EXPECT_SHARED_FPU_CONTROL
#  error "tests/ports.cmake defines FCTX_EXPECT_SHARED_FPU_CONTROL to 0 or 1"
#endif

static char stack[64 * 1024] __attribute__((aligned(16)));
static int seen_mode;  /* rounding mode the context found when resumed */
static int seen_flag;  /* FE_INEXACT as the context found it */
static int raise_inexact; /* the context raises FE_INEXACT when resumed */

/* Each resume: record the mode and flag, switch to the mode passed in
 * data, raise FE_INEXACT if asked, and go back. */
static void entry(fctx_transfer_t t)
{
    for (;;) {
        seen_mode = fegetround();
        seen_flag = fetestexcept(FE_INEXACT) != 0;
        CHECK_EQ_U(fesetround((int)(intptr_t)t.data), 0);
        if (raise_inexact)
            feraiseexcept(FE_INEXACT);
        t = fctx_jump(t.ctx, NULL);
    }
}

static int ontop_seen_mode; /* rounding mode the ontop function found */

static fctx_transfer_t set_upward_on_top(fctx_transfer_t t)
{
    /* Runs on the target before it resumes: like the target's own code. */
    ontop_seen_mode = fegetround();
    CHECK_EQ_U(fesetround(FE_UPWARD), 0);
    return t;
}

static void test_rounding_mode(void)
{
    CHECK_EQ_U(fesetround(FE_TOWARDZERO), 0);
    fctx_t c = fctx_make(stack + sizeof stack, sizeof stack, entry);
    CHECK_EQ_U(fesetround(FE_UPWARD), 0);

    /* The context asks for FE_DOWNWARD and switches back. */
    fctx_transfer_t t = fctx_jump(c, (void *)(intptr_t)FE_DOWNWARD);
    c = t.ctx;
#if FCTX_EXPECT_SHARED_FPU_CONTROL
    CHECK_EQ_U(seen_mode, FE_UPWARD);     /* the thread's mode */
    CHECK_EQ_U(fegetround(), FE_DOWNWARD); /* its change is ours too */
#else
    CHECK_EQ_U(seen_mode, FE_TOWARDZERO); /* captured by fctx_make */
    CHECK_EQ_U(fegetround(), FE_UPWARD);  /* ours, untouched */
#endif

    /* The context now runs in FE_DOWNWARD and asks for FE_TONEAREST. */
    CHECK_EQ_U(fesetround(FE_TOWARDZERO), 0);
    t = fctx_jump(c, (void *)(intptr_t)FE_TONEAREST);
    c = t.ctx;
#if FCTX_EXPECT_SHARED_FPU_CONTROL
    CHECK_EQ_U(seen_mode, FE_TOWARDZERO);
    CHECK_EQ_U(fegetround(), FE_TONEAREST);
#else
    CHECK_EQ_U(seen_mode, FE_DOWNWARD);   /* its own mode, kept */
    CHECK_EQ_U(fegetround(), FE_TOWARDZERO);
#endif

    /* ontop: fn's mode change happens in the target (it resumes with it),
     * and the caller of fctx_ontop gets its own mode back. */
    CHECK_EQ_U(fesetround(FE_DOWNWARD), 0);
    t = fctx_ontop(c, (void *)(intptr_t)FE_TONEAREST, set_upward_on_top);
    c = t.ctx;
    CHECK_EQ_U(seen_mode, FE_UPWARD);
#if FCTX_EXPECT_SHARED_FPU_CONTROL
    CHECK_EQ_U(ontop_seen_mode, FE_DOWNWARD); /* the caller's */
    CHECK_EQ_U(fegetround(), FE_TONEAREST);
#else
    CHECK_EQ_U(ontop_seen_mode, FE_TONEAREST); /* the target's own */
    CHECK_EQ_U(fegetround(), FE_DOWNWARD);
#endif
    CHECK_EQ_U(fesetround(FE_TONEAREST), 0);
}

static void test_exception_flags_are_per_thread(void)
{
    fctx_t c = fctx_make(stack + sizeof stack, sizeof stack, entry);
    CHECK_EQ_U(feclearexcept(FE_ALL_EXCEPT), 0);
    /* Raised inside the context: still set after switching back. */
    raise_inexact = 1;
    fctx_transfer_t t = fctx_jump(c, (void *)(intptr_t)FE_TONEAREST);
    raise_inexact = 0;
    c = t.ctx;
    CHECK_EQ_U(seen_flag, 0);
    CHECK(fetestexcept(FE_INEXACT) != 0);
    /* Cleared here: the context sees it cleared. */
    CHECK_EQ_U(feclearexcept(FE_INEXACT), 0);
    t = fctx_jump(c, (void *)(intptr_t)FE_TONEAREST);
    CHECK_EQ_U(seen_flag, 0);
    /* Raised here: the context sees it. */
    feraiseexcept(FE_INEXACT);
    t = fctx_jump(t.ctx, (void *)(intptr_t)FE_TONEAREST);
    CHECK_EQ_U(seen_flag, 1);
    CHECK_EQ_U(feclearexcept(FE_ALL_EXCEPT), 0);
}

int main(void)
{
    RUN(test_rounding_mode);
    RUN(test_exception_flags_are_per_thread);
    return 0;
}
