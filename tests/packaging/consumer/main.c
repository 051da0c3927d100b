/* Smallest real use of the installed/embedded library: a generator fiber. */
#include <fctx/fctx.h>
#include <stdint.h>
#include <stdio.h>

static fctx_fiber_t squares(fctx_fiber_t caller, void *data)
{
    for (intptr_t i = 1; i <= (intptr_t)data; ++i)
        caller = fctx_fiber_resume(caller, (void *)(i * i)).fiber;
    return caller;
}

int main(void)
{
    fctx_fiber_t f;
    if (fctx_fiber_create(&f, NULL, 0, squares) != 0)
        return 1;
    intptr_t sum = 0;
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, (void *)10);
    while (t.fiber) {
        sum += (intptr_t)t.data;
        t = fctx_fiber_resume(t.fiber, NULL);
    }
    printf("consumer: fctx %d, sum of squares 1..10 = %ld\n", FCTX_VERSION, (long)sum);
    return sum == 385 ? 0 : 2;
}
