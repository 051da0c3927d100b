// The C++ twin of main.c: a C++-only project (no C compiler enabled) that
// uses the installed/embedded library through its C headers.
#include <fctx/fctx.h>
#include <cstdint>
#include <cstdio>

extern "C" fctx_fiber_t squares(fctx_fiber_t caller, void *data)
{
    for (std::intptr_t i = 1; i <= reinterpret_cast<std::intptr_t>(data); ++i)
        caller = fctx_fiber_resume(caller, reinterpret_cast<void *>(i * i)).fiber;
    return caller;
}

int main()
{
    fctx_fiber_t f = nullptr;
    if (fctx_fiber_create(&f, nullptr, 0, squares) != 0)
        return 1;
    std::intptr_t sum = 0;
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, reinterpret_cast<void *>(10));
    while (t.fiber) {
        sum += reinterpret_cast<std::intptr_t>(t.data);
        t = fctx_fiber_resume(t.fiber, nullptr);
    }
    std::printf("consumer (C++): fctx %d, sum of squares 1..10 = %ld\n", FCTX_VERSION,
                static_cast<long>(sum));
    return sum == 385 ? 0 : 2;
}
