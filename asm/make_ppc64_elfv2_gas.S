/* fctx_make and the start stub, 64-bit Power ELFv2 (ppc64le Linux):
 * the shared make_ppc64_gas.inc with this ABI's differences, which
 * frame_ppc64_elfv2.h defines. */
#include "frame_ppc64_elfv2.h"
#include "make_ppc64_gas.inc"
