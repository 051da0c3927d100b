/*
 * aco_baseline.c - the libaco baseline of the shared-stack cases (bench.c,
 * groups "shared" and "sharedfp"), built only when FCTX_BENCH_LIBACO_DIR
 * names a libaco checkout (bench/CMakeLists.txt); nothing of libaco is part
 * of fctx.
 *
 * libaco switches only between the main coroutine and another one
 * (aco_resume from main, aco_yield back), and copies at a resume whose
 * target is not its share stack's owner.  So:
 *   aco_alone      one coroutine alone on its share stack: never a copy;
 *   aco_pair_L     two coroutines on one share stack, resumed in turn by
 *                  main, each with L bytes of live locals (a volatile array
 *                  touched every round): a swap at every resume;
 *   aco_*_fp_*     the same with the FP states of bench.h;
 *   aco_create     create + first resume + finish.
 * A message travels in the state (msg): the coroutine answers what it got,
 * main checks it, as the fctx cases check their transfers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aco.h"
#include "bench.h"

static aco_t *main_co; /* this thread's main coroutine, made once */

static int aco_ready(void)
{
    if (main_co == NULL) {
        aco_thread_init(NULL);
        main_co = aco_create(NULL, NULL, 0, NULL, NULL);
    }
    return main_co != NULL ? 0 : ENOMEM;
}

static const char aco_stop_token = 0;
#define ACO_STOP ((void *)&aco_stop_token)
#define ACO_STACK (64u * 1024u) /* as bench.c's PINGPONG_STACK */

struct aco_state {
    aco_share_stack_t *ss;
    aco_t *a, *b;
    void *msg; /* main -> coroutine and back */
    const char *id;
    enum bench_fp_state st;
    struct bench_fp_side main_side, peer;
};

/* Bytes held by a swapped-out coroutine, for bench.c's notes. */
static struct {
    const char *id;
    size_t bytes;
} notes[8];
static unsigned n_notes;

void bench_aco_notes(void)
{
    printf("- libaco, bytes saved per swapped-out coroutine (save_stack.valid_sz):");
    for (unsigned i = 0; i < n_notes; ++i)
        printf("%s %s %zu", i ? "," : "", notes[i].id, notes[i].bytes);
    printf("\n");
}

#define DEFINE_ACO_ECHO(LIVE)                                                                \
    static void aco_echo_##LIVE(void)                                                       \
    {                                                                                       \
        struct aco_state *s = aco_get_arg();                                                \
        volatile unsigned char live[LIVE + 1];                                              \
        live[0] = 0;                                                                        \
        while (s->msg != ACO_STOP) {                                                        \
            live[LIVE] = live[0]; /* touched every round */                                 \
            live[0] = (unsigned char)(uintptr_t)s->msg;                                     \
            aco_yield(); /* msg stays: the answer */                                        \
        }                                                                                   \
        aco_exit();                                                                         \
    }
DEFINE_ACO_ECHO(0)
DEFINE_ACO_ECHO(192)
DEFINE_ACO_ECHO(768)
DEFINE_ACO_ECHO(3072)

/* The FP-state echo: tokens as bench.h says, one multiplication per data. */
static void aco_fp_echo(void)
{
    struct aco_state *s = aco_get_arg();
    while (s->msg != ACO_STOP) {
        if (bench_fp_is_token(s->msg))
            s->msg = bench_fp_peer_token(s->st, s->msg);
        else
            bench_fp_op(&s->peer);
        aco_yield();
    }
    aco_exit();
}

static int aco_setup_with(void **out, const char *id, aco_cofuncp_t fn, int two,
                          enum bench_fp_state st)
{
    int err = aco_ready();
    if (err)
        return err;
    struct aco_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ENOMEM;
    s->id = id;
    s->st = st;
    bench_fp_init(&s->main_side, &s->peer, st);
    s->ss = aco_share_stack_new(ACO_STACK);
    s->a = aco_create(main_co, s->ss, 0, fn, s);
    s->b = two ? aco_create(main_co, s->ss, 0, fn, s) : NULL;
    aco_resume(s->a); /* each runs to its first yield */
    if (s->b != NULL)
        aco_resume(s->b);
    *out = s;
    return 0;
}

static void aco_teardown(void *state)
{
    struct aco_state *s = state;
    if (s->b != NULL && n_notes < sizeof notes / sizeof notes[0]) {
        notes[n_notes].id = s->id;
        notes[n_notes++].bytes = s->a->save_stack.valid_sz;
    }
    s->msg = ACO_STOP;
    aco_resume(s->a);
    if (s->b != NULL)
        aco_resume(s->b);
    if (!s->a->is_end || (s->b != NULL && !s->b->is_end)) {
        fputs("bench: a libaco coroutine did not finish\n", stderr);
        exit(1);
    }
    aco_destroy(s->a);
    if (s->b != NULL)
        aco_destroy(s->b);
    aco_share_stack_destroy(s->ss);
    free(s);
}

static int aco_alone_run(void *state, long iters)
{
    struct aco_state *s = state;
    for (long i = 0; i < iters; ++i) {
        s->msg = (void *)(intptr_t)i;
        aco_resume(s->a);
        if (s->msg != (void *)(intptr_t)i)
            return -1;
    }
    return 0;
}

static int aco_pair_run(void *state, long iters)
{
    struct aco_state *s = state;
    for (long i = 0; i < iters; ++i) {
        s->msg = (void *)(intptr_t)i;
        aco_resume(s->a);
        aco_resume(s->b);
        if (s->msg != (void *)(intptr_t)i)
            return -1;
    }
    return 0;
}

/* One main multiplication before each resume; the tokens around the round. */
static int aco_fp_run(void *state, long iters)
{
    struct aco_state *s = state;
    s->msg = BENCH_FP_PREPARE;
    aco_resume(s->a);
    if (s->b != NULL) {
        s->msg = BENCH_FP_PREPARE;
        aco_resume(s->b);
    }
    bench_fp_prepare_main();
    for (long i = 0; i < iters; ++i) {
        bench_fp_op(&s->main_side);
        s->msg = (void *)(intptr_t)i;
        aco_resume(s->a);
        if (s->b != NULL) {
            bench_fp_op(&s->main_side);
            aco_resume(s->b);
        }
        if (s->msg != (void *)(intptr_t)i)
            return -1;
    }
    s->msg = BENCH_FP_CHECK;
    aco_resume(s->a);
    if (s->b != NULL && bench_fp_check_main(s->msg) == 0) {
        s->msg = BENCH_FP_CHECK;
        aco_resume(s->b);
    }
    return bench_fp_check_main(s->msg);
}

static int aco_alone_setup(void **out)
{
    return aco_setup_with(out, "aco_alone", aco_echo_0, 0, BENCH_FP_EQUAL);
}

#define DEFINE_ACO_PAIR_SETUP(LIVE)                                                          \
    static int aco_pair_##LIVE##_setup(void **out)                                          \
    {                                                                                       \
        return aco_setup_with(out, "aco_pair_" #LIVE, aco_echo_##LIVE, 1, BENCH_FP_EQUAL);  \
    }
DEFINE_ACO_PAIR_SETUP(0)
DEFINE_ACO_PAIR_SETUP(192)
DEFINE_ACO_PAIR_SETUP(768)
DEFINE_ACO_PAIR_SETUP(3072)

static int aco_alone_fp_equal_setup(void **out)
{
    return aco_setup_with(out, "aco_alone_fp_equal", aco_fp_echo, 0, BENCH_FP_EQUAL);
}
static int aco_alone_fp_status_setup(void **out)
{
    return aco_setup_with(out, "aco_alone_fp_status", aco_fp_echo, 0, BENCH_FP_STATUS);
}
static int aco_pair_fp_equal_setup(void **out)
{
    return aco_setup_with(out, "aco_pair_fp_equal", aco_fp_echo, 1, BENCH_FP_EQUAL);
}
static int aco_pair_fp_status_setup(void **out)
{
    return aco_setup_with(out, "aco_pair_fp_status", aco_fp_echo, 1, BENCH_FP_STATUS);
}

/* Create + first resume + finish, on one share stack. */
static int *aco_ran;

static void aco_return_at_once(void)
{
    *aco_ran = 1;
    aco_exit();
}

static int aco_create_setup(void **out)
{
    int err = aco_ready();
    if (err)
        return err;
    aco_share_stack_t *ss = aco_share_stack_new(ACO_STACK);
    *out = ss;
    return ss != NULL ? 0 : ENOMEM;
}

static int aco_create_run(void *state, long iters)
{
    aco_share_stack_t *ss = state;
    for (long i = 0; i < iters; ++i) {
        int ran = 0;
        aco_ran = &ran;
        aco_t *co = aco_create(main_co, ss, 0, aco_return_at_once, NULL);
        aco_resume(co);
        int ok = ran && co->is_end;
        aco_destroy(co);
        if (!ok)
            return -1;
    }
    return 0;
}

static void aco_create_teardown(void *state)
{
    aco_share_stack_destroy(state);
}

static const struct bench_case aco_cases[] = {
    {"aco_alone", "shared", "libaco: coroutine alone on its share stack (no copy)", NULL, 2.0,
     aco_alone_setup, aco_alone_run, aco_teardown},
#define ACO_ROW(LIVE, TEXT)                                                                  \
    {"aco_pair_" #LIVE, "shared", "libaco: two coroutines, main resumes each, " TEXT " live", \
     NULL, 4.0, aco_pair_##LIVE##_setup, aco_pair_run, aco_teardown}
    ACO_ROW(0, "0 B"),
    ACO_ROW(192, "192 B"),
    ACO_ROW(768, "768 B"),
    ACO_ROW(3072, "3 KB"),
    {"aco_create", "shared", "libaco: create + first resume + finish", NULL, 1.0,
     aco_create_setup, aco_create_run, aco_create_teardown},
    {"aco_alone_fp_equal", "sharedfp", "libaco: coroutine alone, FP state equal", NULL, 2.0,
     aco_alone_fp_equal_setup, aco_fp_run, aco_teardown},
    {"aco_alone_fp_status", "sharedfp", "libaco: coroutine alone, status flags differ", NULL, 2.0,
     aco_alone_fp_status_setup, aco_fp_run, aco_teardown},
    {"aco_pair_fp_equal", "sharedfp", "libaco: two coroutines, main resumes each, FP state equal",
     NULL, 4.0, aco_pair_fp_equal_setup, aco_fp_run, aco_teardown},
    {"aco_pair_fp_status", "sharedfp",
     "libaco: two coroutines, main resumes each, status flags differ", NULL, 4.0,
     aco_pair_fp_status_setup, aco_fp_run, aco_teardown},
};

const struct bench_case *bench_aco_cases(unsigned *count)
{
    *count = sizeof aco_cases / sizeof aco_cases[0];
    return aco_cases;
}

/* Parked coroutines: each resumed once, suspended inside its function with
 * the same 256 bytes of locals as bench.c's park_fiber. */
struct aco_park {
    aco_share_stack_t *ss;
    aco_t **co;
    long n;
};

static void aco_park_fn(void)
{
    volatile char touch[256];
    touch[0] = 1;
    aco_yield(); /* park here */
    (void)touch[0];
    aco_exit();
}

static int aco_unpark(void *state)
{
    struct aco_park *p = state;
    int rc = 0;
    for (long i = 0; i < p->n; ++i) {
        aco_resume(p->co[i]);
        if (!p->co[i]->is_end)
            rc = -1;
        aco_destroy(p->co[i]);
    }
    aco_share_stack_destroy(p->ss);
    free(p->co);
    free(p);
    return rc;
}

static int aco_park(void **out, long n, size_t stack_size)
{
    int err = aco_ready();
    if (err)
        return err;
    struct aco_park *p = calloc(1, sizeof *p);
    if (p == NULL)
        return ENOMEM;
    p->co = malloc((size_t)n * sizeof *p->co);
    if (p->co == NULL) {
        free(p);
        return ENOMEM;
    }
    p->ss = aco_share_stack_new(stack_size);
    for (long i = 0; i < n; ++i) {
        p->co[i] = aco_create(main_co, p->ss, 0, aco_park_fn, NULL);
        aco_resume(p->co[i]);
        p->n = i + 1;
    }
    *out = p;
    return 0;
}

static void aco_describe(void *state, char *buf, size_t len)
{
    const struct aco_park *p = state;
    size_t saved = 0, cap = 0;
    for (long i = 0; i < p->n; ++i) {
        saved += p->co[i]->save_stack.valid_sz;
        cap += p->co[i]->save_stack.sz;
    }
    snprintf(buf, len, "saved %.0f B, buffers %.0f B, record %zu B per coroutine",
             (double)saved / (double)p->n, (double)cap / (double)p->n, sizeof(aco_t));
}

static const struct bench_parker aco_parkers[] = {
    {"aco_park", "libaco coroutines, all on one share stack", aco_park, aco_unpark, aco_describe},
};

const struct bench_parker *bench_aco_parkers(unsigned *count)
{
    *count = sizeof aco_parkers / sizeof aco_parkers[0];
    return aco_parkers;
}
