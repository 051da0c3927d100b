/* death.h - run a function in a child process and report how it died,
 * with its stderr captured (POSIX; Windows: tests/windows/death_win.h). */
#ifndef FCTX_TEST_DEATH_H
#define FCTX_TEST_DEATH_H

#if defined(_WIN32)
#  include "windows/death_win.h"
#elif defined(__EMSCRIPTEN__)
#  include "wasm/death_node.h"
#else

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

struct death {
    int signal;    /* terminating signal, 0 if it exited */
    int exit_code; /* exit status if it exited */
    char output[4096];
};

static inline struct death run_in_child(void (*fn)(void))
{
    struct death d;
    memset(&d, 0, sizeof d);
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(1);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        /* No core files from the expected crashes. */
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        signal(SIGABRT, SIG_DFL);
        fn();
        _Exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    char sink[4096];
    /* Read to the end (keep the first 4 KiB) so the child never blocks or
     * gets SIGPIPE on a long report. */
    for (;;) {
        size_t room = sizeof d.output - 1 - n;
        r = room ? read(fds[0], d.output + n, room) : read(fds[0], sink, sizeof sink);
        if (r <= 0)
            break;
        if (room)
            n += (size_t)r;
    }
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st))
        d.signal = WTERMSIG(st);
    else
        d.exit_code = WEXITSTATUS(st);
    return d;
}

/* Died of a segmentation fault: the signal itself, or a sanitizer's SEGV
 * handler (ASan/TSan intercept it, report, and exit non-zero). */
static inline int died_of_segv(const struct death *d)
{
    if (d->signal == SIGSEGV || d->signal == SIGBUS)
        return 1;
    if (d->exit_code != 0 && (strstr(d->output, "Sanitizer: SEGV") != NULL ||
                              strstr(d->output, "Sanitizer: stack-overflow") != NULL))
        return 1;
    fprintf(stderr, "child: signal %d, exit %d, output:\n%s\n", d->signal, d->exit_code,
            d->output);
    return 0;
}

#endif /* POSIX */
#endif
