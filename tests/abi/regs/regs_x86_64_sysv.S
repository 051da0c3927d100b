/*
 * Register-preservation test helpers, x86-64 System V (ELF).  See
 * tests/test_registers.c for the contract:
 *   regs_count, regs_mask[]: the words of callee-saved state and which of
 *     their bits the test may vary (GPRs: all; control words: mode bits);
 *   regs_read(out): the current state;
 *   regs_switch(jumpfn, to, data, load, store): load every callee-saved
 *     register from `load`, call jumpfn(to, data), store them into `store`
 *     (plus rsp before/after the call at store[count], store[count+1]),
 *     restore the caller's own values, return jumpfn's result;
 *   regs_bad_jump(to, data): fctx_jump, then corrupt r13 (the test proves
 *     that it notices).
 * Word order: rbx rbp r12 r13 r14 r15 mxcsr x87cw.  Only control bits vary;
 * the status bits the helper loads are the thread's own (regs_read), which
 * the switch keeps as they are (frame_x86_64_sysv.h).  With
 * FCTX_NO_FPU_CONTROL (tests/CMakeLists.txt passes the library's define) the
 * control words, which come last, are not counted: they are shared by design.
 */
#ifndef FCTX_NO_FPU_CONTROL
#  define NWORDS 8
#else
#  define NWORDS 6
#endif
    .section .rodata
    .globl  regs_count
    .p2align 3
regs_count: .long NWORDS
    .globl  regs_mask
    .p2align 3
regs_mask:
    .quad -1, -1, -1, -1, -1, -1
    .quad 0xFFC0        /* MXCSR: every control bit (FZ, RC, masks, DAZ);
                           SSE never traps on a flag already set */
    .quad 0x0F00        /* x87 CW: rounding and precision control */

    .text
    .globl  regs_read
    .type   regs_read, @function
regs_read:
    .cfi_startproc
    movq    %rbx, 0(%rdi)
    movq    %rbp, 8(%rdi)
    movq    %r12, 16(%rdi)
    movq    %r13, 24(%rdi)
    movq    %r14, 32(%rdi)
    movq    %r15, 40(%rdi)
#ifndef FCTX_NO_FPU_CONTROL
    movq    $0, 48(%rdi)
    stmxcsr 48(%rdi)
    movq    $0, 56(%rdi)
    fnstcw  56(%rdi)
#endif
    ret
    .cfi_endproc
    .size   regs_read, . - regs_read

    .globl  regs_switch
    .type   regs_switch, @function
regs_switch:            /* rdi jumpfn, rsi to, rdx data, rcx load, r8 store */
    .cfi_startproc
    pushq   %rbp
    .cfi_adjust_cfa_offset 8
    pushq   %rbx
    .cfi_adjust_cfa_offset 8
    pushq   %r12
    .cfi_adjust_cfa_offset 8
    pushq   %r13
    .cfi_adjust_cfa_offset 8
    pushq   %r14
    .cfi_adjust_cfa_offset 8
    pushq   %r15
    .cfi_adjust_cfa_offset 8
    subq    $24, %rsp               /* store ptr, caller's control words; aligns */
    .cfi_adjust_cfa_offset 24
    movq    %r8, 0(%rsp)
    stmxcsr 8(%rsp)
    fnstcw  12(%rsp)
    movq    %rsp, NWORDS*8(%r8)     /* rsp before */
    movq    %rdi, %rax
    movq    %rsi, %rdi
    movq    %rdx, %rsi
    movq    0(%rcx), %rbx
    movq    8(%rcx), %rbp
    movq    16(%rcx), %r12
    movq    24(%rcx), %r13
    movq    32(%rcx), %r14
    movq    40(%rcx), %r15
#ifndef FCTX_NO_FPU_CONTROL
    ldmxcsr 48(%rcx)
    fldcw   56(%rcx)
#endif
    callq   *%rax
    movq    0(%rsp), %r8
    movq    %rbx, 0(%r8)
    movq    %rbp, 8(%r8)
    movq    %r12, 16(%r8)
    movq    %r13, 24(%r8)
    movq    %r14, 32(%r8)
    movq    %r15, 40(%r8)
#ifndef FCTX_NO_FPU_CONTROL
    movq    $0, 48(%r8)
    stmxcsr 48(%r8)
    movq    $0, 56(%r8)
    fnstcw  56(%r8)
#endif
    movq    %rsp, NWORDS*8+8(%r8)   /* rsp after */
    ldmxcsr 8(%rsp)
    fldcw   12(%rsp)
    addq    $24, %rsp
    .cfi_adjust_cfa_offset -24
    popq    %r15
    .cfi_adjust_cfa_offset -8
    popq    %r14
    .cfi_adjust_cfa_offset -8
    popq    %r13
    .cfi_adjust_cfa_offset -8
    popq    %r12
    .cfi_adjust_cfa_offset -8
    popq    %rbx
    .cfi_adjust_cfa_offset -8
    popq    %rbp
    .cfi_adjust_cfa_offset -8
    ret
    .cfi_endproc
    .size   regs_switch, . - regs_switch

    .globl  regs_bad_jump
    .type   regs_bad_jump, @function
regs_bad_jump:
    .cfi_startproc
    subq    $8, %rsp
    .cfi_adjust_cfa_offset 8
    callq   fctx_jump@PLT
    notq    %r13                    /* the deliberate bug */
    addq    $8, %rsp
    .cfi_adjust_cfa_offset -8
    ret
    .cfi_endproc
    .size   regs_bad_jump, . - regs_bad_jump

    .section .note.GNU-stack,"",%progbits
