/*
 * arch/aarch64/msi.c - message-signalled interrupts (arch/arch.h) through
 * the MSI controller of the device tree (platform.msi):
 *
 *   GICv2m frame (Arm Server Base System Architecture, appendix "GICv2m";
 *   Linux binding arm,gic.yaml): a PCI function's write of an SPI's ID to
 *   the frame's MSI_SETSPI_NS register (frame + 0x40) raises that SPI as
 *   an edge.  MSI_TYPER (frame + 0x8) names the frame's SPIs, bits 25:16
 *   the first ID, 9:0 how many, unless the tree overrides both
 *   ("arm,msi-base-spi", "arm,msi-num-spis", checked by lib/dt_platform.c).
 *   Every SPI must exist in the distributor (GICD_TYPER), else the frame
 *   is not used.  Each message is one SPI, handed out in order and set up
 *   through gic.c like any line (edge, enabled, routed to this CPU; GICv2
 *   or GICv3 alike).
 *
 *   GICv3 ITS: gic_its.c.
 *
 * Both are proven at first use (arch_msi_name()): a CPU store of the
 * message to the doorbell must raise the interrupt within MSI_SELFTEST_MS
 * (spinning on the acknowledge); a controller that fails says so on the
 * console and PCI stays on INTx.  For the ITS the CPU's store needs a
 * device ID: QEMU gives it the MemTxAttrs requester ID, 0 for a CPU
 * access (hw/intc/arm_gicv3_its.c, gicv3_its_translation_write()), so the
 * test maps device 0 (the host bridge, 00:00.0, which raises no MSIs).
 *
 * Single CPU, boot and probe time only; nothing is ever freed.
 */
#include <asm/boot.h>
#include <asm/io.h>

#include "arch/aarch64/gic.h"
#include "arch/arch.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define V2M_MSI_TYPER 0x008
#define V2M_MSI_SETSPI_NS 0x040
#define V2M_TYPER_BASE(v) (((v) >> 16) & 0x3ffu)
#define V2M_TYPER_NUM(v) ((v)&0x3ffu)

#define ITS_SELFTEST_DEVID 0u /* what QEMU calls a CPU's store */

#define MSI_SELFTEST_MS 100u

enum msi_state { MSI_UNTRIED, MSI_OK, MSI_NONE };

static u32 msi_state;
static u32 msi_kind; /* enum dt_msi_kind, once MSI_OK */
static u64 v2m_frame;
static u32 v2m_base, v2m_count, v2m_used;

/* The frame's SPIs, from the tree or MSI_TYPER, checked against the GIC. */
static int v2m_init(const struct dt_msi *m)
{
	u32 typer = readl((uintptr_t)m->reg.base + V2M_MSI_TYPER), lines = gic_lines();

	v2m_frame = m->reg.base;
	v2m_base = m->count ? m->base : V2M_TYPER_BASE(typer);
	v2m_count = m->count ? m->count : V2M_TYPER_NUM(typer);
	if (v2m_base < GIC_SPI_BASE || v2m_count == 0 || v2m_base >= lines ||
	    v2m_count > lines - v2m_base) {
		kprintf("msi: GICv2m frame at 0x%08llx names SPIs %u..+%u (MSI_TYPER 0x%08x), "
			"the GIC has IDs below %u: PCI stays on INTx\n",
			(unsigned long long)v2m_frame, v2m_base, v2m_count, typer, lines);
		return -EINVAL;
	}
	/* The first SPI must rise on a store of its ID; it stays free. */
	arch_irq_enable(v2m_base, true);
	writel((uintptr_t)v2m_frame + V2M_MSI_SETSPI_NS, v2m_base);
	if (!gic_wait_for(v2m_base, MSI_SELFTEST_MS)) {
		kprintf("msi: GICv2m frame at 0x%08llx: a write to MSI_SETSPI_NS does not raise "
			"SPI %u: PCI stays on INTx\n",
			(unsigned long long)v2m_frame, v2m_base);
		return -EIO;
	}
	kprintf("msi: GICv2m frame at 0x%08llx, SPIs %u..%u\n", (unsigned long long)v2m_frame,
		v2m_base, v2m_base + v2m_count - 1);
	return 0;
}

static int v2m_alloc(u32 *irq, u64 *addr, u32 *data)
{
	u32 spi;
	int err;

	if (v2m_used == v2m_count)
		return -ENOSPC;
	spi = v2m_base + v2m_used;
	err = arch_irq_enable(spi, true);
	if (err)
		return err;
	v2m_used++;
	*irq = spi;
	*addr = v2m_frame + V2M_MSI_SETSPI_NS;
	*data = spi;
	return 0;
}

/* The ITS answers a CPU's store to GITS_TRANSLATER for device 0. */
static int its_selftest(void)
{
	u32 irq, data;
	u64 addr;
	int err = its_alloc(ITS_SELFTEST_DEVID, &irq, &addr, &data);

	if (err)
		return err;
	writel((uintptr_t)addr, data);
	if (!gic_wait_for(irq, MSI_SELFTEST_MS)) {
		kprintf("msi: ITS: a CPU write of event %u to GITS_TRANSLATER (0x%08llx) does "
			"not raise LPI %u: PCI stays on INTx\n",
			data, (unsigned long long)addr, irq);
		return -EIO;
	}
	return 0;
}

static int msi_init(void)
{
	const struct platform *p = aarch64_platform;
	uintptr_t gicd;
	int err;

	if (!p || p->msi.kind == DT_MSI_NONE || !gic_usable())
		return -EOPNOTSUPP;
	switch (p->msi.kind) {
	case DT_MSI_GICV2M: return v2m_init(&p->msi);
	case DT_MSI_ITS:
		if (!gic_v3_rd(&gicd)) {
			kprintf("msi: ITS at 0x%08llx without a GICv3: PCI stays on INTx\n",
				(unsigned long long)p->msi.reg.base);
			return -EOPNOTSUPP;
		}
		err = its_init(p->msi.reg.base, p->msi.reg.size);
		return err ? err : its_selftest();
	default: return -EOPNOTSUPP;
	}
}

static bool msi_ready(void)
{
	if (msi_state == MSI_UNTRIED) {
		msi_state = msi_init() ? MSI_NONE : MSI_OK;
		if (msi_state == MSI_OK)
			msi_kind = aarch64_platform->msi.kind;
	}
	return msi_state == MSI_OK;
}

int arch_msi_alloc(u32 rid, u32 *irq, u64 *addr, u32 *data)
{
	if (!msi_ready())
		return -EOPNOTSUPP;
	if (msi_kind == DT_MSI_GICV2M)
		return v2m_alloc(irq, addr, data);
	/* QEMU virt's msi-map is the identity: device ID = requester ID. */
	return its_alloc(rid, irq, addr, data);
}

const char *arch_msi_name(void)
{
	if (!msi_ready())
		return NULL;
	return msi_kind == DT_MSI_GICV2M ? "gicv2m" : "its";
}
