/*
 * tests/host/test_sched.c - the cooperative scheduler (lib/sched.c) on
 * the host, switching with arch/host/ctx.c.
 *
 * lib/sched.c is included, so a test can reach a thread's private state
 * (the stack canary) without test-only code in the scheduler.  Threads
 * never call cmocka's assertions (a failure would longjmp across
 * stacks): they write a trace and flags, and the boot thread checks them
 * after thread_join().  Cases that must panic run in a forked child whose
 * console output and abort() the parent checks.
 *
 * The fake clock (arch/host/host.c) advances host_time_step_ns at every
 * arch_time_ns(), so sleeps and timed waits end without real waiting.
 * main() runs the single-threaded cases before sched_init(), the rest
 * after; every case joins what it creates, so each starts with only the
 * boot thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/sched.c"

#include "tests/host/test_util.h"

#define MS 1000000ull

static char trace[512];

static void tr(const char *fmt, ...) __printf(1, 2);

static void tr(const char *fmt, ...)
{
	size_t n = strlen(trace);
	va_list ap;

	if (n)
		trace[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(trace + n, sizeof(trace) - n, fmt, ap);
	va_end(ap);
}

static int reset(void **state)
{
	(void)state;
	trace[0] = '\0';
	return 0;
}

/* Every thread joined, nothing queued: the next case starts clean. */
static void assert_only_boot(void)
{
	assert_ptr_equal(sched_all, &sched_boot);
	assert_null(sched_all->all_next);
	assert_null(sched_runq.head);
	assert_null(sched_sleepers);
	assert_ptr_equal(thread_self(), &sched_boot);
}

static struct thread *spawn(void (*fn)(void *), void *arg)
{
	struct thread *t = NULL;

	OK(thread_create(&t, fn, arg, 0, NULL));
	return t;
}

/*
 * Run fn() in a child process: it must panic, i.e. reach abort() through
 * arch_exit() (arch/host/host.c), with `want` in its console output.
 */
static void assert_panics(void (*fn)(void), const char *want)
{
	char out[4096];
	size_t n = 0;
	ssize_t r;
	int fds[2], status;
	pid_t pid;

	fflush(NULL);
	OK(pipe(fds));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		signal(SIGABRT, SIG_DFL);
		host_console_quiet = false;
		fn();
		printf("returned without a panic\n");
		fflush(stdout);
		_exit(0);
	}
	close(fds[1]);
	while (n < sizeof(out) - 1 && (r = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
		print_error("child output: %s\n", out);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	assert_text_has(out, want);
}

/* ---- before sched_init(): everything is single-threaded ------------------ */

static void test_before_init(void **state)
{
	struct mutex m;
	u64 to = 123, t0;

	(void)state;
	assert_false(sched_running());
	assert_int_equal(thread_id(thread_self()), 0);
	mutex_init(&m);
	mutex_lock(&m);
	assert_true(mutex_held(&m));
	assert_ptr_equal(m.owner, thread_self());
	assert_false(mutex_trylock(&m));
	mutex_unlock(&m);
	assert_false(mutex_held(&m));
	assert_true(mutex_trylock(&m));
	mutex_unlock(&m);
	assert_false(sched_io_idle(&to));
	assert_int_equal(to, 123);
	thread_yield();
	t0 = arch_time_ns();
	thread_sleep_ns(2 * MS);
	assert_true(arch_time_ns() >= t0 + 2 * MS);
	assert_int_equal(sched_switches(), 0);
}

static void cond_wait_before_init(void)
{
	struct mutex m;
	struct cond c;

	mutex_init(&m);
	cond_init(&c);
	mutex_lock(&m);
	cond_wait(&c, &m, 0);
}

static void test_cond_wait_before_init_panics(void **state)
{
	(void)state;
	assert_panics(cond_wait_before_init, "cond_wait() before sched_init()");
}

/* ---- threads ------------------------------------------------------------ */

static void step_twice(void *arg)
{
	tr("%s1", (const char *)arg);
	thread_yield();
	tr("%s2", (const char *)arg);
}

static void test_creation_order_and_yield(void **state)
{
	struct thread *a, *b, *c;
	u64 before = sched_switches();

	(void)state;
	assert_true(sched_running());
	a = spawn(step_twice, "a");
	b = spawn(step_twice, "b");
	c = spawn(step_twice, "c");
	assert_int_equal(thread_id(b), thread_id(a) + 1);
	assert_string_equal(trace, ""); /* none runs before the creator waits */
	OK(thread_join(a));
	OK(thread_join(b));
	OK(thread_join(c));
	assert_string_equal(trace, "a1 b1 c1 a2 b2 c2");
	assert_true(sched_switches() > before);
	assert_only_boot();
}

static void note_end(void *arg)
{
	tr("%s", (const char *)arg);
}

static void join_other(void *arg)
{
	tr("j%d", thread_join(arg));
}

static void test_join(void **state)
{
	struct thread *t, *j;
	u64 switches;

	(void)state;
	t = spawn(note_end, "ended");
	thread_yield(); /* t runs and ends */
	assert_string_equal(trace, "ended");
	switches = sched_switches();
	OK(thread_join(t)); /* returns at once */
	assert_int_equal(sched_switches(), switches);

	assert_int_equal(thread_join(thread_self()), -EINVAL);
	t = spawn(note_end, "t");
	j = spawn(join_other, t);
	thread_yield(); /* t ends before j joins it: j frees it */
	assert_int_equal(thread_join(j), 0);
	assert_string_equal(trace, "ended t j0");

	/* A second joiner is refused. */
	trace[0] = '\0';
	t = spawn(step_twice, "t");
	j = spawn(join_other, t);
	thread_yield(); /* t yields, j blocks joining t */
	assert_int_equal(thread_join(t), -EINVAL);
	OK(thread_join(j));
	assert_string_equal(trace, "t1 t2 j0");
	assert_only_boot();
}

static void test_create_checks(void **state)
{
	struct thread *t = NULL;

	(void)state;
	assert_int_equal(thread_create(&t, note_end, "x", SCHED_STACK_MIN - 1, NULL), -EINVAL);
	assert_null(t);
	OK(thread_create(&t, note_end, "x", SCHED_STACK_MIN + 1, NULL));
	assert_int_equal(t->stack_size, SCHED_STACK_MIN + 16);
	assert_int_equal(t->stack[0], SCHED_CANARY);
	OK(thread_join(t));
	OK(thread_create(&t, note_end, "y", 0, NULL));
	assert_int_equal(t->stack_size, SCHED_STACK_DEFAULT);
	OK(thread_join(t));
	assert_only_boot();
}

/* ---- thread pointer, user word and the switch hook ------------------------ */

static int tp_a, tp_b;
static unsigned hook_calls;
static bool hook_saw_tp;

static void record_tp(void *arg)
{
	tr("%s", host_tls_tp == arg ? "tp" : "wrong-tp");
	thread_set_user(thread_self(), arg);
	thread_yield();
	tr("%s", host_tls_tp == arg && thread_user(thread_self()) == arg ? "tp" : "wrong-tp");
}

static void hook(struct thread *prev, struct thread *next)
{
	hook_calls++;
	hook_saw_tp = host_tls_tp == next->tp && prev != next;
}

static void test_tls_user_and_hook(void **state)
{
	struct thread *a = NULL, *b = NULL;

	(void)state;
	hook_calls = 0;
	sched_set_switch_hook(hook);
	OK(thread_create(&a, record_tp, &tp_a, 0, &tp_a));
	OK(thread_create(&b, record_tp, &tp_b, 0, &tp_b));
	OK(thread_join(a));
	OK(thread_join(b));
	sched_set_switch_hook(NULL);
	assert_string_equal(trace, "tp tp tp tp");
	assert_null(host_tls_tp); /* back to the boot thread's NULL */
	assert_null(thread_user(thread_self()));
	assert_true(hook_calls >= 5);
	assert_true(hook_saw_tp);
}

/* ---- registers and FP control across a switch ---------------------------- */

#if defined(__x86_64__)
/* MXCSR rounding control (bits 13-14) and the x87 precision control (8-9). */
static unsigned fp_mode_get(void)
{
	unsigned short cw;

	__asm__ volatile("fnstcw %0" : "=m"(cw));
	return (__builtin_ia32_stmxcsr() >> 13 & 3) | (cw >> 8 & 3) << 2;
}

static void fp_mode_set(unsigned mode)
{
	unsigned short cw;

	__builtin_ia32_ldmxcsr((__builtin_ia32_stmxcsr() & ~0x6000u) | (mode & 3) << 13);
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	cw = (unsigned short)((cw & ~0x300u) | (mode >> 2 & 3) << 8);
	__asm__ volatile("fldcw %0" : : "m"(cw));
}

#define FP_MODE_A (1 | 3 << 2) /* round down, extended precision */
#define FP_MODE_B (2 | 2 << 2) /* round up, double precision */
#define KEEP_FP(x) __asm__ volatile("" : "+x"(x))
#elif defined(__aarch64__)
/* FPCR rounding mode (bits 22-23) and flush-to-zero (24). */
static unsigned fp_mode_get(void)
{
	return __builtin_aarch64_get_fpcr() >> 22 & 7;
}

static void fp_mode_set(unsigned mode)
{
	__builtin_aarch64_set_fpcr((__builtin_aarch64_get_fpcr() & ~(7u << 22)) | (mode & 7) << 22);
}

#define FP_MODE_A 1 /* round towards plus infinity */
#define FP_MODE_B 6 /* towards minus infinity, flush to zero */
#define KEEP_FP(x) __asm__ volatile("" : "+w"(x))
#endif

struct regs_arg {
	u64 seed;
	unsigned fp_mode;
	bool ok;
	double fsum;
};

/*
 * More live values than there are callee-saved registers, integer and
 * floating point, across a yield; the other thread does the same with
 * other values and another FP mode.
 */
static void keep_regs(void *p)
{
	struct regs_arg *a = p;
	u64 s = a->seed;
	u64 r0 = s * 3, r1 = s ^ 0x55, r2 = s + 7, r3 = s * s, r4 = s << 3, r5 = ~s, r6 = s * 11,
	    r7 = s - 1, r8 = s | 0x100, r9 = s * 13, r10 = s >> 1, r11 = s * 17;
	double d0 = (double)s * 0.5, d1 = (double)s + 0.25, d2 = (double)s * 3.0,
	       d3 = (double)s - 0.75, d4 = (double)s * 1.5, d5 = (double)s + 8.0,
	       d6 = (double)s * 9.0, d7 = (double)s + 0.125, d8 = (double)s * 2.5;

	unsigned old_mode = fp_mode_get();

	fp_mode_set(a->fp_mode);
	/* Opaque to the compiler: it must keep them, not recompute them. */
	__asm__ volatile("" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5));
	__asm__ volatile("" : "+r"(r6), "+r"(r7), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11));
	KEEP_FP(d0);
	KEEP_FP(d1);
	KEEP_FP(d2);
	KEEP_FP(d3);
	KEEP_FP(d4);
	KEEP_FP(d5);
	KEEP_FP(d6);
	KEEP_FP(d7);
	KEEP_FP(d8);
	thread_yield();
	thread_yield();
	a->ok = r0 == s * 3 && r1 == (s ^ 0x55) && r2 == s + 7 && r3 == s * s && r4 == s << 3 &&
		r5 == ~s && r6 == s * 11 && r7 == s - 1 && r8 == (s | 0x100) && r9 == s * 13 &&
		r10 == s >> 1 && r11 == s * 17 && fp_mode_get() == a->fp_mode;
	a->fsum = d0 + d1 + d2 + d3 + d4 + d5 + d6 + d7 + d8;
	fp_mode_set(old_mode);
}

static void test_registers_survive(void **state)
{
	struct regs_arg a = { .seed = 1000, .fp_mode = FP_MODE_A };
	struct regs_arg b = { .seed = 77777, .fp_mode = FP_MODE_B };
	unsigned boot_mode = fp_mode_get();
	struct thread *ta, *tb;

	(void)state;
	ta = spawn(keep_regs, &a);
	tb = spawn(keep_regs, &b);
	thread_yield();
	assert_int_equal(fp_mode_get(), boot_mode);
	OK(thread_join(ta));
	OK(thread_join(tb));
	assert_true(a.ok);
	assert_true(b.ok);
	/* Exact in binary: quarters and eighths of small integers. */
	assert_true(a.fsum ==
		    1000 * 0.5 + 1000.25 + 3000 + 999.25 + 1500 + 1008 + 9000 + 1000.125 + 2500);
	assert_true(b.fsum == 77777 * 0.5 + 77777.25 + 77777 * 3.0 + 77776.25 + 77777 * 1.5 +
				      77785 + 77777 * 9.0 + 77777.125 + 77777 * 2.5);
	assert_int_equal(fp_mode_get(), boot_mode);
}

/*
 * arch_ctx_switch() itself, without the C frames of the scheduler around
 * it (their own saves of callee-saved registers would hide one the
 * switch forgot): assembly fills every callee-saved register and the FP
 * control, switches to a context that overwrites them all and switches
 * back, then compares.
 */
void *ctx_test_main_sp, *ctx_test_co_sp;
u64 ctx_test_run(void);
void ctx_test_co(void);

#if defined(__x86_64__)
__asm__(".text\n"
	"ctx_test_co:\n"
	"	mov $-1, %rbx\n"
	"	mov $-1, %rbp\n"
	"	mov $-1, %r12\n"
	"	mov $-1, %r13\n"
	"	mov $-1, %r14\n"
	"	mov $-1, %r15\n"
	"	sub $8, %rsp\n"
	"	movl $0x5f80, (%rsp)\n" /* MXCSR: round down */
	"	ldmxcsr (%rsp)\n"
	"	movw $0x0c7f, 4(%rsp)\n" /* x87: round towards zero, single */
	"	fldcw 4(%rsp)\n"
	"	add $8, %rsp\n"
	"	lea ctx_test_co_sp(%rip), %rdi\n"
	"	mov ctx_test_main_sp(%rip), %rsi\n"
	"	call arch_ctx_switch\n"
	"	ud2\n"
	"\n"
	".globl ctx_test_run\n"
	"ctx_test_run:\n"
	"	push %rbp\n"
	"	push %rbx\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	sub $8, %rsp\n"
	"	stmxcsr (%rsp)\n"
	"	fnstcw 4(%rsp)\n"
	"	mov $0x1111, %rbx\n"
	"	mov $0x2222, %rbp\n"
	"	mov $0x3333, %r12\n"
	"	mov $0x4444, %r13\n"
	"	mov $0x5555, %r14\n"
	"	mov $0x6666, %r15\n"
	"	lea ctx_test_main_sp(%rip), %rdi\n"
	"	mov ctx_test_co_sp(%rip), %rsi\n"
	"	call arch_ctx_switch\n"
	"	xor %eax, %eax\n"
	"	cmp $0x1111, %rbx\n"
	"	setne %al\n"
	"	xor %ecx, %ecx\n"
	"	cmp $0x2222, %rbp\n"
	"	setne %cl\n"
	"	shl $1, %ecx\n"
	"	or %ecx, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cmp $0x3333, %r12\n"
	"	setne %cl\n"
	"	shl $2, %ecx\n"
	"	or %ecx, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cmp $0x4444, %r13\n"
	"	setne %cl\n"
	"	shl $3, %ecx\n"
	"	or %ecx, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cmp $0x5555, %r14\n"
	"	setne %cl\n"
	"	shl $4, %ecx\n"
	"	or %ecx, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cmp $0x6666, %r15\n"
	"	setne %cl\n"
	"	shl $5, %ecx\n"
	"	or %ecx, %eax\n"
	"	sub $8, %rsp\n" /* the FP control now, beside what it was */
	"	stmxcsr (%rsp)\n"
	"	fnstcw 4(%rsp)\n"
	"	mov (%rsp), %rdx\n"
	"	add $8, %rsp\n"
	"	mov (%rsp), %r8\n"
	"	shl $16, %rdx\n" /* MXCSR and the control word, not the padding */
	"	shl $16, %r8\n"
	"	xor %ecx, %ecx\n"
	"	cmp %r8, %rdx\n"
	"	setne %cl\n"
	"	shl $6, %ecx\n"
	"	or %ecx, %eax\n"
	"	add $8, %rsp\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbx\n"
	"	pop %rbp\n"
	"	ret\n");
#endif

static void test_ctx_switch_preserves(void **state)
{
	(void)state;
#if defined(__x86_64__)
	u64 *stack = calloc(1, 16 << 10);

	assert_non_null(stack);
	ctx_test_co_sp = arch_ctx_init((char *)stack + (16 << 10), ctx_test_co);
	/* Bit n set: the n-th register (rbx, rbp, r12-r15, FP control) changed. */
	assert_int_equal(ctx_test_run(), 0);
	free(stack);
#else
	skip();
#endif
}

/* ---- mutexes -------------------------------------------------------------- */

static struct mutex mtx;
static int in_cs, max_in_cs;

static void locker(void *arg)
{
	for (int i = 0; i < 3; i++) {
		mutex_lock(&mtx);
		in_cs++;
		max_in_cs = MAX(max_in_cs, in_cs);
		thread_yield(); /* nobody else may get in meanwhile */
		tr("%s", (const char *)arg);
		in_cs--;
		mutex_unlock(&mtx);
	}
}

static void test_mutex_exclusion_fifo(void **state)
{
	struct thread *t[3];

	(void)state;
	mutex_init(&mtx);
	in_cs = max_in_cs = 0;
	mutex_lock(&mtx);
	t[0] = spawn(locker, "a");
	t[1] = spawn(locker, "b");
	t[2] = spawn(locker, "c");
	thread_yield(); /* all three queue on the mutex, in this order */
	assert_false(mutex_held(&mtx) && mtx.waiters.head == NULL);
	mutex_unlock(&mtx);
	/* Handed to the first waiter: nobody can barge in. */
	assert_ptr_equal(mtx.owner, t[0]);
	assert_false(mutex_held(&mtx));
	assert_false(mutex_trylock(&mtx));
	for (int i = 0; i < 3; i++)
		OK(thread_join(t[i]));
	assert_string_equal(trace, "a b c a b c a b c");
	assert_int_equal(max_in_cs, 1);
	assert_null(mtx.owner);
	assert_only_boot();
}

static struct mutex bad_mtx;

static void relock(void)
{
	mutex_init(&bad_mtx);
	mutex_lock(&bad_mtx);
	mutex_lock(&bad_mtx);
}

static void unlock_free(void)
{
	mutex_init(&bad_mtx);
	mutex_unlock(&bad_mtx);
}

static void test_mutex_misuse_panics(void **state)
{
	(void)state;
	assert_panics(relock, "thread 0 locks a mutex it holds");
	assert_panics(unlock_free, "thread 0 unlocks a mutex it does not hold");
}

/* ---- conditions ------------------------------------------------------------ */

static struct cond cnd;
static int tickets;

/* Wait until a ticket is available, take it. */
static void cond_taker(void *arg)
{
	mutex_lock(&mtx);
	while (!tickets)
		OK(cond_wait(&cnd, &mtx, 0));
	tickets--;
	tr("%s", (const char *)arg);
	mutex_unlock(&mtx);
}

static void test_cond_signal_broadcast(void **state)
{
	struct thread *t[3];

	(void)state;
	mutex_init(&mtx);
	cond_init(&cnd);
	tickets = 0;
	t[0] = spawn(cond_taker, "a");
	t[1] = spawn(cond_taker, "b");
	t[2] = spawn(cond_taker, "c");
	thread_yield(); /* all wait */
	assert_string_equal(trace, "");

	mutex_lock(&mtx);
	tickets = 1;
	cond_signal(&cnd); /* the first waiter */
	mutex_unlock(&mtx);
	thread_yield();
	assert_string_equal(trace, "a");

	mutex_lock(&mtx);
	tickets = 2;
	cond_broadcast(&cnd);
	mutex_unlock(&mtx);
	OK(thread_join(t[1]));
	OK(thread_join(t[2]));
	OK(thread_join(t[0]));
	assert_string_equal(trace, "a b c");
	assert_null(cnd.waiters.head);
	cond_signal(&cnd); /* nobody waits: nothing happens */
	cond_broadcast(&cnd);
	assert_only_boot();
}

static void timed_waiter(void *arg)
{
	u64 deadline = arch_time_ns() + *(u64 *)arg;
	int rc;

	mutex_lock(&mtx);
	rc = cond_wait(&cnd, &mtx, deadline);
	tr("%s%s",
	   rc == -ETIMEDOUT ? "timeout"
	   : rc == 0	    ? "woken"
			    : "error",
	   rc == -ETIMEDOUT && arch_time_ns() < deadline ? "-early" : "");
	tr("%s", mutex_held(&mtx) ? "held" : "not-held");
	mutex_unlock(&mtx);
}

static void test_cond_timed_wait(void **state)
{
	u64 wait = 3 * MS, long_wait = 1000 * MS;
	struct thread *t;

	(void)state;
	mutex_init(&mtx);
	cond_init(&cnd);
	/* Nobody signals: the deadline ends the wait, off the cond's queue. */
	t = spawn(timed_waiter, &wait);
	OK(thread_join(t));
	assert_string_equal(trace, "timeout held");
	assert_null(cnd.waiters.head);

	/* Signalled first: off the sleep list, no timeout later. */
	trace[0] = '\0';
	t = spawn(timed_waiter, &long_wait);
	thread_yield();
	assert_non_null(sched_sleepers);
	cond_signal(&cnd);
	assert_null(sched_sleepers);
	OK(thread_join(t));
	assert_string_equal(trace, "woken held");
	assert_only_boot();
}

/* ---- sleeping -------------------------------------------------------------- */

static void sleeper(void *arg)
{
	u64 ms = (u64)(uintptr_t)arg, deadline = arch_time_ns() + ms * MS;

	thread_sleep_until(deadline);
	tr("%llu%s", (unsigned long long)ms, arch_time_ns() < deadline ? "-early" : "");
}

static void test_sleep_order(void **state)
{
	struct thread *t[3];

	(void)state;
	t[0] = spawn(sleeper, (void *)3);
	t[1] = spawn(sleeper, (void *)1);
	t[2] = spawn(sleeper, (void *)2);
	for (int i = 0; i < 3; i++)
		OK(thread_join(t[i]));
	assert_string_equal(trace, "1 2 3");
	assert_only_boot();
}

/* ---- sched_io_idle() ---------------------------------------------------- */

static void worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		tr("w%d", i);
		thread_yield();
	}
}

static void test_io_idle_lets_worker_run(void **state)
{
	struct thread *w;
	u64 to = 1000 * MS;
	int polls = 0;

	(void)state;
	w = spawn(worker, NULL);
	while (sched_io_idle(&to)) {
		polls++;
		tr("poll");
	}
	/* The worker ran to its end between polls; then only the poller is left. */
	assert_string_equal(trace, "w0 poll w1 poll w2 poll poll");
	assert_int_equal(polls, 4);
	assert_int_equal(to, 1000 * MS);
	OK(thread_join(w));
	assert_only_boot();
}

/* A second poller: finds nothing, "sleeps", is woken, polls once more. */
static void poller(void *arg)
{
	u64 to = 1000 * MS;

	(void)arg;
	tr("B");
	tr("B:%s", sched_io_idle(&to) ? "true" : "false");
	sched_io_woken(); /* as after its arch_wait_irq() */
	tr("B");
	tr("B:%s", sched_io_idle(&to) ? "true" : "false");
}

static void test_io_idle_two_pollers(void **state)
{
	struct thread *b;
	u64 to = 1000 * MS;

	(void)state;
	b = spawn(poller, NULL);
	/* A (the boot thread) polls: B runs, finds A io-idle and done polling. */
	tr("A:%s", sched_io_idle(&to) ? "true" : "false");
	tr("A");
	/* B polled after the wake-up; A has now too: nobody left to run. */
	tr("A:%s", sched_io_idle(&to) ? "true" : "false");
	OK(thread_join(b));
	assert_string_equal(trace, "B B:false B A:true A A:false B:true");
	assert_only_boot();
}

static void test_io_idle_timeout_and_sleepers(void **state)
{
	struct thread *s;
	u64 to = 1000 * MS;

	(void)state;
	s = spawn(sleeper, (void *)5);
	thread_yield(); /* s goes to sleep for 5 ms */
	assert_false(sched_io_idle(&to));
	assert_true(to > 0 && to <= 5 * MS);
	/* The poller's interrupt wait lasts until the deadline. */
	host_time_ns += to;
	to = 1000 * MS;
	assert_true(sched_io_idle(&to)); /* s woke up and ran */
	assert_string_equal(trace, "5");
	assert_int_equal(to, 1000 * MS);
	OK(thread_join(s));
	assert_only_boot();
}

/* ---- what must panic ----------------------------------------------------- */

static void smash_canary(void *arg)
{
	(void)arg;
	/* What an overflow of the stack would write first. */
	thread_self()->stack[0] = 0;
	thread_yield();
}

static void overflow(void)
{
	struct thread *t;

	(void)thread_create(&t, smash_canary, NULL, SCHED_STACK_MIN, NULL);
	thread_join(t);
}

static void wait_forever(void *arg)
{
	mutex_lock(&mtx);
	cond_wait(arg, &mtx, 0);
}

static struct cond cnd2;

static void deadlock(void)
{
	struct thread *a, *b;

	mutex_init(&mtx);
	cond_init(&cnd);
	cond_init(&cnd2);
	(void)thread_create(&a, wait_forever, &cnd, 0, NULL);
	(void)thread_create(&b, wait_forever, &cnd2, 0, NULL);
	thread_join(a);
}

static void boot_exits(void)
{
	thread_exit();
}

static void test_panics(void **state)
{
	char want[64];

	(void)state;
	snprintf(want, sizeof(want), "thread %u overflowed its %u-byte stack", sched_next_id,
		 SCHED_STACK_MIN);
	assert_panics(overflow, want);
	assert_panics(deadlock, "sched: deadlock: no thread can run");
	snprintf(want, sizeof(want), "%u:blocked/cond %u:blocked/cond 0:blocked/join",
		 sched_next_id + 1, sched_next_id);
	assert_panics(deadlock, want);
	assert_panics(boot_exits, "the boot thread cannot exit");
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest before[] = {
		T(test_before_init),
		T(test_cond_wait_before_init_panics),
	};
	const struct CMUnitTest after[] = {
		T(test_creation_order_and_yield),
		T(test_join),
		T(test_create_checks),
		T(test_tls_user_and_hook),
		T(test_registers_survive),
		T(test_ctx_switch_preserves),
		T(test_mutex_exclusion_fifo),
		T(test_mutex_misuse_panics),
		T(test_cond_signal_broadcast),
		T(test_cond_timed_wait),
		T(test_sleep_order),
		T(test_io_idle_lets_worker_run),
		T(test_io_idle_two_pollers),
		T(test_io_idle_timeout_and_sleepers),
		T(test_panics),
	};
	int failed;

	host_console_quiet = true;
	failed = cmocka_run_group_tests_name("sched before sched_init", before, NULL, NULL);
	sched_init(NULL);
	return failed | cmocka_run_group_tests_name("sched", after, NULL, NULL);
}
