/*
 * arch/x86_64/msi.c - message-signalled interrupts through the local APIC
 * (arch/arch.h; Intel SDM vol. 3A, 11.11 "Message Signalled Interrupts").
 *
 * A PCI function raises an MSI by writing a 32-bit message to an address
 * in the 0xfee00000 window, which the chipset turns into an interrupt at a
 * local APIC instead of a memory write:
 *   address  0xfee00000 | destination APIC ID << 12, redirection hint 0 and
 *            destination mode 0 (physical): exactly this CPU, the boot CPU
 *            (the port is single-CPU);
 *   data     the vector in bits 0-7, delivery mode 000 (fixed) in bits 8-10,
 *            trigger mode 0 (edge) in bit 15: all zero but the vector.
 * Each message gets its own vector from VEC_MSI_BASE..VEC_MSI_LAST, above
 * the IOAPIC's (VEC_IRQ_BASE + GSI, asm/boot.h), and its interrupt number
 * is vector - VEC_IRQ_BASE, the numbering arch_wait_irq() reports for both
 * (apic.c); its EOI is the local APIC's, as for the IOAPIC's edge inputs.
 * A fixed vector is always enabled at the local APIC (nothing to unmask:
 * the TPR is 0), so arch_msi_alloc() only hands one out.  Nothing is ever
 * freed.  Boot time, single-threaded.
 */
#include "arch/arch.h"
#include "lib/errno.h"
#include <asm/boot.h>

/* The architectural MSI window: not a device, a fixed part of every x86
 * (SDM vol. 3A, 11.11.1); its bits 12-19 name the destination APIC. */
#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12

static unsigned msi_next = VEC_MSI_BASE;

int arch_msi_alloc(u32 rid, u32 *irq, u64 *addr, u32 *data)
{
	(void)rid; /* no interrupt remapping: every function writes the same window */
	if (msi_next > VEC_MSI_LAST)
		return -ENOSPC;
	*addr = MSI_ADDR_BASE | lapic_id() << MSI_ADDR_DEST_SHIFT;
	*data = msi_next; /* fixed delivery, edge triggered */
	*irq = msi_next - VEC_IRQ_BASE;
	msi_next++;
	return 0;
}

const char *arch_msi_name(void)
{
	return "lapic";
}
