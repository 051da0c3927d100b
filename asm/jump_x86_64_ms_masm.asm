; fctx_transfer_t fctx_jump(fctx_t to, void *data)   x86-64 Microsoft ABI, PE/COFF, MASM
;
; ABI facts relied on (details and the frame drawing: frame_x86_64_ms.h):
;  - nonvolatile: rbx rbp rdi rsi r12-r15 rsp, xmm6-xmm15 (128 bits),
;    MXCSR control bits, x87 control word; everything else is volatile.
;    Which FP bits a context owns and which follow the thread, and when
;    a switch writes them: the FP rule in frame_x86_64_ms.h.
;  - the 16-byte result is returned through a hidden pointer: rcx = where
;    to store it, rdx = to, r8 = data; the callee returns rcx in rax.
;  - rsp is 16-byte aligned at every call (rsp = 16n+8 at entry).
;  - the TEB stack fields (gs:) must describe the stack in use; Wine
;    also walks NT_TIB.ExceptionList against rsp.
;
; Saves the nonvolatile state, the TEB stack fields and OUR result pointer
; in a frame on the current stack; switches rsp to `to`; restores its
; state; stores {our context, data} through `to`'s saved result pointer
; (the pending fctx_jump/fctx_ontop of the resumed side, or the transfer
; slot of a new context) and resumes it with rax = that pointer, exactly
; as its own pending call returns.
;
; Unwind data: the prologue is described with PROC FRAME directives.  After
; the switch rsp points at `to`'s frame, which has the same shape, so the
; same unwind data describes the resumed side until the final add/jmp.
; Same instructions as jump_x86_64_ms_gas.S.

INCLUDE frame_x86_64_ms.h
; The code shared with fctx_ontop (no comment on an INCLUDE line: llvm-ml
; takes the rest of the line as the file name)
INCLUDE switch_x86_64_ms_masm.inc

.code

ALIGN 16
fctx_jump PROC FRAME
    fctx_ms_save                            ; frame, registers, FP words
    ; The TEB describes the stack we leave: keep its view in our frame
    ; (StackLimit may have moved since, as the OS grows a thread stack).
    mov     r9, QWORD PTR gs:[TEB_STACK_BASE]
    mov     r10, QWORD PTR gs:[TEB_STACK_LIMIT]
    mov     r11, QWORD PTR gs:[TEB_DEALLOCATION_STACK]
    mov     QWORD PTR [rsp + FRAME_STACK_BASE], r9
    mov     QWORD PTR [rsp + FRAME_STACK_LIMIT], r10
    mov     QWORD PTR [rsp + FRAME_DEALLOCATION_STACK], r11
    mov     r9, QWORD PTR gs:[TEB_FIBER_DATA]
    mov     r10, QWORD PTR gs:[TEB_EXCEPTION_LIST]
    mov     r11d, DWORD PTR gs:[TEB_GUARANTEED_STACK_BYTES]   ; a 32-bit field
    mov     QWORD PTR [rsp + FRAME_FIBER_DATA], r9
    mov     QWORD PTR [rsp + FRAME_EXCEPTION_LIST], r10
    mov     DWORD PTR [rsp + FRAME_GUARANTEED_STACK_BYTES], r11d
    mov     QWORD PTR [rsp + FRAME_RESULT], rcx ; where OUR pending call wants
                                                ; its result when we are resumed

    mov     rax, rsp                        ; our context: delivered to `to`
    mov     rsp, rdx                        ; switch stacks
    ; The TEB first: from here on it must describe `to`'s stack.
    mov     r9, QWORD PTR [rsp + FRAME_STACK_BASE]
    mov     r10, QWORD PTR [rsp + FRAME_STACK_LIMIT]
    mov     r11, QWORD PTR [rsp + FRAME_DEALLOCATION_STACK]
    mov     QWORD PTR gs:[TEB_STACK_BASE], r9
    mov     QWORD PTR gs:[TEB_STACK_LIMIT], r10
    mov     QWORD PTR gs:[TEB_DEALLOCATION_STACK], r11
    mov     r9, QWORD PTR [rsp + FRAME_FIBER_DATA]
    mov     r10, QWORD PTR [rsp + FRAME_EXCEPTION_LIST]
    mov     r11d, DWORD PTR [rsp + FRAME_GUARANTEED_STACK_BYTES]
    mov     QWORD PTR gs:[TEB_FIBER_DATA], r9
    mov     QWORD PTR gs:[TEB_EXCEPTION_LIST], r10
    mov     DWORD PTR gs:[TEB_GUARANTEED_STACK_BYTES], r11d
    fctx_ms_restore jump                    ; `to`'s registers, FP check
    ; Return the transfer the way `to`'s pending call expects it: stored
    ; through ITS hidden result pointer, which is also returned in rax.
    mov     rcx, QWORD PTR [rsp + FRAME_RESULT]
    mov     QWORD PTR [rcx], rax            ; .ctx  = the context we just left
    mov     QWORD PTR [rcx + 8], r8         ; .data = data
    mov     rax, rcx
    mov     r10, QWORD PTR [rsp + FRAME_RIP]   ; where `to` resumes
    add     rsp, FRAME_SIZE                 ; pop the frame and the return address
    ; An indirect jmp instead of ret: a ret into another context's return
    ; address always misses the return-stack predictor.  (Only here, one
    ; instruction, does the unwind data not describe rsp.)
    jmp     r10
    fctx_ms_fp_load jump                    ; its rare path (after the jmp)
fctx_jump ENDP

END
