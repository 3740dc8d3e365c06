/*
 * drivers/pci/pci.c - PCI host set-up, configuration access and the bus
 * scan (PCI Local Bus 3.0, 6.1; PCI-to-PCI Bridge 1.2, 3.2; PCI Express
 * 4.0, 7.2.2 for ECAM).
 *
 * Configuration space is memory mapped (ECAM): function (bus, dev, fn)
 * occupies the 4 KiB at ecam + ((bus - bus_start) << 20 | dev << 15 |
 * fn << 12).  Accesses are naturally aligned and 1, 2 or 4 bytes wide, the
 * widths every ECAM implementation (and QEMU's) supports.
 *
 * The scan is depth first: every function of a bus is probed (vendor ID
 * 0xffff or 0: absent; functions 1..7 only if function 0 says it is
 * multi-function), its BARs sized on the spot, and then each bridge found
 * on that bus gets the next bus number as its secondary bus and is scanned
 * in turn, with its subordinate bus temporarily at the end of the host's
 * bus range so that configuration cycles reach every bus below it; once
 * its subtree is numbered, subordinate becomes the last bus used.  Bus
 * numbers never leave bus_start..bus_end: those are the only buses the
 * ECAM window covers.  Addresses are assigned after the scan (pci_bar.c),
 * because firmware-assigned BARs anywhere in the hierarchy must be known
 * before the first free address is handed out.
 *
 * Single-threaded, boot time.  Nothing here is safe against a concurrent
 * user of the same function.
 */
#include "drivers/pci/pci_priv.h"

#include "arch/port.h"

#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* ---- configuration access ---------------------------------------------- */

/*
 * CPU address of a configuration register.  A pci_dev is only ever built
 * by the scan, for a bus inside the host's range: anything else is a
 * programming error, as is an access that is not naturally aligned.
 */
static uintptr_t pci_cfg_addr(const struct pci_dev *d, u16 off, unsigned width)
{
	const struct pci_host *h = d->host;

	BUG_ON(off >= PCI_ECAM_FN_SIZE || (off & (width - 1)));
	BUG_ON(d->bus < h->bus_start || d->bus > h->bus_end);
	BUG_ON(d->dev >= PCI_MAX_DEV || d->fn >= PCI_MAX_FN);
	return h->ecam + ((uintptr_t)(d->bus - h->bus_start) << PCI_ECAM_BUS_SHIFT |
			  (uintptr_t)d->dev << PCI_ECAM_DEV_SHIFT |
			  (uintptr_t)d->fn << PCI_ECAM_FN_SHIFT | off);
}

u8 pci_cfg_read8(const struct pci_dev *d, u16 off)
{
	return readb(pci_cfg_addr(d, off, 1));
}

u16 pci_cfg_read16(const struct pci_dev *d, u16 off)
{
	return readw(pci_cfg_addr(d, off, 2));
}

u32 pci_cfg_read32(const struct pci_dev *d, u16 off)
{
	return readl(pci_cfg_addr(d, off, 4));
}

void pci_cfg_write8(const struct pci_dev *d, u16 off, u8 v)
{
	writeb(pci_cfg_addr(d, off, 1), v);
}

void pci_cfg_write16(const struct pci_dev *d, u16 off, u16 v)
{
	writew(pci_cfg_addr(d, off, 2), v);
}

void pci_cfg_write32(const struct pci_dev *d, u16 off, u32 v)
{
	writel(pci_cfg_addr(d, off, 4), v);
}

/* ---- host bridge --------------------------------------------------------- */

static const char *const pci_win_names[PCI_NWIN] = {
	[PCI_WIN_IO] = "io",
	[PCI_WIN_MEM32] = "mem32",
	[PCI_WIN_PREF32] = "mem32 pref",
	[PCI_WIN_MEM64] = "mem64",
};

/*
 * Nothing is ever placed at bus address 0 (a BAR reading 0 means
 * "unassigned"), nor in the legacy ranges PC hardware decodes without a
 * BAR: I/O ports below 0x1000 and memory below 1 MiB (VGA, BIOS).
 */
#define PCI_IO_FLOOR 0x1000ull
#define PCI_MEM_FLOOR 0x100000ull

/* Which host window a "ranges" entry feeds; PCI_WIN_NONE if none. */
static int pci_range_win(const struct dt_pci_range *r)
{
	switch (r->space) {
	case DT_PCI_SPACE_IO: return PCI_WIN_IO;
	case DT_PCI_SPACE_MEM32: return r->prefetch ? PCI_WIN_PREF32 : PCI_WIN_MEM32;
	case DT_PCI_SPACE_MEM64: return PCI_WIN_MEM64;
	default: return PCI_WIN_NONE;
	}
}

/* Take one "ranges" entry as a host window, or say why not. */
static void pci_window_init(struct pci_host *h, const struct dt_pci_range *r)
{
	int id = pci_range_win(r);
	struct pci_window *w;
	u64 size = r->size, end4g = 1ull << 32;

	if (id == PCI_WIN_NONE)
		return; /* configuration space in ranges: ECAM says it all */
	w = pci_host_win(h, id);
	if (w->present) {
		kprintf("pci: second %s window ignored\n", pci_win_names[id]);
		return;
	}
	/* I/O and 32-bit BARs hold 32-bit addresses: clip a window past 4 GiB. */
	if (id != PCI_WIN_MEM64 && r->pci_addr < end4g)
		size = MIN(size, end4g - r->pci_addr);
	if (!size || (id != PCI_WIN_MEM64 && r->pci_addr >= end4g) ||
	    r->pci_addr > UINT64_MAX - size || r->cpu_addr > UINT64_MAX - size ||
	    r->cpu_addr + size - 1 > UINTPTR_MAX) {
		kprintf("pci: %s window 0x%llx+0x%llx unusable, ignored\n", pci_win_names[id],
			(unsigned long long)r->pci_addr, (unsigned long long)r->size);
		return;
	}
	w->pci_base = r->pci_addr;
	w->cpu_base = r->cpu_addr;
	w->size = size;
	w->next = MAX(r->pci_addr, id == PCI_WIN_IO ? PCI_IO_FLOOR : PCI_MEM_FLOOR);
	w->present = true;
}

int pci_host_init(struct pci_host *h, const struct dt_pci_host *dt)
{
	u64 nbus;

	memset(h, 0, sizeof(*h));
	if (!dt->present)
		return -ENODEV;
	if (dt->bus_start > dt->bus_end || dt->bus_end > 255)
		return -EINVAL;
	nbus = dt->bus_end - dt->bus_start + 1;
	/* The whole bus range must be mapped: the scan may touch any bus. */
	if (!dt->ecam_base || dt->ecam_size < nbus << PCI_ECAM_BUS_SHIFT ||
	    dt->ecam_base > UINTPTR_MAX - (nbus << PCI_ECAM_BUS_SHIFT))
		return -EINVAL;
	h->ecam = (uintptr_t)dt->ecam_base;
	h->ecam_size = dt->ecam_size;
	h->bus_start = dt->bus_start;
	h->bus_end = dt->bus_end;
	for (unsigned i = 0; i < dt->nranges && i < DT_MAX_PCI_RANGES; i++)
		pci_window_init(h, &dt->ranges[i]);
	h->next_bus = h->bus_start + 1;
	return 0;
}

/* ---- scan ---------------------------------------------------------------- */

static void pci_scan_bus(struct pci_host *h, u32 bus, struct pci_dev *parent);

/* Read the identity of a present function into d. */
static void pci_read_ident(struct pci_dev *d)
{
	u32 class_rev = pci_cfg_read32(d, PCI_REVISION_ID);

	d->vendor_id = pci_cfg_read16(d, PCI_VENDOR_ID);
	d->device_id = pci_cfg_read16(d, PCI_DEVICE_ID);
	d->revision = (u8)class_rev;
	d->class_code = class_rev >> 8;
	d->header_type = pci_cfg_read8(d, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
	d->irq_pin = pci_cfg_read8(d, PCI_INTERRUPT_PIN);
	if (d->irq_pin > 4)
		d->irq_pin = 0; /* reserved values: treat as "no INTx" */
	if (d->header_type == PCI_HEADER_TYPE_NORMAL) {
		d->subsys_vendor = pci_cfg_read16(d, PCI_SUBSYSTEM_VENDOR_ID);
		d->subsys_id = pci_cfg_read16(d, PCI_SUBSYSTEM_ID);
	}
	snprintf(d->name, sizeof(d->name), "%02x:%02x.%u", d->bus, d->dev, d->fn);
}

/*
 * Probe (bus, dev, fn).  Returns its header type register (bit 7: multi-
 * function) if a function answers, and records it in h->devs; -ENODEV if
 * nothing answers; -ENOSPC if it answers but h->devs is full.
 */
static int pci_probe_fn(struct pci_host *h, u32 bus, u8 dev, u8 fn, struct pci_dev *parent)
{
	struct pci_dev probe = { .host = h, .bus = (u8)bus, .dev = dev, .fn = fn };
	struct pci_dev *d;
	u16 vendor = pci_cfg_read16(&probe, PCI_VENDOR_ID);
	u8 hdr;

	/* All-ones: no function (the host completes the read with ~0);
	 * 0: some bridges' answer for an empty slot. */
	if (vendor == 0xffff || vendor == 0)
		return -ENODEV;
	hdr = pci_cfg_read8(&probe, PCI_HEADER_TYPE);
	if (h->ndevs == PCI_MAX_DEVS) {
		kprintf("pci %02x:%02x.%u: more than %u functions: ignored\n", (unsigned)bus, dev,
			fn, PCI_MAX_DEVS);
		return -ENOSPC;
	}
	d = &h->devs[h->ndevs++];
	*d = probe;
	d->parent = parent;
	pci_read_ident(d);
	if (d->header_type > PCI_HEADER_TYPE_BRIDGE) {
		/* CardBus bridges and reserved types: no driver, no BARs we know. */
		kprintf("pci %s: header type %u not supported: disabled\n", d->name,
			d->header_type);
		return hdr;
	}
	/* Candidate until pci_assign() says otherwise (pci_priv.h). */
	d->enabled = pci_bars_size(d) == 0;
	return hdr;
}

/* Every function of one device (slot). */
static void pci_scan_slot(struct pci_host *h, u32 bus, u8 dev, struct pci_dev *parent)
{
	int hdr = pci_probe_fn(h, bus, dev, 0, parent);

	/*
	 * Functions 1..7 are probed only when function 0 exists and says it
	 * is multi-function: a single-function device may decode only the
	 * device number and answer as the same function eight times.
	 */
	if (hdr < 0 || !(hdr & PCI_HEADER_MULTI_FUNC))
		return;
	for (u8 fn = 1; fn < PCI_MAX_FN; fn++)
		pci_probe_fn(h, bus, dev, fn, parent);
}

/* Set a bridge's bus numbers (the 3 bytes at 0x18; 0x1b is a timer). */
static void pci_bridge_set_buses(struct pci_dev *b, u8 primary, u8 secondary, u8 subordinate)
{
	pci_cfg_write8(b, PCI_PRIMARY_BUS, primary);
	pci_cfg_write8(b, PCI_SECONDARY_BUS, secondary);
	pci_cfg_write8(b, PCI_SUBORDINATE_BUS, subordinate);
}

/* Number a bridge's secondary bus and scan everything behind it. */
static void pci_scan_bridge(struct pci_host *h, struct pci_dev *b)
{
	u8 sec;

	if (h->next_bus > h->bus_end) {
		kprintf("pci %s: no bus number left in %02x-%02x: not scanned behind\n", b->name,
			(unsigned)h->bus_start, (unsigned)h->bus_end);
		b->enabled = false;
		return;
	}
	sec = (u8)h->next_bus++;
	b->secondary = sec;
	/*
	 * A bridge forwards type 1 configuration cycles for buses
	 * secondary..subordinate: open it up to the last bus the host
	 * decodes while we do not know how deep the subtree goes.
	 */
	pci_bridge_set_buses(b, b->bus, sec, (u8)h->bus_end);
	pci_scan_bus(h, sec, b);
	b->subordinate = (u8)(h->next_bus - 1);
	pci_bridge_set_buses(b, b->bus, sec, b->subordinate);
}

static void pci_scan_bus(struct pci_host *h, u32 bus, struct pci_dev *parent)
{
	unsigned first = h->ndevs, last;

	for (u8 dev = 0; dev < PCI_MAX_DEV; dev++)
		pci_scan_slot(h, bus, dev, parent);
	last = h->ndevs;
	/*
	 * Close every bridge of this bus before numbering any: stale numbers
	 * (from firmware or an earlier scan) in a sibling not yet renumbered
	 * would make it claim the buses handed to the one being scanned.
	 */
	for (unsigned i = first; i < last; i++)
		if (h->devs[i].header_type == PCI_HEADER_TYPE_BRIDGE)
			pci_bridge_set_buses(&h->devs[i], (u8)bus, 0, 0);
	for (unsigned i = first; i < last; i++)
		if (h->devs[i].header_type == PCI_HEADER_TYPE_BRIDGE)
			pci_scan_bridge(h, &h->devs[i]);
}

int pci_enumerate(struct pci_host *h)
{
	if (!h->ecam)
		return -ENODEV; /* pci_host_init() failed or was not called */
	memset(h->devs, 0, sizeof(h->devs));
	h->ndevs = 0;
	h->next_bus = h->bus_start + 1;
	pci_scan_bus(h, h->bus_start, NULL);
	pci_assign(h);
	for (unsigned i = 0; i < h->ndevs; i++)
		pci_print(&h->devs[i]);
	return (int)h->ndevs;
}

/* ---- lspci-like line ------------------------------------------------------ */

static void pci_print_bar(const struct pci_dev *d, unsigned i)
{
	const struct pci_bar *b = &d->bar[i];
	char size[24];

	pci_size_str(size, sizeof(size), b->size);
	if (b->assigned)
		kprintf(" BAR%u %s 0x%llx (%s)", i, pci_bar_kind(b),
			(unsigned long long)b->pci_addr, size);
	else
		kprintf(" BAR%u %s unassigned (%s)", i, pci_bar_kind(b), size);
}

static void pci_print_win(const char *what, const struct pci_bridge_win *w)
{
	if (w->open)
		kprintf(" %s 0x%llx-0x%llx", what, (unsigned long long)w->base,
			(unsigned long long)w->limit);
}

/*
 * One line per function, printed in pieces so that no buffer limits its
 * length: "pci 00:02.0 [1af4:1042] class 010000 rev 01 INTA BAR1 mem32
 * 0x10001000 (4 KiB) ...", bus addresses (I/O: port numbers), and for a
 * bridge its buses and forwarding windows.
 */
void pci_print(const struct pci_dev *d)
{
	kprintf("pci %s [%04x:%04x] class %06x rev %02x", d->name, d->vendor_id, d->device_id,
		(unsigned)d->class_code, d->revision);
	if (d->irq_pin)
		kprintf(" INT%c", 'A' + d->irq_pin - 1);
	for (unsigned i = 0; i < ARRAY_SIZE(d->bar); i++)
		if (d->bar[i].size)
			pci_print_bar(d, i);
	if (d->header_type == PCI_HEADER_TYPE_BRIDGE && d->secondary) {
		kprintf(" bridge [bus %02x-%02x]", d->secondary, d->subordinate);
		pci_print_win("io", &d->io_win);
		pci_print_win("mem", &d->mem_win);
		pci_print_win("pref", &d->pref_win);
	}
	kprintf(d->enabled ? "\n" : " disabled\n");
}
