/* hooks.c - see hooks.h.  Compiled to nothing unless a tool is enabled. */
#include "hooks.h"

#if FCTX_HOOKS

#include <string.h>

#if FCTX_ASAN
#  include <sanitizer/asan_interface.h>
#  include <sanitizer/common_interface_defs.h>
#endif
#if FCTX_TSAN
#  include <sanitizer/tsan_interface.h>
#endif
#if FCTX_VALGRIND
#  include <valgrind/memcheck.h>
#  include <valgrind/valgrind.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define FCTX_NOINLINE __attribute__((noinline))
/* The slot lies in another stack's dead area, which ASan may have poisoned. */
#  define FCTX_NO_ASAN __attribute__((no_sanitize_address))
#else
#  define FCTX_NOINLINE
#  define FCTX_NO_ASAN
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
#if FCTX_TSAN
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

FCTX_NOINLINE struct fctx_msg *fctx_hooks_result_msg(void)
{
    return &result_msg;
}

void fctx_hooks_init(struct fctx_hctx *h, const fctx_stack_t *stack)
{
    memset(h, 0, sizeof *h);
    h->stack_bottom = (const char *)stack->sp - stack->size;
    h->stack_size = stack->size;
#if FCTX_TSAN
    h->tsan_fiber = __tsan_create_fiber(0);
#endif
#if FCTX_VALGRIND
    h->valgrind_id = VALGRIND_STACK_REGISTER((char *)stack->sp - stack->size, stack->sp);
#endif
}

void fctx_hooks_destroy(struct fctx_hctx *h, const fctx_stack_t *stack)
{
#if FCTX_TSAN
    __tsan_destroy_fiber(h->tsan_fiber);
#endif
#if FCTX_VALGRIND
    VALGRIND_STACK_DEREGISTER(h->valgrind_id);
#endif
#if FCTX_ASAN
    /* Frames that never returned (the fiber's first frame, a canceled
     * fiber's) leave poisoned redzones: clean them so a reused stack (pooled
     * allocators) starts clean. */
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
#if FCTX_ASAN
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
#if FCTX_ASAN
    const void *bottom = NULL;
    size_t size = 0;
    __sanitizer_finish_switch_fiber(me->asan_fake_stack, &bottom, &size);
    if (from != NULL && from->stack_size == 0) {
        /* A thread's own stack: ASan knows its bounds, now we do too. */
        from->stack_bottom = bottom;
        from->stack_size = size;
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

#else
typedef int fctx_hooks_unused; /* ISO C: no empty translation unit */
#endif /* FCTX_HOOKS */
