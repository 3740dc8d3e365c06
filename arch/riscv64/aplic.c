/*
 * arch/riscv64/aplic.c - wired interrupts through the supervisor-level
 * APLIC domain of the RISC-V AIA (QEMU -M virt,aia=aplic or aplic-imsic),
 * as wake-ups for plic.c's arch_wait_irq(), and a self-test of it.
 *
 * "The RISC-V Advanced Interrupt Architecture" 1.0 (AIA), chapter 4.  An
 * APLIC is a tree of interrupt domains, each with its own control region;
 * every source (1..1023) enters the root (M-level) domain, which firmware
 * owns, and a parent delegates a source to a child by setting
 * sourcecfg.D.  OpenSBI (v1.1, QEMU 7.2's) hands every source to the
 * S-level child (QEMU's tree: "riscv,delegate" = all 96) and marks the
 * M-level node disabled, so the disks' interrupt parent is the S-level
 * domain, which this file programs.  In it, a source that was not
 * delegated has a read-only zero sourcecfg: arch_irq_enable() writes the
 * mode and reads it back, and a source that did not take it stays polled.
 *
 * Registers used (4.5): domaincfg (IE bit 8 lets the domain deliver, DM
 * bit 2 picks MSI delivery, bits 31:24 read 0x80); sourcecfg[i] at 4 * i
 * (source mode SM: 0 inactive, 4/5 edge rising/falling, 6/7 level
 * high/low); setipnum (0x1cdc), in_clrip[k] (0x1d00 + 4k, reads the
 * rectified inputs), setienum (0x1edc) and clrienum (0x1fdc) by source
 * number; target[i] at 0x3000 + 4 * i.  An inactive source has its pending
 * and enable bits held at zero, so init makes every source inactive and
 * only what a driver enables comes back.
 *
 * Two delivery modes, chosen from the device tree (lib/dt_platform.c):
 *   direct  the domain drives each hart's external interrupt through an
 *           interrupt delivery control structure (IDC, 4.8) at 0x4000 +
 *           32 * hart index: idelivery (+0x00) = 1 delivers, iforce (+4)
 *           = 0, ithreshold (+8) = 0 lets every priority through, claimi
 *           (+0x1c) returns the top pending-and-enabled source in bits
 *           25:16 and clears its pending bit (an edge source's; a level
 *           source's follows its input).  target[i] = hart index << 18 |
 *           priority (1: nonzero, all equal).  The boot hart's IDC is its
 *           position in the node's interrupts-extended; SEIP wakes the
 *           WFI in arch_wait_irq(), which claims here.
 *   MSI     the domain writes target[i]'s external interrupt identity
 *           (EIID, bits 10:0) to the hart's S-level IMSIC file (hart
 *           index bits 31:18, guest 17:12 = 0).  The addresses come from
 *           the root domain's smsiaddrcfg, which firmware programs; this
 *           domain only sets DM.  The identity comes from imsic.c's
 *           allocator (arch_msi_alloc()), the one MSI-X uses, so no
 *           identity is given twice; imsic_claim() in arch_wait_irq()
 *           claims it and aplic_from_imsic() turns it back into the
 *           source.  A level source is forwarded once per rising input
 *           (4.9.2): aplic_eoi() sets it pending again by setipnum if the
 *           input is still high after the device was quieted, so a
 *           completion that came in meanwhile is not lost.
 * Either way the interrupt number a driver sees is the source number, as
 * the device tree gives it (#interrupt-cells = 2: source and the Linux
 * trigger type 1 edge rising, 2 edge falling, 4 level high, 8 level low;
 * QEMU says 4 for every source).
 *
 * Single hart, no interrupt is taken as a trap (see plic.c).
 */
#include <asm/boot.h>
#include <asm/io.h>

#include "arch/arch.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define APLIC_DOMAINCFG 0x0000u
#define APLIC_DOMAINCFG_IE BIT(8)
#define APLIC_DOMAINCFG_DM BIT(2)
#define APLIC_SOURCECFG(src) (4u * (src))
#define APLIC_SM_INACTIVE 0u
#define APLIC_SM_EDGE_RISE 4u
#define APLIC_SM_EDGE_FALL 5u
#define APLIC_SM_LEVEL_HIGH 6u
#define APLIC_SM_LEVEL_LOW 7u
#define APLIC_SETIPNUM 0x1cdcu
#define APLIC_IN_CLRIP(word) (0x1d00u + 4u * (word))
#define APLIC_SETIENUM 0x1edcu
#define APLIC_CLRIENUM 0x1fdcu
#define APLIC_TARGET(src) (0x3000u + 4u * (src))
#define APLIC_TARGET_HART_SHIFT 18
#define APLIC_TARGET_PRIO 1u /* direct mode: any nonzero priority */

#define APLIC_IDC(idc) (0x4000u + 32u * (idc))
#define APLIC_IDELIVERY 0x00u
#define APLIC_IFORCE 0x04u
#define APLIC_ITHRESHOLD 0x08u
#define APLIC_CLAIMI 0x1cu
#define APLIC_CLAIMI_ID(v) (((v) >> 16) & 0x3ffu)

#define APLIC_MAX_SOURCES 1024u /* 1..1023 */
#define APLIC_MAX_HART_INDEX 0x3fffu
/* MSI mode: sources that got an identity (QEMU virt wires 13). */
#define APLIC_MAX_MSI_SOURCES 64u

/* Linux trigger types (dt-bindings/interrupt-controller/irq.h). */
#define APLIC_DT_EDGE_RISING 1u
#define APLIC_DT_EDGE_FALLING 2u
#define APLIC_DT_LEVEL_HIGH 4u
#define APLIC_DT_LEVEL_LOW 8u

static uintptr_t aplic_base;
static u64 aplic_size;
static u32 aplic_nsources;
static u32 aplic_mode;	/* enum dt_aplic_mode */
static u32 aplic_hart;	/* direct: the boot hart's IDC; MSI: its hart index */
static bool aplic_said; /* the boot line is out */
static bool aplic_ready;
static bool aplic_enabled;
/* Why the domain cannot be driven (said once by aplic_setup()). */
static const char *aplic_refusal;
/* Per source: its input is active-low (from the tree's trigger type). */
static u32 aplic_inverted[APLIC_MAX_SOURCES / 32];
/* Per source: level-sensitive, as enabled. */
static u32 aplic_level[APLIC_MAX_SOURCES / 32];
/* MSI mode: which identity each enabled source was given. */
static struct {
	u16 source, eiid;
} aplic_msi[APLIC_MAX_MSI_SOURCES];
static unsigned aplic_nmsi;

static u32 aplic_read(u32 reg)
{
	return readl(aplic_base + reg);
}

static void aplic_write(u32 reg, u32 v)
{
	writel(aplic_base + reg, v);
}

static bool aplic_bit(const u32 *map, u32 src)
{
	return map[src / 32] & BIT(src % 32);
}

static void aplic_set_bit(u32 *map, u32 src, bool on)
{
	if (on)
		map[src / 32] |= BIT(src % 32);
	else
		map[src / 32] &= ~BIT(src % 32);
}

/*
 * The domain the tree gives, or why not: said on the console.  Only the
 * first call counts (setup.c calls it for selftest.aplic before kmain()
 * does, with the same tree), so a refusal found since stands.
 */
void aplic_setup(const struct dt_intc *intc)
{
	const char *how = "MSI through imsic";

	if (aplic_said)
		return;
	aplic_said = true;
	if (intc->nreg) {
		aplic_base = (uintptr_t)intc->reg[0].base;
		aplic_size = intc->reg[0].size;
	}
	aplic_nsources = intc->aplic_nsources;
	aplic_mode = intc->aplic_mode;
	if (aplic_mode == DT_APLIC_NONE) {
		aplic_refusal = intc->aplic_refusal ? intc->aplic_refusal : "malformed node";
	} else if (aplic_mode == DT_APLIC_DIRECT) {
		how = "direct";
		aplic_refusal = "no IDC for this hart in interrupts-extended";
		for (unsigned i = 0; i < intc->naplic_idc; i++) {
			if (intc->aplic_idc[i].hartid == riscv_boot_hartid) {
				aplic_hart = intc->aplic_idc[i].idc;
				aplic_refusal = NULL;
			}
		}
	} else if (!arch_msi_name()) {
		aplic_refusal = "MSI mode, but no usable S-level IMSIC file";
	} else {
		aplic_hart = imsic_hart_index();
	}
	if (!aplic_refusal &&
	    (aplic_hart > APLIC_MAX_HART_INDEX || arch_map_ram((u64)aplic_base, aplic_size)))
		aplic_refusal = "hart index or registers out of range";
	if (aplic_refusal)
		kprintf("riscv: APLIC at 0x%llx cannot be used (%s): wired interrupts are "
			"polled\n",
			(unsigned long long)aplic_base, aplic_refusal);
	else if (aplic_mode == DT_APLIC_DIRECT)
		kprintf("riscv: APLIC at 0x%llx, %u sources (%s, hart %llu IDC %u)\n",
			(unsigned long long)aplic_base, aplic_nsources, how,
			(unsigned long long)riscv_boot_hartid, aplic_hart);
	else
		kprintf("riscv: APLIC at 0x%llx, %u sources (%s, hart index %u)\n",
			(unsigned long long)aplic_base, aplic_nsources, how, aplic_hart);
}

int aplic_irq_from_dt(const u32 *cells, unsigned ncells, bool *edge)
{
	u32 src, type;

	/* riscv,aplic.yaml: <source trigger-type>, #interrupt-cells = 2. */
	if (ncells != 2 || cells[0] == 0 || cells[0] >= APLIC_MAX_SOURCES)
		return -EINVAL;
	src = cells[0];
	type = cells[1];
	if (type != APLIC_DT_EDGE_RISING && type != APLIC_DT_EDGE_FALLING &&
	    type != APLIC_DT_LEVEL_HIGH && type != APLIC_DT_LEVEL_LOW)
		return -EINVAL;
	*edge = type == APLIC_DT_EDGE_RISING || type == APLIC_DT_EDGE_FALLING;
	/* The polarity has no place in arch_irq_enable(): kept per source. */
	aplic_set_bit(aplic_inverted, src,
		      type == APLIC_DT_EDGE_FALLING || type == APLIC_DT_LEVEL_LOW);
	return (int)src;
}

/* Program the domain once: everything inactive, then delivery on. */
static int aplic_init(void)
{
	u32 dm = aplic_mode == DT_APLIC_MSI ? APLIC_DOMAINCFG_DM : 0, got;
	u32 idc = APLIC_IDC(aplic_hart);

	if (aplic_ready)
		return 0;
	/* DM is WARL: a domain that cannot deliver this way keeps the other. */
	aplic_write(APLIC_DOMAINCFG, dm);
	got = aplic_read(APLIC_DOMAINCFG) & (APLIC_DOMAINCFG_DM | APLIC_DOMAINCFG_IE);
	if (got != dm) {
		kprintf("aplic: domaincfg reads 0x%x, not %s mode: wired interrupts are polled\n",
			aplic_read(APLIC_DOMAINCFG), dm ? "MSI" : "direct");
		aplic_refusal = "delivery mode not supported";
		return -EOPNOTSUPP;
	}
	for (u32 src = 1; src <= aplic_nsources; src++)
		aplic_write(APLIC_SOURCECFG(src), APLIC_SM_INACTIVE);
	if (aplic_mode == DT_APLIC_DIRECT) {
		aplic_write(idc + APLIC_IDELIVERY, 0);
		aplic_write(idc + APLIC_IFORCE, 0);
		aplic_write(idc + APLIC_ITHRESHOLD, 0);
	}
	aplic_write(APLIC_DOMAINCFG, dm | APLIC_DOMAINCFG_IE);
	if (aplic_mode == DT_APLIC_DIRECT) {
		aplic_write(idc + APLIC_IDELIVERY, 1);
		csr_set(sie, SIE_SEIE);
	}
	aplic_ready = true;
	return 0;
}

/* MSI mode: the identity @src was given, or 0. */
static u32 aplic_eiid_of(u32 src)
{
	for (unsigned i = 0; i < aplic_nmsi; i++)
		if (aplic_msi[i].source == src)
			return aplic_msi[i].eiid;
	return 0;
}

/* MSI mode: an identity of imsic.c's for @src (one per source, kept). */
static int aplic_msi_target(u32 src, u32 *target)
{
	u32 irq, eiid = aplic_eiid_of(src);
	u64 addr;
	int err;

	if (!eiid) {
		if (aplic_nmsi == APLIC_MAX_MSI_SOURCES)
			return -ENOSPC;
		err = arch_msi_alloc(0, &irq, &addr, &eiid);
		if (err)
			return err;
		aplic_msi[aplic_nmsi].source = (u16)src;
		aplic_msi[aplic_nmsi++].eiid = (u16)eiid;
	}
	*target = aplic_hart << APLIC_TARGET_HART_SHIFT | eiid;
	return 0;
}

int aplic_enable(u32 src, bool edge)
{
	bool low = aplic_bit(aplic_inverted, src % APLIC_MAX_SOURCES);
	u32 sm, target;
	int err;

	if (aplic_refusal)
		return -EOPNOTSUPP; /* said by aplic_setup() or aplic_init() */
	if (src == 0 || src > aplic_nsources)
		return -EINVAL;
	if (aplic_init())
		return -EOPNOTSUPP;
	if (edge)
		sm = low ? APLIC_SM_EDGE_FALL : APLIC_SM_EDGE_RISE;
	else
		sm = low ? APLIC_SM_LEVEL_LOW : APLIC_SM_LEVEL_HIGH;
	aplic_write(APLIC_CLRIENUM, src);
	aplic_write(APLIC_SOURCECFG(src), sm);
	if (aplic_read(APLIC_SOURCECFG(src)) != sm) {
		kprintf("aplic: source %u not delegated to this domain (sourcecfg reads 0x%x)\n",
			src, aplic_read(APLIC_SOURCECFG(src)));
		aplic_write(APLIC_SOURCECFG(src), APLIC_SM_INACTIVE);
		return -EINVAL;
	}
	target = aplic_hart << APLIC_TARGET_HART_SHIFT | APLIC_TARGET_PRIO;
	if (aplic_mode == DT_APLIC_MSI) {
		err = aplic_msi_target(src, &target);
		if (err) {
			kprintf("aplic: no IMSIC identity for source %u (%s)\n", src,
				errno_name(err));
			aplic_write(APLIC_SOURCECFG(src), APLIC_SM_INACTIVE);
			return -EOPNOTSUPP;
		}
	}
	aplic_set_bit(aplic_level, src, !edge);
	aplic_write(APLIC_TARGET(src), target);
	aplic_write(APLIC_SETIENUM, src);
	aplic_enabled = true;
	return 0;
}

bool aplic_active(void)
{
	return aplic_enabled && !aplic_refusal;
}

u32 aplic_claim(void)
{
	u32 src;

	if (!aplic_active() || aplic_mode != DT_APLIC_DIRECT)
		return 0;
	src = APLIC_CLAIMI_ID(aplic_read(APLIC_IDC(aplic_hart) + APLIC_CLAIMI));
	return src <= aplic_nsources ? src : 0;
}

u32 aplic_from_imsic(u32 irq)
{
	if (aplic_mode != DT_APLIC_MSI || irq <= IMSIC_IRQ_BASE)
		return irq;
	for (unsigned i = 0; i < aplic_nmsi; i++)
		if (aplic_msi[i].eiid == irq - IMSIC_IRQ_BASE)
			return aplic_msi[i].source;
	return irq;
}

void aplic_eoi(u32 src)
{
	bool high;

	/*
	 * Direct mode: the claim was the acknowledge.  MSI mode, level
	 * source: forwarded once per rising input; if the input is still
	 * asserted now that the device was quieted, send it again.
	 */
	if (aplic_mode != DT_APLIC_MSI || src == 0 || src > aplic_nsources ||
	    !aplic_bit(aplic_level, src))
		return;
	high = aplic_read(APLIC_IN_CLRIP(src / 32)) & BIT(src % 32);
	if (high)
		aplic_write(APLIC_SETIPNUM, src);
}

/* ---- selftest.aplic ------------------------------------------------- */

#define aplic_fail(what, got, want) irq_selftest_fail("aplic", what, got, want)
#define aplic_expect(what, want) irq_selftest_expect("aplic", what, want)

/*
 * The highest source, which QEMU virt wires to nothing, as a rising edge:
 * setipnum stands in for the device.  Each pending enabled edge must wake
 * arch_wait_irq() with the source number exactly once; one made pending
 * while disabled must wait until it is enabled.  The source is left
 * inactive.
 */
int aplic_selftest(void)
{
	u32 src = aplic_nsources;
	int err;

	if (aplic_refusal || !src)
		return aplic_fail("APLIC usable", 0, 1);
	err = aplic_enable(src, true);
	if (err)
		return aplic_fail("enable the highest source", (u32)-err, 0);
	kprintf("aplic selftest: source %u, %s\n", src,
		aplic_mode == DT_APLIC_MSI ? "MSI mode" : "direct mode");
	if ((err = aplic_expect("nothing pending", 0)))
		goto out;
	aplic_write(APLIC_SETIPNUM, src);
	if ((err = aplic_expect("setipnum", src)) || (err = aplic_expect("claimed", 0)))
		goto out;
	aplic_write(APLIC_CLRIENUM, src);
	aplic_write(APLIC_SETIPNUM, src);
	if ((err = aplic_expect("pending while disabled", 0)))
		goto out;
	aplic_write(APLIC_SETIENUM, src);
	if ((err = aplic_expect("enabled again", src)) || (err = aplic_expect("claimed again", 0)))
		goto out;
	kprintf("aplic selftest: ok\n");
out:
	aplic_write(APLIC_CLRIENUM, src);
	aplic_write(APLIC_SOURCECFG(src), APLIC_SM_INACTIVE);
	return err;
}
