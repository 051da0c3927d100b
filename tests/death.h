/* death.h - run a function in a child process and report how it died,
 * with its stderr captured (POSIX). */
#ifndef FCTX_TEST_DEATH_H
#define FCTX_TEST_DEATH_H

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

static struct death run_in_child(void (*fn)(void))
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
    while ((r = read(fds[0], d.output + n, sizeof d.output - 1 - n)) > 0)
        n += (size_t)r;
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st))
        d.signal = WTERMSIG(st);
    else
        d.exit_code = WEXITSTATUS(st);
    return d;
}

#endif
