/* Segmented (split) stacks.  Built with -fsplit-stack when the library is
 * (FCTX_SPLIT_STACK=ON, FCTX_TEST_SPLIT defined): fibers that start on a
 * small first segment recurse megabytes deep and back, suspended at depth
 * and interleaved with each other, resumed on another thread; all their
 * segments are unmapped when they finish (the process's mapped size comes
 * back); ordinary guarded fibers still hit their guard page.  Without the
 * option: the allocator's ENOTSUP contract. */
#define _GNU_SOURCE 1
#include <fctx/fiber.h>
#include <fctx/stack_ext.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "death.h"

#if !defined(FCTX_TEST_SPLIT)

static fctx_fiber_t never_runs(fctx_fiber_t caller, void *data)
{
    (void)data;
    return caller;
}

static void test_unsupported(void)
{
    CHECK(fctx_split_stack_supported() == 0);
    const fctx_allocator_t *a = fctx_split_allocator();
    CHECK(a != NULL && a->allocate != NULL && a->deallocate != NULL);
    fctx_stack_t s;
    CHECK(fctx_stack_allocate(a, 0, &s) == ENOTSUP);
    fctx_fiber_t f = (fctx_fiber_t)&f;
    CHECK(fctx_fiber_create(&f, a, 0, NULL) == EINVAL);
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = a;
    CHECK(fctx_fiber_create_ex(&f, &attr, never_runs) == ENOTSUP && f == NULL);
}

int main(void)
{
    printf("  library built without FCTX_SPLIT_STACK: the allocator must say ENOTSUP\n");
    RUN(test_unsupported);
    return 0;
}

#else /* FCTX_TEST_SPLIT */

#define FRAME 512

/* Every frame keeps a value derived from its depth and its fiber; checked
 * on the way back, so frames on different segments (and of different
 * fibers) must all survive. */
__attribute__((noinline)) static uint64_t descend(unsigned depth, unsigned tag, unsigned pause_every,
                                                  fctx_fiber_t *caller)
{
    volatile unsigned char frame[FRAME];
    for (unsigned i = 0; i < FRAME; i += 64)
        frame[i] = (unsigned char)(depth * 31u + tag + i);
    uint64_t sum = depth;
    if (depth > 0) {
        if (pause_every != 0 && depth % pause_every == 0) {
            /* Suspend deep inside the recursion: other fibers run. */
            fctx_fiber_transfer_t t = fctx_fiber_resume(*caller, (void *)(uintptr_t)depth);
            *caller = t.fiber;
        }
        sum += descend(depth - 1, tag, pause_every, caller);
    }
    for (unsigned i = 0; i < FRAME; i += 64)
        if (frame[i] != (unsigned char)(depth * 31u + tag + i))
            return UINT64_MAX / 2; /* poisons the sum: caught by the check */
    return sum;
}

struct job {
    unsigned depth, tag, pause_every;
    uint64_t result;
};

static fctx_fiber_t run_job(fctx_fiber_t caller, void *data)
{
    struct job *j = (struct job *)data;
    j->result = descend(j->depth, j->tag, j->pause_every, &caller);
    return caller;
}

static uint64_t expected_sum(unsigned depth)
{
    return (uint64_t)depth * (depth + 1) / 2;
}

static long vm_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t len = strlen(field);
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, len) == 0 && line[len] == ':')
            v = strtol(line + len + 1, NULL, 10);
    if (f != NULL)
        fclose(f);
    return v;
}

static void test_validation(void)
{
    CHECK(fctx_split_stack_supported() == 1);
    const fctx_allocator_t *a = fctx_split_allocator();
    fctx_stack_t s;
    CHECK(fctx_stack_allocate(a, 0, NULL) == EINVAL);
    CHECK(fctx_stack_allocate(a, (size_t)-1, &s) == E2BIG);
    CHECK(fctx_stack_allocate(a, 1, &s) == 0); /* raised to the minimum */
    CHECK(s.size >= fctx_stack_traits()->min_size - fctx_stack_traits()->page_size);
    memset((char *)s.sp - s.size, 0x11, s.size);
    CHECK(fctx_stack_deallocate(a, &s) == 0);
}

static void test_deep_recursion(void)
{
    const size_t first = fctx_stack_traits()->min_size; /* a few pages */
    struct job j = {12000, 7, 0, 0}; /* ~6 MiB of frames */
    fctx_fiber_t f;
    fctx_stack_t s;
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = fctx_split_allocator();
    attr.stack_size = first;
    attr.stack_out = &s;
    CHECK(fctx_fiber_create_ex(&f, &attr, run_job) == 0);
    printf("  first segment %zu bytes usable; recursing %u frames of %d bytes\n", s.size,
           j.depth, FRAME);
    CHECK(s.size < 64 * 1024);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, &j);
    CHECK(t.fiber == NULL && t.data == NULL);
    CHECK(j.result == expected_sum(j.depth));
}

#define NFIB 16

static void test_interleaved_and_released(void)
{
    long vm0 = vm_kib("VmSize");
    struct job jobs[NFIB];
    fctx_fiber_t f[NFIB];
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = fctx_split_allocator();
    attr.stack_size = 16 * 1024;
    for (int i = 0; i < NFIB; ++i) {
        jobs[i].depth = 8000 + 100u * (unsigned)i; /* 4+ MiB each */
        jobs[i].tag = (unsigned)i * 13u;
        jobs[i].pause_every = 1000;
        jobs[i].result = 0;
        CHECK(fctx_fiber_create_ex(&f[i], &attr, run_job) == 0);
    }
    /* Round robin: each fiber goes 1000 frames deeper per turn. */
    int live = NFIB, turn = 0;
    long vm_peak = 0;
    void *data[NFIB];
    for (int i = 0; i < NFIB; ++i)
        data[i] = &jobs[i];
    while (live > 0) {
        for (int i = 0; i < NFIB; ++i) {
            if (f[i] == NULL)
                continue;
            fctx_fiber_transfer_t t = fctx_fiber_resume(f[i], data[i]);
            f[i] = t.fiber;
            if (f[i] == NULL) {
                --live;
                CHECK(jobs[i].result == expected_sum(jobs[i].depth));
            } else {
                CHECK((uintptr_t)t.data % 1000 == 0); /* the depth it paused at */
            }
        }
        if (turn++ == 6) { /* every fiber ~6 MiB deep and suspended there */
            vm_peak = vm_kib("VmSize");
        }
    }
    long vm1 = vm_kib("VmSize");
    printf("  %d fibers interleaved: VmSize %ld KiB -> %ld KiB at depth -> %ld KiB after\n", NFIB,
           vm0, vm_peak, vm1);
    CHECK(vm_peak - vm0 > NFIB * 2 * 1024L); /* > 2 MiB of segments each */
    CHECK(vm1 - vm0 < 1024);                 /* all of them unmapped again */
}

/* Split stacks behind a pool: reused with their grown segments, all
 * released when the pool lets them go. */
static void test_pooled_split(void)
{
    long vm0 = vm_kib("VmSize");
    fctx_pool_config_t cfg = {fctx_split_allocator(), 16 * 1024, 4, 1, 0};
    fctx_pool_t *pool;
    CHECK(fctx_pool_create(&pool, &cfg) == 0);
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = fctx_pool_allocator(pool);
    for (unsigned round = 0; round < 6; ++round) {
        struct job j[3];
        fctx_fiber_t f[3];
        for (int i = 0; i < 3; ++i) {
            j[i].depth = 4000 + 500 * round;
            j[i].tag = round * 7u + (unsigned)i;
            j[i].pause_every = 1000;
            j[i].result = 0;
            CHECK(fctx_fiber_create_ex(&f[i], &attr, run_job) == 0);
        }
        for (int live = 3; live > 0;) {
            for (int i = 0; i < 3; ++i) {
                if (f[i] == NULL)
                    continue;
                f[i] = fctx_fiber_resume(f[i], &j[i]).fiber;
                if (f[i] == NULL) {
                    --live;
                    CHECK(j[i].result == expected_sum(j[i].depth));
                }
            }
        }
    }
    fctx_pool_stats_t st;
    CHECK(fctx_pool_stats(pool, &st) == 0);
    CHECK(st.misses <= 3 && st.cached == 3); /* the same three stacks all along */
    long vm_kept = vm_kib("VmSize");
    CHECK(fctx_pool_destroy(pool) == 0);
    long vm1 = vm_kib("VmSize");
    printf("  pooled split stacks: VmSize %ld KiB -> %ld KiB while cached -> %ld KiB after\n", vm0,
           vm_kept, vm1);
    CHECK(vm_kept - vm0 > 3 * 1024L); /* grown segments stayed with the stacks */
    CHECK(vm1 - vm0 < 1024);
}

/* A pool checks the split stacks it gets (issue 13): a split stack's size
 * is its first segment less its context block, which may be less than the
 * size asked; that is fine because it grows, and it is recognised by its
 * block, not by the allocator (a wrapper in between).  A descriptor that is
 * broken otherwise, or a short stack that is not recognisable as split, is
 * still refused (EINVAL) and released. */
enum split_break { SB_NONE, SB_SIZE_ABOVE_SP, SB_BASE_ABOVE, SB_MAPPED, SB_ALIGN, SB_NOT_SPLIT };

struct split_wrap {
    enum split_break how;
    int live, calls;
    fctx_stack_t real[8]; /* what the split allocator returned */
};

static int wrap_allocate(void *state, size_t size, fctx_stack_t *out)
{
    struct split_wrap *w = (struct split_wrap *)state;
    int nth = 0;
    while (nth < 8 && w->real[nth].base != NULL)
        ++nth;
    if (nth == 8)
        return ENOMEM;
    int err = fctx_stack_allocate(fctx_split_allocator(), size, &w->real[nth]);
    if (err)
        return err;
    ++w->live;
    ++w->calls;
    *out = w->real[nth];
    switch (w->how) {
    case SB_NONE: break;
    case SB_SIZE_ABOVE_SP: out->size = (size_t)(uintptr_t)out->sp + 4096; break;
    case SB_BASE_ABOVE: out->base = (char *)out->sp - out->size + 4096; break;
    case SB_MAPPED: out->mapped_size = out->size / 2; break;
    case SB_ALIGN: out->sp = (char *)out->sp - 8; out->impl = out->sp; break;
    case SB_NOT_SPLIT: /* short, and its block is not where sp says */
        out->size -= 4096;
        out->impl = NULL;
        break;
    }
    return 0;
}

static void wrap_deallocate(void *state, fctx_stack_t *s)
{
    struct split_wrap *w = (struct split_wrap *)state;
    for (int i = 0; i < 8; ++i) {
        fctx_stack_t *r = &w->real[i];
        if (r->base != NULL && (s->sp == r->sp || (char *)s->sp == (char *)r->sp - 8)) {
            fctx_split_allocator()->deallocate(NULL, r);
            r->base = NULL;
            --w->live;
            return;
        }
    }
    CHECK(!"released a stack the wrapper did not hand out");
}

static void test_pool_checks_split(void)
{
    const size_t size = 16 * 1024;
    fctx_stack_t raw;
    CHECK(fctx_stack_allocate(fctx_split_allocator(), size, &raw) == 0);
    printf("  split stack for %zu bytes: %zu usable below its block\n", size, raw.size);
    CHECK(fctx_stack_deallocate(fctx_split_allocator(), &raw) == 0);

    /* Through a wrapper: accepted, served from the cache, a fiber runs on it. */
    struct split_wrap w;
    memset(&w, 0, sizeof w);
    fctx_allocator_t up = {wrap_allocate, wrap_deallocate, &w};
    fctx_pool_config_t cfg = {&up, size, 4, 2, 0};
    fctx_pool_t *pool;
    CHECK(fctx_pool_create(&pool, &cfg) == 0);
    CHECK(w.live == 2);
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = fctx_pool_allocator(pool);
    struct job j = {3000, 5, 0, 0}; /* ~1.5 MiB: grows past the first segment */
    fctx_fiber_t f;
    CHECK(fctx_fiber_create_ex(&f, &attr, run_job) == 0);
    CHECK(fctx_fiber_resume(f, &j).fiber == NULL);
    CHECK(j.result == expected_sum(j.depth));
    /* A miss (both cached stacks out) also goes through the check. */
    fctx_stack_t s[3];
    for (int i = 0; i < 3; ++i)
        CHECK(fctx_stack_allocate(attr.allocator, 0, &s[i]) == 0);
    CHECK(w.calls == 3);
    for (int i = 0; i < 3; ++i)
        CHECK(fctx_stack_deallocate(attr.allocator, &s[i]) == 0);
    CHECK(fctx_pool_destroy(pool) == 0);
    CHECK(w.live == 0);

    /* Broken descriptors of split stacks: refused at creation, released. */
    for (int how = SB_SIZE_ABOVE_SP; how <= SB_NOT_SPLIT; ++how) {
        memset(&w, 0, sizeof w);
        w.how = (enum split_break)how;
        pool = (fctx_pool_t *)&w;
        int err = fctx_pool_create(&pool, &cfg);
        if (err != EINVAL || w.live != 0)
            printf("  breakage %d: create -> %d, %d stacks still out\n", how, err, w.live);
        CHECK(err == EINVAL && pool == NULL);
        CHECK(w.live == 0);
    }
    /* And on a miss. */
    memset(&w, 0, sizeof w);
    cfg.prefill = 1;
    CHECK(fctx_pool_create(&pool, &cfg) == 0);
    CHECK(fctx_stack_allocate(fctx_pool_allocator(pool), 0, &s[0]) == 0); /* the cached one */
    w.how = SB_SIZE_ABOVE_SP;
    CHECK(fctx_stack_allocate(fctx_pool_allocator(pool), 0, &s[1]) == EINVAL);
    CHECK(w.live == 1);
    CHECK(fctx_stack_deallocate(fctx_pool_allocator(pool), &s[0]) == 0);
    CHECK(fctx_pool_destroy(pool) == 0 && w.live == 0);
}

/* A split fiber paused deep down continues on another thread. */
static void *resume_on_thread(void *arg)
{
    fctx_fiber_t *f = (fctx_fiber_t *)arg;
    fctx_fiber_transfer_t t = fctx_fiber_resume(*f, NULL);
    *f = t.fiber;
    return NULL;
}

static void test_migration(void)
{
    struct job j = {6000, 99, 2000, 0};
    fctx_fiber_t f;
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = fctx_split_allocator();
    CHECK(fctx_fiber_create_ex(&f, &attr, run_job) == 0);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, &j); /* pauses at 6000 */
    f = t.fiber;
    CHECK(f != NULL);
    for (int k = 0; k < 2; ++k) { /* 4000 and 2000 on other threads */
        pthread_t th;
        CHECK(pthread_create(&th, NULL, resume_on_thread, &f) == 0);
        CHECK(pthread_join(th, NULL) == 0);
        CHECK(f != NULL);
    }
    t = fctx_fiber_resume(f, NULL); /* the rest here */
    CHECK(t.fiber == NULL);
    CHECK(j.result == expected_sum(j.depth));
}

/* Ordinary stacks in a split-stack build: no segments, the guard faults. */
static fctx_fiber_t overflow_guarded(fctx_fiber_t caller, void *data)
{
    (void)data;
    fctx_fiber_t c = caller;
    descend(1000000, 1, 0, &c);
    return c;
}

static void child_guarded_overflow(void)
{
    fctx_fiber_t f;
    if (fctx_fiber_create(&f, fctx_guarded_allocator(), 64 * 1024, overflow_guarded) != 0)
        _Exit(3);
    fctx_fiber_resume(f, NULL);
    _Exit(0);
}

static void test_guarded_still_faults(void)
{
    struct death d = run_in_child(child_guarded_overflow);
    CHECK(died_of_segv(&d));
    /* And a guarded fiber that stays within bounds is fine. */
    struct job j = {60, 3, 0, 0}; /* 30 KiB of 64 */
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, fctx_guarded_allocator(), 64 * 1024, run_job) == 0);
    CHECK(fctx_fiber_resume(f, &j).fiber == NULL);
    CHECK(j.result == expected_sum(j.depth));
}

int main(void)
{
    RUN(test_validation);
    RUN(test_deep_recursion);
    RUN(test_interleaved_and_released);
    RUN(test_pooled_split);
    RUN(test_pool_checks_split);
    RUN(test_migration);
    RUN(test_guarded_still_faults);
    return 0;
}

#endif /* FCTX_TEST_SPLIT */
