/*
 * stacks/arena.c - the arena (POSIX) allocator (fctx/stack_ext.h): guard-paged
 * stacks carved out of large reservations.
 *
 * A chunk is one anonymous MAP_NORESERVE mapping:
 *
 *   [guard][stack 0][guard][stack 1] ... [guard][stack n-1][guard][table][top guard]
 *
 * Each slot is (guard_pages pages of guard + usable stack).  A slot's guard
 * is installed the first time the slot is handed out and stays installed
 * for the life of the chunk: with madvise(MADV_GUARD_INSTALL) the guard is
 * a page-table marker that neither splits the mapping nor goes away with
 * MADV_DONTNEED.  With the mprotect() fallback every guard splits the chunk
 * (two map entries per stack) and mprotect()'s ENOMEM at vm.max_map_count
 * comes back to the caller as ENOMEM.
 *
 * The chunk's bookkeeping (the table: released slot numbers, 4 bytes per
 * slot, and one "handed out" bit per slot) lives inside the chunk, between
 * a guard above the top stack and the top guard: it is never adjacent to a
 * stack, so a frame that jumps a stack's guard cannot land in it.  The top
 * guard is always an mprotect(PROT_NONE) page range: the chunk is then at
 * least two mappings, and no single mapping can cover both of its ends, so
 * munmap() of the whole chunk never has to split a mapping in the middle
 * (the only case where munmap needs a free entry of vm.max_map_count and
 * fails with ENOMEM at the limit).
 */
#define _GNU_SOURCE 1
#include <fctx/stack_ext.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../internal.h"
#include "os.h"

#define DEFAULT_CHUNK_BYTES ((size_t)64 << 20)
#define MIN_DEFAULT_SLOTS 16
#define MAX_SLOTS_PER_CHUNK ((size_t)1 << 24) /* slot numbers fit in 32 bits */
#define MIN_TOP_GUARD ((size_t)64 << 10) /* address space only: PROT_NONE */

struct chunk {
    char *base;            /* the mapping (slot 0 starts here) */
    size_t nslots;
    size_t used;           /* slots [0, used) have been handed out at least once */
    size_t nfree;          /* entries in free_slots */
    uint32_t *free_slots;  /* released slots, reused LIFO (in the chunk's table) */
    unsigned char *live;   /* one bit per slot: handed out (in the chunk's table) */
    struct chunk *next;     /* all chunks */
    struct chunk *next_avail; /* chunks with a free or never-used slot */
    int in_avail;
};

struct fctx_arena {
    fctx_allocator_t self;
    size_t stack_size, guard_size, slot_size, page, slots_per_chunk, max_stacks;
    size_t table_size, top_guard, chunk_size; /* bytes of a chunk's table, top guard, all */
    int guard_method;
    pthread_mutex_t lock;
    /* guarded by lock: */
    struct chunk *chunks, *avail;
    size_t nchunks, live, carved;
};

/* With mprotect every guard splits the chunk: ENOMEM at vm.max_map_count. */
static int install_guard(const struct fctx_arena *a, char *at, size_t len)
{
    return fctx_internal_install_guard(at, len, a->guard_method);
}

static int new_chunk(struct fctx_arena *a)
{
    struct chunk *c = (struct chunk *)calloc(1, sizeof *c);
    if (c == NULL)
        return ENOMEM;
    /* No allocation after the mmap: every failure below unmaps it. */
    void *p = fctx_os_map_stack(a->chunk_size);
    if (p == NULL) {
        free(c);
        return ENOMEM;
    }
    c->base = (char *)p;
    c->nslots = a->slots_per_chunk;
    char *guard_below_table = c->base + c->nslots * a->slot_size;
    char *table = guard_below_table + a->guard_size;
    char *top_guard = table + a->table_size;
    /* The top guard first, with mprotect whatever the guard method: the
     * chunk's first split.  At vm.max_map_count it fails (ENOMEM) and the
     * chunk is still one mapping, which munmap removes without a split. */
    if (mprotect(top_guard, a->top_guard, PROT_NONE) != 0 ||
        install_guard(a, guard_below_table, a->guard_size) != 0) {
        munmap(p, a->chunk_size);
        free(c);
        return ENOMEM;
    }
#ifdef MADV_NOHUGEPAGE
    /* A stack touches its top page or two: never back it with huge pages. */
    madvise(p, a->chunk_size - a->top_guard, MADV_NOHUGEPAGE);
#endif
    c->free_slots = (uint32_t *)(void *)table;
    c->live = (unsigned char *)(table + c->nslots * sizeof(uint32_t));
    c->next = a->chunks;
    a->chunks = c;
    c->next_avail = a->avail;
    a->avail = c;
    c->in_avail = 1;
    ++a->nchunks;
    return 0;
}

/* Double or foreign releases end here: the allocator interface's
 * deallocate() cannot return an error, and going on would corrupt the
 * arena (a slot handed out twice). */
FCTX_NORETURN static void arena_misuse(const char *what)
{
    static const char head[] = "fctx: arena: ";
    static const char tail[] = "\n";
    ssize_t r = write(2, head, sizeof head - 1);
    r = write(2, what, strlen(what));
    r = write(2, tail, sizeof tail - 1);
    (void)r;
    abort();
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
            if ((err = install_guard(a, c->base + slot * a->slot_size, a->guard_size)) != 0)
                goto done; /* slot stays unused: a later call may retry */
            ++c->used;
            ++a->carved;
        } else {
            a->avail = c->next_avail; /* full: drop from the list, retry */
            c->in_avail = 0;
            continue;
        }
        c->live[slot / 8] |= (unsigned char)(1u << (slot % 8));
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

/* The chunk whose slots hold `p` (NULL if none); under the lock. */
static struct chunk *chunk_of(struct fctx_arena *a, const char *p)
{
    for (struct chunk *c = a->chunks; c != NULL; c = c->next)
        if (p >= c->base && p < c->base + c->nslots * a->slot_size)
            return c;
    return NULL;
}

static void arena_deallocate(void *state, fctx_stack_t *s)
{
    struct fctx_arena *a = (struct fctx_arena *)state;
    const char *base = (const char *)s->base;
    /* Check before touching anything: a stack released twice may be in use
     * by another fiber by now, and its pages must not be dropped. */
    pthread_mutex_lock(&a->lock);
    struct chunk *c = chunk_of(a, base);
    size_t off = c ? (size_t)(base - c->base) : 0;
    size_t slot = off / a->slot_size;
    if (c == NULL || off % a->slot_size != 0 || (const char *)s->sp != base + a->slot_size ||
        s->size != a->stack_size) {
        pthread_mutex_unlock(&a->lock);
        arena_misuse("released a stack that this arena did not hand out");
    }
    unsigned char bit = (unsigned char)(1u << (slot % 8));
    if (!(c->live[slot / 8] & bit)) {
        pthread_mutex_unlock(&a->lock);
        arena_misuse("released a stack twice (it was not handed out)");
    }
    c->live[slot / 8] &= (unsigned char)~bit; /* nobody gets the slot until it is listed */
    pthread_mutex_unlock(&a->lock);
    /* Give the pages back; the guard (a marker or a PROT_NONE page) stays. */
    madvise((char *)s->sp - a->stack_size, a->stack_size, MADV_DONTNEED);
    pthread_mutex_lock(&a->lock);
    c->free_slots[c->nfree++] = (uint32_t)slot; /* nfree < nslots: the bit was set */
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
    size_t page = fctx_stack_traits()->page_size;
    /* Guards of at most max_size bytes, like fctx_guarded_allocator_ex(). */
    if (cfg == NULL || cfg->stacks_per_chunk > MAX_SLOTS_PER_CHUNK ||
        cfg->guard_pages > fctx_stack_traits()->max_size / page)
        return EINVAL;
    size_t size;
    int err = fctx_stack_round_size(cfg->stack_size, &size);
    if (err)
        return err;
    struct fctx_arena *a = (struct fctx_arena *)calloc(1, sizeof *a);
    if (a == NULL)
        return ENOMEM;
    a->page = page;
    a->stack_size = size;
    a->guard_size = (cfg->guard_pages ? cfg->guard_pages : 1) * a->page;
    a->slot_size = size + a->guard_size;
    a->slots_per_chunk = cfg->stacks_per_chunk;
    if (a->slots_per_chunk == 0) {
        a->slots_per_chunk = DEFAULT_CHUNK_BYTES / a->slot_size;
        if (a->slots_per_chunk < MIN_DEFAULT_SLOTS)
            a->slots_per_chunk = MIN_DEFAULT_SLOTS;
    }
    /* The table: the free-slot array, then the bitmap. */
    size_t n = a->slots_per_chunk;
    a->table_size = fctx_round_up(n * sizeof(uint32_t) + (n + 7) / 8, a->page);
    a->top_guard = fctx_round_up(MIN_TOP_GUARD, a->page);
    if (a->top_guard < a->guard_size)
        a->top_guard = a->guard_size;
    size_t fixed = a->guard_size + a->table_size + a->top_guard;
    if (n > (SIZE_MAX - fixed) / a->slot_size) {
        free(a);
        return EINVAL;
    }
    a->chunk_size = n * a->slot_size + fixed;
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
    out->reserved = arena->nchunks * arena->chunk_size;
    out->live = arena->live;
    out->carved = arena->carved;
    out->guard_method = arena->guard_method;
    out->guard_size = arena->guard_size;
    pthread_mutex_unlock(&arena->lock);
    return 0;
}

int fctx_arena_destroy(fctx_arena_t *arena)
{
    if (arena == NULL)
        return EINVAL;
    pthread_mutex_lock(&arena->lock);
    if (arena->live != 0) {
        pthread_mutex_unlock(&arena->lock);
        return EBUSY;
    }
    /* A chunk never shares one mapping with both of its neighbours (its top
     * guard is a mapping of its own), so munmap() needs no free map entry.
     * Should it fail anyway, the chunks not yet unmapped stay in the arena,
     * which stays valid: the call returns ENOMEM and may be repeated. */
    while (arena->chunks != NULL) {
        struct chunk *c = arena->chunks;
        if (munmap(c->base, arena->chunk_size) != 0) {
            arena->avail = NULL; /* it may name unmapped chunks: rebuild it */
            for (struct chunk *k = arena->chunks; k != NULL; k = k->next) {
                k->next_avail = arena->avail;
                arena->avail = k;
                k->in_avail = 1;
            }
            pthread_mutex_unlock(&arena->lock);
            return ENOMEM;
        }
        arena->chunks = c->next;
        --arena->nchunks;
        free(c);
    }
    pthread_mutex_unlock(&arena->lock);
    pthread_mutex_destroy(&arena->lock);
    free(arena);
    return 0;
}
