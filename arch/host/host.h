/*
 * arch/host/host.h - knobs of the host arch layer for unit tests.
 */
#ifndef ORDO_ARCH_HOST_H
#define ORDO_ARCH_HOST_H

#include "lib/types.h"

/* Fake clock: each arch_time_ns() call adds host_time_step_ns. */
extern u64 host_time_ns;
extern u64 host_time_step_ns;

/* Silence kprintf; the last message is kept in host_console_last. */
extern bool host_console_quiet;
extern char host_console_last[256];

/* The last arch_tls_set() (arch/host/ctx.c, linked by the scheduler's test). */
extern void *host_tls_tp;

#endif
