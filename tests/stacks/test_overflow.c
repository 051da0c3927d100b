/* Stack-overflow diagnosis: every overflow happens in a child process,
 * whose stderr and manner of death the parent checks.  Fibers on guarded,
 * arena and pooled stacks, named and unnamed, on a second thread, among
 * thousands of registered fibers, a raw context registered by hand; faults
 * that are not overflows go to the previous handler or the default action;
 * registrations end when fibers finish; input validation. */
#define _GNU_SOURCE 1
#include <fctx/context.h>
#include <fctx/fiber.h>
#include <fctx/stack_ext.h>

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "death.h"
#include "vg.h"

#ifndef FCTX_TEST_EMULATED
#  define FCTX_TEST_EMULATED 0 /* tests/stacks.cmake: 1 under an emulator */
#endif

#include "tool_env.h"


/* A signal that the kernel cannot deliver (SI_KERNEL) cannot be produced
 * under TSan, whose runtime intercepts signals and delivers asynchronous
 * ones at its own safe points, nor under valgrind, which builds signal
 * frames itself and, when one does not fit, kills the process with SIGSEGV
 * without calling any handler ("Can't extend stack ... during signal
 * delivery"): no SI_KERNEL signal ever reaches fctx there.  That case is
 * left out there, and says so.  NULL: it runs. */
static const char *kernel_case_not_run(void)
{
#ifdef UNDER_TSAN
    return "NOT RUN under TSan: it defers asynchronous signals";
#else
    if (RUNNING_ON_VALGRIND)
        return "NOT RUN under valgrind: it kills the process itself when a signal frame does "
               "not fit, no handler sees SI_KERNEL";
#  if defined(__arm__)
    if (FCTX_TEST_EMULATED) /* seen with Thumb code under qemu-arm 7.2 */
        return "NOT RUN under qemu-arm: it writes the signal frame itself, into the guard "
               "(a fault fctx reports as an overflow), no handler sees SI_KERNEL";
#  endif
    return NULL;
#endif
}

#if defined(__GNUC__) || defined(__clang__)
#  define NOINLINE __attribute__((noinline))
#else
#  define NOINLINE
#endif

static volatile unsigned sink;
static volatile unsigned never = 0xFFFFFFFFu; /* recursion "ends" here */

NOINLINE static unsigned bottomless(unsigned n)
{
    if (n == never)
        return 0;
    volatile char frame[256];
    frame[0] = (char)n;
    frame[255] = frame[0];
    sink = frame[255];
    return bottomless(n + 1) + frame[0]; /* not a tail call */
}

static fctx_fiber_t overflow_fn(fctx_fiber_t caller, void *data)
{
    (void)data;
    bottomless(0);
    return caller;
}

static fctx_fiber_t park_fn(fctx_fiber_t caller, void *data)
{
    (void)data;
    return fctx_fiber_resume(caller, NULL).fiber;
}

/* "stack [lo, hi)" as the handler prints it. */
static void expected_range(const fctx_stack_t *s, char *buf, size_t len)
{
    snprintf(buf, len, "stack [%#lx, %#lx) (%lu bytes)",
             (unsigned long)((uintptr_t)s->sp - s->size), (unsigned long)(uintptr_t)s->sp,
             (unsigned long)s->size);
}

/* In the child: run fiber `f` into its guard; print what the parent must
 * find first (the range), on stderr. */
static void overflow_in_child(const fctx_allocator_t *alloc, const char *name)
{
    if (fctx_overflow_handler_install(0) != 0)
        _Exit(3);
    fctx_stack_t s;
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.allocator = alloc;
    attr.stack_size = 64 * 1024;
    attr.name = name;
    attr.stack_out = &s;
    fctx_fiber_t f;
    if (fctx_fiber_create_ex(&f, &attr, overflow_fn) != 0)
        _Exit(4);
    char range[128];
    expected_range(&s, range, sizeof range);
    fprintf(stderr, "expect: %s\n", range);
    fflush(stderr);
    fctx_fiber_resume(f, NULL);
    _Exit(5); /* not reached */
}

/* The parent's side: died of SIGSEGV itself (the default action, not a
 * sanitizer's report), with our line naming the fiber and its range. */
static void check_report(const struct death *d, const char *name_part)
{
    if (d->signal != SIGSEGV || strstr(d->output, name_part) == NULL)
        fprintf(stderr, "child: signal %d, exit %d, output:\n%s\n", d->signal, d->exit_code,
                d->output);
    CHECK(d->signal == SIGSEGV);
    CHECK(strstr(d->output, "fctx: stack overflow in fiber ") != NULL);
    CHECK(strstr(d->output, name_part) != NULL);
    const char *exp = strstr(d->output, "expect: ");
    CHECK(exp != NULL);
    char range[128];
    size_t i = 0;
    for (exp += 8; *exp && *exp != '\n' && i + 1 < sizeof range; ++exp)
        range[i++] = *exp;
    range[i] = '\0';
    const char *line = strstr(d->output, "fctx: stack overflow");
    CHECK(line != NULL && strstr(line, range) != NULL); /* the very stack */
    CHECK(strstr(line, "guard [") != NULL);
    CHECK(strstr(line, "created at 0x") != NULL);
    /* The creating module, as dladdr() names it.  A statically linked test
     * (the i686 toolchain links them so: qemu-i386 hangs after fork() in
     * dynamic programs) has no module names for dladdr() to give. */
    Dl_info self;
    if (dladdr(&check_count, &self) != 0 && self.dli_fname != NULL)
        CHECK(strstr(line, "test_overflow") != NULL);
    else
        printf("  module name not checked: dladdr() names no module here (static executable)\n");
}

static void child_guarded(void)
{
    overflow_in_child(fctx_guarded_allocator(), "overflower");
}

static void child_unnamed(void)
{
    overflow_in_child(NULL, NULL);
}

static void child_arena(void)
{
    fctx_arena_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.stack_size = 64 * 1024;
    cfg.stacks_per_chunk = 8;
    fctx_arena_t *a;
    if (fctx_arena_create(&a, &cfg) != 0)
        _Exit(6);
    /* Neighbours on both sides, so the overflow runs toward a live slot. */
    fctx_fiber_t n1, n2;
    fctx_fiber_create(&n1, fctx_arena_allocator(a), 0, park_fn);
    fctx_fiber_create(&n2, fctx_arena_allocator(a), 0, park_fn);
    fctx_fiber_cancel(n2); /* its slot is reused next: n1 below, a fresh one above */
    overflow_in_child(fctx_arena_allocator(a), "arena fiber");
}

static void child_pooled(void)
{
    fctx_pool_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.stack_size = 64 * 1024;
    cfg.max_cached = 4;
    cfg.prefill = 2;
    fctx_pool_t *p;
    if (fctx_pool_create(&p, &cfg) != 0)
        _Exit(6);
    /* A stack that went round the pool once. */
    fctx_fiber_t f;
    fctx_fiber_create(&f, fctx_pool_allocator(p), 0, park_fn);
    fctx_fiber_resume(fctx_fiber_resume(f, NULL).fiber, NULL);
    overflow_in_child(fctx_pool_allocator(p), "pooled fiber");
}

static void test_overflow_reports(void)
{
    struct death d = run_in_child(child_guarded);
    check_report(&d, "fiber \"overflower\"");
    d = run_in_child(child_unnamed);
    check_report(&d, "fiber (unnamed)");
    d = run_in_child(child_arena);
    check_report(&d, "fiber \"arena fiber\"");
    d = run_in_child(child_pooled);
    check_report(&d, "fiber \"pooled fiber\"");
    printf("  %s", strstr(d.output, "fctx: stack overflow"));
}

/* ---- among many registered fibers, on another thread ---------------------- */

#define MANY 3000
static char names[MANY][24];
static int many = MANY; /* fewer under valgrind: slow per fiber */

static void *thread_overflow(void *arg)
{
    (void)arg;
    if (fctx_overflow_thread_init() != 0)
        _Exit(7);
    overflow_in_child(fctx_guarded_allocator(), names[many / 2]);
    return NULL;
}

static void child_many(void)
{
    if (fctx_overflow_handler_install(0) != 0)
        _Exit(3);
    static fctx_fiber_t f[MANY];
    for (int i = 0; i < many; ++i) {
        snprintf(names[i], sizeof names[i], "fiber-%d", i);
        fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
        attr.stack_size = 16 * 1024;
        attr.name = names[i];
        if (fctx_fiber_create_ex(&f[i], &attr, park_fn) != 0)
            _Exit(8);
    }
    for (int i = 0; i < many; i += 2) /* half finish: tombstones in the table */
        fctx_fiber_resume(fctx_fiber_resume(f[i], NULL).fiber, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, thread_overflow, NULL) != 0)
        _Exit(9);
    pthread_join(th, NULL);
    _Exit(10);
}

static void test_many_and_threads(void)
{
    if (RUNNING_ON_VALGRIND)
        many = 600;
    char expect[32];
    snprintf(expect, sizeof expect, "fiber \"fiber-%d\"", many / 2);
    struct death d = run_in_child(child_many);
    check_report(&d, expect);
}

/* ---- a raw context, registered by hand ------------------------------------- */

static void raw_entry(fctx_transfer_t t)
{
    (void)t;
    bottomless(0);
}

static void child_raw(void)
{
    if (fctx_overflow_handler_install(0) != 0)
        _Exit(3);
    fctx_stack_t s;
    if (fctx_stack_allocate(fctx_guarded_allocator(), 64 * 1024, &s) != 0)
        _Exit(4);
    if (fctx_overflow_register(&s, "raw context") != 0)
        _Exit(5);
    TEST_STACK_REGISTER((char *)s.sp - s.size, s.sp);
    char range[128];
    expected_range(&s, range, sizeof range);
    fprintf(stderr, "expect: %s\n", range);
    fflush(stderr);
    fctx_jump(fctx_make(s.sp, s.size, raw_entry), NULL);
    _Exit(6);
}

static void test_raw_context(void)
{
    struct death d = run_in_child(child_raw);
    check_report(&d, "fiber \"raw context\"");
}

/* ---- other faults ----------------------------------------------------------- */

static volatile int *volatile bad_pointer = (volatile int *)16;

static void child_null_deref(void)
{
    if (fctx_overflow_handler_install(0) != 0)
        _Exit(3);
    fctx_fiber_t f;
    fctx_fiber_create(&f, NULL, 0, park_fn); /* registered, not involved */
    *bad_pointer = 1;
    _Exit(4);
}

static void previous_handler(int sig)
{
    (void)sig;
    static const char msg[] = "previous handler ran\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _Exit(43);
    _Exit(42);
}

static void child_chained(void)
{
    signal(SIGSEGV, previous_handler);
    child_null_deref();
}

static void child_chained_overflow(void)
{
    signal(SIGSEGV, previous_handler);
    overflow_in_child(NULL, "chained");
}

static void test_other_faults(void)
{
    struct death d = run_in_child(child_null_deref);
    CHECK(died_of_segv(&d));
    CHECK(strstr(d.output, "stack overflow") == NULL);
    d = run_in_child(child_chained);
    /* (valgrind turns the exit status of a process with memcheck errors,
     * such as that deliberate bad write, into its --error-exitcode.) */
    CHECK(d.signal == 0 && (d.exit_code == 42 || (RUNNING_ON_VALGRIND && d.exit_code == 99)));
    CHECK(strstr(d.output, "previous handler ran") != NULL);
    CHECK(strstr(d.output, "stack overflow") == NULL);
    /* An overflow is still ours, and still kills (default action). */
    d = run_in_child(child_chained_overflow);
    check_report(&d, "fiber \"chained\"");
    CHECK(strstr(d.output, "previous handler ran") == NULL);
}

/* ---- every SIGSEGV/SIGBUS that is not a guard hit (issue 13) ----------------
 *
 * Sent (raise: SI_TKILL, kill: SI_USER, pthread_kill: SI_TKILL), from the
 * kernel when it cannot push a signal frame (SI_KERNEL, si_addr NULL: a
 * SIGUSR1 handler without SA_ONSTACK interrupts a thread a few hundred
 * bytes above its stack's guard), real faults outside every guard (SIGSEGV
 * SEGV_MAPERR, SIGBUS BUS_ADRERR), each on a registered fiber and off it:
 * with SIG_DFL before fctx the child dies of that signal; with a handler
 * before fctx that handler runs, with the right siginfo and mask, and fctx
 * stays installed (an overflow afterwards is still reported). */

enum kind { K_RAISE, K_KILL, K_PTHREAD_KILL, K_KERNEL, K_FAULT, K_BUS, K_COUNT };
static const char *const kind_name[K_COUNT] = {
    "raise (SI_TKILL)", "kill (SI_USER)", "pthread_kill (SI_TKILL)",
    "undeliverable signal (SI_KERNEL)", "fault outside guards (SEGV_MAPERR)",
    "SIGBUS fault (BUS_ADRERR)"};

static int g_kind;
static int g_on_fiber;
static int g_twice; /* trigger a second time (SA_RESETHAND) */
static volatile char *bus_addr;
static sigjmp_buf jb;
static volatile sig_atomic_t jb_armed;

static int kind_signal(int k)
{
    return k == K_BUS ? SIGBUS : SIGSEGV;
}

#define CREQ(c)                                                       \
    do {                                                              \
        if (!(c)) {                                                   \
            fprintf(stderr, "child line %d: %s\n", __LINE__, #c);    \
            _Exit(20);                                                \
        }                                                             \
    } while (0)

/* A page of a file mapping beyond the end of the (empty) file. */
static void make_bus_page(void)
{
    FILE *f = tmpfile();
    CREQ(f != NULL);
    void *p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED, fileno(f), 0);
    CREQ(p != MAP_FAILED);
    bus_addr = (volatile char *)p;
}

/* SI_KERNEL: spin with little stack left while another thread sends a
 * SIGUSR1 whose handler does not use the alternate stack. */
static atomic_int kr_ready, kr_stop;
static pthread_t kr_target;

static void usr1_handler(int sig)
{
    (void)sig;
    static const char msg[] = "SIGUSR1 handler ran\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _Exit(44);
}

static void *kr_sender(void *arg)
{
    (void)arg;
    struct timespec ms = {0, 1000000};
    while (!atomic_load(&kr_ready))
        nanosleep(&ms, NULL);
    pthread_kill(kr_target, SIGUSR1);
    struct timespec wait = {0, 300000000};
    nanosleep(&wait, NULL);
    atomic_store(&kr_stop, 1);
    return NULL;
}

NOINLINE static void descend(uintptr_t floor)
{
    volatile char pad[128];
    pad[0] = 1;
    /* The real frame (not ASan's fake stack): a few hundred bytes above
     * the guard, less than any signal frame. */
    if ((uintptr_t)__builtin_frame_address(0) > floor + 768) {
        descend(floor);
        sink += pad[0]; /* not a tail call */
        return;
    }
    atomic_store(&kr_ready, 1);
    while (!atomic_load(&kr_stop)) {
    }
}

static void kernel_case(uintptr_t floor)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = usr1_handler; /* no SA_ONSTACK */
    sigemptyset(&sa.sa_mask);
    CREQ(sigaction(SIGUSR1, &sa, NULL) == 0);
    atomic_store(&kr_ready, 0);
    atomic_store(&kr_stop, 0);
    kr_target = pthread_self();
    pthread_t th;
    CREQ(pthread_create(&th, NULL, kr_sender, NULL) == 0);
    descend(floor);
    pthread_join(th, NULL);
}

static uintptr_t fiber_floor;

static void trigger(void)
{
    switch (g_kind) {
    case K_RAISE:
        raise(SIGSEGV);
        break;
    case K_KILL:
        kill(getpid(), SIGSEGV);
        break;
    case K_PTHREAD_KILL:
        pthread_kill(pthread_self(), SIGSEGV);
        break;
    case K_KERNEL:
        kernel_case(fiber_floor);
        break;
    case K_FAULT:
        if (sigsetjmp(jb, 1) == 0) {
            jb_armed = 1;
            *bad_pointer = 1;
        }
        jb_armed = 0;
        break;
    case K_BUS:
        if (sigsetjmp(jb, 1) == 0) {
            jb_armed = 1;
            sink = (unsigned)bus_addr[0];
        }
        jb_armed = 0;
        break;
    }
}

static fctx_fiber_t trigger_fn(fctx_fiber_t caller, void *data)
{
    (void)data;
    trigger();
    if (g_twice)
        trigger();
    return caller;
}

/* Off a fiber, SI_KERNEL runs on a thread whose stack we know. */
static void *thread_kernel(void *arg)
{
    CREQ(fctx_overflow_thread_init() == 0);
    kernel_case((uintptr_t)arg);
    return NULL;
}

static void run_trigger(void)
{
    if (g_on_fiber) {
        fctx_stack_t s;
        fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
        attr.stack_size = 64 * 1024;
        attr.name = "trigger";
        attr.stack_out = &s;
        fctx_fiber_t f;
        CREQ(fctx_fiber_create_ex(&f, &attr, trigger_fn) == 0);
        CREQ(fctx_overflow_register(&s, "x") == EEXIST); /* a registered fiber */
        fiber_floor = (uintptr_t)s.sp - s.size;
        CREQ(fctx_fiber_resume(f, NULL).fiber == NULL);
        return;
    }
    if (g_kind == K_KERNEL) {
        size_t page = (size_t)sysconf(_SC_PAGESIZE), size = 256 * 1024;
        char *m = (char *)mmap(NULL, page + size, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CREQ(m != MAP_FAILED && mprotect(m, page, PROT_NONE) == 0);
        pthread_attr_t a;
        pthread_attr_init(&a);
        CREQ(pthread_attr_setstack(&a, m + page, size) == 0);
        pthread_t th;
        CREQ(pthread_create(&th, &a, thread_kernel, m + page) == 0);
        pthread_join(th, NULL);
        return;
    }
    trigger();
    if (g_twice)
        trigger();
}

/* With SIG_DFL before fctx: the child dies of the signal itself. */
static void child_default(void)
{
    signal(SIGSEGV, SIG_DFL); /* (no sanitizer's handler in between either) */
    signal(SIGBUS, SIG_DFL);
    if (g_kind == K_BUS)
        make_bus_page();
    CREQ(fctx_overflow_handler_install(0) == 0);
    run_trigger();
    fprintf(stderr, "survived\n");
    _Exit(50);
}

static volatile sig_atomic_t rec_count, rec_signo, rec_code, rec_usr2, rec_self;
static void *volatile rec_addr;
static volatile pid_t rec_pid;

static void recorder(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    rec_count = rec_count + 1;
    rec_signo = si->si_signo;
    rec_code = si->si_code;
    rec_addr = si->si_addr;
    rec_pid = si->si_pid;
    rec_usr2 = sigismember(&cur, SIGUSR2);
    rec_self = sigismember(&cur, sig);
    static const char msg[] = "recorder ran\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _Exit(45);
    if (jb_armed) {
        jb_armed = 0;
        siglongjmp(jb, 1); /* past the faulting instruction */
    }
}

static void plain_recorder(int sig)
{
    rec_count = rec_count + 1;
    rec_signo = sig;
    if (jb_armed) {
        jb_armed = 0;
        siglongjmp(jb, 1);
    }
}

enum prev { P_INFO, P_PLAIN, P_IGN, P_RESETHAND, P_NODEFER };
static int g_prev;

/* fctx is still what handles SIGSEGV and SIGBUS: an overflow is reported. */
static void still_installed(const struct sigaction *segv, const struct sigaction *bus)
{
    struct sigaction now_segv, now_bus;
    CREQ(sigaction(SIGSEGV, NULL, &now_segv) == 0 && sigaction(SIGBUS, NULL, &now_bus) == 0);
    CREQ(now_segv.sa_sigaction == segv->sa_sigaction && now_bus.sa_sigaction == bus->sa_sigaction);
    CREQ(fctx_overflow_enabled() == 1);
    fprintf(stderr, "passed on: ok\n");
    overflow_in_child(NULL, "still diagnosed");
}

static void child_previous(void)
{
    int sig = kind_signal(g_kind);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    if (g_prev == P_PLAIN) {
        sa.sa_handler = plain_recorder;
    } else if (g_prev == P_IGN) {
        sa.sa_handler = SIG_IGN;
    } else {
        sa.sa_sigaction = recorder;
        sa.sa_flags = SA_SIGINFO | (g_prev == P_RESETHAND ? SA_RESETHAND : 0) |
                      (g_prev == P_NODEFER ? SA_NODEFER : 0);
    }
    CREQ(sigaction(sig, &sa, NULL) == 0);
    if (g_kind == K_BUS)
        make_bus_page();
    CREQ(fctx_overflow_handler_install(0) == 0);
    /* The recorder siglongjmp()s from fctx's alternate signal stack back to
     * the stack that faulted: valgrind, which never saw SP move onto the
     * alternate stack (it puts signal frames there itself), takes that jump
     * for an unannounced stack switch unless both are known stacks. */
    stack_t alt;
    CREQ(sigaltstack(NULL, &alt) == 0 && !(alt.ss_flags & SS_DISABLE));
    TEST_STACK_REGISTER(alt.ss_sp, (char *)alt.ss_sp + alt.ss_size);
    struct sigaction fsegv, fbus;
    CREQ(sigaction(SIGSEGV, NULL, &fsegv) == 0 && sigaction(SIGBUS, NULL, &fbus) == 0);
    run_trigger();
    if (g_twice)
        _Exit(51); /* SA_RESETHAND: the second one must have killed us */
    if (g_prev == P_IGN) {
        CREQ(rec_count == 0);
        still_installed(&fsegv, &fbus);
    }
    CREQ(rec_count == 1);
    CREQ(rec_signo == sig);
    if (g_prev == P_PLAIN)
        still_installed(&fsegv, &fbus);
    static const int code[K_COUNT] = {SI_TKILL, SI_USER, SI_TKILL, SI_KERNEL, SEGV_MAPERR,
                                      BUS_ADRERR};
    if (rec_code != code[g_kind])
        fprintf(stderr, "si_code %d, expected %d\n", (int)rec_code, code[g_kind]);
    CREQ(rec_code == code[g_kind]);
#if defined(__s390x__) || defined(__s390__)
    /* s390 reports the faulting page, not the byte (the translation
     * exception identifies the page only). */
    if (g_kind == K_FAULT)
        CREQ((uintptr_t)rec_addr == ((uintptr_t)bad_pointer & ~(uintptr_t)4095));
#else
    if (g_kind == K_FAULT)
        CREQ(rec_addr == (void *)bad_pointer);
#endif
    /* qemu-user (i386, s390x) and valgrind report a SIGBUS past the end of a file
     * mapping with an si_addr of its own choosing; the kernel gives the
     * address that was read. */
    if (g_kind == K_BUS && !FCTX_TEST_EMULATED)
        CREQ(rec_addr == (void *)bus_addr);
    if (g_kind == K_KERNEL)
        CREQ(rec_addr == NULL);
    if (g_kind == K_RAISE || g_kind == K_KILL || g_kind == K_PTHREAD_KILL)
        CREQ(rec_pid == getpid());
    CREQ(rec_usr2 == 1);                           /* its sa_mask */
    CREQ(rec_self == (g_prev == P_NODEFER ? 0 : 1)); /* SA_NODEFER */
    still_installed(&fsegv, &fbus);
}

/* Died of `sig` itself; with a sanitizer in front of SIG_DFL (only where
 * the child does not reset it), its report counts too. */
static int died_of(const struct death *d, int sig)
{
    if (d->signal == sig && strstr(d->output, "stack overflow") == NULL &&
        strstr(d->output, "survived") == NULL)
        return 1;
    fprintf(stderr, "child: signal %d (expected %d), exit %d, output:\n%s\n", d->signal, sig,
            d->exit_code, d->output);
    return 0;
}

static int diagnosed_after(const struct death *d, const char *what)
{
    if (strstr(d->output, what) == NULL) {
        fprintf(stderr, "child: signal %d, exit %d, output:\n%s\n", d->signal, d->exit_code,
                d->output);
        return 0;
    }
    check_report(d, "fiber \"still diagnosed\"");
    return 1;
}

/* The child with a previous SA_SIGINFO handler.  qemu-user (seen once with
 * qemu-i386 7.2 on a loaded 2-core host, kill() on a fiber) can die itself
 * of the SIGSEGV the guest sends to itself: signal 11 and no output at all,
 * before any handler ran.  Under an emulator only, such a silent death is
 * run again, at most twice, and said; natively it fails at once. */
static struct death run_child_previous(void)
{
    struct death d = run_in_child(child_previous);
    for (int again = 0; FCTX_TEST_EMULATED && again < 2 && d.signal == SIGSEGV &&
                        d.output[0] == '\0';
         ++again) {
        printf(" [the emulator died without output: run again]");
        d = run_in_child(child_previous);
    }
    return d;
}

static void test_not_ours(void)
{
    for (int k = 0; k < K_COUNT; ++k) {
        for (int on = 0; on < 2; ++on) {
            g_kind = k;
            g_on_fiber = on;
            g_twice = 0;
            printf("  %s, %s fiber:", kind_name[k], on ? "on a" : "off any");
            if (k == K_KERNEL && kernel_case_not_run() != NULL) {
                printf(" %s\n", kernel_case_not_run());
                continue;
            }
            /* With SIG_DFL, fctx returns and the faulting load runs again.
             * valgrind keeps only SP and IP exact at a memory access (not
             * the other registers, without --vex-iropt-register-updates=
             * allregs-at-mem-access), so the load runs again from a stale
             * address register: not the page beyond the file's end, and not
             * SIGBUS.  (A stale pointer for the null-pointer write still
             * faults, with SIGSEGV as expected: that case runs.) */
            int dfl_runs = !(k == K_BUS && RUNNING_ON_VALGRIND);
            struct death d;
            if (dfl_runs) {
                d = run_in_child(child_default);
                CHECK(died_of(&d, kind_signal(k)));
            }
            g_prev = P_INFO;
            d = run_child_previous();
            CHECK(diagnosed_after(&d, "passed on: ok"));
            CHECK(strstr(d.output, "SIGUSR1 handler ran") == NULL);
            if (dfl_runs)
                printf(" default action kills, previous SA_SIGINFO handler called\n");
            else
                printf(" previous SA_SIGINFO handler called; default action NOT RUN under "
                       "valgrind: a faulting load re-executed after the handler returns uses "
                       "stale registers there\n");
        }
    }
    /* The previous handler's other flavours. */
    for (int on = 0; on < 2; ++on) {
        g_on_fiber = on;
        g_twice = 0;
        g_prev = P_PLAIN;
        g_kind = K_RAISE;
        struct death d = run_in_child(child_previous);
        CHECK(diagnosed_after(&d, "passed on: ok"));
        g_kind = K_FAULT;
        d = run_in_child(child_previous);
        CHECK(diagnosed_after(&d, "passed on: ok"));
        g_prev = P_NODEFER;
        g_kind = K_RAISE;
        d = run_in_child(child_previous);
        CHECK(diagnosed_after(&d, "passed on: ok"));
        /* SIG_IGN: a sent signal is ignored; a fault or SI_KERNEL cannot be. */
        g_prev = P_IGN;
        g_kind = K_KILL;
        d = run_in_child(child_previous);
        CHECK(diagnosed_after(&d, "passed on: ok"));
        g_kind = K_FAULT;
        d = run_in_child(child_previous);
        CHECK(died_of(&d, SIGSEGV));
        if (kernel_case_not_run() == NULL) {
            g_kind = K_KERNEL;
            d = run_in_child(child_previous);
            CHECK(died_of(&d, SIGSEGV));
        } else {
            printf("  SIG_IGN before fctx, undeliverable signal (SI_KERNEL), %s fiber: %s\n",
                   on ? "on a" : "off any", kernel_case_not_run());
        }
        /* SA_RESETHAND: called once, then the default action. */
        g_prev = P_RESETHAND;
        g_kind = K_RAISE;
        g_twice = 1;
        d = run_in_child(child_previous);
        CHECK(died_of(&d, SIGSEGV));
        CHECK(strstr(d.output, "recorder ran") != NULL);
        g_twice = 0;
    }
    printf("  plain handler, SA_NODEFER, SIG_IGN, SA_RESETHAND: as without fctx\n");
}

/* ---- registration: every descriptor validated, lookup bounded ------------ */

static void child_validation(void)
{
    CREQ(fctx_overflow_handler_install(0) == 0);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    fctx_stack_t s;
    CREQ(fctx_stack_allocate(fctx_guarded_allocator(), 64 * 1024, &s) == 0);
    fctx_stack_t b = s;
    b.base = NULL; /* "guard" [0, sp - size) */
    CREQ(fctx_overflow_register(&b, "x") == EINVAL);
    b.base = (void *)(uintptr_t)(page - 16); /* the first page */
    CREQ(fctx_overflow_register(&b, "x") == EINVAL);
    b.base = (char *)s.sp - s.size; /* no guard */
    CREQ(fctx_overflow_register(&b, "x") == EINVAL);
    b.base = (char *)s.sp - s.size + page; /* above the stack's bottom */
    CREQ(fctx_overflow_register(&b, "x") == EINVAL);
    b = s;
    b.size = 0;
    CREQ(fctx_overflow_register(&b, "x") == EINVAL);
    CREQ(fctx_overflow_unregister(&b) == EINVAL);
    b = s;
    b.sp = NULL;
    CREQ(fctx_overflow_register(&b, "x") == EINVAL);
    b = s;
    b.size = (uintptr_t)s.sp + 1;
    CREQ(fctx_overflow_register(&b, "x") == EINVAL);
    /* Overlaps. */
    CREQ(fctx_overflow_register(&s, "s") == 0);
    b = s;
    b.size -= page; /* same guard start, larger guard */
    CREQ(fctx_overflow_register(&b, "x") == EEXIST);
    b = s;
    b.base = (char *)s.sp - page; /* a guard inside s's stack */
    b.sp = (char *)s.sp + page;
    b.size = page / 2;
    CREQ(fctx_overflow_register(&b, "x") == EEXIST);
    CREQ(fctx_overflow_unregister(&s) == 0);
    CREQ(fctx_stack_deallocate(fctx_guarded_allocator(), &s) == 0);
    _Exit(0);
}

/* A guard that spans almost the whole address space below a stack: a fault
 * just below it (a null-pointer write) and one inside it are told apart
 * at once (the old handler probed one page at a time). */
static volatile char *resv;

static void register_huge(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    CREQ(fctx_overflow_handler_install(0) == 0);
    resv = (volatile char *)mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CREQ(resv != MAP_FAILED && (uintptr_t)resv > 32 * page);
    static fctx_stack_t huge;
    huge.base = (void *)(uintptr_t)(16 * page);
    huge.sp = (char *)resv + 2 * page;
    huge.size = page;
    CREQ(fctx_overflow_register(&huge, "huge guard") == 0);
    fprintf(stderr, "expect: stack [%#lx, %#lx) (%lu bytes)\n",
            (unsigned long)((uintptr_t)resv + page), (unsigned long)((uintptr_t)resv + 2 * page),
            (unsigned long)page);
    alarm(20); /* SIGALRM if a lookup hangs */
}

static void child_huge_outside(void)
{
    register_huge();
    *bad_pointer = 1; /* 16: below the guard */
    _Exit(4);
}

static void child_huge_inside(void)
{
    register_huge();
    resv[0] = 1;
    _Exit(4);
}

static void test_validation_and_bounded_lookup(void)
{
    struct death d = run_in_child(child_validation);
    if (d.exit_code != 0 || d.signal != 0)
        fprintf(stderr, "%s", d.output);
    CHECK(d.signal == 0 && d.exit_code == 0);
    d = run_in_child(child_huge_outside);
    CHECK(died_of_segv(&d) && strstr(d.output, "stack overflow") == NULL);
    d = run_in_child(child_huge_inside);
    check_report(&d, "fiber \"huge guard\"");
}

/* ---- the registry never lies right below a stack --------------------------
 * Writes where a frame that jumps the first fiber's guard would land.  That
 * memory must be inaccessible (the child dies of SIGSEGV, not reported as
 * an overflow) or, if it is accessible, not hold the registry: all 300
 * registrations survive. */
#define NREG 300

static void child_below_guard(void)
{
    CREQ(fctx_overflow_handler_install(0) == 0);
    static fctx_stack_t st[NREG];
    static fctx_fiber_t f[NREG];
    for (int i = 0; i < NREG; ++i) {
        fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
        attr.stack_out = &st[i];
        CREQ(fctx_fiber_create_ex(&f[i], &attr, park_fn) == 0);
    }
    fprintf(stderr, "writing below the first guard\n");
    volatile char *below = (volatile char *)st[0].base;
    for (int i = 1; i <= 16 * 1024; ++i)
        below[-i] = 0;
    int lost = 0;
    for (int i = 0; i < NREG; ++i)
        lost += fctx_overflow_register(&st[i], "x") != EEXIST;
    fprintf(stderr, "%d of %d registrations lost\n", lost, NREG);
    _Exit(lost ? 30 : 0);
}

static void test_registry_not_below_a_stack(void)
{
    struct death d = run_in_child(child_below_guard);
    char all_kept[64];
    snprintf(all_kept, sizeof all_kept, "0 of %d registrations lost", NREG);
    /* (Under valgrind that memory can be its client heap arena: memcheck
     * reports the deliberate writes and turns the exit status into its
     * --error-exitcode, so the child's own verdict is read from its output.) */
    int ok = (d.signal == 0 && d.exit_code == 0) ||
             (RUNNING_ON_VALGRIND && d.signal == 0 && d.exit_code == 99 &&
              strstr(d.output, all_kept) != NULL) ||
             (died_of_segv(&d) && strstr(d.output, "stack overflow") == NULL &&
              strstr(d.output, "writing below") != NULL);
    if (!ok)
        fprintf(stderr, "child: signal %d, exit %d, output:\n%s\n", d.signal, d.exit_code,
                d.output);
    CHECK(ok);
    printf("  below the first fiber's guard: %s\n",
           d.signal ? "inaccessible (SIGSEGV)" : "not the registry");
}

/* ---- API: validation and registration lifetime (in a child: installing
 * the handler is process-wide) ---------------------------------------------- */

static void child_api(void)
{
#define REQUIRE(c)            \
    do {                      \
        if (!(c)) {           \
            fprintf(stderr, "line %d: %s\n", __LINE__, #c); \
            _Exit(20);        \
        }                     \
    } while (0)
    REQUIRE(fctx_overflow_enabled() == 0);
    REQUIRE(fctx_overflow_handler_install(1) == EINVAL);
    REQUIRE(fctx_overflow_enabled() == 0);
    fctx_stack_t s, fixed;
    REQUIRE(fctx_stack_allocate(fctx_guarded_allocator(), 0, &s) == 0);
    REQUIRE(fctx_stack_allocate(fctx_fixed_allocator(), 0, &fixed) == 0);
    REQUIRE(fctx_overflow_register(NULL, "x") == EINVAL);
    REQUIRE(fctx_overflow_register(&fixed, "x") == EINVAL); /* no guard */
    REQUIRE(fctx_overflow_unregister(NULL) == EINVAL);
    REQUIRE(fctx_overflow_unregister(&s) == ENOENT);
    REQUIRE(fctx_overflow_register(&s, "x") == 0);
    REQUIRE(fctx_overflow_register(&s, "x") == EEXIST);
    REQUIRE(fctx_overflow_unregister(&s) == 0);
    REQUIRE(fctx_overflow_unregister(&s) == ENOENT);

    /* Before installing, fibers are not registered... */
    fctx_stack_t fs;
    fctx_fiber_attr_t attr = FCTX_FIBER_ATTR_INIT;
    attr.stack_out = &fs;
    fctx_fiber_t f;
    REQUIRE(fctx_fiber_create_ex(&f, &attr, park_fn) == 0);
    REQUIRE(fctx_overflow_unregister(&fs) == ENOENT);
    REQUIRE(fctx_fiber_cancel(f).fiber == NULL);
    /* ...after, they are, until they finish. */
    REQUIRE(fctx_overflow_handler_install(0) == 0);
    REQUIRE(fctx_overflow_handler_install(0) == 0); /* idempotent */
    REQUIRE(fctx_overflow_enabled() == 1);
    REQUIRE(fctx_fiber_create_ex(&f, &attr, park_fn) == 0);
    REQUIRE(fctx_overflow_register(&fs, "again") == EEXIST);
    f = fctx_fiber_resume(f, NULL).fiber;
    REQUIRE(fctx_fiber_resume(f, NULL).fiber == NULL); /* finished */
    REQUIRE(fctx_overflow_unregister(&fs) == ENOENT);
    /* A fiber on a stack without guard is simply not registered. */
    attr.allocator = fctx_fixed_allocator();
    REQUIRE(fctx_fiber_create_ex(&f, &attr, park_fn) == 0);
    REQUIRE(fctx_overflow_unregister(&fs) == ENOENT);
    REQUIRE(fctx_fiber_cancel(f).fiber == NULL);
    /* The alternate signal stack: present, at least the run-time minimum. */
    stack_t ss;
    REQUIRE(sigaltstack(NULL, &ss) == 0 && !(ss.ss_flags & SS_DISABLE));
    long min = sysconf(_SC_MINSIGSTKSZ);
    REQUIRE(ss.ss_size >= (size_t)(min > 0 ? min : MINSIGSTKSZ));
    fctx_stack_deallocate(fctx_guarded_allocator(), &s);
    fctx_stack_deallocate(fctx_fixed_allocator(), &fixed);
    _Exit(0);
}

static void test_api(void)
{
    struct death d = run_in_child(child_api);
    if (d.exit_code != 0)
        fprintf(stderr, "%s", d.output);
    CHECK(d.signal == 0 && d.exit_code == 0);
}

int main(void)
{
    RUN(test_api);
    RUN(test_overflow_reports);
    RUN(test_many_and_threads);
    RUN(test_raw_context);
    RUN(test_other_faults);
    RUN(test_not_ours);
    RUN(test_validation_and_bounded_lookup);
    RUN(test_registry_not_below_a_stack);
    return 0;
}
