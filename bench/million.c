/*
 * million - park a million guard-paged fibers at once.
 *
 *   million [fibers [stack KiB]] [--compare]     default 1000000 16
 *
 * Every fiber gets its own stack with a no-access guard page below it,
 * carved from an arena (fctx/stack_ext.h): with madvise(MADV_GUARD_INSTALL)
 * a guard does not split its mapping, so the count is not limited by
 * vm.max_map_count (65530 by default).  Each fiber is resumed once and
 * suspends; with all of them parked the program reports RSS per fiber and
 * the mapping count, then resumes each again so it finishes.  --compare
 * first shows where the one-mapping-per-stack guarded allocator stops.
 * Times are wall clock and process CPU (user + system).
 */
#define _GNU_SOURCE 1
#include <fctx/fiber.h>
#include <fctx/stack_ext.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

static double clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
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

static long read_long(const char *path, const char *field)
{
    FILE *f = fopen(path, "r");
    char line[256];
    long v = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (field == NULL) {
            v = strtol(line, NULL, 10);
            break;
        }
        size_t n = strlen(field);
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            v = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    if (f != NULL)
        fclose(f);
    return v;
}

static long map_count(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    long n = 0;
    int c;
    while (f != NULL && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f != NULL)
        fclose(f);
    return n;
}

static fctx_fiber_t park(fctx_fiber_t caller, void *data)
{
    volatile char locals[256]; /* a little stack in use, like real code */
    locals[255] = 1;
    locals[0] = locals[255];
    fctx_fiber_transfer_t t = fctx_fiber_resume(caller, (void *)((uintptr_t)data + (uintptr_t)locals[0]));
    return t.fiber;
}

/* What the kernel charges here for the two things every new fiber needs:
 * a zero-filled page (its first touch) and returning it (MADV_DONTNEED). */
static void machine_costs(void)
{
    const size_t pages = 2000, page = (size_t)sysconf(_SC_PAGESIZE);
    char *p = (char *)mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return;
    madvise(p, pages * page, MADV_NOHUGEPAGE);
    double t0 = clock_ns(CLOCK_MONOTONIC);
    for (size_t i = 0; i < pages; ++i)
        p[i * page] = 1;
    double t1 = clock_ns(CLOCK_MONOTONIC);
    for (size_t i = 0; i < pages; ++i)
        madvise(p + i * page, page, MADV_DONTNEED);
    double t2 = clock_ns(CLOCK_MONOTONIC);
    munmap(p, pages * page);
    printf("this machine: first touch of a page %.1f us, MADV_DONTNEED of a page %.1f us\n",
           (t1 - t0) / (double)pages / 1000.0, (t2 - t1) / (double)pages / 1000.0);
}

struct timing {
    double wall, cpu;
};

static struct timing now(void)
{
    struct timing t = {clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_PROCESS_CPUTIME_ID)};
    return t;
}

static void row(const char *what, struct timing a, struct timing b, size_t n)
{
    printf("%-30s %10.2f s %12.0f ns %12.0f ns\n", what, (b.wall - a.wall) / 1e9,
           (b.wall - a.wall) / (double)n, (b.cpu - a.cpu) / (double)n);
}

/* Where the guarded allocator (one mapping per stack, two with mprotect)
 * gives up. */
static void compare_guarded(size_t limit)
{
    fctx_fiber_t *f = (fctx_fiber_t *)calloc(limit, sizeof *f);
    if (f == NULL)
        return;
    size_t n = 0;
    int err = 0;
    while (n < limit && (err = fctx_fiber_create(&f[n], fctx_guarded_allocator(), 16 * 1024,
                                                 park)) == 0)
        ++n;
    printf("guarded allocator, one mapping per stack: %s after %zu fibers (mappings %ld)\n",
           err ? strerror(err) : "no failure", n, map_count());
    for (size_t i = 0; i < n; ++i)
        fctx_fiber_cancel(f[i]);
    free(f);
}

int main(int argc, char **argv)
{
    size_t n = 1000000, kib = 16;
    int compare = 0, pos = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--compare") == 0)
            compare = 1;
        else if (pos++ == 0)
            n = strtoull(argv[i], NULL, 10);
        else
            kib = strtoull(argv[i], NULL, 10);
    }
    if (n == 0 || kib == 0) {
        fprintf(stderr, "usage: million [fibers [stack KiB]] [--compare]\n");
        return 2;
    }
    long avail_kib = read_long("/proc/meminfo", "MemAvailable");
    long page = sysconf(_SC_PAGESIZE);
    if (avail_kib > 0 && (double)n * (double)page * 1.5 / 1024.0 > (double)avail_kib) {
        fprintf(stderr, "million: %zu fibers need about %.1f GiB, only %.1f GiB available\n", n,
                (double)n * (double)page * 1.5 / 1073741824.0, (double)avail_kib / 1048576.0);
        return 1;
    }
    long max_maps = read_long("/proc/sys/vm/max_map_count", NULL);
    if (compare)
        compare_guarded((size_t)max_maps + 100);
    machine_costs();

    fctx_arena_config_t cfg = {kib * 1024, 0, 0, 0};
    fctx_arena_t *arena;
    int err = fctx_arena_create(&arena, &cfg);
    fctx_fiber_t *fibers = (fctx_fiber_t *)calloc(n, sizeof *fibers);
    if (err || fibers == NULL) {
        fprintf(stderr, "million: %s\n", strerror(err ? err : ENOMEM));
        return 1;
    }
    fctx_arena_stats_t st;
    fctx_arena_stats(arena, &st);
    printf("%zu fibers, %zu KiB stacks + %ld-byte guard page each, guards by %s, "
           "vm.max_map_count %ld\n\n",
           n, st.stack_size / 1024, page,
           st.guard_method == FCTX_GUARD_MADVISE ? "madvise(MADV_GUARD_INSTALL)" : "mprotect",
           max_maps);
    printf("%-30s %12s %15s %15s\n", "phase", "wall", "wall/fiber", "CPU/fiber");

    size_t rss0 = rss_bytes();
    long maps0 = map_count();
    struct timing t0 = now();
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = fctx_arena_allocator(arena);
    for (size_t i = 0; i < n; ++i) {
        err = fctx_fiber_create_ex(&fibers[i], &attr, park);
        if (err) {
            fprintf(stderr, "million: fiber %zu: %s (mappings %ld)\n", i, strerror(err),
                    map_count());
            return 1;
        }
    }
    struct timing t1 = now();
    row("create", t0, t1, n);
    for (size_t i = 0; i < n; ++i) {
        fctx_fiber_transfer_t r = fctx_fiber_resume(fibers[i], (void *)(uintptr_t)i);
        if (r.data != (void *)(uintptr_t)(i + 1)) {
            fprintf(stderr, "million: fiber %zu answered wrong\n", i);
            return 1;
        }
        fibers[i] = r.fiber;
    }
    struct timing t2 = now();
    row("first resume (runs, parks)", t1, t2, n);
    size_t rss1 = rss_bytes();
    long maps1 = map_count();
    fctx_arena_stats(arena, &st);

    for (size_t i = 0; i < n; ++i) {
        if (fctx_fiber_resume(fibers[i], NULL).fiber != NULL) {
            fprintf(stderr, "million: fiber %zu did not finish\n", i);
            return 1;
        }
    }
    struct timing t3 = now();
    row("second resume (finishes)", t2, t3, n);
    size_t rss2 = rss_bytes();

    printf("\nall %zu parked at once:\n", n);
    printf("  RSS            +%.2f GiB = %.0f bytes (%.2f KiB) per fiber\n",
           (double)(rss1 - rss0) / 1073741824.0, (double)(rss1 - rss0) / (double)n,
           (double)(rss1 - rss0) / (double)n / 1024.0);
    printf("  mappings       %ld before, %ld with all fibers parked (%zu arena chunks, "
           "%.1f GiB reserved)\n",
           maps0, maps1, st.chunks, (double)st.reserved / 1073741824.0);
    printf("after all finished: RSS +%.1f MiB (stack pages returned)\n",
           (double)(rss2 > rss0 ? rss2 - rss0 : 0) / 1048576.0);
    free(fibers);
    return fctx_arena_destroy(arena) == 0 ? 0 : 1;
}
