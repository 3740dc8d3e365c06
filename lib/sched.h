/*
 * lib/sched.h - cooperative threads on one CPU, and what they wait with.
 *
 * A thread runs until it waits: for a lock, a condition, time, or a
 * device (sched_io_idle()).  There is no preemption, so code between two
 * waits runs alone; a data structure only needs a lock (struct mutex)
 * where its user waits while it is inconsistent or must stay unchanged
 * (the filesystem around a commit's device writes, for instance).
 *
 * Interface:
 *   sched_init()        the boot thread becomes thread 0; call once,
 *                       before any other call (until then every wait is
 *                       the single-threaded one: nothing else can run)
 *   thread_create()     a new runnable thread; it runs `fn(arg)` on a
 *                       stack of its own, then ends (thread_exit())
 *   thread_join()       wait for a thread to end and free it
 *   thread_yield()      let every other runnable thread run once
 *   thread_sleep_until(), thread_sleep_ns()
 *   mutex_*, cond_*     a sleeping lock and condition variables (a
 *                       condition's waiters are woken in FIFO order)
 *   sched_io_idle()     for a driver's poll loop that found nothing
 *                       (kernel/block/blk.c): let others run instead of
 *                       sleeping in the interrupt wait
 *
 * When no thread can run, the scheduler sleeps in arch_wait_irq() until
 * the earliest sleeper's deadline; a state where every thread waits for
 * another (a deadlock) panics with the list of threads.
 *
 * Each thread has its own thread pointer (arch_tls_set(), switched with
 * the thread) for the C library's thread-local storage, and a canary at
 * the bottom of its stack, checked at every switch: an overflow panics
 * naming the thread.  The per-thread C-library state beyond TLS (newlib's
 * struct _reent) rides on sched_set_switch_hook().
 */
#ifndef ORDO_LIB_SCHED_H
#define ORDO_LIB_SCHED_H

#include "lib/types.h"

struct thread;

/* A FIFO of waiting threads (the wait side of mutexes and conditions). */
struct waitq {
	struct thread *head, *tail;
};

struct mutex {
	struct thread *owner; /* NULL: free */
	struct waitq waiters;
};

struct cond {
	struct waitq waiters;
};

#define SCHED_STACK_DEFAULT (64u << 10)
#define SCHED_STACK_MIN (16u << 10)

/* The boot thread becomes thread 0, its thread pointer `tp` (may be NULL). */
void sched_init(void *tp);

/*
 * True once sched_init() has run.  Inline: the block layer asks on every
 * idle poll, and a single-threaded system should pay one load for it.
 */
extern bool sched_on;
static inline bool sched_running(void)
{
	return sched_on;
}

/*
 * A new runnable thread running fn(arg) on a `stack_size`-byte stack
 * (rounded up; 0: SCHED_STACK_DEFAULT) with thread pointer `tp` (NULL:
 * none).  0 and the thread in *out, -EINVAL (stack below
 * SCHED_STACK_MIN), -ENOMEM.  It first runs at the creator's next wait.
 */
int thread_create(struct thread **out, void (*fn)(void *arg), void *arg, size_t stack_size,
		  void *tp);

/* End the calling thread (returning from fn does the same). */
__noreturn void thread_exit(void);

/*
 * Wait until `t` has ended, then free it.  0, -EINVAL (t is the caller,
 * or someone else already joins it).
 */
int thread_join(struct thread *t);

/* The calling thread, and its number (0: the boot thread). */
struct thread *thread_self(void);
u32 thread_id(const struct thread *t);

/* Per-thread word for the C library glue (kernel/libc). */
void thread_set_user(struct thread *t, void *user);
void *thread_user(const struct thread *t);

void thread_yield(void);

/* Sleep until arch_time_ns() >= deadline, or for `ns`. */
void thread_sleep_until(u64 deadline_ns);
void thread_sleep_ns(u64 ns);

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
/* True and locked, or false if another thread holds it. */
bool mutex_trylock(struct mutex *m);
/* Only by the owner (BUG otherwise); the first waiter owns it next. */
void mutex_unlock(struct mutex *m);
bool mutex_held(const struct mutex *m); /* by the calling thread */

void cond_init(struct cond *c);
/*
 * Release `m` (held by the caller), wait for cond_signal/broadcast or
 * until arch_time_ns() >= deadline_ns (0: no deadline), then take `m`
 * again.  0 if woken, -ETIMEDOUT.  As POSIX allows, a waiter may return
 * 0 without the condition it waits for being true: callers loop.
 */
int cond_wait(struct cond *c, struct mutex *m, u64 deadline_ns);
void cond_signal(struct cond *c);
void cond_broadcast(struct cond *c);

/*
 * A poll loop found nothing to do until a device interrupt or `deadline`
 * (arch_time_ns()).  Returns true if other threads ran (poll again), or
 * false: nothing else can run, the caller should sleep in its interrupt
 * wait, but for no longer than *timeout_ns, which this lowers to the
 * earliest sleeping thread's deadline.  After that wait the caller calls
 * sched_io_woken(), so every thread polling a device polls once more.
 * Without sched_init() it always returns false and leaves *timeout_ns.
 */
bool sched_io_idle(u64 *timeout_ns);
void sched_io_woken(void);

/*
 * Called on every switch, after the thread pointer changed, with the
 * thread that stops and the one that runs (for newlib's _impure_ptr).
 */
void sched_set_switch_hook(void (*hook)(struct thread *prev, struct thread *next));

/* Switches so far (for tests and the benchmark). */
u64 sched_switches(void);

#endif
