/* Fibers handed between threads.
 *
 * NFIBERS fibers, created on the main thread, are passed between NTHREADS
 * worker threads through per-thread inboxes (mutex + condition variable).
 * A worker pops a fiber, resumes it once with a message on its own stack,
 * checks the reply, and pushes the fiber to another thread's inbox: every
 * fiber is resumed STEPS times, each time on a different thread than the
 * time before, and visits every thread.  Some resumes go through
 * fctx_fiber_resume_with() (a function runs on top of the fiber, on the
 * resuming thread), some fibers are canceled halfway from whichever thread
 * holds them, the rest return normally.
 *
 * Checked: each fiber sees its steps in order, runs on the thread that
 * resumed it (pthread_self() after every switch), carries its private state
 * (locals on its own stack) across threads, and replies with a value the
 * resuming thread can predict; the fiber's writes to shared records are seen
 * by the next thread (ordered by the queue's mutex: a ThreadSanitizer build
 * reports any race); all stacks are given back.
 */
#include <fctx/fiber.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "counting_alloc.h"

#define NTHREADS 4
#define NFIBERS 32
#define STEPS 300
#define CANCEL_AT (STEPS / 2) /* fibers with id % 4 == 3 are canceled here */

/* check.h's counter is not thread-safe; this one is. */
static atomic_long checks;
#define TCHECK(cond)                                                                 \
    do {                                                                             \
        atomic_fetch_add_explicit(&checks, 1, memory_order_relaxed);                 \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

/* Shared per-fiber record.  Written by the fiber (fiber_*) and by the thread
 * that holds the fiber (thread_*); ownership moves with the fiber through the
 * inboxes, so no two threads ever touch it at once. */
struct fiber_state {
    int id;
    unsigned next_step;          /* thread side: the step to ask for next */
    uint64_t thread_expect;      /* thread side: the fiber's value, predicted */
    unsigned thread_mask;        /* thread side: threads that resumed it */
    unsigned fiber_mask;         /* fiber side: threads it found itself on */
    unsigned fiber_steps;        /* fiber side: steps done */
    unsigned fiber_ontop_seen;   /* fiber side: messages that came via resume_with */
    int fiber_canceled_at;       /* fiber side: -1, or the step it was canceled at */
    uint64_t fiber_final;        /* fiber side: its private value when it ended */
};

/* Thread -> fiber, on the resuming thread's stack. */
struct to_fiber {
    struct fiber_state *st;
    unsigned step;
    int thread_index;
    pthread_t thread;
    uint64_t nonce;
    int via_ontop;  /* sent with resume_with */
    int ontop_ran;  /* set by the function run on top */
};

/* Fiber -> thread, on the fiber's stack. */
struct from_fiber {
    int id;
    unsigned step;
    int thread_index;
    uint64_t value;
};

/* glibc declares pthread_self() const, so a compiler may reuse one call's
 * result across a switch; a fiber that migrated must ask again. */
static pthread_t (*volatile self)(void) = pthread_self;

static uint64_t mix(uint64_t v, uint64_t nonce)
{
    v ^= nonce + 0x9e3779b97f4a7c15u + (v << 6) + (v >> 2);
    return v * 0xff51afd7ed558ccdu;
}

static fctx_fiber_t worker(fctx_fiber_t caller, void *data)
{
    const struct to_fiber *in = (const struct to_fiber *)data;
    struct fiber_state *st = in->st;
    uint64_t value = (uint64_t)st->id; /* private, on this stack */
    unsigned step = 0;
    for (;;) {
        TCHECK(in->st == st);
        TCHECK(in->step == step);
        TCHECK(pthread_equal(in->thread, self()));
        TCHECK(in->via_ontop == in->ontop_ran);
        if (in->via_ontop)
            ++st->fiber_ontop_seen;
        st->fiber_mask |= 1u << in->thread_index;
        value = mix(value, in->nonce);
        st->fiber_steps = step + 1;
        struct from_fiber out = {st->id, step, in->thread_index, value};
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, &out);
        caller = t.fiber;
        TCHECK(caller != NULL);
        if (t.data == FCTX_FIBER_CANCELED) {
            st->fiber_canceled_at = (int)step + 1;
            st->fiber_final = value;
            return caller;
        }
        in = (const struct to_fiber *)t.data;
        if (++step == STEPS) {
            /* The last message only asks us to finish. */
            TCHECK(pthread_equal(in->thread, self()));
            st->fiber_final = value;
            return caller;
        }
    }
}

/* Runs on top of the fiber, on the resuming thread, before the fiber sees
 * the message. */
static fctx_fiber_transfer_t mark_ontop(fctx_fiber_transfer_t t)
{
    struct to_fiber *in = (struct to_fiber *)t.data;
    TCHECK(pthread_equal(in->thread, self()));
    TCHECK(t.fiber != NULL);
    in->ontop_ran = 1;
    return t;
}

/* ---- inboxes -------------------------------------------------------------- */

struct item {
    fctx_fiber_t f;
    struct fiber_state *st;
    struct item *next;
};

struct inbox {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct item *head, *tail;
    int quit;
};

static struct inbox inboxes[NTHREADS];
static atomic_int remaining = NFIBERS;
static atomic_long resumes;

static void push(int to, struct item *it)
{
    struct inbox *b = &inboxes[to];
    it->next = NULL;
    pthread_mutex_lock(&b->lock);
    if (b->tail)
        b->tail->next = it;
    else
        b->head = it;
    b->tail = it;
    pthread_cond_signal(&b->ready);
    pthread_mutex_unlock(&b->lock);
}

static struct item *pop(int me)
{
    struct inbox *b = &inboxes[me];
    pthread_mutex_lock(&b->lock);
    while (b->head == NULL && !b->quit)
        pthread_cond_wait(&b->ready, &b->lock);
    struct item *it = b->head;
    if (it) {
        b->head = it->next;
        if (b->head == NULL)
            b->tail = NULL;
    }
    pthread_mutex_unlock(&b->lock);
    return it;
}

static void quit_all(void)
{
    for (int i = 0; i < NTHREADS; ++i) {
        pthread_mutex_lock(&inboxes[i].lock);
        inboxes[i].quit = 1;
        pthread_cond_broadcast(&inboxes[i].ready);
        pthread_mutex_unlock(&inboxes[i].lock);
    }
}

static int canceled_fiber(int id)
{
    return id % 4 == 3;
}

struct thread_arg {
    int index;
};

static void *thread_main(void *p)
{
    const int me = ((const struct thread_arg *)p)->index;
    uint64_t rng = 0x2545f4914f6cdd1du * (uint64_t)(me + 1);
    struct item *it;
    while ((it = pop(me)) != NULL) {
        struct fiber_state *st = it->st;
        const unsigned step = st->next_step;
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        struct to_fiber in = {st, step, me, pthread_self(), rng, 0, 0};
        st->thread_mask |= 1u << me;

        fctx_fiber_transfer_t t;
        const int cancel = canceled_fiber(st->id) && step == CANCEL_AT;
        if (cancel) {
            t = fctx_fiber_cancel(it->f);
        } else if (step % 5 == 4 && step < STEPS) {
            in.via_ontop = 1;
            t = fctx_fiber_resume_with(it->f, mark_ontop, &in);
        } else {
            t = fctx_fiber_resume(it->f, &in);
        }
        atomic_fetch_add(&resumes, 1);

        if (cancel || step == STEPS) {
            /* It returned: its stack is gone, its record holds the result. */
            TCHECK(t.fiber == NULL && t.data == NULL);
            TCHECK(st->fiber_final == st->thread_expect);
            TCHECK(st->fiber_canceled_at == (cancel ? (int)step : -1));
            TCHECK(st->fiber_steps == step);
            if (atomic_fetch_sub(&remaining, 1) == 1)
                quit_all();
            continue;
        }
        TCHECK(t.fiber != NULL);
        const struct from_fiber *out = (const struct from_fiber *)t.data;
        st->thread_expect = mix(st->thread_expect, rng);
        TCHECK(out->id == st->id);
        TCHECK(out->step == step);
        TCHECK(out->thread_index == me);
        TCHECK(out->value == st->thread_expect);
        TCHECK(st->fiber_steps == step + 1);
        TCHECK(st->fiber_mask == st->thread_mask);
        it->f = t.fiber;
        st->next_step = step + 1;
        /* Never the same thread twice in a row; offsets 1..NTHREADS-1 in turn,
         * so within NTHREADS steps every thread has run the fiber. */
        push((me + 1 + (int)(step % (NTHREADS - 1))) % NTHREADS, it);
    }
    return NULL;
}

int main(void)
{
    static struct counting counter;
    fctx_allocator_t alloc = counting_allocator(&counter, fctx_guarded_allocator());
    static struct fiber_state states[NFIBERS];
    static struct item items[NFIBERS];

    for (int i = 0; i < NTHREADS; ++i) {
        TCHECK(pthread_mutex_init(&inboxes[i].lock, NULL) == 0);
        TCHECK(pthread_cond_init(&inboxes[i].ready, NULL) == 0);
    }
    for (int i = 0; i < NFIBERS; ++i) {
        states[i].id = i;
        states[i].thread_expect = (uint64_t)i;
        states[i].fiber_canceled_at = -1;
        items[i].st = &states[i];
        TCHECK(fctx_fiber_create(&items[i].f, &alloc, 0, worker) == 0);
        push(i % NTHREADS, &items[i]); /* first resume happens on a worker */
    }
    TCHECK(atomic_load(&counter.live) == NFIBERS);

    pthread_t th[NTHREADS];
    struct thread_arg args[NTHREADS];
    for (int i = 0; i < NTHREADS; ++i) {
        args[i].index = i;
        TCHECK(pthread_create(&th[i], NULL, thread_main, &args[i]) == 0);
    }
    for (int i = 0; i < NTHREADS; ++i)
        TCHECK(pthread_join(th[i], NULL) == 0);

    long expect_resumes = 0;
    int canceled = 0;
    for (int i = 0; i < NFIBERS; ++i) {
        const struct fiber_state *st = &states[i];
        TCHECK(st->fiber_mask == (1u << NTHREADS) - 1); /* ran on every thread */
        TCHECK(st->thread_mask == (1u << NTHREADS) - 1);
        if (canceled_fiber(i)) {
            TCHECK(st->fiber_canceled_at == CANCEL_AT);
            TCHECK(st->fiber_steps == CANCEL_AT);
            expect_resumes += CANCEL_AT + 1;
            ++canceled;
        } else {
            TCHECK(st->fiber_canceled_at == -1);
            TCHECK(st->fiber_steps == STEPS);
            /* STEPS / 5 of its resumes went through resume_with */
            TCHECK(st->fiber_ontop_seen == STEPS / 5);
            expect_resumes += STEPS + 1;
        }
    }
    TCHECK(canceled == NFIBERS / 4);
    TCHECK(atomic_load(&resumes) == expect_resumes);
    TCHECK(atomic_load(&remaining) == 0);
    TCHECK(atomic_load(&counter.live) == 0);
    TCHECK(atomic_load(&counter.total) == NFIBERS);
    for (int i = 0; i < NTHREADS; ++i) {
        pthread_mutex_destroy(&inboxes[i].lock);
        pthread_cond_destroy(&inboxes[i].ready);
    }
    printf("%d fibers, %d threads, %ld resumes (%d canceled fibers): ok (%ld checks)\n", NFIBERS,
           NTHREADS, atomic_load(&resumes), canceled, atomic_load(&checks));
    return 0;
}
