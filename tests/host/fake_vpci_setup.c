/*
 * tests/host/fake_vpci_setup.c - set-up of the fake virtio-pci function
 * (see fake_vpci.h): the QEMU-shaped identity, BARs and capability list in
 * front of the model's device, the "firmware" BAR assignment and the dt
 * description of the host bridge.  The registers are fake_vpci.c.
 */
#include "tests/host/fake_vpci.h"

#include <asm/io.h>
#include <stdio.h>
#include <string.h>

#include "drivers/pci/pci_regs.h"
#include "drivers/virtio/virtio_pci_regs.h"
#include "tests/host/fake_vpci_priv.h"

/* ---- set-up ------------------------------------------------------------------ */

int fvp_cap_index(const struct fake_vpci *f, u8 cfg_type)
{
	for (unsigned i = 0; i < f->ncaps; i++) {
		if (f->caps[i].id == PCI_CAP_ID_VNDR && f->caps[i].cfg_type == cfg_type)
			return (int)i;
	}
	return -1;
}

/* QEMU 7.2's list: MSI-X at 0x98, then the virtio caps downwards. */
static void fvp_default_caps(struct fake_vpci *f)
{
	static const struct fvp_cap modern[] = {
		{ .id = PCI_CAP_ID_MSIX, .pos = 0x98 },
		{ .id = PCI_CAP_ID_VNDR, .cfg_type = VIRTIO_PCI_CAP_PCI_CFG, .pos = 0x84 },
		{ .id = PCI_CAP_ID_VNDR,
		  .cfg_type = VIRTIO_PCI_CAP_NOTIFY_CFG,
		  .bar = 4,
		  .pos = 0x70,
		  .offset = FVP_NOTIFY_OFF,
		  .length = FVP_STRUCT_LEN,
		  .mult = 4 },
		{ .id = PCI_CAP_ID_VNDR,
		  .cfg_type = VIRTIO_PCI_CAP_DEVICE_CFG,
		  .bar = 4,
		  .pos = 0x60,
		  .offset = FVP_DEVICE_OFF,
		  .length = FVP_STRUCT_LEN },
		{ .id = PCI_CAP_ID_VNDR,
		  .cfg_type = VIRTIO_PCI_CAP_ISR_CFG,
		  .bar = 4,
		  .pos = 0x50,
		  .offset = FVP_ISR_OFF,
		  .length = FVP_STRUCT_LEN },
		{ .id = PCI_CAP_ID_VNDR,
		  .cfg_type = VIRTIO_PCI_CAP_COMMON_CFG,
		  .bar = 4,
		  .pos = 0x40,
		  .offset = FVP_COMMON_OFF,
		  .length = FVP_STRUCT_LEN },
	};

	if (f->kind == FVP_LEGACY) {
		f->caps[0] = (struct fvp_cap){ .id = PCI_CAP_ID_MSIX, .pos = 0x40 };
		f->ncaps = 1;
		return;
	}
	memcpy(f->caps, modern, sizeof(modern));
	f->ncaps = ARRAY_SIZE(modern);
}

void fvp_init(struct fake_vpci *f, struct fake_vblk *dev, enum fvp_kind kind, u32 type,
	      u64 features, unsigned nq, u64 sectors)
{
	fvb_init(dev, kind == FVP_LEGACY, kind == FVP_LEGACY ? (u32)features : features, nq,
		 sectors);
	memset(f, 0, sizeof(*f));
	f->dev = dev;
	f->kind = kind;
	f->vendor_id = VIRTIO_PCI_VENDOR_ID;
	/* 4.1.2.3: transitional IDs are 0x1000 + type - 1 (net 0x1000, blk 0x1001). */
	f->device_id = (u16)(kind == FVP_MODERN ? VIRTIO_PCI_DEVICE_ID_MODERN + type
						: VIRTIO_PCI_DEVICE_ID_MIN + type - 1);
	f->subsys_vendor = VIRTIO_PCI_VENDOR_ID;
	f->subsys_id = (u16)(kind == FVP_MODERN ? 0x1100 : type); /* QEMU: 0x1100 if modern */
	f->class_code = 0x010000;
	if (kind != FVP_MODERN)
		f->bars[0] = (struct fvp_bar){ .kind = FVP_BAR_IO, .size = FVP_BAR0_SIZE };
	f->bars[1] = (struct fvp_bar){ .kind = FVP_BAR_MEM32, .size = FVP_BAR1_SIZE };
	if (kind != FVP_LEGACY)
		f->bars[4] = (struct fvp_bar){ .kind = FVP_BAR_MEM64,
					       .prefetch = true,
					       .size = FVP_BAR4_SIZE };
	fvp_default_caps(f);
	for (unsigned i = 0; i < FVB_MAX_QUEUES; i++)
		f->q[i].notify_off = (u16)i;
	f->device_len = sizeof(dev->cfg);
	/* QEMU's virtio-blk-pci: vectors=2, the table in BAR1, the PBA at +0x800. */
	f->msix_qsize = 1;
	f->msix_table = 1;
	f->msix_pba = 0x800 | 1;
	for (unsigned i = 0; i < FVP_MSIX_MAX; i++)
		f->msix_entry[i][3] = 1; /* masked, as after reset */
	fvp_regs_reset(f);
	fvp_install(f);
}

void fvp_destroy(struct fake_vpci *f)
{
	if (f->dev)
		fvb_destroy(f->dev);
	host_io = (struct host_io_ops){ 0 };
}

static enum pci_bar_type fvp_pci_type(enum fvp_bar_kind k)
{
	switch (k) {
	case FVP_BAR_IO: return PCI_BAR_IO;
	case FVP_BAR_MEM32: return PCI_BAR_MEM32;
	case FVP_BAR_MEM64: return PCI_BAR_MEM64;
	default: return PCI_BAR_NONE;
	}
}

void fvp_firmware_assign(struct fake_vpci *f, struct pci_host *host, struct pci_dev *pdev)
{
	u64 io = 0x1000, mem32 = FVP_MEM32, mem64 = FVP_MEM64;

	memset(host, 0, sizeof(*host));
	host->ecam = FVP_ECAM;
	host->ecam_size = FVP_ECAM_SIZE;
	*pdev = (struct pci_dev){
		.host = host,
		.dev = FVP_DEVFN,
		.vendor_id = f->vendor_id,
		.device_id = f->device_id,
		.class_code = f->class_code,
		.revision = 1,
		.subsys_vendor = f->subsys_vendor,
		.subsys_id = f->subsys_id,
		.irq_pin = 1,
		.enabled = true,
	};
	snprintf(pdev->name, sizeof(pdev->name), "00:%02x.0", FVP_DEVFN);
	for (unsigned i = 0; i < 6; i++) {
		struct fvp_bar *b = &f->bars[i];
		u64 *next = b->kind == FVP_BAR_IO      ? &io
			    : b->kind == FVP_BAR_MEM64 ? &mem64
						       : &mem32;

		if (b->kind == FVP_BAR_NONE)
			continue;
		b->addr = ALIGN_UP(*next, b->size);
		*next = b->addr + b->size;
		pdev->bar[i] = (struct pci_bar){
			.type = fvp_pci_type(b->kind),
			.prefetch = b->prefetch,
			.size = b->size,
			.pci_addr = b->addr,
			.cpu_addr = b->kind == FVP_BAR_IO ? FVP_PIO_CPU + b->addr : b->addr,
			.assigned = true,
		};
	}
	f->command = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
}

void fvp_dt_host(const struct fake_vpci *f, struct dt_pci_host *dt, bool mem64)
{
	(void)f;
	memset(dt, 0, sizeof(*dt));
	dt->present = true;
	dt->ecam_base = FVP_ECAM;
	dt->ecam_size = FVP_ECAM_SIZE;
	dt->ranges[0] =
		(struct dt_pci_range){ DT_PCI_SPACE_IO, false, 0, FVP_PIO_CPU, FVP_PIO_SIZE };
	dt->ranges[1] = (struct dt_pci_range){ DT_PCI_SPACE_MEM32, false, FVP_MEM32, FVP_MEM32,
					       FVP_MEM32_SIZE };
	dt->ranges[2] = (struct dt_pci_range){ DT_PCI_SPACE_MEM64, false, FVP_MEM64, FVP_MEM64,
					       FVP_MEM64_SIZE };
	dt->nranges = mem64 ? 3 : 2;
}
