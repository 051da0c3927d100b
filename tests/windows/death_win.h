/* windows/death_win.h - Windows implementation of tests/death.h: run a
 * function in a child process and report how it died, with its output
 * captured.
 *
 * There is no fork(): run_in_child(fn) starts this same executable again
 * with the argument FCTX_DEATH_ARG<hex offset of fn in the image>.  A
 * constructor included with this header (it runs before main) notices the
 * argument, calls fn at that offset from the child's own image base (so
 * address-space layout randomisation does not matter) and exits with 0 if
 * fn returns.  Consequence: the child does not see state the parent's main
 * set up; the death scenarios only use their own.
 *
 * How the child ended is mapped onto the POSIX fields the tests check:
 *   exit status STATUS_ACCESS_VIOLATION, STATUS_STACK_OVERFLOW,
 *     STATUS_GUARD_PAGE_VIOLATION, STATUS_IN_PAGE_ERROR      -> SIGSEGV
 *   STATUS_ILLEGAL_INSTRUCTION, STATUS_PRIVILEGED_INSTRUCTION -> SIGILL
 *   STATUS_STACK_BUFFER_OVERRUN (__fastfail)                 -> SIGABRT
 *   abort()/raise(SIGABRT) in the child: its SIGABRT handler exits with
 *     DEATH_SIGNAL_STATUS(SIGABRT)                           -> SIGABRT
 *   anything else: signal 0 and exit_code = the exit status.
 * `status` keeps the raw exit status for Windows-specific checks.
 * The child's stdout and stderr both go to the captured output.
 */
#ifndef FCTX_TEST_DEATH_WIN_H
#define FCTX_TEST_DEATH_WIN_H

#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN 1
#endif
#include <windows.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct death {
    int signal;           /* POSIX-style cause (see above), 0 if it exited */
    int exit_code;        /* exit status if it exited normally */
    unsigned long status; /* raw process exit status */
    char output[4096];
};

#define DEATH_ARG L"--fctx-death-child="
/* Exit status of a child killed by signal s: an application-defined
 * NTSTATUS-style error value (customer bit set), never an ordinary exit. */
#define DEATH_SIGNAL_STATUS(s) (0xE0FC7000ul | (unsigned long)(s))

static inline void death_on_signal(int sig)
{
    fflush(stdout);
    fflush(stderr);
    TerminateProcess(GetCurrentProcess(), (UINT)DEATH_SIGNAL_STATUS(sig));
}

/* Unhandled exception on the thread's own stack: end the process with the
 * exception code (no just-in-time debugger; Wine ignores SetErrorMode). */
static inline LONG WINAPI death_on_exception(EXCEPTION_POINTERS *e)
{
    (void)e;
    return EXCEPTION_EXECUTE_HANDLER;
}

/* Runs before main in every process that includes this header. */
static inline void death_child_hook(void)
{
    const wchar_t *cmd = GetCommandLineW();
    const wchar_t *arg = wcsstr(cmd, DEATH_ARG);
    if (arg == NULL)
        return;
    unsigned long long off = wcstoull(arg + wcslen(DEATH_ARG), NULL, 16);
    /* No error dialogs and no just-in-time debugger: die with the code. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    SetUnhandledExceptionFilter(death_on_exception);
    signal(SIGABRT, death_on_signal);
    void (*fn)(void);
    char *target = (char *)GetModuleHandleW(NULL) + off;
    memcpy(&fn, &target, sizeof fn); /* data pointer -> function pointer */
    fn();
    fflush(stdout);
    fflush(stderr);
    _Exit(0);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((constructor)) static void death_child_ctor(void)
{
    death_child_hook();
}
#elif defined(_MSC_VER)
#  pragma section(".CRT$XCU", read)
__declspec(allocate(".CRT$XCU")) static void(__cdecl *death_child_ctor)(void) = death_child_hook;
#else
#  error "tests/windows/death_win.h: no way to run code before main with this compiler"
#endif

static inline void death_fail(const char *what)
{
    fprintf(stderr, "death.h: %s failed (error %lu)\n", what, (unsigned long)GetLastError());
    exit(1);
}

static inline struct death run_in_child(void (*fn)(void))
{
    struct death d;
    memset(&d, 0, sizeof d);

    wchar_t exe[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        death_fail("GetModuleFileNameW");
    char *image = (char *)GetModuleHandleW(NULL);
    char *code;
    memcpy(&code, &fn, sizeof code); /* function pointer -> data pointer */
    wchar_t cmdline[MAX_PATH + 64];
    _snwprintf(cmdline, MAX_PATH + 64, L"\"%ls\" %ls%llx", exe, DEATH_ARG,
               (unsigned long long)(code - image));
    cmdline[MAX_PATH + 63] = 0;

    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE rd, wr;
    if (!CreatePipe(&rd, &wr, &sa, 0))
        death_fail("CreatePipe");
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0); /* only the child's end */

    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = NULL;
    si.hStdOutput = wr;
    si.hStdError = wr;
    PROCESS_INFORMATION pi;
    fflush(stdout);
    fflush(stderr);
    if (!CreateProcessW(exe, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
        death_fail("CreateProcessW");
    CloseHandle(wr); /* so ReadFile sees the end when the child exits */
    CloseHandle(pi.hThread);

    /* Read to the end (keep the first 4 KiB) so the child never blocks on
     * a full pipe. */
    DWORD got, total = 0;
    char sink[4096];
    for (;;) {
        DWORD room = (DWORD)(sizeof d.output - 1 - total);
        if (!ReadFile(rd, room ? d.output + total : sink, room ? room : (DWORD)sizeof sink,
                      &got, NULL) ||
            got == 0)
            break; /* ERROR_BROKEN_PIPE: the child and its handles are gone */
        if (room)
            total += got;
    }
    d.output[total] = 0;
    CloseHandle(rd);

    DWORD status = 0;
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &status);
    CloseHandle(pi.hProcess);
    d.status = status;
    switch (status) {
    case 0xC0000005ul: /* STATUS_ACCESS_VIOLATION */
    case 0xC00000FDul: /* STATUS_STACK_OVERFLOW */
    case 0x80000001ul: /* STATUS_GUARD_PAGE_VIOLATION */
    case 0xC0000006ul: /* STATUS_IN_PAGE_ERROR */
        d.signal = SIGSEGV;
        break;
    case 0xC000001Dul: /* STATUS_ILLEGAL_INSTRUCTION */
    case 0xC0000096ul: /* STATUS_PRIVILEGED_INSTRUCTION */
        d.signal = SIGILL;
        break;
    case 0xC0000409ul: /* STATUS_STACK_BUFFER_OVERRUN: __fastfail */
        d.signal = SIGABRT;
        break;
    default:
        if ((status & ~0xFFul) == DEATH_SIGNAL_STATUS(0))
            d.signal = (int)(status & 0xFF);
        else
            d.exit_code = (int)status;
    }
    return d;
}

/* Died of a memory-access fault (access violation, stack overflow, guard
 * page); otherwise print what happened. */
static inline int died_of_segv(const struct death *d)
{
    if (d->signal == SIGSEGV)
        return 1;
    fprintf(stderr, "child: signal %d, exit %d, status 0x%lx, output:\n%s\n", d->signal,
            d->exit_code, d->status, d->output);
    return 0;
}

#endif
