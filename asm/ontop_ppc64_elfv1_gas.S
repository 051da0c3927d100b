/* fctx_ontop and its call frame, 64-bit Power ELFv1 (big-endian ppc64 Linux):
 * the shared ontop_ppc64_gas.inc with this ABI's differences, which
 * frame_ppc64_elfv1.h defines. */
#include "frame_ppc64_elfv1.h"
#include "ontop_ppc64_gas.inc"
