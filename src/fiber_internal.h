/*
 * fiber_internal.h - what fiber.c and shared_stack.c share (internal).
 *
 * Handles.  An ordinary fiber's handle is its suspended context (the saved
 * stack pointer).  A shared fiber's handle names its record instead, tagged
 * so that the hot path of fctx_fiber_resume() tells the two apart in the
 * test it already makes for NULL:
 *   64-bit targets: user-space stack addresses have the top bit clear, so a
 *     shared handle is the record's address inverted (top bit set): a plain
 *     handle is exactly a handle > 0 as intptr_t (one test, one jle);
 *   32-bit targets: stacks can lie anywhere, but contexts and records are at
 *     least 4-byte aligned, so a shared handle is the record's address + 1.
 */
#ifndef FCTX_FIBER_INTERNAL_H
#define FCTX_FIBER_INTERNAL_H

#include <fctx/fiber.h>
#include <stdint.h>

#include "hooks.h"
#include "internal.h"

struct shared_fiber; /* shared_stack.c */

#if UINTPTR_MAX > 0xFFFFFFFFu
static inline int fctx_handle_plain(fctx_fiber_t f)
{
    return (intptr_t)f > 0;
}
static inline fctx_fiber_t fctx_handle_of(struct shared_fiber *r)
{
    return (fctx_fiber_t)~(uintptr_t)r;
}
static inline struct shared_fiber *fctx_handle_shared(fctx_fiber_t f)
{
    return (intptr_t)f < 0 ? (struct shared_fiber *)~(uintptr_t)f : NULL;
}
#else
static inline int fctx_handle_plain(fctx_fiber_t f)
{
    /* Rotated right by one: the tag bit lands in the sign bit, and NULL
     * stays 0, so one signed test covers both. */
    uintptr_t v = (uintptr_t)f;
    return (intptr_t)((v >> 1) | (v << 31)) > 0;
}
static inline fctx_fiber_t fctx_handle_of(struct shared_fiber *r)
{
    return (fctx_fiber_t)((uintptr_t)r | 1u);
}
static inline struct shared_fiber *fctx_handle_shared(fctx_fiber_t f)
{
    return ((uintptr_t)f & 1u) ? (struct shared_fiber *)((uintptr_t)f & ~(uintptr_t)1) : NULL;
}
#endif

/* Arrived in a context: tell the tools, remember the sender's state below
 * its saved frame, unwrap the message. */
static inline fctx_fiber_transfer_t fctx_arrived(fctx_transfer_t t)
{
    fctx_fiber_transfer_t r = {(fctx_fiber_t)t.ctx, fctx_hooks_arrived(t.data, t.ctx)};
    return r;
}

/* What a function run on top returns to the pending switch. */
static inline fctx_transfer_t fctx_on_top_result(fctx_fiber_transfer_t r)
{
    fctx_transfer_t t = {(fctx_t)r.fiber, fctx_hooks_result(r.data)};
    return t;
}

/* Runs a fiber's entry function from its first frame (`ft`: what the first
 * resume delivered) and returns the fiber to finish into. */
static inline fctx_fiber_t fctx_run_entry(fctx_fiber_fn fn, fctx_fiber_transfer_t ft)
{
    fctx_fiber_t next;
    if (ft.data == FCTX_FIBER_CANCELED)
        next = ft.fiber; /* canceled before it ever ran */
    else
        next = fn(ft.fiber, ft.data);
    if (next == NULL)
        fctx_internal_entry_returned(); /* nowhere to go: fatal, documented */
    return next;
}

/* fiber.c: a resume between ordinary fibers with the tools told. */
FCTX_HIDDEN fctx_fiber_transfer_t fctx_fiber_plain_resume(fctx_fiber_t f, void *data);
/* fiber.c: resume_with between ordinary fibers. */
FCTX_HIDDEN fctx_fiber_transfer_t fctx_fiber_plain_resume_with(fctx_fiber_t f,
                                                               fctx_fiber_ontop_fn fn,
                                                               void *data);

/* shared_stack.c: the shared fiber running on this thread, or NULL.  Read
 * directly only where no switch comes between the read and its use (the
 * compiler may keep a thread-local address across a call, and fibers
 * migrate); shared_stack.c reads it through non-inlined accessors. */
#if defined(__ELF__) && (defined(__GNUC__) || defined(__clang__))
#  define FCTX_TLS_IE __attribute__((tls_model("initial-exec")))
#else
#  define FCTX_TLS_IE
#endif
FCTX_HIDDEN extern FCTX_TLS_IE _Thread_local struct shared_fiber *fctx_running_shared;

static inline int fctx_shared_running(void)
{
    return fctx_running_shared != NULL;
}

/* A switch needs fctx_fiber_switch(): a shared stack exists, and the target
 * is a shared fiber or a shared fiber is running. */
static inline int fctx_switch_shared(fctx_fiber_t to)
{
    return fctx_tools.shared && (!fctx_handle_plain(to) || fctx_shared_running());
}

/* shared_stack.c: every switch once a shared stack exists.  To `to` (any
 * handle), with `fn` run on top (or NULL); a finishing sender passes
 * `release(arg)`, run on the target's stack, and never gets control back. */
FCTX_HIDDEN fctx_fiber_transfer_t fctx_fiber_switch(fctx_fiber_t to, fctx_fiber_ontop_fn fn,
                                                    void *data, void (*release)(void *),
                                                    void *release_arg);

#endif
