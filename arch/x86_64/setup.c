/*
 * arch/x86_64/setup.c - from head.S to kmain(), the memory map, and out of
 * the machine.
 *
 * Interface: x86_boot() (asm/boot.h), called once by head.S in long mode
 * with BSS zeroed and the kernel stack set up; arch_exit(), arch_name() and
 * arch_map_ram() (arch/arch.h).
 *
 * x86_boot() loads the IDT first (until then any exception is a triple
 * fault), sets up COM1, checks the PVH start info EBX pointed at (by its
 * magic: qboot leaves the multiboot magic in EAX even on the PVH path),
 * runs platform discovery (platform.c: RAM, command line, virtio-mmio
 * devices, the PCI host), masks the 8259s and enables the local APIC
 * (apic.c), calibrates the clocks (timer.c) and calls kmain() with the
 * platform description instead of a device tree.
 *
 * Memory: head.S identity-maps [0, 4 GiB) with 2 MiB pages, writeback up to
 * the end of the image and uncached (PCD|PWT, UC with the power-on PAT we
 * load) above, so device registers are UC whatever the firmware's MTRRs
 * say; the first 2 MiB use 4 KiB pages, for the stack guard page.  arch_map_ram() turns the RAM
 * regions writeback, and maps RAM above 4 GiB with page directories from a
 * static pool: up to 64 GiB in all (more is reported and left unused).
 *
 * Exit status: QEMU's isa-debug-exit (-device isa-debug-exit,iobase=0xf4,
 * iosize=0x04) makes QEMU exit with (v << 1) | 1 for a write of v, so the
 * host only ever sees odd statuses.  The mapping, which the test runner
 * undoes (tests/run-tests.sh), is:
 *
 *   kernel status s, 0 <= s <= 127   host status 2s + 1 (0 -> 1, 1 -> 3,
 *                                     3 -> 7: a trap report)
 *   any other kernel status          host status 255 (as s = 127)
 *   even host status                 not from the kernel: QEMU itself
 *                                     failed, or was stopped (0: e.g. a
 *                                     triple fault under -no-reboot)
 *
 * Without the device the write goes nowhere: arch_exit() then says so and
 * halts with interrupts masked.
 */
#include "arch/arch.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include <asm/boot.h>
#include <asm/io.h>

/* Largest kernel status the debug-exit mapping carries (host 2s + 1). */
#define EXIT_STATUS_MAX 127

/* Page directories for RAM above 4 GiB: 60 more GiB (240 KiB of BSS). */
#define PD_POOL 60
#define GIB (1ull << 30)

/*
 * IA32_PAT at power-on (Intel SDM vol. 3A, 11.12.4): entry 3, which PCD|PWT
 * selects, is UC.  Written once so that holds whatever firmware did.
 */
#define MSR_PAT 0x277
#define PAT_POWER_ON 0x0007040600070406ull

static struct boot_info boot_info;
static struct platform x86_platform;
static u64 pd_pool[PD_POOL][512] __attribute__((aligned(4096), section(".bss.pgtable")));
static unsigned pd_pool_used;
static bool exiting;

__noreturn void x86_boot(void)
{
	const void *start_info = NULL;

	trap_init();
	wrmsr(MSR_PAT, PAT_POWER_ON);
	uart_init();
	if (x86_boot_ebx != 0 && *(const volatile u32 *)(uintptr_t)x86_boot_ebx == PVH_START_MAGIC)
		start_info = (const void *)(uintptr_t)x86_boot_ebx;
	else
		kprintf("arch: no PVH start info (EAX 0x%x, EBX 0x%x): no command line\n",
			x86_boot_eax, x86_boot_ebx);
	boot_info.cmdline = x86_platform_discover(start_info, &x86_platform);
	boot_info.platform = &x86_platform;
	apic_init();
	timer_init();
	kmain(&boot_info);
	arch_exit(0);
}

/* The page directory entry mapping `addr`, or NULL (-ENOMEM: pool empty). */
static u64 *pde_for(u64 addr, int *err)
{
	u64 gib = addr / GIB;
	u64 *pd;

	if (gib < 4)
		return &x86_pd[gib][(addr >> 21) & 511];
	if (!(x86_pdpt[gib] & PTE_P)) {
		if (pd_pool_used == PD_POOL) {
			*err = -ENOMEM;
			return NULL;
		}
		pd = pd_pool[pd_pool_used++];
		for (unsigned i = 0; i < 512; i++)
			pd[i] = (gib * GIB + (u64)i * PAGE_2M) | PTE_P | PTE_RW | PTE_PS | PTE_UC;
		x86_pdpt[gib] = (uintptr_t)pd | PTE_P | PTE_RW;
	}
	pd = (u64 *)(uintptr_t)(x86_pdpt[gib] & ~0xfffull);
	return &pd[(addr >> 21) & 511];
}

int arch_map_ram(u64 base, u64 size)
{
	u64 end = base + size, a;
	int err = 0;

	/* One PDPT, under PML4 entry 0: 512 GiB. */
	if (size == 0 || end < base || end > 512 * GIB)
		return -EINVAL;
	for (a = base & ~(u64)(PAGE_2M - 1); a < end; a += PAGE_2M) {
		u64 *pde = pde_for(a, &err);

		if (!pde)
			break;
		/* 2 MiB pages only: the 4 KiB pages of the image are writeback. */
		if (*pde & PTE_PS)
			*pde &= ~(u64)PTE_UC;
	}
	/* Reloading CR3 flushes every (non-global) translation. */
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
	return err;
}

__noreturn void arch_exit(int status)
{
	u32 v = status >= 0 && status <= EXIT_STATUS_MAX ? (u32)status : EXIT_STATUS_MAX;

	if (!exiting) {
		exiting = true;
		uart_drain();
		raw_outl(DEBUG_EXIT_PORT, v);
		/* Still here: nothing decodes the port. */
		kprintf("ordo: exit status %d, but there is no isa-debug-exit device at port "
			"0x%x (QEMU: -device isa-debug-exit,iobase=0xf4,iosize=0x04): halted\n",
			status, DEBUG_EXIT_PORT);
		uart_drain();
	}
	for (;;)
		__asm__ volatile("cli; hlt");
}

void arch_tls_set(void *tp)
{
	wrmsr(MSR_FS_BASE, (uintptr_t)tp);
}

const char *arch_name(void)
{
	static char name[48];

	snprintf(name, sizeof(name), "x86_64 %s", x86_machine_name());
	return name;
}
