/*
 * The switches of gdb_ports.c, each called through a thin wrapper built
 * WITHOUT a frame pointer (tests/CMakeLists.txt: -O2 -fomit-frame-pointer,
 * no sibling calls, so the wrapper keeps its frame): its CFA is computed
 * from the stack pointer, while its caller's (built with frame pointers)
 * is computed from the frame-pointer register.  A backtrace through a
 * switch then needs both the caller's stack pointer and the frame pointer
 * described exactly (e.g. s390x's r15, i386's ebp) at every instruction.
 * The wrappers never touch the frame-pointer register, so they pass the
 * switch's rule for it through unchanged.
 */
#include <fctx/context.h>

#include "gdb_ports.h"

fctx_transfer_t sw_jump(fctx_t to, void *data)
{
    fctx_transfer_t t = fctx_jump(to, data);
    gdb_ports_sink++; /* keeps the call a call: not a tail call */
    return t;
}

fctx_transfer_t sw_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
{
    fctx_transfer_t t = fctx_ontop(to, data, fn);
    gdb_ports_sink++;
    return t;
}
