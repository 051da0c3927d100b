/* os.h - the operating-system layer of the stack code (internal): what the
 * portable allocators (stack.c) and the POSIX-only extensions (arena.c,
 * overflow.c) need from the system.  Implemented once per system: posix.c
 * (mmap) and win.c (VirtualAlloc). */
#ifndef FCTX_STACKS_OS_H
#define FCTX_STACKS_OS_H

#include <stddef.h>

#include "../internal.h"

/* The system's page size, the smallest stack that can take a signal (or,
 * on Windows, dispatch an exception) with fctx's own frames on it, in
 * whole pages, and the largest stack size the system suggests (before
 * stack.c's rounding and clamps). */
FCTX_HIDDEN void fctx_os_stack_limits(size_t *page, size_t *min_size, size_t *max_size);

/* Run `compute` once per process (the traits); callers that come while it
 * runs wait for it (pthread_once / InitOnceExecuteOnce). */
FCTX_HIDDEN void fctx_os_traits_once(void (*compute)(void));

/* Map `len` bytes (whole pages) read/write for a stack without a guard;
 * NULL when out of memory. */
FCTX_HIDDEN void *fctx_os_map_stack(size_t len);

/* Map a stack of `usable` bytes with `guard` bytes of guard region (whole
 * pages) below it, laid out as the system wants (win.c adds its own guard
 * and spare page); *mapped receives the size of the whole mapping, whose
 * top `usable` bytes are the stack.  NULL when out of memory (or, POSIX,
 * when the guard cannot be installed at vm.max_map_count). */
FCTX_HIDDEN void *fctx_os_map_guarded(size_t guard, size_t usable, size_t *mapped);

/* Release a mapping made by the two above (never leaks: see posix.c). */
FCTX_HIDDEN void fctx_os_unmap_stack(void *base, size_t mapped);

#if !defined(_WIN32)
/* The run-time minimum signal frame: what the kernel needs to deliver a
 * signal on a stack (posix.c says which values it takes). */
FCTX_HIDDEN size_t fctx_internal_min_signal_stack(void);

/* Make [p, p + len) (whole pages inside a mapping of ours) a guard region
 * by `method` (an fctx_guard_method_t): 0, or ENOMEM (mprotect splits the
 * mapping, which fails at vm.max_map_count). */
FCTX_HIDDEN int fctx_internal_install_guard(void *p, size_t len, int method);
#endif

#endif
