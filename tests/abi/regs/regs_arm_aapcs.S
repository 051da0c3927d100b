/*
 * Register-preservation test helpers, 32-bit Arm AAPCS (ELF; Arm or
 * Thumb-2, hard- or soft-float).  See tests/test_registers.c and
 * tests/regs/regs_x86_64_sysv.S for the contract:
 *   regs_count, regs_mask[]: the words of callee-saved state and which of
 *     their bits the test may vary;
 *   regs_read(out): the current state;
 *   regs_switch(jumpfn, to, data, load, store): load every callee-saved
 *     register from `load`, call jumpfn(to, data), store them into `store`
 *     (plus sp before/after the call at store[count], store[count+1]),
 *     restore the caller's own values, return jumpfn's result;
 *   regs_bad_jump(to, data): fctx_jump, then corrupt r6 (the test proves
 *     that it notices).
 * Words are uint64_t.  Order: r4 r5 r6 r7 r8 r9 r10 r11 (zero-extended,
 * mask 0xffffffff), then with VFP d8 ... d15 (all 64 bits) and, unless the
 * library is built with FCTX_NO_FPU_CONTROL (tests/arm32.cmake passes it
 * on), FPSCR
 * (mask: RMode 22-23, FZ 24, DN 25, AHP 26 - control bits that are
 * writable on every VFP implementation; the trap enables 8-12/15 read as
 * zero on most cores and under qemu, and Len/Stride would change how the
 * C code between the switches executes).  The status bits are the
 * thread's (the FP rule in asm/frame_arm_aapcs.h), so they are masked out
 * here; tests/test_fpstate.c checks that a switch leaves them alone.
 *
 * ABI facts used here: callee-saved r4-r11, sp, d8-d15, FPSCR control
 * bits; sp 8-byte aligned at calls; fctx_transfer_t is returned in memory,
 * so every function returning it (regs_switch, jumpfn, regs_bad_jump,
 * fctx_jump) takes the result address in r0 and its arguments from r1:
 *   regs_switch(r0 = &result, r1 = jumpfn, r2 = to, r3 = data,
 *               [sp] = load, [sp+4] = store)
 * regs_switch hands its own r0 on to jumpfn unchanged, so jumpfn's result
 * is written straight into regs_switch's caller's result.
 */
#if defined(__ARM_FP) || (defined(__VFP_FP__) && !defined(__SOFTFP__))
#  define VFP 1
#  ifndef FCTX_NO_FPU_CONTROL
#    define FPSCR_WORD 1
#    define COUNT 17
#  else
#    define FPSCR_WORD 0            /* FP modes shared by design: no word */
#    define COUNT 16
#  endif
#else
#  define VFP 0
#  define FPSCR_WORD 0
#  define COUNT 8
#endif
#define W_D8    (8 * 8)             /* offset of word 8 (d8) */
#define W_FPSCR (16 * 8)            /* offset of word 16 (FPSCR) */
#define W_SP    (COUNT * 8)         /* store[count]: sp before the call */

    .syntax unified
#if defined(__thumb2__)
    .thumb
#  define THUMB_FUNC .thumb_func
#else
    .arm
#  define THUMB_FUNC
#endif
    .eabi_attribute 25, 1           /* Tag_ABI_align_preserved */
    .cfi_sections .debug_frame      /* as GCC does on EHABI targets */

    .section .rodata
    .globl  regs_count
    .p2align 3
regs_count: .long COUNT
    .globl  regs_mask
    .p2align 3
regs_mask:
    .quad 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff    /* r4-r7 */
    .quad 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff    /* r8-r11 */
#if VFP
    .quad -1, -1, -1, -1, -1, -1, -1, -1                    /* d8-d15 */
#  if FPSCR_WORD
    .quad 0x07C00000                                        /* FPSCR modes */
#  endif
#endif

/* Store word `reg` zero-extended at [base, #off]; `zero` holds 0. */
    .macro  putw reg, base, off, zero
    str     \reg, [\base, #\off]
    str     \zero, [\base, #\off + 4]
    .endm

    .text
    .globl  regs_read
    .type   regs_read, %function
    .p2align 2
    THUMB_FUNC
regs_read:                          /* r0 = out */
    .fnstart
    .cfi_startproc
    mov     r1, #0
    putw    r4, r0, 0, r1
    putw    r5, r0, 8, r1
    putw    r6, r0, 16, r1
    putw    r7, r0, 24, r1
    putw    r8, r0, 32, r1
    putw    r9, r0, 40, r1
    putw    r10, r0, 48, r1
    putw    r11, r0, 56, r1
#if VFP
    add     r2, r0, #W_D8
    vstmia  r2, {d8-d15}            /* little-endian: a d register is its uint64 */
#  if FPSCR_WORD
    vmrs    r2, fpscr
    putw    r2, r0, W_FPSCR, r1
#  endif
#endif
    bx      lr
    .cfi_endproc
    .fnend
    .size   regs_read, . - regs_read

    .globl  regs_switch
    .type   regs_switch, %function
    .p2align 2
    THUMB_FUNC
regs_switch:            /* r0 &result, r1 jumpfn, r2 to, r3 data, [sp] load, [sp+4] store */
    .fnstart
    .cfi_startproc
    push    {r4-r11, lr}
    .save   {r4-r11, lr}
    .cfi_adjust_cfa_offset 36
    .cfi_rel_offset 4, 0
    .cfi_rel_offset 5, 4
    .cfi_rel_offset 6, 8
    .cfi_rel_offset 7, 12
    .cfi_rel_offset 8, 16
    .cfi_rel_offset 9, 20
    .cfi_rel_offset 10, 24
    .cfi_rel_offset 11, 28
    .cfi_rel_offset 14, 32
#if VFP
    vpush   {d8-d15}
    .vsave  {d8-d15}
    .cfi_adjust_cfa_offset 64
#  define LOCALS 12                 /* 36 + 64 + 12: sp stays 8-aligned */
#else
#  define LOCALS 4                  /* 36 + 4 */
#endif
    sub     sp, sp, #LOCALS         /* [sp] store ptr, [sp+4] caller's FPSCR */
    .pad    #LOCALS
    .cfi_adjust_cfa_offset LOCALS
#if VFP
#  define ARGS (36 + 64 + LOCALS)   /* our stacked arguments */
#else
#  define ARGS (36 + LOCALS)
#endif
    ldr     r4, [sp, #ARGS]         /* load */
    ldr     r5, [sp, #ARGS + 4]     /* store */
    str     r5, [sp]
    mov     r7, sp
    mov     r6, #0
    putw    r7, r5, W_SP, r6        /* sp before */
    mov     r12, r1                 /* jumpfn; r0 (&result) passes through */
    mov     r1, r2                  /* jumpfn(r0 = &result, r1 = to, r2 = data) */
    mov     r2, r3
#if VFP
    vmrs    r3, fpscr
    str     r3, [sp, #4]            /* the caller's FP modes, restored below */
#  if FPSCR_WORD
    ldr     r3, [r4, #W_FPSCR]
    vmsr    fpscr, r3
#  endif
    add     r3, r4, #W_D8
    vldmia  r3, {d8-d15}
#endif
    ldr     r5, [r4, #8]
    ldr     r6, [r4, #16]
    ldr     r7, [r4, #24]
    ldr     r8, [r4, #32]
    ldr     r9, [r4, #40]
    ldr     r10, [r4, #48]
    ldr     r11, [r4, #56]
    ldr     r4, [r4, #0]            /* last: it held the load pointer */
    blx     r12
    ldr     r12, [sp]               /* store */
    mov     r3, #0
    putw    r4, r12, 0, r3
    putw    r5, r12, 8, r3
    putw    r6, r12, 16, r3
    putw    r7, r12, 24, r3
    putw    r8, r12, 32, r3
    putw    r9, r12, 40, r3
    putw    r10, r12, 48, r3
    putw    r11, r12, 56, r3
#if VFP
    add     r1, r12, #W_D8
    vstmia  r1, {d8-d15}
#  if FPSCR_WORD
    vmrs    r1, fpscr
    putw    r1, r12, W_FPSCR, r3
#  endif
    ldr     r1, [sp, #4]
    vmsr    fpscr, r1               /* back to the caller's FP modes */
#endif
    mov     r1, sp
    putw    r1, r12, W_SP + 8, r3   /* sp after */
    add     sp, sp, #LOCALS
    .cfi_adjust_cfa_offset -LOCALS
#if VFP
    vpop    {d8-d15}
    .cfi_adjust_cfa_offset -64
#endif
    pop     {r4-r11, pc}            /* interworking return (ARMv5T+) */
    .cfi_endproc
    .fnend
    .size   regs_switch, . - regs_switch

    .globl  regs_bad_jump
    .type   regs_bad_jump, %function
    .p2align 2
    THUMB_FUNC
regs_bad_jump:          /* r0 &result, r1 to, r2 data: exactly fctx_jump's */
    .fnstart
    .cfi_startproc
    push    {r4, lr}                /* r4: keeps sp 8-aligned */
    .save   {r4, lr}
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset 4, 0
    .cfi_rel_offset 14, 4
    bl      fctx_jump
    mvn     r6, r6                  /* the deliberate bug: r6 is callee-saved */
    pop     {r4, pc}
    .cfi_endproc
    .fnend
    .size   regs_bad_jump, . - regs_bad_jump

    .section .note.GNU-stack,"",%progbits
