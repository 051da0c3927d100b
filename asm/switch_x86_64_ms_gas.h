/*
 * The code fctx_jump and fctx_ontop share, x86-64 Microsoft ABI, PE/COFF,
 * GAS: included (after frame_x86_64_ms.h, whose names it uses) by
 * jump_x86_64_ms_gas.S and ontop_x86_64_ms_gas.S.  MASM twin:
 * switch_x86_64_ms_masm.inc (the same instructions; change both:
 * test_masm_twin compares the disassembly of all three files).
 * Assembler-only (.macro); the FP rule these macros follow and the frame
 * they use are described once, in frame_x86_64_ms.h.
 *
 * A switch, in order:
 *   fctx_ms_save          prologue: our frame, registers, FP control words
 *   (the file's own code) TEB fields to our frame, our result pointer,
 *                         rax = our frame, rsp = `to`, TEB fields from it
 *   fctx_ms_restore l     `to`'s registers, then the FP control check
 *   (the file's own code) resume `to` (jump) or call fn (ontop)
 *   fctx_ms_fp_load l     after the function's final jmp: the rare path
 * l is a local label prefix (.L...), one per function: fctx_ms_restore and
 * fctx_ms_fp_load jump to each other's labels, so they need the same one.
 */
#include "format.h"                  /* functions: PE/COFF branch */

/* Prologue at the entry (rsp = 16n+8): the frame below our return address,
 * each nonvolatile register stored in its slot with its unwind code, then
 * our FP control words (the current ones: the FP check reads them back).
 * Touches no argument register. */
    .macro fctx_ms_save
    subq    $FRAME_RIP, %rsp            /* frame below our return address */
    .seh_stackalloc FRAME_RIP
    movaps  %xmm6, FRAME_XMM6(%rsp)     /* aligned: rsp is 16n here */
    .seh_savexmm %xmm6, FRAME_XMM6
    movaps  %xmm7, FRAME_XMM7(%rsp)
    .seh_savexmm %xmm7, FRAME_XMM7
    movaps  %xmm8, FRAME_XMM8(%rsp)
    .seh_savexmm %xmm8, FRAME_XMM8
    movaps  %xmm9, FRAME_XMM9(%rsp)
    .seh_savexmm %xmm9, FRAME_XMM9
    movaps  %xmm10, FRAME_XMM10(%rsp)
    .seh_savexmm %xmm10, FRAME_XMM10
    movaps  %xmm11, FRAME_XMM11(%rsp)
    .seh_savexmm %xmm11, FRAME_XMM11
    movaps  %xmm12, FRAME_XMM12(%rsp)
    .seh_savexmm %xmm12, FRAME_XMM12
    movaps  %xmm13, FRAME_XMM13(%rsp)
    .seh_savexmm %xmm13, FRAME_XMM13
    movaps  %xmm14, FRAME_XMM14(%rsp)
    .seh_savexmm %xmm14, FRAME_XMM14
    movaps  %xmm15, FRAME_XMM15(%rsp)
    .seh_savexmm %xmm15, FRAME_XMM15
    movq    %r12, FRAME_R12(%rsp)
    .seh_savereg %r12, FRAME_R12
    movq    %r13, FRAME_R13(%rsp)
    .seh_savereg %r13, FRAME_R13
    movq    %r14, FRAME_R14(%rsp)
    .seh_savereg %r14, FRAME_R14
    movq    %r15, FRAME_R15(%rsp)
    .seh_savereg %r15, FRAME_R15
    movq    %rdi, FRAME_RDI(%rsp)
    .seh_savereg %rdi, FRAME_RDI
    movq    %rsi, FRAME_RSI(%rsp)
    .seh_savereg %rsi, FRAME_RSI
    movq    %rbx, FRAME_RBX(%rsp)
    .seh_savereg %rbx, FRAME_RBX
    movq    %rbp, FRAME_RBP(%rsp)
    .seh_savereg %rbp, FRAME_RBP
    .seh_endprologue
#ifndef FCTX_NO_FPU_CONTROL
    fnstcw  FRAME_X87CW(%rsp)           /* x87 masks/precision/rounding */
    stmxcsr FRAME_MXCSR(%rsp)           /* SSE control bits (+ flags, unused) */
#endif
    .endm

/* rsp = `to`'s frame (its TEB fields already loaded), rax = our frame as
 * fctx_ms_save filled it.  Loads `to`'s nonvolatile registers, then checks
 * the FP control bits: on the common path (equal) it falls through to the
 * code after it with no FP register written.  Clobbers r10; keeps rax,
 * rcx, rdx, r8, r9 (the out-of-line part clobbers r10, r11 and rcx). */
    .macro fctx_ms_restore l
    movaps  FRAME_XMM6(%rsp), %xmm6
    movaps  FRAME_XMM7(%rsp), %xmm7
    movaps  FRAME_XMM8(%rsp), %xmm8
    movaps  FRAME_XMM9(%rsp), %xmm9
    movaps  FRAME_XMM10(%rsp), %xmm10
    movaps  FRAME_XMM11(%rsp), %xmm11
    movaps  FRAME_XMM12(%rsp), %xmm12
    movaps  FRAME_XMM13(%rsp), %xmm13
    movaps  FRAME_XMM14(%rsp), %xmm14
    movaps  FRAME_XMM15(%rsp), %xmm15
    movq    FRAME_R12(%rsp), %r12
    movq    FRAME_R13(%rsp), %r13
    movq    FRAME_R14(%rsp), %r14
    movq    FRAME_R15(%rsp), %r15
    movq    FRAME_RDI(%rsp), %rdi
    movq    FRAME_RSI(%rsp), %rsi
    movq    FRAME_RBX(%rsp), %rbx
    movq    FRAME_RBP(%rsp), %rbp
#ifndef FCTX_NO_FPU_CONTROL
    /* FP control modes (the rule: frame_x86_64_ms.h): find whether any
       control bit of `to` differs from ours; if none (the common case) no
       FP register is written.  (Why our side is read in two halves:
       frame_x86_64_ms.h.) */
    movl    FRAME_X87CW(%rsp), %r10d    /* `to`'s x87 CW | its MXCSR bits 0-15 << 16 */
    xorw    FRAME_X87CW(%rax), %r10w    /* low half: x87 CW difference */
    roll    $16, %r10d                  /* MXCSR to the low half */
    xorw    FRAME_MXCSR(%rax), %r10w    /* low half: MXCSR difference */
    andl    $-64, %r10d                 /* drop MXCSR bits 0-5 (the thread's
                                           flags): any control bit left? */
    jnz     \l\()_fp_modes              /* yes: load `to`'s (rare, out of line) */
\l\()_fp_done:
#endif
    .endm

/* The out-of-line part of fctx_ms_restore l, placed after the function's
 * final jmp (so the common path runs straight on); returns to l_fp_done.
 * r10d = the control bits that differ, MXCSR 6-15 in the low half, x87
 * control word in the high half.  rsp is still `to`'s frame (the unwind
 * data holds as on the main path); its slots are consumed: the MXCSR slot
 * is rewritten, the xmm slots are scratch.  Our MXCSR and x87 words saved
 * by fctx_ms_save are the current ones (no FP instruction ran since). */
    .macro fctx_ms_fp_load l
#ifndef FCTX_NO_FPU_CONTROL
\l\()_fp_modes:
    testl   $0xFFC0, %r10d              /* MXCSR control bits differ? */
    jz      \l\()_x87cw
    movl    FRAME_MXCSR(%rsp), %r11d
    xorl    FRAME_MXCSR(%rax), %r11d
    andl    $0x3F, %r11d                /* the flags where `to`'s word differs
                                           from the current MXCSR ... */
    xorl    %r11d, FRAME_MXCSR(%rsp)    /* ... flipped: `to`'s control bits
                                           with the thread's flags */
    ldmxcsr FRAME_MXCSR(%rsp)
\l\()_x87cw:
    testl   $0xFFFF0000, %r10d          /* x87 control word differs? */
    jz      \l\()_fp_done
    fnstsw  FRAME_FP_SCRATCH(%rsp)      /* the thread's x87 status word */
    movzwl  FRAME_X87CW(%rsp), %r11d    /* `to`'s control word (1 = masked) */
    movl    %r11d, %ecx
    notl    %ecx                        /* 1 = unmasked by `to` ... */
    andw    FRAME_FP_SCRATCH(%rsp), %cx /* ... and its flag set now */
    andl    $0x3F, %ecx                 /* the 6 exception flags: would trap */
    jnz     \l\()_x87_pending
    fldcw   FRAME_X87CW(%rsp)           /* nothing would trap: plain load */
    jmp     \l\()_fp_done
\l\()_x87_pending:
    /* Clear exactly those flags while loading the control word: fnstenv
       stores control word (+0) and status word (+4) in its 28 bytes. */
    fnstenv FRAME_FP_SCRATCH(%rsp)
    movw    %r11w, FRAME_FP_SCRATCH(%rsp)   /* `to`'s control word */
    orl     $0x8080, %ecx               /* + ES and B (bits 7, 15): no
                                           unmasked flag remains set */
    notl    %ecx
    andw    %cx, FRAME_FP_SCRATCH+4(%rsp)   /* cleared in the status word */
    fldenv  FRAME_FP_SCRATCH(%rsp)      /* both at once: nothing traps */
    jmp     \l\()_fp_done
#endif
    .endm
