/*
 * arch/riscv64/mmu.c - an identity map under Sv39, for the stack guard.
 *
 * Interface: riscv_mmu_init() (asm/boot.h), called once by head.S with BSS
 * zeroed, the data relocated, sp on the kernel stack and traps vectored to
 * the report; arch_map_ram() (arch/arch.h).
 *
 * The kernel runs in S-mode under SBI firmware, so PMP (M-mode only) is
 * not ours to program: the only way to make a page inaccessible is
 * translation.  Sv39 (privileged spec 4.4) maps virtual to physical
 * addresses through three levels of 512-entry tables; a leaf at the first
 * level maps 1 GiB, at the second 2 MiB, at the third 4 KiB.  The map is
 * the identity on the lower half of the Sv39 space, physical addresses
 * below 256 GiB (MMU_MAP_LIMIT: virtual bit 38 must be 0 for an address
 * to equal its own sign extension), in 1 GiB leaves, except:
 *   - the GiB holding the stack guard page is a table of 2 MiB leaves;
 *   - the 2 MiB holding the guard page is a table of 4 KiB leaves, in which
 *     the guard page's entry is invalid.
 * So a kernel stack overflow stores into the guard page and takes a store
 * page fault (scause 15, stval = the address); entry.S reports it from its
 * own trap stack, which lies below the guard page (linker/riscv64.ld).
 *
 * Memory types: every leaf is plain read/write/execute.  Without Svpbmt
 * (its PBMT bits stay 0) the physical memory attributes of the platform
 * decide cacheability and ordering, exactly as with satp = 0: RAM stays
 * RAM, device registers stay I/O, and nothing the map covers can turn a
 * device region into speculatively accessed memory (the PMAs forbid it).
 * Mapping addresses where nothing lives is harmless for the same reason:
 * an access there faults as it did untranslated.  All 256 GiB are mapped
 * up front, so PCI windows above 4 GiB and RAM anywhere below 256 GiB
 * need nothing more; arch_map_ram() only checks the region.
 *
 * A and D are preset in every leaf: a hart may fault instead of setting
 * them in hardware (privileged spec 4.3.1, Svade), and nothing here wants
 * to know which pages were touched.  G: the map is the same in every
 * address space (there is only one).
 *
 * Should the hart lack Sv39 (satp reads back unchanged) or the image lie
 * above 256 GiB, the kernel runs untranslated as before, without a guard.
 *
 * Cost: no instruction on any path changes; TLB misses walk up to three
 * levels (one for most of RAM).
 */
#include "arch/arch.h"
#include "lib/errno.h"
#include <asm/boot.h>
#include <asm/csr.h>

#define MMU_ENTRIES 512
#define MMU_PAGE_SIZE (1ull << 12)
#define MMU_L1_SIZE (1ull << 21) /* a second-level leaf: 2 MiB */
#define MMU_L2_SIZE (1ull << 30) /* a first-level leaf: 1 GiB */
#define MMU_MAP_LIMIT (1ull << 38)

/* Page table entry bits (privileged spec 4.3.1, figure 4.21). */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_LEAF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)

/* satp (privileged spec 4.1.11): MODE in bits 63:60, the root's PPN. */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_SV39 8ull

static u64 mmu_root[MMU_ENTRIES] __attribute__((aligned(4096)));
static u64 mmu_guard_l1[MMU_ENTRIES] __attribute__((aligned(4096)));
static u64 mmu_guard_l0[MMU_ENTRIES] __attribute__((aligned(4096)));

/* Translation is on (riscv_mmu_init() succeeded). */
static bool mmu_on;

static u64 pte_leaf(u64 pa)
{
	return (pa >> 12) << PTE_PPN_SHIFT | PTE_LEAF;
}

static u64 pte_table(const u64 *table)
{
	return ((u64)(uintptr_t)table >> 12) << PTE_PPN_SHIFT | PTE_V;
}

void riscv_mmu_init(void)
{
	u64 guard = (uintptr_t)__stack_guard;
	u64 gib = guard & ~(MMU_L2_SIZE - 1), mib2 = guard & ~(MMU_L1_SIZE - 1);
	u64 want = SATP_MODE_SV39 << SATP_MODE_SHIFT | (u64)(uintptr_t)mmu_root >> 12;

	/* The whole image (code, tables, stacks) must be in the map. */
	if ((uintptr_t)__kernel_end > MMU_MAP_LIMIT)
		return;
	for (unsigned i = 0; i < MMU_MAP_LIMIT / MMU_L2_SIZE; i++)
		mmu_root[i] = pte_leaf((u64)i * MMU_L2_SIZE);
	for (unsigned i = 0; i < MMU_ENTRIES; i++) {
		mmu_guard_l1[i] = pte_leaf(gib + (u64)i * MMU_L1_SIZE);
		mmu_guard_l0[i] = pte_leaf(mib2 + (u64)i * MMU_PAGE_SIZE);
	}
	mmu_guard_l0[(guard - mib2) / MMU_PAGE_SIZE] = 0;
	mmu_guard_l1[(mib2 - gib) / MMU_L1_SIZE] = pte_table(mmu_guard_l0);
	mmu_root[gib / MMU_L2_SIZE] = pte_table(mmu_guard_l1);

	/*
	 * We run on the identity map before and after, so the switch needs
	 * no trampoline.  sfence.vma after the write: the hart may hold
	 * translations (or Bare-mode ones) from before; it also orders the
	 * table stores above before the walks that follow (4.2.1).
	 */
	csr_write(satp, want);
	__asm__ volatile("sfence.vma" ::: "memory");
	mmu_on = csr_read(satp) == want; /* an unsupported mode is not written */
}

/*
 * Nothing to map: every address below MMU_MAP_LIMIT already is, with the
 * platform's PMAs deciding the memory type (see the top of this file).
 * Untranslated, every physical address is reachable.
 */
int arch_map_ram(u64 base, u64 size)
{
	u64 limit = mmu_on ? MMU_MAP_LIMIT : 1ull << 56; /* RV64: 56-bit PAs */

	if (size == 0 || base + size < base || base + size > limit)
		return -EINVAL;
	return 0;
}
