/*
 * arch/generic/iomap.h - ioreadX()/iowriteX(), Linux's iomap interface:
 * one address names a register in PCI I/O space or in memory space (the
 * CPU address the PCI layer gives a BAR).
 *
 * Where the host bridge maps I/O space into the memory map (aarch64,
 * riscv64), or in the host tests' fake, that is an ordinary MMIO address
 * and these are readX/writeX.  An arch with port I/O instructions (x86)
 * defines ARCH_HAS_PORT_IO, its raw_in{b,w,l}/raw_out{b,w,l} and
 * IO_SPACE_LIMIT before including this: there an I/O BAR's CPU address is
 * its port number, and every address up to IO_SPACE_LIMIT is a port (no
 * device register is memory mapped that low).  Drivers use ioreadX for
 * registers that may live in an I/O BAR (legacy virtio-pci), readX for
 * memory BARs.
 *
 * Included at the end of an <asm/io.h>, after readX/writeX.
 */
#ifndef ORDO_ARCH_GENERIC_IOMAP_H
#define ORDO_ARCH_GENERIC_IOMAP_H

#ifdef ARCH_HAS_PORT_IO
static inline bool io_is_port(uintptr_t a)
{
	return a <= IO_SPACE_LIMIT;
}
static inline u8 ioread8(uintptr_t a)
{
	return io_is_port(a) ? raw_inb((u16)a) : readb(a);
}
static inline u16 ioread16(uintptr_t a)
{
	return io_is_port(a) ? raw_inw((u16)a) : readw(a);
}
static inline u32 ioread32(uintptr_t a)
{
	return io_is_port(a) ? raw_inl((u16)a) : readl(a);
}
static inline void iowrite8(uintptr_t a, u8 v)
{
	if (io_is_port(a))
		raw_outb((u16)a, v);
	else
		writeb(a, v);
}
static inline void iowrite16(uintptr_t a, u16 v)
{
	if (io_is_port(a))
		raw_outw((u16)a, v);
	else
		writew(a, v);
}
static inline void iowrite32(uintptr_t a, u32 v)
{
	if (io_is_port(a))
		raw_outl((u16)a, v);
	else
		writel(a, v);
}
#else
static inline u8 ioread8(uintptr_t a)
{
	return readb(a);
}
static inline u16 ioread16(uintptr_t a)
{
	return readw(a);
}
static inline u32 ioread32(uintptr_t a)
{
	return readl(a);
}
static inline void iowrite8(uintptr_t a, u8 v)
{
	writeb(a, v);
}
static inline void iowrite16(uintptr_t a, u16 v)
{
	writew(a, v);
}
static inline void iowrite32(uintptr_t a, u32 v)
{
	writel(a, v);
}
#endif

#endif
