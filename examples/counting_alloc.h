/*
 * counting_alloc.h - a stack allocator that wraps another one and counts
 * what is live, so an example can prove that every fiber it started gave
 * its stack back (finished or canceled).  Single-threaded use.
 *
 * Built with FCTX_EXAMPLES_VALGRIND (CMake defines it when valgrind's
 * header exists but the library was built without it, so does not register
 * its fiber stacks itself),
 * it also registers each stack with valgrind, as any user allocator can:
 * memcheck then recognises switches between fiber stacks as such, instead
 * of taking them for huge stack frames.  Client requests cost nothing when
 * not running under valgrind.
 */
#ifndef FCTX_EXAMPLES_COUNTING_ALLOC_H
#define FCTX_EXAMPLES_COUNTING_ALLOC_H

#include <fctx/stack.h>
#include <stddef.h>

#if defined(FCTX_EXAMPLES_VALGRIND)
#  include <stdlib.h>
#  include <valgrind/valgrind.h>
struct counting_vg_stack { /* valgrind's id for each live stack */
    struct counting_vg_stack *next;
    void *sp;
    unsigned id;
};
#endif

typedef struct counting_alloc {
    const fctx_allocator_t *inner;
    long live;        /* stacks handed out and not yet given back */
    long total;       /* stacks ever handed out */
    long peak;        /* highest `live` seen */
    size_t mapped;    /* bytes of the live stacks' mappings (guard pages included) */
    fctx_allocator_t alloc; /* pass &c.alloc to fctx */
#if defined(FCTX_EXAMPLES_VALGRIND)
    struct counting_vg_stack *vg;
#endif
} counting_alloc_t;

static int counting_allocate(void *state, size_t size, fctx_stack_t *out)
{
    counting_alloc_t *c = (counting_alloc_t *)state;
    int err = c->inner->allocate(c->inner->state, size, out);
    if (err == 0) {
        c->live++;
        c->total++;
        c->mapped += out->mapped_size;
        if (c->live > c->peak)
            c->peak = c->live;
#if defined(FCTX_EXAMPLES_VALGRIND)
        struct counting_vg_stack *v = (struct counting_vg_stack *)malloc(sizeof *v);
        if (v != NULL) {
            v->sp = out->sp;
            v->id = VALGRIND_STACK_REGISTER((char *)out->sp - out->size, out->sp);
            v->next = c->vg;
            c->vg = v;
        }
#endif
    }
    return err;
}

static void counting_deallocate(void *state, fctx_stack_t *stack)
{
    counting_alloc_t *c = (counting_alloc_t *)state;
    c->live--;
    c->mapped -= stack->mapped_size;
#if defined(FCTX_EXAMPLES_VALGRIND)
    for (struct counting_vg_stack **p = &c->vg; *p != NULL; p = &(*p)->next) {
        if ((*p)->sp == stack->sp) {
            struct counting_vg_stack *v = *p;
            VALGRIND_STACK_DEREGISTER(v->id);
            *p = v->next;
            free(v);
            break;
        }
    }
#endif
    c->inner->deallocate(c->inner->state, stack);
}

/* Set *c up around `inner` (NULL: the guarded allocator). */
static void counting_alloc_init(counting_alloc_t *c, const fctx_allocator_t *inner)
{
    c->inner = inner != NULL ? inner : fctx_guarded_allocator();
    c->live = c->total = c->peak = 0;
    c->mapped = 0;
    c->alloc.allocate = counting_allocate;
    c->alloc.deallocate = counting_deallocate;
    c->alloc.state = c;
#if defined(FCTX_EXAMPLES_VALGRIND)
    c->vg = NULL;
#endif
}

#endif /* FCTX_EXAMPLES_COUNTING_ALLOC_H */
