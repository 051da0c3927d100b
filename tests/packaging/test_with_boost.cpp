// fctx and Boost.Context in one process: no symbol clashes, and contexts of
// both kinds interleave (a Boost context drives an fctx fiber and back).
#include <boost/context/detail/fcontext.hpp>
#include <fctx/fctx.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "vg.h"

namespace bctx = boost::context::detail;

#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
            std::exit(1);                                                         \
        }                                                                         \
    } while (0)

static fctx_fiber_t doubler(fctx_fiber_t caller, void *data)
{
    while (data != nullptr) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, (void *)((intptr_t)data * 2));
        caller = t.fiber;
        data = t.data;
    }
    return caller;
}

// Runs on a Boost context: uses an fctx fiber, then returns to main.
static void boost_entry(bctx::transfer_t t)
{
    fctx_fiber_t f;
    intptr_t sum = 0;
    if (fctx_fiber_create(&f, nullptr, 0, doubler) == 0) {
        for (intptr_t i = 1; i <= 100; ++i) {
            fctx_fiber_transfer_t r = fctx_fiber_resume(f, (void *)i);
            sum += (intptr_t)r.data;
            f = r.fiber;
        }
        fctx_fiber_resume(f, nullptr); // finish it
    }
    bctx::jump_fcontext(t.fctx, (void *)sum);
}

int main()
{
    std::vector<char> stack(256 * 1024);
    TEST_STACK_REGISTER(stack.data(), stack.data() + stack.size()); // raw Boost switch
    bctx::fcontext_t c = bctx::make_fcontext(stack.data() + stack.size(), stack.size(), boost_entry);
    bctx::transfer_t t = bctx::jump_fcontext(c, nullptr);
    CHECK((intptr_t)t.data == 2 * 5050);
    std::printf("Boost context drove an fctx fiber: sum %ld\n", (long)(intptr_t)t.data);
    return 0;
}
