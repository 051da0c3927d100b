/*
 * Register-preservation test helpers, x86-64 Microsoft ABI (PE/COFF, GAS).
 * The contract is the one of tests/regs/regs_x86_64_sysv.S (see
 * tests/test_registers.c):
 *   regs_count, regs_mask[]: the words of callee-saved state and which of
 *     their bits the test may vary;
 *   regs_read(out): the current state;
 *   regs_switch(jumpfn, to, data, load, store): load every callee-saved
 *     word from `load`, call jumpfn(to, data), store them into `store`
 *     (plus rsp before/after the call at store[count], store[count+1]),
 *     restore the caller's own values, return jumpfn's result;
 *   regs_bad_jump(to, data): fctx_jump, then corrupt r13 (the test proves
 *     that it notices).
 * Microsoft x64 facts used: nonvolatile rbx rbp rdi rsi r12-r15,
 * xmm6-xmm15 (128 bits), MXCSR control bits, x87 control word; a 16-byte
 * struct result goes through a hidden pointer in rcx (returned in rax), so
 * regs_switch gets rcx = result, rdx = jumpfn, r8 = to, r9 = data and
 * load/store as the 5th/6th arguments on the stack (above the 32-byte home
 * space); rsp is 16-byte aligned at calls.
 * FP words (the FP rule: asm/frame_x86_64_ms.h): only control bits vary,
 * all of MXCSR 6-15 (DAZ, the six exception masks, rounding, FZ; SSE never
 * traps on a flag already set, and no SSE arithmetic runs while loaded
 * values are live) and the x87 rounding and precision control (its masks
 * stay set: an unmasked x87 flag would trap at the next x87 instruction).
 * The status bits loaded are the thread's own (from regs_read), which the
 * switch leaves as they are; they are not compared.  With
 * FCTX_NO_FPU_CONTROL (the build passes the library's define) the FP words
 * are shared by design and not varied.
 * Besides registers, a context owns the TEB stack fields (gs:): they are
 * words of its state here too, loaded with arbitrary values like the
 * registers, so a switch that does not keep them per context is caught.
 * Word order (36 words):
 *   0-7   rbx rbp rdi rsi r12 r13 r14 r15
 *   8-27  xmm6 .. xmm15, low then high quadword of each
 *   28    MXCSR          29  x87 control word
 *   30    StackBase      31  StackLimit      32  DeallocationStack
 *   33    FiberData      34  ExceptionList (Wine walks it)
 *   35    GuaranteedStackBytes (32 bits)
 */
#define W_XMM 64            /* byte offset of word 8 */
#define W_MXCSR 224         /* word 28 */
#define W_X87CW 232
#define W_STACK_BASE 240
#define W_STACK_LIMIT 248
#define W_DEALLOC 256
#define W_FIBER_DATA 264
#define W_EXCEPTION_LIST 272
#define W_GUARANTEE 280
#define W_RSP_BEFORE 288    /* store[count] */
#define W_RSP_AFTER 296     /* store[count + 1] */

    .section .rdata,"dr"
    .globl  regs_count
    .p2align 3
regs_count: .long 36
    .globl  regs_mask
    .p2align 3
regs_mask:
    .quad -1, -1, -1, -1, -1, -1, -1, -1                /* GPRs */
    .quad -1, -1, -1, -1, -1, -1, -1, -1, -1, -1        /* xmm6-xmm10 */
    .quad -1, -1, -1, -1, -1, -1, -1, -1, -1, -1        /* xmm11-xmm15 */
#ifndef FCTX_NO_FPU_CONTROL
    .quad 0xFFC0        /* MXCSR: every control bit (see above) */
    .quad 0x0F00        /* x87 CW: rounding and precision control */
#else
    .quad 0, 0          /* FCTX_NO_FPU_CONTROL (the build passes the library's
                           define here): the FP control words are shared by
                           all contexts of a thread by design, not varied */
#endif
    .quad -1, -1, -1, -1, -1                            /* TEB pointers */
    .quad 0xFFFFFFFF    /* GuaranteedStackBytes: 32 bits, and the final check
                           of test_registers.c (partial masks) proves that
                           main's value is back */

    .text
    .globl  regs_read
    .def    regs_read; .scl 2; .type 32; .endef
    .seh_proc regs_read
regs_read:                  /* rcx = out; a leaf */
    .seh_endprologue
    movq    %rbx, 0(%rcx)
    movq    %rbp, 8(%rcx)
    movq    %rdi, 16(%rcx)
    movq    %rsi, 24(%rcx)
    movq    %r12, 32(%rcx)
    movq    %r13, 40(%rcx)
    movq    %r14, 48(%rcx)
    movq    %r15, 56(%rcx)
    movdqu  %xmm6, W_XMM+0(%rcx)     /* `out` is only 8-byte aligned */
    movdqu  %xmm7, W_XMM+16(%rcx)
    movdqu  %xmm8, W_XMM+32(%rcx)
    movdqu  %xmm9, W_XMM+48(%rcx)
    movdqu  %xmm10, W_XMM+64(%rcx)
    movdqu  %xmm11, W_XMM+80(%rcx)
    movdqu  %xmm12, W_XMM+96(%rcx)
    movdqu  %xmm13, W_XMM+112(%rcx)
    movdqu  %xmm14, W_XMM+128(%rcx)
    movdqu  %xmm15, W_XMM+144(%rcx)
    movq    $0, W_MXCSR(%rcx)
    stmxcsr W_MXCSR(%rcx)
    movq    $0, W_X87CW(%rcx)
    fnstcw  W_X87CW(%rcx)
    movq    %gs:8, %rax
    movq    %rax, W_STACK_BASE(%rcx)
    movq    %gs:16, %rax
    movq    %rax, W_STACK_LIMIT(%rcx)
    movq    %gs:0x1478, %rax
    movq    %rax, W_DEALLOC(%rcx)
    movq    %gs:32, %rax
    movq    %rax, W_FIBER_DATA(%rcx)
    movq    %gs:0, %rax
    movq    %rax, W_EXCEPTION_LIST(%rcx)
    movl    %gs:0x1748, %eax            /* zero-extends */
    movq    %rax, W_GUARANTEE(%rcx)
    ret
    .seh_endproc

/* regs_switch's frame, above rsp after its prologue: */
#define L_HOME 0            /* home space of the call to jumpfn */
#define L_XMM 32            /* caller's xmm6-xmm15 (16-aligned) */
#define L_MXCSR 192         /* caller's MXCSR, x87 CW at +4 */
#define L_TEB 200           /* caller's 6 TEB words */
#define L_RESULT 248        /* hidden result pointer */
#define L_STORE 256         /* store pointer */
#define LOCALS 264          /* 8 pushes + 264 + return address = 16n */
#define A_LOAD (LOCALS + 64 + 40)   /* 5th argument: above 8 pushes, the
                                       return address and the home space */
#define A_STORE (LOCALS + 64 + 48)

    .globl  regs_switch
    .def    regs_switch; .scl 2; .type 32; .endef
    .seh_proc regs_switch
regs_switch:
    pushq   %rbp
    .seh_pushreg %rbp
    pushq   %rbx
    .seh_pushreg %rbx
    pushq   %rdi
    .seh_pushreg %rdi
    pushq   %rsi
    .seh_pushreg %rsi
    pushq   %r12
    .seh_pushreg %r12
    pushq   %r13
    .seh_pushreg %r13
    pushq   %r14
    .seh_pushreg %r14
    pushq   %r15
    .seh_pushreg %r15
    subq    $LOCALS, %rsp
    .seh_stackalloc LOCALS
    movaps  %xmm6, L_XMM+0(%rsp)
    .seh_savexmm %xmm6, L_XMM+0
    movaps  %xmm7, L_XMM+16(%rsp)
    .seh_savexmm %xmm7, L_XMM+16
    movaps  %xmm8, L_XMM+32(%rsp)
    .seh_savexmm %xmm8, L_XMM+32
    movaps  %xmm9, L_XMM+48(%rsp)
    .seh_savexmm %xmm9, L_XMM+48
    movaps  %xmm10, L_XMM+64(%rsp)
    .seh_savexmm %xmm10, L_XMM+64
    movaps  %xmm11, L_XMM+80(%rsp)
    .seh_savexmm %xmm11, L_XMM+80
    movaps  %xmm12, L_XMM+96(%rsp)
    .seh_savexmm %xmm12, L_XMM+96
    movaps  %xmm13, L_XMM+112(%rsp)
    .seh_savexmm %xmm13, L_XMM+112
    movaps  %xmm14, L_XMM+128(%rsp)
    .seh_savexmm %xmm14, L_XMM+128
    movaps  %xmm15, L_XMM+144(%rsp)
    .seh_savexmm %xmm15, L_XMM+144
    .seh_endprologue
    stmxcsr L_MXCSR(%rsp)
    fnstcw  L_MXCSR+4(%rsp)
    movq    %gs:8, %r10                 /* the caller's TEB stack fields */
    movq    %r10, L_TEB+0(%rsp)
    movq    %gs:16, %r10
    movq    %r10, L_TEB+8(%rsp)
    movq    %gs:0x1478, %r10
    movq    %r10, L_TEB+16(%rsp)
    movq    %gs:32, %r10
    movq    %r10, L_TEB+24(%rsp)
    movq    %gs:0, %r10
    movq    %r10, L_TEB+32(%rsp)
    movl    %gs:0x1748, %r10d
    movq    %r10, L_TEB+40(%rsp)
    movq    %rcx, L_RESULT(%rsp)
    movq    A_STORE(%rsp), %r10
    movq    %r10, L_STORE(%rsp)
    movq    %rsp, W_RSP_BEFORE(%r10)    /* rsp before */
    movq    A_LOAD(%rsp), %r11
    movq    %rdx, %rax                  /* jumpfn */
    movq    %r8, %rdx                   /* jumpfn(result = rcx as is, to, data) */
    movq    %r9, %r8
    movq    0(%r11), %rbx
    movq    8(%r11), %rbp
    movq    16(%r11), %rdi
    movq    24(%r11), %rsi
    movq    32(%r11), %r12
    movq    40(%r11), %r13
    movq    48(%r11), %r14
    movq    56(%r11), %r15
    movdqu  W_XMM+0(%r11), %xmm6
    movdqu  W_XMM+16(%r11), %xmm7
    movdqu  W_XMM+32(%r11), %xmm8
    movdqu  W_XMM+48(%r11), %xmm9
    movdqu  W_XMM+64(%r11), %xmm10
    movdqu  W_XMM+80(%r11), %xmm11
    movdqu  W_XMM+96(%r11), %xmm12
    movdqu  W_XMM+112(%r11), %xmm13
    movdqu  W_XMM+128(%r11), %xmm14
    movdqu  W_XMM+144(%r11), %xmm15
    ldmxcsr W_MXCSR(%r11)
    fldcw   W_X87CW(%r11)
    movq    W_STACK_BASE(%r11), %r9     /* from here until the restore below
                                           only fctx code runs on these */
    movq    %r9, %gs:8
    movq    W_STACK_LIMIT(%r11), %r9
    movq    %r9, %gs:16
    movq    W_DEALLOC(%r11), %r9
    movq    %r9, %gs:0x1478
    movq    W_FIBER_DATA(%r11), %r9
    movq    %r9, %gs:32
    movq    W_EXCEPTION_LIST(%r11), %r9
    movq    %r9, %gs:0
    movl    W_GUARANTEE(%r11), %r9d
    movl    %r9d, %gs:0x1748
    callq   *%rax
    movq    L_STORE(%rsp), %r10
    movq    %rbx, 0(%r10)
    movq    %rbp, 8(%r10)
    movq    %rdi, 16(%r10)
    movq    %rsi, 24(%r10)
    movq    %r12, 32(%r10)
    movq    %r13, 40(%r10)
    movq    %r14, 48(%r10)
    movq    %r15, 56(%r10)
    movdqu  %xmm6, W_XMM+0(%r10)
    movdqu  %xmm7, W_XMM+16(%r10)
    movdqu  %xmm8, W_XMM+32(%r10)
    movdqu  %xmm9, W_XMM+48(%r10)
    movdqu  %xmm10, W_XMM+64(%r10)
    movdqu  %xmm11, W_XMM+80(%r10)
    movdqu  %xmm12, W_XMM+96(%r10)
    movdqu  %xmm13, W_XMM+112(%r10)
    movdqu  %xmm14, W_XMM+128(%r10)
    movdqu  %xmm15, W_XMM+144(%r10)
    movq    $0, W_MXCSR(%r10)
    stmxcsr W_MXCSR(%r10)
    movq    $0, W_X87CW(%r10)
    fnstcw  W_X87CW(%r10)
    movq    %gs:8, %r9
    movq    %r9, W_STACK_BASE(%r10)
    movq    %gs:16, %r9
    movq    %r9, W_STACK_LIMIT(%r10)
    movq    %gs:0x1478, %r9
    movq    %r9, W_DEALLOC(%r10)
    movq    %gs:32, %r9
    movq    %r9, W_FIBER_DATA(%r10)
    movq    %gs:0, %r9
    movq    %r9, W_EXCEPTION_LIST(%r10)
    movl    %gs:0x1748, %r9d
    movq    %r9, W_GUARANTEE(%r10)
    movq    %rsp, W_RSP_AFTER(%r10)     /* rsp after */
    /* The caller's own state back. */
    movq    L_TEB+0(%rsp), %r9
    movq    %r9, %gs:8
    movq    L_TEB+8(%rsp), %r9
    movq    %r9, %gs:16
    movq    L_TEB+16(%rsp), %r9
    movq    %r9, %gs:0x1478
    movq    L_TEB+24(%rsp), %r9
    movq    %r9, %gs:32
    movq    L_TEB+32(%rsp), %r9
    movq    %r9, %gs:0
    movl    L_TEB+40(%rsp), %r9d
    movl    %r9d, %gs:0x1748
    ldmxcsr L_MXCSR(%rsp)
    fldcw   L_MXCSR+4(%rsp)
    movaps  L_XMM+0(%rsp), %xmm6
    movaps  L_XMM+16(%rsp), %xmm7
    movaps  L_XMM+32(%rsp), %xmm8
    movaps  L_XMM+48(%rsp), %xmm9
    movaps  L_XMM+64(%rsp), %xmm10
    movaps  L_XMM+80(%rsp), %xmm11
    movaps  L_XMM+96(%rsp), %xmm12
    movaps  L_XMM+112(%rsp), %xmm13
    movaps  L_XMM+128(%rsp), %xmm14
    movaps  L_XMM+144(%rsp), %xmm15
    movq    L_RESULT(%rsp), %rax        /* return the hidden pointer */
    addq    $LOCALS, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rsi
    popq    %rdi
    popq    %rbx
    popq    %rbp
    ret
    .seh_endproc

    .globl  regs_bad_jump
    .def    regs_bad_jump; .scl 2; .type 32; .endef
    .seh_proc regs_bad_jump
regs_bad_jump:              /* rcx = result, rdx = to, r8 = data: passed on */
    subq    $40, %rsp               /* home space; aligns rsp for the call */
    .seh_stackalloc 40
    .seh_endprologue
    callq   fctx_jump
    notq    %r13                    /* the deliberate bug */
    addq    $40, %rsp
    ret                             /* rax = result pointer from fctx_jump */
    .seh_endproc

/*
 * Callees own the 32-byte home space above their return address and may
 * store anything there before they read their arguments.  These two trash
 * all of it first, so tests/win/test_win_teb.c proves that the by-reference
 * transfer fctx hands to an ontop function or an entry function does not
 * live in that space.
 *
 * fctx_transfer_t regs_ontop_home_clobber(fctx_transfer_t t)
 *   (rcx = result, rdx = &t): returns {t.ctx, t.data + 1}.
 */
    .globl  regs_ontop_home_clobber
    .def    regs_ontop_home_clobber; .scl 2; .type 32; .endef
    .seh_proc regs_ontop_home_clobber
regs_ontop_home_clobber:
    .seh_endprologue                /* a leaf */
    movq    $-1, 8(%rsp)            /* the four home slots */
    movq    $-1, 16(%rsp)
    movq    $-1, 24(%rsp)
    movq    $-1, 32(%rsp)
    movq    0(%rdx), %rax           /* only now read the argument */
    movq    8(%rdx), %r8
    addq    $1, %r8
    movq    %rax, 0(%rcx)
    movq    %r8, 8(%rcx)
    movq    %rcx, %rax
    ret
    .seh_endproc

/*
 * void regs_entry_home_clobber(fctx_transfer_t t)   (rcx = &t)
 * An entry function that answers every transfer with data + 1.
 */
    .globl  regs_entry_home_clobber
    .def    regs_entry_home_clobber; .scl 2; .type 32; .endef
    .seh_proc regs_entry_home_clobber
regs_entry_home_clobber:
    movq    $-1, 8(%rsp)            /* the four home slots, before anything */
    movq    $-1, 16(%rsp)
    movq    $-1, 24(%rsp)
    movq    $-1, 32(%rsp)
    subq    $56, %rsp               /* home space + a 16-byte result slot */
    .seh_stackalloc 56
    .seh_endprologue
    movq    0(%rcx), %rdx           /* to = t.ctx */
    movq    8(%rcx), %r8
1:  addq    $1, %r8                 /* data = t.data + 1 */
    leaq    32(%rsp), %rcx          /* where fctx_jump stores the next transfer */
    callq   fctx_jump
    movq    0(%rax), %rdx           /* rax = that slot */
    movq    8(%rax), %r8
    jmp     1b
    .seh_endproc
