/* windows/compat/pthread.h - the few POSIX thread calls the portable tests use
 * (create, join, self, equal), on Win32 threads.  Only the Windows test
 * targets put this directory on their include path (tests/CMakeLists.txt),
 * so MinGW's winpthreads and MSVC (which has no pthread.h) are treated
 * alike and the tests need no libwinpthread. */
#ifndef FCTX_TEST_WIN_PTHREAD_H
#define FCTX_TEST_WIN_PTHREAD_H

#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN 1
#endif
#include <windows.h>

#include <errno.h>
#include <process.h>
#include <stdlib.h>

typedef struct {
    DWORD id;      /* what pthread_self()/pthread_equal() compare */
    HANDLE handle; /* for pthread_join (NULL in pthread_self()'s result) */
} pthread_t;

typedef int pthread_attr_t; /* attributes are not supported: pass NULL */

struct fctx_test_thread_start {
    void *(*fn)(void *);
    void *arg;
};

static unsigned __stdcall fctx_test_thread_main(void *p)
{
    struct fctx_test_thread_start s = *(struct fctx_test_thread_start *)p;
    free(p);
    s.fn(s.arg); /* the result is dropped: pthread_join(t, NULL) only */
    return 0;
}

static inline int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                                 void *arg)
{
    if (attr != NULL)
        return EINVAL;
    struct fctx_test_thread_start *s =
        (struct fctx_test_thread_start *)malloc(sizeof *s);
    if (s == NULL)
        return EAGAIN;
    s->fn = fn;
    s->arg = arg;
    unsigned id = 0;
    /* _beginthreadex, not CreateThread: the C runtime sets up its
     * per-thread data. */
    uintptr_t h = _beginthreadex(NULL, 0, fctx_test_thread_main, s, 0, &id);
    if (h == 0) {
        free(s);
        return EAGAIN;
    }
    t->id = id;
    t->handle = (HANDLE)h;
    return 0;
}

static inline int pthread_join(pthread_t t, void **result)
{
    if (result != NULL || t.handle == NULL)
        return EINVAL;
    if (WaitForSingleObject(t.handle, INFINITE) != WAIT_OBJECT_0)
        return EINVAL;
    CloseHandle(t.handle);
    return 0;
}

static inline pthread_t pthread_self(void)
{
    pthread_t t = {GetCurrentThreadId(), NULL};
    return t;
}

static inline int pthread_equal(pthread_t a, pthread_t b)
{
    return a.id == b.id;
}

#endif
