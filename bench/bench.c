/*
 * bench.c - fctx benchmark suite: fctx against Boost.Context and glibc
 * ucontext, in one process, pinned to one CPU.
 *
 * Every measurement is a set of rounds; within a round each case runs once,
 * in an order that rotates from round to round (interleaving), so slow
 * phases of a shared machine hit all cases alike.  A round runs enough
 * iterations to last a fixed time (calibrated per case), and the table shows
 * the median and the min-max over the rounds, plus the ratio of medians
 * against the Boost.Context equivalent.  The shared-stack groups ("shared",
 * "sharedfp") are compared with libaco instead (aco_baseline.c, built when
 * FCTX_BENCH_LIBACO_DIR names a libaco checkout).
 *
 *   bench              full run (about a minute), Markdown tables on stdout
 *   bench --demo       short table: switch cost of fctx, Boost, swapcontext,
 *                      and of fctx and Boost with different FP status flags
 *   bench --quick      short smoke run of everything (CTest: bench_smoke)
 *   bench --csv FILE   also write every row as CSV (for plotting)
 *   bench --cpu N      pin to CPU N (default: the CPU we start on)
 *   bench --rounds R   rounds per measurement
 *   bench --fibers N   fibers for the memory measurement (default 100000)
 *   bench --memory [--parkers ID]   only the memory table (only the parkers
 *                      whose id contains ID), e.g. --fibers 1000000
 *   bench --only ID --iters N   run one case N iterations, untimed
 *                      (scripts/callgrind.sh counts instructions this way)
 *   bench --alternatives   alternative x86-64 switch codes that were
 *                      studied (bench/alt_x86_64_sysv.S) against the shipped one,
 *                      clean and with FP status flags differing (group altfp)
 *   bench --list       list case ids (id, group, label); group "fpstate" holds
 *                      the FP-state cases (equal / status flags differ /
 *                      control differs), for fctx and Boost alike
 *
 * Every report names the CPU (/proc/cpuinfo model name, family, model) and
 * the kernel (uname): the tables' header, the demo table's last line, the
 * CSV's first line (a # comment).
 *
 * Exit status: 0, or 1 if a functional check failed (a wrong value came
 * back through a switch, a fiber did not finish) or the arguments are bad.
 * Timings never fail a run.
 */
#if defined(__linux__)
#  define _GNU_SOURCE /* sched_setaffinity, sched_getcpu */
#else
#  define _XOPEN_SOURCE 700
#endif

#include <fctx/fctx.h>
#include <fctx/shared_stack.h>

#include <errno.h>
#include <fenv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__linux__)
#  include <sched.h>
#endif
#ifdef FCTX_BENCH_HAVE_UCONTEXT
#  include <ucontext.h>
#endif
#include <sys/utsname.h>
#include <unistd.h>

#ifdef FCTX_BENCH_HAVE_POOL
#  include <fctx/stack_ext.h>
#endif

#include "bench.h"

/* ------------------------------------------------------------------ */
/* The opt-in FCTX_NO_FPU_CONTROL switch, assembled a second time with its
 * symbols renamed (bench/CMakeLists.txt), so both modes run side by side. */
#ifdef FCTX_BENCH_HAVE_NOFPU
fctx_transfer_t fctx_nofpu_jump(fctx_t const to, void *data);
fctx_t fctx_nofpu_make(void *stack_top, size_t stack_size, fctx_entry_fn entry);
fctx_transfer_t fctx_nofpu_ontop(fctx_t const to, void *data, fctx_ontop_fn fn);
/* The renamed start stub reports a returning entry function here. */
void fctx_bench_entry_returned(void);
void fctx_bench_entry_returned(void)
{
    fputs("bench: context entry function returned\n", stderr);
    abort();
}
#endif

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* Raw context ping-pong: the peer echoes back the data it receives. */

#define PINGPONG_STACK (64u * 1024u)
#define PAGE_ALIGN 4096u

struct raw_state {
    void *stack;
    fctx_t ctx;
};

static int raw_alloc(struct raw_state **out)
{
    struct raw_state *s = malloc(sizeof *s);
    if (s == NULL)
        return ENOMEM;
    /* Page-aligned, like the Boost side's: where the frames fall modulo the
     * page measurably changes switch times, so every case gets the same. */
    s->stack = aligned_alloc(PAGE_ALIGN, PINGPONG_STACK);
    if (s->stack == NULL) {
        free(s);
        return ENOMEM;
    }
    *out = s;
    return 0;
}

static void raw_teardown(void *state)
{
    struct raw_state *s = state;
    free(s->stack); /* the peer stays suspended for good; nothing to unwind */
    free(s);
}

/* One ping-pong case per jump function, with direct calls (as users make). */
#define DEFINE_JUMP_CASE(NAME, JUMP, MAKE)                                                  \
    static void NAME##_peer(fctx_transfer_t t)                                             \
    {                                                                                      \
        for (;;)                                                                           \
            t = JUMP(t.ctx, t.data);                                                       \
    }                                                                                      \
    static int NAME##_setup(void **out)                                                    \
    {                                                                                      \
        struct raw_state *s;                                                               \
        int err = raw_alloc(&s);                                                           \
        if (err)                                                                           \
            return err;                                                                    \
        s->ctx = MAKE((char *)s->stack + PINGPONG_STACK, PINGPONG_STACK, NAME##_peer);     \
        *out = s;                                                                          \
        return 0;                                                                          \
    }                                                                                      \
    static int NAME##_run(void *state, long iters)                                         \
    {                                                                                      \
        struct raw_state *s = state;                                                       \
        fctx_t c = s->ctx;                                                                 \
        for (long i = 0; i < iters; ++i) {                                                 \
            fctx_transfer_t t = JUMP(c, (void *)(intptr_t)i);                              \
            if (t.data != (void *)(intptr_t)i)                                             \
                return -1;                                                                 \
            c = t.ctx;                                                                     \
        }                                                                                  \
        s->ctx = c;                                                                        \
        return 0;                                                                          \
    }

DEFINE_JUMP_CASE(jump, fctx_jump, fctx_make)
#ifdef FCTX_BENCH_HAVE_NOFPU
DEFINE_JUMP_CASE(jump_nofpu, fctx_nofpu_jump, fctx_nofpu_make)
#endif

#ifdef FCTX_BENCH_HAVE_ALT
/* bench/alt_x86_64_sysv.S: alternative switch codes (bench --alternatives). */
#  define ALT_CASE(NAME)                                                                  \
      fctx_transfer_t alt_##NAME##_jump(fctx_t const to, void *data);                     \
      DEFINE_JUMP_CASE(alt_##NAME, alt_##NAME##_jump, fctx_make)
ALT_CASE(prev)
ALT_CASE(early)
ALT_CASE(push)
ALT_CASE(cond_both)
ALT_CASE(cond_word)
ALT_CASE(cond_x87)
ALT_CASE(rz_uncond)
ALT_CASE(whole_mxcsr)
ALT_CASE(sep_check)
ALT_CASE(fused_check)
ALT_CASE(vex)
ALT_CASE(st_late)
ALT_CASE(check_early)
ALT_CASE(align64)
ALT_CASE(ret)
ALT_CASE(probe_stmxcsr)
ALT_CASE(probe_ldmxcsr)
ALT_CASE(nofpu_prev)
ALT_CASE(nofpu_push)
#endif

static fctx_transfer_t identity(fctx_transfer_t t)
{
    return t;
}

/* fctx_ontop ping-pong: both sides switch with fctx_ontop(identity). */
#define DEFINE_ONTOP_CASE(NAME, JUMP, ONTOP, MAKE)                                          \
    static void NAME##_peer(fctx_transfer_t t)                                             \
    {                                                                                      \
        for (;;)                                                                           \
            t = ONTOP(t.ctx, t.data, identity);                                            \
    }                                                                                      \
    static int NAME##_setup(void **out)                                                    \
    {                                                                                      \
        struct raw_state *s;                                                               \
        int err = raw_alloc(&s);                                                           \
        if (err)                                                                           \
            return err;                                                                    \
        s->ctx = MAKE((char *)s->stack + PINGPONG_STACK, PINGPONG_STACK, NAME##_peer);     \
        s->ctx = JUMP(s->ctx, NULL).ctx; /* start the peer */                              \
        *out = s;                                                                          \
        return 0;                                                                          \
    }                                                                                      \
    static int NAME##_run(void *state, long iters)                                         \
    {                                                                                      \
        struct raw_state *s = state;                                                       \
        fctx_t c = s->ctx;                                                                 \
        for (long i = 0; i < iters; ++i) {                                                 \
            fctx_transfer_t t = ONTOP(c, (void *)(intptr_t)i, identity);                   \
            if (t.data != (void *)(intptr_t)i)                                             \
                return -1;                                                                 \
            c = t.ctx;                                                                     \
        }                                                                                  \
        s->ctx = c;                                                                        \
        return 0;                                                                          \
    }

DEFINE_ONTOP_CASE(ontop, fctx_jump, fctx_ontop, fctx_make)
#ifdef FCTX_BENCH_HAVE_NOFPU
DEFINE_ONTOP_CASE(ontop_nofpu, fctx_nofpu_jump, fctx_nofpu_ontop, fctx_nofpu_make)
#endif

/* ------------------------------------------------------------------ */
/* Fiber resume ping-pong. */

static const char stop_token = 0;
#define STOP ((void *)&stop_token)

static fctx_fiber_t echo_fiber(fctx_fiber_t caller, void *data)
{
    for (;;) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, data);
        if (t.data == STOP)
            return t.fiber;
        caller = t.fiber;
        data = t.data;
    }
}

struct fiber_state {
    fctx_fiber_t f;
};

static int fiber_setup(void **out)
{
    struct fiber_state *s = malloc(sizeof *s);
    if (s == NULL)
        return ENOMEM;
    int err = fctx_fiber_create(&s->f, fctx_fixed_allocator(), PINGPONG_STACK, echo_fiber);
    if (err) {
        free(s);
        return err;
    }
    *out = s;
    return 0;
}

static int fiber_run(void *state, long iters)
{
    struct fiber_state *s = state;
    fctx_fiber_t f = s->f;
    for (long i = 0; i < iters; ++i) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)(intptr_t)i);
        if (t.data != (void *)(intptr_t)i)
            return -1;
        f = t.fiber;
    }
    s->f = f;
    return 0;
}

static void fiber_teardown(void *state)
{
    struct fiber_state *s = state;
    fctx_fiber_transfer_t t = fctx_fiber_resume(s->f, STOP); /* it finishes */
    if (t.fiber != NULL) {
        fputs("bench: echo fiber did not finish\n", stderr);
        exit(1);
    }
    free(s);
}

/* ------------------------------------------------------------------ */
/* FP-state cases (bench.h: enum bench_fp_state): the default switch and the
 * fiber resume with equal FP state on both sides, with different exception
 * status flags (main inexact, peer not), and with different control bits
 * (peer rounds toward zero).  Boost's are in boost_baseline.cpp, the same. */

const char bench_fp_tokens[2] = {0, 0};

#ifdef FE_TOWARDZERO
static int peer_round(enum bench_fp_state st)
{
    return st == BENCH_FP_CONTROL ? FE_TOWARDZERO : FE_TONEAREST;
}
#endif

void *bench_fp_peer_token(enum bench_fp_state st, void *token)
{
    if (token == BENCH_FP_PREPARE) {
        feclearexcept(FE_ALL_EXCEPT);
#ifdef FE_TOWARDZERO
        fesetround(peer_round(st));
#endif
        return token;
    }
#ifdef FE_TOWARDZERO
    if (fegetround() != peer_round(st))
        return NULL; /* CHECK: main's mode leaked into the peer */
#else
    (void)st;
#endif
    return token;
}

void bench_fp_prepare_main(void)
{
    feclearexcept(FE_ALL_EXCEPT);
#ifdef FE_TONEAREST
    fesetround(FE_TONEAREST);
#endif
}

int bench_fp_check_main(void *peer_answer)
{
#ifdef FE_TONEAREST
    if (fegetround() != FE_TONEAREST) {
        fesetround(FE_TONEAREST); /* the peer's mode leaked into main */
        return -1;
    }
#endif
    return peer_answer == BENCH_FP_CHECK ? 0 : -1;
}

/* Whether the state can be set up here: the control case needs a second
 * rounding mode, and a switch that keeps control modes per context. */
static int fp_state_supported(enum bench_fp_state st)
{
    if (st != BENCH_FP_CONTROL)
        return 0;
#if !defined(FE_TOWARDZERO) || defined(FCTX_NO_FPU_CONTROL_LIB)
    return ENOTSUP; /* no second mode, or this library leaves modes to the thread */
#else
    /* Declared but not settable: WebAssembly rounds to nearest only. */
    int settable = fesetround(FE_TOWARDZERO) == 0 && fegetround() == FE_TOWARDZERO;
    fesetround(FE_TONEAREST);
    return settable ? 0 : ENOTSUP;
#endif
}

struct fpjump_state {
    void *stack;
    fctx_t ctx;
    enum bench_fp_state st;
    struct bench_fp_side main_side, peer;
};

/* One FP-state ping-pong per jump function (the shipped one, and the
 * alternatives of bench --alternatives), with direct calls. */
#define DEFINE_FPJUMP_CASE(NAME, JUMP, MAKE)                                                \
    static void NAME##_peer(fctx_transfer_t t)                                             \
    {                                                                                      \
        struct fpjump_state *s = t.data;                                                   \
        t = JUMP(t.ctx, NULL);                                                             \
        for (;;) {                                                                         \
            void *reply = t.data;                                                          \
            if (bench_fp_is_token(reply))                                                  \
                reply = bench_fp_peer_token(s->st, reply);                                 \
            else                                                                           \
                bench_fp_op(&s->peer);                                                     \
            t = JUMP(t.ctx, reply);                                                        \
        }                                                                                  \
    }                                                                                      \
    static int NAME##_setup_with(void **out, enum bench_fp_state st)                       \
    {                                                                                      \
        int err = fp_state_supported(st);                                                  \
        if (err)                                                                           \
            return err;                                                                    \
        struct fpjump_state *s = malloc(sizeof *s);                                        \
        if (s == NULL)                                                                     \
            return ENOMEM;                                                                 \
        s->stack = aligned_alloc(PAGE_ALIGN, PINGPONG_STACK); /* as raw_alloc */           \
        if (s->stack == NULL) {                                                            \
            free(s);                                                                       \
            return ENOMEM;                                                                 \
        }                                                                                  \
        s->st = st;                                                                        \
        bench_fp_init(&s->main_side, &s->peer, st);                                        \
        s->ctx = MAKE((char *)s->stack + PINGPONG_STACK, PINGPONG_STACK, NAME##_peer);     \
        s->ctx = JUMP(s->ctx, s).ctx; /* the peer takes s, waits for the first round */    \
        *out = s;                                                                          \
        return 0;                                                                          \
    }                                                                                      \
    static int NAME##_run(void *state, long iters)                                         \
    {                                                                                      \
        struct fpjump_state *s = state;                                                    \
        fctx_t c = JUMP(s->ctx, BENCH_FP_PREPARE).ctx; /* the peer's part first */         \
        bench_fp_prepare_main();                                                           \
        for (long i = 0; i < iters; ++i) {                                                 \
            bench_fp_op(&s->main_side);                                                    \
            fctx_transfer_t t = JUMP(c, (void *)(intptr_t)i);                              \
            if (t.data != (void *)(intptr_t)i)                                             \
                return -1;                                                                 \
            c = t.ctx;                                                                     \
        }                                                                                  \
        fctx_transfer_t t = JUMP(c, BENCH_FP_CHECK);                                       \
        s->ctx = t.ctx;                                                                    \
        return bench_fp_check_main(t.data);                                                \
    }

DEFINE_FPJUMP_CASE(fpjump, fctx_jump, fctx_make)

static void fpjump_teardown(void *state)
{
    struct fpjump_state *s = state;
    free(s->stack); /* the peer stays suspended for good */
    free(s);
}

struct fpfiber_state {
    fctx_fiber_t f;
    fctx_shared_stack_t *ss; /* the fiber's shared stack, or NULL: its own stack */
    enum bench_fp_state st;
    struct bench_fp_side main_side, peer;
};

static fctx_fiber_t fp_echo_fiber(fctx_fiber_t caller, void *data)
{
    struct fpfiber_state *s = data;
    fctx_fiber_transfer_t t = fctx_fiber_resume(caller, NULL);
    for (;;) {
        if (t.data == STOP)
            return t.fiber;
        void *reply = t.data;
        if (bench_fp_is_token(reply))
            reply = bench_fp_peer_token(s->st, reply);
        else
            bench_fp_op(&s->peer);
        t = fctx_fiber_resume(t.fiber, reply);
    }
}

/* Creates the echo fiber on its own stack, or (shared) alone on a shared stack. */
static int fpfiber_setup_on(void **out, enum bench_fp_state st, int shared)
{
    int err = fp_state_supported(st);
    if (err)
        return err;
    struct fpfiber_state *s = malloc(sizeof *s);
    if (s == NULL)
        return ENOMEM;
    s->st = st;
    s->ss = NULL;
    bench_fp_init(&s->main_side, &s->peer, st);
    if (shared) {
        fctx_shared_stack_attr_t a = FCTX_SHARED_STACK_ATTR_INIT;
        a.stack_size = PINGPONG_STACK;
        err = fctx_shared_stack_create(&s->ss, &a);
        if (!err && (err = fctx_fiber_create_shared(&s->f, s->ss, fp_echo_fiber)) != 0)
            fctx_shared_stack_destroy(s->ss);
    } else {
        err = fctx_fiber_create(&s->f, fctx_fixed_allocator(), PINGPONG_STACK, fp_echo_fiber);
    }
    if (err) {
        free(s);
        return err;
    }
    s->f = fctx_fiber_resume(s->f, s).fiber; /* it takes s, waits for the first round */
    *out = s;
    return 0;
}

static int fpfiber_run(void *state, long iters)
{
    struct fpfiber_state *s = state;
    fctx_fiber_t f = fctx_fiber_resume(s->f, BENCH_FP_PREPARE).fiber;
    bench_fp_prepare_main();
    for (long i = 0; i < iters; ++i) {
        bench_fp_op(&s->main_side);
        fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)(intptr_t)i);
        if (t.data != (void *)(intptr_t)i)
            return -1;
        f = t.fiber;
    }
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, BENCH_FP_CHECK);
    s->f = t.fiber;
    return bench_fp_check_main(t.data);
}

static void fpfiber_teardown(void *state)
{
    struct fpfiber_state *s = state;
    if (fctx_fiber_resume(s->f, STOP).fiber != NULL) { /* it finishes */
        fputs("bench: FP-state echo fiber did not finish\n", stderr);
        exit(1);
    }
    if (s->ss != NULL && fctx_shared_stack_destroy(s->ss) != 0) {
        fputs("bench: shared stack still has fibers\n", stderr);
        exit(1);
    }
    free(s);
}

static int fpfiber_setup_with(void **out, enum bench_fp_state st)
{
    return fpfiber_setup_on(out, st, 0);
}

#define DEFINE_FP_SETUPS(STATE, ST)                                                         \
    static int fpjump_##STATE##_setup(void **out)                                          \
    {                                                                                      \
        return fpjump_setup_with(out, ST);                                                 \
    }                                                                                      \
    static int fpfiber_##STATE##_setup(void **out)                                         \
    {                                                                                      \
        return fpfiber_setup_with(out, ST);                                                \
    }
DEFINE_FP_SETUPS(equal, BENCH_FP_EQUAL)
DEFINE_FP_SETUPS(status, BENCH_FP_STATUS)
DEFINE_FP_SETUPS(control, BENCH_FP_CONTROL)

#ifdef FCTX_BENCH_HAVE_ALT
/* The alternatives with status flags differing (bench --alternatives). */
#  define ALT_FP_CASE(NAME)                                                                \
      DEFINE_FPJUMP_CASE(alt_##NAME##_fp, alt_##NAME##_jump, fctx_make)                    \
      static int alt_##NAME##_fp_status_setup(void **out)                                  \
      {                                                                                    \
          return alt_##NAME##_fp_setup_with(out, BENCH_FP_STATUS);                         \
      }
ALT_FP_CASE(prev)
ALT_FP_CASE(early)
ALT_FP_CASE(push)
ALT_FP_CASE(cond_both)
ALT_FP_CASE(cond_word)
ALT_FP_CASE(cond_x87)
ALT_FP_CASE(rz_uncond)
ALT_FP_CASE(whole_mxcsr)
ALT_FP_CASE(sep_check)
ALT_FP_CASE(fused_check)
ALT_FP_CASE(vex)
ALT_FP_CASE(st_late)
ALT_FP_CASE(check_early)
ALT_FP_CASE(align64)
ALT_FP_CASE(ret)
ALT_FP_CASE(probe_stmxcsr)
ALT_FP_CASE(probe_ldmxcsr)
ALT_FP_CASE(nofpu_prev)
ALT_FP_CASE(nofpu_push)
#endif

/* ------------------------------------------------------------------ */
/* glibc ucontext ping-pong. */

#ifdef FCTX_BENCH_HAVE_UCONTEXT
struct uc_state {
    ucontext_t main_uc, peer_uc;
    void *stack;
    long counter;
};

static struct uc_state *uc_current; /* makecontext passes ints only */

static void uc_peer(void)
{
    struct uc_state *s = uc_current;
    for (;;) {
        ++s->counter;
        swapcontext(&s->peer_uc, &s->main_uc);
    }
}

static int uc_setup(void **out)
{
    struct uc_state *s = malloc(sizeof *s);
    if (s == NULL)
        return ENOMEM;
    s->stack = aligned_alloc(PAGE_ALIGN, PINGPONG_STACK);
    if (s->stack == NULL || getcontext(&s->peer_uc) != 0) {
        free(s->stack);
        free(s);
        return ENOMEM;
    }
    s->peer_uc.uc_stack.ss_sp = s->stack;
    s->peer_uc.uc_stack.ss_size = PINGPONG_STACK;
    s->peer_uc.uc_link = NULL;
    makecontext(&s->peer_uc, uc_peer, 0);
    s->counter = 0;
    uc_current = s;
    *out = s;
    return 0;
}

static int uc_run(void *state, long iters)
{
    struct uc_state *s = state;
    long before = s->counter;
    for (long i = 0; i < iters; ++i)
        swapcontext(&s->main_uc, &s->peer_uc);
    return s->counter - before == iters ? 0 : -1;
}

static void uc_teardown(void *state)
{
    struct uc_state *s = state;
    free(s->stack);
    free(s);
}
#endif

/* ------------------------------------------------------------------ */
/* Create + first resume + finish, per allocator. */

#define CREATE_STACK (128u * 1024u) /* same as boost_baseline.cpp */

static fctx_fiber_t return_at_once(fctx_fiber_t caller, void *data)
{
    *(int *)data = 1;
    return caller;
}

struct create_state {
    const fctx_allocator_t *alloc;
};

static int create_run(void *state, long iters)
{
    const struct create_state *s = state;
    for (long i = 0; i < iters; ++i) {
        fctx_fiber_t f;
        if (fctx_fiber_create(&f, s->alloc, CREATE_STACK, return_at_once) != 0)
            return -1;
        int ran = 0;
        fctx_fiber_transfer_t t = fctx_fiber_resume(f, &ran);
        if (!ran || t.fiber != NULL)
            return -1; /* it must have run and finished */
    }
    return 0;
}

static int create_setup_with(void **out, const fctx_allocator_t *alloc)
{
    struct create_state *s = malloc(sizeof *s);
    if (s == NULL)
        return ENOMEM;
    s->alloc = alloc;
    *out = s;
    return 0;
}

static int create_fixed_setup(void **out)
{
    return create_setup_with(out, fctx_fixed_allocator());
}

static int create_guarded_setup(void **out)
{
    return create_setup_with(out, fctx_guarded_allocator());
}

static void create_teardown(void *state)
{
    free(state);
}

#ifdef FCTX_BENCH_HAVE_POOL
/* A pool of stacks in front of the guarded allocator (fctx/stack_ext.h). */
struct pool_state {
    struct create_state c; /* first: create_run() reads it */
    fctx_pool_t *pool;
};

static int create_pooled_setup(void **out)
{
    struct pool_state *s = malloc(sizeof *s);
    if (s == NULL)
        return ENOMEM;
    fctx_pool_config_t cfg = {fctx_guarded_allocator(), CREATE_STACK, 0, 1, 0};
    int err = fctx_pool_create(&s->pool, &cfg);
    if (err) {
        free(s);
        return err;
    }
    s->c.alloc = fctx_pool_allocator(s->pool);
    *out = s;
    return 0;
}

static void create_pooled_teardown(void *state)
{
    struct pool_state *s = state;
    if (fctx_pool_destroy(s->pool) != 0) {
        fputs("bench: stack pool still has stacks handed out\n", stderr);
        exit(1);
    }
    free(s);
}
#endif

/* ------------------------------------------------------------------ */
/* Parked fibers: memory per suspended fiber. */

static fctx_fiber_t park_fiber(fctx_fiber_t caller, void *data)
{
    volatile char touch[256]; /* a little stack in use, like real code */
    touch[0] = 1;
    fctx_fiber_transfer_t t = fctx_fiber_resume(caller, data); /* park here */
    (void)touch[0];
    return t.fiber;
}

struct park_state {
    fctx_fiber_t *fibers;
    long n;
    fctx_shared_stack_t *ss; /* all fibers on this shared stack, or NULL */
#ifdef FCTX_BENCH_HAVE_POOL
    fctx_pool_t *pool;       /* their stacks come from this pool, or NULL */
#endif
};

static int unpark_fctx(void *state)
{
    struct park_state *s = state;
    int rc = 0;
    for (long i = 0; i < s->n; ++i)
        if (fctx_fiber_resume(s->fibers[i], NULL).fiber != NULL)
            rc = -1; /* it must have finished */
    if (s->ss != NULL && fctx_shared_stack_destroy(s->ss) != 0)
        rc = -1; /* a fiber is left */
#ifdef FCTX_BENCH_HAVE_POOL
    if (s->pool != NULL && fctx_pool_destroy(s->pool) != 0)
        rc = -1;
#endif
    free(s->fibers);
    free(s);
    return rc;
}

/* Parks n fibers: on `ss` if non-NULL (then taken over), else on stacks of
 * `alloc`. */
static int park_on(void **out, long n, size_t stack_size, const fctx_allocator_t *alloc,
                   fctx_shared_stack_t *ss)
{
    struct park_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ENOMEM;
    s->fibers = malloc((size_t)n * sizeof *s->fibers);
    s->ss = ss;
    if (s->fibers == NULL) {
        unpark_fctx(s);
        return ENOMEM;
    }
    for (long i = 0; i < n; ++i) {
        fctx_fiber_t f;
        int err = ss != NULL ? fctx_fiber_create_shared(&f, ss, park_fiber)
                             : fctx_fiber_create(&f, alloc, stack_size, park_fiber);
        if (err) {
            unpark_fctx(s);
            return err;
        }
        fctx_fiber_transfer_t t = fctx_fiber_resume(f, NULL);
        s->fibers[s->n++] = t.fiber;
    }
    *out = s;
    return 0;
}

static int park_with(void **out, long n, size_t stack_size, const fctx_allocator_t *alloc)
{
    return park_on(out, n, stack_size, alloc, NULL);
}

static int park_fixed(void **out, long n, size_t stack_size)
{
    return park_with(out, n, stack_size, fctx_fixed_allocator());
}

static int park_guarded(void **out, long n, size_t stack_size)
{
    return park_with(out, n, stack_size, fctx_guarded_allocator());
}

#ifdef FCTX_BENCH_HAVE_POOL
static int park_pooled(void **out, long n, size_t stack_size)
{
    fctx_pool_t *pool;
    fctx_pool_config_t cfg = {fctx_guarded_allocator(), stack_size, 0, 1, 0};
    int err = fctx_pool_create(&pool, &cfg);
    if (err)
        return err;
    err = park_with(out, n, stack_size, fctx_pool_allocator(pool));
    if (err) {
        fctx_pool_destroy(pool);
        return err;
    }
    ((struct park_state *)*out)->pool = pool;
    return 0;
}
#endif

/* All n on one shared stack (of stack_size): what stays is each fiber's
 * record and save buffer. */
static int park_shared(void **out, long n, size_t stack_size)
{
    fctx_shared_stack_t *ss;
    fctx_shared_stack_attr_t a = FCTX_SHARED_STACK_ATTR_INIT;
    a.stack_size = stack_size;
    int err = fctx_shared_stack_create(&ss, &a);
    if (err)
        return err;
    err = park_on(out, n, stack_size, NULL, ss);
    if (err)
        fctx_shared_stack_destroy(ss);
    return err;
}

static void describe_shared(void *state, char *buf, size_t len)
{
    const struct park_state *s = state;
    fctx_shared_stack_stats_t st;
    if (fctx_shared_stack_stats(s->ss, &st) != 0 || s->n == 0) {
        snprintf(buf, len, "n/a");
        return;
    }
    snprintf(buf, len, "saved %.0f B, buffers %.0f B per fiber",
             (double)st.saved_bytes / (double)s->n, (double)st.buffer_bytes / (double)s->n);
}

/* Resident set size in bytes, or -1 where /proc/self/statm is unavailable. */
static long long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return -1;
    long long size, resident;
    int ok = fscanf(f, "%lld %lld", &size, &resident) == 2;
    fclose(f);
    return ok ? resident * (long long)sysconf(_SC_PAGESIZE) : -1;
}

/* A plain call through a function pointer the compiler cannot see through
 * (two calls per iteration, like the two switches of a ping-pong): the
 * unit the switches are compared with where Boost.Context is not built
 * (cross targets without Boost, wasm under node; docs/abi-wasm.md). */
static void *(*volatile call_target)(void *);

static void *call_identity(void *p)
{
    return p;
}

static int call_token;

static int call_setup(void **out)
{
    call_target = call_identity;
    *out = &call_token;
    return 0;
}

static int call_run(void *state, long iters)
{
    void *p = state;
    for (long i = 0; i < iters; ++i)
        p = call_target(call_target(p));
    return p == state ? 0 : -1;
}

static void call_teardown(void *state)
{
    (void)state;
}

/* ------------------------------------------------------------------ */
/* Shared stacks (fctx/shared_stack.h).  "live" = bytes of locals each fiber
 * keeps on its stack at its suspension point (a volatile array touched every
 * round); the bytes actually copied per swap are read from
 * fctx_shared_stack_stats() and printed under the table. */

/* NULL with *err set when the build has no shared stacks (ENOTSUP:
 * split-stack builds, WebAssembly): the case is then skipped. */
static fctx_shared_stack_t *new_shared_stack(int *err)
{
    fctx_shared_stack_t *ss;
    fctx_shared_stack_attr_t a = FCTX_SHARED_STACK_ATTR_INIT;
    a.stack_size = PINGPONG_STACK;
    *err = fctx_shared_stack_create(&ss, &a);
    return *err == 0 ? ss : NULL;
}

/* Bytes per copy (one fiber out or in) seen by the cases, for the notes. */
struct shared_copy_note {
    const char *id;
    double bytes_per_copy;
};
static struct shared_copy_note shared_notes[16];
static unsigned n_shared_notes;

static void note_copies(const char *id, fctx_shared_stack_t *ss)
{
    fctx_shared_stack_stats_t st;
    if (fctx_shared_stack_stats(ss, &st) != 0 || st.copies == 0)
        return;
    for (unsigned i = 0; i < n_shared_notes; ++i)
        if (strcmp(shared_notes[i].id, id) == 0)
            return;
    if (n_shared_notes < sizeof shared_notes / sizeof shared_notes[0]) {
        /* a swap moves one fiber out and one in */
        shared_notes[n_shared_notes].id = id;
        shared_notes[n_shared_notes++].bytes_per_copy =
            (double)st.copied_bytes / (double)st.copies / 2.0;
    }
}

/* A shared fiber alone on its stack: the fiber ping-pong (fiber_run), never
 * a copy. */
struct shared_alone_state {
    struct fiber_state fs; /* first: fiber_run() reads it */
    fctx_shared_stack_t *ss;
};

static int shared_alone_setup(void **out)
{
    struct shared_alone_state *s = malloc(sizeof *s);
    if (s == NULL)
        return ENOMEM;
    int err;
    s->ss = new_shared_stack(&err);
    if (s->ss != NULL && (err = fctx_fiber_create_shared(&s->fs.f, s->ss, echo_fiber)) != 0)
        fctx_shared_stack_destroy(s->ss);
    if (err) {
        free(s);
        return err;
    }
    *out = s;
    return 0;
}

static void shared_alone_teardown(void *state)
{
    struct shared_alone_state *s = state;
    fctx_shared_stack_t *ss = s->ss;
    fiber_teardown(&s->fs); /* finishes the fiber, frees s */
    if (fctx_shared_stack_destroy(ss) != 0) {
        fputs("bench: shared stack still has fibers\n", stderr);
        exit(1);
    }
}

/* Two fibers on one shared stack.  "direct": the driver fiber resumes the
 * echo fiber and back, every switch a swap through the stack's switcher.
 * "main": main resumes each in turn and each answers main, every resume
 * from main a swap on main's stack (libaco's pattern: aco_resume from the
 * main coroutine, aco_yield back). */
struct shared_pair_state {
    fctx_fiber_t driver, echo;
    fctx_shared_stack_t *ss;
    const char *id;
    int error;
    struct bench_fp_side main_side, peer; /* the FP-state pair */
};

static int shared_pair_setup(void **out, const char *id, fctx_fiber_fn first,
                             fctx_fiber_fn second);

#define DEFINE_SHARED_PAIR(LIVE)                                                            \
    static fctx_fiber_t shared_echo_##LIVE(fctx_fiber_t caller, void *data)                \
    {                                                                                      \
        volatile unsigned char live[LIVE + 1];                                             \
        live[0] = 0;                                                                       \
        for (;;) {                                                                         \
            fctx_fiber_transfer_t t = fctx_fiber_resume(caller, data);                     \
            if (t.data == STOP)                                                            \
                return t.fiber;                                                            \
            caller = t.fiber;                                                              \
            data = t.data;                                                                 \
            live[LIVE] = live[0]; /* touched every round */                                \
            live[0] = (unsigned char)(uintptr_t)data;                                      \
        }                                                                                  \
    }                                                                                      \
    static fctx_fiber_t shared_driver_##LIVE(fctx_fiber_t caller, void *data)              \
    {                                                                                      \
        struct shared_pair_state *s = data;                                                \
        volatile unsigned char live[LIVE + 1];                                             \
        live[0] = 0;                                                                       \
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, NULL);                         \
        while (t.data != STOP) {                                                           \
            long n = (long)(intptr_t)t.data;                                               \
            for (long i = 0; i < n; ++i) {                                                 \
                fctx_fiber_transfer_t u = fctx_fiber_resume(s->echo, (void *)(intptr_t)i); \
                if (u.data != (void *)(intptr_t)i)                                         \
                    s->error = 1;                                                          \
                s->echo = u.fiber;                                                         \
                live[LIVE] = live[0];                                                      \
                live[0] = (unsigned char)i;                                                \
            }                                                                              \
            t = fctx_fiber_resume(t.fiber, NULL);                                          \
        }                                                                                  \
        if (fctx_fiber_resume(s->echo, STOP).fiber != NULL) /* it finishes */              \
            s->error = 1;                                                                  \
        return t.fiber;                                                                    \
    }                                                                                      \
    static int shared_direct_##LIVE##_setup(void **out)                                    \
    {                                                                                      \
        return shared_pair_setup(out, "shared_direct_" #LIVE, shared_driver_##LIVE,        \
                                 shared_echo_##LIVE);                                      \
    }                                                                                      \
    static int shared_main_##LIVE##_setup(void **out)                                      \
    {                                                                                      \
        return shared_pair_setup(out, "shared_main_" #LIVE, shared_echo_##LIVE,            \
                                 shared_echo_##LIVE);                                      \
    }

/* Both fibers created and started (each suspended inside its function). */
static int shared_pair_setup(void **out, const char *id, fctx_fiber_fn first,
                             fctx_fiber_fn second)
{
    struct shared_pair_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ENOMEM;
    s->id = id;
    int err;
    s->ss = new_shared_stack(&err);
    if (s->ss == NULL) {
        free(s);
        return err;
    }
    if (fctx_fiber_create_shared(&s->driver, s->ss, first) != 0 ||
        fctx_fiber_create_shared(&s->echo, s->ss, second) != 0) {
        fputs("bench: cannot create shared fibers\n", stderr);
        exit(1);
    }
    s->driver = fctx_fiber_resume(s->driver, s).fiber; /* waits for a round */
    s->echo = fctx_fiber_resume(s->echo, NULL).fiber;  /* a copy: the driver goes out */
    *out = s;
    return 0;
}

static int shared_direct_run(void *state, long iters)
{
    struct shared_pair_state *s = state;
    s->driver = fctx_fiber_resume(s->driver, (void *)(intptr_t)iters).fiber;
    return s->error ? -1 : 0;
}

static int shared_main_run(void *state, long iters)
{
    struct shared_pair_state *s = state;
    fctx_fiber_t a = s->driver, b = s->echo;
    for (long i = 0; i < iters; ++i) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(a, (void *)(intptr_t)i);
        if (t.data != (void *)(intptr_t)i)
            return -1;
        a = t.fiber;
        t = fctx_fiber_resume(b, (void *)(intptr_t)i);
        if (t.data != (void *)(intptr_t)i)
            return -1;
        b = t.fiber;
    }
    s->driver = a;
    s->echo = b;
    return 0;
}

static void shared_pair_teardown(void *state)
{
    struct shared_pair_state *s = state;
    note_copies(s->id, s->ss);
    /* direct: the driver finishes the echo fiber, then itself; main: both
     * are echo fibers (the fp pair's echo too) */
    int ok = fctx_fiber_resume(s->driver, STOP).fiber == NULL && !s->error;
    if (fctx_shared_stack_destroy(s->ss) != 0) {
        ok = ok && fctx_fiber_resume(s->echo, STOP).fiber == NULL;
        ok = ok && fctx_shared_stack_destroy(s->ss) == 0;
    }
    if (!ok) {
        fputs("bench: shared fibers did not finish\n", stderr);
        exit(1);
    }
    free(s);
}

DEFINE_SHARED_PAIR(0)
DEFINE_SHARED_PAIR(192)
DEFINE_SHARED_PAIR(768)
DEFINE_SHARED_PAIR(3072)

/* The FP-state pair (bench.h): the driver multiplies before every switch to
 * the echo fiber (fp_echo_fiber), which multiplies before it answers. */
static fctx_fiber_t shared_fp_driver(fctx_fiber_t caller, void *data)
{
    struct shared_pair_state *s = data;
    fctx_fiber_transfer_t t = fctx_fiber_resume(caller, NULL);
    while (t.data != STOP) {
        long n = (long)(intptr_t)t.data;
        fctx_fiber_transfer_t u = fctx_fiber_resume(s->echo, BENCH_FP_PREPARE);
        s->echo = u.fiber;
        bench_fp_prepare_main();
        for (long i = 0; i < n; ++i) {
            bench_fp_op(&s->main_side);
            u = fctx_fiber_resume(s->echo, (void *)(intptr_t)i);
            if (u.data != (void *)(intptr_t)i)
                s->error = 1;
            s->echo = u.fiber;
        }
        u = fctx_fiber_resume(s->echo, BENCH_FP_CHECK);
        s->echo = u.fiber;
        if (bench_fp_check_main(u.data) != 0)
            s->error = 1;
        t = fctx_fiber_resume(t.fiber, NULL);
    }
    if (fctx_fiber_resume(s->echo, STOP).fiber != NULL)
        s->error = 1;
    return t.fiber;
}

/* fp_echo_fiber wants the state it reads (struct fpfiber_state): the pair's
 * echo gets one of its own, sharing nothing with the driver's. */
struct shared_fp_state {
    struct shared_pair_state pair; /* first: the pair's run and teardown read it */
    struct fpfiber_state echo;
};

static int shared_fp_setup_with(void **out, enum bench_fp_state st)
{
    int err = fp_state_supported(st);
    if (err)
        return err;
    struct shared_fp_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ENOMEM;
    struct shared_pair_state *p = &s->pair;
    p->id = st == BENCH_FP_STATUS ? "shared_fp_status" : "shared_fp_equal";
    bench_fp_init(&p->main_side, &p->peer, st);
    s->echo.st = st;
    bench_fp_init(&s->echo.main_side, &s->echo.peer, st);
    p->ss = new_shared_stack(&err);
    if (p->ss == NULL) {
        free(s);
        return err;
    }
    if (fctx_fiber_create_shared(&p->driver, p->ss, shared_fp_driver) != 0 ||
        fctx_fiber_create_shared(&p->echo, p->ss, fp_echo_fiber) != 0) {
        fputs("bench: cannot create shared fibers\n", stderr);
        exit(1);
    }
    p->driver = fctx_fiber_resume(p->driver, p).fiber;
    p->echo = fctx_fiber_resume(p->echo, &s->echo).fiber; /* it takes its state */
    *out = s;
    return 0;
}

static int shared_fp_equal_setup(void **out)
{
    return shared_fp_setup_with(out, BENCH_FP_EQUAL);
}

static int shared_fp_status_setup(void **out)
{
    return shared_fp_setup_with(out, BENCH_FP_STATUS);
}

static int shared_alone_fp_equal_setup(void **out)
{
    return fpfiber_setup_on(out, BENCH_FP_EQUAL, 1);
}

static int shared_alone_fp_status_setup(void **out)
{
    return fpfiber_setup_on(out, BENCH_FP_STATUS, 1);
}

/* Create + first resume + finish of a shared fiber (create_run's loop on a
 * shared stack). */
struct shared_create_state {
    fctx_shared_stack_t *ss;
};

static int shared_create_setup(void **out)
{
    struct shared_create_state *s = malloc(sizeof *s);
    if (s == NULL)
        return ENOMEM;
    int err;
    s->ss = new_shared_stack(&err);
    if (s->ss == NULL) {
        free(s);
        return err;
    }
    *out = s;
    return 0;
}

static int shared_create_run(void *state, long iters)
{
    struct shared_create_state *s = state;
    for (long i = 0; i < iters; ++i) {
        fctx_fiber_t f;
        if (fctx_fiber_create_shared(&f, s->ss, return_at_once) != 0)
            return -1;
        int ran = 0;
        fctx_fiber_transfer_t t = fctx_fiber_resume(f, &ran);
        if (!ran || t.fiber != NULL)
            return -1;
    }
    return 0;
}

static void shared_create_teardown(void *state)
{
    struct shared_create_state *s = state;
    if (fctx_shared_stack_destroy(s->ss) != 0) {
        fputs("bench: shared stack still has fibers\n", stderr);
        exit(1);
    }
    free(s);
}

/* ------------------------------------------------------------------ */
/* The case table. */

static const struct bench_case fctx_cases[] = {
    {"call", "switch", "plain indirect call (baseline without Boost)", NULL, 2.0, call_setup,
     call_run, call_teardown},
    {"jump", "switch", "fctx_jump (default: FP control modes per context)", "boost_jump", 2.0,
     jump_setup, jump_run, raw_teardown},
#ifdef FCTX_BENCH_HAVE_NOFPU
    {"jump_nofpu", "switch", "fctx_jump, FCTX_NO_FPU_CONTROL", "boost_jump", 2.0,
     jump_nofpu_setup, jump_nofpu_run, raw_teardown},
#endif
    {"fiber", "switch", "fctx_fiber_resume", "boost_fiber", 2.0, fiber_setup, fiber_run,
     fiber_teardown},
    {"ontop", "switch", "fctx_ontop (identity on top)", "boost_ontop", 2.0, ontop_setup, ontop_run,
     raw_teardown},
#ifdef FCTX_BENCH_HAVE_NOFPU
    {"ontop_nofpu", "switch", "fctx_ontop, FCTX_NO_FPU_CONTROL", "boost_ontop", 2.0,
     ontop_nofpu_setup, ontop_nofpu_run, raw_teardown},
#endif
    {"jump_fp_equal", "fpstate", "fctx_jump, FP state equal (both sides inexact: PE set on both)",
     "boost_jump_fp_equal", 2.0, fpjump_equal_setup, fpjump_run, fpjump_teardown},
    {"jump_fp_status", "fpstate", "fctx_jump, status flags differ (main PE set, peer PE clear)",
     "boost_jump_fp_status", 2.0, fpjump_status_setup, fpjump_run, fpjump_teardown},
    {"jump_fp_control", "fpstate", "fctx_jump, control differs (peer rounds toward zero)",
     "boost_jump_fp_control", 2.0, fpjump_control_setup, fpjump_run, fpjump_teardown},
    {"fiber_fp_equal", "fpstate",
     "fctx_fiber_resume, FP state equal (both sides inexact: PE set on both)",
     "boost_fiber_fp_equal", 2.0, fpfiber_equal_setup, fpfiber_run, fpfiber_teardown},
    {"fiber_fp_status", "fpstate",
     "fctx_fiber_resume, status flags differ (main PE set, peer PE clear)", "boost_fiber_fp_status",
     2.0, fpfiber_status_setup, fpfiber_run, fpfiber_teardown},
    {"fiber_fp_control", "fpstate", "fctx_fiber_resume, control differs (peer rounds toward zero)",
     "boost_fiber_fp_control", 2.0, fpfiber_control_setup, fpfiber_run, fpfiber_teardown},
#ifdef FCTX_BENCH_HAVE_UCONTEXT
    {"swapcontext", "switch", "glibc swapcontext", "boost_jump", 2.0, uc_setup, uc_run,
     uc_teardown},
#endif
#ifdef FCTX_BENCH_HAVE_ALT
#  define ALT_ROW(NAME, LABEL)                                                            \
      {"alt_" #NAME, "alt", LABEL, "boost_jump", 2.0, alt_##NAME##_setup, alt_##NAME##_run, \
       raw_teardown}
    ALT_ROW(prev, "fctx 0.1 switch: rsp-based, ctl loaded last, 23 instr"),
    ALT_ROW(early, "rsp-based, resume address + ctl loaded first (Boost's order)"),
    ALT_ROW(push, "push/pop instead of mov"),
    ALT_ROW(cond_both, "skip ldmxcsr and fldcw when unchanged (2 compares)"),
    ALT_ROW(cond_word, "skip both when unchanged, one 8-byte compare"),
    ALT_ROW(cond_x87, "rsp-based, skip fldcw only when unchanged"),
    ALT_ROW(rz_uncond, "red-zone code, ldmxcsr and fldcw always (whole words)"),
    ALT_ROW(whole_mxcsr, "fctx 0.2 switch: whole-MXCSR ldmxcsr always, fldcw skipped if equal"),
    ALT_ROW(sep_check, "compare-and-skip, two separate compares (25 instr)"),
    ALT_ROW(fused_check, "compare-and-skip, one 4-byte xor of both words (22 instr)"),
    ALT_ROW(vex, "shipped code with vstmxcsr/vldmxcsr"),
    ALT_ROW(st_late, "shipped code, stmxcsr/fnstcw after the GPR stores"),
    ALT_ROW(check_early, "shipped code, FP check before the GPR loads"),
    ALT_ROW(align64, "shipped code, 64-byte aligned"),
    ALT_ROW(ret, "shipped code ending in ret instead of jmp"),
    ALT_ROW(probe_stmxcsr, "PROBE: stmxcsr only (no x87, no loads)"),
    ALT_ROW(probe_ldmxcsr, "PROBE: ldmxcsr only (no stmxcsr, no x87)"),
    ALT_ROW(nofpu_prev, "no FP control, fctx 0.1 style (rsp-based)"),
    ALT_ROW(nofpu_push, "no FP control, push/pop"),
#  define ALT_FP_ROW(NAME)                                                                 \
      {"alt_" #NAME "_fp_status", "altfp", "alt_" #NAME ", status flags differ",            \
       "boost_jump_fp_status", 2.0, alt_##NAME##_fp_status_setup, alt_##NAME##_fp_run,      \
       fpjump_teardown}
    ALT_FP_ROW(prev),
    ALT_FP_ROW(early),
    ALT_FP_ROW(push),
    ALT_FP_ROW(cond_both),
    ALT_FP_ROW(cond_word),
    ALT_FP_ROW(cond_x87),
    ALT_FP_ROW(rz_uncond),
    ALT_FP_ROW(whole_mxcsr),
    ALT_FP_ROW(sep_check),
    ALT_FP_ROW(fused_check),
    ALT_FP_ROW(vex),
    ALT_FP_ROW(st_late),
    ALT_FP_ROW(check_early),
    ALT_FP_ROW(align64),
    ALT_FP_ROW(ret),
    ALT_FP_ROW(probe_stmxcsr),
    ALT_FP_ROW(probe_ldmxcsr),
    ALT_FP_ROW(nofpu_prev),
    ALT_FP_ROW(nofpu_push),
#endif
    {"shared_alone", "shared", "shared fiber alone on its stack (no copy)", "aco_alone", 2.0,
     shared_alone_setup, fiber_run, shared_alone_teardown},
#define SHARED_ROWS(LIVE, TEXT)                                                              \
    {"shared_direct_" #LIVE, "shared",                                                     \
     "two shared fibers, fiber to fiber (via switcher), " TEXT " live", "aco_pair_" #LIVE,  \
     2.0, shared_direct_##LIVE##_setup, shared_direct_run, shared_pair_teardown},           \
    {"shared_main_" #LIVE, "shared", "two shared fibers, main resumes each, " TEXT " live", \
     "aco_pair_" #LIVE, 4.0, shared_main_##LIVE##_setup, shared_main_run,                   \
     shared_pair_teardown}
    SHARED_ROWS(0, "0 B"),
    SHARED_ROWS(192, "192 B"),
    SHARED_ROWS(768, "768 B"),
    SHARED_ROWS(3072, "3 KB"),
    {"shared_create", "shared", "shared fiber: create + first resume + finish", "aco_create", 1.0,
     shared_create_setup, shared_create_run, shared_create_teardown},
    {"shared_alone_fp_equal", "sharedfp", "shared fiber alone, FP state equal",
     "aco_alone_fp_equal", 2.0, shared_alone_fp_equal_setup, fpfiber_run, fpfiber_teardown},
    {"shared_alone_fp_status", "sharedfp", "shared fiber alone, status flags differ",
     "aco_alone_fp_status", 2.0, shared_alone_fp_status_setup, fpfiber_run, fpfiber_teardown},
    {"shared_fp_equal", "sharedfp", "two shared fibers, fiber to fiber, FP state equal",
     "aco_pair_fp_equal", 2.0, shared_fp_equal_setup, shared_direct_run, shared_pair_teardown},
    {"shared_fp_status", "sharedfp", "two shared fibers, fiber to fiber, status flags differ",
     "aco_pair_fp_status", 2.0, shared_fp_status_setup, shared_direct_run, shared_pair_teardown},
    {"create_fixed", "create", "fctx fiber, fixed allocator (mmap)", "boost_create_fixed", 1.0,
     create_fixed_setup, create_run, create_teardown},
    {"create_guarded", "create", "fctx fiber, guarded allocator", "boost_create_protected", 1.0,
     create_guarded_setup, create_run, create_teardown},
#ifdef FCTX_BENCH_HAVE_POOL
    {"create_pooled", "create", "fctx fiber, pool over the guarded allocator",
     "boost_create_pooled", 1.0, create_pooled_setup, create_run, create_pooled_teardown},
#endif
};

static const struct bench_parker fctx_parkers[] = {
    {"park_fixed", "fctx fiber, fixed allocator", park_fixed, unpark_fctx, NULL},
    {"park_guarded", "fctx fiber, guarded allocator", park_guarded, unpark_fctx, NULL},
#ifdef FCTX_BENCH_HAVE_POOL
    {"park_pooled", "fctx fiber, pool over the guarded allocator", park_pooled, unpark_fctx, NULL},
#endif
    {"park_shared", "fctx shared fibers, all on one shared stack", park_shared, unpark_fctx,
     describe_shared},
};

#define MAX_CASES 128
#define MAX_ROUNDS 4001

struct entry {
    const struct bench_case *c;
    void *state;
    int active;
    long iters;
    double samples[MAX_ROUNDS];
    double median, min, max, p10, p90;
};

static struct entry entries[MAX_CASES];
static unsigned n_entries;
static int have_boost;

static void add_cases(const struct bench_case *cs, unsigned n)
{
    for (unsigned i = 0; i < n && n_entries < MAX_CASES; ++i)
        entries[n_entries++].c = &cs[i];
}

static struct entry *find_entry(const char *id)
{
    for (unsigned i = 0; i < n_entries; ++i)
        if (id != NULL && strcmp(entries[i].c->id, id) == 0)
            return &entries[i];
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int functional_error;

static void run_checked(struct entry *e, long iters)
{
    /* Every round starts with main's FP status flags clear (not timed): the
     * timing arithmetic below is inexact and sets the inexact flag, and a
     * switch that keeps status flags per context would otherwise find them
     * differing from the peer's in the cases without FP work.  The FP-state
     * cases set up their own states inside run(). */
    feclearexcept(FE_ALL_EXCEPT);
    if (e->c->run(e->state, iters) != 0) {
        fprintf(stderr, "bench: %s: a functional check failed\n", e->c->id);
        functional_error = 1;
        e->active = 0;
    }
}

/* Measure every active case of a group (NULL: the ids in `only`). */
static void measure(const char *group, const char *const *only, unsigned rounds, double round_ns)
{
    struct entry *list[MAX_CASES];
    unsigned n = 0;
    for (unsigned i = 0; i < n_entries; ++i) {
        struct entry *e = &entries[i];
        int wanted = 0;
        if (only != NULL) {
            for (const char *const *p = only; *p != NULL; ++p)
                wanted |= strcmp(*p, e->c->id) == 0;
        } else {
            wanted = strcmp(e->c->group, group) == 0;
        }
        if (!wanted)
            continue;
        feclearexcept(FE_ALL_EXCEPT); /* contexts start with clear flags, as main */
        int err = e->c->setup(&e->state);
#ifdef FCTX_BENCH_HAVE_ALT
        if (!err && strncmp(e->c->id, "alt_vex", 7) == 0 && !__builtin_cpu_supports("avx")) {
            e->c->teardown(e->state);
            err = ENOTSUP; /* vstmxcsr/vldmxcsr need AVX */
        }
#endif
        if (err) {
            fprintf(stderr, "bench: %s: setup failed (%s), skipped\n", e->c->id, strerror(err));
            continue;
        }
        e->active = 1;
        list[n++] = e;
    }
    /* Calibrate: iterations for one round of about round_ns (also warms up). */
    for (unsigned k = 0; k < n; ++k) {
        struct entry *e = list[k];
        long it = 16;
        for (;;) {
            double t0 = now_ns();
            run_checked(e, it);
            double dt = now_ns() - t0;
            if (!e->active || dt >= round_ns / 4 || it > (1L << 26))
                break;
            it *= 2;
        }
        double per = 0;
        if (e->active) {
            double t0 = now_ns();
            run_checked(e, it);
            per = (now_ns() - t0) / (double)it;
        }
        e->iters = per > 0 ? (long)(round_ns / per) : it;
        if (e->iters < 1)
            e->iters = 1;
    }
    for (unsigned r = 0; r < rounds; ++r) {
        for (unsigned k = 0; k < n; ++k) {
            struct entry *e = list[(k + r) % n];
            if (!e->active)
                continue;
            double t0 = now_ns();
            run_checked(e, e->iters);
            double t1 = now_ns();
            e->samples[r] = (t1 - t0) / ((double)e->iters * e->c->ops_per_iter);
        }
    }
    for (unsigned k = 0; k < n; ++k) {
        struct entry *e = list[k];
        if (e->active) {
            qsort(e->samples, rounds, sizeof(double), cmp_double);
            e->median = rounds % 2 ? e->samples[rounds / 2]
                                   : (e->samples[rounds / 2 - 1] + e->samples[rounds / 2]) / 2;
            e->min = e->samples[0];
            e->max = e->samples[rounds - 1];
            e->p10 = e->samples[(rounds - 1) / 10];
            e->p90 = e->samples[(rounds - 1) - (rounds - 1) / 10];
            e->c->teardown(e->state);
        }
    }
}

static const char *ratio_text(const struct entry *e, char *buf, size_t len)
{
    const struct entry *b = find_entry(e->c->baseline);
    if (e->c->baseline == NULL)
        snprintf(buf, len, "1.00 (baseline)");
    else if (b == NULL || !b->active)
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, "%.2f", e->median / b->median);
    return buf;
}

/* FP-state cases: the same switch in the equal state ("X_fp_status" ->
 * "X_fp_equal"), or NULL for other cases. */
static const struct entry *equal_state_entry(const struct entry *e)
{
    const char *fp = strstr(e->c->id, "_fp_");
    char id[64];
    if (fp == NULL || (size_t)(fp - e->c->id) + sizeof "_fp_equal" > sizeof id)
        return NULL;
    snprintf(id, sizeof id, "%.*s_fp_equal", (int)(fp - e->c->id), e->c->id);
    return find_entry(id);
}

static const char *vs_equal_text(const struct entry *e, char *buf, size_t len)
{
    const struct entry *q = equal_state_entry(e);
    if (q == NULL || !q->active)
        snprintf(buf, len, "%s", strstr(e->c->id, "_fp_") ? "n/a" : "");
    else
        snprintf(buf, len, "%.2f", e->median / q->median);
    return buf;
}

static void print_table(const char *title, const char *group, FILE *csv)
{
    int fp = strcmp(group, "fpstate") == 0 || strcmp(group, "sharedfp") == 0;
    /* the shared-stack groups are compared with libaco, the others with Boost */
    const char *vs = strncmp(group, "shared", 6) == 0 ? "libaco" : "Boost";
    printf("\n### %s\n\n", title);
    if (fp)
        printf("| operation | median ns | min–max ns | vs %s, same FP state | vs itself, "
               "FP state equal |\n|---|---:|---:|---:|---:|\n", vs);
    else
        printf("| operation | median ns | min–max ns | vs %s |\n|---|---:|---:|---:|\n", vs);
    for (unsigned i = 0; i < n_entries; ++i) {
        const struct entry *e = &entries[i];
        if (!e->active || strcmp(e->c->group, group) != 0)
            continue;
        char r[32], q[32];
        const char *fmt = e->median < 100 ? "| %s | %.2f | %.2f–%.2f | %s |"
                                          : "| %s | %.0f | %.0f–%.0f | %s |";
        printf(fmt, e->c->label, e->median, e->min, e->max, ratio_text(e, r, sizeof r));
        if (fp)
            printf(" %s |", vs_equal_text(e, q, sizeof q));
        putchar('\n');
        if (csv != NULL)
            fprintf(csv, "%s,%s,\"%s\",%.4f,%.4f,%.4f,%.4f,%.4f,%s,%s\n", group, e->c->id,
                    e->c->label, e->median, e->min, e->max, e->p10, e->p90,
                    ratio_text(e, r, sizeof r), vs_equal_text(e, q, sizeof q));
    }
}

static void print_fp_legend(void)
{
    printf("\n- FP-state rows: each side does one double multiplication per switch; "
           "\"equal\": both inexact, so the inexact flag (PE) is set on both sides; "
           "\"status flags differ\": main's is inexact, the peer's exact (a program that did "
           "1.0/3.0 in main); \"control differs\": the peer rounds toward zero.  Flags are "
           "cleared and modes set on both sides before every round.  Rows without an FP "
           "state: no FP work, flags clear on both sides (the clean state)"
#if defined(__x86_64__) || defined(__i386__)
           "; x86: the flags and modes are MXCSR's (and the x87 control word's)"
#endif
           "\n");
}

static void print_shared_notes(void)
{
    printf("\n- shared rows: \"fiber to fiber\": a driver fiber resumes the echo fiber and "
           "back, both on one shared stack (every switch a swap through the stack's "
           "switcher); \"main resumes each\": main resumes the two fibers in turn, each "
           "answers main (libaco's pattern: aco_resume, aco_yield; a swap at every resume "
           "from main, none at the answer); libaco has no coroutine-to-coroutine switch, so "
           "both fctx rows are compared with libaco's main-driven pair\n");
    printf("- bytes per copy (one fiber out or in, fctx_shared_stack_stats):");
    for (unsigned i = 0; i < n_shared_notes; ++i)
        printf("%s %s %.0f", i ? "," : "", shared_notes[i].id, shared_notes[i].bytes_per_copy);
    printf("\n");
#ifdef FCTX_BENCH_HAVE_LIBACO
    bench_aco_notes();
#endif
}

/* bench --memory [ID]: only the parkers whose id contains ID */
static const char *memory_only;

static void measure_memory(long fibers, FILE *csv)
{
    const struct bench_parker *parkers[8];
    unsigned np = 0;
    for (unsigned i = 0; i < sizeof fctx_parkers / sizeof fctx_parkers[0]; ++i)
        parkers[np++] = &fctx_parkers[i];
#ifdef FCTX_BENCH_HAVE_BOOST
    unsigned nb;
    const struct bench_parker *bp = bench_boost_parkers(&nb);
    for (unsigned i = 0; i < nb && np < 8; ++i)
        parkers[np++] = &bp[i];
#endif
#ifdef FCTX_BENCH_HAVE_LIBACO
    unsigned na;
    const struct bench_parker *ap = bench_aco_parkers(&na);
    for (unsigned i = 0; i < na && np < 8; ++i)
        parkers[np++] = &ap[i];
#endif
    if (rss_bytes() < 0) {
        printf("\n(memory per parked fiber: not measured, /proc/self/statm unavailable)\n");
        return;
    }
    printf("\n### Memory per parked fiber (%ld fibers, %u KiB stacks, RSS delta)\n\n", fibers,
           CREATE_STACK / 1024);
    printf("| stacks | fibers parked | RSS per fiber KiB | RSS per fiber B | total MiB | "
           "library's count |\n");
    printf("|---|---:|---:|---:|---:|---|\n");
    for (unsigned i = 0; i < np; ++i) {
        if (memory_only != NULL && strstr(parkers[i]->id, memory_only) == NULL)
            continue;
        long long before = rss_bytes();
        void *state;
        int err = parkers[i]->park(&state, fibers, CREATE_STACK);
        if (err) {
            printf("| %s | failed: %s | | | | |\n", parkers[i]->label, strerror(err));
            continue;
        }
        long long delta = rss_bytes() - before;
        char note[160] = "";
        if (parkers[i]->describe != NULL)
            parkers[i]->describe(state, note, sizeof note);
        if (parkers[i]->unpark(state) != 0) {
            fprintf(stderr, "bench: %s: a parked fiber did not finish\n", parkers[i]->id);
            functional_error = 1;
        }
        double per_kib = (double)delta / (double)fibers / 1024.0;
        printf("| %s | %ld | %.2f | %.0f | %.1f | %s |\n", parkers[i]->label, fibers, per_kib,
               (double)delta / (double)fibers, (double)delta / 1048576.0, note);
        if (csv != NULL)
            fprintf(csv, "memory,%s,\"%s\",%.4f,,,,,,\n", parkers[i]->id, parkers[i]->label,
                    per_kib);
    }
}

/* "CPU: <model name> (family F model M), kernel <release>": every report
 * names the machine it measured.  From /proc/cpuinfo and uname(). */
static char machine[400];

/* Copies the value of "key<tabs>: value" into dst if the line has that key. */
static void cpuinfo_field(const char *line, const char *key, char *dst, size_t len)
{
    size_t klen = strcspn(line, "\t:");
    const char *colon = strchr(line, ':');
    if (dst[0] != '\0' || colon == NULL || klen != strlen(key) || strncmp(line, key, klen) != 0)
        return;
    const char *val = colon + 1 + strspn(colon + 1, " \t");
    snprintf(dst, len, "%.*s", (int)strcspn(val, "\n"), val);
}

static void describe_machine(void)
{
    char model[160] = "", family[32] = "", modelno[32] = "", line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f != NULL) {
        while (fgets(line, sizeof line, f) != NULL && line[0] != '\n') { /* first CPU only */
            cpuinfo_field(line, "model name", model, sizeof model);
            cpuinfo_field(line, "cpu family", family, sizeof family);
            cpuinfo_field(line, "model", modelno, sizeof modelno);
            cpuinfo_field(line, "cpu", model, sizeof model);      /* ppc64 */
            cpuinfo_field(line, "uarch", model, sizeof model);    /* riscv */
            cpuinfo_field(line, "Hardware", model, sizeof model); /* arm */
        }
        fclose(f);
    }
    if (model[0] == '\0')
        snprintf(model, sizeof model, "unknown CPU");
    char nums[80] = "";
    if (family[0] != '\0' && modelno[0] != '\0')
        snprintf(nums, sizeof nums, " (family %s model %s)", family, modelno);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(machine, sizeof machine, "%s%s, kernel %s %s", model, nums, u.sysname, u.release);
    else
        snprintf(machine, sizeof machine, "%s%s, kernel unknown", model, nums);
}

static int pin_cpu(int cpu)
{
#if defined(__linux__)
    if (cpu < 0)
        cpu = sched_getcpu();
    if (cpu < 0)
        return -1;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        return -1;
    return cpu;
#else
    (void)cpu;
    return -1;
#endif
}

static void usage(FILE *to)
{
    fputs("usage: bench [--demo | --quick | --alternatives | --memory] [--csv FILE] [--cpu N]\n"
          "             [--rounds R] [--fibers N] [--parkers ID]\n"
          "       bench --only ID --iters N      (untimed, for instruction counting)\n"
          "       bench --list\n",
          to);
}

static long parse_long(const char *s, long min)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min) {
        fprintf(stderr, "bench: bad number '%s'\n", s);
        exit(1);
    }
    return v;
}

int main(int argc, char **argv)
{
    int demo = 0, quick = 0, list = 0, alternatives = 0, memory = 0, cpu = -1;
    long rounds = 0, fibers = 100000, only_iters = 0;
    const char *csv_path = NULL, *only = NULL;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        int has_arg = i + 1 < argc;
        if (strcmp(a, "--demo") == 0)
            demo = 1;
        else if (strcmp(a, "--quick") == 0)
            quick = 1;
        else if (strcmp(a, "--list") == 0)
            list = 1;
        else if (strcmp(a, "--alternatives") == 0)
            alternatives = 1;
        else if (strcmp(a, "--memory") == 0)
            memory = 1;
        else if (strcmp(a, "--parkers") == 0 && has_arg)
            memory_only = argv[++i];
        else if (strcmp(a, "--csv") == 0 && has_arg)
            csv_path = argv[++i];
        else if (strcmp(a, "--cpu") == 0 && has_arg)
            cpu = (int)parse_long(argv[++i], 0);
        else if (strcmp(a, "--rounds") == 0 && has_arg)
            rounds = parse_long(argv[++i], 1);
        else if (strcmp(a, "--fibers") == 0 && has_arg)
            fibers = parse_long(argv[++i], 1);
        else if (strcmp(a, "--only") == 0 && has_arg)
            only = argv[++i];
        else if (strcmp(a, "--iters") == 0 && has_arg)
            only_iters = parse_long(argv[++i], 0);
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 1;
        }
    }
    if (rounds > MAX_ROUNDS - 1)
        rounds = MAX_ROUNDS - 1;

    add_cases(fctx_cases, sizeof fctx_cases / sizeof fctx_cases[0]);
#ifdef FCTX_BENCH_HAVE_HPP
    {
        unsigned nh;
        const struct bench_case *hc = bench_hpp_cases(&nh);
        add_cases(hc, nh);
    }
#endif
#ifdef FCTX_BENCH_HAVE_BOOST
    {
        unsigned nb;
        const struct bench_case *bc = bench_boost_cases(&nb);
        add_cases(bc, nb);
        have_boost = 1;
    }
#endif
#ifdef FCTX_BENCH_HAVE_LIBACO
    {
        unsigned na;
        const struct bench_case *ac = bench_aco_cases(&na);
        add_cases(ac, na);
    }
#endif

    if (list) {
        for (unsigned i = 0; i < n_entries; ++i)
            printf("%-24s %-7s %s\n", entries[i].c->id, entries[i].c->group, entries[i].c->label);
        return 0;
    }

    if (only != NULL) { /* one case, untimed: for callgrind */
        struct entry *e = find_entry(only);
        if (e == NULL) {
            fprintf(stderr, "bench: no case '%s' (see --list)\n", only);
            return 1;
        }
        int err = e->c->setup(&e->state);
        if (err) {
            fprintf(stderr, "bench: %s: setup failed (%s)\n", only, strerror(err));
            return 1;
        }
        e->active = 1;
        run_checked(e, only_iters);
        e->c->teardown(e->state);
        return functional_error;
    }

    describe_machine();
    int pinned = pin_cpu(cpu);
    FILE *csv = NULL;
    if (csv_path != NULL) {
        csv = fopen(csv_path, "w");
        if (csv == NULL) {
            fprintf(stderr, "bench: cannot write %s: %s\n", csv_path, strerror(errno));
            return 1;
        }
        /* The machine first, as a comment line (read it with comment='#'). */
        fprintf(csv, "# fctx bench (%s run), CPU: %s\n", demo ? "demo" : quick ? "quick" : "full",
                machine);
        fprintf(csv, "group,id,label,median_ns,min_ns,max_ns,p10_ns,p90_ns,vs_boost,"
                     "vs_equal_state\n");
    }

    const char *mode = demo ? "demo" : quick ? "quick" : "full";
    unsigned sw_rounds = (unsigned)(rounds ? rounds : demo ? 401 : quick ? 9 : 2001);
    unsigned cr_rounds = (unsigned)(rounds ? rounds : demo ? 0 : quick ? 5 : 301);
    /* Short rounds: on a shared machine most of them then run undisturbed. */
    double sw_round_ns = demo ? 5e4 : quick ? 5e4 : 5e4;
    double cr_round_ns = 1e5;
    if (quick && fibers == 100000)
        fibers = 2000;

    printf("## fctx benchmark (%s run)\n\n", mode);
    printf("- one-way switch = half a ping-pong round trip; median and min–max over rounds, "
           "cases interleaved; \"vs Boost\" = ratio of medians (lower is faster)\n");
    printf("- CPU: %s\n", machine);
    if (pinned >= 0)
        printf("- pinned to CPU %d\n", pinned);
    else
        printf("- not pinned to a CPU (unsupported here)\n");
#ifdef FCTX_NO_FPU_CONTROL_LIB
    printf("- library built with FCTX_NO_FPU_CONTROL: its default switch skips the FP control "
           "words\n");
#endif
    if (have_boost) {
#ifdef FCTX_BENCH_HAVE_BOOST
        long v = strtol(bench_boost_version(), NULL, 10);
        printf("- Boost.Context %ld.%ld.%ld (%s library)\n", v / 100000, v / 100 % 1000, v % 100,
               FCTX_BENCH_BOOST_LINK);
#endif
    } else {
        printf("- Boost.Context baseline missing: built without Boost (Debian: "
               "libboost-context-dev)\n");
    }
#ifndef FCTX_BENCH_HAVE_UCONTEXT
    printf("- glibc swapcontext baseline missing: no <ucontext.h> on this target\n");
#endif
#ifdef FCTX_BENCH_HAVE_LIBACO
    printf("- libaco baseline (shared-stack rows) from %s\n", FCTX_BENCH_LIBACO_DIR);
#else
    printf("- libaco baseline (shared-stack rows) absent: libaco is not packaged and not "
           "vendored; configure with -DFCTX_BENCH_LIBACO_DIR=<libaco checkout> to build it\n");
#endif

    if (memory) {
        measure_memory(fibers, csv);
        if (csv != NULL)
            fclose(csv);
        return functional_error;
    }

    if (demo) {
        /* The plain rows, then the real-program FP state (status flags
         * differ) next to the equal state it is compared with. */
        static const char *const demo_ids[] = {"jump",
                                               "fiber",
                                               "boost_jump",
                                               "boost_fiber",
                                               "swapcontext",
                                               "jump_fp_equal",
                                               "jump_fp_status",
                                               "fiber_fp_status",
                                               "boost_jump_fp_equal",
                                               "boost_jump_fp_status",
                                               "boost_fiber_fp_status",
                                               NULL};
        measure(NULL, demo_ids, sw_rounds, sw_round_ns);
        print_fp_legend();
        printf("\n| switch (one way) | ns | vs Boost jump_fcontext, same FP state |\n"
               "|---|---:|---:|\n");
        for (const char *const *p = demo_ids; *p != NULL; ++p) {
            const struct entry *e = find_entry(*p);
            if (e == NULL || !e->active)
                continue;
            /* the Boost jump_fcontext row of the same FP state */
            const char *fp = strstr(e->c->id, "_fp_");
            char bid[64];
            snprintf(bid, sizeof bid, "boost_jump%s", fp != NULL ? fp : "");
            const struct entry *bj = find_entry(bid);
            if (bj != NULL && bj->active)
                printf("| %s | %.1f | %.2f× |\n", e->c->label, e->median, e->median / bj->median);
            else
                printf("| %s | %.1f | n/a |\n", e->c->label, e->median);
        }
        printf("\n(%s)\n", machine);
        if (csv != NULL)
            fclose(csv);
        return functional_error;
    }

    if (alternatives) {
        /* Each code in the clean state and with status flags differing (the
         * same code in group altfp, id + "_fp_status"). */
        static const char *ids[MAX_CASES + 1];
        static const char *all[MAX_CASES + 1];
        unsigned k = 0, n = 0;
        static const char *const shipped[] = {"jump", "jump_nofpu", "boost_jump"};
        for (unsigned i = 0; i < sizeof shipped / sizeof shipped[0]; ++i)
            ids[k++] = shipped[i];
        for (unsigned i = 0; i < n_entries && k < MAX_CASES; ++i)
            if (strcmp(entries[i].c->group, "alt") == 0)
                ids[k++] = entries[i].c->id;
        ids[k] = NULL;
        if (k == 3)
            printf("- no alternative switch codes in this build (x86-64 SysV only)\n");
        for (unsigned i = 0; i < k; ++i) {
            char fid[64];
            snprintf(fid, sizeof fid, "%s_fp_status", ids[i]);
            all[n++] = ids[i];
            const struct entry *f = find_entry(fid);
            if (f != NULL && n < MAX_CASES)
                all[n++] = f->c->id;
        }
        all[n] = NULL;
        measure(NULL, all, sw_rounds, sw_round_ns);
        printf("\n### Alternative x86-64 switch codes (%u rounds, one-way switch)\n\n", sw_rounds);
        printf("Clean: no FP work, flags clear on both sides.  Flags differ: main multiplies "
               "inexactly, the peer exactly, before every switch (bench --list: fpstate).\n\n");
        printf("| code | clean: median ns | min–max ns | vs Boost | flags differ: median ns | "
               "vs Boost, flags differ |\n|---|---:|---:|---:|---:|---:|\n");
        for (unsigned i = 0; ids[i] != NULL; ++i) {
            const struct entry *e = find_entry(ids[i]);
            char r[32], fr[32], fid[64];
            if (e == NULL || !e->active)
                continue;
            snprintf(fid, sizeof fid, "%s_fp_status", ids[i]);
            const struct entry *f = find_entry(fid);
            printf("| %s | %.2f | %.2f–%.2f | %s |", e->c->label, e->median, e->min, e->max,
                   ratio_text(e, r, sizeof r));
            if (f != NULL && f->active)
                printf(" %.2f | %s |\n", f->median, ratio_text(f, fr, sizeof fr));
            else
                printf(" – | – |\n");
        }
        if (csv != NULL)
            fclose(csv);
        return functional_error;
    }

    measure("switch", NULL, sw_rounds, sw_round_ns);
    char title[128];
    snprintf(title, sizeof title, "One-way switch (%u rounds)", sw_rounds);
    print_table(title, "switch", csv);
    fflush(stdout);
    measure("fpstate", NULL, sw_rounds, sw_round_ns);
    print_fp_legend();
    snprintf(title, sizeof title, "One-way switch by FP state (%u rounds)", sw_rounds);
    print_table(title, "fpstate", csv);
    fflush(stdout);
    measure("shared", NULL, sw_rounds, sw_round_ns);
    snprintf(title, sizeof title, "Shared stacks: one-way switch, create + finish (%u rounds)",
             sw_rounds);
    print_table(title, "shared", csv);
    print_shared_notes();
    fflush(stdout);
    measure("sharedfp", NULL, sw_rounds, sw_round_ns);
    snprintf(title, sizeof title, "Shared stacks: one-way switch by FP state, 0 B live (%u rounds)",
             sw_rounds);
    print_table(title, "sharedfp", csv);
    fflush(stdout);
    measure("create", NULL, cr_rounds, cr_round_ns);
    snprintf(title, sizeof title, "Fiber create + first resume + finish, %u KiB stack (%u rounds)",
             CREATE_STACK / 1024, cr_rounds);
    print_table(title, "create", csv);
    fflush(stdout);
    measure_memory(fibers, csv);
    if (csv != NULL)
        fclose(csv);
    return functional_error;
}
