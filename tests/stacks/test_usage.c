/* Stack usage (high-water mark) with both methods, fctx_fiber_create_ex()
 * attributes (stack descriptor out, painting, validation), and what the
 * RESIDENT method sees on pooled and arena stacks. */
#define _GNU_SOURCE 1
#include <fctx/fiber.h>
#include <fctx/stack_ext.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"

#if defined(__GNUC__) || defined(__clang__)
/* Frames must be on the real stack even under ASan (whose use-after-return
 * mode moves instrumented locals to a heap "fake stack"). */
#  define REAL_FRAMES __attribute__((noinline, no_sanitize_address))
#else
#  define REAL_FRAMES
#endif

static volatile uintptr_t deepest; /* lowest local address reached */

REAL_FRAMES static unsigned recurse(unsigned depth)
{
    volatile char frame[512];
    frame[0] = (char)depth;
    frame[511] = 1;
    if ((uintptr_t)&frame[0] < deepest)
        deepest = (uintptr_t)&frame[0];
    if (depth == 0)
        return frame[0];
    return recurse(depth - 1) + frame[511];
}

/* Recurses as deep as asked, returns all the way, then suspends shallow. */
static fctx_fiber_t deep_then_park(fctx_fiber_t caller, void *data)
{
    recurse((unsigned)(uintptr_t)data);
    fctx_fiber_transfer_t t = fctx_fiber_resume(caller, NULL);
    return t.fiber;
}

static void test_validation(void)
{
    fctx_stack_t s;
    memset(&s, 0, sizeof s);
    size_t used = 7;
    CHECK(fctx_stack_paint(NULL) == EINVAL);
    CHECK(fctx_stack_paint(&s) == EINVAL); /* sp NULL */
    CHECK(fctx_stack_usage(NULL, FCTX_USAGE_PATTERN, &used) == EINVAL);
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_PATTERN, &used) == EINVAL);
    CHECK(fctx_stack_allocate(fctx_fixed_allocator(), 0, &s) == 0);
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_PATTERN, NULL) == EINVAL);
    CHECK(fctx_stack_usage(&s, (fctx_usage_method_t)0, &used) == EINVAL);
    CHECK(fctx_stack_usage(&s, (fctx_usage_method_t)3, &used) == EINVAL);
    CHECK(used == 7);
    fctx_stack_t zero = s;
    zero.size = 0;
    CHECK(fctx_stack_usage(&zero, FCTX_USAGE_RESIDENT, &used) == EINVAL);

    /* Fresh mapping: nothing resident; painted: everything resident, the
     * pattern says unused. */
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_RESIDENT, &used) == 0 && used == 0);
    CHECK(fctx_stack_paint(&s) == 0);
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_PATTERN, &used) == 0 && used == 0);
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_RESIDENT, &used) == 0 && used == s.size);
    ((volatile char *)s.sp)[-100] = 1; /* one byte, 100 below the top */
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_PATTERN, &used) == 0);
    CHECK(used >= 100 && used <= 104);
    CHECK(fctx_stack_deallocate(fctx_fixed_allocator(), &s) == 0);

    /* Not mapped any more: mincore() fails. */
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_RESIDENT, &used) == ENOMEM);
}

static void test_create_ex(void)
{
    fctx_fiber_t f = (fctx_fiber_t)&f;
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.flags = 0x80;
    CHECK(fctx_fiber_create_ex(&f, &attr, deep_then_park) == EINVAL && f == NULL);
    CHECK(fctx_fiber_create_ex(NULL, NULL, deep_then_park) == EINVAL);
    CHECK(fctx_fiber_create_ex(&f, NULL, NULL) == EINVAL);
    fctx_allocator_t broken = {NULL, NULL, NULL};
    attr.flags = 0;
    attr.allocator = &broken;
    CHECK(fctx_fiber_create_ex(&f, &attr, deep_then_park) == EINVAL);
    attr.allocator = NULL;
    attr.stack_size = (size_t)-1;
    CHECK(fctx_fiber_create_ex(&f, &attr, deep_then_park) == E2BIG);

    /* Defaults, and the descriptor handed out. */
    CHECK(fctx_fiber_create_ex(&f, NULL, deep_then_park) == 0 && f != NULL);
    CHECK(fctx_fiber_cancel(f).fiber == NULL);
    fctx_stack_t s;
    memset(&s, 0, sizeof s);
    attr.stack_size = 100 * 1024;
    attr.stack_out = &s;
    CHECK(fctx_fiber_create_ex(&f, &attr, deep_then_park) == 0);
    CHECK(s.size >= 100 * 1024 && s.sp != NULL && s.base != NULL);
    CHECK((char *)s.base < (char *)s.sp - s.size); /* guarded: a guard below */
    /* The suspended fiber's handle lies inside the stack it was given. */
    CHECK((uintptr_t)f < (uintptr_t)s.sp && (uintptr_t)f > (uintptr_t)s.sp - s.size);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)(uintptr_t)1);
    CHECK(t.fiber != NULL);
    CHECK(fctx_fiber_resume(t.fiber, NULL).fiber == NULL);
}

static void check_depth(const fctx_allocator_t *alloc, unsigned depth, int paint)
{
    size_t page = fctx_stack_traits()->page_size;
    fctx_stack_t s;
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = alloc;
    attr.stack_size = 512 * 1024;
    attr.stack_out = &s;
    attr.flags = paint ? FCTX_FIBER_PAINT : 0;
    fctx_fiber_t f;
    CHECK(fctx_fiber_create_ex(&f, &attr, deep_then_park) == 0);

    size_t before = 0;
    if (paint) {
        /* Never resumed: the record and a parked first frame only. */
        CHECK(fctx_stack_usage(&s, FCTX_USAGE_PATTERN, &before) == 0);
        CHECK(before > 0 && before < 4096);
    }
    deepest = UINTPTR_MAX;
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)(uintptr_t)depth);
    CHECK(t.fiber != NULL);
    size_t reached = (uintptr_t)s.sp - deepest; /* at least this much used */
    CHECK(reached > depth * 512u);

    size_t res = 0;
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_RESIDENT, &res) == 0);
    if (paint) {
        CHECK(res == s.size); /* painting touched every page */
    } else {
        CHECK(res >= reached && res <= reached + 2 * page);
        CHECK(res % page == 0 || res == s.size);
    }
    if (paint) {
        size_t pat = 0;
        CHECK(fctx_stack_usage(&s, FCTX_USAGE_PATTERN, &pat) == 0);
        printf("  depth %u: reached %zu bytes; pattern says %zu, resident %zu\n", depth, reached,
               pat, res);
        /* Below the deepest local: that frame's spills (and, under TSan,
         * its runtime's calls). */
        CHECK(pat >= reached && pat <= reached + 1024);
    }
    CHECK(fctx_fiber_resume(t.fiber, NULL).fiber == NULL);
}

static void test_high_water(void)
{
    check_depth(fctx_guarded_allocator(), 40, 1);  /* ~20 KiB + frames */
    check_depth(fctx_guarded_allocator(), 400, 1); /* ~200+ KiB */
    check_depth(fctx_fixed_allocator(), 100, 0);
    check_depth(fctx_fixed_allocator(), 100, 1);
}

/* RESIDENT remembers earlier fibers on a pooled stack; an arena gives the
 * pages back on release, so its next fiber starts from nothing. */
static void test_reuse_semantics(void)
{
    fctx_pool_config_t pcfg = {fctx_fixed_allocator(), 512 * 1024, 4, 1, 0};
    fctx_pool_t *pool;
    CHECK(fctx_pool_create(&pool, &pcfg) == 0);
    check_depth(fctx_pool_allocator(pool), 300, 0);
    fctx_stack_t s;
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = fctx_pool_allocator(pool);
    attr.stack_out = &s;
    fctx_fiber_t f;
    CHECK(fctx_fiber_create_ex(&f, &attr, deep_then_park) == 0);
    size_t res = 0;
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_RESIDENT, &res) == 0);
    CHECK(res > 300 * 512u); /* the previous fiber's pages */
    /* Painting at creation makes the pattern method exact again. */
    CHECK(fctx_fiber_cancel(f).fiber == NULL);
    attr.flags = FCTX_FIBER_PAINT;
    CHECK(fctx_fiber_create_ex(&f, &attr, deep_then_park) == 0);
    size_t pat = 0;
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_PATTERN, &pat) == 0 && pat < 4096);
    CHECK(fctx_fiber_cancel(f).fiber == NULL);
    CHECK(fctx_pool_destroy(pool) == 0);

    fctx_arena_config_t acfg = {512 * 1024, 4, 0, 0};
    fctx_arena_t *arena;
    CHECK(fctx_arena_create(&arena, &acfg) == 0);
    check_depth(fctx_arena_allocator(arena), 300, 0);
    attr.allocator = fctx_arena_allocator(arena);
    attr.flags = 0;
    CHECK(fctx_fiber_create_ex(&f, &attr, deep_then_park) == 0);
    CHECK(fctx_stack_usage(&s, FCTX_USAGE_RESIDENT, &res) == 0);
    CHECK(res > 0 && res <= 2 * fctx_stack_traits()->page_size); /* just the top */
    CHECK(fctx_fiber_cancel(f).fiber == NULL);
    CHECK(fctx_arena_destroy(arena) == 0);
}

int main(void)
{
    RUN(test_validation);
    RUN(test_create_ex);
    RUN(test_high_water);
    RUN(test_reuse_semantics);
    return 0;
}
