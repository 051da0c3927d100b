// fctx/stack_ext.h and the fiber attributes compile as C++ (tests/stacks.cmake).
#include <fctx/fiber.h>
#include <fctx/stack_ext.h>

int main()
{
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    fctx_usage_method_t m = FCTX_USAGE_PATTERN;
    return attr.flags == 0 && m == FCTX_USAGE_PATTERN && fctx_pool_allocator(nullptr) == nullptr ? 0 : 1;
}
