// fiber_hpp.cpp - the C++ fctx::fiber (include/fctx/fiber.hpp) measured with
// the same loop as the boost::context::fiber case (fiber_pingpong.hpp), so
// the two rows differ only in the fiber class.
#include "bench.h"
#include "fiber_pingpong.hpp"

#include <fctx/fiber.hpp>

#include <cerrno>
#include <new>
#include <utility>

namespace {

const std::size_t kPingPongStack = 64 * 1024; // as bench.c and the Boost cases

int hpp_setup(void **out)
{
    return pingpong_setup<fctx::fiber>(out, [](auto fn) {
        return fctx::fiber{std::allocator_arg, *fctx_fixed_allocator(), kPingPongStack,
                           std::move(fn)};
    });
}

const bench_case kHppCases[] = {
    {"fiber_hpp", "switch", "fctx::fiber::resume (fiber.hpp)", "boost_fiber", 2.0, hpp_setup,
     pingpong_run<fctx::fiber>, pingpong_teardown<fctx::fiber>},
};

} // namespace

extern "C" const bench_case *bench_hpp_cases(unsigned *count)
{
    *count = sizeof kHppCases / sizeof kHppCases[0];
    return kHppCases;
}
