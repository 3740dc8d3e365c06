/*
 * arch/riscv64/include/asm/io.h - MMIO accessors and DMA barriers (RISC-V).
 *
 * Semantics follow Linux (arch/riscv/include/asm/mmio.h): writeX() is
 * ordered after every earlier normal memory store (so a descriptor written
 * to RAM is visible to the device before the doorbell), readX() is ordered
 * before every later normal memory load and device read (so data a device
 * DMA'd is not read before the status register that says it is there).
 *
 * RVWMO (unprivileged spec, chapter 17 and A.3) keeps two sets apart: R/W
 * are normal memory reads and writes, I/O ("device input/output") are
 * accesses to I/O regions, whose PMAs on QEMU virt (and every platform we
 * know) give strong point-to-point ordering between accesses to the same
 * device, so MMIO accesses to one device are not reordered with each other
 * and only MMIO against RAM needs a FENCE.
 *
 * virtio devices are cache-coherent here (the DTB says dma-coherent), so
 * the ring barriers only order our RAM accesses as the device observes
 * them: plain FENCEs on R/W, no cache maintenance.
 */
#ifndef ORDO_ASM_IO_H
#define ORDO_ASM_IO_H

#include "lib/types.h"

/* Full barrier: earlier loads/stores before later loads/stores. */
static inline void dma_mb(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}
/* Earlier loads before later loads and stores (as AArch64's dmb oshld). */
static inline void dma_rmb(void)
{
	__asm__ volatile("fence r, rw" ::: "memory");
}
/* Earlier stores before later stores. */
static inline void dma_wmb(void)
{
	__asm__ volatile("fence w, w" ::: "memory");
}

/*
 * Single loads and stores of the exact width: the asm keeps the compiler
 * from splitting, merging or eliding them.  "memory" keeps them in program
 * order with the C code around them.
 */
static inline u8 raw_readb(uintptr_t a)
{
	u8 v;
	__asm__ volatile("lbu %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline u16 raw_readw(uintptr_t a)
{
	u16 v;
	__asm__ volatile("lhu %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline u32 raw_readl(uintptr_t a)
{
	u32 v;
	__asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void raw_writeb(uintptr_t a, u8 v)
{
	__asm__ volatile("sb %z0, 0(%1)" ::"rJ"(v), "r"(a) : "memory");
}

static inline void raw_writew(uintptr_t a, u16 v)
{
	__asm__ volatile("sh %z0, 0(%1)" ::"rJ"(v), "r"(a) : "memory");
}

static inline void raw_writel(uintptr_t a, u32 v)
{
	__asm__ volatile("sw %z0, 0(%1)" ::"rJ"(v), "r"(a) : "memory");
}

/*
 * After an MMIO read (Linux __io_ar): "fence i, ir" orders the device input
 * before every later memory read and device read, so nothing is read from a
 * DMA buffer before the register that announced it.
 */
static inline void io_after_read(void)
{
	__asm__ volatile("fence i, ir" ::: "memory");
}

/*
 * Before an MMIO write (Linux __io_bw): "fence w, o" orders every earlier
 * memory write before the device output, so a doorbell never overtakes the
 * ring entries it announces.
 */
static inline void io_before_write(void)
{
	__asm__ volatile("fence w, o" ::: "memory");
}

#include "arch/generic/io.h"

#endif
