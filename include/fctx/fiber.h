/*
 * fctx/fiber.h - one-shot fibers with resume-with-transfer semantics
 * (P0876 / Boost.Context `fiber`, in C).
 *
 * A fiber handle (fctx_fiber_t) names a *suspended* fiber.  Resuming it
 * consumes the handle: the call returns when somebody switches back to us,
 * and delivers {the fiber that suspended to get here, the value it passed}.
 * There is no global or thread-local "current fiber": a handle is all you
 * need, so fibers may be resumed on any thread.
 *
 * NULL is the empty handle.  A fiber that finishes releases its stack and
 * whoever it switches to receives {NULL, NULL}.
 *
 * The fiber's control record lives at the top of its own stack: creating a
 * fiber makes exactly one allocator call and no heap allocation.
 *
 * Error reporting: functions returning int return 0 or an errno value:
 *   EINVAL  NULL where a handle, function or out-pointer is required
 *   E2BIG   stack size above fctx_stack_traits()->max_size
 *   ENOMEM  the stack could not be allocated (memory or mapping limits)
 * The two resume functions return a transfer; given an empty handle or a
 * NULL function they return {NULL, FCTX_FIBER_EINVAL} without switching.
 *
 * C++ notes (tests/test_unwind.cpp):
 *  - Exceptions may be thrown and caught inside a fiber, and a
 *    suspended fiber's stack may be unwound by throwing from
 *    fctx_fiber_resume_with() (see there; not a fiber that never started).
 *    An exception must not leave a fiber's entry function: nothing below
 *    it can catch, so the C++ runtime calls std::terminate.
 *  - Exception state is per THREAD, not per fiber.  The C++ runtime keeps
 *    one stack of caught exceptions and one std::uncaught_exceptions()
 *    count per thread; a switch does not save or restore them.  So if a
 *    fiber switches away inside a catch block and another fiber catches an
 *    exception and switches back from inside its own catch block, the first
 *    fiber's `throw;` rethrows the OTHER fiber's exception, and
 *    std::current_exception() returns it; std::uncaught_exceptions() in
 *    one fiber counts exceptions another fiber of the thread is unwinding
 *    with.  Catch blocks of a thread must also end in the reverse order of
 *    their start, across fibers (the innermost caught exception is the one a
 *    catch block's end releases).  Safe pattern: capture the exception with
 *    `std::exception_ptr e = std::current_exception();`, leave the catch
 *    block, switch, and rethrow with std::rethrow_exception(e) (or never
 *    switch inside a catch block).
 *  - Throwing from fctx_fiber_resume_with()'s function on a fiber that
 *    never started calls std::terminate (on Windows, where C++ exceptions
 *    are SEH exceptions, the unhandled exception ends the process with its
 *    exception code): its entry function has not run, so no frame on its
 *    stack can catch.  To unwind a fiber whether it
 *    started or not, use fctx_fiber_cancel(): a never-started fiber is
 *    released at once (its entry never runs, there is nothing to unwind);
 *    a started one gets FCTX_FIBER_CANCELED from its pending resume and
 *    throws from there, inside its entry's try block, which catches and
 *    returns the caller's handle.
 */
#ifndef FCTX_FIBER_H
#define FCTX_FIBER_H

#include <stddef.h>
#include <fctx/config.h>
#include <fctx/context.h>
#include <fctx/stack.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A suspended fiber (NULL: empty).  Same representation as fctx_t. */
typedef struct fctx_fiber_opaque *fctx_fiber_t;

/** What a resume delivers: the fiber that switched to us and its value. */
typedef struct fctx_fiber_transfer {
    fctx_fiber_t fiber; /**< the suspended peer (NULL if it finished) */
    void *data;         /**< the value it passed */
} fctx_fiber_transfer_t;

/**
 * A fiber's entry function.  `caller` is the fiber that resumed it first,
 * `data` the value passed to that first resume.  It returns the fiber to
 * switch to when it finishes (normally the latest handle it holds to its
 * resumer); that fiber receives {NULL, NULL}.  Returning NULL is a fatal
 * error (the entry-return handler of fctx/context.h is called).
 */
typedef fctx_fiber_t (*fctx_fiber_fn)(fctx_fiber_t caller, void *data);

/** A function run on top of a fiber by fctx_fiber_resume_with(). */
typedef fctx_fiber_transfer_t (*fctx_fiber_ontop_fn)(fctx_fiber_transfer_t);

/** Returned as .data (with .fiber NULL) by the resume functions on bad input. */
#define FCTX_FIBER_EINVAL ((void *)&fctx_fiber_einval_token)
/** Delivered as .data to a fiber's pending resume by fctx_fiber_cancel(). */
#define FCTX_FIBER_CANCELED ((void *)&fctx_fiber_canceled_token)
/** Returned as .data (with .fiber NULL) by the resume functions when a
 *  resume had to swap a shared fiber out and could not get memory for its
 *  save buffer (fctx/shared_stack.h): nothing switched, the target is still
 *  suspended. */
#define FCTX_FIBER_ENOMEM ((void *)&fctx_fiber_enomem_token)

FCTX_API extern const char fctx_fiber_einval_token;
FCTX_API extern const char fctx_fiber_canceled_token;
FCTX_API extern const char fctx_fiber_enomem_token;

/**
 * Create a suspended fiber that will run `fn` on a new stack.
 * `alloc` NULL means the guarded allocator; `stack_size` 0 means the
 * default size (see fctx/stack.h for rounding).  On success *out holds the
 * new fiber; on error *out is set to NULL and nothing is leaked.
 * Errors: EINVAL (out or fn NULL, or alloc->allocate/deallocate NULL),
 * E2BIG, ENOMEM, or whatever a user allocator returned.
 */
FCTX_API int fctx_fiber_create(fctx_fiber_t *out, const fctx_allocator_t *alloc,
                               size_t stack_size, fctx_fiber_fn fn);

/** fctx_fiber_attr_t.flags: paint the stack (fctx_stack_paint) before the
 *  fiber runs, for fctx_stack_usage(..., FCTX_USAGE_PATTERN). */
#define FCTX_FIBER_PAINT 1u

/** Optional settings of fctx_fiber_create_ex().  Zero-initialise (or use
 *  FCTX_FIBER_ATTR_INIT), then set what you need. */
typedef struct fctx_fiber_attr {
    const fctx_allocator_t *allocator; /**< NULL: the guarded allocator */
    size_t stack_size;                 /**< 0: the default size */
    const char *name;                  /**< for overflow diagnosis (fctx/stack_ext.h);
                                            not copied: must outlive the fiber */
    unsigned flags;                    /**< FCTX_FIBER_PAINT or 0 */
    fctx_stack_t *stack_out;           /**< if not NULL, receives the fiber's stack
                                            (valid until the fiber finishes) */
} fctx_fiber_attr_t;

#define FCTX_FIBER_ATTR_INIT {NULL, 0, NULL, 0u, NULL}

/**
 * fctx_fiber_create() with attributes; `attr` NULL means all defaults.
 * Errors: those of fctx_fiber_create(), and EINVAL for unknown flag bits.
 */
FCTX_API int fctx_fiber_create_ex(fctx_fiber_t *out, const fctx_fiber_attr_t *attr,
                                  fctx_fiber_fn fn);

/**
 * Switch to fiber `f`, passing `data`.  Returns when some fiber switches
 * back to the caller, with {that fiber (suspended), its value}.
 * Empty `f`: returns {NULL, FCTX_FIBER_EINVAL} immediately.
 */
FCTX_API fctx_fiber_transfer_t fctx_fiber_resume(fctx_fiber_t f, void *data);

/**
 * Switch to fiber `f` and run `fn({caller, data})` on top of its stack
 * before `f` continues; what `fn` returns is what `f`'s pending resume
 * returns.  `fn` may also not return: C++ code can throw from it to unwind
 * `f`'s stack (catch in `f`'s entry and return the caller's handle), except
 * on a fiber that never started: that calls std::terminate (C++ notes at
 * the top of this file).
 * Empty `f` or NULL `fn`: returns {NULL, FCTX_FIBER_EINVAL} immediately.
 */
FCTX_API fctx_fiber_transfer_t fctx_fiber_resume_with(fctx_fiber_t f, fctx_fiber_ontop_fn fn,
                                                      void *data);

/**
 * Ask suspended fiber `f` to clean up and finish.  Its pending resume
 * returns {caller, FCTX_FIBER_CANCELED}; the fiber is expected to release
 * what it holds and return `caller` from its entry function, which frees
 * its stack.  A fiber that was never resumed is released at once without
 * running its entry function.  Returns what the canceled fiber switched
 * back with: {NULL, NULL} when it finished as asked.  Empty `f`:
 * {NULL, FCTX_FIBER_EINVAL}.
 */
FCTX_API fctx_fiber_transfer_t fctx_fiber_cancel(fctx_fiber_t f);

#ifdef __cplusplus
}
#endif

#endif /* FCTX_FIBER_H */
