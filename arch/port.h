/*
 * arch/port.h - everything ordo's portable stack needs from the system it
 * runs on, in one place.
 *
 * The portable stack is lib/, drivers/ (virtio transports and rings,
 * virtio-blk, PCI), kernel/block/ (the block layer) and kernel/fs/ (ordofs
 * and its journal).  Those files include this header for everything below
 * and nothing else of arch/ (tools/check-layering.sh enforces it).  To host
 * the stack in another OS or program, provide what this header lists; the
 * README's "Using ordo's stack in your OS" walks through it, and
 * docs/porting.md says which layer uses which hook.
 *
 * Implementations: arch/aarch64, arch/riscv64 and arch/x86_64 for the ordo
 * kernel; arch/host for the unit tests and tools/ordofs (a Linux process,
 * the worked example of hosting the stack elsewhere).
 *
 * What each item must guarantee
 * -----------------------------
 * Register access, <asm/io.h> (per architecture):
 *   readb/w/l/q(addr), writeb/w/l/q(addr, v)
 *	little-endian device registers at a CPU address the port has mapped
 *	as device memory (uncached, no merging, no speculation).  A write is
 *	ordered after every earlier store to normal memory (a ring update is
 *	visible to the device before the doorbell), a read before every later
 *	load from normal memory (Linux's readX/writeX semantics).
 *   raw_readX/raw_writeX
 *	the same access without those memory orderings (console, polling).
 *   ioreadX/iowriteX, with ARCH_HAS_PORT_IO
 *	only where legacy virtio-pci I/O BARs must be reached (x86 port I/O).
 * Barriers for memory shared with a device, <asm/io.h>:
 *   dma_mb(), dma_rmb(), dma_wmb()
 *	order the CPU's accesses to coherent DMA memory as the device sees
 *	them: full, load-load, store-store.  The rings depend on them alone.
 * DMA addresses, arch/arch.h:
 *   virt_to_phys(p)
 *	the bus address the device must use for p.  Every address handed to
 *	a device goes through it (and only it): an OS with an IOMMU or bounce
 *	buffers plugs in here.  The memory must be coherent with the device;
 *	the stack never does cache maintenance.
 * Memory, lib/boot_alloc.h and lib/heap.h:
 *   boot_alloc(size, align)
 *	zeroed, aligned, DMA-able (see virt_to_phys), never freed: rings,
 *	request headers, device state.  NULL when exhausted; callers fail the
 *	probe, they do not panic.
 *   kmalloc, kmalloc_aligned, krealloc, kfree
 *	run-time memory, zeroed, also DMA-able: a caller's buffer goes into
 *	the ring as it is.  NULL when exhausted (-ENOMEM up the stack).
 * Time and waiting, arch/arch.h:
 *   arch_time_ns()
 *	monotonic nanoseconds, never backwards, fine enough for millisecond
 *	timeouts.  Every wait in the stack is bounded by it.
 *   arch_cpu_relax()
 *	a spin-loop hint; may do nothing.
 *   arch_irq_setup(), arch_irq_from_dt(), arch_irq_enable(),
 *   arch_wait_irq(timeout_ns), arch_irq_eoi()
 *	interrupts as wake-ups, never as handlers: arch_wait_irq() returns an
 *	enabled line that is pending (acknowledged at the controller) or 0
 *	once timeout_ns has passed, and may return 0 early (the caller polls
 *	and waits again).  It must not sleep past the timeout: a lost
 *	interrupt costs one timeout, never a hang.  A system without them
 *	returns -EOPNOTSUPP from arch_irq_enable() and the stack polls.
 * Logging and failure, lib/printf.h and arch/arch.h:
 *   kprintf(), vkprintf()
 *	one console line at a time, callable from anywhere the stack runs;
 *	may drop output, must not block forever.  lib/printf.c provides them
 *	over arch_console_putc(), or the OS supplies its own.
 *   arch_exit(status)
 *	reached only through panic() (status 2) and trap reports (3): stop,
 *	never return.
 * Optional:
 *   arch_msi_alloc(), arch_msi_name()
 *	PCI MSI-X messages as wake-ups; -EOPNOTSUPP keeps functions on INTx.
 *   arch_crc32c_supported(), arch_crc32c_raw()
 *	the CPU's CRC-32C instruction; lib/crc32c.c's tables otherwise.
 *   arch_ctx_switch(), arch_ctx_init(), arch_tls_set()
 *	only for lib/sched.c's threads (POSIX programs); a host OS with its
 *	own threads serialises calls into a filesystem with the lock it hands
 *	to fs_mount_opts.lock instead.
 * C library: lib/string.h (memcpy, memset, memcmp, strlen, ...) and
 *	snprintf/vsnprintf: lib/string.c and lib/printf.c, or the C library's
 *	(kernel/libc does that).
 *
 * Concurrency: the stack runs on one CPU at a time.  A device, a block
 * device and a mounted filesystem are each used by one thread at a time
 * (the caller's lock); nothing above runs in interrupt context.
 */
#ifndef ORDO_ARCH_PORT_H
#define ORDO_ARCH_PORT_H

#include "arch/arch.h"
#include "lib/boot_alloc.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/types.h"
#include <asm/io.h>

#endif
