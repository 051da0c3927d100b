/* Stack traits, size rounding, the fixed and guarded allocators, guard-page
 * faults (in child processes) and exhaustion without leaks. */
#define _GNU_SOURCE 1
#include <fctx/fiber.h>
#include <fctx/stack.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#  include <sys/auxv.h>
#endif

#include "check.h"

#include "tool_env.h"
#include "death.h"

/* Cases valgrind cannot model print why and are not counted as passed. */
static int not_run_under_valgrind(const char *reason)
{
#ifdef RUNNING_ON_VALGRIND
    if (RUNNING_ON_VALGRIND) {
        printf("  NOT RUN under valgrind: %s\n", reason);
        return 1;
    }
#endif
    (void)reason;
    return 0;
}

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

static char *self_path;

/* What the header says min_size and max_size are, computed here from the
 * same sources (and the same RLIMIT_STACK, which this process has not
 * changed since it started). */
static size_t expected_min_size(size_t page)
{
    long v = sysconf(_SC_MINSIGSTKSZ);
#if defined(__linux__)
    long aux = (long)getauxval(51 /* AT_MINSIGSTKSZ */);
    if (aux > v)
        v = aux;
#endif
    if (v <= 0)
        v = (long)MINSIGSTKSZ;
    return ((size_t)v + 2048 + page - 1) & ~(page - 1);
}

static size_t expected_max_size(const fctx_stack_traits_t *t)
{
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_STACK, &rl) == 0);
    size_t m = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)(SIZE_MAX / 2)
                   ? (size_t)1 << 30
                   : (size_t)rl.rlim_cur & ~(t->page_size - 1);
    return m < t->default_size ? t->default_size : m;
}

static void test_traits_exact(void)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    CHECK_EQ_U(t->min_size, expected_min_size(t->page_size));
    CHECK_EQ_U(t->default_size, t->min_size > 128 * 1024 ? t->min_size : 128 * 1024);
    CHECK_EQ_U(t->max_size, expected_max_size(t));
    printf("  page %zu, min %zu (_SC_MINSIGSTKSZ %ld), default %zu, max %zu\n", t->page_size,
           t->min_size, sysconf(_SC_MINSIGSTKSZ), t->default_size, t->max_size);
    /* A request of min_size or more (whole pages) is not rounded up further. */
    size_t r = 0;
    size_t want = 16 * 1024 > t->min_size ? 16 * 1024 : t->min_size;
    want = (want + t->page_size - 1) & ~(t->page_size - 1);
    CHECK(fctx_stack_round_size(want, &r) == 0);
    CHECK_EQ_U(r, want);
}

/* max_size under other RLIMIT_STACK values: traits are computed once per
 * process, so each case runs in a fresh exec of this test. */
static int traits_limit_child(void)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    return t->max_size == expected_max_size(t) && t->min_size == expected_min_size(t->page_size)
               ? 0
               : 1;
}

static void run_with_stack_limit(rlim_t limit, int *skipped)
{
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        struct rlimit rl;
        getrlimit(RLIMIT_STACK, &rl);
        rl.rlim_cur = limit;
        if (rl.rlim_max != RLIM_INFINITY && (limit == RLIM_INFINITY || limit > rl.rlim_max))
            rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_STACK, &rl) != 0)
            _Exit(2);
        execl(self_path, self_path, "--traits-limit", (char *)NULL);
        _Exit(77); /* cannot exec (e.g. under qemu-user without binfmt_misc) */
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st));
    if (WEXITSTATUS(st) == 77) {
        *skipped = 1;
        return;
    }
    CHECK_EQ_U(WEXITSTATUS(st), 0);
}

static void test_traits_limits(void)
{
    int skipped = 0;
    run_with_stack_limit(64 * 1024, &skipped);      /* below 128 KiB: max = default */
#ifndef UNDER_SANITIZER
    run_with_stack_limit(3 * 1024 * 1024 + 100, &skipped); /* rounded down to pages */
#else
    /* The sanitizer runtimes abort at start-up on a stack limit that is not
     * a multiple of the page size (an ASan CHECK); the native builds run it. */
    printf("  not run under a sanitizer: RLIMIT_STACK of 3 MiB + 100 bytes\n");
#endif
    run_with_stack_limit(RLIM_INFINITY, &skipped);  /* 1 GiB */
    if (skipped)
        printf("  SKIPPED the RLIMIT_STACK cases: cannot re-exec %s here\n", self_path);
}

/* ---- first calls of fctx_stack_traits() from several threads (TSan) ------ */

static pthread_barrier_t traits_barrier;
static const fctx_stack_traits_t *traits_seen[6];

static void *traits_thread(void *arg)
{
    size_t i = (size_t)(uintptr_t)arg;
    pthread_barrier_wait(&traits_barrier);
    const fctx_stack_traits_t *t = fctx_stack_traits();
    /* Read every field: a torn or unpublished result shows here (and TSan
     * reports any unordered write). */
    traits_seen[i] = t->page_size && t->min_size && t->default_size >= t->min_size &&
                             t->max_size >= t->default_size
                         ? t
                         : NULL;
    return NULL;
}

static int traits_race_child(void)
{
    pthread_t th[6];
    pthread_barrier_init(&traits_barrier, NULL, 6);
    for (size_t i = 0; i < 6; ++i)
        if (pthread_create(&th[i], NULL, traits_thread, (void *)(uintptr_t)i) != 0)
            return 2;
    for (size_t i = 0; i < 6; ++i)
        pthread_join(th[i], NULL);
    for (size_t i = 0; i < 6; ++i)
        if (traits_seen[i] == NULL || traits_seen[i] != traits_seen[0])
            return 3;
    return 0;
}

/* Must run before anything in this process calls fctx_stack_traits(): each
 * forked child makes the first call from 6 threads at once. */
static void test_traits_first_call_threads(void)
{
    for (int round = 0; round < 12; ++round) {
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0)
            _exit(traits_race_child()); /* TSan: a race report fails the exit code */
        int st = 0;
        CHECK(waitpid(pid, &st, 0) == pid);
        CHECK(WIFEXITED(st));
        CHECK_EQ_U(WEXITSTATUS(st), 0);
    }
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

/* ---- a signal taken on a min_size stack from a fiber ------------------- */

static volatile sig_atomic_t handler_runs;
static volatile uintptr_t handler_local;

static void small_handler(int sig)
{
    volatile char buf[256]; /* a handler with some frame of its own */
    for (size_t i = 0; i < sizeof buf; ++i)
        buf[i] = (char)(sig + (int)i);
#if defined(__GNUC__)
    /* The frame itself: ASan (detect_stack_use_after_return) moves buf to
     * its fake stack, off the stack the signal was delivered on. */
    handler_local = (uintptr_t)__builtin_frame_address(0);
#else
    handler_local = (uintptr_t)&buf[0];
#endif
    handler_runs = handler_runs + 1 + (buf[255] == 0);
}

static fctx_stack_t min_stack;

static fctx_fiber_t raise_in_fiber(fctx_fiber_t caller, void *data)
{
    (void)data;
    for (int i = 0; i < 3; ++i)
        raise(SIGUSR1); /* delivered on this stack: no alternate stack */
    return caller;
}

static void child_signal_on_min_stack(void)
{
    stack_t none;
    memset(&none, 0, sizeof none);
    none.ss_flags = SS_DISABLE;
    sigaltstack(&none, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = small_handler;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        _Exit(2);
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = fctx_guarded_allocator(); /* an overflow faults in the guard */
    attr.stack_size = 1;                       /* raised to min_size */
    attr.stack_out = &min_stack;
    fctx_fiber_t f;
    if (fctx_fiber_create_ex(&f, &attr, raise_in_fiber) != 0)
        _Exit(3);
    if (min_stack.size != fctx_stack_traits()->min_size)
        _Exit(4);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, NULL);
    uintptr_t lo = (uintptr_t)min_stack.sp - min_stack.size, hi = (uintptr_t)min_stack.sp;
    if (t.fiber != NULL || handler_runs != 3)
        _Exit(5);
    if (handler_local < lo || handler_local >= hi)
        _Exit(6); /* the handler did not run on the fiber's stack */
    _Exit(0);
}

static void test_signal_on_min_stack(void)
{
    if (not_run_under_valgrind("its signal frame (the guest state and two shadow copies)\n"
                               "  is larger than the kernel's, so it does not fit a min_size stack"))
        return;
    struct death d = run_in_child(child_signal_on_min_stack);
    if (d.signal)
        fprintf(stderr, "  child died of signal %d: %s\n", d.signal, d.output);
    CHECK(d.signal == 0);
    CHECK_EQ_U(d.exit_code, 0);
}

/* ---- guard size ----------------------------------------------------------- */

static fctx_stack_t guard_stack;
static size_t guard_page_to_touch;

static void child_touch_guard_page(void)
{
    volatile char *p = (volatile char *)guard_stack.base + guard_page_to_touch * 4096;
    p[1] = 1;
    _Exit(0);
}

static void child_touch_lowest_usable(void)
{
    volatile char *p = (volatile char *)guard_stack.sp - guard_stack.size;
    p[0] = 1;
    _Exit(0);
}

static void test_guard_pages(void)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    fctx_allocator_t a;
    memset(&a, 0x5A, sizeof a);
    fctx_allocator_t before = a;
    CHECK(fctx_guarded_allocator_ex(NULL, 1) == EINVAL);
    CHECK(fctx_guarded_allocator_ex(&a, t->max_size / t->page_size + 1) == EINVAL);
    CHECK(fctx_guarded_allocator_ex(&a, (size_t)-1) == EINVAL);
    CHECK(memcmp(&a, &before, sizeof a) == 0); /* untouched on error */

    /* 0 = the default = fctx_guarded_allocator(). */
    CHECK(fctx_guarded_allocator_ex(&a, 0) == 0);
    fctx_stack_t s;
    CHECK(fctx_stack_allocate(&a, 0, &s) == 0);
    CHECK_EQ_U(s.mapped_size, s.size + FCTX_GUARD_PAGES_DEFAULT * t->page_size);
    CHECK(fctx_stack_deallocate(&a, &s) == 0);

    const size_t pages[] = {1, 4, 17};
    for (size_t k = 0; k < sizeof pages / sizeof pages[0]; ++k) {
        CHECK(fctx_guarded_allocator_ex(&a, pages[k]) == 0);
        CHECK(fctx_stack_allocate(&a, 20000, &guard_stack) == 0);
        CHECK_EQ_U(guard_stack.mapped_size, guard_stack.size + pages[k] * t->page_size);
        CHECK((char *)guard_stack.sp == (char *)guard_stack.base + guard_stack.mapped_size);
        /* Every guard page faults; the lowest usable byte does not. */
        size_t step = t->page_size / 4096;
        for (size_t g = 0; g < pages[k]; ++g) {
            guard_page_to_touch = g * step;
            struct death d = run_in_child(child_touch_guard_page);
            CHECK(died_of_segv(&d));
        }
        struct death d = run_in_child(child_touch_lowest_usable);
        CHECK(d.signal == 0 && d.exit_code == 0);
        fctx_allocator_t copy = a; /* a plain value */
        CHECK(fctx_stack_deallocate(&copy, &guard_stack) == 0);
    }
    /* Fibers on it. */
    CHECK(fctx_guarded_allocator_ex(&a, 8) == 0);
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, &a, 64 * 1024, deep) == 0);
    depth_for_child = 10;
    CHECK(fctx_fiber_resume(f, NULL).fiber == NULL);
}

/* ---- a 64 KiB frame on a small guarded stack ------------------------------ *
 * With -fstack-clash-protection the frame touches its pages top down, so it
 * faults in the guard before it reaches anything below.  gcc: the function
 * attribute turns the option on for that function alone; other compilers
 * need the whole file built with it (FCTX_TEST_STACK_CLASH=1). */
#if defined(FCTX_TEST_STACK_CLASH)
#  define CLASH_PROTECTED
#  define HAVE_CLASH_PROTECTED 1
#elif defined(__GNUC__) && !defined(__clang__)
#  define CLASH_PROTECTED __attribute__((optimize("stack-clash-protection")))
#  define HAVE_CLASH_PROTECTED 1
#endif
#if defined(__GNUC__) && !defined(__clang__)
#  define CLASH_UNPROTECTED __attribute__((optimize("no-stack-clash-protection")))
#  define HAVE_CLASH_UNPROTECTED 1
#elif !defined(FCTX_TEST_STACK_CLASH)
#  define CLASH_UNPROTECTED
#  define HAVE_CLASH_UNPROTECTED 1
#endif

#define BIG_FRAME (64 * 1024)
static volatile size_t big_lo = 0, big_hi = BIG_FRAME - 1;

#ifdef HAVE_CLASH_PROTECTED
__attribute__((noinline)) CLASH_PROTECTED static int big_frame_probed(int x)
{
    volatile char buf[BIG_FRAME];
    size_t lo = big_lo, hi = big_hi; /* unknown to the compiler: all of buf stays */
    buf[lo] = (char)x; /* the lowest byte: 64 KiB below the caller */
    buf[hi] = (char)x;
    return buf[lo] + buf[hi];
}
#endif
#ifdef HAVE_CLASH_UNPROTECTED
__attribute__((noinline)) CLASH_UNPROTECTED static int big_frame_plain(int x)
{
    volatile char buf[BIG_FRAME];
    size_t lo = big_lo, hi = big_hi;
    buf[lo] = (char)x;
    buf[hi] = (char)x;
    return buf[lo] + buf[hi];
}
#endif

static int (*big_frame_fn)(int);
static fctx_stack_t big_stack;
static volatile unsigned char *neighbour; /* mapped right below big_stack.base */
#define NEIGHBOUR_SIZE (128 * 1024)

static int neighbour_intact(void)
{
    for (size_t i = 0; i < NEIGHBOUR_SIZE; ++i)
        if (neighbour[i] != 0xA5)
            return 0;
    return 1;
}

static void guard_fault_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    uintptr_t a = (uintptr_t)si->si_addr, g = (uintptr_t)big_stack.base;
    uintptr_t ge = (uintptr_t)big_stack.sp - big_stack.size;
    _exit(a >= g && a < ge && neighbour_intact() ? 42 : 43);
}

static fctx_fiber_t big_frame_entry(fctx_fiber_t caller, void *data)
{
    (void)data;
    big_frame_fn(1);
    return caller;
}

static void child_big_frame(void)
{
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    fctx_allocator_t a;
    if (fctx_guarded_allocator_ex(&a, (size_t)(uintptr_t)big_stack.impl) != 0)
        _Exit(2);
    attr.allocator = &a;
    attr.stack_size = 1; /* min_size */
    attr.stack_out = &big_stack;
    /* The neighbour: a mapping with a hole of exactly the stack's size
     * right above it; stacks are placed top down in the highest hole that
     * fits, so after the higher holes are used up a stack lands there. */
    const fctx_stack_traits_t *t = fctx_stack_traits();
    size_t len = t->min_size + (size_t)(uintptr_t)big_stack.impl * t->page_size;
    char *n = mmap(NULL, NEIGHBOUR_SIZE + len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (n == MAP_FAILED || munmap(n + NEIGHBOUR_SIZE, len) != 0)
        _Exit(4);
    fctx_fiber_t f = NULL;
    for (int tries = 0; tries < 256; ++tries) {
        if (fctx_fiber_create_ex(&f, &attr, big_frame_entry) != 0)
            _Exit(3);
        if ((char *)big_stack.base == n + NEIGHBOUR_SIZE)
            break; /* the others stay: they fill the holes above */
        f = NULL;
    }
    if (f == NULL) {
        fprintf(stderr, "no stack landed right above the neighbour at %p\n", (void *)n);
        _Exit(77);
    }
    neighbour = (volatile unsigned char *)n;
    memset((void *)neighbour, 0xA5, NEIGHBOUR_SIZE);
    static char alt[64 * 1024];
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = alt;
    ss.ss_size = sizeof alt;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = guard_fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGSEGV, &sa, NULL) != 0)
        _Exit(5);
    fctx_fiber_resume(f, NULL); /* returns only if no fault */
    _Exit(neighbour_intact() ? 44 : 45);
}

static char big_output[sizeof ((struct death *)0)->output];

static int run_big_frame(int (*fn)(int), size_t guard_pages)
{
    big_frame_fn = fn;
    big_stack.impl = (void *)(uintptr_t)guard_pages; /* passed to the child */
    struct death d = run_in_child(child_big_frame);
    memcpy(big_output, d.output, sizeof big_output);
    if (d.signal)
        return -d.signal;
    return d.exit_code;
}


static void test_big_frame(void)
{
#ifdef UNDER_ASAN
    printf("  SKIPPED here: ASan moves locals to its fake stack and pads frames;\n"
           "  the other builds run this check\n");
    return;
#endif
    int r;
#ifdef HAVE_CLASH_PROTECTED
    r = run_big_frame(big_frame_probed, 1);
    if (r == 77) {
        printf("  SKIPPED: could not map a neighbour below the stack: %s\n", big_output);
        return;
    }
    printf("  -fstack-clash-protection, 1 guard page: %s\n",
           r == 42 ? "faulted in the guard, neighbour intact" : "NOT caught");
    CHECK_EQ_U(r, 42);
#else
    printf("  SKIPPED the -fstack-clash-protection case: this compiler has no per-function\n"
           "  switch; build test_stack.c with -fstack-clash-protection -DFCTX_TEST_STACK_CLASH=1\n");
#endif
#ifdef HAVE_CLASH_UNPROTECTED
    /* Without the option: a guard bigger than the frame catches it. */
    size_t page = fctx_stack_traits()->page_size;
    size_t pages = (BIG_FRAME + fctx_stack_traits()->min_size) / page + 2;
    r = run_big_frame(big_frame_plain, pages);
    printf("  no stack-clash protection, %zu guard pages: %s\n", pages,
           r == 42 ? "faulted in the guard, neighbour intact" : "NOT caught");
    if (r != 77)
        CHECK_EQ_U(r, 42);
    /* With one guard page the frame jumps it: what happens is shown, not
     * required (a compiler may probe by default). */
    r = run_big_frame(big_frame_plain, 1);
    printf("  no stack-clash protection, 1 guard page: %s\n",
           r == 42   ? "faulted in the guard (this compiler probes anyway)"
           : r == 45 ? "jumped the guard and silently overwrote the neighbour"
           : r == 77 ? "not run (no neighbour)"
                     : "other outcome");
#endif
}

/* ---- release at vm.max_map_count: nothing leaked -------------------------- *
 * Stacks mapped one after another end up in one merged mapping (fixed, and
 * guarded with madvise guards); releasing one inside it needs a split, which
 * munmap() refuses with ENOMEM at the limit.  The child fills its own map
 * count (no root, no sysctl change), releases odd stacks then even ones, and
 * checks that mappings, VSZ and RSS are back at the baseline. */

static char maps_buf[1 << 16];

static long count_maps(void)
{
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd < 0)
        return -1;
    long lines = 0;
    ssize_t n;
    while ((n = read(fd, maps_buf, sizeof maps_buf)) > 0)
        for (ssize_t i = 0; i < n; ++i)
            lines += maps_buf[i] == '\n';
    close(fd);
    return lines;
}

/* VSZ (pages, /proc/self/statm) and anonymous RSS (KiB, RssAnon in
 * /proc/self/status: code pages faulted in meanwhile do not count). */
static int read_statm(unsigned long *vsz, unsigned long *rss)
{
    int fd = open("/proc/self/statm", O_RDONLY);
    if (fd < 0)
        return -1;
    char b[128];
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0)
        return -1;
    b[n] = 0;
    *vsz = strtoul(b, NULL, 10);
    fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0)
        return -1;
    static char st[8192];
    n = read(fd, st, sizeof st - 1);
    close(fd);
    if (n <= 0)
        return -1;
    st[n] = 0;
    const char *r = strstr(st, "RssAnon:");
    if (r == NULL)
        return -1;
    *rss = strtoul(r + 8, NULL, 10);
    return 0;
}

static long read_max_map_count(void)
{
    int fd = open("/proc/sys/vm/max_map_count", O_RDONLY);
    if (fd < 0)
        return -1;
    char b[32];
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0)
        return -1;
    b[n] = 0;
    return strtol(b, NULL, 10);
}

#define LIMIT_STACKS 240
static fctx_stack_t limit_stacks[LIMIT_STACKS];
static uintptr_t limit_ranges[LIMIT_STACKS][2]; /* [base, base + mapped_size) */
static const fctx_allocator_t *limit_alloc;
static void *filler_pages[4096];

/* How many of the released stacks still overlap a mapping in
 * /proc/self/maps (each one is printed): a direct check of what the
 * allocator returned, whatever else the process (a sanitizer runtime, libc)
 * maps meanwhile. */
static size_t stacks_still_mapped(void)
{
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd < 0)
        return LIMIT_STACKS; /* cannot tell: count as a failure */
    size_t len = 0;
    ssize_t n;
    while (len < sizeof maps_buf - 1 &&
           (n = read(fd, maps_buf + len, sizeof maps_buf - 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    maps_buf[len] = 0;
    size_t found = 0;
    for (char *line = maps_buf; *line;) {
        char *end;
        uintptr_t lo = (uintptr_t)strtoull(line, &end, 16);
        uintptr_t hi = *end == '-' ? (uintptr_t)strtoull(end + 1, &end, 16) : 0;
        for (size_t k = 0; k < LIMIT_STACKS; ++k)
            if (lo < limit_ranges[k][1] && limit_ranges[k][0] < hi) {
                fprintf(stderr, "stack %zu [%#lx, %#lx) still mapped: %#lx-%#lx\n", k,
                        (unsigned long)limit_ranges[k][0], (unsigned long)limit_ranges[k][1],
                        (unsigned long)lo, (unsigned long)hi);
                ++found;
            }
        char *nl = strchr(line, '\n');
        if (nl == NULL)
            break;
        line = nl + 1;
    }
    return found;
}

/* 0 ok; 10+ setup problems; 20+ leaks (mappings, VSZ, RSS, stacks still mapped). */
static void child_release_at_limit(void)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    size_t page = t->page_size;
    long max = read_max_map_count();
    if (max <= 0)
        _Exit(10);
    unsigned long vsz0, rss0, vsz1, rss1;
    /* Touch the buffers used below first: they are not part of the baseline. */
    memset(maps_buf, 1, sizeof maps_buf);
    memset(filler_pages, 0, sizeof filler_pages);
    /* Does VSZ follow this process's mappings?  Not under an emulator such
     * as qemu-user, which keeps the guest's address space reserved. */
    if (read_statm(&vsz0, &rss0) != 0)
        _Exit(11);
    void *probe = mmap(NULL, 256 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
    if (probe == MAP_FAILED || munmap(probe, 256 * page) != 0 ||
        read_statm(&vsz1, &rss1) != 0)
        _Exit(11);
    static char st[512];
    int sfd = open("/proc/self/status", O_RDONLY); /* not emulated by qemu-user */
    ssize_t sn = sfd >= 0 ? read(sfd, st, sizeof st - 1) : -1;
    if (sfd >= 0)
        close(sfd);
    if (sn > 0)
        st[sn] = 0;
    if (vsz1 > vsz0 || (sn > 0 && strstr(st, "Name:\tqemu-") != NULL)) {
        fprintf(stderr, "SKIPPED: VSZ does not follow munmap() here (an emulator?)\n");
        _Exit(78);
    }
    long maps0 = count_maps();
    if (maps0 < 0 || read_statm(&vsz0, &rss0) != 0)
        _Exit(11);
    if (maps0 + 2 * LIMIT_STACKS + 64 > max)
        _Exit(12); /* no headroom at all */
    for (size_t i = 0; i < LIMIT_STACKS; ++i) {
        if (fctx_stack_allocate(limit_alloc, 4 * page, &limit_stacks[i]) != 0)
            _Exit(13);
        memset((char *)limit_stacks[i].sp - limit_stacks[i].size, 0x5A, limit_stacks[i].size);
        limit_ranges[i][0] = (uintptr_t)limit_stacks[i].base;
        limit_ranges[i][1] = limit_ranges[i][0] + limit_stacks[i].mapped_size;
    }
    /* Fill the map count: a PROT_NONE reservation with every other page
     * made readable (each mprotect splits: +2 mappings) until it fails,
     * then single pages until mmap fails too. */
    long headroom = max - count_maps() + 16;
    size_t rpages = 2 * (size_t)(headroom > 0 ? headroom : 16) + 8;
    char *r = mmap(NULL, rpages * page, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED)
        _Exit(14);
    size_t i = 1;
    for (; i + 1 < rpages; i += 2)
        if (mprotect(r + i * page, page, PROT_READ) != 0)
            break;
    if (errno != ENOMEM)
        _Exit(15);
    size_t nfill = 0;
    while (nfill < sizeof filler_pages / sizeof filler_pages[0]) {
        void *q = mmap(NULL, page, (nfill & 1) ? PROT_READ : PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (q == MAP_FAILED)
            break;
        filler_pages[nfill++] = q;
    }
    if (nfill == sizeof filler_pages / sizeof filler_pages[0])
        _Exit(16); /* never reached the limit */
    /* At the limit: release odd stacks, then even ones from the middle out. */
    for (size_t k = 1; k < LIMIT_STACKS; k += 2)
        if (fctx_stack_deallocate(limit_alloc, &limit_stacks[k]) != 0)
            _Exit(17);
    for (size_t k = 0; k < LIMIT_STACKS / 2; ++k) {
        size_t m = LIMIT_STACKS / 2 + ((k & 1) ? k + 1 : -(k + 1)); /* around the middle */
        m &= ~(size_t)1;
        if (m >= LIMIT_STACKS)
            m = (k * 2) % LIMIT_STACKS;
        if (limit_stacks[m].base && fctx_stack_deallocate(limit_alloc, &limit_stacks[m]) != 0)
            _Exit(17);
        limit_stacks[m].base = NULL;
    }
    for (size_t k = 0; k < LIMIT_STACKS; k += 2)
        if (limit_stacks[k].base) {
            fctx_stack_deallocate(limit_alloc, &limit_stacks[k]);
            limit_stacks[k].base = NULL;
        }
    /* Below the limit again. */
    for (size_t k = 0; k < nfill; ++k)
        munmap(filler_pages[k], page);
    munmap(r, rpages * page);
    long maps1 = count_maps();
    size_t still = stacks_still_mapped();

    if (read_statm(&vsz1, &rss1) != 0)
        _Exit(11);
    fprintf(stderr, "maps %ld -> %ld, VSZ %lu -> %lu pages, RssAnon %lu -> %lu KiB (max %ld)\n",
            maps0, maps1, vsz0, vsz1, rss0, rss1, max);
    if (still != 0)
        _Exit(23);
    if (maps1 > maps0)
        _Exit(20);
    if (vsz1 > vsz0)
        _Exit(21);
    if (rss1 > rss0 + 64) /* KiB; the stacks were 240 * 4 pages */
        _Exit(22);
    _Exit(0);
}

static void run_release_at_limit(const char *what, const fctx_allocator_t *a)
{
    limit_alloc = a;
    struct death d = run_in_child(child_release_at_limit);
    printf("  %s: %s", what, d.output);
    if (d.signal)
        printf("  died of signal %d\n", d.signal);
    CHECK(d.signal == 0);
    if (d.exit_code == 78)
        return; /* reported above */
    CHECK_EQ_U(d.exit_code, 0);
}

static void test_release_at_map_limit(void)
{
#ifdef UNDER_SANITIZER
    printf("  SKIPPED here: the sanitizer runtime maps memory of its own, and fails, at\n"
           "  the map limit this test fills; the plain builds run this check\n");
    return;
#endif
    if (not_run_under_valgrind("it manages the address space itself and maps memory of\n"
                               "  its own, which fails at the map limit this test fills"))
        return;
    run_release_at_limit("fixed", fctx_fixed_allocator());
    run_release_at_limit("guarded", fctx_guarded_allocator());
    fctx_allocator_t a;
    CHECK(fctx_guarded_allocator_ex(&a, 3) == 0);
    run_release_at_limit("guarded, 3 guard pages", &a);
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

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc > 1 && strcmp(argv[1], "--traits-limit") == 0)
        return traits_limit_child();
    RUN(test_traits_first_call_threads); /* first: no traits computed yet */
    RUN(test_traits);
    RUN(test_traits_exact);
    RUN(test_traits_limits);
    RUN(test_round_size);
    RUN(test_fixed);
    RUN(test_guarded);
    RUN(test_guard_faults);
    RUN(test_signal_on_min_stack);
    RUN(test_guard_pages);
    RUN(test_big_frame);
    RUN(test_release_at_map_limit);
    RUN(test_exhaustion);
    return 0;
}
