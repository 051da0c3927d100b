/* Raw contexts (fctx_make/fctx_jump) announced to the tools by the user, as
 * docs/tools.md ("Raw contexts") shows: the fiber layer does this itself,
 * the raw primitives cannot.
 *
 *   AddressSanitizer: __sanitizer_start_switch_fiber() before each jump,
 *     __sanitizer_finish_switch_fiber() after arriving (also at a new
 *     context's entry);
 *   ThreadSanitizer: one TSan fiber per context, __tsan_switch_to_fiber()
 *     right before each jump, in the frame that jumps;
 *   valgrind: VALGRIND_STACK_REGISTER() for every stack.
 *
 * The scenario: main and a worker context ping-pong ROUNDS times; the
 * worker recurses (locals on its stack) and, in ASan builds, calls
 * __asan_handle_no_return() - what every throw, longjmp and noreturn call
 * does - which makes ASan unpoison "the current stack" and warn if it does
 * not know which stack that is.  It runs in a child process twice:
 *   announced:     must exit 0 with no sanitizer warning on stderr;
 *   not announced: (ASan builds) must print ASan's "ignoring requested
 *                  __asan_handle_no_return" warning - the control that
 *                  shows the check can fail and the announcements matter.
 */
#include <fctx/context.h>

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "death.h"
#include "vg.h"

#if defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define TEST_ASAN 1
#  endif
#  if __has_feature(thread_sanitizer)
#    define TEST_TSAN 1
#  endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(TEST_ASAN)
#  define TEST_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__) && !defined(TEST_TSAN)
#  define TEST_TSAN 1
#endif
#ifdef TEST_ASAN
#  include <sanitizer/asan_interface.h>
#  include <sanitizer/common_interface_defs.h>
#endif
#ifdef TEST_TSAN
#  include <sanitizer/tsan_interface.h>
#endif

/* ---- the pattern from docs/tools.md ---------------------------------------- */

struct tooled {
    fctx_t ctx;           /* valid while suspended */
    const void *bottom;   /* lowest stack address (0: learned at first switch) */
    size_t size;
    void *asan_fake_stack; /* ASan's handle for our fake frames while suspended */
    void *tsan_fiber;
};

static int announce = 1; /* 0: the control run, tools not told */

/* Switch from `self` to `to`; returns when someone switches back to `self`. */
static fctx_transfer_t tooled_jump(struct tooled *self, struct tooled *to, void *data)
{
#ifdef TEST_ASAN
    if (announce)
        __sanitizer_start_switch_fiber(&self->asan_fake_stack, to->bottom, to->size);
#endif
#ifdef TEST_TSAN
    if (announce)
        __tsan_switch_to_fiber(to->tsan_fiber, 0); /* in the frame that jumps */
#endif
    fctx_transfer_t t = fctx_jump(to->ctx, data);
    /* Back in `self`; t.ctx is the suspended sender (a struct tooled * is
     * passed as data by convention below, so it can store it). */
#ifdef TEST_ASAN
    if (announce) {
        const void *from_bottom;
        size_t from_size;
        __sanitizer_finish_switch_fiber(self->asan_fake_stack, &from_bottom, &from_size);
        struct tooled *from = *(struct tooled **)t.data;
        if (from->size == 0) { /* a thread's own stack: now we know it */
            from->bottom = from_bottom;
            from->size = from_size;
        }
    }
#endif
    (void)self;
    return t;
}

/* First thing a new context does. */
static void tooled_arrived_first(struct tooled *self, fctx_transfer_t t)
{
#ifdef TEST_ASAN
    if (announce) {
        const void *from_bottom;
        size_t from_size;
        __sanitizer_finish_switch_fiber(NULL, &from_bottom, &from_size);
        struct tooled *from = *(struct tooled **)t.data;
        if (from->size == 0) {
            from->bottom = from_bottom;
            from->size = from_size;
        }
    }
#endif
    (void)self;
    (void)t;
}

/* ---- the scenario ------------------------------------------------------------ */

#define STACK_SIZE (256 * 1024)
#define ROUNDS 200
static char worker_stack[STACK_SIZE];
static struct tooled main_ctx, worker_ctx;

/* What travels through each switch: who sent it and a number. */
struct msg {
    struct tooled *from; /* first member: read by tooled_jump */
    int value;
};

static volatile int sink;
static int recurse(int n)
{
    volatile char pad[256]; /* stack (or ASan fake-stack) frames */
    pad[0] = (char)n;
    if (n == 0) {
#ifdef TEST_ASAN
        __asan_handle_no_return(); /* as a throw or longjmp would */
#endif
        return pad[0];
    }
    int r = recurse(n - 1) + pad[0];
    sink = r;
    return r;
}

static void worker(fctx_transfer_t t)
{
    tooled_arrived_first(&worker_ctx, t);
    main_ctx.ctx = t.ctx;
    struct msg *in = (struct msg *)t.data;
    for (;;) {
        struct msg out = {&worker_ctx, in->value + recurse(16)};
        t = tooled_jump(&worker_ctx, &main_ctx, &out);
        main_ctx.ctx = t.ctx;
        in = (struct msg *)t.data;
    }
}

static void scenario(void)
{
    TEST_STACK_REGISTER(worker_stack, worker_stack + STACK_SIZE);
    memset(&main_ctx, 0, sizeof main_ctx);
    memset(&worker_ctx, 0, sizeof worker_ctx);
    worker_ctx.bottom = worker_stack;
    worker_ctx.size = STACK_SIZE;
#ifdef TEST_TSAN
    main_ctx.tsan_fiber = __tsan_get_current_fiber();
    worker_ctx.tsan_fiber = __tsan_create_fiber(0);
#endif
    worker_ctx.ctx = fctx_make(worker_stack + STACK_SIZE, STACK_SIZE, worker);
    int expect = 0;
    for (int i = 0; i < ROUNDS; ++i) {
        struct msg out = {&main_ctx, i};
        fctx_transfer_t t = tooled_jump(&main_ctx, &worker_ctx, &out);
        worker_ctx.ctx = t.ctx;
        const struct msg *in = (const struct msg *)t.data;
        CHECK(in->from == &worker_ctx);
        if (i == 0)
            expect = in->value; /* i + the recursion's sum */
        CHECK(in->value == expect + i);
    }
    /* The worker stays suspended forever on a static stack: nothing to free.
     * Its TSan fiber is destroyed from here (never the running one). */
#ifdef TEST_TSAN
    __tsan_destroy_fiber(worker_ctx.tsan_fiber);
#endif
}

static void run_announced(void)
{
    announce = 1;
    scenario();
}

static void test_announced(void)
{
    struct death d = run_in_child(run_announced);
    if (d.signal != 0 || d.exit_code != 0 || strstr(d.output, "WARNING") != NULL ||
        strstr(d.output, "Sanitizer") != NULL)
        fprintf(stderr, "child: signal %d, exit %d, output:\n%s\n", d.signal, d.exit_code,
                d.output);
    CHECK(d.signal == 0 && d.exit_code == 0);
    CHECK(strstr(d.output, "WARNING") == NULL);
    CHECK(strstr(d.output, "Sanitizer") == NULL);
}

#ifdef TEST_ASAN
static void run_unannounced(void)
{
    announce = 0;
    scenario();
}

static void test_unannounced_control(void)
{
    struct death d = run_in_child(run_unannounced);
    CHECK(strstr(d.output, "ASan is ignoring requested __asan_handle_no_return") != NULL);
}
#endif

int main(void)
{
    RUN(test_announced);
#ifdef TEST_ASAN
    RUN(test_unannounced_control);
#else
    printf("control run (tools not told) only in AddressSanitizer builds\n");
#endif
    return 0;
}
