// The C++ twin of main.c: a C++-only project (no C compiler enabled) that
// uses the installed/embedded library through fctx/fiber.hpp.
#include <fctx/fctx.h>
#include <fctx/fiber.hpp>
#include <cstdio>
#include <utility>

int main()
{
    long sum = 0, next = 0;
    fctx::fiber squares{[&next](fctx::fiber &&caller) {
        for (long i = 1; i <= 10; ++i) {
            next = i * i;
            caller = std::move(caller).resume();
        }
        return std::move(caller);
    }};
    for (squares = std::move(squares).resume(); squares; squares = std::move(squares).resume())
        sum += next;
    std::printf("consumer (C++): fctx %d, sum of squares 1..10 = %ld\n", FCTX_VERSION, sum);
    return sum == 385 ? 0 : 2;
}
