/* internal.h - declarations shared inside the library only (hidden). */
#ifndef FCTX_INTERNAL_H
#define FCTX_INTERNAL_H

#include <stddef.h>
#include <fctx/stack.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#  define FCTX_HIDDEN __attribute__((visibility("hidden")))
#  define FCTX_LIKELY(x) __builtin_expect(!!(x), 1)
#  define FCTX_UNLIKELY(x) __builtin_expect(!!(x), 0)
#  define FCTX_NORETURN __attribute__((noreturn))
#  define FCTX_NOINLINE __attribute__((noinline))
/* Memory another context's frames poisoned (suspended stacks), or locals
 * that must not move to ASan's fake stack. */
#  define FCTX_NO_ASAN __attribute__((no_sanitize_address))
#else
#  define FCTX_HIDDEN
#  define FCTX_LIKELY(x) (x)
#  define FCTX_UNLIKELY(x) (x)
#  define FCTX_NORETURN
#  define FCTX_NOINLINE
#  define FCTX_NO_ASAN
#endif
#if defined(_WIN32) || defined(__CYGWIN__)
/* PE has no symbol visibility (GCC warns on the attribute): what a DLL
 * exports is what FCTX_API marks dllexport. */
#  undef FCTX_HIDDEN
#  define FCTX_HIDDEN
#endif

/* Called from the asm start stub; never returns. */
FCTX_HIDDEN FCTX_NORETURN void fctx_internal_entry_returned(void);

#if defined(_WIN32)
/* Windows (asm/make_{x86_64,i386}_ms_gas.S and _masm.asm): set the TEB
 * DeallocationStack a context made by fctx_make() runs with to the base of
 * the whole stack allocation (guard pages included); fctx_make() alone only
 * knows the usable part. */
FCTX_HIDDEN void fctx_internal_set_stack_allocation(void *ctx, void *allocation_base);
#endif

/* Describe a stack mapped at [base, base + mapped) whose usable part is the
 * top `usable` bytes (any guard lies below it). */
static inline void fctx_stack_describe(fctx_stack_t *out, void *base, size_t mapped,
                                       size_t usable)
{
    out->base = base;
    out->mapped_size = mapped;
    out->size = usable;
    out->sp = (char *)base + mapped;
    out->impl = NULL;
}

/* Bytes a fiber stack needs besides a signal frame for fctx_stack_traits()
 * min_size: the fiber record and first frames fctx puts at the top of the
 * stack (under 512 bytes) and a small signal handler's frames. */
#define FCTX_STACK_RESERVE 2048u

/* Round up to a multiple of a power of two. */
static inline size_t fctx_round_up(size_t n, size_t align)
{
    return (n + align - 1) & ~(align - 1);
}

#endif
