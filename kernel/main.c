/*
 * kernel/main.c - the composition root: the only file that sees every
 * layer.  It reads the platform description, gives the allocators their
 * RAM, probes every virtio-mmio slot and every virtio device on the PCI
 * hosts, binds virtio-blk devices to the block layer, prints a probe line
 * per disk and runs what the command line asks:
 *
 *   (a program)      in an image built with make APP=dir, the default: the
 *                    user's main() (kernel/app.h, kernel/libc/)
 *   demo (default)   the filesystem demo (make run, kernel/demo.c): mount,
 *                    check what earlier runs left, append durably, show
 *                    the figures
 *   ktest            the KTAP suite; exit status 0 only if all pass
 *   stress           append to files forever, printing every acked fsync
 *   bench            the block-level benchmark (kernel/bench.c)
 *
 * Options: blk.ignore_flush=1 (unsafe: flushes are not sent, order=none),
 * blk.timeout_ms=N (request timeout, default 30000), vblk.queue=N (ring
 * entries per disk, default 256), vblk.indirect=0 (never negotiate
 * indirect descriptors: every request takes a ring entry per buffer).
 */
#include "arch/arch.h"
#include "drivers/block/virtio_blk.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio_mmio.h"
#include "drivers/virtio/virtio_pci.h"
#include "kernel/app.h"
#include "kernel/cmdline.h"
#include "kernel/disk.h"
#include "lib/boot_alloc.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/le.h"
#include "lib/printf.h"

/* Ends of the kernel image, from the linker script. */
extern char __kernel_end[];

/* Run-time heap (mounted filesystems, block cache): a share of free RAM. */
#define HEAP_SHARE_NUM 1
#define HEAP_SHARE_DEN 2

/* Largest device tree we accept (Linux's arm64 limit is 2 MiB). */
#define DTB_MAX_SIZE (2u << 20)

struct kdisk kdisks[KDISK_MAX];
unsigned nkdisks;

static struct platform platform;
static struct pci_host pci_host;

/* Options every disk shares, from the command line. */
struct disk_opts {
	bool ignore_flush, use_irq, no_indirect, msix;
	u32 timeout_ms, queue;
};

struct mem_range {
	uintptr_t lo, hi;
};

/*
 * Give [lo, hi) to the allocator minus every range in ex[0..n): the part
 * below an excluded range is checked against the ranges after it, the
 * part above it continues the loop.
 */
static void mem_add_free(uintptr_t lo, uintptr_t hi, const struct mem_range *ex, unsigned n)
{
	for (unsigned i = 0; i < n && lo < hi; i++) {
		if (ex[i].hi <= lo || ex[i].lo >= hi)
			continue;
		if (ex[i].lo > lo)
			mem_add_free(lo, ex[i].lo, ex + i + 1, n - i - 1);
		lo = MAX(lo, ex[i].hi);
	}
	if (lo < hi)
		boot_alloc_add_region((void *)lo, hi - lo);
}

/*
 * Hand RAM to the allocator, keeping out the kernel image (and whatever
 * lies below it in its region: the firmware, on riscv64), the DTB (if
 * any), and every range the platform description reserves.
 */
static void mem_init(const void *fdt, size_t fdt_size)
{
	struct mem_range ex[DT_MAX_RESERVED + 2];
	uintptr_t kend = (uintptr_t)__kernel_end;
	unsigned n = 0;

	if (fdt)
		ex[n++] = (struct mem_range){ (uintptr_t)fdt, (uintptr_t)fdt + fdt_size };
	for (unsigned i = 0; i < platform.nreserved; i++)
		ex[n++] = (struct mem_range){ (uintptr_t)platform.reserved[i].base,
					      (uintptr_t)(platform.reserved[i].base +
							  platform.reserved[i].size) };
	for (unsigned i = 0; i < platform.nmem; i++) {
		uintptr_t base = (uintptr_t)platform.mem[i].base;
		uintptr_t end = base + (uintptr_t)platform.mem[i].size;

		if (arch_map_ram(platform.mem[i].base, platform.mem[i].size)) {
			kprintf("mem: cannot map RAM 0x%llx+0x%llx\n", (unsigned long long)base,
				(unsigned long long)(end - base));
			continue;
		}
		/* The image sits in this region: nothing below its end is free. */
		ex[n] = (struct mem_range){ base, kend > base && kend <= end ? kend : base };
		mem_add_free(base, end, ex, n + 1);
	}
}

static size_t fdt_total_size(const void *fdt)
{
	u32 size = be32_load((const u8 *)fdt + 4);

	return size <= DTB_MAX_SIZE ? size : DTB_MAX_SIZE;
}

void kdisk_print_probe_line(const struct kdisk *d)
{
	char desc[512];

	vblk_describe(d->bdev, desc, sizeof(desc));
	kprintf("%s: %s cache=%s order=%s\n", blk_info(&d->blk)->name, desc,
		blk_info(&d->blk)->volatile_cache ? "writeback" : "writethrough",
		blk_order_name(d->blk.order));
}

/*
 * Bind a virtio device to the virtio-blk driver and the block layer, and
 * print its probe line.  `irq` is the device's interrupt line, or a
 * negative errno if it has none we can use (the driver then polls; said
 * on the console unless the user asked for polling).
 */
static void attach_disk(struct virtio_dev *vdev, int irq, bool edge, const struct disk_opts *o)
{
	struct kdisk *d = &kdisks[nkdisks];
	int err;

	if (vdev->device_id != VIRTIO_ID_BLOCK) {
		/* Firmware may have left it running: stop its DMA into our RAM. */
		virtio_dev_reset(vdev);
		kprintf("%s: device type %u ignored (reset)\n", vdev->name, vdev->device_id);
		return;
	}
	if (nkdisks == KDISK_MAX) {
		kprintf("%s: more than %u disks: ignored\n", vdev->name, KDISK_MAX);
		return;
	}
	if (o->use_irq && irq > 0) {
		vdev->irq = (u32)irq;
		vdev->irq_edge = edge;
	}
	if (o->no_indirect)
		vdev->features_off |= BIT64(VIRTIO_F_RING_INDIRECT_DESC);
	if (vblk_probe(vdev, nkdisks, o->queue, &d->bdev))
		return;
	/*
	 * Without a usable line the driver polls (probe line: irq=poll).
	 * -EOPNOTSUPP: the interrupt controller is unusable and its port
	 * already said so once.
	 */
	err = irq > 0 ? 0 : irq ? irq : -ENODEV;
	if (vdev->irq || vdev->intr == VIRTIO_INTR_MSIX)
		err = virtio_irq_register(vdev);
	if (o->use_irq && err && err != -EOPNOTSUPP)
		kprintf("%s: no usable interrupt line (%s): polled\n", vdev->name, errno_name(err));
	blk_init(&d->blk, d->bdev, o->ignore_flush);
	d->blk.timeout_ms = o->timeout_ms;
	kdisk_print_probe_line(d);
	nkdisks++;
}

static void probe_mmio(const struct disk_opts *o)
{
	for (unsigned i = 0; i < platform.nvmmio; i++) {
		const struct dt_virtio_mmio *m = &platform.vmmio[i];
		struct virtio_dev *vdev;
		bool edge = false;
		int irq, err = vmmio_probe(m->base, m->size, i, &vdev);

		if (err == -ENODEV)
			continue; /* empty slot */
		if (err) {
			kprintf("virtio-mmio@0x%llx: probe failed (%s)\n",
				(unsigned long long)m->base, errno_name(err));
			continue;
		}
		irq = arch_irq_from_dt(m->irq, m->irq_cells, &edge);
		attach_disk(vdev, irq, edge, o);
	}
}

/*
 * INTx line of a PCI function: swizzle its pin through every bridge up to
 * the root bus (PCI-to-PCI Bridge 1.2, 9.1: pin' = (pin - 1 + dev) % 4 + 1),
 * then look the root slot up in the host's interrupt-map.
 */
static int pci_intx_irq(const struct pci_dev *p, bool *edge)
{
	const struct dt_pci_intmap *e;
	u32 pin = p->irq_pin;

	if (pin < 1 || pin > 4)
		return -ENODEV;
	for (; p->parent; p = p->parent)
		pin = (pin - 1 + p->dev) % 4 + 1;
	e = dt_pci_intx(&platform.pci, p->bus, p->dev, p->fn, pin);
	return e ? arch_irq_from_dt(e->irq, e->irq_cells, edge) : -ENODEV;
}

static void probe_pci(const struct disk_opts *o)
{
	int err;

	if (!platform.pci.present)
		return;
	err = pci_host_init(&pci_host, &platform.pci);
	if (!err)
		err = pci_enumerate(&pci_host) < 0 ? -EIO : 0;
	if (err) {
		kprintf("pci: host bridge unusable (%s)\n", errno_name(err));
		return;
	}
	if (o->use_irq && o->msix && arch_msi_name())
		kprintf("pci: MSI-X through %s\n", arch_msi_name());
	else if (o->use_irq)
		kprintf("pci: INTx (%s)\n", o->msix ? "no MSI controller" : "vpci.msix=0");
	for (unsigned i = 0; i < pci_host.ndevs; i++) {
		struct pci_dev *p = &pci_host.devs[i];
		struct virtio_dev *vdev;
		bool edge = false;
		int irq;

		if (!p->enabled || vpci_probe(p, i, &vdev))
			continue;
		/* MSI-X first (its failures are said there); INTx otherwise. */
		if (o->use_irq && o->msix && vdev->device_id == VIRTIO_ID_BLOCK)
			vpci_msix_use(vdev);
		irq = pci_intx_irq(p, &edge);
		attach_disk(vdev, irq, edge, o);
	}
}

static void probe_disks(void)
{
	u64 timeout_ms = BLK_DEFAULT_TIMEOUT_MS, queue = VBLK_DEFAULT_QUEUE_SIZE, v = 0, irq = 1;
	u64 indirect = 1, msix = 1;
	struct disk_opts o;

	if (cmdline_u64("blk.timeout_ms", &timeout_ms) == 0 && timeout_ms == 0) {
		kprintf("blk.timeout_ms=0 ignored: using %u ms\n", BLK_DEFAULT_TIMEOUT_MS);
		timeout_ms = BLK_DEFAULT_TIMEOUT_MS;
	}
	cmdline_u64("vblk.queue", &queue);
	cmdline_u64("vblk.irq", &irq);
	cmdline_u64("vblk.indirect", &indirect);
	cmdline_u64("vpci.msix", &msix); /* 0: PCI devices stay on INTx */
	o = (struct disk_opts){
		.ignore_flush = cmdline_flag("blk.ignore_flush") ||
				(cmdline_u64("blk.ignore_flush", &v) == 0 && v),
		.use_irq = irq != 0,
		.no_indirect = indirect == 0,
		.msix = msix != 0,
		.timeout_ms = (u32)MIN(timeout_ms, 3600000ull),
		.queue = (u32)MIN(queue, 32768ull),
	};
	if (o.ignore_flush)
		kprintf("WARNING: blk.ignore_flush: FLUSH requests are NOT sent; "
			"data is NOT durable (disposable guests only)\n");
	probe_mmio(&o);
	probe_pci(&o);
	kprintf("%u disk%s found\n", nkdisks, nkdisks == 1 ? "" : "s");
}

/*
 * The machine description: parsed from the device tree, or as the arch's
 * platform discovery found it (arch.h).  Returns the bytes of the blob to
 * keep out of the allocator (0 without one), or exits.
 */
static size_t platform_init(const struct boot_info *bi)
{
	size_t fdt_size;
	int err;

	if (bi->platform) {
		platform = *bi->platform;
		return bi->fdt ? fdt_total_size(bi->fdt) : 0;
	}
	if (!bi->fdt) {
		kprintf("ordo: no device tree and no platform description: "
			"nothing to drive\n");
		arch_exit(1);
	}
	fdt_size = fdt_total_size(bi->fdt);
	err = dt_platform_parse(bi->fdt, fdt_size, &platform);
	if (err) {
		kprintf("ordo: device tree rejected (%s)\n", errno_name(err));
		arch_exit(1);
	}
	return fdt_size;
}

/*
 * selftest.stack_overflow: recurse until the kernel stack overflows.  Every
 * port has an unmapped guard page under the stack, so this must end in the
 * trap report ("kernel stack overflow") and exit status 3; each matrix
 * checks it.  On a port without a guard it would corrupt memory.  The frame is kept
 * alive across the call, so neither inlining nor a tail call can turn the
 * recursion into a loop.
 */
static __attribute__((noinline)) unsigned selftest_recurse(unsigned depth)
{
	volatile u8 frame[256];

	frame[depth % sizeof(frame)] = (u8)depth;
	if (depth == UINT32_MAX)
		return 0;
	return selftest_recurse(depth + 1) + frame[depth % sizeof(frame)];
}

void kmain(const struct boot_info *bi)
{
	size_t fdt_size, heap_size;
	int status;

	app_early_init();
	kprintf("\nordo: booting on %s\n", arch_name());
	fdt_size = platform_init(bi);
	if (platform.model)
		kprintf("ordo: machine \"%s\"\n", platform.model);
	arch_irq_setup(&platform.intc);
	cmdline_set(bi->cmdline ? bi->cmdline : platform.bootargs);
	mem_init(bi->fdt, fdt_size);
	heap_size = boot_alloc_free_bytes() / HEAP_SHARE_DEN * HEAP_SHARE_NUM;
	/* kmalloc() zeroes what it returns: the heap is not cleared up front. */
	heap_init(boot_alloc_uninit(heap_size, 4096), heap_size);
	kprintf("ordo: command line \"%s\", %u RAM region(s), heap %llu KiB, %llu KiB more free\n",
		cmdline_get(), platform.nmem, (unsigned long long)(heap_free_bytes() >> 10),
		(unsigned long long)(boot_alloc_free_bytes() >> 10));

	if (cmdline_flag("selftest.trap")) {
		/*
		 * Prove the trap path: a CPU exception must be reported and
		 * end the run with a non-zero status, never hang.
		 */
		kprintf("selftest.trap: executing a trapping instruction\n");
		__builtin_trap();
	}
	if (cmdline_flag("selftest.stack_overflow")) {
		kprintf("selftest.stack_overflow: recursing until the stack overflows\n");
		kprintf("selftest.stack_overflow: returned %u (no guard caught it)\n",
			selftest_recurse(0));
		arch_exit(1);
	}
	probe_disks();
	if (cmdline_flag("ktest"))
		status = ktest_run();
	else if (cmdline_flag("stress"))
		status = demo_stress();
	else if (cmdline_flag("bench"))
		status = bench_run();
	else if (app_linked())
		status = app_run();
	else
		status = demo_run();
	kprintf("ordo: exit status %d\n", status);
	arch_exit(status);
}
