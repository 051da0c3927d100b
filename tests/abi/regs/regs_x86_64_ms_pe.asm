; Register-preservation test helpers, x86-64 Microsoft ABI, MASM: the same
; helpers, words and contract as tests/regs/regs_x86_64_ms_pe.S (read its
; head comment; the contract is tests/test_registers.c's), for builds whose
; assembler is MASM (ml64 with MSVC, llvm-ml with MinGW): tests/windows.cmake
; uses this file instead of the GAS one there.
; Microsoft x64 facts used: nonvolatile rbx rbp rdi rsi r12-r15,
; xmm6-xmm15 (128 bits), MXCSR control bits, x87 control word; a 16-byte
; struct result goes through a hidden pointer in rcx (returned in rax), so
; regs_switch gets rcx = result, rdx = jumpfn, r8 = to, r9 = data and
; load/store as the 5th/6th arguments on the stack (above the 32-byte home
; space); rsp is 16-byte aligned at calls.
; FP words: only control bits vary (which ones and why: the GAS file).
; Word order (36 words): rbx rbp rdi rsi r12-r15; xmm6-xmm15 (low, high
; quadword); MXCSR; x87 CW; StackBase, StackLimit, DeallocationStack,
; FiberData, ExceptionList, GuaranteedStackBytes (TEB, gs:).

W_XMM = 64                  ; byte offset of word 8
W_MXCSR = 224               ; word 28
W_X87CW = 232
W_STACK_BASE = 240
W_STACK_LIMIT = 248
W_DEALLOC = 256
W_FIBER_DATA = 264
W_EXCEPTION_LIST = 272
W_GUARANTEE = 280
W_RSP_BEFORE = 288          ; store[count]
W_RSP_AFTER = 296           ; store[count + 1]

; regs_switch's frame, above rsp after its prologue:
L_XMM = 32                  ; caller's xmm6-xmm15 (16-aligned); 0-31: home space
L_MXCSR = 192               ; caller's MXCSR, x87 CW at +4
L_TEB = 200                 ; caller's 6 TEB words
L_RESULT = 248              ; hidden result pointer
L_STORE = 256               ; store pointer
LOCALS = 264                ; 8 pushes + 264 + return address = 16n
A_LOAD = LOCALS + 64 + 40   ; 5th argument: above 8 pushes, the return
A_STORE = LOCALS + 64 + 48  ; address and the home space

EXTERN fctx_jump:PROC

.data
PUBLIC regs_count
PUBLIC regs_mask
ALIGN 8
regs_count DWORD 36
ALIGN 8
regs_mask QWORD -1, -1, -1, -1, -1, -1, -1, -1        ; GPRs
          QWORD -1, -1, -1, -1, -1, -1, -1, -1, -1, -1  ; xmm6-xmm10
          QWORD -1, -1, -1, -1, -1, -1, -1, -1, -1, -1  ; xmm11-xmm15
IFNDEF FCTX_NO_FPU_CONTROL
          QWORD 0FFC0h      ; MXCSR: every control bit (see the GAS file)
          QWORD 0F00h       ; x87 CW: rounding and precision control
ELSE
          QWORD 0, 0        ; shared by all contexts of a thread by design
ENDIF
          QWORD -1, -1, -1, -1, -1                      ; TEB pointers
          QWORD 0FFFFFFFFh  ; GuaranteedStackBytes (32 bits)

.code

regs_read PROC FRAME        ; rcx = out; a leaf
    .endprolog
    mov     QWORD PTR [rcx], rbx
    mov     QWORD PTR [rcx + 8], rbp
    mov     QWORD PTR [rcx + 16], rdi
    mov     QWORD PTR [rcx + 24], rsi
    mov     QWORD PTR [rcx + 32], r12
    mov     QWORD PTR [rcx + 40], r13
    mov     QWORD PTR [rcx + 48], r14
    mov     QWORD PTR [rcx + 56], r15
    movdqu  XMMWORD PTR [rcx + W_XMM], xmm6     ; `out` is only 8-byte aligned
    movdqu  XMMWORD PTR [rcx + W_XMM + 16], xmm7
    movdqu  XMMWORD PTR [rcx + W_XMM + 32], xmm8
    movdqu  XMMWORD PTR [rcx + W_XMM + 48], xmm9
    movdqu  XMMWORD PTR [rcx + W_XMM + 64], xmm10
    movdqu  XMMWORD PTR [rcx + W_XMM + 80], xmm11
    movdqu  XMMWORD PTR [rcx + W_XMM + 96], xmm12
    movdqu  XMMWORD PTR [rcx + W_XMM + 112], xmm13
    movdqu  XMMWORD PTR [rcx + W_XMM + 128], xmm14
    movdqu  XMMWORD PTR [rcx + W_XMM + 144], xmm15
    mov     QWORD PTR [rcx + W_MXCSR], 0
    stmxcsr DWORD PTR [rcx + W_MXCSR]
    mov     QWORD PTR [rcx + W_X87CW], 0
    fnstcw  WORD PTR [rcx + W_X87CW]
    mov     rax, QWORD PTR gs:[8]
    mov     QWORD PTR [rcx + W_STACK_BASE], rax
    mov     rax, QWORD PTR gs:[16]
    mov     QWORD PTR [rcx + W_STACK_LIMIT], rax
    mov     rax, QWORD PTR gs:[1478h]
    mov     QWORD PTR [rcx + W_DEALLOC], rax
    mov     rax, QWORD PTR gs:[32]
    mov     QWORD PTR [rcx + W_FIBER_DATA], rax
    mov     rax, QWORD PTR gs:[0]
    mov     QWORD PTR [rcx + W_EXCEPTION_LIST], rax
    mov     eax, DWORD PTR gs:[1748h]           ; zero-extends
    mov     QWORD PTR [rcx + W_GUARANTEE], rax
    ret
regs_read ENDP

regs_switch PROC FRAME
    push    rbp
    .pushreg rbp
    push    rbx
    .pushreg rbx
    push    rdi
    .pushreg rdi
    push    rsi
    .pushreg rsi
    push    r12
    .pushreg r12
    push    r13
    .pushreg r13
    push    r14
    .pushreg r14
    push    r15
    .pushreg r15
    sub     rsp, LOCALS
    .allocstack LOCALS
    movaps  XMMWORD PTR [rsp + L_XMM], xmm6
    .savexmm128 xmm6, L_XMM
    movaps  XMMWORD PTR [rsp + L_XMM + 16], xmm7
    .savexmm128 xmm7, L_XMM + 16
    movaps  XMMWORD PTR [rsp + L_XMM + 32], xmm8
    .savexmm128 xmm8, L_XMM + 32
    movaps  XMMWORD PTR [rsp + L_XMM + 48], xmm9
    .savexmm128 xmm9, L_XMM + 48
    movaps  XMMWORD PTR [rsp + L_XMM + 64], xmm10
    .savexmm128 xmm10, L_XMM + 64
    movaps  XMMWORD PTR [rsp + L_XMM + 80], xmm11
    .savexmm128 xmm11, L_XMM + 80
    movaps  XMMWORD PTR [rsp + L_XMM + 96], xmm12
    .savexmm128 xmm12, L_XMM + 96
    movaps  XMMWORD PTR [rsp + L_XMM + 112], xmm13
    .savexmm128 xmm13, L_XMM + 112
    movaps  XMMWORD PTR [rsp + L_XMM + 128], xmm14
    .savexmm128 xmm14, L_XMM + 128
    movaps  XMMWORD PTR [rsp + L_XMM + 144], xmm15
    .savexmm128 xmm15, L_XMM + 144
    .endprolog
    stmxcsr DWORD PTR [rsp + L_MXCSR]
    fnstcw  WORD PTR [rsp + L_MXCSR + 4]
    mov     r10, QWORD PTR gs:[8]               ; the caller's TEB stack fields
    mov     QWORD PTR [rsp + L_TEB], r10
    mov     r10, QWORD PTR gs:[16]
    mov     QWORD PTR [rsp + L_TEB + 8], r10
    mov     r10, QWORD PTR gs:[1478h]
    mov     QWORD PTR [rsp + L_TEB + 16], r10
    mov     r10, QWORD PTR gs:[32]
    mov     QWORD PTR [rsp + L_TEB + 24], r10
    mov     r10, QWORD PTR gs:[0]
    mov     QWORD PTR [rsp + L_TEB + 32], r10
    mov     r10d, DWORD PTR gs:[1748h]
    mov     QWORD PTR [rsp + L_TEB + 40], r10
    mov     QWORD PTR [rsp + L_RESULT], rcx
    mov     r10, QWORD PTR [rsp + A_STORE]
    mov     QWORD PTR [rsp + L_STORE], r10
    mov     QWORD PTR [r10 + W_RSP_BEFORE], rsp ; rsp before
    mov     r11, QWORD PTR [rsp + A_LOAD]
    mov     rax, rdx                            ; jumpfn
    mov     rdx, r8                             ; jumpfn(result = rcx as is, to, data)
    mov     r8, r9
    mov     rbx, QWORD PTR [r11]
    mov     rbp, QWORD PTR [r11 + 8]
    mov     rdi, QWORD PTR [r11 + 16]
    mov     rsi, QWORD PTR [r11 + 24]
    mov     r12, QWORD PTR [r11 + 32]
    mov     r13, QWORD PTR [r11 + 40]
    mov     r14, QWORD PTR [r11 + 48]
    mov     r15, QWORD PTR [r11 + 56]
    movdqu  xmm6, XMMWORD PTR [r11 + W_XMM]
    movdqu  xmm7, XMMWORD PTR [r11 + W_XMM + 16]
    movdqu  xmm8, XMMWORD PTR [r11 + W_XMM + 32]
    movdqu  xmm9, XMMWORD PTR [r11 + W_XMM + 48]
    movdqu  xmm10, XMMWORD PTR [r11 + W_XMM + 64]
    movdqu  xmm11, XMMWORD PTR [r11 + W_XMM + 80]
    movdqu  xmm12, XMMWORD PTR [r11 + W_XMM + 96]
    movdqu  xmm13, XMMWORD PTR [r11 + W_XMM + 112]
    movdqu  xmm14, XMMWORD PTR [r11 + W_XMM + 128]
    movdqu  xmm15, XMMWORD PTR [r11 + W_XMM + 144]
    ldmxcsr DWORD PTR [r11 + W_MXCSR]
    fldcw   WORD PTR [r11 + W_X87CW]
    mov     r9, QWORD PTR [r11 + W_STACK_BASE]  ; from here until the restore
    mov     QWORD PTR gs:[8], r9                ; below only fctx code runs on these
    mov     r9, QWORD PTR [r11 + W_STACK_LIMIT]
    mov     QWORD PTR gs:[16], r9
    mov     r9, QWORD PTR [r11 + W_DEALLOC]
    mov     QWORD PTR gs:[1478h], r9
    mov     r9, QWORD PTR [r11 + W_FIBER_DATA]
    mov     QWORD PTR gs:[32], r9
    mov     r9, QWORD PTR [r11 + W_EXCEPTION_LIST]
    mov     QWORD PTR gs:[0], r9
    mov     r9d, DWORD PTR [r11 + W_GUARANTEE]
    mov     DWORD PTR gs:[1748h], r9d
    call    rax
    mov     r10, QWORD PTR [rsp + L_STORE]
    mov     QWORD PTR [r10], rbx
    mov     QWORD PTR [r10 + 8], rbp
    mov     QWORD PTR [r10 + 16], rdi
    mov     QWORD PTR [r10 + 24], rsi
    mov     QWORD PTR [r10 + 32], r12
    mov     QWORD PTR [r10 + 40], r13
    mov     QWORD PTR [r10 + 48], r14
    mov     QWORD PTR [r10 + 56], r15
    movdqu  XMMWORD PTR [r10 + W_XMM], xmm6
    movdqu  XMMWORD PTR [r10 + W_XMM + 16], xmm7
    movdqu  XMMWORD PTR [r10 + W_XMM + 32], xmm8
    movdqu  XMMWORD PTR [r10 + W_XMM + 48], xmm9
    movdqu  XMMWORD PTR [r10 + W_XMM + 64], xmm10
    movdqu  XMMWORD PTR [r10 + W_XMM + 80], xmm11
    movdqu  XMMWORD PTR [r10 + W_XMM + 96], xmm12
    movdqu  XMMWORD PTR [r10 + W_XMM + 112], xmm13
    movdqu  XMMWORD PTR [r10 + W_XMM + 128], xmm14
    movdqu  XMMWORD PTR [r10 + W_XMM + 144], xmm15
    mov     QWORD PTR [r10 + W_MXCSR], 0
    stmxcsr DWORD PTR [r10 + W_MXCSR]
    mov     QWORD PTR [r10 + W_X87CW], 0
    fnstcw  WORD PTR [r10 + W_X87CW]
    mov     r9, QWORD PTR gs:[8]
    mov     QWORD PTR [r10 + W_STACK_BASE], r9
    mov     r9, QWORD PTR gs:[16]
    mov     QWORD PTR [r10 + W_STACK_LIMIT], r9
    mov     r9, QWORD PTR gs:[1478h]
    mov     QWORD PTR [r10 + W_DEALLOC], r9
    mov     r9, QWORD PTR gs:[32]
    mov     QWORD PTR [r10 + W_FIBER_DATA], r9
    mov     r9, QWORD PTR gs:[0]
    mov     QWORD PTR [r10 + W_EXCEPTION_LIST], r9
    mov     r9d, DWORD PTR gs:[1748h]
    mov     QWORD PTR [r10 + W_GUARANTEE], r9
    mov     QWORD PTR [r10 + W_RSP_AFTER], rsp  ; rsp after
    ; The caller's own state back.
    mov     r9, QWORD PTR [rsp + L_TEB]
    mov     QWORD PTR gs:[8], r9
    mov     r9, QWORD PTR [rsp + L_TEB + 8]
    mov     QWORD PTR gs:[16], r9
    mov     r9, QWORD PTR [rsp + L_TEB + 16]
    mov     QWORD PTR gs:[1478h], r9
    mov     r9, QWORD PTR [rsp + L_TEB + 24]
    mov     QWORD PTR gs:[32], r9
    mov     r9, QWORD PTR [rsp + L_TEB + 32]
    mov     QWORD PTR gs:[0], r9
    mov     r9d, DWORD PTR [rsp + L_TEB + 40]
    mov     DWORD PTR gs:[1748h], r9d
    ldmxcsr DWORD PTR [rsp + L_MXCSR]
    fldcw   WORD PTR [rsp + L_MXCSR + 4]
    movaps  xmm6, XMMWORD PTR [rsp + L_XMM]
    movaps  xmm7, XMMWORD PTR [rsp + L_XMM + 16]
    movaps  xmm8, XMMWORD PTR [rsp + L_XMM + 32]
    movaps  xmm9, XMMWORD PTR [rsp + L_XMM + 48]
    movaps  xmm10, XMMWORD PTR [rsp + L_XMM + 64]
    movaps  xmm11, XMMWORD PTR [rsp + L_XMM + 80]
    movaps  xmm12, XMMWORD PTR [rsp + L_XMM + 96]
    movaps  xmm13, XMMWORD PTR [rsp + L_XMM + 112]
    movaps  xmm14, XMMWORD PTR [rsp + L_XMM + 128]
    movaps  xmm15, XMMWORD PTR [rsp + L_XMM + 144]
    mov     rax, QWORD PTR [rsp + L_RESULT]     ; return the hidden pointer
    add     rsp, LOCALS
    pop     r15
    pop     r14
    pop     r13
    pop     r12
    pop     rsi
    pop     rdi
    pop     rbx
    pop     rbp
    ret
regs_switch ENDP

regs_bad_jump PROC FRAME    ; rcx = result, rdx = to, r8 = data: passed on
    sub     rsp, 40                             ; home space; aligns rsp for the call
    .allocstack 40
    .endprolog
    call    fctx_jump
    not     r13                                 ; the deliberate bug
    add     rsp, 40
    ret                                         ; rax = result pointer from fctx_jump
regs_bad_jump ENDP

; Callees own the 32-byte home space above their return address and may
; store anything there before they read their arguments.  These two trash
; all of it first, so tests/win/test_win_teb.c proves that the by-reference
; transfer fctx hands to an ontop function or an entry function does not
; live in that space.  Same code as in regs_x86_64_ms_pe.S.

; fctx_transfer_t regs_ontop_home_clobber(fctx_transfer_t t)
;   (rcx = result, rdx = &t): returns {t.ctx, t.data + 1}.
regs_ontop_home_clobber PROC FRAME
    .endprolog                                  ; a leaf
    mov     QWORD PTR [rsp + 8], -1             ; the four home slots
    mov     QWORD PTR [rsp + 16], -1
    mov     QWORD PTR [rsp + 24], -1
    mov     QWORD PTR [rsp + 32], -1
    mov     rax, QWORD PTR [rdx]                ; only now read the argument
    mov     r8, QWORD PTR [rdx + 8]
    add     r8, 1
    mov     QWORD PTR [rcx], rax
    mov     QWORD PTR [rcx + 8], r8
    mov     rax, rcx
    ret
regs_ontop_home_clobber ENDP

; void regs_entry_home_clobber(fctx_transfer_t t)   (rcx = &t)
; An entry function that answers every transfer with data + 1.
regs_entry_home_clobber PROC FRAME
    mov     QWORD PTR [rsp + 8], -1             ; the four home slots, before anything
    mov     QWORD PTR [rsp + 16], -1
    mov     QWORD PTR [rsp + 24], -1
    mov     QWORD PTR [rsp + 32], -1
    sub     rsp, 56                             ; home space + a 16-byte result slot
    .allocstack 56
    .endprolog
    mov     rdx, QWORD PTR [rcx]                ; to = t.ctx
    mov     r8, QWORD PTR [rcx + 8]
answer:
    add     r8, 1                               ; data = t.data + 1
    lea     rcx, [rsp + 32]                     ; where fctx_jump stores the next transfer
    call    fctx_jump
    mov     rdx, QWORD PTR [rax]                ; rax = that slot
    mov     r8, QWORD PTR [rax + 8]
    jmp     answer
regs_entry_home_clobber ENDP

END
