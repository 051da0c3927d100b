/* Windows stacks (src/stacks/win.c): traits, size rounding, the fixed and
 * guarded allocators and their memory states, guard-page faults and stack
 * overflow in child processes (tests/win/death_win.h).  The Windows
 * counterpart of tests/test_stack.c, whose traits and exhaustion checks are
 * POSIX-specific (sysconf, rlimits). */
#include <fctx/fiber.h>
#include <fctx/stack.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "death.h"

#define STATUS_ACCESS_VIOLATION_ 0xC0000005ul
#define STATUS_STACK_OVERFLOW_ 0xC00000FDul
#define STATUS_GUARD_PAGE_VIOLATION_ 0x80000001ul
#define GUARD_PAGES 2 /* src/stacks/win.c: spare + guard page above the reserved one */

static void test_traits(void)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    CHECK(t == fctx_stack_traits());
    CHECK_EQ_U(t->page_size, si.dwPageSize);
    CHECK(t->page_size >= 4096 && (t->page_size & (t->page_size - 1)) == 0);
    /* Room to dispatch an exception (a CONTEXT record at least) + a page. */
    CHECK(t->min_size >= sizeof(CONTEXT) + t->page_size);
    CHECK(t->min_size % t->page_size == 0);
    CHECK(t->default_size >= t->min_size);
    CHECK(t->max_size >= t->default_size && t->max_size % t->page_size == 0);
    printf("  page %zu, min %zu, default %zu, max %zu\n", t->page_size, t->min_size,
           t->default_size, t->max_size);
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

/* The memory state of [p, p+len): one region with these properties. */
static void check_region(const void *p, size_t len, DWORD state, DWORD protect,
                         const void *allocation_base)
{
    MEMORY_BASIC_INFORMATION mi;
    CHECK(VirtualQuery(p, &mi, sizeof mi) == sizeof mi);
    CHECK(mi.BaseAddress == p);
    CHECK(mi.AllocationBase == allocation_base);
    CHECK_EQ_U(mi.RegionSize, len);
    CHECK_EQ_U(mi.State, state);
    if (state == MEM_COMMIT)
        CHECK_EQ_U(mi.Protect, protect);
}

static void check_allocator(const fctx_allocator_t *a, int guarded)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    fctx_stack_t s;
    CHECK(fctx_stack_allocate(a, 100 * 1000, &s) == 0);
    CHECK(s.size >= 100 * 1000 && s.size % t->page_size == 0);
    CHECK(s.mapped_size == s.size + (guarded ? (1 + GUARD_PAGES) * t->page_size : 0));
    CHECK((char *)s.sp == (char *)s.base + s.mapped_size);
    char *usable = (char *)s.sp - s.size;
    /* The whole usable stack is committed read/write up front ... */
    check_region(usable, s.size, MEM_COMMIT, PAGE_READWRITE, s.base);
    /* ... below it the guard page, a spare read/write page (room for the
     * exception record) and a reserved, never committed page: the layout
     * of a fully grown thread stack. */
    if (guarded) {
        check_region(usable - t->page_size, t->page_size, MEM_COMMIT,
                     PAGE_READWRITE | PAGE_GUARD, s.base);
        check_region((char *)s.base + t->page_size, t->page_size, MEM_COMMIT, PAGE_READWRITE,
                     s.base);
        check_region(s.base, t->page_size, MEM_RESERVE, 0, s.base);
    }
    memset(usable, 0xA5, s.size); /* all usable bytes writable */
    CHECK(fctx_stack_deallocate(a, &s) == 0);
    MEMORY_BASIC_INFORMATION mi;
    CHECK(VirtualQuery(s.base, &mi, sizeof mi) == sizeof mi && mi.State == MEM_FREE);

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
    /* Page protections: the VirtualAlloc analogue of mprotect. */
    CHECK(fctx_guard_method() == FCTX_GUARD_MPROTECT);
}

/* Many stacks at once: no per-stack mapping limit to run into. */
static void test_many(void)
{
    enum { N = 2000 };
    static fctx_stack_t s[N];
    for (int i = 0; i < N; ++i)
        CHECK(fctx_stack_allocate(fctx_guarded_allocator(), 16 * 1024, &s[i]) == 0);
    for (int i = 0; i < N; ++i)
        CHECK(fctx_stack_deallocate(fctx_guarded_allocator(), &s[i]) == 0);
}

/* ---- guard page faults, in child processes ------------------------------ */

static void child_touch_reserved(void)
{
    fctx_stack_t s;
    if (fctx_stack_allocate(fctx_guarded_allocator(), 0, &s) != 0)
        _Exit(3);
    volatile char *reserved = (volatile char *)s.base; /* the lowest page */
    reserved[10] = 1;
    _Exit(0);
}

static void child_touch_guard(void)
{
    fctx_stack_t s;
    if (fctx_stack_allocate(fctx_guarded_allocator(), 0, &s) != 0)
        _Exit(3);
    volatile char *guard = (volatile char *)s.sp - s.size - 100; /* the guard page */
    guard[0] = 1;
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

/* One frame bigger than a page: the compiler probes it page by page
 * (__chkstk / ___chkstk_ms), so it cannot skip the guard page. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static unsigned big_frame(size_t n)
{
    volatile char big[192 * 1024];
    for (size_t i = 0; i < n && i < sizeof big; i += 4096)
        big[i] = (char)i;
    big[sizeof big - 1] = 1;
    return big[0] + big[sizeof big - 1];
}

static unsigned depth_for_child;
static int use_big_frame;

static fctx_fiber_t deep(fctx_fiber_t caller, void *data)
{
    (void)data;
    if (use_big_frame)
        big_frame(sizeof(char[192 * 1024]));
    else
        recurse(depth_for_child, NULL);
    return caller;
}

static void run_deep(size_t stack_size)
{
    fctx_fiber_t f;
    if (fctx_fiber_create(&f, fctx_guarded_allocator(), stack_size, deep) != 0)
        _Exit(3);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, NULL);
    _Exit(t.fiber == NULL && t.data == NULL ? 0 : 4);
}

static void child_overflow(void)
{
    depth_for_child = 100000; /* ~50 MiB of frames on a 64 KiB stack */
    run_deep(64 * 1024);
}

static void child_within_bounds(void)
{
    depth_for_child = 300; /* ~170 KiB of 256 KiB: must not fault */
    run_deep(256 * 1024);
}

static void child_big_frame_overflow(void)
{
    use_big_frame = 1; /* 192 KiB frame on a 64 KiB stack */
    run_deep(64 * 1024);
}

static void child_big_frame_fits(void)
{
    use_big_frame = 1; /* 192 KiB frame on a 256 KiB stack */
    run_deep(256 * 1024);
}

/* fctx_make() directly on a guarded stack: its TEB DeallocationStack is
 * the usable bottom, so the guard pages are not "the stack" to the OS. */
static void raw_deep(fctx_transfer_t t)
{
    recurse(100000, NULL);
    fctx_jump(t.ctx, NULL);
}

static void child_raw_overflow(void)
{
    fctx_stack_t s;
    if (fctx_stack_allocate(fctx_guarded_allocator(), 64 * 1024, &s) != 0)
        _Exit(3);
    fctx_jump(fctx_make(s.sp, s.size, raw_deep), NULL);
    _Exit(0);
}

static int died_with(const struct death *d, unsigned long status)
{
    if (d->status == status && d->signal == SIGSEGV)
        return 1;
    fprintf(stderr, "child: signal %d, exit %d, status 0x%lx (want 0x%lx), output:\n%s\n",
            d->signal, d->exit_code, d->status, status, d->output);
    return 0;
}

static void test_guard_faults(void)
{
    struct death d = run_in_child(child_touch_reserved);
    CHECK(died_with(&d, STATUS_ACCESS_VIOLATION_));
    d = run_in_child(child_touch_guard);
    CHECK(died_with(&d, STATUS_GUARD_PAGE_VIOLATION_));
    /* A fiber's overflow is a stack overflow, as on a thread's stack. */
    d = run_in_child(child_overflow);
    CHECK(died_with(&d, STATUS_STACK_OVERFLOW_));
    d = run_in_child(child_big_frame_overflow);
    CHECK(died_with(&d, STATUS_STACK_OVERFLOW_));
    d = run_in_child(child_raw_overflow);
    CHECK(died_with(&d, STATUS_GUARD_PAGE_VIOLATION_));
    d = run_in_child(child_within_bounds);
    CHECK(d.signal == 0 && d.exit_code == 0);
    d = run_in_child(child_big_frame_fits);
    CHECK(d.signal == 0 && d.exit_code == 0);
}

int main(void)
{
    RUN(test_traits);
    RUN(test_round_size);
    RUN(test_fixed);
    RUN(test_guarded);
    RUN(test_many);
    RUN(test_guard_faults);
    return 0;
}
