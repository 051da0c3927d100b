/*
 * Saved-register frame of a suspended context, i386 System V ABI (ELF,
 * Linux).  Shared by jump_, make_ and ontop_i386_sysv_gas.S: the only
 * place that knows these offsets.
 *
 * ABI facts relied on (System V i386 psABI, Linux):
 *  - callee-saved: ebx, esi, edi, ebp, esp.  eax, ecx, edx, the x87
 *    register stack and all xmm registers are scratch.
 *  - FP state: the MXCSR control bits and the x87 control word are
 *    callee-saved, the status flags are not; what a context owns and how a
 *    switch loads it (pending x87 traps included): switch_i386_gas.h, the
 *    rule every i386 port follows.
 *  - at a call, esp is 16-byte aligned (Linux; the ABI text says 4, gcc
 *    and glibc have required 16 for years), so esp+4 is aligned at
 *    function entry.  There is NO red zone: nothing may be kept below esp
 *    (a signal handler would overwrite it).
 *  - a struct (fctx_transfer_t, 8 bytes) is ALWAYS returned in memory on
 *    Linux: the caller passes the address of the result as a hidden first
 *    stack argument, the callee stores the struct there, returns the
 *    address in eax and pops the hidden argument itself (`ret $4`).  All
 *    other arguments are popped by the caller; they belong to the callee,
 *    which may overwrite them.
 *  - a struct argument is passed by value on the stack (8 bytes).
 *
 * A suspended context looks, from its return address upwards, exactly like
 * the stack of a function that was called as  T f(T *hidden, arg, arg):
 *
 *   ctx + 0x00  MXCSR (4 bytes)
 *   ctx + 0x04  x87 control word (2 bytes) | pad
 *   ctx + 0x08  edi
 *   ctx + 0x0c  esi     (new context: fctx_make's stack_top)
 *   ctx + 0x10  ebx     (new context: the entry function)
 *   ctx + 0x14  ebp     (new context: 0, ends frame-pointer walks)
 *   ctx + 0x18  eip     resume address (the caller's return address)
 *   ctx + 0x1c  hidden result pointer of the pending fctx_jump/fctx_ontop:
 *               where the resumer stores this context's transfer
 *   ctx + 0x20  first argument slot  (to)     -- scratch: fctx_ontop puts
 *   ctx + 0x24  second argument slot (data)   -- fn's argument here
 *
 * A new context (fctx_make) has the same shape, plus the place the hidden
 * pointer points at:
 *
 *   ctx + 0x28  transfer.ctx    landing area of the first transfer
 *   ctx + 0x2c  transfer.data
 *
 * and ctx + FRAME_EIP is 12 mod 16, as at every function entry, so a
 * function run by fctx_ontop on a new context starts aligned too.
 */
#ifndef FCTX_FRAME_I386_SYSV_H
#define FCTX_FRAME_I386_SYSV_H

#define FRAME_MXCSR  0x00
#define FRAME_X87CW  0x04
#define FRAME_EDI    0x08
#define FRAME_ESI    0x0c
#define FRAME_EBX    0x10
#define FRAME_EBP    0x14
#define FRAME_EIP    0x18
#define FRAME_RESULT 0x1c
#define FRAME_ARG0   0x20
#define FRAME_ARG1   0x24
#define FRAME_ARG2   0x28   /* fctx_ontop's fn, read before the switch */
#define FRAME_LAND   0x28   /* new contexts only: the transfer lands here */

/* fctx_make: distance from the 16-byte-aligned stack top down to ctx.
 * ctx + FRAME_EIP = top - 36, which is 12 mod 16; the landing area ends
 * at top - 20, so 20 bytes of the top stay unused. */
#define FRAME_NEW_OFFSET 0x3c

/* Landing pad for indirect branches when built with -fcf-protection
 * (Indirect Branch Tracking); nothing otherwise. */
#if defined(__CET__) && (__CET__ & 1)
#  define FCTX_ENDBR endbr32
#else
#  define FCTX_ENDBR
#endif

/* Functions (format.h) start with the IBT landing pad. */
#define FCTX_ENTRY_PAD FCTX_ENDBR
#include "format.h"

/* The CFA of a frame at esp (the caller's esp at its call: the address of
 * the hidden result pointer), for the CFI of the register slots. */
#define FRAME_CFA    FRAME_RESULT

/* The register save/load and FP control code, shared with the i386
 * Windows port (it uses the FRAME_ names above). */
#include "switch_i386_gas.h"

#endif
