/* Raw primitives: transfers, ontop, nesting, entry alignment, libc and FP
 * inside a context, the entry's stack_top argument, and the entry-return
 * handler. */
#include <fctx/context.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "death.h"
#include "vg.h"

#define STACK_SIZE (256 * 1024)
static char stack_a[STACK_SIZE], stack_b[STACK_SIZE];

/* ---- transfer of data both ways ---------------------------------------- */

static void echo_plus_one(fctx_transfer_t t)
{
    for (;;) {
        intptr_t v = (intptr_t)t.data;
        t = fctx_jump(t.ctx, (void *)(v + 1));
    }
}

static void test_transfer(void)
{
    fctx_t c = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, echo_plus_one);
    CHECK(c != NULL);
    /* A few words at the top (the most, Win64: 368 bytes with xmm6-15 and
     * the TEB stack fields). */
    CHECK((char *)c < stack_a + STACK_SIZE && (char *)c > stack_a + STACK_SIZE - 512);
    for (intptr_t i = 0; i < 1000; ++i) {
        fctx_transfer_t t = fctx_jump(c, (void *)i);
        CHECK(t.data == (void *)(i + 1));
        CHECK(t.ctx != NULL);
        c = t.ctx;
    }
}

/* ---- ontop --------------------------------------------------------------- */

static int ontop_ran_on_target;
static char *ontop_target_lo, *ontop_target_hi;

static fctx_transfer_t times_ten(fctx_transfer_t t)
{
    /* The frame address, not a local's: with ASan's use-after-return
     * detection locals live on a heap "fake stack". */
    char *here = (char *)__builtin_frame_address(0);
    ontop_ran_on_target = here > ontop_target_lo && here < ontop_target_hi;
    t.data = (void *)((intptr_t)t.data * 10);
    return t;
}

static void test_ontop(void)
{
    ontop_target_lo = stack_a;
    ontop_target_hi = stack_a + STACK_SIZE;
    fctx_t c = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, echo_plus_one);
    /* First resume through ontop: fn's result becomes the entry's argument. */
    fctx_transfer_t t = fctx_ontop(c, (void *)4, times_ten);
    CHECK(ontop_ran_on_target);
    CHECK(t.data == (void *)41);
    /* ontop on a context suspended in fctx_jump. */
    ontop_ran_on_target = 0;
    t = fctx_ontop(t.ctx, (void *)7, times_ten);
    CHECK(ontop_ran_on_target);
    CHECK(t.data == (void *)71);
    /* The ontop fn sees the resumer's context and can hand it on. */
    t = fctx_jump(t.ctx, (void *)1);
    CHECK(t.data == (void *)2);
}

/* ---- nesting: main -> A -> B -> A -> main -------------------------------- */

static fctx_t nest_main;

static void nested_b(fctx_transfer_t t)
{
    t = fctx_jump(t.ctx, (void *)((intptr_t)t.data * 3)); /* back to A */
    for (;;)
        t = fctx_jump(t.ctx, NULL);
}

static void nested_a(fctx_transfer_t t)
{
    nest_main = t.ctx;
    fctx_t b = fctx_make(stack_b + STACK_SIZE, STACK_SIZE, nested_b);
    fctx_transfer_t r = fctx_jump(b, (void *)((intptr_t)t.data + 1));
    t = fctx_jump(nest_main, r.data);
    for (;;)
        t = fctx_jump(t.ctx, NULL);
}

static void test_nested(void)
{
    fctx_t a = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, nested_a);
    fctx_transfer_t t = fctx_jump(a, (void *)5);
    CHECK(t.data == (void *)18); /* (5 + 1) * 3 */
}

/* ---- entry alignment, libc and floating point inside a context ---------- */

#define ABI_STACK_ALIGN (2 * sizeof(void *) > 16 ? 16 : 2 * sizeof(void *))

struct libc_result {
    int aligned;
    char text[64];
    int scanned;
    double d;
    double root;
};

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int local_is_aligned(void)
{
    _Alignas(ABI_STACK_ALIGN) volatile char probe[ABI_STACK_ALIGN];
    probe[0] = 1;
    return ((uintptr_t)probe % ABI_STACK_ALIGN) == 0;
}

static void libc_entry(fctx_transfer_t t)
{
    struct libc_result *r = (struct libc_result *)t.data;
    r->aligned = local_is_aligned();
    volatile double x = 2.0;
    r->root = sqrt(x);
    snprintf(r->text, sizeof r->text, "%d %.3f %s %lld", 42, 3.25, "fctx", 1234567890123ll);
    int n = 0;
    r->scanned = sscanf("17 2.5", "%d %lf", &n, &r->d) == 2 && n == 17;
    fctx_jump(t.ctx, NULL);
}

static void test_libc_and_fp(void)
{
    struct libc_result r;
    memset(&r, 0, sizeof r);
    /* Deliberately misaligned top: fctx_make aligns it itself. */
    fctx_t c = fctx_make(stack_a + STACK_SIZE - 3, STACK_SIZE - 3, libc_entry);
    fctx_jump(c, &r);
    CHECK(r.aligned);
    CHECK(strcmp(r.text, "42 3.250 fctx 1234567890123") == 0);
    CHECK(r.scanned);
    CHECK(r.d == 2.5);
    CHECK(fabs(r.root - 1.41421356) < 1e-6);
}

/* ---- the entry's second argument: fctx_make's stack_top ----------------- */

static void *top_seen;
static void *top_data_seen;

static void top_entry(fctx_transfer_t t, void *stack_top)
{
    top_seen = stack_top;
    top_data_seen = t.data;
    fctx_jump(t.ctx, NULL);
}

/* Runs on top of a context that never ran: clobbers every argument
 * register it can through a call, then lets the context start. */
static fctx_transfer_t ontop_first(fctx_transfer_t t)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%d %d %d %d %d %d", 1, 2, 3, 4, 5, 6);
    t.data = (void *)(uintptr_t)(strlen(buf) + 1000);
    return t;
}

static void test_entry_stack_top(void)
{
    /* Unaligned on purpose: the entry gets the top exactly as given. */
    for (int off = 0; off < 4; ++off) {
        char *top = stack_a + STACK_SIZE - 1 - off * 5;
        top_seen = NULL;
        fctx_t c = fctx_make(top, STACK_SIZE - 64, fctx_entry_with_top(top_entry));
        fctx_jump(c, (void *)(uintptr_t)off);
        CHECK(top_seen == top);
        CHECK(top_data_seen == (void *)(uintptr_t)off);
    }
    /* Started by an ontop function: the top survives it. */
    char *top = stack_b + STACK_SIZE - 7;
    top_seen = NULL;
    fctx_t c = fctx_make(top, STACK_SIZE - 64, fctx_entry_with_top(top_entry));
    fctx_ontop(c, NULL, ontop_first);
    CHECK(top_seen == top);
    CHECK(top_data_seen == (void *)(uintptr_t)1011);
    CHECK(fctx_entry_with_top(NULL) == NULL);
}

/* ---- entry function that returns --------------------------------------- */

static void returns(fctx_transfer_t t)
{
    (void)t;
}

static void custom_handler(void)
{
    fputs("custom handler called\n", stderr);
    fflush(stderr);
    _Exit(77);
}

static void child_default(void)
{
    fctx_t c = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, returns);
    fctx_jump(c, NULL);
}

static void child_custom(void)
{
    fctx_set_entry_return_handler(custom_handler);
    child_default();
}

static void test_entry_return_handler(void)
{
    struct death d = run_in_child(child_default);
    CHECK(d.signal == SIGABRT);
    CHECK(strstr(d.output, "entry function returned") != NULL);
    d = run_in_child(child_custom);
    CHECK(d.signal == 0 && d.exit_code == 77);
    CHECK(strstr(d.output, "custom handler called") != NULL);
    /* NULL restores the default and the previous one is returned. */
    CHECK(fctx_set_entry_return_handler(custom_handler) != custom_handler);
    CHECK(fctx_set_entry_return_handler(NULL) == custom_handler);
}

int main(void)
{
    TEST_STACK_REGISTER(stack_a, stack_a + STACK_SIZE);
    TEST_STACK_REGISTER(stack_b, stack_b + STACK_SIZE);
    RUN(test_transfer);
    RUN(test_ontop);
    RUN(test_nested);
    RUN(test_libc_and_fp);
    RUN(test_entry_stack_top);
    RUN(test_entry_return_handler);
    return 0;
}
