/*
 * kernel/libc/include/sys/_pthreadtypes.h - POSIX thread types on ordo.
 *
 * newlib's <sys/types.h> includes this header (picolibc has none); ours
 * comes first on the include path.  The mutex and the condition have the
 * layout of lib/sched.h's struct mutex and struct cond, which
 * kernel/libc/pthread.c checks, so a zeroed one is a ready one.
 */
#ifndef _SYS__PTHREADTYPES_H_
#define _SYS__PTHREADTYPES_H_

#include <stddef.h>

typedef struct __ordo_pthread *pthread_t;

typedef struct {
	size_t __stacksize;
	int __detachstate;
} pthread_attr_t;

typedef struct {
	void *__owner;
	void *__head, *__tail;
} pthread_mutex_t;

typedef struct {
	int __type;
} pthread_mutexattr_t;

typedef struct {
	void *__head, *__tail;
} pthread_cond_t;

typedef struct {
	int __reserved;
} pthread_condattr_t;

typedef struct {
	int __state; /* 0: not run, 1: running, 2: done */
} pthread_once_t;

typedef unsigned int pthread_key_t;

#endif
