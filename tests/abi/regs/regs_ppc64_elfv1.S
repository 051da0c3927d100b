/* Register-preservation test helpers, 64-bit PowerPC ELFv1 (big-endian
 * ppc64): the shared regs_ppc64.inc with this ABI's calls. */
#include "../../../asm/frame_ppc64_elfv1.h"

#define REGS_VRSAVE 1           /* nonvolatile in ELFv1 */
/* regs_switch(result r3, jumpfn r4, to r5, data r6, load r7, store r8)
 * calls jumpfn(result r3, to r4, data r5): the same result pointer. */
#define RS_JUMPFN %r4
#define RS_LOAD   %r7
#define RS_STORE  %r8
#define RS_ARGS   mr %r4, %r5; mr %r5, %r6
/* Every caller arrives with our TOC (descriptors, linker stubs). */
#define REGS_TOC_ENTRY(name)

#include "regs_ppc64.inc"
