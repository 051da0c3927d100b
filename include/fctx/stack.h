/*
 * fctx/stack.h - stacks for contexts and fibers, and the allocator interface.
 *
 * An allocator is a pair of functions plus a user state pointer.  Built in:
 *   fixed   - plain anonymous memory (or heap), no guard: cheapest.
 *   guarded - anonymous mapping with no-access guard pages below the stack
 *             (FCTX_GUARD_PAGES_DEFAULT = 1 page; fctx_guarded_allocator_ex()
 *             sets the number), installed with madvise(MADV_GUARD_INSTALL)
 *             where the kernel has it (Linux 6.13+, the mapping is not
 *             split) and mprotect() otherwise.  On Windows the stack is laid
 *             out like a grown thread stack instead: the reserved guard
 *             pages, a spare committed page (room for the exception record)
 *             and a PAGE_GUARD page, so mapped_size = size + guard pages + 2
 *             pages there (docs/stacks.md (Windows stacks) and docs/abi-x86.md (Win64)).
 *
 * Large frames: a guard only catches an overflow that touches it.  A frame
 * larger than the guard (a big local array, alloca, a VLA) can move the
 * stack pointer past it and write into whatever lies below (often another
 * stack) without a fault.  Compile code that runs on fctx stacks with
 * -fstack-clash-protection (gcc; clang on x86 and more), which makes every
 * frame larger than a page touch its pages in order, so such a frame hits
 * the guard and faults (tested with a 64 KiB local).  Without it, use guards
 * larger than the largest frame (fctx_guarded_allocator_ex()).  MSVC and
 * MinGW probe large frames on Windows anyway (__chkstk).
 *
 * Releasing never leaks: munmap() fails with ENOMEM when a released stack
 * lies inside a larger mapping (the kernel merges adjacent stacks) and the
 * split would pass vm.max_map_count.  The fixed and guarded allocators then
 * return the stack's pages at once (MADV_DONTNEED; one page is kept for
 * bookkeeping) and unmap its address range as soon as the kernel allows:
 * together with an adjacent stack released later, or retried on a later
 * release.  Once every stack of a merged mapping is released, all of it is
 * unmapped, at any map limit.
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
    size_t page_size;    /**< sysconf(_SC_PAGESIZE) (Windows: dwPageSize) */
    size_t min_size;     /**< smallest usable size handed out: room to take a
                              signal on the stack.  POSIX: the run-time minimum
                              signal frame, the larger of sysconf(_SC_MINSIGSTKSZ)
                              and getauxval(AT_MINSIGSTKSZ) (MINSIGSTKSZ only if
                              neither is known), plus 2 KiB (fctx's record and
                              first frames, a small handler's frames), rounded
                              up to whole pages: 8 KiB on x86-64 without AVX-512.
                              Windows: a CONTEXT record with the enabled extended
                              state + EXCEPTION_RECORD + 1 KiB, rounded up to
                              pages, plus one page. */
    size_t default_size; /**< used when 0 is passed: 128 KiB, or min_size if larger */
    size_t max_size;     /**< POSIX: the soft RLIMIT_STACK (the limit a thread
                              stack is held to) rounded down to whole pages, 1 GiB
                              if unlimited, and never below default_size (so a
                              limit under 128 KiB gives max_size = default_size).
                              Windows: 1 GiB. */
} fctx_stack_traits_t;

/** Run-time stack traits.  Never fails; computed once, on the first call
 *  (thread-safe: concurrent first calls wait for the one computing them). */
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
/** The guard-paged allocator: FCTX_GUARD_PAGES_DEFAULT (one) no-access page
 *  below each stack.  Stateless; use it as is. */
FCTX_API const fctx_allocator_t *fctx_guarded_allocator(void);

/** Guard pages of fctx_guarded_allocator() (and of guard_pages = 0 below). */
#define FCTX_GUARD_PAGES_DEFAULT 1

/**
 * Fill *out with a guarded allocator that puts `guard_pages` no-access pages
 * below each stack (0 = FCTX_GUARD_PAGES_DEFAULT; for no guard use the fixed
 * allocator).  The stacks it hands out have
 * mapped_size = size + guard_pages * page_size (Windows: + 2 more pages, see
 * above) and base at the lowest guard page.  *out is a plain value (its
 * state encodes the guard size, nothing is allocated): copy it freely; there
 * is nothing to destroy.  Make the guard larger than the largest frame of
 * code that is not compiled with -fstack-clash-protection.
 * Returns 0, or EINVAL if out is NULL or the guard would exceed
 * fctx_stack_traits()->max_size bytes (*out is then untouched).
 */
FCTX_API int fctx_guarded_allocator_ex(fctx_allocator_t *out, size_t guard_pages);

/** How guard pages are installed by the guarded allocator. */
typedef enum fctx_guard_method {
    FCTX_GUARD_MADVISE = 1,  /**< madvise(MADV_GUARD_INSTALL): no mapping split */
    FCTX_GUARD_MPROTECT = 2, /**< mprotect(PROT_NONE): two mappings per stack */
    FCTX_GUARD_NONE = 3      /**< no page protection (WebAssembly): the guard
                                  region is reserved below each stack but is
                                  ordinary memory, and never faults */
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
