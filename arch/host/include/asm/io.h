/*
 * arch/host/include/asm/io.h - accessors for host unit tests.
 *
 * Register accesses are routed to a fake device model installed by the test
 * (host_io_ops); the DMA barriers are real fences so the ring code is built
 * with the same ordering it has on the target.
 */
#ifndef ORDO_ASM_IO_H
#define ORDO_ASM_IO_H

#include "lib/types.h"

struct host_io_ops {
	u32 (*read)(void *ctx, uintptr_t addr, unsigned width);
	void (*write)(void *ctx, uintptr_t addr, u32 val, unsigned width);
	void *ctx;
};

/* The fake that answers register accesses; NULL reads as 0xff.. */
extern struct host_io_ops host_io;

u32 host_io_read(uintptr_t a, unsigned width);
void host_io_write(uintptr_t a, u32 v, unsigned width);

static inline void dma_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
static inline void dma_rmb(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}
static inline void dma_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline u8 readb(uintptr_t a)
{
	return (u8)host_io_read(a, 1);
}
static inline u16 readw(uintptr_t a)
{
	return (u16)host_io_read(a, 2);
}
static inline u32 readl(uintptr_t a)
{
	return host_io_read(a, 4);
}
static inline void writeb(uintptr_t a, u8 v)
{
	host_io_write(a, v, 1);
}
static inline void writew(uintptr_t a, u16 v)
{
	host_io_write(a, v, 2);
}
static inline void writel(uintptr_t a, u32 v)
{
	host_io_write(a, v, 4);
}

/* ioreadX/iowriteX: the fake decides what an address is (one space here). */
#include "arch/generic/iomap.h"

#endif
