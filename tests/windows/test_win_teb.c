/* Windows: each context carries its own TEB stack fields, and the OS
 * facilities that read them work inside contexts and fibers (and, last,
 * the by-reference transfer arguments respect the callee's home space):
 *   - GetCurrentThreadStackLimits() names the context's stack;
 *   - SetThreadStackGuarantee() is per context (as it is per Win32 fiber)
 *     and checks its argument against the context's stack size;
 *   - FiberData (GetCurrentFiber) is per context, inherited from the creator;
 *   - the SEH chain (NT_TIB.ExceptionList) is per context, empty (-1) in a
 *     new one: i386 frame-based SEH keeps its records on the stack they
 *     protect, Wine walks the list on x64 too;
 *   - stack walks (RtlCaptureStackBackTrace) stop at the start stub;
 *   - a big local array (compiler stack probes) runs inside a fiber;
 *   - all of it stays right when a context moves to another thread.
 * (Frame-based exception dispatch inside fibers: tests/test_unwind.cpp.
 * Overflow into the guard page: tests/win/test_win_stack.c.) */
#include <fctx/fiber.h>

#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN 1
#endif
#include <windows.h>
#if !defined(__GNUC__) && !defined(__clang__)
#  include <intrin.h> /* _ReturnAddress */
#endif

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "windows/compat/pthread.h"

/* The calling thread's NT_TIB (TEB).  GCC 12 flags NtCurrentTeb() and
 * current_fiber() (gs-relative reads in MinGW's headers) with a false
 * -Warray-bounds, so read NT_TIB.Self directly there. */
static NT_TIB *tib(void)
{
#if defined(__GNUC__) || defined(__clang__)
    NT_TIB *t;
#  if defined(__x86_64__)
    __asm__ volatile("movq %%gs:0x30, %0" : "=r"(t));
#  else
    __asm__ volatile("movl %%fs:0x18, %0" : "=r"(t)); /* i386 */
#  endif
    return t;
#else
    return (NT_TIB *)NtCurrentTeb();
#endif
}

static void *current_fiber(void)
{
    return tib()->FiberData; /* what current_fiber() returns */
}

static uintptr_t page_up(uintptr_t p)
{
    return (p + 4095) & ~(uintptr_t)4095;
}

struct limits {
    ULONG_PTR lo, hi;      /* GetCurrentThreadStackLimits */
    void *base, *limit;    /* NT_TIB StackBase, StackLimit */
    uintptr_t local;       /* address of a local variable */
};

static struct limits here(void)
{
    struct limits l;
    GetCurrentThreadStackLimits(&l.lo, &l.hi);
    l.base = tib()->StackBase;
    l.limit = tib()->StackLimit;
    volatile char probe = 0;
    l.local = (uintptr_t)&probe;
    return l;
}

static int same_limits(const struct limits *a, const struct limits *b)
{
    return a->lo == b->lo && a->hi == b->hi && a->base == b->base && a->limit == b->limit;
}

/* ---- raw context: the fields fctx_make documents ------------------------ */

static struct limits seen_in_ctx;

static void report_limits(fctx_transfer_t t)
{
    for (;;) {
        seen_in_ctx = here();
        t = fctx_jump(t.ctx, NULL);
    }
}

static void test_raw_context_limits(void)
{
    enum { SIZE = 64 * 1024 };
    char *mem = (char *)VirtualAlloc(NULL, SIZE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    CHECK(mem != NULL);
    struct limits before = here();
    /* Top and size deliberately unaligned: fctx_make aligns the top down to
     * 16 bytes and the lowest usable address up to a page. */
    char *top = mem + SIZE - 40;
    size_t size = SIZE - 40 - 100;
    fctx_t c = fctx_make(top, size, report_limits);
    c = fctx_jump(c, NULL).ctx;
    uintptr_t want_hi = (uintptr_t)top & ~(uintptr_t)15;
    uintptr_t want_lo = page_up((uintptr_t)top - size);
    CHECK_EQ_U(seen_in_ctx.hi, want_hi);
    CHECK_EQ_U(seen_in_ctx.lo, want_lo); /* DeallocationStack */
    CHECK_EQ_U((uintptr_t)seen_in_ctx.base, want_hi);
    CHECK_EQ_U((uintptr_t)seen_in_ctx.limit, want_lo);
    CHECK(seen_in_ctx.local > want_lo && seen_in_ctx.local < want_hi);
    struct limits after = here();
    CHECK(same_limits(&before, &after)); /* the thread's own again */
    CHECK(after.local >= after.lo && after.local < after.hi);
    /* Again after another round trip. */
    c = fctx_jump(c, NULL).ctx;
    CHECK_EQ_U(seen_in_ctx.hi, want_hi);
    (void)c; /* abandoned: its stack is released below */
    CHECK(VirtualFree(mem, 0, MEM_RELEASE));
}

/* ---- fibers: the limits describe the allocated stack -------------------- */

static fctx_stack_t last_stack;

static int remember_allocate(void *state, size_t size, fctx_stack_t *out)
{
    (void)state;
    int err = fctx_guarded_allocator()->allocate(NULL, size, out);
    if (!err)
        last_stack = *out;
    return err;
}

static void remember_deallocate(void *state, fctx_stack_t *s)
{
    (void)state;
    fctx_guarded_allocator()->deallocate(NULL, s);
}

static const fctx_allocator_t remember = {remember_allocate, remember_deallocate, NULL};

static fctx_fiber_t fiber_limits(fctx_fiber_t caller, void *data)
{
    (void)data;
    struct limits l = here();
    return fctx_fiber_resume(caller, &l).fiber; /* l outlives the resume */
}

static void test_fiber_limits(void)
{
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, &remember, 64 * 1024, fiber_limits) == 0);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, NULL);
    const struct limits *l = (const struct limits *)t.data;
    uintptr_t bottom = (uintptr_t)last_stack.sp - last_stack.size;
    /* As for a thread: the low limit (DeallocationStack) is the base of the
     * whole reservation, guard pages included (the fiber layer sets it);
     * StackLimit is the bottom of the committed, usable part. */
    CHECK_EQ_U(l->lo, (uintptr_t)last_stack.base);
    CHECK(l->hi <= (uintptr_t)last_stack.sp && l->hi > (uintptr_t)last_stack.sp - 4096);
    CHECK_EQ_U((uintptr_t)l->limit, bottom);
    CHECK(l->local > l->lo && l->local < l->hi);
    t = fctx_fiber_resume(t.fiber, NULL);
    CHECK(t.fiber == NULL);
}

/* ---- SetThreadStackGuarantee is per context ------------------------------ */

struct guarantee_result {
    ULONG initial, after_set, too_big_ok, too_big_error;
};

static fctx_fiber_t guarantee_fiber(fctx_fiber_t caller, void *data)
{
    struct guarantee_result *r = (struct guarantee_result *)data;
    ULONG g = 0;
    SetThreadStackGuarantee(&g); /* 0: query only */
    r->initial = g;
    g = 16 * 1024;
    CHECK(SetThreadStackGuarantee(&g));
    caller = fctx_fiber_resume(caller, NULL).fiber; /* main checks its own */
    g = 0;
    SetThreadStackGuarantee(&g);
    r->after_set = g;
    /* "Cannot be larger than the reserved stack size": ours is 128 KiB. */
    g = 1024 * 1024;
    r->too_big_ok = (ULONG)SetThreadStackGuarantee(&g);
    r->too_big_error = GetLastError();
    return caller;
}

static void test_stack_guarantee_per_context(void)
{
    ULONG main_g = 0;
    CHECK(SetThreadStackGuarantee(&main_g));
    struct guarantee_result r;
    memset(&r, 0, sizeof r);
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, NULL, 128 * 1024, guarantee_fiber) == 0);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, &r);
    CHECK(r.initial == 0); /* a new context starts with the system default */
    ULONG g = 0;
    CHECK(SetThreadStackGuarantee(&g));
    CHECK_EQ_U(g, main_g); /* the fiber's 16 KiB did not leak into main */
    t = fctx_fiber_resume(t.fiber, NULL);
    CHECK(t.fiber == NULL);
    CHECK_EQ_U(r.after_set, 16 * 1024); /* and main's did not leak into it */
    CHECK(!r.too_big_ok);
    CHECK_EQ_U(r.too_big_error, ERROR_INVALID_PARAMETER);
}

/* ---- FiberData ----------------------------------------------------------- */

static void *fiber_data_at_start, *fiber_data_later;

static void fiber_data_ctx(fctx_transfer_t t)
{
    fiber_data_at_start = current_fiber();
    tib()->FiberData = (void *)&fiber_data_later; /* ours */
    t = fctx_jump(t.ctx, NULL);
    fiber_data_later = current_fiber();
    fctx_jump(t.ctx, NULL);
}

static void test_fiber_data_per_context(void)
{
    static char stack[64 * 1024];
    void *mine = current_fiber();
    fctx_t c = fctx_make(stack + sizeof stack, sizeof stack, fiber_data_ctx);
    c = fctx_jump(c, NULL).ctx;
    CHECK(fiber_data_at_start == mine); /* inherited from the creator */
    CHECK(current_fiber() == mine);   /* the context's change stayed there */
    fctx_jump(c, NULL);
    CHECK(fiber_data_later == (void *)&fiber_data_later);
    CHECK(current_fiber() == mine);
}

/* ---- ExceptionList ------------------------------------------------------- */

static void *chain_at_start, *chain_later;

static void chain_ctx(fctx_transfer_t t)
{
    /* A record on this context's stack, as an i386 __try or SEH frame
     * links it: {next, handler}.  Never dispatched to: no exception here. */
    EXCEPTION_REGISTRATION_RECORD rec;
    chain_at_start = tib()->ExceptionList;
    rec.Next = (EXCEPTION_REGISTRATION_RECORD *)tib()->ExceptionList;
    rec.Handler = NULL;
    tib()->ExceptionList = &rec;
    t = fctx_jump(t.ctx, NULL);
    chain_later = tib()->ExceptionList; /* still ours after a round trip */
    tib()->ExceptionList = rec.Next;     /* unlink before the frame goes */
    fctx_jump(t.ctx, NULL);
}

static void test_exception_list_per_context(void)
{
    static char stack[64 * 1024];
    void *mine = tib()->ExceptionList;
    fctx_t c = fctx_make(stack + sizeof stack, sizeof stack, chain_ctx);
    c = fctx_jump(c, NULL).ctx;
    CHECK(chain_at_start == (void *)(intptr_t)-1); /* an empty chain */
    CHECK(tib()->ExceptionList == mine); /* its record stayed there */
    fctx_jump(c, NULL);
    CHECK(chain_later != NULL && chain_later != mine &&
          chain_later != (void *)(intptr_t)-1);
    CHECK((uintptr_t)chain_later >= (uintptr_t)stack &&
          (uintptr_t)chain_later < (uintptr_t)stack + sizeof stack);
    CHECK(tib()->ExceptionList == mine);
}

/* ---- stack walks end at the start stub ----------------------------------- */

static USHORT walk_frames;
static void *walk[64];
static void *capture_ret; /* where capture returns to, in walking_ctx */

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void capture(void)
{
    walk_frames = RtlCaptureStackBackTrace(0, 64, walk, NULL);
#if defined(__GNUC__) || defined(__clang__)
    capture_ret = __builtin_return_address(0);
#else
    capture_ret = _ReturnAddress();
#endif
}

static void walking_ctx(fctx_transfer_t t)
{
    capture();
    fctx_jump(t.ctx, NULL);
}

static void test_stack_walk_ends(void)
{
    static char stack[64 * 1024];
    fctx_t c = fctx_make(stack + sizeof stack, sizeof stack, walking_ctx);
    fctx_jump(c, NULL);
    /* capture <- walking_ctx <- start stub, then the 0 return address.
     * Wine's i386 walk (the ebp chain) starts one frame higher: without
     * capture's own frame. */
    int from_capture = !(walk_frames > 0 && walk[0] == capture_ret);
    CHECK_EQ_U(walk_frames, from_capture ? 3 : 2);
    CHECK(walk[from_capture ? 1 : 0] == capture_ret);
    uintptr_t make = 0;
    /* The last frame lies in the start stub, which sits next to fctx_make
     * in the same object (asm/make_*_ms_*). */
    uintptr_t stub_ret = (uintptr_t)walk[walk_frames - 1];
    fctx_t (*mk)(void *, size_t, fctx_entry_fn) = fctx_make;
    memcpy(&make, &mk, sizeof make); /* function pointer -> integer */
    CHECK(stub_ret + 512 > make && stub_ret < make + 512);
}

/* ---- a big local array (stack probes) inside a fiber --------------------- */

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static unsigned big_local(void)
{
    volatile unsigned char big[200 * 1024]; /* probed page by page */
    for (size_t i = 0; i < sizeof big; i += 4096)
        big[i] = (unsigned char)(i >> 12);
    unsigned sum = 0;
    for (size_t i = 0; i < sizeof big; i += 4096)
        sum += big[i];
    return sum;
}

static fctx_fiber_t big_local_fiber(fctx_fiber_t caller, void *data)
{
    *(unsigned *)data = big_local();
    return caller;
}

static void test_big_local_in_fiber(void)
{
    unsigned sum = 0, want = 0;
    for (size_t i = 0; i < 200 * 1024; i += 4096)
        want += (unsigned)(i >> 12) & 0xFF;
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, NULL, 256 * 1024, big_local_fiber) == 0);
    fctx_fiber_transfer_t t = fctx_fiber_resume(f, &sum);
    CHECK(t.fiber == NULL);
    CHECK_EQ_U(sum, want);
}

/* ---- a context moving between threads ------------------------------------ */

static fctx_fiber_t migrating(fctx_fiber_t caller, void *data)
{
    (void)data;
    for (;;) {
        struct limits l = here();
        fctx_fiber_transfer_t t = fctx_fiber_resume(caller, &l);
        caller = t.fiber;
        if (t.data == NULL)
            return caller;
    }
}

struct hop {
    fctx_fiber_t f;
    struct limits in_fiber, before, after;
};

static void *hop_thread(void *arg)
{
    struct hop *h = (struct hop *)arg;
    h->before = here();
    fctx_fiber_transfer_t t = fctx_fiber_resume(h->f, (void *)1);
    h->in_fiber = *(const struct limits *)t.data;
    h->f = t.fiber;
    h->after = here();
    return NULL;
}

static void test_migration(void)
{
    struct hop h;
    memset(&h, 0, sizeof h);
    CHECK(fctx_fiber_create(&h.f, &remember, 64 * 1024, migrating) == 0);
    uintptr_t base = (uintptr_t)last_stack.base;
    struct limits main_before = here();
    for (int i = 0; i < 3; ++i) {
        pthread_t th;
        CHECK(pthread_create(&th, NULL, hop_thread, &h) == 0);
        CHECK(pthread_join(th, NULL) == 0);
        CHECK_EQ_U(h.in_fiber.lo, base); /* the fiber's stack on every thread */
        CHECK(same_limits(&h.before, &h.after)); /* each thread's own restored */
        CHECK(h.before.lo != main_before.lo);    /* really another thread's stack */
    }
    struct limits main_after = here();
    CHECK(same_limits(&main_before, &main_after));
    fctx_fiber_transfer_t t = fctx_fiber_resume(h.f, NULL);
    CHECK(t.fiber == NULL);
}

/* ---- by-reference transfers stay clear of the callee's home space ------- */
/* x64 only: the i386 convention has no home space and passes the transfer
 * by value (test_registers and test_context cover its argument slots). */
#if defined(__x86_64__) || defined(_M_X64)

/* tests/regs/regs_x86_64_ms_pe.S (.asm): both overwrite all 32 bytes of
 * their home space before reading their argument. */
fctx_transfer_t regs_ontop_home_clobber(fctx_transfer_t t); /* {t.ctx, t.data + 1} */
void regs_entry_home_clobber(fctx_transfer_t t);            /* answers data + 1 */

static void echo(fctx_transfer_t t)
{
    for (;;)
        t = fctx_jump(t.ctx, t.data);
}

static void test_home_space(void)
{
    static char s1[64 * 1024], s2[64 * 1024];
    /* An entry function: its argument is the start stub's transfer slot. */
    fctx_t a = fctx_make(s1 + sizeof s1, sizeof s1, regs_entry_home_clobber);
    fctx_transfer_t t = fctx_jump(a, (void *)5);
    CHECK(t.data == (void *)6 && t.ctx != NULL);
    t = fctx_jump(t.ctx, (void *)41);
    CHECK(t.data == (void *)42);
    /* An ontop function on a context suspended in fctx_jump (asm entry) ... */
    t = fctx_ontop(t.ctx, (void *)100, regs_ontop_home_clobber);
    CHECK(t.data == (void *)102); /* +1 on top, +1 by the entry */
    /* ... on a new context (C entry) and on a suspended one: its argument
     * copy lives in the target's dead frame, not in its home space. */
    fctx_t e = fctx_make(s2 + sizeof s2, sizeof s2, echo);
    t = fctx_ontop(e, (void *)7, regs_ontop_home_clobber);
    CHECK(t.data == (void *)8 && t.ctx != NULL);
    t = fctx_ontop(t.ctx, (void *)9, regs_ontop_home_clobber);
    CHECK(t.data == (void *)10);
    t = fctx_jump(t.ctx, (void *)11);
    CHECK(t.data == (void *)11);
}
#endif

int main(void)
{
    RUN(test_raw_context_limits);
    RUN(test_fiber_limits);
    RUN(test_stack_guarantee_per_context);
    RUN(test_fiber_data_per_context);
    RUN(test_exception_list_per_context);
    RUN(test_stack_walk_ends);
    RUN(test_big_local_in_fiber);
    RUN(test_migration);
#if defined(__x86_64__) || defined(_M_X64)
    RUN(test_home_space);
#endif
    return 0;
}
