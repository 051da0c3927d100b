// test_fiber_hpp.cpp - the header-only C++ fiber (include/fctx/fiber.hpp):
// resume/transfer ping-pong, resume_with, operator bool, unwinding at
// destruction (destructors counted), never-started fibers, exceptions from the
// entry function reaching the resumer with the stack released, moves,
// creation errors, the pool, fixed and arena allocators, fibers on several
// threads (and migrating between them), and the fatal cases (child process).
#include <fctx/fiber.hpp>
#include <fctx/stack_ext.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

// std::thread: not in libstdc++ built with the win32 thread model (MinGW's
// default x86_64-w64-mingw32-g++); the threads test is skipped there.
// Nor in an Emscripten build without -pthread.
#if (defined(__GLIBCXX__) && !defined(_GLIBCXX_HAS_GTHREADS)) || \
    (defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__))
#  define TEST_HAVE_STD_THREAD 0
#else
#  define TEST_HAVE_STD_THREAD 1
#  include <thread>
#endif

#include "check.h"
#if !defined(_WIN32)
#  include "death.h"
#endif

namespace {

// A counting allocator in C++ (tests/counting_alloc.h is C11: <stdatomic.h>
// does not compile as C++17 with g++ 12): live stacks, and a failure to inject.
struct counting {
    const fctx_allocator_t *inner = fctx_guarded_allocator();
    std::atomic<long> live{0}, total{0};
    int fail_with = 0;

    static int allocate(void *state, std::size_t size, fctx_stack_t *out)
    {
        counting *c = static_cast<counting *>(state);
        if (c->fail_with != 0)
            return c->fail_with;
        int err = c->inner->allocate(c->inner->state, size, out);
        if (err == 0) {
            ++c->live;
            ++c->total;
        }
        return err;
    }
    static void deallocate(void *state, fctx_stack_t *s)
    {
        counting *c = static_cast<counting *>(state);
        --c->live;
        c->inner->deallocate(c->inner->state, s);
    }
    fctx_allocator_t allocator() { return fctx_allocator_t{allocate, deallocate, this}; }
};

// Counts its live instances (copies and moves included) and its destructions.
struct tracked {
    static int live;
    static int destroyed;
    tracked() { ++live; }
    tracked(const tracked &) { ++live; }
    tracked(tracked &&) noexcept { ++live; }
    ~tracked()
    {
        --live;
        ++destroyed;
    }
};
int tracked::live = 0;
int tracked::destroyed = 0;

struct boom : std::runtime_error {
    boom() : std::runtime_error("boom") {}
};

bool on_stack(const void *p, const fctx_stack_t &s)
{
    auto a = reinterpret_cast<std::uintptr_t>(p);
    auto top = reinterpret_cast<std::uintptr_t>(s.sp);
    return a < top && a >= top - s.size;
}

// Where the calling frame is: its locals may live elsewhere (ASan's fake
// stacks with detect_stack_use_after_return).
#if defined(__GNUC__) || defined(__clang__)
#  define frame_address() __builtin_frame_address(0)
#else
#  include <intrin.h>
#  define frame_address() _AddressOfReturnAddress()
#endif

#if TEST_HAVE_STD_THREAD
// The thread's id, asked anew at every call: glibc declares pthread_self()
// __attribute__((const)), so a fiber that migrates may otherwise see the id
// of the thread it ran on before the resume (the compiler keeps it).
std::thread::id (*volatile current_thread)() = [] { return std::this_thread::get_id(); };
#endif

// ---------------------------------------------------------------------------

void test_ping_pong()
{
    counting cnt;
    fctx_allocator_t a = cnt.allocator();
    int value = 0;
    {
        fctx::fiber f{std::allocator_arg, a, 0, [&value](fctx::fiber &&caller) {
                          for (int i = 1; i <= 5; ++i) {
                              value = i;
                              caller = std::move(caller).resume();
                              CHECK(caller); // main's handle comes back each time
                          }
                          value = 100;
                          return std::move(caller);
                      }};
        CHECK(cnt.live == 1);
        CHECK(f && !!f);
        CHECK(value == 0); // constructing does not run the entry
        for (int i = 1; i <= 5; ++i) {
            f = std::move(f).resume();
            CHECK(value == i);
            CHECK(static_cast<bool>(f));
        }
        f = std::move(f).resume();
        CHECK(value == 100);
        CHECK(!f);                     // finished: empty
        CHECK(!static_cast<bool>(f));
        CHECK(cnt.live == 0);          // and its stack is released
    }
    CHECK(cnt.total == 1);
}

// A fiber hands control to a second one, which returns to the first: the
// handle each resume returns is the fiber that switched.
void test_transfer()
{
    std::vector<int> trace;
    fctx::fiber outer{[&trace](fctx::fiber &&main_fiber) {
        trace.push_back(1);
        fctx::fiber inner{[&trace](fctx::fiber &&from_outer) {
            trace.push_back(2);
            from_outer = std::move(from_outer).resume(); // back to outer
            trace.push_back(4);
            return std::move(from_outer); // finish towards outer
        }};
        inner = std::move(inner).resume();
        trace.push_back(3);
        CHECK(inner);
        inner = std::move(inner).resume(); // inner finishes back to us
        CHECK(!inner);
        trace.push_back(5);
        return std::move(main_fiber);
    }};
    outer = std::move(outer).resume();
    CHECK(!outer);
    CHECK((trace == std::vector<int>{1, 2, 3, 4, 5}));
}

void test_resume_with()
{
    fctx_stack_t stack{};
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.stack_out = &stack;
    int step = 0;
    bool ran_on_target = false;
    fctx::fiber f{std::allocator_arg, attr, [&step](fctx::fiber &&caller) {
                      step = 1;
                      caller = std::move(caller).resume();
                      step = 3; // after the function on top
                      return std::move(caller);
                  }};
    f = std::move(f).resume();
    CHECK(step == 1);
    f = std::move(f).resume_with([&](fctx::fiber &&caller) {
        ran_on_target = on_stack(frame_address(), stack);
        CHECK(step == 1); // before the fiber continues
        step = 2;
        return std::move(caller); // becomes the fiber's pending resume()'s result
    });
    CHECK(ran_on_target);
    CHECK(step == 3);
    CHECK(!f);

    // On a fiber whose entry has not started: what fn returns is the entry's caller.
    int order = 0;
    fctx::fiber g{[&order](fctx::fiber &&caller) {
        CHECK(order == 1);
        order = 2;
        return std::move(caller);
    }};
    g = std::move(g).resume_with([&order](fctx::fiber &&caller) {
        order = 1;
        return std::move(caller);
    });
    CHECK(order == 2 && !g);

    // resume_with's result: the fiber that switched back (here: a suspension).
    int seen = 0;
    fctx::fiber h{[&seen](fctx::fiber &&caller) {
        for (;;) {
            ++seen;
            caller = std::move(caller).resume();
        }
        return std::move(caller);
    }};
    h = std::move(h).resume();
    h = std::move(h).resume_with([](fctx::fiber &&c) { return std::move(c); });
    CHECK(seen == 2 && h);
    // h is destroyed suspended inside its endless loop: unwound, not leaked.

    // fn throws: the exception comes out of the target's pending resume().
    fctx::fiber keep; // main's handle, kept by fn
    bool target_caught = false;
    fctx::fiber k{[&keep, &target_caught](fctx::fiber &&caller) {
        try {
            caller = std::move(caller).resume();
        } catch (const boom &) {
            target_caught = true;
        }
        CHECK(!caller);
        return std::move(keep); // back to main, through the handle fn kept
    }};
    k = std::move(k).resume();
    k = std::move(k).resume_with([&keep](fctx::fiber &&caller) -> fctx::fiber {
        keep = std::move(caller);
        throw boom();
    });
    CHECK(target_caught && !k && !keep);
}

void test_unwind_at_destruction()
{
    counting cnt;
    fctx_allocator_t a = cnt.allocator();
    tracked::live = tracked::destroyed = 0;
    bool after_resume = false;
    {
        fctx::fiber f{std::allocator_arg, a, 0, [&after_resume](fctx::fiber &&caller) {
                          tracked t1;
                          {
                              tracked t2;
                              tracked t3;
                              caller = std::move(caller).resume();
                              after_resume = true; // not reached: unwound from resume()
                          }
                          return std::move(caller);
                      }};
        f = std::move(f).resume();
        CHECK(f);
        CHECK(tracked::live == 3);
        CHECK(cnt.live == 1);
    } // ~fiber unwinds it
    CHECK(!after_resume);
    CHECK(tracked::live == 0);
    CHECK(tracked::destroyed == 3);
    CHECK(cnt.live == 0);

    // Assigning over a suspended fiber ends it the same way, and a fiber that
    // holds another suspended one ends that one while it unwinds.
    tracked::live = tracked::destroyed = 0;
    {
        fctx::fiber f{std::allocator_arg, a, 0, [a](fctx::fiber &&caller) {
                          tracked t;
                          fctx::fiber held{std::allocator_arg, a, 0, [](fctx::fiber &&c) {
                                               tracked inner;
                                               c = std::move(c).resume();
                                               return std::move(c);
                                           }};
                          held = std::move(held).resume(); // suspended inside, owned here
                          caller = std::move(caller).resume();
                          return std::move(caller);
                      }};
        f = std::move(f).resume();
        CHECK(tracked::live == 2);
        CHECK(cnt.live == 2);
        f = fctx::fiber{}; // the old one is unwound, and with it `held`
        CHECK(!f);
        CHECK(tracked::live == 0 && tracked::destroyed == 2);
        CHECK(cnt.live == 0);
    }
}

// A suspended fiber destroyed while the destroyer unwinds an exception of its
// own: the fiber's unwinding nests inside it (one thread, one exception state).
void test_unwind_during_unwind()
{
    tracked::live = tracked::destroyed = 0;
    bool caught = false;
    try {
        fctx::fiber f{[](fctx::fiber &&caller) {
            tracked t;
            caller = std::move(caller).resume();
            return std::move(caller);
        }};
        f = std::move(f).resume();
        CHECK(tracked::live == 1);
        throw boom(); // ~fiber runs during this exception's unwinding
    } catch (const boom &) {
        caught = true;
        CHECK(std::uncaught_exceptions() == 0);
    }
    CHECK(caught);
    CHECK(tracked::live == 0 && tracked::destroyed == 1);
}

void test_never_started()
{
    counting cnt;
    fctx_allocator_t a = cnt.allocator();
    tracked::live = tracked::destroyed = 0;
    bool ran = false;
    {
        tracked captured;
        fctx::fiber f{std::allocator_arg, a, 0, [&ran, captured](fctx::fiber &&caller) {
                          ran = true;
                          return std::move(caller);
                      }};
        CHECK(cnt.live == 1);
        CHECK(tracked::live == 2); // `captured` and the copy on the fiber's stack
    }
    CHECK(!ran);
    CHECK(tracked::live == 0); // the function object was destroyed
    CHECK(cnt.live == 0);
    CHECK(cnt.total == 1);
}

void test_exception_from_entry()
{
    counting cnt;
    fctx_allocator_t a = cnt.allocator();
    tracked::live = tracked::destroyed = 0;
    bool caught = false;
    {
        fctx::fiber f{std::allocator_arg, a, 0, [](fctx::fiber &&caller) -> fctx::fiber {
                          tracked t;
                          caller = std::move(caller).resume();
                          throw boom();
                      }};
        f = std::move(f).resume();
        CHECK(f && tracked::live == 1);
        try {
            f = std::move(f).resume();
        } catch (const boom &e) {
            caught = std::string(e.what()) == "boom";
            CHECK(cnt.live == 0);         // stack released before the rethrow
            CHECK(tracked::live == 0);    // and destructors on it ran
        }
        CHECK(!f); // consumed by the resume that threw
    }
    CHECK(caught);
    CHECK(cnt.live == 0);

    // Thrown before the first suspension, in a nested fiber: reaches the fiber
    // that resumed it, which handles it and finishes normally.
    bool inner_caught = false;
    fctx::fiber outer{[&inner_caught, a](fctx::fiber &&main_fiber) {
        fctx::fiber thrower{std::allocator_arg, a, 0,
                            [](fctx::fiber &&) -> fctx::fiber { throw 42; }};
        try {
            thrower = std::move(thrower).resume();
        } catch (int v) {
            inner_caught = v == 42;
        }
        return std::move(main_fiber);
    }};
    outer = std::move(outer).resume();
    CHECK(inner_caught && !outer);
    CHECK(cnt.live == 0);
}

// Copying the function object onto the new stack throws: the constructor
// rethrows it and nothing is leaked.
struct throws_on_copy {
    throws_on_copy() = default;
    throws_on_copy(const throws_on_copy &) { throw boom(); }
    fctx::fiber operator()(fctx::fiber &&c) const { return std::move(c); }
};

void test_creation_errors()
{
    counting cnt;
    fctx_allocator_t a = cnt.allocator();
    auto fn = [](fctx::fiber &&c) { return std::move(c); };

    cnt.fail_with = ENOMEM;
    bool bad_alloc = false;
    try {
        fctx::fiber f{std::allocator_arg, a, 0, fn};
    } catch (const std::bad_alloc &) {
        bad_alloc = true;
    }
    CHECK(bad_alloc);

    cnt.fail_with = EPERM; // a user allocator's own error comes through as is
    int code = 0;
    try {
        fctx::fiber f{std::allocator_arg, a, 0, fn};
    } catch (const std::system_error &e) {
        code = e.code().value();
    }
    CHECK(code == EPERM);
    cnt.fail_with = 0;

    code = 0;
    try {
        fctx::fiber f{std::allocator_arg, a, fctx_stack_traits()->max_size + 1, fn};
    } catch (const std::system_error &e) {
        code = e.code().value();
    }
    CHECK(code == E2BIG);

    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.flags = 0x80u; // unknown flag bit
    code = 0;
    try {
        fctx::fiber f{std::allocator_arg, attr, fn};
    } catch (const std::system_error &e) {
        code = e.code().value();
    }
    CHECK(code == EINVAL);

    throws_on_copy t;
    bool copy_threw = false;
    try {
        fctx::fiber f{std::allocator_arg, a, 0, t}; // lvalue: copied
    } catch (const boom &) {
        copy_threw = true;
    }
    CHECK(copy_threw);
    CHECK(cnt.total == 1 && cnt.live == 0);
}

fctx::fiber plain_entry(fctx::fiber &&c)
{
    return std::move(c);
}

void test_moves()
{
    int n = 0;
    auto body = [&n](fctx::fiber &&c) {
        ++n;
        c = std::move(c).resume();
        ++n;
        return std::move(c);
    };
    fctx::fiber a{body};
    fctx::fiber b{std::move(a)};
    CHECK(!a && b);
    fctx::fiber c;
    CHECK(!c);
    c = std::move(b);
    CHECK(!b && c);
    fctx::fiber &alias = c;
    c = std::move(alias); // self-assignment keeps it
    CHECK(c);
    swap(a, c);
    CHECK(a && !c);
    a.swap(c);
    CHECK(!a && c);
    c = std::move(c).resume();
    CHECK(n == 1 && c);
    c = std::move(c).resume();
    CHECK(n == 2 && !c);

    // Empty fibers: resume and resume_with throw, without switching.
    bool threw = false;
    try {
        c = std::move(c).resume();
    } catch (const std::invalid_argument &) {
        threw = true;
    }
    CHECK(threw);
    threw = false;
    try {
        c = std::move(c).resume_with([](fctx::fiber &&f) { return std::move(f); });
    } catch (const std::invalid_argument &) {
        threw = true;
    }
    CHECK(threw);

    // A plain function as the entry.
    fctx::fiber p{plain_entry};
    p = std::move(p).resume();
    CHECK(!p);

    // Many fibers alive at once in a container, finished in reverse order.
    std::vector<fctx::fiber> v;
    int done = 0;
    for (int i = 0; i < 16; ++i) {
        v.emplace_back([&done](fctx::fiber &&m) {
            m = std::move(m).resume();
            ++done;
            return std::move(m);
        });
        v.back() = std::move(v.back()).resume();
    }
    for (auto it = v.rbegin(); it != v.rend(); ++it) {
        *it = std::move(*it).resume();
        CHECK(!*it);
    }
    CHECK(done == 16);
}

void test_pool()
{
    counting cnt;
    fctx_allocator_t up = cnt.allocator();
    fctx_pool_config_t cfg = {&up, 0, 4, 1, 0};
    fctx_pool_t *pool = nullptr;
    CHECK(fctx_pool_create(&pool, &cfg) == 0);
    const fctx_allocator_t *pa = fctx_pool_allocator(pool);
    long sum = 0;
    for (int i = 0; i < 100; ++i) {
        fctx::fiber f{std::allocator_arg, *pa, 0, [&sum, i](fctx::fiber &&c) {
                          tracked t;
                          sum += i;
                          c = std::move(c).resume();
                          sum += i;
                          return std::move(c);
                      }};
        f = std::move(f).resume();
        if (i % 2 == 0)
            f = std::move(f).resume(); // finishes
        // odd ones: destroyed suspended, unwound back into the pool
    }
    CHECK(sum == 4950 + 2450);
    fctx_pool_stats_t st;
    CHECK(fctx_pool_stats(pool, &st) == 0);
    CHECK(st.outstanding == 0);
    CHECK(st.hits >= 99);
    CHECK(cnt.total == 1); // one upstream stack served everything
    CHECK(fctx_pool_destroy(pool) == 0);
    CHECK(cnt.live == 0);
}

// The other allocators of the C layer: fixed, and an arena (POSIX only).
void test_other_allocators()
{
    int runs = 0;
    auto body = [&runs](fctx::fiber &&c) {
        ++runs;
        c = std::move(c).resume();
        ++runs;
        return std::move(c);
    };
    fctx::fiber f{std::allocator_arg, *fctx_fixed_allocator(), 16 * 1024, body};
    f = std::move(f).resume();
    f = std::move(f).resume();
    CHECK(runs == 2 && !f);

    fctx_arena_config_t cfg = {0, 16, 0, 0};
    fctx_arena_t *arena = nullptr;
    int err = fctx_arena_create(&arena, &cfg);
    if (err == ENOTSUP)
        return; // no arenas on this system
    CHECK(err == 0);
    fctx_arena_stats_t st;
    {
        fctx::fiber g{std::allocator_arg, *fctx_arena_allocator(arena), 0, body};
        fctx::fiber h{std::allocator_arg, *fctx_arena_allocator(arena), 0, body};
        g = std::move(g).resume();
        CHECK(fctx_arena_stats(arena, &st) == 0 && st.live == 2);
        h = std::move(h).resume();
        h = std::move(h).resume();
        CHECK(runs == 5 && !h);
    } // g: unwound back into the arena
    CHECK(fctx_arena_stats(arena, &st) == 0 && st.live == 0);
    CHECK(fctx_arena_destroy(arena) == 0);
}

#if TEST_HAVE_STD_THREAD
void test_threads()
{
    // Fibers on several threads at once.
    std::atomic<long> total{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t) {
        ts.emplace_back([&total] {
            long local = 0;
            fctx::fiber f{[&local](fctx::fiber &&c) {
                for (int i = 0; i < 1000; ++i) {
                    ++local;
                    c = std::move(c).resume();
                }
                return std::move(c);
            }};
            while (f)
                f = std::move(f).resume();
            total += local;
        });
    }
    for (auto &t : ts)
        t.join();
    CHECK(total == 4000);

    // One fiber resumed on one thread after the other (it migrates), then
    // destroyed suspended on a third: unwound there.
    counting cnt;
    fctx_allocator_t a = cnt.allocator();
    tracked::live = tracked::destroyed = 0;
    std::vector<std::thread::id> seen;
    fctx::fiber f{std::allocator_arg, a, 0, [&seen](fctx::fiber &&c) {
                      tracked t;
                      for (;;) {
                          seen.push_back(current_thread());
                          c = std::move(c).resume();
                      }
                      return std::move(c);
                  }};
    // Three threads alive together (so their ids differ), taking turns.
    std::atomic<int> turn{0};
    std::vector<std::thread> runners;
    for (int i = 0; i < 3; ++i) {
        runners.emplace_back([&f, &turn, i] {
            while (turn.load() != i)
                std::this_thread::yield();
            f = std::move(f).resume();
            turn.store(i + 1);
            while (turn.load() != 3)
                std::this_thread::yield();
        });
    }
    for (auto &t : runners)
        t.join();
    CHECK(seen.size() == 3 && seen[0] != seen[1] && seen[1] != seen[2]);
    std::thread killer([&f] { f = fctx::fiber{}; });
    killer.join();
    CHECK(tracked::live == 0 && tracked::destroyed == 1);
    CHECK(cnt.live == 0);

    // An exception thrown on a fiber created on another thread reaches this one.
    fctx::fiber g{[](fctx::fiber &&c) -> fctx::fiber {
        c = std::move(c).resume();
        throw boom();
    }};
    std::thread starter([&g] { g = std::move(g).resume(); });
    starter.join();
    bool caught = false;
    try {
        g = std::move(g).resume();
    } catch (const boom &) {
        caught = true;
    }
    CHECK(caught && !g);
}
#endif

#if !defined(_WIN32)
// The documented fatal cases, in a child process (POSIX: how it died is a
// signal number there).
fctx::fiber stash; // keeps main's handle out of the unwinding below

void exception_without_caller()
{
    fctx::fiber f{[](fctx::fiber &&c) -> fctx::fiber {
        stash = std::move(c).resume(); // the parameter is empty now
        throw boom();
    }};
    f = std::move(f).resume();
    f = std::move(f).resume(); // the exception has nobody to go to: terminate
}

void swallowing_forced_unwind()
{
    fctx::fiber f{[](fctx::fiber &&c) {
        try {
            c = std::move(c).resume();
        } catch (...) {
            // swallowed: the fiber goes on instead of unwinding
        }
        return std::move(c); // empty: the destroyer's handle went with the exception
    }};
    f = std::move(f).resume();
}

void test_terminate_cases()
{
    struct death d = run_in_child(exception_without_caller);
    CHECK(d.signal == SIGABRT);
    CHECK(strstr(d.output, "forced_unwind") == nullptr);          // not main being unwound
    CHECK(strstr(d.output, "entry function returned") == nullptr); // but std::terminate
    d = run_in_child(swallowing_forced_unwind);
    CHECK(d.signal == SIGABRT);
    CHECK(strstr(d.output, "entry function returned") != nullptr);
}
#endif

// Shared stacks: fibers on one run stack (every switch between them copies),
// unwinding a swapped-out fiber at destruction, an exception from the entry
// of a shared fiber, and no buffer memory (std::bad_alloc, fiber kept).
int fail_buffers = 0;
void *test_resize(void *, void *p, std::size_t old_size, std::size_t new_size)
{
    if (new_size == 0) {
        std::free(p);
        return nullptr;
    }
    if (fail_buffers && new_size > old_size)
        return nullptr;
    return std::realloc(p, new_size);
}

void test_shared_stack()
{
    fctx_buffer_allocator_t buffers{test_resize, nullptr};
    fctx_shared_stack_attr_t attr = FCTX_SHARED_STACK_ATTR_INIT;
    attr.buffers = &buffers;
    fctx_shared_stack_t *ss = nullptr;
#ifdef FCTX_TEST_NO_SHARED_STACKS
    // Split-stack and wasm builds do not support shared stacks, and say so.
    CHECK(fctx_shared_stack_create(&ss, &attr) == ENOTSUP);
    printf("no shared stacks in this build (ENOTSUP)\n");
    return;
#endif
    CHECK(fctx_shared_stack_create(&ss, &attr) == 0);
    {
        int a_steps = 0, b_steps = 0;
        int destroyed_before = tracked::destroyed;
        fctx::fiber a{ss, [&](fctx::fiber &&caller) {
            tracked t;
            std::string text(200, 'a'); // heap, but its handle lives on the run stack
            for (;;) {
                ++a_steps;
                caller = std::move(caller).resume();
                CHECK(text == std::string(200, 'a'));
            }
            return std::move(caller);
        }};
        fctx::fiber b{ss, [&](fctx::fiber &&caller) {
            tracked t;
            char mine[500];
            std::memset(mine, 'b', sizeof mine);
            for (;;) {
                ++b_steps;
                caller = std::move(caller).resume();
                for (char c : mine)
                    CHECK(c == 'b');
            }
            return std::move(caller);
        }};
        for (int i = 0; i < 50; ++i) {
            a = std::move(a).resume(); // swaps b out, a in
            b = std::move(b).resume(); // and back
        }
        CHECK(a_steps == 50 && b_steps == 50);
        fctx_shared_stack_stats_t st;
        CHECK(fctx_shared_stack_stats(ss, &st) == 0);
        CHECK(st.fibers == 2 && st.copies >= 98);
        // Destroy a while it is swapped out: unwound, its tracked destroyed.
        int live = tracked::live;
        a = fctx::fiber{};
        CHECK(tracked::live == live - 1);
        CHECK(tracked::destroyed == destroyed_before + 1);
        b = std::move(b).resume(); // b is intact
        CHECK(b_steps == 51);
        // No buffer memory: d (created last: the occupant) cannot be swapped
        // out for b.
        fctx::fiber d{ss, [](fctx::fiber &&caller) { return std::move(caller); }};
        fail_buffers = 1;
        bool threw = false;
        try {
            b = std::move(b).resume();
        } catch (const std::bad_alloc &) {
            threw = true;
        }
        fail_buffers = 0;
        CHECK(threw);
        CHECK(static_cast<bool>(b)); // still there
        CHECK(b_steps == 51);
        b = std::move(b).resume(); // now it switches
        CHECK(b_steps == 52);
        d = std::move(d).resume(); // d runs and finishes
        CHECK(!d);
        // An exception from a shared fiber's entry reaches its resumer.
        fctx::fiber e{ss, [](fctx::fiber &&caller) -> fctx::fiber {
            caller = std::move(caller).resume();
            throw boom();
        }};
        e = std::move(e).resume();
        bool caught = false;
        try {
            e = std::move(e).resume();
        } catch (const boom &) {
            caught = true;
        }
        CHECK(caught && !e);
        CHECK(fctx_shared_stack_destroy(ss) == EBUSY); // b
    }
    CHECK(fctx_shared_stack_destroy(ss) == 0);
    bool threw = false;
    try {
        fctx::fiber bad{static_cast<fctx_shared_stack_t *>(nullptr),
                        [](fctx::fiber &&caller) { return std::move(caller); }};
    } catch (const std::system_error &e) {
        threw = e.code().value() == EINVAL;
    }
    CHECK(threw);
}

} // namespace

int main()
{
    RUN(test_ping_pong);
    RUN(test_transfer);
    RUN(test_resume_with);
    RUN(test_unwind_at_destruction);
    RUN(test_unwind_during_unwind);
    RUN(test_never_started);
    RUN(test_exception_from_entry);
    RUN(test_creation_errors);
    RUN(test_moves);
    RUN(test_pool);
    RUN(test_other_allocators);
    RUN(test_shared_stack);
#if TEST_HAVE_STD_THREAD
    RUN(test_threads);
#else
    printf("test_threads skipped: no std::thread in this build\n");
#endif
#if !defined(_WIN32)
    RUN(test_terminate_cases);
#endif
    return 0;
}
