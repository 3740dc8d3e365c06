/*
 * tests/host/fake_pci.c - the fake ECAM configuration space (see
 * fake_pci.h for what it models and checks).
 *
 * Single-threaded: the driver drives it synchronously through host_io.
 */
#include "tests/host/fake_pci.h"

#include <asm/io.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "drivers/pci/pci_regs.h"

static void fpci_violation(struct fake_pci *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fpci_violation(struct fake_pci *f, const char *fmt, ...)
{
	va_list ap;

	f->violations++;
	va_start(ap, fmt);
	vsnprintf(f->last_violation, sizeof(f->last_violation), fmt, ap);
	va_end(ap);
}

/* ---- raw bytes ------------------------------------------------------------ */

void fpci_poke8(struct fpci_fn *fn, u16 off, u8 v)
{
	fn->cfg[off] = v;
}

void fpci_poke16(struct fpci_fn *fn, u16 off, u16 v)
{
	fn->cfg[off] = (u8)v;
	fn->cfg[off + 1] = (u8)(v >> 8);
}

static void fpci_poke32(struct fpci_fn *fn, u16 off, u32 v)
{
	fpci_poke16(fn, off, (u16)v);
	fpci_poke16(fn, off + 2, (u16)(v >> 16));
}

u8 fpci_peek8(const struct fpci_fn *fn, u16 off)
{
	return fn->cfg[off];
}

u16 fpci_peek16(const struct fpci_fn *fn, u16 off)
{
	return (u16)(fn->cfg[off] | fn->cfg[off + 1] << 8);
}

u32 fpci_peek32(const struct fpci_fn *fn, u16 off)
{
	return fpci_peek16(fn, off) | (u32)fpci_peek16(fn, off + 2) << 16;
}

static void fpci_wmask(struct fpci_fn *fn, u16 off, unsigned len, u8 m)
{
	memset(&fn->wmask[off], m, len);
}

/* ---- BARs ----------------------------------------------------------------- */

static unsigned fpci_nbars(const struct fpci_fn *fn)
{
	return (fn->cfg[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE ? 2 : 6;
}

/* Keep only the address bits the BAR's size allows, and its type bits. */
static void fpci_bar_normalize(struct fpci_fn *fn, unsigned i)
{
	u16 reg = (u16)(PCI_BASE_ADDRESS_0 + 4 * i);
	u32 flags = fn->bar_flags[i];
	u64 size = fn->bar_size[i], v;

	if (!size)
		return;
	if (flags & PCI_BASE_ADDRESS_SPACE_IO) {
		v = fpci_peek32(fn, reg) & ~(size - 1) & ~3ull;
		if (flags & FPCI_IO16)
			v &= 0xffff;
		fpci_poke32(fn, reg, (u32)v | PCI_BASE_ADDRESS_SPACE_IO);
	} else if (flags & PCI_BASE_ADDRESS_MEM_TYPE_64) {
		v = fpci_peek32(fn, reg) | (u64)fpci_peek32(fn, reg + 4) << 32;
		v = (v & ~(size - 1) & ~0xfull) | (flags & 0xf);
		fpci_poke32(fn, reg, (u32)v);
		fpci_poke32(fn, reg + 4, (u32)(v >> 32));
	} else {
		v = fpci_peek32(fn, reg) & ~(size - 1) & ~0xfull;
		fpci_poke32(fn, reg, (u32)v | (flags & 0xf));
	}
}

void fpci_bar(struct fpci_fn *fn, unsigned i, u64 size, u32 flags)
{
	u16 reg = (u16)(PCI_BASE_ADDRESS_0 + 4 * i);
	bool is64 = !(flags & PCI_BASE_ADDRESS_SPACE_IO) && (flags & PCI_BASE_ADDRESS_MEM_TYPE_64);

	fn->bar_size[i] = size;
	fn->bar_flags[i] = flags;
	fpci_wmask(fn, reg, is64 ? 8 : 4, 0xff);
	fpci_poke32(fn, reg, 0);
	if (is64)
		fpci_poke32(fn, reg + 4, 0);
	fpci_bar_normalize(fn, i);
}

void fpci_set_bar(struct fpci_fn *fn, unsigned i, u64 addr)
{
	u16 reg = (u16)(PCI_BASE_ADDRESS_0 + 4 * i);

	fpci_poke32(fn, reg, (u32)addr);
	if (fn->bar_flags[i] & PCI_BASE_ADDRESS_MEM_TYPE_64 &&
	    !(fn->bar_flags[i] & PCI_BASE_ADDRESS_SPACE_IO))
		fpci_poke32(fn, reg + 4, (u32)(addr >> 32));
	fpci_bar_normalize(fn, i);
}

u64 fpci_bar_addr(const struct fpci_fn *fn, unsigned i)
{
	u16 reg = (u16)(PCI_BASE_ADDRESS_0 + 4 * i);
	u32 flags = fn->bar_flags[i];

	if (flags & PCI_BASE_ADDRESS_SPACE_IO)
		return fpci_peek32(fn, reg) & ~3u;
	if (flags & PCI_BASE_ADDRESS_MEM_TYPE_64)
		return (fpci_peek32(fn, reg) & ~0xfu) | (u64)fpci_peek32(fn, reg + 4) << 32;
	return fpci_peek32(fn, reg) & ~0xfu;
}

void fpci_cap(struct fpci_fn *fn, u8 off, u8 id, u8 next)
{
	fn->cfg[off] = id;
	fn->cfg[off + 1] = next;
	fn->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
}

/* ---- topology --------------------------------------------------------------- */

static struct fpci_fn *fpci_new(struct fake_pci *f, struct fpci_bus *bus, u8 dev, u8 fn)
{
	struct fpci_fn *p;

	if (f->nfns == FPCI_MAX_FNS || dev >= 32 || fn >= 8 || bus->fn[dev][fn])
		return NULL;
	p = &f->fns[f->nfns++];
	memset(p, 0, sizeof(*p));
	bus->fn[dev][fn] = p;
	if (fn && bus->fn[dev][0])
		bus->fn[dev][0]->cfg[PCI_HEADER_TYPE] |= PCI_HEADER_MULTI_FUNC;
	if (!fn) {
		for (unsigned i = 1; i < 8; i++)
			if (bus->fn[dev][i])
				p->cfg[PCI_HEADER_TYPE] |= PCI_HEADER_MULTI_FUNC;
	}
	/* Command: I/O, memory, master, INTx disable; cache line, interrupt
	 * line: writable everywhere. */
	fpci_wmask(p, PCI_COMMAND, 1, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	fpci_wmask(p, PCI_COMMAND + 1, 1, PCI_COMMAND_INTX_DISABLE >> 8);
	fpci_wmask(p, 0x0c, 1, 0xff);
	fpci_wmask(p, PCI_INTERRUPT_LINE, 1, 0xff);
	return p;
}

struct fpci_fn *fpci_add(struct fake_pci *f, struct fpci_bus *bus, u8 dev, u8 fn, u16 vendor,
			 u16 device, u32 class_code)
{
	struct fpci_fn *p = fpci_new(f, bus, dev, fn);

	if (!p)
		return NULL;
	fpci_poke16(p, PCI_VENDOR_ID, vendor);
	fpci_poke16(p, PCI_DEVICE_ID, device);
	fpci_poke32(p, PCI_REVISION_ID, class_code << 8 | 1);
	fpci_poke16(p, PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
	fpci_poke16(p, PCI_SUBSYSTEM_ID, 0x1100);
	p->cfg[PCI_INTERRUPT_PIN] = 1;
	return p;
}

struct fpci_fn *fpci_add_bridge(struct fake_pci *f, struct fpci_bus *bus, u8 dev, u8 fn,
				bool pref64, bool io32)
{
	struct fpci_fn *p;

	if (f->nbuses == FPCI_MAX_BUSES)
		return NULL;
	p = fpci_add(f, bus, dev, fn, 0x1b36, 0x0001, 0x060400);
	if (!p)
		return NULL;
	p->cfg[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_BRIDGE;
	memset(&p->cfg[PCI_SUBSYSTEM_VENDOR_ID], 0, 4); /* type 1: not there */
	p->child = &f->buses[f->nbuses++];
	memset(p->child, 0, sizeof(*p->child));
	fpci_wmask(p, PCI_PRIMARY_BUS, 4, 0xff);
	/* Window registers: address bits writable, type nibbles read-only. */
	p->cfg[PCI_IO_BASE] = p->cfg[PCI_IO_LIMIT] = io32 ? 1 : 0;
	fpci_wmask(p, PCI_IO_BASE, 2, 0xf0);
	fpci_poke16(p, PCI_PREF_MEMORY_BASE, pref64 ? 1 : 0);
	fpci_poke16(p, PCI_PREF_MEMORY_LIMIT, pref64 ? 1 : 0);
	for (u16 off = PCI_MEMORY_BASE; off < PCI_PREF_BASE_UPPER32; off += 2) {
		fpci_wmask(p, off, 1, 0xf0);
		fpci_wmask(p, off + 1, 1, 0xff);
	}
	if (pref64)
		fpci_wmask(p, PCI_PREF_BASE_UPPER32, 8, 0xff);
	if (io32)
		fpci_wmask(p, PCI_IO_BASE_UPPER16, 4, 0xff);
	fpci_wmask(p, 0x3e, 2, 0xff); /* bridge control */
	return p;
}

/* ---- routing and accesses ----------------------------------------------------- */

/*
 * The function that answers (target bus, dev, fn) on `bus`, numbered
 * busno: directly if it is this bus, else through the bridge whose
 * secondary..subordinate claims the target (PCI-to-PCI Bridge 1.2, 3.1.2.1).
 */
static struct fpci_fn *fpci_route(struct fake_pci *f, struct fpci_bus *bus, u32 busno, u32 target,
				  u8 dev, u8 fn)
{
	struct fpci_fn *hit = NULL;
	struct fpci_bus *via = NULL;
	u32 via_no = 0;

	if (target == busno) {
		if (bus->fn[dev][fn])
			return bus->fn[dev][fn];
		return bus->fn[dev][0] && bus->fn[dev][0]->alias ? bus->fn[dev][0] : NULL;
	}
	for (unsigned d = 0; d < 32; d++) {
		for (unsigned i = 0; i < 8; i++) {
			struct fpci_fn *b = bus->fn[d][i];
			u8 sec, sub;

			if (!b || !b->child)
				continue;
			sec = b->cfg[PCI_SECONDARY_BUS];
			sub = b->cfg[PCI_SUBORDINATE_BUS];
			if (sec <= busno || target < sec || target > sub)
				continue;
			if (via)
				fpci_violation(f, "bus %u claimed by two bridges", target);
			via = b->child;
			via_no = sec;
		}
	}
	if (via)
		hit = fpci_route(f, via, via_no, target, dev, fn);
	return hit;
}

static struct fpci_fn *fpci_decode(struct fake_pci *f, uintptr_t a, unsigned width, u16 *off)
{
	u64 rel = a - f->ecam;
	u32 nbus = f->bus_end - f->bus_start + 1;

	if (a < f->ecam || rel >= (u64)nbus << 20) {
		fpci_violation(f, "access at 0x%llx outside ECAM", (unsigned long long)a);
		return NULL;
	}
	if ((width != 1 && width != 2 && width != 4) || (a & (width - 1))) {
		fpci_violation(f, "access of width %u at 0x%llx", width, (unsigned long long)a);
		return NULL;
	}
	*off = (u16)(rel & 0xfff);
	return fpci_route(f, &f->root, f->bus_start, f->bus_start + (u32)(rel >> 20),
			  (u8)(rel >> 15 & 31), (u8)(rel >> 12 & 7));
}

static u32 fpci_read(void *ctx, uintptr_t a, unsigned width)
{
	struct fake_pci *f = ctx;
	u16 off;
	struct fpci_fn *fn = fpci_decode(f, a, width, &off);
	u32 v = 0;

	f->reads++;
	if (!fn)
		return width == 4 ? ~0u : (1u << (8 * width)) - 1;
	for (unsigned k = 0; k < width; k++)
		v |= (u32)fn->cfg[off + k] << (8 * k);
	return v;
}

/* A BAR write while the function decodes its space: sizing with decoding
 * on, or an update a live bus could see half done. */
static void fpci_check_bar_write(struct fake_pci *f, struct fpci_fn *fn, u16 off, unsigned width)
{
	u16 cmd = fpci_peek16(fn, PCI_COMMAND);

	for (unsigned i = 0; i < fpci_nbars(fn); i++) {
		u16 reg = (u16)(PCI_BASE_ADDRESS_0 + 4 * i);
		u32 flags = fn->bar_flags[i];
		bool io = flags & PCI_BASE_ADDRESS_SPACE_IO;
		unsigned len = !io && (flags & PCI_BASE_ADDRESS_MEM_TYPE_64) ? 8 : 4;

		if (!fn->bar_size[i] || off + width <= reg || off >= reg + len)
			continue;
		fn->bar_writes++;
		if (cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY))
			fpci_violation(f, "BAR%u written with decoding on (command 0x%x)", i, cmd);
	}
}

static void fpci_write(void *ctx, uintptr_t a, u32 v, unsigned width)
{
	struct fake_pci *f = ctx;
	u16 off;
	struct fpci_fn *fn = fpci_decode(f, a, width, &off);

	f->writes++;
	if (!fn)
		return; /* master abort: dropped */
	if (off == PCI_COMMAND && width == 4 && (v >> 16))
		fpci_violation(f, "32-bit write 0x%x over COMMAND clears STATUS bits", v);
	fpci_check_bar_write(f, fn, off, width);
	for (unsigned k = 0; k < width; k++) {
		u8 m = fn->wmask[off + k], b = (u8)(v >> (8 * k));

		fn->cfg[off + k] = (u8)((fn->cfg[off + k] & ~m) | (b & m));
	}
	if (off < PCI_BASE_ADDRESS_0 + 24 && off + width > PCI_BASE_ADDRESS_0)
		for (unsigned i = 0; i < fpci_nbars(fn); i++)
			fpci_bar_normalize(fn, i);
}

void fpci_init(struct fake_pci *f, uintptr_t ecam, u32 bus_start, u32 bus_end)
{
	memset(f, 0, sizeof(*f));
	f->ecam = ecam;
	f->bus_start = bus_start;
	f->bus_end = bus_end;
	host_io.read = fpci_read;
	host_io.write = fpci_write;
	host_io.ctx = f;
}

void fpci_destroy(struct fake_pci *f)
{
	(void)f;
	host_io.read = NULL;
	host_io.write = NULL;
	host_io.ctx = NULL;
}
