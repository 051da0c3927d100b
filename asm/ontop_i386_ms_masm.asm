; fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
;                                                  i386 Windows, PE/COFF, MASM
;
; Same instructions as ontop_i386_ms_gas.S (what it does and why: there;
; the ABI facts and the frame: frame_i386_ms.h).  No unwind directives:
; x86 MASM has none, and llvm-ml writes no DWARF CFI.

INCLUDE model_i386_ms_masm.inc
; The switch code shared with fctx_jump
INCLUDE switch_i386_ms_masm.inc

ALIGN 16
_fctx_ontop PROC
    lea     esp, [esp - FRAME_EIP]          ; same frame as fctx_jump
IFNDEF FCTX_NO_FPU_CONTROL
    fctx_fpu_save                           ; MXCSR + x87 CW
ENDIF
    fctx_gprs_save
    fctx_teb_save                           ; the stack we leave

    mov     eax, esp                        ; our context
    mov     edx, DWORD PTR [esp + FRAME_ARG1]   ; data
    mov     ecx, DWORD PTR [esp + FRAME_ARG2]   ; fn: read before leaving our stack
    mov     esp, DWORD PTR [esp + FRAME_ARG0]   ; switch stacks
    fctx_teb_load                           ; from here the TIB describes `to`
IFNDEF FCTX_NO_FPU_CONTROL
    fctx_fpu_check ontop                    ; control bits differ? (rare)
ENDIF
    fctx_gprs_load
    mov     DWORD PTR [esp + FRAME_ARG0], eax   ; fn argument {our context, data}
    mov     DWORD PTR [esp + FRAME_ARG1], edx
    lea     esp, [esp + FRAME_EIP]          ; keep `to`s return address
    jmp     ecx                             ; tail call fn
IFNDEF FCTX_NO_FPU_CONTROL
    fctx_fpu_load ontop                     ; the rare path (after the jmp)
ENDIF
_fctx_ontop ENDP

END
