/*
 * Saved-register frame of a suspended context, Windows on ARM64 (PE/COFF,
 * GAS syntax as clang accepts it for aarch64-w64-mingw32 / -windows-msvc).
 * Shared by jump_, make_ and ontop_arm64_ms_gas.S: the only place that
 * knows these offsets.
 *
 * ABI facts relied on (Microsoft "Overview of ARM64 ABI conventions"):
 *  - nonvolatile: x19-x28, x29 (fp), x30 (lr), sp, the low 64 bits of
 *    v8-v15 (d8-d15).  x18 is the platform register: in user mode it points
 *    to the thread's TEB.  It is never saved or restored here: every
 *    context running on a thread must see THAT thread's TEB (a context that
 *    migrates to another thread then sees the new one).
 *  - FP control and status: the rule every file of this port follows
 *    (the jump_, make_ and ontop_ files refer here).  It is the AAPCS64
 *    port's (frame_arm64_aapcs.h has the bit-by-bit reasoning), on
 *    Microsoft's terms.  FPCR holds only controls; Microsoft lists AHP (26),
 *    DN (25), FZ (24) and RMode (23-22) as nonvolatile and the trap enables
 *    (15, 12-8) as nonvolatile and "must always be 0" (the kernel also
 *    turns off any trap that fires); for the rest it defers to AAPCS64
 *    (reserved bits not modified, NEP 0 at interfaces).  So each CONTEXT
 *    keeps its whole FPCR (FRAME_FPCR): no bit of it is status, and the
 *    ones outside that list are equal in every context.  fctx_make gives a
 *    new context its creator's FPCR at fctx_make time.  FPSR (the
 *    cumulative exception flags, volatile per AAPCS64, which Microsoft
 *    does not amend) belongs to the THREAD: no switch reads or writes it.
 *    jump/ontop execute `msr fpcr` only when the target's saved FPCR
 *    differs from the current one (an FPCR write may serialise the FP
 *    pipeline; equal modes, the common case, write nothing); FPSR being a
 *    separate register, the write cannot change a flag.
 *    FCTX_NO_FPU_CONTROL builds neither save nor restore FPCR (the slot
 *    stays, unused): all contexts of a thread then share its modes.
 *  - sp is 16-byte aligned at all times (alignment checking is on); only the
 *    16 bytes below sp are protected from interrupts, so a frame is always
 *    allocated (sp lowered) before it is written.
 *  - x29 must always point to a valid {x29, x30} frame record (fast stack
 *    walks: ETW, profilers); a chain ends with a record {0, 0}.
 *  - a 16-byte POD struct (fctx_transfer_t) is returned in x0:x1 and passed
 *    as an argument in x0:x1, as on AAPCS64.
 *  - exception unwinding is table driven (.pdata/.xdata, written with the
 *    .seh_* directives); an unwind that finds return address 0 ends.
 *  - TEB fields (x18 + offset) that must describe the stack in use:
 *    NT_TIB.StackBase (0x08), StackLimit (0x10), FiberData (0x20),
 *    DeallocationStack (0x1478), GuaranteedStackBytes (0x1748, 4 bytes);
 *    NT_TIB.ExceptionList (0x00) is kept per context too, as on x64.
 *
 * A context (fctx_t) is the address of this block: the stack pointer of
 * the suspended context (16-byte aligned).  The block starts with its
 * frame record, so a suspended context can be walked like any frame.
 *
 *   ctx + 0x00  x29       new context: pointer to the {0, 0} end record
 *   ctx + 0x08  x30       resume address (new context: start stub)
 *   ctx + 0x10  x19 ... ctx + 0x58  x28   (new context: x19 = entry,
 *                                          x20 = fctx_make's stack_top)
 *   ctx + 0x60  d8 ... ctx + 0x98  d15
 *   ctx + 0xa0  FPCR
 *   ctx + 0xa8  GuaranteedStackBytes (4 bytes) | pad
 *   ctx + 0xb0  StackBase
 *   ctx + 0xb8  StackLimit
 *   ctx + 0xc0  DeallocationStack
 *   ctx + 0xc8  FiberData
 *   ctx + 0xd0  ExceptionList
 *   ctx + 0xd8  pad
 *   ctx + 0xe0  = FRAME_SIZE: the resumed context's sp
 *
 * A new context (fctx_make) has, between that block and the aligned top T,
 * the start stub's frame: a frame record {0, 0} at T - 16, which the stub's
 * unwind codes describe as its saved {x29, x30}: unwinding from the entry
 * function reaches return address 0 and stops; fp walks stop too.
 */
#ifndef FCTX_FRAME_ARM64_MS_H
#define FCTX_FRAME_ARM64_MS_H

#include "slots_arm64.h"    /* FRAME_FP ... FRAME_FPCR, FCTX_LOAD_REGS */
#define FRAME_GUARANTEED_STACK_BYTES 0xa8
#define FRAME_STACK_BASE        0xb0
#define FRAME_STACK_LIMIT       0xb8
#define FRAME_DEALLOCATION_STACK 0xc0
#define FRAME_FIBER_DATA        0xc8
#define FRAME_EXCEPTION_LIST    0xd0
#define FRAME_SIZE      0xe0

/* The start stub's frame (the end record) above a new context's block. */
#define STUB_FRAME      16

/* TEB offsets (64-bit TEB layout, reached through x18). */
#define TEB_EXCEPTION_LIST          0x00
#define TEB_STACK_BASE              0x08
#define TEB_STACK_LIMIT             0x10
#define TEB_FIBER_DATA              0x20
#define TEB_DEALLOCATION_STACK      0x1478
#define TEB_GUARANTEED_STACK_BYTES  0x1748

/* Functions: format.h (PE/COFF: SEH, .def records). */
#include "format.h"

/* The switch frame's prologue: allocate with the frame record first, then
 * the callee-saved pairs, each with its unwind code. */
#define FCTX_SAVE_FRAME                             \
    stp x29, x30, [sp, #-FRAME_SIZE]!;              \
    .seh_save_fplr_x FRAME_SIZE;                    \
    stp x19, x20, [sp, #FRAME_X19];                 \
    .seh_save_regp x19, FRAME_X19;                  \
    stp x21, x22, [sp, #FRAME_X21];                 \
    .seh_save_regp x21, FRAME_X21;                  \
    stp x23, x24, [sp, #FRAME_X23];                 \
    .seh_save_regp x23, FRAME_X23;                  \
    stp x25, x26, [sp, #FRAME_X25];                 \
    .seh_save_regp x25, FRAME_X25;                  \
    stp x27, x28, [sp, #FRAME_X27];                 \
    .seh_save_regp x27, FRAME_X27;                  \
    stp d8, d9, [sp, #FRAME_D8];                    \
    .seh_save_fregp d8, FRAME_D8;                   \
    stp d10, d11, [sp, #FRAME_D10];                 \
    .seh_save_fregp d10, FRAME_D10;                 \
    stp d12, d13, [sp, #FRAME_D12];                 \
    .seh_save_fregp d12, FRAME_D12;                 \
    stp d14, d15, [sp, #FRAME_D14];                 \
    .seh_save_fregp d14, FRAME_D14;                 \
    .seh_endprologue

/* Save our TEB stack description (x9-x15 are scratch) into the frame. */
#define FCTX_SAVE_TEB                                       \
    ldr x9, [x18, #TEB_STACK_BASE];                         \
    ldr x10, [x18, #TEB_STACK_LIMIT];                       \
    stp x9, x10, [sp, #FRAME_STACK_BASE];                   \
    ldr x9, [x18, #TEB_DEALLOCATION_STACK];                 \
    ldr x10, [x18, #TEB_FIBER_DATA];                        \
    stp x9, x10, [sp, #FRAME_DEALLOCATION_STACK];           \
    ldr x9, [x18, #TEB_EXCEPTION_LIST];                     \
    str x9, [sp, #FRAME_EXCEPTION_LIST];                    \
    ldr w9, [x18, #TEB_GUARANTEED_STACK_BYTES];             \
    str w9, [sp, #FRAME_GUARANTEED_STACK_BYTES]

/* Install the target's (sp = its frame) in the TEB. */
#define FCTX_LOAD_TEB                                       \
    ldp x9, x10, [sp, #FRAME_STACK_BASE];                   \
    str x9, [x18, #TEB_STACK_BASE];                         \
    str x10, [x18, #TEB_STACK_LIMIT];                       \
    ldp x9, x10, [sp, #FRAME_DEALLOCATION_STACK];           \
    str x9, [x18, #TEB_DEALLOCATION_STACK];                 \
    str x10, [x18, #TEB_FIBER_DATA];                        \
    ldr x9, [sp, #FRAME_EXCEPTION_LIST];                    \
    str x9, [x18, #TEB_EXCEPTION_LIST];                     \
    ldr w9, [sp, #FRAME_GUARANTEED_STACK_BYTES];            \
    str w9, [x18, #TEB_GUARANTEED_STACK_BYTES]

#endif
