/*
 * pool.c - the pooled allocator (fctx/stack_ext.h): a bounded LIFO cache of
 * released stacks in front of another allocator.
 *
 * The cache is an array of stack descriptors on the heap, never inside or
 * next to a stack: a frame that jumps a guard page into the stack below
 * cannot reach the pool's bookkeeping.  It grows on demand (doubling, up
 * to max_cached; the allocation happens outside the lock, and if it fails
 * the stack goes upstream instead).  LIFO order hands out the most
 * recently used (cache-warm) stack first.
 *
 * Double releases: a cached stack carries a tag (two words derived from the
 * pool and the stack) at the top of its usable area, where the fiber
 * record was: a release that finds its stack's tag in place is a second
 * release of a cached stack and aborts with a message.  The tag is cleared
 * when the stack is handed out or given back upstream.
 *
 * Concurrency: one spin lock guards the array and the counters; the
 * critical sections are a handful of loads and stores, so an uncontended
 * allocate or release costs one atomic exchange.  Calls into the upstream
 * allocator happen outside the lock.
 */
#include <fctx/stack_ext.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hooks.h"
#include "../internal.h"
#include "../spin.h"

struct pool_tag {
    uintptr_t a, b;
};

struct fctx_pool {
    fctx_allocator_t self;     /* handed out by fctx_pool_allocator() */
    fctx_allocator_t upstream; /* copied */
    size_t stack_size;         /* requests up to this are pooled */
    size_t unit_size;          /* .size of the stacks upstream returns for them */
    size_t max_cached;
    fctx_spin_t lock;
    /* guarded by lock: */
    fctx_stack_t *cache; /* cache[0 .. cached) on the heap, top = last */
    size_t capacity;
    size_t cached, outstanding, hits, misses;
};

#define TAG_A ((uintptr_t)0x5a17c0de6f6f6c21ull) /* truncated on 32-bit targets */
#define TAG_B ((uintptr_t)0x63616368656421a5ull)

/* The tag sits at the top of the usable area, 16-byte aligned. */
static struct pool_tag *tag_of(const fctx_stack_t *s)
{
    uintptr_t at = ((uintptr_t)s->sp - sizeof(struct pool_tag)) & ~(uintptr_t)15;
    return (struct pool_tag *)at;
}

static struct pool_tag tag_value(const struct fctx_pool *p, const fctx_stack_t *s)
{
    struct pool_tag t;
    t.a = ((uintptr_t)s->sp ^ TAG_A) + (uintptr_t)p;
    t.b = ((uintptr_t)s->base ^ TAG_B) - (uintptr_t)p;
    return t;
}

static int is_tagged(const struct fctx_pool *p, const fctx_stack_t *s)
{
    struct pool_tag want = tag_value(p, s);
    const volatile struct pool_tag *t = tag_of(s);
    return t->a == want.a && t->b == want.b;
}

static void set_tag(const struct fctx_pool *p, const fctx_stack_t *s)
{
    *tag_of(s) = tag_value(p, s);
}

static void clear_tag(const fctx_stack_t *s)
{
    struct pool_tag *t = tag_of(s);
    t->a = 0;
    t->b = 0;
}

/* A split stack (fctx_split_allocator(), also behind a wrapper): its size
 * is its first segment less the context block at sp, which can be less
 * than the size asked, and it grows on demand.  Recognised as the fiber
 * layer recognises it, by the tagged block (src/splitstack.c), which is
 * only read when sp + the block lies inside [base, base + mapped_size). */
static int grows_on_demand(const fctx_stack_t *s)
{
#if FCTX_SPLIT_STACK
    struct fctx_hctx h;
    memset(&h, 0, sizeof h);
    fctx_hooks_split_init(&h, s, NULL); /* all zero unless a split stack */
    for (size_t i = 0; i < sizeof h.split_stack / sizeof h.split_stack[0]; ++i)
        if (h.split_stack[i] != NULL)
            return 1;
#else
    (void)s;
#endif
    return 0;
}

/* What an allocator must hand out: a usable area [sp - size, sp) inside
 * [base, base + mapped_size), sp 16-byte aligned, room for the tag, and
 * at least `want` bytes unless the stack grows on demand (split). */
static int stack_ok(const fctx_stack_t *s, size_t want)
{
    uintptr_t sp = (uintptr_t)s->sp, base = (uintptr_t)s->base;
    if (s->sp == NULL || s->base == NULL || (sp & 15) != 0 || sp <= base ||
        s->size < 2 * sizeof(struct pool_tag) || s->size > sp - base ||
        s->mapped_size < sp - base)
        return 0;
    return s->size >= want || grows_on_demand(s);
}

FCTX_NORETURN static void pool_misuse(const fctx_stack_t *s)
{
    fprintf(stderr, "fctx: pool: stack [%p, %p) released twice (it is in the pool's cache)\n",
            (void *)((char *)s->sp - s->size), s->sp);
    abort();
}

static int pool_allocate(void *state, size_t size, fctx_stack_t *out)
{
    struct fctx_pool *p = (struct fctx_pool *)state;
    if (FCTX_UNLIKELY(out == NULL))
        return EINVAL;
    int pooled = size <= p->stack_size;
    fctx_spin_lock(&p->lock);
    if (FCTX_LIKELY(pooled && p->cached > 0)) {
        fctx_stack_t s = p->cache[--p->cached];
        ++p->outstanding;
        ++p->hits;
        fctx_spin_unlock(&p->lock);
        clear_tag(&s); /* the stack is ours now */
        *out = s;
        return 0;
    }
    ++p->outstanding;
    ++p->misses;
    fctx_spin_unlock(&p->lock);
    size_t want = pooled ? p->stack_size : size;
    fctx_stack_t s;
    int err = p->upstream.allocate(p->upstream.state, want, &s);
    if (!err && !stack_ok(&s, want)) {
        p->upstream.deallocate(p->upstream.state, &s);
        err = EINVAL; /* the upstream returned an unusable stack */
    }
    if (err) {
        fctx_spin_lock(&p->lock);
        --p->outstanding;
        fctx_spin_unlock(&p->lock);
        return err;
    }
    *out = s;
    return 0;
}

/* Make room for one more cached stack; called and returns with the lock
 * held (drops it while allocating).  0 if there is room. */
static int grow_locked(struct fctx_pool *p)
{
    while (p->cached == p->capacity) {
        if (p->capacity >= p->max_cached)
            return ENOMEM;
        size_t cap = p->capacity ? p->capacity * 2 : 16;
        if (cap > p->max_cached)
            cap = p->max_cached;
        fctx_spin_unlock(&p->lock);
        fctx_stack_t *bigger = (fctx_stack_t *)malloc(cap * sizeof *bigger);
        fctx_spin_lock(&p->lock);
        if (bigger == NULL)
            return ENOMEM;
        if (cap <= p->capacity) { /* another thread grew it meanwhile */
            fctx_spin_unlock(&p->lock);
            free(bigger);
            fctx_spin_lock(&p->lock);
            continue;
        }
        if (p->cached)
            memcpy(bigger, p->cache, p->cached * sizeof *bigger);
        fctx_stack_t *old = p->cache;
        p->cache = bigger;
        p->capacity = cap;
        fctx_spin_unlock(&p->lock);
        free(old);
        fctx_spin_lock(&p->lock);
    }
    return 0;
}

static void pool_deallocate(void *state, fctx_stack_t *s)
{
    struct fctx_pool *p = (struct fctx_pool *)state;
    fctx_stack_t st = *s; /* *s may lie in the stack's top bytes (a fiber record) */
    int pooled = st.size == p->unit_size;
    if (pooled) {
        if (FCTX_UNLIKELY(is_tagged(p, &st)))
            pool_misuse(&st);
        set_tag(p, &st);
    }
    fctx_spin_lock(&p->lock);
    if (FCTX_LIKELY(pooled) && FCTX_LIKELY(p->cached < p->max_cached) &&
        (FCTX_LIKELY(p->cached < p->capacity) || grow_locked(p) == 0)) {
        p->cache[p->cached++] = st;
        --p->outstanding; /* last: fctx_pool_destroy() waits for it */
        fctx_spin_unlock(&p->lock);
        return;
    }
    /* To the upstream.  Copy it first: once outstanding drops, the pool
     * may be destroyed. */
    fctx_allocator_t up = p->upstream;
    --p->outstanding;
    fctx_spin_unlock(&p->lock);
    if (pooled)
        clear_tag(&st);
    up.deallocate(up.state, &st);
}

static int by_base_descending(const void *x, const void *y)
{
    uintptr_t a = (uintptr_t)((const fctx_stack_t *)x)->base;
    uintptr_t b = (uintptr_t)((const fctx_stack_t *)y)->base;
    return a < b ? 1 : a > b ? -1 : 0;
}

/* Release cached stacks upstream until at most `keep` remain, lowest
 * address first: stacks that the upstream mapped next to each other (and
 * the kernel merged into one mapping) then go from one end of the run, so
 * no munmap() splits a mapping, which is what fails with ENOMEM at
 * vm.max_map_count.  The `keep` highest ones stay. */
static void release_above(struct fctx_pool *p, size_t keep)
{
    fctx_spin_lock(&p->lock);
    if (p->cached > 1)
        qsort(p->cache, p->cached, sizeof *p->cache, by_base_descending);
    for (;;) {
        if (p->cached <= keep) {
            fctx_spin_unlock(&p->lock);
            return;
        }
        fctx_stack_t s = p->cache[--p->cached];
        fctx_spin_unlock(&p->lock);
        clear_tag(&s);
        p->upstream.deallocate(p->upstream.state, &s);
        fctx_spin_lock(&p->lock);
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
    fctx_allocator_t guarded; /* the default upstream with guard_pages */
    if (cfg->guard_pages != 0) {
        if (cfg->upstream != NULL)
            return EINVAL; /* an upstream of the caller's has its own guards */
        int gerr = fctx_guarded_allocator_ex(&guarded, cfg->guard_pages);
        if (gerr)
            return gerr;
        up = &guarded;
    }
    if (up->allocate == NULL || up->deallocate == NULL)
        return EINVAL;
    size_t max_cached = cfg->max_cached ? cfg->max_cached : 1024;
    if (cfg->prefill > max_cached || max_cached > SIZE_MAX / sizeof(fctx_stack_t))
        return EINVAL;
    size_t size;
    int err = fctx_stack_round_size(cfg->stack_size, &size);
    if (err)
        return err;

    struct fctx_pool *p = (struct fctx_pool *)calloc(1, sizeof *p);
    if (p == NULL)
        return ENOMEM;
    size_t want = cfg->prefill ? cfg->prefill : 1;
    p->capacity = want < 16 && max_cached >= 16 ? 16 : want < 16 ? max_cached : want;
    p->cache = (fctx_stack_t *)malloc(p->capacity * sizeof *p->cache);
    if (p->cache == NULL) {
        free(p);
        return ENOMEM;
    }
    p->self.allocate = pool_allocate;
    p->self.deallocate = pool_deallocate;
    p->self.state = p;
    p->upstream = *up;
    p->stack_size = size;
    p->max_cached = max_cached;
    fctx_spin_init(&p->lock);

    /* The first stack checks the upstream and tells us the size it hands
     * out for pooled requests: only stacks of that size come back here. */
    for (size_t i = 0; i < want; ++i) {
        fctx_stack_t s;
        err = p->upstream.allocate(p->upstream.state, size, &s);
        if (!err && (!stack_ok(&s, size) || (i > 0 && s.size != p->unit_size))) {
            p->upstream.deallocate(p->upstream.state, &s);
            err = EINVAL; /* the upstream returned an unusable stack */
        }
        if (err) {
            release_above(p, 0);
            free(p->cache);
            free(p);
            return err;
        }
        p->unit_size = s.size;
        set_tag(p, &s);
        p->cache[p->cached++] = s;
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
    free(pool->cache);
    free(pool);
    return 0;
}
