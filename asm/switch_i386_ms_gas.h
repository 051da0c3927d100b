/*
 * The TIB fields fctx_jump and fctx_ontop keep per context, i386 Windows,
 * PE/COFF, GAS: included (after frame_i386_ms.h, whose names it uses) by
 * jump_i386_ms_gas.S and ontop_i386_ms_gas.S, with the register and FP
 * code every i386 port shares (switch_i386_gas.h).  MASM twin:
 * switch_i386_ms_masm.inc (test_masm_twin compares the disassembly).
 * Why these fields: frame_i386_ms.h.
 */
#include "format.h"                  /* functions: PE/COFF i386 branch */
#include "switch_i386_gas.h"         /* registers, FP control words */

/* After fctx_gprs_save (esp = our frame): the fields describing the stack
 * we leave, into our frame.  StackLimit is read anew at every switch: the
 * OS moves it down as it commits a thread stack.  Clobbers esi and edi
 * (already saved; two registers so the pairs can overlap). */
    .macro fctx_teb_save
    movl    %fs:TEB_EXCEPTION_LIST, %edi
    movl    %fs:TEB_STACK_BASE, %esi
    movl    %edi, FRAME_EXCEPTION_LIST(%esp)
    movl    %esi, FRAME_STACK_BASE(%esp)
    movl    %fs:TEB_STACK_LIMIT, %edi
    movl    %fs:TEB_DEALLOCATION_STACK, %esi
    movl    %edi, FRAME_STACK_LIMIT(%esp)
    movl    %esi, FRAME_DEALLOCATION_STACK(%esp)
    movl    %fs:TEB_FIBER_DATA, %edi
    movl    %fs:TEB_GUARANTEED_STACK_BYTES, %esi
    movl    %edi, FRAME_FIBER_DATA(%esp)
    movl    %esi, FRAME_GUARANTEED_STACK_BYTES(%esp)
    .endm

/* Right after the switch (esp = `to`'s frame), before anything else runs
 * there: the TIB then describes `to`'s stack and SEH chain.  Clobbers esi
 * and edi (`to`'s are loaded later, by fctx_gprs_load). */
    .macro fctx_teb_load
    movl    FRAME_EXCEPTION_LIST(%esp), %edi
    movl    FRAME_STACK_BASE(%esp), %esi
    movl    %edi, %fs:TEB_EXCEPTION_LIST
    movl    %esi, %fs:TEB_STACK_BASE
    movl    FRAME_STACK_LIMIT(%esp), %edi
    movl    FRAME_DEALLOCATION_STACK(%esp), %esi
    movl    %edi, %fs:TEB_STACK_LIMIT
    movl    %esi, %fs:TEB_DEALLOCATION_STACK
    movl    FRAME_FIBER_DATA(%esp), %edi
    movl    FRAME_GUARANTEED_STACK_BYTES(%esp), %esi
    movl    %edi, %fs:TEB_FIBER_DATA
    movl    %esi, %fs:TEB_GUARANTEED_STACK_BYTES
    .endm
