/*
 * bench.h - the interface between the benchmark driver (bench.c), the
 * Boost.Context baseline (boost_baseline.cpp, built only when Boost is found)
 * and the C++ fctx::fiber case (fiber_hpp.cpp, built with a C++ compiler).
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
#include <stdint.h>

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
    /* optional (NULL): what the library reports about the parked fibers */
    void (*describe)(void *state, char *buf, size_t len);
};

/* FP-state cases (group "fpstate").  Each side of a ping-pong does one
 * multiplication of volatile doubles per iteration, so both sides do the same
 * work in every state; only the operands (and the peer's rounding mode) vary:
 *   BENCH_FP_EQUAL    both sides multiply inexactly: both raise the inexact
 *                     flag (PE), so even a switch that restores the whole MXCSR
 *                     word per context finds the same word on both sides;
 *   BENCH_FP_STATUS   main multiplies inexactly (PE set), the peer exactly
 *                     (0.5 * 3.0, no flag): a real program after one 1.0/3.0 in
 *                     main.  A switch that keeps the status flags per context
 *                     then loads a different status word at every switch; one
 *                     that leaves them to the thread (the ABI rule) never does;
 *   BENCH_FP_CONTROL  both inexact (same flags), and the peer runs with another
 *                     rounding mode (toward zero): the control bits differ.
 * Before every timed round both sides clear their flags (feclearexcept) and
 * set their rounding mode, so each round starts from the stated state. */
enum bench_fp_state { BENCH_FP_EQUAL, BENCH_FP_STATUS, BENCH_FP_CONTROL };

struct bench_fp_side {
    volatile double a, b, r; /* r = a * b, at run time (volatile) */
};

static inline void bench_fp_init(struct bench_fp_side *main_side, struct bench_fp_side *peer,
                                 enum bench_fp_state st)
{
    main_side->a = 0.1; /* 0.1 * 3.0 is inexact */
    main_side->b = 3.0;
    peer->a = st == BENCH_FP_STATUS ? 0.5 : 0.1; /* 0.5 * 3.0 = 1.5 exactly */
    peer->b = 3.0;
}

static inline void bench_fp_op(struct bench_fp_side *s)
{
    s->r = s->a * s->b;
}

/* Tokens sent instead of data: the first switch of every round sends
 * PREPARE (the peer clears its flags and sets its rounding mode instead of
 * multiplying), the last one CHECK (the peer answers CHECK if its rounding
 * mode is still its own, else NULL).  One compare tells data from tokens. */
extern const char bench_fp_tokens[2];
#define BENCH_FP_PREPARE ((void *)&bench_fp_tokens[0])
#define BENCH_FP_CHECK ((void *)&bench_fp_tokens[1])

static inline int bench_fp_is_token(const void *p)
{
    return (uintptr_t)p - (uintptr_t)bench_fp_tokens < 2; /* below the tokens: wraps */
}

/* bench.c (<fenv.h>): the peer's answer to a token; main's part of the
 * preparation; the check at the end of a round that main's rounding mode
 * survived the switches and the peer kept its own (0, or -1). */
void *bench_fp_peer_token(enum bench_fp_state st, void *token);
void bench_fp_prepare_main(void);
int bench_fp_check_main(void *peer_answer);

#ifdef FCTX_BENCH_HAVE_HPP
/* fiber_hpp.cpp: the C++ fctx::fiber (include/fctx/fiber.hpp) */
const struct bench_case *bench_hpp_cases(unsigned *count);
#endif

#ifdef FCTX_BENCH_HAVE_LIBACO
/* aco_baseline.c: libaco (FCTX_BENCH_LIBACO_DIR) */
const struct bench_case *bench_aco_cases(unsigned *count);
const struct bench_parker *bench_aco_parkers(unsigned *count);
void bench_aco_notes(void); /* bytes per copy seen by the libaco cases */
#endif

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
