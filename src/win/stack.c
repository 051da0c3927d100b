/*
 * win/stack.c - stack traits and the fixed and guarded allocators on
 * Windows (VirtualAlloc).
 *
 * Both allocators commit the whole usable stack up front (MEM_RESERVE +
 * MEM_COMMIT, PAGE_READWRITE): a context's TEB StackLimit then names the
 * bottom of committed memory, as the OS expects, and nothing has to grow.
 *
 * Guarded stacks are laid out like a Windows thread stack that has grown
 * to its full size:
 *
 *   base                  N guard pages (FCTX_GUARD_PAGES_DEFAULT = 1, or
 *                         fctx_guarded_allocator_ex()) reserved, never
 *                         committed: any access faults
 *                         (STATUS_ACCESS_VIOLATION), for good
 *   base + N pages        spare page, read/write: room for the OS to write
 *                         the exception record (see below)
 *   base + N + 1 pages    guard page, PAGE_READWRITE | PAGE_GUARD: the
 *                         tripwire (compilers probe frames larger than a
 *                         page, so nothing skips it)
 *   base + N + 2 pages    the usable stack (= sp - size), read/write
 *   sp
 *
 * The fiber layer sets the context's TEB DeallocationStack to `base`
 * (fctx_internal_set_stack_allocation), StackLimit being the usable bottom.
 * A fiber running into the guard page then gets what a thread gets: the OS
 * sees a guard-page fault inside the current stack with no room left to
 * grow, and raises STATUS_STACK_OVERFLOW, writing the exception record
 * into the guard and spare pages; unhandled, it ends the process with that
 * status.  (Wine does the same and needs these two pages to dispatch it:
 * a CONTEXT record with extended state can exceed one page.)  With a bare
 * PAGE_NOACCESS page right below the stack the record would have to go
 * into the inaccessible page: the process dies without any exception (Wine
 * crashes outright).  The reserved lowest page stays the hard limit: a
 * handler that overflows the spare page too dies there.
 * Contexts made with fctx_make() directly on such a stack keep
 * DeallocationStack = the usable bottom: the fault is then a plain
 * STATUS_GUARD_PAGE_VIOLATION, still fatal and still delivered (the record
 * fits in the guard and spare pages).  PAGE_GUARD is one-shot: should a
 * vectored handler let such a fiber go on, a second overflow runs through
 * the spare page and dies on the reserved one.
 *
 * fctx_guard_method() reports FCTX_GUARD_MPROTECT: the VirtualAlloc
 * counterpart of mprotect(PROT_NONE).  There is no per-stack mapping limit
 * like Linux's vm.max_map_count: a reservation with pages in several states
 * is still one region of the address space.
 */
#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN 1
#endif
#include <windows.h>

#include <fctx/stack.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../internal.h"

/* Pages between the reserved lowest page and the usable stack: the spare
 * page and the guard page (see above). */
#define FCTX_WIN_GUARD_PAGES 2

/* x64 CONTEXT flag for the extended (AVX...) state; older SDK/MinGW
 * headers do not define it for AMD64. */
#ifndef CONTEXT_XSTATE
#  define CONTEXT_XSTATE (CONTEXT_AMD64 | 0x00000040L)
#endif

/* Stack an exception needs below the faulting frame: Windows pushes a
 * CONTEXT record (its size depends on the extended register state enabled
 * on this machine: AVX-512 more than doubles it), an EXCEPTION_RECORD and
 * a machine frame, and runs the dispatcher and the handlers there. */
static size_t exception_dispatch_size(void)
{
    DWORD len = 0;
    /* With a NULL buffer InitializeContext only reports the length. */
    if (!InitializeContext(NULL, CONTEXT_ALL | CONTEXT_XSTATE, NULL, &len) &&
        GetLastError() != ERROR_INSUFFICIENT_BUFFER)
        len = 0;
    if (len < sizeof(CONTEXT))
        len = sizeof(CONTEXT);
    return (size_t)len + sizeof(EXCEPTION_RECORD) + 1024; /* + dispatcher frames */
}

static fctx_stack_traits_t traits;
static atomic_int traits_ready; /* 1 once `traits` is written (release) */
static INIT_ONCE traits_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK compute_traits(PINIT_ONCE once, PVOID param, PVOID *context)
{
    (void)once;
    (void)param;
    (void)context;
    fctx_stack_traits_t t;
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    t.page_size = si.dwPageSize ? (size_t)si.dwPageSize : 4096;
    /* Room to dispatch an exception plus one page for the context's own
     * frames and the fiber record. */
    t.min_size = fctx_round_up(exception_dispatch_size(), t.page_size) + t.page_size;
    t.default_size = 128 * 1024;
    if (t.default_size < t.min_size)
        t.default_size = t.min_size;
    /* Windows has no stack rlimit; the same cap as an unlimited
     * RLIMIT_STACK on POSIX. */
    t.max_size = (size_t)1 << 30;
    traits = t;
    atomic_store_explicit(&traits_ready, 1, memory_order_release);
    return TRUE;
}

const fctx_stack_traits_t *fctx_stack_traits(void)
{
    if (FCTX_LIKELY(atomic_load_explicit(&traits_ready, memory_order_acquire)))
        return &traits;
    /* One thread computes; concurrent first callers wait for it. */
    InitOnceExecuteOnce(&traits_once, compute_traits, NULL, NULL);
    return &traits;
}

fctx_guard_method_t fctx_guard_method(void)
{
    return FCTX_GUARD_MPROTECT; /* page protections: see above */
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
    void *p = VirtualAlloc(NULL, usable, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (p == NULL)
        return ENOMEM;
    fctx_stack_describe(out, p, usable, usable);
    return 0;
}

static void release_stack(void *state, fctx_stack_t *s)
{
    (void)state;
    VirtualFree(s->base, 0, MEM_RELEASE); /* size 0: the whole reservation */
}

static const fctx_allocator_t fixed = {fixed_allocate, release_stack, NULL};

const fctx_allocator_t *fctx_fixed_allocator(void)
{
    return &fixed;
}

/* ---- guarded: a reserved page and guard pages below the stack ----------- */

/* The guarded allocator's state is its number of reserved guard pages
 * (NULL: the default), so fctx_guarded_allocator_ex() needs no storage. */
static size_t guard_pages_of(const void *state)
{
    return state ? (size_t)(uintptr_t)state : FCTX_GUARD_PAGES_DEFAULT;
}

static int guarded_allocate(void *state, size_t size, fctx_stack_t *out)
{
    size_t usable;
    int err = fctx_stack_round_size(size, &usable);
    if (err)
        return err;
    if (out == NULL)
        return EINVAL;
    size_t page = fctx_stack_traits()->page_size;
    size_t reserved = guard_pages_of(state) * page; /* bounded by _ex() */
    size_t guard = FCTX_WIN_GUARD_PAGES * page;
    size_t len = reserved + guard + usable;
    char *p = (char *)VirtualAlloc(NULL, len, MEM_RESERVE, PAGE_NOACCESS);
    if (p == NULL)
        return ENOMEM;
    /* Commit everything above the reserved pages, then arm the guard page
     * (the one right below the usable stack). */
    DWORD old;
    if (VirtualAlloc(p + reserved, guard + usable, MEM_COMMIT, PAGE_READWRITE) == NULL ||
        !VirtualProtect(p + reserved + guard - page, page, PAGE_READWRITE | PAGE_GUARD, &old)) {
        VirtualFree(p, 0, MEM_RELEASE);
        return ENOMEM;
    }
    fctx_stack_describe(out, p, len, usable);
    return 0;
}

static const fctx_allocator_t guarded = {guarded_allocate, release_stack, NULL};

const fctx_allocator_t *fctx_guarded_allocator(void)
{
    return &guarded;
}

int fctx_guarded_allocator_ex(fctx_allocator_t *out, size_t guard_pages)
{
    const fctx_stack_traits_t *t = fctx_stack_traits();
    if (out == NULL || guard_pages > t->max_size / t->page_size)
        return EINVAL;
    out->allocate = guarded_allocate;
    out->deallocate = release_stack;
    out->state = guard_pages == 0 ? NULL : (void *)(uintptr_t)guard_pages;
    return 0;
}
