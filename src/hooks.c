/* hooks.c - see hooks.h. */
#include "hooks.h"

#include <string.h>

#if FCTX_TOOLS_WEAK
#  include <pthread.h>
#endif
#if FCTX_VALGRIND
#  include <valgrind/memcheck.h>
#endif

struct fctx_tools_state fctx_tools = {FCTX_TOOLS_BUILTIN, FCTX_TOOLS_BUILTIN, 0, 0};

#if FCTX_TOOLS_WEAK
atomic_uchar fctx_tools_decided;
static pthread_once_t decide_once = PTHREAD_ONCE_INIT;

static void decide(void)
{
    /* A sanitizer runtime in the process (the program was linked with
     * -fsanitize=address or thread): its entry points resolved. */
    fctx_tools.hooks = FCTX_TOOLS_BUILTIN || __sanitizer_start_switch_fiber != NULL ||
                       __tsan_switch_to_fiber != NULL;
    if (fctx_tools.hooks)
        fctx_tools_set_slow();
#  if FCTX_VALGRIND
    fctx_tools.valgrind = RUNNING_ON_VALGRIND != 0;
#  endif
    atomic_store_explicit(&fctx_tools_decided, 1, memory_order_release);
}

void fctx_tools_decide_slow(void)
{
    /* Written once: every reader comes after this (a fiber handle or the
     * flag above orders them), so the plain flags are never raced on. */
    (void)pthread_once(&decide_once, decide);
}
#endif

/* A thread's own stack and the running context.  Accessed only through the
 * non-inlined functions below, so no TLS address survives a switch. */
static _Thread_local struct fctx_hctx thread_root;
static _Thread_local struct fctx_hctx *current;
static _Thread_local struct fctx_msg result_msg;

FCTX_NOINLINE struct fctx_hctx *fctx_hooks_current(void)
{
    if (FCTX_UNLIKELY(current == NULL)) {
        memset(&thread_root, 0, sizeof thread_root); /* bounds learned later */
#if FCTX_TOOLS_WEAK
        if (__tsan_get_current_fiber != NULL)
            thread_root.tsan_fiber = __tsan_get_current_fiber();
#endif
        current = &thread_root;
    }
    return current;
}

FCTX_NOINLINE void fctx_hooks_set_current(struct fctx_hctx *h)
{
    current = h;
}

void fctx_tools_set_slow(void)
{
    /* Set once, before any fiber that needs it exists; the hot path reads it
     * as a plain byte (one cmpb): a store of the same byte twice is harmless. */
    __atomic_store_n(&fctx_tools.slow, 1, __ATOMIC_RELAXED);
}

FCTX_NOINLINE struct fctx_msg *fctx_hooks_result_msg(void)
{
    return &result_msg;
}

void fctx_hooks_init(struct fctx_hctx *h, const fctx_stack_t *stack)
{
    memset(h, 0, sizeof *h);
    h->stack_bottom = (const char *)stack->sp - stack->size;
    h->stack_size = stack->size;
#if FCTX_TOOLS_WEAK
    if (__tsan_create_fiber != NULL)
        h->tsan_fiber = __tsan_create_fiber(0);
#endif
}

void fctx_hooks_destroy(struct fctx_hctx *h, const fctx_stack_t *stack)
{
#if FCTX_TOOLS_WEAK
    if (__tsan_destroy_fiber != NULL && h->tsan_fiber != NULL)
        __tsan_destroy_fiber(h->tsan_fiber);
    /* Frames that never returned (the fiber's first frame, a canceled
     * fiber's) leave poisoned redzones: clean them so a reused stack (pooled
     * allocators) starts clean. */
    if (__asan_unpoison_memory_region != NULL)
        __asan_unpoison_memory_region((const char *)stack->sp - stack->size, stack->size);
#endif
    (void)h;
    (void)stack;
}

#if FCTX_SPLIT_STACK
void __splitstack_getcontext(void *context[10]);
void __splitstack_setcontext(void *context[10]);
/* No split-stack prologue: after setcontext the limit is `to`'s, so this
 * function must not be running on a segment that __morestack would give
 * back (to the wrong context) when it returns.  Its few words fit in the
 * slack every split-stack caller leaves below its own frame. */
__attribute__((no_split_stack))
#endif
void fctx_hooks_before(struct fctx_hctx *from, struct fctx_hctx *to, int from_finishing)
{
#if FCTX_TOOLS_WEAK
    if (__sanitizer_start_switch_fiber != NULL)
        __sanitizer_start_switch_fiber(from_finishing ? NULL : &from->asan_fake_stack,
                                       to->stack_bottom, to->stack_size);
#endif
#if FCTX_SPLIT_STACK
    /* Save the sender's segments and limit (a finishing fiber's too: its
     * segments are released from them), install the receiver's. */
    __splitstack_getcontext(from->split_stack);
    __splitstack_setcontext(to->split_stack);
#endif
    (void)from;
    (void)to;
    (void)from_finishing;
}

void fctx_hooks_after(struct fctx_hctx *me, struct fctx_hctx *from)
{
#if FCTX_TOOLS_WEAK
    if (__sanitizer_finish_switch_fiber != NULL) {
        const void *bottom = NULL;
        size_t size = 0;
        __sanitizer_finish_switch_fiber(me->asan_fake_stack, &bottom, &size);
        if (from != NULL && from->stack_size == 0) {
            /* A thread's own stack: ASan knows its bounds, now we do too. */
            from->stack_bottom = bottom;
            from->stack_size = size;
        }
    }
#endif
    (void)me;
    (void)from;
}

FCTX_NO_ASAN struct fctx_hctx *fctx_hooks_slot_get(void *ctx)
{
    return ((struct fctx_hctx **)ctx)[-1];
}

FCTX_NO_ASAN void fctx_hooks_slot_put(void *ctx, struct fctx_hctx *h)
{
#if FCTX_VALGRIND
    /* Memory below a suspended stack's pointer is "dead" to memcheck. */
    VALGRIND_MAKE_MEM_UNDEFINED((struct fctx_hctx **)ctx - 1, sizeof h);
#endif
    ((struct fctx_hctx **)ctx)[-1] = h;
}

/* It installs `to`'s split-stack context (fctx_hooks_before): no split-stack
 * prologue either, for the same reason. */
#if FCTX_SPLIT_STACK
__attribute__((no_split_stack))
#endif
struct fctx_msg *fctx_hooks_send(struct fctx_msg *m, void *data, void *to_ctx,
                                 struct fctx_hctx *from, int finishing)
{
    struct fctx_hctx *to = fctx_hooks_slot_get(to_ctx);
    m->data = data;
    m->from = finishing ? NULL : from; /* nobody resumes a finished fiber */
    m->to = to;
    m->done = 0;
    fctx_hooks_before(from, to, finishing);
    return m;
}

void *fctx_hooks_receive(struct fctx_msg *m, void *ctx)
{
    if (!m->done) {
        fctx_hooks_set_current(m->to);
        fctx_hooks_after(m->to, m->from);
        if (m->from != NULL && ctx != NULL)
            fctx_hooks_slot_put(ctx, m->from);
    }
    return m->data;
}

struct fctx_msg *fctx_hooks_result_on(void *data)
{
    struct fctx_msg *m = fctx_hooks_result_msg();
    m->data = data;
    m->from = NULL;
    m->to = fctx_hooks_current();
    m->done = 1;
    return m;
}

void fctx_hooks_created_on(struct fctx_hctx *h, const fctx_stack_t *stack,
                           const fctx_allocator_t *alloc, void *ctx)
{
    fctx_hooks_init(h, stack);
#if FCTX_SPLIT_STACK
    fctx_hooks_split_init(h, stack, alloc);
#else
    (void)alloc;
#endif
    fctx_hooks_slot_put(ctx, h);
}

void fctx_hooks_finished_on(struct fctx_hctx *h, const fctx_stack_t *stack,
                            const fctx_allocator_t *alloc)
{
    fctx_hooks_destroy(h, stack);
#if FCTX_SPLIT_STACK
    fctx_hooks_split_finish(h, stack, alloc);
#else
    (void)alloc;
#endif
}
