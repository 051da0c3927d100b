/*
 * sched.c - cooperative round-robin scheduler on fctx fibers.
 *
 * Shape: the loop (fsched_run) is an ordinary function on the thread's own
 * stack.  It pops the oldest ready task and resumes its fiber; the task
 * runs until it blocks, yields or finishes, each of which switches back to
 * the loop.  So every task switch is two fiber switches (task -> loop ->
 * next task), which keeps the handle bookkeeping in one place:
 *
 *   - A task's own handle (the suspended fiber) lives in its record,
 *     t->handle.  The loop stores it there from the transfer that the
 *     resume returns: {the fiber that just switched back, NULL}.  When the
 *     fiber finished instead, the transfer is {NULL, NULL}.
 *   - The loop's handle lives in the scheduler, s->loop, while a task runs.
 *     The task stores it from the transfer its own resume returns, and
 *     consumes it when it switches back.
 *   - The current task is s->current: the library has no notion of it.
 *
 * Cancellation: fsched_cancel() only marks the task and, if it is blocked,
 * moves it to the ready queue.  When the loop reaches a marked task it
 * resumes it with fctx_fiber_cancel() instead of fctx_fiber_resume(), so
 * the pending switch inside park() returns {loop, FCTX_FIBER_CANCELED}.
 * Because the loop is always the one that cancels, the fiber on the other
 * side of every switch is always the loop, and a canceled task finishes
 * exactly like any other: by returning the loop's handle from its entry.
 */
#include "sched.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

enum task_state { T_READY, T_RUNNING, T_WAITING, T_DONE };

#define WAKE_PENDING (-1) /* wake_status before anybody woke the task */

struct fsched_task {
    fsched_t *sched;
    fctx_fiber_t handle;      /* the suspended fiber while READY or WAITING */
    fsched_fn fn;
    void *arg;
    void *result;
    enum task_state state;
    int wake_status;          /* given by the waker, WAKE_PENDING until then */
    void *xfer;               /* a channel value in flight */
    fsched_waitq_t *on;        /* the queue it is linked on (ready or a wait queue) */
    fsched_task_t *prev, *next;
    fsched_task_t *all_prev, *all_next; /* every record the scheduler owns */
    fsched_waitq_t joiners;
    unsigned cancel_requested : 1;
    unsigned cancel_delivered : 1; /* the loop resumed it with fctx_fiber_cancel() */
    unsigned detached : 1;
    unsigned ran : 1;              /* its function was entered */
};

struct fsched {
    fctx_allocator_t alloc;
    size_t stack_size;
    fctx_fiber_t loop;        /* the loop's handle, held by the running task */
    fsched_task_t *current;    /* the running task; NULL in the loop */
    fsched_waitq_t ready;
    fsched_task_t *all;
    fsched_stats_t stats;
};

/* ---- intrusive queues ----------------------------------------------------- */

void fsched_waitq_init(fsched_waitq_t *q)
{
    if (q != NULL)
        q->head = q->tail = NULL;
}

static void q_push(fsched_waitq_t *q, fsched_task_t *t)
{
    t->on = q;
    t->next = NULL;
    t->prev = q->tail;
    if (q->tail != NULL)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

static void q_remove(fsched_task_t *t)
{
    fsched_waitq_t *q = t->on;
    if (t->prev != NULL)
        t->prev->next = t->next;
    else
        q->head = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    else
        q->tail = t->prev;
    t->on = NULL;
    t->prev = t->next = NULL;
}

static fsched_task_t *q_pop(fsched_waitq_t *q)
{
    fsched_task_t *t = q->head;
    if (t != NULL)
        q_remove(t);
    return t;
}

static void make_ready(fsched_t *s, fsched_task_t *t)
{
    t->state = T_READY;
    q_push(&s->ready, t);
}

static void wake_task(fsched_t *s, fsched_task_t *t, int status)
{
    t->wake_status = status;
    make_ready(s, t);
}

/* ---- the switch ----------------------------------------------------------- */

/*
 * Switch from the running task back to the loop.  The caller has already
 * put itself wherever it should be found again (a wait queue, or the ready
 * queue for a yield).  Returns nonzero if the loop resumed us with
 * fctx_fiber_cancel().
 */
static int park(fsched_t *s)
{
    fctx_fiber_t loop = s->loop;
    s->loop = NULL; /* consumed by the resume: never use it twice */
    fctx_fiber_transfer_t tr = fctx_fiber_resume(loop, NULL);
    s->loop = tr.fiber; /* the loop suspended itself to resume us: keep its handle */
    return tr.data == FCTX_FIBER_CANCELED;
}

static fctx_fiber_t task_main(fctx_fiber_t loop, void *data)
{
    fsched_task_t *t = (fsched_task_t *)data;
    fsched_t *s = t->sched;
    s->loop = loop;
    t->ran = 1;
    t->result = t->fn(s, t->arg);
    fctx_fiber_t back = s->loop; /* the latest handle to the loop */
    s->loop = NULL;
    return back; /* switch there; the loop's resume returns {NULL, NULL} */
}

static void free_record(fsched_t *s, fsched_task_t *t)
{
    if (t->all_prev != NULL)
        t->all_prev->all_next = t->all_next;
    else
        s->all = t->all_next;
    if (t->all_next != NULL)
        t->all_next->all_prev = t->all_prev;
    s->stats.records--;
    free(t);
}

static void finish(fsched_t *s, fsched_task_t *t)
{
    t->state = T_DONE;
    s->stats.live--;
    s->stats.finished++;
    if (t->cancel_requested)
        s->stats.canceled++;
    fsched_wake_all(s, &t->joiners, 0);
    if (t->detached)
        free_record(s, t);
}

/* Resume the oldest ready task until it switches back.  0 if none was ready. */
static int run_one(fsched_t *s)
{
    fsched_task_t *t = q_pop(&s->ready);
    if (t == NULL)
        return 0;
    fctx_fiber_t h = t->handle;
    t->handle = NULL;
    t->state = T_RUNNING;
    s->current = t;
    fctx_fiber_transfer_t tr;
    if (t->cancel_requested && !t->cancel_delivered) {
        t->cancel_delivered = 1;
        tr = fctx_fiber_cancel(h);
    } else {
        tr = fctx_fiber_resume(h, t);
    }
    s->stats.switches++;
    s->current = NULL;
    if (tr.fiber == NULL) {
        finish(s, t); /* its entry returned; fctx freed the stack */
    } else {
        assert(t->state == T_READY || t->state == T_WAITING);
        t->handle = tr.fiber;
    }
    return 1;
}

/* ---- public API ----------------------------------------------------------- */

int fsched_create(fsched_t **out, const fctx_allocator_t *alloc, size_t stack_size)
{
    if (out == NULL)
        return EINVAL;
    *out = NULL;
    if (alloc != NULL && (alloc->allocate == NULL || alloc->deallocate == NULL))
        return EINVAL;
    fsched_t *s = (fsched_t *)calloc(1, sizeof *s);
    if (s == NULL)
        return ENOMEM;
    s->alloc = alloc != NULL ? *alloc : *fctx_guarded_allocator();
    s->stack_size = stack_size;
    fsched_waitq_init(&s->ready);
    *out = s;
    return 0;
}

int fsched_destroy(fsched_t *s)
{
    if (s == NULL)
        return EINVAL;
    if (s->current != NULL)
        return EPERM;
    size_t left = 0;
    fsched_cancel_all(s);
    fsched_run(s, &left);
    while (left > 0) {
        /* Cleanup code may have spawned tasks: cancel those too. */
        if (fsched_cancel_all(s) == 0)
            return EBUSY;
        fsched_run(s, &left);
    }
    while (s->all != NULL)
        free_record(s, s->all);
    free(s);
    return 0;
}

int fsched_spawn(fsched_t *s, fsched_fn fn, void *arg, fsched_task_t **join)
{
    if (join != NULL)
        *join = NULL;
    if (s == NULL || fn == NULL)
        return EINVAL;
    fsched_task_t *t = (fsched_task_t *)calloc(1, sizeof *t);
    if (t == NULL)
        return ENOMEM;
    int err = fctx_fiber_create(&t->handle, &s->alloc, s->stack_size, task_main);
    if (err) {
        free(t);
        return err;
    }
    t->sched = s;
    t->fn = fn;
    t->arg = arg;
    t->detached = join == NULL;
    fsched_waitq_init(&t->joiners);
    t->all_next = s->all;
    if (s->all != NULL)
        s->all->all_prev = t;
    s->all = t;
    s->stats.live++;
    s->stats.records++;
    s->stats.spawned++;
    make_ready(s, t);
    if (join != NULL)
        *join = t;
    return 0;
}

int fsched_detach(fsched_t *s, fsched_task_t *t)
{
    if (s == NULL || t == NULL || t->detached)
        return EINVAL;
    t->detached = 1;
    if (t->state == T_DONE)
        free_record(s, t);
    return 0;
}

int fsched_join(fsched_t *s, fsched_task_t *t, void **result, int *status)
{
    if (s == NULL || t == NULL || t->detached)
        return EINVAL;
    fsched_task_t *self = s->current;
    if (t == self)
        return EDEADLK;
    while (t->state != T_DONE) {
        if (self != NULL) {
            int rc = fsched_wait(s, &t->joiners);
            if (rc == ECANCELED)
                return ECANCELED;
        } else if (!run_one(s)) {
            return EDEADLK; /* everything left is blocked */
        }
    }
    if (result != NULL)
        *result = t->result;
    if (status != NULL)
        *status = t->cancel_requested ? ECANCELED : 0;
    free_record(s, t);
    return 0;
}

int fsched_cancel(fsched_t *s, fsched_task_t *t)
{
    if (s == NULL || t == NULL)
        return EINVAL;
    if (t->state == T_DONE)
        return ESRCH;
    if (t->cancel_requested)
        return 0;
    t->cancel_requested = 1;
    if (t->state == T_WAITING) {
        q_remove(t); /* it will never be woken from there now */
        make_ready(s, t);
    }
    /* READY: the loop cancels it when it gets there.  RUNNING (itself): its
     * next blocking call returns ECANCELED. */
    return 0;
}

size_t fsched_cancel_all(fsched_t *s)
{
    if (s == NULL)
        return 0;
    size_t n = 0;
    for (fsched_task_t *t = s->all; t != NULL; t = t->all_next) {
        if (t->state != T_DONE && !t->cancel_requested) {
            fsched_cancel(s, t);
            ++n;
        }
    }
    return n;
}

int fsched_yield(fsched_t *s)
{
    if (s == NULL)
        return EINVAL;
    fsched_task_t *self = s->current;
    if (self == NULL)
        return EPERM;
    if (self->cancel_requested)
        return ECANCELED;
    make_ready(s, self);
    return park(s) ? ECANCELED : 0;
}

int fsched_run(fsched_t *s, size_t *blocked)
{
    if (s == NULL)
        return EINVAL;
    if (s->current != NULL)
        return EPERM;
    while (run_one(s))
        ;
    if (blocked != NULL)
        *blocked = s->stats.live;
    return 0;
}

fsched_task_t *fsched_current(const fsched_t *s)
{
    return s != NULL ? s->current : NULL;
}

int fsched_get_stats(const fsched_t *s, fsched_stats_t *out)
{
    if (s == NULL || out == NULL)
        return EINVAL;
    *out = s->stats;
    return 0;
}

int fsched_wait(fsched_t *s, fsched_waitq_t *q)
{
    if (s == NULL || q == NULL)
        return EINVAL;
    fsched_task_t *self = s->current;
    if (self == NULL)
        return EPERM;
    if (self->cancel_requested)
        return ECANCELED;
    self->wake_status = WAKE_PENDING;
    self->state = T_WAITING;
    q_push(q, self);
    int canceled = park(s);
    /* A wakeup that came before the cancel wins (a channel value is not
     * lost); the cancel is then reported by the next blocking call. */
    if (self->wake_status != WAKE_PENDING)
        return self->wake_status;
    assert(canceled);
    (void)canceled;
    return ECANCELED;
}

int fsched_wake_one(fsched_t *s, fsched_waitq_t *q, int status)
{
    if (s == NULL || q == NULL)
        return 0;
    fsched_task_t *t = q_pop(q);
    if (t == NULL)
        return 0;
    wake_task(s, t, status);
    return 1;
}

size_t fsched_wake_all(fsched_t *s, fsched_waitq_t *q, int status)
{
    size_t n = 0;
    while (fsched_wake_one(s, q, status))
        ++n;
    return n;
}

/* ---- channels ------------------------------------------------------------- */

void fsched_chan_init(fsched_chan_t *c)
{
    if (c == NULL)
        return;
    fsched_waitq_init(&c->senders);
    fsched_waitq_init(&c->receivers);
    c->closed = 0;
}

int fsched_chan_send(fsched_t *s, fsched_chan_t *c, void *v)
{
    if (s == NULL || c == NULL)
        return EINVAL;
    fsched_task_t *self = s->current;
    if (self == NULL)
        return EPERM;
    if (self->cancel_requested)
        return ECANCELED;
    if (c->closed)
        return EPIPE;
    fsched_task_t *r = q_pop(&c->receivers);
    if (r != NULL) { /* a receiver is waiting: it takes the value now */
        r->xfer = v;
        wake_task(s, r, 0);
        return 0;
    }
    self->xfer = v;
    return fsched_wait(s, &c->senders); /* 0 once a receiver took it */
}

int fsched_chan_recv(fsched_t *s, fsched_chan_t *c, void **v)
{
    if (s == NULL || c == NULL || v == NULL)
        return EINVAL;
    fsched_task_t *self = s->current;
    if (self == NULL)
        return EPERM;
    if (self->cancel_requested)
        return ECANCELED;
    fsched_task_t *snd = q_pop(&c->senders);
    if (snd != NULL) { /* a sender is waiting: take its value, release it */
        *v = snd->xfer;
        wake_task(s, snd, 0);
        return 0;
    }
    if (c->closed)
        return EPIPE;
    int rc = fsched_wait(s, &c->receivers);
    if (rc == 0)
        *v = self->xfer;
    return rc;
}

int fsched_chan_close(fsched_t *s, fsched_chan_t *c)
{
    if (s == NULL || c == NULL)
        return EINVAL;
    if (c->closed)
        return EALREADY;
    c->closed = 1;
    fsched_wake_all(s, &c->senders, EPIPE);
    fsched_wake_all(s, &c->receivers, EPIPE);
    return 0;
}
