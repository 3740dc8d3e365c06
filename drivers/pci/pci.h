/*
 * drivers/pci/pci.h - PCI bus: configuration access, enumeration, BARs.
 *
 * Interface: a host bridge described by the device tree
 * ("pci-host-ecam-generic": ECAM window, bus range, and the I/O, 32-bit
 * and 64-bit memory windows of its "ranges") is scanned once at boot.
 * pci_enumerate() finds every function on the root bus and behind
 * bridges (numbering their buses), sizes every BAR, keeps BARs firmware
 * already assigned, assigns the others from the windows (64-bit BARs in
 * the 64-bit window when there is one, below 4 GiB otherwise), and enables
 * memory, I/O and bus mastering.  A function whose BARs do not fit is
 * reported and left disabled; nothing else is affected.
 *
 * Drivers then read the function's identity, its BARs (already translated
 * to CPU addresses) and its capabilities.  Configuration space is reached
 * through ECAM with the ordered readl/writel of <asm/io.h>.  Everything read
 * from configuration space is validated (capability pointers, loops, BAR
 * sizes).  Single-threaded, boot time.
 */
#ifndef ORDO_PCI_H
#define ORDO_PCI_H

#include "lib/dt_platform.h"
#include "lib/types.h"

#define PCI_MAX_DEVS 64

enum pci_bar_type {
	PCI_BAR_NONE,
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64, /* occupies this BAR slot and the next */
};

struct pci_bar {
	enum pci_bar_type type;
	bool prefetch;
	u64 size;      /* bytes; 0 = not implemented */
	u64 pci_addr;  /* address on the bus, as in the BAR register */
	u64 cpu_addr;  /* where the CPU reaches it (I/O: through the PIO window) */
	bool assigned; /* has an address (by firmware or by us) */
};

struct pci_host;

/*
 * A window a bridge forwards to its secondary side (bus addresses, limit
 * inclusive), as programmed by pci_enumerate().  open = false: closed.
 */
struct pci_bridge_win {
	u64 base, limit;
	bool open;
};

struct pci_dev {
	struct pci_host *host;
	u8 bus, dev, fn;
	u16 vendor_id, device_id;
	u32 class_code; /* base << 16 | sub << 8 | prog-if */
	u8 revision;
	u8 header_type; /* 0 device, 1 bridge */
	u16 subsys_vendor, subsys_id;
	u8 irq_pin; /* 1..4 = INTA..INTD, 0 none */
	struct pci_bar bar[6];
	bool enabled;		/* all BARs assigned and decoding on */
	char name[16];		/* "00:02.0" */
	struct pci_dev *parent; /* upstream bridge; NULL on the root bus */
	/* Bridges (header_type 1) only; secondary 0 = not numbered. */
	u8 secondary, subordinate; /* the buses behind it */
	struct pci_bridge_win io_win, mem_win, pref_win;
};

/* Window kinds, as in dt_pci_range.space. */
struct pci_window {
	u64 pci_base, cpu_base, size;
	u64 next; /* allocation cursor (bus address) */
	bool present;
};

struct pci_host {
	uintptr_t ecam; /* CPU address of bus_start's configuration */
	u64 ecam_size;
	u32 bus_start, bus_end;
	struct pci_window io, mem32, mem64, pref32;
	u32 next_bus; /* for numbering bridges */
	struct pci_dev devs[PCI_MAX_DEVS];
	unsigned ndevs;
};

/*
 * Set up the host bridge from the device tree.  0; -ENODEV if there is no
 * node (dt->present false); -EINVAL if the node is unusable (no ECAM
 * window, a bus range beyond 0..255, ECAM smaller than its bus range).
 * Unusable windows in "ranges" are reported and left out.
 */
int pci_host_init(struct pci_host *h, const struct dt_pci_host *dt);

/*
 * Scan, size and assign BARs, enable decoding (see the header comment).
 * Prints one line per function, like lspci.  Returns the number of
 * functions found (also in h->ndevs), or -errno.
 */
int pci_enumerate(struct pci_host *h);

/* Configuration space of a function; `off` must be aligned to the width. */
u8 pci_cfg_read8(const struct pci_dev *d, u16 off);
u16 pci_cfg_read16(const struct pci_dev *d, u16 off);
u32 pci_cfg_read32(const struct pci_dev *d, u16 off);
void pci_cfg_write8(const struct pci_dev *d, u16 off, u8 v);
void pci_cfg_write16(const struct pci_dev *d, u16 off, u16 v);
void pci_cfg_write32(const struct pci_dev *d, u16 off, u32 v);

/*
 * Capability list walk (PCI 3.0, 6.7): the offset of the first capability
 * with id `cap_id` after offset `after` (0: from the start), or -ENOENT.
 * The two low bits of a pointer are reserved and masked (6.7).  A pointer
 * below 0x40, an id of 0xff (all-ones: the function is gone), or a list
 * longer than can fit (48 entries: a loop) end the walk with -EBADMSG and
 * a console message.  -EINVAL if `after` is not a capability offset.
 */
int pci_find_cap(const struct pci_dev *d, u8 cap_id, u8 after);

/*
 * MSI-X (PCI Local Bus 3.0, 6.8.2), pci_msix.c.  A validated capability:
 * the table lies inside an assigned memory BAR of the function, as does
 * the pending-bit array, and `table` is where the CPU reaches entry 0.
 */
struct pci_msix {
	u8 cap;		 /* capability offset in configuration space */
	u16 size;	 /* table entries, 1..2048 */
	uintptr_t table; /* CPU address of entry 0 */
};

/*
 * Find and validate the function's MSI-X capability (table size, table and
 * PBA BIR and offset naming an assigned memory BAR that holds them whole)
 * into *m.  Touches nothing.  0; -ENOENT if there is none; -EINVAL (with a
 * console line saying why) if it is unusable, or -EBADMSG for a broken
 * capability list: the function then stays on INTx.
 */
int pci_msix_find(const struct pci_dev *d, struct pci_msix *m);

/* Program entry `n` (< m->size) with a message, unmasked. */
void pci_msix_set(const struct pci_msix *m, unsigned n, u64 addr, u32 data);

/*
 * Turn MSI-X on (enable bit set, function mask clear) with INTx disabled
 * in the command register, or back off (INTx enabled again).  Entries not
 * programmed stay masked: after power-on or a function reset every entry
 * is masked (6.8.2.9), and pci_msix_enable() masks them all first.
 */
void pci_msix_enable(const struct pci_dev *d, const struct pci_msix *m);
void pci_msix_disable(const struct pci_dev *d, const struct pci_msix *m);

/*
 * Whether MSI-X is enabled at the function (its Message Control bit), by
 * us or by firmware: false without a capability inside config space.
 */
bool pci_msix_enabled(const struct pci_dev *d);

/*
 * The requester ID the function's memory writes (its MSI messages) carry
 * upstream of every bridge, which is what an MSI controller that tells
 * devices apart (the GICv3 ITS) sees: bus << 8 | devfn, unless a bridge on
 * the way takes the transaction over (PCIe-to-PCI bridge spec 1.0, 2.3):
 * a conventional PCI-to-PCI bridge forwards it under its own ID, and a
 * PCIe-to-PCI bridge under its secondary bus number with devfn 0.  The
 * one nearest the root wins.
 */
u16 pci_requester_id(const struct pci_dev *d);

/* Print the lspci-like line of a function. */
void pci_print(const struct pci_dev *d);

#endif
