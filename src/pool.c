/*
 * pool.c - the pooled allocator (fctx/stack_ext.h): a bounded LIFO cache of
 * released stacks in front of another allocator.
 *
 * A cached stack is linked through a node written at the top of its own
 * usable area (the bytes the fiber record occupied: already resident), so
 * the pool needs no memory per stack and a hit touches one cache line of
 * the stack it hands out.  LIFO order hands out the most recently used
 * (cache-warm) stack first.
 *
 * Concurrency: one spin lock guards the list head and the counters; the
 * critical sections are a handful of loads and stores, so an uncontended
 * allocate or release costs one atomic exchange.  Calls into the upstream
 * allocator happen outside the lock.
 */
#include <fctx/stack_ext.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"
#include "spin.h"

struct pool_node {
    fctx_stack_t stack;
    struct pool_node *next;
};

struct fctx_pool {
    fctx_allocator_t self;     /* handed out by fctx_pool_allocator() */
    fctx_allocator_t upstream; /* copied */
    size_t stack_size;         /* requests up to this are pooled */
    size_t unit_size;          /* .size of the stacks upstream returns for them */
    size_t max_cached;
    fctx_spin_t lock;
    /* guarded by lock: */
    struct pool_node *head;
    size_t cached, outstanding, hits, misses;
};

/* The node sits at the top of the usable area, 16-byte aligned. */
static struct pool_node *node_of(const fctx_stack_t *s)
{
    uintptr_t at = ((uintptr_t)s->sp - sizeof(struct pool_node)) & ~(uintptr_t)15;
    return (struct pool_node *)at;
}

static int pool_allocate(void *state, size_t size, fctx_stack_t *out)
{
    struct fctx_pool *p = (struct fctx_pool *)state;
    if (FCTX_UNLIKELY(out == NULL))
        return EINVAL;
    int pooled = size <= p->stack_size;
    fctx_spin_lock(&p->lock);
    struct pool_node *n = pooled ? p->head : NULL;
    if (FCTX_LIKELY(n != NULL)) {
        p->head = n->next;
        --p->cached;
        ++p->outstanding;
        ++p->hits;
        fctx_spin_unlock(&p->lock);
        *out = n->stack; /* the stack is ours now: read after unlocking */
        return 0;
    }
    ++p->outstanding;
    ++p->misses;
    fctx_spin_unlock(&p->lock);
    fctx_stack_t s;
    int err = p->upstream.allocate(p->upstream.state, pooled ? p->stack_size : size, &s);
    if (err) {
        fctx_spin_lock(&p->lock);
        --p->outstanding;
        fctx_spin_unlock(&p->lock);
        return err;
    }
    *out = s;
    return 0;
}

static void pool_deallocate(void *state, fctx_stack_t *s)
{
    struct fctx_pool *p = (struct fctx_pool *)state;
    if (s->size == p->unit_size) {
        struct pool_node *n = node_of(s);
        n->stack = *s;
        fctx_spin_lock(&p->lock);
        --p->outstanding;
        if (FCTX_LIKELY(p->cached < p->max_cached)) {
            n->next = p->head;
            p->head = n;
            ++p->cached;
            fctx_spin_unlock(&p->lock);
            return;
        }
        fctx_spin_unlock(&p->lock);
    } else {
        fctx_spin_lock(&p->lock);
        --p->outstanding;
        fctx_spin_unlock(&p->lock);
    }
    p->upstream.deallocate(p->upstream.state, s);
}

/* Release cached stacks upstream until at most `keep` remain. */
static void release_above(struct fctx_pool *p, size_t keep)
{
    for (;;) {
        fctx_spin_lock(&p->lock);
        struct pool_node *n = p->cached > keep ? p->head : NULL;
        if (n != NULL) {
            p->head = n->next;
            --p->cached;
        }
        fctx_spin_unlock(&p->lock);
        if (n == NULL)
            return;
        fctx_stack_t s = n->stack; /* copy out: the node lives in the stack */
        p->upstream.deallocate(p->upstream.state, &s);
    }
}

int fctx_pool_create(fctx_pool_t **out, const fctx_pool_config_t *cfg)
{
    if (out == NULL)
        return EINVAL;
    *out = NULL;
    if (cfg == NULL)
        return EINVAL;
    const fctx_allocator_t *up = cfg->upstream ? cfg->upstream : fctx_guarded_allocator();
    if (up->allocate == NULL || up->deallocate == NULL)
        return EINVAL;
    size_t max_cached = cfg->max_cached ? cfg->max_cached : 1024;
    if (cfg->prefill > max_cached)
        return EINVAL;
    size_t size;
    int err = fctx_stack_round_size(cfg->stack_size, &size);
    if (err)
        return err;

    struct fctx_pool *p = (struct fctx_pool *)calloc(1, sizeof *p);
    if (p == NULL)
        return ENOMEM;
    p->self.allocate = pool_allocate;
    p->self.deallocate = pool_deallocate;
    p->self.state = p;
    p->upstream = *up;
    p->stack_size = size;
    p->max_cached = max_cached;
    fctx_spin_init(&p->lock);

    /* The first stack checks the upstream and tells us the size it hands
     * out for pooled requests: only stacks of that size come back here. */
    size_t want = cfg->prefill ? cfg->prefill : 1;
    for (size_t i = 0; i < want; ++i) {
        fctx_stack_t s;
        err = p->upstream.allocate(p->upstream.state, size, &s);
        if (!err && (s.sp == NULL || s.size < size ||
                     s.size < sizeof(struct pool_node) + 16 ||
                     (i > 0 && s.size != p->unit_size))) {
            p->upstream.deallocate(p->upstream.state, &s);
            err = EINVAL; /* the upstream returned an unusable stack */
        }
        if (err) {
            release_above(p, 0);
            free(p);
            return err;
        }
        p->unit_size = s.size;
        struct pool_node *n = node_of(&s);
        n->stack = s;
        n->next = p->head;
        p->head = n;
        ++p->cached;
    }
    *out = p;
    return 0;
}

const fctx_allocator_t *fctx_pool_allocator(const fctx_pool_t *pool)
{
    return pool ? &pool->self : NULL;
}

int fctx_pool_trim(fctx_pool_t *pool, size_t keep)
{
    if (pool == NULL)
        return EINVAL;
    release_above(pool, keep);
    return 0;
}

int fctx_pool_stats(fctx_pool_t *pool, fctx_pool_stats_t *out)
{
    if (pool == NULL || out == NULL)
        return EINVAL;
    fctx_spin_lock(&pool->lock);
    out->stack_size = pool->unit_size;
    out->cached = pool->cached;
    out->outstanding = pool->outstanding;
    out->hits = pool->hits;
    out->misses = pool->misses;
    fctx_spin_unlock(&pool->lock);
    return 0;
}

int fctx_pool_destroy(fctx_pool_t *pool)
{
    if (pool == NULL)
        return EINVAL;
    fctx_spin_lock(&pool->lock);
    size_t outstanding = pool->outstanding;
    fctx_spin_unlock(&pool->lock);
    if (outstanding != 0)
        return EBUSY;
    release_above(pool, 0);
    free(pool);
    return 0;
}
