; # Saved-register frame of a suspended context, i386 Windows (Microsoft
; # 32-bit cdecl, PE/COFF).  The only place that knows these offsets:
; # included by the GAS files (jump_, make_ and ontop_i386_ms_gas.S,
; # through the C preprocessor) AND by the MASM files (the same names with
; # _masm.asm, through INCLUDE).  Every line is valid in both dialects, as
; # in frame_x86_64_ms.h: "NAME = decimal expression" assignments, and
; # comments written as ";" followed by "#".  Keep apostrophes and C
; # comment markers out of this file (the C preprocessor sees it).
; # The code is written once per dialect, as macros: switch_i386_gas.h
; # (registers and FP control words, shared with i386 SysV) with
; # switch_i386_ms_gas.h (the TIB fields), and their MASM twin
; # switch_i386_ms_masm.inc.
; #
; # ABI facts relied on (Microsoft 32-bit C calling convention, cdecl, as
; # MinGW-w64 gcc and MSVC implement it):
; #  - callee-saved: ebx, esi, edi, ebp, esp.  eax, ecx, edx, the x87
; #    register stack and all xmm registers are scratch.
; #  - FP control: the MXCSR control bits (6-15) and the x87 control word
; #    are preserved by callees, the flags are not.  What a context owns
; #    (those control bits) and what follows the thread (the flags), how a
; #    switch writes them and how it keeps a new x87 control word from
; #    turning another context flag into a pending trap: the FP rule in
; #    switch_i386_gas.h, the same for every i386 port.
; #  - arguments on the stack, popped by the caller; the callee owns their
; #    slots and may overwrite them.  C symbols carry a leading underscore
; #    (fctx_jump is _fctx_jump).
; #  - an 8-byte struct such as fctx_transfer_t is returned in EDX:EAX (eax
; #    = .ctx, edx = .data), NOT through a hidden pointer (that is the i386
; #    SysV rule): RESULT_IN_MEMORY OFF.  It is passed by value, 8 bytes of
; #    stack arguments.
; #  - the stack is only 4-byte aligned by the ABI; gcc keeps 16 where it
; #    can and realigns where it needs more.  fctx keeps the same alignment
; #    as i386 SysV: a new context starts 16-byte aligned.  No red zone.
; #  - unwinding: C++ exceptions of MinGW-w64 i686 gcc (Debian) use DWARF-2
; #    tables (dw2, libgcc_s_dw2), so the GAS files carry exact CFI as on
; #    i386 SysV.  Win32 SEH is frame based: a chain of records from
; #    TIB.ExceptionList (fs:0), each on the stack it protects, ended by -1;
; #    the dispatcher rejects a record outside StackLimit..StackBase.  llvm-ml
; #    writes no DWARF CFI: the MASM objects have no unwind tables (x86
; #    MASM has no table-based unwinding to describe).  SafeSEH: the MASM
; #    objects are marked (llvm-ml -safeseh: they declare no handler), as
; #    MSVC link /SAFESEH requires; GNU ld does not ask.
; #  - the Thread Information Block is at fs:0; its fields below belong to
; #    the stack in use and are kept per context: the SEH chain, the stack
; #    bounds read by the exception dispatcher, stack probes (__chkstk) and
; #    GetCurrentThreadStackLimits, FiberData (GetCurrentFiber) and the
; #    SetThreadStackGuarantee value, as Win32 fibers keep them.
; #
; # A suspended context, from its return address down (ctx = esp while
; # suspended):
; #
; #   ctx + 0x00  MXCSR (4 bytes)
; #   ctx + 0x04  x87 control word (2 bytes) | pad
; #   ctx + 0x08  edi
; #   ctx + 0x0c  esi     (new context: the stack_top given to fctx_make)
; #   ctx + 0x10  ebx     (new context: the entry function)
; #   ctx + 0x14  ebp     (new context: 0, ends frame-pointer walks)
; #   ctx + 0x18  TIB ExceptionList  (new context: -1, an empty chain)
; #   ctx + 0x1c  TIB StackBase
; #   ctx + 0x20  TIB StackLimit
; #   ctx + 0x24  TEB DeallocationStack
; #   ctx + 0x28  TIB FiberData
; #   ctx + 0x2c  TEB GuaranteedStackBytes
; #   ctx + 0x30  eip     resume address (the pending call return address)
; #   ctx + 0x34  first argument slot  (to)     scratch: fctx_ontop puts the
; #   ctx + 0x38  second argument slot (data)   argument of fn here
; #
; # The first offsets (0x00 to 0x14) are those of frame_i386_sysv.h: the
; # shared macros use them.  The resumed side gets its transfer in EDX:EAX,
; # so nothing else is needed.  A new context (fctx_make) has the same
; # shape, with its two argument slots inside the stack, ctx + FRAME_EIP =
; # 12 mod 16 (a function entry) and 8 unused bytes at the top.

; # TIB (NT_TIB) and TEB offsets, reached through fs: (32-bit TEB)
TEB_EXCEPTION_LIST = 0 ; # NT_TIB.ExceptionList: the SEH record chain
TEB_STACK_BASE = 4 ; # NT_TIB.StackBase: highest address, exclusive
TEB_STACK_LIMIT = 8 ; # NT_TIB.StackLimit: lowest committed address
TEB_FIBER_DATA = 16 ; # NT_TIB.FiberData (GetCurrentFiber)
TEB_DEALLOCATION_STACK = 3596 ; # 0xE0C: allocation base of the stack
TEB_GUARANTEED_STACK_BYTES = 3960 ; # 0xF78: SetThreadStackGuarantee value

FRAME_MXCSR = 0
FRAME_X87CW = 4
FRAME_EDI = 8
FRAME_ESI = 12
FRAME_EBX = 16
FRAME_EBP = 20
FRAME_EXCEPTION_LIST = 24
FRAME_STACK_BASE = 28
FRAME_STACK_LIMIT = 32
FRAME_DEALLOCATION_STACK = 36
FRAME_FIBER_DATA = 40
FRAME_GUARANTEED_STACK_BYTES = 44
FRAME_EIP = 48
FRAME_ARG0 = 52
FRAME_ARG1 = 56
FRAME_ARG2 = 60 ; # fctx_ontop fn, read before the switch
; # The CFA of a frame at esp (the caller esp at its call), for the CFI of
; # the register slots (switch_i386_gas.h).
FRAME_CFA = FRAME_ARG0
; # fctx_make: distance from the 16-byte aligned stack top down to ctx.
; # ctx + FRAME_EIP = top - 20 (12 mod 16); the argument slots end at top - 8.
FRAME_NEW_OFFSET = 68
