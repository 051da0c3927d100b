/* test_tools_runtime.c - a program built with ASan or TSan over a libfctx
 * built without them (docs/tools.md, "Tools without rebuilding").
 *
 * The library must find the sanitizer at run time and announce every fiber
 * switch to it.  Checked, in fibers that are resumed, suspended, canceled
 * and finished:
 *   TSan: inside a fiber the current TSan fiber is not the thread's, it is
 *         the same one at every resume of that fiber, other fibers have
 *         other ones, and back on the thread it is the thread's again;
 *   ASan: longjmp inside a fiber (ASan's no-return handling needs the
 *         fiber's stack bounds) and deep frames with redzones on every
 *         fiber; a missed announcement makes ASan print "WARNING: ASan ..."
 *         or report an error, which fail the test (FAIL_REGULAR_EXPRESSION
 *         in tests/CMakeLists.txt).
 * Built only with -fsanitize=address or -fsanitize=thread.
 */
#include <fctx/fiber.h>

#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "tool_env.h"

#if defined(UNDER_TSAN)
#  include <sanitizer/tsan_interface.h>
#elif !defined(UNDER_ASAN)
#  error "test_tools_runtime is built with -fsanitize=address or -fsanitize=thread only"
#endif

#define NFIB 4
#define ROUNDS 5

static void *fiber_id(void)
{
#if defined(UNDER_TSAN)
    return __tsan_get_current_fiber();
#else
    return NULL;
#endif
}

struct fib {
    int index;
    void *seen;  /* the sanitizer's fiber at the first resume */
    int rounds;
};

/* Frames with redzones (ASan) and a longjmp back up through them. */
static jmp_buf jb;

static void deep(int n, volatile char *acc);
/* Called through a pointer: gcc takes recursion that ends in longjmp for
 * infinite. */
static void (*volatile deep_call)(int, volatile char *) = deep;

static void deep(int n, volatile char *acc)
{
    char buf[256];
    memset(buf, n, sizeof buf);
    acc[0] = (char)(acc[0] + buf[n % 256]);
    if (n > 0)
        deep_call(n - 1, acc);
    else
        longjmp(jb, 1);
}

static void use_stack(void)
{
    volatile char acc[1] = {0};
    if (setjmp(jb) == 0)
        deep_call(40, acc);
}

static fctx_fiber_t body(fctx_fiber_t caller, void *arg)
{
    struct fib *f = (struct fib *)arg;
    void *me = fiber_id();
    f->seen = me;
    for (;;) {
        use_stack();
        CHECK(fiber_id() == me);
        ++f->rounds;
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, f);
        caller = t.fiber;
        if (t.data == FCTX_FIBER_CANCELED || f->rounds == ROUNDS)
            return caller;
    }
}

static fctx_fiber_transfer_t on_top(fctx_fiber_transfer_t t)
{
    use_stack(); /* on top of the fiber, on its stack */
    return t;
}

static void test_fibers(void)
{
    void *thread = fiber_id();
    struct fib fibs[NFIB];
    fctx_fiber_t h[NFIB];
    for (int i = 0; i < NFIB; ++i) {
        fibs[i].index = i;
        fibs[i].seen = NULL;
        fibs[i].rounds = 0;
        CHECK(fctx_fiber_create(&h[i], NULL, 0, body) == 0);
    }
    for (int r = 0; r < ROUNDS; ++r) {
        for (int i = 0; i < NFIB; ++i) {
            if (h[i] == NULL)
                continue;
            fctx_fiber_transfer_t t;
            if (i == 3 && r == 2) {
                t = fctx_fiber_cancel(h[i]);
                CHECK(t.fiber == NULL); /* finished */
                h[i] = NULL;
                continue;
            }
            if (i == 2)
                t = fctx_fiber_resume_with(h[i], on_top, &fibs[i]);
            else
                t = fctx_fiber_resume(h[i], &fibs[i]);
            CHECK(fiber_id() == thread);
            CHECK(t.fiber != NULL && t.data == &fibs[i]);
            h[i] = t.fiber;
        }
    }
    for (int i = 0; i < NFIB; ++i) {
        CHECK(h[i] == NULL || fibs[i].rounds == ROUNDS);
        if (h[i] != NULL) {
            fctx_fiber_transfer_t t = fctx_fiber_resume(h[i], NULL);
            CHECK(t.fiber == NULL);
        }
#if defined(UNDER_TSAN)
        CHECK(fibs[i].seen != NULL && fibs[i].seen != thread);
        for (int j = 0; j < i; ++j)
            CHECK(fibs[i].seen != fibs[j].seen);
#endif
    }
    use_stack(); /* and on the thread's own stack afterwards */
}

int main(void)
{
    RUN(test_fibers);
    return 0;
}
