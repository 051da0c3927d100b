/*
 * wasm32_emscripten.c - fctx_jump / fctx_make / fctx_ontop on Emscripten's
 * fibers (emscripten/fiber.h, which needs -sASYNCIFY at link time: the fctx
 * target passes it to consumers).  WebAssembly has no stack pointer or
 * register file a program can load: a suspended context is its call stack
 * unwound by Asyncify into a buffer, and resuming it rewinds that buffer.
 * Layout, sizes and limits: docs/abi-wasm.md.
 *
 * A context (fctx_t) is the address of a struct ctx_record.  A made context
 * keeps its record at the top of the stack it was given, its C stack below
 * that and its Asyncify buffer at the bottom.  The thread's original
 * context (main(), or whatever first calls fctx_jump) has one record per
 * thread, here.  A switch writes what the target's pending switch returns
 * into the target's record, makes the target the running record, and swaps.
 */
#include <fctx/context.h>

#include <emscripten/fiber.h>
#include <stdint.h>

#include "../internal.h"

/* Asyncify buffer of each thread's original context: what its call stack
 * below the switch unwinds into (docs/abi-wasm.md, "Sizes"). */
#define FCTX_WASM_THREAD_ASYNCIFY (64u * 1024u)
/* A made context's Asyncify buffer: 1/FCTX_WASM_ASYNCIFY_SHARE of its stack
 * below the record; the C stack gets the rest. */
#define FCTX_WASM_ASYNCIFY_SHARE 4u
/* Smallest stack fctx_make accepts below its record (else it returns NULL). */
#define FCTX_WASM_MIN_STACK 4096u

struct ctx_record {
    emscripten_fiber_t fiber;
    fctx_transfer_t in;      /* what the pending switch (or the entry) receives */
    fctx_ontop_fn ontop;     /* run on top before that, or NULL */
    fctx_entry_fn entry;     /* made contexts: the entry, untagged */
    void *stack_top;         /* made contexts: fctx_make's stack_top */
    int entry_takes_top;     /* entry is an fctx_entry_top_fn */
};

/* The record every switch saves the running context into. */
static _Thread_local struct ctx_record *running;
static _Thread_local struct ctx_record thread_record;
static _Thread_local _Alignas(16) char thread_asyncify[FCTX_WASM_THREAD_ASYNCIFY];

static struct ctx_record *running_record(void)
{
    if (FCTX_UNLIKELY(running == NULL)) {
        /* First switch on this thread: it comes from the thread's own stack. */
        emscripten_fiber_init_from_current_context(&thread_record.fiber, thread_asyncify,
                                                   sizeof thread_asyncify);
        running = &thread_record;
    }
    return running;
}

static fctx_transfer_t arrive(struct ctx_record *self)
{
    fctx_transfer_t t = self->in;
    fctx_ontop_fn fn = self->ontop;
    if (fn != NULL) {
        self->ontop = NULL;
        t = fn(t);
    }
    return t;
}

static fctx_transfer_t switch_to(fctx_t const to, void *data, fctx_ontop_fn fn)
{
    struct ctx_record *self = running_record();
    struct ctx_record *target = (struct ctx_record *)to;
    target->in.ctx = self;
    target->in.data = data;
    target->ontop = fn;
    running = target;
    emscripten_fiber_swap(&self->fiber, &target->fiber);
    /* Resumed: whoever switched here made this record the running one. */
    return arrive(self);
}

fctx_transfer_t fctx_jump(fctx_t const to, void *data)
{
    return switch_to(to, data, NULL);
}

fctx_transfer_t fctx_ontop(fctx_t const to, void *data, fctx_ontop_fn fn)
{
    return switch_to(to, data, fn);
}

/* The first frame of every made context (emscripten_fiber_init's entry). */
static void start(void *arg)
{
    struct ctx_record *self = (struct ctx_record *)arg;
    fctx_transfer_t t = arrive(self);
    if (self->entry_takes_top)
        ((fctx_entry_top_fn)(void (*)(void))self->entry)(t, self->stack_top);
    else
        self->entry(t);
    fctx_internal_entry_returned();
}

fctx_t fctx_make(void *stack_top, size_t stack_size, fctx_entry_fn entry)
{
    uintptr_t top = (uintptr_t)stack_top;
    if (entry == NULL || stack_top == NULL || stack_size > top)
        return NULL;
    uintptr_t bottom = fctx_round_up(top - stack_size, 16);
    uintptr_t rec_at = (top - sizeof(struct ctx_record)) & ~(uintptr_t)15;
    if (rec_at < bottom || rec_at - bottom < FCTX_WASM_MIN_STACK)
        return NULL;
    /* Below the record the C stack, growing down to the Asyncify buffer (a
     * quarter of the rest) at the bottom: Asyncify finds an overflow of its
     * buffer only after the unwind, so what it overwrites must be the
     * suspended context's own memory, never its record. */
    size_t rest = rec_at - bottom;
    size_t async_size = (rest / FCTX_WASM_ASYNCIFY_SHARE) & ~(size_t)15;
    uintptr_t c_stack_at = bottom + async_size;
    struct ctx_record *rec = (struct ctx_record *)rec_at;
    uintptr_t tag = (uintptr_t)entry & FCTX_WASM_ENTRY_TOP;
    rec->entry = (fctx_entry_fn)(void (*)(void))((uintptr_t)entry & ~(uintptr_t)FCTX_WASM_ENTRY_TOP);
    rec->entry_takes_top = tag != 0;
    rec->stack_top = stack_top;
    rec->ontop = NULL;
    rec->in.ctx = NULL;
    rec->in.data = NULL;
    emscripten_fiber_init(&rec->fiber, start, rec, (void *)c_stack_at, rec_at - c_stack_at,
                          (void *)bottom, async_size);
    return rec;
}
