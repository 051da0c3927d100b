/* Many guard-paged fibers from an arena: more than vm.max_map_count / 2
 * (65530 / 2 on a default Linux) parked at once, which the one-mapping-per-
 * stack guarded allocator with the mprotect() fallback cannot do.  Checks
 * the number of mappings stays far below the number of fibers, RSS per
 * parked fiber, that guards still fault (child process), that all fibers
 * finish and give their memory back.
 *
 *   test_million [fibers [stack KiB]]   default 100000 fibers of 16 KiB
 *   test_million --exhaust              (mprotect guards only) create until
 *                                       ENOMEM at the map-count limit, then
 *                                       release all and do it again
 */
#define _GNU_SOURCE 1
#include <fctx/fiber.h>
#include <fctx/stack_ext.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "death.h"

#include "tool_env.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f != NULL) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static long map_count(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (f == NULL)
        return -1;
    long n = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static long max_map_count(void)
{
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    long v = 65530;
    if (f != NULL) {
        if (fscanf(f, "%ld", &v) != 1)
            v = 65530;
        fclose(f);
    }
    return v;
}

/* Resumed once: replies data + 1 and parks; resumed again: finishes. */
static fctx_fiber_t park(fctx_fiber_t caller, void *data)
{
    fctx_fiber_transfer_t t = fctx_fiber_resume(caller, (void *)((uintptr_t)data + 1));
    return t.fiber;
}

static fctx_stack_t probe; /* a live fiber's stack, for the child */

static void child_touch_guard(void)
{
    volatile char *below = (volatile char *)probe.sp - probe.size - 1;
    *below = 1;
    _Exit(0);
}

static void child_touch_stack(void)
{
    volatile char *bottom = (volatile char *)probe.sp - probe.size;
    *bottom = 1; /* lowest usable byte: fine */
    _Exit(0);
}

static void run(size_t n, size_t stack_kib)
{
    fctx_arena_config_t cfg = {stack_kib * 1024, 0, 0, 0};
    fctx_arena_t *arena;
    CHECK(fctx_arena_create(&arena, &cfg) == 0);
    fctx_fiber_t *fibers = (fctx_fiber_t *)calloc(n, sizeof *fibers);
    CHECK(fibers != NULL);
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = fctx_arena_allocator(arena);

    long maps0 = map_count();
    size_t rss0 = rss_bytes();
    double t0 = now_ns();
    for (size_t i = 0; i < n; ++i) {
        attr.stack_out = i == n / 2 ? &probe : NULL;
        int err = fctx_fiber_create_ex(&fibers[i], &attr, park);
        if (err) {
            fprintf(stderr, "fiber %zu: create failed: %s\n", i, strerror(err));
            CHECK(err == 0);
        }
    }
    double t1 = now_ns();
    for (size_t i = 0; i < n; ++i) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(fibers[i], (void *)(uintptr_t)i);
        CHECK(t.data == (void *)(uintptr_t)(i + 1));
        fibers[i] = t.fiber;
    }
    double t2 = now_ns();
    size_t rss1 = rss_bytes();
    long maps1 = map_count();
    fctx_arena_stats_t st;
    CHECK(fctx_arena_stats(arena, &st) == 0);
    CHECK(st.live == n && st.carved == n);

    double per_fiber = (double)(rss1 - rss0) / (double)n;
    printf("  %zu fibers parked (%zu KiB stacks, guard by %s):\n", n, st.stack_size / 1024,
           st.guard_method == FCTX_GUARD_MADVISE ? "madvise(MADV_GUARD_INSTALL)" : "mprotect");
    printf("    create %.0f ns/fiber, first resume %.0f ns/fiber\n", (t1 - t0) / (double)n,
           (t2 - t1) / (double)n);
    printf("    RSS +%.1f MiB = %.0f bytes (%.2f KiB) per fiber\n",
           (double)(rss1 - rss0) / 1048576.0, per_fiber, per_fiber / 1024.0);
    printf("    mappings %ld -> %ld (vm.max_map_count %ld); %zu chunks, %.1f GiB reserved\n", maps0,
           maps1, max_map_count(), st.chunks, (double)st.reserved / 1073741824.0);
    if (st.guard_method == FCTX_GUARD_MADVISE) {
        /* The point: mappings do not grow with the number of fibers.
         * (Sanitizers map memory of their own as they go.) */
#if defined(UNDER_ASAN) || defined(UNDER_TSAN)
        CHECK(maps1 - maps0 <= 2 * (long)st.chunks + 64 + (long)n / 10);
#else
        CHECK(maps1 - maps0 <= 2 * (long)st.chunks + 16); /* a chunk: 2 mappings */
#endif
        CHECK(maps1 < max_map_count());
    }
#if !defined(UNDER_ASAN) && !defined(UNDER_TSAN)
    if (!RUNNING_ON_VALGRIND && sysconf(_SC_PAGESIZE) == 4096) {
        /* A parked fiber touches one page of its stack; bookkeeping (the
         * handle array, free-slot arrays) stays well under 512 bytes. */
        CHECK(per_fiber <= 4.5 * 1024);
    }
#endif

    /* Guards are real: below a live stack faults, its lowest byte does not. */
    struct death d = run_in_child(child_touch_guard);
    CHECK(died_of_segv(&d));
    d = run_in_child(child_touch_stack);
    CHECK(d.signal == 0 && d.exit_code == 0);

    double t3 = now_ns();
    for (size_t i = 0; i < n; ++i) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(fibers[i], NULL);
        CHECK(t.fiber == NULL && t.data == NULL);
    }
    double t4 = now_ns();
    size_t rss2 = rss_bytes();
    printf("    finish %.0f ns/fiber; RSS back to +%.1f MiB\n", (t4 - t3) / (double)n,
           (double)(rss2 > rss0 ? rss2 - rss0 : 0) / 1048576.0);
    CHECK(fctx_arena_stats(arena, &st) == 0 && st.live == 0);
#if !defined(UNDER_ASAN) && !defined(UNDER_TSAN)
    /* Released stacks gave their pages back (MADV_DONTNEED).  (Sanitizers
     * and valgrind keep shadow memory of the stacks resident.) */
    if (!RUNNING_ON_VALGRIND)
        CHECK(rss2 < rss0 + (rss1 - rss0) / 4);
#endif
    CHECK(fctx_arena_destroy(arena) == 0);
    free(fibers);
}

/* mprotect guards split the arena's chunks: creation must stop with ENOMEM
 * at vm.max_map_count, cleanly, and everything must come back. */
static void exhaust(void)
{
    CHECK(fctx_guard_method() == FCTX_GUARD_MPROTECT);
    fctx_arena_config_t cfg = {16 * 1024, 0, 0, 0};
    fctx_arena_t *arena;
    CHECK(fctx_arena_create(&arena, &cfg) == 0);
    long limit = max_map_count();
    size_t cap = (size_t)limit; /* more than can succeed: 2 mappings each */
    fctx_fiber_t *fibers = (fctx_fiber_t *)calloc(cap, sizeof *fibers);
    CHECK(fibers != NULL);
    for (int round = 0; round < 2; ++round) {
        size_t n = 0;
        int err = 0;
        while (n < cap && (err = fctx_fiber_create(&fibers[n], fctx_arena_allocator(arena), 0,
                                                   park)) == 0)
            ++n;
        printf("  round %d: %zu fibers, then %s (mappings %ld of %ld)\n", round, n,
               strerror(err), map_count(), limit);
        CHECK(err == ENOMEM);
        CHECK(n > (size_t)limit / 4 && n < (size_t)limit / 2 + 1);
        for (size_t i = 0; i < n; ++i)
            CHECK(fctx_fiber_cancel(fibers[i]).fiber == NULL);
        fctx_arena_stats_t st;
        CHECK(fctx_arena_stats(arena, &st) == 0 && st.live == 0);
    }
    CHECK(fctx_arena_destroy(arena) == 0);
    free(fibers);
}

static size_t fibers_wanted, stack_kib_wanted;

static void test_parked_fibers(void)
{
    run(fibers_wanted, stack_kib_wanted);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--exhaust") == 0) {
        RUN(exhaust);
        return 0;
    }
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000;
    size_t kib = argc > 2 ? strtoull(argv[2], NULL, 10) : 16;
    CHECK(n > 0 && kib > 0);
    const char *why = NULL;
#if defined(UNDER_ASAN)
    why = "AddressSanitizer maps a fake stack per fiber (one mapping each)";
    if (n > 10000)
        n = 10000;
#elif defined(UNDER_TSAN)
    why = "ThreadSanitizer keeps a large state per fiber";
    if (n > 2000)
        n = 2000;
#endif
    if (RUNNING_ON_VALGRIND && n > 500) {
        why = "valgrind is slow per fiber and searches its registered stacks linearly";
        n = 500;
    }
    if (fctx_guard_method() == FCTX_GUARD_MPROTECT && (long)n > max_map_count() / 4) {
        why = "guards by mprotect (no MADV_GUARD_INSTALL here) take two mappings per stack";
        n = (size_t)max_map_count() / 4;
    }
    if (why != NULL)
        printf("  scaled down to %zu fibers: %s\n", n, why);
    fibers_wanted = n;
    stack_kib_wanted = kib;
    RUN(test_parked_fibers);
    return 0;
}
