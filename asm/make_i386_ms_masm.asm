; fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
;                                                  i386 Windows, PE/COFF, MASM
;
; Same instructions as make_i386_ms_gas.S (what the new context holds and
; why: there; the ABI facts and the frame: frame_i386_ms.h).  No unwind
; directives: x86 MASM has none, and llvm-ml writes no DWARF CFI, so an
; unwinder finds no frame below the start stub either.  The stub comes
; first in this file: llvm-ml is one-pass, and fctx_make takes its address.

INCLUDE model_i386_ms_masm.inc

EXTERN _fctx_internal_entry_returned:PROC

; First frame of every context: reached with esp = ctx + FRAME_ARG0
; (16-byte aligned) and the transfer in EDX:EAX.
ALIGN 16
fctx_context_start PROC
    nop                                     ; an ontop fn "returns" to the
                                            ; label below: return address - 1
                                            ; stays inside this function
fctx_context_start ENDP
; The resume address, a PROC of its own right after the nop: fctx_make
; takes its address, and code labels are local to their PROC in ml.exe
; (llvm-ml 14 parses no "::" global label either).
fctx_context_resume PROC
    sub     esp, 16                         ; 0 mod 16 at the call
    mov     DWORD PTR [esp], eax            ; entry by-value argument
    mov     DWORD PTR [esp + 4], edx
    mov     DWORD PTR [esp + 8], esi        ; fctx_make stack_top: 2nd argument
    call    ebx                             ; entry(transfer, stack_top); must
                                            ; not return
    call    _fctx_internal_entry_returned   ; C handler, never returns
    hlt                                     ; not reached
fctx_context_resume ENDP

ALIGN 16
_fctx_make PROC
    mov     eax, DWORD PTR [esp + 4]
    and     eax, -16                        ; T: the top aligned down to 16
    mov     edx, eax                        ; edx = T, the new StackBase
    lea     eax, [eax - FRAME_NEW_OFFSET]   ; the frame
IFNDEF FCTX_NO_FPU_CONTROL
    stmxcsr DWORD PTR [eax + FRAME_MXCSR]   ; start with the creator modes
    fnstcw  WORD PTR [eax + FRAME_X87CW]
ENDIF
    mov     DWORD PTR [eax + FRAME_STACK_BASE], edx
    mov     ecx, DWORD PTR [esp + 4]
    mov     DWORD PTR [eax + FRAME_ESI], ecx    ; stack_top: entry 2nd argument
    sub     ecx, DWORD PTR [esp + 8]        ; lowest usable address ...
    add     ecx, 4095
    and     ecx, -4096                      ; ... rounded up to a page
    mov     DWORD PTR [eax + FRAME_STACK_LIMIT], ecx
    mov     DWORD PTR [eax + FRAME_DEALLOCATION_STACK], ecx
    mov     ecx, DWORD PTR [esp + 12]
    mov     DWORD PTR [eax + FRAME_EBX], ecx    ; entry, in a callee-saved reg
    mov     ecx, DWORD PTR fs:[TEB_FIBER_DATA]  ; inherit the creator FiberData
    mov     DWORD PTR [eax + FRAME_FIBER_DATA], ecx
    mov     DWORD PTR [eax + FRAME_EXCEPTION_LIST], -1  ; an empty SEH chain
    xor     ecx, ecx
    mov     DWORD PTR [eax + FRAME_GUARANTEED_STACK_BYTES], ecx
    mov     DWORD PTR [eax + FRAME_EDI], ecx    ; deterministic contents
    mov     DWORD PTR [eax + FRAME_EBP], ecx    ; frame-pointer chains end here
    mov     DWORD PTR [eax + FRAME_ARG0], ecx
    mov     DWORD PTR [eax + FRAME_ARG1], ecx
    mov     DWORD PTR [eax + FRAME_EIP], OFFSET fctx_context_resume ; first
                                            ; resume: the stub (absolute, with
                                            ; a base relocation)
    ret
_fctx_make ENDP

; void fctx_internal_set_stack_allocation(fctx_t ctx, void *allocation_base)
; (hidden; see make_i386_ms_gas.S): DeallocationStack = the allocation base.
ALIGN 16
_fctx_internal_set_stack_allocation PROC
    mov     eax, DWORD PTR [esp + 4]
    mov     ecx, DWORD PTR [esp + 8]
    mov     DWORD PTR [eax + FRAME_DEALLOCATION_STACK], ecx
    ret
_fctx_internal_set_stack_allocation ENDP

END
