/*
 * stacks/posix.c - the POSIX layer of the stack code (os.h): limits,
 * mapping, release and guard pages (mmap).
 *
 * Guard pages: madvise(MADV_GUARD_INSTALL) (Linux 6.13+) marks the lowest
 * page of the mapping as a guard region without splitting the mapping, so
 * a guarded stack costs one entry of vm.max_map_count.  On older kernels
 * madvise fails with EINVAL and we fall back, once and for all, to
 * mprotect(PROT_NONE), which splits the mapping in two.  The environment
 * variable FCTX_GUARD_METHOD=mprotect forces the fallback (for testing).
 */
#define _GNU_SOURCE 1
#include <fctx/stack.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#  include <sys/auxv.h>
#endif

#include "../internal.h"
#include "os.h"

#ifndef MADV_GUARD_INSTALL
#  define MADV_GUARD_INSTALL 102 /* Linux 6.13 uapi value */
#endif
#ifndef MAP_STACK
#  define MAP_STACK 0
#endif
#ifndef MAP_NORESERVE
#  define MAP_NORESERVE 0
#endif
#ifndef AT_MINSIGSTKSZ
#  define AT_MINSIGSTKSZ 51
#endif

/* The run-time minimum signal frame: what the kernel needs to deliver a
 * signal on a stack.  Not MINSIGSTKSZ: under _GNU_SOURCE glibc (2.34+)
 * defines it as sysconf(_SC_SIGSTKSZ), the *recommended* size (4 times the
 * minimum).  The compile-time constant is only the fallback for systems
 * that report neither value. */
size_t fctx_internal_min_signal_stack(void)
{
    long v = 0;
#if defined(_SC_MINSIGSTKSZ)
    v = sysconf(_SC_MINSIGSTKSZ);
#endif
#if defined(__linux__)
    long aux = (long)getauxval(AT_MINSIGSTKSZ);
    if (aux > v)
        v = aux;
#endif
    if (v <= 0)
        v = (long)MINSIGSTKSZ;
    return (size_t)v;
}

void fctx_os_stack_limits(size_t *page_size, size_t *min_size, size_t *max_size)
{
    long page = sysconf(_SC_PAGESIZE);
    *page_size = page > 0 ? (size_t)page : 4096;
    /* A fiber must at least be able to take a signal: the run-time minimum
     * signal frame plus what fctx keeps on a fiber stack (its record and
     * first frames) and a small handler's frames, in whole pages. */
    *min_size = fctx_round_up(fctx_internal_min_signal_stack() + FCTX_STACK_RESERVE, *page_size);
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur <= (rlim_t)(SIZE_MAX / 2))
        *max_size = (size_t)rl.rlim_cur;
    else
        *max_size = (size_t)1 << 30;
}

static pthread_once_t traits_once = PTHREAD_ONCE_INIT;

void fctx_os_traits_once(void (*compute)(void))
{
    pthread_once(&traits_once, compute);
}

void *fctx_os_map_stack(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* ---- release: never leak a stack ---------------------------------------
 *
 * munmap() fails with ENOMEM when removing the range would split a mapping
 * while the process is at vm.max_map_count.  That happens when the kernel
 * merged adjacent stacks (fixed stacks, and guarded stacks with madvise
 * guards, are one mapping each, so neighbours merge) and the stack released
 * lies strictly inside the merged mapping.  Such a range is kept instead of
 * lost: its pages are returned at once (MADV_DONTNEED, all but the top page,
 * which holds a list node), and it is unmapped as soon as the kernel lets us:
 * together with an adjacent stack released later (the union is unmapped in
 * one call: once it reaches an end of the merged mapping no split is needed),
 * or when a stack next to it is unmapped (it then ends at the hole), or
 * retried, one range per later successful release.  The list is in
 * address order, searched from the last position used.
 */
struct deferred {
    struct deferred *prev, *next; /* address order */
    char *base;                   /* the range is [base, (char *)node + page) */
};

static pthread_mutex_t deferred_lock = PTHREAD_MUTEX_INITIALIZER;
static struct deferred *deferred_head;
static struct deferred *deferred_hint; /* last node used, or NULL */
static atomic_size_t deferred_count;   /* ranges kept (relaxed: a hint) */

static char *deferred_top(const struct deferred *d, size_t page)
{
    return (char *)d + page;
}

/* Nodes between prev and next (n of them) are gone: link prev to next. */
static void deferred_splice(struct deferred *prev, struct deferred *next, size_t n)
{
    if (prev)
        prev->next = next;
    else
        deferred_head = next;
    if (next)
        next->prev = prev;
    deferred_hint = prev ? prev : next;
    atomic_fetch_sub_explicit(&deferred_count, n, memory_order_relaxed);
}

static void deferred_unlink(struct deferred *d)
{
    deferred_splice(d->prev, d->next, 1);
}

/* The last node whose range starts below `addr`, or NULL. */
static struct deferred *deferred_before(const char *addr)
{
    struct deferred *d = deferred_hint ? deferred_hint : deferred_head;
    if (d == NULL)
        return NULL;
    while (d && d->base >= addr)
        d = d->prev;
    if (d == NULL)
        return NULL;
    while (d->next && d->next->base < addr)
        d = d->next;
    return d;
}

static void return_pages(char *p, size_t len)
{
    if (len)
        (void)madvise(p, len, MADV_DONTNEED);
}

/* Called with deferred_lock held: [base, base + len) could not be unmapped. */
static void defer_range(char *base, size_t len, size_t page)
{
    char *end = base + len;
    struct deferred *lo = deferred_before(base);
    struct deferred *hi = lo ? lo->next : deferred_head;
    if (lo && deferred_top(lo, page) != base)
        lo = NULL; /* not adjacent */
    if (hi && hi->base != end)
        hi = NULL;
    char *ubase = lo ? lo->base : base;
    char *uend = hi ? deferred_top(hi, page) : end;
    if (lo || hi) {
        /* The nodes go with the range: read their links first. */
        struct deferred *prev = lo ? lo->prev : hi->prev;
        struct deferred *next = hi ? hi->next : lo->next;
        if (munmap(ubase, (size_t)(uend - ubase)) == 0) {
            deferred_splice(prev, next, (lo != NULL) + (hi != NULL));
            return;
        }
    }
    if (hi) { /* the upper neighbour's node stays the node of the union */
        hi->base = ubase;
        return_pages(base, len);
        if (lo) {
            deferred_unlink(lo);
            return_pages((char *)lo, page);
        }
        deferred_hint = hi;
        return;
    }
    struct deferred *d = (struct deferred *)(end - page);
    return_pages(base, len - page);
    d->base = ubase;
    if (lo) { /* take the lower neighbour's place in the list */
        d->prev = lo->prev;
        d->next = lo->next;
        if (d->prev)
            d->prev->next = d;
        else
            deferred_head = d;
        if (d->next)
            d->next->prev = d;
        return_pages((char *)lo, page);
    } else {
        struct deferred *before = deferred_before(base);
        d->prev = before;
        d->next = before ? before->next : deferred_head;
        if (d->next)
            d->next->prev = d;
        if (before)
            before->next = d;
        else
            deferred_head = d;
        atomic_fetch_add_explicit(&deferred_count, 1, memory_order_relaxed);
    }
    deferred_hint = d;
}

/* Called with deferred_lock held: try to unmap kept range `d`; 1 if done. */
static int deferred_try(struct deferred *d, size_t page)
{
    struct deferred *prev = d->prev, *next = d->next; /* the node goes with the range */
    if (munmap(d->base, (size_t)(deferred_top(d, page) - d->base)) != 0)
        return 0;
    deferred_splice(prev, next, 1);
    return 1;
}

/* [base, base + len) was just unmapped: try to unmap kept ranges bordering
 * it (they now end at the hole, so unmapping them needs no split), then one
 * more kept range (the map count may have dropped). */
static void retry_deferred(char *base, size_t len, size_t page)
{
    pthread_mutex_lock(&deferred_lock);
    struct deferred *lo = deferred_before(base);
    struct deferred *hi = lo ? lo->next : deferred_head;
    if (lo && deferred_top(lo, page) == base)
        (void)deferred_try(lo, page);
    if (hi && hi->base == base + len)
        (void)deferred_try(hi, page);
    struct deferred *d = deferred_hint ? deferred_hint : deferred_head;
    if (d) {
        /* next time another one: move the hint along */
        deferred_hint = d->next ? d->next : deferred_head;
        (void)deferred_try(d, page);
    }
    pthread_mutex_unlock(&deferred_lock);
}

static void release_range(void *base, size_t len)
{
    size_t page = fctx_stack_traits()->page_size;
    if (munmap(base, len) == 0) {
        if (FCTX_UNLIKELY(atomic_load_explicit(&deferred_count, memory_order_relaxed) != 0))
            retry_deferred((char *)base, len, page);
        return;
    }
    if (errno != ENOMEM || len < page)
        return; /* EINVAL: not a range we mapped; nothing to release */
    pthread_mutex_lock(&deferred_lock);
    /* Retry under the lock: another thread may have made room meanwhile. */
    if (munmap(base, len) != 0)
        defer_range((char *)base, len, page);
    pthread_mutex_unlock(&deferred_lock);
}

void fctx_os_unmap_stack(void *base, size_t mapped)
{
    release_range(base, mapped);
}

/* ---- guard pages ---------------------------------------------------------- */

static atomic_int guard_method; /* 0 unknown, else fctx_guard_method_t */

#if !defined(__EMSCRIPTEN__)
/* Does `page` fault on access?  Asks the kernel instead of touching it:
 * write() from an inaccessible address fails with EFAULT. */
static int page_is_inaccessible(const void *page)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 0;
    ssize_t n = write(fds[1], page, 1);
    int fault = n < 0 && errno == EFAULT;
    close(fds[0]);
    close(fds[1]);
    return fault;
}
#endif

/* Decide once: madvise guards if the kernel has them *and* they work (an
 * emulator such as qemu-user accepts unknown advice and ignores it). */
static int probe_guard_method(void)
{
#if defined(__EMSCRIPTEN__)
    /* WebAssembly linear memory has no page protection: Emscripten's
     * mprotect() succeeds and changes nothing (docs/abi-wasm.md). */
    int m = FCTX_GUARD_NONE;
#else
    size_t page = fctx_stack_traits()->page_size;
    int m = FCTX_GUARD_MPROTECT;
    const char *force = getenv("FCTX_GUARD_METHOD"); /* documented override */
    void *p = force && strcmp(force, "mprotect") == 0 ? MAP_FAILED : mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
        if (madvise(p, page, MADV_GUARD_INSTALL) == 0 && page_is_inaccessible(p))
            m = FCTX_GUARD_MADVISE;
        munmap(p, 2 * page);
    }
#endif
    int expected = 0;
    atomic_compare_exchange_strong(&guard_method, &expected, m);
    return atomic_load(&guard_method);
}

fctx_guard_method_t fctx_guard_method(void)
{
    int m = atomic_load_explicit(&guard_method, memory_order_relaxed);
    if (FCTX_UNLIKELY(m == 0))
        m = probe_guard_method();
    return (fctx_guard_method_t)m;
}

int fctx_internal_install_guard(void *p, size_t len, int method)
{
    if (method == FCTX_GUARD_NONE)
        return 0; /* nothing can protect the region: it stays reserved */
    if (method == FCTX_GUARD_MADVISE)
        return madvise(p, len, MADV_GUARD_INSTALL) == 0 ? 0 : ENOMEM;
    /* mprotect splits the mapping: ENOMEM here usually means vm.max_map_count. */
    return mprotect(p, len, PROT_NONE) == 0 ? 0 : ENOMEM;
}

/* One guard region of `guard` bytes at the bottom of the mapping. */
void *fctx_os_map_guarded(size_t guard, size_t usable, size_t *mapped)
{
    size_t len = usable + guard;
    void *p = fctx_os_map_stack(len);
    if (p == NULL)
        return NULL;
    if (fctx_internal_install_guard(p, guard, (int)fctx_guard_method()) != 0) {
        release_range(p, len);
        return NULL;
    }
    *mapped = len;
    return p;
}
