/*
 * fctx/stack.h - stacks for contexts and fibers, and the allocator interface.
 *
 * An allocator is a pair of functions plus a user state pointer.  Built in:
 *   fixed   - plain anonymous memory (or heap), no guard: cheapest.
 *   guarded - anonymous mapping with a no-access guard page below the stack,
 *             installed with madvise(MADV_GUARD_INSTALL) where the kernel has
 *             it (Linux 6.13+, the mapping is not split) and mprotect()
 *             otherwise.  On Windows the stack is laid out like a grown
 *             thread stack instead: a reserved page, a spare committed page
 *             (room for the exception record) and a PAGE_GUARD page, so
 *             mapped_size = size + 3 pages there (docs/windows.md).
 * Users plug in their own (pools, arenas) by filling an fctx_allocator_t.
 *
 * Error codes (returned as int, 0 = success, errno values otherwise):
 *   EINVAL  a NULL pointer where one is required, or a size of 0 where a
 *           size is required
 *   E2BIG   size above the maximum (fctx_stack_traits().max_size)
 *   ENOMEM  the memory or mapping could not be obtained (includes hitting
 *           vm.max_map_count with the mprotect() guard fallback)
 */
#ifndef FCTX_STACK_H
#define FCTX_STACK_H

#include <stddef.h>
#include <fctx/config.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A stack as handed out by an allocator. */
typedef struct fctx_stack {
    void *sp;           /**< top of the usable stack (highest address, exclusive) */
    size_t size;        /**< usable bytes below sp */
    void *base;         /**< start of the whole allocation (guard included) */
    size_t mapped_size; /**< bytes of the whole allocation (guard included) */
    void *impl;         /**< allocator-private word (free for user allocators) */
} fctx_stack_t;

/** Sizes that hold on this machine, queried at run time (cached). */
typedef struct fctx_stack_traits {
    size_t page_size;    /**< sysconf(_SC_PAGESIZE) */
    size_t min_size;     /**< smallest usable size accepted: at least the run-time
                              minimum signal stack (_SC_MINSIGSTKSZ) + one page,
                              rounded up to whole pages */
    size_t default_size; /**< used when 0 is passed: 128 KiB, or min_size if larger */
    size_t max_size;     /**< soft RLIMIT_STACK (or 1 GiB if unlimited) */
} fctx_stack_traits_t;

/** Run-time stack traits.  Never fails; the result is computed once. */
FCTX_API const fctx_stack_traits_t *fctx_stack_traits(void);

/**
 * Allocator interface.  allocate() fills *out with a stack of at least `size`
 * usable bytes (0 = default_size; sizes below min_size are raised to it;
 * sizes are rounded up to whole pages) and returns 0 or an error code above;
 * on error *out is untouched and nothing is leaked.  deallocate() releases a
 * stack that allocate() of the same allocator returned.
 */
typedef struct fctx_allocator {
    int (*allocate)(void *state, size_t size, fctx_stack_t *out);
    void (*deallocate)(void *state, fctx_stack_t *stack);
    void *state;
} fctx_allocator_t;

/** Allocate through `a` (validates a, a->allocate and out; EINVAL if NULL). */
FCTX_API int fctx_stack_allocate(const fctx_allocator_t *a, size_t size, fctx_stack_t *out);
/** Release through `a` (EINVAL if a or stack is NULL or stack->base is NULL). */
FCTX_API int fctx_stack_deallocate(const fctx_allocator_t *a, fctx_stack_t *stack);

/** The fixed allocator: no guard page.  Stateless; use it as is. */
FCTX_API const fctx_allocator_t *fctx_fixed_allocator(void);
/** The guard-paged allocator: one no-access page below each stack. */
FCTX_API const fctx_allocator_t *fctx_guarded_allocator(void);

/** How guard pages are installed by the guarded allocator. */
typedef enum fctx_guard_method {
    FCTX_GUARD_MADVISE = 1,  /**< madvise(MADV_GUARD_INSTALL): no mapping split */
    FCTX_GUARD_MPROTECT = 2  /**< mprotect(PROT_NONE): two mappings per stack */
} fctx_guard_method_t;

/** The method the guarded allocator uses on this kernel (probed once). */
FCTX_API fctx_guard_method_t fctx_guard_method(void);

/** Round `size` for allocation: 0 -> default, raised to min, whole pages.
 *  Returns 0, or E2BIG if above max_size (then *rounded is untouched).
 *  EINVAL if rounded is NULL. */
FCTX_API int fctx_stack_round_size(size_t size, size_t *rounded);

#ifdef __cplusplus
}
#endif

#endif /* FCTX_STACK_H */
