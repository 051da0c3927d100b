/* spin.h - a tiny test-and-set lock for critical sections of a few
 * instructions (internal).  Uncontended: one atomic exchange to take it,
 * one release store to drop it.  Contended: spin briefly, then yield the
 * CPU, so a holder that was preempted gets to run (2-core machines). */
#ifndef FCTX_SPIN_H
#define FCTX_SPIN_H

#include <stdatomic.h>

#include "internal.h"

#if defined(_WIN32)
#  include <windows.h>
#  define FCTX_YIELD() SwitchToThread()
#else
#  include <sched.h>
#  define FCTX_YIELD() sched_yield()
#endif

#if defined(_WIN32)
#  define FCTX_CPU_RELAX() YieldProcessor()
#elif (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#  define FCTX_CPU_RELAX() __builtin_ia32_pause()
#else
#  define FCTX_CPU_RELAX() ((void)0)
#endif

typedef struct fctx_spin {
    atomic_int held;
} fctx_spin_t;

static inline void fctx_spin_init(fctx_spin_t *s)
{
    atomic_init(&s->held, 0);
}

static inline void fctx_spin_lock_slow(fctx_spin_t *s)
{
    for (;;) {
        for (int i = 0; i < 100; ++i) {
            /* Read before exchanging: spinning on a shared line is cheap. */
            if (!atomic_load_explicit(&s->held, memory_order_relaxed) &&
                !atomic_exchange_explicit(&s->held, 1, memory_order_acquire))
                return;
            FCTX_CPU_RELAX();
        }
        FCTX_YIELD();
    }
}

static inline void fctx_spin_lock(fctx_spin_t *s)
{
    if (FCTX_LIKELY(!atomic_exchange_explicit(&s->held, 1, memory_order_acquire)))
        return;
    fctx_spin_lock_slow(s);
}

static inline void fctx_spin_unlock(fctx_spin_t *s)
{
    atomic_store_explicit(&s->held, 0, memory_order_release);
}

#endif
