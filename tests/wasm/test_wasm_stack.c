/* test_wasm_stack.c - what the stack allocators do on WebAssembly, where
 * linear memory has no page protection (docs/abi-wasm.md, "Guard pages"):
 * the guarded allocator says so (FCTX_GUARD_NONE), still reserves the guard
 * region below the stack (layout as elsewhere), and that region stays
 * writable; fibers run on its stacks and on the fixed allocator's.  Stack
 * usage: the pattern method works, the residency method says ENOTSUP. */
#include <fctx/fiber.h>
#include <errno.h>
#include <fctx/stack.h>
#include <fctx/stack_ext.h>
#include <stdint.h>
#include <string.h>

#include "check.h"

static fctx_fiber_t doubler(fctx_fiber_t caller, void *data)
{
    fctx_fiber_transfer_t t = fctx_fiber_resume(caller, (void *)((uintptr_t)data * 2));
    return t.fiber;
}

static void test_guard_method_is_none(void)
{
    CHECK(fctx_guard_method() == FCTX_GUARD_NONE);
}

static void test_guard_region_is_unprotected(void)
{
    const fctx_stack_traits_t *tr = fctx_stack_traits();
    const fctx_allocator_t *g = fctx_guarded_allocator();
    fctx_stack_t s;
    CHECK(g->allocate(g->state, 0, &s) == 0);
    CHECK(s.mapped_size == s.size + FCTX_GUARD_PAGES_DEFAULT * tr->page_size);
    CHECK((char *)s.sp - s.size == (char *)s.base + (s.mapped_size - s.size));
    /* The guard region is ordinary memory: writing it does not trap. */
    volatile char *guard = (volatile char *)s.base;
    guard[0] = 1;
    guard[s.mapped_size - s.size - 1] = 2;
    CHECK(guard[0] == 1 && guard[s.mapped_size - s.size - 1] == 2);
    g->deallocate(g->state, &s);
}

static void test_usage_methods(void)
{
    const fctx_allocator_t *g = fctx_fixed_allocator();
    fctx_stack_t s;
    size_t used = 7;
    CHECK(g->allocate(g->state, 0, &s) == 0);
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_RESIDENT, &used) == ENOTSUP && used == 7);
    CHECK(fctx_stack_paint(&s) == 0);
    ((volatile char *)s.sp)[-100] = 1;
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_PATTERN, &used) == 0);
    CHECK(used >= 100 && used <= 100 + 2 * sizeof(void *));
    g->deallocate(g->state, &s);
}

static void test_fibers_on_each_allocator(void)
{
    const fctx_allocator_t *allocs[] = {fctx_guarded_allocator(), fctx_fixed_allocator(), NULL};
    for (int i = 0; i < 3; ++i) {
        fctx_fiber_t f;
        CHECK(fctx_fiber_create(&f, allocs[i], 0, doubler) == 0);
        fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)21);
        CHECK(t.data == (void *)42);
        t = fctx_fiber_resume(t.fiber, NULL);
        CHECK(t.fiber == NULL);
    }
}

int main(void)
{
    RUN(test_guard_method_is_none);
    RUN(test_guard_region_is_unprotected);
    RUN(test_usage_methods);
    RUN(test_fibers_on_each_allocator);
    return 0;
}
