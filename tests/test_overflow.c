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
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "death.h"
#include "vg.h"

#if defined(__has_include)
#  if __has_include(<valgrind/valgrind.h>)
#    include <valgrind/valgrind.h>
#  endif
#endif
#ifndef RUNNING_ON_VALGRIND
#  define RUNNING_ON_VALGRIND 0
#endif

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
    fctx_arena_config_t cfg = {64 * 1024, 8, 0};
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
    fctx_pool_config_t cfg = {NULL, 64 * 1024, 4, 2};
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
    return 0;
}
