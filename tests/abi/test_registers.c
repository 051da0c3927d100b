/*
 * Register preservation across fctx_jump and fctx_ontop.
 *
 * Three contexts (main, X, Y) each load every callee-saved register and the
 * FP control bits with their own distinct values (tests/regs/regs_<abi>.S),
 * switch among each other, and check on return that every word is exactly
 * what they loaded and that the stack pointer is back where it was.  A
 * deliberately broken switch must be caught.  The same with fibers of one
 * shared stack, where every switch copies the fibers' stacks (the registers
 * a fiber saved live in the copied bytes).
 */
#include <fctx/context.h>
#include <fctx/shared_stack.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "vg.h"

typedef fctx_transfer_t (*jump_fn)(fctx_t, void *);

#ifdef RUNNING_ON_VALGRIND
/* Rounding-mode bits of the n-th FP control word, per architecture. */
static uint64_t regs_mask_rounding_only(unsigned n)
{
#  if defined(__x86_64__) || defined(__i386__)
    /* every x86 helper lists MXCSR first, then the x87 control word */
    return n == 0 ? 0x6000 /* MXCSR RC, bits 13-14 */ : 0x0C00 /* x87 RC, bits 10-11 */;
#  else
    (void)n;
    return ~(uint64_t)0; /* other targets are not run under valgrind here */
#  endif
}
#endif

extern const unsigned regs_count;
extern const uint64_t regs_mask[];
void regs_read(uint64_t *out);
fctx_transfer_t regs_switch(jump_fn jump, fctx_t to, void *data, const uint64_t *load,
                            uint64_t *store);
fctx_transfer_t regs_bad_jump(fctx_t to, void *data);

#define MAXW 64
#define ROUNDS 50

static uint64_t base[MAXW];
static uint64_t mask[MAXW]; /* regs_mask, narrowed under valgrind (see main) */

/* Distinct, non-trivial value for (context id, round, word). */
static void make_values(uint64_t *v, unsigned id, unsigned round)
{
    for (unsigned i = 0; i < regs_count; ++i) {
        uint64_t x = 0x9E3779B97F4A7C15ull * (id * 1000003u + round * 131u + i + 1);
        x ^= x >> 29;
        v[i] = (base[i] & ~mask[i]) | (x & mask[i]);
    }
}

/* FP control words are the ones with a partial mask; general-purpose words
 * have every bit of their register varied: all 64, or the low 32 for
 * zero-extended 32-bit registers. */
static int is_control_word(unsigned i)
{
    return regs_mask[i] != ~(uint64_t)0 && regs_mask[i] != 0xffffffffu;
}

static int reports; /* mismatch lines printed so far (capped) */

/* Returns the index of the first bad word, or -1. */
static int verify(const uint64_t *want, const uint64_t *got)
{
    for (unsigned i = 0; i < regs_count; ++i)
        if ((want[i] & mask[i]) != (got[i] & mask[i])) {
            if (reports++ < 3)
                fprintf(stderr, "  word %u: want 0x%llx got 0x%llx\n", i,
                    (unsigned long long)want[i], (unsigned long long)got[i]);
            return (int)i;
        }
    if (got[regs_count] != got[regs_count + 1]) {
        if (reports++ < 3)
            fprintf(stderr, "  stack pointer moved\n");
        return (int)regs_count;
    }
    return -1;
}

static fctx_transfer_t identity(fctx_transfer_t t)
{
    return t;
}

static fctx_transfer_t ontop_jump(fctx_t to, void *data)
{
    return fctx_ontop(to, data, identity);
}

static jump_fn jumper = fctx_jump;
static fctx_t ctx_x, ctx_y;
static int failures;

/* Y: ping-pong with X, loading its own values each time. */
static void y_main(fctx_transfer_t t)
{
    uint64_t load[MAXW], store[MAXW + 2];
    for (unsigned r = 0;; ++r) {
        make_values(load, 3, r);
        t = regs_switch(jumper, t.ctx, NULL, load, store);
        if (verify(load, store) >= 0)
            ++failures;
    }
}

/* X: between every round with main, a round trip through Y. */
static void x_main(fctx_transfer_t t)
{
    uint64_t load[MAXW], store[MAXW + 2];
    static char ystack[64 * 1024];
    static int registered;
    if (!registered++)
        TEST_STACK_REGISTER(ystack, ystack + sizeof ystack);
    fctx_t main_ctx = t.ctx;
    ctx_y = fctx_make(ystack + sizeof ystack, sizeof ystack, y_main);
    for (unsigned r = 0;; ++r) {
        make_values(load, 2, r);
        t = regs_switch(jumper, ctx_y, NULL, load, store);
        ctx_y = t.ctx;
        if (verify(load, store) >= 0)
            ++failures;
        make_values(load, 4, r);
        t = regs_switch(jumper, main_ctx, NULL, load, store);
        main_ctx = t.ctx;
        if (verify(load, store) >= 0)
            ++failures;
    }
}

static int run_rounds(jump_fn main_jump, jump_fn others)
{
    static char xstack[64 * 1024];
    uint64_t load[MAXW], store[MAXW + 2];
    int bad = -1;
    static int registered;
    if (!registered++)
        TEST_STACK_REGISTER(xstack, xstack + sizeof xstack);
    jumper = others;
    failures = 0;
    ctx_x = fctx_make(xstack + sizeof xstack, sizeof xstack, x_main);
    for (unsigned r = 0; r < ROUNDS; ++r) {
        make_values(load, 1, r);
        fctx_transfer_t t = regs_switch(main_jump, ctx_x, NULL, load, store);
        ctx_x = t.ctx;
        int b = verify(load, store);
        if (b >= 0 && bad < 0)
            bad = b;
    }
    return failures ? 0 : bad;
}

static void test_jump_preserves_all(void)
{
    CHECK(regs_count > 0 && regs_count <= MAXW);
    CHECK_EQ_U(run_rounds(fctx_jump, fctx_jump), -1);
}

static void test_ontop_preserves_all(void)
{
    CHECK_EQ_U(run_rounds(ontop_jump, ontop_jump), -1);
}

static void test_mixed(void)
{
    CHECK_EQ_U(run_rounds(fctx_jump, ontop_jump), -1);
    CHECK_EQ_U(run_rounds(ontop_jump, fctx_jump), -1);
}

/* ---- shared stacks: X and Y on one run stack, so every X<->Y switch
 * copies one out and the other in (through the stack's switcher) ---- */

static fctx_transfer_t fiber_jump(fctx_t to, void *data)
{
    fctx_fiber_transfer_t r = fctx_fiber_resume((fctx_fiber_t)to, data);
    fctx_transfer_t t = {(fctx_t)r.fiber, r.data};
    return t;
}

static fctx_fiber_t shared_y;

static fctx_fiber_t y_fiber(fctx_fiber_t caller, void *data)
{
    uint64_t load[MAXW], store[MAXW + 2];
    fctx_transfer_t t = {(fctx_t)caller, data};
    for (unsigned r = 0;; ++r) {
        make_values(load, 5, r);
        t = regs_switch(fiber_jump, t.ctx, NULL, load, store);
        if (t.data == FCTX_FIBER_CANCELED)
            return (fctx_fiber_t)t.ctx;
        if (verify(load, store) >= 0)
            ++failures;
    }
}

static fctx_fiber_t x_fiber(fctx_fiber_t caller, void *data)
{
    uint64_t load[MAXW], store[MAXW + 2];
    fctx_t main_ctx = (fctx_t)caller;
    (void)data;
    for (unsigned r = 0;; ++r) {
        make_values(load, 6, r);
        fctx_transfer_t t = regs_switch(fiber_jump, (fctx_t)shared_y, NULL, load, store);
        shared_y = (fctx_fiber_t)t.ctx;
        if (verify(load, store) >= 0)
            ++failures;
        make_values(load, 7, r);
        t = regs_switch(fiber_jump, main_ctx, NULL, load, store);
        if (t.data == FCTX_FIBER_CANCELED) {
            fctx_fiber_cancel(shared_y); /* Y finishes back into us */
            return (fctx_fiber_t)t.ctx;
        }
        main_ctx = t.ctx;
        if (verify(load, store) >= 0)
            ++failures;
    }
}

static void test_shared_stack_copies(void)
{
    fctx_shared_stack_t *ss;
#ifdef FCTX_TEST_NO_SHARED_STACKS
    /* Split-stack and wasm builds do not support shared stacks, and say so. */
    CHECK_EQ_U(fctx_shared_stack_create(&ss, NULL), ENOTSUP);
    printf("no shared stacks in this build (ENOTSUP), nothing to switch\n");
    return;
#endif
    CHECK_EQ_U(fctx_shared_stack_create(&ss, NULL), 0);
    fctx_fiber_t x;
    CHECK_EQ_U(fctx_fiber_create_shared(&x, ss, x_fiber), 0);
    CHECK_EQ_U(fctx_fiber_create_shared(&shared_y, ss, y_fiber), 0);
    uint64_t load[MAXW], store[MAXW + 2];
    int bad = -1;
    failures = 0;
    for (unsigned r = 0; r < ROUNDS; ++r) {
        make_values(load, 8, r);
        fctx_transfer_t t = regs_switch(fiber_jump, (fctx_t)x, NULL, load, store);
        x = (fctx_fiber_t)t.ctx;
        int b = verify(load, store);
        if (b >= 0 && bad < 0)
            bad = b;
    }
    CHECK(fctx_fiber_cancel(x).fiber == NULL);
    fctx_shared_stack_stats_t st;
    CHECK_EQ_U(fctx_shared_stack_stats(ss, &st), 0);
    CHECK(st.copies >= 2 * ROUNDS);
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), 0);
    CHECK_EQ_U(failures, 0);
    CHECK_EQ_U(bad, -1);
}

/* The checker itself must catch a switch that loses one register. */
static void test_broken_switch_is_caught(void)
{
    fprintf(stderr, "(expected mismatch reports follow)\n");
    int bad = run_rounds(regs_bad_jump, fctx_jump);
    CHECK(bad >= 0);
    fprintf(stderr, "(end of expected reports)\n");
}

int main(void)
{
    regs_read(base);
    for (unsigned i = 0; i < regs_count; ++i)
        mask[i] = regs_mask[i];
#ifdef RUNNING_ON_VALGRIND
    if (RUNNING_ON_VALGRIND) {
        /* valgrind's CPU emulates only the rounding-mode bits of the FP
         * control words (no FZ/DAZ, no x87 precision control), so only
         * those can round-trip; the native runs check every bit. */
        for (unsigned i = 0, n = 0; i < regs_count; ++i)
            if (is_control_word(i))
                mask[i] &= regs_mask_rounding_only(n++);
        printf("under valgrind: FP control checked on rounding-mode bits only\n");
    }
#endif
    RUN(test_jump_preserves_all);
    RUN(test_ontop_preserves_all);
    RUN(test_mixed);
    RUN(test_broken_switch_is_caught);
    RUN(test_shared_stack_copies); /* last: a shared stack slows every resume */
    uint64_t now[MAXW];
    regs_read(now);
    /* The FP control words (partial masks) are the caller's again. */
    for (unsigned i = 0; i < regs_count; ++i)
        if (is_control_word(i))
            CHECK_EQ_U(now[i] & mask[i], base[i] & mask[i]);
    return 0;
}
