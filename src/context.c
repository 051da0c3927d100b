/* context.c - the handler called when a raw context's entry function returns. */
#include <fctx/context.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static void default_entry_return_handler(void)
{
    fputs("fctx: context entry function returned (it must switch away instead)\n", stderr);
    abort();
}

static _Atomic(fctx_entry_return_handler) entry_return_handler = default_entry_return_handler;

fctx_entry_return_handler fctx_set_entry_return_handler(fctx_entry_return_handler handler)
{
    if (handler == NULL)
        handler = default_entry_return_handler;
    return atomic_exchange(&entry_return_handler, handler);
}

/* Called by the start stub of every context (asm/make_*) when entry returns. */
void fctx_internal_entry_returned(void)
{
    atomic_load(&entry_return_handler)();
    abort(); /* the handler must not return */
}
