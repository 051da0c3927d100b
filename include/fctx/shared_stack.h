/*
 * fctx/shared_stack.h - shared stacks: many fibers run, one at a time, on one
 * run stack, and a suspended fiber keeps only its live bytes.
 *
 * A fiber created with fctx_fiber_create_shared() runs on its shared
 * stack's run stack.  While it runs, it is the stack's occupant.  When
 * another fiber of the same shared stack is resumed, the occupant's live
 * part (from its saved stack pointer to the top) is copied into the
 * occupant's private save buffer, and the target's live part is copied back
 * to the same addresses.  A suspended fiber that is still the occupant is
 * resumed without a copy.  A parked fiber costs its record (48 bytes on
 * 64-bit targets, 24 on 32-bit) plus a save buffer of its live bytes (more
 * if it once was deeper: fctx_fiber_trim()), allocated through the shared
 * stack's buffer allocator; nothing of it stays on the run stack.
 *
 * Everything else is as with other fibers (fctx/fiber.h): the same handles,
 * fctx_fiber_resume(), fctx_fiber_resume_with() and fctx_fiber_cancel(), the
 * same transfers; shared and ordinary fibers, and fibers of different shared
 * stacks, resume each other freely.  A finished shared fiber releases its
 * record and buffer.
 *
 * WHAT CHANGES FOR YOU
 *
 *  1. A swapped-out fiber's stack objects are not where their addresses say.
 *     The addresses stay valid for the fiber itself (its bytes come back to
 *     the same place before it runs), but while it is swapped out the memory
 *     there holds the occupant's frames.  Never let another fiber of the
 *     same shared stack dereference a pointer into a suspended fiber's
 *     stack:
 *
 *         int box = 0;                        // in fiber A, on the run stack
 *         fctx_fiber_resume(b, &box);         // B, same shared stack, gets &box
 *         ... in B:  *(int *)data = 1;        // B runs where A's bytes were:
 *                                             // this writes into B's own frames
 *
 *     Passing values (copies), or pointers into the heap or into an ordinary
 *     fiber's stack, is always fine, and so is a pointer into the *sender's*
 *     stack used only until the receiver switches back (with the sender on
 *     another stack).  AddressSanitizer does not catch the wrong case: the
 *     memory is a valid, live stack, only another fiber's (ASan reports
 *     nothing, or an unrelated stack-buffer-overflow if the address falls on
 *     a redzone of the occupant's frame).
 *  2. Threads: a shared stack and every fiber on it are used by one thread
 *     at a time.  Fibers may move to another thread only together with their
 *     shared stack: no fiber of it may run on one thread while another runs
 *     or is being resumed on another thread.  Different shared stacks are
 *     independent.
 *  3. Cost: a resume that needs a copy moves the live bytes of two fibers
 *     (docs/performance.md has the measured table).  Keep fibers shallow at
 *     their suspension points; a deep fiber (a large local buffer) costs its
 *     depth at every copy.  In a process that has created a shared stack,
 *     every resume, also between ordinary fibers, takes the checked path of
 *     fctx_fiber_resume(): 12 more instructions per switch between ordinary
 *     fibers (docs/performance.md); processes without shared stacks are
 *     unaffected.
 *  4. Tools: valgrind sees the run stack and the switcher stack as
 *     registered stacks; copies preserve memcheck's definedness bits.  ASan:
 *     a copy unpoisons the run stack, so frames that were live when a fiber
 *     was swapped out lose their redzones (frames called after it came back
 *     have them); fake stacks (detect_stack_use_after_return) are per fiber
 *     as usual.  TSan: every fiber has its own TSan fiber; a copy is a
 *     memcpy by the fiber that resumes (synchronised through the switch).
 *     Split stacks (FCTX_SPLIT_STACK builds) are not supported with shared
 *     stacks (ENOTSUP), nor is WebAssembly, where a context's state is not a
 *     range of its stack (ENOTSUP; docs/abi-wasm.md).
 *  5. Overflow: the run stack's guard (if its allocator has one) catches an
 *     overflow of whichever fiber runs.  fctx_stack_usage() and overflow
 *     diagnosis (fctx/stack_ext.h) know ordinary fibers only.
 *
 * Error codes (returned as int, 0 = success, errno values otherwise):
 *   EINVAL   a NULL pointer where one is required, a NULL allocator function,
 *            or a handle that is not a shared fiber (fctx_fiber_trim)
 *   E2BIG    run stack size above fctx_stack_traits()->max_size
 *   ENOMEM   the run stack, a record or a save buffer could not be allocated
 *   EBUSY    destroying a shared stack that still has fibers
 *   ENOTSUP  FCTX_SPLIT_STACK builds and WebAssembly; or a heap address that the handle
 *            encoding cannot represent (a top-bit-tagged pointer on a 64-bit
 *            target, e.g. under HWASan)
 * A resume that needs a bigger save buffer for the fiber it swaps out and
 * cannot get one (the buffer allocator failed) switches nowhere: it returns
 * {NULL, FCTX_FIBER_ENOMEM} and every fiber stays as it was (the target is
 * still suspended, its handle still valid).  Only a finishing fiber, which
 * has nobody to return an error to, aborts then with "fctx: shared stack:
 * no memory for a save buffer"; fctx_fiber_reserve() rules that out.
 */
#ifndef FCTX_SHARED_STACK_H
#define FCTX_SHARED_STACK_H

#include <stddef.h>
#include <fctx/config.h>
#include <fctx/fiber.h>
#include <fctx/stack.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A shared stack (opaque). */
typedef struct fctx_shared_stack fctx_shared_stack_t;

/**
 * Where records and save buffers come from: one function like realloc().
 * resize(state, p, old_size, new_size): p NULL (old_size 0) allocates,
 * new_size 0 frees p and returns NULL, otherwise resizes p keeping its first
 * min(old, new) bytes.  Returns the block or NULL when it
 * cannot (p is then untouched).  Blocks must be aligned like malloc()'s.
 */
typedef struct fctx_buffer_allocator {
    void *(*resize)(void *state, void *p, size_t old_size, size_t new_size);
    void *state;
} fctx_buffer_allocator_t;

/** Settings of fctx_shared_stack_create(); zero-initialise (or use
 *  FCTX_SHARED_STACK_ATTR_INIT), then set what you need. */
typedef struct fctx_shared_stack_attr {
    const fctx_allocator_t *allocator;      /**< run and switcher stacks; NULL: guarded (copied) */
    size_t stack_size;                      /**< run stack size; 0: the default size */
    const fctx_buffer_allocator_t *buffers; /**< records and save buffers; NULL: realloc/free (copied) */
} fctx_shared_stack_attr_t;

#define FCTX_SHARED_STACK_ATTR_INIT {NULL, 0, NULL}

/**
 * Create a shared stack: a run stack of attr->stack_size (rounded as by
 * fctx/stack.h) and a small switcher stack (fctx_stack_traits()->min_size)
 * from attr->allocator.  `attr` NULL means all defaults.  On error *out is
 * NULL and nothing is leaked.
 * Errors: EINVAL (out NULL, an allocator with a NULL function), E2BIG,
 * ENOMEM, ENOTSUP (split-stack builds, WebAssembly), or a user allocator's error.
 */
FCTX_API int fctx_shared_stack_create(fctx_shared_stack_t **out,
                                      const fctx_shared_stack_attr_t *attr);

/**
 * Destroy a shared stack that has no fibers left (each finished, or was
 * canceled).  Errors: EINVAL (NULL), EBUSY (fibers remain: nothing is
 * released, the shared stack stays usable).
 */
FCTX_API int fctx_shared_stack_destroy(fctx_shared_stack_t *ss);

/**
 * Create a suspended fiber that will run `fn` on shared stack `ss`.  It
 * takes no memory on the run stack until it first runs; its record comes
 * from the buffer allocator.  On error *out is NULL.
 * Errors: EINVAL (out, ss or fn NULL), ENOMEM, ENOTSUP (see the top).
 */
FCTX_API int fctx_fiber_create_shared(fctx_fiber_t *out, fctx_shared_stack_t *ss,
                                      fctx_fiber_fn fn);

/**
 * Shrink the save buffer of suspended shared fiber `f` to what it holds (its
 * live bytes while swapped out, nothing while it is the occupant or has not
 * started).  Errors: EINVAL (f NULL or not a shared fiber), ENOMEM (the
 * allocator could not shrink; the buffer is unchanged).
 */
FCTX_API int fctx_fiber_trim(fctx_fiber_t f);

/**
 * Make the save buffer of suspended shared fiber `f` hold at least `bytes`,
 * so that swapping it out with up to that many live bytes cannot fail.
 * Errors: EINVAL (f NULL or not a shared fiber), ENOMEM.
 */
FCTX_API int fctx_fiber_reserve(fctx_fiber_t f, size_t bytes);

/** Counters of a shared stack (fctx_shared_stack_stats()). */
typedef struct fctx_shared_stack_stats {
    size_t fibers;       /**< fibers created on it that have not finished */
    size_t stack_size;   /**< usable bytes of the run stack */
    size_t saved_bytes;  /**< live bytes held in save buffers now */
    size_t buffer_bytes; /**< bytes of the save buffers now (capacity) */
    unsigned long long copies;       /**< swaps (one fiber out and/or one in) */
    unsigned long long copied_bytes; /**< bytes moved by them */
} fctx_shared_stack_stats_t;

/** Fill *out.  Errors: EINVAL (ss or out NULL). */
FCTX_API int fctx_shared_stack_stats(const fctx_shared_stack_t *ss,
                                     fctx_shared_stack_stats_t *out);

#ifdef __cplusplus
}
#endif

#endif /* FCTX_SHARED_STACK_H */
