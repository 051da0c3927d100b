/*
 * stacks/stack.c - the portable part of the stack interface (fctx/stack.h):
 * traits, size rounding, the fixed and guarded allocators.  What differs
 * between systems (mapping, guards, limits) is the OS layer in os.h
 * (posix.c, win.c).
 */
#include <fctx/stack.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../internal.h"
#include "os.h"

/* ---- traits --------------------------------------------------------------- */

static fctx_stack_traits_t traits;
static atomic_int traits_ready; /* 1 once `traits` is written (release) */

static void compute_traits(void)
{
    fctx_stack_traits_t t;
    size_t max_size;
    fctx_os_stack_limits(&t.page_size, &t.min_size, &max_size);
    t.default_size = 128 * 1024;
    if (t.default_size < t.min_size)
        t.default_size = t.min_size;
    t.max_size = max_size & ~(t.page_size - 1);
    if (t.max_size < t.default_size)
        t.max_size = t.default_size;
    traits = t;
    atomic_store_explicit(&traits_ready, 1, memory_order_release);
}

const fctx_stack_traits_t *fctx_stack_traits(void)
{
    /* After the first call: one acquire load (also what the overflow
     * handler sees: it is computed before the handler is installed). */
    if (FCTX_LIKELY(atomic_load_explicit(&traits_ready, memory_order_acquire)))
        return &traits;
    fctx_os_traits_once(compute_traits); /* one writer, others wait */
    return &traits;
}

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

/* ---- the fixed and guarded allocators ------------------------------------ */

static void unmap_stack(void *state, fctx_stack_t *s)
{
    (void)state;
    fctx_os_unmap_stack(s->base, s->mapped_size);
}

/* The guarded allocator's state is its guard size in pages (NULL: the
 * default), so fctx_guarded_allocator_ex() needs no storage.  The fixed
 * allocator has none. */
static size_t guard_pages_of(const void *state)
{
    return state ? (size_t)(uintptr_t)state : FCTX_GUARD_PAGES_DEFAULT;
}

/* `guarded`: 0 for the fixed allocator, else its state (see above). */
static int allocate(int guarded, void *state, size_t size, fctx_stack_t *out)
{
    size_t usable;
    int err = fctx_stack_round_size(size, &usable);
    if (err)
        return err;
    if (out == NULL)
        return EINVAL;
    size_t len = usable;
    void *p;
    if (guarded) /* guard bounded by fctx_guarded_allocator_ex() */
        p = fctx_os_map_guarded(guard_pages_of(state) * fctx_stack_traits()->page_size,
                                usable, &len);
    else
        p = fctx_os_map_stack(usable);
    if (p == NULL)
        return ENOMEM;
    fctx_stack_describe(out, p, len, usable);
    return 0;
}

static int fixed_allocate(void *state, size_t size, fctx_stack_t *out)
{
    return allocate(0, state, size, out);
}

static int guarded_allocate(void *state, size_t size, fctx_stack_t *out)
{
    return allocate(1, state, size, out);
}

static const fctx_allocator_t fixed = {fixed_allocate, unmap_stack, NULL};
static const fctx_allocator_t guarded = {guarded_allocate, unmap_stack, NULL};

const fctx_allocator_t *fctx_fixed_allocator(void)
{
    return &fixed;
}

const fctx_allocator_t *fctx_guarded_allocator(void)
{
    return &guarded;
}

int fctx_guarded_allocator_ex(fctx_allocator_t *out, size_t guard_pages)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    if (out == NULL || guard_pages > t->max_size / t->page_size)
        return EINVAL;
    out->allocate = guarded_allocate;
    out->deallocate = unmap_stack;
    out->state = guard_pages == 0 ? NULL : (void *)(uintptr_t)guard_pages;
    return 0;
}
