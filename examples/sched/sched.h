/*
 * sched.h - a small cooperative round-robin scheduler built on fctx fibers.
 *
 * One scheduler runs on one thread.  The thread that calls fsched_run() (or
 * fsched_join() from outside a fiber) is the scheduler's loop: it resumes
 * ready tasks one after the other, in FIFO order, and every task switches
 * back to the loop when it blocks, yields or finishes.
 *
 * The scheduler keeps its own "current task" (fsched_current()); fctx has no
 * such notion.  Every blocking call takes the scheduler explicitly, so
 * nothing here lives in thread-local storage.
 *
 * Cancellation: fsched_cancel() asks a task to finish.  A task blocked in
 * fsched_yield(), fsched_wait(), fsched_join() or a channel is taken off its
 * queue and the loop resumes it with fctx_fiber_cancel(): the blocking call
 * returns ECANCELED, and every later blocking call of that task returns
 * ECANCELED at once without switching.  The task is expected to release
 * what it holds and return from its function.  A task canceled before it
 * ever ran is released without running its function at all.
 *
 * Errors are errno values: 0 success,
 *   EINVAL   NULL where a scheduler, task, queue, channel or function is required
 *   EPERM    a blocking call made outside a task (from the loop itself)
 *   ECANCELED the calling task has been canceled
 *   EPIPE    the channel is closed
 *   EDEADLK  joining yourself, or (from the loop) no task can make progress
 *   ESRCH    the task has already finished
 *   ENOMEM   out of memory (task record or stack)
 * and whatever the stack allocator returns from fsched_spawn().
 */
#ifndef FCTX_EXAMPLES_SCHED_H
#define FCTX_EXAMPLES_SCHED_H

#include <stddef.h>
#include <fctx/fiber.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fsched fsched_t;
typedef struct fsched_task fsched_task_t;

/** A task's function: runs on its own fiber; its return value goes to the joiner. */
typedef void *(*fsched_fn)(fsched_t *s, void *arg);

/** A FIFO of blocked tasks.  Embed it anywhere; initialise with fsched_waitq_init(). */
typedef struct fsched_waitq {
    fsched_task_t *head, *tail;
} fsched_waitq_t;

/** An unbuffered channel: a send completes only when a receiver takes the value. */
typedef struct fsched_chan {
    fsched_waitq_t senders;   /* tasks blocked in send, value in their record */
    fsched_waitq_t receivers; /* tasks blocked in recv */
    int closed;
} fsched_chan_t;

/** Counters, for tests and reports. */
typedef struct fsched_stats {
    size_t live;      /**< tasks spawned and not finished */
    size_t records;   /**< task records allocated (finished ones awaiting a join included) */
    size_t spawned;   /**< tasks ever spawned */
    size_t finished;  /**< tasks that finished (canceled ones included) */
    size_t canceled;  /**< tasks that finished because they were canceled */
    size_t switches;  /**< loop -> task switches */
} fsched_stats_t;

/**
 * Create a scheduler whose task stacks come from `alloc` (NULL: the guarded
 * allocator) with `stack_size` usable bytes (0: the default size).  The
 * allocator struct is copied.  Errors: EINVAL (out NULL), ENOMEM.
 */
int fsched_create(fsched_t **out, const fctx_allocator_t *alloc, size_t stack_size);

/**
 * Cancel every remaining task, run them until they finish, and free the
 * scheduler and every task record (join handles become invalid).  Must be
 * called from the loop, not from a task (EPERM).  If some task refuses to
 * finish, nothing is freed and EBUSY is returned.
 */
int fsched_destroy(fsched_t *s);

/**
 * Create a task running fn(s, arg); it is appended to the ready queue and
 * runs when the loop reaches it.  With `join` non-NULL the caller gets a
 * join handle and must later call fsched_join() or fsched_detach() on it;
 * with `join` NULL the task is detached from the start.  Callable from the
 * loop and from tasks.  Errors: EINVAL, ENOMEM, allocator errors.
 */
int fsched_spawn(fsched_t *s, fsched_fn fn, void *arg, fsched_task_t **join);

/** Give up a join handle: the record is freed when the task finishes (or now). */
int fsched_detach(fsched_t *s, fsched_task_t *t);

/**
 * Wait for `t` to finish, then free its record (the handle is used up).
 * *result (if non-NULL) receives what its function returned (NULL if it
 * never ran); *status (if non-NULL) receives 0, or ECANCELED if the task
 * was canceled.  From a task: blocks; returns ECANCELED if the *caller* is
 * canceled meanwhile (the handle stays valid).  From the loop: runs the
 * scheduler until `t` finishes; EDEADLK if no task is ready first.
 * EDEADLK also for joining yourself; EINVAL for a detached or NULL task.
 */
int fsched_join(fsched_t *s, fsched_task_t *t, void **result, int *status);

/**
 * Ask `t` to finish (see the head of this file).  Idempotent; callable
 * from the loop and from tasks, including on the calling task itself.
 * Returns 0, EINVAL, or ESRCH if it already finished.
 */
int fsched_cancel(fsched_t *s, fsched_task_t *t);

/** Cancel every live task.  Returns how many were newly canceled. */
size_t fsched_cancel_all(fsched_t *s);

/** Move the calling task to the back of the ready queue.  0, ECANCELED, EPERM, EINVAL. */
int fsched_yield(fsched_t *s);

/**
 * Run tasks until none is ready (all finished, or all blocked waiting for
 * something the loop must provide - I/O, a timer...).  Must be called from
 * the loop (EPERM from a task).  *blocked (if non-NULL) receives how many
 * tasks are still alive.
 */
int fsched_run(fsched_t *s, size_t *blocked);

/** The running task, or NULL when the loop is running. */
fsched_task_t *fsched_current(const fsched_t *s);

/** Fill *out with the scheduler's counters.  EINVAL on NULL. */
int fsched_get_stats(const fsched_t *s, fsched_stats_t *out);

/* ---- building blocks for other blocking primitives ---------------------- */

void fsched_waitq_init(fsched_waitq_t *q);

/**
 * Block the calling task on `q` until fsched_wake_one/all() wakes it with a
 * status, which is returned (it may be anything but ECANCELED, which is
 * reserved).  ECANCELED if the caller is canceled (it was taken off `q`),
 * EPERM from the loop, EINVAL on NULL.
 */
int fsched_wait(fsched_t *s, fsched_waitq_t *q);

/** Wake the oldest waiter of `q` with `status`.  Returns 1 if one was woken, else 0. */
int fsched_wake_one(fsched_t *s, fsched_waitq_t *q, int status);

/** Wake every waiter of `q` with `status`.  Returns how many were woken. */
size_t fsched_wake_all(fsched_t *s, fsched_waitq_t *q, int status);

/* ---- unbuffered channels ------------------------------------------------- */

void fsched_chan_init(fsched_chan_t *c);

/**
 * Hand `v` to a receiver, blocking until one takes it.  0 when taken;
 * EPIPE if the channel is or gets closed first (the value was not taken);
 * ECANCELED if the caller is canceled first (not taken); EPERM, EINVAL.
 */
int fsched_chan_send(fsched_t *s, fsched_chan_t *c, void *v);

/**
 * Take a value from a sender, blocking until one arrives.  0 with *v set;
 * EPIPE if the channel is closed and no sender is waiting; ECANCELED if the
 * caller is canceled first; EPERM, EINVAL.
 */
int fsched_chan_recv(fsched_t *s, fsched_chan_t *c, void **v);

/**
 * Close the channel: every blocked sender and receiver returns EPIPE, and
 * so does every later send and recv.  EALREADY if already closed.
 */
int fsched_chan_close(fsched_t *s, fsched_chan_t *c);

#ifdef __cplusplus
}
#endif

#endif /* FCTX_EXAMPLES_SCHED_H */
