/*
 * drivers/pci/pci_bridge.c - the assignment walk over the hierarchy and
 * bridge windows (PCI-to-PCI Bridge 1.2, 3.2.5).
 *
 * pci_assign() runs once the whole hierarchy is scanned: firmware BARs
 * are claimed first (they must be known before the first free address is
 * handed out), then every bus is filled, depth first: the functions of
 * the bus (pci_bar.c), then the subtree of each of its bridges.
 *
 * Behind a bridge, the cursors of the host windows its subtree will use
 * are first aligned to the bridge's window granularity (4 KiB I/O, 1 MiB
 * memory), the subtree is placed from the same host windows, and the
 * bridge's I/O, memory and prefetchable windows are set to cover what its
 * subtree got, rounded out to the granularity; the cursors then move past
 * them, so nothing placed later falls inside.  The prefetchable window is
 * fed by mem64 only if every bridge on the way has a 64-bit one; the
 * memory window is 32-bit by definition.  A bridge that cannot forward
 * (its own BARs did not fit, no bus number was left) takes its whole
 * subtree down with it, reported.
 *
 * Limitation: a BAR firmware placed behind a bridge far away from the rest
 * of that subtree widens the bridge's window over whatever lies in
 * between; only mixed firmware/unassigned hierarchies can do that.
 */
#include "drivers/pci/pci_priv.h"

#include "lib/printf.h"

/* Bridge windows, as indices into a span array. */
enum { PCI_FWD_IO, PCI_FWD_MEM, PCI_FWD_PREF, PCI_NFWD };

/* Address span of the BARs one bridge window must forward. */
struct pci_span {
	u64 lo, hi; /* [lo, hi), hi exclusive */
	bool any;
};

static bool pci_is_behind(const struct pci_dev *d, const struct pci_dev *b)
{
	for (const struct pci_dev *p = d->parent; p; p = p->parent)
		if (p == b)
			return true;
	return false;
}

/*
 * What reaches b's secondary side: I/O if b implements an I/O window (its
 * base register is then writable), prefetchable memory from s->pref if b
 * implements a prefetchable window wide enough.  Probing leaves the
 * windows closed until pci_bridge_program().
 */
static void pci_child_scope(struct pci_host *h, struct pci_dev *b, const struct pci_scope *s,
			    struct pci_scope *cs)
{
	u16 pref;

	cs->bridge = b;
	pci_cfg_write8(b, PCI_IO_LIMIT, 0);
	pci_cfg_write8(b, PCI_IO_BASE, 0xf0);
	cs->io = s->io && pci_cfg_read8(b, PCI_IO_BASE) != 0;
	pci_cfg_write16(b, PCI_PREF_MEMORY_LIMIT, 0);
	pci_cfg_write16(b, PCI_PREF_MEMORY_BASE, 0xfff0);
	pref = pci_cfg_read16(b, PCI_PREF_MEMORY_BASE);
	cs->pref = s->pref;
	if (!pref)
		cs->pref = PCI_WIN_NONE;
	else if (cs->pref == PCI_WIN_MEM64 &&
		 (pref & PCI_PREF_RANGE_TYPE_MASK) != PCI_PREF_RANGE_TYPE_64)
		cs->pref = !s->bridge && h->pref32.present ? PCI_WIN_PREF32 : PCI_WIN_NONE;
}

/* Which window of the bridge of scope cs must forward BAR b. */
static int pci_fwd_kind(struct pci_host *h, const struct pci_bar *b, const struct pci_scope *cs)
{
	if (b->type == PCI_BAR_IO)
		return PCI_FWD_IO;
	if (cs->pref != PCI_WIN_NONE &&
	    pci_win_holding(h, b->type, b->pci_addr, b->size) == cs->pref)
		return PCI_FWD_PREF;
	return PCI_FWD_MEM;
}

static void pci_span_add(struct pci_span *s, u64 lo, u64 hi)
{
	s->lo = s->any ? MIN(s->lo, lo) : lo;
	s->hi = s->any ? MAX(s->hi, hi) : hi;
	s->any = true;
}

/* The spans b's windows must cover: enabled BARs and windows behind it. */
static void pci_subtree_spans(struct pci_host *h, const struct pci_scope *cs,
			      struct pci_span span[PCI_NFWD])
{
	for (unsigned i = 0; i < h->ndevs; i++) {
		const struct pci_dev *d = &h->devs[i];
		const struct pci_bridge_win *bw[PCI_NFWD] = { &d->io_win, &d->mem_win,
							      &d->pref_win };

		if (!d->enabled || !pci_is_behind(d, cs->bridge))
			continue;
		for (unsigned j = 0; j < ARRAY_SIZE(d->bar); j++)
			if (d->bar[j].assigned)
				pci_span_add(&span[pci_fwd_kind(h, &d->bar[j], cs)],
					     d->bar[j].pci_addr,
					     d->bar[j].pci_addr + d->bar[j].size);
		for (unsigned k = 0; k < PCI_NFWD; k++)
			if (bw[k]->open)
				pci_span_add(&span[k], bw[k]->base, bw[k]->limit + 1);
	}
}

/* Round a span out to a bridge window and move host cursors past it. */
static void pci_bridge_win_set(struct pci_host *h, struct pci_bridge_win *bw,
			       const struct pci_span *s, u64 gran, bool io)
{
	*bw = (struct pci_bridge_win){ .open = s->any };
	if (!s->any)
		return;
	bw->base = s->lo & ~(gran - 1);
	bw->limit = (s->hi - 1) | (gran - 1);
	/* Rounding may run past the end of a host window that is not aligned
	 * to the granularity: then its cursor goes to the end. */
	for (int w = 0; w < PCI_NWIN; w++) {
		struct pci_window *win = pci_host_win(h, w);
		u64 last = win->pci_base + win->size - 1;

		if (win->present && (w == PCI_WIN_IO) == io && bw->base <= last &&
		    bw->limit >= win->pci_base)
			win->next = MAX(win->next, MIN(bw->limit, last) + 1);
	}
}

/* Registers of PCI-to-PCI Bridge 1.2, 3.2.5.6-3.2.5.10; closed: base > limit. */
static void pci_bridge_program(struct pci_dev *b)
{
	const struct pci_bridge_win *io = &b->io_win, *mem = &b->mem_win, *pref = &b->pref_win;

	pci_cfg_write8(b, PCI_IO_BASE, io->open ? (u8)((io->base >> 8) & 0xf0) : 0xf0);
	pci_cfg_write8(b, PCI_IO_LIMIT, io->open ? (u8)((io->limit >> 8) & 0xf0) : 0);
	pci_cfg_write16(b, PCI_IO_BASE_UPPER16, io->open ? (u16)(io->base >> 16) : 0);
	pci_cfg_write16(b, PCI_IO_LIMIT_UPPER16, io->open ? (u16)(io->limit >> 16) : 0);
	pci_cfg_write16(b, PCI_MEMORY_BASE, mem->open ? (u16)((mem->base >> 16) & 0xfff0) : 0xfff0);
	pci_cfg_write16(b, PCI_MEMORY_LIMIT, mem->open ? (u16)((mem->limit >> 16) & 0xfff0) : 0);
	pci_cfg_write16(b, PCI_PREF_MEMORY_BASE,
			pref->open ? (u16)((pref->base >> 16) & 0xfff0) : 0xfff0);
	pci_cfg_write16(b, PCI_PREF_MEMORY_LIMIT,
			pref->open ? (u16)((pref->limit >> 16) & 0xfff0) : 0);
	pci_cfg_write32(b, PCI_PREF_BASE_UPPER32, pref->open ? (u32)(pref->base >> 32) : 0);
	pci_cfg_write32(b, PCI_PREF_LIMIT_UPPER32, pref->open ? (u32)(pref->limit >> 32) : 0);
	if (mem->open && mem->limit >> 32)
		kprintf("pci %s: memory behind it above 4 GiB cannot be forwarded\n", b->name);
}

static void pci_assign_bus(struct pci_host *h, const struct pci_scope *s);

/* A bridge, its subtree, then its windows (header comment). */
static void pci_assign_bridge(struct pci_host *h, struct pci_dev *b, const struct pci_scope *s)
{
	struct pci_scope cs;
	struct pci_span span[PCI_NFWD] = { 0 };

	if (!b->enabled) {
		for (unsigned i = 0; i < h->ndevs; i++) {
			if (!pci_is_behind(&h->devs[i], b))
				continue;
			if (h->devs[i].enabled)
				kprintf("pci %s: behind disabled bridge %s: device disabled\n",
					h->devs[i].name, b->name);
			pci_disable(&h->devs[i]);
		}
		return;
	}
	pci_child_scope(h, b, s, &cs);
	/* The subtree's windows start aligned, so rounding their base down
	 * cannot cover anything placed before.  Aligning a window nothing
	 * behind the bridge uses would only waste space: skip those. */
	for (unsigned i = 0; i < h->ndevs; i++) {
		const struct pci_dev *d = &h->devs[i];

		if (!d->enabled || !pci_is_behind(d, b))
			continue;
		for (unsigned j = 0; j < ARRAY_SIZE(d->bar); j++) {
			const struct pci_bar *x = &d->bar[j];
			int w = x->size && !x->assigned ? pci_bar_window(h, x, &cs) : PCI_WIN_NONE;

			if (w != PCI_WIN_NONE)
				pci_win_align(h, w,
					      w == PCI_WIN_IO ? PCI_BRIDGE_IO_ALIGN
							      : PCI_BRIDGE_MEM_ALIGN);
		}
	}
	pci_assign_bus(h, &cs);
	pci_subtree_spans(h, &cs, span);
	pci_bridge_win_set(h, &b->io_win, &span[PCI_FWD_IO], PCI_BRIDGE_IO_ALIGN, true);
	pci_bridge_win_set(h, &b->mem_win, &span[PCI_FWD_MEM], PCI_BRIDGE_MEM_ALIGN, false);
	pci_bridge_win_set(h, &b->pref_win, &span[PCI_FWD_PREF], PCI_BRIDGE_MEM_ALIGN, false);
	pci_bridge_program(b);
	pci_enable(b);
}

/* The functions of one bus, then the subtrees of its bridges. */
static void pci_assign_bus(struct pci_host *h, const struct pci_scope *s)
{
	for (unsigned i = 0; i < h->ndevs; i++) {
		struct pci_dev *d = &h->devs[i];

		if (d->parent != s->bridge)
			continue;
		if (d->enabled)
			pci_assign_fn(h, d, s);
		else
			pci_disable(d);
	}
	for (unsigned i = 0; i < h->ndevs; i++)
		if (h->devs[i].parent == s->bridge &&
		    h->devs[i].header_type == PCI_HEADER_TYPE_BRIDGE)
			pci_assign_bridge(h, &h->devs[i], s);
}

void pci_assign(struct pci_host *h)
{
	struct pci_scope root = { .bridge = NULL, .io = true, .pref = PCI_WIN_NONE };

	if (h->mem64.present)
		root.pref = PCI_WIN_MEM64;
	else if (h->pref32.present)
		root.pref = PCI_WIN_PREF32;
	pci_keep_firmware(h);
	pci_assign_bus(h, &root);
}
