/* counting_alloc.h - an allocator wrapper that counts live stacks, so tests
 * can prove that everything a fiber took is given back. */
#ifndef FCTX_TEST_COUNTING_ALLOC_H
#define FCTX_TEST_COUNTING_ALLOC_H

#include <fctx/stack.h>
#include <stdatomic.h>

struct counting {
    const fctx_allocator_t *inner;
    atomic_long live, total;
    int fail_with; /* nonzero: allocate() fails with this code */
};

static int counting_allocate(void *state, size_t size, fctx_stack_t *out)
{
    struct counting *c = (struct counting *)state;
    if (c->fail_with)
        return c->fail_with;
    int err = c->inner->allocate(c->inner->state, size, out);
    if (!err) {
        atomic_fetch_add(&c->live, 1);
        atomic_fetch_add(&c->total, 1);
    }
    return err;
}

static void counting_deallocate(void *state, fctx_stack_t *s)
{
    struct counting *c = (struct counting *)state;
    atomic_fetch_sub(&c->live, 1);
    c->inner->deallocate(c->inner->state, s);
}

static fctx_allocator_t counting_allocator(struct counting *c, const fctx_allocator_t *inner)
{
    c->inner = inner;
    atomic_init(&c->live, 0);
    atomic_init(&c->total, 0);
    c->fail_with = 0;
    fctx_allocator_t a = {counting_allocate, counting_deallocate, c};
    return a;
}

#endif
