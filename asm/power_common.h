/*
 * Facts of the Power ISA's floating-point unit and of the Power ELF ABIs
 * that the 32-bit (frame_ppc_sysv.h) and 64-bit Power ports have in
 * common, written once.  Included by a frame header before its own
 * definitions; defines constants, preprocessor macros and one assembler
 * macro, nothing that emits code by itself.
 *
 *  - f14-f31 and the condition-register fields CR2, CR3 and CR4 are
 *    nonvolatile in the 32-bit SysV ABI and in the 64-bit ELF ABIs alike;
 *    FPRs are 64 bits wide in both.
 *  - FPSCR (ISA, bit values, LSB = 0, of the low word that mffs/mtfsf
 *    move through an FPR): bits 0-7 are the control bits, RN (0-1), NI
 *    (2, non-IEEE mode) and the trap enables XE ZE UE OE VE (3-7); bits
 *    8-31 are status: the VX* causes, FR, FI, FPRF and the exception
 *    flags FX FEX VX OX UX ZX XX.  FEX and VX are summaries that the
 *    processor computes (mtfsf does not set them).
 *  - setting an enable whose flag is already set makes FEX 1, which
 *    raises an enabled-exception program interrupt at once when the
 *    thread runs in a precise or imprecise FP exception mode (MSR
 *    FE0/FE1, which feenableexcept() turns on; qemu-user traps on the
 *    enables alone).
 *  - DWARF numbers (both ELF ABIs): rN = N, fN = 32 + N, LR = 65.
 */
#ifndef FCTX_POWER_COMMON_H
#define FCTX_POWER_COMMON_H

/* CR fields 2, 3 and 4 (the nonvolatile ones) as an mtcrf field mask. */
#define CR_NONVOLATILE 0x38

/* FPSCR status bits of the exceptions an enable bit guards: OE UE ZE XE
 * (bits 6-3) guard OX UX ZX XX (bits 28-25, 22 places up); VE (bit 7)
 * guards VXSNAN VXISI VXIDI VXZDZ VXIMZ VXVC (24-19) and VXSOFT VXSQRT
 * VXCVI (10-8), as oris/ori halves. */
#define FPSCR_CONTROL 0xff
#define FPSCR_EN_OUZX 0x78
#define FPSCR_EN_V    0x80
#define FPSCR_VX_HI   0x01f8
#define FPSCR_VX_LO   0x0700

/* Store/load the 18 registers %<k>14-%<k>31 (k = r or f; op = std/ld or
 * stfd/lfd) at consecutive doublewords from base + off. */
#define FCTX_RUN18(op, k, base, off) \
    op %k##14, off+0x00(base); op %k##15, off+0x08(base); op %k##16, off+0x10(base); \
    op %k##17, off+0x18(base); op %k##18, off+0x20(base); op %k##19, off+0x28(base); \
    op %k##20, off+0x30(base); op %k##21, off+0x38(base); op %k##22, off+0x40(base); \
    op %k##23, off+0x48(base); op %k##24, off+0x50(base); op %k##25, off+0x58(base); \
    op %k##26, off+0x60(base); op %k##27, off+0x68(base); op %k##28, off+0x70(base); \
    op %k##29, off+0x78(base); op %k##30, off+0x80(base); op %k##31, off+0x88(base)

/* Store/load f14-f31 (op = stfd or lfd). */
#define FCTX_FPRS(op, base, off) FCTX_RUN18(op, f, base, off)

/* The no-trap rule of a switch's FPSCR write (above): with \target = the
 * target's FPSCR word and \fpscr = ours, clear in \fpscr the flags of
 * every exception the target enables and we do not (for VE: all VX*
 * causes).  \t2 \t3: scratch GPRs; \sl: the shift, slwi or sldi (the
 * port's word).  Clobbers cr0. */
    .macro fctx_fpscr_no_trap fpscr, target, t2, t3, sl
    andc    \t2, \target, \fpscr        /* enables the target has, we lack */
    andi.   \t3, \t2, FPSCR_EN_OUZX
    \sl     \t3, \t3, 22                /* OE UE ZE XE -> OX UX ZX XX */
    andi.   \t2, \t2, FPSCR_EN_V
    beq     2f
    oris    \t3, \t3, FPSCR_VX_HI       /* VE -> every VX* cause */
    ori     \t3, \t3, FPSCR_VX_LO
2:  andc    \fpscr, \fpscr, \t3         /* those flags cleared: no trap */
    .endm

/* CFI: r14-r31 and f14-f31 back in their registers ("same value", the
 * CIE's rule), once a switch has reloaded them (DWARF fN = 32 + N). */
    .macro fctx_cfi_loaded_r14_f31
    .irp n, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .cfi_restore \n
    .cfi_restore 32 + \n
    .endr
    .endm

#endif
