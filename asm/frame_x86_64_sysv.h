/*
 * Saved-register frame of a suspended context, x86-64 System V ABI (ELF).
 * Shared by jump_, make_ and ontop_x86_64_sysv_elf_gas.S: the only place
 * that knows these offsets.
 *
 * ABI facts relied on (System V AMD64 psABI):
 *  - callee-saved: rbx, rbp, r12-r15, rsp; MXCSR control bits and the x87
 *    control word are callee-saved too (status bits are not).
 *  - at a call, rsp is 16-byte aligned, so rsp+8 is aligned at function entry.
 *  - a 2-word struct (fctx_transfer_t) is returned in rax:rdx and passed as
 *    an argument in two registers (rdi:rsi as the first argument).
 *
 * A context (fctx_t) is the address of this block on its own stack; it is
 * 16-byte aligned because the caller's call pushed the return address onto
 * an aligned stack and we then reserve FRAME_RIP more bytes.  jump/ontop
 * write it *below* rsp, in the 128-byte red zone that the ABI keeps safe
 * from signal handlers, and switch stacks by setting rsp to `to` + FRAME_SIZE
 * (jump) or `to` + FRAME_RIP (ontop) before reading `to`'s frame through
 * another register, so a frame is never below the red zone of its stack.
 *
 *   ctx + 0x00  MXCSR (4 bytes) | x87 control word (2 bytes) | pad
 *   ctx + 0x08  r12
 *   ctx + 0x10  r13
 *   ctx + 0x18  r14
 *   ctx + 0x20  r15
 *   ctx + 0x28  rbx     (new context: the entry function)
 *   ctx + 0x30  rbp     (new context: 0, ends frame-pointer walks)
 *   ctx + 0x38  rip     resume address (the caller's return address)
 *   ctx + 0x40  = FRAME_SIZE: the resumed context's rsp
 */
#ifndef FCTX_FRAME_X86_64_SYSV_H
#define FCTX_FRAME_X86_64_SYSV_H

#define FRAME_MXCSR 0x00
#define FRAME_X87CW 0x04
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

/* Open and close an exported function with CFI. */
#define FCTX_FUNC_BEGIN(name) \
    .text;                    \
    .globl name;              \
    .type name, @function;    \
    .p2align 4;               \
name:                         \
    .cfi_startproc;           \
    FCTX_ENDBR

#define FCTX_FUNC_END(name) \
    .cfi_endproc;           \
    .size name, . - name

#endif
