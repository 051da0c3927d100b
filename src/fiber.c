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
 * How fiber_main learns where its record is: the record is the stack_top
 * given to fctx_make(), and every port's first frame passes that top to the
 * entry as its second argument (fctx_entry_top_fn, fctx/context.h).  So
 * creation makes no switch: the fiber is only made, and fiber_main first
 * runs at the first resume.
 *
 * Every switch below is written once: while the tool hooks are on
 * (sanitizers, split stacks; see hooks.h) it wraps the data in a message and
 * tells the tools; while they are off the message is the data, so the code
 * is plain fctx_jump()/fctx_ontop() behind one test of fctx_tools_on(),
 * which is constant where the hooks are compiled in or cannot exist.
 */
#include <fctx/fiber.h>
#include <fctx/stack_ext.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fiber_internal.h"
#include "stacks_internal.h"

const char fctx_fiber_einval_token = 0;
const char fctx_fiber_canceled_token = 0;
const char fctx_fiber_enomem_token = 0;

struct fiber_record {
    fctx_stack_t stack;
    fctx_allocator_t alloc; /* copied: the caller's struct may not outlive us */
    fctx_fiber_fn fn;
    int diag; /* registered for overflow diagnosis (fctx/stack_ext.h) */
    unsigned vg_stack; /* valgrind stack id (hooks.h), in diag's padding on LP64 */
};

/* While the tool hooks are on, a fiber's tool state lies right above its
 * record (create() leaves room for it), so the record itself is the same in
 * every build and process. */
struct fiber_tools {
    struct fctx_hctx hctx;
    struct fctx_msg last_msg; /* sent when the fiber finishes */
};
#define REC_SPAN fctx_round_up(sizeof(struct fiber_record), 16)
#define REC_HCTX(rec) (&((struct fiber_tools *)((char *)(rec) + REC_SPAN))->hctx)
#define REC_LAST_MSG(rec) (&((struct fiber_tools *)((char *)(rec) + REC_SPAN))->last_msg)

/* Smallest stack left below the record that we accept from an allocator. */
#define FIBER_MIN_USABLE 1024u

static fctx_fiber_transfer_t einval_transfer(void)
{
    fctx_fiber_transfer_t r = {NULL, FCTX_FIBER_EINVAL};
    return r;
}

/* resume_with passes {fn, data} through the switch; ontop_shim unpacks it on
 * top of the target (the sender's frame holding it is suspended, not gone).
 * ref is what the switch sends for the data (hooks.h). */
struct ontop_call {
    fctx_fiber_ontop_fn fn;
    fctx_msg_ref ref;
    struct fctx_msg msg;
};

static fctx_transfer_t ontop_shim(fctx_transfer_t t)
{
    struct ontop_call *call = (struct ontop_call *)t.data;
    fctx_transfer_t inner = {t.ctx, call->ref};
    return fctx_on_top_result(call->fn(fctx_arrived(inner)));
}

/* Each switch here ends in FCTX_HOOKS_SEND right before the primitive:
 * TSan must switch fibers in the very frame that jumps (hooks.h). */
static inline fctx_fiber_transfer_t ontop_to(fctx_t to, struct ontop_call *call, void *data)
{
    FCTX_HOOKS_SEND(call->ref, &call->msg, data, to, fctx_hooks_current(), 0);
    return fctx_arrived(fctx_ontop(to, call, ontop_shim));
}

/* fctx_jump declared with the fiber types (same two-pointer layout, so the
 * same registers on every ABI): with identical return types gcc and clang
 * turn fctx_fiber_resume into a checked tail call (test, branch, jmp) instead
 * of call + return; clang needs musttail for it.  See docs/performance.md.
 * Not where the hooks are compiled in: there every resume tells the tools. */
#if !FCTX_TOOLS_BUILTIN && defined(__GNUC__) && defined(__USER_LABEL_PREFIX__)
#  define FCTX_FIBER_JUMP_ALIAS 1
#  define FCTX_STR2_(x) #x
#  define FCTX_STR_(x) FCTX_STR2_(x)
fctx_fiber_transfer_t fctx_fiber_jump_alias_(fctx_fiber_t to, void *data)
    __asm__(FCTX_STR_(__USER_LABEL_PREFIX__) "fctx_jump");
/* FCTX_RESULT_IN_MEMORY: fctx_transfer_t comes back through a hidden result
 * pointer, where clang 14 cannot musttail.  Only the target table knows it
 * (RESULT_IN_MEMORY in cmake/FctxTargets.cmake; CMakeLists.txt passes it). */
#  ifndef FCTX_RESULT_IN_MEMORY
#    error "FCTX_RESULT_IN_MEMORY is not defined: build fctx with its CMakeLists.txt"
#  endif
#  if defined(__clang__) && defined(__has_attribute) && !FCTX_RESULT_IN_MEMORY
#    if __has_attribute(musttail)
#      define FCTX_MUSTTAIL __attribute__((musttail))
#    endif
#  endif
#endif
#ifndef FCTX_MUSTTAIL
#  define FCTX_MUSTTAIL
#endif

/* Releases a finished fiber's stack, from another stack. */
static void release_record(void *arg)
{
    struct fiber_record *rec = (struct fiber_record *)arg;
    fctx_stack_t stack = rec->stack; /* copy out before the memory goes */
    fctx_allocator_t alloc = rec->alloc;
    if (FCTX_UNLIKELY(rec->diag))
        fctx_internal_overflow_remove(&stack);
    fctx_hooks_finished(REC_HCTX(rec), &stack, &alloc);
    fctx_tools_stack_deregister(rec->vg_stack);
    alloc.deallocate(alloc.state, &stack);
}

/* Runs on the next fiber's stack: the finished one is no longer in use.
 * The sender finished, so no slot gets its state (context NULL). */
static fctx_transfer_t fiber_release(fctx_transfer_t t)
{
    fctx_transfer_t from_finished = {NULL, t.data};
    release_record(fctx_arrived(from_finished).data);
    fctx_fiber_transfer_t none = {NULL, NULL};
    return fctx_on_top_result(none);
}

/* The first frame of every fiber; `top` is the stack_top create() gave
 * fctx_make(): the record. */
static void fiber_main(fctx_transfer_t t, void *top)
{
    struct fiber_record *rec = (struct fiber_record *)top;
    fctx_fiber_t next = fctx_run_entry(rec->fn, fctx_arrived(t));
    if (FCTX_UNLIKELY(!fctx_handle_plain(next)))
        fctx_fiber_switch(next, NULL, NULL, release_record, rec); /* a shared fiber */
    /* The last message lives next to the record, not in this frame: telling
     * ASan that this fiber finishes frees its fake stack, where a local
     * may live (detect_stack_use_after_return). */
    /* No sender state in the message: this fiber is finished, nobody will
     * resume it, so nothing goes into a slot (fiber_release). */
    fctx_msg_ref last;
    FCTX_HOOKS_SEND(last, REC_LAST_MSG(rec), rec, (fctx_t)next, REC_HCTX(rec), 1);
    fctx_ontop((fctx_t)next, last, fiber_release);
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

    fctx_tools_decide(); /* before the first fiber exists: see hooks.h */
    fctx_stack_t stack;
    int err = alloc->allocate(alloc->state, attr->stack_size, &stack);
    if (err)
        return err;

    uintptr_t top = (uintptr_t)stack.sp;
    uintptr_t bottom = top - stack.size;
    size_t span = fctx_tools_on() ? REC_SPAN + sizeof(struct fiber_tools)
                                  : sizeof(struct fiber_record);
    uintptr_t rec_at = (top - span) & ~(uintptr_t)63;
    if (stack.sp == NULL || stack.size > top || top - bottom < span || rec_at < bottom ||
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
    rec->vg_stack = fctx_tools_stack_register(&stack);
    if (FCTX_UNLIKELY(fctx_internal_overflow_on()))
        rec->diag = fctx_internal_overflow_add(&stack, attr->name, site) == 0;
    if (attr->stack_out != NULL)
        *attr->stack_out = stack;

    fctx_t ctx = fctx_make(rec, rec_at - bottom, fctx_entry_with_top(fiber_main));
#if defined(_WIN32)
    /* The TEB's DeallocationStack covers the guard pages too, so the OS
     * reports an overflow into them as STATUS_STACK_OVERFLOW. */
    fctx_internal_set_stack_allocation(ctx, stack.base);
#endif
    fctx_hooks_created(REC_HCTX(rec), &stack, alloc, ctx);
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

/* A resume as a switch with the tools told (written once, hooks.h); kept
 * out of line where fctx_fiber_resume tail-calls fctx_jump itself, so the
 * message on its stack costs the fast path nothing. */
#ifdef FCTX_FIBER_JUMP_ALIAS
__attribute__((noinline))
#endif
fctx_fiber_transfer_t fctx_fiber_plain_resume(fctx_fiber_t f, void *data)
{
    struct fctx_msg m;
    fctx_msg_ref ref;
    FCTX_HOOKS_SEND(ref, &m, data, (fctx_t)f, fctx_hooks_current(), 0);
    return fctx_arrived(fctx_jump((fctx_t)f, ref));
}

/* Every resume but the fast path's: NULL, tools, shared stacks. */
#ifdef FCTX_FIBER_JUMP_ALIAS
__attribute__((noinline))
#endif
static fctx_fiber_transfer_t resume_checked(fctx_fiber_t f, void *data)
{
    if (FCTX_UNLIKELY(f == NULL))
        return einval_transfer();
    if (fctx_switch_shared(f))
        return fctx_fiber_switch(f, NULL, data, NULL, NULL);
#ifdef FCTX_FIBER_JUMP_ALIAS
    if (FCTX_LIKELY(!fctx_tools_on())) /* between ordinary fibers, no tools */
        FCTX_MUSTTAIL return fctx_fiber_jump_alias_(f, data);
#endif
    return fctx_fiber_plain_resume(f, data);
}

fctx_fiber_transfer_t fctx_fiber_resume(fctx_fiber_t f, void *data)
{
#ifdef FCTX_FIBER_JUMP_ALIAS
    /* One signed test of the handle (NULL and shared handles fail it,
     * fiber_internal.h) and one byte (hooks.h); then the jump is the tail
     * call. */
    if (FCTX_LIKELY(fctx_handle_plain(f))) {
        if (FCTX_LIKELY(!fctx_tools.slow)) /* two ifs: clang merges a && with setcc */
            FCTX_MUSTTAIL return fctx_fiber_jump_alias_(f, data);
    }
#endif
    FCTX_MUSTTAIL return resume_checked(f, data);
}

fctx_fiber_transfer_t fctx_fiber_plain_resume_with(fctx_fiber_t f, fctx_fiber_ontop_fn fn,
                                                   void *data)
{
    struct ontop_call call;
    call.fn = fn;
    return ontop_to((fctx_t)f, &call, data);
}

fctx_fiber_transfer_t fctx_fiber_resume_with(fctx_fiber_t f, fctx_fiber_ontop_fn fn, void *data)
{
    if (FCTX_UNLIKELY(f == NULL || fn == NULL))
        return einval_transfer();
    if (fctx_switch_shared(f))
        return fctx_fiber_switch(f, fn, data, NULL, NULL);
    return fctx_fiber_plain_resume_with(f, fn, data);
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
