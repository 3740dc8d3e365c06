/*
 * drivers/pci/pci_bar.c - BAR sizing and assignment, bridge windows
 * (PCI Local Bus 3.0, 6.2.5.1; PCI-to-PCI Bridge 1.2, 3.2.5).
 *
 * Sizing: with the function's decoding off, each BAR is written all-ones
 * and read back; the address bits that stuck give the size (the lowest
 * one), the low bits the type; the old value is written back.
 *
 * Assignment, once the whole hierarchy is scanned:
 *  1. BARs firmware placed (non-zero, wholly inside a host window of the
 *     right space) are kept as they are.
 *  2. Every other BAR gets the first address, aligned to its size, after
 *     the cursor of its host window that overlaps no kept BAR.  I/O BARs
 *     come from the I/O window; 32-bit ones from mem32 (prefetchable ones
 *     from a prefetchable 32-bit window if the host has one); 64-bit ones
 *     from mem64 when the host has it, else below 4 GiB.  A function's
 *     BARs are placed largest first on a copy of the cursors, committed
 *     only if all fit: a function that does not fit is reported and left
 *     with decoding off, and nothing else notices.
 *  3. Behind a bridge, the cursors are first aligned to the bridge's
 *     window granularity (4 KiB I/O, 1 MiB memory), the subtree is
 *     assigned from the same host windows, and the bridge's windows are
 *     set to cover what its subtree got, rounded out to the granularity;
 *     the cursors then move past them.  A bridge forwards non-prefetchable
 *     memory only below 4 GiB, so behind one a non-prefetchable 64-bit BAR
 *     is placed in mem32, and a prefetchable one in the host window that
 *     feeds the bridge's prefetchable window (mem64 if every bridge on the
 *     way has a 64-bit one).
 *
 * Invariants: cursors only move forward, so everything we place lies
 * below every cursor and no two placed BARs overlap.  Limitation: a BAR
 * firmware placed behind a bridge far away from the rest of that
 * subtree widens the bridge's window over whatever lies in between; only
 * mixed firmware/unassigned hierarchies can do that.
 */
#include "drivers/pci/pci_priv.h"

#include "lib/errno.h"
#include "lib/printf.h"

/* Where assignment is: the bridge whose secondary bus is being filled
 * (NULL: the root bus), whether I/O reaches it, and the host window that
 * feeds its prefetchable window (PCI_WIN_NONE: none). */
struct pci_scope {
	const struct pci_dev *bridge;
	bool io;
	int pref;
};

/* Bridge windows, as indices into a span array. */
enum { PCI_FWD_IO, PCI_FWD_MEM, PCI_FWD_PREF, PCI_NFWD };

/* Address span of the BARs one bridge window must forward. */
struct pci_span {
	u64 lo, hi; /* [lo, hi), hi exclusive */
	bool any;
};

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

/* The host window wholly holding [addr, addr + size) in the space of a
 * BAR of this type, or PCI_WIN_NONE. */
static int pci_win_holding(struct pci_host *h, enum pci_bar_type type, u64 addr, u64 size)
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

/* Move a window's cursor up to a multiple of align (or to its end). */
static void pci_win_align(struct pci_host *h, int w, u64 align)
{
	struct pci_window *win = pci_host_win(h, w);
	u64 end = win->pci_base + win->size, up = (align - (win->next & (align - 1))) & (align - 1);

	win->next = up > end - MIN(win->next, end) ? end : win->next + up;
}

/* Which host window BAR b of a function in scope s is placed in. */
static int pci_bar_window(struct pci_host *h, const struct pci_bar *b, const struct pci_scope *s)
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

static void pci_disable(struct pci_dev *d)
{
	u16 cmd = pci_cfg_read16(d, PCI_COMMAND);
	u16 off = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

	if (cmd & off)
		pci_cfg_write16(d, PCI_COMMAND, cmd & ~off);
	d->enabled = false;
}

/* Decode what the BARs need (bridges: forward both), master always. */
static void pci_enable(struct pci_dev *d)
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

/* Step 1 of the header comment: keep what firmware placed in a window. */
static void pci_keep_firmware(struct pci_host *h)
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

/* Place every unassigned BAR of d, all or nothing (header comment, 2). */
static void pci_assign_fn(struct pci_host *h, struct pci_dev *d, const struct pci_scope *s)
{
	u64 next[PCI_NWIN], addr[6];
	int win[6];
	unsigned order[6], n = 0;
	char size[24];

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
			pci_size_str(size, sizeof(size), b->size);
			kprintf("pci %s: BAR%u (%s %s) does not fit in any window: device disabled\n",
				d->name, i, size, pci_bar_kind(b));
			pci_disable(d);
			return;
		}
	}
	for (int w = 0; w < PCI_NWIN; w++)
		pci_host_win(h, w)->next = next[w];
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

/* ---- bridges ------------------------------------------------------------- */

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
	if (cs->pref != PCI_WIN_NONE && pci_win_holding(h, b->type, b->pci_addr, b->size) == cs->pref)
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
					     d->bar[j].pci_addr, d->bar[j].pci_addr + d->bar[j].size);
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
	for (int w = 0; w < PCI_NWIN; w++) {
		struct pci_window *win = pci_host_win(h, w);

		if (win->present && (w == PCI_WIN_IO) == io && bw->limit >= win->pci_base &&
		    bw->limit - win->pci_base < win->size)
			win->next = MAX(win->next, bw->limit + 1);
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

/* Header comment, 3: a bridge, its subtree, then its windows. */
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
					      w == PCI_WIN_IO ? PCI_BRIDGE_IO_ALIGN :
								PCI_BRIDGE_MEM_ALIGN);
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
