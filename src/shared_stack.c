/*
 * shared_stack.c - fibers that take turns on one run stack (fctx/shared_stack.h).
 *
 * A shared stack has a run stack, the fibers' records (heap), and a
 * switcher: a small context of its own on a separate stack.  Its occupant is
 * the fiber whose bytes are on the run stack.  A fiber's live part is
 * [its saved sp - SLOT, run top): SLOT is the save block of ports that keep
 * it below the context pointer (SAVED_BELOW), plus the tool-state word below
 * a saved frame (hooks.h) while the hooks are on.  The run stack's top 16
 * bytes hold the occupant's record pointer, where its first frame
 * (shared_main) reads it: the fiber's own bytes, copied with it.
 *
 * Every switch goes through fctx_fiber_switch() once a shared stack exists
 * (fctx_tools.shared).  The running shared fiber, if any, is a thread-local
 * pointer (fctx_running_shared): it is set on the thread that is about to run
 * the fiber, read before every switch, never cached across one.  Resuming a
 * shared fiber T of shared stack S:
 *   - T is S's occupant: jump straight to its saved sp;
 *   - the resumer runs on another stack: copy the occupant out and T in
 *     right here, then jump;
 *   - the resumer is a fiber of S: it cannot overwrite the stack it runs on,
 *     so it switches to S's switcher, which records its sp, copies it out
 *     and T in, and switches on to T.
 * A shared sender's handle is fixed up on top of the target (sw_fix): its
 * saved sp goes into its record and the target receives the tagged handle
 * (fiber_internal.h), never a raw stack pointer into the run stack.
 */
#include <fctx/shared_stack.h>
#include <fctx/stack_ext.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fiber_internal.h"
#include "stacks_internal.h"

struct shared_fiber {
    struct fctx_shared_stack *ss;
    void *sp;           /* saved stack pointer; NULL: not started */
    unsigned char *buf; /* save buffer */
    size_t len;         /* bytes held while swapped out, else 0 */
    size_t cap;         /* size of buf */
    fctx_fiber_fn fn;
    void *pending;      /* the data of its lean switch away (leave_lean) */
};
/* While the hooks are on, the fiber's tool state follows its record. */
#define SF_SPAN fctx_round_up(sizeof(struct shared_fiber), 16)
#define SF_HCTX(r) ((struct fctx_hctx *)((char *)(r) + SF_SPAN))

struct fctx_shared_stack {
    fctx_stack_t run;         /* the run stack */
    fctx_stack_t sw;          /* the switcher's stack */
    fctx_allocator_t alloc;   /* both come from it */
    fctx_buffer_allocator_t buffers;
    char *top;                /* run.sp - 16: the occupant's record pointer */
    struct shared_fiber *occupant;
    fctx_t switcher;          /* the switcher, suspended */
    size_t fibers;
    size_t saved_bytes, buffer_bytes;
    unsigned long long copies, copied_bytes;
    unsigned vg_run, vg_sw;   /* valgrind stack ids */
    struct fctx_hctx sw_hctx; /* the switcher's tool state (hooks on) */
};

/* One switch's instructions, read on top of the target (sw_fix). */
struct sw_req {
    fctx_msg_ref ref;        /* what travels: the data, or its message */
    struct fctx_msg msg;
    void *data;
    fctx_fiber_ontop_fn fn;  /* run on top of the target, or NULL */
    struct shared_fiber *from; /* suspending shared sender: handle fixed up */
    struct shared_fiber *to;   /* shared target (runs next on this thread), or NULL */
    void (*release)(void *); /* finishing sender: released on the target */
    void *release_arg;
    struct fctx_shared_stack *via; /* came through this switcher */
};

static char switcher_enomem; /* the switcher's answer when a buffer failed */

/* ---- the running shared fiber (thread-local, never cached) ------------- */

FCTX_TLS_IE _Thread_local struct shared_fiber *fctx_running_shared;

static FCTX_NOINLINE struct shared_fiber *get_running(void)
{
    return fctx_running_shared;
}

static FCTX_NOINLINE void set_running(struct shared_fiber *r)
{
    fctx_running_shared = r;
}

/* ---- buffers ------------------------------------------------------------ */

static void *default_resize(void *state, void *p, size_t old_size, size_t new_size)
{
    (void)state;
    (void)old_size;
    if (new_size == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, new_size);
}

/* Bytes of a suspended fiber's state below its saved sp: the save block of
 * ports that keep it there (the table's SAVED_BELOW: ppc64, whose context
 * is its caller's sp), or the tool slot below the saved frame (hooks.h). */
#ifndef FCTX_SAVED_BELOW
#  error "FCTX_SAVED_BELOW is not defined: build fctx with its CMakeLists.txt"
#endif
static size_t slot_bytes(void)
{
    size_t below = fctx_round_up(FCTX_SAVED_BELOW, 16);
    return fctx_tools_on() ? below + 16u : below;
}

/* Make r's buffer hold `need` bytes: grow by half at least (amortised). */
static int buffer_reserve(struct shared_fiber *r, size_t need)
{
    if (need <= r->cap)
        return 0;
    size_t cap = r->cap + r->cap / 2;
    if (cap < need)
        cap = need;
    cap = fctx_round_up(cap, 16);
    struct fctx_shared_stack *ss = r->ss;
    void *p = ss->buffers.resize(ss->buffers.state, r->buf, r->cap, cap);
    if (p == NULL)
        return ENOMEM;
    ss->buffer_bytes += cap - r->cap;
    r->buf = (unsigned char *)p;
    r->cap = cap;
    return 0;
}

/* The copies read and write frames with poisoned redzones (ASan): clear the
 * run stack's shadow first (hooks on only). */
static void unpoison_run(struct fctx_shared_stack *ss)
{
#if FCTX_TOOLS_WEAK
    if (fctx_tools_on() && __asan_unpoison_memory_region != NULL)
        __asan_unpoison_memory_region((char *)ss->run.sp - ss->run.size, ss->run.size);
#else
    (void)ss;
#endif
}

/* Copy the occupant (suspended, sp recorded) out.  0 or ENOMEM (nothing
 * changed then). */
static int evict(struct fctx_shared_stack *ss)
{
    struct shared_fiber *o = ss->occupant;
    if (o == NULL)
        return 0;
    char *from = (char *)o->sp - slot_bytes();
    size_t n = (size_t)((char *)ss->run.sp - from);
    if (buffer_reserve(o, n) != 0)
        return ENOMEM;
    unpoison_run(ss);
    memcpy(o->buf, from, n);
    o->len = n;
    ss->saved_bytes += n;
    ss->copies++;
    ss->copied_bytes += n;
    ss->occupant = NULL;
    return 0;
}

static void shared_main(fctx_transfer_t t, void *top);

/* Put t's bytes on the free run stack (or make its first frame there). */
static void bring_in(struct fctx_shared_stack *ss, struct shared_fiber *t)
{
    fctx_tools_mem_reuse((char *)ss->run.sp - ss->run.size, ss->run.size);
    if (t->sp == NULL) {
        *(struct shared_fiber **)ss->top = t;
        t->sp = fctx_make(ss->top, (size_t)(ss->top - ((char *)ss->run.sp - ss->run.size)),
                          fctx_entry_with_top(shared_main));
#if defined(_WIN32)
        fctx_internal_set_stack_allocation(t->sp, ss->run.base);
#endif
        if (fctx_tools_on())
            fctx_hooks_slot_put(t->sp, SF_HCTX(t));
    } else if (t->len != 0) {
        unpoison_run(ss);
        memcpy((char *)ss->run.sp - t->len, t->buf, t->len);
        ss->saved_bytes -= t->len;
        ss->copies++;
        ss->copied_bytes += t->len;
        t->len = 0;
    }
    ss->occupant = t;
}

/* ---- the switch ----------------------------------------------------------- */

/* On top of the target: record and hide a shared sender's sp, release a
 * finished sender, set who runs here now, run the caller's function. */
static fctx_transfer_t sw_fix(fctx_transfer_t t)
{
    const struct sw_req *rq = (const struct sw_req *)t.data;
    struct shared_fiber *from = rq->from;
    void (*release)(void *) = rq->release;
    void *release_arg = rq->release_arg;
    fctx_fiber_ontop_fn fn = rq->fn;
    set_running(rq->to);
    if (rq->via != NULL)
        rq->via->switcher = t.ctx; /* the switcher sent it and waits again */
    else if (from != NULL)
        from->sp = t.ctx;
    /* The sender's context, for its tool state: none if it finished (the
     * switcher, which relays a finished fiber's switch, does not). */
    fctx_transfer_t inner = {release && !rq->via ? NULL : t.ctx, rq->ref};
    fctx_fiber_transfer_t r = fctx_arrived(inner); /* last use of *rq */
    if (release != NULL) {
        release(release_arg);
        r.fiber = NULL;
        r.data = NULL;
    } else {
        /* Via the switcher the sender is always a shared fiber. */
        r.fiber = from != NULL ? fctx_handle_of(from) : r.fiber;
    }
    if (fn != NULL)
        r = fn(r);
    return fctx_on_top_result(r);
}

/* The switcher: a loop on its own stack.  It gets a request from a fiber of
 * its shared stack (suspended right now on the run stack), swaps and goes on
 * to the target. */
static FCTX_NO_ASAN void switcher_main(fctx_transfer_t t, void *top)
{
    struct fctx_shared_stack *ss = *(struct fctx_shared_stack **)top;
    for (;;) {
        struct sw_req rq = *(struct sw_req *)fctx_arrived(t).data;
        if (rq.from != NULL) {
            rq.from->sp = t.ctx;
            if (evict(ss) != 0) {
                /* Back to the sender, nothing changed. */
                fctx_msg_ref ref;
                struct fctx_msg m;
                FCTX_HOOKS_SEND(ref, &m, &switcher_enomem, t.ctx, fctx_hooks_current(), 0);
                t = fctx_jump(t.ctx, ref);
                continue;
            }
        }
        bring_in(ss, rq.to);
        rq.via = ss;
        FCTX_HOOKS_SEND(rq.ref, &rq.msg, rq.data, rq.to->sp, fctx_hooks_current(), 0);
        t = fctx_ontop(rq.to->sp, &rq, sw_fix);
    }
}

static fctx_fiber_transfer_t fail(void *why)
{
    fctx_fiber_transfer_t r = {NULL, why};
    return r;
}

FCTX_NORETURN static void no_buffer(void)
{
    fputs("fctx: shared stack: no memory for a save buffer\n", stderr);
    abort();
}

/* On top of an ordinary target: the shared fiber that left (leave_lean). */
static fctx_transfer_t leave_fix(fctx_transfer_t t)
{
    struct shared_fiber *r = (struct shared_fiber *)t.data;
    r->sp = t.ctx;
    set_running(NULL);
    fctx_transfer_t out = {(fctx_t)fctx_handle_of(r), r->pending};
    return out;
}

/* A shared fiber switches to an ordinary one (a scheduler, main), tools
 * off, nothing on top: the most common way to park.  Its own small frame,
 * not switch_general's, is what stays live on the run stack. */
static FCTX_NOINLINE fctx_fiber_transfer_t leave_lean(struct shared_fiber *me, fctx_fiber_t to,
                                                      void *data)
{
    me->pending = data;
    fctx_transfer_t t = fctx_ontop((fctx_t)to, me, leave_fix);
    fctx_fiber_transfer_t r = {(fctx_fiber_t)t.ctx, t.data};
    return r;
}

/* An ordinary fiber (or main) resumes a shared one, tools off, nothing on
 * top: swap on our own stack if needed, then one jump. */
static FCTX_NOINLINE fctx_fiber_transfer_t enter_lean(struct shared_fiber *target, void *data)
{
    struct fctx_shared_stack *ss = target->ss;
    if (ss->occupant != target) {
        if (evict(ss) != 0)
            return fail(FCTX_FIBER_ENOMEM);
        bring_in(ss, target);
    }
    set_running(target);
    fctx_transfer_t t = fctx_jump(target->sp, data);
    fctx_fiber_transfer_t r = {(fctx_fiber_t)t.ctx, t.data};
    return r;
}

static fctx_fiber_transfer_t switch_general(struct shared_fiber *me, fctx_fiber_t to,
                                            fctx_fiber_ontop_fn fn, void *data,
                                            void (*release)(void *), void *release_arg);

fctx_fiber_transfer_t fctx_fiber_switch(fctx_fiber_t to, fctx_fiber_ontop_fn fn, void *data,
                                        void (*release)(void *), void *release_arg)
{
    struct shared_fiber *me = get_running();
    if (fn == NULL && release == NULL && !fctx_tools_on()) {
        if (me != NULL && fctx_handle_plain(to))
            return leave_lean(me, to, data);
        struct shared_fiber *target = fctx_handle_shared(to);
        if (me == NULL && target != NULL)
            return enter_lean(target, data);
    }
    return switch_general(me, to, fn, data, release, release_arg);
}

/* Its request lives in this frame: never in ASan's fake stack, which a
 * finishing switch frees. */
static FCTX_NOINLINE FCTX_NO_ASAN fctx_fiber_transfer_t
switch_general(struct shared_fiber *me, fctx_fiber_t to, fctx_fiber_ontop_fn fn, void *data,
               void (*release)(void *), void *release_arg)
{
    struct shared_fiber *target = fctx_handle_shared(to);
    struct sw_req rq; /* every field but msg, which FCTX_HOOKS_SEND fills */
    rq.ref = data;
    rq.data = data;
    rq.via = NULL;
    rq.fn = fn;
    rq.from = release ? NULL : me;
    rq.to = target;
    rq.release = release;
    rq.release_arg = release_arg;
    int finishing = release != NULL;
    fctx_t to_ctx;
    if (target == NULL) {
        if (me == NULL && release == NULL)
            return fn ? fctx_fiber_plain_resume_with(to, fn, data)
                      : fctx_fiber_plain_resume(to, data);
        to_ctx = (fctx_t)to;
    } else {
        struct fctx_shared_stack *ss = target->ss;
        if (ss->occupant != target) {
            if (me != NULL && me->ss == ss) {
                /* We run on ss: through its switcher. */
                fctx_msg_ref ref;
                FCTX_HOOKS_SEND(ref, &rq.msg, &rq, ss->switcher, fctx_hooks_current(), finishing);
                fctx_transfer_t t = fctx_jump(ss->switcher, ref);
                fctx_fiber_transfer_t r = fctx_arrived(t);
                if (r.data == &switcher_enomem) {
                    ss->switcher = t.ctx;
                    if (finishing)
                        no_buffer();
                    return fail(FCTX_FIBER_ENOMEM);
                }
                return r;
            }
            if (evict(ss) != 0) {
                if (finishing)
                    no_buffer();
                return fail(FCTX_FIBER_ENOMEM);
            }
            bring_in(ss, target);
        }
        to_ctx = target->sp;
    }
    FCTX_HOOKS_SEND(rq.ref, &rq.msg, data, to_ctx, fctx_hooks_current(), finishing);
    return fctx_arrived(fctx_ontop(to_ctx, &rq, sw_fix));
}

/* ---- fibers ----------------------------------------------------------------- */

static size_t record_bytes(void)
{
    return fctx_tools_on() ? SF_SPAN + sizeof(struct fctx_hctx) : sizeof(struct shared_fiber);
}

/* A finished fiber's record and buffer, released on the next fiber's stack. */
static void shared_release(void *arg)
{
    struct shared_fiber *r = (struct shared_fiber *)arg;
    struct fctx_shared_stack *ss = r->ss;
    if (fctx_tools_on())
        fctx_hooks_finished(SF_HCTX(r), &ss->run, &ss->alloc);
    if (r->buf != NULL)
        ss->buffers.resize(ss->buffers.state, r->buf, r->cap, 0);
    ss->buffer_bytes -= r->cap;
    ss->buffers.resize(ss->buffers.state, r, record_bytes(), 0);
    ss->fibers--;
}

/* The first frame of every shared fiber; `top` holds its record. */
static void shared_main(fctx_transfer_t t, void *top)
{
    struct shared_fiber *r = *(struct shared_fiber **)top;
    fctx_fiber_t next = fctx_run_entry(r->fn, fctx_arrived(t));
    r->ss->occupant = NULL; /* these bytes are dead now */
    fctx_fiber_switch(next, NULL, NULL, shared_release, r);
    fctx_internal_entry_returned(); /* not reached: we were released */
}

int fctx_fiber_create_shared(fctx_fiber_t *out, fctx_shared_stack_t *ss, fctx_fiber_fn fn)
{
    if (out == NULL)
        return EINVAL;
    *out = NULL;
    if (ss == NULL || fn == NULL)
        return EINVAL;
    struct shared_fiber *r =
        (struct shared_fiber *)ss->buffers.resize(ss->buffers.state, NULL, 0, record_bytes());
    if (r == NULL)
        return ENOMEM;
    if (!fctx_handle_plain((fctx_fiber_t)r) ||
        fctx_handle_shared(fctx_handle_of(r)) != r) {
        ss->buffers.resize(ss->buffers.state, r, record_bytes(), 0);
        return ENOTSUP; /* the handle encoding cannot carry this address */
    }
    memset(r, 0, sizeof *r);
    r->ss = ss;
    r->fn = fn;
    if (fctx_tools_on())
        fctx_hooks_init(SF_HCTX(r), &ss->run);
    ss->fibers++;
    *out = fctx_handle_of(r);
    return 0;
}

static struct shared_fiber *suspended_shared(fctx_fiber_t f)
{
    return f == NULL ? NULL : fctx_handle_shared(f);
}

int fctx_fiber_trim(fctx_fiber_t f)
{
    struct shared_fiber *r = suspended_shared(f);
    if (r == NULL)
        return EINVAL;
    if (r->cap == r->len)
        return 0;
    struct fctx_shared_stack *ss = r->ss;
    void *p = ss->buffers.resize(ss->buffers.state, r->buf, r->cap, r->len);
    if (p == NULL && r->len != 0)
        return ENOMEM;
    ss->buffer_bytes -= r->cap - r->len;
    r->buf = (unsigned char *)p;
    r->cap = r->len;
    return 0;
}

int fctx_fiber_reserve(fctx_fiber_t f, size_t bytes)
{
    struct shared_fiber *r = suspended_shared(f);
    if (r == NULL)
        return EINVAL;
    return buffer_reserve(r, bytes);
}

/* ---- shared stacks ------------------------------------------------------------- */

int fctx_shared_stack_create(fctx_shared_stack_t **out, const fctx_shared_stack_attr_t *attr)
{
    static const fctx_shared_stack_attr_t defaults = FCTX_SHARED_STACK_ATTR_INIT;
    if (out == NULL)
        return EINVAL;
    *out = NULL;
    if (attr == NULL)
        attr = &defaults;
    const fctx_allocator_t *alloc = attr->allocator ? attr->allocator : fctx_guarded_allocator();
    if (alloc->allocate == NULL || alloc->deallocate == NULL)
        return EINVAL;
    fctx_buffer_allocator_t buffers = {default_resize, NULL};
    if (attr->buffers != NULL) {
        if (attr->buffers->resize == NULL)
            return EINVAL;
        buffers = *attr->buffers;
    }
#if FCTX_SPLIT_STACK || defined(__EMSCRIPTEN__)
    /* Split stacks: segments would have to be copied too.  WebAssembly: a
     * context's live state is not the bytes above its saved pointer (the
     * Asyncify buffer lies at the bottom of its region, docs/abi-wasm.md). */
    return ENOTSUP;
#endif
    fctx_tools_decide(); /* before the first context exists: see hooks.h */
    struct fctx_shared_stack *ss =
        (struct fctx_shared_stack *)buffers.resize(buffers.state, NULL, 0, sizeof *ss);
    if (ss == NULL)
        return ENOMEM;
    memset(ss, 0, sizeof *ss);
    ss->alloc = *alloc;
    ss->buffers = buffers;
    int err = alloc->allocate(alloc->state, attr->stack_size, &ss->run);
    if (err == 0) {
        err = alloc->allocate(alloc->state, fctx_stack_traits()->min_size, &ss->sw);
        if (err != 0)
            alloc->deallocate(alloc->state, &ss->run);
    }
    if (err != 0) {
        buffers.resize(buffers.state, ss, sizeof *ss, 0);
        return err;
    }
    ss->top = (char *)ss->run.sp - 16;
    ss->vg_run = fctx_tools_stack_register(&ss->run);
    ss->vg_sw = fctx_tools_stack_register(&ss->sw);
    char *sw_top = (char *)ss->sw.sp - 16;
    *(struct fctx_shared_stack **)sw_top = ss;
    ss->switcher = fctx_make(sw_top, ss->sw.size - 16, fctx_entry_with_top(switcher_main));
#if defined(_WIN32)
    fctx_internal_set_stack_allocation(ss->switcher, ss->sw.base);
#endif
    fctx_hooks_created(&ss->sw_hctx, &ss->sw, alloc, ss->switcher);
    if (!fctx_tools.shared) {
        fctx_tools.shared = 1;
        fctx_tools_set_slow(); /* every resume checks from now on */
    }
    *out = ss;
    return 0;
}

int fctx_shared_stack_destroy(fctx_shared_stack_t *ss)
{
    if (ss == NULL)
        return EINVAL;
    if (ss->fibers != 0)
        return EBUSY;
    /* The switcher never finishes: its stack is released suspended. */
    fctx_hooks_finished(&ss->sw_hctx, &ss->sw, &ss->alloc);
    fctx_tools_stack_deregister(ss->vg_sw);
    fctx_tools_stack_deregister(ss->vg_run);
    fctx_allocator_t alloc = ss->alloc;
    fctx_buffer_allocator_t buffers = ss->buffers;
    alloc.deallocate(alloc.state, &ss->sw);
    alloc.deallocate(alloc.state, &ss->run);
    buffers.resize(buffers.state, ss, sizeof *ss, 0);
    return 0;
}

int fctx_shared_stack_stats(const fctx_shared_stack_t *ss, fctx_shared_stack_stats_t *out)
{
    if (ss == NULL || out == NULL)
        return EINVAL;
    out->fibers = ss->fibers;
    out->stack_size = (size_t)(ss->top - ((char *)ss->run.sp - ss->run.size));
    out->saved_bytes = ss->saved_bytes;
    out->buffer_bytes = ss->buffer_bytes;
    out->copies = ss->copies;
    out->copied_bytes = ss->copied_bytes;
    return 0;
}
