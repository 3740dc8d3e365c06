/*
 * tests/host/fake_vpci.h - a fake virtio-pci function for host unit tests
 * (virtio 1.2 section 4.1, PCI Local Bus 3.0 section 6), shaped like
 * QEMU 7.2's virtio-blk-pci.
 *
 * Interface: fvp_init() fills a struct fake_vpci and installs it as the
 * host_io model (arch/host), so the readX()/writeX() of the PCI layer and
 * of the transport reach it.  It answers:
 *  - ECAM configuration space at FVP_ECAM for one function (FVP_DEVFN on
 *    bus 0; every other function reads as absent): identity, command
 *    register, BARs with the sizing protocol (write ~0, read the mask), a
 *    capability list generated from caps[] (which tests edit before
 *    probing: bar, offset, length, cap_len, position, a loop), and an
 *    MSI-X capability whose enable bit moves the legacy configuration;
 *  - the BARs, once decoding is on, at their programmed bus addresses
 *    (I/O through the PIO window at FVP_PIO_CPU, memory identity-mapped):
 *    BAR0 the legacy registers (4.1.4.10), BAR1 a dummy MSI-X table, BAR4
 *    the modern structures (common +0, ISR +0x1000, device +0x2000,
 *    notify +0x3000), exactly as QEMU lays them out;
 *  - the common configuration (4.1.4.3) with its selectors, the status
 *    state machine, per-queue size/addresses/enable/notify_off, 64-bit
 *    features, the 8-bit generation counter; the ISR (read clears); the
 *    notification area, which checks the doorbell address against
 *    queue_notify_off * notify_off_multiplier; the legacy registers with
 *    QueuePFN and the 4096-aligned layout computed independently.
 * Behind the doorbells each queue runs a small virtio-blk device over an
 * in-memory disk (IN, OUT, FLUSH, GET_ID) that completes every available
 * request at once unless `defer` is set.
 *
 * The fake checks the driver: every slip (wrong access width, a queue
 * register written after queue_enable, queue_enable written 0, FEATURES_OK
 * on a legacy device, a device-config read past the DEVICE_CFG length, a
 * doorbell at the wrong address, ...) bumps `violations` and is described
 * in `last_violation`.  Single-threaded; addresses from virt_to_phys() are
 * host pointers (the identity), so rings are dereferenced directly.
 */
#ifndef ORDO_TESTS_FAKE_VPCI_H
#define ORDO_TESTS_FAKE_VPCI_H

#include "drivers/block/virtio_blk_spec.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio_spec.h"
#include "lib/types.h"

#define FVP_ECAM 0x30000000u	/* ECAM window, bus 0 only */
#define FVP_ECAM_SIZE 0x100000u /* one bus */
#define FVP_PIO_CPU 0x3eff0000u /* where I/O bus address 0 appears */
#define FVP_PIO_SIZE 0x10000u
#define FVP_MEM32 0x10000000u /* 32-bit window, bus == CPU address */
#define FVP_MEM32_SIZE 0x2eff0000u
#define FVP_MEM64 0x8000000000ull /* 64-bit window, bus == CPU address */
#define FVP_MEM64_SIZE 0x8000000000ull
#define FVP_DEVFN 1 /* device 1, function 0 */

#define FVP_MAX_QUEUES 4
#define FVP_MAX_QSIZE 1024u
#define FVP_MAX_CAPS 10
#define FVP_STATUS_LOG 32u
#define FVP_SERIAL "ordo-fake-pci-serial"

/* QEMU's modern BAR4: where each structure starts, and its size. */
#define FVP_COMMON_OFF 0x0000u
#define FVP_ISR_OFF 0x1000u
#define FVP_DEVICE_OFF 0x2000u
#define FVP_NOTIFY_OFF 0x3000u
#define FVP_STRUCT_LEN 0x1000u
#define FVP_BAR4_SIZE 0x4000u
#define FVP_BAR0_SIZE 128u
#define FVP_BAR1_SIZE 0x1000u

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

struct fvp_queue {
	u16 max;	/* queue_size on reset (0: no such queue) */
	u16 size;	/* current queue_size */
	u16 notify_off; /* queue_notify_off */
	u16 msix_vector;
	bool enabled;
	u32 pfn;			    /* legacy */
	u64 desc, driver_area, device_area; /* descriptors, avail ring, used ring */
	unsigned addr_writes;		    /* 32-bit halves written since reset */
	unsigned late_writes;		    /* queue registers written after enable */
	u16 last_avail, used_idx;
	u16 pending[FVP_MAX_QSIZE];
	unsigned npending;
	unsigned notifies; /* doorbell writes naming this queue */
	u64 cmds;
};

struct fake_vpci {
	/* Identity and offer: set by fvp_init(), change before probing. */
	enum fvp_kind kind;
	u16 vendor_id, device_id, subsys_vendor, subsys_id;
	u32 class_code;
	u64 features;
	u16 num_queues;
	struct fvp_bar bars[6];
	struct fvp_cap caps[FVP_MAX_CAPS];
	unsigned ncaps;
	bool cap_loop; /* the last capability points back at the first */
	u16 msix_ctrl; /* MSI-X Message Control (bit 15 enable) */
	struct virtio_blk_config cfg;
	u32 device_len; /* bytes of cfg the device has (<= sizeof cfg) */

	/* Behaviour knobs. */
	bool defer;		 /* doorbells only fetch; fvp_complete() finishes */
	unsigned reset_delay;	 /* status reads before a reset reads 0 */
	bool refuse_features_ok; /* FEATURES_OK does not stick */

	/* Configuration-space state. */
	u16 command;
	u8 cfg_space[256]; /* rebuilt on every read */

	/* Device state. */
	u8 status;
	u64 driver_features;
	u32 dfselect, gfselect;
	u16 config_msix_vector;
	u16 queue_sel;
	u8 isr;
	u8 generation;
	unsigned reset_countdown;
	struct fvp_queue q[FVP_MAX_QUEUES];
	u8 *disk;
	u64 disk_bytes;

	/* What the driver did. */
	u8 status_log[FVP_STATUS_LOG];
	unsigned nstatus;
	unsigned violations;
	char last_violation[200];
	unsigned resets, isr_reads, cfg_reads, cfg_writes, gen_reads;
	unsigned notifies, enables;
	unsigned feature_word_writes; /* driver_feature writes (modern) */
	u64 cmds, cmd_in, cmd_out, cmd_flush, cmd_get_id;
};

/*
 * Reset `f` to a fresh function of `kind` for virtio device `type`,
 * offering `features` (the low 32 bits only on the legacy interface), with
 * `nq` queues of 256 entries (notify_off = queue index, multiplier 4) and
 * a zeroed disk of `sectors` sectors.  BARs start unassigned and decoding
 * off, as on QEMU's aarch64 virt; fvp_firmware_assign() or the PCI layer
 * assigns them.  Installs the fake as host_io.
 */
void fvp_init(struct fake_vpci *f, enum fvp_kind kind, u32 type, u64 features, unsigned nq,
	      u64 sectors);

/* Free the disk and uninstall. */
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

/* Fetch and complete everything pending on queue `qi`.  Completions. */
unsigned fvp_step(struct fake_vpci *f, unsigned qi);

#endif
