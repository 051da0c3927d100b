/*
 * 64-bit PowerPC ELF ABI v1 (big-endian ppc64 Linux): what differs from
 * ELFv2.  The frame itself, the rules both ABIs share and the switch
 * halves are in asm/frame_ppc64.h, included below.
 *
 * ABI facts relied on (64-bit PowerPC ELF Application Binary Interface
 * Supplement 1.9):
 *  - VRSAVE is a nonvolatile 32-bit register on processors with VMX, so a
 *    switch saves and restores it (FRAME_VRSAVE) like CR.
 *  - A function's symbol names its descriptor in .opd: entry address, TOC
 *    pointer, environment pointer (format.h: FCTX_ELF_DESCRIPTORS; the
 *    code starts at the local label .L.<name>, as gcc emits it).  A
 *    function pointer is a descriptor's address: fctx_make's entry and
 *    fctx_ontop's fn are called by loading CTR, r2 and r11 from it, after
 *    saving our r2 in the TOC save slot.  Every caller arrives with the
 *    callee's r2 already loaded (a descriptor call or the linker's
 *    cross-module stub), so no function needs a global entry.
 *  - A frame header is 48 bytes: back chain, CR save word, reserved word,
 *    LR save doubleword (16), two reserved doublewords (compiler, linker),
 *    TOC save doubleword (40); the 64-byte parameter save area follows,
 *    which every caller provides, so the minimal frame is 112 bytes.
 *  - A 2-word struct (fctx_transfer_t, 16 bytes) is returned in memory:
 *    the caller passes the address in r3 and the arguments follow in
 *    r4...; as an argument it is passed in two GPRs.  (gcc:
 *    `struct {void *a, *b;} f(void *x, void *y)` is `std 4,0(3); std
 *    5,8(3)`.)  So fctx_jump(to, data) is called with r3 = result, r4 =
 *    to, r5 = data, and a switch delivers the transfer through the
 *    target's saved result pointer (FRAME_RESULT), as on s390x.  The
 *    callee need not return the address; fctx_jump leaves it in r3.
 *  - The processor: see frame_ppc64.h (VMX needed; FPSCR/VSCR direct
 *    moves and DRN only when built for POWER8 / POWER6).
 */
#ifndef FCTX_FRAME_PPC64_ELFV1_H
#define FCTX_FRAME_PPC64_ELFV1_H

/* The ABI's minimal frame (header + parameter save area), its TOC save
 * slot, and the stub's parameter save area, where a new context's first
 * transfer lands. */
#define MIN_FRAME    112
#define TOC_SAVE     40
#define STUB_LAND    48

/* Functions: format.h, with descriptors. */
#define FCTX_ELF_DESCRIPTORS 1
#include "format.h"

/* The frame and the shared macros, which call the hooks below. */
#include "frame_ppc64.h"

/* The hooks of frame_ppc64.h's switch halves: VRSAVE (our block at r1;
 * r0 is scratch) and our result pointer (r11, see fctx_jump_args). */
    .macro fctx_abi_save
    mfvrsave %r0
    stw     %r0, FRAME_VRSAVE(%r1)      /* nonvolatile in ELFv1 */
    std     %r11, FRAME_RESULT(%r1)     /* where our transfer goes later */
    .endm
    .macro fctx_abi_restore
    lwz     %r0, FRAME_VRSAVE(%r1)
    mtvrsave %r0
    .endm

/* fctx_jump(result r3, to r4, data r5): the shared code's registers
 * (r3 = to, r4 = data), the result pointer in r11 for fctx_abi_save. */
    .macro fctx_jump_args
    mr      %r11, %r3                   /* our result pointer */
    mr      %r3, %r4                    /* to */
    mr      %r4, %r5                    /* data */
    .endm
/* After fctx_switch_in: {our context r11, data r4} through `to`'s result
 * pointer, which stays in r3. */
    .macro fctx_jump_result
    ld      %r3, FRAME_RESULT(%r1)      /* `to`'s result pointer */
    std     %r11, 0(%r3)                /* its transfer = {our context, data} */
    std     %r4, 8(%r3)
    .endm

/* fctx_ontop(result r3, to r4, data r5, fn r6): fn (a descriptor) into
 * r12, the rest as for fctx_jump.  fn's arguments: `to`'s result pointer
 * (fn's result becomes `to`'s), then the transfer {our context, data} in
 * r4:r5. */
    .macro fctx_ontop_args
    mr      %r12, %r6                   /* fn's descriptor */
    fctx_jump_args
    .endm
    .macro fctx_ontop_argument
    mr      %r5, %r4                    /* data */
    mr      %r4, %r11                   /* our context */
    ld      %r3, FRAME_RESULT(%r1)      /* `to`'s result pointer: fn's */
    .endm

/* Call the function whose descriptor \fn points to through CTR (the
 * caller saved r2 already): entry, TOC and environment from it, loaded as
 * gcc does. */
    .macro fctx_load_callee fn
    ld      %r0, 0(\fn)                 /* entry address */
    ld      %r11, 16(\fn)               /* environment pointer */
    mtctr   %r0
    ld      %r2, 8(\fn)                 /* the callee's TOC */
    .endm

/* fctx_make's entry: every caller arrives with our r2. */
    .macro fctx_make_entry
    .endm
/* The block's result pointer: the landing area in the stub's frame \s
 * (\t: scratch), from which the stub loads the transfer it passes on. */
    .macro fctx_make_result block, s, t
    addi    \t, \s, STUB_LAND
    std     \t, FRAME_RESULT(\block)   /* the first transfer lands in S */
    .endm
    .macro fctx_stub_transfer
    ld      %r3, STUB_LAND(%r1)         /* the transfer, from the landing */
    ld      %r4, STUB_LAND + 8(%r1)     /* area: fctx_jump's or fn's result */
    .endm


#endif
