/* fctx_jump, 64-bit Power ELFv1 (big-endian ppc64 Linux):
 * the shared jump_ppc64_gas.inc with this ABI's differences, which
 * frame_ppc64_elfv1.h defines. */
#include "frame_ppc64_elfv1.h"
#include "jump_ppc64_gas.inc"
