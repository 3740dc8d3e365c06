/*
 * arch/aarch64/mmu.S - build the boot identity map and turn the MMU on.
 *
 * Runs with the MMU off (every data access is Device-nGnRnE, uncached), so
 * it is assembly: no stack, aligned 8-byte stores only.  The map it builds
 * is described in <asm/mmu.h>: L0 -> MMU_L1_TABLES L1 tables of 1 GiB
 * blocks over [0, 1 TiB), all Device-nGnRE execute-never except the GiB(s)
 * holding the kernel image, which are Normal write-back and executable;
 * the GiB of the kernel stack's guard page is split down to 4 KiB pages so
 * that page alone can stay unmapped.
 * The DTB QEMU passes (64 or 128 MiB into RAM) is in that same GiB; other
 * RAM is added later by arch_map_ram() (mmu.c) with the MMU on.
 *
 * Cache hygiene (as Linux's head.S): the tables are written with the MMU
 * off, i.e. straight to memory, but the walker will read them through the
 * cache once the MMU is on (TCR says the walks are cacheable).  A line for
 * that memory left in the cache by the boot loader, dirty or clean, could
 * then shadow what we wrote.  So: invalidate the range before writing (no
 * dirty line can be evicted on top of our stores) and again after (no line
 * speculatively fetched in between survives).
 */
#include <asm/mmu.h>

/* The translation tables, page aligned, not part of the loaded file. */
	.section .pgtables, "aw", %nobits
	.balign	PAGE_SIZE
	.globl	mmu_l0, mmu_l1, mmu_l2_kernel, mmu_l3_guard, mmu_l2_pool
mmu_l0:
	.skip	PAGE_SIZE
mmu_l1:
	.skip	PAGE_SIZE * MMU_L1_TABLES
mmu_l2_kernel:				/* the guard's GiB, 2 MiB blocks */
	.skip	PAGE_SIZE
mmu_l3_guard:				/* the guard's 2 MiB, 4 KiB pages */
	.skip	PAGE_SIZE
mmu_l2_pool:
	.skip	PAGE_SIZE * MMU_L2_TABLES

	.text

/*
 * dcache_inval_range(x0 = start, x1 = end): invalidate the data cache lines
 * covering [start, end) to the Point of Coherency.  Clobbers x0, x2, x3.
 */
dcache_inval_range:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* CTR_EL0.DminLine: log2(words) */
	mov	x2, #4
	lsl	x2, x2, x3		/* smallest D-cache line in bytes */
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	sy			/* invalidation complete before we go on */
	ret

/*
 * mmu_early_map(): fill mmu_l0, mmu_l1, mmu_l2_kernel and mmu_l3_guard
 * (every entry is written, so the NOLOAD section needs no zeroing).  All
 * addresses are the run-time ones (adrp), wherever the image was loaded.
 * No stack; clobbers x0-x7, x10.
 */
	.globl	mmu_early_map
mmu_early_map:
	mov	x10, x30
	adrp	x0, mmu_l0
	adrp	x1, mmu_l2_pool		/* end of L0, L1, L2 and L3 above */
	bl	dcache_inval_range

	/* L0: the first MMU_L1_TABLES entries point at the L1 tables. */
	adrp	x0, mmu_l0
	adrp	x1, mmu_l1
	mov	x2, #0
1:	mov	x3, #0			/* invalid */
	cmp	x2, #MMU_L1_TABLES
	b.hs	11f
	add	x3, x1, x2, lsl #PAGE_SHIFT
	orr	x3, x3, #PTE_TABLE
11:	str	x3, [x0, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #MMU_ENTRIES
	b.lo	1b

	/* L1: entry i (over the concatenated tables) = Device block at i GiB. */
	adrp	x0, mmu_l1
	ldr	x4, =PTE_BLOCK_DEVICE
	mov	x2, #0
2:	orr	x3, x4, x2, lsl #L1_BLOCK_SHIFT
	str	x3, [x0, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #(MMU_L1_TABLES * MMU_ENTRIES)
	b.lo	2b

	/* The GiBs from __kernel_start to __kernel_end - 1: Normal, exec. */
	ldr	x4, =PTE_BLOCK_KERNEL
	adrp	x5, __kernel_start
	lsr	x5, x5, #L1_BLOCK_SHIFT
	adrp	x6, __kernel_end
	sub	x6, x6, #1
	lsr	x6, x6, #L1_BLOCK_SHIFT
3:	orr	x3, x4, x5, lsl #L1_BLOCK_SHIFT
	str	x3, [x0, x5, lsl #3]
	add	x5, x5, #1
	cmp	x5, x6
	b.ls	3b

	/*
	 * The stack guard page (x5): its 2 MiB become mmu_l3_guard, kernel
	 * pages except the guard itself (invalid), ...
	 */
	adrp	x5, __stack_guard
	and	x7, x5, #~(L2_BLOCK_SIZE - 1)
	adrp	x1, mmu_l3_guard
	ldr	x4, =PTE_PAGE_KERNEL
	mov	x2, #0
4:	add	x3, x7, x2, lsl #PAGE_SHIFT
	cmp	x3, x5
	orr	x3, x3, x4
	csel	x3, xzr, x3, eq		/* the guard page: invalid */
	str	x3, [x1, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #MMU_ENTRIES
	b.lo	4b

	/* ... its GiB becomes mmu_l2_kernel, kernel 2 MiB blocks, ... */
	and	x7, x5, #~(L1_BLOCK_SIZE - 1)
	adrp	x1, mmu_l2_kernel
	ldr	x4, =PTE_BLOCK_KERNEL
	mov	x2, #0
5:	add	x3, x7, x2, lsl #L2_BLOCK_SHIFT
	orr	x3, x3, x4
	str	x3, [x1, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #MMU_ENTRIES
	b.lo	5b

	/* ... but for the guard's 2 MiB, which point at mmu_l3_guard. */
	adrp	x3, mmu_l3_guard
	orr	x3, x3, #PTE_TABLE
	ubfx	x2, x5, #L2_BLOCK_SHIFT, #9
	str	x3, [x1, x2, lsl #3]
	adrp	x3, mmu_l2_kernel
	orr	x3, x3, #PTE_TABLE
	lsr	x2, x5, #L1_BLOCK_SHIFT
	str	x3, [x0, x2, lsl #3]	/* x0 = mmu_l1 */

	/*
	 * Complete the table stores before invalidating again, so the
	 * invalidation cannot be ordered ahead of them.
	 */
	dsb	sy
	adrp	x0, mmu_l0
	adrp	x1, mmu_l2_pool
	bl	dcache_inval_range
	mov	x30, x10
	ret

/*
 * mmu_enable(): program MAIR/TCR/TTBR0 for the map above and turn on the
 * MMU, D-cache and I-cache.  The map is an identity map, so the instruction
 * after the SCTLR write is fetched from the same address, now translated.
 * Clobbers x0-x2.
 */
	.globl	mmu_enable
mmu_enable:
	ldr	x0, =MAIR_EL1_VALUE
	msr	mair_el1, x0

	/*
	 * TCR_EL1.IPS = the CPU's physical address size (PARange), capped at
	 * 48 bits: 52-bit output needs FEAT_LPA2 and TCR.DS with 4 KiB pages.
	 * PARange and IPS use the same encoding.
	 */
	ldr	x0, =TCR_EL1_VALUE
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #ID_AA64MMFR0_PARANGE_MASK
	mov	x2, #ID_AA64MMFR0_PARANGE_48
	cmp	x1, x2
	csel	x1, x1, x2, ls
	bfi	x0, x1, #TCR_IPS_SHIFT, #3
	msr	tcr_el1, x0

	adrp	x0, mmu_l0		/* ASID 0, CnP 0 */
	msr	ttbr0_el1, x0

	/*
	 * Drop any TLB entry a boot loader's translation regime left behind
	 * (local, non-shareable: nobody else runs yet), wait for it, and make
	 * the MAIR/TCR/TTBR writes visible before the MMU is switched on.
	 */
	tlbi	vmalle1
	dsb	nsh
	isb

	ldr	x0, =(SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA)
	msr	sctlr_el1, x0
	isb				/* later instructions run translated */

	/*
	 * Discard instructions the I-cache may have fetched from memory
	 * before it was enabled (booting.rst only promises none for the
	 * image itself); then resynchronise the pipeline.
	 */
	ic	iallu
	dsb	nsh
	isb
	ret

	.ltorg
