/*
 * kernel/libc/pthread.c - POSIX threads, sleeping and the C library's
 * locks on ordo's cooperative scheduler (lib/sched.h); what is and is not
 * supported is listed in kernel/libc/include/pthread.h.
 *
 * A pthread_t is this file's record of a thread: the scheduler's thread,
 * the start function and result, its TLS area (kernel/libc/tls.c), its
 * thread-specific values and, on newlib, its struct _reent (errno and
 * the stdio state live there: the switch hook points _impure_ptr at the
 * running thread's).  The boot thread, which runs main(), has a static
 * record.
 *
 * The C library's own locks (__retarget_lock_*: stdio streams, atexit,
 * the environment) are recursive mutexes over struct mutex: a FILE that
 * two threads write is never torn, even when a write waits for the disk.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/lock.h>
#include <time.h>
#include <unistd.h>

#include "kernel/libc/glue.h"
#include "kernel/libc/tls.h"
#include "lib/heap.h"
#include "lib/sched.h"

_Static_assert(sizeof(pthread_mutex_t) == sizeof(struct mutex), "pthread_mutex_t is a mutex");
_Static_assert(sizeof(pthread_cond_t) == sizeof(struct cond), "pthread_cond_t is a cond");

#define KEY_DESTRUCTOR_ROUNDS 4

struct __ordo_pthread {
	struct thread *t;
	void *(*start)(void *);
	void *arg, *ret;
	void *tls_area;
	bool detached;
	const void *specific[PTHREAD_KEYS_MAX];
#ifndef __PICOLIBC__
	struct _reent reent;
#endif
};

static struct __ordo_pthread main_thread;
static void (*key_dtor[PTHREAD_KEYS_MAX])(void *);
static bool key_used[PTHREAD_KEYS_MAX];

static struct __ordo_pthread *self(void)
{
	struct __ordo_pthread *p = thread_user(thread_self());

	return p ? p : &main_thread;
}

#ifndef __PICOLIBC__
/* newlib keeps errno and stdio state in the struct _reent _impure_ptr names. */
static void libc_switch(struct thread *prev, struct thread *next)
{
	struct __ordo_pthread *p = thread_user(next);

	(void)prev;
	_impure_ptr = p && p != &main_thread ? &p->reent : _global_impure_ptr;
}
#endif

void libc_threads_init(void)
{
	main_thread.t = thread_self();
	thread_set_user(main_thread.t, &main_thread);
#ifndef __PICOLIBC__
	sched_set_switch_hook(libc_switch); /* main keeps newlib's global _reent */
#endif
}

int pthread_attr_init(pthread_attr_t *attr)
{
	*attr = (pthread_attr_t){ .__stacksize = SCHED_STACK_DEFAULT };
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
	if (size < SCHED_STACK_MIN)
		return EINVAL;
	attr->__stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
	*size = attr->__stacksize;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	attr->__detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state)
{
	*state = attr->__detachstate;
	return 0;
}

/* Thread-specific values' destructors, as POSIX orders them. */
static void run_key_destructors(struct __ordo_pthread *p)
{
	for (int round = 0; round < KEY_DESTRUCTOR_ROUNDS; round++) {
		bool any = false;

		for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
			void *v = (void *)p->specific[k];

			if (!v || !key_used[k] || !key_dtor[k])
				continue;
			p->specific[k] = NULL;
			key_dtor[k](v);
			any = true;
		}
		if (!any)
			break;
	}
}

void pthread_exit(void *ret)
{
	struct __ordo_pthread *p = self();

	if (p == &main_thread)
		exit(0); /* POSIX waits for the others; ordo ends the program */
	p->ret = ret;
	run_key_destructors(p);
	thread_exit();
}

static void thread_start(void *arg)
{
	struct __ordo_pthread *p = arg;

	pthread_exit(p->start(p->arg));
}

static void record_free(struct __ordo_pthread *p)
{
	kfree(p->tls_area);
	kfree(p);
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	size_t stack = attr ? attr->__stacksize : SCHED_STACK_DEFAULT;
	struct __ordo_pthread *p = kmalloc(sizeof(*p));
	int err;

	if (!p)
		return EAGAIN;
	p->start = start;
	p->arg = arg;
	p->detached = attr && attr->__detachstate == PTHREAD_CREATE_DETACHED;
	p->tls_area = kmalloc_aligned(tls_area_size(), tls_area_align());
#ifndef __PICOLIBC__
	_REENT_INIT_PTR(&p->reent);
#endif
	err = p->tls_area ? thread_create(&p->t, thread_start, p, stack, tls_area_init(p->tls_area))
			  : -ENOMEM;
	if (err) {
		record_free(p);
		return err == -EINVAL ? EINVAL : EAGAIN;
	}
	thread_set_user(p->t, p);
	*out = p;
	return 0;
}

int pthread_join(pthread_t p, void **ret)
{
	if (!p || p == &main_thread || p->detached)
		return EINVAL;
	if (p == self())
		return EDEADLK;
	if (thread_join(p->t))
		return EINVAL;
	if (ret)
		*ret = p->ret;
	record_free(p);
	return 0;
}

int pthread_detach(pthread_t p)
{
	if (!p || p->detached)
		return EINVAL;
	p->detached = true;
	return 0;
}

pthread_t pthread_self(void)
{
	return self();
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
	attr->__type = PTHREAD_MUTEX_DEFAULT;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
	if (type != PTHREAD_MUTEX_NORMAL)
		return EINVAL; /* recursive and error-checking mutexes: not supported */
	attr->__type = type;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	if (attr && attr->__type != PTHREAD_MUTEX_NORMAL)
		return EINVAL;
	mutex_init((struct mutex *)m);
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return ((struct mutex *)m)->owner ? EBUSY : 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	if (mutex_held((struct mutex *)m))
		return EDEADLK; /* would wait for itself forever */
	mutex_lock((struct mutex *)m);
	return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	return mutex_trylock((struct mutex *)m) ? 0 : EBUSY;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (!mutex_held((struct mutex *)m))
		return EPERM;
	mutex_unlock((struct mutex *)m);
	return 0;
}

int pthread_condattr_init(pthread_condattr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	(void)attr;
	cond_init((struct cond *)c);
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	return ((struct cond *)c)->waiters.head ? EBUSY : 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	if (!mutex_held((struct mutex *)m))
		return EPERM;
	cond_wait((struct cond *)c, (struct mutex *)m, 0);
	return 0;
}

/* CLOCK_REALTIME counts from boot (sys.c), as arch_time_ns() does. */
static u64 timespec_ns(const struct timespec *ts)
{
	if (ts->tv_sec < 0)
		return 1;
	return (u64)ts->tv_sec * 1000000000u + (u64)ts->tv_nsec;
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	if (!mutex_held((struct mutex *)m))
		return EPERM;
	if (abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000)
		return EINVAL;
	return cond_wait((struct cond *)c, (struct mutex *)m, timespec_ns(abstime)) ? ETIMEDOUT : 0;
}

int pthread_cond_signal(pthread_cond_t *c)
{
	cond_signal((struct cond *)c);
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	cond_broadcast((struct cond *)c);
	return 0;
}

static struct mutex once_lock;
static struct cond once_done;

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
	mutex_lock(&once_lock);
	/* Another thread runs fn(), which may wait for anything. */
	while (once->__state == 1)
		cond_wait(&once_done, &once_lock, 0);
	if (once->__state == 0) {
		once->__state = 1;
		mutex_unlock(&once_lock);
		fn();
		mutex_lock(&once_lock);
		once->__state = 2;
		cond_broadcast(&once_done);
	}
	mutex_unlock(&once_lock);
	return 0;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
		if (!key_used[k]) {
			key_used[k] = true;
			key_dtor[k] = destructor;
			*key = k;
			return 0;
		}
	}
	return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
	if (key >= PTHREAD_KEYS_MAX || !key_used[key])
		return EINVAL;
	key_used[key] = false;
	return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
	return key < PTHREAD_KEYS_MAX ? (void *)self()->specific[key] : NULL;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	if (key >= PTHREAD_KEYS_MAX || !key_used[key])
		return EINVAL;
	self()->specific[key] = value;
	return 0;
}

/* ---- time and yielding ------------------------------------------------ */

/* Declared by <sched.h> and <time.h> only for some feature macros. */
int sched_yield(void);
int nanosleep(const struct timespec *req, struct timespec *rem);

int sched_yield(void)
{
	thread_yield();
	return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (req->tv_nsec < 0 || req->tv_nsec >= 1000000000 || req->tv_sec < 0) {
		errno = EINVAL;
		return -1;
	}
	thread_sleep_ns((u64)req->tv_sec * 1000000000u + (u64)req->tv_nsec);
	if (rem)
		*rem = (struct timespec){ 0 };
	return 0;
}

unsigned int sleep(unsigned int seconds)
{
	thread_sleep_ns((u64)seconds * 1000000000u);
	return 0;
}

int usleep(useconds_t us)
{
	thread_sleep_ns((u64)us * 1000u);
	return 0;
}

/* ---- the C library's locks -------------------------------------------- */

struct __lock {
	struct mutex m;
	unsigned depth; /* recursive acquisitions by the owner */
};

#ifdef __PICOLIBC__
struct __lock __lock___libc_recursive_mutex;
#else
struct __lock __lock___sinit_recursive_mutex, __lock___sfp_recursive_mutex,
	__lock___atexit_recursive_mutex, __lock___at_quick_exit_mutex,
	__lock___malloc_recursive_mutex, __lock___env_recursive_mutex, __lock___tz_mutex,
	__lock___dd_hash_mutex, __lock___arc4random_mutex;
#endif

void __retarget_lock_init(_LOCK_T *lock)
{
	*lock = kmalloc(sizeof(**lock)); /* zeroed: unlocked; NULL: locking is skipped */
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	__retarget_lock_init(lock);
}

void __retarget_lock_close(_LOCK_T lock)
{
	kfree(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	kfree(lock);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	if (!lock)
		return;
	if (mutex_held(&lock->m)) {
		lock->depth++;
		return;
	}
	mutex_lock(&lock->m);
	lock->depth = 1;
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	__retarget_lock_acquire_recursive(lock);
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	if (!lock)
		return 1;
	if (mutex_held(&lock->m)) {
		lock->depth++;
		return 1;
	}
	if (!mutex_trylock(&lock->m))
		return 0;
	lock->depth = 1;
	return 1;
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return __retarget_lock_try_acquire_recursive(lock);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	if (!lock || !mutex_held(&lock->m))
		return;
	if (--lock->depth == 0)
		mutex_unlock(&lock->m);
}

void __retarget_lock_release(_LOCK_T lock)
{
	__retarget_lock_release_recursive(lock);
}
