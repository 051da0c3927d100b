/*
 * stacks/win.c - the Windows layer of the stack code (os.h): limits,
 * mapping and guard pages (VirtualAlloc).
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

#include "../internal.h"
#include "os.h"

/* Pages between the reserved lowest page and the usable stack: the spare
 * page and the guard page (see above). */
#define FCTX_WIN_GUARD_PAGES 2

/* CONTEXT flag for the extended (AVX...) state; older SDK/MinGW headers
 * do not define it (the same bit on x64 and i386). */
#ifndef CONTEXT_XSTATE
#  if defined(_M_IX86) || defined(__i386__)
#    define CONTEXT_XSTATE (CONTEXT_i386 | 0x00000040L)
#  else
#    define CONTEXT_XSTATE (CONTEXT_AMD64 | 0x00000040L)
#  endif
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

void fctx_os_stack_limits(size_t *page_size, size_t *min_size, size_t *max_size)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    *page_size = si.dwPageSize ? (size_t)si.dwPageSize : 4096;
    /* Room to dispatch an exception plus one page for the context's own
     * frames and the fiber record. */
    *min_size = fctx_round_up(exception_dispatch_size(), *page_size) + *page_size;
    /* Windows has no stack rlimit; the same cap as an unlimited
     * RLIMIT_STACK on POSIX. */
    *max_size = (size_t)1 << 30;
}

static INIT_ONCE traits_once = INIT_ONCE_STATIC_INIT;

struct once_call {
    void (*compute)(void);
};

static BOOL CALLBACK run_once(PINIT_ONCE once, PVOID param, PVOID *context)
{
    (void)once;
    (void)context;
    ((const struct once_call *)param)->compute();
    return TRUE;
}

void fctx_os_traits_once(void (*compute)(void))
{
    struct once_call call = {compute};
    InitOnceExecuteOnce(&traits_once, run_once, &call, NULL);
}

fctx_guard_method_t fctx_guard_method(void)
{
    return FCTX_GUARD_MPROTECT; /* page protections: see above */
}

void *fctx_os_map_stack(size_t len)
{
    return VirtualAlloc(NULL, len, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
}

void fctx_os_unmap_stack(void *base, size_t mapped)
{
    (void)mapped;
    VirtualFree(base, 0, MEM_RELEASE); /* size 0: the whole reservation */
}

/* `reserved` bytes reserved, never committed, then the spare and guard pages,
 * then the usable stack (see above). */
void *fctx_os_map_guarded(size_t reserved, size_t usable, size_t *mapped)
{
    size_t page = fctx_stack_traits()->page_size;
    size_t guard = FCTX_WIN_GUARD_PAGES * page;
    size_t len = reserved + guard + usable;
    char *p = (char *)VirtualAlloc(NULL, len, MEM_RESERVE, PAGE_NOACCESS);
    if (p == NULL)
        return NULL;
    /* Commit everything above the reserved pages, then arm the guard page
     * (the one right below the usable stack). */
    DWORD old;
    if (VirtualAlloc(p + reserved, guard + usable, MEM_COMMIT, PAGE_READWRITE) == NULL ||
        !VirtualProtect(p + reserved + guard - page, page, PAGE_READWRITE | PAGE_GUARD, &old)) {
        VirtualFree(p, 0, MEM_RELEASE);
        return NULL;
    }
    *mapped = len;
    return p;
}
