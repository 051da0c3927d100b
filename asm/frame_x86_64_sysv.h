/*
 * Saved-register frame of a suspended context, x86-64 System V ABI (ELF and
 * Mach-O).  Shared by jump_, make_ and ontop_x86_64_sysv_gas.S, which serve
 * both object formats (format.h): the only place that knows these offsets
 * and this ABI's facts.
 *
 * ABI facts relied on (System V AMD64 psABI; macOS x86-64 is the same for
 * everything a switch touches):
 *  - callee-saved: rbx, rbp, r12-r15, rsp.
 *  - at a call, rsp is 16-byte aligned, so rsp+8 is aligned at function entry.
 *  - a 2-word struct (fctx_transfer_t) is returned in rax:rdx and passed as
 *    an argument in two registers (rdi:rsi as the first argument).
 *  - 128 bytes below rsp (the red zone) are never touched by signal handlers.
 *
 * Floating-point state (psABI 3.2.1: "the control bits of the MXCSR register
 * are callee-saved, while the status bits are caller-saved"; the x87 status
 * word is caller-saved and the x87 control word callee-saved):
 *  - per CONTEXT (saved and restored by every switch): the x87 control word
 *    (exception masks, precision, rounding) and the MXCSR control bits 6-15
 *    (DAZ, exception masks, rounding, FTZ).  A new context starts with the
 *    control words its creator had when it called fctx_make().
 *  - per THREAD (a switch never changes them): the MXCSR status flags 0-5
 *    (IE DE ZE OE UE PE) and the whole x87 status word, as <fenv.h> sees
 *    them: an exception raised in one context is visible in the next one the
 *    thread runs, and feclearexcept() in one clears it for all.
 *  - A switch loads a control word only when the target's differs from the
 *    current one (FCTX_FP_SWITCH_CHECK below).  Loading MXCSR is cheap when
 *    only control bits change, but an ldmxcsr that changes a status flag
 *    costs ~80 ns on Intel Xeon (family 6 model 207), and real programs
 *    have different flags in different contexts all the time; fldcw is
 *    slower than the compare that skips it.  When MXCSR's control bits
 *    differ, the word loaded is the target's control bits merged with the
 *    current status bits.
 *  - Pending x87 traps: an x87 control word that unmasks an exception whose
 *    flag is already set (by another context: the flags are the thread's)
 *    would raise #MF (SIGFPE) at the next x87 instruction.  So when a switch
 *    loads an x87 control word that unmasks an exception the current word
 *    masks, it clears exactly the set flags that the new word unmasks
 *    (FCTX_X87CW_LOAD below); all other flags stay.  (A flag that is set
 *    and unmasked in both words is a trap the current context already has
 *    pending; the switch leaves it alone.)  SSE
 *    never traps on a flag that is already set, so MXCSR needs no such care.
 *  - FCTX_NO_FPU_CONTROL: none of this; all contexts of a thread share the
 *    FP control words (the slots stay, so the layout never changes).
 *
 * A context (fctx_t) is the address of this block on its own stack; it is
 * 16-byte aligned because the caller's call pushed the return address onto
 * an aligned stack and we then reserve FRAME_RIP more bytes.  jump/ontop
 * write it *below* rsp, in the red zone, and switch stacks by setting rsp to
 * `to` + FRAME_SIZE (jump) or `to` + FRAME_RIP (ontop) before reading `to`'s
 * frame through another register, so a frame is never below the red zone of
 * its stack.
 *
 *   ctx + 0x00  x87 control word (2 bytes)
 *   ctx + 0x02  MXCSR (4 bytes) | 2 bytes pad
 *   ctx + 0x08  r12     (new context: fctx_make's stack_top)
 *   ctx + 0x10  r13
 *   ctx + 0x18  r14
 *   ctx + 0x20  r15
 *   ctx + 0x28  rbx     (new context: the entry function)
 *   ctx + 0x30  rbp     (new context: 0, ends frame-pointer walks)
 *   ctx + 0x38  rip     resume address (the caller's return address)
 *   ctx + 0x40  = FRAME_SIZE: the resumed context's rsp
 *
 * The x87 word sits right below MXCSR's low half so that one 4-byte load of
 * `to`'s frame reads both control words (FCTX_FP_SWITCH_CHECK).
 */
#ifndef FCTX_FRAME_X86_64_SYSV_H
#define FCTX_FRAME_X86_64_SYSV_H

#define FRAME_X87CW 0x00
#define FRAME_MXCSR 0x02
#define FRAME_R12   0x08
#define FRAME_R13   0x10
#define FRAME_R14   0x18
#define FRAME_R15   0x20
#define FRAME_RBX   0x28
#define FRAME_RBP   0x30
#define FRAME_RIP   0x38
#define FRAME_SIZE  0x40

/* The saved part (everything below the resume address) must fit the red zone. */
#define FRAME_REDZONE 128
#if FRAME_RIP > FRAME_REDZONE
#  error "x86-64 SysV frame does not fit the red zone"
#endif

/* Scratch for the rare FP paths: 28 bytes (an x87 environment) below `to`'s
 * frame.  Still inside the red zone after jump (rsp = to + 0x40) and ontop
 * (rsp = to + 0x38) have switched, so no signal handler can clobber it. */
#define FRAME_FP_SCRATCH (-0x40)
#if FRAME_SIZE - FRAME_FP_SCRATCH > FRAME_REDZONE
#  error "x86-64 SysV FP scratch outside the red zone"
#endif

#define MXCSR_STATUS   0x003f   /* IE DE ZE OE UE PE: the thread's */
#define MXCSR_CONTROL  0xffc0   /* DAZ, masks, RC, FZ: the context's */
#define X87_FLAGS      0x003f   /* status word IE DE ZE OE UE PE; in the
                                   control word the same bits are masks */
#define X87_SW_ES_B    0x8080   /* status word: error summary and busy */

/*
 * FCTX_FP_SWITCH_CHECK ours, to, slow: run after our control words were
 * stored at `ours` (fnstcw, stmxcsr) and `to`'s frame is at `to`.  Leaves in
 * ecx `to`'s x87 control word XOR ours in bits 16-31 and `to`'s MXCSR XOR
 * ours in bits 0-15, and branches to `slow` when a control bit differs.  Six
 * instructions; each load of our side reads exactly one of the two stores
 * just made, so both are forwarded from the store buffer (a single 4-byte
 * load spanning both stores cannot be, and measured 4 ns slower).
 */
    .macro FCTX_FP_SWITCH_CHECK ours, to, slow
    movl    FRAME_X87CW(\to), %ecx      /* to's x87 CW | to's MXCSR low half << 16 */
    xorw    FRAME_X87CW(\ours), %cx     /* low half: x87 CW difference */
    roll    $16, %ecx                   /* MXCSR to the low half */
    xorw    FRAME_MXCSR(\ours), %cx     /* low half: MXCSR difference */
    testl   $(0xffff0000 | MXCSR_CONTROL), %ecx /* status flags ignored */
    jnz     \slow
    .endm

/*
 * FCTX_FP_SWITCH_SLOW ours, to: the rare path after FCTX_FP_SWITCH_CHECK
 * branched (ecx as it left it).  Loads `to`'s x87 control word if it
 * differs, through FCTX_X87CW_LOAD only when it unmasks an exception that
 * ours masks (otherwise no flag can start to trap: plain fldcw), and, if
 * MXCSR's control bits differ, `to`'s control bits with the thread's current
 * status flags: `to`'s saved word as it is when its status bits happen to
 * be the current ones, else with those bits flipped in place (a store the
 * ldmxcsr must then wait for).  Clobbers r8-r9 and the flags only (free in
 * jump and ontop: rdx may hold ontop's fn), and `to`'s saved MXCSR
 * (consumed).
 */
    .macro FCTX_FP_SWITCH_SLOW ours, to
    testl   $0xffff0000, %ecx           /* x87 control word differs? */
    jz      2f
    movl    %ecx, %r8d
    shrl    $16, %r8d                   /* x87 CW bits that differ ... */
    andw    FRAME_X87CW(\ours), %r8w    /* ... and are set (masked) in ours */
    testl   $X87_FLAGS, %r8d            /* does to's word unmask anything? */
    jnz     1f
    fldcw   FRAME_X87CW(\to)            /* no: no flag can start to trap */
    jmp     2f
1:  FCTX_X87CW_LOAD \to
2:  testl   $MXCSR_CONTROL, %ecx        /* MXCSR control bits differ? */
    jz      4f
    testl   $MXCSR_STATUS, %ecx         /* status flags differ too? */
    jz      3f
    movl    %ecx, %r8d
    andl    $MXCSR_STATUS, %r8d         /* status bits where to's word differs
                                           from the current one ... */
    xorl    %r8d, FRAME_MXCSR(\to)      /* ... flipped: to's control bits,
                                           the thread's status flags */
3:  ldmxcsr FRAME_MXCSR(\to)
4:
    .endm

/*
 * FCTX_X87CW_LOAD to: fldcw `to`'s saved x87 control word, first clearing
 * the pending flags it unmasks (see "Pending x87 traps" above).  Clobbers
 * r8, r9 and FRAME_FP_SCRATCH(to).
 */
    .macro FCTX_X87CW_LOAD to
    fnstsw  FRAME_FP_SCRATCH(\to)       /* the thread's x87 status word */
    movzwl  FRAME_X87CW(\to), %r8d
    notl    %r8d                        /* bit set = unmasked by the new word */
    andw    FRAME_FP_SCRATCH(\to), %r8w /* ... and pending */
    andl    $X87_FLAGS, %r8d
    jnz     7f
    fldcw   FRAME_X87CW(\to)            /* nothing would trap: plain load */
    jmp     8f
7:  fnstenv FRAME_FP_SCRATCH(\to)       /* control word at +0, status at +4 */
    notl    %r8d
    andl    $~X87_SW_ES_B, %r8d         /* what is left is masked: no error
                                           summary, not busy */
    andw    %r8w, FRAME_FP_SCRATCH+4(\to)
    movzwl  FRAME_X87CW(\to), %r9d
    movw    %r9w, FRAME_FP_SCRATCH(\to) /* the new control word */
    fldenv  FRAME_FP_SCRATCH(\to)       /* both at once, nothing pending */
8:
    .endm

/* Landing pad for indirect branches when built with -fcf-protection
 * (Indirect Branch Tracking); nothing otherwise. */
#if defined(__CET__) && (__CET__ & 1)
#  define FCTX_ENDBR endbr64
#else
#  define FCTX_ENDBR
#endif

/*
 * Control-flow protection (Intel CET; docs/tools.md).  Built with
 * -fcf-protection=branch|full (__CET__ bit 0):
 *  - FCTX_NOTRACK prefixes fctx_jump's indirect jmp to the resumed context's
 *    return address.  A return address is no endbr64 landing pad, so under
 *    Indirect Branch Tracking that jmp must not be tracked; compilers emit
 *    the same `notrack jmp` for switch jump tables, so an OS that enforces
 *    IBT for -fcf-protection code honours the prefix.  (The address comes
 *    from the suspended stack, like a ret's: IBT never protected returns.)
 *  - FCTX_CET_NOTE emits the GNU property note that marks the object IBT
 *    compatible, so linking it into an IBT-marked program keeps the mark.
 * Shadow stacks (SHSTK, __CET__ bit 1) are NOT claimed, whatever the flags:
 * a switch changes stacks without switching shadow stacks, so the first
 * return on the resumed side would not match the shadow stack's top.  The
 * linker ANDs the property over all inputs, so a program linking fctx is
 * not SHSTK-marked and the loader does not enable shadow stacks for it.
 */
#if defined(__CET__) && (__CET__ & 1)
#  define FCTX_NOTRACK notrack
#  define FCTX_CET_NOTE                                                     \
    .pushsection .note.gnu.property, "a";                                   \
    .p2align 3;                                                             \
    .long 4;          /* n_namesz: "GNU" and its NUL */                     \
    .long 16;         /* n_descsz: one 12-byte property, padded to 8 */     \
    .long 5;          /* n_type: NT_GNU_PROPERTY_TYPE_0 */                  \
    .asciz "GNU";                                                           \
    .long 0xc0000002; /* pr_type: GNU_PROPERTY_X86_FEATURE_1_AND */         \
    .long 4;          /* pr_datasz */                                       \
    .long 1;          /* GNU_PROPERTY_X86_FEATURE_1_IBT; never SHSTK (2) */ \
    .p2align 3;       /* pad the descriptor to 8 bytes (ELF64) */           \
    .popsection
#else
#  define FCTX_NOTRACK
#  define FCTX_CET_NOTE
#endif

/* Object format (ELF, Mach-O): format.h, with these two port parts. */
#define FCTX_ENTRY_PAD FCTX_ENDBR
#define FCTX_ELF_NOTES FCTX_CET_NOTE
#include "format.h"

/*
 * FCTX_SAVE_GPRS base / FCTX_LOAD_GPRS base: store / reload the
 * callee-saved general registers in the frame at `base` (jump and ontop).
 */
    .macro FCTX_SAVE_GPRS base
    movq    %r12, FRAME_R12(\base)
    movq    %r13, FRAME_R13(\base)
    movq    %r14, FRAME_R14(\base)
    movq    %r15, FRAME_R15(\base)
    movq    %rbx, FRAME_RBX(\base)
    movq    %rbp, FRAME_RBP(\base)
    .endm

    .macro FCTX_LOAD_GPRS base
    movq    FRAME_R12(\base), %r12
    movq    FRAME_R13(\base), %r13
    movq    FRAME_R14(\base), %r14
    movq    FRAME_R15(\base), %r15
    movq    FRAME_RBX(\base), %rbx
    movq    FRAME_RBP(\base), %rbp
    .endm

/* CFI after the switch: `to`'s callee-saved values are still in its frame,
 * which ends at the CFA (FRAME_SIZE above the frame's base). */
#define FCTX_CFI_FRAME_SAVED                      \
    .cfi_offset r12, FRAME_R12 - FRAME_SIZE;      \
    .cfi_offset r13, FRAME_R13 - FRAME_SIZE;      \
    .cfi_offset r14, FRAME_R14 - FRAME_SIZE;      \
    .cfi_offset r15, FRAME_R15 - FRAME_SIZE;      \
    .cfi_offset rbx, FRAME_RBX - FRAME_SIZE;      \
    .cfi_offset rbp, FRAME_RBP - FRAME_SIZE

#endif
