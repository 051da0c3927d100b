; fctx_transfer_t fctx_jump(fctx_t to, void *data)     i386 Windows, PE/COFF, MASM
;
; Same instructions as jump_i386_ms_gas.S (what it does and why: there;
; the ABI facts and the frame: frame_i386_ms.h).  No unwind directives:
; x86 MASM has none, and llvm-ml writes no DWARF CFI.

INCLUDE model_i386_ms_masm.inc
; The switch code shared with fctx_ontop (no comment on an INCLUDE line:
; llvm-ml takes the rest of the line as the file name)
INCLUDE switch_i386_ms_masm.inc

ALIGN 16
_fctx_jump PROC
    lea     esp, [esp - FRAME_EIP]          ; room below our return address
IFNDEF FCTX_NO_FPU_CONTROL
    fctx_fpu_save                           ; MXCSR + x87 CW
ENDIF
    fctx_gprs_save
    fctx_teb_save                           ; the stack we leave

    mov     eax, esp                        ; our context: transfer.ctx
    mov     edx, DWORD PTR [esp + FRAME_ARG1]   ; data: transfer.data
    mov     esp, DWORD PTR [esp + FRAME_ARG0]   ; switch stacks
    fctx_teb_load                           ; from here the TIB describes `to`
IFNDEF FCTX_NO_FPU_CONTROL
    fctx_fpu_check jump                     ; control bits differ? (rare)
ENDIF
    fctx_gprs_load
    mov     ecx, DWORD PTR [esp + FRAME_EIP]    ; where `to` resumes
    lea     esp, [esp + FRAME_ARG0]         ; pop the frame and the return
                                            ; address (cdecl: caller pops args)
    jmp     ecx                             ; indirect jmp, not ret: see GAS twin;
                                            ; EDX:EAX = `to`s pending result
IFNDEF FCTX_NO_FPU_CONTROL
    fctx_fpu_load jump                      ; the rare path (after the jmp)
ENDIF
_fctx_jump ENDP

END
