/* stacks_internal.h - what the fiber layer needs from the stack extensions
 * (overflow registry, split stacks); internal. */
#ifndef FCTX_STACKS_INTERNAL_H
#define FCTX_STACKS_INTERNAL_H

#include <fctx/stack.h>
#include <stdatomic.h>

#include "internal.h"

#include <errno.h>
#ifndef ENOTSUP
#  define ENOTSUP 129 /* MinGW's and MSVC's value */
#endif

/* Nonzero once fctx_overflow_handler_install() ran: only then does the
 * fiber layer register its stacks (one relaxed load per fiber creation). */
FCTX_HIDDEN extern atomic_int fctx_internal_overflow_active;

static inline int fctx_internal_overflow_on(void)
{
    return atomic_load_explicit(&fctx_internal_overflow_active, memory_order_relaxed);
}

/* Register / unregister a fiber's stack (0 on success; the fiber is
 * created anyway if registering fails). */
FCTX_HIDDEN int fctx_internal_overflow_add(const fctx_stack_t *s, const char *name,
                                           const void *site);
FCTX_HIDDEN void fctx_internal_overflow_remove(const fctx_stack_t *s);

/* The address a public function was called from (creation sites).  Not on
 * Emscripten, where it needs -sUSE_OFFSET_CONVERTER in every program (and
 * overflow diagnosis, which reports it, cannot run: docs/abi-wasm.md). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__EMSCRIPTEN__)
#  define FCTX_CALLER() __builtin_return_address(0)
#else
#  define FCTX_CALLER() ((const void *)0)
#endif

#endif
