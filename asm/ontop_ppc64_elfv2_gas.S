/* fctx_ontop and its call frame, 64-bit Power ELFv2 (ppc64le Linux):
 * the shared ontop_ppc64_gas.inc with this ABI's differences, which
 * frame_ppc64_elfv2.h defines. */
#include "frame_ppc64_elfv2.h"
#include "ontop_ppc64_gas.inc"
