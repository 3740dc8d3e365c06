/*
 * arch/aarch64/include/asm/io.h - MMIO accessors and DMA barriers (AArch64).
 *
 * Semantics follow Linux: writeX() is ordered after every earlier normal
 * memory store (so a descriptor written to RAM is visible to the device
 * before the doorbell), readX() is ordered before every later normal memory
 * load (so data a device DMA'd is not read before the status register that
 * says it is there).  Device memory is mapped nGnRE by the MMU set-up, so
 * accesses to one device are not reordered with each other.
 *
 * virtio devices are cache-coherent on every machine we run on, so the ring
 * barriers are the outer-shareable DMB variants: they order our accesses to
 * shared memory as observed by the device, and cost no cache maintenance.
 */
#ifndef ORDO_ASM_IO_H
#define ORDO_ASM_IO_H

#include "lib/types.h"

/* Full barrier: earlier loads/stores before later loads/stores. */
static inline void dma_mb(void)
{
	__asm__ volatile("dmb osh" ::: "memory");
}
/* Earlier loads before later loads and stores. */
static inline void dma_rmb(void)
{
	__asm__ volatile("dmb oshld" ::: "memory");
}
/* Earlier stores before later stores. */
static inline void dma_wmb(void)
{
	__asm__ volatile("dmb oshst" ::: "memory");
}

static inline u8 raw_readb(uintptr_t a)
{
	u8 v;
	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline u16 raw_readw(uintptr_t a)
{
	u16 v;
	__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline u32 raw_readl(uintptr_t a)
{
	u32 v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void raw_writeb(uintptr_t a, u8 v)
{
	__asm__ volatile("strb %w0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}

static inline void raw_writew(uintptr_t a, u16 v)
{
	__asm__ volatile("strh %w0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}

static inline void raw_writel(uintptr_t a, u32 v)
{
	__asm__ volatile("str %w0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}

/*
 * Ordering hooks for arch/generic/io.h: a read is followed by a load
 * barrier, a write preceded by a store barrier (as Linux's __iormb/__iowmb).
 */
static inline void io_after_read(void)
{
	dma_rmb();
}
static inline void io_before_write(void)
{
	dma_wmb();
}

#include "arch/generic/io.h"

#endif
