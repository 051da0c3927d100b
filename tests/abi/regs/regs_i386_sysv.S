/*
 * Register-preservation test helpers, i386 System V (ELF, Linux).  See
 * tests/regs/regs_x86_64_sysv.S and tests/test_registers.c for the
 * contract.  i386 specifics:
 *   - regs_switch and regs_bad_jump return fctx_transfer_t, so they get a
 *     hidden result pointer as first stack argument, pass it on to the
 *     jump function and pop it themselves (`ret $4`), like any function
 *     returning a struct on Linux;
 *   - words are 64-bit, registers 32-bit: the upper halves are stored as 0
 *     and the masks cover only the low halves;
 *   - "sp after" is esp after the jump function returned minus 4, because
 *     the callee pops the hidden pointer.
 * With FCTX_NO_FPU_CONTROL (tests/CMakeLists.txt passes the library's
 * define here) the control words, which come last, are not checked.
 * Word order: ebx esi edi ebp mxcsr x87cw.
 */
#include "regs_i386.h"          /* the word layout, shared by both */

#ifndef FCTX_NO_FPU_CONTROL
#  define NWORDS 6
#else
#  define NWORDS 4              /* control words shared by design */
#endif
#define SP_BEFORE (8 * NWORDS)
#define SP_AFTER  (8 * NWORDS + 8)

    .section .rodata
    .globl  regs_count
    .p2align 3
regs_count: .long NWORDS
    .globl  regs_mask
    .p2align 3
regs_mask:
    .quad 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff
    /* Every control bit (per context), no status bit (the thread's):
       MXCSR 6-15 = DAZ, exception masks, rounding, FZ; x87 CW 0-5 masks,
       8-9 precision, 10-11 rounding, 12 infinity control (bits 6-7 and
       13-15 are reserved: the CPU does not keep them). */
    .quad 0xFFC0        /* MXCSR */
    .quad 0x1F3F        /* x87 CW */

    .text
    .globl  regs_read
    .type   regs_read, @function
regs_read:                      /* 4(esp) out */
    .cfi_startproc
    movl    4(%esp), %eax
    regs_i386_store_gprs %eax
    regs_i386_store_fp %eax
    ret
    .cfi_endproc
    .size   regs_read, . - regs_read

/* fctx_transfer_t regs_switch(jumpfn, to, data, load, store)
 * After the four pushes and the 28-byte local area the incoming arguments
 * are at: 48 hidden, 52 jumpfn, 56 to, 60 data, 64 load, 68 store.
 * Locals: 0..11 outgoing arguments (hidden, to, data), 12 caller's MXCSR,
 * 16 caller's x87 CW.  esp = 12 - 16 - 28 = 0 mod 16 at the call. */
    .globl  regs_switch
    .type   regs_switch, @function
regs_switch:
    .cfi_startproc
    regs_i386_enter
    movl    48(%esp), %eax          /* our hidden pointer goes on to jumpfn */
    movl    %eax, 0(%esp)
    movl    56(%esp), %eax
    movl    %eax, 4(%esp)
    movl    60(%esp), %eax
    movl    %eax, 8(%esp)
    movl    68(%esp), %edx
    movl    %esp, SP_BEFORE(%edx)   /* esp before */
    movl    $0, SP_BEFORE+4(%edx)
    movl    52(%esp), %eax          /* jumpfn */
    movl    64(%esp), %ecx          /* load */
    regs_i386_load_gprs %ecx
#ifndef FCTX_NO_FPU_CONTROL
    /* The values unmask exceptions at random.  Unlike the switch, this
       helper does nothing about x87 flags that a new control word would
       turn into a fault, so it starts from none (flags are the thread's;
       nothing in this test looks at them). */
    regs_i386_load_fp %ecx
#endif
    call    *%eax
    .cfi_adjust_cfa_offset -4       /* the callee popped the hidden pointer */
    movl    %esp, %ecx
    subl    $4, %esp
    .cfi_adjust_cfa_offset 4
    movl    68(%esp), %edx          /* store */
    regs_i386_store_gprs %edx
#ifndef FCTX_NO_FPU_CONTROL
    regs_i386_store_fp %edx
#endif
    subl    $4, %ecx
    movl    %ecx, SP_AFTER(%edx)    /* esp after (hidden pop undone) */
    movl    $0, SP_AFTER+4(%edx)
    regs_i386_leave
    movl    4(%esp), %eax           /* struct return: address in eax */
    ret     $4
    .cfi_endproc
    .size   regs_switch, . - regs_switch

/* fctx_transfer_t regs_bad_jump(to, data): fctx_jump, then corrupt esi.
 * ebx holds a test value here (loaded by regs_switch), so it is saved and
 * pointed at the GOT for the PLT call, then restored. */
    .globl  regs_bad_jump
    .type   regs_bad_jump, @function
regs_bad_jump:                  /* 4 hidden, 8 to, 12 data */
    .cfi_startproc
    pushl   %ebx
    .cfi_adjust_cfa_offset 4
    subl    $24, %esp               /* 12 - 4 - 24 = 0 mod 16 */
    .cfi_adjust_cfa_offset 24
    movl    32(%esp), %eax
    movl    %eax, 0(%esp)
    movl    36(%esp), %eax
    movl    %eax, 4(%esp)
    movl    40(%esp), %eax
    movl    %eax, 8(%esp)
    call    1f
    .cfi_adjust_cfa_offset 4
1:  popl    %ebx
    .cfi_adjust_cfa_offset -4
    addl    $_GLOBAL_OFFSET_TABLE_+[.-1b], %ebx
    call    fctx_jump@PLT
    .cfi_adjust_cfa_offset -4       /* the callee popped the hidden pointer */
    notl    %esi                    /* the deliberate bug */
    addl    $20, %esp
    .cfi_adjust_cfa_offset -20
    popl    %ebx
    .cfi_adjust_cfa_offset -4
    movl    4(%esp), %eax
    ret     $4
    .cfi_endproc
    .size   regs_bad_jump, . - regs_bad_jump

    .section .note.GNU-stack,"",%progbits
