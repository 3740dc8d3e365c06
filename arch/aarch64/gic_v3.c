/*
 * arch/aarch64/gic_v3.c - the GICv3 (and GICv4) registers behind gic.c
 * (gic.h): the distributor at reg[0], the redistributors in reg[1..], and
 * the CPU interface as system registers (GICv3 spec, IHI 0069).
 *
 * Set-up, for the one CPU we run on:
 *   - distributor: affinity routing on (GICD_CTLR.ARE_NS; the same bit is
 *     ARE on a GIC with one security state), then Group 1 enabled;
 *   - redistributor: the frame pair (RD_base, SGI_base = +64 KiB; +256 KiB
 *     apart with virtual LPIs) whose GICR_TYPER.Affinity equals our
 *     MPIDR_EL1's, found by walking each region up to GICR_TYPER.Last or
 *     the region's end; woken through GICR_WAKER (bounded wait);
 *   - CPU interface: ICC_SRE_EL1.SRE (head.S set ICC_SRE_EL2/EL3.Enable
 *     when it came through those levels), priority mask, Group 1 enable.
 * SGIs and PPIs are configured in the redistributor's SGI frame, SPIs in
 * the distributor with GICD_IROUTER naming this CPU.
 *
 * Every line we enable is made Group 1 non-secure (IGROUPR = 1, IGRPMODR
 * = 0).  On a GIC with two security states those bits are secure-only:
 * secure firmware must have put our lines in Group 1 non-secure (ours does,
 * el3.S); if it left them in Group 0 our writes are ignored, enabled()
 * says so and gic.c polls.
 */
#include <asm/boot.h>
#include <asm/io.h>
#include <asm/sysreg.h>

#include "arch/aarch64/gic.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP BIT(31)
#define GICD_CTLR_ARE_NS BIT(4)	    /* ARE with one security state */
#define GICD_CTLR_ENABLE_G1A BIT(1) /* EnableGrp1 with one state */
#define GICD_CTLR_ENABLE_G1 BIT(0)  /* EnableGrp0 with one state */
#define GICD_TYPER 0x0004
#define GICD_IGROUPR(n) (0x0080 + 4 * (n))
#define GICD_ISENABLER(n) (0x0100 + 4 * (n))
#define GICD_IPRIORITYR(n) (0x0400 + (n))
#define GICD_ICFGR(n) (0x0c00 + 4 * (n))
#define GICD_IGRPMODR(n) (0x0d00 + 4 * (n))
#define GICD_IROUTER(n) (0x6000 + 8 * (n))

#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008 /* 64 bits, read as two words */
#define GICR_TYPER_VLPIS BIT(1)
#define GICR_TYPER_LAST BIT(4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP BIT(1)
#define GICR_WAKER_CHILDREN_ASLEEP BIT(2)
#define GICR_PIDR2 0xffe8
#define GIC_PIDR2_ARCH(v) (((v) >> 4) & 0xf) /* 3: GICv3, 4: GICv4 */

#define GICR_SGI_OFFSET 0x10000
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_IPRIORITYR(n) (0x0400 + (n))
#define GICR_ICFGR1 0x0c04
#define GICR_IGRPMODR0 0x0d00

#define GICR_FRAMES_SIZE 0x20000ul    /* RD_base + SGI_base */
#define GICR_FRAMES_SIZE_V4 0x40000ul /* + VLPI_base + reserved */
#define GICR_MAX_FRAMES 4096u	      /* walk bound per region */

#define GIC_WAIT_MS 100u

#define ICC_SRE_SRE BIT(0)
#define ICC_SRE_DFB BIT(1)
#define ICC_SRE_DIB BIT(2)
#define ICC_CTLR_EOIMODE BIT(1)
#define ICC_IAR_INTID(v) ((u32)(v)&0xffffffu)

/* The CPU interface registers by encoding (older assemblers lack names). */
#define read_icc(enc)                                        \
	({                                                   \
		u64 _v;                                      \
		__asm__ volatile("mrs %0, " enc : "=r"(_v)); \
		_v;                                          \
	})
#define write_icc(enc, v) __asm__ volatile("msr " enc ", %x0" ::"rZ"((u64)(v)) : "memory")
#define ICC_PMR_EL1 "s3_0_c4_c6_0"
#define ICC_IAR1_EL1 "s3_0_c12_c12_0"
#define ICC_EOIR1_EL1 "s3_0_c12_c12_1"
#define ICC_CTLR_EL1 "s3_0_c12_c12_4"
#define ICC_SRE_EL1 "s3_0_c12_c12_5"
#define ICC_IGRPEN1_EL1 "s3_0_c12_c12_7"

static uintptr_t gicd, gicr_rd, gicr_sgi;
static u64 route; /* GICD_IROUTER value for this CPU (IRM = 0) */

/* Our affinity in GICR_TYPER[63:32] layout: Aff3.Aff2.Aff1.Aff0. */
static u32 cpu_affinity(void)
{
	u64 mpidr = read_sysreg(mpidr_el1);

	route = mpidr & 0xff00fffffful; /* Aff3 [39:32], Aff2..0 [23:0] */
	return (u32)(mpidr & 0xffffff) | (u32)((mpidr >> 32) & 0xff) << 24;
}

/*
 * RD_base of this CPU's redistributor, or 0.  A region whose first frame
 * is not a GICv3/v4 redistributor (GICR_PIDR2) ends the walk: the regions
 * after the redistributors are the legacy CPU and virtual interfaces,
 * where reading GICR_TYPER's offset would acknowledge an interrupt.
 */
static uintptr_t find_redistributor(const struct dt_region *reg, unsigned nreg, u32 aff)
{
	for (unsigned r = 1; r < nreg; r++) {
		uintptr_t base = (uintptr_t)reg[r].base;
		u64 size = reg[r].size;

		if (size < GICR_FRAMES_SIZE)
			break;
		for (unsigned i = 0; i < GICR_MAX_FRAMES; i++) {
			u32 arch = GIC_PIDR2_ARCH(readl(base + GICR_PIDR2));
			u32 lo, hi;

			if (arch != 3 && arch != 4)
				return 0;
			lo = readl(base + GICR_TYPER);
			hi = readl(base + GICR_TYPER + 4);
			if (hi == aff)
				return base;
			if (lo & GICR_TYPER_LAST)
				break;
			base += (lo & GICR_TYPER_VLPIS) ? GICR_FRAMES_SIZE_V4 : GICR_FRAMES_SIZE;
			if (base + GICR_FRAMES_SIZE > reg[r].base + size)
				break;
		}
	}
	return 0;
}

static int v3_cpu_interface(void)
{
	u64 sre;

	if (!((read_sysreg(id_aa64pfr0_el1) >> ID_AA64PFR0_GIC_SHIFT) & 0xf)) {
		kprintf("gic: GICv3 but this CPU has no GIC system register interface: "
			"disks are polled\n");
		return -ENODEV;
	}
	sre = read_icc(ICC_SRE_EL1);
	write_icc(ICC_SRE_EL1, sre | ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB);
	isb();
	if (!(read_icc(ICC_SRE_EL1) & ICC_SRE_SRE)) {
		kprintf("gic: ICC_SRE_EL1.SRE stays 0 (a higher level did not enable the GIC "
			"system registers): disks are polled\n");
		return -EPERM;
	}
	write_icc(ICC_PMR_EL1, GIC_PMR);
	/* EOI both drops the priority and deactivates. */
	write_icc(ICC_CTLR_EL1, read_icc(ICC_CTLR_EL1) & ~ICC_CTLR_EOIMODE);
	write_icc(ICC_IGRPEN1_EL1, 1);
	isb();
	return 0;
}

static int v3_init(const struct dt_region *reg, unsigned nreg)
{
	u32 aff = cpu_affinity();
	uintptr_t rd;
	u32 ctlr;

	if (nreg < 2) {
		kprintf("gic: GICv3 at 0x%08llx without redistributor region: disks are polled\n",
			(unsigned long long)(nreg ? reg[0].base : 0));
		return -EINVAL;
	}
	gicd = (uintptr_t)reg[0].base;
	rd = find_redistributor(reg, nreg, aff);
	if (!rd) {
		kprintf("gic: no GICv3 redistributor for affinity 0x%08x at 0x%08llx: "
			"disks are polled\n",
			aff, (unsigned long long)reg[1].base);
		return -ENODEV;
	}
	gicr_sgi = rd + GICR_SGI_OFFSET;
	gicr_rd = rd;
	el3_gic_nonsecure(gicd, rd, 0);

	/* Wake the redistributor (RAZ/WI to us if secure firmware owns it). */
	writel(rd + GICR_WAKER, readl(rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	if (!gic_wait_clear(rd + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP, GIC_WAIT_MS)) {
		kprintf("gic: GICv3 redistributor at 0x%08llx does not wake up: disks are polled\n",
			(unsigned long long)rd);
		return -ETIMEDOUT;
	}

	/* Affinity routing first (it may change only with the groups off). */
	ctlr = readl(gicd + GICD_CTLR);
	if (!(ctlr & GICD_CTLR_ARE_NS)) {
		writel(gicd + GICD_CTLR, ctlr & ~(GICD_CTLR_ENABLE_G1 | GICD_CTLR_ENABLE_G1A));
		gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, GIC_WAIT_MS);
		writel(gicd + GICD_CTLR, GICD_CTLR_ARE_NS);
		gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, GIC_WAIT_MS);
	}
	writel(gicd + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A | GICD_CTLR_ENABLE_G1);
	if (!gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, GIC_WAIT_MS) ||
	    !(readl(gicd + GICD_CTLR) & GICD_CTLR_ARE_NS)) {
		kprintf("gic: GICv3 distributor at 0x%08llx refuses affinity routing: "
			"disks are polled\n",
			(unsigned long long)gicd);
		return -EIO;
	}

	if (v3_cpu_interface())
		return -ENODEV;
	/* ITLinesNumber: 32 * (N + 1) IDs, of which 1020..1023 are special. */
	return (int)MIN(32 * ((readl(gicd + GICD_TYPER) & 0x1f) + 1), GIC_SPECIAL);
}

uintptr_t gic_v3_rd(uintptr_t *dist)
{
	*dist = gicd;
	return gicr_rd;
}

static void set_bit32(uintptr_t reg, u32 bit, bool on)
{
	u32 v = readl(reg);

	writel(reg, on ? v | bit : v & ~bit);
}

static void v3_enable(u32 irq, bool edge)
{
	u32 bit = 1u << (irq % 32);
	/* Int_config bit 1 of the pair: 1 edge, 0 level. */
	u32 cfg_bit = 1u << ((irq % 16) * 2 + 1);

	if (irq < GIC_SPI_BASE) {
		set_bit32(gicr_sgi + GICR_IGROUPR0, bit, true);
		set_bit32(gicr_sgi + GICR_IGRPMODR0, bit, false);
		writeb(gicr_sgi + GICR_IPRIORITYR(irq), GIC_PRIO);
		if (irq >= GIC_PPI_BASE)
			set_bit32(gicr_sgi + GICR_ICFGR1, cfg_bit, edge);
		writel(gicr_sgi + GICR_ISENABLER0, bit);
		return;
	}
	set_bit32(gicd + GICD_IGROUPR(irq / 32), bit, true);
	set_bit32(gicd + GICD_IGRPMODR(irq / 32), bit, false);
	writeb(gicd + GICD_IPRIORITYR(irq), GIC_PRIO);
	set_bit32(gicd + GICD_ICFGR(irq / 16), cfg_bit, edge);
	writel(gicd + GICD_IROUTER(irq), (u32)route);
	writel(gicd + GICD_IROUTER(irq) + 4, (u32)(route >> 32));
	writel(gicd + GICD_ISENABLER(irq / 32), bit);
}

static bool v3_enabled(u32 irq)
{
	u32 bit = 1u << (irq % 32);

	/* IGROUPR reads as 0 to us on a GIC with two security states, but
	 * the enable of a Group 0 line reads as 0 too (RAZ/WI). */
	if (irq < GIC_SPI_BASE)
		return readl(gicr_sgi + GICR_ISENABLER0) & bit;
	return readl(gicd + GICD_ISENABLER(irq / 32)) & bit;
}

static u32 v3_ack(void)
{
	u32 id = ICC_IAR_INTID(read_icc(ICC_IAR1_EL1));

	/* Device reads after the acknowledge see the device's state at it. */
	__asm__ volatile("dsb sy" ::: "memory");
	return id;
}

static void v3_eoi(u32 irq)
{
	write_icc(ICC_EOIR1_EL1, irq);
	isb();
}

const struct gic_ops gic_v3_ops = {
	.name = "GICv3",
	.init = v3_init,
	.enable = v3_enable,
	.enabled = v3_enabled,
	.ack = v3_ack,
	.eoi = v3_eoi,
};
