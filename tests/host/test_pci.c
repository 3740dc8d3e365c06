/*
 * tests/host/test_pci.c - host tests for drivers/pci against the fake ECAM
 * space of tests/host/fake_pci.c.
 *
 * Hosts are built like the kernel builds them: from QEMU 7.2's windows
 * for "-M virt" (with and without highmem), and once from the real device
 * tree tests/data/virt-aarch64-lowmem-pci.dtb through dt_platform_parse().
 * Every enumeration is followed by check_layout(), which holds the
 * invariants whatever the topology: each enabled function's BARs are
 * assigned, aligned to their size, inside a host window of their space,
 * translated to the right CPU address, programmed in the device, not
 * overlapping any other, and forwarded by every bridge above the function
 * and by no other bridge; the fake saw no protocol violation.
 *
 * The console is captured (stdout redirected to a temporary file) so the
 * messages can be checked; PCI_TEST_VERBOSE=1 echoes them.
 * Data files are looked up in $ORDO_TEST_DATA, else next to this source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/host/test_data.h"
#include "drivers/pci/pci.h"
#include "drivers/pci/pci_regs.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "tests/host/fake_pci.h"
#include "tests/host/test_util.h"

#define IO PCI_BASE_ADDRESS_SPACE_IO
#define M64 PCI_BASE_ADDRESS_MEM_TYPE_64
#define PREF PCI_BASE_ADDRESS_MEM_PREFETCH

/* QEMU 7.2 hw/arm/virt.c: default (highmem) and highmem=off. */
static const struct dt_pci_host virt_high = {
	.present = true,
	.ecam_base = 0x4010000000ull,
	.ecam_size = 256 * MiB,
	.bus_start = 0,
	.bus_end = 255,
	.ranges = { { DT_PCI_SPACE_IO, false, 0, 0x3eff0000, 0x10000 },
		    { DT_PCI_SPACE_MEM32, false, 0x10000000, 0x10000000, 0x2eff0000 },
		    { DT_PCI_SPACE_MEM64, false, 0x8000000000ull, 0x8000000000ull,
		      0x8000000000ull } },
	.nranges = 3,
};

static const struct dt_pci_host virt_low = {
	.present = true,
	.ecam_base = 0x3f000000,
	.ecam_size = 16 * MiB,
	.bus_start = 0,
	.bus_end = 15,
	.ranges = { { DT_PCI_SPACE_IO, false, 0, 0x3eff0000, 0x10000 },
		    { DT_PCI_SPACE_MEM32, false, 0x10000000, 0x10000000, 0x2eff0000 } },
	.nranges = 2,
};

static struct fake_pci *fk;
static struct pci_host *host;
static char console[1 << 16];

/* ---- helpers ---------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	fk = calloc(1, sizeof(*fk));
	host = calloc(1, sizeof(*host));
	return fk && host ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fpci_destroy(fk);
	free(fk);
	free(host);
	return 0;
}

/* A fake answering at dt's ECAM, and a host made from dt. */
static void start(const struct dt_pci_host *dt)
{
	fpci_init(fk, (uintptr_t)dt->ecam_base, dt->bus_start, dt->bus_end);
	assert_int_equal(pci_host_init(host, dt), 0);
}

/* pci_enumerate() with the console captured into console[]. */
static int enumerate(void)
{
	FILE *t = tmpfile();
	int saved, n;
	size_t len;

	assert_non_null(t);
	fflush(stdout);
	saved = dup(1);
	dup2(fileno(t), 1);
	n = pci_enumerate(host);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(t);
	len = fread(console, 1, sizeof(console) - 1, t);
	console[len] = 0;
	fclose(t);
	if (getenv("PCI_TEST_VERBOSE"))
		fputs(console, stdout);
	return n;
}

static struct pci_dev *find(u8 bus, u8 dev, u8 fn)
{
	for (unsigned i = 0; i < host->ndevs; i++) {
		struct pci_dev *d = &host->devs[i];

		if (d->bus == bus && d->dev == dev && d->fn == fn)
			return d;
	}
	return NULL;
}

static struct pci_dev *get(u8 bus, u8 dev, u8 fn)
{
	struct pci_dev *d = find(bus, dev, fn);

	if (!d)
		fail_msg("no function %02x:%02x.%u", bus, dev, fn);
	return d;
}

static bool in_console(const char *s)
{
	return strstr(console, s) != NULL;
}

static const struct pci_window *window_of(const struct pci_bar *b)
{
	const struct pci_window *w[] = { &host->io, &host->mem32, &host->pref32, &host->mem64 };

	for (unsigned i = 0; i < 4; i++) {
		if (!w[i]->present || (i == 0) != (b->type == PCI_BAR_IO))
			continue;
		if (b->pci_addr >= w[i]->pci_base &&
		    b->pci_addr + b->size <= w[i]->pci_base + w[i]->size)
			return w[i];
	}
	return NULL;
}

/* BAR i as the device holds it (through configuration reads). */
static u64 bar_reg(const struct pci_dev *d, unsigned i)
{
	u32 lo = pci_cfg_read32(d, (u16)(PCI_BASE_ADDRESS_0 + 4 * i));

	if (lo & IO)
		return lo & ~3u;
	if (lo & M64)
		return (lo & ~0xfu) | (u64)pci_cfg_read32(d, (u16)(PCI_BASE_ADDRESS_0 + 4 * i + 4))
					      << 32;
	return lo & ~0xfu;
}

static bool win_covers(const struct pci_bridge_win *w, u64 a, u64 size)
{
	return w->open && a >= w->base && a + size - 1 <= w->limit;
}

static bool win_touches(const struct pci_bridge_win *w, u64 a, u64 size)
{
	return w->open && a <= w->limit && a + size - 1 >= w->base;
}

static bool behind(const struct pci_dev *d, const struct pci_dev *b)
{
	for (const struct pci_dev *p = d->parent; p; p = p->parent)
		if (p == b)
			return true;
	return false;
}

/* The bridge windows as the registers hold them. */
static void check_bridge_regs(const struct pci_dev *b)
{
	u64 io_b = (u64)(pci_cfg_read8(b, PCI_IO_BASE) & 0xf0) << 8 |
		   (u64)pci_cfg_read16(b, PCI_IO_BASE_UPPER16) << 16;
	u64 io_l = (u64)(pci_cfg_read8(b, PCI_IO_LIMIT) & 0xf0) << 8 |
		   (u64)pci_cfg_read16(b, PCI_IO_LIMIT_UPPER16) << 16 | 0xfff;
	u64 mem_b = (u64)(pci_cfg_read16(b, PCI_MEMORY_BASE) & 0xfff0) << 16;
	u64 mem_l = (u64)(pci_cfg_read16(b, PCI_MEMORY_LIMIT) & 0xfff0) << 16 | 0xfffff;
	u64 pf_b = (u64)(pci_cfg_read16(b, PCI_PREF_MEMORY_BASE) & 0xfff0) << 16 |
		   (u64)pci_cfg_read32(b, PCI_PREF_BASE_UPPER32) << 32;
	u64 pf_l = (u64)(pci_cfg_read16(b, PCI_PREF_MEMORY_LIMIT) & 0xfff0) << 16 |
		   (u64)pci_cfg_read32(b, PCI_PREF_LIMIT_UPPER32) << 32 | 0xfffff;

	/* Registers reading 0/0: a window the bridge does not implement. */
	bool no_io = !pci_cfg_read8(b, PCI_IO_BASE) && !pci_cfg_read8(b, PCI_IO_LIMIT);
	bool no_pf = !pci_cfg_read16(b, PCI_PREF_MEMORY_BASE) &&
		     !pci_cfg_read16(b, PCI_PREF_MEMORY_LIMIT);

	assert_int_equal(io_b <= io_l && !no_io, b->io_win.open);
	if (b->io_win.open) {
		assert_int_equal(io_b, b->io_win.base);
		assert_int_equal(io_l, b->io_win.limit);
	}
	assert_int_equal(mem_b <= mem_l, b->mem_win.open);
	if (b->mem_win.open) {
		assert_int_equal(mem_b, b->mem_win.base);
		assert_int_equal(mem_l, b->mem_win.limit);
	}
	assert_int_equal(pf_b <= pf_l && !no_pf, b->pref_win.open);
	if (b->pref_win.open) {
		assert_int_equal(pf_b, b->pref_win.base);
		assert_int_equal(pf_l, b->pref_win.limit);
	}
	assert_int_equal(pci_cfg_read8(b, PCI_PRIMARY_BUS), b->bus);
	assert_int_equal(pci_cfg_read8(b, PCI_SECONDARY_BUS), b->secondary);
	assert_int_equal(pci_cfg_read8(b, PCI_SUBORDINATE_BUS), b->subordinate);
	assert_true(b->secondary > b->bus && b->subordinate >= b->secondary);
	assert_true(b->subordinate <= host->bus_end);
}

/* One enabled BAR against every bridge: forwarded by its ancestors only. */
static void check_bar_routing(const struct pci_dev *d, const struct pci_bar *b)
{
	for (unsigned k = 0; k < host->ndevs; k++) {
		const struct pci_dev *br = &host->devs[k];
		bool io = b->type == PCI_BAR_IO;

		if (br->header_type != PCI_HEADER_TYPE_BRIDGE || !br->enabled)
			continue;
		if (behind(d, br)) {
			if (io)
				assert_true(win_covers(&br->io_win, b->pci_addr, b->size));
			else
				assert_true(win_covers(&br->mem_win, b->pci_addr, b->size) ||
					    win_covers(&br->pref_win, b->pci_addr, b->size));
		} else if (io) {
			assert_false(win_touches(&br->io_win, b->pci_addr, b->size));
		} else {
			assert_false(win_touches(&br->mem_win, b->pci_addr, b->size));
			assert_false(win_touches(&br->pref_win, b->pci_addr, b->size));
		}
	}
}

/* The invariants of the header comment. */
static void check_layout(void)
{
	if (fk->violations)
		fail_msg("fake: %u violations, last: %s", fk->violations, fk->last_violation);
	for (unsigned i = 0; i < host->ndevs; i++) {
		const struct pci_dev *d = &host->devs[i];
		u16 cmd = pci_cfg_read16(d, PCI_COMMAND);

		if (!d->enabled) {
			assert_int_equal(cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY), 0);
			continue;
		}
		assert_true(cmd & PCI_COMMAND_MASTER);
		if (d->header_type == PCI_HEADER_TYPE_BRIDGE)
			check_bridge_regs(d);
		for (unsigned j = 0; j < 6; j++) {
			const struct pci_bar *b = &d->bar[j];
			const struct pci_window *w = window_of(b);

			if (!b->size)
				continue;
			assert_true(b->assigned);
			assert_non_null(w);
			assert_int_equal(b->pci_addr & (b->size - 1), 0);
			assert_int_not_equal(b->pci_addr, 0);
			assert_int_equal(b->cpu_addr, w->cpu_base + (b->pci_addr - w->pci_base));
			assert_int_equal(bar_reg(d, j), b->pci_addr);
			assert_true(cmd &
				    (b->type == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY));
			if (b->type != PCI_BAR_MEM64)
				assert_true(b->pci_addr + b->size <= 1ull << 32);
			check_bar_routing(d, b);
			for (unsigned k = 0; k < host->ndevs; k++) {
				for (unsigned m = 0; m < 6; m++) {
					const struct pci_bar *o = &host->devs[k].bar[m];

					if ((k == i && m == j) || !host->devs[k].enabled ||
					    !o->size ||
					    (o->type == PCI_BAR_IO) != (b->type == PCI_BAR_IO))
						continue;
					if (o->pci_addr < b->pci_addr + b->size &&
					    b->pci_addr < o->pci_addr + o->size)
						fail_msg("%s BAR%u overlaps %s BAR%u", d->name, j,
							 host->devs[k].name, m);
				}
			}
		}
	}
}

/* A virtio-blk-pci as QEMU 7.2 makes it (transitional: legacy I/O BAR0;
 * modern: BAR1 MSI-X, BAR4 64-bit prefetchable), with its capabilities. */
static struct fpci_fn *add_virtio_blk(struct fpci_bus *bus, u8 dev, bool legacy)
{
	struct fpci_fn *f = fpci_add(fk, bus, dev, 0, 0x1af4, legacy ? 0x1001 : 0x1042, 0x010000);

	if (legacy)
		fpci_bar(f, 0, 128, IO);
	fpci_bar(f, 1, 4 * KiB, 0);
	fpci_bar(f, 4, 16 * KiB, M64 | PREF);
	fpci_poke8(f, PCI_CAPABILITY_LIST, 0x98);
	fpci_cap(f, 0x98, PCI_CAP_ID_MSIX, 0x84);
	fpci_cap(f, 0x84, PCI_CAP_ID_VNDR, 0x70);
	fpci_cap(f, 0x70, PCI_CAP_ID_VNDR, 0x60);
	fpci_cap(f, 0x60, PCI_CAP_ID_VNDR, 0x50);
	fpci_cap(f, 0x50, PCI_CAP_ID_VNDR, 0x40);
	fpci_cap(f, 0x40, PCI_CAP_ID_VNDR, 0x00);
	return f;
}

/* ---- host set-up -------------------------------------------------------------- */

static void test_host_init(void **state)
{
	struct dt_pci_host dt = virt_high;

	(void)state;
	assert_int_equal(pci_enumerate(host), -ENODEV); /* never initialised */
	assert_int_equal(pci_host_init(host, &dt), 0);
	assert_int_equal(host->ecam, 0x4010000000ull);
	assert_true(host->io.present && host->mem32.present && host->mem64.present);
	assert_false(host->pref32.present);
	assert_int_equal(host->io.cpu_base, 0x3eff0000);
	assert_int_equal(host->io.next, 0x1000); /* legacy ports left alone */
	assert_int_equal(host->mem32.next, 0x10000000);
	assert_int_equal(host->mem64.pci_base, 0x8000000000ull);

	/* ECAM smaller than the bus range: the scan could run off its end. */
	dt.ecam_size = 16 * MiB;
	assert_int_equal(pci_host_init(host, &dt), -EINVAL);
	dt.bus_end = 15;
	assert_int_equal(pci_host_init(host, &dt), 0);
	dt.bus_end = 16;
	assert_int_equal(pci_host_init(host, &dt), -EINVAL);
	dt.bus_start = 17;
	assert_int_equal(pci_host_init(host, &dt), -EINVAL);
	dt = virt_high;
	dt.bus_end = 256;
	assert_int_equal(pci_host_init(host, &dt), -EINVAL);
	dt = virt_high;
	dt.ecam_base = 0;
	assert_int_equal(pci_host_init(host, &dt), -EINVAL);
	dt = virt_high;
	dt.present = false;
	assert_int_equal(pci_host_init(host, &dt), -ENODEV);

	/* Odd ranges: a prefetchable 32-bit window, a second I/O window,
	 * an empty 64-bit one, a 32-bit window crossing 4 GiB (clipped). */
	dt = virt_high;
	dt.ranges[1] = (struct dt_pci_range){ DT_PCI_SPACE_MEM32, false, 0xf0000000, 0xf0000000,
					      0x20000000 };
	dt.ranges[3] = (struct dt_pci_range){ DT_PCI_SPACE_MEM32, true, 0x20000000, 0x20000000,
					      0x10000000 };
	dt.ranges[4] = (struct dt_pci_range){ DT_PCI_SPACE_IO, false, 0x10000, 0x3f000000, 0x1000 };
	dt.ranges[2].size = 0;
	dt.nranges = 5;
	assert_int_equal(pci_host_init(host, &dt), 0);
	assert_int_equal(host->mem32.size, 0x10000000);
	assert_true(host->pref32.present);
	assert_int_equal(host->pref32.pci_base, 0x20000000);
	assert_int_equal(host->io.cpu_base, 0x3eff0000);
	assert_false(host->mem64.present);
}

/* ---- BAR sizing ------------------------------------------------------------------ */

static void test_bar_sizing(void **state)
{
	struct fpci_fn *a, *b, *c, *e;
	struct pci_dev *d;

	(void)state;
	start(&virt_high);
	a = fpci_add(fk, &fk->root, 1, 0, 0x1234, 0x0001, 0x020000);
	fpci_bar(a, 0, 128, IO | FPCI_IO16);
	fpci_bar(a, 1, 4 * KiB, 0);
	fpci_bar(a, 2, 1 * MiB, PREF);
	fpci_bar(a, 4, 16 * KiB, M64 | PREF);
	/* Firmware left decoding on: sizing must switch it off first. */
	fpci_poke16(a, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	b = fpci_add(fk, &fk->root, 2, 0, 0x1234, 0x0002, 0x020000);
	fpci_bar(b, 0, 8 * GiB, M64); /* larger than 4 GiB: size in the high word */
	fpci_bar(b, 2, 16, 0);	      /* smallest memory BAR */
	fpci_bar(b, 3, 4, IO);	      /* smallest I/O BAR */
	c = fpci_add(fk, &fk->root, 3, 0, 0x1234, 0x0003, 0x020000);
	fpci_bar(c, 5, 4 * KiB, M64); /* 64-bit in the last slot: unusable */
	e = fpci_add(fk, &fk->root, 4, 0, 0x1234, 0x0004, 0x020000);
	fpci_bar(e, 0, 4 * KiB, 0x6); /* reserved memory type */

	assert_int_equal(enumerate(), 4);
	check_layout();
	d = get(0, 1, 0);
	assert_int_equal(d->bar[0].type, PCI_BAR_IO);
	assert_int_equal(d->bar[0].size, 128);
	assert_int_equal(d->bar[1].type, PCI_BAR_MEM32);
	assert_false(d->bar[1].prefetch);
	assert_int_equal(d->bar[1].size, 4 * KiB);
	assert_int_equal(d->bar[2].type, PCI_BAR_MEM32);
	assert_true(d->bar[2].prefetch);
	assert_int_equal(d->bar[2].size, 1 * MiB);
	assert_int_equal(d->bar[3].type, PCI_BAR_NONE);
	assert_int_equal(d->bar[4].type, PCI_BAR_MEM64);
	assert_true(d->bar[4].prefetch);
	assert_int_equal(d->bar[4].size, 16 * KiB);
	assert_int_equal(d->bar[5].type, PCI_BAR_NONE); /* upper half of BAR4 */
	assert_int_equal(d->bar[5].size, 0);
	d = get(0, 2, 0);
	assert_int_equal(d->bar[0].type, PCI_BAR_MEM64);
	assert_int_equal(d->bar[0].size, 8 * GiB);
	assert_int_equal(d->bar[2].size, 16);
	assert_int_equal(d->bar[3].size, 4);
	assert_true(d->enabled);

	assert_false(get(0, 3, 0)->enabled);
	assert_true(in_console("pci 00:03.0: BAR5 is 64-bit but the last BAR"));
	assert_false(get(0, 4, 0)->enabled);
	assert_true(in_console("pci 00:04.0: BAR0 has reserved type 0x6"));
	assert_int_equal(fpci_peek16(c, PCI_COMMAND), 0);
}

/* ---- assignment ----------------------------------------------------------------- */

static void test_assign_layout(void **state)
{
	(void)state;
	start(&virt_high);
	fpci_add(fk, &fk->root, 0, 0, 0x1b36, 0x0008, 0x060000); /* host bridge: no BARs */
	for (u8 dev = 1; dev <= 8; dev++) {
		struct fpci_fn *f = fpci_add(fk, &fk->root, dev, 0, 0x1234, dev, 0xff0000);

		fpci_bar(f, 0, (u64)32 << (dev % 4), IO);
		fpci_bar(f, 1, (u64)4 * KiB << dev, 0);
		fpci_bar(f, 2, (u64)64 * KiB >> (dev % 3), M64 | PREF);
		fpci_bar(f, 5, 1 * MiB, PREF);
	}
	fpci_bar(fpci_add(fk, &fk->root, 9, 0, 0x1234, 9, 0xff0000), 1, 4 * KiB, 0);
	fpci_bar(fpci_add(fk, &fk->root, 10, 0, 0x1234, 10, 0xff0000), 0, 256, IO);

	assert_int_equal(enumerate(), 11);
	check_layout();
	/* The first I/O BAR is past the legacy ports, in the I/O window. */
	assert_int_equal(get(0, 1, 0)->bar[0].pci_addr, 0x1000);
	assert_int_equal(get(0, 1, 0)->bar[0].cpu_addr, 0x3eff1000);
	/* Decoding for what the BARs need, bus mastering for everyone. */
	assert_int_equal(pci_cfg_read16(get(0, 0, 0), PCI_COMMAND), PCI_COMMAND_MASTER);
	assert_int_equal(pci_cfg_read16(get(0, 9, 0), PCI_COMMAND),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(pci_cfg_read16(get(0, 10, 0), PCI_COMMAND),
			 PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	assert_int_equal(pci_cfg_read16(get(0, 3, 0), PCI_COMMAND),
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void test_mem64_highmem(void **state)
{
	struct fpci_fn *f, *g;
	struct pci_dev *d;

	(void)state;
	start(&virt_high);
	f = add_virtio_blk(&fk->root, 1, false);
	g = fpci_add(fk, &fk->root, 2, 0, 0x1234, 0x5678, 0xff0000);
	fpci_bar(g, 0, 1 * MiB, M64); /* non-prefetchable: fine on the root bus */
	assert_int_equal(enumerate(), 2);
	check_layout();
	d = get(0, 1, 0);
	assert_int_equal(d->bar[4].pci_addr, 0x8000000000ull);
	assert_int_equal(d->bar[4].cpu_addr, 0x8000000000ull);
	assert_int_equal(fpci_peek32(f, PCI_BASE_ADDRESS_0 + 4 * 5), 0x80); /* upper dword */
	assert_int_equal(d->bar[1].pci_addr, 0x10000000);
	assert_true(get(0, 2, 0)->bar[0].pci_addr >= 0x8000000000ull);
}

static void test_mem64_lowmem(void **state)
{
	struct pci_dev *d;

	(void)state;
	start(&virt_low);
	add_virtio_blk(&fk->root, 1, true);
	assert_int_equal(enumerate(), 1);
	check_layout();
	d = get(0, 1, 0);
	assert_true(d->bar[4].pci_addr >= 0x10000000 && d->bar[4].pci_addr < 0x3eff0000);
	assert_int_equal(bar_reg(d, 4) >> 32, 0);
	assert_int_equal(d->bar[0].cpu_addr, 0x3eff1000);
}

static void test_firmware_kept(void **state)
{
	struct fpci_fn *a, *b, *c, *e;

	(void)state;
	start(&virt_low);
	a = fpci_add(fk, &fk->root, 1, 0, 0x1234, 1, 0xff0000);
	fpci_bar(a, 0, 4 * KiB, 0);
	fpci_bar(a, 1, 32, IO);
	fpci_set_bar(a, 0, 0x10000000); /* at the very start of mem32 */
	fpci_set_bar(a, 1, 0x1000);
	b = fpci_add(fk, &fk->root, 2, 0, 0x1234, 2, 0xff0000);
	fpci_bar(b, 0, 4 * KiB, 0);
	fpci_bar(b, 1, 64, IO);
	fpci_bar(b, 2, 64 * KiB, M64 | PREF);
	c = fpci_add(fk, &fk->root, 3, 0, 0x1234, 3, 0xff0000);
	fpci_bar(c, 2, 64 * KiB, M64 | PREF);
	fpci_set_bar(c, 2, 0x10010000); /* where b's BAR2 would go otherwise */
	fpci_poke16(c, PCI_COMMAND, PCI_COMMAND_MEMORY);
	e = fpci_add(fk, &fk->root, 4, 0, 0x1234, 4, 0xff0000);
	fpci_bar(e, 0, 4 * KiB, 0);
	fpci_set_bar(e, 0, 0x00200000); /* outside every window: reassigned */

	assert_int_equal(enumerate(), 4);
	check_layout();
	assert_int_equal(fpci_bar_addr(a, 0), 0x10000000);
	assert_int_equal(fpci_bar_addr(a, 1), 0x1000);
	assert_int_equal(fpci_bar_addr(c, 2), 0x10010000);
	assert_int_equal(c->bar_writes, 4); /* sizing only (lo, hi, restores): never moved */
	assert_int_not_equal(fpci_bar_addr(e, 0), 0x00200000);
	assert_int_equal(fpci_bar_addr(b, 2), 0x10020000);
}

static void test_window_exhaustion(void **state)
{
	struct dt_pci_host dt = virt_low;
	struct fpci_fn *a, *b, *c, *io;
	struct pci_dev *d;

	(void)state;
	dt.ranges[1].size = 16 * MiB;
	dt.nranges = 2;
	start(&dt);
	a = fpci_add(fk, &fk->root, 1, 0, 0x1234, 1, 0xff0000);
	fpci_bar(a, 0, 4 * KiB, 0);
	b = fpci_add(fk, &fk->root, 3, 0, 0x1234, 3, 0xff0000);
	fpci_bar(b, 0, 4 * KiB, 0);
	fpci_bar(b, 2, 16 * MiB, M64); /* no mem64 window: below 4 GiB, too big */
	c = fpci_add(fk, &fk->root, 4, 0, 0x1234, 4, 0xff0000);
	fpci_bar(c, 0, 4 * KiB, 0);
	io = fpci_add(fk, &fk->root, 5, 0, 0x1234, 5, 0xff0000);
	fpci_bar(io, 0, 64 * KiB, IO); /* the whole I/O window; the floor is taken */

	assert_int_equal(enumerate(), 4);
	check_layout();
	assert_true(in_console("pci 00:03.0: BAR2 (16 MiB mem64) does not fit in any window: "
			       "device disabled\n"));
	assert_true(in_console("pci 00:05.0: BAR0 (64 KiB io) does not fit in any window: "
			       "device disabled\n"));
	d = get(0, 3, 0);
	assert_false(d->enabled);
	assert_false(d->bar[0].assigned);
	assert_int_equal(fpci_peek16(b, PCI_COMMAND) &
				 (PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER),
			 0);
	assert_int_equal(fpci_bar_addr(b, 0), 0); /* nothing written */
	assert_true(in_console("pci 00:03.0 [1234:0003]"));
	assert_true(strstr(strstr(console, "pci 00:03.0 [1234:0003]"), "disabled\n"));
	/* The failed device took nothing: the next one follows the first. */
	assert_int_equal(fpci_bar_addr(a, 0), 0x10000000);
	assert_int_equal(fpci_bar_addr(c, 0), 0x10001000);
	assert_true(get(0, 4, 0)->enabled);
}

/* ---- bridges ----------------------------------------------------------------------- */

static void test_bridge(void **state)
{
	struct fpci_fn *br1, *br2, *br3, *f;
	struct pci_dev *b1, *b2, *b3, *d;

	(void)state;
	start(&virt_high);
	fpci_add(fk, &fk->root, 0, 0, 0x1b36, 0x0008, 0x060000);
	br1 = fpci_add_bridge(fk, &fk->root, 1, 0, true, true);
	fpci_bar(br1, 0, 256, M64); /* QEMU's SHPC BAR */
	add_virtio_blk(br1->child, 0, true);
	br2 = fpci_add_bridge(fk, br1->child, 1, 0, true, false);
	fpci_bar(fpci_add(fk, br2->child, 0, 0, 0x1234, 1, 0xff0000), 0, 8 * KiB, 0);
	f = fpci_add(fk, br2->child, 3, 0, 0x1234, 2, 0xff0000);
	fpci_bar(f, 0, 32, IO);
	fpci_bar(f, 2, 1 * MiB, M64 | PREF);
	f = fpci_add(fk, &fk->root, 2, 0, 0x1234, 3, 0xff0000);
	fpci_bar(f, 0, 4 * KiB, 0);
	fpci_bar(f, 1, 32, IO);
	fpci_bar(f, 2, 16 * KiB, M64 | PREF);
	/* A bridge with a 32-bit prefetchable window: 64-bit BARs behind it
	 * must go below 4 GiB, forwarded by its memory window. */
	br3 = fpci_add_bridge(fk, &fk->root, 3, 0, false, true);
	f = fpci_add(fk, br3->child, 0, 0, 0x1234, 4, 0xff0000);
	fpci_bar(f, 0, 16 * KiB, M64 | PREF);
	fpci_bar(f, 2, 4 * KiB, M64);

	assert_int_equal(enumerate(), 9);
	check_layout();
	b1 = get(0, 1, 0);
	b2 = get(1, 1, 0);
	b3 = get(0, 3, 0);
	assert_int_equal(b1->secondary, 1);
	assert_int_equal(b1->subordinate, 2);
	assert_int_equal(b2->secondary, 2);
	assert_int_equal(b2->subordinate, 2);
	assert_int_equal(b3->secondary, 3);
	assert_int_equal(b3->subordinate, 3);
	assert_ptr_equal(get(2, 0, 0)->parent, b2);
	assert_ptr_equal(b2->parent, b1);
	assert_int_equal(pci_cfg_read16(b1, PCI_COMMAND),
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* 64-bit prefetchable behind 64-bit-capable bridges: in mem64. */
	d = get(2, 3, 0);
	assert_true(d->bar[2].pci_addr >= 0x8000000000ull);
	assert_true(b1->pref_win.open && b2->pref_win.open);
	assert_int_equal(b1->io_win.base & 0xfff, 0);
	assert_int_equal(b1->mem_win.base & 0xfffff, 0);
	/* Behind the 32-bit-prefetch bridge: both 64-bit BARs below 4 GiB. */
	d = get(3, 0, 0);
	assert_true(d->bar[0].pci_addr + d->bar[0].size <= 1ull << 32);
	assert_true(d->bar[2].pci_addr + d->bar[2].size <= 1ull << 32);
	assert_false(b3->pref_win.open);
	assert_false(b3->io_win.open); /* nothing behind it uses I/O */
	assert_true(in_console("pci 00:01.0 [1b36:0001] class 060400 rev 01 INTA BAR0 mem64"));
	assert_true(in_console("bridge [bus 01-02] io 0x"));
}

static void test_bridge_bus_exhaustion(void **state)
{
	struct dt_pci_host dt = virt_low;
	struct fpci_fn *br1, *br2;

	(void)state;
	dt.bus_end = 1;
	dt.ecam_size = 2 * MiB;
	start(&dt);
	br1 = fpci_add_bridge(fk, &fk->root, 1, 0, true, true);
	fpci_bar(fpci_add(fk, br1->child, 0, 0, 0x1234, 1, 0xff0000), 0, 4 * KiB, 0);
	fpci_add_bridge(fk, br1->child, 1, 0, true, true); /* needs bus 2 */
	br2 = fpci_add_bridge(fk, &fk->root, 2, 0, true, true);
	fpci_bar(fpci_add(fk, br2->child, 0, 0, 0x1234, 2, 0xff0000), 0, 4 * KiB, 0);
	fpci_bar(fpci_add(fk, &fk->root, 3, 0, 0x1234, 3, 0xff0000), 0, 4 * KiB, 0);

	assert_int_equal(enumerate(), 5);
	check_layout();
	assert_true(in_console("pci 01:01.0: no bus number left in 00-01: not scanned behind\n"));
	assert_true(in_console("pci 00:02.0: no bus number left in 00-01"));
	assert_int_equal(get(0, 1, 0)->subordinate, 1);
	assert_false(get(0, 2, 0)->enabled);
	assert_int_equal(fpci_peek8(br2, PCI_SECONDARY_BUS), 0);
	assert_true(get(1, 0, 0)->enabled);
	assert_true(get(0, 3, 0)->enabled);
}

static void test_bridge_disabled(void **state)
{
	struct dt_pci_host dt = virt_low;
	struct fpci_fn *br;

	(void)state;
	dt.ranges[0] = dt.ranges[1]; /* no I/O window at all */
	dt.nranges = 1;
	start(&dt);
	br = fpci_add_bridge(fk, &fk->root, 1, 0, true, true);
	fpci_bar(br, 0, 256, IO);
	fpci_bar(fpci_add(fk, br->child, 0, 0, 0x1234, 1, 0xff0000), 0, 4 * KiB, 0);
	fpci_bar(fpci_add(fk, &fk->root, 2, 0, 0x1234, 2, 0xff0000), 0, 4 * KiB, 0);

	assert_int_equal(enumerate(), 3);
	check_layout();
	assert_true(in_console("pci 00:01.0: BAR0 (256 B io) does not fit in any window"));
	assert_true(in_console("pci 01:00.0: behind disabled bridge 00:01.0: device disabled\n"));
	assert_false(get(1, 0, 0)->enabled);
	assert_true(get(0, 2, 0)->enabled);
	assert_int_equal(fpci_peek16(br, PCI_COMMAND), 0);
}

/* A bridge implementing neither an I/O nor a prefetchable window (their
 * registers read-only 0, as PCI-to-PCI Bridge 1.2, 3.2.5.6/3.2.5.9 allow). */
static void test_bridge_without_windows(void **state)
{
	struct fpci_fn *br, *f;
	struct pci_dev *d;

	(void)state;
	start(&virt_high);
	br = fpci_add_bridge(fk, &fk->root, 1, 0, false, false);
	memset(&br->wmask[PCI_IO_BASE], 0, 2);
	memset(&br->wmask[PCI_PREF_MEMORY_BASE], 0, 4);
	memset(&br->cfg[PCI_PREF_MEMORY_BASE], 0, 4);
	f = fpci_add(fk, br->child, 0, 0, 0x1234, 1, 0xff0000);
	fpci_bar(f, 0, 32, IO);
	f = fpci_add(fk, br->child, 1, 0, 0x1234, 2, 0xff0000);
	fpci_bar(f, 0, 64 * KiB, M64 | PREF);

	assert_int_equal(enumerate(), 3);
	check_layout();
	assert_true(in_console("pci 01:00.0: BAR0 (32 B io) does not fit in any window"));
	d = get(1, 1, 0);
	assert_true(d->enabled);
	assert_true(d->bar[0].pci_addr + d->bar[0].size <= 1ull << 32);
	assert_true(get(0, 1, 0)->mem_win.open);
	assert_false(get(0, 1, 0)->pref_win.open);
	assert_false(get(0, 1, 0)->io_win.open);
}

/* A host with a prefetchable 32-bit window next to mem32 and mem64. */
static void test_pref32_window(void **state)
{
	struct dt_pci_host dt = virt_high;
	struct fpci_fn *br, *f;
	struct pci_dev *d;

	(void)state;
	dt.ranges[1].size = 0x10000000;
	dt.ranges[3] = (struct dt_pci_range){ DT_PCI_SPACE_MEM32, true, 0x20000000, 0x20000000,
					      0x10000000 };
	dt.nranges = 4;
	start(&dt);
	f = fpci_add(fk, &fk->root, 1, 0, 0x1234, 1, 0xff0000);
	fpci_bar(f, 0, 64 * KiB, PREF);	      /* 32-bit prefetchable: pref32 */
	fpci_bar(f, 2, 64 * KiB, M64 | PREF); /* 64-bit: mem64 */
	fpci_bar(f, 4, 4 * KiB, 0);	      /* mem32 */
	/* A bridge without 64-bit prefetch: its prefetchable window comes
	 * from pref32, and so do the 64-bit prefetchable BARs behind it. */
	br = fpci_add_bridge(fk, &fk->root, 2, 0, false, true);
	f = fpci_add(fk, br->child, 0, 0, 0x1234, 2, 0xff0000);
	fpci_bar(f, 0, 64 * KiB, M64 | PREF);
	fpci_bar(f, 2, 4 * KiB, 0);

	assert_int_equal(enumerate(), 3);
	check_layout();
	d = get(0, 1, 0);
	assert_int_equal(d->bar[0].pci_addr, 0x20000000);
	assert_true(d->bar[2].pci_addr >= 0x8000000000ull);
	assert_true(d->bar[4].pci_addr < 0x20000000);
	d = get(1, 0, 0);
	assert_true(d->bar[0].pci_addr >= 0x20000000 && d->bar[0].pci_addr < 0x30000000);
	assert_true(d->bar[2].pci_addr < 0x20000000);
	assert_true(get(0, 2, 0)->pref_win.open);
	assert_true(get(0, 2, 0)->mem_win.open);
}

static void test_bus_start_nonzero(void **state)
{
	struct dt_pci_host dt = virt_low;
	struct fpci_fn *br;

	(void)state;
	dt.bus_start = 0x10;
	dt.bus_end = 0x1f;
	start(&dt);
	br = fpci_add_bridge(fk, &fk->root, 0, 0, true, true);
	fpci_bar(fpci_add(fk, br->child, 0, 0, 0x1234, 1, 0xff0000), 0, 4 * KiB, 0);
	assert_int_equal(enumerate(), 2);
	check_layout();
	assert_int_equal(get(0x10, 0, 0)->secondary, 0x11);
	assert_string_equal(get(0x11, 0, 0)->name, "11:00.0");
}

/* ---- discovery -------------------------------------------------------------------- */

static void test_multifunction(void **state)
{
	struct fpci_fn *alias;

	(void)state;
	start(&virt_high);
	fpci_bar(fpci_add(fk, &fk->root, 5, 0, 0x1234, 1, 0xff0000), 0, 4 * KiB, 0);
	fpci_bar(fpci_add(fk, &fk->root, 5, 1, 0x1234, 2, 0xff0000), 0, 4 * KiB, 0);
	fpci_bar(fpci_add(fk, &fk->root, 5, 3, 0x1234, 3, 0xff0000), 0, 4 * KiB, 0);
	alias = fpci_add(fk, &fk->root, 6, 0, 0x1234, 4, 0xff0000);
	alias->alias = true;				    /* answers as functions 1..7 too */
	fpci_add(fk, &fk->root, 7, 1, 0x1234, 5, 0xff0000); /* no function 0 */

	assert_int_equal(enumerate(), 4);
	check_layout();
	assert_string_equal(get(0, 5, 1)->name, "00:05.1");
	assert_non_null(find(0, 5, 3));
	assert_null(find(0, 6, 1));
	assert_null(find(0, 7, 1));
}

static void test_absent_skipped(void **state)
{
	(void)state;
	start(&virt_high);
	fpci_add(fk, &fk->root, 31, 0, 0x1234, 1, 0xff0000);
	fpci_add(fk, &fk->root, 16, 0, 0x1234, 2, 0xff0000);
	fpci_add(fk, &fk->root, 0, 0, 0x1234, 3, 0xff0000);
	fpci_add(fk, &fk->root, 9, 0, 0x0000, 4, 0xff0000); /* vendor 0: empty */
	assert_int_equal(enumerate(), 3);
	check_layout();
	assert_int_equal(host->devs[0].dev, 0);
	assert_int_equal(host->devs[1].dev, 16);
	assert_int_equal(host->devs[2].dev, 31);
	assert_null(find(0, 9, 0));
}

static void test_too_many(void **state)
{
	(void)state;
	start(&virt_high);
	for (u8 dev = 0; dev < 9; dev++)
		for (u8 fn = 0; fn < 8; fn++)
			fpci_add(fk, &fk->root, dev, fn, 0x1234, dev, 0xff0000);
	assert_int_equal(enumerate(), PCI_MAX_DEVS);
	check_layout();
	assert_true(in_console("pci 08:00.0: more than 64 functions: ignored\n") ||
		    in_console("pci 00:08.0: more than 64 functions: ignored\n"));
}

static void test_reenumerate(void **state)
{
	struct pci_dev before[PCI_MAX_DEVS];
	unsigned n;
	struct fpci_fn *br;

	(void)state;
	start(&virt_high);
	br = fpci_add_bridge(fk, &fk->root, 1, 0, true, true);
	add_virtio_blk(br->child, 0, true);
	add_virtio_blk(&fk->root, 2, false);
	assert_int_equal(enumerate(), 3);
	n = host->ndevs;
	memcpy(before, host->devs, sizeof(before));
	/* A second scan finds everything assigned: it keeps it all. */
	assert_int_equal(enumerate(), (int)n);
	check_layout();
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < 6; j++)
			assert_int_equal(host->devs[i].bar[j].pci_addr, before[i].bar[j].pci_addr);
		assert_int_equal(host->devs[i].mem_win.base, before[i].mem_win.base);
		assert_int_equal(host->devs[i].pref_win.limit, before[i].pref_win.limit);
		assert_int_equal(host->devs[i].io_win.base, before[i].io_win.base);
	}
}

static void test_cfg_access(void **state)
{
	struct fpci_fn *f;
	struct pci_dev *d;

	(void)state;
	start(&virt_high);
	f = fpci_add(fk, &fk->root, 4, 2, 0xabcd, 0x1234, 0x0c0330);
	fpci_add(fk, &fk->root, 4, 0, 0xabcd, 0x1233, 0x0c0330);
	fpci_poke8(f, PCI_INTERRUPT_PIN, 3);
	assert_int_equal(enumerate(), 2);
	d = get(0, 4, 2);
	assert_int_equal(d->vendor_id, 0xabcd);
	assert_int_equal(d->device_id, 0x1234);
	assert_int_equal(d->class_code, 0x0c0330);
	assert_int_equal(d->revision, 1);
	assert_int_equal(d->subsys_vendor, 0x1af4);
	assert_int_equal(d->subsys_id, 0x1100);
	assert_int_equal(d->irq_pin, 3);
	assert_int_equal(pci_cfg_read32(d, PCI_VENDOR_ID), 0x1234abcd);
	assert_int_equal(pci_cfg_read16(d, PCI_DEVICE_ID), 0x1234);
	assert_int_equal(pci_cfg_read8(d, PCI_CLASS_PROG), 0x30);
	pci_cfg_write8(d, PCI_INTERRUPT_LINE, 0x2a);
	assert_int_equal(fpci_peek8(f, PCI_INTERRUPT_LINE), 0x2a);
	pci_cfg_write16(d, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_MASTER);
	assert_int_equal(fpci_peek16(f, PCI_COMMAND),
			 PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_MASTER);
	pci_cfg_write32(d, 0x0c, 0x10);
	assert_int_equal(fpci_peek8(f, 0x0c), 0x10);
	assert_true(in_console("pci 00:04.2 [abcd:1234] class 0c0330 rev 01 INTC\n"));
	assert_int_equal(fk->violations, 0);
}

/* ---- capabilities ------------------------------------------------------------------- */

static struct pci_dev *cap_dev(struct fpci_fn **fp)
{
	start(&virt_high);
	*fp = fpci_add(fk, &fk->root, 1, 0, 0x1234, 1, 0xff0000);
	assert_int_equal(enumerate(), 1);
	return get(0, 1, 0);
}

static void test_caps(void **state)
{
	struct fpci_fn *f;
	struct pci_dev *d = cap_dev(&f);

	(void)state;
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX, 0), -ENOENT); /* no CAP_LIST */
	fpci_poke8(f, PCI_CAPABILITY_LIST, 0x40);
	fpci_cap(f, 0x40, PCI_CAP_ID_MSIX, 0x50);
	fpci_cap(f, 0x50, PCI_CAP_ID_VNDR, 0x60);
	fpci_cap(f, 0x60, PCI_CAP_ID_VNDR, 0xfc);
	fpci_cap(f, 0xfc, PCI_CAP_ID_EXP, 0x00);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX, 0), 0x40);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_VNDR, 0), 0x50);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_VNDR, 0x50), 0x60);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_VNDR, 0x60), -ENOENT);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_EXP, 0), 0xfc);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSI, 0), -ENOENT);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_VNDR, 0x3c), -EINVAL);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_VNDR, 0x41), -EINVAL);
	/* The two reserved low bits of a pointer are masked. */
	fpci_poke8(f, PCI_CAPABILITY_LIST, 0x43);
	fpci_poke8(f, 0x41, 0x52);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_VNDR, 0), 0x50);
	fpci_poke8(f, 0x61, 0xff); /* 0xfc after masking: still inside */
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_EXP, 0), 0xfc);

	/* 48 entries fill 0x40..0xfc exactly: the longest valid list. */
	fpci_poke8(f, PCI_CAPABILITY_LIST, 0x40);
	for (unsigned off = 0x40; off <= 0xfc; off += 4)
		fpci_cap(f, (u8)off, PCI_CAP_ID_VNDR, off == 0xfc ? 0 : (u8)(off + 4));
	fpci_poke8(f, 0xfc, PCI_CAP_ID_EXP);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_EXP, 0), 0xfc);
	assert_int_equal(fk->violations, 0);
}

static void test_caps_malformed(void **state)
{
	struct fpci_fn *f;
	struct pci_dev *d = cap_dev(&f);

	(void)state;
	fpci_poke8(f, PCI_CAPABILITY_LIST, 0x40);
	/* First pointer inside the header. */
	fpci_poke8(f, PCI_CAPABILITY_LIST, 0x20);
	fpci_cap(f, 0x20, PCI_CAP_ID_MSIX, 0);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX, 0), -EBADMSG);
	/* A later pointer below 0x40. */
	fpci_poke8(f, PCI_CAPABILITY_LIST, 0x40);
	fpci_cap(f, 0x40, PCI_CAP_ID_VNDR, 0x3c);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_VNDR, 0), 0x40); /* found before */
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX, 0), -EBADMSG);
	/* a -> b -> a */
	fpci_cap(f, 0x40, PCI_CAP_ID_VNDR, 0x80);
	fpci_cap(f, 0x80, PCI_CAP_ID_VNDR, 0x40);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX, 0), -EBADMSG);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX, 0x80), -EBADMSG);
	/* A capability pointing at itself (masked: 0x42 -> 0x40). */
	fpci_cap(f, 0x40, PCI_CAP_ID_VNDR, 0x42);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX, 0), -EBADMSG);
	/* All-ones: the function went away under us. */
	fpci_cap(f, 0x40, 0xff, 0xff);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX, 0), -EBADMSG);
	/* Status without CAP_LIST: the pointer is not looked at. */
	fpci_poke16(f, PCI_STATUS, 0);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_VNDR, 0), -ENOENT);
}

/* ---- real device trees and the probe line ------------------------------------------ */

static void test_real_dtb(void **state)
{
	static struct platform p;
	size_t len;
	u8 *dtb = test_data_load("virt-aarch64-lowmem-pci.dtb", &len);
	struct pci_dev *d;

	(void)state;
	assert_int_equal(dt_platform_parse(dtb, len, &p), 0);
	fpci_init(fk, 0x3f000000, 0, 15);
	assert_int_equal(pci_host_init(host, &p.pci), 0);
	assert_int_equal(host->ecam, 0x3f000000);
	assert_int_equal(host->bus_end, 15);
	assert_int_equal(host->io.cpu_base, 0x3eff0000);
	assert_int_equal(host->io.pci_base, 0);
	assert_int_equal(host->io.size, 0x10000);
	assert_int_equal(host->mem32.pci_base, 0x10000000);
	assert_int_equal(host->mem32.size, 0x2eff0000);
	assert_false(host->mem64.present);
	free(dtb);

	fpci_add(fk, &fk->root, 0, 0, 0x1b36, 0x0008, 0x060000);
	add_virtio_blk(&fk->root, 1, true);
	assert_int_equal(enumerate(), 2);
	check_layout();
	d = get(0, 1, 0);
	assert_true(d->bar[4].pci_addr + d->bar[4].size <= 0x3eff0000);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX, 0), 0x98);
	assert_true(in_console("pci 00:00.0 [1b36:0008] class 060000 rev 01 INTA\n"));
	assert_true(in_console("pci 00:01.0 [1af4:1001] class 010000 rev 01 INTA BAR0 io 0x1000 "
			       "(128 B) BAR1 mem32 0x10004000 (4 KiB) BAR4 mem64 pref 0x10000000 "
			       "(16 KiB)\n"));

	/* And the default machine's tree: a 64-bit window at 512 GiB. */
	dtb = test_data_load("virt-aarch64.dtb", &len);
	assert_int_equal(dt_platform_parse(dtb, len, &p), 0);
	assert_int_equal(pci_host_init(host, &p.pci), 0);
	assert_int_equal(host->ecam, 0x4010000000ull);
	assert_true(host->mem64.present);
	assert_int_equal(host->mem64.pci_base, 0x8000000000ull);
	assert_int_equal(host->mem64.size, 0x8000000000ull);
	free(dtb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_host_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assign_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem64_highmem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem64_lowmem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_bus_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_without_windows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pref32_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_start_nonzero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multifunction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reenumerate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfg_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_dtb, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
