; fctx_transfer_t fctx_ontop(fctx_t to, void *data, fctx_ontop_fn fn)
;                                       x86-64 Microsoft ABI, PE/COFF, MASM
;
; ABI facts relied on (details and the frame drawing: frame_x86_64_ms.h):
;  - nonvolatile: rbx rbp rdi rsi r12-r15 rsp, xmm6-xmm15 (128 bits),
;    MXCSR control bits, x87 control word.  Which FP bits a context owns,
;    which follow the thread, and when a switch writes them: the FP rule
;    in frame_x86_64_ms.h (fn runs with `to`'s control modes).
;  - the 16-byte result goes through a hidden pointer: rcx = result,
;    rdx = to, r8 = data, r9 = fn.  fn itself returns its 16-byte result
;    through the pointer in rcx (and returns that pointer in rax) and takes
;    its 16-byte argument by reference: rdx = pointer to a 16-byte aligned
;    copy that must stay valid while fn runs.
;  - at fn's entry rsp = 16n+8, with 32 bytes of home space above the
;    return address.
;
; Saves our state exactly like fctx_jump, switches to `to` and restores its
; state (TEB fields included).  Then, instead of resuming `to`, it calls
; fn({our context, data}) as if `to` had called it at its resume point:
;  - fn's result pointer is `to`'s saved result pointer, so fn writes its
;    result straight to where `to`'s pending call expects it, and leaves
;    that pointer in rax: exactly `to`'s return state.
;  - the argument copy and fn's home space cannot live above `to`'s resume
;    address (that is the caller's memory), so they are placed in `to`'s
;    now dead frame, below the resume address that already sits at
;    FRAME_RIP, and fn returns to a landing that pops them and returns to
;    the resume address with rsp back at ctx + FRAME_SIZE.
; The landing has unwind data, so an exception thrown by fn unwinds through
; it into `to`'s frames (C++ code uses that to unwind a fiber).
; Same instructions as ontop_x86_64_ms_gas.S.

INCLUDE frame_x86_64_ms.h
; The code shared with fctx_jump (no comment on an INCLUDE line: llvm-ml
; takes the rest of the line as the file name)
INCLUDE switch_x86_64_ms_masm.inc

.code

; Where fn returns.  The sub is never executed: it and its unwind code
; describe the frame fctx_ontop built.  rsp = ctx + ONTOP_RET + 8, rax =
; `to`'s result pointer holding fn's result.  The add/ret pair is a
; standard epilogue, so unwinders see it too.  Placed before fctx_ontop so
; that its typed address below is defined before use (llvm-ml is one-pass).
ALIGN 16
fctx_ontop_return PROC FRAME
    sub     rsp, STUB_FRAME                 ; not executed; see above
    .allocstack STUB_FRAME
    .endprolog
landing:
    add     rsp, STUB_FRAME                 ; drop home space and argument copy
    ret                                     ; to `to`'s resume address; rsp =
                                            ; ctx + FRAME_SIZE as after its call
    ; The landing's address as typed data: ml64 and llvm-ml both address it
    ; RIP-relative (llvm-ml 14 would encode a bare code label as a 32-bit
    ; absolute address).  Inside the PROC: its code labels are local in ml64.
    ALIGN 8
fctx_ontop_landing_addr QWORD landing       ; read-only: in .text
fctx_ontop_return ENDP

ALIGN 16
fctx_ontop PROC FRAME
    fctx_ms_save                            ; frame, registers, FP words
    ; The TEB fields kept as in fctx_jump, two at a time here (r9 = fn).
    mov     r10, QWORD PTR gs:[TEB_STACK_BASE]
    mov     r11, QWORD PTR gs:[TEB_STACK_LIMIT]
    mov     QWORD PTR [rsp + FRAME_STACK_BASE], r10
    mov     QWORD PTR [rsp + FRAME_STACK_LIMIT], r11
    mov     r10, QWORD PTR gs:[TEB_DEALLOCATION_STACK]
    mov     r11, QWORD PTR gs:[TEB_FIBER_DATA]
    mov     QWORD PTR [rsp + FRAME_DEALLOCATION_STACK], r10
    mov     QWORD PTR [rsp + FRAME_FIBER_DATA], r11
    mov     r10, QWORD PTR gs:[TEB_EXCEPTION_LIST]
    mov     r11d, DWORD PTR gs:[TEB_GUARANTEED_STACK_BYTES]
    mov     QWORD PTR [rsp + FRAME_EXCEPTION_LIST], r10
    mov     DWORD PTR [rsp + FRAME_GUARANTEED_STACK_BYTES], r11d
    mov     QWORD PTR [rsp + FRAME_RESULT], rcx ; our own pending result pointer

    mov     rax, rsp                        ; our context
    mov     rsp, rdx                        ; switch stacks
    mov     r10, QWORD PTR [rsp + FRAME_STACK_BASE]
    mov     r11, QWORD PTR [rsp + FRAME_STACK_LIMIT]
    mov     QWORD PTR gs:[TEB_STACK_BASE], r10
    mov     QWORD PTR gs:[TEB_STACK_LIMIT], r11
    mov     r10, QWORD PTR [rsp + FRAME_DEALLOCATION_STACK]
    mov     r11, QWORD PTR [rsp + FRAME_FIBER_DATA]
    mov     QWORD PTR gs:[TEB_DEALLOCATION_STACK], r10
    mov     QWORD PTR gs:[TEB_FIBER_DATA], r11
    mov     r10, QWORD PTR [rsp + FRAME_EXCEPTION_LIST]
    mov     r11d, DWORD PTR [rsp + FRAME_GUARANTEED_STACK_BYTES]
    mov     QWORD PTR gs:[TEB_EXCEPTION_LIST], r10
    mov     DWORD PTR gs:[TEB_GUARANTEED_STACK_BYTES], r11d
    fctx_ms_restore ontop                   ; `to`'s registers, FP check
    ; Everything of `to` is restored: its frame below FRAME_RIP is dead
    ; and becomes the landing frame (these slots were read above).
    mov     rcx, QWORD PTR [rsp + FRAME_RESULT] ; fn's result goes where `to` wants it
                                                ; (read first: ONTOP_RET reuses the slot)
    mov     QWORD PTR [rsp + ONTOP_ARG], rax    ; fn's argument {our context, data}
    mov     QWORD PTR [rsp + ONTOP_ARG + 8], r8
    lea     rdx, [rsp + ONTOP_ARG]              ; ... passed by reference
    mov     r10, fctx_ontop_landing_addr
    mov     QWORD PTR [rsp + ONTOP_RET], r10    ; fn returns to the landing
    add     rsp, ONTOP_RET                      ; rsp = 16n+8, fn's entry state
    jmp     r9                                  ; "call" fn
    fctx_ms_fp_load ontop                   ; its rare path (after the jmp)
fctx_ontop ENDP

END
