/* test_wasm_context.c - what the wasm switch adds to test_context.c
 * (docs/abi-wasm.md): fctx_make's checks of the region it carves, the
 * entry-type mark of fctx_entry_with_top(), and switches from deep call
 * chains on both sides (the whole chain is unwound into the Asyncify
 * buffers and rewound). */
#include <fctx/context.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define STACK_SIZE (128u * 1024u)
#define DEPTH 200

static _Alignas(16) char stack_a[STACK_SIZE];

static void never_runs(fctx_transfer_t t)
{
    (void)t;
    abort();
}

static void test_make_checks(void)
{
    char *top = stack_a + STACK_SIZE;
    CHECK(fctx_make(NULL, STACK_SIZE, never_runs) == NULL);
    CHECK(fctx_make(top, STACK_SIZE, NULL) == NULL);
    CHECK(fctx_make(top, (size_t)(uintptr_t)top + 1, never_runs) == NULL); /* wraps below 0 */
    CHECK(fctx_make(top, 1024, never_runs) == NULL);                       /* no room */
    CHECK(fctx_make(top, STACK_SIZE, never_runs) != NULL);
    CHECK(fctx_make(top, STACK_SIZE, fctx_entry_with_top(NULL)) == NULL);
}

static void takes_top(fctx_transfer_t t, void *top)
{
    (void)t;
    (void)top;
}

static void test_entry_mark(void)
{
    fctx_entry_fn marked = fctx_entry_with_top(takes_top);
    CHECK(((uintptr_t)marked & FCTX_WASM_ENTRY_TOP) != 0);
    CHECK(((uintptr_t)takes_top & FCTX_WASM_ENTRY_TOP) == 0);
}

/* Recurse `depth` frames, switch to the other side at the bottom, and check
 * every frame's local after coming back. */
static intptr_t deep(fctx_transfer_t *t, int depth)
{
    volatile intptr_t mine = depth * 7 + 1;
    intptr_t below;
    if (depth == 0) {
        *t = fctx_jump(t->ctx, (void *)((intptr_t)t->data + 1));
        below = (intptr_t)t->data;
    } else {
        below = deep(t, depth - 1);
    }
    return mine == depth * 7 + 1 ? below : -1;
}

static void deep_entry(fctx_transfer_t t)
{
    for (;;) {
        intptr_t r = deep(&t, DEPTH);
        t = fctx_jump(t.ctx, (void *)r);
    }
}

static void test_deep_chains(void)
{
    fctx_transfer_t t = {fctx_make(stack_a + STACK_SIZE, STACK_SIZE, deep_entry), NULL};
    for (intptr_t round = 0; round < 3; ++round) {
        intptr_t d = 100 * round + 1;
        t.data = (void *)d;
        /* main's chain too: it goes into the thread's own buffer */
        intptr_t got = deep(&t, DEPTH); /* sends d + 1, gets d + 2 back */
        CHECK(got == d + 2);
        t = fctx_jump(t.ctx, (void *)(got + 1)); /* the made side returns it */
        CHECK((intptr_t)t.data == d + 3);
    }
}

int main(void)
{
    RUN(test_make_checks);
    RUN(test_entry_mark);
    RUN(test_deep_chains);
    return 0;
}
