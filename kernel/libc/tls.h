/*
 * kernel/libc/tls.h - thread-local storage blocks (kernel/libc/tls.c).
 *
 *   tls_boot_init()   the boot thread's block, made current; called
 *                     before anything may touch a thread-local variable
 *   tls_boot_tp()     its thread pointer
 *   tls_area_size(), tls_area_align()
 *                     what a thread's TLS area needs
 *   tls_area_init()   fill an area (the template, then zeroes) and
 *                     return the thread pointer to give arch_tls_set()
 */
#ifndef ORDO_KERNEL_LIBC_TLS_H
#define ORDO_KERNEL_LIBC_TLS_H

#include "lib/types.h"

void tls_boot_init(void);
/* The boot thread's thread pointer (for sched_init()). */
void *tls_boot_tp(void);
size_t tls_area_size(void);
size_t tls_area_align(void);
void *tls_area_init(void *area);

#endif
