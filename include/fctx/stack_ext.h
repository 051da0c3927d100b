/*
 * fctx/stack_ext.h - stacks at scale: pooled and arena allocators,
 * segmented (split) stacks, stack-overflow diagnosis and stack usage.
 *
 * Everything here builds on the allocator interface of fctx/stack.h; the
 * fiber layer (fctx/fiber.h, fctx_fiber_create_ex) takes any of these
 * allocators.  See docs/stacks.md for the design and measured numbers.
 *
 * Error codes (returned as int, 0 = success, errno values otherwise):
 *   EINVAL  a NULL pointer where one is required, unknown flag bits or an
 *           out-of-range parameter (each function says which)
 *   E2BIG   a stack size above fctx_stack_traits()->max_size
 *   ENOMEM  memory, address space or mappings (vm.max_map_count) ran out
 *   EBUSY   destroying a pool or arena that still has stacks handed out
 *   ENOTSUP the feature is not available in this build or on this system
 *           (split stacks without FCTX_SPLIT_STACK; arenas, overflow
 *           diagnosis and the RESIDENT usage method off POSIX)
 */
#ifndef FCTX_STACK_EXT_H
#define FCTX_STACK_EXT_H

#include <stddef.h>
#include <fctx/config.h>
#include <fctx/stack.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Pooled allocator ==================================================
 *
 * Keeps released stacks of one size (guard pages and all) for reuse, up to
 * a bound, in front of any other allocator ("upstream": fixed, guarded,
 * arena or your own).  Threading contract: a pool is safe for concurrent
 * use.  Any thread may allocate from it and any thread may release to it
 * (fibers migrate and finish anywhere); a spin lock held for a few pointer
 * updates protects the cache.  Cached stacks are linked through their own
 * top bytes: the pool allocates no memory per stack.
 *
 * Requests of up to stack_size bytes (and 0) are served from the cache and
 * get a stack of the pool's size; larger requests pass through to the
 * upstream allocator uncached.  Released stacks of the pool's size go back
 * to the cache while it holds fewer than max_cached, else upstream.
 */
typedef struct fctx_pool fctx_pool_t;

typedef struct fctx_pool_config {
    const fctx_allocator_t *upstream; /**< NULL: fctx_guarded_allocator() (copied) */
    size_t stack_size;                /**< usable size of pooled stacks, 0: default;
                                           rounded like fctx_stack_round_size() */
    size_t max_cached;                /**< most stacks kept, 0: 1024 */
    size_t prefill;                   /**< stacks allocated at creation (at least 1:
                                           checks upstream and learns its size);
                                           must be <= max_cached */
} fctx_pool_config_t;

typedef struct fctx_pool_stats {
    size_t stack_size;  /**< usable size of the stacks the pool hands out */
    size_t cached;      /**< stacks in the cache now */
    size_t outstanding; /**< stacks handed out and not released yet */
    size_t hits;        /**< allocations served from the cache */
    size_t misses;      /**< allocations that went upstream (incl. pass-through) */
} fctx_pool_stats_t;

/** Create a pool.  EINVAL: out or cfg NULL, upstream without functions,
 *  prefill > max_cached; E2BIG; ENOMEM; or the upstream's error. */
FCTX_API int fctx_pool_create(fctx_pool_t **out, const fctx_pool_config_t *cfg);
/** The pool's allocator (valid until fctx_pool_destroy); NULL if pool is NULL. */
FCTX_API const fctx_allocator_t *fctx_pool_allocator(const fctx_pool_t *pool);
/** Release cached stacks upstream until at most `keep` remain (EINVAL: NULL). */
FCTX_API int fctx_pool_trim(fctx_pool_t *pool, size_t keep);
/** Counters (EINVAL: NULL argument).  A snapshot taken under the pool's lock. */
FCTX_API int fctx_pool_stats(fctx_pool_t *pool, fctx_pool_stats_t *out);
/** Release the cache and the pool.  EINVAL: NULL; EBUSY: stacks are still
 *  handed out (nothing is freed then). */
FCTX_API int fctx_pool_destroy(fctx_pool_t *pool);

/* ==== Arena allocator (POSIX) ===========================================
 *
 * Carves guard-paged stacks out of large reservations ("chunks": one mmap
 * each), so that a million guarded stacks need a few hundred mappings, not
 * a million (or two million): with madvise(MADV_GUARD_INSTALL) a guard page
 * does not split its mapping.  Where only the mprotect() fallback exists
 * (see fctx_guard_method()), every guard splits the chunk and allocation
 * fails with ENOMEM once vm.max_map_count is reached.
 *
 * Slot layout (one slot per stack, slots back to back):
 *     [guard page][usable stack ...........] [guard page][usable ...]
 * A released stack's pages are returned to the kernel (MADV_DONTNEED; its
 * guard stays installed) and the slot is reused; chunks are unmapped by
 * fctx_arena_destroy().  Put a pool in front to keep hot stacks instead.
 * Safe for concurrent use (a mutex; the work behind it is system calls).
 */
typedef struct fctx_arena fctx_arena_t;

typedef struct fctx_arena_config {
    size_t stack_size;       /**< usable bytes per stack, 0: default; rounded */
    size_t stacks_per_chunk; /**< 0: as many as fit in 64 MiB (at least 16) */
    size_t max_stacks;       /**< 0: no limit; else ENOMEM beyond this many live */
} fctx_arena_config_t;

typedef struct fctx_arena_stats {
    size_t stack_size;  /**< usable bytes per stack */
    size_t slot_size;   /**< guard + usable bytes per stack */
    size_t chunks;      /**< reservations (mappings before guard splits) */
    size_t reserved;    /**< bytes of address space reserved */
    size_t live;        /**< stacks handed out */
    size_t carved;      /**< slots ever used (guards installed) */
    int guard_method;   /**< fctx_guard_method_t in use */
} fctx_arena_stats_t;

/** Create an arena.  EINVAL: out or cfg NULL, stacks_per_chunk too large;
 *  E2BIG; ENOMEM; ENOTSUP off POSIX. */
FCTX_API int fctx_arena_create(fctx_arena_t **out, const fctx_arena_config_t *cfg);
/** The arena's allocator (valid until destroy); NULL if arena is NULL.
 *  allocate() fails with E2BIG for sizes above the arena's stack size. */
FCTX_API const fctx_allocator_t *fctx_arena_allocator(const fctx_arena_t *arena);
/** Counters (EINVAL: NULL argument). */
FCTX_API int fctx_arena_stats(fctx_arena_t *arena, fctx_arena_stats_t *out);
/** Unmap everything.  EINVAL: NULL; EBUSY: stacks still handed out. */
FCTX_API int fctx_arena_destroy(fctx_arena_t *arena);

/* ==== Segmented (split) stacks ==========================================
 *
 * With the CMake option FCTX_SPLIT_STACK (gcc or clang, -fsplit-stack, x86
 * and a few other targets, dynamic linking, gold linker) a fiber created
 * with this allocator starts on a small segment and grows by further
 * segments as deep as it needs (libgcc's __morestack); every fiber switch
 * swaps libgcc's split-stack context.  Code running on such a fiber must be
 * compiled with -fsplit-stack (calls into other code get 16 KiB headroom
 * from the gold linker).  All segments are released when the stack is
 * (when the fiber finishes; a pool in front keeps a stack with the segments
 * it grew for the next fiber).  For fibers only (the fiber layer does the
 * context swap).  Without FCTX_SPLIT_STACK allocate() fails with ENOTSUP.
 */
/** 1 if this build supports segmented stacks, else 0. */
FCTX_API int fctx_split_stack_supported(void);
/** The segmented-stack allocator (size = first segment, 0: default). */
FCTX_API const fctx_allocator_t *fctx_split_allocator(void);

/* ==== Stack-overflow diagnosis (POSIX) ===================================
 *
 * Opt-in.  fctx_overflow_handler_install() installs SIGSEGV and SIGBUS
 * handlers that run on an alternate signal stack (sized from the run-time
 * minimum, sysconf(_SC_MINSIGSTKSZ)/AT_MINSIGSTKSZ, plus room for the
 * handler) and turns on a registry of guarded stacks.  From then on every
 * fiber created on a stack with a guard region is registered (with its
 * name, see fctx_fiber_create_ex, and its creation site) until it
 * finishes.  A fault inside a registered guard prints one line such as
 *
 *   fctx: stack overflow in fiber "worker 7": fault at 0x7f..., guard
 *   [0x7f..., 0x7f...), stack [0x7f..., 0x7f...) (16384 bytes), created
 *   at 0x55... (./server+0x1234, in spawn_worker)
 *
 * to stderr, restores the default action and lets the fault kill the
 * process (core dump as usual).  Other faults go to the handler that was
 * installed before (or the default action).  Fibers created before the
 * call are not registered.  Without it, nothing of this costs anything.
 *
 * The alternate signal stack is per thread: threads other than the one
 * that installed the handler call fctx_overflow_thread_init() before they
 * run fibers (a thread that already has an alternate stack keeps it).
 */
/** Install the handlers (idempotent).  flags must be 0 (EINVAL).
 *  ENOMEM; ENOTSUP off POSIX. */
FCTX_API int fctx_overflow_handler_install(unsigned flags);
/** Give the calling thread an alternate signal stack (freed at thread
 *  exit) unless it has one.  ENOMEM; ENOTSUP off POSIX. */
FCTX_API int fctx_overflow_thread_init(void);
/** 1 once the handler is installed, else 0. */
FCTX_API int fctx_overflow_enabled(void);
/** Register a stack used outside the fiber layer (raw contexts).  `name`
 *  is not copied (keep it alive).  EINVAL: stack NULL or without a guard
 *  region below it (stack->base == stack->sp - stack->size); EEXIST:
 *  already registered; ENOMEM; ENOTSUP off POSIX. */
FCTX_API int fctx_overflow_register(const fctx_stack_t *stack, const char *name);
/** Remove a registration.  EINVAL: NULL; ENOENT: not registered. */
FCTX_API int fctx_overflow_unregister(const fctx_stack_t *stack);

/* ==== Stack usage (high-water mark) ======================================
 *
 * How deep a stack was used, in bytes from its top (stack->sp):
 *   FCTX_USAGE_RESIDENT  pages of [sp - size, sp) the kernel has populated
 *                        (mincore): free, page-granular, and it counts
 *                        every page the stack ever touched since its memory
 *                        was last returned (a pooled stack remembers its
 *                        earlier fibers; an arena stack starts empty).
 *   FCTX_USAGE_PATTERN   the lowest word that no longer holds the paint
 *                        pattern: byte-exact for frames that write what
 *                        they reserve, but the stack must have been painted
 *                        before use (fctx_stack_paint, or the fiber flag
 *                        FCTX_FIBER_PAINT), which touches all its pages.
 * Works for any fctx_stack_t (fctx_fiber_create_ex can hand out a fiber's).
 */
typedef enum fctx_usage_method {
    FCTX_USAGE_RESIDENT = 1,
    FCTX_USAGE_PATTERN = 2
} fctx_usage_method_t;

/** Fill the usable part of a stack that nobody runs on with the pattern.
 *  EINVAL: stack NULL, sp NULL or size 0. */
FCTX_API int fctx_stack_paint(const fctx_stack_t *stack);
/** Bytes used below stack->sp (0..size).  EINVAL: a NULL argument, sp
 *  NULL, size 0 or an unknown method; ENOTSUP: RESIDENT off POSIX;
 *  ENOMEM: mincore() failed (the range is not mapped). */
FCTX_API int fctx_stack_usage(const fctx_stack_t *stack, fctx_usage_method_t method,
                              size_t *used);

#ifdef __cplusplus
}
#endif

#endif /* FCTX_STACK_EXT_H */
