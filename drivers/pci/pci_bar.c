/*
 * drivers/pci/pci_bar.c - BAR sizing and placement (PCI Local Bus 3.0,
 * 6.2.5.1).
 *
 * Sizing: with the function's decoding off, each BAR is written all-ones
 * and read back; the address bits that stuck give the size (the lowest
 * one), the low bits the type; the old value is written back.
 *
 * Placement (called by the walk over the hierarchy in pci_bridge.c):
 *  - BARs firmware placed (non-zero, wholly inside a host window of the
 *    right space) are kept as they are;
 *  - every other BAR gets the first address, aligned to its size, after
 *    the cursor of its host window that overlaps no BAR already placed.
 *    I/O BARs come from the I/O window; 32-bit ones from mem32
 *    (prefetchable ones from a prefetchable 32-bit window if the host has
 *    one); 64-bit ones from mem64 when the host has it, else below 4 GiB.
 *    Behind a bridge, which forwards non-prefetchable memory only below
 *    4 GiB, a non-prefetchable 64-bit BAR goes to mem32 and a prefetchable
 *    one to the host window feeding the bridge's prefetchable window.
 *  - A function's BARs are placed largest first on a copy of the cursors
 *    and committed only if all fit: a function that does not fit is
 *    reported and left with decoding off, and nothing else notices.
 *
 * Invariant: cursors only move forward, so everything we place lies below
 * every cursor and no two placed BARs overlap.
 */
#include "drivers/pci/pci_priv.h"

#include "lib/errno.h"
#include "lib/printf.h"

/* ---- naming -------------------------------------------------------------- */

const char *pci_bar_kind(const struct pci_bar *b)
{
	switch (b->type) {
	case PCI_BAR_IO: return "io";
	case PCI_BAR_MEM32: return b->prefetch ? "mem32 pref" : "mem32";
	case PCI_BAR_MEM64: return b->prefetch ? "mem64 pref" : "mem64";
	default: return "none";
	}
}

void pci_size_str(char *buf, size_t len, u64 size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;

	while (u + 1 < ARRAY_SIZE(units) && size && !(size & 1023)) {
		size >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)size, units[u]);
}

/* ---- sizing -------------------------------------------------------------- */

/* Write all-ones to a BAR register, return what sticks, restore it. */
static u32 pci_bar_sizing_read(struct pci_dev *d, u16 reg, u32 orig)
{
	u32 v;

	pci_cfg_write32(d, reg, ~0u);
	v = pci_cfg_read32(d, reg);
	pci_cfg_write32(d, reg, orig);
	return v;
}

/*
 * Size BAR i of nbars.  The size is the lowest address bit that sticks
 * (Linux's rule; it also copes with I/O BARs whose upper 16 bits read 0).
 * Returns the number of BAR slots it takes (1, or 2 for a 64-bit BAR), or
 * -EBADMSG for a layout no driver can use.
 */
static int pci_bar_probe(struct pci_dev *d, unsigned i, unsigned nbars)
{
	u16 reg = (u16)(PCI_BASE_ADDRESS_0 + 4 * i);
	struct pci_bar *b = &d->bar[i];
	u32 orig = pci_cfg_read32(d, reg), lo = pci_bar_sizing_read(d, reg, orig);
	u32 orig_hi = 0, hi = 0;
	int slots = 1;
	u64 mask;

	if (!lo)
		return 1; /* not implemented: hardwired to 0 */
	if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
		b->type = PCI_BAR_IO;
		mask = lo & PCI_BASE_ADDRESS_IO_MASK;
		b->pci_addr = orig & PCI_BASE_ADDRESS_IO_MASK;
	} else {
		switch (lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) {
		case PCI_BASE_ADDRESS_MEM_TYPE_32:
		case PCI_BASE_ADDRESS_MEM_TYPE_1M: b->type = PCI_BAR_MEM32; break;
		case PCI_BASE_ADDRESS_MEM_TYPE_64:
			if (i + 1 >= nbars) {
				kprintf("pci %s: BAR%u is 64-bit but the last BAR\n", d->name, i);
				return -EBADMSG;
			}
			b->type = PCI_BAR_MEM64;
			slots = 2;
			orig_hi = pci_cfg_read32(d, reg + 4);
			hi = pci_bar_sizing_read(d, reg + 4, orig_hi);
			break;
		default:
			kprintf("pci %s: BAR%u has reserved type 0x%x\n", d->name, i, lo & 0xf);
			return -EBADMSG;
		}
		b->prefetch = (lo & PCI_BASE_ADDRESS_MEM_PREFETCH) != 0;
		mask = (u64)hi << 32 | (lo & PCI_BASE_ADDRESS_MEM_MASK);
		b->pci_addr = (u64)orig_hi << 32 | (orig & PCI_BASE_ADDRESS_MEM_MASK);
	}
	if (mask)
		b->size = mask & (~mask + 1);
	else
		*b = (struct pci_bar){ .type = PCI_BAR_NONE }; /* type bits only: unusable */
	return slots;
}

int pci_bars_size(struct pci_dev *d)
{
	unsigned nbars = d->header_type == PCI_HEADER_TYPE_BRIDGE ? 2 : 6;
	u16 cmd = pci_cfg_read16(d, PCI_COMMAND);
	u16 decode = PCI_COMMAND_IO | PCI_COMMAND_MEMORY;
	int n = 0;

	/*
	 * With decoding on, a BAR holding all-ones would claim the top of the
	 * address space (and whatever a live bus sends there) while we size.
	 * 16-bit access: a 32-bit write would also hit the RW1C status bits.
	 */
	if (cmd & decode)
		pci_cfg_write16(d, PCI_COMMAND, cmd & ~decode);
	for (unsigned i = 0; i < nbars; i += (unsigned)n) {
		n = pci_bar_probe(d, i, nbars);
		if (n < 0)
			break;
	}
	if (cmd & decode)
		pci_cfg_write16(d, PCI_COMMAND, cmd);
	return n < 0 ? n : 0;
}

/* ---- host windows -------------------------------------------------------- */

int pci_win_holding(struct pci_host *h, enum pci_bar_type type, u64 addr, u64 size)
{
	for (int w = 0; w < PCI_NWIN; w++) {
		const struct pci_window *win = pci_host_win(h, w);

		if (!win->present || (w == PCI_WIN_IO) != (type == PCI_BAR_IO))
			continue;
		if (addr >= win->pci_base && size <= win->size &&
		    addr - win->pci_base <= win->size - size)
			return w;
	}
	return PCI_WIN_NONE;
}

/* A kept or placed BAR overlapping [a, a + size) in the same space. */
static const struct pci_bar *pci_bar_overlap(struct pci_host *h, bool io, u64 a, u64 size)
{
	for (unsigned i = 0; i < h->ndevs; i++) {
		for (unsigned j = 0; j < ARRAY_SIZE(h->devs[i].bar); j++) {
			const struct pci_bar *b = &h->devs[i].bar[j];

			if (b->assigned && (b->type == PCI_BAR_IO) == io &&
			    a < b->pci_addr + b->size && b->pci_addr < a + size)
				return b;
		}
	}
	return NULL;
}

/*
 * First address >= *next in window w, aligned to size (a power of two),
 * overlapping no assigned BAR.  Advances *next past it.  0 or -ENOSPC.
 * Window ends do not wrap (pci_host_init()), so neither does end below.
 */
static int pci_win_alloc(struct pci_host *h, int w, u64 *next, u64 size, u64 *addr)
{
	const struct pci_window *win = pci_host_win(h, w);
	u64 end = win->pci_base + win->size, a = *next;
	const struct pci_bar *k;

	for (;;) {
		u64 up = (size - (a & (size - 1))) & (size - 1);

		if (a > end || up > end - a || size > end - a - up)
			return -ENOSPC;
		a += up;
		k = pci_bar_overlap(h, w == PCI_WIN_IO, a, size);
		if (!k)
			break;
		a = k->pci_addr + k->size; /* strictly beyond a: no endless loop */
	}
	*addr = a;
	*next = a + size;
	return 0;
}

void pci_win_align(struct pci_host *h, int w, u64 align)
{
	struct pci_window *win = pci_host_win(h, w);
	u64 end = win->pci_base + win->size, up = (align - (win->next & (align - 1))) & (align - 1);

	win->next = up > end - MIN(win->next, end) ? end : win->next + up;
}

int pci_bar_window(struct pci_host *h, const struct pci_bar *b, const struct pci_scope *s)
{
	switch (b->type) {
	case PCI_BAR_IO: return s->io && h->io.present ? PCI_WIN_IO : PCI_WIN_NONE;
	case PCI_BAR_MEM32:
		if (b->prefetch && s->pref == PCI_WIN_PREF32)
			return PCI_WIN_PREF32;
		if (b->prefetch && !s->bridge && h->pref32.present)
			return PCI_WIN_PREF32;
		break;
	case PCI_BAR_MEM64:
		if (b->prefetch && s->pref != PCI_WIN_NONE)
			return s->pref;
		if (!s->bridge && h->mem64.present)
			return PCI_WIN_MEM64;
		break;
	default: return PCI_WIN_NONE;
	}
	return h->mem32.present ? PCI_WIN_MEM32 : PCI_WIN_NONE;
}

/* ---- functions ----------------------------------------------------------- */

/* Clear these command bits (16-bit write: STATUS bits are RW1C). */
static void pci_cmd_clear(struct pci_dev *d, u16 bits)
{
	u16 cmd = pci_cfg_read16(d, PCI_COMMAND);

	if (cmd & bits)
		pci_cfg_write16(d, PCI_COMMAND, cmd & ~bits);
}

static void pci_decode_off(struct pci_dev *d)
{
	pci_cmd_clear(d, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
}

void pci_disable(struct pci_dev *d)
{
	pci_cmd_clear(d, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	d->enabled = false;
}

void pci_enable(struct pci_dev *d)
{
	u16 cmd = pci_cfg_read16(d, PCI_COMMAND) | PCI_COMMAND_MASTER;

	if (d->header_type == PCI_HEADER_TYPE_BRIDGE)
		cmd |= PCI_COMMAND_IO | PCI_COMMAND_MEMORY;
	for (unsigned i = 0; i < ARRAY_SIZE(d->bar); i++) {
		if (d->bar[i].type == PCI_BAR_IO)
			cmd |= PCI_COMMAND_IO;
		else if (d->bar[i].type != PCI_BAR_NONE)
			cmd |= PCI_COMMAND_MEMORY;
	}
	pci_cfg_write16(d, PCI_COMMAND, cmd);
	d->enabled = true;
}

static void pci_bar_set(struct pci_host *h, struct pci_bar *b, int w, u64 addr)
{
	const struct pci_window *win = pci_host_win(h, w);

	b->pci_addr = addr;
	b->cpu_addr = win->cpu_base + (addr - win->pci_base);
	b->assigned = true;
}

void pci_keep_firmware(struct pci_host *h)
{
	for (unsigned i = 0; i < h->ndevs; i++) {
		for (unsigned j = 0; j < ARRAY_SIZE(h->devs[i].bar); j++) {
			struct pci_bar *b = &h->devs[i].bar[j];
			int w;

			if (!h->devs[i].enabled || !b->size || !b->pci_addr)
				continue;
			w = pci_win_holding(h, b->type, b->pci_addr, b->size);
			if (w != PCI_WIN_NONE)
				pci_bar_set(h, b, w, b->pci_addr);
			else
				b->pci_addr = 0; /* nothing routes it there: reassign */
		}
	}
}

static void pci_no_fit(struct pci_dev *d, unsigned i)
{
	char size[24];

	pci_size_str(size, sizeof(size), d->bar[i].size);
	kprintf("pci %s: BAR%u (%s %s) does not fit in any window: device disabled\n", d->name, i,
		size, pci_bar_kind(&d->bar[i]));
	pci_disable(d);
}

void pci_assign_fn(struct pci_host *h, struct pci_dev *d, const struct pci_scope *s)
{
	u64 next[PCI_NWIN], addr[6];
	int win[6];
	unsigned order[6], n = 0;

	for (int w = 0; w < PCI_NWIN; w++)
		next[w] = pci_host_win(h, w)->next;
	/* Largest first: each is aligned to its size, so this packs best. */
	for (unsigned i = 0; i < ARRAY_SIZE(d->bar); i++) {
		unsigned k;

		if (!d->bar[i].size || d->bar[i].assigned)
			continue;
		for (k = n++; k && d->bar[order[k - 1]].size < d->bar[i].size; k--)
			order[k] = order[k - 1];
		order[k] = i;
	}
	for (unsigned k = 0; k < n; k++) {
		unsigned i = order[k];
		struct pci_bar *b = &d->bar[i];

		win[i] = pci_bar_window(h, b, s);
		if (win[i] == PCI_WIN_NONE ||
		    pci_win_alloc(h, win[i], &next[win[i]], b->size, &addr[i])) {
			pci_no_fit(d, i);
			return;
		}
	}
	for (int w = 0; w < PCI_NWIN; w++)
		pci_host_win(h, w)->next = next[w];
	/* Firmware may have left decoding on: never let a half-written BAR
	 * (a 64-bit one is two writes) decode. */
	if (n)
		pci_decode_off(d);
	for (unsigned k = 0; k < n; k++) {
		unsigned i = order[k];
		u16 reg = (u16)(PCI_BASE_ADDRESS_0 + 4 * i);

		pci_bar_set(h, &d->bar[i], win[i], addr[i]);
		pci_cfg_write32(d, reg, (u32)addr[i]);
		if (d->bar[i].type == PCI_BAR_MEM64)
			pci_cfg_write32(d, reg + 4, (u32)(addr[i] >> 32));
	}
	/* A bridge forwards only once its windows are set (pci_assign_bridge). */
	if (d->header_type != PCI_HEADER_TYPE_BRIDGE)
		pci_enable(d);
}
