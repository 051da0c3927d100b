/*
 * The word layout both i386 register helpers (regs_i386_sysv.S,
 * regs_i386_ms_pe.S) read and write: 64-bit words, registers 32-bit, so
 * each upper half is 0.  Word order: ebx esi edi ebp mxcsr x87cw.
 * Assembler-only (.macro).
 */
/* The four callee-saved registers into the words at p. */
    .macro regs_i386_store_gprs p
    movl    %ebx, 0(\p)
    movl    $0, 4(\p)
    movl    %esi, 8(\p)
    movl    $0, 12(\p)
    movl    %edi, 16(\p)
    movl    $0, 20(\p)
    movl    %ebp, 24(\p)
    movl    $0, 28(\p)
    .endm
/* MXCSR and the x87 control word into their words at p. */
    .macro regs_i386_store_fp p
    movl    $0, 32(\p)
    movl    $0, 36(\p)
    stmxcsr 32(\p)
    movl    $0, 40(\p)
    movl    $0, 44(\p)
    fnstcw  40(\p)
    .endm
/* The four callee-saved registers from the words at p. */
    .macro regs_i386_load_gprs p
    movl    0(\p), %ebx
    movl    8(\p), %esi
    movl    16(\p), %edi
    movl    24(\p), %ebp
    .endm
/* MXCSR and the x87 control word from their words at p, after clearing
 * the x87 flags (the values unmask exceptions at random; flags are the
 * thread's and nothing in the test looks at them). */
    .macro regs_i386_load_fp p
    fnclex
    ldmxcsr 32(\p)
    fldcw   40(\p)
    .endm
/* regs_switch's frame: the four callee-saved registers pushed (ebp first),
 * then 28 bytes of locals with the caller's MXCSR at 12 and x87 control
 * word at 16; regs_i386_leave restores both and pops it all. */
    .macro regs_i386_enter
    pushl   %ebp
    .cfi_adjust_cfa_offset 4
    pushl   %ebx
    .cfi_adjust_cfa_offset 4
    pushl   %esi
    .cfi_adjust_cfa_offset 4
    pushl   %edi
    .cfi_adjust_cfa_offset 4
    subl    $28, %esp
    .cfi_adjust_cfa_offset 28
    stmxcsr 12(%esp)
    fnstcw  16(%esp)
    .endm
    .macro regs_i386_leave
    ldmxcsr 12(%esp)
    fldcw   16(%esp)
    addl    $28, %esp
    .cfi_adjust_cfa_offset -28
    popl    %edi
    .cfi_adjust_cfa_offset -4
    popl    %esi
    .cfi_adjust_cfa_offset -4
    popl    %ebx
    .cfi_adjust_cfa_offset -4
    popl    %ebp
    .cfi_adjust_cfa_offset -4
    .endm
