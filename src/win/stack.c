/*
 * win/stack.c - stack traits and the fixed and guarded allocators on
 * Windows (VirtualAlloc).
 *
 * Both allocators commit the whole usable stack up front (MEM_RESERVE |
 * MEM_COMMIT, PAGE_READWRITE): a context's TEB StackLimit then names the
 * bottom of committed memory, as the OS expects, and nothing has to grow.
 *
 * Guard: the guarded allocator reserves one page more than it commits; the
 * lowest page of the reservation stays reserved and never committed, so any
 * access faults with STATUS_ACCESS_VIOLATION.  That is the Windows
 * equivalent of mprotect(PROT_NONE) (fctx_guard_method() reports
 * FCTX_GUARD_MPROTECT) without its cost: a reservation with mixed states is
 * still one address-space region, so there is no per-stack mapping limit
 * like Linux's vm.max_map_count, and the guard consumes no commit charge.
 * We do not use PAGE_GUARD: a guard page is a one-shot alarm (the first
 * touch raises STATUS_GUARD_PAGE_VIOLATION and turns it into an ordinary
 * read/write page, so a second overflow would run on silently), and the
 * OS's stack-growth treatment of guard pages only applies to the thread's
 * own reserved stack.  A fiber that overflows into our guard page dies with
 * an access violation (or STATUS_STACK_OVERFLOW where the OS reports the
 * fault as one); it cannot be caught and resumed, because the exception
 * record itself needs stack below the fault.
 */
#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN 1
#endif
#include <windows.h>

#include <fctx/stack.h>

#include <errno.h>
#include <stdatomic.h>

#include "../internal.h"

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
static atomic_int traits_ready; /* 0 no, 1 yes: computing twice is harmless */

const fctx_stack_traits_t *fctx_stack_traits(void)
{
    if (FCTX_LIKELY(atomic_load_explicit(&traits_ready, memory_order_acquire)))
        return &traits;
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
    return &traits;
}

fctx_guard_method_t fctx_guard_method(void)
{
    return FCTX_GUARD_MPROTECT; /* an uncommitted, reserved page: see above */
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
    out->base = p;
    out->mapped_size = usable;
    out->size = usable;
    out->sp = (char *)p + usable;
    out->impl = NULL;
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

/* ---- guarded: one reserved, never committed page below the stack -------- */

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
    char *p = (char *)VirtualAlloc(NULL, len, MEM_RESERVE, PAGE_NOACCESS);
    if (p == NULL)
        return ENOMEM;
    /* Commit all but the lowest page, which stays the guard. */
    if (VirtualAlloc(p + page, usable, MEM_COMMIT, PAGE_READWRITE) == NULL) {
        VirtualFree(p, 0, MEM_RELEASE);
        return ENOMEM;
    }
    out->base = p;
    out->mapped_size = len;
    out->size = usable;
    out->sp = p + len;
    out->impl = NULL;
    return 0;
}

static const fctx_allocator_t guarded = {guarded_allocate, release_stack, NULL};

const fctx_allocator_t *fctx_guarded_allocator(void)
{
    return &guarded;
}
