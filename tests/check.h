/* check.h - minimal test helpers: every failed check prints where and exits 1. */
#ifndef FCTX_TEST_CHECK_H
#define FCTX_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_count;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        ++check_count;                                                               \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

#define CHECK_EQ_U(a, b)                                                                \
    do {                                                                                \
        ++check_count;                                                                  \
        unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
        if (va_ != vb_) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: (%s) == (%s) (0x%llx != 0x%llx)\n",       \
                    __FILE__, __LINE__, #a, #b, va_, vb_);                              \
            exit(1);                                                                    \
        }                                                                               \
    } while (0)

/* Run test functions and report like "name: N checks". */
#define RUN(fn)                                                  \
    do {                                                         \
        int before_ = check_count;                               \
        fn();                                                    \
        printf("%-40s ok (%d checks)\n", #fn, check_count - before_); \
        fflush(stdout);                                          \
    } while (0)

#endif
