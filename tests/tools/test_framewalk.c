/* Frame-pointer walks inside contexts, the way perf and other sampling
 * profilers unwind user stacks: follow the chain of saved frame pointers
 * until it is zero.  Built with -fno-omit-frame-pointer.
 *
 * A context's first frame has a zero frame pointer (fctx_make's contract),
 * so a walk started three calls deep must
 *   - stay on the context's stack, strictly upwards,
 *   - visit exactly the known frames (their return addresses, as the
 *     functions saw them with __builtin_return_address),
 *   - stop at the entry (raw context) with the start stub as last return
 *     address, well within MAX_DEPTH.
 * Cases: a raw context; a function run with fctx_ontop() on top of a raw
 * context suspended three calls deep (the chain continues into the
 * suspended frames); a fiber, when the library itself keeps frame pointers
 * (FCTX_TEST_LIB_FRAME_POINTERS: the fiber's first frame is the library's
 * fiber_main, which must not have clobbered the chain).
 *
 * Frame record layouts (where the saved frame pointer and return address
 * are, relative to the frame pointer register):
 *   x86-64 rbp, i386 ebp, AArch64 x29:  fp[0] = caller's fp, fp[1] = return address
 *   RISC-V s0 (= the frame's CFA):      fp[-2] = caller's fp, fp[-1] = return address
 */
#include <fctx/fctx.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "vg.h"

#define MAX_DEPTH 64
#define NOINLINE __attribute__((noinline))

struct frame_record {
    uintptr_t next_fp;
    uintptr_t ret;
};

static const struct frame_record *record_at(uintptr_t fp)
{
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
    return (const struct frame_record *)fp;
#elif defined(__riscv)
    return (const struct frame_record *)fp - 1;
#else
#  error "test_framewalk: frame record layout unknown for this architecture"
#endif
}

/* The return address as the code will use it: without the Thumb bit (Arm)
 * and without a pointer-authentication code (AArch64 with pac-ret, where
 * saved return addresses are signed; xpaclri strips it, and is a no-op
 * hint on cores without PAC). */
static uintptr_t strip(uintptr_t ret)
{
#if defined(__aarch64__)
    register uintptr_t lr __asm__("x30") = ret;
    __asm__("hint #7" /* xpaclri */ : "+r"(lr));
    ret = lr;
#endif
    return ret & ~(uintptr_t)1;
}

struct walk {
    uintptr_t ret[MAX_DEPTH];
    int n;
    int error; /* 0, or why the walk stopped early */
};

static const char *const walk_errors[] = {"", "too deep", "left the stack", "not going up",
                                          "misaligned"};

/* Walk from our caller's frame (the walker's own record is skipped so the
 * result does not depend on whether this function has one). */
static NOINLINE void walk_from_caller(struct walk *w, uintptr_t lo, uintptr_t hi)
{
    memset(w, 0, sizeof *w);
    uintptr_t fp = record_at((uintptr_t)__builtin_frame_address(0))->next_fp;
    while (fp != 0) {
        if (w->n == MAX_DEPTH) {
            w->error = 1;
            return;
        }
        if (fp < lo || fp >= hi) {
            w->error = 2;
            return;
        }
        if (fp % sizeof(void *) != 0) {
            w->error = 4;
            return;
        }
        const struct frame_record *r = record_at(fp);
        w->ret[w->n++] = strip(r->ret);
        if (r->next_fp != 0 && r->next_fp <= fp) {
            w->error = 3;
            return;
        }
        fp = r->next_fp;
    }
}

static uintptr_t stack_lo, stack_hi;
static struct walk result;
static uintptr_t ra[4]; /* ra[k]: depth k's return address; ra[0]: the entry's */
static uintptr_t stub_ra;

static volatile int sink;

static NOINLINE void do_walk(void)
{
    walk_from_caller(&result, stack_lo, stack_hi);
    sink = sink + 5; /* not a tail call: do_walk keeps its frame */
}
static NOINLINE void depth3(void (*after)(void))
{
    ra[3] = strip((uintptr_t)__builtin_return_address(0));
    after();
    sink = sink + 3; /* not a tail call */
}
static NOINLINE void depth2(void (*after)(void))
{
    ra[2] = strip((uintptr_t)__builtin_return_address(0));
    depth3(after);
    sink = sink + 2;
}
static NOINLINE void depth1(void (*after)(void))
{
    ra[1] = strip((uintptr_t)__builtin_return_address(0));
    depth2(after);
    sink = sink + 1;
}

static void show(const char *what)
{
    printf("  %-36s %d frames%s%s\n", what, result.n, result.error ? ", stopped: " : "",
           walk_errors[result.error]);
}

/* ---- raw context ------------------------------------------------------------ */

#define STACK_SIZE (256 * 1024)
static char raw_stack[STACK_SIZE];

static NOINLINE void raw_entry(fctx_transfer_t t)
{
    ra[0] = strip((uintptr_t)__builtin_return_address(0));
    stub_ra = ra[0];
    depth1(do_walk);
    fctx_jump(t.ctx, NULL); /* never resumed again */
}

static void test_raw(void)
{
    stack_lo = (uintptr_t)raw_stack;
    stack_hi = (uintptr_t)raw_stack + STACK_SIZE;
    fctx_t c = fctx_make(raw_stack + STACK_SIZE, STACK_SIZE, raw_entry);
    fctx_jump(c, NULL);
    show("raw context");
    CHECK(result.error == 0);
    /* do_walk's return into depth3, then depth3..depth1, the entry: the end */
    CHECK(result.n == 5);
    CHECK(result.ret[1] == ra[3]);
    CHECK(result.ret[2] == ra[2]);
    CHECK(result.ret[3] == ra[1]);
    CHECK(result.ret[4] == stub_ra);
}

/* ---- fctx_ontop on a suspended raw context ------------------------------------ */

static fctx_t parked_resumer;
static uintptr_t park_ra;        /* park's return address into depth3 */
static uintptr_t on_top_ra;      /* where the function on top returns: park's switch */

static NOINLINE void park(void)
{
    park_ra = strip((uintptr_t)__builtin_return_address(0));
    fctx_transfer_t t = fctx_jump(parked_resumer, NULL);
    parked_resumer = t.ctx;
    sink = sink + 4;
}

static NOINLINE void parking_entry(fctx_transfer_t t)
{
    parked_resumer = t.ctx;
    ra[0] = strip((uintptr_t)__builtin_return_address(0));
    depth1(park);
    fctx_jump(parked_resumer, NULL); /* never resumed again */
}

static NOINLINE fctx_transfer_t walk_on_top(fctx_transfer_t t)
{
    on_top_ra = strip((uintptr_t)__builtin_return_address(0));
    walk_from_caller(&result, stack_lo, stack_hi);
    return t;
}

static void test_ontop_raw(void)
{
    stack_lo = (uintptr_t)raw_stack;
    stack_hi = (uintptr_t)raw_stack + STACK_SIZE;
    fctx_t c = fctx_make(raw_stack + STACK_SIZE, STACK_SIZE, parking_entry);
    fctx_transfer_t t = fctx_jump(c, NULL); /* parked: entry, depth1..3, park */
    CHECK(t.ctx != NULL);
    t = fctx_ontop(t.ctx, NULL, walk_on_top);
    CHECK(t.ctx != NULL && parked_resumer != NULL);
    show("fctx_ontop on a suspended context");
    CHECK(result.error == 0);
    /* fctx_ontop restored park's frame pointer and left park's resume address
     * as the function's return address: walk_on_top, park, depth3..depth1,
     * the entry. */
    CHECK(result.n == 6);
    CHECK(result.ret[0] == on_top_ra);
    CHECK(result.ret[1] == park_ra);
    CHECK(result.ret[2] == ra[3]);
    CHECK(result.ret[3] == ra[2]);
    CHECK(result.ret[4] == ra[1]);
    CHECK(result.ret[5] == stub_ra);
}

/* ---- fiber ------------------------------------------------------------------ */

#ifdef FCTX_TEST_LIB_FRAME_POINTERS
/* Records the bounds of the stack it hands out. */
static int bounds_allocate(void *state, size_t size, fctx_stack_t *out)
{
    (void)state;
    int err = fctx_guarded_allocator()->allocate(NULL, size, out);
    if (!err) {
        stack_hi = (uintptr_t)out->sp;
        stack_lo = stack_hi - out->size;
    }
    return err;
}
static void bounds_deallocate(void *state, fctx_stack_t *s)
{
    (void)state;
    fctx_guarded_allocator()->deallocate(NULL, s);
}

static NOINLINE fctx_fiber_t walking_fiber(fctx_fiber_t caller, void *data)
{
    (void)data;
    ra[0] = strip((uintptr_t)__builtin_return_address(0));
    depth1(do_walk);
    return caller;
}

static void test_fiber(void)
{
    fctx_allocator_t alloc = {bounds_allocate, bounds_deallocate, NULL};
    fctx_fiber_t f;
    CHECK(fctx_fiber_create(&f, &alloc, 0, walking_fiber) == 0);
    CHECK(fctx_fiber_resume(f, NULL).fiber == NULL);
    show("fiber (library with frame pointers)");
    CHECK(result.error == 0);
    /* do_walk, depth3..depth1, the entry, the library's first frame */
    CHECK(result.n == 6);
    CHECK(result.ret[1] == ra[3]);
    CHECK(result.ret[2] == ra[2]);
    CHECK(result.ret[3] == ra[1]);
    CHECK(result.ret[4] == ra[0]);
    CHECK(result.ret[5] == stub_ra);
}
#endif

int main(void)
{
    TEST_STACK_REGISTER(raw_stack, raw_stack + STACK_SIZE);
    RUN(test_raw);
    RUN(test_ontop_raw);
#ifdef FCTX_TEST_LIB_FRAME_POINTERS
    RUN(test_fiber);
#else
    printf("fiber case not run: the library was built without -fno-omit-frame-pointer,\n"
           "so its fiber_main may use the frame-pointer register for data\n");
#endif
    return 0;
}
