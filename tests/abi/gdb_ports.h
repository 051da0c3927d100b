/* Shared by gdb_ports.c and gdb_ports_switch.c (see there). */
#ifndef FCTX_TEST_GDB_PORTS_H
#define FCTX_TEST_GDB_PORTS_H

#include <fctx/context.h>

extern volatile int gdb_ports_sink;
fctx_transfer_t sw_jump(fctx_t to, void *data);
fctx_transfer_t sw_ontop(fctx_t to, void *data, fctx_ontop_fn fn);

#endif
