/*
 * echo_server.c - a TCP echo server: one thread, one fiber per connection,
 * non-blocking sockets and epoll, on the scheduler of sched/.
 *
 * A read or write that would block parks the calling fiber on the socket
 * (io_wait) and switches to the event loop; when epoll reports the socket
 * ready, the loop makes the fiber runnable again and the call is retried.
 * Each socket is registered once, edge-triggered, for EPOLLIN|EPOLLOUT;
 * what the parked fiber waits for is kept in user space (io->want), so a
 * park costs no epoll_ctl() call.  Edge triggering is safe here because a
 * fiber only parks after the kernel said EAGAIN: any data arriving later
 * raises a new edge.
 *
 *   echo_server [--port P]            serve on 127.0.0.1:P until SIGINT/SIGTERM
 *   echo_server --selftest [--connections N] [--rounds R] [--max-size B]
 *               [--idle K] [--inflight F] [--stack-kib S] [--fixed]
 *               [--timeout SEC] [--require-full]
 *
 * Self-test: the server listens on 127.0.0.1 with an ephemeral port and
 * forks a client process (its own epoll loop and one fiber per
 * connection; a second process rather than a thread so that each side
 * needs only N file descriptors, and the server's memory is measured
 * alone).  The client opens N connections, keeps all of them open at once,
 * runs R request/response rounds of varied sizes on each and checks every
 * byte that comes back, then closes them.  Then it opens K idle
 * connections that the server shuts down by canceling their fibers while
 * they are blocked in read.  The result is a two-column table (name value)
 * on stdout; "result PASS" or "result FAIL" is the last line.
 */
#define _GNU_SOURCE 1

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "counting_alloc.h"
#include "sched/sched.h"

/* ---- event loop ------------------------------------------------------------ */

typedef struct loop {
    fsched_t *s;
    int epfd;
    long polls;    /* epoll_wait calls */
    long wakeups;  /* fibers made runnable by an event */
} loop_t;

/* A file descriptor a fiber can block on.  It may live on the fiber's own
 * stack: epoll's pointer to it is only used between epoll_wait() and the
 * next fsched_run(), when no fiber runs, and the fd is closed (which removes
 * it from epoll) before the fiber returns. */
typedef struct io {
    int fd;
    uint32_t want;    /* EPOLLIN and/or EPOLLOUT while a fiber is parked */
    fsched_waitq_t q;  /* the parked fiber */
} io_t;

static int loop_init(loop_t *L, const fctx_allocator_t *alloc, size_t stack_size)
{
    L->polls = L->wakeups = 0;
    L->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (L->epfd < 0)
        return errno;
    int err = fsched_create(&L->s, alloc, stack_size);
    if (err) {
        close(L->epfd);
        return err;
    }
    return 0;
}

static int io_register(loop_t *L, io_t *io, int fd)
{
    io->fd = fd;
    io->want = 0;
    fsched_waitq_init(&io->q);
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET; /* once, for good */
    ev.data.ptr = io;
    return epoll_ctl(L->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

/* Park the calling fiber until `io` is ready for `events`.  0 or ECANCELED. */
static int io_wait(loop_t *L, io_t *io, uint32_t events)
{
    io->want = events;
    int rc = fsched_wait(L->s, &io->q);
    io->want = 0;
    return rc;
}

/* Read at least one byte (or EOF).  Returns bytes, 0 at EOF, -errno. */
static ssize_t io_read(loop_t *L, io_t *io, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = read(io->fd, buf, len);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        int rc = io_wait(L, io, EPOLLIN);
        if (rc)
            return -rc;
    }
}

/* Write all of buf.  Returns 0 or -errno. */
static int io_write_all(loop_t *L, io_t *io, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(io->fd, buf, len, MSG_NOSIGNAL);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        int rc = io_wait(L, io, EPOLLOUT);
        if (rc)
            return -rc;
    }
    return 0;
}

/* Run fibers until all have finished; while all are blocked, wait for
 * events and make the fibers they concern runnable. */
static int loop_run(loop_t *L)
{
    struct epoll_event evs[512];
    for (;;) {
        size_t live = 0;
        fsched_run(L->s, &live);
        if (live == 0)
            return 0;
        int n = epoll_wait(L->epfd, evs, (int)(sizeof evs / sizeof evs[0]), -1);
        L->polls++;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        /* Only mark fibers runnable here; none runs until the batch is done,
         * so every io pointer in the batch is still valid. */
        for (int i = 0; i < n; ++i) {
            io_t *io = (io_t *)evs[i].data.ptr;
            uint32_t e = evs[i].events;
            if (e & EPOLLRDHUP)
                e |= EPOLLIN; /* peer closed: a read returns 0 now */
            if ((io->want & e) || (e & (EPOLLERR | EPOLLHUP)))
                L->wakeups += (long)fsched_wake_all(L->s, &io->q, 0);
        }
    }
}

/* ---- small helpers ----------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/* A "Vm...:" line of /proc/self/status, in KiB (-1 if unavailable). */
static long status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    char line[256];
    long v = -1;
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            v = strtol(line + klen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

static int set_nodelay(int fd)
{
    int one = 1; /* request/response traffic: don't let Nagle wait for ACKs */
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static const char *stack_kind;

/* ---- the server ----------------------------------------------------------------- */

struct server {
    loop_t L;
    counting_alloc_t stacks;
    io_t listener;
    fsched_task_t *acceptor;
    long accepted, live, max_live, canceled, errors, spawn_failures;
    uint64_t bytes;
    fsched_waitq_t drained; /* woken whenever `live` drops */
    char first_error[160];
};

static struct server srv; /* one per process */

static void server_error(const char *what, int err)
{
    srv.errors++;
    if (srv.first_error[0] == '\0')
        snprintf(srv.first_error, sizeof srv.first_error, "%s: %s", what, strerror(err));
}

enum { ECHO_BUF = 4096 };

static void *connection(fsched_t *s, void *arg)
{
    (void)s;
    int fd = (int)(intptr_t)arg;
    io_t io; /* on this fiber's stack: see io_t */
    int err = io_register(&srv.L, &io, fd);
    if (err) {
        server_error("epoll_ctl(connection)", err);
        close(fd);
        return NULL;
    }
    if (++srv.live > srv.max_live)
        srv.max_live = srv.live;
    char buf[ECHO_BUF];
    for (;;) {
        ssize_t n = io_read(&srv.L, &io, buf, sizeof buf);
        if (n == 0)
            break; /* the client is done */
        if (n < 0) {
            if (n == -ECANCELED)
                srv.canceled++; /* server shutdown */
            else
                server_error("read", (int)-n);
            break;
        }
        int rc = io_write_all(&srv.L, &io, buf, (size_t)n);
        if (rc < 0) {
            if (rc == -ECANCELED)
                srv.canceled++;
            else
                server_error("write", -rc);
            break;
        }
        srv.bytes += (uint64_t)n;
    }
    close(fd); /* also removes it from epoll */
    srv.live--;
    fsched_wake_all(srv.L.s, &srv.drained, 0);
    return NULL;
}

static void *acceptor(fsched_t *s, void *arg)
{
    (void)arg;
    for (;;) {
        int fd = accept4(srv.listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            srv.accepted++;
            set_nodelay(fd);
            int err = fsched_spawn(s, connection, (void *)(intptr_t)fd, NULL);
            if (err) {
                srv.spawn_failures++;
                server_error("spawn", err);
                close(fd);
            }
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            server_error("accept", errno); /* EMFILE etc.: stop accepting */
            return NULL;
        }
        if (io_wait(&srv.L, &srv.listener, EPOLLIN) == ECANCELED)
            return NULL; /* shutdown */
    }
}

static int server_init(int port, size_t stack_size, const fctx_allocator_t *inner)
{
    memset(&srv, 0, sizeof srv);
    counting_alloc_init(&srv.stacks, inner);
    fsched_waitq_init(&srv.drained);
    int err = loop_init(&srv.L, &srv.stacks.alloc, stack_size);
    if (err)
        return err;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1 only */
    a.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, SOMAXCONN) != 0) {
        err = errno;
        close(fd);
        return err;
    }
    return io_register(&srv.L, &srv.listener, fd);
}

static int server_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (getsockname(srv.listener.fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    return ntohs(a.sin_port);
}

/* ---- the self-test client (a forked process) ------------------------------------ */

struct options {
    long conns, rounds, idle, inflight;
    size_t max_size, stack_size;
    int fixed, require_full, timeout;
};

/* What the client tells the server process, over a pipe. */
struct report {
    long conns_ok, conns_failed, requests;
    uint64_t bytes;
    double connect_s, elapsed_s;
    long rss_before_kib, rss_peak_kib;
    long idle_ready, idle_eof;
    char first_error[160];
};

enum { PATTERN = 1 << 17 }; /* the bytes every request is cut from */
static unsigned char pattern[PATTERN];

static const size_t round_sizes[] = {1, 100, 512, 1460, 4096, 8192, 16384, 65536};
enum { NSIZES = sizeof round_sizes / sizeof round_sizes[0] };

struct gate { /* a counting semaphore */
    long avail;
    fsched_waitq_t q;
};

struct barrier {
    long expected, arrived;
    fsched_waitq_t q;
};

struct client {
    loop_t L;
    counting_alloc_t stacks;
    struct options o;
    struct sockaddr_in addr;
    struct gate slots;             /* connects + first round in flight */
    struct barrier all_open, all_done;
    long main_done, idle_done;
    fsched_waitq_t progress;        /* woken when main_done/idle_ready/idle_done move */
    struct report r;
    int report_fd;
    double t0, t_open;
};

static struct client cl; /* one per process */

static void client_error(const char *fmt, long conn, int err)
{
    if (cl.r.first_error[0] == '\0') {
        char what[96];
        snprintf(what, sizeof what, fmt, conn);
        snprintf(cl.r.first_error, sizeof cl.r.first_error, "%s: %s", what,
                 err ? strerror(err) : "mismatch");
    }
}

static int gate_enter(fsched_t *s, struct gate *g)
{
    while (g->avail == 0) {
        int rc = fsched_wait(s, &g->q);
        if (rc)
            return rc;
    }
    g->avail--;
    return 0;
}

static void gate_leave(fsched_t *s, struct gate *g)
{
    g->avail++;
    fsched_wake_one(s, &g->q, 0);
}

static int barrier_arrive(fsched_t *s, struct barrier *b)
{
    if (++b->arrived == b->expected) {
        fsched_wake_all(s, &b->q, 0);
        return 0;
    }
    while (b->arrived < b->expected) {
        int rc = fsched_wait(s, &b->q);
        if (rc)
            return rc;
    }
    return 0;
}

static size_t pattern_start(long conn, long round)
{
    uint64_t x = (uint64_t)conn * 0x9E3779B97F4A7C15u ^ (uint64_t)round * 0xC2B2AE3D27D4EB4Fu;
    x ^= x >> 29;
    return (size_t)(x % PATTERN);
}

/* One request/response round: send `len` pattern bytes and check that the
 * same bytes come back.  Sends and receives interleave, so a large request
 * cannot deadlock against a server that is writing back to us. */
static int echo_round(io_t *io, long conn, long round, size_t len)
{
    size_t start = pattern_start(conn, round);
    size_t sent = 0, got = 0;
    char buf[4096];
    while (got < len) {
        int progress = 0;
        uint32_t want = 0;
        if (sent < len) {
            size_t pos = (start + sent) % PATTERN;
            size_t chunk = len - sent;
            if (chunk > PATTERN - pos)
                chunk = PATTERN - pos;
            ssize_t n = send(io->fd, pattern + pos, chunk, MSG_NOSIGNAL);
            if (n > 0 || (n < 0 && errno == EINTR)) {
                sent += n > 0 ? (size_t)n : 0;
                progress = 1;
            } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                client_error("send on connection %ld", conn, errno);
                return -1;
            } else {
                want |= EPOLLOUT;
            }
        }
        size_t room = len - got < sizeof buf ? len - got : sizeof buf;
        ssize_t n = read(io->fd, buf, room);
        if (n < 0 && errno == EINTR) {
            progress = 1;
        } else if (n > 0) {
            size_t pos = (start + got) % PATTERN;
            size_t first = (size_t)n < PATTERN - pos ? (size_t)n : PATTERN - pos;
            if (memcmp(buf, pattern + pos, first) != 0 ||
                memcmp(buf + first, pattern, (size_t)n - first) != 0) {
                client_error("wrong bytes echoed on connection %ld", conn, 0);
                return -1;
            }
            got += (size_t)n;
            progress = 1;
        } else if (n == 0) {
            client_error("early EOF on connection %ld", conn, 0);
            return -1;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            client_error("read on connection %ld", conn, errno);
            return -1;
        } else {
            want |= EPOLLIN;
        }
        if (!progress && io_wait(&cl.L, io, want) != 0)
            return -1;
    }
    cl.r.bytes += len;
    cl.r.requests++;
    return 0;
}

/* Connect (non-blocking) and register with epoll.  Returns 0 or -1. */
static int client_connect(io_t *io, long conn)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        client_error("socket for connection %ld", conn, errno);
        return -1;
    }
    set_nodelay(fd);
    int rc = connect(fd, (struct sockaddr *)&cl.addr, sizeof cl.addr);
    if (rc != 0 && errno != EINPROGRESS) {
        client_error("connect %ld", conn, errno);
        close(fd);
        return -1;
    }
    int err = io_register(&cl.L, io, fd);
    if (err) {
        client_error("epoll_ctl for connection %ld", conn, err);
        close(fd);
        return -1;
    }
    if (rc != 0) { /* in progress: writable once connected */
        if (io_wait(&cl.L, io, EPOLLOUT) != 0) {
            close(fd);
            return -1;
        }
        socklen_t len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            client_error("connect %ld", conn, err ? err : errno);
            close(fd);
            return -1;
        }
    }
    return 0;
}

/* Half-close, then wait for the server's EOF: every byte was handled. */
static int client_close(io_t *io, long conn)
{
    int ok = 0;
    if (shutdown(io->fd, SHUT_WR) == 0) {
        char c;
        ssize_t n = io_read(&cl.L, io, &c, 1);
        ok = n == 0;
        if (!ok)
            client_error("no clean EOF on connection %ld", conn, n < 0 ? (int)-n : 0);
    }
    close(io->fd);
    return ok ? 0 : -1;
}

static void *client_conn(fsched_t *s, void *arg)
{
    long conn = (long)(intptr_t)arg;
    io_t io;
    size_t first = round_sizes[conn % NSIZES];
    int entered = gate_enter(s, &cl.slots) == 0;
    int open = entered && client_connect(&io, conn) == 0;
    int ok = open && echo_round(&io, conn, 0, first < cl.o.max_size ? first : cl.o.max_size) == 0;
    if (entered)
        gate_leave(s, &cl.slots);
    /* Everybody is connected (and was answered) before the data phase. */
    barrier_arrive(s, &cl.all_open);
    if (cl.t_open == 0.0)
        cl.t_open = now_s();
    for (long r = 1; ok && r < cl.o.rounds; ++r) {
        size_t len = round_sizes[(size_t)(conn * 5 + r * 3) % NSIZES];
        ok = echo_round(&io, conn, r, len < cl.o.max_size ? len : cl.o.max_size) == 0;
    }
    /* All N connections stay open until every one has finished its rounds. */
    barrier_arrive(s, &cl.all_done);
    if (open) {
        if (ok)
            ok = client_close(&io, conn) == 0;
        else
            close(io.fd);
    }
    if (ok)
        cl.r.conns_ok++;
    else
        cl.r.conns_failed++;
    cl.main_done++;
    fsched_wake_all(s, &cl.progress, 0);
    return NULL;
}

/* An idle connection: one small round, then block until the server closes it. */
static void *client_idle(fsched_t *s, void *arg)
{
    long conn = cl.o.conns + (long)(intptr_t)arg;
    io_t io;
    if (client_connect(&io, conn) == 0) {
        if (echo_round(&io, conn, 0, 64) == 0) {
            cl.r.idle_ready++;
            fsched_wake_all(s, &cl.progress, 0);
            char c;
            if (io_read(&cl.L, &io, &c, 1) == 0)
                cl.r.idle_eof++; /* closed by the server's shutdown */
        }
        close(io.fd);
    }
    cl.idle_done++;
    fsched_wake_all(s, &cl.progress, 0);
    return NULL;
}

static int send_report(void)
{
    ssize_t n = write(cl.report_fd, &cl.r, sizeof cl.r); /* < PIPE_BUF: atomic */
    return n == (ssize_t)sizeof cl.r ? 0 : -1;
}

static void *client_main(fsched_t *s, void *arg)
{
    (void)arg;
    cl.r.rss_before_kib = status_kib("VmRSS");
    cl.t0 = now_s();
    long spawned = 0;
    for (; spawned < cl.o.conns; ++spawned) {
        int err = fsched_spawn(s, client_conn, (void *)(intptr_t)spawned, NULL);
        if (err) {
            client_error("spawn client fiber %ld", spawned, err);
            break;
        }
    }
    if (spawned < cl.o.conns) { /* none of them has run yet: fix the barriers */
        cl.r.conns_failed += cl.o.conns - spawned;
        cl.all_open.expected = cl.all_done.expected = spawned;
    }
    while (cl.main_done < spawned)
        if (fsched_wait(s, &cl.progress) != 0)
            return NULL;
    double t_end = now_s();
    cl.r.connect_s = cl.t_open - cl.t0;
    cl.r.elapsed_s = t_end - cl.t0;
    cl.r.rss_peak_kib = status_kib("VmHWM");

    for (long i = 0; i < cl.o.idle; ++i)
        if (fsched_spawn(s, client_idle, (void *)(intptr_t)i, NULL) != 0)
            cl.idle_done++;
    while (cl.r.idle_ready + cl.idle_done < cl.o.idle)
        if (fsched_wait(s, &cl.progress) != 0)
            return NULL;
    send_report(); /* 1: the main phase is over, the idle connections are open */
    while (cl.idle_done < cl.o.idle)
        if (fsched_wait(s, &cl.progress) != 0)
            return NULL;
    send_report(); /* 2: the server closed the idle connections */
    return NULL;
}

static int run_client(const struct options *o, int port, int report_fd, const fctx_allocator_t *inner)
{
    memset(&cl, 0, sizeof cl);
    cl.o = *o;
    cl.report_fd = report_fd;
    cl.addr.sin_family = AF_INET;
    cl.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cl.addr.sin_port = htons((uint16_t)port);
    cl.slots.avail = o->inflight;
    fsched_waitq_init(&cl.slots.q);
    cl.all_open.expected = cl.all_done.expected = o->conns;
    fsched_waitq_init(&cl.all_open.q);
    fsched_waitq_init(&cl.all_done.q);
    fsched_waitq_init(&cl.progress);
    uint64_t x = 0x243F6A8885A308D3u; /* xorshift64: any fixed bytes will do */
    for (size_t i = 0; i < PATTERN; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pattern[i] = (unsigned char)(x >> 56);
    }
    counting_alloc_init(&cl.stacks, inner);
    if (loop_init(&cl.L, &cl.stacks.alloc, o->stack_size) != 0)
        return 1;
    if (fsched_spawn(cl.L.s, client_main, NULL, NULL) != 0)
        return 1;
    if (loop_run(&cl.L) != 0)
        return 1;
    int rc = fsched_destroy(cl.L.s);
    close(cl.L.epfd);
    if (rc != 0 || cl.stacks.live != 0) {
        fprintf(stderr, "echo_server client: %ld fiber stacks not released\n", cl.stacks.live);
        return 1;
    }
    return cl.r.conns_failed == 0 ? 0 : 1;
}

/* ---- the self-test driver (server process) ------------------------------------- */

static pid_t child_pid;

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "echo_server: watchdog expired, test FAILED (hung?)\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    if (child_pid > 0)
        kill(child_pid, SIGKILL);
    _exit(3);
}

/* Raise the soft RLIMIT_NOFILE to `need` if the hard limit allows.
 * Returns the soft limit in force afterwards. */
static long raise_nofile(long need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need) {
        rlim_t want = (rlim_t)need;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
            want = rl.rlim_max;
        rl.rlim_cur = want;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur == RLIM_INFINITY ? need : (long)rl.rlim_cur;
}

struct control {
    int fd;
    struct report r;
    int got_report;
};

/* Read exactly one report from the client; 0 or -1 (EOF, error). */
static int read_report(io_t *io, struct report *r)
{
    size_t got = 0;
    while (got < sizeof *r) {
        ssize_t n = io_read(&srv.L, io, (char *)r + got, sizeof *r - got);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

/* Waits for the client's first report, then for the main connections to
 * be gone, then shuts the server down by canceling every fiber: the
 * acceptor and the idle connections, all blocked in io_wait(). */
static void *controller(fsched_t *s, void *arg)
{
    struct control *c = (struct control *)arg;
    io_t io;
    if (io_register(&srv.L, &io, c->fd) == 0) {
        c->got_report = read_report(&io, &c->r) == 0;
        epoll_ctl(srv.L.epfd, EPOLL_CTL_DEL, c->fd, NULL);
    }
    if (c->got_report) {
        while (srv.live > c->r.idle_ready)
            if (fsched_wait(s, &srv.drained) != 0)
                break;
    }
    fsched_cancel_all(s); /* includes ourselves: we just return */
    return NULL;
}

static void print_row(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void print_row(const char *name, const char *fmt, ...)
{
    va_list ap;
    printf("%-26s ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static int selftest(struct options o)
{
    const long reserve = 32;
    long requested = o.conns;
    long need = o.conns + o.idle + reserve;
    long limit = raise_nofile(need);
    int reduced = 0;
    if (limit < need) {
        long fit = limit - reserve - o.idle;
        fprintf(stdout, "# NOTE: RLIMIT_NOFILE allows %ld descriptors per process; %ld connections "
                        "need %ld: running with %ld connections\n", limit, o.conns, need,
                fit > 0 ? fit : 0);
        o.conns = fit > 0 ? fit : 0;
        reduced = 1;
        if (o.conns == 0)
            return 1;
    }

    const fctx_allocator_t *inner = o.fixed ? fctx_fixed_allocator() : fctx_guarded_allocator();
    int err = server_init(0, o.stack_size, inner);
    if (err) {
        fprintf(stderr, "echo_server: server setup: %s\n", strerror(err));
        return 1;
    }
    int port = server_port();
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        perror("pipe2");
        return 1;
    }
    fflush(stdout);
    pid_t parent = getpid();
    child_pid = fork();
    if (child_pid < 0) {
        perror("fork");
        return 1;
    }
    if (child_pid == 0) {
        child_pid = -1;
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the server */
        if (getppid() != parent)
            _exit(1);
        alarm((unsigned)o.timeout); /* alarms are not inherited */
        close(fds[0]);
        close(srv.listener.fd);
        close(srv.L.epfd); /* the client builds its own loop */
        _exit(run_client(&o, port, fds[1], inner));
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);

    long rss_before = status_kib("VmRSS");
    struct control ctl;
    memset(&ctl, 0, sizeof ctl);
    ctl.fd = fds[0];
    int ok = 1;
    if (fsched_spawn(srv.L.s, acceptor, NULL, &srv.acceptor) != 0 ||
        fsched_spawn(srv.L.s, controller, &ctl, NULL) != 0) {
        fprintf(stderr, "echo_server: cannot start the server fibers\n");
        return 1;
    }
    if ((err = loop_run(&srv.L)) != 0) {
        fprintf(stderr, "echo_server: epoll_wait: %s\n", strerror(err));
        ok = 0;
    }
    long rss_peak = status_kib("VmHWM");
    int acceptor_status = -1;
    int acceptor_joined = fsched_join(srv.L.s, srv.acceptor, NULL, &acceptor_status) == 0;
    fsched_stats_t stats;
    fsched_get_stats(srv.L.s, &stats);
    long stacks_peak = srv.stacks.peak;
    long polls = srv.L.polls, wakeups = srv.L.wakeups;
    if (fsched_destroy(srv.L.s) != 0)
        ok = 0;
    close(srv.L.epfd);
    close(srv.listener.fd);
    long rss_after = status_kib("VmRSS");

    /* The second report: did the client see the shutdown as EOF? */
    struct report r2;
    memset(&r2, 0, sizeof r2);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) & ~O_NONBLOCK);
    size_t got = 0;
    while (got < sizeof r2) {
        ssize_t n = read(fds[0], (char *)&r2 + got, sizeof r2 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fds[0]);
    int wst = 0;
    waitpid(child_pid, &wst, 0);
    child_pid = 0;

    struct rusage ru_self, ru_child;
    getrusage(RUSAGE_SELF, &ru_self);
    getrusage(RUSAGE_CHILDREN, &ru_child);
    double server_cpu = tv_s(ru_self.ru_utime) + tv_s(ru_self.ru_stime);
    double client_cpu = tv_s(ru_child.ru_utime) + tv_s(ru_child.ru_stime);

    const struct report *r = &ctl.r;
    int client_ok = WIFEXITED(wst) && WEXITSTATUS(wst) == 0;
    if (!ctl.got_report || got != sizeof r2) {
        fprintf(stderr, "echo_server: the client died or sent no report (status 0x%x)\n", wst);
        ok = 0;
    }
    uint64_t bytes = r->bytes;
    double mbps = r->elapsed_s > 0 ? (double)bytes / r->elapsed_s / 1e6 : 0;
    double rps = r->elapsed_s > 0 ? (double)r->requests / r->elapsed_s : 0;
    double per_conn = o.conns > 0 ? (double)(rss_peak - rss_before) / (double)o.conns : 0;
    double client_per_conn =
        o.conns > 0 ? (double)(r->rss_peak_kib - r->rss_before_kib) / (double)o.conns : 0;

    /* Everything that must hold. */
    struct {
        int ok;
        const char *what;
    } checks[] = {
        {client_ok, "client process exited 0 (its fibers all finished, stacks released)"},
        {r->conns_ok == o.conns && r->conns_failed == 0, "every connection verified"},
        {r->requests == o.conns * o.rounds + r->idle_ready, "every round answered"},
        {srv.max_live == o.conns, "all connections open at once on the server"},
        {srv.accepted == o.conns + o.idle, "server accepted every connection"},
        {srv.bytes == r2.bytes, "server echoed exactly what the client sent"},
        {r->idle_ready == o.idle && r2.idle_eof == o.idle, "idle connections closed by shutdown"},
        {srv.canceled == o.idle, "shutdown canceled exactly the idle connection fibers"},
        {acceptor_joined && acceptor_status == ECANCELED, "the acceptor was stopped by cancellation"},
        {srv.errors == 0, "no server I/O errors"},
        {srv.stacks.live == 0, "every server fiber stack released"},
        {!(reduced && o.require_full), "full connection count (--require-full)"},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; ++i) {
        if (!checks[i].ok) {
            fprintf(stderr, "echo_server: FAILED: %s\n", checks[i].what);
            ok = 0;
        }
    }
    if (srv.first_error[0])
        fprintf(stderr, "echo_server: server error: %s\n", srv.first_error);
    if (r->first_error[0])
        fprintf(stderr, "echo_server: client error: %s\n", r->first_error);

    printf("# fctx echo_server selftest: 127.0.0.1:%d, one thread, one fiber per connection, "
           "epoll (edge-triggered); client in a second process\n", port);
    print_row("connections", "%ld", o.conns);
    if (reduced)
        print_row("connections_requested", "%ld", requested);
    print_row("concurrent_peak", "%ld", srv.max_live);
    print_row("rounds_per_connection", "%ld", o.rounds);
    print_row("requests", "%ld", r->requests);
    print_row("bytes_echoed", "%" PRIu64, bytes);
    print_row("elapsed_s", "%.3f", r->elapsed_s);
    print_row("connect_phase_s", "%.3f", r->connect_s);
    print_row("throughput_MBps", "%.1f", mbps);
    print_row("requests_per_s", "%.0f", rps);
    print_row("server_cpu_s", "%.3f", server_cpu);
    print_row("client_cpu_s", "%.3f", client_cpu);
    print_row("rss_before_KiB", "%ld", rss_before);
    print_row("rss_peak_KiB", "%ld", rss_peak);
    print_row("rss_after_KiB", "%ld", rss_after);
    print_row("rss_per_connection_KiB", "%.2f", per_conn);
    print_row("client_rss_per_conn_KiB", "%.2f", client_per_conn);
    print_row("stack_KiB", "%zu", o.stack_size / 1024);
    print_row("stack_allocator", "%s", stack_kind);
    print_row("fiber_stacks_peak", "%ld", stacks_peak);
    print_row("fiber_switches", "%zu", stats.switches);
    print_row("epoll_waits", "%ld", polls);
    print_row("fiber_wakeups", "%ld", wakeups);
    print_row("shutdown_canceled", "%ld", srv.canceled);
    print_row("nofile_limit", "%ld", limit);
    print_row("result", "%s", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}

/* ---- serve mode ------------------------------------------------------------------ */

static void *signal_watch(fsched_t *s, void *arg)
{
    int fd = (int)(intptr_t)arg;
    io_t io;
    if (io_register(&srv.L, &io, fd) == 0) {
        struct signalfd_siginfo si;
        ssize_t n = io_read(&srv.L, &io, &si, sizeof si);
        if (n == (ssize_t)sizeof si)
            fprintf(stderr, "echo_server: signal %u: shutting down %ld connections\n",
                    si.ssi_signo, srv.live);
    }
    fsched_cancel_all(s); /* every fiber is blocked in io_wait: each one closes and returns */
    return NULL;
}

static int serve(int port, size_t stack_size, const fctx_allocator_t *inner)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    int err = sfd < 0 ? errno : server_init(port, stack_size, inner);
    if (err) {
        fprintf(stderr, "echo_server: %s\n", strerror(err));
        return 1;
    }
    printf("echo_server: listening on 127.0.0.1:%d (%s stacks of %zu KiB); SIGINT/SIGTERM stops\n",
           server_port(), stack_kind, stack_size / 1024);
    fflush(stdout);
    if (fsched_spawn(srv.L.s, acceptor, NULL, &srv.acceptor) != 0 ||
        fsched_spawn(srv.L.s, signal_watch, (void *)(intptr_t)sfd, NULL) != 0)
        return 1;
    err = loop_run(&srv.L);
    fsched_join(srv.L.s, srv.acceptor, NULL, NULL);
    int rc = fsched_destroy(srv.L.s);
    printf("echo_server: served %ld connections, echoed %" PRIu64 " bytes; %ld closed by shutdown; "
           "%ld stacks live\n", srv.accepted, srv.bytes, srv.canceled, srv.stacks.live);
    return err == 0 && rc == 0 && srv.stacks.live == 0 && srv.errors == 0 ? 0 : 1;
}

/* ---- main ------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: echo_server [--port P] [--stack-kib S] [--fixed]\n"
            "       echo_server --selftest [--connections N] [--rounds R] [--max-size BYTES]\n"
            "                   [--idle K] [--inflight F] [--stack-kib S] [--fixed]\n"
            "                   [--timeout SEC] [--require-full]\n");
}

static int arg_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = {10000, 4, 100, 256, 65536, 0, 0, 0, 120};
    int self = 0;
    long port = 0, stack_kib = 16, v;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NUM(name, lo, hi, dst)                                                   \
    if (strcmp(a, name) == 0) {                                                  \
        if (next == NULL || arg_long(next, lo, hi, &v) != 0) {                   \
            fprintf(stderr, "echo_server: %s wants a number in %ld..%ld\n", name, \
                    (long)(lo), (long)(hi));                                     \
            return 2;                                                            \
        }                                                                        \
        dst = v;                                                                 \
        ++i;                                                                     \
        continue;                                                                \
    }
        NUM("--connections", 1, 1000000, o.conns)
        NUM("--rounds", 1, 1000, o.rounds)
        NUM("--idle", 0, 10000, o.idle)
        NUM("--inflight", 1, 4096, o.inflight)
        NUM("--max-size", 1, 1 << 20, o.max_size)
        NUM("--stack-kib", 4, 1 << 20, stack_kib)
        NUM("--timeout", 1, 3600, o.timeout)
        NUM("--port", 0, 65535, port)
#undef NUM
        if (strcmp(a, "--selftest") == 0)
            self = 1;
        else if (strcmp(a, "--fixed") == 0)
            o.fixed = 1;
        else if (strcmp(a, "--require-full") == 0)
            o.require_full = 1;
        else {
            usage();
            return 2;
        }
    }
    o.stack_size = (size_t)stack_kib * 1024;
    stack_kind = o.fixed ? "fixed" : (fctx_guard_method() == FCTX_GUARD_MADVISE ? "guarded(madvise)"
                                                                                : "guarded(mprotect)");
    signal(SIGPIPE, SIG_IGN);
    const fctx_allocator_t *inner = o.fixed ? fctx_fixed_allocator() : fctx_guarded_allocator();
    if (!self)
        return serve((int)port, o.stack_size, inner);
    signal(SIGALRM, on_alarm);
    alarm((unsigned)o.timeout);
    return selftest(o);
}
