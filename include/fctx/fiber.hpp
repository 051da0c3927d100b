/*
 * fctx/fiber.hpp - a move-only C++ fiber on top of fctx/fiber.h
 * (C++17 or later, with exceptions enabled; header-only: link the fctx
 * library as for the C API).
 *
 * fctx::fiber names a suspended fiber, in the P0876 / Boost.Context style:
 *
 *     fctx::fiber f{[](fctx::fiber &&caller) {
 *         caller = std::move(caller).resume();   // suspend, back to main
 *         return std::move(caller);              // finish: continue with main
 *     }};
 *     f = std::move(f).resume();                 // runs up to the first resume
 *     f = std::move(f).resume();                 // runs to the end: f is empty
 *
 * Resuming consumes the handle (resume() is &&-qualified); the call returns
 * when some fiber switches back, with the handle of the fiber that did (empty
 * if that fiber finished).  Nothing is thread-local: a suspended fiber may be
 * resumed on any thread.  Code of a fiber that moves between threads must
 * not trust what the compiler keeps across a resume(): thread-local
 * addresses, and pthread_self() / std::this_thread::get_id() (glibc declares
 * pthread_self() const, so gcc reuses its value across the call); read them
 * again through a function the compiler cannot see into.
 *
 * Where things live (no heap allocation by this header):
 *  - the C layer keeps its record at the top of the fiber's stack;
 *  - the entry function object is moved onto the fiber's own stack: the
 *    constructor creates the C fiber and resumes it once, passing a pointer
 *    to the function object; the fiber's first frame (the entry wrapper)
 *    move-constructs it into a local and switches straight back.  So a
 *    constructed fiber has made one round trip, but its entry function has
 *    not run: it runs at the first resume().
 *  - the `fiber` object itself is one pointer, the C handle.
 *
 * Errors and defined behaviour:
 *  - Creation errors of the C layer become exceptions: ENOMEM ->
 *    std::bad_alloc; EINVAL, E2BIG and any user allocator's error ->
 *    std::system_error with that errno value (std::generic_category()).
 *  - resume() / resume_with() on an empty fiber throw std::invalid_argument
 *    (the C layer reports the empty handle without switching; the check
 *    costs nothing on the path of a valid resume).
 *  - An exception escaping the entry function is caught by the entry
 *    wrapper, which finishes the fiber (its stack is released) and rethrows
 *    it from the resume() that receives the finish: the one of the fiber
 *    held by the entry's `caller` parameter at that moment (keep the handle
 *    there: `caller = std::move(caller).resume();`).  If that parameter is
 *    empty then, std::terminate() is called.
 *  - Destroying (or assigning over) a non-empty fiber ends it: a fiber whose
 *    entry function has started is unwound (its pending resume() throws an
 *    internal exception that the entry wrapper catches, so destructors of
 *    objects on its stack run), then it finishes and its stack is released;
 *    a fiber whose entry never started is released without running it
 *    (only its function object is destroyed).  Both go through
 *    fctx_fiber_cancel().  catch (...) blocks inside a fiber must rethrow
 *    what they do not handle: a fiber that swallows the internal exception
 *    goes on running without a handle of its destroyer, which stays
 *    suspended (and the empty `caller` it can then return is fatal, below).
 *    The destructor returns once the fiber has finished; fibers that the
 *    unwound one held are ended the same way as their handles are destroyed.
 *    Destroying a handle of a context that is not an fctx::fiber cancels it
 *    too: a C fiber gets FCTX_FIBER_CANCELED as fctx_fiber_cancel() says;
 *    code on the thread's own stack (the `caller` of a fiber resumed from
 *    main code) gets the internal exception from its pending resume(),
 *    nothing catches it there and std::terminate() is called.  So return
 *    or resume such handles, never drop them.
 *  - Returning an empty fiber from the entry function is fatal (the C
 *    layer's entry-return handler, fctx/context.h).
 *
 * Exception state is per thread, not per fiber (see the C++ notes in
 * fctx/fiber.h): do not resume() from inside a catch block; capture the
 * exception with std::current_exception(), leave the block, then switch.
 * This header follows that rule itself.
 *
 * Resume data: fiber.hpp owns the C layer's data word of the switches
 * between fctx::fiber objects (null on the plain path); do not resume a
 * fiber created here through the C API with data of your own.
 */
#ifndef FCTX_FIBER_HPP
#define FCTX_FIBER_HPP

#include <fctx/fiber.h>
#include <fctx/shared_stack.h>

#include <cerrno>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>

#if defined(__GNUC__) || defined(__clang__)
#  define FCTX_HPP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#  define FCTX_HPP_COLD __attribute__((cold, noinline))
#else
#  define FCTX_HPP_UNLIKELY(x) (x)
#  define FCTX_HPP_COLD
#endif

namespace fctx {

/**
 * A suspended fiber, or empty.  Move-only; one pointer in size.
 *
 * The entry function is called as `fiber fn(fiber &&caller)`: `caller` is the
 * fiber that resumed it first, and the returned fiber is the one to switch
 * to when it finishes (normally the latest handle of its resumer).
 */
class fiber {
public:
    /** An empty fiber (operator bool is false). */
    fiber() noexcept = default;

    /**
     * A fiber that will run `fn` on a stack of the default size from the
     * guarded allocator (fctx_guarded_allocator()).  `fn` is moved (or
     * copied, for an lvalue) onto the new fiber's stack; it first runs at the
     * first resume().  Throws std::bad_alloc (ENOMEM) or std::system_error
     * (other errno values of fctx_fiber_create()), and whatever the move or
     * copy of `fn` throws (the fiber is released then).
     */
    template <class Fn, class = std::enable_if_t<!std::is_same<std::decay_t<Fn>, fiber>::value &&
                                                 !std::is_same<std::decay_t<Fn>, std::allocator_arg_t>::value>>
    explicit fiber(Fn &&fn)
        : fiber(std::allocator_arg, *fctx_guarded_allocator(), 0, std::forward<Fn>(fn))
    {
    }

    /**
     * A fiber that will run `fn` on a stack of `stack_size` usable bytes
     * (0: the default; rounded as fctx/stack.h says) from `alloc`: any
     * allocator of the C layer (fctx_fixed_allocator(), fctx_guarded_allocator(),
     * fctx_pool_allocator(), fctx_arena_allocator(), your own).  The struct is
     * copied; what its state points to (a pool, an arena) must outlive the
     * fiber.  Errors as for fiber(Fn&&).
     */
    template <class Fn>
    fiber(std::allocator_arg_t, const fctx_allocator_t &alloc, std::size_t stack_size, Fn &&fn)
        : fiber(std::allocator_arg, attr_of(alloc, stack_size), std::forward<Fn>(fn))
    {
    }

    /**
     * A fiber created with all the settings of fctx_fiber_create_ex()
     * (allocator, stack size, name for overflow diagnosis, stack painting,
     * stack_out).  Errors as for fiber(Fn&&), and EINVAL for unknown flag
     * bits.  `attr` is read during the call only (its name string must
     * outlive the fiber, as in C).
     */
    template <class Fn>
    fiber(std::allocator_arg_t, const fctx_fiber_attr_t &attr, Fn &&fn)
    {
        static_assert(std::is_invocable_r<fiber, std::decay_t<Fn> &, fiber &&>::value,
                      "fctx::fiber: the entry function must be callable as fiber(fiber&&)");
        fctx_fiber_t h = nullptr;
        int err = fctx_fiber_create_ex(&h, &attr, &entry<Fn>);
        if (err != 0)
            throw_create_error(err);
        start(h, std::forward<Fn>(fn));
    }

    /**
     * A fiber that will run `fn` on shared stack `ss` (fctx/shared_stack.h:
     * read "what changes for you" there).  `fn` is moved onto the fiber's
     * stack as for the other constructors, so creating it takes one round
     * trip on the run stack (and swaps its occupant out).  Errors as for
     * fiber(Fn&&): ENOMEM -> std::bad_alloc, EINVAL (ss null) and ENOTSUP ->
     * std::system_error.  Destroying such a fiber while it is swapped out
     * swaps it back in to unwind it: that needs buffer memory for the
     * occupant, and std::terminate() is called without it (a destructor
     * cannot throw; fctx_fiber_reserve() rules it out).
     */
    template <class Fn>
    fiber(fctx_shared_stack_t *ss, Fn &&fn)
    {
        static_assert(std::is_invocable_r<fiber, std::decay_t<Fn> &, fiber &&>::value,
                      "fctx::fiber: the entry function must be callable as fiber(fiber&&)");
        fctx_fiber_t h = nullptr;
        int err = fctx_fiber_create_shared(&h, ss, &entry<Fn>);
        if (err != 0)
            throw_create_error(err);
        start(h, std::forward<Fn>(fn));
    }

    /** Ends a non-empty fiber: unwinds it or releases it (see the top of
     *  this file), then its stack is released.  Empty: nothing. */
    ~fiber()
    {
        if (h_ != nullptr)
            destroy(h_);
    }

    /** Takes other's fiber; other becomes empty. */
    fiber(fiber &&other) noexcept : h_(std::exchange(other.h_, nullptr)) {}

    /** Takes other's fiber (other becomes empty), then ends the one held
     *  so far as the destructor does.  Self-assignment does nothing. */
    fiber &operator=(fiber &&other) noexcept
    {
        if (this != &other) {
            fiber old(std::move(*this));
            h_ = std::exchange(other.h_, nullptr);
        }
        return *this;
    }

    fiber(const fiber &) = delete;
    fiber &operator=(const fiber &) = delete;

    /**
     * Switch to this fiber; *this becomes empty.  Returns when some fiber
     * switches back to the caller: the fiber that did (suspended), or an
     * empty fiber if it finished.  Throws std::invalid_argument if *this is
     * empty (nothing happens then), and rethrows an exception that escaped
     * the entry function of a fiber finishing towards the caller.  Throws
     * std::bad_alloc, with *this still holding the fiber, when the switch
     * had to swap a shared fiber out and got no buffer memory
     * (fctx/shared_stack.h; nothing switched).
     */
    [[nodiscard]] fiber resume() &&
    {
        fctx_fiber_t h = std::exchange(h_, nullptr);
        return arrive(fctx_fiber_resume(h, nullptr), this, h);
    }

    /**
     * Switch to this fiber and call `fn(fiber &&caller)` on top of its stack
     * before it continues (`caller`: the fiber calling resume_with, now
     * suspended); the fiber that `fn` returns is what this fiber's pending
     * resume() returns (for a fiber whose entry has not started: the
     * `caller` its entry receives).  *this becomes empty.  Returns as
     * resume() does.  If `fn` throws, the exception comes out of the
     * resumed fiber's pending resume(), as if that call threw it, and the
     * `caller` handle `fn` received is destroyed on the way unless `fn`
     * moved it elsewhere (which ends that fiber, see ~fiber); for a fiber
     * whose entry has not started, the exception escapes the entry wrapper
     * with no caller: std::terminate().  Throws std::invalid_argument if
     * *this is empty (nothing happens then), and std::bad_alloc as resume()
     * does.
     */
    template <class Fn>
    [[nodiscard]] fiber resume_with(Fn &&fn) &&
    {
        static_assert(std::is_invocable_r<fiber, Fn &&, fiber &&>::value,
                      "fctx::fiber::resume_with: fn must be callable as fiber(fiber&&)");
        source<Fn> src{std::forward<Fn>(fn)};
        fctx_fiber_t h = std::exchange(h_, nullptr);
        return arrive(fctx_fiber_resume_with(h, &on_top<Fn>, &src), this, h);
    }

    /** True if this names a suspended fiber (false: empty, e.g. finished). */
    explicit operator bool() const noexcept { return h_ != nullptr; }

    /** True if empty. */
    bool operator!() const noexcept { return h_ == nullptr; }

    /** Exchange the fibers of *this and other. */
    void swap(fiber &other) noexcept { std::swap(h_, other.h_); }

    /** Exchange the fibers of a and b. */
    friend void swap(fiber &a, fiber &b) noexcept { a.swap(b); }

private:
    fctx_fiber_t h_ = nullptr;

    // Thrown in a fiber's pending resume() when fctx_fiber_cancel() reaches
    // it; caught by that fiber's entry wrapper only (not a std::exception).
    struct forced_unwind {
        fctx_fiber_t destroyer;
    };

    // Sent as the resume data when an exception escaped an entry function;
    // lives in the finishing fiber's wrapper frame until the receiver has
    // moved the exception out (the fiber finishes only after that).
    struct exit_msg {
        std::exception_ptr error;
    };

    // The function object by reference, for the pointer passed to its new home.
    template <class Fn> struct source {
        Fn &&fn;
    };

    explicit fiber(fctx_fiber_t h) noexcept : h_(h) {}

    // The new fiber's wrapper takes fn onto its stack and comes back.
    template <class Fn> void start(fctx_fiber_t h, Fn &&fn)
    {
        source<Fn> src{std::forward<Fn>(fn)};
        h_ = arrive(fctx_fiber_resume(h, &src)).release();
    }

    fctx_fiber_t release() noexcept { return std::exchange(h_, nullptr); }

    static fctx_fiber_attr_t attr_of(const fctx_allocator_t &alloc, std::size_t stack_size) noexcept
    {
        fctx_fiber_attr_t a = FCTX_FIBER_ATTR_INIT;
        a.allocator = &alloc;
        a.stack_size = stack_size;
        return a;
    }

    [[noreturn]] FCTX_HPP_COLD static void throw_create_error(int err)
    {
        if (err == ENOMEM)
            throw std::bad_alloc();
        throw std::system_error(err, std::generic_category(), "fctx_fiber_create");
    }

    // What every resume returns through: data is null on the plain path.
    // The two words go on as scalars (gcc 12 spills a struct passed on).
    // `self` gave up its handle `h` for the switch: it gets it back when
    // nothing switched (no buffer memory, arrive_special).
    static fiber arrive(fctx_fiber_transfer_t t, fiber *self = nullptr, fctx_fiber_t h = nullptr)
    {
        fctx_fiber_t from = t.fiber;
        void *data = t.data;
        if (FCTX_HPP_UNLIKELY(data != nullptr))
            arrive_special(from, data, self, h);
        return fiber(from);
    }

    [[noreturn]] FCTX_HPP_COLD static void arrive_special(fctx_fiber_t from, void *data,
                                                          fiber *self, fctx_fiber_t h)
    {
        if (data == FCTX_FIBER_ENOMEM && from == nullptr) {
            if (self != nullptr)
                self->h_ = h; // nothing switched: *self holds the fiber again
            throw std::bad_alloc();
        }
        if (data == FCTX_FIBER_EINVAL)
            throw std::invalid_argument("fctx::fiber: resume of an empty fiber");
        if (data == FCTX_FIBER_CANCELED)
            throw forced_unwind{from};
        // `from` threw out of its entry: take the exception, let it finish
        // (it returns to us, its stack is released), then rethrow here.
        std::exception_ptr error = std::move(static_cast<exit_msg *>(data)->error);
        fctx_fiber_transfer_t fin = fctx_fiber_resume(from, nullptr);
        if (fin.fiber != nullptr || fin.data != nullptr)
            std::terminate(); // not reached: the wrapper returns straight to us
        std::rethrow_exception(std::move(error));
    }

    FCTX_HPP_COLD static void destroy(fctx_fiber_t h) noexcept
    {
        fctx_fiber_transfer_t t = fctx_fiber_cancel(h);
        if (t.fiber != nullptr || t.data != nullptr)
            std::terminate(); // it did not finish: unwinding was stopped (see the top)
    }

    // The first frame's C++ part of every fiber (fctx_fiber_fn).
    template <class Fn> static fctx_fiber_t entry(fctx_fiber_t first, void *data) noexcept
    {
        fiber caller(first);
        exit_msg msg;
        fctx_fiber_t destroyer = nullptr;
        try {
            std::decay_t<Fn> fn(std::forward<Fn>(static_cast<source<Fn> *>(data)->fn));
            fctx_fiber_transfer_t t = fctx_fiber_resume(caller.release(), nullptr); // creator
            if (t.data == FCTX_FIBER_CANCELED)
                return t.fiber; // destroyed before its first resume: fn never runs
            caller = arrive(t);
            fiber next = std::invoke(fn, std::move(caller));
            caller = std::move(next);
        } catch (const forced_unwind &u) {
            destroyer = u.destroyer;
        } catch (...) {
            msg.error = std::current_exception();
        }
        // Outside the catch blocks from here on (fctx/fiber.h: exception
        // state is per thread).
        if (destroyer != nullptr)
            return destroyer; // `caller`, if it holds a fiber, ends before we do
        if (msg.error) {
            if (!caller)
                std::terminate(); // nobody to hand the exception to (see the top)
            return fctx_fiber_resume(caller.release(), &msg).fiber; // the receiver, once it took it
        }
        return caller.release();
    }

    // Runs fn on top of the resumed fiber (fctx_fiber_ontop_fn).
    template <class Fn> static fctx_fiber_transfer_t on_top(fctx_fiber_transfer_t t)
    {
        fiber r = std::invoke(std::forward<Fn>(static_cast<source<Fn> *>(t.data)->fn), fiber(t.fiber));
        return fctx_fiber_transfer_t{r.release(), nullptr};
    }
};

} // namespace fctx

#undef FCTX_HPP_UNLIKELY
#undef FCTX_HPP_COLD

#endif /* FCTX_FIBER_HPP */
