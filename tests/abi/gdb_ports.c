/*
 * Program debugged by gdb_qemu_backtrace.sh (the qemu-user ports): a leaf
 * three calls deep in a new context, an ontop function on a new context
 * and on a suspended one, and one fctx_jump / fctx_ontop to step through
 * instruction by instruction.  Built with frame pointers; the stepped
 * switches and the ones they resume go through the frame-pointer-less
 * wrappers of gdb_ports_switch.c, so each side of a switch is a
 * stack-pointer-based frame under a frame-pointer-based one.
 */
#include <fctx/context.h>

#include "gdb_ports.h"

#include <stdio.h>

static char stack1[64 * 1024] __attribute__((aligned(16)));
static char stack2[64 * 1024] __attribute__((aligned(16)));
volatile int gdb_ports_sink;
#define sink gdb_ports_sink

/* Non-static and noinline: gdb must find them by name, as real frames. */
void bt_leaf(void);
void bt_middle(void);
void bt_entry(fctx_transfer_t t);
fctx_transfer_t bt_ontop(fctx_transfer_t t);

__attribute__((noinline)) void bt_leaf(void)
{
    sink++;
}

__attribute__((noinline)) void bt_middle(void)
{
    bt_leaf();
    sink++;
}

__attribute__((noinline)) void bt_entry(fctx_transfer_t t)
{
    bt_middle();
    for (;;)
        t = sw_jump(t.ctx, t.data); /* stepped through (from context 2) */
}

__attribute__((noinline)) fctx_transfer_t bt_ontop(fctx_transfer_t t)
{
    sink++;
    return t;
}

int main(void)
{
    fctx_t c1 = fctx_make(stack1 + sizeof stack1, sizeof stack1, bt_entry);
    fctx_transfer_t t = fctx_jump(c1, (void *)1); /* breaks in bt_leaf */
    c1 = t.ctx;
    fctx_t c2 = fctx_make(stack2 + sizeof stack2, sizeof stack2, bt_entry);
    t = sw_ontop(c2, (void *)2, bt_ontop); /* bt_ontop on a new context */
    t = sw_ontop(c1, (void *)3, bt_ontop); /* stepped through; bt_ontop on
                                              a suspended context */
    printf("done %d\n", sink);
    return t.data == (void *)3 ? 0 : 1;
}
