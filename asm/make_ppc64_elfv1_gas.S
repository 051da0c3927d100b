/* fctx_make and the start stub, 64-bit Power ELFv1 (big-endian ppc64 Linux):
 * the shared make_ppc64_gas.inc with this ABI's differences, which
 * frame_ppc64_elfv1.h defines. */
#include "frame_ppc64_elfv1.h"
#include "make_ppc64_gas.inc"
