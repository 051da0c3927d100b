/* stack.c - platform-independent part of the stack interface. */
#include <fctx/stack.h>

#include <errno.h>

#include "internal.h"

int fctx_stack_round_size(size_t size, size_t *rounded)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    if (rounded == NULL)
        return EINVAL;
    if (size == 0)
        size = t->default_size;
    if (size > t->max_size)
        return E2BIG;
    if (size < t->min_size)
        size = t->min_size;
    *rounded = fctx_round_up(size, t->page_size);
    return 0;
}

int fctx_stack_allocate(const fctx_allocator_t *a, size_t size, fctx_stack_t *out)
{
    if (a == NULL || a->allocate == NULL || a->deallocate == NULL || out == NULL)
        return EINVAL;
    return a->allocate(a->state, size, out);
}

int fctx_stack_deallocate(const fctx_allocator_t *a, fctx_stack_t *stack)
{
    if (a == NULL || a->deallocate == NULL || stack == NULL || stack->base == NULL)
        return EINVAL;
    a->deallocate(a->state, stack);
    return 0;
}
