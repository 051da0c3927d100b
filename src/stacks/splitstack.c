/*
 * splitstack.c - segmented stacks on top of libgcc's split-stack runtime
 * (fctx/stack_ext.h, CMake option FCTX_SPLIT_STACK).
 *
 * Code compiled with -fsplit-stack compares the stack pointer with a limit
 * in the thread control block in every function prologue and calls
 * __morestack when the frame does not fit: that allocates (or reuses) the
 * next segment of the *current split-stack context* and runs the function
 * there.  A context is ten words that libgcc keeps per thread; libgcc has no
 * header for its API, so the functions are declared here:
 *
 *   __splitstack_makecontext(size, ctx, &size_out) - a new context with a
 *       first segment of at least `size` bytes; returns its lowest usable
 *       address (the segment header lies below it)
 *   __splitstack_getcontext(ctx) / __splitstack_setcontext(ctx) - save the
 *       running thread's context / install one (including the limit)
 *   __splitstack_releasecontext(ctx) - unmap all segments of a context
 *
 * The allocator below makes a context per stack and keeps it in a block at
 * the top of the first segment (stack->impl points to it).  The fiber layer
 * copies it into the fiber's hook state (hooks.h), swaps contexts on every
 * switch (fctx_hooks_before), and copies the final context back before the
 * stack is released, so deallocate() frees every segment the fiber grew.
 * Fibers on ordinary stacks get an all-zero context: a limit of 0 never
 * triggers __morestack, so split-stack code runs there like any other code
 * and overflows into the guard page as usual.
 */
#include <fctx/stack_ext.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../hooks.h"
#include "../internal.h"
#include "../stacks_internal.h"

#if FCTX_SPLIT_STACK

void *__splitstack_makecontext(size_t stack_size, void *context[10], size_t *size);
void __splitstack_releasecontext(void *context[10]);

struct split_block {
    uintptr_t magic; /* its own address ^ SPLIT_MAGIC */
    void *ctx[10];
};

#define SPLIT_MAGIC ((uintptr_t)0x5B117C7A5B117C7Aull)

/* The block of a split stack, recognised by its layout and magic, whatever
 * allocator wraps the split allocator (a pool, a counting wrapper): every
 * other stack has nothing mapped at sp (its top), or no magic there. */
static struct split_block *block_of(const fctx_stack_t *s)
{
    uintptr_t sp = (uintptr_t)s->sp;
    if (s->impl != s->sp || s->base == NULL ||
        (uintptr_t)s->base + s->mapped_size < sp + sizeof(struct split_block))
        return NULL;
    struct split_block *b = (struct split_block *)s->impl;
    return b->magic == (sp ^ SPLIT_MAGIC) ? b : NULL;
}

static int split_allocate(void *state, size_t size, fctx_stack_t *out)
{
    (void)state;
    if (out == NULL)
        return EINVAL;
    size_t want;
    int err = fctx_stack_round_size(size, &want);
    if (err)
        return err;
    void *ctx[10];
    size_t got = 0;
    /* libgcc aborts if mmap fails ("unable to allocate stack space"). */
    void *low = __splitstack_makecontext(want, ctx, &got);
    if (low == NULL || got < sizeof(struct split_block) + 64)
        return ENOMEM;
    uintptr_t top = (uintptr_t)low + got;
    struct split_block *b = (struct split_block *)((top - sizeof *b) & ~(uintptr_t)15);
    memcpy(b->ctx, ctx, sizeof ctx);
    b->magic = (uintptr_t)b ^ SPLIT_MAGIC;
    out->base = low;
    out->mapped_size = got;
    out->sp = b; /* the block is above the usable stack */
    out->size = (size_t)((uintptr_t)b - (uintptr_t)low);
    out->impl = b;
    return 0;
}

static void split_deallocate(void *state, fctx_stack_t *s)
{
    (void)state;
    void *ctx[10];
    memcpy(ctx, ((struct split_block *)s->impl)->ctx, sizeof ctx); /* it lives in a segment */
    __splitstack_releasecontext(ctx);
}

void fctx_hooks_split_init(struct fctx_hctx *h, const fctx_stack_t *stack,
                           const fctx_allocator_t *alloc)
{
    (void)alloc; /* maybe a wrapper: the stack itself tells */
    struct split_block *b = block_of(stack);
    if (b != NULL)
        memcpy(h->split_stack, b->ctx, sizeof h->split_stack);
    else
        memset(h->split_stack, 0, sizeof h->split_stack); /* limit 0: never grows */
}

/* The fiber finished on its first segment, so the context is at rest there:
 * a pooled split stack can be handed to the next fiber as it is (its extra
 * segments stay allocated for reuse until the stack is released). */
void fctx_hooks_split_finish(struct fctx_hctx *h, const fctx_stack_t *stack,
                             const fctx_allocator_t *alloc)
{
    (void)alloc;
    struct split_block *b = block_of(stack);
    if (b != NULL)
        memcpy(b->ctx, h->split_stack, sizeof h->split_stack);
}

int fctx_split_stack_supported(void)
{
    return 1;
}

#else /* !FCTX_SPLIT_STACK */

static int split_allocate(void *state, size_t size, fctx_stack_t *out)
{
    (void)state;
    (void)size;
    (void)out;
    return ENOTSUP;
}

static void split_deallocate(void *state, fctx_stack_t *s)
{
    (void)state;
    (void)s; /* nothing was ever allocated */
}

int fctx_split_stack_supported(void)
{
    return 0;
}

#endif /* FCTX_SPLIT_STACK */

static const fctx_allocator_t split = {split_allocate, split_deallocate, NULL};

const fctx_allocator_t *fctx_split_allocator(void)
{
    return &split;
}
