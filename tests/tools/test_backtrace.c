/* Unwinders inside contexts: _Unwind_Backtrace() (libgcc's CFI unwinder,
 * the one C++ exceptions and most profilers' DWARF mode use) and, with
 * glibc, backtrace() from <execinfo.h>.
 *
 * A capture is taken three calls deep (entry -> depth1 -> depth2 -> depth3)
 *   1. in a raw context made with fctx_make(),
 *   2. in a fiber,
 *   3. in a function run with fctx_fiber_resume_with() on top of a fiber that
 *      is suspended three calls deep (the trace walks the suspended frames).
 * Each trace must contain the return addresses the functions saw themselves
 * (__builtin_return_address), in order, must end exactly in the context's
 * start stub (the return address the raw entry saw), must stop the way a
 * walk of the thread's own stack stops (_URC_END_OF_STACK; Arm EHABI:
 * _URC_FAILURE at the outermost frame) and must be shorter than MAX_DEPTH
 * frames.
 */
#include <fctx/fctx.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unwind.h>
#ifdef FCTX_TEST_HAVE_EXECINFO
#  include <execinfo.h>
#endif

#include "check.h"
#include "vg.h"

#define MAX_DEPTH 64
#define NOINLINE __attribute__((noinline))

/* Arm: return addresses carry the Thumb bit, unwinders' IPs may not. */
static uintptr_t norm(const void *p)
{
    return (uintptr_t)p & ~(uintptr_t)1;
}

struct trace {
    uintptr_t ip[MAX_DEPTH + 1];
    int n;
    int overflow;
};

static _Unwind_Reason_Code collect(struct _Unwind_Context *ctx, void *arg)
{
    struct trace *t = (struct trace *)arg;
    if (t->n > MAX_DEPTH) {
        t->overflow = 1;
        return _URC_END_OF_STACK; /* stop a runaway walk (any value but NO_REASON) */
    }
    t->ip[t->n++] = norm((const void *)_Unwind_GetIP(ctx));
    return _URC_NO_REASON;
}

/* What the functions saw: ra[k] = depth k's return address into its caller;
 * ra[0] = the entry's return address (into fiber_main or the start stub). */
static uintptr_t ra[4];
static uintptr_t stub_ra; /* the start stub's address after its call to the entry */

static struct trace unwind_trace;
static _Unwind_Reason_Code unwind_rc;
/* How a walk of the thread's own stack ends: _URC_END_OF_STACK with DWARF
 * CFI; Arm EHABI's unwinder reports _URC_FAILURE at the outermost frame. */
static _Unwind_Reason_Code thread_end_rc;
#ifdef FCTX_TEST_HAVE_EXECINFO
static struct trace glibc_trace;
#endif

static NOINLINE void capture(void)
{
    memset(&unwind_trace, 0, sizeof unwind_trace);
    unwind_rc = _Unwind_Backtrace(collect, &unwind_trace);
#ifdef FCTX_TEST_HAVE_EXECINFO
    void *buf[MAX_DEPTH + 1];
    int n = backtrace(buf, MAX_DEPTH + 1);
    glibc_trace.n = n;
    glibc_trace.overflow = n > MAX_DEPTH;
    for (int i = 0; i < n; ++i)
        glibc_trace.ip[i] = norm(buf[i]);
#endif
}

/* Three calls deep; `after` runs at the bottom (capture, or suspend). */
static volatile int sink;
static NOINLINE void depth3(void (*after)(void))
{
    ra[3] = norm(__builtin_return_address(0));
    after();
    sink = sink + 3; /* not a tail call */
}
static NOINLINE void depth2(void (*after)(void))
{
    ra[2] = norm(__builtin_return_address(0));
    depth3(after);
    sink = sink + 2;
}
static NOINLINE void depth1(void (*after)(void))
{
    ra[1] = norm(__builtin_return_address(0));
    depth2(after);
    sink = sink + 1;
}

static void dump(const struct trace *t)
{
    fprintf(stderr, "expected ... %#lx %#lx %#lx %#lx | stub %#lx; got:", (unsigned long)ra[3],
            (unsigned long)ra[2], (unsigned long)ra[1], (unsigned long)ra[0],
            (unsigned long)stub_ra);
    for (int i = 0; i < t->n; ++i)
        fprintf(stderr, " %#lx", (unsigned long)t->ip[i]);
    fprintf(stderr, "\n");
}

/* The trace holds ra[3], ra[2], ra[1], ra[0] in a row (after capture's own
 * frames), fewer than MAX_DEPTH frames, and its last frame is the start
 * stub.  libgcc's _Unwind_Backtrace reports the end of the stack (the stub's
 * return address is "undefined" in its CFI) with one last frame whose IP is
 * 0, as it does above a thread's _start; glibc's backtrace() drops it. */
static void check_trace(struct trace *t, const char *what)
{
    if (t->n > 0 && t->ip[t->n - 1] == 0)
        --t->n;
    printf("  %-28s %2d frames\n", what, t->n);
    int at = -1;
    for (int i = 0; i + 3 < t->n; ++i) {
        if (t->ip[i] == ra[3] && t->ip[i + 1] == ra[2] && t->ip[i + 2] == ra[1] &&
            t->ip[i + 3] == ra[0]) {
            at = i;
            break;
        }
    }
    const int ok = !t->overflow && t->n < MAX_DEPTH && at >= 1 && stub_ra != 0 &&
                   t->ip[t->n - 1] == stub_ra;
    if (!ok)
        dump(t);
    CHECK(!t->overflow);
    CHECK(t->n > 0 && t->n < MAX_DEPTH);
    CHECK(at >= 1); /* frame 0 is capture() */
    CHECK(stub_ra != 0);
    CHECK(t->ip[t->n - 1] == stub_ra); /* ends in the start stub */
}

static void check_captures(const char *what)
{
    printf(" %s:\n", what);
    if (unwind_rc != thread_end_rc) {
        fprintf(stderr, "_Unwind_Backtrace returned %d, on the thread's stack %d\n",
                (int)unwind_rc, (int)thread_end_rc);
        dump(&unwind_trace);
    }
    CHECK(unwind_rc == thread_end_rc);
    check_trace(&unwind_trace, "_Unwind_Backtrace");
#ifdef FCTX_TEST_HAVE_EXECINFO
    check_trace(&glibc_trace, "backtrace");
#endif
}

/* ---- 1. raw context ------------------------------------------------------- */

#define STACK_SIZE (256 * 1024)
static char raw_stack[STACK_SIZE];

static NOINLINE void raw_entry(fctx_transfer_t t)
{
    stub_ra = norm(__builtin_return_address(0)); /* called by the start stub */
    ra[0] = stub_ra;
    depth1(capture);
    fctx_jump(t.ctx, NULL); /* never resumed again */
}

static void test_raw_context(void)
{
    TEST_STACK_REGISTER(raw_stack, raw_stack + STACK_SIZE);
    fctx_t c = fctx_make(raw_stack + STACK_SIZE, STACK_SIZE, raw_entry);
    fctx_jump(c, NULL);
    check_captures("raw context (fctx_make)");
}

/* ---- 2. fiber ----------------------------------------------------------- */

static NOINLINE fctx_fiber_t capture_fiber(fctx_fiber_t caller, void *data)
{
    (void)data;
    ra[0] = norm(__builtin_return_address(0));
    depth1(capture);
    return caller;
}

static void test_fiber(void)
{
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, NULL, 0, capture_fiber) == 0);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, NULL);
    CHECK(t.fiber == NULL);
    check_captures("fiber");
}

/* ---- 3. on top of a suspended fiber ---------------------------------------- */

static fctx_fiber_t parked_caller;
static NOINLINE void park(void)
{
    fctx_fiber_transfer_t t = fctx_fiber_resume(parked_caller, NULL);
    parked_caller = t.fiber;
}

static NOINLINE fctx_fiber_t parking_fiber(fctx_fiber_t caller, void *data)
{
    (void)data;
    parked_caller = caller;
    ra[0] = norm(__builtin_return_address(0));
    depth1(park);
    return parked_caller;
}

static NOINLINE fctx_fiber_transfer_t capture_on_top(fctx_fiber_transfer_t t)
{
    capture();
    return t;
}

static void test_on_top(void)
{
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, NULL, 0, parking_fiber) == 0);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, NULL); /* parks in depth3 */
    CHECK(t.fiber != NULL);
    memset(&unwind_trace, 0, sizeof unwind_trace);
    t = fctx_fiber_resume_with(t.fiber, capture_on_top, NULL);
    CHECK(t.fiber == NULL); /* the fiber went on and finished */
    check_captures("on top of a suspended fiber");
}

int main(void)
{
    struct trace main_trace;
    memset(&main_trace, 0, sizeof main_trace);
    thread_end_rc = _Unwind_Backtrace(collect, &main_trace);
    printf("the main thread's stack: %d frames, walk ends with code %d\n", main_trace.n,
           (int)thread_end_rc);
#if !defined(__arm__)
    CHECK(thread_end_rc == _URC_END_OF_STACK);
#endif
    RUN(test_raw_context); /* first: learns the stub's return address */
    RUN(test_fiber);
    RUN(test_on_top);
    return 0;
}
