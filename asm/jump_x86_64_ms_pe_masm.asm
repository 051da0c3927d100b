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
; Same instructions as jump_x86_64_ms_pe_gas.S.

INCLUDE frame_x86_64_ms.h

.code

ALIGN 16
fctx_jump PROC FRAME
    sub     rsp, FRAME_RIP                  ; frame below our return address
    .allocstack FRAME_RIP
    movaps  XMMWORD PTR [rsp + FRAME_XMM6], xmm6   ; aligned: rsp is 16n here
    .savexmm128 xmm6, FRAME_XMM6
    movaps  XMMWORD PTR [rsp + FRAME_XMM7], xmm7
    .savexmm128 xmm7, FRAME_XMM7
    movaps  XMMWORD PTR [rsp + FRAME_XMM8], xmm8
    .savexmm128 xmm8, FRAME_XMM8
    movaps  XMMWORD PTR [rsp + FRAME_XMM9], xmm9
    .savexmm128 xmm9, FRAME_XMM9
    movaps  XMMWORD PTR [rsp + FRAME_XMM10], xmm10
    .savexmm128 xmm10, FRAME_XMM10
    movaps  XMMWORD PTR [rsp + FRAME_XMM11], xmm11
    .savexmm128 xmm11, FRAME_XMM11
    movaps  XMMWORD PTR [rsp + FRAME_XMM12], xmm12
    .savexmm128 xmm12, FRAME_XMM12
    movaps  XMMWORD PTR [rsp + FRAME_XMM13], xmm13
    .savexmm128 xmm13, FRAME_XMM13
    movaps  XMMWORD PTR [rsp + FRAME_XMM14], xmm14
    .savexmm128 xmm14, FRAME_XMM14
    movaps  XMMWORD PTR [rsp + FRAME_XMM15], xmm15
    .savexmm128 xmm15, FRAME_XMM15
    mov     QWORD PTR [rsp + FRAME_R12], r12
    .savereg r12, FRAME_R12
    mov     QWORD PTR [rsp + FRAME_R13], r13
    .savereg r13, FRAME_R13
    mov     QWORD PTR [rsp + FRAME_R14], r14
    .savereg r14, FRAME_R14
    mov     QWORD PTR [rsp + FRAME_R15], r15
    .savereg r15, FRAME_R15
    mov     QWORD PTR [rsp + FRAME_RDI], rdi
    .savereg rdi, FRAME_RDI
    mov     QWORD PTR [rsp + FRAME_RSI], rsi
    .savereg rsi, FRAME_RSI
    mov     QWORD PTR [rsp + FRAME_RBX], rbx
    .savereg rbx, FRAME_RBX
    mov     QWORD PTR [rsp + FRAME_RBP], rbp
    .savereg rbp, FRAME_RBP
    .endprolog
IFNDEF FCTX_NO_FPU_CONTROL
    fnstcw  WORD PTR [rsp + FRAME_X87CW]    ; x87 masks/precision/rounding
    stmxcsr DWORD PTR [rsp + FRAME_MXCSR]   ; SSE control bits (+ flags, unused)
ENDIF
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
    movaps  xmm6, XMMWORD PTR [rsp + FRAME_XMM6]
    movaps  xmm7, XMMWORD PTR [rsp + FRAME_XMM7]
    movaps  xmm8, XMMWORD PTR [rsp + FRAME_XMM8]
    movaps  xmm9, XMMWORD PTR [rsp + FRAME_XMM9]
    movaps  xmm10, XMMWORD PTR [rsp + FRAME_XMM10]
    movaps  xmm11, XMMWORD PTR [rsp + FRAME_XMM11]
    movaps  xmm12, XMMWORD PTR [rsp + FRAME_XMM12]
    movaps  xmm13, XMMWORD PTR [rsp + FRAME_XMM13]
    movaps  xmm14, XMMWORD PTR [rsp + FRAME_XMM14]
    movaps  xmm15, XMMWORD PTR [rsp + FRAME_XMM15]
    mov     r12, QWORD PTR [rsp + FRAME_R12]
    mov     r13, QWORD PTR [rsp + FRAME_R13]
    mov     r14, QWORD PTR [rsp + FRAME_R14]
    mov     r15, QWORD PTR [rsp + FRAME_R15]
    mov     rdi, QWORD PTR [rsp + FRAME_RDI]
    mov     rsi, QWORD PTR [rsp + FRAME_RSI]
    mov     rbx, QWORD PTR [rsp + FRAME_RBX]
    mov     rbp, QWORD PTR [rsp + FRAME_RBP]
IFNDEF FCTX_NO_FPU_CONTROL
    ; FP control modes (the rule: frame_x86_64_ms.h): find whether any
    ; control bit of `to` differs from ours; if none (the common case) no
    ; FP register is written.  (Why our side is read in two halves:
    ; frame_x86_64_ms.h.)
    mov     r10d, DWORD PTR [rsp + FRAME_X87CW] ; `to`'s x87 CW | its MXCSR bits 0-15 << 16
    xor     r10w, WORD PTR [rax + FRAME_X87CW]  ; low half: x87 CW difference
    rol     r10d, 16                        ; MXCSR to the low half
    xor     r10w, WORD PTR [rax + FRAME_MXCSR]  ; low half: MXCSR difference
    and     r10d, -64                       ; drop MXCSR bits 0-5 (the thread's
                                            ; flags): any control bit left?
    jnz     jump_fp_modes                   ; yes: load `to`'s (rare, out of line)
jump_fp_done:
ENDIF
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
IFNDEF FCTX_NO_FPU_CONTROL
    ; Rare path: r10d = the control bits that differ, MXCSR 6-15 in the
    ; low half, x87 control word in the high half.  rsp is still `to`'s
    ; frame (the unwind data holds as on the main path); its slots are
    ; consumed: the MXCSR slot is rewritten, the xmm slots are scratch.
    ; Our MXCSR and x87 words saved above are the current ones (no FP
    ; instruction ran since).
jump_fp_modes:
    test    r10d, 0FFC0h                    ; MXCSR control bits differ?
    jz      jump_x87cw
    mov     r11d, DWORD PTR [rsp + FRAME_MXCSR]
    xor     r11d, DWORD PTR [rax + FRAME_MXCSR]
    and     r11d, 03Fh                      ; the flags where `to`'s word differs
                                            ; from the current MXCSR ...
    xor     DWORD PTR [rsp + FRAME_MXCSR], r11d ; ... flipped: `to`'s control
                                            ; bits with the thread's flags
    ldmxcsr DWORD PTR [rsp + FRAME_MXCSR]
jump_x87cw:
    test    r10d, 0FFFF0000h                ; x87 control word differs?
    jz      jump_fp_done
    fnstsw  WORD PTR [rsp + FRAME_FP_SCRATCH]   ; the thread's x87 status word
    movzx   r11d, WORD PTR [rsp + FRAME_X87CW]  ; `to`'s control word (1 = masked)
    mov     ecx, r11d
    not     ecx                             ; 1 = unmasked by `to` ...
    and     cx, WORD PTR [rsp + FRAME_FP_SCRATCH]   ; ... and its flag set now
    and     ecx, 03Fh                       ; the 6 exception flags: would trap
    jnz     jump_x87_pending
    fldcw   WORD PTR [rsp + FRAME_X87CW]    ; nothing would trap: plain load
    jmp     jump_fp_done
jump_x87_pending:
    ; Clear exactly those flags while loading the control word: fnstenv
    ; stores control word (+0) and status word (+4) in its 28 bytes.
    fnstenv [rsp + FRAME_FP_SCRATCH]
    mov     WORD PTR [rsp + FRAME_FP_SCRATCH], r11w ; `to`'s control word
    or      ecx, 08080h                     ; + ES and B (bits 7, 15): no
                                            ; unmasked flag remains set
    not     ecx
    and     WORD PTR [rsp + FRAME_FP_SCRATCH + 4], cx   ; cleared in the status word
    fldenv  [rsp + FRAME_FP_SCRATCH]        ; both at once: nothing traps
    jmp     jump_fp_done
ENDIF
fctx_jump ENDP

END
