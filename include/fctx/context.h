/*
 * fctx/context.h - raw context-switch primitives.
 *
 * These three functions are implemented in assembly, one file per job and
 * ABI under asm/.  They are signature-compatible with Boost.Context's
 * jump_fcontext / make_fcontext / ontop_fcontext: same argument order and the
 * same two-word {context, data} transfer struct returned by value, so code
 * written against fcontext ports by renaming.
 *
 * A context (fctx_t) names a *suspended* execution: the address of the
 * register block it saved on its own stack.  It is consumed when it is
 * resumed; using the same fctx_t twice is undefined behaviour.
 *
 * The primitives do no validation: they are the hot path and are called by
 * the checked fiber layer (fctx/fiber.h).  Use that layer unless you build
 * your own.
 */
#ifndef FCTX_CONTEXT_H
#define FCTX_CONTEXT_H

#include <stddef.h>
#include <fctx/config.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A suspended context: opaque pointer into the context's own stack. */
typedef void *fctx_t;

/** What a switch delivers to the context that is resumed. */
typedef struct fctx_transfer {
    fctx_t ctx;  /**< the context that just suspended (resume it to go back) */
    void *data;  /**< the value passed by whoever switched to us */
} fctx_transfer_t;

/** Entry point of a context made with fctx_make(). Must never return. */
typedef void (*fctx_entry_fn)(fctx_transfer_t);

/**
 * An entry that also receives, as its second argument, the `stack_top` given
 * to fctx_make(), unchanged.  Every fctx port's first frame passes it (an
 * fctx extension: Boost's make_fcontext does not), so an entry can find what
 * its creator put at the top of the stack without a switch at creation.
 * Hand it to fctx_make() through fctx_entry_with_top().
 */
typedef void (*fctx_entry_top_fn)(fctx_transfer_t, void *stack_top);

/**
 * `fn` as an fctx_entry_fn for fctx_make().  The conversion is the only way
 * to pass it (fctx_make() keeps Boost's signature); fctx's first frame then
 * calls `fn` with both arguments.  NULL gives NULL.
 */
#if defined(__EMSCRIPTEN__)
/* WebAssembly traps on a call through a pointer of another type, so the
 * entry's type travels in the pointer: a function pointer is a small table
 * index, and this bit (never set in one) marks an fctx_entry_top_fn for
 * fctx_make() (docs/abi-wasm.md).  Call the result only through fctx_make(). */
#  define FCTX_WASM_ENTRY_TOP 0x80000000u
#endif
static inline fctx_entry_fn fctx_entry_with_top(fctx_entry_top_fn fn)
{
#if defined(__EMSCRIPTEN__)
    if (fn == NULL)
        return NULL;
    return (fctx_entry_fn)(void (*)(void))((unsigned long)fn | FCTX_WASM_ENTRY_TOP);
#else
    /* Through void (*)(void): the conversion compilers accept without a
     * cast-function-type warning. */
    return (fctx_entry_fn)(void (*)(void))fn;
#endif
}

/** A function run on top of a context by fctx_ontop(). */
typedef fctx_transfer_t (*fctx_ontop_fn)(fctx_transfer_t);

/**
 * Suspend the calling context and resume `to`, handing it `data`.
 *
 * `to`'s pending fctx_jump()/fctx_ontop() (or its entry function, on first
 * resume) receives {the caller's suspended context, data}.  This call returns
 * when some context later resumes the caller's context.
 *
 * Saves and restores exactly the ABI's callee-saved state (the ABI facts are
 * in each port's asm/frame_<arch>_<abi>.h), floating-point control modes
 * included.  Floating-point state is split the way the ABIs split it:
 *
 *  - Control modes belong to each CONTEXT: rounding mode, exception masks
 *    (trap enables), flush-to-zero / denormals-are-zero, and on x86 the x87
 *    precision control.  x86: the x87 control word and MXCSR bits 6-15;
 *    AArch64: FPCR; ARM32: the FPSCR mode bits; RISC-V: frm; ppc64: the
 *    FPSCR enable and rounding fields; s390x: the FPC masks and rounding
 *    modes; MIPS: the FCSR rounding mode, enables and FS.  A context
 *    resumes with its own modes, whatever others set meanwhile.
 *  - Exception status flags belong to the THREAD and are never changed by a
 *    switch: x86 MXCSR bits 0-5 and the x87 status word, AArch64 FPSR,
 *    the FPSCR/FCSR/FPC/fflags status fields.  As <fenv.h> sees it: a flag
 *    raised in one context is set in the next one the thread runs, and
 *    feclearexcept() in any context clears it for all.
 *  - A switch writes an FP control register only when the target's modes
 *    differ from the current ones, so the common case costs no FP register
 *    write at all.
 *  - A switch never raises an FP trap by itself.  Where enabling a trap
 *    while its flag is set would fire it (x86 x87, ppc64 FPSCR), a switch
 *    that loads a context's trap enables first clears exactly the flags
 *    those newly enabled traps would fire on; MIPS loads FCSR with Cause
 *    zero.  Elsewhere (SSE, Arm, RISC-V, s390x) a flag that is already set
 *    never traps, and nothing is cleared.
 *
 * Built with FCTX_NO_FPU_CONTROL (see README, "Build options"), no FP state
 * is switched at all: all contexts of a thread share the control modes too.
 */
FCTX_API fctx_transfer_t fctx_jump(fctx_t const to, void *data);

/**
 * Prepare a new context on the stack whose highest address is `stack_top`
 * (exclusive) and whose usable size is `stack_size`.  The first fctx_jump()
 * to it calls `entry` with {resumer's context, data}, with the ABI's stack
 * alignment and a first frame that ends backtraces.
 *
 * `entry` is called as entry(transfer, stack_top): an entry declared as an
 * fctx_entry_top_fn (through fctx_entry_with_top()) receives `stack_top`;
 * one declared as an fctx_entry_fn ignores it.
 *
 * `entry` must never return: it leaves its stack by switching away for the
 * last time.  If it does return, the handler set with
 * fctx_set_entry_return_handler() is called (default: message to stderr and
 * abort()).
 *
 * FP state: the new context starts with the floating-point control modes
 * that the calling thread has now, at fctx_make() time (rounding, exception
 * masks, flush-to-zero, x87 precision; see fctx_jump()), not those current
 * when it first runs.  The exception flags it sees are the thread's at that
 * time, like every context's.  (FCTX_NO_FPU_CONTROL: the thread's modes.)
 *
 * The context uses a few words at the top of the stack; `stack_top` need not
 * be aligned.  No memory is allocated.
 */
FCTX_API fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry);

/**
 * Like fctx_jump(), but before `to` continues, run `fn` on top of `to`'s
 * stack.  `fn` receives {caller's suspended context, data}; what it returns is
 * what `to`'s pending switch returns.  Used for cancellation, unwinding and
 * scheduler hooks.  `fn` runs with `to`'s FP control modes and the thread's
 * exception flags, exactly as `to` itself would (see fctx_jump()).
 */
FCTX_API fctx_transfer_t fctx_ontop(fctx_t const to, void *data, fctx_ontop_fn fn);

/** Called when a raw context's entry function returns (it must not). */
typedef void (*fctx_entry_return_handler)(void);

/**
 * Replace the handler called when an entry function returns.  The handler
 * runs on the finished context's stack and must not return (if it does,
 * abort() is called).  Passing NULL restores the default, which prints
 * "fctx: context entry function returned" to stderr and calls abort().
 * Returns the previous handler.  Thread-safe (atomic exchange).
 */
FCTX_API fctx_entry_return_handler
fctx_set_entry_return_handler(fctx_entry_return_handler handler);

#ifdef __cplusplus
}
#endif

#endif /* FCTX_CONTEXT_H */
