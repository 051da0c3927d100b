// boost_baseline.cpp - Boost.Context measured with the same loops as fctx
// (bench.c): raw jump_fcontext / ontop_fcontext ping-pong, boost::context::fiber
// resume ping-pong, fiber create + first resume + finish per stack allocator,
// and parked fibers for the memory measurement.  C++ only because Boost is.
#include "bench.h"
#include "fiber_pingpong.hpp"

#include <boost/context/detail/fcontext.hpp>
#include <boost/context/fiber.hpp>
#include <boost/context/fixedsize_stack.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <boost/context/stack_context.hpp>
#include <boost/version.hpp>

#include <cerrno>
#include <cfenv>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace bctx = boost::context;
namespace bdet = boost::context::detail;

namespace {

const std::size_t kPingPongStack = 64 * 1024;
const std::size_t kPageAlign = 4096; // bench.c aligns its ping-pong stacks the same way

// Page-aligned ping-pong stacks for the fiber, as bench.c uses for fctx.
struct aligned_stack {
    bctx::stack_context allocate()
    {
        void *p = std::aligned_alloc(kPageAlign, kPingPongStack);
        if (p == nullptr)
            throw std::bad_alloc();
        bctx::stack_context sc;
        sc.size = kPingPongStack;
        sc.sp = static_cast<char *>(p) + kPingPongStack;
        return sc;
    }
    void deallocate(bctx::stack_context &sc) noexcept
    {
        std::free(static_cast<char *>(sc.sp) - sc.size);
    }
};

// ---- raw jump_fcontext ping-pong: the peer echoes the data it receives.
struct raw_state {
    void *stack;
    bdet::fcontext_t ctx;
};

void jump_peer(bdet::transfer_t t)
{
    for (;;)
        t = bdet::jump_fcontext(t.fctx, t.data);
}

int jump_setup(void **out)
{
    raw_state *s = new (std::nothrow) raw_state;
    if (s == nullptr)
        return ENOMEM;
    s->stack = std::aligned_alloc(kPageAlign, kPingPongStack);
    if (s->stack == nullptr) {
        delete s;
        return ENOMEM;
    }
    s->ctx = bdet::make_fcontext(static_cast<char *>(s->stack) + kPingPongStack, kPingPongStack,
                                 jump_peer);
    *out = s;
    return 0;
}

int jump_run(void *state, long iters)
{
    raw_state *s = static_cast<raw_state *>(state);
    bdet::fcontext_t c = s->ctx;
    for (long i = 0; i < iters; ++i) {
        bdet::transfer_t t = bdet::jump_fcontext(c, reinterpret_cast<void *>(i));
        if (t.data != reinterpret_cast<void *>(i))
            return -1;
        c = t.fctx;
    }
    s->ctx = c;
    return 0;
}

void raw_teardown(void *state)
{
    raw_state *s = static_cast<raw_state *>(state);
    std::free(s->stack); // the peer is suspended for good: nothing on its stack to run
    delete s;
}

// ---- raw ontop_fcontext ping-pong with an identity function on top.
bdet::transfer_t identity(bdet::transfer_t t)
{
    return t;
}

void ontop_peer(bdet::transfer_t t)
{
    for (;;)
        t = bdet::ontop_fcontext(t.fctx, t.data, identity);
}

int ontop_setup(void **out)
{
    raw_state *s = new (std::nothrow) raw_state;
    if (s == nullptr)
        return ENOMEM;
    s->stack = std::aligned_alloc(kPageAlign, kPingPongStack);
    if (s->stack == nullptr) {
        delete s;
        return ENOMEM;
    }
    s->ctx = bdet::make_fcontext(static_cast<char *>(s->stack) + kPingPongStack, kPingPongStack,
                                 ontop_peer);
    // First switch with a plain jump: ontop_peer starts with the transfer.
    s->ctx = bdet::jump_fcontext(s->ctx, nullptr).fctx;
    *out = s;
    return 0;
}

int ontop_run(void *state, long iters)
{
    raw_state *s = static_cast<raw_state *>(state);
    bdet::fcontext_t c = s->ctx;
    for (long i = 0; i < iters; ++i) {
        bdet::transfer_t t = bdet::ontop_fcontext(c, reinterpret_cast<void *>(i), identity);
        if (t.data != reinterpret_cast<void *>(i))
            return -1;
        c = t.fctx;
    }
    s->ctx = c;
    return 0;
}

// ---- boost::context::fiber resume ping-pong (fiber_pingpong.hpp).
int fiber_setup(void **out)
{
    return pingpong_setup<bctx::fiber>(out, [](auto fn) {
        return bctx::fiber{std::allocator_arg, aligned_stack(), std::move(fn)};
    });
}

// ---- FP-state cases (bench.h: enum bench_fp_state), the same loops as
// bench.c's fpjump_* / fpfiber_*: each side multiplies once per iteration,
// the first switch of a round prepares both sides' flags and modes.
int fp_state_supported(bench_fp_state st)
{
#ifdef FE_TOWARDZERO
    (void)st;
    return 0;
#else
    return st == BENCH_FP_CONTROL ? ENOTSUP : 0;
#endif
}

struct fpjump_state {
    void *stack;
    bdet::fcontext_t ctx;
    bench_fp_state st;
    bench_fp_side main_side, peer;
};

void fpjump_peer(bdet::transfer_t t)
{
    fpjump_state *s = static_cast<fpjump_state *>(t.data);
    t = bdet::jump_fcontext(t.fctx, nullptr);
    for (;;) {
        void *reply = t.data;
        if (bench_fp_is_token(reply))
            reply = bench_fp_peer_token(s->st, reply);
        else
            bench_fp_op(&s->peer);
        t = bdet::jump_fcontext(t.fctx, reply);
    }
}

template <bench_fp_state St> int fpjump_setup(void **out)
{
    if (int err = fp_state_supported(St))
        return err;
    fpjump_state *s = new (std::nothrow) fpjump_state;
    if (s == nullptr)
        return ENOMEM;
    s->stack = std::aligned_alloc(kPageAlign, kPingPongStack);
    if (s->stack == nullptr) {
        delete s;
        return ENOMEM;
    }
    s->st = St;
    bench_fp_init(&s->main_side, &s->peer, St);
    s->ctx = bdet::make_fcontext(static_cast<char *>(s->stack) + kPingPongStack, kPingPongStack,
                                 fpjump_peer);
    s->ctx = bdet::jump_fcontext(s->ctx, s).fctx; // the peer takes s, waits for the first round
    *out = s;
    return 0;
}

int fpjump_run(void *state, long iters)
{
    fpjump_state *s = static_cast<fpjump_state *>(state);
    bdet::fcontext_t c = bdet::jump_fcontext(s->ctx, BENCH_FP_PREPARE).fctx;
    bench_fp_prepare_main();
    for (long i = 0; i < iters; ++i) {
        bench_fp_op(&s->main_side);
        bdet::transfer_t t = bdet::jump_fcontext(c, reinterpret_cast<void *>(i));
        if (t.data != reinterpret_cast<void *>(i))
            return -1;
        c = t.fctx;
    }
    bdet::transfer_t t = bdet::jump_fcontext(c, BENCH_FP_CHECK);
    s->ctx = t.fctx;
    return bench_fp_check_main(t.data);
}

void fpjump_teardown(void *state)
{
    fpjump_state *s = static_cast<fpjump_state *>(state);
    std::free(s->stack); // the peer stays suspended for good
    delete s;
}

struct fpfiber_state {
    bctx::fiber f;
    bench_fp_state st;
    bench_fp_side main_side, peer;
    long sent;
    long seen;
    void *token; // BENCH_FP_PREPARE / BENCH_FP_CHECK, else nullptr
    void *answer;
};

template <bench_fp_state St> int fpfiber_setup(void **out)
{
    if (int err = fp_state_supported(St))
        return err;
    fpfiber_state *s = new (std::nothrow) fpfiber_state;
    if (s == nullptr)
        return ENOMEM;
    s->st = St;
    bench_fp_init(&s->main_side, &s->peer, St);
    s->sent = s->seen = 0;
    s->token = s->answer = nullptr;
    try {
        s->f = bctx::fiber{std::allocator_arg, aligned_stack(),
                           [s](bctx::fiber &&c) {
                               for (;;) {
                                   if (s->token != nullptr)
                                       s->answer = bench_fp_peer_token(s->st, s->token);
                                   else
                                       bench_fp_op(&s->peer);
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

int fpfiber_run(void *state, long iters)
{
    fpfiber_state *s = static_cast<fpfiber_state *>(state);
    s->token = BENCH_FP_PREPARE;
    s->f = std::move(s->f).resume(); // the peer's part first
    s->token = nullptr;
    bench_fp_prepare_main();
    for (long i = 0; i < iters; ++i) {
        bench_fp_op(&s->main_side);
        s->sent = i;
        s->f = std::move(s->f).resume();
        if (s->seen != i)
            return -1;
    }
    s->token = BENCH_FP_CHECK;
    s->f = std::move(s->f).resume();
    s->token = nullptr;
    return bench_fp_check_main(s->answer);
}

void fpfiber_teardown(void *state)
{
    delete static_cast<fpfiber_state *>(state); // ~fiber unwinds the suspended fiber
}

// ---- create + first resume + finish, per stack allocator.
const std::size_t kCreateStack = 128 * 1024; // bench.c uses the same size for fctx

template <typename Alloc> struct create_state {
    Alloc alloc;
    create_state() : alloc(kCreateStack) {}
};

template <typename Alloc> int create_setup(void **out)
{
    create_state<Alloc> *s = new (std::nothrow) create_state<Alloc>;
    if (s == nullptr)
        return ENOMEM;
    *out = s;
    return 0;
}

template <typename Alloc> int create_run(void *state, long iters)
{
    create_state<Alloc> *s = static_cast<create_state<Alloc> *>(state);
    try {
        for (long i = 0; i < iters; ++i) {
            bool ran = false;
            bctx::fiber f{std::allocator_arg, s->alloc, [&ran](bctx::fiber &&c) {
                              ran = true;
                              return std::move(c);
                          }};
            f = std::move(f).resume();
            if (!ran || f)
                return -1; // it must have run and finished
        }
    } catch (...) {
        return -1;
    }
    return 0;
}

template <typename Alloc> void create_teardown(void *state)
{
    delete static_cast<create_state<Alloc> *>(state);
}

// ---- parked fibers (memory per suspended fiber).
struct park_state {
    std::vector<bctx::fiber> fibers;
};

int park(void **out, long n, std::size_t stack_size)
{
    park_state *s = new (std::nothrow) park_state;
    if (s == nullptr)
        return ENOMEM;
    try {
        s->fibers.reserve(static_cast<std::size_t>(n));
        for (long i = 0; i < n; ++i) {
            bctx::fiber f{std::allocator_arg, bctx::fixedsize_stack(stack_size),
                          [](bctx::fiber &&c) {
                              volatile char touch[256]; // a little stack in use, like real code
                              touch[0] = 1;
                              c = std::move(c).resume(); // park here
                              (void)touch[0];
                              return std::move(c);
                          }};
            s->fibers.push_back(std::move(f).resume());
        }
    } catch (...) {
        for (bctx::fiber &f : s->fibers)
            f = std::move(f).resume();
        delete s;
        return ENOMEM;
    }
    *out = s;
    return 0;
}

int unpark(void *state)
{
    park_state *s = static_cast<park_state *>(state);
    int rc = 0;
    for (bctx::fiber &f : s->fibers) {
        f = std::move(f).resume();
        if (f)
            rc = -1; // it must have finished
    }
    delete s;
    return rc;
}

const bench_case kCases[] = {
    {"boost_jump", "switch", "Boost jump_fcontext", nullptr, 2.0, jump_setup, jump_run,
     raw_teardown},
    {"boost_fiber", "switch", "Boost fiber::resume", nullptr, 2.0, fiber_setup,
     pingpong_run<bctx::fiber>, pingpong_teardown<bctx::fiber>},
    {"boost_ontop", "switch", "Boost ontop_fcontext (identity on top)", nullptr, 2.0, ontop_setup,
     ontop_run, raw_teardown},
    {"boost_jump_fp_equal", "fpstate",
     "Boost jump_fcontext, FP state equal (both sides inexact: PE set on both)", nullptr, 2.0,
     fpjump_setup<BENCH_FP_EQUAL>, fpjump_run, fpjump_teardown},
    {"boost_jump_fp_status", "fpstate",
     "Boost jump_fcontext, status flags differ (main PE set, peer PE clear)", nullptr, 2.0,
     fpjump_setup<BENCH_FP_STATUS>, fpjump_run, fpjump_teardown},
    {"boost_jump_fp_control", "fpstate",
     "Boost jump_fcontext, control differs (peer rounds toward zero)", nullptr, 2.0,
     fpjump_setup<BENCH_FP_CONTROL>, fpjump_run, fpjump_teardown},
    {"boost_fiber_fp_equal", "fpstate",
     "Boost fiber::resume, FP state equal (both sides inexact: PE set on both)", nullptr, 2.0,
     fpfiber_setup<BENCH_FP_EQUAL>, fpfiber_run, fpfiber_teardown},
    {"boost_fiber_fp_status", "fpstate",
     "Boost fiber::resume, status flags differ (main PE set, peer PE clear)", nullptr, 2.0,
     fpfiber_setup<BENCH_FP_STATUS>, fpfiber_run, fpfiber_teardown},
    {"boost_fiber_fp_control", "fpstate",
     "Boost fiber::resume, control differs (peer rounds toward zero)", nullptr, 2.0,
     fpfiber_setup<BENCH_FP_CONTROL>, fpfiber_run, fpfiber_teardown},
    {"boost_create_fixed", "create", "Boost fiber, fixedsize_stack (malloc)", nullptr, 1.0,
     create_setup<bctx::fixedsize_stack>, create_run<bctx::fixedsize_stack>,
     create_teardown<bctx::fixedsize_stack>},
    {"boost_create_protected", "create", "Boost fiber, protected_fixedsize_stack (mmap+mprotect)",
     nullptr, 1.0, create_setup<bctx::protected_fixedsize_stack>,
     create_run<bctx::protected_fixedsize_stack>, create_teardown<bctx::protected_fixedsize_stack>},
    {"boost_create_pooled", "create", "Boost fiber, pooled_fixedsize_stack", nullptr, 1.0,
     create_setup<bctx::pooled_fixedsize_stack>, create_run<bctx::pooled_fixedsize_stack>,
     create_teardown<bctx::pooled_fixedsize_stack>},
};

const bench_parker kParkers[] = {
    {"boost_park_fixed", "Boost fiber, fixedsize_stack (malloc)", park, unpark, nullptr},
};

} // namespace

extern "C" const bench_case *bench_boost_cases(unsigned *count)
{
    *count = sizeof kCases / sizeof kCases[0];
    return kCases;
}

extern "C" const bench_parker *bench_boost_parkers(unsigned *count)
{
    *count = sizeof kParkers / sizeof kParkers[0];
    return kParkers;
}

extern "C" const char *bench_boost_version(void)
{
#define BENCH_STR2(x) #x
#define BENCH_STR(x) BENCH_STR2(x)
    return BENCH_STR(BOOST_VERSION); /* major * 100000 + minor * 100 + patch */
}
