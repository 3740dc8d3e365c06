/*
 * arch/arch.h - what the portable layers may ask of the architecture.
 *
 * Everything above arch/ includes this header (and <asm/io.h> for register
 * access and DMA barriers), never a file of a particular architecture.  Each
 * arch/<name>/ implements it; arch/host/ implements it for the unit tests.
 */
#ifndef ORDO_ARCH_ARCH_H
#define ORDO_ARCH_ARCH_H

#include "arch/generic/insn_marker.h"
#include "lib/types.h"

/* Write one character to the boot console; '\n' becomes "\r\n". */
void arch_console_putc(char c);

/* Leave the machine (QEMU) with this exit status.  Never returns. */
__noreturn void arch_exit(int status);

/*
 * Thread-local storage, for a linked C library (kernel/libc/tls.c): make
 * `tp` the thread pointer (TPIDR_EL0, tp, the FS base).  Call it only
 * from a function that touches no thread-local variable itself: GCC
 * takes the thread pointer for a constant within a function.  The ABI's
 * layout around the pointer, for tls.c:
 *   ARCH_TLS_VARIANT 1  the block starts ARCH_TLS_TCB bytes above tp,
 *                       rounded up to the block's alignment (aarch64:
 *                       16, riscv64: 0);
 *   ARCH_TLS_VARIANT 2  the block ends at tp, and the word at tp points
 *                       to itself (x86_64).
 */
void arch_tls_set(void *tp);
#if defined(__x86_64__)
#define ARCH_TLS_VARIANT 2
#define ARCH_TLS_TCB 8
#elif defined(__aarch64__)
#define ARCH_TLS_VARIANT 1
#define ARCH_TLS_TCB 16
#else
#define ARCH_TLS_VARIANT 1
#define ARCH_TLS_TCB 0
#endif

/*
 * Cooperative context switch, for lib/sched.c.  arch_ctx_switch() pushes
 * what the ABI says a call preserves (callee-saved integer registers,
 * the frame pointer and return address, and the callee-saved FP/SIMD
 * registers and FP control/status where the port lets C use them) on the
 * current stack, stores the stack pointer in *save_sp, switches to
 * load_sp and pops the same frame from there: it "returns" into the
 * thread that saved load_sp.  arch_ctx_init() lays such a frame at the
 * top of a fresh stack (16-byte aligned `top`) so that switching to the
 * returned stack pointer calls entry(), which never returns.
 */
void arch_ctx_switch(void **save_sp, void *load_sp);
void *arch_ctx_init(void *top, void (*entry)(void));

/* Monotonic time since boot in nanoseconds, from the architected timer. */
u64 arch_time_ns(void);

/*
 * Raw cycle/instruction counter for benchmarks (exact instruction counts
 * under QEMU -icount shift=0), and its name for reports.
 */
u64 arch_cycles(void);
const char *arch_cycles_name(void);

/*
 * Optional: the CPU's own CRC-32C instruction (ARMv8 CRC32, x86 SSE4.2).
 * arch_crc32c_supported() says whether this CPU has it (asked once, at
 * first use); arch_crc32c_raw() then updates the raw, reflected register
 * over `len` bytes (no inversions: lib/crc32c.c does those).  A port
 * without one defines neither: lib/crc32c.c's weak defaults say no, and
 * its slice-by-8 tables do the work.
 */
bool arch_crc32c_supported(void);
u32 arch_crc32c_raw(u32 reg, const void *buf, size_t len);

/* Hint to the CPU that we are spinning on a device (wfe/yield/pause). */
void arch_cpu_relax(void);

/*
 * Device (bus) address of a kernel virtual address: every address handed
 * to a device goes through here (the one DMA hook; identity on every port
 * today, with no IOMMU or bounce buffer in the path).  Drivers accept
 * VIRTIO_F_ACCESS_PLATFORM on that basis.
 */
static inline phys_addr_t virt_to_phys(const void *p)
{
	return (phys_addr_t)(uintptr_t)p;
}

/* Short name of the architecture and machine, for the boot log. */
const char *arch_name(void);

struct platform;

/*
 * What the boot code hands to kmain().  Filled by arch/<arch>/ before any
 * portable code runs; every pointer stays valid for the life of the kernel
 * (the memory they point at must not be given to the allocator).
 *
 * The machine is described by `platform`, in the plain-data form
 * dt_platform_parse() produces: parsed by the arch from the device tree
 * before its first console line (so the console, interrupt controller,
 * timer and power-off are the tree's from the start), or, on machines
 * whose firmware passes no tree (x86: PVH), filled in by the arch's own
 * platform discovery.  `fdt` is the blob the boot loader passed (header
 * checked), kept out of the allocator; if the arch could not parse it,
 * platform is NULL and kmain() parses it again to report why.  At least
 * one of the two is set.
 */
struct boot_info {
	const void *fdt;		 /* device tree blob (header checked), or NULL */
	const struct platform *platform; /* the machine, or NULL (see above) */
	const char *cmdline;		 /* NULL: use the platform's bootargs */
};

/*
 * The kernel proper (kernel/main.c).  Called once, on the boot CPU, with
 * the MMU, caches and FP/SIMD on, BSS zeroed, interrupts masked and every
 * exception vectored to a report that exits with status 3.  If it returns,
 * the arch layer calls arch_exit(0).
 */
void kmain(const struct boot_info *bi);

/*
 * Make [base, base+size) usable as RAM: Normal cacheable memory in the
 * identity map (everything the boot code did not map as RAM is Device).
 * kmain() calls it for every /memory region of the device tree before
 * handing the region to the allocator; calling it again for RAM already
 * mapped is harmless.  The granularity is architecture specific (aarch64:
 * 2 MiB, the region is rounded outwards).  Boot-time only: not safe while
 * another CPU or a device's DMA uses the region.
 * Returns 0; -EINVAL if the region is empty, wraps, or lies outside what
 * the architecture can map; -ENOMEM if the page table pool is exhausted
 * (part of the region may then be mapped: do not use it).
 */
int arch_map_ram(u64 base, u64 size);

/*
 * First byte after the kernel image (its code, data, BSS, page tables and
 * stacks), page aligned; every arch's linker script defines it.  Free RAM
 * for the allocator starts here (within the RAM region holding the image).
 */
extern char __kernel_end[];

/*
 * Interrupts as wake-ups.  No interrupt handler ever runs driver code
 * (PSTATE.I / sstatus.SIE / RFLAGS.IF keep them masked, so nothing can
 * re-enter a driver): a driver that finds nothing to do sleeps in
 * arch_wait_irq() until one of the interrupt lines it enabled is pending,
 * acknowledges its device and polls again.  (x86's HLT only wakes for an
 * interrupt the CPU takes, so there the port unmasks for the one
 * instruction "sti; hlt" and its handler only records the vector.)  Ports without an interrupt controller return
 * -EOPNOTSUPP from arch_irq_enable() and drivers keep polling.
 */

struct dt_intc;

/*
 * The interrupt controller the platform description names (its kind and
 * register regions, lib/dt_platform.h; kind DT_INTC_NONE: the port's
 * default).  kmain() calls it once, before any other arch_irq_* function;
 * the port records it and touches no register yet.  A controller the port
 * cannot drive makes arch_irq_enable() fail with -EOPNOTSUPP later.
 */
void arch_irq_setup(const struct dt_intc *intc);

/*
 * The interrupt number of a device-tree interrupt specifier for the
 * platform's interrupt controller (GIC: <type number flags>), and whether
 * it is edge triggered.  Returns the number (> 0) or -EINVAL.
 */
int arch_irq_from_dt(const u32 *cells, unsigned ncells, bool *edge);

/* Let interrupt `irq` wake arch_wait_irq().  0, -EINVAL or -EOPNOTSUPP. */
int arch_irq_enable(u32 irq, bool edge);

/*
 * Sleep until an enabled interrupt is pending or `timeout_ns` passed.
 * Returns the interrupt taken (acknowledged at the controller: call
 * arch_irq_eoi() once the device is quiet, so a level-triggered line does
 * not fire again at once), or 0 on timeout.
 */
u32 arch_wait_irq(u64 timeout_ns);
void arch_irq_eoi(u32 irq);

/*
 * Message-signalled interrupts (optional: PCI MSI-X).  Reserve one
 * interrupt that the PCI function with requester ID `rid` (bus << 8 |
 * devfn) raises by writing the 32-bit *data to bus address *addr.  It is
 * edge triggered and already enabled: arch_wait_irq() returns its number
 * *irq (in the same space as the lines, never 0) and arch_irq_eoi() ends
 * it.  Returns 0, -EOPNOTSUPP when the platform has no MSI controller this
 * port drives (the device stays on INTx), or -ENOSPC when none is left.
 * Nothing is ever freed: a device reset keeps its messages.
 */
int arch_msi_alloc(u32 rid, u32 *irq, u64 *addr, u32 *data);

/* The MSI controller for boot lines ("gicv2m", "its", "lapic", "imsic"),
 * or NULL when arch_msi_alloc() would fail with -EOPNOTSUPP. */
const char *arch_msi_name(void);

#endif
