/* split_note.h - force-included into the assembly files when the library
 * is built with FCTX_SPLIT_STACK (see cmake/FctxSplitStack.cmake).
 *
 * The gold linker treats every function in an object without this note as
 * "not split-stack aware" and rewrites the prologue of each split-stack
 * caller so that it always switches to a fresh segment with 16 KiB of room
 * first: every fiber switch would go through __morestack.  The switch
 * routines need only their saved-register frame (a few words below the
 * stack pointer, within the slack every split-stack caller leaves), so they
 * are marked split-stack compatible instead. */
.pushsection .note.GNU-split-stack,"",@progbits
.popsection
