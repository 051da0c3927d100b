/*
 * stacks/overflow.c - stack-overflow diagnosis (fctx/stack_ext.h).
 *
 * Registry: a skip list of registered regions [guard_lo, stack_hi), sorted
 * by guard_lo and pairwise disjoint (registration rejects overlaps), so the
 * guard that holds a fault address is found by one predecessor search:
 * O(log n) expected steps, and never more than LOOKUP_STEPS whatever was
 * registered.  Writers (fiber creation and release, only while diagnosis is
 * on) take a mutex; the signal handler reads without locks: a node is
 * filled before it is linked (release stores, bottom level first), it keeps
 * its forward links when unlinked, and it is recycled only when no handler
 * is reading (a reader count; the handler never waits, so it cannot
 * deadlock against a writer).  Nodes live in mappings of their own with
 * REG_GAP bytes of inaccessible address space on both sides: never
 * adjacent to a stack, so a frame that jumps a stack's guard faults in the
 * gap instead of overwriting registrations.
 *
 * Handler: SIGSEGV/SIGBUS, SA_ONSTACK (a fiber that overflowed has no stack
 * left to run a handler on).  A fault raised by an instruction (si_code a
 * fault code, not SI_USER/SI_TKILL/SI_QUEUE/SI_KERNEL) inside a registered
 * guard prints one line with async-signal-safe code only (no stdio, no
 * malloc), sets the default action and returns: the faulting instruction
 * runs again and the process dies of the original signal, with a core dump
 * if enabled.  Anything else is passed on as the kernel would have
 * delivered it without fctx (see pass_on()).
 */
#define _GNU_SOURCE 1
#include <fctx/stack_ext.h>

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../internal.h"
#include "../stacks_internal.h"
#include "os.h"

atomic_int fctx_internal_overflow_active;

/* ---- registry ------------------------------------------------------------ */

#define MAXH 16               /* skip-list levels: p = 1/4, enough for 4^16 nodes */
#define LOOKUP_STEPS 65536    /* hard bound on a handler's search (never reached
                                 by a well-formed list of < 2^32 nodes) */
#define REG_GAP ((size_t)1 << 20) /* inaccessible bytes on each side of node memory */

typedef _Atomic(struct node *) link_t;

struct node {
    uintptr_t guard_lo;    /* guard [guard_lo, bottom) */
    uintptr_t bottom;      /* stack [bottom, stack_hi): lowest usable address */
    uintptr_t stack_hi;
    const char *name;
    const void *site;      /* creation site (return address), or NULL */
    const char *site_file; /* from dladdr() at registration, or NULL */
    uintptr_t site_base;
    const char *site_sym;
    unsigned height;
    struct node *free_next;
    link_t next[];         /* height entries */
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static link_t reg_head[MAXH];
static atomic_int reg_readers;             /* handlers inside a lookup */
/* Guarded by reg_lock: */
static struct node *reg_free[MAXH + 1];    /* recycled nodes, by height */
static char *reg_cur;                      /* bump allocation in the newest chunk */
static size_t reg_left;
static size_t reg_chunk = 64 * 1024;       /* next chunk's usable size (doubles to 1 MiB) */
static uint64_t reg_rng;

/* Memory for nodes: chunks mapped with REG_GAP of PROT_NONE below and above
 * (reg_lock held).  Never unmapped: freed nodes are recycled. */
static void *reg_alloc(size_t bytes)
{
    bytes = (bytes + 15) & ~(size_t)15;
    if (bytes > reg_left) {
        size_t chunk = reg_chunk;
        if (reg_chunk < ((size_t)1 << 20))
            reg_chunk *= 2;
        size_t total = chunk + 2 * REG_GAP;
        char *p = (char *)mmap(NULL, total, PROT_NONE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        if (mprotect(p + REG_GAP, chunk, PROT_READ | PROT_WRITE) != 0) {
            munmap(p, total);
            return NULL;
        }
        reg_cur = p + REG_GAP;
        reg_left = chunk;
    }
    void *r = reg_cur;
    reg_cur += bytes;
    reg_left -= bytes;
    return r;
}

static unsigned random_height(void)
{
    if (reg_rng == 0) {
        int local;
        reg_rng = ((uint64_t)(uintptr_t)&local ^ (uint64_t)getpid() << 32 ^
                   (uint64_t)(uintptr_t)&reg_rng) | 1;
    }
    reg_rng ^= reg_rng << 13;
    reg_rng ^= reg_rng >> 7;
    reg_rng ^= reg_rng << 17;
    uint64_t r = reg_rng;
    unsigned h = 1;
    while (h < MAXH && (r & 3) == 0) {
        ++h;
        r >>= 2;
    }
    return h;
}

static struct node *node_get(unsigned h)
{
    struct node *n = reg_free[h];
    if (n != NULL) {
        reg_free[h] = n->free_next;
        return n;
    }
    n = (struct node *)reg_alloc(sizeof(struct node) + h * sizeof(link_t));
    if (n != NULL)
        n->height = h;
    return n;
}

/* Writers (reg_lock held): for each level the link to update for a node
 * with guard_lo `key` (the last node whose guard_lo < key, or the head);
 * returns that last node at level 0, or NULL. */
static struct node *find_preds(uintptr_t key, link_t *pred[MAXH])
{
    link_t *links = reg_head;
    struct node *last = NULL;
    for (int l = MAXH - 1; l >= 0; --l) {
        struct node *n;
        while ((n = atomic_load_explicit(&links[l], memory_order_relaxed)) != NULL &&
               n->guard_lo < key) {
            last = n;
            links = n->next;
        }
        pred[l] = &links[l];
    }
    return last;
}

/* A descriptor with a guard region below its stack:
 * [base, sp - size) guard, [sp - size, sp) stack.  Not NULL, not in the
 * first page (it would claim null-pointer faults), no wrap-around. */
static int valid_guarded(const fctx_stack_t *s)
{
    if (s == NULL || s->sp == NULL || s->size == 0 || s->size > (uintptr_t)s->sp)
        return 0;
    uintptr_t bottom = (uintptr_t)s->sp - s->size;
    uintptr_t lo = (uintptr_t)s->base;
    return s->base != NULL && lo >= fctx_stack_traits()->page_size && lo < bottom;
}

static int add(const fctx_stack_t *s, const char *name, const void *site)
{
    if (!valid_guarded(s))
        return EINVAL;
    uintptr_t lo = (uintptr_t)s->base;
    uintptr_t hi = (uintptr_t)s->sp;
    const char *site_file = NULL, *site_sym = NULL;
    uintptr_t site_base = 0;
    Dl_info info;
    if (site != NULL && dladdr(site, &info) != 0) {
        site_file = info.dli_fname;
        site_base = (uintptr_t)info.dli_fbase;
        site_sym = info.dli_sname;
    }
    int err = 0;
    pthread_mutex_lock(&reg_lock);
    link_t *pred[MAXH];
    struct node *before = find_preds(lo, pred);
    struct node *after = atomic_load_explicit(pred[0], memory_order_relaxed);
    if ((before != NULL && before->stack_hi > lo) || (after != NULL && after->guard_lo < hi)) {
        err = EEXIST; /* the same stack, or one overlapping it */
    } else {
        unsigned h = random_height();
        struct node *n = node_get(h);
        if (n == NULL) {
            err = ENOMEM;
        } else {
            n->guard_lo = lo;
            n->bottom = hi - s->size;
            n->stack_hi = hi;
            n->name = name;
            n->site = site;
            n->site_file = site_file;
            n->site_base = site_base;
            n->site_sym = site_sym;
            for (unsigned l = 0; l < h; ++l)
                atomic_store_explicit(&n->next[l],
                                      atomic_load_explicit(pred[l], memory_order_relaxed),
                                      memory_order_relaxed);
            for (unsigned l = 0; l < h; ++l) /* bottom level first: then it is findable */
                atomic_store_explicit(pred[l], n, memory_order_release);
        }
    }
    pthread_mutex_unlock(&reg_lock);
    return err;
}

static int remove_bottom(uintptr_t bottom)
{
    int err = ENOENT;
    pthread_mutex_lock(&reg_lock);
    link_t *pred[MAXH];
    /* Regions are disjoint and sorted: the only candidate is the last one
     * that starts below `bottom`. */
    struct node *n = find_preds(bottom, pred);
    if (n != NULL && n->bottom == bottom) {
        find_preds(n->guard_lo, pred); /* pred[l] now points at n, l < height */
        for (unsigned l = n->height; l-- > 0;)
            atomic_store_explicit(pred[l], atomic_load_explicit(&n->next[l], memory_order_relaxed),
                                  memory_order_release);
        /* n keeps its links for a handler standing on it; recycle it only
         * when none is reading (a handler started after the fence cannot
         * reach it). */
        atomic_thread_fence(memory_order_seq_cst);
        while (atomic_load_explicit(&reg_readers, memory_order_seq_cst) != 0)
            sched_yield();
        n->free_next = reg_free[n->height];
        reg_free[n->height] = n;
        err = 0;
    }
    pthread_mutex_unlock(&reg_lock);
    return err;
}

int fctx_internal_overflow_add(const fctx_stack_t *s, const char *name, const void *site)
{
    return add(s, name, site);
}

void fctx_internal_overflow_remove(const fctx_stack_t *s)
{
    remove_bottom((uintptr_t)s->sp - s->size);
}

int fctx_overflow_register(const fctx_stack_t *stack, const char *name)
{
    return add(stack, name, FCTX_CALLER());
}

int fctx_overflow_unregister(const fctx_stack_t *stack)
{
    if (stack == NULL || stack->sp == NULL || stack->size == 0 ||
        stack->size > (uintptr_t)stack->sp)
        return EINVAL;
    return remove_bottom((uintptr_t)stack->sp - stack->size);
}

/* ---- async-signal-safe formatting ----------------------------------------- */

struct out {
    char buf[1024];
    size_t n;
};

static void put(struct out *o, const char *s)
{
    while (*s && o->n < sizeof o->buf - 1)
        o->buf[o->n++] = *s++;
}

static void put_hex(struct out *o, uintptr_t v)
{
    char tmp[2 + 2 * sizeof v + 1];
    int i = (int)sizeof tmp - 1;
    tmp[i] = '\0';
    do {
        tmp[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v != 0);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    put(o, tmp + i);
}

static void put_dec(struct out *o, uintptr_t v)
{
    char tmp[3 * sizeof v + 1];
    int i = (int)sizeof tmp - 1;
    tmp[i] = '\0';
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put(o, tmp + i);
}

/* ---- the handler ----------------------------------------------------------- */

static struct sigaction old_segv, old_bus;
static atomic_int old_reset[2]; /* SA_RESETHAND previous handler used up: SEGV, BUS */
static atomic_int installed;

/* The registration whose guard holds `addr`, copied out (the node may be
 * recycled once we stop reading).  At most LOOKUP_STEPS steps. */
static int lookup(uintptr_t addr, struct node *out)
{
    int found = 0;
    atomic_fetch_add_explicit(&reg_readers, 1, memory_order_seq_cst);
    atomic_thread_fence(memory_order_seq_cst);
    link_t *links = reg_head;
    struct node *last = NULL;
    unsigned steps = 0;
    for (int l = MAXH - 1; l >= 0 && steps < LOOKUP_STEPS; --l) {
        struct node *n;
        while (++steps < LOOKUP_STEPS &&
               (n = atomic_load_explicit(&links[l], memory_order_acquire)) != NULL &&
               n->guard_lo <= addr) {
            last = n;
            links = n->next;
        }
    }
    if (steps < LOOKUP_STEPS && last != NULL && addr < last->bottom) {
        out->guard_lo = last->guard_lo;
        out->bottom = last->bottom;
        out->stack_hi = last->stack_hi;
        out->name = last->name;
        out->site = last->site;
        out->site_file = last->site_file;
        out->site_base = last->site_base;
        out->site_sym = last->site_sym;
        found = 1;
    }
    atomic_fetch_sub_explicit(&reg_readers, 1, memory_order_seq_cst);
    return found;
}

static void report(uintptr_t addr, const struct node *e)
{
    struct out o;
    o.n = 0;
    put(&o, "fctx: stack overflow in fiber ");
    if (e->name != NULL) {
        put(&o, "\"");
        put(&o, e->name);
        put(&o, "\"");
    } else {
        put(&o, "(unnamed)");
    }
    put(&o, ": fault at ");
    put_hex(&o, addr);
    put(&o, ", guard [");
    put_hex(&o, e->guard_lo);
    put(&o, ", ");
    put_hex(&o, e->bottom);
    put(&o, "), stack [");
    put_hex(&o, e->bottom);
    put(&o, ", ");
    put_hex(&o, e->stack_hi);
    put(&o, ") (");
    put_dec(&o, e->stack_hi - e->bottom);
    put(&o, " bytes)");
    if (e->site != NULL) {
        put(&o, ", created at ");
        put_hex(&o, (uintptr_t)e->site);
        if (e->site_file != NULL) {
            put(&o, " (");
            put(&o, e->site_file);
            put(&o, "+");
            put_hex(&o, (uintptr_t)e->site - e->site_base);
            if (e->site_sym != NULL) {
                put(&o, ", in ");
                put(&o, e->site_sym);
            }
            put(&o, ")");
        }
    }
    put(&o, "\n");
    for (size_t done = 0; done < o.n;) {
        ssize_t w = write(STDERR_FILENO, o.buf + done, o.n - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
}

/* Raised by the faulting instruction itself (SEGV_MAPERR, BUS_ADRERR, ...):
 * a small positive code everywhere.  Not: SI_USER (kill), SI_TKILL (raise,
 * pthread_kill), SI_QUEUE and the other negative codes, SI_KERNEL (0x80 on
 * Linux: e.g. a signal frame the kernel could not push, si_addr NULL), the
 * BSDs' and macOS's SI_* (0x1000x). */
static int from_instruction(const siginfo_t *si)
{
    return si != NULL && si->si_code > 0 && si->si_code < 0x80;
}

static void set_default(int sig)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
}

/* Die of `sig` by its default action (core dump where the system makes
 * one).  A fault re-executes the faulting instruction and dies of it;
 * anything else is sent again and unblocked (we run with it blocked). */
static void die_of(int sig, int fault)
{
    set_default(sig);
    if (fault)
        return;
    raise(sig);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

/* Not a guard hit: deliver it as the kernel would have without fctx, to the
 * handler installed before (its sa_mask blocked and sig too unless
 * SA_NODEFER; SA_RESETHAND: once, then the default), or the default action.
 * SIG_IGN ignores a sent signal; a fault (or SI_KERNEL, which the kernel
 * forces) cannot be ignored and takes the default action, as without fctx. */
static void pass_on(int sig, siginfo_t *si, void *uc, int fault)
{
    int idx = sig == SIGBUS;
    const struct sigaction *old = idx ? &old_bus : &old_segv;
    int forced = fault || (si != NULL && si->si_code == SI_KERNEL);
    if (old->sa_handler == SIG_IGN) {
        if (!forced)
            return;
        die_of(sig, fault);
        return;
    }
    if (old->sa_handler == SIG_DFL ||
        ((old->sa_flags & SA_RESETHAND) && atomic_exchange(&old_reset[idx], 1))) {
        die_of(sig, fault);
        return;
    }
    sigset_t block, saved;
    block = old->sa_mask;
    if (old->sa_flags & SA_NODEFER) {
        sigset_t self;
        sigemptyset(&self);
        sigaddset(&self, sig);
        sigdelset(&block, sig);
        pthread_sigmask(SIG_UNBLOCK, &self, &saved);
        pthread_sigmask(SIG_BLOCK, &block, NULL);
    } else {
        sigaddset(&block, sig);
        pthread_sigmask(SIG_BLOCK, &block, &saved);
    }
    if (old->sa_flags & SA_SIGINFO)
        old->sa_sigaction(sig, si, uc);
    else
        old->sa_handler(sig);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    int saved_errno = errno;
    int fault = from_instruction(si);
    struct node e;
    if (fault && (sig == SIGSEGV || sig == SIGBUS) && lookup((uintptr_t)si->si_addr, &e)) {
        report((uintptr_t)si->si_addr, &e);
        /* Die of this very fault: default action, then the instruction
         * runs again. */
        set_default(SIGSEGV);
        set_default(SIGBUS);
        errno = saved_errno;
        return;
    }
    errno = saved_errno;
    pass_on(sig, si, uc, fault);
    errno = saved_errno;
}

/* ---- alternate signal stacks ----------------------------------------------- */

static pthread_key_t altstack_key;
static pthread_once_t altstack_once = PTHREAD_ONCE_INIT;

static size_t altstack_size(void)
{
    /* The run-time minimum signal frame (never below MINSIGSTKSZ, which
     * glibc's _GNU_SOURCE makes the recommended size) plus the handler: a
     * lookup, a 1 KiB line buffer, write(), and whatever a chained handler
     * needs. */
    size_t frame = fctx_internal_min_signal_stack();
    if (frame < (size_t)MINSIGSTKSZ)
        frame = (size_t)MINSIGSTKSZ;
    return fctx_round_up(frame + 32 * 1024, fctx_stack_traits()->page_size);
}

static void altstack_free(void *p)
{
    stack_t ss, cur;
    memset(&ss, 0, sizeof ss);
    ss.ss_flags = SS_DISABLE;
    if (sigaltstack(NULL, &cur) == 0 && cur.ss_sp == p)
        sigaltstack(&ss, NULL);
    munmap(p, altstack_size());
}

static void altstack_key_init(void)
{
    if (pthread_key_create(&altstack_key, altstack_free) != 0)
        abort(); /* only fails when the process is out of keys at startup */
}

int fctx_overflow_thread_init(void)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) && cur.ss_sp != NULL)
        return 0; /* the thread has one already: keep it */
    pthread_once(&altstack_once, altstack_key_init);
    size_t size = altstack_size();
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return ENOMEM;
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = p;
    ss.ss_size = size;
    if (sigaltstack(&ss, NULL) != 0) {
        munmap(p, size);
        return ENOMEM;
    }
    pthread_setspecific(altstack_key, p); /* freed when the thread exits */
    return 0;
}

int fctx_overflow_handler_install(unsigned flags)
{
    if (flags != 0)
        return EINVAL;
    int err = fctx_overflow_thread_init();
    if (err)
        return err;
    pthread_mutex_lock(&reg_lock);
    if (!atomic_load(&installed)) {
        (void)fctx_stack_traits(); /* computed now, not in the handler */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fault;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGSEGV, &sa, &old_segv) != 0 || sigaction(SIGBUS, &sa, &old_bus) != 0) {
            err = ENOMEM;
        } else {
            atomic_store(&installed, 1);
            atomic_store(&fctx_internal_overflow_active, 1);
        }
    }
    pthread_mutex_unlock(&reg_lock);
    return err;
}

static int ours(int sig)
{
    struct sigaction cur;
    return sigaction(sig, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) &&
           cur.sa_sigaction == on_fault;
}

int fctx_overflow_enabled(void)
{
    /* What is installed now: another sigaction() may have replaced fctx's
     * handler, and fctx sets the default action to let a fatal fault kill
     * the process. */
    return atomic_load(&installed) && ours(SIGSEGV) && ours(SIGBUS);
}
