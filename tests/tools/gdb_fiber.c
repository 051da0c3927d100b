/* The program gdb_backtrace.cmake debugs: three places where gdb stops and
 * prints a backtrace.
 *   stop_in_fiber   fiber entry -> gdb_depth1 -> gdb_depth2 -> gdb_depth3 -> here
 *   probe_on_top    run with fctx_fiber_resume_with() on top of that fiber
 *                   while it is suspended in gdb_depth3 -> park
 *   stop_in_raw     raw context (fctx_make) entry -> gdb_depth1..3 -> here
 * Exits 0 after checking the fiber finished. */
#include <fctx/fctx.h>

#include <stdio.h>
#include <stdlib.h>

#include "vg.h"

#define NOINLINE __attribute__((noinline))

static volatile int sink;

NOINLINE void stop_in_fiber(void) { sink = sink + 1; }
NOINLINE void stop_in_raw(void) { sink = sink + 1; }

NOINLINE void gdb_depth3(void (*at_bottom)(void))
{
    at_bottom();
    sink = sink + 3; /* keeps the calls out of tail position */
}
NOINLINE void gdb_depth2(void (*at_bottom)(void))
{
    gdb_depth3(at_bottom);
    sink = sink + 2;
}
NOINLINE void gdb_depth1(void (*at_bottom)(void))
{
    gdb_depth2(at_bottom);
    sink = sink + 1;
}

static fctx_fiber_t fiber_caller;

/* In the fiber: stop for gdb, then suspend (still three calls deep). */
NOINLINE void stop_then_park(void)
{
    stop_in_fiber();
    fiber_caller = fctx_fiber_resume(fiber_caller, NULL).fiber;
}

NOINLINE fctx_fiber_t gdb_fiber_entry(fctx_fiber_t caller, void *data)
{
    (void)data;
    fiber_caller = caller;
    gdb_depth1(stop_then_park);
    return fiber_caller;
}

NOINLINE fctx_fiber_transfer_t probe_on_top(fctx_fiber_transfer_t t)
{
    sink = sink + 5;
    return t;
}

static fctx_t raw_caller;

NOINLINE void gdb_raw_entry(fctx_transfer_t t)
{
    raw_caller = t.ctx;
    gdb_depth1(stop_in_raw);
    fctx_jump(raw_caller, NULL); /* never resumed again */
}

#define STACK_SIZE (256 * 1024)
static char raw_stack[STACK_SIZE];

int main(void)
{
    fctx_fiber_t f;
    if (fctx_fiber_create(&f, NULL, 0, gdb_fiber_entry) != 0)
        return 2;
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, NULL); /* stop 1, then parks */
    if (t.fiber == NULL)
        return 3;
    t = fctx_fiber_resume_with(t.fiber, probe_on_top, NULL); /* stop 2; it finishes */
    if (t.fiber != NULL)
        return 4;

    TEST_STACK_REGISTER(raw_stack, raw_stack + STACK_SIZE);
    fctx_t c = fctx_make(raw_stack + STACK_SIZE, STACK_SIZE, gdb_raw_entry);
    fctx_jump(c, NULL); /* stop 3 */
    puts("gdb_fiber: done");
    return 0;
}
