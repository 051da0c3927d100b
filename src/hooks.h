/*
 * hooks.h - telling tools about stack switches (internal).
 *
 * AddressSanitizer, ThreadSanitizer and split stacks must be told about
 * every switch between stacks.  They need per-context state (stack bounds,
 * a TSan fiber, a split-stack context), but a fiber handle is just the
 * suspended context's stack pointer.  So while the switch hooks are on,
 * every fiber-layer switch passes a message:
 *
 *   struct fctx_msg { data, from, to, done }      (on the sender's stack)
 *
 * and the receiving side parks the sender's state pointer in the word just
 * below the sender's saved frame (unused memory of a suspended stack), where
 * whoever resumes the sender later finds it.  The running context's state is
 * kept in a thread-local pointer that is re-read after every switch through
 * non-inlined accessors (never cached across a switch: fibers migrate).
 * While they are off, a message is the data pointer itself.
 *
 * Whether the hooks are on (fctx_tools_on()):
 *   - always, when the library itself is compiled with ASan or TSan or with
 *     FCTX_SPLIT_STACK (FCTX_TOOLS_BUILTIN);
 *   - decided at run time otherwise, on ELF with gcc or clang
 *     (FCTX_TOOLS_RUNTIME): the sanitizer fiber entry points are declared
 *     weak, and the first fiber creation of the process sets the flag if the
 *     program carries an ASan or TSan runtime (fctx_tools_decide()).  The
 *     flag never changes afterwards, so both ends of every switch agree on
 *     what a message is;
 *   - never, elsewhere (MSVC, PE): the code below folds to the primitives.
 *
 * valgrind needs no per-switch work, only every fiber stack registered
 * (VALGRIND_STACK_REGISTER) while it is in use: creation and release do that
 * when the process runs under valgrind (decided at the same time), in every
 * build that found <valgrind/valgrind.h> (FCTX_VALGRIND, set by CMake).
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
#  define FCTX_VALGRIND 0 /* 1: <valgrind/valgrind.h> found (CMakeLists.txt) */
#endif
#ifndef FCTX_SPLIT_STACK
#  define FCTX_SPLIT_STACK 0 /* CMake option FCTX_SPLIT_STACK */
#endif

/* Hooks compiled in and always on. */
#define FCTX_TOOLS_BUILTIN (FCTX_ASAN || FCTX_TSAN || FCTX_SPLIT_STACK)
/* Sanitizer entry points declared weak (looked up at run time). */
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__ELF__) || FCTX_TOOLS_BUILTIN)
#  define FCTX_TOOLS_WEAK 1
#else
#  define FCTX_TOOLS_WEAK 0
#endif
/* Hooks on or off, decided at the first fiber creation. */
#define FCTX_TOOLS_RUNTIME (FCTX_TOOLS_WEAK && !FCTX_TOOLS_BUILTIN)

#if FCTX_VALGRIND
#  include <valgrind/memcheck.h>
#  include <valgrind/valgrind.h>
#endif

#if FCTX_TOOLS_WEAK
/* The fiber entry points of the ASan and TSan runtimes (null without them). */
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size)
    __attribute__((weak));
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old,
                                     size_t *size_old) __attribute__((weak));
void __asan_unpoison_memory_region(void const volatile *addr, size_t size) __attribute__((weak));
void *__tsan_get_current_fiber(void) __attribute__((weak));
void *__tsan_create_fiber(unsigned flags) __attribute__((weak));
void __tsan_destroy_fiber(void *fiber) __attribute__((weak));
void __tsan_switch_to_fiber(void *fiber, unsigned flags) __attribute__((weak));
#endif

/* What the process runs with, decided once (fctx_tools_decide()). */
struct fctx_tools_state {
    unsigned char slow;     /* hooks, or shared: every resume takes the checked
                               path (first: the hot path reads it at offset 0,
                               with no address arithmetic for UBSan to check) */
    unsigned char hooks;    /* switch hooks on (an ASan or TSan runtime) */
    unsigned char valgrind; /* running under valgrind: register stacks */
    unsigned char shared;   /* a shared stack was created (fctx/shared_stack.h) */
};
FCTX_HIDDEN extern struct fctx_tools_state fctx_tools;
/* Sets fctx_tools.slow (never cleared again). */
FCTX_HIDDEN void fctx_tools_set_slow(void);

#if FCTX_TOOLS_WEAK
#  include <stdatomic.h>
FCTX_HIDDEN extern atomic_uchar fctx_tools_decided;
FCTX_HIDDEN void fctx_tools_decide_slow(void);
#endif

/* Every fiber creation calls this first: after it, fctx_tools is final. */
static inline void fctx_tools_decide(void)
{
#if FCTX_TOOLS_WEAK
    if (FCTX_UNLIKELY(!atomic_load_explicit(&fctx_tools_decided, memory_order_acquire)))
        fctx_tools_decide_slow();
#endif
}

/* The switch hooks are on.  The hot path tests this one byte. */
static inline int fctx_tools_on(void)
{
#if FCTX_TOOLS_BUILTIN
    return 1;
#elif FCTX_TOOLS_RUNTIME
    return fctx_tools.hooks;
#else
    return 0;
#endif
}

/* valgrind: a fiber stack registered while in use (id for the release). */
static inline unsigned fctx_tools_stack_register(const fctx_stack_t *stack)
{
#if FCTX_VALGRIND
    if (FCTX_UNLIKELY(fctx_tools.valgrind))
        return VALGRIND_STACK_REGISTER((char *)stack->sp - stack->size, stack->sp);
#endif
    (void)stack;
    return 0;
}

/* valgrind: [p, p + n) of a stack, dead to memcheck since the stack
 * pointer last moved above it, is about to be written from another stack
 * (shared stacks): addressable, contents undefined until written. */
static inline void fctx_tools_mem_reuse(void *p, size_t n)
{
#if FCTX_VALGRIND
    if (FCTX_UNLIKELY(fctx_tools.valgrind))
        VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#endif
    (void)p;
    (void)n;
}

static inline void fctx_tools_stack_deregister(unsigned id)
{
#if FCTX_VALGRIND
    if (FCTX_UNLIKELY(fctx_tools.valgrind))
        VALGRIND_STACK_DEREGISTER(id);
#endif
    (void)id;
}

/* Per-context tool state: next to a fiber's record, or thread-local for a
 * thread's original stack. */
struct fctx_hctx {
    const void *stack_bottom; /* lowest usable address (ASan) */
    size_t stack_size;        /* 0 while unknown (a thread's own stack) */
    void *asan_fake_stack;    /* ASan's fake-stack handle while suspended */
    void *tsan_fiber;         /* TSan fiber object */
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

/* Everything below is for the hooks-on case; fiber.c calls it only when
 * fctx_tools_on(). */

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
#if FCTX_TOOLS_WEAK
#  define FCTX_TSAN_SWITCH(to)                                                                   \
      do {                                                                                       \
          if (__tsan_switch_to_fiber != NULL)                                                    \
              __tsan_switch_to_fiber((to)->tsan_fiber, 0);                                       \
      } while (0)
#else
#  define FCTX_TSAN_SWITCH(to) ((void)(to))
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

/* What travels through a switch: the message's address (hooks on) or the
 * data itself (hooks off). */
typedef void *fctx_msg_ref;

/* Hooks on: fills *m for a switch from `from` (the running context; or a
 * finishing fiber's state, `finishing` set) to the suspended context
 * `to_ctx`, tells the tools but TSan; returns m. */
FCTX_HIDDEN struct fctx_msg *fctx_hooks_send(struct fctx_msg *m, void *data, void *to_ctx,
                                             struct fctx_hctx *from, int finishing);
/* Hooks on: arrived through message m from the suspended context ctx (NULL:
 * the sender finished): tells the tools, parks the sender's state in ctx's
 * slot; returns the data.  A "done" message was announced already. */
FCTX_HIDDEN void *fctx_hooks_receive(struct fctx_msg *m, void *ctx);
/* Hooks on: the result of a function run on top, in a per-thread message
 * that is already "done" (the switch was announced when it started). */
FCTX_HIDDEN struct fctx_msg *fctx_hooks_result_on(void *data);

/* Sets `ref_` to what a switch to the suspended context `to_ctx_` sends for
 * `data_`; hooks on: the message *msgp_, tools told.  `from_h_` (the
 * sender's state) is evaluated only with the hooks on; `finishing_`: the
 * sender's stack is about to be released.  A macro, so that TSan is told in
 * the frame that switches: the primitive must follow right after it. */
#define FCTX_HOOKS_SEND(ref_, msgp_, data_, to_ctx_, from_h_, finishing_)                       \
    do {                                                                                         \
        (ref_) = (data_);                                                                        \
        if (fctx_tools_on()) {                                                                   \
            struct fctx_msg *send_m_ =                                                           \
                fctx_hooks_send((msgp_), (data_), (to_ctx_), (from_h_), (finishing_));           \
            (ref_) = send_m_;                                                                    \
            FCTX_TSAN_SWITCH(send_m_->to);                                                       \
        }                                                                                        \
    } while (0)

/* What arrived through a switch from the suspended context ctx: the data. */
static inline void *fctx_hooks_arrived(fctx_msg_ref ref, void *ctx)
{
    if (!fctx_tools_on())
        return ref;
    return fctx_hooks_receive((struct fctx_msg *)ref, ctx);
}

/* What the result of a function run on top sends. */
static inline fctx_msg_ref fctx_hooks_result(void *data)
{
    if (!fctx_tools_on())
        return data;
    return fctx_hooks_result_on(data);
}

/* Hooks on: a new fiber's state h for its stack, put in the slot of its
 * context; a finished fiber's, from another stack before it is freed. */
FCTX_HIDDEN void fctx_hooks_created_on(struct fctx_hctx *h, const fctx_stack_t *stack,
                                       const fctx_allocator_t *alloc, void *ctx);
FCTX_HIDDEN void fctx_hooks_finished_on(struct fctx_hctx *h, const fctx_stack_t *stack,
                                        const fctx_allocator_t *alloc);

static inline void fctx_hooks_created(struct fctx_hctx *h, const fctx_stack_t *stack,
                                      const fctx_allocator_t *alloc, void *ctx)
{
    if (fctx_tools_on())
        fctx_hooks_created_on(h, stack, alloc, ctx);
}

static inline void fctx_hooks_finished(struct fctx_hctx *h, const fctx_stack_t *stack,
                                       const fctx_allocator_t *alloc)
{
    if (fctx_tools_on())
        fctx_hooks_finished_on(h, stack, alloc);
}

#endif
