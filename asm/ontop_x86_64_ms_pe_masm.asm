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
; Same instructions as ontop_x86_64_ms_pe_gas.S.

INCLUDE frame_x86_64_ms.h

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
    sub     rsp, FRAME_RIP                  ; same frame as fctx_jump
    .allocstack FRAME_RIP
    movaps  XMMWORD PTR [rsp + FRAME_XMM6], xmm6
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
    jnz     ontop_fp_modes                  ; yes: load `to`'s (rare, out of line)
ontop_fp_done:
ENDIF
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
IFNDEF FCTX_NO_FPU_CONTROL
    ; Rare path: r10d = the control bits that differ, MXCSR 6-15 in the
    ; low half, x87 control word in the high half.  rsp is still `to`'s
    ; frame (the unwind data holds as on the main path); its slots are
    ; consumed: the MXCSR slot is rewritten, the xmm slots are scratch.
    ; Our MXCSR and x87 words saved above are the current ones (no FP
    ; instruction ran since).
ontop_fp_modes:
    test    r10d, 0FFC0h                    ; MXCSR control bits differ?
    jz      ontop_x87cw
    mov     r11d, DWORD PTR [rsp + FRAME_MXCSR]
    xor     r11d, DWORD PTR [rax + FRAME_MXCSR]
    and     r11d, 03Fh                      ; the flags where `to`'s word differs
                                            ; from the current MXCSR ...
    xor     DWORD PTR [rsp + FRAME_MXCSR], r11d ; ... flipped: `to`'s control
                                            ; bits with the thread's flags
    ldmxcsr DWORD PTR [rsp + FRAME_MXCSR]
ontop_x87cw:
    test    r10d, 0FFFF0000h                ; x87 control word differs?
    jz      ontop_fp_done
    fnstsw  WORD PTR [rsp + FRAME_FP_SCRATCH]   ; the thread's x87 status word
    movzx   r11d, WORD PTR [rsp + FRAME_X87CW]  ; `to`'s control word (1 = masked)
    mov     ecx, r11d
    not     ecx                             ; 1 = unmasked by `to` ...
    and     cx, WORD PTR [rsp + FRAME_FP_SCRATCH]   ; ... and its flag set now
    and     ecx, 03Fh                       ; the 6 exception flags: would trap
    jnz     ontop_x87_pending
    fldcw   WORD PTR [rsp + FRAME_X87CW]    ; nothing would trap: plain load
    jmp     ontop_fp_done
ontop_x87_pending:
    ; Clear exactly those flags while loading the control word: fnstenv
    ; stores control word (+0) and status word (+4) in its 28 bytes.
    fnstenv [rsp + FRAME_FP_SCRATCH]
    mov     WORD PTR [rsp + FRAME_FP_SCRATCH], r11w ; `to`'s control word
    or      ecx, 08080h                     ; + ES and B (bits 7, 15): no
                                            ; unmasked flag remains set
    not     ecx
    and     WORD PTR [rsp + FRAME_FP_SCRATCH + 4], cx   ; cleared in the status word
    fldenv  [rsp + FRAME_FP_SCRATCH]        ; both at once: nothing traps
    jmp     ontop_fp_done
ENDIF
fctx_ontop ENDP

END
