/*
 * kernel/libc/glue.h - where the C library's side of kernel/libc (built
 * with the library's headers) and the kernel's side (built with ordo's)
 * call each other.  Only lib/types.h types cross; files go through
 * kernel/posix/vfs.h and memory through lib/heap.h, which need no more.
 */
#ifndef ORDO_KERNEL_LIBC_GLUE_H
#define ORDO_KERNEL_LIBC_GLUE_H

#include "lib/types.h"

/* Library side (crt.c): constructors, main(argc, argv), exit(). */
int libc_start_main(int argc, char **argv);
/* Library side (pthread.c): the running thread becomes main's pthread. */
void libc_threads_init(void);

/* Kernel side (app.c). */
__noreturn void glue_exit(int status); /* sync, unmount, leave QEMU */
void glue_console_write(const char *buf, size_t len);
u64 glue_time_ns(void);

#endif
