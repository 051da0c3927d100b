/*
 * alt_x86_64_sysv.S - alternative x86-64 SysV switch codes, measured by
 * `bench --alternatives` against fctx_jump and Boost (docs/performance.md).
 * NOT used by the library: each is a complete jump function with the frame
 * layout of asm/frame_x86_64_sysv.h, so contexts made by fctx_make() run on
 * all of them; several are ABI-exact alternatives that lost, a few are
 * deliberately incomplete probes (marked PROBE) that show what one piece costs.
 *
 * ABI facts (System V AMD64): callee-saved rbx, rbp, r12-r15, rsp, MXCSR
 * control bits, x87 control word; rsp+8 is 16-byte aligned at entry; the
 * 2-word result is returned in rax:rdx; 128 bytes below rsp (red zone) are
 * not touched by signal handlers.
 *
 * No CFI: these are measured, never unwound through.
 */
#include "frame_x86_64_sysv.h"

.macro ALT name, align=4
    .text
    .globl \name
    .type \name, @function
    .p2align \align
\name:
    FCTX_ENDBR
.endm

/* The shipped code's end, after the GPR loads: the FP check, the resume
 * jump and the out-of-line slow path (asm/frame_x86_64_sysv.h). */
.macro SHIPPED_FP_TAIL
    FCTX_FP_SWITCH_CHECK %rax, %rdi, 1f
0:  jmp     *FRAME_RIP(%rdi)
1:  FCTX_FP_SWITCH_SLOW %rax, %rdi
    jmp     0b
.endm

/* The six callee-saved GPRs: FCTX_SAVE_GPRS / FCTX_LOAD_GPRS (frame header). */

/* The fctx 0.1 switch (before this study): rsp moved down and used as the
 * base on both sides; control words loaded after the GPRs; resume address
 * loaded last; jmp through r8.  23 instructions. */
ALT alt_prev_jump
    leaq    -FRAME_RIP(%rsp), %rsp
    stmxcsr FRAME_MXCSR(%rsp)
    fnstcw  FRAME_X87CW(%rsp)
    FCTX_SAVE_GPRS %rsp
    movq    %rsp, %rax
    movq    %rdi, %rsp
    FCTX_LOAD_GPRS %rsp
    ldmxcsr FRAME_MXCSR(%rsp)
    fldcw   FRAME_X87CW(%rsp)
    movq    FRAME_RIP(%rsp), %r8
    leaq    FRAME_SIZE(%rsp), %rsp
    movq    %rsi, %rdx
    jmp     *%r8

/* Same, but the resume address and the control words are loaded first
 * (the order Boost 1.74 uses). */
ALT alt_early_jump
    leaq    -FRAME_RIP(%rsp), %rsp
    stmxcsr FRAME_MXCSR(%rsp)
    fnstcw  FRAME_X87CW(%rsp)
    FCTX_SAVE_GPRS %rsp
    movq    %rsp, %rax
    movq    %rdi, %rsp
    movq    FRAME_RIP(%rsp), %r8
    ldmxcsr FRAME_MXCSR(%rsp)
    fldcw   FRAME_X87CW(%rsp)
    FCTX_LOAD_GPRS %rsp
    leaq    FRAME_SIZE(%rsp), %rsp
    movq    %rsi, %rdx
    jmp     *%r8

/* push/pop instead of mov (same layout: rbp pushed first lands highest). */
ALT alt_push_jump
    pushq   %rbp
    pushq   %rbx
    pushq   %r15
    pushq   %r14
    pushq   %r13
    pushq   %r12
    leaq    -8(%rsp), %rsp
    stmxcsr FRAME_MXCSR(%rsp)
    fnstcw  FRAME_X87CW(%rsp)
    movq    %rsp, %rax
    movq    %rdi, %rsp
    movq    FRAME_RIP(%rsp), %r8
    ldmxcsr FRAME_MXCSR(%rsp)
    fldcw   FRAME_X87CW(%rsp)
    leaq    8(%rsp), %rsp
    popq    %r12
    popq    %r13
    popq    %r14
    popq    %r15
    popq    %rbx
    popq    %rbp
    leaq    8(%rsp), %rsp
    movq    %rsi, %rdx
    jmp     *%r8

/* Skip ldmxcsr and fldcw separately when unchanged (compare each word of
 * `to` with ours). */
ALT alt_cond_both_jump
    leaq    -FRAME_RIP(%rsp), %rsp
    stmxcsr FRAME_MXCSR(%rsp)
    fnstcw  FRAME_X87CW(%rsp)
    FCTX_SAVE_GPRS %rsp
    movq    %rsp, %rax
    movq    %rdi, %rsp
    movq    FRAME_RIP(%rsp), %r8
    movl    FRAME_MXCSR(%rsp), %ecx
    cmpl    %ecx, FRAME_MXCSR(%rax)
    jne     1f
3:  movzwl  FRAME_X87CW(%rsp), %ecx
    cmpw    %cx, FRAME_X87CW(%rax)
    jne     2f
4:  FCTX_LOAD_GPRS %rsp
    leaq    FRAME_SIZE(%rsp), %rsp
    movq    %rsi, %rdx
    jmp     *%r8
1:  ldmxcsr FRAME_MXCSR(%rsp)
    jmp     3b
2:  fldcw   FRAME_X87CW(%rsp)
    jmp     4b

/* One 8-byte compare of both control words (pad zeroed by pushq $0); the
 * 8-byte load of our word spans three smaller stores, so it cannot be
 * store-forwarded. */
ALT alt_cond_word_jump
    pushq   %rbp
    pushq   %rbx
    pushq   %r15
    pushq   %r14
    pushq   %r13
    pushq   %r12
    pushq   $0
    stmxcsr FRAME_MXCSR(%rsp)
    fnstcw  FRAME_X87CW(%rsp)
    movq    %rsp, %rax
    movq    %rdi, %rsp
    popq    %rcx
    cmpq    %rcx, (%rax)
    jne     1f
2:  popq    %r12
    popq    %r13
    popq    %r14
    popq    %r15
    popq    %rbx
    popq    %rbp
    popq    %r8
    movq    %rsi, %rdx
    jmp     *%r8
1:  ldmxcsr -8 + FRAME_MXCSR(%rsp)
    fldcw   -8 + FRAME_X87CW(%rsp)
    jmp     2b

/* Only fldcw skipped when unchanged, rsp-based otherwise (alt_early_jump). */
ALT alt_cond_x87_jump
    leaq    -FRAME_RIP(%rsp), %rsp
    stmxcsr FRAME_MXCSR(%rsp)
    fnstcw  FRAME_X87CW(%rsp)
    FCTX_SAVE_GPRS %rsp
    movq    %rsp, %rax
    movq    %rdi, %rsp
    movq    FRAME_RIP(%rsp), %r8
    ldmxcsr FRAME_MXCSR(%rsp)
    movzwl  FRAME_X87CW(%rsp), %ecx
    cmpw    %cx, FRAME_X87CW(%rax)
    jne     1f
2:  FCTX_LOAD_GPRS %rsp
    leaq    FRAME_SIZE(%rsp), %rsp
    movq    %rsi, %rdx
    jmp     *%r8
1:  fldcw   FRAME_X87CW(%rsp)
    jmp     2b

/* The shipped technique (red zone, rdi base, memory-indirect jmp) with an
 * unconditional fldcw. */
ALT alt_rz_uncond_jump
    leaq    -FRAME_RIP(%rsp), %rax
    stmxcsr FRAME_MXCSR(%rax)
    fnstcw  FRAME_X87CW(%rax)
    FCTX_SAVE_GPRS %rax
    leaq    FRAME_SIZE(%rdi), %rsp
    ldmxcsr FRAME_MXCSR(%rdi)
    fldcw   FRAME_X87CW(%rdi)
    FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    jmp     *FRAME_RIP(%rdi)

/* fctx 0.2's switch (shipped until the FP control words became
 * compare-and-skip): the red-zone technique with an unconditional ldmxcsr
 * of the whole word and fldcw skipped when equal.  22 instructions; restores
 * the status flags too, so it pays the ~80 ns status-change penalty of
 * Intel CPUs whenever two contexts' flags differ. */
ALT alt_whole_mxcsr_jump
    leaq    -FRAME_RIP(%rsp), %rax
    stmxcsr FRAME_MXCSR(%rax)
    fnstcw  FRAME_X87CW(%rax)
    FCTX_SAVE_GPRS %rax
    leaq    FRAME_SIZE(%rdi), %rsp
    ldmxcsr FRAME_MXCSR(%rdi)
    movzwl  FRAME_X87CW(%rdi), %ecx
    cmpw    %cx, FRAME_X87CW(%rax)
    jne     1f
2:  FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    jmp     *FRAME_RIP(%rdi)
1:  fldcw   FRAME_X87CW(%rdi)
    jmp     2b

/* Compare-and-skip with two separate compares: MXCSR masked (4
 * instructions), x87 word (3); every load matches one store exactly.  25
 * instructions, one more than the shipped single check; the slow path is
 * the shipped one. */
ALT alt_sep_check_jump
    leaq    -FRAME_RIP(%rsp), %rax
    fnstcw  FRAME_X87CW(%rax)
    stmxcsr FRAME_MXCSR(%rax)
    FCTX_SAVE_GPRS %rax
    leaq    FRAME_SIZE(%rdi), %rsp
    FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    movl    FRAME_MXCSR(%rdi), %ecx
    xorl    FRAME_MXCSR(%rax), %ecx
    testl   $MXCSR_CONTROL, %ecx
    jnz     1f
    movzwl  FRAME_X87CW(%rdi), %ecx
    cmpw    %cx, FRAME_X87CW(%rax)
    jne     1f
0:  jmp     *FRAME_RIP(%rdi)
1:  movl    FRAME_X87CW(%rdi), %ecx     /* the shipped check's ecx ... */
    xorw    FRAME_X87CW(%rax), %cx
    roll    $16, %ecx
    xorw    FRAME_MXCSR(%rax), %cx
    FCTX_FP_SWITCH_SLOW %rax, %rdi            /* ... for the shipped slow path */
    jmp     0b

/* Compare-and-skip with ONE 4-byte xor of our two words: the load spans the
 * fnstcw and stmxcsr stores just made, so it cannot be store-forwarded.
 * 22 instructions. */
ALT alt_fused_check_jump
    leaq    -FRAME_RIP(%rsp), %rax
    fnstcw  FRAME_X87CW(%rax)
    stmxcsr FRAME_MXCSR(%rax)
    FCTX_SAVE_GPRS %rax
    leaq    FRAME_SIZE(%rdi), %rsp
    FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    movl    FRAME_X87CW(%rdi), %ecx
    xorl    FRAME_X87CW(%rax), %ecx     /* x87 CW | MXCSR low half << 16 */
    testl   $(0xffff | (MXCSR_CONTROL << 16)), %ecx
    jnz     1f
0:  jmp     *FRAME_RIP(%rdi)
1:  roll    $16, %ecx                   /* the shipped check's layout */
    FCTX_FP_SWITCH_SLOW %rax, %rdi
    jmp     0b

/* The shipped code with the VEX forms vstmxcsr/vldmxcsr (needs AVX). */
ALT alt_vex_jump
    leaq    -FRAME_RIP(%rsp), %rax
    fnstcw  FRAME_X87CW(%rax)
    vstmxcsr FRAME_MXCSR(%rax)
    FCTX_SAVE_GPRS %rax
    leaq    FRAME_SIZE(%rdi), %rsp
    FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    SHIPPED_FP_TAIL

/* The shipped code with fnstcw/stmxcsr after the GPR stores. */
ALT alt_st_late_jump
    leaq    -FRAME_RIP(%rsp), %rax
    FCTX_SAVE_GPRS %rax
    fnstcw  FRAME_X87CW(%rax)
    stmxcsr FRAME_MXCSR(%rax)
    leaq    FRAME_SIZE(%rdi), %rsp
    FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    SHIPPED_FP_TAIL

/* The shipped code with the check before the GPR loads. */
ALT alt_check_early_jump
    leaq    -FRAME_RIP(%rsp), %rax
    fnstcw  FRAME_X87CW(%rax)
    stmxcsr FRAME_MXCSR(%rax)
    FCTX_SAVE_GPRS %rax
    leaq    FRAME_SIZE(%rdi), %rsp
    FCTX_FP_SWITCH_CHECK %rax, %rdi, 1f
0:  FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    jmp     *FRAME_RIP(%rdi)
1:  FCTX_FP_SWITCH_SLOW %rax, %rdi
    jmp     0b

/* The shipped code, 64-byte aligned (one cache line) instead of 16. */
ALT alt_align64_jump, 6
    leaq    -FRAME_RIP(%rsp), %rax
    fnstcw  FRAME_X87CW(%rax)
    stmxcsr FRAME_MXCSR(%rax)
    FCTX_SAVE_GPRS %rax
    leaq    FRAME_SIZE(%rdi), %rsp
    FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    SHIPPED_FP_TAIL

/* The shipped code ending with ret into `to`'s resume address. */
ALT alt_ret_jump
    leaq    -FRAME_RIP(%rsp), %rax
    fnstcw  FRAME_X87CW(%rax)
    stmxcsr FRAME_MXCSR(%rax)
    FCTX_SAVE_GPRS %rax
    leaq    FRAME_RIP(%rdi), %rsp
    FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    FCTX_FP_SWITCH_CHECK %rax, %rdi, 1f
0:  ret
1:  FCTX_FP_SWITCH_SLOW %rax, %rdi
    jmp     0b

/* PROBE: MXCSR store only, no x87 and no loads (not ABI-exact). */
ALT alt_probe_stmxcsr_jump
    leaq    -FRAME_RIP(%rsp), %rax
    stmxcsr FRAME_MXCSR(%rax)
    FCTX_SAVE_GPRS %rax
    leaq    FRAME_SIZE(%rdi), %rsp
    FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    jmp     *FRAME_RIP(%rdi)

/* PROBE: MXCSR load only (not ABI-exact): a plain store of the default
 * MXCSR value replaces stmxcsr, so ldmxcsr always loads a valid word. */
ALT alt_probe_ldmxcsr_jump
    leaq    -FRAME_RIP(%rsp), %rax
    movl    $0x1f80, FRAME_MXCSR(%rax)
    FCTX_SAVE_GPRS %rax
    leaq    FRAME_SIZE(%rdi), %rsp
    ldmxcsr FRAME_MXCSR(%rdi)
    FCTX_LOAD_GPRS %rdi
    movq    %rsi, %rdx
    jmp     *FRAME_RIP(%rdi)

/* No FP control, fctx 0.1 style (rsp-based, r8). */
ALT alt_nofpu_prev_jump
    leaq    -FRAME_RIP(%rsp), %rsp
    FCTX_SAVE_GPRS %rsp
    movq    %rsp, %rax
    movq    %rdi, %rsp
    FCTX_LOAD_GPRS %rsp
    movq    FRAME_RIP(%rsp), %r8
    leaq    FRAME_SIZE(%rsp), %rsp
    movq    %rsi, %rdx
    jmp     *%r8

/* No FP control, push/pop. */
ALT alt_nofpu_push_jump
    pushq   %rbp
    pushq   %rbx
    pushq   %r15
    pushq   %r14
    pushq   %r13
    pushq   %r12
    leaq    -8(%rsp), %rsp
    movq    %rsp, %rax
    leaq    8(%rdi), %rsp
    popq    %r12
    popq    %r13
    popq    %r14
    popq    %r15
    popq    %rbx
    popq    %rbp
    popq    %r8
    movq    %rsi, %rdx
    jmp     *%r8

    .section .note.GNU-stack,"",%progbits
