/*
 * arch/aarch64/gic.h - what gic.c (the arch_irq_* interface, the timer
 * wake-up and the self-test) needs from a GIC version's driver (gic_v2.c,
 * gic_v3.c).  Private to arch/aarch64/.
 *
 * Interrupt IDs are the GIC's: 16..31 PPIs, 32..1019 SPIs; 1020..1023 are
 * the special IDs an acknowledge returns when nothing (for us) is pending.
 */
#ifndef ORDO_AARCH64_GIC_H
#define ORDO_AARCH64_GIC_H

#include "lib/dt_platform.h"
#include "lib/types.h"

#define GIC_PPI_BASE 16u
#define GIC_SPI_BASE 32u
#define GIC_SPECIAL 1020u /* IDs 1020..1023: nothing (or nothing for us) */
#define GIC_SPURIOUS 1023u
#define GIC_LPI_BASE 8192u /* GICv3 LPIs (the ITS's messages) from here */
#define GIC_PRIO 0xa0u	   /* every line we enable: above the mask */
#define GIC_PMR 0xf0u	   /* priority mask: anything higher signals */

struct gic_ops {
	const char *name; /* "GICv2", "GICv3" */
	/*
	 * Set the controller up for this CPU from its register regions
	 * (struct dt_intc order), every line still disabled.  Returns the
	 * number of interrupt IDs the distributor implements, or a negative
	 * errno after printing one console line that says why (the caller
	 * adds nothing but polls).
	 */
	int (*init)(const struct dt_region *reg, unsigned nreg);
	/* Group 1 (non-secure), priority GIC_PRIO, routed to us, enabled. */
	void (*enable)(u32 irq, bool edge);
	/* Did enable() stick (the line is ours and enabled)? */
	bool (*enabled)(u32 irq);
	/* Acknowledge: the ID of the highest pending interrupt, or special. */
	u32 (*ack)(void);
	void (*eoi)(u32 irq);
};

extern const struct gic_ops gic_v2_ops, gic_v3_ops;

/*
 * Wait until (readl(addr) & mask) == 0, for at most `ms` milliseconds of
 * the virtual counter.  Returns true if it cleared.
 */
bool gic_wait_clear(uintptr_t addr, u32 mask, u32 ms);

/*
 * For the MSI controllers (msi.c, gic_its.c), all in gic.c unless said:
 *
 * gic_usable(): set the GIC up on first use (as arch_irq_enable() does)
 * and say whether it passed; gic_lines(): the interrupt IDs below 1020
 * its distributor implements (SPIs end there).
 *
 * gic_wait_for(irq, ms): spin (no WFI) acknowledging for up to `ms`
 * milliseconds until `irq` is acknowledged; ends each interrupt it
 * acknowledges, `irq` included.  Returns true if `irq` came.  Boot only:
 * an edge interrupt of another device acknowledged here is lost to its
 * driver, which has nothing in flight yet.
 *
 * gic_v3_rd(&gicd): RD_base of this CPU's GICv3 redistributor and the
 * distributor's address (gic_v3.c), 0 on a GICv2 or before gic_usable().
 */
bool gic_usable(void);
u32 gic_lines(void);
bool gic_wait_for(u32 irq, u32 ms);
uintptr_t gic_v3_rd(uintptr_t *gicd);

/* The ITS (gic_its.c): set up at `base` (0 or -errno after one console
 * line), then one message per call as arch_msi_alloc(). */
int its_init(u64 base, u64 size);
int its_alloc(u32 devid, u32 *irq, u64 *addr, u32 *data);

#endif
