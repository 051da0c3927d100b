// 32-bit Arm: the start stub ends EHABI unwinding cleanly.
//
// - A backtrace (_Unwind_Backtrace, the ARM EHABI unwinder) taken inside a
//   context walks exactly bt_leaf <- bt_middle <- bt_entry <- start stub and
//   stops there instead of walking on into fctx_make's entry or garbage;
//   the same inside an ontop function run on a new context, whose return
//   address is the stub's resume point.
// - An exception escaping a context's entry function, or escaping an ontop
//   function run on a new context (which "returns" into the stub's resume
//   point), ends in std::terminate - as for an uncaught exception in a
//   thread - instead of a crash or an endless unwind loop.
// - An exception thrown by an ontop function and caught in the target
//   context (raw primitives, both Arm and Thumb throwers) unwinds correctly.
#include <fctx/context.h>

#include <dlfcn.h>
#include <unwind.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "check.h"
#include "death.h"

#if defined(__thumb__)
#  define OTHER __attribute__((target("arm"), noinline))
#else
#  define OTHER __attribute__((target("thumb"), noinline))
#endif

namespace {

constexpr std::size_t STACK_SIZE = 64 * 1024;
alignas(16) char stack_a[STACK_SIZE];

// ---- backtrace inside a context --------------------------------------------

constexpr int MAX_FRAMES = 32;
struct trace {
    int n;
    void *pc[MAX_FRAMES];
};

_Unwind_Reason_Code record(_Unwind_Context *ctx, void *arg)
{
    trace *t = static_cast<trace *>(arg);
    if (t->n == MAX_FRAMES)
        return _URC_END_OF_STACK; // runaway walk: stop it, the test fails
    t->pc[t->n++] = reinterpret_cast<void *>(_Unwind_GetIP(ctx));
    return _URC_NO_REASON;
}

trace bt;
_Unwind_Reason_Code bt_result;

const char *name_of(void *pc)
{
    Dl_info info;
    // Return addresses point after the call; look up the call itself.
    void *at = static_cast<char *>(pc) - 2;
    if (dladdr(at, &info) && info.dli_sname)
        return info.dli_sname;
    return "?";
}

} // namespace

extern "C" __attribute__((noinline)) void bt_leaf()
{
    bt.n = 0;
    bt_result = _Unwind_Backtrace(record, &bt);
}

extern "C" __attribute__((noinline)) void bt_middle()
{
    bt_leaf();
    __asm__ volatile("" ::: "memory"); // not a tail call
}

static uintptr_t stub_ra; // where bt_entry returns to: inside the start stub

extern "C" __attribute__((noinline)) void bt_entry(fctx_transfer_t t)
{
    stub_ra = reinterpret_cast<uintptr_t>(__builtin_return_address(0)) & ~uintptr_t(1);
    bt_middle();
    fctx_jump(t.ctx, nullptr);
}

static void test_backtrace_stops_at_start_stub()
{
    fctx_t c = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, bt_entry);
    fctx_jump(c, nullptr);
    for (int i = 0; i < bt.n; ++i)
        std::printf("  frame %d: %p %s\n", i, bt.pc[i], name_of(bt.pc[i]));
    std::printf("  stub return address %#lx, walk result %d\n",
                static_cast<unsigned long>(stub_ra), static_cast<int>(bt_result));
    // The stub is reported as the last frame; unwinding it yields the fake
    // return address into the .cantunwind fctx_context_bottom, where the
    // walk ends without reporting it.  libgcc 12 returns _URC_FAILURE for
    // that (as at the top of main's stack on Arm); newer ones may return
    // _URC_END_OF_STACK.
    CHECK(bt.n == 4);
    CHECK(bt_result == _URC_FAILURE || bt_result == _URC_END_OF_STACK);
    CHECK(std::strcmp(name_of(bt.pc[0]), "bt_leaf") == 0);
    CHECK(std::strcmp(name_of(bt.pc[1]), "bt_middle") == 0);
    CHECK(std::strcmp(name_of(bt.pc[2]), "bt_entry") == 0);
    CHECK(reinterpret_cast<uintptr_t>(bt.pc[3]) == stub_ra);
}

// An ontop function run on a new context "returns" into the stub's resume
// point, a few instructions before stub_ra: the walk must attribute that
// address to the stub (report it, then stop), not to the code before it.
extern "C" __attribute__((noinline)) fctx_transfer_t bt_ontop(fctx_transfer_t t)
{
    bt_leaf();
    __asm__ volatile("" ::: "memory");
    return t;
}

static void back_entry(fctx_transfer_t t)
{
    fctx_jump(t.ctx, nullptr);
}

static void test_backtrace_in_ontop_on_new_context()
{
    CHECK(stub_ra != 0); // learnt by the previous test
    fctx_t c = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, back_entry);
    fctx_ontop(c, nullptr, bt_ontop);
    for (int i = 0; i < bt.n; ++i)
        std::printf("  frame %d: %p %s\n", i, bt.pc[i], name_of(bt.pc[i]));
    CHECK(bt.n == 3);
    CHECK(std::strcmp(name_of(bt.pc[0]), "bt_leaf") == 0);
    CHECK(std::strcmp(name_of(bt.pc[1]), "bt_ontop") == 0);
    const uintptr_t resume = reinterpret_cast<uintptr_t>(bt.pc[2]);
    CHECK(resume < stub_ra && resume >= stub_ra - 16); // the stub's resume point
}

// ---- exceptions escaping the first frame ------------------------------------

static void throwing_entry(fctx_transfer_t)
{
    throw std::runtime_error("escapes the context");
}

static fctx_transfer_t throwing_ontop(fctx_transfer_t)
{
    throw std::runtime_error("escapes the ontop function");
}

static void never_entered(fctx_transfer_t)
{
    std::fputs("entry must not run\n", stderr);
    std::_Exit(3);
}

static void child_entry_throws()
{
    alarm(30); // an endless unwind loop becomes SIGALRM, not a hang
    fctx_t c = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, throwing_entry);
    fctx_jump(c, nullptr);
}

static void child_ontop_on_new_context_throws()
{
    alarm(30);
    fctx_t c = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, never_entered);
    fctx_ontop(c, nullptr, throwing_ontop);
}

static void expect_terminate(void (*child)())
{
    death d = run_in_child(child);
    if (d.signal != SIGABRT)
        std::fprintf(stderr, "child: signal %d, exit %d, output:\n%s\n", d.signal,
                     d.exit_code, d.output);
    CHECK(d.signal == SIGABRT);
    CHECK(std::strstr(d.output, "terminate called") != nullptr);
}

static void test_exception_escaping_entry_terminates()
{
    expect_terminate(child_entry_throws);
}

static void test_exception_escaping_ontop_on_new_context_terminates()
{
    expect_terminate(child_ontop_on_new_context_throws);
}

// ---- exceptions thrown on top of a suspended context, caught there ---------

struct unwound {
    fctx_t from;
    int value;
};

static int guards_run;
struct guard {
    ~guard() { ++guards_run; }
};

static fctx_transfer_t throw_same(fctx_transfer_t t)
{
    throw unwound{t.ctx, 1};
}

static OTHER fctx_transfer_t throw_other(fctx_transfer_t t)
{
    throw unwound{t.ctx, 2};
}

static __attribute__((noinline)) fctx_transfer_t wait_deep(fctx_transfer_t t, int depth)
{
    guard g;
    if (depth > 0)
        return wait_deep(t, depth - 1);
    return fctx_jump(t.ctx, nullptr);
}

static void catching_entry(fctx_transfer_t t)
{
    for (;;) {
        try {
            t = wait_deep(t, 4);
            t = fctx_jump(t.ctx, nullptr);
        } catch (const unwound &u) {
            t = fctx_jump(u.from, reinterpret_cast<void *>(static_cast<intptr_t>(u.value)));
        }
    }
}

static void test_exception_from_ontop_caught_in_target()
{
    fctx_t c = fctx_make(stack_a + STACK_SIZE, STACK_SIZE, catching_entry);
    fctx_transfer_t t = fctx_jump(c, nullptr);
    for (int round = 0; round < 10; ++round) {
        guards_run = 0;
        t = fctx_ontop(t.ctx, nullptr, (round & 1) ? throw_other : throw_same);
        CHECK(t.data == reinterpret_cast<void *>(static_cast<intptr_t>((round & 1) ? 2 : 1)));
        CHECK(guards_run == 5);
        t = fctx_jump(t.ctx, nullptr); // back into wait_deep
    }
}

int main()
{
    RUN(test_backtrace_stops_at_start_stub);
    RUN(test_backtrace_in_ontop_on_new_context);
    RUN(test_exception_escaping_entry_terminates);
    RUN(test_exception_escaping_ontop_on_new_context_terminates);
    RUN(test_exception_from_ontop_caught_in_target);
    return 0;
}
