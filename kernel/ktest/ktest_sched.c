/*
 * kernel/ktest/ktest_sched.c - KTAP cases for the cooperative scheduler
 * (lib/sched.h) on the real machine: threads interleave at yields and a
 * mutex keeps a critical section that yields exclusive, hand-off order
 * included; callee-saved registers survive a switch; a sleep or a timed
 * wait never ends before its deadline on the architected timer; and a
 * poll loop's sched_io_idle() lets a worker run.
 *
 * Interface: ktest_sched_count(), ktest_sched_run() (kernel/ktest/ktest.h),
 * called by ktest_run().  The suite runs on the boot thread; the first
 * case makes it thread 0 (sched_init(NULL): the kernel's boot thread has
 * no thread pointer) unless something already did.  Every case joins the
 * threads it creates.  Only integer state is checked: the x86_64 kernel is
 * built -mgeneral-regs-only, and the FP half of the switch is checked by
 * the host test (tests/host/test_sched.c).
 */
#include "kernel/ktest/ktest.h"

#include "arch/arch.h"
#include "lib/errno.h"
#include "lib/sched.h"

#define KTS_MS 1000000ull
#define KTS_THREADS 3
#define KTS_ROUNDS 50

struct kts_shared {
	struct mutex lock;
	unsigned counter;
	unsigned inside, max_inside;
	unsigned entries;		    /* times any thread entered the section */
	u8 order[KTS_THREADS * KTS_ROUNDS]; /* who entered the section, in turn */
	unsigned norder;
};

struct kts_arg {
	struct kts_shared *sh;
	u8 index;
	unsigned yields_seen; /* yields outside the section that let another in */
};

/*
 * Take the lock, read the counter, yield inside the section (nobody else
 * may enter), write it back incremented; then yield outside it.
 */
static void kts_locker(void *p)
{
	struct kts_arg *a = p;
	struct kts_shared *sh = a->sh;

	for (unsigned i = 0; i < KTS_ROUNDS; i++) {
		unsigned seen, v;

		mutex_lock(&sh->lock);
		sh->entries++;
		sh->inside++;
		sh->max_inside = MAX(sh->max_inside, sh->inside);
		v = sh->counter;
		thread_yield();
		sh->counter = v + 1;
		sh->order[sh->norder++] = a->index;
		sh->inside--;
		mutex_unlock(&sh->lock);
		seen = sh->entries;
		thread_yield();
		a->yields_seen += sh->entries != seen;
	}
}

static void kts_start(void)
{
	if (!sched_running())
		sched_init(NULL);
}

static void kts_mutex_interleave(struct ktap *k)
{
	static struct kts_shared sh;
	struct kts_arg args[KTS_THREADS];
	struct thread *t[KTS_THREADS];
	u64 switches = sched_switches();
	unsigned bad_order = 0;

	sh = (struct kts_shared){ 0 };
	mutex_init(&sh.lock);
	for (unsigned i = 0; i < KTS_THREADS; i++) {
		args[i] = (struct kts_arg){ .sh = &sh, .index = (u8)i };
		KT_ASSERT(k, thread_create(&t[i], kts_locker, &args[i], 0, NULL) == 0);
	}
	for (unsigned i = 0; i < KTS_THREADS; i++)
		KT_EXPECT_EQ(k, thread_join(t[i]), 0);
	KT_EXPECT_EQ(k, sh.counter, KTS_THREADS * KTS_ROUNDS);
	KT_EXPECT_EQ(k, sh.norder, KTS_THREADS * KTS_ROUNDS);
	KT_EXPECT_EQ(k, sh.max_inside, 1);
	KT_EXPECT(k, sh.lock.owner == NULL);
	/* FIFO hand-off and round-robin: strictly 0 1 2 0 1 2 ... */
	for (unsigned i = 0; i < sh.norder; i++)
		bad_order += sh.order[i] != i % KTS_THREADS;
	KT_EXPECT_EQ(k, bad_order, 0);
	/* A yield outside the section let the others in. */
	for (unsigned i = 0; i < KTS_THREADS; i++)
		KT_EXPECT(k, args[i].yields_seen > 0);
	KT_EXPECT(k, sched_switches() - switches >= KTS_THREADS * KTS_ROUNDS);
	kprintf("# sched: %llu switches for %u locked increments\n",
		(unsigned long long)(sched_switches() - switches), sh.counter);
}

struct kts_regs {
	u64 seed;
	bool ok;
};

/*
 * Many live values across thread_yield(): the compiler keeps them in
 * callee-saved registers (the empty asm makes them opaque, so it cannot
 * recompute them afterwards) while the other thread fills the same
 * registers with its own values.
 */
static void kts_keep_regs(void *p)
{
	struct kts_regs *a = p;
	u64 s = a->seed;
	u64 r0 = s * 3, r1 = s ^ 0x55, r2 = s + 7, r3 = s * s, r4 = s << 3, r5 = ~s, r6 = s * 11,
	    r7 = s - 1, r8 = s | 0x100, r9 = s * 13, r10 = s >> 1, r11 = s * 17;

	__asm__ volatile("" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5));
	__asm__ volatile("" : "+r"(r6), "+r"(r7), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11));
	thread_yield();
	thread_yield();
	a->ok = r0 == s * 3 && r1 == (s ^ 0x55) && r2 == s + 7 && r3 == s * s && r4 == s << 3 &&
		r5 == ~s && r6 == s * 11 && r7 == s - 1 && r8 == (s | 0x100) && r9 == s * 13 &&
		r10 == s >> 1 && r11 == s * 17;
}

static void kts_registers(struct ktap *k)
{
	struct kts_regs a = { .seed = 0x1234567 }, b = { .seed = 0xfedcba987654321ull };
	struct thread *ta, *tb;

	KT_ASSERT(k, thread_create(&ta, kts_keep_regs, &a, 0, NULL) == 0);
	KT_ASSERT(k, thread_create(&tb, kts_keep_regs, &b, 0, NULL) == 0);
	KT_EXPECT_EQ(k, thread_join(ta), 0);
	KT_EXPECT_EQ(k, thread_join(tb), 0);
	KT_EXPECT(k, a.ok);
	KT_EXPECT(k, b.ok);
}

struct kts_sleep {
	u64 ns;
	u64 deadline, woke;
	unsigned rank;
};

static unsigned kts_wakes;

static void kts_sleeper(void *p)
{
	struct kts_sleep *s = p;

	s->deadline = arch_time_ns() + s->ns;
	thread_sleep_until(s->deadline);
	s->woke = arch_time_ns();
	s->rank = kts_wakes++;
}

struct kts_timed {
	struct mutex m;
	struct cond c;
	u64 deadline, woke;
	int rc;
};

static void kts_timed_waiter(void *p)
{
	struct kts_timed *w = p;

	mutex_lock(&w->m);
	w->deadline = arch_time_ns() + 5 * KTS_MS;
	w->rc = cond_wait(&w->c, &w->m, w->deadline);
	w->woke = arch_time_ns();
	mutex_unlock(&w->m);
}

static void kts_sleep(struct ktap *k)
{
	struct kts_sleep s10 = { .ns = 10 * KTS_MS }, s2 = { .ns = 2 * KTS_MS };
	struct kts_timed w = { 0 };
	struct thread *t10, *t2, *tw;

	kts_wakes = 0;
	mutex_init(&w.m);
	cond_init(&w.c);
	KT_ASSERT(k, thread_create(&t10, kts_sleeper, &s10, 0, NULL) == 0);
	KT_ASSERT(k, thread_create(&t2, kts_sleeper, &s2, 0, NULL) == 0);
	KT_ASSERT(k, thread_create(&tw, kts_timed_waiter, &w, 0, NULL) == 0);
	KT_EXPECT_EQ(k, thread_join(t10), 0);
	KT_EXPECT_EQ(k, thread_join(t2), 0);
	KT_EXPECT_EQ(k, thread_join(tw), 0);
	KT_EXPECT(k, s10.woke >= s10.deadline);
	KT_EXPECT(k, s2.woke >= s2.deadline);
	KT_EXPECT_EQ(k, s2.rank, 0);
	KT_EXPECT_EQ(k, s10.rank, 1);
	KT_EXPECT_EQ(k, w.rc, -ETIMEDOUT);
	KT_EXPECT(k, w.woke >= w.deadline);
	kprintf("# sched: 10 ms sleep woke %llu us late\n",
		(unsigned long long)((s10.woke - s10.deadline) / 1000));
}

static void kts_worker(void *p)
{
	unsigned *steps = p;

	for (unsigned i = 0; i < 5; i++) {
		(*steps)++;
		thread_yield();
	}
}

/* A poll loop that finds nothing lets the worker run to its end. */
static void kts_io_idle(struct ktap *k)
{
	unsigned steps = 0, polls = 0;
	u64 timeout = 1000 * KTS_MS;
	struct thread *t;

	KT_ASSERT(k, thread_create(&t, kts_worker, &steps, 0, NULL) == 0);
	while (sched_io_idle(&timeout) && polls < 100)
		polls++;
	KT_EXPECT_EQ(k, steps, 5);
	KT_EXPECT(k, polls >= 5 && polls < 100);
	KT_EXPECT_EQ(k, timeout, 1000 * KTS_MS); /* nobody sleeps */
	KT_EXPECT_EQ(k, thread_join(t), 0);
}

struct kts_case {
	const char *name;
	void (*fn)(struct ktap *k);
};

static const struct kts_case kts_cases[] = {
	{ "sched_mutex_interleave", kts_mutex_interleave },
	{ "sched_callee_saved_registers", kts_registers },
	{ "sched_sleep_deadlines", kts_sleep },
	{ "sched_io_idle_runs_worker", kts_io_idle },
};

unsigned ktest_sched_count(void)
{
	return ARRAY_SIZE(kts_cases);
}

void ktest_sched_run(struct ktap *k)
{
	kts_start();
	for (unsigned c = 0; c < ARRAY_SIZE(kts_cases); c++) {
		ktap_case_begin(k);
		kts_cases[c].fn(k);
		KT_EXPECT(k, thread_self() != NULL && thread_id(thread_self()) == 0);
		ktap_case_end(k, "%s", kts_cases[c].name);
	}
}
