/*
 * fiber.c - one-shot fibers on top of the raw primitives.
 *
 * A fiber handle is the fctx_t of the suspended fiber, so a resume is a
 * checked tail call of fctx_jump().  The control record sits at the top of
 * the fiber's own stack; only the fiber's first frame (fiber_main) knows
 * where, which is all it needs: when the entry function returns, fiber_main
 * switches to the next fiber with fiber_release() on top, which frees the
 * finished stack from the next fiber's stack.
 *
 * How fiber_main learns where its record is: fctx_make() builds the first
 * frame at a fixed distance below the top it is given (the record), and the
 * start stub calls fiber_main at a fixed depth below that, so fiber_main's
 * frame address lies at the same distance below its record in every fiber
 * of a build.  The first fiber of the process is created the slow way: it
 * is switched into at creation with its record as the data, measures that
 * distance and parks.  Every later fiber computes its record from its frame
 * address, so creation makes no switch at all (checked: the record points
 * to itself).  Compilers without __builtin_frame_address always take the
 * slow way.
 *
 * In builds with tool hooks (sanitizers, valgrind, split stacks; see
 * hooks.h) every switch below goes through switch_to()/ontop_to(), which
 * wrap the data in a message and tell the tools.  Without hooks they are
 * plain fctx_jump()/fctx_ontop().
 */
#include <fctx/fiber.h>
#include <fctx/stack_ext.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hooks.h"
#include "internal.h"
#include "stacks_internal.h"

const char fctx_fiber_einval_token = 0;
const char fctx_fiber_canceled_token = 0;

struct fiber_record {
    fctx_stack_t stack;
    fctx_allocator_t alloc; /* copied: the caller's struct may not outlive us */
    fctx_fiber_fn fn;
    int diag; /* registered for overflow diagnosis (fctx/stack_ext.h) */
    int park_first; /* created the slow way: parks in fiber_main at once */
    struct fiber_record *self; /* == the record: checks fiber_main's finding */
#if FCTX_HOOKS
    struct fctx_hctx hctx;
    struct fctx_msg last_msg; /* sent when the fiber finishes */
#endif
};

/* Smallest stack left below the record that we accept from an allocator. */
#define FIBER_MIN_USABLE 1024u

static fctx_fiber_transfer_t einval_transfer(void)
{
    fctx_fiber_transfer_t r = {NULL, FCTX_FIBER_EINVAL};
    return r;
}

/* resume_with passes {fn, data} through the switch; ontop_shim unpacks it on
 * top of the target (the sender's frame holding it is suspended, not gone). */
struct ontop_call {
    fctx_fiber_ontop_fn fn;
    void *data;
#if FCTX_HOOKS
    struct fctx_msg msg;
#endif
};

#if FCTX_HOOKS

/* Arrived in a context: tell the tools, remember the sender's state below
 * its saved frame, unwrap the message. */
static fctx_fiber_transfer_t arrived(fctx_transfer_t t)
{
    struct fctx_msg *m = (struct fctx_msg *)t.data;
    if (!m->done) {
        fctx_hooks_set_current(m->to);
        fctx_hooks_after(m->to, m->from);
        if (m->from != NULL && t.ctx != NULL)
            fctx_hooks_slot_put(t.ctx, m->from);
    }
    fctx_fiber_transfer_t r = {(fctx_fiber_t)t.ctx, m->data};
    return r;
}

static fctx_fiber_transfer_t switch_to(fctx_t to, void *data)
{
    struct fctx_msg m = {data, fctx_hooks_current(), fctx_hooks_slot_get(to), 0};
    fctx_hooks_before(m.from, m.to, 0);
    FCTX_TSAN_SWITCH(m.to);
    return arrived(fctx_jump(to, &m));
}

/* The result of a function run on top travels in a per-thread message that
 * is already "done": the switch was announced when the function started. */
static fctx_transfer_t on_top_result(fctx_fiber_transfer_t r)
{
    struct fctx_msg *m = fctx_hooks_result_msg();
    m->data = r.data;
    m->from = NULL;
    m->to = fctx_hooks_current();
    m->done = 1;
    fctx_transfer_t t = {(fctx_t)r.fiber, m};
    return t;
}

static fctx_transfer_t ontop_shim(fctx_transfer_t t)
{
    struct ontop_call *call = (struct ontop_call *)t.data;
    fctx_transfer_t inner = {t.ctx, &call->msg};
    return on_top_result(call->fn(arrived(inner)));
}

static fctx_fiber_transfer_t ontop_to(fctx_t to, struct ontop_call *call)
{
    call->msg.data = call->data;
    call->msg.from = fctx_hooks_current();
    call->msg.to = fctx_hooks_slot_get(to);
    call->msg.done = 0;
    fctx_hooks_before(call->msg.from, call->msg.to, 0);
    FCTX_TSAN_SWITCH(call->msg.to);
    return arrived(fctx_ontop(to, call, ontop_shim));
}

#else /* no hooks: the raw primitives */

static inline fctx_fiber_transfer_t to_fiber(fctx_transfer_t t)
{
    fctx_fiber_transfer_t r = {(fctx_fiber_t)t.ctx, t.data};
    return r;
}

static inline fctx_fiber_transfer_t arrived(fctx_transfer_t t)
{
    return to_fiber(t);
}

static inline fctx_fiber_transfer_t switch_to(fctx_t to, void *data)
{
    return to_fiber(fctx_jump(to, data));
}

/* fctx_jump declared with the fiber types (same two-pointer layout, so the
 * same registers on every ABI): with identical return types gcc and clang
 * turn fctx_fiber_resume into a checked tail call (test, branch, jmp) instead
 * of call + return; clang needs musttail for it.  See docs/performance.md. */
#if defined(__GNUC__) && defined(__USER_LABEL_PREFIX__)
#  define FCTX_FIBER_JUMP_ALIAS 1
#  define FCTX_STR2_(x) #x
#  define FCTX_STR_(x) FCTX_STR2_(x)
fctx_fiber_transfer_t fctx_fiber_jump_alias_(fctx_fiber_t to, void *data)
    __asm__(FCTX_STR_(__USER_LABEL_PREFIX__) "fctx_jump");
/* Only where the transfer comes back in registers: with a hidden result
 * pointer (32-bit Arm, i386, s390x, Win64) clang 14 cannot musttail. */
#  if defined(__clang__) && defined(__has_attribute) && !defined(__arm__) && \
      !defined(__i386__) && !defined(__s390x__) && !defined(_WIN32)
#    if __has_attribute(musttail)
#      define FCTX_MUSTTAIL __attribute__((musttail))
#    endif
#  endif
#endif
#ifndef FCTX_MUSTTAIL
#  define FCTX_MUSTTAIL
#endif

static fctx_transfer_t ontop_shim(fctx_transfer_t t)
{
    const struct ontop_call *call = (const struct ontop_call *)t.data;
    fctx_fiber_transfer_t ft = {(fctx_fiber_t)t.ctx, call->data};
    fctx_fiber_transfer_t r = call->fn(ft);
    fctx_transfer_t raw = {(fctx_t)r.fiber, r.data};
    return raw;
}

static inline fctx_fiber_transfer_t ontop_to(fctx_t to, struct ontop_call *call)
{
    return to_fiber(fctx_ontop(to, call, ontop_shim));
}

#endif /* FCTX_HOOKS */

/* Runs on the next fiber's stack: the finished one is no longer in use. */
static fctx_transfer_t fiber_release(fctx_transfer_t t)
{
#if FCTX_HOOKS
    struct fctx_msg *m = (struct fctx_msg *)t.data;
    struct fiber_record *rec = (struct fiber_record *)m->data;
    fctx_hooks_set_current(m->to);
    fctx_hooks_after(m->to, NULL);
#else
    struct fiber_record *rec = (struct fiber_record *)t.data;
#endif
    fctx_stack_t stack = rec->stack; /* copy out before the memory goes */
    fctx_allocator_t alloc = rec->alloc;
    if (FCTX_UNLIKELY(rec->diag))
        fctx_internal_overflow_remove(&stack);
#if FCTX_HOOKS
    fctx_hooks_destroy(&rec->hctx, &stack);
#if FCTX_SPLIT_STACK
    fctx_hooks_split_finish(&rec->hctx, &stack, &alloc);
#endif
    alloc.deallocate(alloc.state, &stack);
    fctx_fiber_transfer_t none = {NULL, NULL};
    return on_top_result(none);
#else
    alloc.deallocate(alloc.state, &stack);
    fctx_transfer_t r = {NULL, NULL};
    return r;
#endif
}

/* Record address minus fiber_main's frame address (see the top of the
 * file); 0 until the first fiber measured it. */
#if defined(__GNUC__) || defined(__clang__)
#  define FIBER_FRAME_ADDRESS() ((uintptr_t)__builtin_frame_address(0))
#  define FIBER_NOINLINE __attribute__((noinline))
static atomic_intptr_t record_offset;
#else
#  define FIBER_NOINLINE
#endif

/* Not inlined: fiber_main must call nothing but split-stack code, or the
 * gold linker makes it run on a fresh segment (FCTX_SPLIT_STACK builds),
 * which moves its frame. */
FIBER_NOINLINE static FCTX_NORETURN void record_lost(void)
{
    fputs("fctx: internal error: a new fiber did not find its record\n", stderr);
    abort();
}

FIBER_NOINLINE static void fiber_main(fctx_transfer_t t)
{
    fctx_fiber_transfer_t ft = arrived(t);
    struct fiber_record *rec;
#ifdef FIBER_FRAME_ADDRESS
    uintptr_t frame = FIBER_FRAME_ADDRESS();
    intptr_t offset = atomic_load_explicit(&record_offset, memory_order_relaxed);
    if (FCTX_LIKELY(offset != 0)) {
        rec = (struct fiber_record *)(frame + (uintptr_t)offset);
        if (FCTX_UNLIKELY(rec->self != rec))
            record_lost();
    } else { /* created the slow way (offset was unknown): data is the record */
        rec = (struct fiber_record *)ft.data;
        atomic_store_explicit(&record_offset, (intptr_t)((uintptr_t)rec - frame),
                              memory_order_relaxed);
    }
#else
    rec = (struct fiber_record *)ft.data;
#endif
    if (rec->park_first)
        ft = switch_to((fctx_t)ft.fiber, NULL); /* created: park until first resume */
    fctx_fiber_t next;
    if (ft.data == FCTX_FIBER_CANCELED)
        next = ft.fiber; /* canceled before it ever ran */
    else
        next = rec->fn(ft.fiber, ft.data);
    if (next == NULL)
        fctx_internal_entry_returned(); /* nowhere to go: fatal, documented */
#if FCTX_HOOKS
    /* The last message lives in the record, not in this frame: telling
     * ASan that this fiber finishes frees its fake stack, where a local
     * may live (detect_stack_use_after_return). */
    struct fctx_msg *m = &rec->last_msg;
    m->data = rec;
    m->from = &rec->hctx;
    m->to = fctx_hooks_slot_get(next);
    m->done = 0;
    fctx_hooks_before(m->from, m->to, 1);
    FCTX_TSAN_SWITCH(m->to);
    fctx_ontop((fctx_t)next, m, fiber_release);
#else
    fctx_ontop((fctx_t)next, rec, fiber_release);
#endif
    fctx_internal_entry_returned(); /* not reached: we were freed */
}

/* Both public creators: `site` is where they were called from. */
static int create(fctx_fiber_t *out, const fctx_fiber_attr_t *attr, fctx_fiber_fn fn,
                  const void *site)
{
    if (out == NULL)
        return EINVAL;
    *out = NULL;
    if (fn == NULL || (attr->flags & ~FCTX_FIBER_PAINT) != 0)
        return EINVAL;
    const fctx_allocator_t *alloc = attr->allocator;
    if (alloc == NULL)
        alloc = fctx_guarded_allocator();
    if (alloc->allocate == NULL || alloc->deallocate == NULL)
        return EINVAL;

    fctx_stack_t stack;
    int err = alloc->allocate(alloc->state, attr->stack_size, &stack);
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
    if (attr->flags & FCTX_FIBER_PAINT)
        fctx_stack_paint(&stack); /* before the record and frames go in */
    struct fiber_record *rec = (struct fiber_record *)rec_at;
    rec->stack = stack;
    rec->alloc = *alloc;
    rec->fn = fn;
    rec->diag = 0;
    rec->self = rec;
#ifdef FIBER_FRAME_ADDRESS
    rec->park_first = atomic_load_explicit(&record_offset, memory_order_relaxed) == 0;
#else
    rec->park_first = 1;
#endif
    if (FCTX_UNLIKELY(fctx_internal_overflow_on()))
        rec->diag = fctx_internal_overflow_add(&stack, attr->name, site) == 0;
    if (attr->stack_out != NULL)
        *attr->stack_out = stack;

    fctx_t ctx = fctx_make(rec, rec_at - bottom, fiber_main);
#if defined(_WIN32)
    /* The TEB's DeallocationStack covers the guard pages too, so the OS
     * reports an overflow into them as STATUS_STACK_OVERFLOW. */
    fctx_internal_set_stack_allocation(ctx, stack.base);
#endif
#if FCTX_HOOKS
    fctx_hooks_init(&rec->hctx, &stack);
#if FCTX_SPLIT_STACK
    fctx_hooks_split_init(&rec->hctx, &stack, alloc);
#endif
    fctx_hooks_slot_put(ctx, &rec->hctx);
#endif
    if (FCTX_UNLIKELY(rec->park_first))
        *out = switch_to(ctx, rec).fiber; /* fiber_main learns where records are */
    else
        *out = (fctx_fiber_t)ctx; /* fiber_main finds its record when it starts */
    return 0;
}

int fctx_fiber_create(fctx_fiber_t *out, const fctx_allocator_t *alloc, size_t stack_size,
                      fctx_fiber_fn fn)
{
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = alloc;
    attr.stack_size = stack_size;
    return create(out, &attr, fn, FCTX_CALLER());
}

int fctx_fiber_create_ex(fctx_fiber_t *out, const fctx_fiber_attr_t *attr, fctx_fiber_fn fn)
{
    static const fctx_fiber_attr_t defaults = FCTX_FIBER_ATTR_INIT;
    return create(out, attr ? attr : &defaults, fn, FCTX_CALLER());
}

fctx_fiber_transfer_t fctx_fiber_resume(fctx_fiber_t f, void *data)
{
    if (FCTX_UNLIKELY(f == NULL))
        return einval_transfer();
#ifdef FCTX_FIBER_JUMP_ALIAS
    FCTX_MUSTTAIL return fctx_fiber_jump_alias_(f, data);
#else
    return switch_to((fctx_t)f, data);
#endif
}

fctx_fiber_transfer_t fctx_fiber_resume_with(fctx_fiber_t f, fctx_fiber_ontop_fn fn, void *data)
{
    if (FCTX_UNLIKELY(f == NULL || fn == NULL))
        return einval_transfer();
    struct ontop_call call;
    call.fn = fn;
    call.data = data;
    return ontop_to((fctx_t)f, &call);
}

static fctx_fiber_transfer_t cancel_on_top(fctx_fiber_transfer_t t)
{
    t.data = FCTX_FIBER_CANCELED;
    return t;
}

fctx_fiber_transfer_t fctx_fiber_cancel(fctx_fiber_t f)
{
    return fctx_fiber_resume_with(f, cancel_on_top, NULL);
}
