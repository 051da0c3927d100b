/* Stack traits, size rounding, the fixed and guarded allocators, guard-page
 * faults (in child processes) and exhaustion without leaks. */
#define _GNU_SOURCE 1
#include <fctx/fiber.h>
#include <fctx/stack.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"
#include "death.h"

static void test_traits(void)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    CHECK(t == fctx_stack_traits());
    CHECK(t->page_size >= 4096 && (t->page_size & (t->page_size - 1)) == 0);
    CHECK(t->page_size == (size_t)sysconf(_SC_PAGESIZE));
    long minsig = sysconf(_SC_MINSIGSTKSZ);
    CHECK(t->min_size >= (size_t)(minsig > 0 ? minsig : MINSIGSTKSZ));
    CHECK(t->min_size % t->page_size == 0);
    CHECK(t->default_size >= t->min_size);
    CHECK(t->max_size >= t->default_size);
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_STACK, &rl) == 0);
    if (rl.rlim_cur != RLIM_INFINITY)
        CHECK(t->max_size <= rl.rlim_cur);
}

static void test_round_size(void)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    size_t r = 0;
    CHECK(fctx_stack_round_size(0, &r) == 0 && r == t->default_size);
    CHECK(fctx_stack_round_size(1, &r) == 0 && r == t->min_size);
    CHECK(fctx_stack_round_size(t->min_size + 1, &r) == 0 && r == t->min_size + t->page_size);
    r = 12345;
    CHECK(fctx_stack_round_size(t->max_size + 1, &r) == E2BIG && r == 12345);
    CHECK(fctx_stack_round_size((size_t)-1, &r) == E2BIG);
    CHECK(fctx_stack_round_size(4096, NULL) == EINVAL);
}

static void check_allocator(const fctx_allocator_t *a, int guarded)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    fctx_stack_t s;
    CHECK(fctx_stack_allocate(a, 100 * 1000, &s) == 0);
    CHECK(s.size >= 100 * 1000 && s.size % t->page_size == 0);
    CHECK(s.mapped_size == s.size + (guarded ? t->page_size : 0));
    CHECK((char *)s.sp == (char *)s.base + s.mapped_size);
    memset((char *)s.sp - s.size, 0xA5, s.size); /* all usable bytes writable */
    CHECK(fctx_stack_deallocate(a, &s) == 0);

    CHECK(fctx_stack_allocate(a, 0, &s) == 0);
    CHECK(s.size == t->default_size);
    CHECK(fctx_stack_deallocate(a, &s) == 0);

    CHECK(fctx_stack_allocate(a, (size_t)-1, &s) == E2BIG);
    CHECK(fctx_stack_allocate(a, 4096, NULL) == EINVAL);
    CHECK(fctx_stack_allocate(NULL, 4096, &s) == EINVAL);
    CHECK(fctx_stack_deallocate(a, NULL) == EINVAL);
    CHECK(fctx_stack_deallocate(NULL, &s) == EINVAL);
    fctx_stack_t empty;
    memset(&empty, 0, sizeof empty);
    CHECK(fctx_stack_deallocate(a, &empty) == EINVAL);
}

static void test_fixed(void)
{
    check_allocator(fctx_fixed_allocator(), 0);
}

static void test_guarded(void)
{
    check_allocator(fctx_guarded_allocator(), 1);
    fctx_guard_method_t m = fctx_guard_method();
    CHECK(m == FCTX_GUARD_MADVISE || m == FCTX_GUARD_MPROTECT);
    const char *forced = getenv("FCTX_GUARD_METHOD");
    if (forced && strcmp(forced, "mprotect") == 0)
        CHECK(m == FCTX_GUARD_MPROTECT);
    printf("  guard method: %s\n", m == FCTX_GUARD_MADVISE ? "madvise(MADV_GUARD_INSTALL)"
                                                           : "mprotect");
}

/* ---- guard page faults --------------------------------------------------- */

static void child_touch_guard(void)
{
    fctx_stack_t s;
    if (fctx_stack_allocate(fctx_guarded_allocator(), 0, &s) != 0)
        _Exit(3);
    volatile char *guard = (volatile char *)s.base; /* the guard page */
    guard[10] = 1;
    _Exit(0);
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static unsigned recurse(unsigned depth, volatile char *prev)
{
    volatile char frame[512];
    frame[0] = (char)depth;
    frame[511] = prev ? prev[0] : 0;
    if (depth == 0)
        return frame[0];
    return recurse(depth - 1, frame) + frame[511];
}

static unsigned depth_for_child;

static fctx_fiber_t deep(fctx_fiber_t caller, void *data)
{
    (void)data;
    recurse(depth_for_child, NULL);
    return caller;
}

static void child_overflow(void)
{
    fctx_fiber_t f;
    if (fctx_fiber_create(&f, fctx_guarded_allocator(), 64 * 1024, deep) != 0)
        _Exit(3);
    depth_for_child = 100000; /* ~50 MiB of frames on a 64 KiB stack */
    fctx_fiber_resume(f, NULL);
    _Exit(0);
}

static void child_within_bounds(void)
{
    fctx_fiber_t f;
    if (fctx_fiber_create(&f, fctx_guarded_allocator(), 256 * 1024, deep) != 0)
        _Exit(3);
    depth_for_child = 300; /* ~170 KiB of 256 KiB: must not fault */
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, NULL);
    _Exit(t.fiber == NULL && t.data == NULL ? 0 : 4);
}

static void test_guard_faults(void)
{
    struct death d = run_in_child(child_touch_guard);
    CHECK(died_of_segv(&d));
    d = run_in_child(child_overflow);
    CHECK(died_of_segv(&d));
    d = run_in_child(child_within_bounds);
    CHECK(d.signal == 0 && d.exit_code == 0);
}

/* ---- exhaustion: ENOMEM, nothing leaked ---------------------------------- */

static void child_exhaust(void)
{
    /* Cap the address space so mappings fail quickly. */
    struct rlimit rl = {256u << 20, 256u << 20};
    if (setrlimit(RLIMIT_AS, &rl) != 0)
        _Exit(5);
    static fctx_fiber_t fibers[100000];
    size_t n = 0;
    int err = 0;
    while (n < 100000 && (err = fctx_fiber_create(&fibers[n], NULL, 1u << 20, deep)) == 0)
        ++n;
    if (err != ENOMEM || n == 0 || n == 100000)
        _Exit(6);
    /* Release them all (never started: cancel frees without running). */
    for (size_t i = 0; i < n; ++i)
        fctx_fiber_cancel(fibers[i]);
    /* Everything came back: the same number fit again. */
    size_t m = 0;
    while (m < n && fctx_fiber_create(&fibers[m], NULL, 1u << 20, deep) == 0)
        ++m;
    _Exit(m == n ? 0 : 7);
}

#if defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#    define UNDER_SANITIZER 1
#  endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define UNDER_SANITIZER 1
#endif

static void test_exhaustion(void)
{
#ifdef UNDER_SANITIZER
    printf("  SKIPPED here: RLIMIT_AS cannot be capped under a sanitizer (shadow memory);\n"
           "  the plain builds run this check\n");
    return;
#endif
    struct death d = run_in_child(child_exhaust);
    CHECK(d.signal == 0);
    CHECK_EQ_U(d.exit_code, 0);
}

int main(void)
{
    RUN(test_traits);
    RUN(test_round_size);
    RUN(test_fixed);
    RUN(test_guarded);
    RUN(test_guard_faults);
    RUN(test_exhaustion);
    return 0;
}
