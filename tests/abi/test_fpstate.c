/*
 * Floating-point state across switches, as include/fctx/context.h defines
 * it for every port:
 *  - control modes (rounding, exception masks / trap enables, flush-to-zero,
 *    x87 precision) belong to the context: a switch gives the resumed
 *    context its own; a new context starts with its creator's modes at
 *    fctx_make() time; a function run by fctx_ontop() sees the target's;
 *  - exception status flags belong to the thread: a switch never changes
 *    them, so a flag raised (or cleared) in one context is seen in the next
 *    context the thread runs;
 *  - FCTX_NO_FPU_CONTROL build (FCTX_EXPECT_SHARED_FPU_CONTROL=1): the modes
 *    are not switched either: all contexts of a thread share them.
 * Flags are raised by real arithmetic (the hardware path) and by
 * feraiseexcept().  On x86 the SSE (MXCSR) and x87 halves are also checked
 * one by one, and a context that unmasks an x87 exception whose flag another
 * context set must not trap (FCTX_X87_TRAP_TEST: only where x87 traps are
 * real, i.e. not under qemu-user); on Power the same for an FPSCR enable.
 */
#define _GNU_SOURCE /* feenableexcept */
#include <fctx/context.h>

#include <fenv.h>
#include <stdint.h>
#include <string.h>

#include "check.h"

#ifndef FCTX_EXPECT_SHARED_FPU_CONTROL
#  error "tests/CMakeLists.txt defines FCTX_EXPECT_SHARED_FPU_CONTROL to 0 or 1"
#endif
#define SHARED FCTX_EXPECT_SHARED_FPU_CONTROL

#if !defined(FE_UPWARD) || !defined(FE_DOWNWARD) || !defined(FE_TOWARDZERO) || \
    !defined(FE_INEXACT) || !defined(FE_DIVBYZERO)
#  error "this target lacks the IEEE rounding modes or flags the test needs"
#endif

/* The x86 ports need SSE (MXCSR) even where the compiler does not use it
 * for arithmetic (i386): read and write it directly, without <xmmintrin.h>,
 * which would need -msse there. */
#if defined(__x86_64__) || defined(__i386__)
#  define X86_SSE 1
static unsigned mxcsr_get(void)
{
    unsigned v;
    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}
static void mxcsr_set(unsigned v) { __asm__ volatile("ldmxcsr %0" : : "m"(v)); }
#endif
#if defined(__x86_64__) || defined(__i386__)
#  define X86_X87 1
#endif

static char stack_a[64 * 1024] __attribute__((aligned(16)));
static char stack_b[64 * 1024] __attribute__((aligned(16)));

static volatile double one = 1.0, three = 3.0, zero = 0.0, sink;

/* Real arithmetic, so the flag comes from the FP unit the compiler uses. */
static void raise_inexact_by_op(void) { sink = one / three; }
static void raise_divbyzero_by_op(void) { sink = one / zero; }

/* ---- the peer context: runs commands sent as data, reports back --------- */

enum cmd { CMD_REPORT, CMD_RAISE_DIVBYZERO, CMD_CLEAR, CMD_SET_UPWARD, CMD_SET_TOWARDZERO };

struct report {
    int flags;     /* fetestexcept(FE_ALL_EXCEPT) when the command arrived */
    int mode;      /* fegetround() when the command arrived */
};
static struct report seen;

static void peer(fctx_transfer_t t)
{
    for (;;) {
        seen.flags = fetestexcept(FE_ALL_EXCEPT);
        seen.mode = fegetround();
        switch ((enum cmd)(intptr_t)t.data) {
        case CMD_REPORT: break;
        case CMD_RAISE_DIVBYZERO: raise_divbyzero_by_op(); break;
        case CMD_CLEAR: CHECK_EQ_U(feclearexcept(FE_ALL_EXCEPT), 0); break;
        case CMD_SET_UPWARD: CHECK_EQ_U(fesetround(FE_UPWARD), 0); break;
        case CMD_SET_TOWARDZERO: CHECK_EQ_U(fesetround(FE_TOWARDZERO), 0); break;
        }
        t = fctx_jump(t.ctx, NULL);
    }
}

static fctx_t ctx;
static void send(enum cmd c) { ctx = fctx_jump(ctx, (void *)(intptr_t)c).ctx; }

static void reset_thread(void)
{
    CHECK_EQ_U(fesetround(FE_TONEAREST), 0);
    CHECK_EQ_U(feclearexcept(FE_ALL_EXCEPT), 0);
}

/* A new context: the creator's modes at fctx_make() time, the thread's flags
 * at the time it first runs (not those at creation). */
static void test_new_context_state(void)
{
    reset_thread();
    CHECK_EQ_U(fesetround(FE_UPWARD), 0);
    feraiseexcept(FE_OVERFLOW);
    ctx = fctx_make(stack_a + sizeof stack_a, sizeof stack_a, peer);
    CHECK_EQ_U(fesetround(FE_TONEAREST), 0);
    CHECK_EQ_U(feclearexcept(FE_ALL_EXCEPT), 0);
    raise_inexact_by_op();
    send(CMD_REPORT);
    CHECK_EQ_U(seen.mode, SHARED ? FE_TONEAREST : FE_UPWARD);
    CHECK_EQ_U(seen.flags, FE_INEXACT);
    CHECK_EQ_U(fegetround(), FE_TONEAREST);
    CHECK_EQ_U(fetestexcept(FE_ALL_EXCEPT), FE_INEXACT);
}

/* Flags raised, cleared or left in one context are the next one's. */
static void test_flags_follow_the_thread(void)
{
    reset_thread();
    send(CMD_REPORT);
    CHECK_EQ_U(seen.flags, 0);
    send(CMD_RAISE_DIVBYZERO); /* the peer divides by zero */
    CHECK_EQ_U(fetestexcept(FE_ALL_EXCEPT), FE_DIVBYZERO);
    CHECK_EQ_U(feclearexcept(FE_DIVBYZERO), 0);
    raise_inexact_by_op();
    send(CMD_REPORT);
    CHECK_EQ_U(seen.flags, FE_INEXACT); /* ours; its own DIVBYZERO is gone */
    send(CMD_CLEAR);                    /* the peer clears everything */
    CHECK_EQ_U(fetestexcept(FE_ALL_EXCEPT), 0);
    feraiseexcept(FE_UNDERFLOW | FE_INEXACT);
    send(CMD_REPORT);
    CHECK_EQ_U(seen.flags, FE_UNDERFLOW | FE_INEXACT);
    CHECK_EQ_U(fetestexcept(FE_ALL_EXCEPT), FE_UNDERFLOW | FE_INEXACT);
}

/* Modes stay each context's while the flags travel, including on the
 * switches whose control words differ (the load path of the switch). */
static void test_modes_per_context_flags_per_thread(void)
{
    reset_thread();
    send(CMD_SET_UPWARD);
    CHECK_EQ_U(fegetround(), SHARED ? FE_UPWARD : FE_TONEAREST);
    CHECK_EQ_U(fesetround(FE_DOWNWARD), 0);
    raise_inexact_by_op();
    send(CMD_RAISE_DIVBYZERO);
    CHECK_EQ_U(seen.mode, SHARED ? FE_DOWNWARD : FE_UPWARD);
    CHECK_EQ_U(seen.flags, FE_INEXACT);
    CHECK_EQ_U(fegetround(), FE_DOWNWARD);
    CHECK_EQ_U(fetestexcept(FE_ALL_EXCEPT), FE_INEXACT | FE_DIVBYZERO);
    CHECK_EQ_U(feclearexcept(FE_ALL_EXCEPT), 0);
    send(CMD_SET_TOWARDZERO);
    CHECK_EQ_U(seen.flags, 0);
    CHECK_EQ_U(fegetround(), SHARED ? FE_TOWARDZERO : FE_DOWNWARD);
    CHECK_EQ_U(fesetround(FE_TONEAREST), 0);
    send(CMD_SET_UPWARD); /* leave the peer in FE_UPWARD */
}

/* fctx_ontop: fn runs as the target, with its modes and the thread's flags;
 * the caller gets its own modes back, and the flags fn raised. */
static struct report seen_on_top;
static fctx_transfer_t on_top(fctx_transfer_t t)
{
    seen_on_top.flags = fetestexcept(FE_ALL_EXCEPT);
    seen_on_top.mode = fegetround();
    raise_divbyzero_by_op();
    return t;
}

static void test_ontop_state(void)
{
    reset_thread();
    send(CMD_SET_UPWARD);
    CHECK_EQ_U(fesetround(FE_DOWNWARD), 0);
    feraiseexcept(FE_OVERFLOW | FE_INEXACT);
    ctx = fctx_ontop(ctx, (void *)(intptr_t)CMD_REPORT, on_top).ctx;
    CHECK_EQ_U(seen_on_top.mode, SHARED ? FE_DOWNWARD : FE_UPWARD);
    CHECK_EQ_U(seen_on_top.flags, FE_OVERFLOW | FE_INEXACT);
    CHECK_EQ_U(seen.flags, FE_OVERFLOW | FE_INEXACT | FE_DIVBYZERO);
    CHECK_EQ_U(fegetround(), FE_DOWNWARD);
    CHECK_EQ_U(fetestexcept(FE_ALL_EXCEPT), FE_OVERFLOW | FE_INEXACT | FE_DIVBYZERO);
    reset_thread();
}

/* Two peers on two stacks, each with its own mode: a ring main -> A -> B ->
 * main, one flag raised per hop; every hop sees all flags raised so far.
 * Each hop passes on the handle of the context that resumed it, so the
 * ring can go round again. */
static int ring_seen[2];
static int ring_mode[2];

static void ring_peer(fctx_transfer_t t)
{
    int id = (int)(intptr_t)t.data;
    CHECK_EQ_U(fesetround(id == 0 ? FE_UPWARD : FE_TOWARDZERO), 0);
    t = fctx_jump(t.ctx, NULL); /* park until the ring starts */
    for (;;) {
        ring_seen[id] = fetestexcept(FE_ALL_EXCEPT);
        ring_mode[id] = fegetround();
        feraiseexcept(id == 0 ? FE_UNDERFLOW : FE_OVERFLOW);
        /* t.data: where to go; t.ctx: who resumed us, handed on */
        t = fctx_jump((fctx_t)t.data, (void *)t.ctx);
    }
}

static void test_ring_of_contexts(void)
{
    reset_thread();
    fctx_t a = fctx_make(stack_b + sizeof stack_b / 2, sizeof stack_b / 2, ring_peer);
    fctx_t b = fctx_make(stack_b + sizeof stack_b, sizeof stack_b / 2, ring_peer);
    a = fctx_jump(a, (void *)(intptr_t)0).ctx;
    b = fctx_jump(b, (void *)(intptr_t)1).ctx;
    CHECK_EQ_U(fegetround(), SHARED ? FE_TOWARDZERO : FE_TONEAREST);
    CHECK_EQ_U(fesetround(FE_TONEAREST), 0);
    for (int round = 0; round < 3; ++round) {
        CHECK_EQ_U(feclearexcept(FE_ALL_EXCEPT), 0);
        raise_inexact_by_op();
        fctx_transfer_t t = fctx_jump(a, (void *)b); /* A goes on to B, B to us */
        b = t.ctx;
        a = (fctx_t)t.data;
        CHECK_EQ_U(ring_seen[0], FE_INEXACT);
        CHECK_EQ_U(ring_seen[1], FE_INEXACT | FE_UNDERFLOW);
        CHECK_EQ_U(ring_mode[0], SHARED ? FE_TONEAREST : FE_UPWARD);
        CHECK_EQ_U(ring_mode[1], SHARED ? FE_TONEAREST : FE_TOWARDZERO);
        CHECK_EQ_U(fetestexcept(FE_ALL_EXCEPT), FE_INEXACT | FE_UNDERFLOW | FE_OVERFLOW);
        CHECK_EQ_U(fegetround(), FE_TONEAREST);
    }
    reset_thread();
}

#ifdef X86_SSE
/* MXCSR alone: status bits 0-5 follow the thread, control bits 6-15 stay. */
#  define MXCSR_STATUS 0x3fu
static unsigned peer_csr;
static void sse_peer(fctx_transfer_t t)
{
    for (;;) {
        peer_csr = mxcsr_get();
        mxcsr_set((peer_csr & ~MXCSR_STATUS) | 0x8000u | 0x01u); /* FTZ on, IE set */
        t = fctx_jump(t.ctx, NULL);
    }
}

static void test_sse_mxcsr(void)
{
    reset_thread();
    unsigned base = mxcsr_get() & ~MXCSR_STATUS;
    fctx_t c = fctx_make(stack_a + sizeof stack_a, sizeof stack_a, sse_peer);
    mxcsr_set(base | 0x20u); /* PE */
    c = fctx_jump(c, NULL).ctx;
    CHECK_EQ_U(peer_csr, base | 0x20u); /* our modes (made here), our PE */
    CHECK_EQ_U(mxcsr_get(), SHARED ? (base | 0x8000u | 0x01u) : (base | 0x01u));
    mxcsr_set(base | 0x6000u | 0x10u); /* round toward zero, UE only */
    c = fctx_jump(c, NULL).ctx;
    CHECK_EQ_U(peer_csr, SHARED ? (base | 0x6000u | 0x10u) : (base | 0x8000u | 0x10u));
    CHECK_EQ_U(mxcsr_get(), SHARED ? (base | 0x6000u | 0x8000u | 0x01u) : (base | 0x6000u | 0x01u));
    mxcsr_set(base);
    (void)c;
}
#endif

#ifdef X86_X87
static unsigned short x87_sw(void)
{
    unsigned short sw;
    __asm__ volatile("fnstsw %0" : "=m"(sw));
    return sw;
}
static unsigned short x87_cw(void)
{
    unsigned short cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}
static void x87_set_cw(unsigned short cw) { __asm__ volatile("fldcw %0" : : "m"(cw)); }
static void x87_divide_by_zero(void)
{
    /* fdiv by zero with ZE masked: sets the ZE flag in the status word. */
    volatile long double n = 1.0L, d = 0.0L;
    volatile long double r = n / d;
    (void)r;
}

/* x87 alone: the status word follows the thread, the control word stays. */
static unsigned short peer_sw, peer_cw;
static void x87_peer(fctx_transfer_t t)
{
    x87_set_cw((unsigned short)((x87_cw() & ~0x0c00u) | 0x0400u)); /* round down */
    for (;;) {
        t = fctx_jump(t.ctx, NULL);
        peer_sw = x87_sw();
        peer_cw = x87_cw();
        x87_divide_by_zero();
    }
}

static void test_x87_words(void)
{
    reset_thread();
    __asm__ volatile("fnclex");
    unsigned short cw = x87_cw();
    fctx_t c = fctx_make(stack_a + sizeof stack_a, sizeof stack_a, x87_peer);
    c = fctx_jump(c, NULL).ctx; /* the peer sets its rounding, parks */
    CHECK_EQ_U(x87_cw(), SHARED ? ((cw & ~0x0c00u) | 0x0400u) : cw);
    x87_set_cw(cw);
    CHECK_EQ_U(x87_sw() & 0x3f, 0);
    c = fctx_jump(c, NULL).ctx;
    CHECK_EQ_U(peer_sw & 0x3f, 0);
    CHECK_EQ_U(peer_cw, SHARED ? cw : ((cw & ~0x0c00u) | 0x0400u));
    CHECK_EQ_U(x87_sw() & 0x3f, 0x04); /* the peer's ZE, now ours */
    CHECK_EQ_U(x87_cw(), cw);
    __asm__ volatile("fnclex");
    (void)c;
}

#  if defined(FCTX_X87_TRAP_TEST) && !SHARED
/* A context that unmasks x87 divide-by-zero traps, resumed while another
 * context left the ZE flag set: the switch clears exactly that flag (the
 * one its control word turns into a trap), so nothing traps; other flags
 * stay.  Without that rule the peer's next x87 instruction raises SIGFPE. */
static unsigned short trap_peer_sw;
static void trap_peer(fctx_transfer_t t)
{
    x87_set_cw((unsigned short)(x87_cw() & ~0x04u)); /* unmask ZE (x87 only) */
    for (;;) {
        t = fctx_jump(t.ctx, NULL);
        trap_peer_sw = x87_sw();
        volatile long double x = 2.0L, y = 3.0L;
        volatile long double r = x * y; /* any x87 op: a pending trap fires here */
        (void)r;
    }
}

static void test_x87_pending_trap(void)
{
    reset_thread();
    __asm__ volatile("fnclex");
    fctx_t c = fctx_make(stack_b + sizeof stack_b, sizeof stack_b, trap_peer);
    c = fctx_jump(c, NULL).ctx;
    x87_divide_by_zero(); /* ZE set here, masked here */
    CHECK_EQ_U(x87_sw() & 0x3f, 0x04);
    volatile long double n = 1.0L, d = 3.0L;
    volatile long double q = n / d; /* PE, by an x87 op */
    (void)q;
    CHECK_EQ_U(x87_sw() & 0x3f, 0x24);
    c = fctx_jump(c, NULL).ctx;
    CHECK_EQ_U(trap_peer_sw & 0x04, 0);  /* cleared: it would have trapped */
    CHECK((trap_peer_sw & 0x20) != 0);   /* PE stays: masked there too */
    CHECK_EQ_U(trap_peer_sw & 0x80, 0);  /* no error summary pending */
    CHECK_EQ_U(x87_cw() & 0x04, 0x04);   /* our mask is back */
    __asm__ volatile("fnclex");
    (void)c;
}
#  endif
#endif

#if (defined(__powerpc__) || defined(__powerpc64__)) && !SHARED
/* Power: a context that enables the divide-by-zero trap (FPSCR ZE, set
 * directly: under qemu-user an enabled exception traps without the MSR
 * FE bits that feenableexcept() would set, which qemu-ppc cannot run),
 * resumed while another context left the ZX flag set.  Enabling a trap
 * whose flag is set raises it at once, so the switch clears exactly that
 * flag; other flags stay.  Without that rule this test dies of SIGFPE. */
static int power_trap_peer_flags;
static void power_trap_peer(fctx_transfer_t t)
{
    __asm__ volatile("mtfsb1 27"); /* ZE (bit 4 from the right) */
    for (;;) {
        t = fctx_jump(t.ctx, NULL);
        power_trap_peer_flags = fetestexcept(FE_ALL_EXCEPT);
        sink = one * three; /* any FP op: a pending trap would fire */
    }
}

static void test_power_pending_trap(void)
{
    reset_thread();
    fctx_t c = fctx_make(stack_b + sizeof stack_b, sizeof stack_b, power_trap_peer);
    c = fctx_jump(c, NULL).ctx;
    raise_divbyzero_by_op(); /* masked here */
    raise_inexact_by_op();
    CHECK_EQ_U(fetestexcept(FE_ALL_EXCEPT), FE_DIVBYZERO | FE_INEXACT);
    c = fctx_jump(c, NULL).ctx;
    CHECK_EQ_U(power_trap_peer_flags, FE_INEXACT); /* ZX cleared, XX kept */
    CHECK_EQ_U(fetestexcept(FE_ALL_EXCEPT), FE_INEXACT);
    raise_divbyzero_by_op(); /* our ZE is off again: no trap */
    reset_thread();
    (void)c;
}
#endif

int main(void)
{
    RUN(test_new_context_state);
    RUN(test_flags_follow_the_thread);
    RUN(test_modes_per_context_flags_per_thread);
    RUN(test_ontop_state);
    RUN(test_ring_of_contexts);
#ifdef X86_SSE
    RUN(test_sse_mxcsr);
#endif
#ifdef X86_X87
    RUN(test_x87_words);
#  if defined(FCTX_X87_TRAP_TEST) && !SHARED
    RUN(test_x87_pending_trap);
#  endif
#endif
#if (defined(__powerpc__) || defined(__powerpc64__)) && !SHARED
    RUN(test_power_pending_trap);
#endif
    reset_thread();
    return 0;
}
