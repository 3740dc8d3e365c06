/*
 * lib/dt_platform.c - platform discovery from the device tree.
 *
 * One depth-first walk over a blob that fdt_check() accepted, keeping the
 * ancestry of the current node in a stack so that each node's bus
 * (#address-cells/#size-cells of its parent, 2.3.5) and the "ranges" of
 * every ancestor (2.3.8) are at hand without re-walking the tree.  Each
 * node is offered to the collectors below; Devicetree Specification v0.4
 * sections are cited where a rule comes from:
 *
 *   /chosen             bootargs (3.6), must be NUL-terminated
 *   device_type memory  every reg pair is RAM (3.4)
 *   virtio,mmio         reg[0] and the first interrupt specifier (2.4)
 *   pci-host-ecam-generic  ECAM window, bus-range, ranges (Linux binding
 *                       pci/host-generic-pci.yaml, IEEE 1275 PCI binding)
 *   interrupt-controller  kind and reg of each candidate (2.4.2); the one
 *                       the disks' interrupts go to is chosen at the end
 *   arm,gic-v2m-frame, arm,gic-v3-its  the first MSI controller
 *   riscv,imsics        the S-level IMSIC: each hart's interrupt file
 *   riscv,aplic         sources, delivery mode and IDCs of an APLIC domain
 *
 * Nodes whose status (2.3.4) is neither "okay" nor "ok" are skipped.
 * Lists keep the first DT_MAX_* items in DT order and set ->truncated.
 * Runs once at boot on a private output struct; no locking.
 */
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/le.h"
#include "lib/string.h"

/* #interrupt-cells to assume when the interrupt parent cannot be found;
 * 3 is what the ARM GIC bindings use. */
#define DT_DEFAULT_IRQ_CELLS 3u

/* Bound on interrupt-parent hops: phandles can form a cycle. */
#define DT_MAX_IRQ_HOPS 16

/* Interrupt controllers remembered during the walk (QEMU virt has one). */
#define DT_MAX_INTC_CANDIDATES 8

/* "syscon" nodes remembered for syscon-poweroff's regmap. */
#define DT_MAX_SYSCONS 8

/* Longest stdout-path (or alias target) we resolve. */
#define DT_MAX_PATH 128

/* Bound on "reg-shift": 16550 registers 16 bytes apart is already odd. */
#define DT_MAX_REG_SHIFT 4u

/* riscv,cpu-intc interrupt 9: supervisor external (RISC-V privileged
 * spec, mip.SEIP). */
#define DT_RISCV_IRQ_S_EXT 9u

/* The virtual timer's entry in arm,armv8-timer "interrupts". */
#define DT_ARM_TIMER_VIRT 2u

/* Each PCI bus decodes 1 MiB of ECAM space (PCIe base spec 7.2.2). */
#define DT_ECAM_BUS_SHIFT 20

/* Cells of a PCI address (phys.hi, phys.mid, phys.lo). */
#define DT_PCI_ADDR_CELLS 3u
#define DT_PCI_HI_SPACE(hi) (((hi) >> 24) & 3u)
#define DT_PCI_HI_PREFETCH BIT(30)

/* Who named the interrupt controller of the disks, weakest first. */
enum dt_intc_source { DT_INTC_BY_NONE, DT_INTC_BY_ROOT, DT_INTC_BY_PCI, DT_INTC_BY_VMMIO };

struct dt_walk {
	const struct fdt *fdt;
	struct platform *out;
	int stack[FDT_MAX_DEPTH];   /* stack[d] = ancestor at depth d */
	u32 irq_phandle, irq_cells; /* dt_irq_cells() cache; 0 = none */
	int irq_node;		    /* ... and the node that answered */
	/* Available interrupt-controller nodes, and the disks' choice. */
	struct dt_intc intc[DT_MAX_INTC_CANDIDATES];
	int intc_node[DT_MAX_INTC_CANDIDATES];
	unsigned nintc;
	int disks_intc;	   /* node offset, valid if disks_intc_by */
	u32 disks_intc_by; /* enum dt_intc_source */
	int console_node;  /* what /chosen stdout-path names, or -1 */
	/* syscon-poweroff's regmap (a phandle), resolved after the walk
	 * against the syscon nodes met on the way. */
	u32 poweroff_regmap, poweroff_offset;
	struct dt_syscon {
		u32 phandle;
		u64 base, size;
	} syscon[DT_MAX_SYSCONS];
	unsigned nsyscon;
};

/* Remember @node as the disks' interrupt controller unless a stronger
 * source (enum dt_intc_source) already named one. */
static void dt_note_disks_intc(struct dt_walk *w, int node, u32 by)
{
	if (node >= 0 && by > w->disks_intc_by) {
		w->disks_intc = node;
		w->disks_intc_by = by;
	}
}

/* Is property @name of @node exactly the string @str? */
static bool dt_prop_is(const struct fdt *fdt, int node, const char *name, const char *str)
{
	u32 len;
	const char *val = fdt_getprop(fdt, node, name, &len);

	return val && len == strlen(str) + 1 && !memcmp(val, str, len);
}

/* 2.3.4: only "okay" (and the older "ok") mean usable; absent is okay. */
static bool dt_node_available(const struct fdt *fdt, int node)
{
	if (!fdt_getprop(fdt, node, "status", NULL))
		return true;
	return dt_prop_is(fdt, node, "status", "okay") || dt_prop_is(fdt, node, "status", "ok");
}

/*
 * The layout of the "ranges" (@len bytes) of the bus at stack[@level]: a
 * child address of *@cac cells (its #address-cells), a parent address of
 * *@pac (its parent's), a size of *@csc (its #size-cells), *@entry bytes in
 * all.  0, fdt_bus_cells()'s error, or -EBADMSG if an address has no cells
 * or @len is not a whole number of entries.
 */
static int dt_ranges_layout(const struct dt_walk *w, int level, u32 len, u32 *cac, u32 *pac,
			    u32 *csc, u32 *entry)
{
	u32 psc;
	int err = fdt_bus_cells(w->fdt, w->stack[level], cac, csc);

	if (!err)
		err = fdt_bus_cells(w->fdt, w->stack[level - 1], pac, &psc);
	if (err)
		return err;
	*entry = (*cac + *pac + *csc) * 4;
	return !*cac || !*pac || len % *entry ? -EBADMSG : 0;
}

/*
 * Translate @addr..+@size, an address on the bus that stack[@level] provides
 * to its children, into the root's (the CPU's) address space by walking the
 * "ranges" of each ancestor below the root (2.3.8): an empty ranges maps
 * one to one, a missing one means the bus is not memory-mapped.
 * Returns 0, -ENXIO if some bus does not map the range, -EBADMSG or
 * -ERANGE for a malformed ranges.
 */
static int dt_translate(const struct dt_walk *w, int level, u64 *addr, u64 size)
{
	const u8 *p;
	u32 len, cac, csc, pac, entry;
	u64 child, parent, span, delta;
	int err;

	for (; level > 0; level--) {
		p = fdt_getprop(w->fdt, w->stack[level], "ranges", &len);
		if (!p)
			return -ENXIO;
		if (len == 0)
			continue;
		err = dt_ranges_layout(w, level, len, &cac, &pac, &csc, &entry);
		if (err)
			return err;
		for (; len; len -= entry, p += entry) {
			err = fdt_read_cells(p, cac, &child);
			if (!err)
				err = fdt_read_cells(p + 4 * cac, pac, &parent);
			if (!err)
				err = fdt_read_cells(p + 4 * (cac + pac), csc, &span);
			if (err)
				return err;
			/* The whole of [addr, addr + size) must fit. */
			delta = *addr - child;
			if (*addr >= child && delta < span && size <= span - delta)
				break;
		}
		if (!len)
			return -ENXIO;
		if (parent + delta < parent)
			return -EBADMSG;
		*addr = parent + delta;
	}
	return 0;
}

/*
 * Entry @index of the reg of the node at @depth, in CPU addresses.
 * Returns 0, -ENOENT past the last entry, -ENXIO if a bus does not map
 * it, -EBADMSG for a malformed reg or a region that wraps, -ERANGE.
 */
static int dt_reg(const struct dt_walk *w, int depth, u32 index, u64 *base, u64 *size)
{
	u32 ac, sc;
	int err;

	err = fdt_bus_cells(w->fdt, w->stack[depth - 1], &ac, &sc);
	if (err)
		return err;
	err = fdt_reg(w->fdt, w->stack[depth], ac, sc, index, base, size);
	if (!err)
		err = dt_translate(w, depth - 1, base, *size);
	if (!err && *base + *size < *base)
		err = -EBADMSG;
	return err;
}

/* /chosen (3.6): the command line, which we later treat as a C string. */
static int dt_parse_chosen(struct dt_walk *w, int node)
{
	const char *args;
	u32 len;

	args = fdt_getprop(w->fdt, node, "bootargs", &len);
	if (!args)
		return 0;
	if (strnlen(args, len) == len)
		return -EBADMSG; /* no NUL inside the property */
	w->out->bootargs = args;
	return 0;
}

/* Append a non-empty region to `list` (n of max used), or note it did not fit. */
static void dt_add_region(struct platform *out, struct dt_region *list, unsigned *n, unsigned max,
			  u64 base, u64 size)
{
	if (!size)
		return;
	if (*n == max) {
		out->truncated = true;
		return;
	}
	list[(*n)++] = (struct dt_region){ base, size };
}

/* Every CPU-visible (address, size) pair of the node's reg, into `list`. */
static int dt_parse_regions(struct dt_walk *w, int depth, struct dt_region *list, unsigned *n,
			    unsigned max)
{
	u64 base, size;
	int err;

	for (u32 i = 0;; i++) {
		err = dt_reg(w, depth, i, &base, &size);
		if (err == -ENOENT)
			return 0;
		if (err == -ENXIO)
			continue; /* not CPU-visible */
		if (err)
			return err;
		dt_add_region(w->out, list, n, max, base, size);
	}
}

/* A memory node (3.4): every (address, size) pair of reg is RAM. */
static int dt_parse_memory(struct dt_walk *w, int depth)
{
	return dt_parse_regions(w, depth, w->out->mem, &w->out->nmem, DT_MAX_MEM);
}

/*
 * A child of /reserved-memory (3.5.2).  Only reg matters here: a region
 * with just "size" is dynamic, for the OS to place, and not yet reserved.
 */
static int dt_parse_reserved(struct dt_walk *w, int depth)
{
	return dt_parse_regions(w, depth, w->out->reserved, &w->out->nreserved, DT_MAX_RESERVED);
}

/* The memory reservation block of the header (5.3). */
static int dt_parse_memrsv(const struct fdt *fdt, struct platform *out)
{
	u64 base, size;

	for (u32 i = 0;; i++) {
		int err = fdt_mem_rsv(fdt, i, &base, &size);

		if (err == -ENOENT)
			return 0;
		if (err)
			return err;
		dt_add_region(out, out->reserved, &out->nreserved, DT_MAX_RESERVED, base, size);
	}
}

/*
 * #interrupt-cells of the interrupt parent of the node at @depth (2.4.1.2,
 * 2.4.2.1).  Follows "interrupt-parent", or the tree parent where it is
 * absent, until a node with #interrupt-cells turns up -- the way Linux
 * does, since trees such as QEMU's put interrupt-parent only on the root.
 * Falls back to DT_DEFAULT_IRQ_CELLS when the chain breaks (dangling
 * phandle, past the root) or loops.  Tree parents come from the walk's
 * stack while on our own ancestry, and the last phandle's answer is
 * cached, so the usual case costs no extra walk over the tree.  *@node
 * is the node that answered (the interrupt parent), -1 for the fallback.
 */
static int dt_irq_cells(struct dt_walk *w, int depth, u32 *cells, int *node)
{
	const struct fdt *fdt = w->fdt;
	int cur = w->stack[depth], level = depth, err;
	u32 phandle;

	for (int hop = 0; hop < DT_MAX_IRQ_HOPS; hop++) {
		err = fdt_getprop_u32(fdt, cur, "interrupt-parent", &phandle);
		if (err == -ENOENT) {
			phandle = 0;
			if (level >= 0) /* cur == stack[level] */
				cur = level ? w->stack[--level] : -ENOENT;
			else
				cur = fdt_parent_offset(fdt, cur);
		} else if (!err) {
			if (phandle && phandle == w->irq_phandle) {
				*cells = w->irq_cells;
				*node = w->irq_node;
				return 0;
			}
			cur = fdt_node_by_phandle(fdt, phandle);
			level = -1; /* off our ancestry now */
		} else {
			return err;
		}
		if (cur < 0)
			break;
		err = fdt_getprop_u32(fdt, cur, "#interrupt-cells", cells);
		if (!err && phandle) {
			w->irq_phandle = phandle;
			w->irq_cells = *cells;
			w->irq_node = cur;
		}
		*node = cur;
		if (err != -ENOENT)
			return err;
	}
	*cells = DT_DEFAULT_IRQ_CELLS;
	*node = -1;
	return 0;
}

/* The first interrupt specifier of the node at @depth (2.4.1.1). */
static int dt_parse_irq(struct dt_walk *w, int depth, struct dt_virtio_mmio *dev)
{
	const u8 *p;
	u32 len, cells;
	int err, parent;

	p = fdt_getprop(w->fdt, w->stack[depth], "interrupts", &len);
	if (!p)
		return 0;
	err = dt_irq_cells(w, depth, &cells, &parent);
	if (err)
		return err;
	dt_note_disks_intc(w, parent, DT_INTC_BY_VMMIO);
	/* Checked before multiplying: cells comes from the blob. */
	if (cells == 0 || cells > DT_MAX_IRQ_CELLS)
		return 0;
	if (len == 0 || len % (cells * 4))
		return -EBADMSG;
	for (u32 i = 0; i < cells; i++)
		dev->irq[i] = be32_load(p + 4 * i);
	dev->irq_cells = cells;
	return 0;
}

/* A virtio-mmio transport (virtio spec 4.2, Linux virtio/mmio.yaml). */
static int dt_parse_vmmio(struct dt_walk *w, int depth)
{
	struct platform *out = w->out;
	struct dt_virtio_mmio dev = { 0 };
	int err;

	err = dt_reg(w, depth, 0, &dev.base, &dev.size);
	if (err == -ENXIO)
		return 0; /* registers not CPU-visible */
	if (err == -ENOENT)
		return -EBADMSG; /* the binding requires reg */
	if (err)
		return err;
	err = dt_parse_irq(w, depth, &dev);
	if (err)
		return err;
	if (out->nvmmio == DT_MAX_VIRTIO_MMIO) {
		out->truncated = true;
		return 0;
	}
	out->vmmio[out->nvmmio++] = dev;
	return 0;
}

/* Decode one entry of a PCI host's ranges, @pac parent address cells and
 * @sc size cells after the three PCI address cells. */
static int dt_pci_range(const struct dt_walk *w, int depth, const u8 *p, u32 pac, u32 sc,
			struct dt_pci_range *r)
{
	u32 hi = be32_load(p);
	int err;

	r->space = DT_PCI_HI_SPACE(hi);
	r->prefetch = hi & DT_PCI_HI_PREFETCH;
	err = fdt_read_cells(p + 4, DT_PCI_ADDR_CELLS - 1, &r->pci_addr);
	if (!err)
		err = fdt_read_cells(p + 4 * DT_PCI_ADDR_CELLS, pac, &r->cpu_addr);
	if (!err)
		err = fdt_read_cells(p + 4 * (DT_PCI_ADDR_CELLS + pac), sc, &r->size);
	if (!err && (r->pci_addr + r->size < r->pci_addr || r->cpu_addr + r->size < r->cpu_addr))
		err = -EBADMSG;
	if (!err)
		err = dt_translate(w, depth - 1, &r->cpu_addr, r->size);
	return err;
}

/* The windows through which the CPU reaches PCI space. */
static int dt_parse_pci_ranges(const struct dt_walk *w, int depth, struct dt_pci_host *pci)
{
	struct dt_pci_range r;
	const u8 *p;
	u32 len, cac, csc, pac, entry;
	int err;

	p = fdt_getprop(w->fdt, w->stack[depth], "ranges", &len);
	if (!p)
		return 0; /* no windows: config space only */
	err = dt_ranges_layout(w, depth, len, &cac, &pac, &csc, &entry);
	if (err)
		return err;
	if (cac != DT_PCI_ADDR_CELLS)
		return -EBADMSG;
	for (; len; len -= entry, p += entry) {
		err = dt_pci_range(w, depth, p, pac, csc, &r);
		if (err == -ENXIO || (!err && r.space == 0))
			continue; /* unmapped, or config space */
		if (err)
			return err;
		if (pci->nranges == DT_MAX_PCI_RANGES) {
			w->out->truncated = true;
			return 0;
		}
		pci->ranges[pci->nranges++] = r;
	}
	return 0;
}

/*
 * "interrupt-map" of a PCI host: <child phys.hi mid lo> <pin> <parent
 * phandle> <parent unit address> <parent interrupt>.  The parent's
 * #address-cells (default 0) and #interrupt-cells size each entry, so a
 * phandle that resolves nowhere ends the parse: INTx is then unavailable
 * (nintmap = 0) and drivers poll; it is not an error of the whole tree.
 */
static void dt_parse_pci_intmap(struct dt_walk *w, int depth, struct dt_pci_host *pci)
{
	const struct fdt *fdt = w->fdt;
	const u8 *map, *mask;
	u32 len, mlen, off = 0;

	map = fdt_getprop(fdt, w->stack[depth], "interrupt-map", &len);
	mask = fdt_getprop(fdt, w->stack[depth], "interrupt-map-mask", &mlen);
	if (!map || !mask || mlen != 16 || len % 4)
		return;
	pci->intmap_mask_hi = be32_load(mask);
	pci->intmap_mask_pin = be32_load(mask + 12);
	while (off + 20 <= len && pci->nintmap < DT_MAX_PCI_INTMAP) {
		struct dt_pci_intmap *e = &pci->intmap[pci->nintmap];
		int parent = fdt_node_by_phandle(fdt, be32_load(map + off + 16));
		u32 pac = 0, pic;

		if (parent < 0 || fdt_getprop_u32(fdt, parent, "#interrupt-cells", &pic) ||
		    pic == 0 || pic > DT_MAX_IRQ_CELLS)
			goto bad;
		if (fdt_getprop_u32(fdt, parent, "#address-cells", &pac) == -EBADMSG || pac > 3)
			goto bad;
		if (off + 20 + 4 * (pac + pic) > len)
			goto bad;
		e->child_hi = be32_load(map + off);
		e->pin = be32_load(map + off + 12);
		for (u32 i = 0; i < pic; i++)
			e->irq[i] = be32_load(map + off + 20 + 4 * (pac + i));
		e->irq_cells = pic;
		if (pci->nintmap == 0)
			dt_note_disks_intc(w, parent, DT_INTC_BY_PCI);
		pci->nintmap++;
		off += 20 + 4 * (pac + pic);
	}
	if (off < len && pci->nintmap == DT_MAX_PCI_INTMAP)
		w->out->truncated = true;
	return;
bad:
	pci->nintmap = 0;
}

const struct dt_pci_intmap *dt_pci_intx(const struct dt_pci_host *pci, u32 bus, u32 dev, u32 fn,
					u32 pin)
{
	u32 hi = (bus << 16 | dev << 11 | fn << 8) & pci->intmap_mask_hi;

	for (unsigned i = 0; i < pci->nintmap; i++) {
		const struct dt_pci_intmap *e = &pci->intmap[i];

		if ((e->child_hi & pci->intmap_mask_hi) == hi &&
		    (e->pin & pci->intmap_mask_pin) == (pin & pci->intmap_mask_pin))
			return e;
	}
	return NULL;
}

/* A generic ECAM host bridge (Linux pci/host-generic-pci.yaml). */
static int dt_parse_pci(struct dt_walk *w, int depth)
{
	struct dt_pci_host *pci = &w->out->pci;
	const u8 *range;
	u32 len;
	int err;

	if (pci->present) {
		w->out->truncated = true; /* we drive one host */
		return 0;
	}
	err = dt_reg(w, depth, 0, &pci->ecam_base, &pci->ecam_size);
	if (err == -ENXIO) {
		memset(pci, 0, sizeof(*pci));
		return 0; /* ECAM not CPU-visible: unusable */
	}
	if (err)
		return err == -ENOENT ? -EBADMSG : err;
	pci->bus_start = 0;
	pci->bus_end = 255;
	range = fdt_getprop(w->fdt, w->stack[depth], "bus-range", &len);
	if (range) {
		if (len != 8)
			return -EBADMSG;
		pci->bus_start = be32_load(range);
		pci->bus_end = be32_load(range + 4);
	}
	/* Bus numbers are 8 bits; ECAM must cover every bus it claims. */
	if (pci->bus_start > pci->bus_end || pci->bus_end > 255 ||
	    pci->ecam_size >> DT_ECAM_BUS_SHIFT < (u64)pci->bus_end - pci->bus_start + 1)
		return -EBADMSG;
	err = dt_parse_pci_ranges(w, depth, pci);
	if (err)
		return err;
	dt_parse_pci_intmap(w, depth, pci);
	pci->present = true;
	return 0;
}

/* A compatible string and the kind of device it means to us. */
struct dt_compat_kind {
	const char *compat;
	u32 kind;
};

/* The kind of the first entry of @table (@n long) @node is compatible
 * with, or @other. */
static u32 dt_kind_of(const struct fdt *fdt, int node, const struct dt_compat_kind *table, size_t n,
		      u32 other)
{
	for (size_t i = 0; i < n; i++) {
		if (fdt_node_is_compatible(fdt, node, table[i].compat))
			return table[i].kind;
	}
	return other;
}

/* Compatible strings of the controllers the ports know (Linux bindings
 * interrupt-controller/arm,gic.yaml, arm,gic-v3.yaml, sifive,plic-1.0.0.yaml). */
static const struct dt_compat_kind dt_intc_kinds[] = {
	{ "arm,gic-v3", DT_INTC_GICV3 },	 { "arm,gic-400", DT_INTC_GICV2 },
	{ "arm,cortex-a15-gic", DT_INTC_GICV2 }, { "arm,cortex-a9-gic", DT_INTC_GICV2 },
	{ "arm,cortex-a7-gic", DT_INTC_GICV2 },	 { "arm,cortex-a5-gic", DT_INTC_GICV2 },
	{ "arm,arm11mp-gic", DT_INTC_GICV2 },	 { "arm,pl390", DT_INTC_GICV2 },
	{ "sifive,plic-1.0.0", DT_INTC_PLIC },	 { "riscv,plic0", DT_INTC_PLIC },
	{ "riscv,aplic", DT_INTC_APLIC },	 { "qemu,aplic", DT_INTC_APLIC },
};

/* The hart id of the cpu node above a riscv,cpu-intc node, or -1. */
static s64 dt_cpu_intc_hart(const struct fdt *fdt, int intc)
{
	int cpu = fdt_parent_offset(fdt, intc);
	const u8 *reg;
	u32 len;
	u64 hart;

	if (cpu < 0 || !fdt_node_is_compatible(fdt, intc, "riscv,cpu-intc"))
		return -1;
	reg = fdt_getprop(fdt, cpu, "reg", &len);
	/* /cpus has #address-cells 1 (or 2 on 64-bit hart ids), no size. */
	if (!reg || (len != 4 && len != 8) || fdt_read_cells(reg, len / 4, &hart) ||
	    hart > 0xffffffffu)
		return -1;
	return (s64)hart;
}

/*
 * A PLIC's "riscv,ndev" and, from "interrupts-extended", which context
 * takes which hart's supervisor external interrupt: entry i (a phandle
 * and that controller's #interrupt-cells cells) is context i.  Entries
 * for M-mode, for missing harts (phandle -1, as some trees say "none")
 * or past DT_MAX_PLIC_CONTEXTS are skipped; a malformed list ends the
 * scan, keeping what it found (a port that finds no context for its
 * hart polls).
 */
static void dt_parse_plic(struct dt_walk *w, int node, struct dt_intc *c)
{
	const struct fdt *fdt = w->fdt;
	const u8 *p;
	u32 len, ctx = 0, cells;
	s64 hart;
	int target;

	(void)fdt_getprop_u32(fdt, node, "riscv,ndev", &c->plic_ndev);
	p = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (!p)
		return;
	c->plic_ctx_listed = true;
	while (len >= 4 && c->nplic_ctx < DT_MAX_PLIC_CONTEXTS) {
		u32 phandle = be32_load(p);

		target = fdt_node_by_phandle(fdt, phandle);
		if (target < 0 || fdt_getprop_u32(fdt, target, "#interrupt-cells", &cells) ||
		    cells == 0 || cells > DT_MAX_IRQ_CELLS || len < 4 + 4 * cells) {
			/* "none" (-1) stands for one cell, the usual width. */
			if (phandle != 0xffffffffu || len < 8)
				return;
			cells = 1;
		} else {
			hart = dt_cpu_intc_hart(fdt, target);
			if (hart >= 0 && cells == 1 && be32_load(p + 4) == DT_RISCV_IRQ_S_EXT)
				c->plic_ctx[c->nplic_ctx++] =
					(struct dt_plic_context){ (u32)hart, ctx };
		}
		p += 4 + 4 * cells;
		len -= 4 + 4 * cells;
		ctx++;
	}
}

/*
 * riscv,aplic (Linux interrupt-controller/riscv,aplic.yaml; "RISC-V
 * Advanced Interrupt Architecture" 1.0, chapter 4): one node per interrupt
 * domain.  The domain's control region starts with 16 KiB of registers
 * (domaincfg .. target[1023], 4.5) and, in direct mode, one 32-byte IDC
 * per hart after it (4.8); the spec places it on a 4 KiB boundary.  Its
 * level shows in what it delivers to: "interrupts-extended" entries name
 * a riscv,cpu-intc's cause 9 (supervisor external; entry i is IDC i) or 11
 * (machine: firmware's domain), "msi-parent" an IMSIC whose own
 * interrupts-extended says the same.  A node with both may run either
 * way (the binding leaves the choice to the driver): direct is taken, as
 * it needs nothing from firmware.  QEMU 7.2 spells the delegation
 * property of the parent "riscv,delegate" (the binding: "riscv,delegation");
 * neither is read: the child domain finds out per source (the port reads
 * sourcecfg back).
 */
#define DT_APLIC_REGS_SIZE 0x4000u
#define DT_APLIC_IDC_SIZE 32u
#define DT_APLIC_ALIGN 4096u
#define DT_APLIC_MAX_SOURCES 1023u
#define DT_RISCV_IRQ_M_EXT 11u

/*
 * Direct mode: every hart whose supervisor external interrupt entry i of
 * "interrupts-extended" (@p, @len bytes) names gets IDC i.  NULL, or why
 * the list cannot be used.
 */
static const char *dt_aplic_idcs(const struct fdt *fdt, const u8 *p, u32 len, struct dt_intc *c)
{
	bool machine = false;
	u32 cells, cause;
	s64 hart;
	int target;

	/* riscv,cpu-intc has one interrupt cell: 8 bytes an entry. */
	if (len == 0 || len % 8)
		return "malformed interrupts-extended";
	if (len / 8 > (c->reg[0].size - DT_APLIC_REGS_SIZE) / DT_APLIC_IDC_SIZE)
		return "reg too small for an IDC per interrupts-extended entry";
	for (u32 pos = 0; pos < len / 8; pos++) {
		target = fdt_node_by_phandle(fdt, be32_load(p + 8 * pos));
		hart = target < 0 ? -1 : dt_cpu_intc_hart(fdt, target);
		cause = be32_load(p + 8 * pos + 4);
		if (hart < 0 || fdt_getprop_u32(fdt, target, "#interrupt-cells", &cells) ||
		    cells != 1)
			return "interrupts-extended names no hart's interrupt controller";
		if (cause == DT_RISCV_IRQ_M_EXT)
			machine = true;
		else if (cause != DT_RISCV_IRQ_S_EXT)
			return "interrupts-extended names no external interrupt";
		else if (c->naplic_idc < DT_MAX_APLIC_IDCS)
			c->aplic_idc[c->naplic_idc++] = (struct dt_aplic_idc){ (u32)hart, pos };
	}
	if (!c->naplic_idc)
		return machine ? "M-level domain (machine external interrupts)"
			       : "no supervisor external interrupt";
	return NULL;
}

/* MSI mode: "msi-parent" must be an S-level IMSIC.  NULL, or why not. */
static const char *dt_aplic_msi_parent(const struct fdt *fdt, int node)
{
	const u8 *p;
	u32 phandle, len;
	int imsic;

	if (fdt_getprop_u32(fdt, node, "msi-parent", &phandle))
		return "malformed msi-parent";
	imsic = fdt_node_by_phandle(fdt, phandle);
	if (imsic < 0 || !fdt_node_is_compatible(fdt, imsic, "riscv,imsics"))
		return "msi-parent is not an IMSIC";
	p = fdt_getprop(fdt, imsic, "interrupts-extended", &len);
	if (!p || len < 8)
		return "msi-parent IMSIC targets no hart";
	if (be32_load(p + 4) != DT_RISCV_IRQ_S_EXT)
		return "M-level domain (its IMSIC takes machine interrupts)";
	return NULL;
}

/* The domain's sources and delivery mode, or why it is refused. */
static void dt_parse_aplic(struct dt_walk *w, int node, struct dt_intc *c)
{
	const struct fdt *fdt = w->fdt;
	const char *why = "neither interrupts-extended nor msi-parent", *msi_why;
	const u8 *p;
	u32 len;

	p = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (c->nreg == 0 || c->reg[0].base % DT_APLIC_ALIGN || c->reg[0].size % DT_APLIC_ALIGN ||
	    c->reg[0].size < DT_APLIC_REGS_SIZE) {
		why = "reg is not a 4 KiB-aligned block of at least 16 KiB";
	} else if (fdt_getprop_u32(fdt, node, "riscv,num-sources", &c->aplic_nsources) ||
		   c->aplic_nsources == 0 || c->aplic_nsources > DT_APLIC_MAX_SOURCES) {
		why = "riscv,num-sources missing or outside 1..1023";
	} else {
		if (p && !(why = dt_aplic_idcs(fdt, p, len, c))) {
			c->aplic_mode = DT_APLIC_DIRECT;
			return;
		}
		c->naplic_idc = 0;
		if (fdt_getprop(fdt, node, "msi-parent", NULL)) {
			msi_why = dt_aplic_msi_parent(fdt, node);
			if (!msi_why) {
				c->aplic_mode = DT_APLIC_MSI;
				return;
			}
			if (!p)
				why = msi_why; /* else the direct-mode reason stands */
		}
	}
	c->naplic_idc = 0;
	c->aplic_refusal = why;
}

/*
 * riscv,imsics (Linux interrupt-controller/riscv,imsics.yaml; "RISC-V
 * Advanced Interrupt Architecture" 1.0, chapter 3): the S-level one, whose
 * "interrupts-extended" names each hart's supervisor external interrupt
 * (cause 9; the M-level node names 11 and is skipped), goes to
 * platform.msi.  Entry i of that list is hart position i; its S-level
 * file is page i * 2^guest-index-bits of the reg groups taken one after
 * the other, each group rounded up to a whole number of harts (as Linux
 * counts).  Values the binding does not allow (riscv,num-ids outside
 * 63..2047 or not one less than a multiple of 64, index bits or a shift
 * past their maximum, a group that is not whole pages or holds more
 * harts than a riscv,hart-index-bits given can number (the default is
 * just enough bits for the list), a position that falls in no
 * group, an entry that is not a riscv,cpu-intc's cause 9) refuse the
 * node: platform.msi stays DT_MSI_NONE and PCI functions keep INTx.  It
 * is not an error of the tree.  Only the first S-level node counts.
 */
#define DT_IMSIC_PAGE 4096u
#define DT_IMSIC_MAX_IDS 2047u
#define DT_IMSIC_MAX_GUEST_BITS 7u
#define DT_IMSIC_MAX_HART_BITS 15u
#define DT_IMSIC_MAX_GROUP_BITS 7u
#define DT_IMSIC_MAX_GROUP_SHIFT 55u
#define DT_IMSIC_GROUP_SHIFT 24u /* the binding's default */

/* An optional u32 property, *@val unchanged if absent; false if present
 * but malformed or above @max. */
static bool dt_imsic_u32(const struct fdt *fdt, int node, const char *name, u32 max, u32 *val)
{
	int err = fdt_getprop_u32(fdt, node, name, val);

	return err == -ENOENT || (!err && *val <= max);
}

static void dt_parse_imsic(struct dt_walk *w, int depth)
{
	const struct fdt *fdt = w->fdt;
	int node = w->stack[depth];
	struct dt_msi m = { .kind = DT_MSI_IMSIC };
	u32 len, npos, cells, guest = 0, hart_bits, group_bits = 0, shift = DT_IMSIC_GROUP_SHIFT;
	u64 stride, base, size, off, harts, group_max = ~0ull;
	const u8 *p;
	s64 hart;
	int target;

	if (w->out->msi.kind != DT_MSI_NONE)
		return;
	p = fdt_getprop(fdt, node, "interrupts-extended", &len);
	/* riscv,cpu-intc has one interrupt cell: 8 bytes an entry. */
	if (!p || len < 8 || len % 8)
		return;
	npos = len / 8;
	for (hart_bits = 0; hart_bits < 32 && (1ull << hart_bits) < npos; hart_bits++)
		;
	/* One less than a multiple of 64, at most 2047: 63 at least. */
	if (fdt_getprop_u32(fdt, node, "riscv,num-ids", &m.count) || m.count > DT_IMSIC_MAX_IDS ||
	    (m.count + 1) % 64)
		return;
	if (!dt_imsic_u32(fdt, node, "riscv,guest-index-bits", DT_IMSIC_MAX_GUEST_BITS, &guest) ||
	    !dt_imsic_u32(fdt, node, "riscv,hart-index-bits", DT_IMSIC_MAX_HART_BITS, &hart_bits) ||
	    !dt_imsic_u32(fdt, node, "riscv,group-index-bits", DT_IMSIC_MAX_GROUP_BITS,
			  &group_bits) ||
	    !dt_imsic_u32(fdt, node, "riscv,group-index-shift", DT_IMSIC_MAX_GROUP_SHIFT, &shift))
		return;
	/* The group index sits above the hart, guest and page bits. */
	stride = (u64)DT_IMSIC_PAGE << guest;
	if (fdt_getprop(fdt, node, "riscv,hart-index-bits", NULL))
		group_max = 1ull << hart_bits; /* else bits enough for the list */
	if ((1ull << hart_bits) * (1ull << group_bits) < npos ||
	    (group_bits && shift < 12 + guest + hart_bits))
		return;
	for (u32 pos = 0; pos < npos; pos++) {
		target = fdt_node_by_phandle(fdt, be32_load(p + 8 * pos));
		hart = target < 0 ? -1 : dt_cpu_intc_hart(fdt, target);
		if (hart < 0 || fdt_getprop_u32(fdt, target, "#interrupt-cells", &cells) ||
		    cells != 1 || be32_load(p + 8 * pos + 4) != DT_RISCV_IRQ_S_EXT)
			return;
		off = (u64)pos * stride;
		for (u32 i = 0;; i++) {
			if (dt_reg(w, depth, i, &base, &size))
				return; /* past the last group, or unusable */
			harts = (size + stride - 1) / stride;
			if (!size || size % DT_IMSIC_PAGE || base % DT_IMSIC_PAGE ||
			    harts > group_max)
				return;
			if (off < size)
				break;
			off -= harts * stride;
		}
		if (m.nimsic == DT_MAX_IMSIC_FILES) {
			w->out->truncated = true;
			continue;
		}
		m.imsic[m.nimsic++] = (struct dt_imsic_file){ (u32)hart, base + off };
	}
	w->out->msi = m;
}

/*
 * A node with "interrupt-controller" (2.4.2.2): remember its kind and
 * registers in case it turns out to be the disks' controller.  Its reg is
 * not validated beyond what dt_reg() checks, and an entry a bus does not
 * map ends the list: a controller nobody uses must not fail the tree.
 */
static void dt_note_intc(struct dt_walk *w, int depth)
{
	struct dt_intc *c = &w->intc[w->nintc];
	u64 base, size;

	if (w->nintc == DT_MAX_INTC_CANDIDATES)
		return;
	memset(c, 0, sizeof(*c));
	c->kind = dt_kind_of(w->fdt, w->stack[depth], dt_intc_kinds, ARRAY_SIZE(dt_intc_kinds),
			     DT_INTC_OTHER);
	while (c->nreg < DT_MAX_INTC_REGS && !dt_reg(w, depth, c->nreg, &base, &size))
		c->reg[c->nreg++] = (struct dt_region){ base, size };
	if (c->kind == DT_INTC_PLIC)
		dt_parse_plic(w, w->stack[depth], c);
	if (c->kind == DT_INTC_APLIC)
		dt_parse_aplic(w, w->stack[depth], c);
	w->intc_node[w->nintc++] = w->stack[depth];
}

/* After the walk: the controller the disks' interrupts go to, if known. */
static void dt_pick_intc(const struct dt_walk *w)
{
	if (w->disks_intc_by == DT_INTC_BY_NONE)
		return;
	for (unsigned i = 0; i < w->nintc; i++) {
		if (w->intc_node[i] == w->disks_intc) {
			w->out->intc = w->intc[i];
			return;
		}
	}
}

/* GICv2m SPIs are interrupt IDs 32..1019 (arm,gic.yaml "arm,msi-base-spi"
 * is an ID, as MSI_TYPER's base); the v2m frame and the ITS register
 * blocks must hold what the ports reach (a 4 KiB frame; the ITS control
 * and translation pages, 64 KiB each). */
#define DT_GIC_SPI_FIRST 32u
#define DT_GIC_SPI_END 1020u
#define DT_GICV2M_MIN_SIZE 0x1000u
#define DT_ITS_MIN_SIZE 0x20000u

/*
 * An Arm GIC MSI controller (arm,gic.yaml v2m frame, arm,gic-v3.yaml ITS):
 * the first available one with "msi-controller" and a usable reg[0]
 * becomes platform.msi.  A v2m frame's optional "arm,msi-base-spi" and
 * "arm,msi-num-spis" (both or neither) must name SPIs; a tree that gets
 * any of it wrong is left out (its PCI functions stay on INTx) without
 * failing the rest of the tree.
 */
static void dt_parse_gic_msi(struct dt_walk *w, int depth)
{
	const struct fdt *fdt = w->fdt;
	int node = w->stack[depth];
	struct dt_msi m = { .kind = DT_MSI_ITS };
	int eb, en;

	if (w->out->msi.kind != DT_MSI_NONE || !fdt_getprop(fdt, node, "msi-controller", NULL))
		return;
	if (fdt_node_is_compatible(fdt, node, "arm,gic-v2m-frame"))
		m.kind = DT_MSI_GICV2M;
	if (dt_reg(w, depth, 0, &m.reg.base, &m.reg.size) ||
	    m.reg.size < (m.kind == DT_MSI_ITS ? DT_ITS_MIN_SIZE : DT_GICV2M_MIN_SIZE))
		return;
	if (m.kind == DT_MSI_GICV2M) {
		eb = fdt_getprop_u32(fdt, node, "arm,msi-base-spi", &m.base);
		en = fdt_getprop_u32(fdt, node, "arm,msi-num-spis", &m.count);
		if (eb == -ENOENT && en == -ENOENT) {
			m.base = m.count = 0; /* the port reads MSI_TYPER */
		} else if (eb || en || m.base < DT_GIC_SPI_FIRST || m.base >= DT_GIC_SPI_END ||
			   m.count == 0 || m.count > DT_GIC_SPI_END - m.base) {
			return; /* one without the other, not one cell, not SPIs */
		}
	}
	w->out->msi = m;
}

/* Compatible strings of the consoles the ports drive. */
static const struct dt_compat_kind dt_uart_kinds[] = {
	{ "arm,pl011", DT_UART_PL011 },		 { "ns16550a", DT_UART_NS16550 },
	{ "ns16550", DT_UART_NS16550 },		 { "ns16450", DT_UART_NS16550 },
	{ "snps,dw-apb-uart", DT_UART_NS16550 },
};

/*
 * Resolve /chosen "stdout-path" (or the older "linux,stdout-path") to a
 * node before the walk, so the walk can read its reg with the ancestry
 * it needs for translation.  "serial0:115200n8" names an alias; the
 * options after ':' are the firmware's business.  No or a dangling path:
 * console_node stays -1 and the port keeps its default.
 */
static void dt_find_console(struct dt_walk *w)
{
	const struct fdt *fdt = w->fdt;
	char path[DT_MAX_PATH];
	const char *val;
	size_t n;
	u32 len;
	int chosen, aliases;

	w->console_node = -1;
	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return;
	val = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!val)
		val = fdt_getprop(fdt, chosen, "linux,stdout-path", &len);
	if (!val)
		return;
	for (n = 0; n < len && val[n] && val[n] != ':'; n++)
		;
	if (n == 0 || n >= sizeof(path))
		return;
	memcpy(path, val, n);
	path[n] = '\0';
	if (path[0] != '/') {
		aliases = fdt_path_offset(fdt, "/aliases");
		val = aliases < 0 ? NULL : fdt_getprop(fdt, aliases, path, &len);
		if (!val || len == 0 || len > sizeof(path) || strnlen(val, len) != len - 1)
			return;
		memcpy(path, val, len);
	}
	w->console_node = fdt_path_offset(fdt, path);
}

/* The console node, met during the walk at @depth. */
static void dt_parse_console(struct dt_walk *w, int depth)
{
	const struct fdt *fdt = w->fdt;
	struct dt_console *c = &w->out->console;
	int node = w->stack[depth];
	u32 shift = 0, width = 1;

	c->kind = dt_kind_of(fdt, node, dt_uart_kinds, ARRAY_SIZE(dt_uart_kinds), DT_UART_OTHER);
	if (dt_reg(w, depth, 0, &c->base, &c->size) || !c->size) {
		c->kind = DT_UART_OTHER;
		return;
	}
	if (fdt_getprop_u32(fdt, node, "reg-shift", &shift) == -EBADMSG ||
	    fdt_getprop_u32(fdt, node, "reg-io-width", &width) == -EBADMSG ||
	    shift > DT_MAX_REG_SHIFT || (width != 1 && width != 4))
		c->kind = DT_UART_OTHER;
	c->reg_shift = shift;
	c->reg_io_width = width;
}

/* arm,armv8-timer: the virtual timer's interrupt and a firmware-given
 * frequency.  A timer whose interrupts we cannot read keeps irq_cells 0. */
static int dt_parse_arm_timer(struct dt_walk *w, int depth)
{
	struct dt_timer *t = &w->out->timer;
	const u8 *p;
	u32 len, cells, freq;
	int parent, err;

	if (!fdt_getprop_u32(w->fdt, w->stack[depth], "clock-frequency", &freq))
		t->freq = freq;
	p = fdt_getprop(w->fdt, w->stack[depth], "interrupts", &len);
	if (!p)
		return 0;
	err = dt_irq_cells(w, depth, &cells, &parent);
	if (err)
		return err;
	if (cells == 0 || cells > DT_MAX_IRQ_CELLS || len % (cells * 4))
		return 0;
	if (len / (cells * 4) <= DT_ARM_TIMER_VIRT)
		return 0;
	p += DT_ARM_TIMER_VIRT * cells * 4;
	for (u32 i = 0; i < cells; i++)
		t->virt_irq[i] = be32_load(p + 4 * i);
	t->virt_irq_cells = cells;
	return 0;
}

/* /cpus "timebase-frequency": <u32> or <u64> (riscv/cpus.yaml). */
static void dt_parse_cpus(struct dt_walk *w, int node)
{
	const u8 *p;
	u32 len;
	u64 freq;

	p = fdt_getprop(w->fdt, node, "timebase-frequency", &len);
	if (p && (len == 4 || len == 8) && !fdt_read_cells(p, len / 4, &freq))
		w->out->timer.freq = freq;
}

/* /psci (arm,psci.yaml): the conduit. */
static void dt_parse_psci(struct dt_walk *w, int node)
{
	if (dt_prop_is(w->fdt, node, "method", "hvc"))
		w->out->psci = DT_PSCI_HVC;
	else if (dt_prop_is(w->fdt, node, "method", "smc"))
		w->out->psci = DT_PSCI_SMC;
}

/*
 * Power-off devices.  sifive,test0 is used directly; a syscon-poweroff
 * names its register block by phandle ("regmap"), resolved after the
 * walk against the "syscon" nodes remembered here.  A binding value out
 * of range or a regmap that is not there leaves kind NONE.
 */
static void dt_parse_poweroff(struct dt_walk *w, int depth)
{
	const struct fdt *fdt = w->fdt;
	struct dt_poweroff *po = &w->out->poweroff;
	int node = w->stack[depth];
	u64 base, size;
	u32 phandle;

	if (fdt_node_is_compatible(fdt, node, "syscon") && w->nsyscon < DT_MAX_SYSCONS &&
	    !fdt_getprop_u32(fdt, node, "phandle", &phandle) && !dt_reg(w, depth, 0, &base, &size))
		w->syscon[w->nsyscon++] = (struct dt_syscon){ phandle, base, size };
	if (fdt_node_is_compatible(fdt, node, "sifive,test0") &&
	    !dt_reg(w, depth, 0, &base, &size) && size >= 4) {
		*po = (struct dt_poweroff){ DT_POWEROFF_SIFIVE_TEST, base, 0, 0 };
		return;
	}
	if (po->kind != DT_POWEROFF_NONE || !fdt_node_is_compatible(fdt, node, "syscon-poweroff"))
		return;
	po->mask = 0xffffffffu;
	if (fdt_getprop_u32(fdt, node, "regmap", &w->poweroff_regmap) ||
	    fdt_getprop_u32(fdt, node, "offset", &w->poweroff_offset) ||
	    fdt_getprop_u32(fdt, node, "mask", &po->mask) == -EBADMSG) {
		w->poweroff_regmap = 0;
		return;
	}
	/* "value" is required unless only "mask" is given (then it is both). */
	if (fdt_getprop_u32(fdt, node, "value", &po->value))
		po->value = po->mask;
}

/* After the walk: where syscon-poweroff's register is, if anywhere. */
static void dt_resolve_poweroff(struct dt_walk *w)
{
	struct dt_poweroff *po = &w->out->poweroff;

	if (po->kind != DT_POWEROFF_NONE || !w->poweroff_regmap)
		return;
	for (unsigned i = 0; i < w->nsyscon; i++) {
		if (w->syscon[i].phandle == w->poweroff_regmap &&
		    w->poweroff_offset <= w->syscon[i].size &&
		    w->syscon[i].size - w->poweroff_offset >= 4) {
			po->kind = DT_POWEROFF_SYSCON;
			po->base = w->syscon[i].base + w->poweroff_offset;
			return;
		}
	}
}

/* The root's interrupt-parent: the default for every node (2.4.1). */
static void dt_visit_root(struct dt_walk *w)
{
	u32 phandle, len;
	const char *model = fdt_getprop(w->fdt, w->stack[0], "model", &len);

	if (model && strnlen(model, len) < len)
		w->out->model = model;

	if (!fdt_getprop_u32(w->fdt, w->stack[0], "interrupt-parent", &phandle))
		dt_note_disks_intc(w, fdt_node_by_phandle(w->fdt, phandle), DT_INTC_BY_ROOT);
}

/* Offer the node at @depth (already on the stack) to each collector. */
static int dt_visit(struct dt_walk *w, int depth)
{
	const struct fdt *fdt = w->fdt;
	int node = w->stack[depth];
	const char *name = fdt_node_name(fdt, node);

	if (depth == 0) {
		dt_visit_root(w); /* the root has no reg of its own */
		return 0;
	}
	if (depth == 1 && name && !strcmp(name, "chosen") && !w->out->bootargs)
		return dt_parse_chosen(w, node);
	if (!dt_node_available(fdt, node))
		return 0;
	if (depth == 1 && name && !strcmp(name, "cpus"))
		dt_parse_cpus(w, node);
	if (node == w->console_node)
		dt_parse_console(w, depth);
	if (fdt_node_is_compatible(fdt, node, "arm,armv8-timer") ||
	    fdt_node_is_compatible(fdt, node, "arm,armv7-timer"))
		return dt_parse_arm_timer(w, depth);
	if (fdt_node_is_compatible(fdt, node, "arm,psci") ||
	    fdt_node_is_compatible(fdt, node, "arm,psci-0.2") ||
	    fdt_node_is_compatible(fdt, node, "arm,psci-1.0"))
		dt_parse_psci(w, node);
	dt_parse_poweroff(w, depth);
	if (depth == 2) {
		const char *parent = fdt_node_name(fdt, w->stack[1]);

		if (parent && !strcmp(parent, "reserved-memory"))
			return dt_parse_reserved(w, depth);
	}
	if (fdt_node_is_compatible(fdt, node, "arm,gic-v2m-frame") ||
	    fdt_node_is_compatible(fdt, node, "arm,gic-v3-its"))
		dt_parse_gic_msi(w, depth);
	if (fdt_node_is_compatible(fdt, node, "riscv,imsics"))
		dt_parse_imsic(w, depth);
	if (fdt_getprop(fdt, node, "interrupt-controller", NULL))
		dt_note_intc(w, depth);
	if (dt_prop_is(fdt, node, "device_type", "memory"))
		return dt_parse_memory(w, depth);
	if (fdt_node_is_compatible(fdt, node, "virtio,mmio"))
		return dt_parse_vmmio(w, depth);
	if (fdt_node_is_compatible(fdt, node, "pci-host-ecam-generic"))
		return dt_parse_pci(w, depth);
	return 0;
}

int dt_platform_parse(const void *blob, size_t avail, struct platform *out)
{
	struct fdt fdt;
	struct dt_walk w = { .fdt = &fdt, .out = out };
	int node, depth, err;

	memset(out, 0, sizeof(*out));
	err = fdt_init(&fdt, blob, avail);
	if (!err)
		err = fdt_check(&fdt);
	if (!err)
		err = dt_parse_memrsv(&fdt, out);
	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}

	dt_find_console(&w);
	for (node = fdt_next_node(&fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(&fdt, node, &depth)) {
		/* fdt_check() bounded the depth; this guards the stack. */
		if (depth >= FDT_MAX_DEPTH) {
			err = -EBADMSG;
			goto fail;
		}
		w.stack[depth] = node;
		err = dt_visit(&w, depth);
		if (err)
			goto fail;
	}
	if (node == -ENOENT) {
		dt_pick_intc(&w);
		dt_resolve_poweroff(&w);
		return 0;
	}
	err = node;
fail:
	memset(out, 0, sizeof(*out));
	return err;
}
