/* Fiber layer: resume-with-transfer, finishing, resume_with, cancellation,
 * a 10,000-fiber ring, thread migration, and input validation. */
#include <fctx/fiber.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "counting_alloc.h"
#include "death.h"

static struct counting counter;
static fctx_allocator_t alloc;

/* ---- a generator that yields 1..n, then finishes ------------------------ */

static fctx_fiber_t count_up(fctx_fiber_t caller, void *data)
{
    intptr_t n = (intptr_t)data;
    for (intptr_t i = 1; i <= n; ++i) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, (void *)i);
        caller = t.fiber;
        if (t.data == FCTX_FIBER_CANCELED)
            break;
    }
    return caller;
}

static void test_generator_finishes(void)
{
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, &alloc, 0, count_up) == 0);
    CHECK(f != NULL);
    CHECK(atomic_load(&counter.live) == 1);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)5);
    intptr_t sum = 0, got = 0;
    while (t.fiber != NULL) {
        sum += (intptr_t)t.data;
        ++got;
        t = fctx_fiber_resume(t.fiber, NULL);
    }
    CHECK(got == 5 && sum == 15);
    CHECK(t.data == NULL);
    CHECK(atomic_load(&counter.live) == 0); /* stack released on finish */
}

/* ---- values flow both ways --------------------------------------------- */

static fctx_fiber_t doubler(fctx_fiber_t caller, void *data)
{
    for (;;) {
        if (data == NULL)
            return caller;
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, (void *)((intptr_t)data * 2));
        caller = t.fiber;
        data = t.data;
    }
}

static void test_two_way(void)
{
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, &alloc, 64 * 1024, doubler) == 0);
    for (intptr_t i = 1; i < 100; ++i) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)i);
        CHECK(t.data == (void *)(2 * i));
        f = t.fiber;
    }
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, NULL);
    CHECK(t.fiber == NULL && t.data == NULL);
    CHECK(atomic_load(&counter.live) == 0);
}

/* ---- resume_with ---------------------------------------------------------- */

static fctx_fiber_transfer_t add_hundred(fctx_fiber_transfer_t t)
{
    t.data = (void *)((intptr_t)t.data + 100);
    return t;
}

static void test_resume_with(void)
{
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, &alloc, 0, doubler) == 0);
    /* First resume through resume_with: fn's result is the entry's data. */
    fctx_fiber_transfer_t t = fctx_fiber_resume_with(f, add_hundred, (void *)1);
    CHECK(t.data == (void *)202);
    t = fctx_fiber_resume_with(t.fiber, add_hundred, (void *)2);
    CHECK(t.data == (void *)204);
    t = fctx_fiber_resume(t.fiber, NULL);
    CHECK(t.fiber == NULL);
    CHECK(atomic_load(&counter.live) == 0);
}

/* ---- cancellation -------------------------------------------------------- */

static int cleaned_up, entry_ran;

static fctx_fiber_t holds_resource(fctx_fiber_t caller, void *data)
{
    (void)data;
    entry_ran = 1;
    for (;;) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, NULL);
        caller = t.fiber;
        if (t.data == FCTX_FIBER_CANCELED) {
            cleaned_up = 1;
            return caller;
        }
    }
}

static void test_cancel_suspended(void)
{
    fctx_fiber_t f;
    cleaned_up = entry_ran = 0;
    CHECK(fctx_fiber_create(&f, &alloc, 0, holds_resource) == 0);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, NULL);
    CHECK(t.fiber != NULL && entry_ran);
    t = fctx_fiber_cancel(t.fiber);
    CHECK(t.fiber == NULL && t.data == NULL);
    CHECK(cleaned_up);
    CHECK(atomic_load(&counter.live) == 0);
}

static void test_cancel_never_started(void)
{
    fctx_fiber_t f;
    entry_ran = 0;
    CHECK(fctx_fiber_create(&f, &alloc, 0, holds_resource) == 0);
    CHECK(atomic_load(&counter.live) == 1);
    fctx_fiber_transfer_t t = fctx_fiber_cancel(f);
    CHECK(t.fiber == NULL && t.data == NULL);
    CHECK(!entry_ran);
    CHECK(atomic_load(&counter.live) == 0);
}

/* ---- a ring of 10,000 fibers passing a counter -------------------------- */

#define RING 10000
#define LAPS 3
static fctx_fiber_t slot[RING + 1]; /* slot[RING]: main */

struct token {
    uint64_t count, checksum;
};

static fctx_fiber_t ring_member(fctx_fiber_t from, void *data)
{
    /* Our index is how far the token has travelled on the first lap. */
    struct token *tok = (struct token *)data;
    size_t i = (size_t)(tok->count % RING);
    for (;;) {
        slot[i == 0 ? RING : i - 1] = from;
        if (data == NULL)
            return slot[i + 1]; /* finish: wake the next one with {NULL,NULL} */
        tok = (struct token *)data;
        tok->count += 1;
        tok->checksum = tok->checksum * 31 + i;
        fctx_fiber_t next = slot[i + 1];
        slot[i + 1] = NULL;
        fctx_fiber_transfer_t t = fctx_fiber_resume(next, tok);
        from = t.fiber;
        data = t.data;
        if (from == NULL) /* our predecessor finished: so do we */
            return slot[i + 1];
    }
}

static void test_ring(void)
{
    long before = atomic_load(&counter.live);
    for (size_t i = 0; i < RING; ++i)
        CHECK(fctx_fiber_create(&slot[i], &alloc, 16 * 1024, ring_member) == 0);
    CHECK(atomic_load(&counter.live) == before + RING);
    struct token tok = {0, 0};
    uint64_t want = 0;
    for (int lap = 0; lap < LAPS; ++lap) {
        for (size_t i = 0; i < RING; ++i)
            want = want * 31 + i;
        fctx_fiber_t first = slot[0];
        slot[0] = NULL;
        fctx_fiber_transfer_t t = fctx_fiber_resume(first, &tok);
        CHECK(t.data == &tok);
        slot[RING] = NULL;
        slot[RING - 1] = t.fiber;
    }
    CHECK(tok.count == (uint64_t)RING * LAPS);
    CHECK(tok.checksum == want);
    /* Tear down: the first finishes and wakes the next with {NULL,NULL}... */
    fctx_fiber_t first = slot[0];
    slot[0] = NULL;
    fctx_fiber_transfer_t t = fctx_fiber_resume(first, NULL);
    CHECK(t.fiber == NULL && t.data == NULL);
    CHECK(atomic_load(&counter.live) == before);
}

/* ---- a fiber created on one thread, resumed on others ------------------- */

static fctx_fiber_t where_am_i(fctx_fiber_t caller, void *data)
{
    (void)data;
    for (;;) {
        pthread_t self = pthread_self(); /* looked up after every switch */
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, &self);
        caller = t.fiber;
        if (t.data == NULL)
            return caller;
    }
}

struct hop {
    fctx_fiber_t f;
    int same_thread;
};

static void *resume_here(void *arg)
{
    struct hop *h = (struct hop *)arg;
    pthread_t me = pthread_self();
    fctx_fiber_transfer_t t = fctx_fiber_resume(h->f, (void *)1);
    h->same_thread = pthread_equal(*(pthread_t *)t.data, me);
    h->f = t.fiber;
    return NULL;
}

static void test_thread_migration(void)
{
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
    printf("(no threads: an Emscripten build without -pthread) ");
    return;
#endif
    struct hop h = {NULL, 0};
    CHECK(fctx_fiber_create(&h.f, &alloc, 0, where_am_i) == 0);
    for (int i = 0; i < 4; ++i) {
        pthread_t th;
        CHECK(pthread_create(&th, NULL, resume_here, &h) == 0);
        CHECK(pthread_join(th, NULL) == 0);
        CHECK(h.same_thread);
    }
    fctx_fiber_transfer_t t = fctx_fiber_resume(h.f, NULL);
    CHECK(t.fiber == NULL);
    CHECK(atomic_load(&counter.live) == 0);
}

/* ---- bad input ------------------------------------------------------------ */

static fctx_fiber_t never_called(fctx_fiber_t caller, void *data)
{
    (void)data;
    return caller;
}

static int shrinking_allocate(void *state, size_t size, fctx_stack_t *out)
{
    (void)size;
    int err = fctx_fixed_allocator()->allocate(NULL, 0, out);
    if (!err)
        out->size = 16; /* unusable */
    atomic_fetch_add((atomic_long *)state, 1);
    return err;
}

static void shrinking_deallocate(void *state, fctx_stack_t *s)
{
    atomic_fetch_sub((atomic_long *)state, 1);
    fctx_fixed_allocator()->deallocate(NULL, s);
}

static void test_bad_input(void)
{
    fctx_fiber_t f = (fctx_fiber_t)&f;
    CHECK(fctx_fiber_create(NULL, &alloc, 0, never_called) == EINVAL);
    CHECK(fctx_fiber_create(&f, &alloc, 0, NULL) == EINVAL);
    CHECK(f == NULL);
    fctx_allocator_t broken = {NULL, NULL, NULL};
    CHECK(fctx_fiber_create(&f, &broken, 0, never_called) == EINVAL);
    CHECK(fctx_fiber_create(&f, &alloc, (size_t)-1, never_called) == E2BIG);
    CHECK(fctx_fiber_create(&f, &alloc, fctx_stack_traits()->max_size + 1, never_called) == E2BIG);
    counter.fail_with = ENOMEM;
    CHECK(fctx_fiber_create(&f, &alloc, 0, never_called) == ENOMEM);
    CHECK(f == NULL);
    counter.fail_with = 0;
    atomic_long shrink_live = 0;
    fctx_allocator_t shrinking = {shrinking_allocate, shrinking_deallocate, &shrink_live};
    CHECK(fctx_fiber_create(&f, &shrinking, 0, never_called) == EINVAL);
    CHECK(atomic_load(&shrink_live) == 0); /* given back, not leaked */

    fctx_fiber_transfer_t t = fctx_fiber_resume(NULL, (void *)1);
    CHECK(t.fiber == NULL && t.data == FCTX_FIBER_EINVAL);
    t = fctx_fiber_resume_with(NULL, add_hundred, NULL);
    CHECK(t.fiber == NULL && t.data == FCTX_FIBER_EINVAL);
    CHECK(fctx_fiber_create(&f, &alloc, 0, doubler) == 0);
    t = fctx_fiber_resume_with(f, NULL, NULL);
    CHECK(t.fiber == NULL && t.data == FCTX_FIBER_EINVAL);
    t = fctx_fiber_cancel(NULL);
    CHECK(t.fiber == NULL && t.data == FCTX_FIBER_EINVAL);
    t = fctx_fiber_cancel(f); /* never started: released */
    CHECK(t.fiber == NULL && t.data == NULL);
    CHECK(FCTX_FIBER_EINVAL != FCTX_FIBER_CANCELED);
    CHECK(atomic_load(&counter.live) == 0);
}

/* The default allocator (NULL) is the guarded one and works. */
static void test_default_allocator(void)
{
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, NULL, 0, doubler) == 0);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)21);
    CHECK(t.data == (void *)42);
    t = fctx_fiber_resume(t.fiber, NULL);
    CHECK(t.fiber == NULL);
}

/* An entry function that returns NULL has nowhere to go: fatal, documented. */
static fctx_fiber_t returns_null(fctx_fiber_t caller, void *data)
{
    (void)caller;
    (void)data;
    return NULL;
}

static void child_null_return(void)
{
    fctx_fiber_t f;
    fctx_fiber_create(&f, NULL, 0, returns_null);
    fctx_fiber_resume(f, NULL);
}

static void test_entry_returning_null_aborts(void)
{
    struct death d = run_in_child(child_null_return);
    CHECK(d.signal == SIGABRT);
    CHECK(strstr(d.output, "entry function returned") != NULL);
}

int main(void)
{
    alloc = counting_allocator(&counter, fctx_guarded_allocator());
    RUN(test_generator_finishes);
    RUN(test_two_way);
    RUN(test_resume_with);
    RUN(test_cancel_suspended);
    RUN(test_cancel_never_started);
    RUN(test_ring);
    RUN(test_thread_migration);
    RUN(test_bad_input);
    RUN(test_default_allocator);
    RUN(test_entry_returning_null_aborts);
    CHECK(atomic_load(&counter.live) == 0);
    return 0;
}
