/*
 * drivers/pci/pci_priv.h - shared between the files of drivers/pci/ only.
 *
 * pci.c scans (configuration access, bus numbering, function discovery)
 * and calls into pci_bar.c to size each function's BARs while it scans,
 * then into pci_bridge.c once, to assign addresses and program bridges
 * when the whole hierarchy is known; pci_bridge.c places each function's
 * BARs through pci_bar.c.  pci_cap.c walks capability lists.
 */
#ifndef ORDO_PCI_PRIV_H
#define ORDO_PCI_PRIV_H

#include "drivers/pci/pci.h"
#include "drivers/pci/pci_regs.h"

/* Register fields pci_regs.h does not name (same names as Linux's). */
#define PCI_BASE_ADDRESS_MEM_TYPE_MASK 0x06
#define PCI_BASE_ADDRESS_MEM_TYPE_32 0x00
#define PCI_BASE_ADDRESS_MEM_TYPE_1M 0x02 /* legacy "below 1 MiB" */
#define PCI_BASE_ADDRESS_MEM_MASK (~0x0fu)
#define PCI_BASE_ADDRESS_IO_MASK (~0x03u)
#define PCI_IO_RANGE_TYPE_MASK 0x0f
#define PCI_IO_RANGE_TYPE_32 0x01
#define PCI_PREF_RANGE_TYPE_MASK 0x0f
#define PCI_PREF_RANGE_TYPE_64 0x01
#define PCI_CAP_LIST_ID 0
#define PCI_CAP_LIST_NEXT 1

/* ECAM: 4 KiB of configuration space per function, 1 MiB per bus. */
#define PCI_ECAM_BUS_SHIFT 20
#define PCI_ECAM_DEV_SHIFT 15
#define PCI_ECAM_FN_SHIFT 12
#define PCI_ECAM_FN_SIZE 4096u

#define PCI_MAX_DEV 32
#define PCI_MAX_FN 8

/* Bridge window granularity (PCI-to-PCI Bridge 1.2, 3.2.5.6 and 3.2.5.8). */
#define PCI_BRIDGE_IO_ALIGN 0x1000ull
#define PCI_BRIDGE_MEM_ALIGN 0x100000ull

/*
 * Host windows by index, so a function's BARs can be placed tentatively
 * against a copy of the cursors.  pci_host_win() maps an index to the
 * struct pci_window of the host.
 */
enum pci_win_id {
	PCI_WIN_NONE = -1,
	PCI_WIN_IO,
	PCI_WIN_MEM32,
	PCI_WIN_PREF32,
	PCI_WIN_MEM64,
	PCI_NWIN,
};

static inline struct pci_window *pci_host_win(struct pci_host *h, int w)
{
	switch (w) {
	case PCI_WIN_IO: return &h->io;
	case PCI_WIN_MEM32: return &h->mem32;
	case PCI_WIN_PREF32: return &h->pref32;
	default: return &h->mem64;
	}
}

/*
 * Where assignment is: the bridge whose secondary bus is being filled
 * (NULL: the root bus), whether I/O reaches it, and the host window that
 * feeds its prefetchable window (PCI_WIN_NONE: none).
 */
struct pci_scope {
	const struct pci_dev *bridge;
	bool io;
	int pref;
};

/* ---- pci_bar.c ---------------------------------------------------------- */

/*
 * Size every BAR of a freshly probed function with its decoding off, and
 * record what firmware left in them (pci_addr).  Sets d->bar[].  Returns
 * 0, or -EBADMSG (reported) for a BAR no driver could use (a 64-bit BAR in
 * the last slot, a reserved memory type); the caller disables d.
 */
int pci_bars_size(struct pci_dev *d);

/* Keep every BAR of an enabled function that firmware placed wholly
 * inside a host window of its space; clear the address of the others. */
void pci_keep_firmware(struct pci_host *h);

/* Place every unassigned BAR of d (a function of scope s), all or
 * nothing, and enable it (bridges: see pci_assign_bridge). */
void pci_assign_fn(struct pci_host *h, struct pci_dev *d, const struct pci_scope *s);

/* The host window BAR b of a function in scope s is placed in, or
 * PCI_WIN_NONE. */
int pci_bar_window(struct pci_host *h, const struct pci_bar *b, const struct pci_scope *s);

/* The host window wholly holding [addr, addr + size) in the space of a
 * BAR of this type, or PCI_WIN_NONE. */
int pci_win_holding(struct pci_host *h, enum pci_bar_type type, u64 addr, u64 size);

/* Move a window's cursor up to a multiple of align (or to its end). */
void pci_win_align(struct pci_host *h, int w, u64 align);

/* Command register: decoding the BARs need (bridges: both) and bus
 * mastering on, enabled = true; or everything off, enabled = false. */
void pci_enable(struct pci_dev *d);
void pci_disable(struct pci_dev *d);

/* "4 KiB", "128 B": the largest unit that divides `size` exactly. */
void pci_size_str(char *buf, size_t len, u64 size);

/* "io", "mem32", "mem64 pref": the kind of a BAR, for messages. */
const char *pci_bar_kind(const struct pci_bar *b);

/* ---- pci_bridge.c ------------------------------------------------------- */

/*
 * Assign addresses to every BAR of every function pci.c found, keeping
 * those firmware placed inside a window; program and enable bridges;
 * enable decoding and bus mastering.  Reports and disables the functions
 * that do not fit (see pci.h).
 */
void pci_assign(struct pci_host *h);

#endif
