/* stacks/unsupported.c - the POSIX-only parts of fctx/stack_ext.h (arenas,
 * overflow diagnosis) on other systems: every call fails with ENOTSUP, so
 * the API and the exported symbols are the same everywhere. */
#include <fctx/stack_ext.h>

#include <errno.h>

#include "../stacks_internal.h"

atomic_int fctx_internal_overflow_active; /* never set here */

int fctx_internal_overflow_add(const fctx_stack_t *s, const char *name, const void *site)
{
    (void)s;
    (void)name;
    (void)site;
    return ENOTSUP;
}

void fctx_internal_overflow_remove(const fctx_stack_t *s)
{
    (void)s;
}

int fctx_arena_create(fctx_arena_t **out, const fctx_arena_config_t *cfg)
{
    if (out == NULL)
        return EINVAL;
    *out = NULL;
    return cfg == NULL ? EINVAL : ENOTSUP;
}

const fctx_allocator_t *fctx_arena_allocator(const fctx_arena_t *arena)
{
    (void)arena;
    return NULL; /* no arena can exist */
}

int fctx_arena_stats(fctx_arena_t *arena, fctx_arena_stats_t *out)
{
    (void)arena;
    (void)out;
    return EINVAL;
}

int fctx_arena_destroy(fctx_arena_t *arena)
{
    (void)arena;
    return EINVAL;
}

int fctx_overflow_handler_install(unsigned flags)
{
    return flags != 0 ? EINVAL : ENOTSUP;
}

int fctx_overflow_thread_init(void)
{
    return ENOTSUP;
}

int fctx_overflow_enabled(void)
{
    return 0;
}

int fctx_overflow_register(const fctx_stack_t *stack, const char *name)
{
    (void)name;
    return stack == NULL ? EINVAL : ENOTSUP;
}

int fctx_overflow_unregister(const fctx_stack_t *stack)
{
    return stack == NULL ? EINVAL : ENOTSUP;
}
