/*
 * arch/riscv64/msi.c - message-signalled interrupts (arch/arch.h).
 *
 * None yet: PCI devices stay on their INTx line.
 */
#include "arch/arch.h"
#include "lib/errno.h"

int arch_msi_alloc(u32 rid, u32 *irq, u64 *addr, u32 *data)
{
	(void)rid;
	(void)irq;
	(void)addr;
	(void)data;
	return -EOPNOTSUPP;
}

const char *arch_msi_name(void)
{
	return NULL;
}
