/*
 * fctx_transfer_t fctx_jump(fctx_t to, void *data)   x86-64 Microsoft ABI, PE/COFF, GAS
 *
 * ABI facts relied on (details and the frame drawing: frame_x86_64_ms.h):
 *  - nonvolatile: rbx rbp rdi rsi r12-r15 rsp, xmm6-xmm15 (128 bits),
 *    MXCSR control bits, x87 control word; everything else is volatile.
 *    Which FP bits a context owns and which follow the thread, and when
 *    a switch writes them: the FP rule in frame_x86_64_ms.h.
 *  - the 16-byte result is returned through a hidden pointer: rcx = where
 *    to store it, rdx = to, r8 = data; the callee returns rcx in rax.
 *  - rsp is 16-byte aligned at every call (rsp = 16n+8 at entry).
 *  - the TEB stack fields (gs:) must describe the stack in use; Wine
 *    also walks NT_TIB.ExceptionList against rsp.
 *
 * Saves the nonvolatile state, the TEB stack fields and OUR result pointer
 * in a frame on the current stack; switches rsp to `to`; restores its
 * state; stores {our context, data} through `to`'s saved result pointer
 * (the pending fctx_jump/fctx_ontop of the resumed side, or the transfer
 * slot of a new context) and resumes it with rax = that pointer, exactly
 * as its own pending call returns.
 *
 * Unwind data: the prologue is described with .seh_* directives.  After the
 * switch rsp points at `to`'s frame, which has the same shape, so the same
 * unwind data describes the resumed side until the final add/jmp.
 */
#include "frame_x86_64_ms.h"

    .text
    .globl  fctx_jump
    .def    fctx_jump; .scl 2; .type 32; .endef  /* a function symbol (DLL exports need it) */
    .p2align 4
    .seh_proc fctx_jump
fctx_jump:
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
    /* The TEB describes the stack we leave: keep its view in our frame
       (StackLimit may have moved since, as the OS grows a thread stack). */
    movq    %gs:TEB_STACK_BASE, %r9
    movq    %gs:TEB_STACK_LIMIT, %r10
    movq    %gs:TEB_DEALLOCATION_STACK, %r11
    movq    %r9, FRAME_STACK_BASE(%rsp)
    movq    %r10, FRAME_STACK_LIMIT(%rsp)
    movq    %r11, FRAME_DEALLOCATION_STACK(%rsp)
    movq    %gs:TEB_FIBER_DATA, %r9
    movq    %gs:TEB_EXCEPTION_LIST, %r10
    movl    %gs:TEB_GUARANTEED_STACK_BYTES, %r11d   /* a 32-bit field */
    movq    %r9, FRAME_FIBER_DATA(%rsp)
    movq    %r10, FRAME_EXCEPTION_LIST(%rsp)
    movl    %r11d, FRAME_GUARANTEED_STACK_BYTES(%rsp)
    movq    %rcx, FRAME_RESULT(%rsp)    /* where OUR pending call wants its
                                           result when we are resumed */

    movq    %rsp, %rax                  /* our context: delivered to `to` */
    movq    %rdx, %rsp                  /* switch stacks */
    /* The TEB first: from here on it must describe `to`'s stack. */
    movq    FRAME_STACK_BASE(%rsp), %r9
    movq    FRAME_STACK_LIMIT(%rsp), %r10
    movq    FRAME_DEALLOCATION_STACK(%rsp), %r11
    movq    %r9, %gs:TEB_STACK_BASE
    movq    %r10, %gs:TEB_STACK_LIMIT
    movq    %r11, %gs:TEB_DEALLOCATION_STACK
    movq    FRAME_FIBER_DATA(%rsp), %r9
    movq    FRAME_EXCEPTION_LIST(%rsp), %r10
    movl    FRAME_GUARANTEED_STACK_BYTES(%rsp), %r11d
    movq    %r9, %gs:TEB_FIBER_DATA
    movq    %r10, %gs:TEB_EXCEPTION_LIST
    movl    %r11d, %gs:TEB_GUARANTEED_STACK_BYTES
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
    jnz     .Ljump_fp_modes             /* yes: load `to`'s (rare, out of line) */
.Ljump_fp_done:
#endif
    /* Return the transfer the way `to`'s pending call expects it: stored
       through ITS hidden result pointer, which is also returned in rax. */
    movq    FRAME_RESULT(%rsp), %rcx
    movq    %rax, 0(%rcx)               /* .ctx  = the context we just left */
    movq    %r8, 8(%rcx)                /* .data = data */
    movq    %rcx, %rax
    movq    FRAME_RIP(%rsp), %r10       /* where `to` resumes */
    addq    $FRAME_SIZE, %rsp           /* pop the frame and the return address */
    /* An indirect jmp instead of ret: a ret into another context's return
       address always misses the return-stack predictor.  (Only here, one
       instruction, does the unwind data not describe rsp.) */
    jmp     *%r10
#ifndef FCTX_NO_FPU_CONTROL
    /* Rare path: r10d = the control bits that differ, MXCSR 6-15 in the
       low half, x87 control word in the high half.  rsp is still `to`'s
       frame (the unwind data holds as on the main path); its slots are
       consumed: the MXCSR slot is rewritten, the xmm slots are scratch.
       Our MXCSR and x87 words saved above are the current ones (no FP
       instruction ran since). */
.Ljump_fp_modes:
    testl   $0xFFC0, %r10d              /* MXCSR control bits differ? */
    jz      .Ljump_x87cw
    movl    FRAME_MXCSR(%rsp), %r11d
    xorl    FRAME_MXCSR(%rax), %r11d
    andl    $0x3F, %r11d                /* the flags where `to`'s word differs
                                           from the current MXCSR ... */
    xorl    %r11d, FRAME_MXCSR(%rsp)    /* ... flipped: `to`'s control bits
                                           with the thread's flags */
    ldmxcsr FRAME_MXCSR(%rsp)
.Ljump_x87cw:
    testl   $0xFFFF0000, %r10d          /* x87 control word differs? */
    jz      .Ljump_fp_done
    fnstsw  FRAME_FP_SCRATCH(%rsp)      /* the thread's x87 status word */
    movzwl  FRAME_X87CW(%rsp), %r11d    /* `to`'s control word (1 = masked) */
    movl    %r11d, %ecx
    notl    %ecx                        /* 1 = unmasked by `to` ... */
    andw    FRAME_FP_SCRATCH(%rsp), %cx /* ... and its flag set now */
    andl    $0x3F, %ecx                 /* the 6 exception flags: would trap */
    jnz     .Ljump_x87_pending
    fldcw   FRAME_X87CW(%rsp)           /* nothing would trap: plain load */
    jmp     .Ljump_fp_done
.Ljump_x87_pending:
    /* Clear exactly those flags while loading the control word: fnstenv
       stores control word (+0) and status word (+4) in its 28 bytes. */
    fnstenv FRAME_FP_SCRATCH(%rsp)
    movw    %r11w, FRAME_FP_SCRATCH(%rsp)   /* `to`'s control word */
    orl     $0x8080, %ecx               /* + ES and B (bits 7, 15): no
                                           unmasked flag remains set */
    notl    %ecx
    andw    %cx, FRAME_FP_SCRATCH+4(%rsp)   /* cleared in the status word */
    fldenv  FRAME_FP_SCRATCH(%rsp)      /* both at once: nothing traps */
    jmp     .Ljump_fp_done
#endif
    .seh_endproc
