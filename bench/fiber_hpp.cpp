// fiber_hpp.cpp - the C++ fctx::fiber (include/fctx/fiber.hpp) measured with
// the loop of the boost::context::fiber case (boost_baseline.cpp): resume
// ping-pong, the resumer stores a counter and the fiber copies it, so the
// two rows differ only in the fiber class.
#include "bench.h"

#include <fctx/fiber.hpp>

#include <cerrno>
#include <new>
#include <utility>

namespace {

const std::size_t kPingPongStack = 64 * 1024; // as bench.c and the Boost cases

struct hpp_state {
    fctx::fiber f;
    long sent;
    long seen;
};

int hpp_setup(void **out)
{
    hpp_state *s = new (std::nothrow) hpp_state;
    if (s == nullptr)
        return ENOMEM;
    s->sent = s->seen = 0;
    try {
        s->f = fctx::fiber{std::allocator_arg, *fctx_fixed_allocator(), kPingPongStack,
                           [s](fctx::fiber &&c) {
                               for (;;) {
                                   s->seen = s->sent; // what the resumer just stored
                                   c = std::move(c).resume();
                               }
                               return std::move(c);
                           }};
        s->f = std::move(s->f).resume(); // run up to its first suspension
    } catch (...) {
        delete s;
        return ENOMEM;
    }
    *out = s;
    return 0;
}

int hpp_run(void *state, long iters)
{
    hpp_state *s = static_cast<hpp_state *>(state);
    for (long i = 0; i < iters; ++i) {
        s->sent = i;
        s->f = std::move(s->f).resume();
        if (s->seen != i)
            return -1;
    }
    return 0;
}

void hpp_teardown(void *state)
{
    delete static_cast<hpp_state *>(state); // ~fiber unwinds the suspended fiber
}

const bench_case kHppCases[] = {
    {"fiber_hpp", "switch", "fctx::fiber::resume (fiber.hpp)", "boost_fiber", 2.0, hpp_setup,
     hpp_run, hpp_teardown},
};

} // namespace

extern "C" const bench_case *bench_hpp_cases(unsigned *count)
{
    *count = sizeof kHppCases / sizeof kHppCases[0];
    return kHppCases;
}
