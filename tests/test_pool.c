/* The pooled allocator: input validation, LIFO reuse, the cache bound,
 * trim, pass-through of larger sizes, guard pages intact on reused stacks
 * (child process), fibers on pooled stacks, concurrent use from threads
 * (fibers created on one thread finish on another), a pool over an arena,
 * and the cost of create + first resume + finish on a pooled stack. */
#define _GNU_SOURCE 1
#include <fctx/fiber.h>
#include <fctx/stack_ext.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "counting_alloc.h"
#include "death.h"

static struct counting counter;
static fctx_allocator_t counted; /* guarded, counted */

static fctx_pool_t *make_pool(size_t size, size_t max_cached, size_t prefill)
{
    fctx_pool_config_t cfg = {&counted, size, max_cached, prefill};
    fctx_pool_t *p = NULL;
    CHECK(fctx_pool_create(&p, &cfg) == 0);
    CHECK(p != NULL);
    return p;
}

static fctx_pool_stats_t stats(fctx_pool_t *p)
{
    fctx_pool_stats_t s;
    CHECK(fctx_pool_stats(p, &s) == 0);
    return s;
}

static void test_validation(void)
{
    fctx_pool_t *p = (fctx_pool_t *)&counter; /* must be overwritten */
    fctx_pool_config_t cfg = {NULL, 0, 0, 0};
    CHECK(fctx_pool_create(NULL, &cfg) == EINVAL);
    CHECK(fctx_pool_create(&p, NULL) == EINVAL && p == NULL);
    cfg.max_cached = 2;
    cfg.prefill = 3;
    CHECK(fctx_pool_create(&p, &cfg) == EINVAL && p == NULL);
    fctx_allocator_t broken = {NULL, NULL, NULL};
    fctx_pool_config_t bad = {&broken, 0, 0, 0};
    CHECK(fctx_pool_create(&p, &bad) == EINVAL);
    fctx_pool_config_t huge = {NULL, (size_t)-1, 0, 0};
    CHECK(fctx_pool_create(&p, &huge) == E2BIG);
    struct counting failing;
    fctx_allocator_t fail = counting_allocator(&failing, fctx_fixed_allocator());
    failing.fail_with = ENOMEM;
    fctx_pool_config_t up_fails = {&fail, 0, 0, 0};
    CHECK(fctx_pool_create(&p, &up_fails) == ENOMEM && p == NULL);

    CHECK(fctx_pool_allocator(NULL) == NULL);
    fctx_pool_stats_t s;
    CHECK(fctx_pool_stats(NULL, &s) == EINVAL);
    CHECK(fctx_pool_trim(NULL, 0) == EINVAL);
    CHECK(fctx_pool_destroy(NULL) == EINVAL);

    p = make_pool(0, 0, 0);
    CHECK(fctx_pool_stats(p, NULL) == EINVAL);
    const fctx_allocator_t *a = fctx_pool_allocator(p);
    CHECK(a != NULL && a->allocate != NULL && a->deallocate != NULL);
    CHECK(fctx_stack_allocate(a, 0, NULL) == EINVAL);
    s = stats(p);
    CHECK(s.stack_size == fctx_stack_traits()->default_size);
    CHECK(s.cached == 1 && s.outstanding == 0); /* the probe stack */
    CHECK(fctx_pool_destroy(p) == 0);
    CHECK(atomic_load(&counter.live) == 0);
}

static void test_reuse_and_bound(void)
{
    fctx_pool_t *p = make_pool(64 * 1024, 4, 2);
    const fctx_allocator_t *a = fctx_pool_allocator(p);
    fctx_pool_stats_t s = stats(p);
    CHECK(s.cached == 2 && s.stack_size == 64 * 1024);
    CHECK(atomic_load(&counter.live) == 2);

    /* LIFO: what was released last comes back first, unchanged. */
    fctx_stack_t x, y;
    CHECK(fctx_stack_allocate(a, 1000, &x) == 0);
    CHECK(x.size == 64 * 1024);
    CHECK(fctx_stack_deallocate(a, &x) == 0);
    CHECK(fctx_stack_allocate(a, 0, &y) == 0);
    CHECK(y.sp == x.sp && y.base == x.base && y.size == x.size &&
          y.mapped_size == x.mapped_size);
    memset((char *)y.sp - y.size, 0x5A, y.size); /* fully usable */
    CHECK(fctx_stack_deallocate(a, &y) == 0);

    /* Ten out at once: 2 hits, 8 misses; back in: only 4 are kept. */
    s = stats(p);
    size_t hits0 = s.hits, misses0 = s.misses;
    fctx_stack_t st[10];
    for (int i = 0; i < 10; ++i)
        CHECK(fctx_stack_allocate(a, 0, &st[i]) == 0);
    s = stats(p);
    CHECK(s.outstanding == 10 && s.cached == 0);
    CHECK(s.hits - hits0 == 2 && s.misses - misses0 == 8);
    CHECK(fctx_pool_destroy(p) == EBUSY); /* nothing freed */
    for (int i = 0; i < 10; ++i)
        CHECK(fctx_stack_deallocate(a, &st[i]) == 0);
    s = stats(p);
    CHECK(s.outstanding == 0 && s.cached == 4);
    CHECK(atomic_load(&counter.live) == 4);

    CHECK(fctx_pool_trim(p, 1) == 0);
    CHECK(stats(p).cached == 1 && atomic_load(&counter.live) == 1);
    CHECK(fctx_pool_trim(p, 5) == 0 && stats(p).cached == 1);

    /* Larger than the pool's size: straight to upstream, never cached. */
    fctx_stack_t big;
    CHECK(fctx_stack_allocate(a, 256 * 1024, &big) == 0);
    CHECK(big.size == 256 * 1024 && atomic_load(&counter.live) == 2);
    CHECK(stats(p).outstanding == 1);
    CHECK(fctx_stack_deallocate(a, &big) == 0);
    CHECK(stats(p).cached == 1 && atomic_load(&counter.live) == 1);
    CHECK(fctx_stack_allocate(a, (size_t)-1, &big) == E2BIG);
    CHECK(stats(p).outstanding == 0);

    CHECK(fctx_pool_destroy(p) == 0);
    CHECK(atomic_load(&counter.live) == 0);
}

/* ---- a reused guarded stack still has its guard --------------------------- */

static void child_guard_after_reuse(void)
{
    fctx_pool_config_t cfg = {NULL, 0, 0, 1}; /* guarded upstream */
    fctx_pool_t *p;
    if (fctx_pool_create(&p, &cfg) != 0)
        _Exit(3);
    const fctx_allocator_t *a = fctx_pool_allocator(p);
    fctx_stack_t s;
    for (int i = 0; i < 3; ++i) { /* released and reused a few times */
        if (fctx_stack_allocate(a, 0, &s) != 0)
            _Exit(4);
        memset((char *)s.sp - s.size, 1, s.size);
        fctx_stack_deallocate(a, &s);
    }
    if (fctx_stack_allocate(a, 0, &s) != 0)
        _Exit(5);
    volatile char *guard = (volatile char *)s.sp - s.size - 1; /* just below */
    *guard = 1;
    _Exit(0);
}

static void test_guard_intact(void)
{
    struct death d = run_in_child(child_guard_after_reuse);
    CHECK(died_of_segv(&d));
}

/* ---- fibers ---------------------------------------------------------------- */

static fctx_fiber_t add_one(fctx_fiber_t caller, void *data)
{
    fctx_fiber_transfer_t t = fctx_fiber_resume(caller, (void *)((intptr_t)data + 1));
    return t.fiber;
}

static fctx_fiber_t finish_now(fctx_fiber_t caller, void *data)
{
    (void)data;
    return caller;
}

static void test_fibers(void)
{
    fctx_pool_t *p = make_pool(32 * 1024, 8, 1);
    const fctx_allocator_t *a = fctx_pool_allocator(p);
    for (int round = 0; round < 50; ++round) {
        fctx_fiber_t f[8];
        for (int i = 0; i < 8; ++i)
            CHECK(fctx_fiber_create(&f[i], a, 0, add_one) == 0);
        for (int i = 0; i < 8; ++i) {
            fctx_fiber_transfer_t t = fctx_fiber_resume(f[i], (void *)(intptr_t)i);
            CHECK(t.data == (void *)(intptr_t)(i + 1));
            f[i] = t.fiber;
        }
        CHECK(stats(p).outstanding == 8);
        for (int i = 0; i < 8; ++i) {
            fctx_fiber_transfer_t t = fctx_fiber_resume(f[i], NULL);
            CHECK(t.fiber == NULL && t.data == NULL);
        }
    }
    fctx_pool_stats_t s = stats(p);
    CHECK(s.outstanding == 0 && s.cached == 8);
    CHECK(s.misses == 7); /* only the first round went upstream */
    CHECK(atomic_load(&counter.live) == 8);
    CHECK(fctx_pool_destroy(p) == 0);
    CHECK(atomic_load(&counter.live) == 0);
}

/* ---- threads: concurrent allocation, and fibers finishing elsewhere ------ */

#define NTHREADS 4
#define ROUNDS 3000

static const fctx_allocator_t *shared_alloc;
static atomic_long thread_failures;

/* Hand-off slots: thread i creates fibers and leaves them (suspended, never
 * resumed yet) for thread (i + 1) % NTHREADS, which runs and finishes them,
 * releasing their stacks to the pool from a different thread. */
static _Atomic(fctx_fiber_t) mailbox[NTHREADS];

static void *worker(void *arg)
{
    int me = (int)(intptr_t)arg;
    int next = (me + 1) % NTHREADS;
    long bad = 0;
    for (int r = 0; r < ROUNDS; ++r) {
        /* Local fiber: created, resumed, finished here. */
        fctx_fiber_t f;
        if (fctx_fiber_create(&f, shared_alloc, 0, add_one) != 0) {
            ++bad;
            continue;
        }
        fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)(intptr_t)r);
        bad += t.data != (void *)(intptr_t)(r + 1);
        t = fctx_fiber_resume(t.fiber, NULL);
        bad += t.fiber != NULL;

        /* Hand one over, finish the one handed to us (if any). */
        fctx_fiber_t g;
        if (fctx_fiber_create(&g, shared_alloc, 0, finish_now) == 0) {
            fctx_fiber_t expected = NULL;
            if (!atomic_compare_exchange_strong(&mailbox[next], &expected, g))
                fctx_fiber_resume(g, NULL); /* box full: finish it ourselves */
        }
        fctx_fiber_t mine = atomic_exchange(&mailbox[me], NULL);
        if (mine != NULL)
            bad += fctx_fiber_resume(mine, NULL).fiber != NULL;
    }
    atomic_fetch_add(&thread_failures, bad);
    return NULL;
}

static void test_threads(void)
{
    fctx_pool_t *p = make_pool(16 * 1024, 6, 1);
    shared_alloc = fctx_pool_allocator(p);
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; ++i)
        CHECK(pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i) == 0);
    for (int i = 0; i < NTHREADS; ++i)
        CHECK(pthread_join(th[i], NULL) == 0);
    CHECK(atomic_load(&thread_failures) == 0);
    for (int i = 0; i < NTHREADS; ++i) { /* leftovers in the boxes */
        fctx_fiber_t f = atomic_exchange(&mailbox[i], NULL);
        if (f != NULL)
            CHECK(fctx_fiber_resume(f, NULL).fiber == NULL);
    }
    fctx_pool_stats_t s = stats(p);
    printf("  %d threads: %zu hits, %zu misses, %zu cached at the end\n", NTHREADS, s.hits,
           s.misses, s.cached);
    CHECK(s.outstanding == 0);
    CHECK(s.cached <= 6);
    CHECK(s.hits + s.misses == (size_t)NTHREADS * ROUNDS * 2);
    CHECK(atomic_load(&counter.live) == (long)s.cached); /* nothing lost, nothing leaked */
    CHECK(fctx_pool_destroy(p) == 0);
    CHECK(atomic_load(&counter.live) == 0);
}

/* ---- a pool over an arena -------------------------------------------------- */

static void test_over_arena(void)
{
    fctx_arena_config_t acfg = {16 * 1024, 64, 0};
    fctx_arena_t *arena;
    CHECK(fctx_arena_create(&arena, &acfg) == 0);
    fctx_pool_config_t cfg = {fctx_arena_allocator(arena), 16 * 1024, 16, 4};
    fctx_pool_t *p;
    CHECK(fctx_pool_create(&p, &cfg) == 0);
    fctx_fiber_t f[20];
    for (int i = 0; i < 20; ++i)
        CHECK(fctx_fiber_create(&f[i], fctx_pool_allocator(p), 0, add_one) == 0);
    for (int i = 0; i < 20; ++i) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(f[i], (void *)(intptr_t)i);
        CHECK(t.data == (void *)(intptr_t)(i + 1));
        CHECK(fctx_fiber_resume(t.fiber, NULL).fiber == NULL);
    }
    fctx_arena_stats_t as;
    CHECK(fctx_arena_stats(arena, &as) == 0);
    CHECK(as.live == stats(p).cached && as.live == 16);
    CHECK(fctx_arena_destroy(arena) == EBUSY); /* the pool still holds stacks */
    CHECK(fctx_pool_destroy(p) == 0);
    CHECK(fctx_arena_stats(arena, &as) == 0 && as.live == 0);
    CHECK(fctx_arena_destroy(arena) == 0);
}

/* ---- cost -------------------------------------------------------------------- */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double create_cost(const fctx_allocator_t *a, int n)
{
    double best = 1e30;
    for (int round = 0; round < 5; ++round) {
        double t0 = now_ns();
        for (int i = 0; i < n; ++i) {
            fctx_fiber_t f;
            fctx_fiber_create(&f, a, 0, finish_now);
            fctx_fiber_resume(f, NULL);
        }
        double per = (now_ns() - t0) / n;
        if (per < best)
            best = per;
    }
    return best;
}

static void test_cost(void)
{
    fctx_pool_config_t cfg = {NULL, 16 * 1024, 0, 1}; /* guarded upstream */
    fctx_pool_t *p;
    CHECK(fctx_pool_create(&p, &cfg) == 0);
    double pooled = create_cost(fctx_pool_allocator(p), 20000);
    double guarded = create_cost(fctx_guarded_allocator(), 500);
    printf("  create + first resume + finish, 16 KiB guarded stacks (best of 5):\n"
           "    pooled %.0f ns, unpooled %.0f ns\n", pooled, guarded);
    fctx_pool_stats_t s = stats(p);
    CHECK(s.misses == 0 && s.hits == 5 * 20000u); /* every one reused the stack */
    CHECK(fctx_pool_destroy(p) == 0);
}

int main(void)
{
    counted = counting_allocator(&counter, fctx_guarded_allocator());
    RUN(test_validation);
    RUN(test_reuse_and_bound);
    RUN(test_guard_intact);
    RUN(test_fibers);
    RUN(test_threads);
    RUN(test_over_arena);
    RUN(test_cost);
    return 0;
}
