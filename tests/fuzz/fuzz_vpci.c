/*
 * tests/fuzz/fuzz_vpci.c - libFuzzer target for the virtio-pci transport
 * (drivers/virtio/virtio_pci*.c): the capability walk over an arbitrary
 * configuration space, BAR mapping, and then the transport's ops driven
 * by the virtio core (reset, feature negotiation, queue set-up, config
 * reads, doorbells) against registers that read back anything, with
 * MSI-X on when its capability passes (vpci_msix_use(): the capability
 * check, table programming, vectors read back, the fall-back to INTx).
 *
 * The function is the fuzzer's (a fake of our own here, much simpler than
 * tests/host/fake_vpci.c, which models a correct device):
 *   [0, 256)     configuration space, as ECAM returns it (identity,
 *                status, capability pointer and list, everything);
 *   [256, 262)   one byte per BAR: bits 0-1 none/I/O/mem32/mem64, bits
 *                2-6 size (0, or 8 << n bytes), bit 7 left unassigned;
 *   [262]        bit 0: the PCI layer could not enable the function;
 *   [263, ...)   the contents of the BARs' registers (a 16 KiB file, the
 *                rest zero; BAR i at i * 4 KiB, wrapping), which the
 *                driver's writes then change, so a status written reads
 *                back.
 * The pci_dev is filled as the PCI layer would fill it; its BARs sit at
 * CPU addresses 64 GiB apart; the configuration space is reached through
 * the real drivers/pci accessors and capability walk.
 *
 * What must hold: no crash, hang, sanitizer report or leak, and every
 * register access lands inside a BAR the driver was given (assigned, of
 * the right size); once vpci_probe() succeeded, inside one of the regions
 * it validated (common, notify, ISR, device configuration; the legacy
 * registers; the MSI-X table pci_msix_find() accepted).  Ring memory comes from a boot_alloc() arena below 4 GiB
 * (legacy queue addresses are 32-bit page numbers) that is reset for each
 * input; nothing else of the tests' host_alloc.c is used.
 */
#define _GNU_SOURCE /* MAP_32BIT */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <asm/io.h>
#include <sanitizer/asan_interface.h>

#include "arch/host/host.h"
#include "drivers/pci/pci.h"
#include "drivers/pci/pci_regs.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_pci.h"
#include "drivers/virtio/virtio_pci_priv.h"
#include "lib/boot_alloc.h"
#include "lib/errno.h"
#include "lib/heap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define VFZ_ECAM 0x30000000u
#define VFZ_DEV 1u
#define VFZ_FN_CFG (VFZ_ECAM + (VFZ_DEV << 15))
#define VFZ_BAR_BASE(i) (0x1000000000ull * ((i) + 1))
#define VFZ_REGS 16384u
#define VFZ_MAX_REGIONS 6

struct vfz_region {
	uintptr_t base;
	u64 len;
};

static struct vfz {
	u8 cfg[PCI_CFG_SPACE_SIZE];
	u8 regs[VFZ_REGS];
	struct pci_dev pdev;
	struct pci_host host;
	/* After a successful probe: where the driver may go. */
	struct vfz_region regions[VFZ_MAX_REGIONS];
	unsigned nregions;
} vfz;

/* ---- boot_alloc(): an arena below 4 GiB, emptied for every input ------- */

#define VFZ_ARENA_SIZE (16u << 20)
#define VFZ_REDZONE 64u

static uintptr_t arena_base, arena_next;

static void vfz_arena_reset(void)
{
	if (!arena_base) {
		void *m = mmap((void *)0x40000000ul, VFZ_ARENA_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

		if (m == MAP_FAILED)
			abort();
		arena_base = (uintptr_t)m;
	}
	arena_next = arena_base;
	ASAN_POISON_MEMORY_REGION((void *)arena_base, VFZ_ARENA_SIZE);
}

void boot_alloc_add_region(void *base, size_t size)
{
	(void)base;
	(void)size;
}

void *boot_alloc_uninit(size_t size, size_t align)
{
	uintptr_t p;

	if (size == 0 || !IS_POW2(align))
		return NULL;
	p = ALIGN_UP(arena_next + VFZ_REDZONE, (uintptr_t)align);
	if (p > arena_base + VFZ_ARENA_SIZE || size > arena_base + VFZ_ARENA_SIZE - p)
		return NULL;
	arena_next = p + size;
	ASAN_UNPOISON_MEMORY_REGION((void *)p, size);
	return (void *)p;
}

void *boot_alloc(size_t size, size_t align)
{
	void *p = boot_alloc_uninit(size, align);

	return p ? memset(p, 0, size) : NULL;
}

size_t boot_alloc_free_bytes(void)
{
	return arena_base + VFZ_ARENA_SIZE - arena_next;
}

void heap_init(void *base, size_t size)
{
	(void)base;
	(void)size;
}

void *kmalloc(size_t size)
{
	return size ? calloc(1, size) : NULL;
}

void kfree(void *p)
{
	free(p);
}

size_t heap_free_bytes(void)
{
	return 0;
}

/* ---- the function's registers --------------------------------------- */

/*
 * Where an access of `width` bytes at CPU address `a` goes: configuration
 * byte (cfg, true) or register-file index (false); abort() if it is out of
 * bounds.  A configuration offset past the first 256 bytes reads as 0.
 */
static bool vfz_locate(uintptr_t a, unsigned width, u32 *at)
{
	const struct pci_bar *bars = vfz.pdev.bar;
	unsigned r;

	if (a >= VFZ_ECAM && a < VFZ_ECAM + (1u << 20)) {
		uintptr_t off = a - VFZ_FN_CFG;

		if (a < VFZ_FN_CFG || off >= 4096 || off % width)
			abort(); /* another function, or a misaligned access */
		*at = (u32)off;
		return true;
	}
	for (r = 0; r < vfz.nregions; r++)
		if (a >= vfz.regions[r].base && a - vfz.regions[r].base < vfz.regions[r].len &&
		    width <= vfz.regions[r].len - (a - vfz.regions[r].base))
			break;
	if (vfz.nregions && r == vfz.nregions)
		abort(); /* outside every structure the probe validated */
	for (unsigned i = 0; i < 6; i++) {
		uintptr_t base = (uintptr_t)bars[i].cpu_addr;

		if (bars[i].type == PCI_BAR_NONE || a < base || a - base >= bars[i].size)
			continue;
		if (!bars[i].assigned || width > bars[i].size - (a - base))
			abort(); /* an unassigned BAR, or past its end */
		*at = (u32)((i * 4096u + (a - base)) % VFZ_REGS);
		return false;
	}
	abort(); /* no BAR there */
}

static u8 *vfz_byte(bool cfg, u32 at, unsigned k)
{
	if (cfg)
		return at + k < PCI_CFG_SPACE_SIZE ? &vfz.cfg[at + k] : NULL;
	return &vfz.regs[(at + k) % VFZ_REGS];
}

static u32 vfz_read(void *ctx, uintptr_t a, unsigned width)
{
	u32 at, v = 0;
	bool cfg = vfz_locate(a, width, &at);

	(void)ctx;
	for (unsigned k = 0; k < width; k++) {
		const u8 *p = vfz_byte(cfg, at, k);

		v |= (u32)(p ? *p : 0) << (8 * k);
	}
	return v;
}

static void vfz_write(void *ctx, uintptr_t a, u32 v, unsigned width)
{
	u32 at;
	bool cfg = vfz_locate(a, width, &at);

	(void)ctx;
	for (unsigned k = 0; k < width; k++) {
		u8 *p = vfz_byte(cfg, at, k);

		if (p)
			*p = (u8)(v >> (8 * k));
	}
}

/* ---- the function as the PCI layer describes it --------------------- */

static u16 vfz_cfg16(unsigned off)
{
	return (u16)(vfz.cfg[off] | vfz.cfg[off + 1] << 8);
}

static void vfz_pdev(const u8 *bars, bool disabled)
{
	struct pci_dev *d = &vfz.pdev;

	vfz.host = (struct pci_host){ .ecam = VFZ_ECAM, .ecam_size = 1u << 20 };
	*d = (struct pci_dev){
		.host = &vfz.host,
		.dev = VFZ_DEV,
		.vendor_id = vfz_cfg16(0x00),
		.device_id = vfz_cfg16(0x02),
		.header_type = vfz.cfg[0x0e] & 0x7f,
		.subsys_vendor = vfz_cfg16(0x2c),
		.subsys_id = vfz_cfg16(0x2e),
		.irq_pin = 1,
		.enabled = !disabled,
	};
	strcpy(d->name, "00:01.0");
	for (unsigned i = 0; i < 6; i++) {
		unsigned kind = bars[i] & 3, lg = (bars[i] >> 2) & 31;
		struct pci_bar *b = &d->bar[i];

		if (kind == 0 || (i > 0 && d->bar[i - 1].type == PCI_BAR_MEM64))
			continue; /* none, or the upper half of a 64-bit BAR */
		if (kind == 3 && i == 5)
			kind = 2; /* a 64-bit BAR needs the next slot */
		*b = (struct pci_bar){
			.type = kind == 1   ? PCI_BAR_IO
				: kind == 2 ? PCI_BAR_MEM32
					    : PCI_BAR_MEM64,
			.size = lg ? 8ull << lg : 0,
			.pci_addr = VFZ_BAR_BASE(i),
			.cpu_addr = VFZ_BAR_BASE(i),
			.assigned = !(bars[i] & 0x80),
		};
	}
}

/* ---- a driver: what virtio_blk does to a transport, in short --------- */

static const struct virtio_feature vfz_features[] = {
	{ VIRTIO_F_RING_EVENT_IDX, "EVENT_IDX" },
	{ 5, "BLK_SIZE" },
	{ 9, "FLUSH" },
};

static int vfz_setup(struct virtio_dev *vdev, void *ctx)
{
	struct virtq *vq = ctx;
	static u8 buf[64];
	u8 cfg[24];
	int err;

	(void)virtio_cread(vdev, 0, cfg, sizeof(cfg));
	err = virtio_vq_setup(vdev, 0, &vq[0], 256);
	if (err)
		return err;
	if (virtio_vq_setup(vdev, 1, &vq[1], 8) == 0)
		(void)virtq_kick(&vq[1]);
	/* One request, kicked: the doorbell the transport computed. */
	if (virtq_add(&vq[0], &(struct virtq_buf){ .addr = buf, .len = sizeof(buf) }, 1, 0, buf))
		abort();
	(void)virtq_kick(&vq[0]);
	virtq_renotify(&vq[0]);
	return 0;
}

/* An MSI controller with a few messages per input, then none. */
static unsigned vfz_msis;

static int vfz_msi_alloc(u32 rid, u32 *irq, u64 *addr, u32 *data)
{
	(void)rid;
	if (vfz_msis == 4)
		return -ENOSPC;
	*irq = ++vfz_msis;
	*addr = 0xfee00000u;
	*data = 0x90 + vfz_msis;
	return 0;
}

static void vfz_drive(struct virtio_dev *vdev)
{
	struct pci_msix msix;
	struct vpci_dev *vp = to_vpci(vdev);
	struct virtio_driver drv = {
		.name = "fuzz",
		.device_id = vdev->device_id,
		.features = vfz_features,
		.nfeatures = ARRAY_SIZE(vfz_features),
		.setup = vfz_setup,
	};
	struct virtq vq[2] = { 0 };

	/* From here on, only the structures the probe validated. */
	vfz.regions[vfz.nregions++] = (struct vfz_region){ vp->common.base, vp->common.len };
	vfz.regions[vfz.nregions++] = (struct vfz_region){ vp->notify.base, vp->notify.len };
	vfz.regions[vfz.nregions++] = (struct vfz_region){ vp->isr.base, vp->isr.len };
	vfz.regions[vfz.nregions++] = (struct vfz_region){ vp->device.base, vp->device.len };
	if (vdev->legacy)
		vfz.regions[vfz.nregions++] = (struct vfz_region){ vp->io, vp->pdev->bar[0].size };
	/* MSI-X: the table the capability check accepted, and nothing else. */
	if (pci_msix_find(vp->pdev, &msix) == 0)
		vfz.regions[vfz.nregions++] =
			(struct vfz_region){ msix.table, (u32)msix.size * PCI_MSIX_ENTRY_SIZE };
	vfz_msis = 0;
	(void)vpci_msix_use(vdev);

	(void)virtio_dev_init(vdev, &drv, vq);
	(void)vdev->ops->irq_ack(vdev);
	/* Device configuration around the end of what the device has. */
	for (unsigned off = 0; off < 16; off++)
		(void)vdev->ops->config_read(vdev, off & ~3u, 4);
	for (unsigned off = vp->device.len > 4 ? vp->device.len - 4 : 0; off < vp->device.len + 8;
	     off++) {
		(void)vdev->ops->config_read(vdev, off, 1);
		(void)vdev->ops->config_read(vdev, off & ~1u, 2);
		vdev->ops->config_write(vdev, off & ~3u, 4, 0);
	}
	(void)virtio_needs_reset(vdev);
	(void)virtio_dev_reset(vdev);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	host_console_quiet = true;
	/* A reset that never completes times out after a few status reads. */
	host_time_step_ns = 100ull * 1000 * 1000;
	host_io = (struct host_io_ops){ .read = vfz_read, .write = vfz_write };
	host_msi_alloc = vfz_msi_alloc;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 bars[6] = { 0 };
	struct virtio_dev *vdev;
	size_t n;

	memset(&vfz, 0, sizeof(vfz));
	vfz_arena_reset();
	n = MIN(size, sizeof(vfz.cfg));
	memcpy(vfz.cfg, data, n);
	data += n;
	size -= n;
	n = MIN(size, sizeof(bars));
	memcpy(bars, data, n);
	data += n;
	size -= n;
	vfz_pdev(bars, size && (data[0] & 1));
	if (size) {
		data++;
		size--;
	}
	memcpy(vfz.regs, data, MIN(size, sizeof(vfz.regs)));

	if (vpci_probe(&vfz.pdev, 0, &vdev) == 0)
		vfz_drive(vdev);
	return 0;
}
