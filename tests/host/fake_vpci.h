/*
 * tests/host/fake_vpci.h - a fake virtio-pci function for host unit tests
 * (virtio 1.2 section 4.1, PCI Local Bus 3.0 section 6), shaped like
 * QEMU 7.2's virtio-blk-pci.
 *
 * Interface: fvp_init() resets a struct fake_vpci and the virtio-blk
 * device behind it (fake_vblk_model.h) and installs the function as the
 * host_io model (arch/host), so the readX()/writeX() of the PCI layer and
 * of the transport reach it.  It answers:
 *  - ECAM configuration space at FVP_ECAM for one function (FVP_DEVFN on
 *    bus 0; every other function reads as absent): identity, command
 *    register, BARs with the sizing protocol (write ~0, read the mask), a
 *    capability list generated from caps[] (which tests edit before
 *    probing: bar, offset, length, cap_len, position, a loop), and an
 *    MSI-X capability (msix_*: table size, table and PBA BIR/offset) whose
 *    enable bit moves the legacy configuration and shows the legacy
 *    vector registers;
 *  - the BARs, once decoding is on, at their programmed bus addresses
 *    (I/O through the PIO window at FVP_PIO_CPU, memory identity-mapped):
 *    BAR0 the legacy registers (4.1.4.10), BAR1 the MSI-X table, BAR4
 *    the modern structures (common +0, ISR +0x1000, device +0x2000,
 *    notify +0x3000), exactly as QEMU lays them out;
 *  - the common configuration (4.1.4.3) with its selectors, per-queue
 *    size/addresses/enable/notify_off/MSI-X vector (a vector past the
 *    table, or any with msix_refuse_*, reads back VIRTIO_MSI_NO_VECTOR, as
 *    QEMU answers), the 8-bit generation;
 *    the ISR (read clears); the notification area, which checks the
 *    doorbell address against queue_notify_off * notify_off_multiplier;
 *    the legacy registers with QueuePFN and the 4096-aligned layout.
 * What a device does (status, features, configuration, queues and the
 * requests behind each doorbell) is the model's: tests drive and script it
 * there (fvb_step(), defer, hang, hostile, ...), exactly as over mmio.
 *
 * The function checks the driver too: every slip (wrong access width, a
 * queue register written after queue_enable, queue_enable written 0, a
 * device-config read past the DEVICE_CFG length, a doorbell at the wrong
 * address, ...) is a violation recorded in the model like the device's
 * own.  Single-threaded.
 */
#ifndef ORDO_TESTS_FAKE_VPCI_H
#define ORDO_TESTS_FAKE_VPCI_H

#include "drivers/pci/pci.h"
#include "lib/types.h"
#include "tests/host/fake_vblk_model.h"

#define FVP_ECAM 0x30000000u	/* ECAM window, bus 0 only */
#define FVP_ECAM_SIZE 0x100000u /* one bus */
#define FVP_PIO_CPU 0x3eff0000u /* where I/O bus address 0 appears */
#define FVP_PIO_SIZE 0x10000u
#define FVP_MEM32 0x10000000u /* 32-bit window, bus == CPU address */
#define FVP_MEM32_SIZE 0x2eff0000u
#define FVP_MEM64 0x8000000000ull /* 64-bit window, bus == CPU address */
#define FVP_MEM64_SIZE 0x8000000000ull
#define FVP_DEVFN 1 /* device 1, function 0 */

#define FVP_MAX_CAPS 10

/* QEMU's modern BAR4: where each structure starts, and its size. */
#define FVP_COMMON_OFF 0x0000u
#define FVP_ISR_OFF 0x1000u
#define FVP_DEVICE_OFF 0x2000u
#define FVP_NOTIFY_OFF 0x3000u
#define FVP_STRUCT_LEN 0x1000u
#define FVP_BAR4_SIZE 0x4000u
#define FVP_BAR0_SIZE 128u
#define FVP_BAR1_SIZE 0x1000u
#define FVP_MSIX_MAX 64u /* table entries the fake stores (BAR1 +0 .. +0x400) */

enum fvp_kind {
	FVP_TRANSITIONAL, /* 0x1001: legacy BAR0 and modern caps (QEMU default) */
	FVP_MODERN,	  /* 0x1040 + type, no I/O BAR (disable-legacy=on) */
	FVP_LEGACY,	  /* 0x1001, no virtio caps (disable-modern=on) */
};

enum fvp_bar_kind { FVP_BAR_NONE, FVP_BAR_IO, FVP_BAR_MEM32, FVP_BAR_MEM64 };

struct fvp_bar {
	enum fvp_bar_kind kind;
	bool prefetch;
	u64 size;
	u64 addr; /* programmed bus address (register contents, masked) */
};

/* One capability of the list, in list order.  Zero fields take defaults. */
struct fvp_cap {
	u8 id;	     /* PCI_CAP_ID_VNDR or PCI_CAP_ID_MSIX */
	u8 cfg_type; /* VIRTIO_PCI_CAP_* (vendor caps) */
	u8 bar;
	u8 cap_len; /* 0: 16, 20 for NOTIFY and PCI_CFG, 12 for MSI-X */
	u8 pos;	    /* 0: packed after the previous one */
	u32 offset, length;
	u32 mult; /* NOTIFY: notify_off_multiplier */
};

/* The function's registers of one queue; the queue itself is the model's. */
struct fvp_queue {
	u16 notify_off; /* queue_notify_off (kept by reset) */
	u16 msix_vector;
	unsigned addr_writes; /* 32-bit address halves written since reset */
	unsigned late_writes; /* queue registers written after enable */
};

struct fake_vpci {
	struct fake_vblk *dev; /* the device behind the function */

	/* Identity and layout: set by fvp_init(), change before probing. */
	enum fvp_kind kind;
	u16 vendor_id, device_id, subsys_vendor, subsys_id;
	u32 class_code;
	struct fvp_bar bars[6];
	struct fvp_cap caps[FVP_MAX_CAPS];
	unsigned ncaps;
	bool cap_loop;	/* the last capability points back at the first */
	u16 msix_ctrl;	/* MSI-X Message Control: enable and mask bits (15, 14) */
	u16 msix_qsize; /* ... its table size - 1 (QEMU: vectors - 1; default 1) */
	u32 msix_table; /* table offset | BIR (default BAR1 + 0) */
	u32 msix_pba;	/* PBA offset | BIR (default BAR1 + 0x800) */
	/* The table in BAR1 (entries < FVP_MSIX_MAX): addr lo, hi, data, control. */
	u32 msix_entry[FVP_MSIX_MAX][4];
	bool msix_refuse_config, msix_refuse_queue; /* vector writes read back 0xffff */
	unsigned msix_vector_writes;
	u32 device_len; /* legacy: bytes of device configuration answered */

	/* Configuration-space state. */
	u16 command;
	u8 cfg_space[256]; /* rebuilt on every read */

	/* Register state. */
	u32 dfselect, gfselect;
	u16 config_msix_vector;
	u16 queue_sel;
	struct fvp_queue q[FVB_MAX_QUEUES];

	/* What the driver did. */
	unsigned isr_reads, enables;
	unsigned feature_word_writes; /* driver_feature (modern) or guest features writes */
};

/*
 * Reset `f` to a fresh function of `kind` for virtio device `type` in front
 * of `dev`, itself reset (fvb_init()) to a device offering `features` (the
 * low 32 bits only on the legacy interface) with `nq` queues of 256
 * entries (notify_off = queue index, multiplier 4) and a zeroed disk of
 * `sectors` sectors.  BARs start unassigned and decoding off, as on QEMU's
 * aarch64 virt; fvp_firmware_assign() or the PCI layer assigns them.
 * Installs the fake as host_io.
 */
void fvp_init(struct fake_vpci *f, struct fake_vblk *dev, enum fvp_kind kind, u32 type,
	      u64 features, unsigned nq, u64 sectors);

/* Free the device's disk and uninstall. */
void fvp_destroy(struct fake_vpci *f);

/* Index in caps[] of the first vendor capability of `cfg_type`, or -1. */
int fvp_cap_index(const struct fake_vpci *f, u8 cfg_type);

/*
 * Do what firmware (or pci_enumerate) would: give every BAR an address
 * (I/O from 0x1000, memory from FVP_MEM32 / FVP_MEM64) and turn on I/O,
 * memory and bus mastering.  Then describe the function in *pdev (hooked to
 * *host, an ECAM host for bus 0) as the PCI layer would, all BARs assigned.
 */
void fvp_firmware_assign(struct fake_vpci *f, struct pci_host *host, struct pci_dev *pdev);

/* The dt description of the fake's host bridge, for pci_host_init(). */
void fvp_dt_host(const struct fake_vpci *f, struct dt_pci_host *dt, bool mem64);

#endif
