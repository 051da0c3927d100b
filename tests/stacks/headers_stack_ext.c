/* fctx/stack_ext.h compiles as strict C11 on its own (tests/stacks.cmake). */
#include <fctx/stack_ext.h>
#include <fctx/fiber.h>

int main(void)
{
    fctx_pool_config_t pool = {NULL, 0, 0, 0, 0};
    fctx_arena_config_t arena = {0, 0, 0, 0};
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    (void)pool;
    (void)arena;
    (void)attr;
    return FCTX_USAGE_RESIDENT != FCTX_USAGE_PATTERN ? 0 : 1;
}
