/*
 * What every sampling profiler does: a SIGPROF handler calls glibc's
 * backtrace() (libgcc's DWARF unwinder) wherever the timer interrupts the
 * program - here, during a storm of fctx_jump/fctx_ontop switches between
 * main and a context.  Main's side runs frame-pointer frames (the file is
 * built with -fno-omit-frame-pointer: each caller's CFA is computed from
 * ebp/rbp); the context switches through junk_fp_jump, which - like any
 * code built without frame pointers - keeps an unrelated value in the
 * frame-pointer register during its call.  The unwinder evaluates the CFI
 * of the switch at whatever instruction the signal hit; if a rule there is
 * wrong (a callee-saved register not described after the stack switch, so
 * main's frames are walked with the context's ebp; a return address below
 * the stack pointer, which the signal frame has overwritten), it reads
 * garbage and the process dies (issue 18: i686, 3 of 3 runs).
 * Bounded: ~2 s of switching.  SIGPROF comes from ITIMER_PROF, as in a
 * profiler, which the kernel fires at its tick rate at most (~250/s), and
 * from a CLOCK_MONOTONIC POSIX timer every 100 us (high-resolution: ~40
 * times as many samples, so a bad rule a few instructions wide is hit in
 * every run, not in most).  The samples are counted and at least one is
 * required, so a timer that never fires cannot pass.
 */
#define _GNU_SOURCE /* setitimer, sigaction, backtrace (glibc) */
#include <fctx/context.h>

#include "check.h"

#include <execinfo.h>
#include <fenv.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define STACK_SIZE (256 * 1024) /* the handler and the unwinder run here too */

static char stack[STACK_SIZE] __attribute__((aligned(64)));
static volatile sig_atomic_t samples, deep_samples;
static volatile unsigned long sink;

static void on_sigprof(int sig)
{
    void *frames[64];
    (void)sig;
    int n = backtrace(frames, 64);
    ++samples;
    if (n >= 3) /* handler, signal trampoline, interrupted code */
        ++deep_samples;
}

/* The context's side: entry -> ctx_outer -> ctx_inner -> junk_fp_jump ->
 * the switch.  Non-static and noinline: real frames. */
void ctx_inner(fctx_transfer_t *t);
void ctx_outer(fctx_transfer_t *t);
void storm_entry(fctx_transfer_t t);
void main_inner(fctx_t *c, unsigned long i);
fctx_transfer_t storm_ontop(fctx_transfer_t t);

/*
 * void junk_fp_jump(fctx_transfer_t *out, fctx_t to, void *data,
 *                   fctx_jump_fn jump):  *out = jump(to, data), called with
 * the frame-pointer register holding JUNK_FP (an address nothing is mapped
 * at), restored afterwards; its own CFA is stack-pointer based and its CFI
 * exact, as a compiler's would be.  The jump is called through a pointer:
 * no PLT, so no GOT register is needed on i386.
 */
typedef fctx_transfer_t (*fctx_jump_fn)(fctx_t, void *);
void junk_fp_jump(fctx_transfer_t *out, fctx_t to, void *data, fctx_jump_fn jump);
#if defined(__CET__) && (__CET__ & 1) && defined(__x86_64__)
#  define ENDBR "endbr64\n"
#elif defined(__CET__) && (__CET__ & 1)
#  define ENDBR "endbr32\n"
#else
#  define ENDBR ""
#endif
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl junk_fp_jump\n"
        ".type junk_fp_jump, @function\n"
        "junk_fp_jump:\n"
        ".cfi_startproc\n"
        ENDBR
        "pushq %rbp\n"
        ".cfi_adjust_cfa_offset 8\n"
        ".cfi_offset rbp, -16\n"
        "pushq %rbx\n"
        ".cfi_adjust_cfa_offset 8\n"
        ".cfi_offset rbx, -24\n"
        "subq $8, %rsp\n" /* rsp 16-byte aligned at the call */
        ".cfi_adjust_cfa_offset 8\n"
        "movq %rdi, %rbx\n" /* out */
        "movq %rsi, %rdi\n" /* to */
        "movq %rdx, %rsi\n" /* data */
        "movl $16, %ebp\n"  /* JUNK_FP */
        "call *%rcx\n"
        "movq %rax, 0(%rbx)\n"
        "movq %rdx, 8(%rbx)\n"
        "addq $8, %rsp\n"
        ".cfi_adjust_cfa_offset -8\n"
        "popq %rbx\n"
        ".cfi_adjust_cfa_offset -8\n"
        ".cfi_restore rbx\n"
        "popq %rbp\n"
        ".cfi_adjust_cfa_offset -8\n"
        ".cfi_restore rbp\n"
        "ret\n"
        ".cfi_endproc\n"
        ".size junk_fp_jump, . - junk_fp_jump\n");
#elif defined(__i386__)
__asm__(".text\n"
        ".globl junk_fp_jump\n"
        ".type junk_fp_jump, @function\n"
        "junk_fp_jump:\n"
        ".cfi_startproc\n"
        ENDBR
        "pushl %ebp\n"
        ".cfi_adjust_cfa_offset 4\n"
        ".cfi_offset ebp, -8\n"
        "subl $12, %esp\n" /* esp 16-byte aligned at the call */
        ".cfi_adjust_cfa_offset 12\n"
        "movl 20(%esp), %eax\n" /* out: the hidden result pointer */
        "movl %eax, 0(%esp)\n"
        "movl 24(%esp), %eax\n" /* to */
        "movl %eax, 4(%esp)\n"
        "movl 28(%esp), %eax\n" /* data */
        "movl %eax, 8(%esp)\n"
        "movl 32(%esp), %ecx\n" /* jump */
        "movl $16, %ebp\n"      /* JUNK_FP */
        "call *%ecx\n"
        ".cfi_adjust_cfa_offset -4\n" /* the callee popped the hidden pointer */
        "addl $8, %esp\n"
        ".cfi_adjust_cfa_offset -8\n"
        "popl %ebp\n"
        ".cfi_adjust_cfa_offset -4\n"
        ".cfi_restore ebp\n"
        "ret\n"
        ".cfi_endproc\n"
        ".size junk_fp_jump, . - junk_fp_jump\n");
#else
#  error "x86 only (registered for the x86 targets)"
#endif

__attribute__((noinline)) void ctx_inner(fctx_transfer_t *t)
{
    junk_fp_jump(t, t->ctx, t->data, fctx_jump);
    sink++;
}

__attribute__((noinline)) void ctx_outer(fctx_transfer_t *t)
{
    ctx_inner(t);
    sink++;
}

/* The context changes its rounding mode every 64 round trips, so that the
 * switches also run, and are sampled in, their out-of-line paths that load
 * the FP control registers (the modes differ from main's). */
__attribute__((noinline)) void storm_entry(fctx_transfer_t t)
{
    for (unsigned long n = 0;; ++n) {
        fesetround((n & 64) ? FE_UPWARD : FE_TONEAREST);
        ctx_outer(&t);
    }
}

__attribute__((noinline)) fctx_transfer_t storm_ontop(fctx_transfer_t t)
{
    sink++;
    return t;
}

/* Main's side: alternately a plain jump and an ontop into the context. */
__attribute__((noinline)) void main_inner(fctx_t *c, unsigned long i)
{
    fctx_transfer_t t = (i & 1) ? fctx_ontop(*c, (void *)i, storm_ontop)
                                : fctx_jump(*c, (void *)i);
    CHECK(t.data == (void *)i);
    *c = t.ctx;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    /* The first backtrace() may load libgcc_s (not async-signal-safe):
       do it here, not in the handler. */
    void *warm[4];
    CHECK(backtrace(warm, 4) > 0);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigprof;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGPROF, &sa, NULL) == 0);

    /* 100 us: the kernel delivers at its tick rate at most. */
    struct itimerval it = {{0, 100}, {0, 100}};
    CHECK(setitimer(ITIMER_PROF, &it, NULL) == 0);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGPROF;
    timer_t fast;
    CHECK(timer_create(CLOCK_MONOTONIC, &sev, &fast) == 0);
    struct itimerspec fast_it = {{0, 100000}, {0, 100000}};
    CHECK(timer_settime(fast, 0, &fast_it, NULL) == 0);

    fctx_t c = fctx_make(stack + sizeof stack, sizeof stack, storm_entry);
    unsigned long i = 0;
    double start = now();
    while (now() - start < 2.0) {
        for (unsigned long k = 0; k < 100000; ++k, ++i)
            main_inner(&c, i);
    }

    struct itimerval off = {{0, 0}, {0, 0}};
    CHECK(setitimer(ITIMER_PROF, &off, NULL) == 0);
    CHECK(timer_delete(fast) == 0);
    printf("%lu switches, %d samples (%d with >= 3 frames)\n", 2 * i, (int)samples,
           (int)deep_samples);
    CHECK(samples > 0);
    CHECK(deep_samples > 0);
    return 0;
}
