/*
 * arch/riscv64/timer.c - time and cycle counters.
 *
 * Interface: arch_time_ns(), arch_cycles(), arch_cycles_name() and
 * arch_cpu_relax() (arch/arch.h); timer_init() and timer_ns_to_ticks()
 * (asm/boot.h).
 *
 * Time comes from the `time` CSR (rdtime, unprivileged spec chapter 10,
 * "Zicntr"), which counts at the platform's timebase frequency: the
 * "timebase-frequency" of the DTB's /cpus node (Devicetree bindings
 * riscv/cpus.yaml), 10 MHz on QEMU virt.  timer_init() reads it from the
 * tree and keeps QEMU's 10 MHz if the tree has none.  Reading `time` from
 * S-mode needs mcounteren.TM, which OpenSBI sets; QEMU then answers it
 * directly from the ACLINT's mtime without trapping.
 *
 * Cycles come from `instret` (retired instructions), which QEMU makes exact
 * and repeatable under -icount shift=0; without -icount QEMU derives both
 * `cycle` and `instret` from the host clock.  OpenSBI leaves both counting
 * (mcountinhibit.CY/IR clear) and readable (mcounteren.CY/IR set).
 *
 * Single hart; timer_freq is written once by timer_init() before kmain().
 */
#include "arch/arch.h"
#include "lib/fdt.h"
#include <asm/boot.h>

#define NSEC_PER_SEC 1000000000ull

/* QEMU virt's timebase (hw/riscv/virt.c: RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ). */
#define TIMER_DEFAULT_FREQ 10000000ull

/* Sanity bounds for a DTB value: 1 kHz .. 4 GHz. */
#define TIMER_MIN_FREQ 1000ull
#define TIMER_MAX_FREQ 4000000000ull

static u64 timer_freq = TIMER_DEFAULT_FREQ;

/* "timebase-frequency" (<u32> or <u64>) of the node at path, or 0. */
static u64 timer_dt_freq(const struct fdt *fdt, const char *path)
{
	int node = fdt_path_offset(fdt, path);
	const void *p;
	u64 freq;
	u32 len;

	if (node < 0)
		return 0;
	p = fdt_getprop(fdt, node, "timebase-frequency", &len);
	if (!p || (len != 4 && len != 8) || fdt_read_cells(p, len / 4, &freq))
		return 0;
	return freq;
}

void timer_init(const void *blob, size_t size)
{
	struct fdt fdt;
	u64 freq;

	if (!blob || fdt_init(&fdt, blob, size) || fdt_check(&fdt))
		return;
	/* The binding puts it in /cpus; some trees have it per cpu node. */
	freq = timer_dt_freq(&fdt, "/cpus");
	if (!freq)
		freq = timer_dt_freq(&fdt, "/cpus/cpu");
	if (freq >= TIMER_MIN_FREQ && freq <= TIMER_MAX_FREQ)
		timer_freq = freq;
}

/*
 * rdtime is not ordered against earlier instructions by anything; the
 * "memory" clobber at least keeps the compiler from moving it across the
 * code being timed, which under QEMU (in-order TCG) is all that matters.
 */
static inline u64 timer_read(void)
{
	u64 t;

	__asm__ volatile("rdtime %0" : "=r"(t)::"memory");
	return t;
}

u64 timer_now(void)
{
	return timer_read();
}

u64 timer_ns_to_ticks(u64 ns)
{
	/* As arch_time_ns(), split so the products cannot overflow. */
	return ns / NSEC_PER_SEC * timer_freq + ns % NSEC_PER_SEC * timer_freq / NSEC_PER_SEC;
}

u64 arch_time_ns(void)
{
	u64 t = timer_read();

	/*
	 * t * 1e9 would overflow after 2^64 / 1e9 ticks (~30 minutes at
	 * 10 MHz), so split: whole seconds, then the remainder, which is
	 * below freq <= 2^32 and so times 1e9 < 2^62 fits.
	 */
	return t / timer_freq * NSEC_PER_SEC + t % timer_freq * NSEC_PER_SEC / timer_freq;
}

u64 arch_cycles(void)
{
	u64 n;

	__asm__ volatile("rdinstret %0" : "=r"(n)::"memory");
	return n;
}

const char *arch_cycles_name(void)
{
	return "instret";
}

void arch_cpu_relax(void)
{
	/*
	 * Zihintpause "pause", encoded as the FENCE hint it is (pred = W,
	 * succ = 0) so the assembler need not know the extension: a no-op
	 * on harts without it; QEMU 7.2 has it and ends the translation
	 * block there, letting other vCPUs and the device threads run.
	 */
	__asm__ volatile(".4byte 0x0100000f" ::: "memory");
}
