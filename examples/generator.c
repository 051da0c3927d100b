/*
 * generator.c - generators on fctx fibers, using resume-with-transfer.
 *
 * A generator is a fiber that produces values by switching back to its
 * consumer: the value travels in the `data` word of the switch, so nothing
 * is copied or queued.  Two handles are in play at any time:
 *
 *   - the consumer holds the generator's handle (g->fiber) while the
 *     generator is suspended, and passes it to fctx_fiber_resume();
 *   - the generator holds the consumer's handle (g->consumer) while it
 *     runs, and passes it to fctx_fiber_resume() to yield.
 *
 * Each resume consumes the handle it is given and returns a fresh one for
 * the peer, which is stored back in the same field.
 *
 * Early termination: a consumer that stops before the generator finished
 * calls gen_close(), i.e. fctx_fiber_cancel().  The generator's pending
 * yield then reports ECANCELED; the generator releases what it holds,
 * unwinds by ordinary returns (deep recursion included) and returns the
 * consumer's handle from its entry function, which frees its stack.
 *
 * Shown here: Fibonacci numbers, an in-order walk of a binary tree
 * yielding from deep recursion, "same fringe" (two walks in lockstep),
 * and early termination with a counting allocator proving the stacks and
 * the generators' own heap memory are given back.
 */
#include <fctx/fiber.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "counting_alloc.h"

static int failures;

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                            \
        }                                                                          \
    } while (0)

/* ---- a tiny generator abstraction ----------------------------------------- */

typedef struct generator generator_t;
/* A generator body: yields with gen_yield(); returns 0, or ECANCELED when a
 * yield reported cancellation (after cleaning up). */
typedef int (*gen_body)(generator_t *g, void *arg);

struct generator {
    fctx_fiber_t fiber;    /* the suspended generator (consumer side) */
    fctx_fiber_t consumer; /* the suspended consumer (generator side) */
    gen_body body;
    void *arg;
    int started, finished;
    int result;            /* what the body returned */
};

static fctx_fiber_t gen_entry(fctx_fiber_t consumer, void *data)
{
    generator_t *g = (generator_t *)data;
    g->consumer = consumer;
    g->started = 1;
    g->result = g->body(g, g->arg);
    g->finished = 1;
    return g->consumer; /* switch back for the last time; our stack is freed */
}

static int gen_init(generator_t *g, const fctx_allocator_t *alloc, size_t stack_size,
                    gen_body body, void *arg)
{
    g->consumer = NULL;
    g->body = body;
    g->arg = arg;
    g->started = g->finished = 0;
    g->result = 0;
    return fctx_fiber_create(&g->fiber, alloc, stack_size, gen_entry);
}

/* Consumer side: 1 with *value set, or 0 when the generator has finished. */
static int gen_next(generator_t *g, void **value)
{
    if (g->fiber == NULL)
        return 0;
    fctx_fiber_transfer_t t = fctx_fiber_resume(g->fiber, g);
    g->fiber = t.fiber; /* NULL: it finished and fctx released its stack */
    if (t.fiber == NULL)
        return 0;
    *value = t.data;
    return 1;
}

/* Generator side: hand `value` to the consumer.  0, or ECANCELED. */
static int gen_yield(generator_t *g, void *value)
{
    fctx_fiber_transfer_t t = fctx_fiber_resume(g->consumer, value);
    g->consumer = t.fiber; /* whoever resumed us next: the consumer, or its canceler */
    return t.data == FCTX_FIBER_CANCELED ? ECANCELED : 0;
}

/* Consumer side: stop an unfinished generator.  0, or EBUSY if it refused. */
static int gen_close(generator_t *g)
{
    if (g->fiber == NULL)
        return 0;
    fctx_fiber_transfer_t t = fctx_fiber_cancel(g->fiber);
    g->fiber = t.fiber;
    return t.fiber == NULL ? 0 : EBUSY; /* {NULL, NULL}: it finished as asked */
}

/* ---- Fibonacci ------------------------------------------------------------ */

struct fib_args {
    int limit;      /* how many numbers; < 0: endless */
    int cleaned_up; /* set when the body releases its resources */
};

static long live_heap_blocks; /* heap blocks held by generator bodies */

static int fib_body(generator_t *g, void *arg)
{
    struct fib_args *a = (struct fib_args *)arg;
    /* A resource the body owns, to show cleanup on cancellation. */
    uint64_t *state = (uint64_t *)malloc(2 * sizeof *state);
    if (state == NULL)
        return ENOMEM;
    ++live_heap_blocks;
    state[0] = 0;
    state[1] = 1;
    int rc = 0;
    for (int i = 0; a->limit < 0 || i < a->limit; ++i) {
        uint64_t cur = state[0]; /* lives in this frame: valid until we are resumed */
        if ((rc = gen_yield(g, &cur)) != 0)
            break;
        uint64_t next = state[0] + state[1];
        state[0] = state[1];
        state[1] = next;
    }
    free(state);
    --live_heap_blocks;
    a->cleaned_up = 1;
    return rc;
}

static void demo_fibonacci(const fctx_allocator_t *alloc, counting_alloc_t *count)
{
    /* 1. Bounded: the generator runs to its end; fctx frees its stack. */
    struct fib_args args = {94, 0}; /* F(0)..F(93): all fit in 64 bits */
    generator_t g;
    CHECK(gen_init(&g, alloc, 0, fib_body, &args) == 0);
    CHECK(count->live == 1);
    uint64_t a = 0, b = 1, last = 0;
    int n = 0;
    void *v;
    while (gen_next(&g, &v)) {
        last = *(uint64_t *)v;
        CHECK(last == a);
        uint64_t next = a + b;
        a = b;
        b = next;
        ++n;
    }
    CHECK(n == 94);
    CHECK(g.finished && g.result == 0 && args.cleaned_up);
    CHECK(count->live == 0);
    printf("fibonacci: %d values, F(93) = %" PRIu64 ", generator finished, stack released\n",
           n, last);

    /* 2. Endless: the consumer takes 30 values and closes it. */
    struct fib_args endless = {-1, 0};
    CHECK(gen_init(&g, alloc, 0, fib_body, &endless) == 0);
    uint64_t sum = 0;
    for (int i = 0; i < 30 && gen_next(&g, &v); ++i)
        sum += *(uint64_t *)v;
    CHECK(sum == 1346268); /* F(0)+...+F(29) = F(31) - 1 */
    CHECK(count->live == 1 && live_heap_blocks == 1 && !endless.cleaned_up);
    CHECK(gen_close(&g) == 0);
    CHECK(g.fiber == NULL && g.finished && g.result == ECANCELED);
    CHECK(endless.cleaned_up && live_heap_blocks == 0);
    CHECK(count->live == 0);
    printf("fibonacci: endless generator closed after 30 values (sum %" PRIu64
           "): cleaned up, stack released\n", sum);

    /* 3. Closed before it ever ran: released without running the body. */
    struct fib_args never = {-1, 0};
    CHECK(gen_init(&g, alloc, 0, fib_body, &never) == 0);
    CHECK(count->live == 1);
    CHECK(gen_close(&g) == 0);
    CHECK(!g.started && !never.cleaned_up && count->live == 0);
    printf("fibonacci: unstarted generator closed: body never ran, stack released\n");
}

/* ---- binary tree in-order walk -------------------------------------------- */

typedef struct node {
    struct node *left, *right;
    int key;
} node_t;

static node_t *tree_insert(node_t *root, node_t *n)
{
    node_t **at = &root;
    while (*at != NULL)
        at = n->key < (*at)->key ? &(*at)->left : &(*at)->right;
    *at = n;
    return root;
}

static int tree_depth(const node_t *n)
{
    if (n == NULL)
        return 0;
    int l = tree_depth(n->left), r = tree_depth(n->right);
    return 1 + (l > r ? l : r);
}

/* Keys 0..n-1 inserted in an order given by `stride` (coprime with n), so
 * different strides give differently shaped trees with the same keys. */
static node_t *tree_build(node_t *pool, int n, int stride)
{
    node_t *root = NULL;
    for (int i = 0; i < n; ++i) {
        node_t *x = &pool[i];
        x->left = x->right = NULL;
        x->key = (int)(((long)i * stride + n / 2) % n);
        root = tree_insert(root, x);
    }
    return root;
}

struct walk_args {
    node_t *root;
    int visited;
    int max_depth_seen;
    int cleaned_up;
};

/* Recursive: a yield from any depth suspends the whole recursion. */
static int walk(generator_t *g, struct walk_args *a, node_t *n, int depth)
{
    if (n == NULL)
        return 0;
    if (depth > a->max_depth_seen)
        a->max_depth_seen = depth;
    int rc = walk(g, a, n->left, depth + 1);
    if (rc != 0)
        return rc; /* canceled below us: unwind */
    ++a->visited;
    if ((rc = gen_yield(g, n)) != 0)
        return rc;
    return walk(g, a, n->right, depth + 1);
}

static int walk_body(generator_t *g, void *arg)
{
    struct walk_args *a = (struct walk_args *)arg;
    int *scratch = (int *)malloc(64 * sizeof *scratch); /* held across yields */
    if (scratch == NULL)
        return ENOMEM;
    ++live_heap_blocks;
    int rc = walk(g, a, a->root, 1);
    free(scratch);
    --live_heap_blocks;
    a->cleaned_up = 1;
    return rc;
}

enum { TREE_N = 2000 };

static void demo_tree(const fctx_allocator_t *alloc, counting_alloc_t *count)
{
    static node_t pool_a[TREE_N], pool_b[TREE_N], pool_c[TREE_N];
    node_t *ta = tree_build(pool_a, TREE_N, 7);
    node_t *tb = tree_build(pool_b, TREE_N, 997);
    node_t *tc = tree_build(pool_c, TREE_N, 997);
    pool_c[TREE_N / 3].key = TREE_N + 5; /* same shape as tb, one key differs */

    /* 1. One walk: keys come out sorted. */
    struct walk_args wa = {ta, 0, 0, 0};
    generator_t g;
    CHECK(gen_init(&g, alloc, 256 * 1024, walk_body, &wa) == 0);
    void *v;
    int expect = 0, in_order = 1;
    while (gen_next(&g, &v)) {
        if (((node_t *)v)->key != expect)
            in_order = 0;
        ++expect;
    }
    CHECK(in_order && expect == TREE_N && wa.visited == TREE_N);
    CHECK(wa.max_depth_seen == tree_depth(ta));
    CHECK(count->live == 0 && live_heap_blocks == 0);
    printf("tree: in-order walk of %d nodes (depth %d) yielded sorted keys\n", expect,
           wa.max_depth_seen);

    /* 2. Same fringe: two walks of differently shaped trees in lockstep. */
    struct walk_args w1 = {ta, 0, 0, 0}, w2 = {tb, 0, 0, 0};
    generator_t g1, g2;
    CHECK(gen_init(&g1, alloc, 256 * 1024, walk_body, &w1) == 0);
    CHECK(gen_init(&g2, alloc, 256 * 1024, walk_body, &w2) == 0);
    int same = 1, steps = 0;
    for (;;) {
        void *x, *y;
        int hx = gen_next(&g1, &x), hy = gen_next(&g2, &y);
        if (hx != hy || (hx && ((node_t *)x)->key != ((node_t *)y)->key)) {
            same = 0;
            break;
        }
        if (!hx)
            break;
        ++steps;
    }
    CHECK(same && steps == TREE_N);
    CHECK(count->live == 0);
    printf("tree: same fringe of trees with depths %d and %d: equal (%d steps)\n",
           tree_depth(ta), tree_depth(tb), steps);

    /* 3. Same fringe that differs: stop early and close both walks, which
     *    are suspended deep inside their recursions. */
    struct walk_args w3 = {tb, 0, 0, 0}, w4 = {tc, 0, 0, 0};
    CHECK(gen_init(&g1, alloc, 256 * 1024, walk_body, &w3) == 0);
    CHECK(gen_init(&g2, alloc, 256 * 1024, walk_body, &w4) == 0);
    int mismatch_at = -1;
    for (int i = 0;; ++i) {
        void *x, *y;
        int hx = gen_next(&g1, &x), hy = gen_next(&g2, &y);
        if (!hx || !hy)
            break;
        if (((node_t *)x)->key != ((node_t *)y)->key) {
            mismatch_at = i;
            break;
        }
    }
    CHECK(mismatch_at >= 0 && mismatch_at < TREE_N);
    CHECK(count->live == 2 && live_heap_blocks == 2);
    CHECK(gen_close(&g1) == 0 && gen_close(&g2) == 0);
    CHECK(g1.result == ECANCELED && g2.result == ECANCELED);
    CHECK(w3.cleaned_up && w4.cleaned_up && live_heap_blocks == 0);
    CHECK(count->live == 0);
    printf("tree: fringes differ at position %d; both walks closed mid-recursion, "
           "cleaned up, stacks released\n", mismatch_at);
}

int main(void)
{
    counting_alloc_t count;
    counting_alloc_init(&count, fctx_guarded_allocator());

    demo_fibonacci(&count.alloc, &count);
    demo_tree(&count.alloc, &count);

    CHECK(count.live == 0 && live_heap_blocks == 0);
    printf("generator: %ld stacks allocated, %ld live at exit; %s\n", count.total, count.live,
           failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
