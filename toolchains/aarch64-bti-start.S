/*
 * Program entry for the aarch64-bti test build (see docs/abi-arm.md).
 *
 * Why: with -Wl,-z,force-bti the whole executable is mapped as BTI-guarded,
 * but Debian 12's startup objects (Scrt1.o, crti.o, crtbeginS.o, crtendS.o)
 * carry no BTI landing pads: the dynamic loader's branch to _start and
 * libc's indirect calls of _init/frame_dummy fault at once (SIGILL), before
 * main.  The preset therefore links with -nostartfiles and compiles this
 * file on the link line instead: one entry point with a landing pad, and
 * __dso_handle.  Everything the startup objects did besides that is not
 * needed with glibc >= 2.34 (the main program's init/fini arrays are run by
 * libc itself; exceptions find unwind tables through PT_GNU_EH_FRAME).
 *
 * Facts used (Linux AArch64 process entry, glibc): at _start sp points at
 * argc, argv[] follows, x0 holds the dynamic loader's finaliser (or 0);
 * __libc_start_main(main, argc, argv, init, fini, rtld_fini, stack_end),
 * with init = fini = NULL accepted since glibc 2.34.
 */
#if !(defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT)
#  error "aarch64-bti-start.S is for builds with -mbranch-protection=bti/standard"
#endif

    .text
    .globl  _start
    .type   _start, %function
    .p2align 2
_start:
    .cfi_startproc
    .cfi_undefined x30              /* outermost frame */
    bti     jc                      /* reached by the loader's br: BTYPE 01
                                       or 11 depending on its own pages */
    mov     x29, xzr                /* end of the frame-record chain */
    mov     x30, xzr
    mov     x5, x0                  /* rtld_fini */
    ldr     x1, [sp]                /* argc */
    add     x2, sp, #8              /* argv */
    mov     x3, xzr                 /* init (NULL) */
    mov     x4, xzr                 /* fini (NULL) */
    mov     x6, sp                  /* stack_end */
    adrp    x0, :got:main           /* PIE-safe address of main */
    ldr     x0, [x0, #:got_lo12:main]
    bl      __libc_start_main       /* does not return */
    brk     #1
    .cfi_endproc
    .size   _start, . - _start

    /* __cxa_atexit's "this object" handle for C++ static destructors. */
    .section .data.rel.ro, "aw"
    .p2align 3
    .globl  __dso_handle
    .hidden __dso_handle
    .type   __dso_handle, %object
__dso_handle:
    .quad   __dso_handle
    .size   __dso_handle, 8

    .section .note.GNU-stack, "", %progbits
    /* GNU property note: GNU_PROPERTY_AARCH64_FEATURE_1_AND = BTI. */
    .pushsection .note.gnu.property, "a"
    .p2align 3
    .long   4, 16, 5                /* namesz, descsz, NT_GNU_PROPERTY_TYPE_0 */
    .asciz  "GNU"
    .long   0xc0000000, 4, 1, 0
    .popsection
