// C++ users unwind a suspended fiber's stack with resume_with + throw:
// destructors on the fiber's stack run, the exception is caught in the
// fiber's entry, which returns the caller's handle; the stack is released.
// Also: an exception thrown and caught entirely inside a fiber.
#include <fctx/fctx.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

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
    return 0;
}
