/*
 * posix/overflow.c - stack-overflow diagnosis (fctx/stack_ext.h).
 *
 * Registry: an open-addressing hash table keyed by a stack's lowest usable
 * address (= the top of its guard region).  Writers (fiber creation and
 * release, only while diagnosis is on) take a mutex; the signal handler
 * reads without locks: an entry's fields are written before its key is
 * published (release), a lookup checks the key again after reading them,
 * and a grown table replaces the old one with one atomic store.  The old
 * table is freed only when no handler is reading (a reader count; the
 * handler never waits, so it cannot deadlock against a writer).
 *
 * Handler: SIGSEGV/SIGBUS, SA_ONSTACK (a fiber that overflowed has no stack
 * left to run a handler on).  For a fault inside a registered guard it
 * prints one line with async-signal-safe code only (no stdio, no malloc),
 * sets the default action and returns: the faulting instruction runs again
 * and the process dies of the original signal, with a core dump if enabled.
 * Any other fault is passed to the previously installed handler.
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
#if defined(__linux__)
#  include <sys/auxv.h>
#endif

#include "../internal.h"
#include "../stacks_internal.h"

#ifndef AT_MINSIGSTKSZ
#  define AT_MINSIGSTKSZ 51
#endif

atomic_int fctx_internal_overflow_active;

/* ---- registry ------------------------------------------------------------ */

#define KEY_EMPTY ((uintptr_t)0)
#define KEY_DEAD ((uintptr_t)1) /* tombstone */

struct entry {
    _Atomic(uintptr_t) key; /* lowest usable address of the stack */
    uintptr_t guard_lo;     /* guard region [guard_lo, key) */
    uintptr_t stack_hi;     /* stack [key, stack_hi) */
    const char *name;
    const void *site;       /* creation site (return address), or NULL */
    const char *site_file;  /* from dladdr() at registration, or NULL */
    uintptr_t site_base;
    const char *site_sym;
};

struct table {
    size_t cap; /* power of two */
    struct entry e[];
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(struct table *) reg_table;
static atomic_int reg_readers;        /* handlers inside a lookup */
static atomic_size_t reg_max_guard;   /* largest registered guard, bytes */
static size_t reg_live, reg_dead;     /* guarded by reg_lock */

static size_t hash(uintptr_t key, size_t cap)
{
    uint64_t h = (uint64_t)(key >> 12) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (cap - 1);
}

static struct table *table_new(size_t cap)
{
    size_t bytes = sizeof(struct table) + cap * sizeof(struct entry);
    /* mmap: zeroed, and unmapped as a whole when replaced. */
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    struct table *t = (struct table *)p;
    t->cap = cap;
    return t;
}

static void table_free(struct table *t)
{
    munmap(t, sizeof(struct table) + t->cap * sizeof(struct entry));
}

/* Insert into a table nobody else writes (reg_lock held). */
static void table_put(struct table *t, const struct entry *src, uintptr_t key)
{
    size_t i = hash(key, t->cap);
    for (;;) {
        uintptr_t k = atomic_load_explicit(&t->e[i].key, memory_order_relaxed);
        if (k == KEY_EMPTY || k == KEY_DEAD) {
            struct entry *d = &t->e[i];
            d->guard_lo = src->guard_lo;
            d->stack_hi = src->stack_hi;
            d->name = src->name;
            d->site = src->site;
            d->site_file = src->site_file;
            d->site_base = src->site_base;
            d->site_sym = src->site_sym;
            atomic_store_explicit(&d->key, key, memory_order_release);
            return;
        }
        i = (i + 1) & (t->cap - 1);
    }
}

static struct entry *table_find(struct table *t, uintptr_t key)
{
    size_t i = hash(key, t->cap);
    for (size_t n = 0; n < t->cap; ++n) {
        uintptr_t k = atomic_load_explicit(&t->e[i].key, memory_order_acquire);
        if (k == key)
            return &t->e[i];
        if (k == KEY_EMPTY)
            return NULL;
        i = (i + 1) & (t->cap - 1);
    }
    return NULL;
}

/* Make room for one more entry (reg_lock held): grow, or rehash away
 * tombstones, keeping the load (live + dead) at most 1/2. */
static int reserve_one(void)
{
    struct table *t = atomic_load_explicit(&reg_table, memory_order_relaxed);
    if (t != NULL && (reg_live + reg_dead + 1) * 2 <= t->cap)
        return 0;
    size_t cap = t ? t->cap : 1024;
    while ((reg_live + 1) * 4 > cap)
        cap *= 2;
    struct table *n = table_new(cap);
    if (n == NULL)
        return ENOMEM;
    if (t != NULL) {
        for (size_t i = 0; i < t->cap; ++i) {
            uintptr_t k = atomic_load_explicit(&t->e[i].key, memory_order_relaxed);
            if (k != KEY_EMPTY && k != KEY_DEAD)
                table_put(n, &t->e[i], k);
        }
    }
    atomic_store_explicit(&reg_table, n, memory_order_release);
    reg_dead = 0;
    if (t != NULL) {
        /* A handler may still be reading the old table (a crash on another
         * thread): it never blocks, so waiting for it terminates. */
        while (atomic_load_explicit(&reg_readers, memory_order_acquire) != 0)
            sched_yield();
        table_free(t);
    }
    return 0;
}

static int add(const fctx_stack_t *s, const char *name, const void *site)
{
    uintptr_t bottom = (uintptr_t)s->sp - s->size;
    uintptr_t lo = (uintptr_t)s->base;
    if (lo >= bottom)
        return EINVAL; /* no guard region below the stack */
    struct entry e;
    memset(&e, 0, sizeof e);
    e.guard_lo = lo;
    e.stack_hi = (uintptr_t)s->sp;
    e.name = name;
    e.site = site;
    Dl_info info;
    if (site != NULL && dladdr(site, &info) != 0) {
        e.site_file = info.dli_fname;
        e.site_base = (uintptr_t)info.dli_fbase;
        e.site_sym = info.dli_sname;
    }
    pthread_mutex_lock(&reg_lock);
    struct table *t = atomic_load_explicit(&reg_table, memory_order_relaxed);
    int err = t != NULL && table_find(t, bottom) != NULL ? EEXIST : reserve_one();
    if (!err) {
        table_put(atomic_load_explicit(&reg_table, memory_order_relaxed), &e, bottom);
        ++reg_live;
        if (bottom - lo > atomic_load_explicit(&reg_max_guard, memory_order_relaxed))
            atomic_store_explicit(&reg_max_guard, bottom - lo, memory_order_relaxed);
    }
    pthread_mutex_unlock(&reg_lock);
    return err;
}

static int remove_key(uintptr_t bottom)
{
    int err = ENOENT;
    pthread_mutex_lock(&reg_lock);
    struct table *t = atomic_load_explicit(&reg_table, memory_order_relaxed);
    struct entry *e = t ? table_find(t, bottom) : NULL;
    if (e != NULL) {
        atomic_store_explicit(&e->key, KEY_DEAD, memory_order_release);
        --reg_live;
        ++reg_dead;
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
    remove_key((uintptr_t)s->sp - s->size);
}

int fctx_overflow_register(const fctx_stack_t *stack, const char *name)
{
    if (stack == NULL || stack->sp == NULL || stack->size == 0 ||
        stack->size > (uintptr_t)stack->sp)
        return EINVAL;
    return add(stack, name, FCTX_CALLER());
}

int fctx_overflow_unregister(const fctx_stack_t *stack)
{
    if (stack == NULL || stack->sp == NULL || stack->size > (uintptr_t)stack->sp)
        return EINVAL;
    return remove_key((uintptr_t)stack->sp - stack->size);
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
static atomic_int installed;

/* Look `addr` up: the guard containing it lies below a registered key.
 * Copies the entry out (it may be recycled once we stop reading). */
static int lookup(uintptr_t addr, struct entry *out)
{
    int found = 0;
    atomic_fetch_add_explicit(&reg_readers, 1, memory_order_acq_rel);
    struct table *t = atomic_load_explicit(&reg_table, memory_order_acquire);
    size_t page = fctx_stack_traits()->page_size;
    size_t span = atomic_load_explicit(&reg_max_guard, memory_order_relaxed);
    if (t != NULL) {
        uintptr_t first = (addr & ~(uintptr_t)(page - 1)) + page;
        for (uintptr_t key = first; key - first <= span && key > addr; key += page) {
            struct entry *e = table_find(t, key);
            if (e == NULL)
                continue;
            struct entry copy;
            copy.guard_lo = e->guard_lo;
            copy.stack_hi = e->stack_hi;
            copy.name = e->name;
            copy.site = e->site;
            copy.site_file = e->site_file;
            copy.site_base = e->site_base;
            copy.site_sym = e->site_sym;
            if (atomic_load_explicit(&e->key, memory_order_acquire) == key &&
                copy.guard_lo <= addr && addr < key) {
                *out = copy;
                atomic_store_explicit(&out->key, key, memory_order_relaxed);
                found = 1;
            }
            break;
        }
    }
    atomic_fetch_sub_explicit(&reg_readers, 1, memory_order_acq_rel);
    return found;
}

static void report(uintptr_t addr, const struct entry *e)
{
    struct out o;
    o.n = 0;
    uintptr_t bottom = atomic_load_explicit(&e->key, memory_order_relaxed);
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
    put_hex(&o, bottom);
    put(&o, "), stack [");
    put_hex(&o, bottom);
    put(&o, ", ");
    put_hex(&o, e->stack_hi);
    put(&o, ") (");
    put_dec(&o, e->stack_hi - bottom);
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

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    int saved_errno = errno;
    struct entry e;
    if (si != NULL && (sig == SIGSEGV || sig == SIGBUS) &&
        lookup((uintptr_t)si->si_addr, &e)) {
        report((uintptr_t)si->si_addr, &e);
        /* Die of this very fault: default action, then the instruction
         * runs again. */
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        errno = saved_errno;
        return;
    }
    /* Not ours: whatever was there before. */
    const struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
    errno = saved_errno;
    if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction != NULL) {
        old->sa_sigaction(sig, si, uc);
    } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
    } else {
        signal(sig, SIG_DFL); /* re-executes and dies as it would have */
    }
}

/* ---- alternate signal stacks ----------------------------------------------- */

static pthread_key_t altstack_key;
static pthread_once_t altstack_once = PTHREAD_ONCE_INIT;

static size_t altstack_size(void)
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
    if (v < (long)MINSIGSTKSZ)
        v = (long)MINSIGSTKSZ;
    /* The kernel's signal frame plus the handler: a lookup, a 1 KiB line
     * buffer, write(), and whatever a chained handler needs. */
    size_t page = fctx_stack_traits()->page_size;
    return ((size_t)v + 32 * 1024 + page - 1) & ~(page - 1);
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

int fctx_overflow_enabled(void)
{
    return atomic_load(&installed);
}
