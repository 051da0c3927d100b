/*
 * Register-preservation test helpers, i386 Windows (PE/COFF, GAS; used by
 * the GAS and the MASM builds: it tests the library's switch, whichever
 * dialect assembled it).  See tests/regs/regs_x86_64_sysv.S and
 * tests/test_registers.c for the contract.  i386 Windows specifics:
 *   - cdecl, symbols with a leading underscore; regs_switch and
 *     regs_bad_jump return fctx_transfer_t in EDX:EAX (no hidden pointer,
 *     unlike i386 SysV), so "sp after" is esp right after the call;
 *   - words are 64-bit, registers 32-bit: the upper halves are stored as 0
 *     and the masks cover only the low halves.
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

    .section .rdata, "dr"
    .globl  _regs_count
    .p2align 3
_regs_count: .long NWORDS
    .globl  _regs_mask
    .p2align 3
_regs_mask:
    .quad 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff
    /* Every control bit (per context), no status bit (the thread's):
       MXCSR 6-15; x87 CW 0-5 masks, 8-9 precision, 10-11 rounding, 12
       infinity control (the other bits are reserved). */
    .quad 0xFFC0        /* MXCSR */
    .quad 0x1F3F        /* x87 CW */

    .text
    .globl  _regs_read
    .def    _regs_read; .scl 2; .type 32; .endef
_regs_read:                     /* 4(esp) out */
    .cfi_startproc
    movl    4(%esp), %eax
    regs_i386_store_gprs %eax
    regs_i386_store_fp %eax
    ret
    .cfi_endproc

/* fctx_transfer_t regs_switch(jumpfn, to, data, load, store)
 * After the four pushes and the 28-byte local area the incoming arguments
 * are at: 48 jumpfn, 52 to, 56 data, 60 load, 64 store.  Locals: 0..7
 * outgoing arguments (to, data), 12 caller's MXCSR, 16 caller's x87 CW. */
    .globl  _regs_switch
    .def    _regs_switch; .scl 2; .type 32; .endef
_regs_switch:
    .cfi_startproc
    regs_i386_enter
    movl    52(%esp), %eax
    movl    %eax, 0(%esp)
    movl    56(%esp), %eax
    movl    %eax, 4(%esp)
    movl    64(%esp), %edx
    movl    %esp, SP_BEFORE(%edx)   /* esp before */
    movl    $0, SP_BEFORE+4(%edx)
    movl    48(%esp), %eax          /* jumpfn */
    movl    60(%esp), %ecx          /* load */
    regs_i386_load_gprs %ecx
#ifndef FCTX_NO_FPU_CONTROL
    /* The values unmask exceptions at random: start from no x87 flag, so
       this helper's own fldcw cannot arm a pending trap. */
    regs_i386_load_fp %ecx
#endif
    call    *%eax                   /* result in EDX:EAX: kept to the end */
    movl    64(%esp), %ecx          /* store */
    regs_i386_store_gprs %ecx
#ifndef FCTX_NO_FPU_CONTROL
    regs_i386_store_fp %ecx
#endif
    movl    %esp, SP_AFTER(%ecx)    /* esp after: cdecl, nothing popped */
    movl    $0, SP_AFTER+4(%ecx)
    regs_i386_leave
    ret
    .cfi_endproc

/* fctx_transfer_t regs_bad_jump(to, data): fctx_jump, then corrupt esi. */
    .globl  _regs_bad_jump
    .def    _regs_bad_jump; .scl 2; .type 32; .endef
_regs_bad_jump:                 /* 4 to, 8 data */
    .cfi_startproc
    subl    $12, %esp
    .cfi_adjust_cfa_offset 12
    movl    16(%esp), %eax
    movl    %eax, 0(%esp)
    movl    20(%esp), %eax
    movl    %eax, 4(%esp)
    call    _fctx_jump
    notl    %esi                    /* the deliberate bug */
    addl    $12, %esp
    .cfi_adjust_cfa_offset -12
    ret
    .cfi_endproc
