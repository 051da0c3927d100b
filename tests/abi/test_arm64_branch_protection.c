/*
 * AArch64 branch protection, end to end (registered by tests/ports.cmake
 * only when the build uses -mbranch-protection and the CPU that runs the
 * tests has the feature).
 *
 * BTI: proves that the test binaries really are BTI-guarded here (an
 * indirect call of a function without a landing pad must die with
 * SIGILL), so that the rest of the suite passing in this build means every
 * indirect branch fctx takes or receives has a valid target: the `bti c`
 * of fctx_jump/make/ontop (called through function pointers and the PLT),
 * fctx_ontop's tail call through x16, and resumption by `ret`.
 *
 * PAC: fctx keeps the resume address of a suspended context in writable
 * memory, signed.  Overwriting it with a plain (unsigned) code address must
 * make the resume fault instead of running that code.  The frame layout
 * comes from asm/frame_arm64_aapcs.h (white-box test).
 */
#include <fctx/context.h>

#include <stdint.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "check.h"
#include "death.h"
#include "frame_arm64_aapcs.h"

#ifndef __aarch64__
#  error "AArch64 only"
#endif

/* ---- BTI ---------------------------------------------------------------- */
#if defined(FCTX_TEST_BTI)
/* Compiled without a landing pad, whatever the command line says. */
__attribute__((target("branch-protection=none"), noinline)) static int no_landing_pad(int x)
{
    return x + 1;
}

static int with_landing_pad(int x)
{
    return x + 2;
}

static int (*volatile indirect)(int);

static void call_indirect(void)
{
    _exit(indirect(40)); /* 41/42 if the call was allowed */
}

static void test_bti_is_enforced(void)
{
    indirect = with_landing_pad;
    struct death d = run_in_child(call_indirect);
    CHECK_EQ_U(d.signal, 0); /* control: a normal function may be called */
    CHECK_EQ_U(d.exit_code, 42);

    indirect = no_landing_pad;
    d = run_in_child(call_indirect);
    if (d.signal != SIGILL)
        fprintf(stderr, "child: signal %d, exit %d: BTI is not enforced\n", d.signal,
                d.exit_code);
    CHECK_EQ_U(d.signal, SIGILL);
}

/* All three entry points are valid targets of an indirect call (blr:
 * BTYPE 10), including fctx_make, whose first instruction is its `bti c`
 * (jump/ontop start with it too; their paciasp would also be accepted). */
static char bti_stack[16 * 1024] __attribute__((aligned(16)));
static fctx_t (*volatile make_ptr)(void *, size_t, fctx_entry_fn) = fctx_make;
static fctx_transfer_t (*volatile jump_ptr)(fctx_t, void *) = fctx_jump;
static fctx_transfer_t (*volatile ontop_ptr)(fctx_t, void *, fctx_ontop_fn) = fctx_ontop;

static void bounce(fctx_transfer_t t)
{
    for (;;)
        t = jump_ptr(t.ctx, (char *)t.data + 1);
}

static fctx_transfer_t plus_ten(fctx_transfer_t t)
{
    t.data = (char *)t.data + 10;
    return t;
}

static void test_entry_points_are_landing_pads(void)
{
    fctx_t c = make_ptr(bti_stack + sizeof bti_stack, sizeof bti_stack, bounce);
    fctx_transfer_t t = jump_ptr(c, bti_stack);
    CHECK(t.data == bti_stack + 1);
    t = ontop_ptr(t.ctx, bti_stack, plus_ten);
    CHECK(t.data == bti_stack + 11);
}
#endif

/* ---- PAC ---------------------------------------------------------------- */
#if defined(FCTX_TEST_PAC)
static char stack[16 * 1024] __attribute__((aligned(16)));

static void entry(fctx_transfer_t t)
{
    (void)t;
    _exit(3); /* the genuine first resume */
}

/* Where a forged resume address points; reached by a `ret`. */
static void forged_target(void)
{
    _exit(7);
}

static int forge;

static void resume_new_context(void)
{
    fctx_t c = fctx_make(stack + sizeof stack, sizeof stack, entry);
    uintptr_t *frame = (uintptr_t *)c;
    if (forge)
        frame[FRAME_LR / sizeof(uintptr_t)] = (uintptr_t)forged_target;
    fctx_jump(c, NULL);
    _exit(4); /* not reached */
}

static void test_resume_address_is_authenticated(void)
{
    forge = 0;
    struct death d = run_in_child(resume_new_context);
    CHECK_EQ_U(d.signal, 0); /* control: the genuine address works */
    CHECK_EQ_U(d.exit_code, 3);

    forge = 1;
    d = run_in_child(resume_new_context);
    if (d.signal == 0)
        fprintf(stderr, "child exited %d: forged resume address was followed\n",
                d.exit_code);
    /* Failed authentication poisons the pointer: SIGSEGV on the `ret`, or
     * SIGILL at the aut* itself on cores with FEAT_FPAC. */
    CHECK(d.signal == SIGSEGV || d.signal == SIGILL || d.signal == SIGBUS);
}
#endif

int main(void)
{
#if defined(FCTX_TEST_BTI)
    RUN(test_bti_is_enforced);
    RUN(test_entry_points_are_landing_pads);
#endif
#if defined(FCTX_TEST_PAC)
    RUN(test_resume_address_is_authenticated);
#endif
    return 0;
}
