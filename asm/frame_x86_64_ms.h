; # Saved-register frame of a suspended context, x86-64 Microsoft x64 ABI (PE/COFF).
; # The only place that knows these offsets: included by the GAS files
; # (jump_, make_ and ontop_x86_64_ms_gas.S, through the C preprocessor)
; # AND by the MASM files (the same names with _masm.asm, through INCLUDE).
; # Every line is valid in both dialects: "NAME = decimal expression"
; # assignments, and comments written as ";" followed by "#" (MASM: ";"
; # starts a comment; GAS on x86: ";" ends an empty statement and "#" starts
; # a comment).  Keep apostrophes and C comment markers out of this file
; # (the C preprocessor sees it).
; # The code fctx_jump and fctx_ontop share (prologue, register restore, FP
; # check and its rare path) is written once per dialect, as macros, in
; # switch_x86_64_ms_gas.h and switch_x86_64_ms_masm.inc (macros
; # cannot live here: no macro syntax is valid in both dialects).
; #
; # ABI facts relied on (Microsoft x64 calling convention):
; #  - nonvolatile: rbx, rbp, rdi, rsi, r12-r15, rsp, xmm6-xmm15 (all 128
; #    bits), MXCSR bits 6-15 (the 6 status flags are volatile) and the x87
; #    control word (the x87 status word is volatile).
; #  - rsp is 16-byte aligned at a call; the caller reserves 32 bytes of
; #    home (shadow) space above the return address, owned by the callee.
; #  - a 16-byte struct (fctx_transfer_t) is returned through a hidden
; #    pointer passed in rcx (the other arguments shift right by one); the
; #    callee returns that pointer in rax.  Passed BY VALUE it goes by
; #    reference: a pointer to a 16-byte aligned copy made by the caller.
; #  - the Thread Environment Block is at gs:0; its stack fields below must
; #    describe the stack in use (exception dispatch, stack probes and
; #    several OS calls read them).  Wine also walks NT_TIB.ExceptionList
; #    (its internal handler frames, ended by -1) during exception dispatch
; #    against the current rsp, so that is kept per context too.
; #
; # FP control and status: the rule every x86-64 Microsoft file follows,
; # from the ABI facts above (Microsoft x64 ABI conventions, the MXCSR and
; # x87 sections of register volatility and preservation).
; #  - per CONTEXT, restored by a switch: MXCSR bits 6-15 (DAZ, the six
; #    exception masks, rounding control, FZ) and the whole x87 control word
; #    (masks, precision, rounding).  fctx_make gives a new context the
; #    control modes its creator has at fctx_make time.
; #  - per THREAD, never restored: MXCSR bits 0-5 (IE DE ZE OE UE PE) and
; #    the x87 status word (flags, condition codes, top of stack).  Flags
; #    raised in one context are seen in the next one, like any volatile
; #    register.
; #  - a switch writes MXCSR or the x87 control word only when the control
; #    bits of the target differ from the current ones (a rare path, out of
; #    line), and then writes the target control bits with the current
; #    status bits.  The common path writes neither: ldmxcsr is slow on
; #    some CPUs (about 80 ns on an Intel Xeon when it changes a flag).
; #  - pending x87 traps: loading an x87 control word that unmasks an
; #    exception whose flag is already set (raised by another context: the
; #    flags belong to the thread) would raise #MF at the next x87
; #    instruction.  So when a switch loads a control word that unmasks set
; #    flags, it clears exactly those flags (and the summary bits ES and B,
; #    which then describe no unmasked flag): a switch never makes a trap
; #    fire (fnstenv, edit, fldenv; the rarest path).  SSE has no pending
; #    traps (a flag set under a mask is never raised later), so MXCSR needs
; #    nothing similar.
; #  - FCTX_NO_FPU_CONTROL builds save and restore no FP state at all.
; # The x87 control word sits right below MXCSR in the frame, so one 4-byte
; # load of the target frame reads both control words (the check in
; # fctx_ms_restore).  Our own side is read as two 2-byte loads, each
; # inside one of the two stores (fnstcw, stmxcsr) just made, so both are
; # forwarded from the store buffer: a 4-byte load spanning both stores
; # cannot be (measured 4 ns slower on x86-64 SysV, which uses the same
; # check).
; #
; # A context (fctx_t) is the address of this block on its own stack.  It is
; # 16-byte aligned (xmm slots use movaps): the pending call pushed its
; # return address onto a 16-byte aligned stack and FRAME_RIP = 16n+8.
; #
; #   ctx +   0 .. 159  xmm6, xmm7, ... xmm15 (16 bytes each)
; #   ctx + 160         x87 control word (2 bytes) | MXCSR (4) | pad (2)
; #   ctx + 168 .. 231  r12 r13 r14 r15 rdi rsi rbx rbp
; #                     (new context: rbx = entry function, r12 =
; #                     the stack_top given to fctx_make, rbp = 0)
; #   ctx + 232         result: the hidden struct-return pointer of the
; #                     pending call of the suspended side; the switch that
; #                     resumes this context writes the transfer there
; #   ctx + 240 .. 287  TEB fields of this context: StackBase, StackLimit,
; #                     DeallocationStack, FiberData, ExceptionList,
; #                     GuaranteedStackBytes (4 bytes + pad)
; #   ctx + 288         pad
; #   ctx + 296         rip: resume address (the pending call return address)
; #   ctx + 304         = FRAME_SIZE: rsp of the resumed context (16-aligned)
; #
; # A new context (fctx_make) gets a frame exactly like that, resuming in
; # the start stub with rsp = S, below a 56-byte stub frame laid out like the
; # one fctx_ontop builds for its function:
; #
; #   S +  0 .. 31      home space for the call the stub makes
; #   S + 32 .. 47      the transfer (16-byte aligned): the by-reference
; #                     argument of the entry function (ontop: of fn)
; #   S + 48            pad
; #   S + 56            return address: 0 in a new context, so stack walks
; #                     end there (ontop: the resume address of the target)
; #   S + 64            = T, the 16-byte aligned top = TEB StackBase

; # TEB (NT_TIB and TEB64) offsets, reached through gs:
TEB_EXCEPTION_LIST = 0 ; # NT_TIB.ExceptionList (used by Wine only on x64)
TEB_STACK_BASE = 8 ; # NT_TIB.StackBase: highest address, exclusive
TEB_STACK_LIMIT = 16 ; # NT_TIB.StackLimit: lowest committed address
TEB_FIBER_DATA = 32 ; # NT_TIB.FiberData (GetCurrentFiber)
TEB_DEALLOCATION_STACK = 5240 ; # 0x1478: allocation base of the stack
TEB_GUARANTEED_STACK_BYTES = 5960 ; # 0x1748: 32-bit SetThreadStackGuarantee value

FRAME_XMM6 = 0
FRAME_XMM7 = 16
FRAME_XMM8 = 32
FRAME_XMM9 = 48
FRAME_XMM10 = 64
FRAME_XMM11 = 80
FRAME_XMM12 = 96
FRAME_XMM13 = 112
FRAME_XMM14 = 128
FRAME_XMM15 = 144
FRAME_X87CW = 160 ; # right below MXCSR: see the FP rule above
FRAME_MXCSR = 162
FRAME_R12 = 168
FRAME_R13 = 176
FRAME_R14 = 184
FRAME_R15 = 192
FRAME_RDI = 200
FRAME_RSI = 208
FRAME_RBX = 216
FRAME_RBP = 224
FRAME_RESULT = 232
FRAME_STACK_BASE = 240
FRAME_STACK_LIMIT = 248
FRAME_DEALLOCATION_STACK = 256
FRAME_FIBER_DATA = 264
FRAME_EXCEPTION_LIST = 272
FRAME_GUARANTEED_STACK_BYTES = 280 ; # 4 bytes used, 12 pad
FRAME_RIP = 296 ; # = 16n+8: keeps ctx 16-byte aligned
FRAME_SIZE = 304
; # Scratch for the rare FP-control path of a switch (fnstenv needs 28
; # bytes): the xmm6/xmm7 slots of the target frame, dead once restored.
FRAME_FP_SCRATCH = FRAME_XMM6

; # The 56-byte frame below a return address used by the start stub and by
; # the ontop landing (see the drawing above).
STUB_FRAME = 56
STUB_TRANSFER = 32
; # fctx_ontop builds that frame inside the dead frame of its target, whose
; # resume address already sits at FRAME_RIP = FRAME_SIZE - 8:
ONTOP_ARG = FRAME_SIZE - 8 - STUB_FRAME + STUB_TRANSFER ; # = 272, 16-aligned
ONTOP_RET = FRAME_SIZE - 8 - STUB_FRAME - 8 ; # = 232: return address of fn
; # fctx_make: distance from the aligned top T down to the frame
MAKE_FRAME_FROM_TOP = FRAME_SIZE + STUB_FRAME + 8 ; # = 368
