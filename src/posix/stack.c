/*
 * posix/stack.c - stack traits and the fixed and guarded allocators on
 * POSIX systems (mmap).
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
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#  include <sys/auxv.h>
#endif

#include "../internal.h"

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

static size_t min_signal_stack(void)
{
    long v = 0;
#if defined(_SC_MINSIGSTKSZ)
    v = sysconf(_SC_MINSIGSTKSZ);
#endif
#if defined(__linux__)
    if (v <= 0)
        v = (long)getauxval(AT_MINSIGSTKSZ);
#endif
    if (v < (long)MINSIGSTKSZ)
        v = (long)MINSIGSTKSZ;
    return (size_t)v;
}

static fctx_stack_traits_t traits;
static atomic_int traits_ready; /* 0 no, 1 yes: computing twice is harmless */

const fctx_stack_traits_t *fctx_stack_traits(void)
{
    if (FCTX_LIKELY(atomic_load_explicit(&traits_ready, memory_order_acquire)))
        return &traits;
    fctx_stack_traits_t t;
    long page = sysconf(_SC_PAGESIZE);
    t.page_size = page > 0 ? (size_t)page : 4096;
    /* A fiber must at least be able to take a signal: the run-time minimum
     * signal frame plus one page for its own frames and record. */
    t.min_size = fctx_round_up(min_signal_stack(), t.page_size) + t.page_size;
    t.default_size = 128 * 1024;
    if (t.default_size < t.min_size)
        t.default_size = t.min_size;
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        t.max_size = (size_t)rl.rlim_cur;
    else
        t.max_size = (size_t)1 << 30;
    t.max_size &= ~(t.page_size - 1);
    if (t.max_size < t.default_size)
        t.max_size = t.default_size;
    traits = t;
    atomic_store_explicit(&traits_ready, 1, memory_order_release);
    return &traits;
}

static void *map_stack(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* ---- fixed: no guard ---------------------------------------------------- */

static int fixed_allocate(void *state, size_t size, fctx_stack_t *out)
{
    (void)state;
    size_t usable;
    int err = fctx_stack_round_size(size, &usable);
    if (err)
        return err;
    if (out == NULL)
        return EINVAL;
    void *p = map_stack(usable);
    if (p == NULL)
        return ENOMEM;
    fctx_stack_describe(out, p, usable, usable);
    return 0;
}

static void unmap_stack(void *state, fctx_stack_t *s)
{
    (void)state;
    munmap(s->base, s->mapped_size);
}

static const fctx_allocator_t fixed = {fixed_allocate, unmap_stack, NULL};

const fctx_allocator_t *fctx_fixed_allocator(void)
{
    return &fixed;
}

/* ---- guarded: one no-access page below the stack ------------------------ */

static atomic_int guard_method; /* 0 unknown, else fctx_guard_method_t */

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

/* Decide once: madvise guards if the kernel has them *and* they work (an
 * emulator such as qemu-user accepts unknown advice and ignores it). */
static int probe_guard_method(void)
{
    size_t page = fctx_stack_traits()->page_size;
    int m = FCTX_GUARD_MPROTECT;
    const char *force = getenv("FCTX_GUARD_METHOD"); /* documented override */
    void *p = force && strcmp(force, "mprotect") == 0 ? MAP_FAILED : mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
        if (madvise(p, page, MADV_GUARD_INSTALL) == 0 && page_is_inaccessible(p))
            m = FCTX_GUARD_MADVISE;
        munmap(p, 2 * page);
    }
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

static int install_guard(void *page, size_t len)
{
    if (fctx_guard_method() == FCTX_GUARD_MADVISE)
        return madvise(page, len, MADV_GUARD_INSTALL) == 0 ? 0 : ENOMEM;
    /* mprotect splits the mapping: ENOMEM here usually means vm.max_map_count. */
    return mprotect(page, len, PROT_NONE) == 0 ? 0 : ENOMEM;
}

static int guarded_allocate(void *state, size_t size, fctx_stack_t *out)
{
    (void)state;
    size_t usable;
    int err = fctx_stack_round_size(size, &usable);
    if (err)
        return err;
    if (out == NULL)
        return EINVAL;
    size_t page = fctx_stack_traits()->page_size;
    size_t len = usable + page;
    void *p = map_stack(len);
    if (p == NULL)
        return ENOMEM;
    err = install_guard(p, page);
    if (err) {
        munmap(p, len);
        return err;
    }
    fctx_stack_describe(out, p, len, usable);
    return 0;
}

static const fctx_allocator_t guarded = {guarded_allocate, unmap_stack, NULL};

const fctx_allocator_t *fctx_guarded_allocator(void)
{
    return &guarded;
}
