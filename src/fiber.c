/*
 * fiber.c - one-shot fibers on top of the raw primitives.
 *
 * A fiber handle is the fctx_t of the suspended fiber, so a resume is a
 * checked tail call of fctx_jump().  The control record sits at the top of
 * the fiber's own stack; only the fiber's first frame (fiber_main) knows
 * where, which is all it needs: when the entry function returns, fiber_main
 * switches to the next fiber with fiber_release() on top, which frees the
 * finished stack from the next fiber's stack.
 */
#include <fctx/fiber.h>

#include <errno.h>
#include <stdint.h>

#include "internal.h"

const char fctx_fiber_einval_token = 0;
const char fctx_fiber_canceled_token = 0;

struct fiber_record {
    fctx_stack_t stack;
    fctx_allocator_t alloc; /* copied: the caller's struct may not outlive us */
    fctx_fiber_fn fn;
};

/* Smallest stack left below the record that we accept from an allocator. */
#define FIBER_MIN_USABLE 1024u

static inline fctx_fiber_transfer_t to_fiber(fctx_transfer_t t)
{
    fctx_fiber_transfer_t r = {(fctx_fiber_t)t.ctx, t.data};
    return r;
}

static inline fctx_transfer_t to_raw(fctx_fiber_transfer_t t)
{
    fctx_transfer_t r = {(fctx_t)t.fiber, t.data};
    return r;
}

static fctx_fiber_transfer_t einval_transfer(void)
{
    fctx_fiber_transfer_t r = {NULL, FCTX_FIBER_EINVAL};
    return r;
}

/* Runs on the next fiber's stack: the finished one is no longer in use. */
static fctx_transfer_t fiber_release(fctx_transfer_t t)
{
    struct fiber_record *rec = (struct fiber_record *)t.data;
    fctx_stack_t stack = rec->stack; /* copy out before the memory goes */
    fctx_allocator_t alloc = rec->alloc;
    alloc.deallocate(alloc.state, &stack);
    fctx_transfer_t r = {NULL, NULL};
    return r;
}

static void fiber_main(fctx_transfer_t t)
{
    struct fiber_record *rec = (struct fiber_record *)t.data;
    t = fctx_jump(t.ctx, NULL); /* created: park until the first resume */
    fctx_fiber_t next;
    if (t.data == FCTX_FIBER_CANCELED)
        next = (fctx_fiber_t)t.ctx; /* canceled before it ever ran */
    else
        next = rec->fn((fctx_fiber_t)t.ctx, t.data);
    if (next == NULL)
        fctx_internal_entry_returned(); /* nowhere to go: fatal, documented */
    fctx_ontop((fctx_t)next, rec, fiber_release);
    fctx_internal_entry_returned(); /* not reached: we were freed */
}

int fctx_fiber_create(fctx_fiber_t *out, const fctx_allocator_t *alloc, size_t stack_size,
                      fctx_fiber_fn fn)
{
    if (out == NULL)
        return EINVAL;
    *out = NULL;
    if (fn == NULL)
        return EINVAL;
    if (alloc == NULL)
        alloc = fctx_guarded_allocator();
    if (alloc->allocate == NULL || alloc->deallocate == NULL)
        return EINVAL;

    fctx_stack_t stack;
    int err = alloc->allocate(alloc->state, stack_size, &stack);
    if (err)
        return err;

    uintptr_t top = (uintptr_t)stack.sp;
    uintptr_t bottom = top - stack.size;
    uintptr_t rec_at = (top - sizeof(struct fiber_record)) & ~(uintptr_t)63;
    if (stack.sp == NULL || stack.size > top || rec_at < bottom ||
        rec_at - bottom < FIBER_MIN_USABLE) {
        alloc->deallocate(alloc->state, &stack);
        return EINVAL; /* the allocator returned an unusable stack */
    }
    struct fiber_record *rec = (struct fiber_record *)rec_at;
    rec->stack = stack;
    rec->alloc = *alloc;
    rec->fn = fn;

    fctx_t ctx = fctx_make(rec, rec_at - bottom, fiber_main);
    *out = (fctx_fiber_t)fctx_jump(ctx, rec).ctx;
    return 0;
}

fctx_fiber_transfer_t fctx_fiber_resume(fctx_fiber_t f, void *data)
{
    if (FCTX_UNLIKELY(f == NULL))
        return einval_transfer();
    return to_fiber(fctx_jump((fctx_t)f, data));
}

/* resume_with passes {fn, data} through the switch; this shim unpacks it on
 * top of the target (the caller's frame holding it is suspended, not gone). */
struct ontop_call {
    fctx_fiber_ontop_fn fn;
    void *data;
};

static fctx_transfer_t ontop_shim(fctx_transfer_t t)
{
    const struct ontop_call *call = (const struct ontop_call *)t.data;
    fctx_fiber_transfer_t ft = {(fctx_fiber_t)t.ctx, call->data};
    return to_raw(call->fn(ft));
}

fctx_fiber_transfer_t fctx_fiber_resume_with(fctx_fiber_t f, fctx_fiber_ontop_fn fn, void *data)
{
    if (FCTX_UNLIKELY(f == NULL || fn == NULL))
        return einval_transfer();
    struct ontop_call call = {fn, data};
    return to_fiber(fctx_ontop((fctx_t)f, &call, ontop_shim));
}

static fctx_transfer_t cancel_on_top(fctx_transfer_t t)
{
    t.data = FCTX_FIBER_CANCELED;
    return t;
}

fctx_fiber_transfer_t fctx_fiber_cancel(fctx_fiber_t f)
{
    if (f == NULL)
        return einval_transfer();
    return to_fiber(fctx_ontop((fctx_t)f, NULL, cancel_on_top));
}
