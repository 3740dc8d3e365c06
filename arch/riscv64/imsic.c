/*
 * arch/riscv64/imsic.c - message-signalled interrupts through the boot
 * hart's supervisor-level IMSIC interrupt file (arch/arch.h:
 * arch_msi_alloc(), arch_msi_name()), and a self-test of it.
 *
 * "The RISC-V Advanced Interrupt Architecture" 1.0 (AIA), chapter 3: an
 * interrupt file holds one pending (eip) and one enable (eie) bit per
 * interrupt identity 1..N (N = "riscv,num-ids", 63..2047; identity 0 means
 * "none").  A 32-bit store of identity i to the file's seteipnum_le
 * register, the first word of its 4 KiB page, makes i pending: that is
 * the whole MSI, so a PCI function's message is address = the page, data
 * = i.  The hart reaches the rest of its S-level file through the Ssaia
 * CSRs (AIA 2.3, 3.8): siselect picks an indirect register and sireg
 * reads or writes it; eidelivery (0x70) = 1 lets the file interrupt the
 * hart, eithreshold (0x72) = 0 lets every identity through, eie0..eie63
 * (0xc0..0xff; on RV64 only the even ones exist, 64 identities each) and
 * eip0..eip63 (0x80..0xbf) hold the bits.  stopei (0x15c) reads the
 * highest-priority (lowest) pending and enabled identity in bits 26:16;
 * writing it claims that identity, clearing its pending bit.  While one is
 * pending and enabled the file drives sip.SEIP, which wakes plic.c's WFI.
 *
 * So: arch_msi_alloc() hands out identities 1, 2, ... up to N, each with
 * its pending bit cleared and its enable bit set; arch_wait_irq() (plic.c)
 * claims with one csrrw on stopei and returns IMSIC_IRQ_BASE + identity,
 * a number above every PLIC source, so both can coexist; the claim is the
 * end of interrupt (messages are edges), arch_irq_eoi() does nothing more.
 *
 * The file is the boot hart's entry among the per-hart files the device
 * tree's S-level "riscv,imsics" node lists (lib/dt_platform.c); setup.c
 * hands the list over before kmain().  An S-level file for this hart
 * implies the Ssaia CSRs (AIA 2.1); eidelivery is WARL and must read back
 * 1, or the file is refused.  Its page lies in mmu.c's identity map
 * (everything below 256 GiB), which the PMAs make I/O.  OpenSBI (v1.1,
 * QEMU 7.2's) delegates SEIP to S-mode and keeps only the M-level file
 * (0x24000000 on QEMU virt) to itself behind PMP.  Single hart.
 */
#include <asm/boot.h>
#include <asm/io.h>

#include "arch/arch.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/printf.h"

/* Indirect registers of an interrupt file (AIA table 3.1). */
#define IMSIC_EIDELIVERY 0x70u
#define IMSIC_EITHRESHOLD 0x72u
#define IMSIC_EIP0 0x80u
#define IMSIC_EIE0 0xc0u
/* The eip/eie register holding identity id on RV64 (even ones only). */
#define IMSIC_BITREG(base, id) ((base) + 2u * ((id) / 64u))
#define IMSIC_BIT(id) (1ull << ((id) % 64u))

/* stopei: the identity in bits 26:16 (its priority in 10:0). */
#define IMSIC_TOPEI_ID(v) (((v) >> 16) & 0x7ffu)

#define IMSIC_MAX_IDS 2047u
#define IMSIC_PAGE 4096u

static u64 imsic_file;	   /* the boot hart's S-level file, or 0 */
static u32 imsic_position; /* its entry in the node's interrupts-extended */
static u32 imsic_nids;	   /* riscv,num-ids */
static u32 imsic_next = 1; /* the next identity to hand out */
static bool imsic_ready;
/* Why the tree's IMSIC cannot be used (printed by imsic_setup()). */
static const char *imsic_refusal;

/*
 * The Ssaia CSRs by number: siselect 0x150, sireg 0x151, stopei 0x15c
 * (binutils 2.40 knows no names for them under -march=rv64imac).
 */
static void imsic_ireg_write(u32 reg, u64 v)
{
	__asm__ volatile("csrw 0x150, %0\n\tcsrw 0x151, %1" ::"r"((u64)reg), "r"(v) : "memory");
}

static u64 imsic_ireg_read(u32 reg)
{
	u64 v;

	__asm__ volatile("csrw 0x150, %1\n\tcsrr %0, 0x151" : "=r"(v) : "r"((u64)reg) : "memory");
	return v;
}

void imsic_setup(const struct dt_msi *msi)
{
	if (!msi || msi->kind != DT_MSI_IMSIC)
		return;
	for (unsigned i = 0; i < msi->nimsic; i++) {
		if (msi->imsic[i].hartid == riscv_boot_hartid) {
			imsic_file = msi->imsic[i].base;
			imsic_position = i;
		}
	}
	imsic_nids = msi->count;
	if (!imsic_file)
		imsic_refusal = "no S-level interrupt file for this hart";
	else if (imsic_file % IMSIC_PAGE || imsic_nids > IMSIC_MAX_IDS || (imsic_nids + 1) % 64 ||
		 arch_map_ram(imsic_file, IMSIC_PAGE))
		imsic_refusal = "interrupt file outside the map or malformed";
	/* Said now: arch_msi_name() is NULL, so nobody asks for an MSI. */
	if (imsic_refusal)
		kprintf("imsic: %s (hart %llu): PCI stays on INTx\n", imsic_refusal,
			(unsigned long long)riscv_boot_hartid);
}

/* Program the file once, before the first identity is enabled. */
static int imsic_init(void)
{
	if (imsic_ready)
		return 0;
	if (!imsic_file || imsic_refusal)
		return -EOPNOTSUPP;
	imsic_ireg_write(IMSIC_EIDELIVERY, 0);
	for (u32 id = 0; id <= imsic_nids; id += 64) {
		imsic_ireg_write(IMSIC_BITREG(IMSIC_EIE0, id), 0);
		imsic_ireg_write(IMSIC_BITREG(IMSIC_EIP0, id), 0);
	}
	imsic_ireg_write(IMSIC_EITHRESHOLD, 0);
	imsic_ireg_write(IMSIC_EIDELIVERY, 1);
	if (imsic_ireg_read(IMSIC_EIDELIVERY) != 1) {
		kprintf("imsic: eidelivery reads 0x%llx, not 1: PCI stays on INTx\n",
			(unsigned long long)imsic_ireg_read(IMSIC_EIDELIVERY));
		imsic_file = 0;
		return -EOPNOTSUPP;
	}
	csr_set(sie, SIE_SEIE);
	imsic_ready = true;
	return 0;
}

int arch_msi_alloc(u32 rid, u32 *irq, u64 *addr, u32 *data)
{
	u32 id, reg;

	(void)rid; /* one file for every function: no per-device table */
	if (imsic_init())
		return -EOPNOTSUPP;
	if (imsic_next > imsic_nids)
		return -ENOSPC;
	id = imsic_next++;
	/* Nothing left over from before: pending cleared, then enabled. */
	reg = IMSIC_BITREG(IMSIC_EIP0, id);
	imsic_ireg_write(reg, imsic_ireg_read(reg) & ~IMSIC_BIT(id));
	reg = IMSIC_BITREG(IMSIC_EIE0, id);
	imsic_ireg_write(reg, imsic_ireg_read(reg) | IMSIC_BIT(id));
	*irq = IMSIC_IRQ_BASE + id;
	*addr = imsic_file;
	*data = id;
	return 0;
}

const char *arch_msi_name(void)
{
	return imsic_file && !imsic_refusal ? "imsic" : NULL;
}

bool imsic_owns(u32 irq)
{
	return imsic_ready && irq > IMSIC_IRQ_BASE && irq < IMSIC_IRQ_BASE + imsic_next;
}

u32 imsic_hart_index(void)
{
	return imsic_position;
}

bool imsic_active(void)
{
	return imsic_ready;
}

u32 imsic_claim(void)
{
	u64 top;
	u32 id;

	if (!imsic_ready)
		return 0;
	__asm__ volatile("csrrw %0, 0x15c, zero" : "=r"(top)::"memory");
	id = IMSIC_TOPEI_ID(top);
	/* Only enabled identities are reported; anything else is dropped. */
	return id && id < imsic_next ? IMSIC_IRQ_BASE + id : 0;
}

/* ---- selftest.imsic ------------------------------------------------- */

#define imsic_fail(what, got, want) irq_selftest_fail("imsic", what, got, want)
#define imsic_expect(what, want) irq_selftest_expect("imsic", what, want)

/*
 * CPU stores to seteipnum_le stand in for a device's messages: each must
 * wake arch_wait_irq() with its number exactly once, lowest identity
 * first; a store of an identity not handed out must not wake it; the
 * identities run out at riscv,num-ids with -ENOSPC.
 */
int imsic_selftest(void)
{
	u32 irq[2], data[2], last_irq, last_data, n = 2, dummy32;
	u64 addr[2], last_addr, dummy64;
	int err;

	for (int i = 0; i < 2; i++) {
		err = arch_msi_alloc(0, &irq[i], &addr[i], &data[i]);
		if (err) {
			kprintf("imsic selftest: FAILED: arch_msi_alloc: %d\n", err);
			return err;
		}
	}
	kprintf("imsic selftest: %s file at 0x%llx, %u identities; irq %u data %u, irq %u data "
		"%u\n",
		arch_msi_name(), (unsigned long long)addr[0], imsic_nids, irq[0], data[0], irq[1],
		data[1]);
	/* WFI wakes for SEIP only if sie.SEIE is set (else at the deadline). */
	if (!(csr_read(sie) & SIE_SEIE))
		return imsic_fail("sie.SEIE", 0, 1);
	if ((err = imsic_expect("nothing sent", 0)))
		return err;
	writel(addr[0], data[0]);
	if ((err = imsic_expect("one message", irq[0])) || (err = imsic_expect("claimed", 0)))
		return err;
	writel(addr[1], data[1]);
	writel(addr[0], data[0]);
	if ((err = imsic_expect("two messages, lower first", irq[0])) ||
	    (err = imsic_expect("two messages, then the higher", irq[1])) ||
	    (err = imsic_expect("both claimed", 0)))
		return err;
	writel(addr[0], data[1] + 1); /* not handed out: not enabled */
	if ((err = imsic_expect("an identity not enabled", 0)))
		return err;
	do {
		last_irq = irq[1];
		last_data = data[1];
		last_addr = addr[1];
		err = arch_msi_alloc(0, &irq[1], &addr[1], &data[1]);
	} while (!err && ++n);
	if (err != -ENOSPC || n != imsic_nids)
		return imsic_fail("identities before -ENOSPC", n, imsic_nids);
	if (arch_msi_alloc(0, &dummy32, &dummy64, &dummy32) != -ENOSPC)
		return imsic_fail("alloc after -ENOSPC", 0, 1);
	/* The stale pending bit of data[1] + 1 was cleared when handed out. */
	writel(last_addr, last_data);
	if ((err = imsic_expect("the last identity", last_irq)) ||
	    (err = imsic_expect("all claimed", 0)))
		return err;
	kprintf("imsic selftest: ok (%u identities)\n", n);
	return 0;
}
