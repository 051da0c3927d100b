/*
 * scheduler.c - the round-robin scheduler of sched/ at work:
 *   1. round-robin order of yields, spawn and join (results and statuses);
 *   2. unbuffered channel: a send completes only when a receiver takes it;
 *   3. a pipeline, 3 stages x W fibers (default 100) over two channels,
 *      with a checksum compared against a direct computation;
 *   4. cancellation of tasks blocked in recv, send, yield, wait and join,
 *      of a task that never ran, from the loop and from another task, and
 *      of itself; each victim releases its heap memory;
 *   5. fsched_destroy() of a scheduler with tasks blocked forever;
 *   6. error codes.
 * Every stack comes from a counting allocator and every victim's heap
 * block is counted: the run fails unless both are back to zero.
 *
 *   scheduler [width [items-per-producer]]
 */
#include "sched/sched.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counting_alloc.h"

static int failures;

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                            \
        }                                                                          \
    } while (0)

static counting_alloc_t stacks;
static long live_heap_blocks; /* blocks held by tasks, freed by their cleanup */

static void *hold_block(void)
{
    void *p = malloc(256);
    if (p != NULL)
        ++live_heap_blocks;
    return p;
}

static void drop_block(void *p)
{
    if (p != NULL) {
        free(p);
        --live_heap_blocks;
    }
}

static fsched_t *new_sched(void)
{
    fsched_t *s = NULL;
    int err = fsched_create(&s, &stacks.alloc, 32 * 1024);
    if (err) {
        fprintf(stderr, "fsched_create: %s\n", strerror(err));
        exit(1);
    }
    return s;
}

static void end_sched(fsched_t *s)
{
    fsched_stats_t st;
    fsched_get_stats(s, &st);
    CHECK(st.live == 0);
    CHECK(fsched_destroy(s) == 0);
    CHECK(stacks.live == 0);
}

/* ---- 1. round-robin order, spawn, join ------------------------------------ */

struct rr {
    int log[64];
    int n;
};

struct rr_arg {
    struct rr *rr;
    int id;
};

static void *rr_task(fsched_t *s, void *arg)
{
    struct rr_arg *a = (struct rr_arg *)arg;
    for (int i = 0; i < 5; ++i) {
        a->rr->log[a->rr->n++] = a->id;
        CHECK(fsched_yield(s) == 0);
    }
    return (void *)(intptr_t)(a->id * 10);
}

static void *square(fsched_t *s, void *arg)
{
    CHECK(fsched_yield(s) == 0);
    intptr_t x = (intptr_t)arg;
    return (void *)(x * x);
}

/* Spawns children and joins them from inside a task. */
static void *parent(fsched_t *s, void *arg)
{
    (void)arg;
    fsched_task_t *kids[10];
    for (intptr_t i = 0; i < 10; ++i)
        CHECK(fsched_spawn(s, square, (void *)i, &kids[i]) == 0);
    intptr_t sum = 0;
    for (int i = 0; i < 10; ++i) {
        void *r = NULL;
        int st = -1;
        CHECK(fsched_join(s, kids[i], &r, &st) == 0);
        CHECK(st == 0);
        sum += (intptr_t)r;
    }
    return (void *)sum;
}

static void demo_round_robin(void)
{
    fsched_t *s = new_sched();
    struct rr rr = {{0}, 0};
    struct rr_arg args[3] = {{&rr, 0}, {&rr, 1}, {&rr, 2}};
    fsched_task_t *t[3];
    for (int i = 0; i < 3; ++i)
        CHECK(fsched_spawn(s, rr_task, &args[i], &t[i]) == 0);
    size_t blocked = 99;
    CHECK(fsched_run(s, &blocked) == 0 && blocked == 0);
    int ok = rr.n == 15;
    for (int i = 0; i < rr.n; ++i)
        ok = ok && rr.log[i] == i % 3;
    CHECK(ok);
    for (int i = 0; i < 3; ++i) {
        void *r = NULL;
        int st = -1;
        CHECK(fsched_join(s, t[i], &r, &st) == 0 && st == 0 && (intptr_t)r == i * 10);
    }
    /* Join from the loop runs the scheduler until the task is done. */
    fsched_task_t *p;
    CHECK(fsched_spawn(s, parent, NULL, &p) == 0);
    void *r = NULL;
    CHECK(fsched_join(s, p, &r, NULL) == 0 && (intptr_t)r == 285); /* sum of squares 0..9 */
    printf("round-robin: 3 tasks x 5 yields ran in order 0 1 2 0 1 2 ...; "
           "join from a task and from the loop: ok\n");
    end_sched(s);
}

/* ---- 2. rendezvous ---------------------------------------------------------- */

struct rdv {
    fsched_chan_t ch;
    char log[16];
    int n;
};

static void *rdv_sender(fsched_t *s, void *arg)
{
    struct rdv *r = (struct rdv *)arg;
    r->log[r->n++] = 's';           /* about to send */
    CHECK(fsched_chan_send(s, &r->ch, (void *)(intptr_t)42) == 0);
    r->log[r->n++] = 'S';           /* send returned */
    return NULL;
}

static void *rdv_receiver(fsched_t *s, void *arg)
{
    struct rdv *r = (struct rdv *)arg;
    for (int i = 0; i < 3; ++i) {  /* the sender stays blocked meanwhile */
        r->log[r->n++] = 'y';
        CHECK(fsched_yield(s) == 0);
    }
    void *v = NULL;
    CHECK(fsched_chan_recv(s, &r->ch, &v) == 0 && (intptr_t)v == 42);
    r->log[r->n++] = 'R';
    return NULL;
}

static void demo_rendezvous(void)
{
    fsched_t *s = new_sched();
    struct rdv r;
    memset(&r, 0, sizeof r);
    fsched_chan_init(&r.ch);
    CHECK(fsched_spawn(s, rdv_sender, &r, NULL) == 0);
    CHECK(fsched_spawn(s, rdv_receiver, &r, NULL) == 0);
    CHECK(fsched_run(s, NULL) == 0);
    r.log[r.n] = '\0';
    /* s: sender blocks; y y y: receiver yields (sender does not move);
     * R: receiver took the value and continues; S: then the sender resumes. */
    CHECK(strcmp(r.log, "syyyRS") == 0);
    printf("channel: unbuffered send blocks until received (trace %s)\n", r.log);
    end_sched(s);
}

/* ---- 3. pipeline ------------------------------------------------------------ */

struct pipe_ctx {
    fsched_chan_t raw, cooked;
    int width, items;
    fsched_task_t **producers, **workers, **consumers;
};

struct prod_arg {
    struct pipe_ctx *p;
    int id;
};

static uint32_t cook(uint32_t x)
{
    return (x * 2654435761u) >> 3; /* any bijection-ish mix will do */
}

static void *producer(fsched_t *s, void *arg)
{
    struct prod_arg *a = (struct prod_arg *)arg;
    for (int i = 0; i < a->p->items; ++i) {
        uintptr_t v = (uintptr_t)a->id * (uintptr_t)a->p->items + (uintptr_t)i + 1;
        if (fsched_chan_send(s, &a->p->raw, (void *)v) != 0)
            return (void *)(intptr_t)-1;
    }
    return NULL;
}

static void *worker(fsched_t *s, void *arg)
{
    struct pipe_ctx *p = (struct pipe_ctx *)arg;
    intptr_t handled = 0;
    void *v;
    while (fsched_chan_recv(s, &p->raw, &v) == 0) {
        uintptr_t c = cook((uint32_t)(uintptr_t)v);
        if (fsched_chan_send(s, &p->cooked, (void *)c) != 0)
            return (void *)(intptr_t)-1;
        ++handled;
    }
    return (void *)handled; /* recv said EPIPE: stage 1 is done */
}

struct tally {
    uint64_t sum, xor_, count;
};

static void *consumer(fsched_t *s, void *arg)
{
    struct pipe_ctx *p = (struct pipe_ctx *)arg;
    struct tally *t = (struct tally *)calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    void *v;
    while (fsched_chan_recv(s, &p->cooked, &v) == 0) {
        t->sum += (uint64_t)(uintptr_t)v;
        t->xor_ ^= (uint64_t)(uintptr_t)v * 0x9E3779B97F4A7C15u;
        t->count++;
    }
    return t;
}

/* Closes a channel once every task of a stage has finished. */
struct closer_arg {
    fsched_task_t **stage;
    int n;
    fsched_chan_t *ch;
};

static void *closer(fsched_t *s, void *arg)
{
    struct closer_arg *c = (struct closer_arg *)arg;
    for (int i = 0; i < c->n; ++i) {
        void *r = NULL;
        CHECK(fsched_join(s, c->stage[i], &r, NULL) == 0);
        CHECK((intptr_t)r >= 0);
    }
    CHECK(fsched_chan_close(s, c->ch) == 0);
    return NULL;
}

static void demo_pipeline(int width, int items)
{
    fsched_t *s = new_sched();
    struct pipe_ctx p;
    p.width = width;
    p.items = items;
    fsched_chan_init(&p.raw);
    fsched_chan_init(&p.cooked);
    p.producers = (fsched_task_t **)calloc((size_t)width, sizeof(fsched_task_t *));
    p.workers = (fsched_task_t **)calloc((size_t)width, sizeof(fsched_task_t *));
    p.consumers = (fsched_task_t **)calloc((size_t)width, sizeof(fsched_task_t *));
    struct prod_arg *pa = (struct prod_arg *)calloc((size_t)width, sizeof *pa);
    if (!p.producers || !p.workers || !p.consumers || !pa) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    /* Consumers first, producers last: the order does not matter. */
    for (int i = 0; i < width; ++i)
        CHECK(fsched_spawn(s, consumer, &p, &p.consumers[i]) == 0);
    for (int i = 0; i < width; ++i)
        CHECK(fsched_spawn(s, worker, &p, &p.workers[i]) == 0);
    for (int i = 0; i < width; ++i) {
        pa[i].p = &p;
        pa[i].id = i;
        CHECK(fsched_spawn(s, producer, &pa[i], &p.producers[i]) == 0);
    }
    struct closer_arg c1 = {p.producers, width, &p.raw};
    struct closer_arg c2 = {p.workers, width, &p.cooked};
    CHECK(fsched_spawn(s, closer, &c1, NULL) == 0);
    CHECK(fsched_spawn(s, closer, &c2, NULL) == 0);
    long peak_tasks = (long)stacks.live;

    struct tally total = {0, 0, 0};
    uint64_t min_c = UINT64_MAX, max_c = 0;
    for (int i = 0; i < width; ++i) {
        void *r = NULL;
        int st = -1;
        CHECK(fsched_join(s, p.consumers[i], &r, &st) == 0 && st == 0 && r != NULL);
        struct tally *t = (struct tally *)r;
        if (t != NULL) {
            total.sum += t->sum;
            total.xor_ ^= t->xor_;
            total.count += t->count;
            if (t->count < min_c)
                min_c = t->count;
            if (t->count > max_c)
                max_c = t->count;
            free(t);
        }
    }
    size_t left = 1;
    CHECK(fsched_run(s, &left) == 0 && left == 0);

    /* The same computation without fibers. */
    struct tally expect = {0, 0, 0};
    for (int id = 0; id < width; ++id) {
        for (int i = 0; i < items; ++i) {
            uint64_t c = cook((uint32_t)((uintptr_t)id * (uintptr_t)items + (uintptr_t)i + 1));
            expect.sum += c;
            expect.xor_ ^= c * 0x9E3779B97F4A7C15u;
            expect.count++;
        }
    }
    CHECK(total.count == expect.count && total.sum == expect.sum && total.xor_ == expect.xor_);
    fsched_stats_t st;
    fsched_get_stats(s, &st);
    printf("pipeline: 3 stages x %d fibers (+2 closers, %ld stacks live at start), %" PRIu64
           " items, checksum %016" PRIx64 "/%016" PRIx64 " (expected %016" PRIx64 "/%016" PRIx64
           "): %s\n",
           width, peak_tasks, total.count, total.sum, total.xor_, expect.sum, expect.xor_,
           total.count == expect.count && total.sum == expect.sum && total.xor_ == expect.xor_
               ? "match"
               : "MISMATCH");
    printf("pipeline: %zu task switches; items per consumer %" PRIu64 "..%" PRIu64 "\n",
           st.switches, min_c, max_c);
    free(p.producers);
    free(p.workers);
    free(p.consumers);
    free(pa);
    end_sched(s);
}

/* ---- 4. cancellation --------------------------------------------------------- */

struct victims {
    fsched_chan_t silent;     /* nobody sends or receives here */
    fsched_chan_t handoff;    /* for the "canceled sender's value is not delivered" check */
    fsched_waitq_t never;     /* nobody wakes this queue */
    int cleaned;             /* cleanups that ran */
    int saw_ecanceled;       /* blocking calls that reported ECANCELED */
    int after_cancel_ok;     /* later blocking calls that returned ECANCELED at once */
};

static void note_cancel(struct victims *v, int rc, fsched_t *s)
{
    if (rc == ECANCELED) {
        v->saw_ecanceled++;
        /* Once canceled, every blocking call fails at once, without switching. */
        fsched_stats_t before, after;
        fsched_get_stats(s, &before);
        if (fsched_yield(s) == ECANCELED && fsched_wait(s, &v->never) == ECANCELED) {
            fsched_get_stats(s, &after);
            if (after.switches == before.switches)
                v->after_cancel_ok++;
        }
    }
}

static void *blocked_in_recv(fsched_t *s, void *arg)
{
    struct victims *v = (struct victims *)arg;
    void *mine = hold_block();
    void *x;
    int rc = fsched_chan_recv(s, &v->silent, &x);
    note_cancel(v, rc, s);
    drop_block(mine);
    v->cleaned++;
    return (void *)(intptr_t)rc;
}

static void *blocked_in_send(fsched_t *s, void *arg)
{
    struct victims *v = (struct victims *)arg;
    void *mine = hold_block();
    int rc = fsched_chan_send(s, &v->handoff, (void *)(intptr_t)666); /* nobody receives yet */
    note_cancel(v, rc, s);
    drop_block(mine);
    v->cleaned++;
    return (void *)(intptr_t)rc;
}

static void *spinning_yield(fsched_t *s, void *arg)
{
    struct victims *v = (struct victims *)arg;
    void *mine = hold_block();
    int rc;
    intptr_t n = 0;
    while ((rc = fsched_yield(s)) == 0)
        ++n;                        /* bounded: the loop cancels it below */
    note_cancel(v, rc, s);
    drop_block(mine);
    v->cleaned++;
    return (void *)n;
}

static void *blocked_in_wait(fsched_t *s, void *arg)
{
    struct victims *v = (struct victims *)arg;
    void *mine = hold_block();
    int rc = fsched_wait(s, &v->never);
    note_cancel(v, rc, s);
    drop_block(mine);
    v->cleaned++;
    return (void *)(intptr_t)rc;
}

struct joiner_arg {
    struct victims *v;
    fsched_t *s;
};

/* Joins a task that never finishes; on cancellation it cancels that task
 * too and gives up the join handle (it still owns it after ECANCELED). */
static void *blocked_in_join(fsched_t *s, void *arg)
{
    struct victims *v = (struct victims *)arg;
    void *mine = hold_block();
    fsched_task_t *forever;
    int rc = fsched_spawn(s, spinning_yield, v, &forever);
    if (rc == 0) {
        rc = fsched_join(s, forever, NULL, NULL);
        note_cancel(v, rc, s);
        if (rc == ECANCELED) {
            CHECK(fsched_cancel(s, forever) == 0);
            CHECK(fsched_detach(s, forever) == 0);
        }
    }
    drop_block(mine);
    v->cleaned++;
    return (void *)(intptr_t)rc;
}

static void *never_runs(fsched_t *s, void *arg)
{
    (void)s;
    struct victims *v = (struct victims *)arg;
    v->cleaned += 1000; /* must not happen: canceled before it ran */
    return NULL;
}

/* Cancels itself, then finds its next blocking call failing. */
static void *self_cancel(fsched_t *s, void *arg)
{
    struct victims *v = (struct victims *)arg;
    void *mine = hold_block();
    CHECK(fsched_cancel(s, fsched_current(s)) == 0);
    int rc = fsched_yield(s);
    CHECK(rc == ECANCELED);
    drop_block(mine);
    v->cleaned++;
    return NULL;
}

struct killer_arg {
    fsched_task_t **targets;
    int n;
};

static void *killer(fsched_t *s, void *arg)
{
    struct killer_arg *k = (struct killer_arg *)arg;
    for (int i = 0; i < k->n; ++i)
        CHECK(fsched_cancel(s, k->targets[i]) == 0);
    return NULL;
}

static void *receive_one(fsched_t *s, void *arg)
{
    struct victims *v = (struct victims *)arg;
    void *x = NULL;
    int rc = fsched_chan_recv(s, &v->handoff, &x);
    return rc == 0 ? x : (void *)(intptr_t)-rc;
}

static void *send_fresh(fsched_t *s, void *arg)
{
    struct victims *v = (struct victims *)arg;
    return (void *)(intptr_t)fsched_chan_send(s, &v->handoff, (void *)(intptr_t)7);
}

static void demo_cancellation(void)
{
    fsched_t *s = new_sched();
    struct victims v;
    memset(&v, 0, sizeof v);
    fsched_chan_init(&v.silent);
    fsched_chan_init(&v.handoff);
    fsched_waitq_init(&v.never);

    enum { PER_KIND = 20 };
    fsched_task_t *recv_t[PER_KIND], *send_t[PER_KIND], *yield_t[PER_KIND], *wait_t[PER_KIND],
        *join_t[PER_KIND], *never_t, *self_t;
    for (int i = 0; i < PER_KIND; ++i) {
        CHECK(fsched_spawn(s, blocked_in_recv, &v, &recv_t[i]) == 0);
        CHECK(fsched_spawn(s, blocked_in_send, &v, &send_t[i]) == 0);
        CHECK(fsched_spawn(s, spinning_yield, &v, &yield_t[i]) == 0);
        CHECK(fsched_spawn(s, blocked_in_wait, &v, &wait_t[i]) == 0);
        CHECK(fsched_spawn(s, blocked_in_join, &v, &join_t[i]) == 0);
    }
    CHECK(fsched_spawn(s, never_runs, &v, &never_t) == 0);
    CHECK(fsched_cancel(s, never_t) == 0); /* before it ever ran */
    CHECK(fsched_spawn(s, self_cancel, &v, &self_t) == 0);

    /* Let everybody block (the yielders keep going: run a bounded number of
     * rounds by joining a task that yields a few times). */
    fsched_task_t *pacer;
    CHECK(fsched_spawn(s, square, (void *)(intptr_t)3, &pacer) == 0);
    CHECK(fsched_join(s, pacer, NULL, NULL) == 0);
    long held = live_heap_blocks;
    CHECK(held == 6 * PER_KIND); /* 5 kinds + the join victims' targets */
    CHECK(v.cleaned == 1); /* only self_cancel has finished */

    /* Cancel: recv and yield victims from the loop, the others from a task. */
    for (int i = 0; i < PER_KIND; ++i) {
        CHECK(fsched_cancel(s, recv_t[i]) == 0);
        CHECK(fsched_cancel(s, yield_t[i]) == 0);
        CHECK(fsched_cancel(s, yield_t[i]) == 0); /* idempotent */
    }
    fsched_task_t *targets[3 * PER_KIND];
    for (int i = 0; i < PER_KIND; ++i) {
        targets[i] = send_t[i];
        targets[PER_KIND + i] = wait_t[i];
        targets[2 * PER_KIND + i] = join_t[i];
    }
    struct killer_arg k = {targets, 3 * PER_KIND};
    CHECK(fsched_spawn(s, killer, &k, NULL) == 0);
    size_t left = 99;
    CHECK(fsched_run(s, &left) == 0);
    CHECK(left == 0);

    int ok_status = 1;
    fsched_task_t **groups[5] = {recv_t, send_t, yield_t, wait_t, join_t};
    for (int g = 0; g < 5; ++g) {
        for (int i = 0; i < PER_KIND; ++i) {
            void *r = NULL;
            int st = -1;
            if (fsched_join(s, groups[g][i], &r, &st) != 0 || st != ECANCELED)
                ok_status = 0;
            if (g != 2 && (intptr_t)r != ECANCELED)
                ok_status = 0;
        }
    }
    CHECK(ok_status);
    int st = -1;
    void *r = (void *)1;
    CHECK(fsched_join(s, never_t, &r, &st) == 0 && st == ECANCELED && r == NULL);
    CHECK(fsched_join(s, self_t, NULL, &st) == 0 && st == ECANCELED);
    CHECK(v.cleaned == 6 * PER_KIND + 1); /* 5 kinds + the join victims' targets + self */
    CHECK(v.saw_ecanceled == 6 * PER_KIND);
    CHECK(v.after_cancel_ok == 6 * PER_KIND);
    CHECK(live_heap_blocks == 0);
    CHECK(stacks.live == 0);

    /* The canceled senders' value (666) was withdrawn: a new receiver gets
     * the next sender's value. */
    fsched_task_t *rx, *tx;
    CHECK(fsched_spawn(s, receive_one, &v, &rx) == 0);
    CHECK(fsched_spawn(s, send_fresh, &v, &tx) == 0);
    r = NULL;
    CHECK(fsched_join(s, rx, &r, NULL) == 0 && (intptr_t)r == 7);
    CHECK(fsched_join(s, tx, &r, NULL) == 0 && r == NULL);

    fsched_stats_t stt;
    fsched_get_stats(s, &stt);
    printf("cancel: %d tasks blocked in recv/send/yield/wait/join + 1 unstarted + 1 self: "
           "all finished with ECANCELED, %d cleanups, heap blocks %ld -> %ld, live stacks %ld\n",
           6 * PER_KIND, v.cleaned, held, live_heap_blocks, stacks.live);
    CHECK(stt.canceled == (size_t)(6 * PER_KIND + 2));
    end_sched(s);
}

/* ---- 5. destroy with blocked tasks -------------------------------------------- */

static void demo_destroy(void)
{
    fsched_t *s = new_sched();
    struct victims v;
    memset(&v, 0, sizeof v);
    fsched_chan_init(&v.silent);
    fsched_chan_init(&v.handoff);
    fsched_waitq_init(&v.never);
    fsched_task_t *kept;
    for (int i = 0; i < 10; ++i) {
        CHECK(fsched_spawn(s, blocked_in_recv, &v, NULL) == 0);
        CHECK(fsched_spawn(s, blocked_in_wait, &v, NULL) == 0);
    }
    CHECK(fsched_spawn(s, blocked_in_send, &v, &kept) == 0); /* join handle never used */
    size_t left = 0;
    CHECK(fsched_run(s, &left) == 0 && left == 21); /* deadlocked on purpose */
    CHECK(fsched_join(s, kept, NULL, NULL) == EDEADLK);
    CHECK(stacks.live == 21 && live_heap_blocks == 21);
    CHECK(fsched_destroy(s) == 0);
    CHECK(v.cleaned == 21 && live_heap_blocks == 0 && stacks.live == 0);
    printf("destroy: 21 deadlocked tasks canceled and freed by fsched_destroy()\n");
}

/* ---- 6. error codes ------------------------------------------------------------ */

static void *join_self(fsched_t *s, void *arg)
{
    (void)arg;
    return (void *)(intptr_t)fsched_join(s, fsched_current(s), NULL, NULL);
}

static void *quick(fsched_t *s, void *arg)
{
    (void)s;
    return arg;
}

static void demo_errors(void)
{
    fsched_t *s = new_sched();
    fsched_chan_t ch;
    fsched_waitq_t q;
    fsched_chan_init(&ch);
    fsched_waitq_init(&q);
    void *v;
    CHECK(fsched_create(NULL, NULL, 0) == EINVAL);
    fctx_allocator_t bad = {NULL, NULL, NULL};
    fsched_t *s2 = s;
    CHECK(fsched_create(&s2, &bad, 0) == EINVAL && s2 == NULL);
    CHECK(fsched_spawn(NULL, quick, NULL, NULL) == EINVAL);
    CHECK(fsched_spawn(s, NULL, NULL, NULL) == EINVAL);
    CHECK(fsched_yield(s) == EPERM);              /* the loop cannot block */
    CHECK(fsched_wait(s, &q) == EPERM);
    CHECK(fsched_chan_send(s, &ch, NULL) == EPERM);
    CHECK(fsched_chan_recv(s, &ch, &v) == EPERM);
    CHECK(fsched_chan_recv(s, &ch, NULL) == EINVAL);
    CHECK(fsched_yield(NULL) == EINVAL);
    CHECK(fsched_cancel(s, NULL) == EINVAL);
    CHECK(fsched_join(s, NULL, NULL, NULL) == EINVAL);
    CHECK(fsched_run(NULL, NULL) == EINVAL);
    CHECK(fsched_get_stats(s, NULL) == EINVAL);
    CHECK(fsched_current(s) == NULL);
    fsched_task_t *t;
    CHECK(fsched_spawn(s, join_self, NULL, &t) == 0);
    void *r = NULL;
    CHECK(fsched_join(s, t, &r, NULL) == 0 && (intptr_t)r == EDEADLK);
    CHECK(fsched_spawn(s, quick, NULL, &t) == 0);
    CHECK(fsched_run(s, NULL) == 0);
    CHECK(fsched_cancel(s, t) == ESRCH); /* already finished */
    CHECK(fsched_detach(s, t) == 0);     /* frees the finished record */
    CHECK(fsched_chan_close(s, &ch) == 0);
    CHECK(fsched_chan_close(s, &ch) == EALREADY);
    CHECK(fsched_destroy(NULL) == EINVAL);
    fsched_stats_t st;
    fsched_get_stats(s, &st);
    CHECK(st.records == 0);
    printf("errors: EINVAL/EPERM/EDEADLK/ESRCH/EALREADY as documented\n");
    end_sched(s);
}

int main(int argc, char **argv)
{
    int width = argc > 1 ? atoi(argv[1]) : 100;
    int items = argc > 2 ? atoi(argv[2]) : 200;
    if (width < 1 || width > 100000 || items < 1 || items > 1000000) {
        fprintf(stderr, "usage: scheduler [width 1..100000 [items 1..1000000]]\n");
        return 2;
    }
    counting_alloc_init(&stacks, fctx_guarded_allocator());

    demo_round_robin();
    demo_rendezvous();
    demo_pipeline(width, items);
    demo_cancellation();
    demo_destroy();
    demo_errors();

    CHECK(stacks.live == 0 && live_heap_blocks == 0);
    printf("scheduler: %ld stacks allocated (peak %ld live), %ld live at exit, "
           "%ld heap blocks held at exit: %s\n",
           stacks.total, stacks.peak, stacks.live, live_heap_blocks, failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
