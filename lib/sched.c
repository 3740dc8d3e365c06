/*
 * lib/sched.c - cooperative threads on one CPU (the interface is
 * lib/sched.h).
 *
 * Every thread is in exactly one of three states:
 *   RUNNABLE  running (sched_cur) or queued on the run queue, a FIFO;
 *   BLOCKED   waiting: on a mutex's or condition's waitq, for a joined
 *             thread, or on the sleep list (ordered by deadline); a timed
 *             condition wait is on both the condition's waitq and the
 *             sleep list, and whichever fires first takes it off the
 *             other;
 *   ENDED     returned from its function; its stack is freed by
 *             thread_join() (it cannot free the stack it runs on).
 * The run queue and a waitq share one link (`next`): a thread is on at
 * most one of them.  Lists are O(n); there are a handful of threads.
 *
 * A switch (sched_switch_to()) checks the canary word at the bottom of
 * both stacks, changes the thread pointer when it differs, calls the
 * switch hook, counts, and lets arch_ctx_switch() swap the callee-saved
 * state.  A thread that blocks when nothing is runnable sleeps in
 * arch_wait_irq() until the earliest sleeper's deadline (sched_block());
 * with no sleeper either, nothing can ever run again: panic, listing the
 * threads.
 *
 * Before sched_init() the boot thread is already `sched_cur` (a static
 * struct), so a mutex taken then has a consistent owner and a sleep is
 * the same idle loop with no one else to run.
 *
 * sched_io_idle(): a thread polling a device that found nothing lets
 * other threads run, but two pollers must not hand the CPU back and forth
 * forever.  sched_io_woken() bumps a wake-up generation; an io-idle
 * thread remembers the generation it polled in, and sched_io_idle() only
 * switches to a thread that is not io-idle or has not polled since the
 * latest wake-up.  When there is none, the caller sleeps in its own
 * interrupt wait for at most *timeout_ns (a duration, as arch_wait_irq()
 * takes), lowered here so the earliest sleeper is not late.
 *
 * Concurrency: one CPU, no preemption, no interrupt handler touches this
 * state; nothing here needs a lock.
 */
#include "lib/sched.h"

#include "arch/port.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

#define SCHED_CANARY 0x5c4edca7a2157acbull

enum thread_state { T_RUNNABLE, T_BLOCKED, T_ENDED };

struct thread {
	u32 id;
	enum thread_state state;
	const char *wait; /* what a BLOCKED thread waits for (deadlock report) */
	void *sp;	  /* saved by arch_ctx_switch() while not running */
	u64 *stack;	  /* kmalloc()ed, canary in word 0; NULL: boot thread */
	size_t stack_size;
	void *tp; /* thread pointer (arch_tls_set()) */
	void (*fn)(void *arg);
	void *arg;
	struct thread *all_next;   /* every thread not yet joined */
	struct thread *next;	   /* run queue or waitq */
	struct waitq *waitq;	   /* the waitq it is on, or NULL */
	struct thread *sleep_next; /* sleep list, while `sleeping` */
	bool sleeping;
	bool timed_out; /* a timed wait ended by its deadline */
	u64 deadline;
	struct thread *joiner;
	void *user;
	bool io_idle; /* suspended in sched_io_idle() */
	u64 io_gen;   /* the wake-up generation it last polled in */
#if defined(__SANITIZE_ADDRESS__)
	const void *asan_bottom; /* stack bounds for the fiber annotations */
	size_t asan_size;
#endif
};

static struct thread sched_boot = { .id = 0, .state = T_RUNNABLE };
static struct thread *sched_cur = &sched_boot;
static struct thread *sched_all = &sched_boot;
static struct waitq sched_runq;
static struct thread *sched_sleepers; /* ascending deadlines */
bool sched_on;			      /* sched_running(), inline in sched.h */
static u32 sched_next_id = 1;
static u64 sched_nswitches;
static u64 sched_io_gen;
static void (*sched_hook)(struct thread *prev, struct thread *next);

/* ---- queues ------------------------------------------------------------- */

static void waitq_push(struct waitq *q, struct thread *t)
{
	t->next = NULL;
	t->waitq = q;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
}

/* Take `t` off `q`, where `prev` precedes it (NULL: it is the head). */
static void waitq_unlink(struct waitq *q, struct thread *prev, struct thread *t)
{
	if (prev)
		prev->next = t->next;
	else
		q->head = t->next;
	if (q->tail == t)
		q->tail = prev;
	t->next = NULL;
	t->waitq = NULL;
}

static struct thread *waitq_pop(struct waitq *q)
{
	struct thread *t = q->head;

	if (t)
		waitq_unlink(q, NULL, t);
	return t;
}

static void waitq_remove(struct waitq *q, struct thread *t)
{
	struct thread *prev = NULL;

	for (struct thread *i = q->head; i; prev = i, i = i->next) {
		if (i == t)
			return waitq_unlink(q, prev, t);
	}
	panic("sched: thread %u is not on the queue it waits on", t->id);
}

static void sleep_add(struct thread *t, u64 deadline)
{
	struct thread **p = &sched_sleepers;

	while (*p && (*p)->deadline <= deadline)
		p = &(*p)->sleep_next;
	t->deadline = deadline;
	t->sleep_next = *p;
	*p = t;
	t->sleeping = true;
}

static void sleep_remove(struct thread *t)
{
	struct thread **p = &sched_sleepers;

	while (*p != t)
		p = &(*p)->sleep_next;
	*p = t->sleep_next;
	t->sleep_next = NULL;
	t->sleeping = false;
}

static void make_runnable(struct thread *t)
{
	t->state = T_RUNNABLE;
	t->wait = NULL;
	waitq_push(&sched_runq, t);
}

/* Wake every sleeper whose deadline passed; a timed waiter leaves its waitq. */
static void sched_wake_expired(void)
{
	u64 now = sched_sleepers ? arch_time_ns() : 0;

	while (sched_sleepers && sched_sleepers->deadline <= now) {
		struct thread *t = sched_sleepers;

		sleep_remove(t);
		if (t->waitq) {
			waitq_remove(t->waitq, t);
			t->timed_out = true;
		}
		make_runnable(t);
	}
}

/* ---- switching ---------------------------------------------------------- */

static void sched_check_canary(const struct thread *t)
{
	if (t->stack && t->stack[0] != SCHED_CANARY)
		panic("sched: thread %u overflowed its %zu-byte stack", t->id, t->stack_size);
}

#if defined(__SANITIZE_ADDRESS__)
/*
 * AddressSanitizer must be told when the stack changes under it (host
 * tests).  The boot thread's bounds are learned on its first switch away.
 */
static struct thread *sched_asan_prev;

static void sched_asan_start(struct thread *prev, struct thread *next, void **fake)
{
	sched_asan_prev = prev;
	/* An ended thread never comes back: its fake stack can go. */
	__sanitizer_start_switch_fiber(prev->state == T_ENDED ? NULL : fake, next->asan_bottom,
				       next->asan_size);
}

static void sched_asan_finish(void *fake)
{
	struct thread *prev = sched_asan_prev;

	__sanitizer_finish_switch_fiber(fake, &prev->asan_bottom, &prev->asan_size);
}
#else
#define sched_asan_start(prev, next, fake) ((void)(fake))
#define sched_asan_finish(fake) ((void)(fake))
#endif

/*
 * Run `next` instead of the calling thread.  Touches no thread-local
 * variable, as arch_tls_set() requires of its caller.
 */
static void sched_switch_to(struct thread *next)
{
	struct thread *prev = sched_cur;
	void *fake = NULL;

	if (next == prev)
		return;
	sched_check_canary(prev);
	sched_check_canary(next);
	if (next->tp != prev->tp)
		arch_tls_set(next->tp);
	sched_cur = next;
	if (sched_hook)
		sched_hook(prev, next);
	sched_nswitches++;
	sched_asan_start(prev, next, &fake);
	arch_ctx_switch(&prev->sp, next->sp);
	sched_asan_finish(fake);
}

static const char *const sched_state_names[] = { "runnable", "blocked", "ended" };

static __noreturn void sched_deadlock(void)
{
	char buf[256] = "";
	int n = 0;

	for (struct thread *t = sched_all; t && n < (int)sizeof(buf); t = t->all_next)
		n += snprintf(buf + n, sizeof(buf) - n, " %u:%s%s%s", t->id,
			      sched_state_names[t->state], t->wait ? "/" : "",
			      t->wait ? t->wait : "");
	panic("sched: deadlock: no thread can run and none sleeps; threads:%s", buf);
}

/*
 * The calling thread stopped being runnable (it is queued wherever it
 * waits, or ended): run the next runnable thread, idling until a sleeper's
 * deadline if there is none.  Returns when the caller runs again.
 */
static void sched_block(void)
{
	struct thread *next;
	u64 now;

	for (;;) {
		sched_wake_expired();
		next = waitq_pop(&sched_runq);
		if (next)
			break;
		if (!sched_sleepers)
			sched_deadlock();
		now = arch_time_ns();
		if (sched_sleepers->deadline > now) {
			u32 irq = arch_wait_irq(sched_sleepers->deadline - now);

			/*
			 * Nobody polls right now; the device's driver polls
			 * again when its thread runs.  Complete the interrupt
			 * so the line can fire again, and let pollers poll.
			 */
			if (irq) {
				arch_irq_eoi(irq);
				sched_io_woken();
			}
		}
	}
	sched_switch_to(next);
}

static void block_on(struct waitq *q, const char *why)
{
	struct thread *me = sched_cur;

	if (q)
		waitq_push(q, me);
	me->state = T_BLOCKED;
	me->wait = why;
	sched_block();
}

/* ---- threads ------------------------------------------------------------ */

void sched_init(void *tp)
{
	BUG_ON(sched_on);
	sched_boot.tp = tp;
	sched_on = true;
}

/* First code of every new thread, on its own stack. */
static __noreturn void thread_start(void)
{
	struct thread *me = sched_cur;

	sched_asan_finish(NULL);
	me->fn(me->arg);
	thread_exit();
}

int thread_create(struct thread **out, void (*fn)(void *arg), void *arg, size_t stack_size,
		  void *tp)
{
	struct thread *t;

	if (!sched_on)
		panic("sched: thread_create() before sched_init()");
	if (!stack_size)
		stack_size = SCHED_STACK_DEFAULT;
	if (stack_size < SCHED_STACK_MIN)
		return -EINVAL;
	stack_size = ALIGN_UP(stack_size, (size_t)16);
	t = kmalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->stack = kmalloc(stack_size);
	if (!t->stack) {
		kfree(t);
		return -ENOMEM;
	}
	t->stack[0] = SCHED_CANARY;
	t->stack_size = stack_size;
	t->sp = arch_ctx_init((char *)t->stack + stack_size, thread_start);
	t->id = sched_next_id++;
	t->tp = tp;
	t->fn = fn;
	t->arg = arg;
#if defined(__SANITIZE_ADDRESS__)
	t->asan_bottom = t->stack;
	t->asan_size = stack_size;
#endif
	t->all_next = sched_all;
	sched_all = t;
	make_runnable(t);
	*out = t;
	return 0;
}

void thread_exit(void)
{
	struct thread *me = sched_cur;

	if (!me->stack)
		panic("sched: the boot thread cannot exit");
	me->state = T_ENDED;
	if (me->joiner)
		make_runnable(me->joiner);
	sched_block();
	panic("sched: ended thread %u ran again", me->id);
}

int thread_join(struct thread *t)
{
	struct thread **p = &sched_all;

	if (t == sched_cur || t->joiner)
		return -EINVAL;
	t->joiner = sched_cur;
	if (t->state != T_ENDED)
		block_on(NULL, "join");
	while (*p != t)
		p = &(*p)->all_next;
	*p = t->all_next;
	kfree(t->stack);
	kfree(t);
	return 0;
}

struct thread *thread_self(void)
{
	return sched_cur;
}

u32 thread_id(const struct thread *t)
{
	return t->id;
}

void thread_set_user(struct thread *t, void *user)
{
	t->user = user;
}

void *thread_user(const struct thread *t)
{
	return t->user;
}

void thread_yield(void)
{
	struct thread *next;

	sched_wake_expired();
	next = waitq_pop(&sched_runq);
	if (!next)
		return;
	waitq_push(&sched_runq, sched_cur);
	sched_switch_to(next);
}

void thread_sleep_until(u64 deadline_ns)
{
	if (arch_time_ns() >= deadline_ns)
		return;
	sleep_add(sched_cur, deadline_ns);
	block_on(NULL, "sleep");
}

void thread_sleep_ns(u64 ns)
{
	thread_sleep_until(arch_time_ns() + ns);
}

/* ---- mutexes and conditions -------------------------------------------- */

void mutex_init(struct mutex *m)
{
	*m = (struct mutex){ 0 };
}

void mutex_lock(struct mutex *m)
{
	if (!m->owner) {
		m->owner = sched_cur;
		return;
	}
	if (m->owner == sched_cur)
		panic("sched: thread %u locks a mutex it holds", sched_cur->id);
	block_on(&m->waiters, "mutex");
	/* mutex_unlock() handed it to us. */
	BUG_ON(m->owner != sched_cur);
}

bool mutex_trylock(struct mutex *m)
{
	if (m->owner)
		return false;
	m->owner = sched_cur;
	return true;
}

void mutex_unlock(struct mutex *m)
{
	struct thread *next;

	if (m->owner != sched_cur)
		panic("sched: thread %u unlocks a mutex it does not hold", sched_cur->id);
	/* Straight to the first waiter: no barging, FIFO. */
	next = waitq_pop(&m->waiters);
	m->owner = next;
	if (next)
		make_runnable(next);
}

bool mutex_held(const struct mutex *m)
{
	return m->owner == sched_cur;
}

void cond_init(struct cond *c)
{
	*c = (struct cond){ 0 };
}

int cond_wait(struct cond *c, struct mutex *m, u64 deadline_ns)
{
	struct thread *me = sched_cur;

	if (!sched_on)
		panic("sched: cond_wait() before sched_init(): nobody could signal");
	BUG_ON(!mutex_held(m));
	me->timed_out = false;
	waitq_push(&c->waiters, me);
	if (deadline_ns)
		sleep_add(me, deadline_ns);
	mutex_unlock(m);
	block_on(NULL, "cond");
	mutex_lock(m);
	return me->timed_out ? -ETIMEDOUT : 0;
}

/* Wake the first waiter of `c`, if any; false if there was none. */
static bool cond_wake_one(struct cond *c)
{
	struct thread *t = waitq_pop(&c->waiters);

	if (!t)
		return false;
	if (t->sleeping)
		sleep_remove(t);
	make_runnable(t);
	return true;
}

void cond_signal(struct cond *c)
{
	cond_wake_one(c);
}

void cond_broadcast(struct cond *c)
{
	while (cond_wake_one(c))
		;
}

/* ---- device polling ----------------------------------------------------- */

bool sched_io_idle(u64 *timeout_ns)
{
	struct thread *me = sched_cur, *prev = NULL, *t;

	if (!sched_on)
		return false;
	me->io_gen = sched_io_gen; /* polled since the latest wake-up */
	sched_wake_expired();
	for (t = sched_runq.head; t; prev = t, t = t->next) {
		if (!t->io_idle || t->io_gen != sched_io_gen)
			break;
	}
	if (!t) {
		if (sched_sleepers) {
			u64 now = arch_time_ns(), left = 0;

			if (sched_sleepers->deadline > now)
				left = sched_sleepers->deadline - now;
			*timeout_ns = MIN(*timeout_ns, left);
		}
		return false;
	}
	waitq_unlink(&sched_runq, prev, t);
	me->io_idle = true;
	waitq_push(&sched_runq, me);
	sched_switch_to(t);
	me->io_idle = false;
	return true;
}

void sched_io_woken(void)
{
	sched_io_gen++;
}

void sched_set_switch_hook(void (*hook)(struct thread *prev, struct thread *next))
{
	sched_hook = hook;
}

u64 sched_switches(void)
{
	return sched_nswitches;
}
