/*
 * arch/x86_64/include/asm/io.h - MMIO and port I/O accessors, DMA barriers
 * (x86-64).
 *
 * x86 memory ordering (Intel SDM vol. 3A, 9.2.2; AMD APM vol. 2, 7.2) is
 * TSO for write-back RAM: loads are not reordered with older loads, stores
 * not with older stores, nor with older loads; only a store followed by a
 * load of another location may pass it.  Uncached (UC) accesses, which is
 * what device registers are (the page tables map everything but RAM with
 * PCD|PWT, PAT entry 3, which setup.c keeps at its power-on UC), are
 * strongly ordered with
 * respect to every other access, and IN/OUT wait for every earlier store.
 * So, as in Linux's arch/x86 barrier.h:
 *   dma_rmb/dma_wmb  a compiler barrier (TSO already orders load-load and
 *                    store-store as a coherent device observes them);
 *   dma_mb           a locked instruction: the one x86 reordering, a later
 *                    load passing an earlier store, is what it stops (the
 *                    virtqueue's event-index check needs it);
 *   readX/writeX     a compiler barrier around one UC access.
 * virtio devices are cache-coherent on every x86 machine: no cache
 * maintenance anywhere.
 *
 * Port I/O: ARCH_HAS_PORT_IO tells arch/generic/io.h that ioreadX and
 * iowriteX must route addresses up to IO_SPACE_LIMIT (the 64 KiB port
 * space) to IN/OUT: an I/O BAR's CPU address is its port number here.
 */
#ifndef ORDO_ASM_IO_H
#define ORDO_ASM_IO_H

#include "lib/types.h"

static inline void dma_mb(void)
{
	__asm__ volatile("lock addl $0, -4(%%rsp)" ::: "memory", "cc");
}
static inline void dma_rmb(void)
{
	__asm__ volatile("" ::: "memory");
}
static inline void dma_wmb(void)
{
	__asm__ volatile("" ::: "memory");
}

/* One access of the exact width; the asm keeps it whole and in order. */
static inline u8 raw_readb(uintptr_t a)
{
	u8 v;
	__asm__ volatile("movb (%1), %0" : "=q"(v) : "r"(a) : "memory");
	return v;
}
static inline u16 raw_readw(uintptr_t a)
{
	u16 v;
	__asm__ volatile("movw (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline u32 raw_readl(uintptr_t a)
{
	u32 v;
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void raw_writeb(uintptr_t a, u8 v)
{
	__asm__ volatile("movb %0, (%1)" ::"q"(v), "r"(a) : "memory");
}
static inline void raw_writew(uintptr_t a, u16 v)
{
	__asm__ volatile("movw %0, (%1)" ::"r"(v), "r"(a) : "memory");
}
static inline void raw_writel(uintptr_t a, u32 v)
{
	__asm__ volatile("movl %0, (%1)" ::"r"(v), "r"(a) : "memory");
}

/* UC accesses are ordered with everything: only the compiler must wait. */
static inline void io_after_read(void)
{
	__asm__ volatile("" ::: "memory");
}
static inline void io_before_write(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Port I/O (IN and OUT wait for earlier stores; "memory" orders the C). */
#define ARCH_HAS_PORT_IO 1
#define IO_SPACE_LIMIT 0xffffu

static inline u8 raw_inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline u16 raw_inw(u16 port)
{
	u16 v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline u32 raw_inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline void raw_outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port) : "memory");
}
static inline void raw_outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port) : "memory");
}
static inline void raw_outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port) : "memory");
}

#include "arch/generic/io.h"

#endif
