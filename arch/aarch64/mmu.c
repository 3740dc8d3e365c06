/*
 * arch/aarch64/mmu.c - turn RAM regions of the identity map Normal.
 *
 * Interface: arch_map_ram() (arch/arch.h).  The map itself is built by
 * mmu.S before the MMU is on; its shape is in <asm/mmu.h>.
 *
 * Granularity: an L1 entry maps 1 GiB.  A region that covers a whole GiB
 * turns that block Normal; a region that covers part of a GiB splits the
 * block into an L2 table of 2 MiB blocks (from a static pool of
 * MMU_L2_TABLES) and turns the covered 2 MiB blocks Normal.  Regions are
 * rounded outwards to 2 MiB: RAM banks are 2 MiB aligned on every machine
 * we know, and on QEMU virt nothing but RAM lives above 1 GiB, so rounding
 * never makes a device register cacheable (which would let the CPU
 * speculatively read it).  The GiB of the kernel image is Normal from boot
 * (including its non-RAM remainder if RAM is smaller: harmless on virt,
 * where that range is unused), so calls for it change nothing; in the GiB
 * of the stack guard mmu.S built an L2 table itself, whose L3 table entry
 * (the guard's 2 MiB) is left alone.
 *
 * Updates follow break-before-make (Arm ARM D8.14.1): changing a live
 * entry's memory type or block size needs the old entry invalidated and
 * its TLB entries gone before the new one is written, or two translations
 * with different attributes could coexist in the TLB.  The entries we
 * rewrite map Device memory nobody is accessing during boot, so the
 * "break" window is not observable.  The walker reads tables through the
 * cache (TCR_EL1.IRGN0/ORGN0 = WBWA, SH0 = Inner Shareable), so a DSB is
 * all it takes for it to see a store; no cache maintenance.
 *
 * Concurrency: boot CPU only, before any device does DMA.
 */
#include "arch/arch.h"
#include "lib/errno.h"
#include <asm/mmu.h>

_Static_assert(MMU_MAP_LIMIT == (u64)MMU_L1_TABLES * MMU_ENTRIES * L1_BLOCK_SIZE,
	       "MMU_MAP_LIMIT must match the number of L1 tables");

static unsigned mmu_l2_used; /* tables of mmu_l2_pool handed out */

static bool pte_is_normal(u64 pte)
{
	return (pte & PTE_VALID) && (pte & PTE_ATTRINDX_MASK) == PTE_ATTRINDX(MT_NORMAL);
}

/*
 * An L2 entry that already maps RAM: a Normal block, or the L3 table of the
 * stack guard's 2 MiB (mmu.S; kernel pages and the guard), never replaced.
 */
static bool l2e_is_mapped(u64 l2e)
{
	return (l2e & PTE_TYPE_MASK) == PTE_TABLE || pte_is_normal(l2e);
}

/*
 * The middle of break-before-make: the invalid entries written by the
 * caller reach the walker (dsb ishst orders the stores before the TLBI),
 * every EL1 translation is dropped on all CPUs of the Inner Shareable
 * domain (invalidating by VA would have to name every 4 KiB of a block; at
 * boot the cost of "all" is irrelevant), and the TLBI completes (dsb ish)
 * before the caller writes the new entries.
 */
static void mmu_tlb_flush_all(void)
{
	__asm__ volatile("dsb ishst\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::: "memory");
}

/*
 * The end of break-before-make: the new entries reach the walker before any
 * later access (dsb ishst), and the isb makes the instructions that follow
 * translate through them rather than anything fetched earlier.
 */
static void mmu_publish(void)
{
	__asm__ volatile("dsb ishst\n\tisb" ::: "memory");
}

/*
 * Replace the Device block *l1e (mapping the GiB at gib_base) by an L2
 * table of Device 2 MiB blocks: the same translation, finer grained.
 */
static int mmu_split_l1(u64 *l1e, u64 gib_base)
{
	u64 *l2;

	if (mmu_l2_used == MMU_L2_TABLES)
		return -ENOMEM;
	l2 = mmu_l2_pool[mmu_l2_used++];
	for (unsigned i = 0; i < MMU_ENTRIES; i++)
		l2[i] = PTE_BLOCK_DEVICE | (gib_base + (u64)i * L2_BLOCK_SIZE);
	/* The table's contents are published by the first dsb below. */
	WRITE_ONCE(*l1e, 0);
	mmu_tlb_flush_all();
	WRITE_ONCE(*l1e, virt_to_phys(l2) | PTE_TABLE);
	mmu_publish();
	return 0;
}

/* Make [start, end) Normal; both 2 MiB aligned, inside the GiB gib_base. */
static int mmu_map_ram_gib(u64 gib_base, u64 start, u64 end)
{
	u64 *l1e = &mmu_l1[gib_base >> L1_BLOCK_SHIFT];
	u64 desc = READ_ONCE(*l1e);
	u64 *l2;
	bool changed = false;
	int err;

	if ((desc & PTE_TYPE_MASK) == PTE_BLOCK) {
		if (pte_is_normal(desc))
			return 0; /* the kernel's GiB, or mapped before */
		if (start == gib_base && end == gib_base + L1_BLOCK_SIZE) {
			WRITE_ONCE(*l1e, 0);
			mmu_tlb_flush_all();
			WRITE_ONCE(*l1e, PTE_BLOCK_RAM | gib_base);
			mmu_publish();
			return 0;
		}
		err = mmu_split_l1(l1e, gib_base);
		if (err)
			return err;
		desc = READ_ONCE(*l1e);
	}

	/* An L2 table: break every covered Device block, flush once, make. */
	l2 = (u64 *)(uintptr_t)(desc & PTE_ADDR_MASK);
	for (u64 a = start; a < end; a += L2_BLOCK_SIZE) {
		u64 *l2e = &l2[(a >> L2_BLOCK_SHIFT) % MMU_ENTRIES];

		if (!l2e_is_mapped(*l2e)) {
			WRITE_ONCE(*l2e, 0);
			changed = true;
		}
	}
	if (!changed)
		return 0;
	mmu_tlb_flush_all();
	for (u64 a = start; a < end; a += L2_BLOCK_SIZE) {
		u64 *l2e = &l2[(a >> L2_BLOCK_SHIFT) % MMU_ENTRIES];

		if (*l2e == 0)
			WRITE_ONCE(*l2e, PTE_BLOCK_RAM | a);
	}
	mmu_publish();
	return 0;
}

int arch_map_ram(u64 base, u64 size)
{
	u64 start, end;

	if (size == 0 || base + size < base || base + size > MMU_MAP_LIMIT)
		return -EINVAL;
	start = base & ~(L2_BLOCK_SIZE - 1);
	end = ALIGN_UP(base + size, L2_BLOCK_SIZE); /* <= MMU_MAP_LIMIT */

	while (start < end) {
		u64 gib_base = start & ~(L1_BLOCK_SIZE - 1);
		u64 chunk_end = MIN(end, gib_base + L1_BLOCK_SIZE);
		int err = mmu_map_ram_gib(gib_base, start, chunk_end);

		if (err)
			return err;
		start = chunk_end;
	}
	return 0;
}
