/*
 * arch/aarch64/include/asm/mmu.h - the identity map: geometry and descriptors.
 *
 * The kernel runs on one flat identity map (VA == PA) translated by TTBR0_EL1
 * with 4 KiB granules and a 48-bit input range (T0SZ = 16), walk starting at
 * level 0 (Arm ARM D8.2, "Translation table walk"):
 *
 *   L0 table (512 GiB per entry)
 *     entries 0..MMU_L1_TABLES-1 -> L1 tables, the rest invalid
 *   L1 tables (1 GiB per entry), contiguous in memory, so entry i of the
 *     concatenation maps [i GiB, i+1 GiB) for i < MMU_L1_TABLES * 512:
 *     a 1 GiB block, or (after arch_map_ram() split it) an L2 table
 *   L2 tables (2 MiB blocks), taken from a small static pool
 *
 * Everything starts as Device-nGnRE execute-never; the GiB blocks holding
 * the kernel image are Normal cacheable and executable from the first
 * instruction with the MMU on.  The GiB holding the kernel stack's guard
 * page is not a block but the table mmu_l2_kernel (2 MiB blocks, same
 * attributes), whose entry for the guard's 2 MiB is the table mmu_l3_guard
 * (4 KiB pages) in which the guard page alone is invalid.  Included by both
 * .S and .c files.
 */
#ifndef ORDO_ASM_MMU_H
#define ORDO_ASM_MMU_H

#include <asm/sysreg.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (_UL(1) << PAGE_SHIFT)
#define MMU_ENTRIES 512	  /* descriptors per 4 KiB table */
#define L1_BLOCK_SHIFT 30 /* 1 GiB */
#define L2_BLOCK_SHIFT 21 /* 2 MiB */
#define L1_BLOCK_SIZE (_UL(1) << L1_BLOCK_SHIFT)
#define L2_BLOCK_SIZE (_UL(1) << L2_BLOCK_SHIFT)

/*
 * Two L1 tables map [0, 1 TiB): on QEMU virt that covers the low devices,
 * RAM from 1 GiB, the PCIe ECAM at 0x40_1000_0000 and the 512 GiB of 64-bit
 * PCI MMIO at 0x80_0000_0000.  Anything above faults (translation fault at
 * level 0).  Cortex-A53 has a 40-bit (1 TiB) physical address space anyway.
 */
#define MMU_L1_TABLES 2
#define MMU_MAP_LIMIT (_UL(MMU_L1_TABLES) << 39)

/* L2 tables available to split partially-RAM GiBs (see arch_map_ram()). */
#define MMU_L2_TABLES 8

/*
 * Stage 1 VMSAv8-64 descriptor bits (Arm ARM D8.3).  Bits [1:0]: 0b01 block,
 * 0b11 table (at L0-L2).  Block attributes: AttrIndx selects a MAIR_EL1
 * slot; AP[2:1] = 0b00 is read/write at EL1 and no access at EL0; AF must be
 * set or the first access takes an Access flag fault (we do not manage it);
 * PXN/UXN forbid instruction fetch, which stops the CPU from speculatively
 * fetching from device registers.  Device memory ignores SH (it is always
 * Outer Shareable); Normal RAM is Inner Shareable so the same attributes
 * stay correct if a second core ever shares the map.
 */
#define PTE_VALID (_UL(1) << 0)
#define PTE_TABLE (_UL(3) << 0)
#define PTE_BLOCK (_UL(1) << 0)
#define PTE_PAGE (_UL(3) << 0) /* at level 3 */
#define PTE_TYPE_MASK (_UL(3) << 0)
#define PTE_ATTRINDX(n) (_UL(n) << 2)
#define PTE_ATTRINDX_MASK (_UL(7) << 2)
#define PTE_SH_INNER (_UL(3) << 8)
#define PTE_AF (_UL(1) << 10)
#define PTE_PXN (_UL(1) << 53)
#define PTE_UXN (_UL(1) << 54)
/* Output address bits [47:12] of a table or block descriptor. */
#define PTE_ADDR_MASK _UL(0x0000fffffffff000)

/* MMIO and holes: Device-nGnRE, never executable. */
#define PTE_BLOCK_DEVICE (PTE_BLOCK | PTE_ATTRINDX(MT_DEVICE_nGnRE) | PTE_AF | PTE_PXN | PTE_UXN)
/* The kernel image's GiB: Normal write-back, executable at EL1. */
#define PTE_BLOCK_KERNEL (PTE_BLOCK | PTE_ATTRINDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_UXN)
/* A 4 KiB page of the kernel image (the guard page's 2 MiB). */
#define PTE_PAGE_KERNEL (PTE_BLOCK_KERNEL | PTE_PAGE)
/* RAM added by arch_map_ram(): Normal write-back, data only. */
#define PTE_BLOCK_RAM (PTE_BLOCK_KERNEL | PTE_PXN)

#ifndef __ASSEMBLER__
#include "lib/types.h"

/*
 * The tables, in the image's .pgtables section (page aligned, not loaded,
 * filled by mmu_early_map() in mmu.S before the MMU is turned on).
 */
extern u64 mmu_l0[MMU_ENTRIES];
extern u64 mmu_l1[MMU_L1_TABLES * MMU_ENTRIES];
extern u64 mmu_l2_pool[MMU_L2_TABLES][MMU_ENTRIES];
extern u64 mmu_l2_kernel[MMU_ENTRIES], mmu_l3_guard[MMU_ENTRIES];

#endif /* !__ASSEMBLER__ */
#endif
