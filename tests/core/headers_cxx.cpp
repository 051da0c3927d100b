// The public headers compile as C++ (no C-only constructs, extern "C").
#include <fctx/fctx.h>
static_assert(sizeof(fctx_transfer_t) == 2 * sizeof(void *), "two-word transfer");
static_assert(sizeof(fctx_fiber_transfer_t) == sizeof(fctx_transfer_t), "same shape");
int main() { return fctx_stack_traits()->page_size ? 0 : 1; }
