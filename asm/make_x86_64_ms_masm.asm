; fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
;                                       x86-64 Microsoft ABI, PE/COFF, MASM
;
; ABI facts relied on (details and the frame drawing: frame_x86_64_ms.h):
;  - rcx = stack_top, rdx = stack_size, r8 = entry; the result (a pointer)
;    is returned in rax.  rax, rcx, rdx, r8-r11, xmm0-xmm5 are volatile.
;  - the entry function takes a 16-byte struct BY VALUE, i.e. in rcx a
;    pointer to a 16-byte aligned copy, and needs 32 bytes of home space
;    above its return address and rsp = 16n+8 at entry.
;
; Builds, just below the 16-byte aligned top T, the 56-byte start-stub
; frame (transfer slot + home space, return address 0) and below it a
; switch frame that fctx_jump/fctx_ontop restore as if the context had
; suspended itself: resume address = the start stub, rbx = entry, r12 =
; stack_top (the entry's second argument), rbp = 0,
; other registers 0, FP control words = the caller's, result pointer = the
; transfer slot.  TEB fields of the new context:
;   StackBase         = T
;   StackLimit        = stack_top - stack_size, rounded up to 4 KiB (the
;                       lowest usable address we know; x64 pages are 4 KiB)
;   DeallocationStack = the same: fctx_make does not know the allocation
;                       (a guard page, if any, lies below it)
;   FiberData         = the caller's current value
;   GuaranteedStackBytes = 0 (the system default)
;   ExceptionList     = -1, the end of an (empty) handler chain (only
;                       Wine uses this list on x64)
; FP control: the new context starts with the control modes its creator
; has at this fctx_make call (MXCSR bits 6-15 and the x87 control word,
; stored here); the MXCSR flags stored with them are never loaded, since
; the flags belong to the thread (the FP rule: frame_x86_64_ms.h).  With
; FCTX_NO_FPU_CONTROL nothing is stored.
; Returns the frame's address.  A leaf: touches no nonvolatile register.
; Same instructions as make_x86_64_ms_gas.S.

INCLUDE frame_x86_64_ms.h

EXTERN fctx_internal_entry_returned:PROC

.code

; First frame of every context.  Never called: the sub below is never
; executed; it and its unwind code describe the frame fctx_make built, as if
; the stub had been called from address 0.  Execution starts at
; start_resume, reached by fctx_jump's jmp or by the ontop landing's ret
; with rsp = S (16n) and rax = the address of the transfer in the stub frame
; (S + STUB_TRANSFER), already filled in.  Unwinding from anything called
; here steps rsp to T with return address 0: exception dispatch and stack
; walks end here (and rsp = T = StackBase is the other end-of-stack test
; unwinders use).  (PROCs are public in MASM; llvm-ml 14 has no PRIVATE.)
ALIGN 16
fctx_context_start PROC FRAME
    sub     rsp, STUB_FRAME                 ; not executed; see above
    .allocstack STUB_FRAME
    .endprolog
start_resume:
    mov     rcx, rax                        ; entry's struct argument goes by reference
    mov     rdx, r12                        ; fctx_make's stack_top: 2nd argument
    call    rbx                             ; entry(transfer, stack_top); must
                                            ; not return
    call    fctx_internal_entry_returned    ; hidden C handler, never returns
    ud2                                     ; not reached; keeps the return
                                            ; address of the call inside us
    ; The resume address for fctx_make, as typed data (see there).  Defined
    ; inside the PROC because its code labels are local to it in ml64.
    ALIGN 8
fctx_context_start_addr QWORD start_resume  ; read-only: in .text
fctx_context_start ENDP

ALIGN 16
fctx_make PROC FRAME
    .endprolog                              ; leaf: no stack or register saves
    mov     r11, rcx                        ; stack_top, for the entry
    mov     r9, rcx
    and     r9, -16                         ; r9 = T: aligned top, the new StackBase
    lea     rax, [r9 - MAKE_FRAME_FROM_TOP] ; the frame; 16-aligned
    sub     rcx, rdx                        ; lowest usable address ...
    add     rcx, 4095
    and     rcx, -4096                      ; ... rounded up to a page: StackLimit

    xorps   xmm0, xmm0                      ; deterministic register contents
    movaps  XMMWORD PTR [rax + FRAME_XMM6], xmm0
    movaps  XMMWORD PTR [rax + FRAME_XMM7], xmm0
    movaps  XMMWORD PTR [rax + FRAME_XMM8], xmm0
    movaps  XMMWORD PTR [rax + FRAME_XMM9], xmm0
    movaps  XMMWORD PTR [rax + FRAME_XMM10], xmm0
    movaps  XMMWORD PTR [rax + FRAME_XMM11], xmm0
    movaps  XMMWORD PTR [rax + FRAME_XMM12], xmm0
    movaps  XMMWORD PTR [rax + FRAME_XMM13], xmm0
    movaps  XMMWORD PTR [rax + FRAME_XMM14], xmm0
    movaps  XMMWORD PTR [rax + FRAME_XMM15], xmm0
IFNDEF FCTX_NO_FPU_CONTROL
    fnstcw  WORD PTR [rax + FRAME_X87CW]    ; start with the creator's FP
    stmxcsr DWORD PTR [rax + FRAME_MXCSR]   ; control modes (see above)
ENDIF
    xor     edx, edx
    mov     QWORD PTR [rax + FRAME_R12], r11 ; stack_top: entry's 2nd argument
    mov     QWORD PTR [rax + FRAME_R13], rdx
    mov     QWORD PTR [rax + FRAME_R14], rdx
    mov     QWORD PTR [rax + FRAME_R15], rdx
    mov     QWORD PTR [rax + FRAME_RDI], rdx
    mov     QWORD PTR [rax + FRAME_RSI], rdx
    mov     QWORD PTR [rax + FRAME_RBX], r8 ; entry, kept in a nonvolatile register
    mov     QWORD PTR [rax + FRAME_RBP], rdx; frame-pointer chains end here
    lea     r10, [rax + FRAME_SIZE + STUB_TRANSFER]
    mov     QWORD PTR [rax + FRAME_RESULT], r10 ; the first switch in stores the
                                                ; transfer in the stub's slot
    mov     QWORD PTR [rax + FRAME_STACK_BASE], r9
    mov     QWORD PTR [rax + FRAME_STACK_LIMIT], rcx
    mov     QWORD PTR [rax + FRAME_DEALLOCATION_STACK], rcx
    mov     r10, QWORD PTR gs:[TEB_FIBER_DATA]  ; inherit the creator's FiberData
    mov     QWORD PTR [rax + FRAME_FIBER_DATA], r10
    mov     QWORD PTR [rax + FRAME_GUARANTEED_STACK_BYTES], rdx
    mov     QWORD PTR [rax + FRAME_EXCEPTION_LIST], -1  ; an empty handler chain
    ; The stub's address, read from a typed QWORD defined ABOVE (llvm-ml is
    ; one-pass): ml64 and llvm-ml both address typed data RIP-relative,
    ; while llvm-ml 14 would encode a bare code label, or a forward
    ; reference, as a 32-bit absolute address (out of range in an image
    ; based above 4 GiB, the 64-bit default).
    mov     r10, fctx_context_start_addr
    mov     QWORD PTR [rax + FRAME_RIP], r10    ; first resume lands in the stub
    ; The stub frame: transfer slot and pad zeroed, return address 0.
    mov     QWORD PTR [rax + FRAME_SIZE + STUB_TRANSFER], rdx
    mov     QWORD PTR [rax + FRAME_SIZE + STUB_TRANSFER + 8], rdx
    mov     QWORD PTR [rax + FRAME_SIZE + STUB_TRANSFER + 16], rdx
    mov     QWORD PTR [rax + FRAME_SIZE + STUB_FRAME], rdx ; ends stack walks
    ret
fctx_make ENDP

; void fctx_internal_set_stack_allocation(fctx_t ctx, void *allocation_base)
; (hidden; rcx = ctx, rdx = base).  The fiber layer knows the whole
; allocation of a stack (guard pages included) and calls this right after
; fctx_make: the new context then runs with DeallocationStack = the
; allocation base, as a thread or Win32 fiber stack does, so the OS (and
; Wine) treat a fault on the guard pages below StackLimit as a stack
; overflow (STATUS_STACK_OVERFLOW) instead of a stray guard-page hit.
ALIGN 16
fctx_internal_set_stack_allocation PROC FRAME
    .endprolog                              ; leaf
    mov     QWORD PTR [rcx + FRAME_DEALLOCATION_STACK], rdx
    ret
fctx_internal_set_stack_allocation ENDP

END
