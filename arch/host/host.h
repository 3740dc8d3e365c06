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

/*
 * arch_msi_alloc() (an MSI controller for the tests): NULL, the default,
 * means none (-EOPNOTSUPP, and arch_msi_name() returns NULL).
 */
extern int (*host_msi_alloc)(u32 rid, u32 *irq, u64 *addr, u32 *data);

/* What the next arch_wait_irq() returns (then 0 again): "an interrupt". */
extern u32 host_irq_pending;

/* The last arch_tls_set() (arch/host/ctx.c, linked by the scheduler's test). */
extern void *host_tls_tp;

#endif
