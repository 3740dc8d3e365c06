/*
 * arch/generic/io.h - readX()/writeX() built from an architecture's parts.
 *
 * Included at the end of arch/<arch>/include/asm/io.h, which first defines
 * raw_read{b,w,l}/raw_write{b,w,l} (one access, no ordering) and the two
 * ordering hooks:
 *   io_after_read()   orders a register read before every later normal
 *                     memory load (data a device DMA'd is not read before
 *                     the status that says it is there);
 *   io_before_write() orders every earlier normal memory store before a
 *                     register write (a doorbell never overtakes the ring
 *                     entries it announces).
 * These are Linux's readl/writel semantics.  Device registers are
 * little-endian and so are all supported CPUs: no byte swap.  ioreadX and
 * iowriteX (port or memory) come from arch/generic/iomap.h.
 */
#ifndef ORDO_ARCH_GENERIC_IO_H
#define ORDO_ARCH_GENERIC_IO_H

static inline u8 readb(uintptr_t a)
{
	u8 v = raw_readb(a);
	io_after_read();
	return v;
}
static inline u16 readw(uintptr_t a)
{
	u16 v = raw_readw(a);
	io_after_read();
	return v;
}
static inline u32 readl(uintptr_t a)
{
	u32 v = raw_readl(a);
	io_after_read();
	return v;
}
static inline void writeb(uintptr_t a, u8 v)
{
	io_before_write();
	raw_writeb(a, v);
}
static inline void writew(uintptr_t a, u16 v)
{
	io_before_write();
	raw_writew(a, v);
}
static inline void writel(uintptr_t a, u32 v)
{
	io_before_write();
	raw_writel(a, v);
}

#include "arch/generic/iomap.h"

#endif
