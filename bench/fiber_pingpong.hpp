// fiber_pingpong.hpp - the resume ping-pong loop of the C++ fiber cases,
// written once for any P0876-style fiber class (boost::context::fiber in
// boost_baseline.cpp, fctx::fiber in fiber_hpp.cpp), so that their rows
// differ only in the class: the resumer stores a counter, the fiber copies
// it and switches back.
#ifndef FCTX_BENCH_FIBER_PINGPONG_HPP
#define FCTX_BENCH_FIBER_PINGPONG_HPP

#include <cerrno>
#include <new>
#include <utility>

template <class Fiber> struct pingpong_state {
    Fiber f;
    long sent;
    long seen;
};

// make(fn) returns a Fiber that runs fn: the class's own constructor with
// its allocator of choice.
template <class Fiber, class Make> int pingpong_setup(void **out, Make make)
{
    auto *s = new (std::nothrow) pingpong_state<Fiber>;
    if (s == nullptr)
        return ENOMEM;
    s->sent = s->seen = 0;
    try {
        s->f = make([s](Fiber &&c) {
            for (;;) {
                s->seen = s->sent; // what the resumer just stored
                c = std::move(c).resume();
            }
            return std::move(c);
        });
        s->f = std::move(s->f).resume(); // run up to its first suspension
    } catch (...) {
        delete s;
        return ENOMEM;
    }
    *out = s;
    return 0;
}

template <class Fiber> int pingpong_run(void *state, long iters)
{
    auto *s = static_cast<pingpong_state<Fiber> *>(state);
    for (long i = 0; i < iters; ++i) {
        s->sent = i;
        s->f = std::move(s->f).resume();
        if (s->seen != i)
            return -1;
    }
    return 0;
}

template <class Fiber> void pingpong_teardown(void *state)
{
    delete static_cast<pingpong_state<Fiber> *>(state); // ~Fiber unwinds the suspended fiber
}

#endif
