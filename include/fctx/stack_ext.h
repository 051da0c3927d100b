/*
 * fctx/stack_ext.h - stacks at scale: pooled and arena allocators,
 * segmented (split) stacks, stack-overflow diagnosis and stack usage.
 *
 * Everything here builds on the allocator interface of fctx/stack.h; the
 * fiber layer (fctx/fiber.h, fctx_fiber_create_ex) takes any of these
 * allocators.  See docs/stacks.md for the design and docs/performance.md
 * for measured numbers.
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
 * updates protects the cache.  The cache is an array of descriptors on the
 * heap (grown on demand up to max_cached), never inside or next to a stack.
 *
 * Requests of up to stack_size bytes (and 0) are served from the cache and
 * get a stack of the pool's size; larger requests pass through to the
 * upstream allocator uncached.  Released stacks of the pool's size go back
 * to the cache while it holds fewer than max_cached, else upstream.
 *
 * Guards: the pool hands out the upstream's stacks unchanged, so their
 * guard is the upstream's (the guarded allocator's guard, an arena's
 * guard_pages); the pool has no guard setting of its own.
 *
 * Checks: every stack the upstream returns must satisfy sp != NULL,
 * base != NULL, sp 16-byte aligned, base < sp, base <= sp - size, sp <=
 * base + mapped_size, size >= twice the tag (32 bytes on 64-bit
 * targets, 16 on 32-bit) and size >= the size asked, except for a split
 * stack (fctx_split_allocator(), also behind a wrapper; recognised by the
 * context block at its sp, as the fiber layer recognises it), whose size
 * is its first segment less that block, which can be less than asked: it
 * grows on demand.  At creation every stack must also have the first
 * one's size.  A stack that fails is released to the
 * upstream again and the call fails with EINVAL.  A cached stack carries a
 * tag in its top 16 bytes (cleared when it is handed out): releasing a
 * stack that is in the cache (a second release) prints "fctx: pool: stack
 * [...) released twice" to stderr and aborts, because deallocate() cannot
 * return an error.  A stack released again after it was handed out anew
 * cannot be told from a legitimate release.
 *
 * Releasing to the upstream: fctx_pool_trim() and fctx_pool_destroy() hand
 * cached stacks back lowest address first, so stacks the upstream mapped
 * next to each other (and the kernel merged into one mapping) are unmapped
 * from one end and no munmap() has to split a mapping, which is what fails
 * at vm.max_map_count.  The allocator interface's deallocate() returns
 * nothing: whether the upstream actually freed the memory is the
 * upstream's guarantee (see fctx/stack.h for the built-in ones); the pool
 * reports success once it has handed every stack back.
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
    size_t guard_pages;               /**< with upstream NULL: guard pages below each
                                           stack (fctx_guarded_allocator_ex()), 0: the
                                           default (FCTX_GUARD_PAGES_DEFAULT); with an
                                           upstream of your own: must be 0 (EINVAL),
                                           the guards are the upstream's */
} fctx_pool_config_t;

typedef struct fctx_pool_stats {
    size_t stack_size;  /**< usable size of the stacks the pool hands out */
    size_t cached;      /**< stacks in the cache now */
    size_t outstanding; /**< stacks handed out and not released yet */
    size_t hits;        /**< allocations served from the cache */
    size_t misses;      /**< allocations that went upstream (incl. pass-through) */
} fctx_pool_stats_t;

/** Create a pool.  EINVAL: out or cfg NULL, upstream without functions,
 *  prefill > max_cached, or the upstream returned a stack that fails the
 *  checks above (released again); E2BIG; ENOMEM; or the upstream's error.
 *  The pool's allocate() also fails with EINVAL (stack released again)
 *  when the upstream returns a stack that fails the checks. */
FCTX_API int fctx_pool_create(fctx_pool_t **out, const fctx_pool_config_t *cfg);
/** The pool's allocator (valid until fctx_pool_destroy); NULL if pool is NULL. */
FCTX_API const fctx_allocator_t *fctx_pool_allocator(const fctx_pool_t *pool);
/** Release cached stacks upstream (lowest address first) until at most
 *  `keep` remain; the highest ones stay (EINVAL: NULL). */
FCTX_API int fctx_pool_trim(fctx_pool_t *pool, size_t keep);
/** Counters (EINVAL: NULL argument).  A snapshot taken under the pool's lock. */
FCTX_API int fctx_pool_stats(fctx_pool_t *pool, fctx_pool_stats_t *out);
/** Release the cache (lowest address first) and the pool.  EINVAL: NULL;
 *  EBUSY: stacks are still handed out (nothing is freed then). */
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
 * Chunk layout (one slot per stack, slots back to back):
 *     [guard][usable stack] [guard][usable stack] ... [guard][table][top guard]
 * Every guard is guard_pages pages (default 1).  The chunk's table (4 bytes
 * per slot for the free-slot list, 1 bit per slot for "handed out") lies
 * between two guards, never next to a stack; the top guard is always an
 * mprotect(PROT_NONE) range, so a chunk is at least 2 mappings and its
 * munmap() never needs a free vm.max_map_count entry.
 * A released stack's pages are returned to the kernel (MADV_DONTNEED; its
 * guard stays installed) and the slot is reused; chunks are unmapped by
 * fctx_arena_destroy().  Put a pool in front to keep hot stacks instead.
 * Safe for concurrent use (a mutex; the work behind it is system calls).
 *
 * Releasing a stack twice, or one this arena did not hand out, prints
 * "fctx: arena: ..." to stderr and aborts (deallocate() cannot return an
 * error; the check happens before the stack's pages are touched).
 */
typedef struct fctx_arena fctx_arena_t;

typedef struct fctx_arena_config {
    size_t stack_size;       /**< usable bytes per stack, 0: default; rounded */
    size_t stacks_per_chunk; /**< 0: as many as fit in 64 MiB (at least 16) */
    size_t max_stacks;       /**< 0: no limit; else ENOMEM beyond this many live */
    size_t guard_pages;      /**< no-access pages below each stack, 0: 1 (as
                                  FCTX_GUARD_PAGES_DEFAULT); EINVAL above
                                  max_size / page_size.  A frame larger than the
                                  guard can jump it: see fctx/stack.h */
} fctx_arena_config_t;

typedef struct fctx_arena_stats {
    size_t stack_size;  /**< usable bytes per stack */
    size_t slot_size;   /**< guard + usable bytes per stack */
    size_t chunks;      /**< reservations (mappings before guard splits) */
    size_t reserved;    /**< bytes of address space reserved (tables and guards included) */
    size_t live;        /**< stacks handed out */
    size_t carved;      /**< slots ever used (guards installed) */
    int guard_method;   /**< fctx_guard_method_t in use */
    size_t guard_size;  /**< bytes of guard below each stack */
} fctx_arena_stats_t;

/** Create an arena.  EINVAL: out or cfg NULL, stacks_per_chunk above 2^24,
 *  guard_pages too large, or a chunk that would not fit in the address
 *  space; E2BIG; ENOMEM; ENOTSUP off POSIX. */
FCTX_API int fctx_arena_create(fctx_arena_t **out, const fctx_arena_config_t *cfg);
/** The arena's allocator (valid until destroy); NULL if arena is NULL.
 *  allocate() fails with E2BIG for sizes above the arena's stack size. */
FCTX_API const fctx_allocator_t *fctx_arena_allocator(const fctx_arena_t *arena);
/** Counters (EINVAL: NULL argument). */
FCTX_API int fctx_arena_stats(fctx_arena_t *arena, fctx_arena_stats_t *out);
/** Unmap everything and free the arena.  EINVAL: NULL; EBUSY: stacks still
 *  handed out (nothing is freed); ENOMEM: munmap() failed (not expected:
 *  see the layout above), the chunks not yet unmapped stay in the arena,
 *  which stays valid: call again. */
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
 * process (core dump as usual).  A guard hit is a fault raised by an
 * instruction (si_code SEGV_* or BUS_*); a signal sent with kill(), raise(),
 * pthread_kill() or sigqueue() and a SIGSEGV the kernel sends with
 * SI_KERNEL (e.g. when it cannot push a signal frame because a thread's
 * stack is nearly full) never is, whatever its si_addr.  Everything else
 * is delivered as if fctx were not there, to the handler installed before
 * (called with the same arguments, its sa_mask and, unless SA_NODEFER, the
 * signal blocked; SA_RESETHAND: once, later ones take the default action)
 * or by the default action: a fault re-executes the instruction with
 * SIG_DFL set and dies of it, a sent signal or SI_KERNEL is raised again,
 * so the process dies of the original signal (with a core dump where the
 * system makes one).  A previous SIG_IGN ignores a sent signal; a fault or
 * SI_KERNEL cannot be ignored (the kernel forces it) and kills.  fctx's
 * handler stays installed whenever the process survives.  Fibers created
 * before the call are not registered.  Without it, nothing of this costs
 * anything.
 *
 * The registry's memory lies between 1 MiB gaps of inaccessible address
 * space, never directly below a stack's guard: a frame that jumps a guard
 * faults there instead of overwriting registrations.  The handler finds the
 * guard holding a fault address in O(log n) steps (a skip list of disjoint
 * regions), whatever was registered.
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
/** 1 while fctx's handler is installed for both SIGSEGV and SIGBUS, else
 *  0: before fctx_overflow_handler_install(), after another sigaction()
 *  replaced it, or after fctx set the default action so that a fatal fault
 *  kills the process (a guard hit; a fault with SIG_DFL before fctx).
 *  Asks the system (sigaction), so it is never stale. */
FCTX_API int fctx_overflow_enabled(void);
/** Register a stack used outside the fiber layer (raw contexts): guard
 *  [base, sp - size), stack [sp - size, sp).  `name` is not copied (keep it
 *  alive).  EINVAL: stack NULL, sp NULL, size 0, size > sp, base NULL or in
 *  the first page (the guard would claim null-pointer faults), or no guard
 *  region below the stack (base >= sp - size); EEXIST: already registered,
 *  or [base, sp) overlaps the [base, sp) of a registered stack; ENOMEM;
 *  ENOTSUP off POSIX.  Fibers are registered by the same rules (a fiber
 *  whose stack is refused is created, unregistered). */
FCTX_API int fctx_overflow_register(const fctx_stack_t *stack, const char *name);
/** Remove the registration whose stack starts at sp - size.  EINVAL: stack
 *  or sp NULL, size 0 or size > sp; ENOENT: not registered. */
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
 *  NULL, size 0 or an unknown method; ENOTSUP: RESIDENT off POSIX and on
 *  WebAssembly (no page residency);
 *  ENOMEM: mincore() failed (the range is not mapped). */
FCTX_API int fctx_stack_usage(const fctx_stack_t *stack, fctx_usage_method_t method,
                              size_t *used);

#ifdef __cplusplus
}
#endif

#endif /* FCTX_STACK_EXT_H */
