/*
 * stack_usage.c - how much of a stack was used (fctx/stack_ext.h):
 * painting with a pattern and scanning for the lowest overwritten word, or
 * asking the kernel which pages are resident (mincore).
 */
#if !defined(_WIN32)
#  define _DEFAULT_SOURCE 1 /* mincore */
#endif
#include <fctx/stack_ext.h>

#include <errno.h>
#include <stdint.h>

#include "../hooks.h"
#include "../internal.h"
#include "../stacks_internal.h"

#if !defined(_WIN32)
#  include <sys/mman.h>
#endif
#if FCTX_VALGRIND
#  include <valgrind/memcheck.h>
#  include <valgrind/valgrind.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
/* The area below a suspended stack's pointer holds dead frames that ASan
 * may have poisoned: reading them is the point here. */
#  define NO_ASAN __attribute__((no_sanitize_address))
#else
#  define NO_ASAN
#endif

/* Not a plausible pointer, small integer or float, on any target. */
#define PAINT_WORD ((uint32_t)0xFC7A57ACu)

static int valid(const fctx_stack_t *s)
{
    return s != NULL && s->sp != NULL && s->size != 0 && s->size <= (uintptr_t)s->sp;
}

NO_ASAN int fctx_stack_paint(const fctx_stack_t *stack)
{
    if (!valid(stack))
        return EINVAL;
    uintptr_t hi = (uintptr_t)stack->sp & ~(uintptr_t)3;
    volatile uint32_t *w = (volatile uint32_t *)(((uintptr_t)stack->sp - stack->size + 3) & ~(uintptr_t)3);
#if FCTX_VALGRIND
    /* A reused stack's dead area is "no access" to memcheck (a finished
     * fiber's frames); painting makes the whole stack fresh memory again. */
    VALGRIND_MAKE_MEM_UNDEFINED((char *)stack->sp - stack->size, stack->size);
#endif
    while ((uintptr_t)w < hi)
        *w++ = PAINT_WORD;
    return 0;
}

NO_ASAN static size_t pattern_usage(const fctx_stack_t *s)
{
    uintptr_t hi = (uintptr_t)s->sp & ~(uintptr_t)3;
    const volatile uint32_t *w =
        (const volatile uint32_t *)(((uintptr_t)s->sp - s->size + 3) & ~(uintptr_t)3);
#if FCTX_VALGRIND
    /* Dead frames below a suspended stack pointer are "undefined" to
     * memcheck; comparing them is exactly what we want here. */
    VALGRIND_DISABLE_ERROR_REPORTING;
#endif
    while ((uintptr_t)w < hi && *w == PAINT_WORD)
        ++w;
#if FCTX_VALGRIND
    VALGRIND_ENABLE_ERROR_REPORTING;
#endif
    return (uintptr_t)s->sp - (uintptr_t)w;
}

#if !defined(_WIN32) && !defined(__EMSCRIPTEN__)
static int resident_usage(const fctx_stack_t *s, size_t *used)
{
    size_t page = fctx_stack_traits()->page_size;
    uintptr_t lo = ((uintptr_t)s->sp - s->size) & ~(uintptr_t)(page - 1);
    uintptr_t hi = (uintptr_t)s->sp;
    unsigned char vec[256];
    for (uintptr_t at = lo; at < hi;) {
        size_t pages = (hi - at + page - 1) / page;
        if (pages > sizeof vec)
            pages = sizeof vec;
        if (mincore((void *)at, pages * page, vec) != 0)
            return ENOMEM;
        for (size_t i = 0; i < pages; ++i) {
            if (vec[i] & 1) { /* lowest populated page: usage reaches it */
                uintptr_t first = at + i * page;
                uintptr_t bottom = (uintptr_t)s->sp - s->size;
                *used = (size_t)(hi - (first > bottom ? first : bottom));
                return 0;
            }
        }
        at += pages * page;
    }
    *used = 0;
    return 0;
}
#endif

int fctx_stack_usage(const fctx_stack_t *stack, fctx_usage_method_t method, size_t *used)
{
    if (!valid(stack) || used == NULL)
        return EINVAL;
    switch (method) {
    case FCTX_USAGE_PATTERN:
        *used = pattern_usage(stack);
        return 0;
    case FCTX_USAGE_RESIDENT:
#if defined(_WIN32) || defined(__EMSCRIPTEN__)
        return ENOTSUP; /* no page residency to ask (wasm: linear memory) */
#else
        return resident_usage(stack, used);
#endif
    }
    return EINVAL;
}
