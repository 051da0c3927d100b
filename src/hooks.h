/*
 * hooks.h - telling tools about stack switches (internal).
 *
 * AddressSanitizer, ThreadSanitizer and valgrind must be told about every
 * switch between stacks (and split stacks need their context swapped).  They
 * need per-context state (stack bounds, a TSan fiber, a valgrind stack id),
 * but a fiber handle is just the suspended context's stack pointer.  So in a
 * build with hooks, every fiber-layer switch passes a message:
 *
 *   struct fctx_msg { data, from, to }      (on the sender's stack)
 *
 * and the receiving side parks the sender's state pointer in the word just
 * below the sender's saved frame (unused memory of a suspended stack), where
 * whoever resumes the sender later finds it.  The running context's state is
 * kept in a thread-local pointer that is re-read after every switch through
 * non-inlined accessors (never cached across a switch: fibers migrate).
 *
 * Without any tool (the default) FCTX_HOOKS is 0: every hook below is an
 * inline no-op and a message is the data pointer itself (fctx_msg_ref), so
 * the one fiber code path (src/fiber.c) compiles to the raw primitives.
 */
#ifndef FCTX_HOOKS_H
#define FCTX_HOOKS_H

#include <fctx/stack.h>
#include <stddef.h>

#include "internal.h"

#if defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define FCTX_ASAN 1
#  endif
#  if __has_feature(thread_sanitizer)
#    define FCTX_TSAN 1
#  endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(FCTX_ASAN)
#  define FCTX_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__) && !defined(FCTX_TSAN)
#  define FCTX_TSAN 1
#endif
#ifndef FCTX_ASAN
#  define FCTX_ASAN 0
#endif
#ifndef FCTX_TSAN
#  define FCTX_TSAN 0
#endif
#ifndef FCTX_VALGRIND
#  define FCTX_VALGRIND 0 /* CMake option FCTX_VALGRIND */
#endif
#ifndef FCTX_SPLIT_STACK
#  define FCTX_SPLIT_STACK 0 /* CMake option FCTX_SPLIT_STACK */
#endif

#define FCTX_HOOKS (FCTX_ASAN || FCTX_TSAN || FCTX_VALGRIND || FCTX_SPLIT_STACK)

#if FCTX_HOOKS

/* Per-context tool state: in a fiber's record, or thread-local for a
 * thread's original stack. */
struct fctx_hctx {
    const void *stack_bottom; /* lowest usable address (ASan) */
    size_t stack_size;        /* 0 while unknown (a thread's own stack) */
    void *asan_fake_stack;    /* ASan's fake-stack handle while suspended */
    void *tsan_fiber;         /* TSan fiber object */
    unsigned valgrind_id;     /* valgrind stack id, 0 if none */
#if FCTX_SPLIT_STACK
    void *split_stack[10]; /* libgcc split-stack context */
#endif
};

/* The message every hooked switch carries (see top of file). */
struct fctx_msg {
    void *data;
    struct fctx_hctx *from; /* NULL: the sender is finishing, or see done */
    struct fctx_hctx *to;
    int done; /* 1: tools already told (result of a function run on top) */
};

/* The running context's state (a thread's own stack: thread-local root). */
FCTX_HIDDEN struct fctx_hctx *fctx_hooks_current(void);
FCTX_HIDDEN void fctx_hooks_set_current(struct fctx_hctx *h);
/* A per-thread message for results of functions run on top (done = 1). */
FCTX_HIDDEN struct fctx_msg *fctx_hooks_result_msg(void);

/* A new fiber's state, for its stack. */
FCTX_HIDDEN void fctx_hooks_init(struct fctx_hctx *h, const fctx_stack_t *stack);
/* A finished fiber's state, called from another stack before it is freed. */
FCTX_HIDDEN void fctx_hooks_destroy(struct fctx_hctx *h, const fctx_stack_t *stack);
/* Right before switching from `from` to `to`; `from_finishing` if the
 * sender's stack is about to be released. */
FCTX_HIDDEN void fctx_hooks_before(struct fctx_hctx *from, struct fctx_hctx *to, int from_finishing);
/* TSan must switch fibers in the very frame that then jumps: a callee's
 * function-exit would otherwise be recorded on the new fiber's shadow
 * stack.  So this is a macro, used right before fctx_jump/fctx_ontop. */
#if FCTX_TSAN
#  include <sanitizer/tsan_interface.h>
#  define FCTX_TSAN_SWITCH(to) __tsan_switch_to_fiber((to)->tsan_fiber, 0)
#else
#  define FCTX_TSAN_SWITCH(to) ((void)0)
#endif

#if FCTX_SPLIT_STACK
/* Split stacks (src/stacks/splitstack.c): a new fiber's context (all zero unless
 * its stack came from fctx_split_allocator()), and a finished fiber's final
 * context handed back to its allocator so every segment gets released. */
FCTX_HIDDEN void fctx_hooks_split_init(struct fctx_hctx *h, const fctx_stack_t *stack,
                                       const fctx_allocator_t *alloc);
FCTX_HIDDEN void fctx_hooks_split_finish(struct fctx_hctx *h, const fctx_stack_t *stack,
                                         const fctx_allocator_t *alloc);
#endif

/* Right after arriving in `me`; `from` (may be NULL) learns its bounds. */
FCTX_HIDDEN void fctx_hooks_after(struct fctx_hctx *me, struct fctx_hctx *from);

/* The word just below a suspended context's saved frame. */
FCTX_HIDDEN struct fctx_hctx *fctx_hooks_slot_get(void *ctx);
FCTX_HIDDEN void fctx_hooks_slot_put(void *ctx, struct fctx_hctx *h);

/* What travels through a switch: the message's address. */
typedef struct fctx_msg *fctx_msg_ref;

static inline fctx_msg_ref fctx_msg_fill(struct fctx_msg *m, void *data, struct fctx_hctx *from,
                                         struct fctx_hctx *to)
{
    m->data = data;
    m->from = from;
    m->to = to;
    m->done = 0;
    return m;
}

static inline fctx_msg_ref fctx_msg_of(struct fctx_msg *m)
{
    return m;
}

static inline void *fctx_msg_data(fctx_msg_ref m)
{
    return m->data;
}

/* Arrived in a context through message m from the suspended context ctx
 * (NULL: the sender finished): tell the tools, park the sender's state in
 * ctx's slot.  A "done" message was announced already. */
static inline void fctx_hooks_arrived(fctx_msg_ref m, void *ctx)
{
    if (!m->done) {
        fctx_hooks_set_current(m->to);
        fctx_hooks_after(m->to, m->from);
        if (m->from != NULL && ctx != NULL)
            fctx_hooks_slot_put(ctx, m->from);
    }
}

/* The result of a function run on top travels in a per-thread message that
 * is already "done": the switch was announced when the function started. */
static inline fctx_msg_ref fctx_hooks_result(void *data)
{
    struct fctx_msg *m = fctx_hooks_result_msg();
    m->data = data;
    m->from = NULL;
    m->to = fctx_hooks_current();
    m->done = 1;
    return m;
}

/* A new fiber's state h for its stack, put in the slot of its context. */
static inline void fctx_hooks_created(struct fctx_hctx *h, const fctx_stack_t *stack,
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

/* A finished fiber's state, from another stack before the stack is freed. */
static inline void fctx_hooks_finished(struct fctx_hctx *h, const fctx_stack_t *stack,
                                       const fctx_allocator_t *alloc)
{
    fctx_hooks_destroy(h, stack);
#if FCTX_SPLIT_STACK
    fctx_hooks_split_finish(h, stack, alloc);
#else
    (void)alloc;
#endif
}

#else /* no tool: no state, no-op hooks, the message is the data */

struct fctx_hctx; /* never defined: only NULL pointers to it exist */

/* Storage a caller sets aside for a message: only the data is kept. */
struct fctx_msg {
    void *data;
};

typedef void *fctx_msg_ref;

#define FCTX_TSAN_SWITCH(to) ((void)0)

static inline struct fctx_hctx *fctx_hooks_current(void)
{
    return NULL;
}

static inline struct fctx_hctx *fctx_hooks_slot_get(void *ctx)
{
    (void)ctx;
    return NULL;
}

static inline void fctx_hooks_before(struct fctx_hctx *from, struct fctx_hctx *to,
                                     int from_finishing)
{
    (void)from;
    (void)to;
    (void)from_finishing;
}

static inline fctx_msg_ref fctx_msg_fill(struct fctx_msg *m, void *data, struct fctx_hctx *from,
                                         struct fctx_hctx *to)
{
    m->data = data; /* read back by fctx_msg_of (ontop); dead otherwise */
    (void)from;
    (void)to;
    return data;
}

static inline fctx_msg_ref fctx_msg_of(struct fctx_msg *m)
{
    return m->data;
}

static inline void *fctx_msg_data(fctx_msg_ref m)
{
    return m;
}

static inline void fctx_hooks_arrived(fctx_msg_ref m, void *ctx)
{
    (void)m;
    (void)ctx;
}

static inline fctx_msg_ref fctx_hooks_result(void *data)
{
    return data;
}

static inline void fctx_hooks_created(struct fctx_hctx *h, const fctx_stack_t *stack,
                                      const fctx_allocator_t *alloc, void *ctx)
{
    (void)h;
    (void)stack;
    (void)alloc;
    (void)ctx;
}

static inline void fctx_hooks_finished(struct fctx_hctx *h, const fctx_stack_t *stack,
                                       const fctx_allocator_t *alloc)
{
    (void)h;
    (void)stack;
    (void)alloc;
}

#endif /* FCTX_HOOKS */
#endif
