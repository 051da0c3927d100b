/*
 * Shared stacks (fctx/shared_stack.h): data across copy switches, deep and
 * shallow fibers, a ring of 10,000 fibers on 4 shared stacks, shared and
 * ordinary fibers mixed, cancellation of swapped-out fibers, running out of
 * buffer memory, trimming, migration between threads, and bad input.
 * (Register preservation across copies: tests/abi/test_registers.c.)
 */
#include <fctx/fiber.h>
#include <fctx/shared_stack.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "counting_alloc.h"
#include "tool_env.h"

/* A buffer allocator that counts what it holds and can be told to fail. */
struct buffers {
    long blocks;
    size_t bytes;
    int fail; /* nonzero: every allocation or growth fails */
};

static void *buf_resize(void *state, void *p, size_t old_size, size_t new_size)
{
    struct buffers *b = (struct buffers *)state;
    if (new_size == 0) {
        if (p != NULL) {
            b->blocks--;
            b->bytes -= old_size;
            free(p);
        }
        return NULL;
    }
    if (b->fail && new_size > old_size)
        return NULL;
    void *q = realloc(p, new_size);
    if (q == NULL)
        return NULL;
    if (p == NULL)
        b->blocks++;
    b->bytes += new_size - old_size;
    return q;
}

static struct buffers bufs;
static const fctx_buffer_allocator_t counted = {buf_resize, &bufs};

static fctx_shared_stack_t *new_shared(void)
{
    fctx_shared_stack_attr_t a = FCTX_SHARED_STACK_ATTR_INIT;
    a.buffers = &counted;
    fctx_shared_stack_t *ss = NULL;
    CHECK_EQ_U(fctx_shared_stack_create(&ss, &a), 0);
    CHECK(ss != NULL);
    return ss;
}

/* Fill / verify a stack array with a pattern of (id, round). */
static void fill(unsigned char *p, size_t n, unsigned id, unsigned round)
{
    for (size_t i = 0; i < n; ++i)
        p[i] = (unsigned char)(id * 131u + round * 7u + i * 13u);
}

static int intact(const unsigned char *p, size_t n, unsigned id, unsigned round)
{
    for (size_t i = 0; i < n; ++i)
        if (p[i] != (unsigned char)(id * 131u + round * 7u + i * 13u))
            return 0;
    return 1;
}

/* ---- two fibers on one shared stack, alternating: every resume copies --- */

#define ROUNDS 200

static fctx_fiber_t peer_b; /* B's handle while A runs */

/* A: resumes B each round, handing it a counter; checks its own locals. */
static fctx_fiber_t alt_a(fctx_fiber_t caller, void *data)
{
    unsigned char mine[300];
    uintptr_t n = (uintptr_t)data;
    for (unsigned r = 0; r < ROUNDS; ++r) {
        fill(mine, sizeof mine, 1, r);
        fctx_fiber_transfer_t t = fctx_fiber_resume(peer_b, (void *)(n + 1));
        peer_b = t.fiber;
        CHECK(t.fiber != NULL);
        CHECK(intact(mine, sizeof mine, 1, r));
        n = (uintptr_t)t.data;
        CHECK_EQ_U(n, 2 * r + 2 + (uintptr_t)data);
    }
    /* Finish B (it returns to us), then ourselves (back to main). */
    fctx_fiber_transfer_t t = fctx_fiber_cancel(peer_b);
    CHECK(t.fiber == NULL && t.data == NULL);
    peer_b = NULL;
    return caller;
}

static int b_cleaned;

static fctx_fiber_t alt_b(fctx_fiber_t a, void *data)
{
    unsigned char mine[700];
    uintptr_t n = (uintptr_t)data;
    for (unsigned r = 0;; ++r) {
        fill(mine, sizeof mine, 2, r);
        fctx_fiber_transfer_t t = fctx_fiber_resume(a, (void *)(n + 1));
        if (t.data == FCTX_FIBER_CANCELED) {
            b_cleaned = 1;
            return t.fiber;
        }
        a = t.fiber;
        CHECK(intact(mine, sizeof mine, 2, r));
        n = (uintptr_t)t.data;
    }
}

static void test_alternating_copies(void)
{
    fctx_shared_stack_t *ss = new_shared();
    fctx_fiber_t a;
    CHECK_EQ_U(fctx_fiber_create_shared(&a, ss, alt_a), 0);
    CHECK_EQ_U(fctx_fiber_create_shared(&peer_b, ss, alt_b), 0);
    fctx_shared_stack_stats_t st;
    CHECK_EQ_U(fctx_shared_stack_stats(ss, &st), 0);
    CHECK_EQ_U(st.fibers, 2);
    fctx_fiber_transfer_t t = fctx_fiber_resume(a, (void *)(uintptr_t)1000);
    CHECK(t.fiber == NULL && t.data == NULL);
    CHECK(b_cleaned);
    CHECK_EQ_U(fctx_shared_stack_stats(ss, &st), 0);
    CHECK_EQ_U(st.fibers, 0);
    CHECK(st.copies >= 2 * ROUNDS); /* every switch between A and B copied */
    CHECK(st.copied_bytes >= (unsigned long long)ROUNDS * 1000);
    CHECK_EQ_U(st.saved_bytes, 0);
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), 0);
    CHECK_EQ_U(bufs.blocks, 0); /* records, buffers and the stack object */
}

/* ---- a fiber alone on its shared stack: no copies ----------------------- */

static fctx_fiber_t echo(fctx_fiber_t caller, void *data)
{
    for (;;) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, (void *)((uintptr_t)data * 3));
        if (t.data == FCTX_FIBER_CANCELED)
            return t.fiber;
        caller = t.fiber;
        data = t.data;
    }
}

static void test_alone_in_place(void)
{
    fctx_shared_stack_t *ss = new_shared();
    fctx_fiber_t f;
    CHECK_EQ_U(fctx_fiber_create_shared(&f, ss, echo), 0);
    for (uintptr_t i = 1; i < 100; ++i) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)i);
        CHECK_EQ_U((uintptr_t)t.data, 3 * i);
        f = t.fiber;
    }
    fctx_shared_stack_stats_t st;
    fctx_shared_stack_stats(ss, &st);
    CHECK_EQ_U(st.copies, 0);
    CHECK(fctx_fiber_cancel(f).fiber == NULL);
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), 0);
}

/* ---- deep and shallow live stacks --------------------------------------- */

#define DEEP_LEVELS 24 /* x 1 KiB frames */

static fctx_fiber_t shallow_peer;

/* Recurse DEEP_LEVELS frames of 1 KiB, switch to the shallow fiber at the
 * bottom, and verify every frame on the way back up. */
static unsigned deep_down(unsigned level, unsigned round)
{
    volatile unsigned char frame[1024];
    for (size_t i = 0; i < sizeof frame; ++i)
        frame[i] = (unsigned char)(level * 31u + round + i);
    unsigned sum = 0;
    if (level + 1 < DEEP_LEVELS) {
        sum = deep_down(level + 1, round);
    } else {
        fctx_fiber_transfer_t t = fctx_fiber_resume(shallow_peer, NULL);
        shallow_peer = t.fiber;
    }
    for (size_t i = 0; i < sizeof frame; ++i)
        if (frame[i] != (unsigned char)(level * 31u + round + i))
            return 1u << 30;
    return sum + level;
}

static fctx_fiber_t deep_fiber(fctx_fiber_t caller, void *data)
{
    (void)data;
    for (unsigned r = 0; r < 20; ++r)
        CHECK_EQ_U(deep_down(0, r), DEEP_LEVELS * (DEEP_LEVELS - 1) / 2);
    CHECK(fctx_fiber_cancel(shallow_peer).fiber == NULL);
    return caller;
}

static fctx_fiber_t shallow_fiber(fctx_fiber_t deep, void *data)
{
    (void)data;
    unsigned x = 7;
    for (;;) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(deep, NULL);
        if (t.data == FCTX_FIBER_CANCELED)
            return t.fiber;
        deep = t.fiber;
        CHECK_EQ_U(x, 7);
    }
}

static void test_deep_and_shallow(void)
{
    fctx_shared_stack_t *ss = new_shared();
    fctx_fiber_t d;
    CHECK_EQ_U(fctx_fiber_create_shared(&d, ss, deep_fiber), 0);
    CHECK_EQ_U(fctx_fiber_create_shared(&shallow_peer, ss, shallow_fiber), 0);
    CHECK(fctx_fiber_resume(d, NULL).fiber == NULL);
    fctx_shared_stack_stats_t st;
    fctx_shared_stack_stats(ss, &st);
    /* The deep fiber was swapped out with all its frames each time (under
     * ASan its arrays may live in fake stacks on the heap instead). */
#ifndef UNDER_ASAN
    CHECK(st.copied_bytes >= 20ull * DEEP_LEVELS * 1024);
#endif
    CHECK(st.copies >= 40);
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), 0);
}

/* ---- a ring of 10,000 fibers on 4 shared stacks -------------------------- */

#define RING 10000
#define LAPS 3
#define NSTACKS 4

static fctx_fiber_t ring[RING];
static fctx_fiber_t ring_main;
static unsigned long long ring_sum;

/* Fiber i: each lap adds its id to its own sum, checks its locals, passes
 * the token to i + 1 (the last one back to main after the last lap). */
static fctx_fiber_t ring_fiber(fctx_fiber_t from, void *data)
{
    unsigned id = (unsigned)(uintptr_t)data;
    unsigned char mine[64];
    unsigned long long own = 0;
    for (unsigned lap = 0;; ++lap) {
        /* Whoever resumed us is suspended: keep its handle in the ring. */
        if (id > 0)
            ring[id - 1] = from;
        else if (lap == 0)
            ring_main = from;
        else
            ring[RING - 1] = from;
        fill(mine, sizeof mine, id, lap);
        own += id;
        ring_sum += id;
        fctx_fiber_t next = id + 1 < RING ? ring[id + 1] : (lap + 1 < LAPS ? ring[0] : ring_main);
        fctx_fiber_transfer_t t = fctx_fiber_resume(next, (void *)(uintptr_t)(id + 1));
        from = t.fiber;
        CHECK(intact(mine, sizeof mine, id, lap));
        if (t.data == FCTX_FIBER_CANCELED) {
            CHECK_EQ_U(own, (unsigned long long)LAPS * id); /* all laps ran here */
            return from;
        }
    }
}

static void run_ring(int blocks)
{
    fctx_shared_stack_t *ss[NSTACKS];
    for (int s = 0; s < NSTACKS; ++s)
        ss[s] = new_shared();
    /* Neighbours on different stacks (i % 4), or mostly on the same one
     * (blocks of RING / 4: switches inside a block go through the switcher). */
    for (unsigned i = 0; i < RING; ++i) {
        unsigned s = blocks ? i / (RING / NSTACKS) : i % NSTACKS;
        CHECK_EQ_U(fctx_fiber_create_shared(&ring[i], ss[s], ring_fiber), 0);
    }
    ring_sum = 0;
    /* Fiber 0 starts the chain; a fresh fiber takes its id from its first
     * data, and every fiber passes id + 1: exactly the next one's id. */
    fctx_fiber_transfer_t t = fctx_fiber_resume(ring[0], (void *)(uintptr_t)0);
    /* Back after LAPS laps: from the last fiber, suspended in its last lap. */
    CHECK(t.fiber != NULL);
    CHECK_EQ_U((uintptr_t)t.data, RING);
    CHECK_EQ_U(ring_sum, (unsigned long long)LAPS * RING * (RING - 1) / 2);
    ring[RING - 1] = t.fiber;
    /* Every fiber finishes: resume each once more, in order. */
    size_t live = 0;
    for (int s = 0; s < NSTACKS; ++s) {
        fctx_shared_stack_stats_t st;
        fctx_shared_stack_stats(ss[s], &st);
        live += st.fibers;
        CHECK(st.copies > 0);
    }
    CHECK_EQ_U(live, RING);
    for (unsigned i = 0; i < RING; ++i) {
        fctx_fiber_transfer_t e = fctx_fiber_cancel(ring[i]);
        CHECK(e.fiber == NULL && e.data == NULL);
    }
    for (int s = 0; s < NSTACKS; ++s)
        CHECK_EQ_U(fctx_shared_stack_destroy(ss[s]), 0);
    CHECK_EQ_U(bufs.blocks, 0);
}

static void test_ring_10000_on_4_stacks(void)
{
    run_ring(0);
    run_ring(1);
}

/* ---- shared and ordinary fibers mixed ------------------------------------- */

static fctx_fiber_t mix_fn(fctx_fiber_t caller, void *data)
{
    /* data: the next fiber to pass through, or NULL: back to caller. */
    fctx_fiber_t *chain = (fctx_fiber_t *)data;
    unsigned char mine[128];
    fill(mine, sizeof mine, 9, 0);
    for (;;) {
        fctx_fiber_transfer_t t;
        if (chain != NULL && *chain != NULL) {
            /* Pass through the next fiber of the chain and come back. */
            fctx_fiber_t next = *chain;
            *chain = NULL;
            t = fctx_fiber_resume(next, chain + 1);
            CHECK(t.fiber != NULL);
            chain[0] = t.fiber;
        }
        CHECK(intact(mine, sizeof mine, 9, 0));
        t = fctx_fiber_resume(caller, (void *)(uintptr_t)0x5a);
        if (t.data == FCTX_FIBER_CANCELED)
            return t.fiber;
        caller = t.fiber;
        chain = (fctx_fiber_t *)t.data;
    }
}

static void test_mixed_shared_and_plain(void)
{
    fctx_shared_stack_t *s1 = new_shared(), *s2 = new_shared();
    /* chain: plain -> shared(s1) -> plain -> shared(s2) -> shared(s1),
     * each passing through the next and back. */
    fctx_fiber_t f[6];
    CHECK_EQ_U(fctx_fiber_create(&f[0], NULL, 0, mix_fn), 0);
    CHECK_EQ_U(fctx_fiber_create_shared(&f[1], s1, mix_fn), 0);
    CHECK_EQ_U(fctx_fiber_create(&f[2], NULL, 0, mix_fn), 0);
    CHECK_EQ_U(fctx_fiber_create_shared(&f[3], s2, mix_fn), 0);
    CHECK_EQ_U(fctx_fiber_create_shared(&f[4], s1, mix_fn), 0);
    f[5] = NULL;
    for (int round = 0; round < 5; ++round) {
        fctx_fiber_t head = f[0];
        f[0] = NULL;
        fctx_fiber_transfer_t t = fctx_fiber_resume(head, &f[1]);
        CHECK_EQ_U((uintptr_t)t.data, 0x5a);
        f[0] = t.fiber;
        for (int i = 0; i < 5; ++i)
            CHECK(f[i] != NULL);
    }
    for (int i = 0; i < 5; ++i)
        CHECK(fctx_fiber_cancel(f[i]).fiber == NULL);
    CHECK_EQ_U(fctx_shared_stack_destroy(s1), 0);
    CHECK_EQ_U(fctx_shared_stack_destroy(s2), 0);
}

/* ---- cancellation of swapped-out and never-started fibers ------------------ */

static int cleanup_ran, never_ran;

static fctx_fiber_t cancel_me(fctx_fiber_t caller, void *data)
{
    (void)data;
    unsigned char mine[512];
    fill(mine, sizeof mine, 5, 5);
    fctx_fiber_transfer_t t = fctx_fiber_resume(caller, NULL);
    CHECK(t.data == FCTX_FIBER_CANCELED);
    CHECK(intact(mine, sizeof mine, 5, 5));
    cleanup_ran++;
    return t.fiber;
}

static fctx_fiber_t must_not_run(fctx_fiber_t caller, void *data)
{
    (void)data;
    never_ran++;
    return caller;
}

static void test_cancel_swapped_out(void)
{
    fctx_shared_stack_t *ss = new_shared();
    fctx_fiber_t a, b, c;
    CHECK_EQ_U(fctx_fiber_create_shared(&a, ss, cancel_me), 0);
    CHECK_EQ_U(fctx_fiber_create_shared(&b, ss, cancel_me), 0);
    CHECK_EQ_U(fctx_fiber_create_shared(&c, ss, must_not_run), 0);
    a = fctx_fiber_resume(a, NULL).fiber; /* a parks */
    b = fctx_fiber_resume(b, NULL).fiber; /* a swapped out, b parks */
    CHECK(fctx_fiber_cancel(a).fiber == NULL); /* swapped out: copied back in */
    CHECK(fctx_fiber_cancel(c).fiber == NULL); /* never started */
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), EBUSY); /* b is still there */
    CHECK(fctx_fiber_cancel(b).fiber == NULL);
    CHECK_EQ_U(cleanup_ran, 2);
    CHECK_EQ_U(never_ran, 0);
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), 0);
}

/* ---- out of buffer memory: nothing switches, nothing breaks ---------------- */

static fctx_fiber_t oom_other;

static fctx_fiber_t oom_fiber(fctx_fiber_t caller, void *data)
{
    unsigned char mine[256];
    fill(mine, sizeof mine, 3, 3);
    if (data != NULL) {
        /* Swap ourselves out for the other fiber of our stack (through the
         * switcher) while buffers fail: we stay. */
        bufs.fail = 1;
        fctx_fiber_transfer_t t = fctx_fiber_resume(oom_other, NULL);
        bufs.fail = 0;
        CHECK(t.fiber == NULL && t.data == FCTX_FIBER_ENOMEM);
        CHECK(intact(mine, sizeof mine, 3, 3));
    }
    for (;;) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, NULL);
        if (t.data == FCTX_FIBER_CANCELED)
            return t.fiber;
        caller = t.fiber;
        CHECK(intact(mine, sizeof mine, 3, 3));
    }
}

static void test_out_of_buffer_memory(void)
{
    fctx_shared_stack_t *ss = new_shared();
    fctx_fiber_t a, b;
    CHECK_EQ_U(fctx_fiber_create_shared(&a, ss, oom_fiber), 0);
    CHECK_EQ_U(fctx_fiber_create_shared(&b, ss, oom_fiber), 0);
    a = fctx_fiber_resume(a, NULL).fiber; /* a parks on the stack */
    /* From main: swapping a out fails. */
    bufs.fail = 1;
    fctx_fiber_transfer_t t = fctx_fiber_resume(b, NULL);
    CHECK(t.fiber == NULL && t.data == FCTX_FIBER_ENOMEM);
    CHECK_EQ_U(fctx_fiber_create_shared(&oom_other, ss, oom_fiber), ENOMEM);
    CHECK(oom_other == NULL);
    bufs.fail = 0;
    a = fctx_fiber_resume(a, NULL).fiber; /* a is fine, in place */
    CHECK(a != NULL);
    /* From a fiber of the same stack: the switcher answers. */
    CHECK(fctx_fiber_cancel(a).fiber == NULL);
    oom_other = b;
    CHECK_EQ_U(fctx_fiber_create_shared(&a, ss, oom_fiber), 0);
    a = fctx_fiber_resume(a, (void *)1).fiber;
    CHECK(a != NULL);
    b = oom_other;
    CHECK(fctx_fiber_cancel(a).fiber == NULL);
    CHECK(fctx_fiber_cancel(b).fiber == NULL);
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), 0);
    CHECK_EQ_U(bufs.blocks, 0);
}

/* ---- parked memory, trimming, reserving -------------------------------------- */

/* Park with `depth` more bytes live (a frame of its own, gone on return). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static fctx_fiber_transfer_t park_deep(fctx_fiber_t caller, size_t depth)
{
    volatile unsigned char deep[depth];
    for (size_t i = 0; i < depth; i += 64)
        deep[i] = 1;
    fctx_fiber_transfer_t t = fctx_fiber_resume(caller, NULL);
    CHECK(deep[0] == 1); /* came back with the bytes */
    return t;
}

/* Parks shallow, or at the depth each resume passes. */
static fctx_fiber_t parker(fctx_fiber_t caller, void *data)
{
    size_t depth = (size_t)(uintptr_t)data;
    for (;;) {
        fctx_fiber_transfer_t t =
            depth ? park_deep(caller, depth) : fctx_fiber_resume(caller, NULL);
        if (t.data == FCTX_FIBER_CANCELED)
            return t.fiber;
        caller = t.fiber;
        depth = (size_t)(uintptr_t)t.data;
    }
}

#define PARKED 1000

static void test_parked_memory_and_trim(void)
{
    static fctx_fiber_t f[PARKED];
    fctx_shared_stack_t *ss = new_shared();
    size_t before = bufs.bytes;
    for (int i = 0; i < PARKED; ++i) {
        CHECK_EQ_U(fctx_fiber_create_shared(&f[i], ss, parker), 0);
        f[i] = fctx_fiber_resume(f[i], NULL).fiber;
    }
    /* One more start swaps the last one out: all PARKED are parked. */
    fctx_fiber_t extra;
    CHECK_EQ_U(fctx_fiber_create_shared(&extra, ss, parker), 0);
    extra = fctx_fiber_resume(extra, NULL).fiber;
    fctx_shared_stack_stats_t st;
    fctx_shared_stack_stats(ss, &st);
    size_t per = (bufs.bytes - before) / (PARKED + 1);
    size_t live = st.saved_bytes / PARKED;
    printf("parked: %zu live bytes, %zu bytes held per fiber (record + buffer)\n", live, per);
    CHECK(st.saved_bytes > 0);
    CHECK(per <= live + 128); /* the goal, at the allocator's level */
    /* Deep once, shallow again: trim gives the excess back. */
    f[0] = fctx_fiber_resume(f[0], (void *)(uintptr_t)8192).fiber;
    extra = fctx_fiber_resume(extra, NULL).fiber; /* f[0] out, deep */
    f[0] = fctx_fiber_resume(f[0], NULL).fiber;   /* shallow now */
    extra = fctx_fiber_resume(extra, NULL).fiber; /* f[0] out, shallow */
    size_t held = bufs.bytes;
    CHECK_EQ_U(fctx_fiber_trim(f[0]), 0);
    CHECK(bufs.bytes + 8192 <= held);
    CHECK_EQ_U(fctx_fiber_reserve(f[0], 20000), 0);
    CHECK(bufs.bytes >= held + 10000);
    CHECK_EQ_U(fctx_fiber_trim(f[0]), 0);
    for (int i = 0; i < PARKED; ++i)
        CHECK(fctx_fiber_cancel(f[i]).fiber == NULL);
    CHECK(fctx_fiber_cancel(extra).fiber == NULL);
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), 0);
    CHECK_EQ_U(bufs.blocks, 0);
}

/* ---- a shared stack and its fibers move to another thread ----------------------- */

struct hop {
    fctx_fiber_t a, b;
};

static void *resume_both(void *arg)
{
    struct hop *h = (struct hop *)arg;
    for (int i = 0; i < 10; ++i) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(h->a, (void *)(uintptr_t)i);
        CHECK_EQ_U((uintptr_t)t.data, 3u * (uintptr_t)i);
        h->a = t.fiber;
        t = fctx_fiber_resume(h->b, (void *)(uintptr_t)(i + 1));
        CHECK_EQ_U((uintptr_t)t.data, 3u * (uintptr_t)(i + 1));
        h->b = t.fiber;
    }
    return NULL;
}

static void test_migrate_with_stack(void)
{
    fctx_shared_stack_t *ss = new_shared();
    struct hop h;
    CHECK_EQ_U(fctx_fiber_create_shared(&h.a, ss, echo), 0);
    CHECK_EQ_U(fctx_fiber_create_shared(&h.b, ss, echo), 0);
    resume_both(&h);
    for (int i = 0; i < 3; ++i) {
        pthread_t th;
        CHECK_EQ_U(pthread_create(&th, NULL, resume_both, &h), 0);
        int rc = pthread_join(th, NULL); /* not inside CHECK: it counts first */
        CHECK_EQ_U(rc, 0);
        resume_both(&h);
    }
    CHECK(fctx_fiber_cancel(h.a).fiber == NULL);
    CHECK(fctx_fiber_cancel(h.b).fiber == NULL);
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), 0);
}

/* ---- bad input -------------------------------------------------------------------- */

static void *null_resize(void *s, void *p, size_t o, size_t n)
{
    (void)s, (void)p, (void)o, (void)n;
    return NULL;
}

static void test_bad_input(void)
{
    fctx_shared_stack_t *ss = (fctx_shared_stack_t *)&ss;
    CHECK_EQ_U(fctx_shared_stack_create(NULL, NULL), EINVAL);
    fctx_allocator_t broken = {NULL, NULL, NULL};
    fctx_shared_stack_attr_t a = FCTX_SHARED_STACK_ATTR_INIT;
    a.allocator = &broken;
    CHECK_EQ_U(fctx_shared_stack_create(&ss, &a), EINVAL);
    CHECK(ss == NULL);
    fctx_buffer_allocator_t nobuf = {NULL, NULL};
    a.allocator = NULL;
    a.buffers = &nobuf;
    CHECK_EQ_U(fctx_shared_stack_create(&ss, &a), EINVAL);
    fctx_buffer_allocator_t empty = {null_resize, NULL};
    a.buffers = &empty;
    CHECK_EQ_U(fctx_shared_stack_create(&ss, &a), ENOMEM);
    a.buffers = &counted;
    a.stack_size = (size_t)-1 / 2;
    CHECK_EQ_U(fctx_shared_stack_create(&ss, &a), E2BIG);
    CHECK(ss == NULL);
    CHECK_EQ_U(bufs.blocks, 0);
    /* A failing run-stack allocator: its error, nothing leaked. */
    struct counting c;
    fctx_allocator_t ca = counting_allocator(&c, fctx_guarded_allocator());
    c.fail_with = ENOMEM;
    a.stack_size = 0;
    a.allocator = &ca;
    CHECK_EQ_U(fctx_shared_stack_create(&ss, &a), ENOMEM);
    CHECK_EQ_U(bufs.blocks, 0);
    c.fail_with = 0;
    CHECK_EQ_U(fctx_shared_stack_create(&ss, &a), 0);
    CHECK_EQ_U(c.live, 2); /* run stack and switcher stack */

    fctx_fiber_t f = (fctx_fiber_t)&f;
    CHECK_EQ_U(fctx_fiber_create_shared(NULL, ss, echo), EINVAL);
    CHECK_EQ_U(fctx_fiber_create_shared(&f, NULL, echo), EINVAL);
    CHECK(f == NULL);
    CHECK_EQ_U(fctx_fiber_create_shared(&f, ss, NULL), EINVAL);
    CHECK_EQ_U(fctx_shared_stack_destroy(NULL), EINVAL);
    CHECK_EQ_U(fctx_shared_stack_stats(NULL, NULL), EINVAL);
    fctx_shared_stack_stats_t st;
    CHECK_EQ_U(fctx_shared_stack_stats(NULL, &st), EINVAL);
    CHECK_EQ_U(fctx_shared_stack_stats(ss, NULL), EINVAL);
    CHECK_EQ_U(fctx_fiber_trim(NULL), EINVAL);
    CHECK_EQ_U(fctx_fiber_reserve(NULL, 10), EINVAL);
    fctx_fiber_t plain;
    CHECK_EQ_U(fctx_fiber_create(&plain, NULL, 0, echo), 0);
    CHECK_EQ_U(fctx_fiber_trim(plain), EINVAL); /* not a shared fiber */
    CHECK_EQ_U(fctx_fiber_reserve(plain, 10), EINVAL);
    CHECK(fctx_fiber_cancel(plain).fiber == NULL);
    fctx_fiber_transfer_t t = fctx_fiber_resume(NULL, NULL);
    CHECK(t.fiber == NULL && t.data == FCTX_FIBER_EINVAL);
    /* Destroying with a fiber left: EBUSY, and the stack stays usable. */
    CHECK_EQ_U(fctx_fiber_create_shared(&f, ss, echo), 0);
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), EBUSY);
    t = fctx_fiber_resume(f, (void *)(uintptr_t)5);
    CHECK_EQ_U((uintptr_t)t.data, 15);
    CHECK(fctx_fiber_cancel(t.fiber).fiber == NULL);
    CHECK_EQ_U(fctx_shared_stack_destroy(ss), 0);
    CHECK_EQ_U(c.live, 0);
}

int main(void)
{
#ifdef FCTX_TEST_NO_SHARED_STACKS
    /* Split-stack and wasm builds: shared stacks are not supported, and say so. */
    fctx_shared_stack_t *ss = (fctx_shared_stack_t *)&ss;
    CHECK_EQ_U(fctx_shared_stack_create(&ss, NULL), ENOTSUP);
    CHECK(ss == NULL);
    printf("no shared stacks in this build: fctx_shared_stack_create() returns ENOTSUP\n");
    return 0;
#endif
    RUN(test_bad_input);
    RUN(test_alone_in_place);
    RUN(test_alternating_copies);
    RUN(test_deep_and_shallow);
    RUN(test_mixed_shared_and_plain);
    RUN(test_cancel_swapped_out);
    RUN(test_out_of_buffer_memory);
    RUN(test_parked_memory_and_trim);
    RUN(test_migrate_with_stack);
    RUN(test_ring_10000_on_4_stacks);
    return 0;
}
