/*
 * 64-bit Power ELF ABI v2 (ppc64le Linux): what differs from ELFv1.  The
 * frame itself, the rules both ABIs share and the switch halves are in
 * asm/frame_ppc64.h, included below.
 *
 * ABI facts relied on (64-Bit ELF V2 ABI Specification, OpenPOWER):
 *  - VRSAVE is "reserved for system use, should not be read or written by
 *    application software", so it is left alone.
 *  - A frame header is 32 bytes: back chain, CR save word, reserved word,
 *    LR save doubleword (16), TOC save doubleword (24).  With a prototype
 *    whose parameters all fit in registers, the caller need not provide a
 *    parameter save area, so the minimal frame is the header.
 *  - Calls through a pointer pass the callee's global entry point in r12;
 *    the global entry derives r2 from r12.  Functions without a TOC need
 *    no global entry code (local entry = global entry).
 *  - A 2-word struct (fctx_transfer_t, 16 bytes) is returned in r3:r4 and
 *    passed as an argument in r3:r4.
 *  - ppc64le code is always built for POWER8 or later (its baseline):
 *    FPSCR and VSCR move to GPRs with direct moves, and DRN is per context
 *    (frame_ppc64.h's variants for older processors apply only to
 *    big-endian ELFv2 systems, musl and FreeBSD, which are not tested).
 */
#ifndef FCTX_FRAME_PPC64_ELFV2_H
#define FCTX_FRAME_PPC64_ELFV2_H

/* The ABI's minimal frame (header only), and its TOC save slot. */
#define MIN_FRAME    32
#define TOC_SAVE     24

    .abiversion 2

/* Functions: format.h. */
#include "format.h"

/* The frame and the shared macros, which call the hooks below. */
#include "frame_ppc64.h"

/* The hooks of frame_ppc64.h's switch halves: nothing to add. */
    .macro fctx_abi_save
    .endm
    .macro fctx_abi_restore
    .endm

/* fctx_jump's result {our context r11, data r4} goes back in r3:r4. */
    .macro fctx_jump_args
    .endm
    .macro fctx_jump_result
    mr      %r3, %r11                   /* transfer = {our context, data} */
    .endm

/* fctx_ontop(to r3, data r4, fn r5): fn into r12, for its global entry
 * (r5 is scratch from the switch on); fn's argument: r3:r4. */
    .macro fctx_ontop_args
    mr      %r12, %r5                   /* fn, in r12 for its global entry;
                                           r5 is scratch from here on */
    .endm
    .macro fctx_ontop_argument
    mr      %r3, %r11                   /* fn's argument {our context, data} */
    .endm

/* Call the function at \fn through CTR: its global entry point goes in
 * r12 (the caller saved r2 already). */
    .macro fctx_load_callee fn
.ifnc \fn,%r12
    mr      %r12, \fn                   /* the global entry point */
.endif
    mtctr   %r12
    .endm

/* fctx_make's entry: the stub's address is TOC-relative, so it needs our
 * r2, from the global entry point in r12. */
    .macro fctx_make_entry
    addis   %r2, %r12, .TOC.-fctx_make@ha
    addi    %r2, %r2, .TOC.-fctx_make@l
    .localentry fctx_make, .-fctx_make
    .endm
/* The first transfer arrives in r3:r4: nothing to set up or load. */
    .macro fctx_make_result block, s, t
    .endm
    .macro fctx_stub_transfer
    .endm


#endif
