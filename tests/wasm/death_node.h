/* wasm/death_node.h - Emscripten-under-node implementation of tests/death.h:
 * run a function in a child process and report how it died, with its
 * stderr captured.
 *
 * There is no fork(): run_in_child(fn) starts this same program again under
 * the same node (child_process.spawnSync) with FCTX_DEATH_FN=<fn's table
 * index> in its environment.  The child's module is the same binary, so the
 * index names the same function; a constructor included with this header
 * notices the variable, calls fn before main and exits with 0 if fn
 * returns.  The child does not see state the parent's main set up; the
 * death scenarios only use their own.
 *
 * How the child ended is mapped onto the POSIX fields the tests check:
 * abort() (and so std::terminate) prints "Aborted(" -> SIGABRT; a trap on
 * linear memory ("memory access out of bounds") -> SIGSEGV; otherwise signal
 * 0 and exit_code = node's exit status. */
#ifndef FCTX_TEST_DEATH_NODE_H
#define FCTX_TEST_DEATH_NODE_H

#include <emscripten.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct death {
    int signal;    /* POSIX-style cause (see above), 0 if it exited */
    int exit_code; /* exit status if it exited */
    char output[4096];
};

/* Spawn the child; its stderr (at most cap - 1 bytes, NUL-terminated) into
 * out.  Returns node's exit status, or -1 if the child could not start. */
EM_JS(int, death_node_spawn, (uintptr_t fn, char *out, int cap), {
    var cp = require("child_process");
    var env = Object.assign({}, process.env, {FCTX_DEATH_FN: String(fn)});
    var r = cp.spawnSync(process.execPath, process.execArgv.concat(process.argv.slice(1)),
                         {env: env, stdio: ['ignore', 'inherit', 'pipe']});
    if (r.error)
        return -1;
    var text = r.stderr ? r.stderr.toString() : "";
    stringToUTF8(text, out, cap);
    return r.status === null ? 128 : r.status;
})

EM_JS(uintptr_t, death_node_child_fn, (void), {
    return Number(process.env.FCTX_DEATH_FN || 0);
})

__attribute__((constructor)) static void death_node_child(void)
{
    uintptr_t fn = death_node_child_fn();
    if (fn == 0)
        return;
    ((void (*)(void))fn)();
    fflush(stdout);
    fflush(stderr);
    _Exit(0);
}

static inline struct death run_in_child(void (*fn)(void))
{
    struct death d;
    memset(&d, 0, sizeof d);
    fflush(stdout);
    fflush(stderr);
    int status = death_node_spawn((uintptr_t)fn, d.output, (int)sizeof d.output);
    if (status < 0) {
        fprintf(stderr, "death: cannot start the child node process\n");
        exit(1);
    }
    if (strstr(d.output, "Aborted(") != NULL)
        d.signal = SIGABRT;
    else if (strstr(d.output, "memory access out of bounds") != NULL)
        d.signal = SIGSEGV;
    else
        d.exit_code = status;
    return d;
}

static inline int died_of_segv(const struct death *d)
{
    if (d->signal == SIGSEGV)
        return 1;
    fprintf(stderr, "child: signal %d, exit %d, output:\n%s\n", d->signal, d->exit_code,
            d->output);
    return 0;
}

#endif
