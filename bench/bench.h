/*
 * bench.h - the interface between the benchmark driver (bench.c) and the
 * Boost.Context baseline (boost_baseline.cpp, built only when Boost is found).
 *
 * A case is one measured operation.  run(state, iters) performs `iters`
 * iterations of `ops_per_iter` operations each (a ping-pong round trip is two
 * one-way switches) and returns 0, or -1 if a functional check failed (a
 * wrong value came back through a switch): the benchmark then exits non-zero.
 * Timing never fails a run.
 */
#ifndef FCTX_BENCH_H
#define FCTX_BENCH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bench_case {
    const char *id;       /* short name for --only and the CSV */
    const char *group;    /* "switch" or "create" */
    const char *label;    /* row text of the table */
    const char *baseline; /* id of the case this one is compared with, or NULL */
    double ops_per_iter;
    int (*setup)(void **state);          /* 0, or an errno value: case skipped */
    int (*run)(void *state, long iters); /* 0, or -1 on a functional error */
    void (*teardown)(void *state);
};

/* A way to park many fibers, for the memory measurement.  park() creates n
 * fibers, resumes each once and leaves it suspended inside its function;
 * unpark() lets them all finish and frees everything. */
struct bench_parker {
    const char *id;
    const char *label;
    int (*park)(void **state, long n, size_t stack_size); /* 0 or errno */
    int (*unpark)(void *state);                           /* 0 or -1 */
};

#ifdef FCTX_BENCH_HAVE_BOOST
/* boost_baseline.cpp */
const struct bench_case *bench_boost_cases(unsigned *count);
const struct bench_parker *bench_boost_parkers(unsigned *count);
const char *bench_boost_version(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* FCTX_BENCH_H */
