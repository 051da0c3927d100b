/*
 * The RISC-V port built for the soft-float LP64 ABI (-march=rv64imac
 * -mabi=lp64: no F/D, so no fs registers and no frm) and run under qemu.
 * The system's C libraries are LP64D only, so this test is freestanding:
 * its own _start, raw Linux system calls, no libc.  It links the same
 * asm/{jump,make,ontop}_riscv64_lp64_gas.S and tests/regs helper as
 * the normal build, which then take their `#if __riscv_flen` paths.
 *
 * Checks: the register-test helper describes s0-s11 only; transfers through
 * jump and ontop; every callee-saved register and sp survive jump and ontop
 * between two contexts; a deliberately broken switch is caught; a returning
 * entry function reaches fctx_internal_entry_returned (which ends the test).
 */
#include <fctx/context.h>

#include <stddef.h>
#include <stdint.h>

#if defined(__riscv_flen) || !defined(__riscv_float_abi_soft)
#  error "build with -march=rv64imac -mabi=lp64"
#endif

typedef fctx_transfer_t (*jump_fn)(fctx_t, void *);
extern const unsigned regs_count;
extern const uint64_t regs_mask[];
void regs_read(uint64_t *out);
fctx_transfer_t regs_switch(jump_fn jump, fctx_t to, void *data, const uint64_t *load,
                            uint64_t *store);
fctx_transfer_t regs_bad_jump(fctx_t to, void *data);

/* ---- no libc ------------------------------------------------------------ */
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        ".option push\n"
        ".option norelax\n"
        "  lla gp, __global_pointer$\n" /* linker relaxation relies on gp */
        ".option pop\n"
        "  mv s0, zero\n"
        "  call test_main\n"
        "  li a7, 93\n" /* exit(test_main()) */
        "  ecall\n");

static long sys3(long n, long a, long b, long c)
{
    register long a7 __asm__("a7") = n;
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
    return a0;
}

static __attribute__((noreturn)) void sys_exit(int code)
{
    for (;;)
        sys3(93, code, 0, 0);
}

static void put(const char *s)
{
    size_t n = 0;
    while (s[n])
        ++n;
    sys3(64, 2, (long)s, (long)n);
}

static __attribute__((noreturn)) void fail(const char *what, unsigned line)
{
    char num[12];
    int i = (int)sizeof num - 1;
    num[i] = 0;
    do
        num[--i] = (char)('0' + line % 10);
    while ((line /= 10) != 0 && i > 0);
    put("test_riscv64_lp64_softfloat.c:");
    put(num + i);
    put(": CHECK failed: ");
    put(what);
    put("\n");
    sys_exit(1);
}
#define CHECK(c) ((c) ? (void)0 : fail(#c, __LINE__))

/* The compiler may emit calls to these for aggregate copies. */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
    volatile char *dp = d;
    const char *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}
void *memset(void *d, int c, size_t n)
{
    volatile char *dp = d;
    while (n--)
        *dp++ = (char)c;
    return d;
}

/* The library's C part is not linked: the start stub calls this when an
 * entry function returns.  Reaching it is the last check. */
static int all_passed;
void fctx_internal_entry_returned(void);
void fctx_internal_entry_returned(void)
{
    if (!all_passed)
        fail("entry returned before the end", __LINE__);
    put("entry return reached fctx_internal_entry_returned: ok\nall ok\n");
    sys_exit(0);
}

/* ---- tests -------------------------------------------------------------- */
static char stack_a[16384] __attribute__((aligned(16)));
static char stack_b[16384] __attribute__((aligned(16)));

static void echo_plus_one(fctx_transfer_t t)
{
    for (;;)
        t = fctx_jump(t.ctx, (void *)((uintptr_t)t.data + 1));
}

static fctx_transfer_t times_ten(fctx_transfer_t t)
{
    t.data = (void *)((uintptr_t)t.data * 10);
    return t;
}

static void test_transfer(void)
{
    fctx_t c = fctx_make(stack_a + sizeof stack_a, sizeof stack_a, echo_plus_one);
    CHECK(c != NULL);
    for (uintptr_t i = 0; i < 1000; ++i) {
        fctx_transfer_t t = fctx_jump(c, (void *)i);
        CHECK(t.data == (void *)(i + 1));
        c = t.ctx;
    }
    /* ontop on a suspended context: fn's result is what its switch returns. */
    fctx_transfer_t t = fctx_ontop(c, (void *)7, times_ten);
    CHECK(t.data == (void *)71);
    /* ontop on a new context: fn's result is the entry's argument. */
    c = fctx_make(stack_b + sizeof stack_b, sizeof stack_b, echo_plus_one);
    t = fctx_ontop(c, (void *)4, times_ten);
    CHECK(t.data == (void *)41);
}

#define MAXW 16
static uint64_t base[MAXW];

static void make_values(uint64_t *v, unsigned id, unsigned round)
{
    for (unsigned i = 0; i < regs_count; ++i) {
        uint64_t x = 0x9E3779B97F4A7C15ull * (id * 1000003u + round * 131u + i + 1);
        x ^= x >> 29;
        v[i] = (base[i] & ~regs_mask[i]) | (x & regs_mask[i]);
    }
}

static int same(const uint64_t *want, const uint64_t *got)
{
    for (unsigned i = 0; i < regs_count; ++i)
        if ((want[i] & regs_mask[i]) != (got[i] & regs_mask[i]))
            return 0;
    return got[regs_count] == got[regs_count + 1]; /* sp before == after */
}

static jump_fn other_jump;
static int other_failures;

static fctx_transfer_t ontop_jump(fctx_t to, void *data)
{
    return fctx_ontop(to, data, times_ten);
}

static void peer(fctx_transfer_t t)
{
    uint64_t load[MAXW], store[MAXW + 2];
    for (unsigned r = 0;; ++r) {
        make_values(load, 2, r);
        t = regs_switch(other_jump, t.ctx, t.data, load, store);
        if (!same(load, store))
            ++other_failures;
    }
}

/* Returns the number of rounds in which main's registers were wrong. */
static unsigned rounds(jump_fn main_jump, jump_fn peer_jump)
{
    uint64_t load[MAXW], store[MAXW + 2];
    unsigned bad = 0;
    other_jump = peer_jump;
    other_failures = 0;
    fctx_t c = fctx_make(stack_a + sizeof stack_a, sizeof stack_a, peer);
    for (unsigned r = 0; r < 50; ++r) {
        make_values(load, 1, r);
        fctx_transfer_t t = regs_switch(main_jump, c, (void *)1, load, store);
        c = t.ctx;
        if (!same(load, store))
            ++bad;
    }
    return bad;
}

static void test_registers(void)
{
    CHECK(regs_count == 12); /* s0-s11: no FP registers, no frm */
    for (unsigned i = 0; i < regs_count; ++i)
        CHECK(regs_mask[i] == ~(uint64_t)0);
    regs_read(base);
    CHECK(rounds(fctx_jump, fctx_jump) == 0 && other_failures == 0);
    CHECK(rounds(ontop_jump, ontop_jump) == 0 && other_failures == 0);
    CHECK(rounds(fctx_jump, ontop_jump) == 0 && other_failures == 0);
    /* The checker notices a switch that loses a register. */
    CHECK(rounds(regs_bad_jump, fctx_jump) == 50);
}

static void returns_at_once(fctx_transfer_t t)
{
    (void)t;
}

int test_main(void);
int test_main(void)
{
    test_transfer();
    put("test_transfer ok\n");
    test_registers();
    put("test_registers ok\n");
    all_passed = 1;
    fctx_t c = fctx_make(stack_b + sizeof stack_b, sizeof stack_b, returns_at_once);
    fctx_jump(c, NULL);
    fail("returned from a context whose entry returned", __LINE__);
}
