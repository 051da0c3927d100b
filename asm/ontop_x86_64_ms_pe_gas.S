/*
 * fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
 *                                      x86-64 Microsoft ABI, PE/COFF, GAS
 *
 * ABI facts relied on (details and the frame drawing: frame_x86_64_ms.h):
 *  - nonvolatile: rbx rbp rdi rsi r12-r15 rsp, xmm6-xmm15 (128 bits),
 *    MXCSR control bits, x87 control word.  Which FP bits a context owns,
 *    which follow the thread, and when a switch writes them: the FP rule
 *    in frame_x86_64_ms.h (fn runs with `to`'s control modes).
 *  - the 16-byte result goes through a hidden pointer: rcx = result,
 *    rdx = to, r8 = data, r9 = fn.  fn itself returns its 16-byte result
 *    through the pointer in rcx (and returns that pointer in rax) and takes
 *    its 16-byte argument by reference: rdx = pointer to a 16-byte aligned
 *    copy that must stay valid while fn runs.
 *  - at fn's entry rsp = 16n+8, with 32 bytes of home space above the
 *    return address.
 *
 * Saves our state exactly like fctx_jump, switches to `to` and restores its
 * state (TEB fields included).  Then, instead of resuming `to`, it calls
 * fn({our context, data}) as if `to` had called it at its resume point:
 *  - fn's result pointer is `to`'s saved result pointer, so fn writes its
 *    result straight to where `to`'s pending call expects it, and leaves
 *    that pointer in rax: exactly `to`'s return state.
 *  - the argument copy and fn's home space cannot live above `to`'s resume
 *    address (that is the caller's memory), so they are placed in `to`'s
 *    now dead frame, below the resume address that already sits at
 *    FRAME_RIP, and fn returns to a landing that pops them and returns to
 *    the resume address with rsp back at ctx + FRAME_SIZE.
 * The landing has unwind data, so an exception thrown by fn unwinds through
 * it into `to`'s frames (C++ code uses that to unwind a fiber).
 */
#include "frame_x86_64_ms.h"

    .text
    .globl  fctx_ontop
    .def    fctx_ontop; .scl 2; .type 32; .endef
    .p2align 4
    .seh_proc fctx_ontop
fctx_ontop:
    subq    $FRAME_RIP, %rsp            /* same frame as fctx_jump */
    .seh_stackalloc FRAME_RIP
    movaps  %xmm6, FRAME_XMM6(%rsp)
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
    movq    %gs:TEB_STACK_BASE, %r10
    movq    %gs:TEB_STACK_LIMIT, %r11
    movq    %r10, FRAME_STACK_BASE(%rsp)
    movq    %r11, FRAME_STACK_LIMIT(%rsp)
    movq    %gs:TEB_DEALLOCATION_STACK, %r10
    movq    %gs:TEB_FIBER_DATA, %r11
    movq    %r10, FRAME_DEALLOCATION_STACK(%rsp)
    movq    %r11, FRAME_FIBER_DATA(%rsp)
    movq    %gs:TEB_EXCEPTION_LIST, %r10
    movl    %gs:TEB_GUARANTEED_STACK_BYTES, %r11d
    movq    %r10, FRAME_EXCEPTION_LIST(%rsp)
    movl    %r11d, FRAME_GUARANTEED_STACK_BYTES(%rsp)
    movq    %rcx, FRAME_RESULT(%rsp)    /* our own pending result pointer */

    movq    %rsp, %rax                  /* our context */
    movq    %rdx, %rsp                  /* switch stacks */
    movq    FRAME_STACK_BASE(%rsp), %r10
    movq    FRAME_STACK_LIMIT(%rsp), %r11
    movq    %r10, %gs:TEB_STACK_BASE
    movq    %r11, %gs:TEB_STACK_LIMIT
    movq    FRAME_DEALLOCATION_STACK(%rsp), %r10
    movq    FRAME_FIBER_DATA(%rsp), %r11
    movq    %r10, %gs:TEB_DEALLOCATION_STACK
    movq    %r11, %gs:TEB_FIBER_DATA
    movq    FRAME_EXCEPTION_LIST(%rsp), %r10
    movl    FRAME_GUARANTEED_STACK_BYTES(%rsp), %r11d
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
    jnz     .Lontop_fp_modes            /* yes: load `to`'s (rare, out of line) */
.Lontop_fp_done:
#endif
    /* Everything of `to` is restored: its frame below FRAME_RIP is dead
       and becomes the landing frame (these slots were read above). */
    movq    FRAME_RESULT(%rsp), %rcx    /* fn's result goes where `to` wants it
                                           (read first: ONTOP_RET reuses the slot) */
    movq    %rax, ONTOP_ARG(%rsp)       /* fn's argument {our context, data} */
    movq    %r8, ONTOP_ARG+8(%rsp)
    leaq    ONTOP_ARG(%rsp), %rdx       /* ... passed by reference */
    leaq    fctx_ontop_landing(%rip), %r10
    movq    %r10, ONTOP_RET(%rsp)       /* fn returns to the landing */
    addq    $ONTOP_RET, %rsp            /* rsp = 16n+8, fn's entry state */
    jmp     *%r9                        /* "call" fn */
#ifndef FCTX_NO_FPU_CONTROL
    /* Rare path: r10d = the control bits that differ, MXCSR 6-15 in the
       low half, x87 control word in the high half.  rsp is still `to`'s
       frame (the unwind data holds as on the main path); its slots are
       consumed: the MXCSR slot is rewritten, the xmm slots are scratch.
       Our MXCSR and x87 words saved above are the current ones (no FP
       instruction ran since). */
.Lontop_fp_modes:
    testl   $0xFFC0, %r10d              /* MXCSR control bits differ? */
    jz      .Lontop_x87cw
    movl    FRAME_MXCSR(%rsp), %r11d
    xorl    FRAME_MXCSR(%rax), %r11d
    andl    $0x3F, %r11d                /* the flags where `to`'s word differs
                                           from the current MXCSR ... */
    xorl    %r11d, FRAME_MXCSR(%rsp)    /* ... flipped: `to`'s control bits
                                           with the thread's flags */
    ldmxcsr FRAME_MXCSR(%rsp)
.Lontop_x87cw:
    testl   $0xFFFF0000, %r10d          /* x87 control word differs? */
    jz      .Lontop_fp_done
    fnstsw  FRAME_FP_SCRATCH(%rsp)      /* the thread's x87 status word */
    movzwl  FRAME_X87CW(%rsp), %r11d    /* `to`'s control word (1 = masked) */
    movl    %r11d, %ecx
    notl    %ecx                        /* 1 = unmasked by `to` ... */
    andw    FRAME_FP_SCRATCH(%rsp), %cx /* ... and its flag set now */
    andl    $0x3F, %ecx                 /* the 6 exception flags: would trap */
    jnz     .Lontop_x87_pending
    fldcw   FRAME_X87CW(%rsp)           /* nothing would trap: plain load */
    jmp     .Lontop_fp_done
.Lontop_x87_pending:
    /* Clear exactly those flags while loading the control word: fnstenv
       stores control word (+0) and status word (+4) in its 28 bytes. */
    fnstenv FRAME_FP_SCRATCH(%rsp)
    movw    %r11w, FRAME_FP_SCRATCH(%rsp)   /* `to`'s control word */
    orl     $0x8080, %ecx               /* + ES and B (bits 7, 15): no
                                           unmasked flag remains set */
    notl    %ecx
    andw    %cx, FRAME_FP_SCRATCH+4(%rsp)   /* cleared in the status word */
    fldenv  FRAME_FP_SCRATCH(%rsp)      /* both at once: nothing traps */
    jmp     .Lontop_fp_done
#endif
    .seh_endproc

/*
 * Where fn returns (a local function; the sub is never executed: it and
 * its unwind code describe the frame fctx_ontop built).  rsp = ctx +
 * ONTOP_RET + 8, rax = `to`'s result pointer holding fn's result.  The
 * add/ret pair is a standard epilogue, so unwinders see it too.
 */
    .def    fctx_ontop_return; .scl 3; .type 32; .endef   /* static */
    .p2align 4
    .seh_proc fctx_ontop_return
fctx_ontop_return:
    subq    $STUB_FRAME, %rsp           /* not executed; see above */
    .seh_stackalloc STUB_FRAME
    .seh_endprologue
fctx_ontop_landing:
    addq    $STUB_FRAME, %rsp           /* drop home space and argument copy */
    ret                                 /* to `to`'s resume address; rsp =
                                           ctx + FRAME_SIZE as after its call */
    .seh_endproc
