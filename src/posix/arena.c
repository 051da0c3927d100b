/*
 * posix/arena.c - the arena allocator (fctx/stack_ext.h): guard-paged
 * stacks carved out of large reservations.
 *
 * A chunk is one anonymous MAP_NORESERVE mapping holding `n` slots of
 * (guard page + usable stack), back to back.  A slot's guard is installed
 * the first time the slot is handed out and stays installed for the life of
 * the chunk: with madvise(MADV_GUARD_INSTALL) the guard is a page-table
 * marker that neither splits the mapping nor goes away with MADV_DONTNEED,
 * so a chunk stays ONE entry of vm.max_map_count however many stacks it
 * holds.  With the mprotect() fallback every guard splits the chunk (two
 * map entries per stack) and mprotect()'s ENOMEM at vm.max_map_count comes
 * back to the caller as ENOMEM.
 *
 * Bookkeeping is outside the stacks (their pages are given back on
 * release): per chunk an array of free slot numbers (4 bytes per slot),
 * and a list of chunks that have free or never-used slots.
 */
#define _GNU_SOURCE 1
#include <fctx/stack_ext.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "../internal.h"

#ifndef MADV_GUARD_INSTALL
#  define MADV_GUARD_INSTALL 102 /* Linux 6.13 uapi value */
#endif
#ifndef MAP_NORESERVE
#  define MAP_NORESERVE 0
#endif
#ifndef MAP_STACK
#  define MAP_STACK 0
#endif

#define DEFAULT_CHUNK_BYTES ((size_t)64 << 20)
#define MIN_DEFAULT_SLOTS 16
#define MAX_SLOTS_PER_CHUNK ((size_t)1 << 24) /* slot numbers fit in 32 bits */

struct chunk {
    char *base;            /* the mapping */
    size_t nslots;
    size_t used;           /* slots [0, used) have been handed out at least once */
    size_t nfree;          /* entries in free_slots */
    uint32_t *free_slots;  /* released slots, reused LIFO */
    struct chunk *next;     /* all chunks */
    struct chunk *next_avail; /* chunks with a free or never-used slot */
    int in_avail;
};

struct fctx_arena {
    fctx_allocator_t self;
    size_t stack_size, slot_size, page, slots_per_chunk, max_stacks;
    int guard_method;
    pthread_mutex_t lock;
    /* guarded by lock: */
    struct chunk *chunks, *avail;
    size_t nchunks, live, carved;
};

static int new_chunk(struct fctx_arena *a)
{
    struct chunk *c = (struct chunk *)calloc(1, sizeof *c);
    if (c == NULL)
        return ENOMEM;
    c->nslots = a->slots_per_chunk;
    c->free_slots = (uint32_t *)malloc(c->nslots * sizeof(uint32_t));
    void *p = mmap(NULL, c->nslots * a->slot_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (c->free_slots == NULL || p == MAP_FAILED) {
        free(c->free_slots);
        free(c);
        return ENOMEM;
    }
#ifdef MADV_NOHUGEPAGE
    /* A stack touches its top page or two: never back it with huge pages. */
    madvise(p, c->nslots * a->slot_size, MADV_NOHUGEPAGE);
#endif
    c->base = (char *)p;
    c->next = a->chunks;
    a->chunks = c;
    c->next_avail = a->avail;
    a->avail = c;
    c->in_avail = 1;
    ++a->nchunks;
    return 0;
}

static int install_guard(struct fctx_arena *a, char *page)
{
    if (a->guard_method == FCTX_GUARD_MADVISE)
        return madvise(page, a->page, MADV_GUARD_INSTALL) == 0 ? 0 : ENOMEM;
    /* Splits the chunk: ENOMEM here means vm.max_map_count was reached. */
    return mprotect(page, a->page, PROT_NONE) == 0 ? 0 : ENOMEM;
}

static int arena_allocate(void *state, size_t size, fctx_stack_t *out)
{
    struct fctx_arena *a = (struct fctx_arena *)state;
    if (out == NULL)
        return EINVAL;
    if (size > a->stack_size)
        return E2BIG;
    int err = 0;
    pthread_mutex_lock(&a->lock);
    if (a->max_stacks != 0 && a->live >= a->max_stacks) {
        err = ENOMEM;
        goto done;
    }
    for (;;) {
        struct chunk *c = a->avail;
        if (c == NULL) {
            if ((err = new_chunk(a)) != 0)
                goto done;
            continue;
        }
        size_t slot;
        if (c->nfree > 0) {
            slot = c->free_slots[--c->nfree]; /* guard already in place */
        } else if (c->used < c->nslots) {
            slot = c->used;
            if ((err = install_guard(a, c->base + slot * a->slot_size)) != 0)
                goto done; /* slot stays unused: a later call may retry */
            ++c->used;
            ++a->carved;
        } else {
            a->avail = c->next_avail; /* full: drop from the list, retry */
            c->in_avail = 0;
            continue;
        }
        char *base = c->base + slot * a->slot_size;
        out->base = base;
        out->mapped_size = a->slot_size;
        out->sp = base + a->slot_size;
        out->size = a->stack_size;
        out->impl = c;
        ++a->live;
        break;
    }
done:
    pthread_mutex_unlock(&a->lock);
    return err;
}

static void arena_deallocate(void *state, fctx_stack_t *s)
{
    struct fctx_arena *a = (struct fctx_arena *)state;
    struct chunk *c = (struct chunk *)s->impl;
    /* Give the pages back; the guard (a marker or a PROT_NONE page) stays. */
    madvise((char *)s->sp - a->stack_size, a->stack_size, MADV_DONTNEED);
    size_t slot = (size_t)((char *)s->base - c->base) / a->slot_size;
    pthread_mutex_lock(&a->lock);
    c->free_slots[c->nfree++] = (uint32_t)slot;
    if (!c->in_avail) {
        c->next_avail = a->avail;
        a->avail = c;
        c->in_avail = 1;
    }
    --a->live;
    pthread_mutex_unlock(&a->lock);
}

int fctx_arena_create(fctx_arena_t **out, const fctx_arena_config_t *cfg)
{
    if (out == NULL)
        return EINVAL;
    *out = NULL;
    if (cfg == NULL || cfg->stacks_per_chunk > MAX_SLOTS_PER_CHUNK)
        return EINVAL;
    size_t size;
    int err = fctx_stack_round_size(cfg->stack_size, &size);
    if (err)
        return err;
    struct fctx_arena *a = (struct fctx_arena *)calloc(1, sizeof *a);
    if (a == NULL)
        return ENOMEM;
    a->page = fctx_stack_traits()->page_size;
    a->stack_size = size;
    a->slot_size = size + a->page;
    a->slots_per_chunk = cfg->stacks_per_chunk;
    if (a->slots_per_chunk == 0) {
        a->slots_per_chunk = DEFAULT_CHUNK_BYTES / a->slot_size;
        if (a->slots_per_chunk < MIN_DEFAULT_SLOTS)
            a->slots_per_chunk = MIN_DEFAULT_SLOTS;
    }
    if (a->slots_per_chunk > SIZE_MAX / a->slot_size) {
        free(a);
        return EINVAL;
    }
    a->max_stacks = cfg->max_stacks;
    a->guard_method = (int)fctx_guard_method();
    if (pthread_mutex_init(&a->lock, NULL) != 0) {
        free(a);
        return ENOMEM;
    }
    a->self.allocate = arena_allocate;
    a->self.deallocate = arena_deallocate;
    a->self.state = a;
    *out = a;
    return 0;
}

const fctx_allocator_t *fctx_arena_allocator(const fctx_arena_t *arena)
{
    return arena ? &arena->self : NULL;
}

int fctx_arena_stats(fctx_arena_t *arena, fctx_arena_stats_t *out)
{
    if (arena == NULL || out == NULL)
        return EINVAL;
    pthread_mutex_lock(&arena->lock);
    out->stack_size = arena->stack_size;
    out->slot_size = arena->slot_size;
    out->chunks = arena->nchunks;
    out->reserved = arena->nchunks * arena->slots_per_chunk * arena->slot_size;
    out->live = arena->live;
    out->carved = arena->carved;
    out->guard_method = arena->guard_method;
    pthread_mutex_unlock(&arena->lock);
    return 0;
}

int fctx_arena_destroy(fctx_arena_t *arena)
{
    if (arena == NULL)
        return EINVAL;
    pthread_mutex_lock(&arena->lock);
    size_t live = arena->live;
    pthread_mutex_unlock(&arena->lock);
    if (live != 0)
        return EBUSY;
    for (struct chunk *c = arena->chunks, *next; c != NULL; c = next) {
        next = c->next;
        munmap(c->base, c->nslots * arena->slot_size);
        free(c->free_slots);
        free(c);
    }
    pthread_mutex_destroy(&arena->lock);
    free(arena);
    return 0;
}
