// C++ users unwind a suspended fiber's stack with resume_with + throw:
// destructors on the fiber's stack run, the exception is caught in the
// fiber's entry, which returns the caller's handle; the stack is released.
// Also: an exception thrown and caught entirely inside a fiber, and the
// C++ notes of fctx/fiber.h:
//  - exception state is per thread, not per fiber: a fiber that switches
//    inside a catch block and is switched back to sees the other fiber's
//    exception in `throw;` and std::current_exception(), and
//    std::uncaught_exceptions() counts the other fiber's unwinding; the
//    safe pattern (std::exception_ptr captured before the switch, rethrown
//    with std::rethrow_exception) gets its own exception back;
//  - throwing from resume_with on a fiber that never started calls
//    std::terminate (checked in a child process); fctx_fiber_cancel()
//    unwinds every fiber, started or not, without that hazard.
#include <fctx/fctx.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <stdlib.h>
#include <string>

#include "death.h"

#define CHECK(c)                                                          \
    do {                                                                  \
        if (!(c)) {                                                       \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,   \
                         __LINE__, #c);                                   \
            std::exit(1);                                                 \
        }                                                                 \
    } while (0)

namespace {

struct forced_unwind {
    fctx_fiber_t caller;
};

int destroyed = 0;
struct guard {
    ~guard() { ++destroyed; }
};

fctx_fiber_transfer_t throw_unwind(fctx_fiber_transfer_t t)
{
    throw forced_unwind{t.fiber};
}

fctx_fiber_t deep_worker(fctx_fiber_t caller, int depth)
{
    guard g;
    if (depth > 0)
        return deep_worker(caller, depth - 1);
    // Stays suspended here until the caller unwinds us (or ends us normally).
    for (;;) {
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, nullptr);
        caller = t.fiber;
        if (t.data != nullptr)
            return caller;
    }
}

extern "C" fctx_fiber_t worker(fctx_fiber_t caller, void *)
{
    try {
        deep_worker(caller, 9); // 10 guards on the fiber's stack
    } catch (forced_unwind &u) {
        return u.caller;
    }
    return caller;
}

extern "C" fctx_fiber_t thrower(fctx_fiber_t caller, void *)
{
    std::string what;
    for (int i = 0; i < 100; ++i) {
        try {
            guard g;
            throw std::runtime_error("inside fiber " + std::to_string(i));
        } catch (const std::exception &e) {
            what = e.what();
        }
    }
    static std::string result;
    result = what;
    return fctx_fiber_resume(caller, &result).fiber;
}

// ---- exception state is per thread -------------------------------------

struct main_error {
    int id;
};
struct fiber_error {
    int id;
};

// Which of our two exception types `ep` holds: 'm', 'f', or '?'.
char kind_of(std::exception_ptr ep)
{
    if (!ep)
        return '0';
    try {
        std::rethrow_exception(ep);
    } catch (const main_error &) {
        return 'm';
    } catch (const fiber_error &) {
        return 'f';
    } catch (...) {
        return '?';
    }
}

// Throws and catches fiber_error, and switches back to the caller from
// inside its catch block; finishes its catch when resumed again.
extern "C" fctx_fiber_t switch_in_catch(fctx_fiber_t caller, void *)
{
    try {
        throw fiber_error{2};
    } catch (const fiber_error &e) {
        CHECK(e.id == 2);
        caller = fctx_fiber_resume(caller, nullptr).fiber;
        CHECK(e.id == 2); // still ours: the main side left our exception alone
    }
    return caller;
}

void test_exception_state_is_per_thread()
{
    fctx_fiber_t f = nullptr;
    CHECK(fctx_fiber_create(&f, nullptr, 0, switch_in_catch) == 0);
    char current_after_switch = 0, rethrown = 0, safe = 0;
    try {
        throw main_error{1};
    } catch (const main_error &) {
        std::exception_ptr mine = std::current_exception(); // the safe pattern
        CHECK(kind_of(std::current_exception()) == 'm');
        fctx_fiber_transfer_t t = fctx_fiber_resume(f, nullptr); // f switches back in its catch
        f = t.fiber;
        CHECK(f != nullptr);
        // Documented behaviour: the thread's innermost caught exception is
        // now the fiber's, so `throw;` and current_exception() see it.
        current_after_switch = kind_of(std::current_exception());
        try {
            throw;
        } catch (const main_error &) {
            rethrown = 'm';
        } catch (const fiber_error &) {
            rethrown = 'f';
        }
        // Documented safe pattern: what we captured before the switch.
        try {
            std::rethrow_exception(mine);
        } catch (const main_error &e) {
            safe = e.id == 1 ? 'm' : '?';
        } catch (...) {
            safe = '?';
        }
        // Let the fiber finish its catch block before we leave ours
        // (catch blocks of one thread must end in LIFO order).
        t = fctx_fiber_resume(f, nullptr);
        CHECK(t.fiber == nullptr && t.data == nullptr);
        CHECK(kind_of(std::current_exception()) == 'm'); // ours again
    }
    CHECK(!std::current_exception());
    std::printf("after a switch inside a catch block: current_exception() holds the %s "
                "exception, `throw;` rethrows the %s one; the captured exception_ptr "
                "rethrows %s\n",
                current_after_switch == 'f' ? "other fiber's" : "own",
                rethrown == 'f' ? "other fiber's" : "own", safe == 'm' ? "ours" : "?");
    CHECK(current_after_switch == 'f');
    CHECK(rethrown == 'f');
    CHECK(safe == 'm');
}

int uncaught_seen_in_fiber = -1;

// A destructor that switches to the caller while its fiber unwinds.
struct switch_while_unwinding {
    fctx_fiber_t *caller;
    ~switch_while_unwinding()
    {
        uncaught_seen_in_fiber = std::uncaught_exceptions();
        *caller = fctx_fiber_resume(*caller, nullptr).fiber;
    }
};

extern "C" fctx_fiber_t unwind_and_switch(fctx_fiber_t caller, void *)
{
    try {
        switch_while_unwinding s{&caller};
        throw fiber_error{3};
    } catch (const fiber_error &e) {
        CHECK(e.id == 3);
    }
    return caller;
}

void test_uncaught_exceptions_is_per_thread()
{
    fctx_fiber_t f = nullptr;
    CHECK(fctx_fiber_create(&f, nullptr, 0, unwind_and_switch) == 0);
    CHECK(std::uncaught_exceptions() == 0);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, nullptr); // f is unwinding, paused
    CHECK(t.fiber != nullptr);
    int seen_here = std::uncaught_exceptions();
    t = fctx_fiber_resume(t.fiber, nullptr); // f finishes unwinding and catches
    CHECK(t.fiber == nullptr);
    std::printf("std::uncaught_exceptions(): %d in the unwinding fiber, %d on the main "
                "side that is not unwinding\n",
                uncaught_seen_in_fiber, seen_here);
    CHECK(uncaught_seen_in_fiber == 1);
    CHECK(seen_here == 1); // documented: the count is the thread's
    CHECK(std::uncaught_exceptions() == 0);
}

// ---- fibers that never started ---------------------------------------------

int entry_ran = 0;

extern "C" fctx_fiber_t never_runs(fctx_fiber_t caller, void *)
{
    ++entry_ran;
    return caller;
}

// Documented: nothing on a never-started fiber's stack can catch, so an
// exception thrown by resume_with's function reaches the bottom of the
// fiber's stack and the C++ runtime calls std::terminate.
void throw_into_never_started()
{
    fctx_fiber_t f = nullptr;
    if (fctx_fiber_create(&f, nullptr, 0, never_runs) != 0)
        std::_Exit(3);
    std::fputs("throwing into a never-started fiber\n", stderr);
    fctx_fiber_resume_with(f, throw_unwind, nullptr);
    std::_Exit(4); // not reached
}

// The documented way to unwind any fiber, started or not: cancel it.  A
// never-started one is released at once without running its entry; a
// started one sees FCTX_FIBER_CANCELED from its pending resume and throws
// from its own frame, inside its entry's try block.
struct canceled {
    fctx_fiber_t caller;
};

fctx_fiber_t suspend(fctx_fiber_t peer)
{
    fctx_fiber_transfer_t t = fctx_fiber_resume(peer, nullptr);
    if (t.data == FCTX_FIBER_CANCELED)
        throw canceled{t.fiber};
    return t.fiber;
}

extern "C" fctx_fiber_t cancellable(fctx_fiber_t caller, void *)
{
    ++entry_ran;
    try {
        guard g1;
        guard g2;
        for (;;)
            caller = suspend(caller);
    } catch (canceled &c) {
        return c.caller;
    }
}

// What a C++ owner of a fiber handle does in its destructor.
class fiber_owner {
public:
    explicit fiber_owner(fctx_fiber_fn fn)
    {
        CHECK(fctx_fiber_create(&f_, nullptr, 0, fn) == 0);
    }
    ~fiber_owner()
    {
        if (f_ != nullptr) {
            fctx_fiber_transfer_t t = fctx_fiber_cancel(f_);
            CHECK(t.fiber == nullptr && t.data == nullptr);
        }
    }
    void resume() { f_ = fctx_fiber_resume(f_, nullptr).fiber; }
    fiber_owner(const fiber_owner &) = delete;
    fiber_owner &operator=(const fiber_owner &) = delete;

private:
    fctx_fiber_t f_ = nullptr;
};

void test_never_started()
{
    struct death d = run_in_child(throw_into_never_started);
    std::printf("throw from resume_with into a never-started fiber: child died of signal "
                "%d (exit %d)\n",
                d.signal, d.exit_code);
#if defined(_WIN32)
    // Windows (SEH unwinding): the exception finds no handler and the process
    // ends with its exception code ('GCC ' | 0x20000000 for g++ exceptions).
    const bool died = d.signal == SIGABRT || (unsigned)d.exit_code == 0x20474343u;
#elif defined(__EMSCRIPTEN__)
    // Emscripten's C++ exceptions are JavaScript exceptions: one no frame
    // catches leaves the program through node's uncaught-exception path
    // (exit status 7), not std::terminate (docs/abi-wasm.md).
    const bool died = d.signal == SIGABRT || d.exit_code == 7;
#else
    const bool died = d.signal == SIGABRT; // std::terminate, as documented
#endif
    if (!died)
        std::fprintf(stderr, "child output:\n%s\n", d.output);
    CHECK(died);

    entry_ran = 0;
    destroyed = 0;
    { fiber_owner never_started(cancellable); }
    CHECK(entry_ran == 0 && destroyed == 0);
    {
        fiber_owner started(cancellable);
        started.resume();
        CHECK(entry_ran == 1 && destroyed == 0);
    }
    CHECK(entry_ran == 1 && destroyed == 2);
    std::printf("fctx_fiber_cancel: a never-started fiber released without running, "
                "a started one unwound (2 destructors ran)\n");
}

} // namespace

int main()
{
    fctx_fiber_t f = nullptr;
    CHECK(fctx_fiber_create(&f, nullptr, 0, worker) == 0);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, nullptr);
    CHECK(t.fiber != nullptr);
    CHECK(destroyed == 0);
    t = fctx_fiber_resume_with(t.fiber, throw_unwind, nullptr);
    CHECK(t.fiber == nullptr && t.data == nullptr);
    CHECK(destroyed == 10);
    std::printf("forced unwind via resume_with: ok (10 destructors ran)\n");

    destroyed = 0;
    CHECK(fctx_fiber_create(&f, nullptr, 0, thrower) == 0);
    t = fctx_fiber_resume(f, nullptr);
    CHECK(t.data != nullptr);
    CHECK(*static_cast<std::string *>(t.data) == "inside fiber 99");
    CHECK(destroyed == 100);
    t = fctx_fiber_resume(t.fiber, nullptr);
    CHECK(t.fiber == nullptr);
    std::printf("exceptions thrown and caught inside a fiber: ok\n");

    test_exception_state_is_per_thread();
    test_uncaught_exceptions_is_per_thread();
    test_never_started();
    return 0;
}
