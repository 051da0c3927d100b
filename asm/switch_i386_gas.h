/*
 * The code every i386 port's switch shares (GAS, included by the frame
 * header, frame_i386_sysv.h, or by the GAS sources after frame_i386_ms.h):
 * the callee-saved integer registers to and from the frame, and the FP
 * control words.  Assembler-only (.macro).  The including port defines the
 * slot offsets FRAME_MXCSR, FRAME_X87CW, FRAME_EDI, FRAME_ESI, FRAME_EBX,
 * FRAME_EBP (the same in every i386 frame: 0x00 to 0x14) and FRAME_CFA,
 * the offset of its CFA from the frame.  The MASM twin of this code:
 * switch_i386_ms_masm.inc (test_masm_twin compares them).
 *
 * The FP rule.  The AMD64 psABI (3.2.1) words the rule: "The control bits
 * of the MXCSR register are callee-saved (preserved across calls), while
 * the status bits are caller-saved (not preserved).  The x87 status word
 * register is caller-saved, whereas the x87 control word is
 * callee-saved."  The Intel386 psABI 1.x is derived from that
 * document, and the Microsoft 32-bit convention keeps the same split (x87
 * control word and MXCSR control bits preserved by callees, flags not);
 * fctx applies the same rule to every i386 port:
 *   per CONTEXT (a switch gives the target its own, saved in its frame):
 *     MXCSR bits 6-15 (DAZ, exception masks, rounding, FZ) and the
 *     whole x87 control word (exception masks, precision, rounding);
 *   per THREAD (a switch never changes them):
 *     MXCSR bits 0-5 (IE DE ZE OE UE PE flags) and the whole x87 status
 *     word (flags, condition codes, stack top).
 * So a switch compares the target's control bits with the current ones
 * and writes a control register only if they differ (rare), then with
 * target control | current status: ldmxcsr/fldcw are not free, and an
 * ldmxcsr that changes status flags costs ~80 ns on some Intel CPUs.
 * Pending x87 traps: x87 arithmetic (all `double` math here) leaves a
 * flag set when its exception is masked; loading a control word that
 * unmasks it makes the next x87 instruction fault (#MF, SIGFPE) although
 * this context raised nothing.  So when a switch loads an x87 control
 * word it clears exactly the status flags that are set AND unmasked by
 * the new word (plus the ES/B summary bits, which then have nothing to
 * summarise); the other flags stay.  A switch itself never makes a trap
 * fire.  SSE never faults on a flag that is already set, so MXCSR needs
 * nothing of the kind.
 * Saving MXCSR needs SSE (any x86 CPU since the Pentium III); build
 * with FCTX_NO_FPU_CONTROL for older CPUs: then no FP control state is
 * saved or restored (all contexts of a thread share it), and the frame
 * slots stay so the layout never changes.
 */
#ifndef FCTX_SWITCH_I386_GAS_H
#define FCTX_SWITCH_I386_GAS_H

/*
 * fctx_gprs_save / fctx_gprs_load: the callee-saved integer registers
 * (edi, esi, ebx, ebp) to / from their slots in the frame at esp; jump and
 * ontop save and restore the same set (esp and eip are the switch itself).
 *
 * Their CFI keeps an unwinder exact at every instruction in between.  Once
 * a register is stored its rule is its slot, and stays so across the
 * stack switch: the target's frame has the same shape, so from the switch
 * on the slots hold the TARGET's values while the registers still hold
 * ours (until fctx_gprs_load) - an unwinder that took the registers there
 * would walk the target's ebp-based frames with our ebp and crash
 * (issue 18).  Once a register is loaded it equals its slot, and the rule
 * goes back to "same value" (.cfi_restore: the CIE's), which stays right
 * after the frame is popped, when the slots lie below esp where a signal
 * may overwrite them (no red zone).
 */
    .macro fctx_gprs_save
    movl    %edi, FRAME_EDI(%esp)
    .cfi_offset edi, FRAME_EDI - FRAME_CFA
    movl    %esi, FRAME_ESI(%esp)
    .cfi_offset esi, FRAME_ESI - FRAME_CFA
    movl    %ebx, FRAME_EBX(%esp)
    .cfi_offset ebx, FRAME_EBX - FRAME_CFA
    movl    %ebp, FRAME_EBP(%esp)
    .cfi_offset ebp, FRAME_EBP - FRAME_CFA
    .endm
    .macro fctx_gprs_load
    movl    FRAME_EDI(%esp), %edi
    .cfi_restore edi
    movl    FRAME_ESI(%esp), %esi
    .cfi_restore esi
    movl    FRAME_EBX(%esp), %ebx
    .cfi_restore ebx
    movl    FRAME_EBP(%esp), %ebp
    .cfi_restore ebp
    .endm

#ifndef FCTX_NO_FPU_CONTROL
#define MXCSR_CONTROL_BITS 0xffc0 /* DAZ, masks, rounding, FZ; 0-5: flags */
#define X87_EXCEPTIONS     0x3f   /* SW flags = CW masks, bits 0-5 */
#define X87_SUMMARY        0x8080 /* SW ES (7) and B (15) */
#define X87_ENV_SIZE       28     /* fnstenv image, 32-bit protected mode */

/* Store the current control state of both units in the frame at base. */
    .macro fctx_fpu_save base
    stmxcsr FRAME_MXCSR(\base)          /* SSE modes (and the flags) */
    fnstcw  FRAME_X87CW(\base)          /* x87 precision/rounding/masks */
    .endm

/* Common path of a switch, on the target's stack (esp = target frame),
 * with eax = our frame, which fctx_fpu_save just filled with the CURRENT
 * state.  Before the target's general registers are loaded, so edi is
 * free.  Writes no control register unless a control bit differs; then it
 * branches to the out-of-line code of fctx_fpu_load.  l: a local label
 * prefix, unique per function.
 * Separate 4- and 2-byte compares, each load reading back exactly one of
 * the two stores just made: one 32-bit compare of both words packed
 * together is 3 instructions shorter, but its load spans both stores,
 * cannot be store-forwarded and made the switch about twice as slow (measured,
 * Xeon family 6 model 207). */
    .macro fctx_fpu_check l
    movl    FRAME_MXCSR(%esp), %edi     /* target's MXCSR ... */
    xorl    FRAME_MXCSR(%eax), %edi     /* ... bits that differ from ours */
    andl    $MXCSR_CONTROL_BITS, %edi   /* ignore the flags: the thread's */
    jnz     \l\()_mxcsr_slow
    .cfi_remember_state                 /* CFA for the out-of-line part */
\l\()_mxcsr_done:
    movzwl  FRAME_X87CW(%esp), %edi     /* target's x87 control word */
    cmpw    FRAME_X87CW(%eax), %di      /* all of it is control */
    jne     \l\()_x87_slow
\l\()_x87_done:
    .endm

/* Out-of-line part of fctx_fpu_check: place it after the function's last
 * jmp, with the same label prefix l.  Same registers; clobbers esi and
 * edi (the target's values are loaded after l_x87_done), keeps eax, ecx
 * and edx.  Uses the target frame's MXCSR slot, consumed once read, as
 * scratch (above esp: there is no red zone). */
    .macro fctx_fpu_load l
\l\()_mxcsr_slow:                      /* edi = control bits that differ */
    .cfi_restore_state
    xorl    FRAME_MXCSR(%eax), %edi     /* current MXCSR with those flipped:
                                           target control | thread's flags */
    movl    %edi, FRAME_MXCSR(%esp)     /* ldmxcsr reads memory */
    ldmxcsr FRAME_MXCSR(%esp)
    jmp     \l\()_mxcsr_done
\l\()_x87_slow:                        /* edi = target's control word */
    fnstsw  FRAME_MXCSR(%esp)           /* the thread's x87 flags (no-wait
                                           form: raises nothing pending) */
    movl    %edi, %esi
    notl    %esi                        /* exceptions the new CW unmasks ... */
    andl    $X87_EXCEPTIONS, %esi
    andw    FRAME_MXCSR(%esp), %si      /* ... whose flag is already set */
    jnz     \l\()_x87_clear
    fldcw   FRAME_X87CW(%esp)           /* nothing would fault: just load */
    jmp     \l\()_x87_done
\l\()_x87_clear:
    /* Only fldenv writes the status word.  No red zone: reserve the
       environment image below the target's frame first. */
    subl    $X87_ENV_SIZE, %esp
    .cfi_adjust_cfa_offset X87_ENV_SIZE
    fnstenv 0(%esp)                     /* (it also masks all exceptions;
                                           the fldenv below replaces the CW) */
    movw    %di, 0(%esp)                /* image CW = the target's */
    orl     $X87_SUMMARY, %esi          /* nothing unmasked stays pending, so
                                           the ES/B summary is clear too */
    notl    %esi
    andw    %si, 4(%esp)                /* image SW: clear just those flags */
    fldenv  0(%esp)
    addl    $X87_ENV_SIZE, %esp
    .cfi_adjust_cfa_offset -X87_ENV_SIZE
    jmp     \l\()_x87_done
    .endm
#endif

/*
 * The start stub (fctx_context_start) of every i386 port: where it begins
 * and how it calls the entry.  fctx_stub_begin opens it: the return
 * address is marked undefined, so unwinders and debuggers stop here
 * instead of walking into garbage, and the resume label follows a nop.
 * fctx_stub_call calls entry (in ebx) with its arguments already at esp.
 */
    .macro fctx_stub_begin
    .cfi_undefined eip
    nop                                 /* an ontop fn "returns" to the label
                                           below; unwinders look up return
                                           address - 1, which must fall in
                                           this FDE, not fctx_make's */
fctx_context_resume:
    .endm
    .macro fctx_stub_call
    call    *%ebx                       /* entry(transfer, stack_top); must
                                           not return */
    /* Hidden C handler in this library: a direct call binds locally
       (no PLT, so ebx need not hold the GOT address). Never returns. */
    call    FCTX_SYM(fctx_internal_entry_returned)
    hlt                                 /* not reached */
    .endm

#endif
