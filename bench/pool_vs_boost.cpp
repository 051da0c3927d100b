// pool_vs_boost - create + first resume + finish of a fiber, fctx pooled
// stacks next to Boost.Context 1.74 fibers, measured in one process with
// the variants interleaved round by round (best round reported), so both
// sides see the same machine state.  Time is the thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID: user + system, not the time other processes
// ran), so a loaded machine slows both sides alike instead of adding noise.
//
//   pool_vs_boost [iterations per round [rounds]]     default 200000 7
//
// Every variant runs the same fiber: it returns its caller at once, so one
// iteration is: allocate a stack, prepare the context, switch in, switch
// out, free the stack.
#include <boost/context/fiber.hpp>
#include <boost/context/fixedsize_stack.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <fctx/fctx.h>
#include <fctx/stack_ext.h>

#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace bctx = boost::context;

static const std::size_t kStack = 128 * 1024; // as in bench/ (Boost's default size)

static fctx_fiber_t return_at_once(fctx_fiber_t caller, void *)
{
    return caller;
}

template <typename Alloc> static long boost_run(Alloc &alloc, long n)
{
    long ok = 0;
    for (long i = 0; i < n; ++i) {
        bctx::fiber f{std::allocator_arg, alloc, [](bctx::fiber &&c) { return std::move(c); }};
        f = std::move(f).resume();
        ok += !f;
    }
    return ok;
}

static long fctx_run(const fctx_allocator_t *a, long n)
{
    long ok = 0;
    for (long i = 0; i < n; ++i) {
        fctx_fiber_t f;
        if (fctx_fiber_create(&f, a, kStack, return_at_once) != 0)
            return -1;
        ok += fctx_fiber_resume(f, nullptr).fiber == nullptr;
    }
    return ok;
}

static double cpu_ns()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct variant {
    const char *name;
    std::function<long(long)> run;
    long per_round; // iterations per round (slow ones get fewer)
    double best = 1e300;
};

int main(int argc, char **argv)
{
    long n = argc > 1 ? std::atol(argv[1]) : 200000;
    int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
    if (n <= 0 || rounds <= 0) {
        std::fprintf(stderr, "usage: pool_vs_boost [iterations [rounds]]\n");
        return 2;
    }
    fctx_pool_t *guarded_pool = nullptr, *fixed_pool = nullptr;
    fctx_pool_config_t cfg = {nullptr, kStack, 64, 1, 0};
    if (fctx_pool_create(&guarded_pool, &cfg) != 0)
        return 1;
    cfg.upstream = fctx_fixed_allocator();
    if (fctx_pool_create(&fixed_pool, &cfg) != 0)
        return 1;
    fctx_arena_t *arena = nullptr;
    fctx_arena_config_t acfg = {kStack, 64, 0, 0};
    if (fctx_arena_create(&arena, &acfg) != 0)
        return 1;

    bctx::fixedsize_stack b_fixed(kStack);
    bctx::pooled_fixedsize_stack b_pooled(kStack);
    bctx::protected_fixedsize_stack b_protected(kStack);
    long slow = n / 100 > 0 ? n / 100 : 1;
    std::vector<variant> v = {
        {"Boost fiber, fixedsize_stack (malloc, no guard)",
         [&](long k) { return boost_run(b_fixed, k); }, n},
        {"Boost fiber, pooled_fixedsize_stack (no guard)",
         [&](long k) { return boost_run(b_pooled, k); }, n},
        {"fctx fiber, pool over guarded stacks",
         [&](long k) { return fctx_run(fctx_pool_allocator(guarded_pool), k); }, n},
        {"fctx fiber, pool over fixed stacks (no guard)",
         [&](long k) { return fctx_run(fctx_pool_allocator(fixed_pool), k); }, n},
        {"Boost fiber, protected_fixedsize_stack (mmap+mprotect)",
         [&](long k) { return boost_run(b_protected, k); }, slow},
        {"fctx fiber, guarded allocator (mmap+guard)",
         [&](long k) { return fctx_run(fctx_guarded_allocator(), k); }, slow},
        {"fctx fiber, arena (guard kept, pages released)",
         [&](long k) { return fctx_run(fctx_arena_allocator(arena), k); }, slow},
    };
    for (auto &x : v) // warm up: first-touch of stacks, malloc's mmap threshold
        if (x.run(x.per_round / 10 + 1) < 0)
            return 1;
    for (int r = 0; r < rounds; ++r) {
        for (auto &x : v) {
            double t0 = cpu_ns();
            long ok = x.run(x.per_round);
            double t1 = cpu_ns();
            if (ok != x.per_round) {
                std::fprintf(stderr, "%s: %ld of %ld finished\n", x.name, ok, x.per_round);
                return 1;
            }
            double ns = (t1 - t0) / (double)x.per_round;
            if (ns < x.best)
                x.best = ns;
        }
    }
    std::printf("fiber create + first resume + finish, %zu KiB stacks, best of %d rounds "
                "(thread CPU time)\n",
                kStack / 1024, rounds);
    std::printf("%-58s %12s\n", "variant", "ns/fiber");
    for (auto &x : v)
        std::printf("%-58s %12.1f\n", x.name, x.best);
    fctx_pool_stats_t s;
    fctx_pool_stats(guarded_pool, &s);
    std::printf("(guarded pool: %zu hits, %zu misses)\n", s.hits, s.misses);
    int bad = fctx_pool_destroy(guarded_pool) | fctx_pool_destroy(fixed_pool) |
              fctx_arena_destroy(arena);
    return bad ? 1 : 0;
}
