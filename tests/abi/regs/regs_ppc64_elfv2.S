/* Register-preservation test helpers, 64-bit Power ELFv2 (ppc64le): the
 * shared regs_ppc64.inc with this ABI's calls. */
#include "../../../asm/frame_ppc64_elfv2.h"

#define REGS_VRSAVE 0           /* "reserved for system use" */
/* regs_switch(jumpfn r3, to r4, data r5, load r6, store r7) calls
 * jumpfn(to r3, data r4). */
#define RS_JUMPFN %r3
#define RS_LOAD   %r6
#define RS_STORE  %r7
#define RS_ARGS   mr %r3, %r4; mr %r4, %r5
/* A function called through a pointer derives its TOC from r12. */
#define REGS_TOC_ENTRY(name) \
    addis %r2, %r12, .TOC.-name@ha; addi %r2, %r2, .TOC.-name@l; \
    .localentry name, .-name

#include "regs_ppc64.inc"
