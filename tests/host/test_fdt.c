/* deps: lib/fdt.c lib/dt_platform.c lib/string.c */
/*
 * tests/host/test_fdt.c - host tests for lib/fdt.c and lib/dt_platform.c.
 *
 * Three groups:
 *  - real trees QEMU 7.2 built for "-M virt" (tests/data/virt-*.dtb, made by
 *    tests/data/make-dtbs.sh): the values the kernel will boot with;
 *  - small trees built here (struct bld) for the rules real trees do not
 *    exercise: status, cell counts, ranges translation, interrupt parents,
 *    truncation of long lists;
 *  - corruption: a table of targeted header and token damage, every
 *    truncation length, every byte position and seeded random damage.
 *    These only demand "an error or a valid parse"; the real check is that
 *    ASan/UBSan stay quiet, which is why every blob handed to the parser
 *    sits in a heap buffer of exactly the length passed.
 *
 * Data files are looked up in $ORDO_TEST_DATA, else next to this source.
 * Build: gcc -std=c11 -I. -fsanitize=address,undefined \
 *          tests/host/test_fdt.c lib/fdt.c lib/dt_platform.c -lcmocka
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/host/test_data.h"
#include "arch/host/host.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/le.h"
#include "tests/host/test_util.h"

/* ---- helpers ---------------------------------------------------------- */

static void put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Heap copy of exactly @len bytes, so ASan flags any read past the end. */
static u8 *dup_blob(const u8 *src, size_t len)
{
	u8 *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, src, len);
	return p;
}

/* Run every reader on a blob; a checked tree must also be walkable. */
static void exercise_fdt(const u8 *blob, size_t len)
{
	struct fdt fdt;
	int node, depth, n = 0;
	u32 plen, ac, sc;
	u64 a, s;

	if (fdt_init(&fdt, blob, len))
		return;
	/* Unchecked trees must be safe to query too. */
	(void)fdt_path_offset(&fdt, "/chosen");
	(void)fdt_node_by_phandle(&fdt, 1);
	(void)fdt_mem_rsv(&fdt, 0, &a, &s);
	if (fdt_check(&fdt))
		return;
	for (node = fdt_next_node(&fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(&fdt, node, &depth), n++) {
		const char *name = fdt_node_name(&fdt, node);
		const char *v;

		assert_non_null(name);
		assert_true(depth >= 0 && depth < FDT_MAX_DEPTH);
		(void)strlen(name);
		v = fdt_getprop(&fdt, node, "compatible", &plen);
		if (v)
			(void)fdt_stringlist_contains(v, plen, "virtio,mmio");
		if (!fdt_reg_cells(&fdt, node, &ac, &sc))
			(void)fdt_reg(&fdt, node, ac, sc, 0, &a, &s);
		if (depth > 0)
			assert_true(fdt_parent_offset(&fdt, node) >= 0);
	}
	assert_int_equal(node, -ENOENT);
	assert_true(n > 0);
}

/* A parse that succeeded must have produced sane results. */
static void check_platform(const struct platform *p, int rc)
{
	if (rc) {
		assert_true(rc < 0);
		assert_int_equal(p->nmem + p->nvmmio, 0);
		assert_null(p->bootargs);
		return;
	}
	assert_true(p->nmem <= DT_MAX_MEM);
	assert_true(p->nvmmio <= DT_MAX_VIRTIO_MMIO);
	assert_true(p->pci.nranges <= DT_MAX_PCI_RANGES);
	if (p->bootargs)
		(void)strlen(p->bootargs); /* ASan: stays in the blob */
	for (unsigned i = 0; i < p->nvmmio; i++)
		assert_true(p->vmmio[i].irq_cells <= DT_MAX_IRQ_CELLS);
	assert_true(p->intc.nplic_ctx <= DT_MAX_PLIC_CONTEXTS);
	assert_true(p->msi.nimsic <= DT_MAX_IMSIC_FILES);
	if (p->msi.kind == DT_MSI_IMSIC) {
		assert_true(p->msi.count >= 63 && p->msi.count <= 2047);
		assert_int_equal((p->msi.count + 1) % 64, 0);
		for (unsigned i = 0; i < p->msi.nimsic; i++)
			assert_int_equal(p->msi.imsic[i].base % 4096, 0);
	}
	assert_true(p->intc.naplic_idc <= DT_MAX_APLIC_IDCS);
	if (p->intc.kind == DT_INTC_APLIC) {
		/* Either a usable domain or a reason, never both. */
		assert_int_equal(p->intc.aplic_mode == DT_APLIC_NONE,
				 p->intc.aplic_refusal != NULL);
		if (p->intc.aplic_mode != DT_APLIC_NONE) {
			assert_true(p->intc.aplic_nsources >= 1 && p->intc.aplic_nsources <= 1023);
			assert_int_equal(p->intc.reg[0].base % 4096, 0);
			assert_true(p->intc.reg[0].size >= 0x4000);
		}
		if (p->intc.aplic_mode != DT_APLIC_DIRECT)
			assert_int_equal(p->intc.naplic_idc, 0);
	}
	assert_true(p->timer.virt_irq_cells <= DT_MAX_IRQ_CELLS);
	assert_true(p->console.kind <= DT_UART_NS16550);
	if (p->console.kind == DT_UART_PL011 || p->console.kind == DT_UART_NS16550) {
		assert_true(p->console.reg_shift <= 4);
		assert_true(p->console.reg_io_width == 1 || p->console.reg_io_width == 4);
		assert_true(p->console.size > 0);
	}
	if (p->model)
		(void)strlen(p->model); /* ASan: terminated inside the blob */
}

static int parse_copy(const u8 *src, size_t len, struct platform *p)
{
	u8 *blob = dup_blob(src, len);
	int rc = dt_platform_parse(blob, len, p);

	check_platform(p, rc);
	exercise_fdt(blob, len);
	free(blob);
	return rc;
}

/* ---- real QEMU trees -------------------------------------------------- */

static void check_vmmio_slots(const struct platform *p)
{
	/* hw/arm/virt.c: 32 transports at 0x0a000000, 0x200 apart, on
	 * GIC SPI 16 + n, edge-triggered (type 0 = SPI, flags 1). */
	assert_int_equal(p->nvmmio, 32);
	for (unsigned n = 0; n < 32; n++) {
		const struct dt_virtio_mmio *v = &p->vmmio[n];

		assert_int_equal(v->base, 0x0a000000ull + n * 0x200);
		assert_int_equal(v->size, 0x200);
		assert_int_equal(v->irq_cells, 3);
		assert_int_equal(v->irq[0], 0);
		assert_int_equal(v->irq[1], 16 + n);
		assert_int_equal(v->irq[2], 1);
	}
}

/* hw/arm/virt.c's GICv2: distributor and CPU interface (GICH and GICV
 * only with virtualization=on). */
static void check_gicv2(const struct platform *p)
{
	static const u64 base[2] = { 0x08000000, 0x08010000 };

	assert_int_equal(p->intc.kind, DT_INTC_GICV2);
	assert_int_equal(p->intc.nreg, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(p->intc.reg[i].base, base[i]);
		assert_int_equal(p->intc.reg[i].size, 0x10000);
	}
	/* QEMU 7.2 virt's GICv2m frame: MSI_TYPER says which SPIs. */
	assert_int_equal(p->msi.kind, DT_MSI_GICV2M);
	assert_int_equal(p->msi.reg.base, 0x08020000);
	assert_int_equal(p->msi.reg.size, 0x1000);
	assert_int_equal(p->msi.base, 0);
	assert_int_equal(p->msi.count, 0);
}

static void test_virt_highmem(void **state)
{
	struct platform p;
	const struct dt_pci_range *r;
	size_t len;
	u8 *dtb = test_data_load("virt-aarch64.dtb", &len);

	(void)state;
	assert_int_equal(parse_copy(dtb, len, &p), 0);
	assert_false(p.truncated);
	assert_int_equal(p.nmem, 1);
	assert_int_equal(p.mem[0].base, 0x40000000);
	assert_int_equal(p.mem[0].size, 128 * MiB);
	check_vmmio_slots(&p);
	check_gicv2(&p);

	assert_true(p.pci.present);
	assert_int_equal(p.pci.ecam_base, 0x4010000000ull);
	assert_int_equal(p.pci.ecam_size, 256 * MiB);
	assert_int_equal(p.pci.bus_start, 0);
	assert_int_equal(p.pci.bus_end, 255);
	assert_int_equal(p.pci.nranges, 3);
	r = p.pci.ranges;
	assert_int_equal(r[0].space, DT_PCI_SPACE_IO);
	assert_int_equal(r[0].pci_addr, 0);
	assert_int_equal(r[0].cpu_addr, 0x3eff0000);
	assert_int_equal(r[0].size, 0x10000);
	assert_int_equal(r[1].space, DT_PCI_SPACE_MEM32);
	assert_int_equal(r[1].pci_addr, 0x10000000);
	assert_int_equal(r[1].cpu_addr, 0x10000000);
	assert_int_equal(r[1].size, 0x2eff0000);
	assert_int_equal(r[2].space, DT_PCI_SPACE_MEM64);
	assert_int_equal(r[2].pci_addr, 0x8000000000ull);
	assert_int_equal(r[2].cpu_addr, 0x8000000000ull);
	assert_int_equal(r[2].size, 0x8000000000ull);
	for (int i = 0; i < 3; i++)
		assert_false(r[i].prefetch);

	/* bootargs must come back as a pointer into the caller's blob. */
	{
		struct fdt fdt;
		int rc = dt_platform_parse(dtb, len, &p);

		assert_int_equal(rc, 0);
		assert_string_equal(p.bootargs, "ktest foo=bar");
		assert_true((const u8 *)p.bootargs > dtb && (const u8 *)p.bootargs < dtb + len);
		assert_int_equal(fdt_init(&fdt, dtb, len), 0);
		assert_int_equal(fdt.version, 17);
	}
	free(dtb);
}

static void test_virt_lowmem_pci(void **state)
{
	struct platform p;
	size_t len;
	u8 *dtb = test_data_load("virt-aarch64-lowmem-pci.dtb", &len);

	(void)state;
	assert_int_equal(parse_copy(dtb, len, &p), 0);
	assert_int_equal(dt_platform_parse(dtb, len, &p), 0);
	assert_string_equal(p.bootargs, "console=ttyAMA0");
	assert_int_equal(p.nmem, 1);
	assert_int_equal(p.mem[0].size, 128 * MiB);
	check_vmmio_slots(&p);
	assert_true(p.pci.present);
	assert_int_equal(p.pci.ecam_base, 0x3f000000);
	assert_int_equal(p.pci.ecam_size, 16 * MiB);
	assert_int_equal(p.pci.bus_start, 0);
	assert_int_equal(p.pci.bus_end, 15);
	/* No 64-bit window below 4 GiB. */
	assert_int_equal(p.pci.nranges, 2);
	assert_int_equal(p.pci.ranges[0].space, DT_PCI_SPACE_IO);
	assert_int_equal(p.pci.ranges[0].cpu_addr, 0x3eff0000);
	assert_int_equal(p.pci.ranges[1].space, DT_PCI_SPACE_MEM32);
	assert_int_equal(p.pci.ranges[1].cpu_addr, 0x10000000);
	for (unsigned i = 0; i < p.pci.nranges; i++)
		assert_int_not_equal(p.pci.ranges[i].space, DT_PCI_SPACE_MEM64);
	free(dtb);
}

static void test_virt_3disks(void **state)
{
	struct platform p;
	size_t len;
	u8 *dtb = test_data_load("virt-aarch64-3disks.dtb", &len);

	(void)state;
	assert_int_equal(parse_copy(dtb, len, &p), 0);
	assert_null(p.bootargs); /* /chosen without bootargs */
	assert_int_equal(p.nmem, 1);
	assert_int_equal(p.mem[0].base, 0x40000000);
	assert_int_equal(p.mem[0].size, 256 * MiB);
	check_vmmio_slots(&p);
	free(dtb);
}

/* gic-version=3: distributor and one redistributor region. */
static void test_virt_gicv3(void **state)
{
	struct platform p;
	size_t len;
	u8 *dtb = test_data_load("virt-aarch64-gicv3.dtb", &len);

	(void)state;
	assert_int_equal(parse_copy(dtb, len, &p), 0);
	check_vmmio_slots(&p);
	assert_int_equal(p.intc.kind, DT_INTC_GICV3);
	assert_int_equal(p.intc.nreg, 2);
	assert_int_equal(p.intc.reg[0].base, 0x08000000);
	assert_int_equal(p.intc.reg[0].size, 0x10000);
	assert_int_equal(p.intc.reg[1].base, 0x080a0000);
	assert_int_equal(p.intc.reg[1].size, 0xf60000);
	/* The ITS under the GIC node (QEMU 7.2 virt: 0x08080000, 128 KiB). */
	assert_int_equal(p.msi.kind, DT_MSI_ITS);
	assert_int_equal(p.msi.reg.base, 0x08080000);
	assert_int_equal(p.msi.reg.size, 0x20000);
	free(dtb);
}

/* The QEMU matrix's misrouted tree: only slot 31 names another SPI. */
static void test_virt_irq_misrouted(void **state)
{
	struct platform p;
	size_t len;
	u8 *dtb = test_data_load("virt-aarch64-irq-misrouted.dtb", &len);

	(void)state;
	assert_int_equal(parse_copy(dtb, len, &p), 0);
	assert_int_equal(p.nvmmio, 32);
	for (unsigned n = 0; n < 32; n++)
		assert_int_equal(p.vmmio[n].irq[1], n == 31 ? 100 : 16 + n);
	check_gicv2(&p);
	free(dtb);
}

/* The fdt_* API on a real tree. */
static void test_fdt_api(void **state)
{
	struct fdt fdt;
	size_t len;
	u8 *dtb = test_data_load("virt-aarch64.dtb", &len);
	int root, mem, intc, v2m, core0, node, depth, n = 0;
	u32 ac, sc, plen, val;
	u64 a, s;
	const char *str;

	(void)state;
	assert_int_equal(fdt_init(&fdt, dtb, len), 0);
	assert_int_equal(fdt_check(&fdt), 0);

	root = fdt_path_offset(&fdt, "/");
	assert_int_equal(root, fdt_next_node(&fdt, -1, NULL));
	assert_string_equal(fdt_node_name(&fdt, root), "");
	assert_int_equal(fdt_parent_offset(&fdt, root), -ENOENT);
	assert_int_equal(fdt_path_offset(&fdt, "chosen"), -EINVAL);
	assert_int_equal(fdt_path_offset(&fdt, "/nope"), -ENOENT);
	assert_int_equal(fdt_path_offset(&fdt, "/chosen/nope"), -ENOENT);
	assert_true(fdt_path_offset(&fdt, "//chosen/") >= 0);

	/* A component without a unit address matches "memory@40000000". */
	mem = fdt_path_offset(&fdt, "/memory");
	assert_int_equal(mem, fdt_path_offset(&fdt, "/memory@40000000"));
	assert_string_equal(fdt_node_name(&fdt, mem), "memory@40000000");
	assert_int_equal(fdt_path_offset(&fdt, "/memory@4"), -ENOENT);
	assert_int_equal(fdt_reg_cells(&fdt, mem, &ac, &sc), 0);
	assert_int_equal(ac, 2);
	assert_int_equal(sc, 2);
	assert_int_equal(fdt_reg(&fdt, mem, ac, sc, 0, &a, &s), 0);
	assert_int_equal(a, 0x40000000);
	assert_int_equal(s, 128 * MiB);
	assert_int_equal(fdt_reg(&fdt, mem, ac, sc, 1, &a, &s), -ENOENT);
	assert_int_equal(fdt_reg(&fdt, mem, 3, 2, 0, &a, &s), -EBADMSG);
	assert_int_equal(fdt_reg(&fdt, mem, 0, 4, 0, &a, &s), -EBADMSG);

	intc = fdt_path_offset(&fdt, "/intc");
	v2m = fdt_path_offset(&fdt, "/intc/v2m");
	assert_true(intc > 0 && v2m > intc);
	assert_int_equal(fdt_parent_offset(&fdt, v2m), intc);
	assert_int_equal(fdt_parent_offset(&fdt, intc), root);
	assert_int_equal(fdt_parent_offset(&fdt, intc + 4), -EINVAL);
	assert_int_equal(fdt_node_by_phandle(&fdt, 0x8002), intc);
	assert_int_equal(fdt_node_by_phandle(&fdt, 0x8003), v2m);
	assert_int_equal(fdt_node_by_phandle(&fdt, 0x1234), -ENOENT);
	assert_int_equal(fdt_node_by_phandle(&fdt, 0), -EINVAL);
	assert_int_equal(fdt_getprop_u32(&fdt, intc, "#interrupt-cells", &val), 0);
	assert_int_equal(val, 3);
	assert_int_equal(fdt_getprop_u32(&fdt, intc, "reg", &val), -EBADMSG);
	assert_int_equal(fdt_getprop_u32(&fdt, intc, "nope", &val), -ENOENT);
	assert_true(fdt_getprop(&fdt, intc, "interrupt-controller", &plen));
	assert_int_equal(plen, 0);
	assert_true(fdt_node_is_compatible(&fdt, intc, "arm,cortex-a15-gic"));
	assert_false(fdt_node_is_compatible(&fdt, intc, "arm,cortex-a15"));
	assert_false(fdt_node_is_compatible(&fdt, v2m, "virtio,mmio"));

	node = fdt_path_offset(&fdt, "/platform-bus");
	assert_true(fdt_node_is_compatible(&fdt, node, "simple-bus"));
	assert_true(fdt_node_is_compatible(&fdt, node, "qemu,platform"));
	assert_false(fdt_node_is_compatible(&fdt, node, "simple"));
	assert_int_equal(fdt_bus_cells(&fdt, node, &ac, &sc), 0);
	assert_int_equal(ac, 1);
	assert_int_equal(sc, 1);
	/* psci has no #address-cells: the spec defaults apply. */
	node = fdt_path_offset(&fdt, "/psci");
	assert_int_equal(fdt_bus_cells(&fdt, node, &ac, &sc), 0);
	assert_int_equal(ac, 2);
	assert_int_equal(sc, 1);

	core0 = fdt_path_offset(&fdt, "/cpus/cpu-map/socket0/cluster0/core0");
	assert_true(core0 > 0);
	str = fdt_getprop(&fdt, fdt_path_offset(&fdt, "/chosen"), "bootargs", &plen);
	assert_non_null(str);
	assert_int_equal(plen, strlen("ktest foo=bar") + 1);

	/* Whole walk: 56 nodes, deepest is core0 at depth 5. */
	for (node = fdt_next_node(&fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(&fdt, node, &depth), n++)
		if (node == core0)
			assert_int_equal(depth, 5);
	assert_int_equal(node, -ENOENT);
	assert_int_equal(n, 56);

	/* Subtree walk from intc sees only v2m. */
	depth = 0;
	assert_int_equal(fdt_next_node(&fdt, intc, &depth), v2m);
	assert_int_equal(depth, 1);
	assert_int_equal(fdt_next_node(&fdt, v2m, &depth), -ENOENT);
	assert_int_equal(fdt_first_subnode(&fdt, intc), v2m);
	assert_int_equal(fdt_next_subnode(&fdt, v2m), -ENOENT);
	assert_int_equal(fdt_first_subnode(&fdt, v2m), -ENOENT);
	for (n = 0, node = fdt_first_subnode(&fdt, root); node >= 0;
	     node = fdt_next_subnode(&fdt, node))
		n++;
	assert_int_equal(node, -ENOENT);
	assert_int_equal(n, 16 + 32);

	/* Offsets that are not nodes. */
	assert_null(fdt_node_name(&fdt, 2));
	assert_null(fdt_node_name(&fdt, -4));
	assert_null(fdt_node_name(&fdt, 0x7ffffff0));
	assert_null(fdt_getprop(&fdt, mem + 4, "reg", NULL));
	assert_int_equal(fdt_next_node(&fdt, 1, NULL), -EINVAL);
	assert_int_equal(fdt_mem_rsv(&fdt, 0, &a, &s), -ENOENT);
	free(dtb);
}

static void test_fdt_helpers(void **state)
{
	static const u8 cells[] = { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 };
	static const char list[] = "a\0bc\0def"; /* 9 bytes, terminated */
	u64 v;

	(void)state;
	assert_int_equal(fdt_read_cells(cells, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(fdt_read_cells(cells, 1, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(fdt_read_cells(cells, 2, &v), 0);
	assert_int_equal(v, 0x100000002ull);
	assert_int_equal(fdt_read_cells(cells, 3, &v), -ERANGE);
	assert_int_equal(fdt_read_cells(cells + 4, 2, &v), 0);
	assert_int_equal(v, 0x200000003ull);

	assert_true(fdt_stringlist_contains(list, sizeof(list), "a"));
	assert_true(fdt_stringlist_contains(list, sizeof(list), "bc"));
	assert_true(fdt_stringlist_contains(list, sizeof(list), "def"));
	assert_false(fdt_stringlist_contains(list, sizeof(list), "b"));
	assert_false(fdt_stringlist_contains(list, sizeof(list), ""));
	/* Cut inside "def": the unterminated tail must not match. */
	assert_false(fdt_stringlist_contains(list, sizeof(list) - 1, "def"));
	assert_false(fdt_stringlist_contains(list, 7, "de"));
	assert_false(fdt_stringlist_contains(NULL, 0, "a"));
}

/* ---- a tiny tree builder ------------------------------------------------ */

struct bld {
	u8 st[64 * 1024]; /* structure block */
	u32 slen;
	char str[4096]; /* strings block */
	u32 strl;
	u32 version;
	u64 rsv[4][2]; /* memory reservation entries */
	u32 nrsv;
	bool rsv_unterminated; /* put them last, without (0, 0) */
};

static struct bld *bld_new(void)
{
	struct bld *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	b->version = 17;
	return b;
}

static void b_u32(struct bld *b, u32 v)
{
	put_be32(b->st + b->slen, v);
	b->slen += 4;
}

static void b_bytes(struct bld *b, const void *p, u32 n)
{
	if (n)
		memcpy(b->st + b->slen, p, n);
	b->slen += n;
}

static void b_pad(struct bld *b)
{
	while (b->slen % 4)
		b->st[b->slen++] = 0;
}

static u32 b_stroff(struct bld *b, const char *name)
{
	u32 n = strlen(name) + 1, off;

	for (off = 0; off < b->strl; off += strlen(b->str + off) + 1)
		if (!strcmp(b->str + off, name))
			return off;
	memcpy(b->str + b->strl, name, n);
	b->strl += n;
	return off;
}

static void b_begin(struct bld *b, const char *name)
{
	b_u32(b, FDT_BEGIN_NODE);
	b_bytes(b, name, strlen(name) + 1);
	b_pad(b);
}

static void b_end(struct bld *b)
{
	b_u32(b, FDT_END_NODE);
}

static void b_prop(struct bld *b, const char *name, const void *v, u32 len)
{
	b_u32(b, FDT_PROP);
	b_u32(b, len);
	b_u32(b, b_stroff(b, name));
	b_bytes(b, v, len);
	b_pad(b);
}

static void b_str(struct bld *b, const char *name, const char *s)
{
	b_prop(b, name, s, strlen(s) + 1);
}

/* A property of @n cells. */
static void b_cells(struct bld *b, const char *name, int n, ...)
{
	u8 v[64 * 4];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		put_be32(v + 4 * i, va_arg(ap, u32));
	va_end(ap);
	b_prop(b, name, v, 4 * n);
}

/*
 * Header, reservation map, structure block, strings block; or, for a map
 * without terminator, the map last so that it runs into the blob's end.
 */
static u8 *b_finish(struct bld *b, size_t *lenp)
{
	u32 rsv_size = (b->nrsv + !b->rsv_unterminated) * 16;
	u32 off_rsv = 40, off_struct = 40 + rsv_size, off_strings, total;
	u8 *blob;

	if (b->rsv_unterminated)
		off_struct = 40;
	off_strings = off_struct + b->slen;
	total = off_strings + b->strl;
	if (b->rsv_unterminated) {
		off_rsv = (total + 7) & ~7u;
		total = off_rsv + rsv_size;
	}
	blob = calloc(1, total);
	assert_non_null(blob);
	for (u32 i = 0; i < b->nrsv; i++) {
		put_be32(blob + off_rsv + 16 * i, b->rsv[i][0] >> 32);
		put_be32(blob + off_rsv + 16 * i + 4, (u32)b->rsv[i][0]);
		put_be32(blob + off_rsv + 16 * i + 8, b->rsv[i][1] >> 32);
		put_be32(blob + off_rsv + 16 * i + 12, (u32)b->rsv[i][1]);
	}
	put_be32(blob + 0, FDT_MAGIC);
	put_be32(blob + 4, total);
	put_be32(blob + 8, off_struct);
	put_be32(blob + 12, off_strings);
	put_be32(blob + 16, off_rsv);
	put_be32(blob + 20, b->version);
	put_be32(blob + 24, 16);
	put_be32(blob + 32, b->strl);
	put_be32(blob + 36, b->slen);
	memcpy(blob + off_struct, b->st, b->slen);
	memcpy(blob + off_strings, b->str, b->strl);
	*lenp = total;
	free(b);
	return blob;
}

/* The last parsed blob stays alive so p->bootargs can be read. */
static u8 *b_last;

/* Close the root and the block, then parse. */
static int b_parse(struct bld *b, struct platform *p)
{
	size_t len;
	int rc;

	b_end(b);
	b_u32(b, FDT_END);
	free(b_last);
	b_last = b_finish(b, &len);
	rc = dt_platform_parse(b_last, len, p);
	check_platform(p, rc);
	exercise_fdt(b_last, len);
	return rc;
}

/* Root with #address-cells = <ac>, #size-cells = <sc>. */
static struct bld *b_root(u32 ac, u32 sc)
{
	struct bld *b = bld_new();

	b_begin(b, "");
	b_cells(b, "#address-cells", 1, ac);
	b_cells(b, "#size-cells", 1, sc);
	return b;
}

static void b_vmmio(struct bld *b, const char *name, u32 addr, const char *status)
{
	b_begin(b, name);
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 2, addr, 0x200);
	if (status)
		b_str(b, "status", status);
	b_end(b);
}

/* ---- platform rules on built trees ---------------------------------------- */

static void test_status_and_cells(void **state)
{
	struct platform p;
	struct bld *b = b_root(1, 1);

	(void)state;
	b_begin(b, "memory@80000000");
	b_str(b, "device_type", "memory");
	/* Two pairs plus an empty one, which is skipped. */
	b_cells(b, "reg", 6, 0x80000000, 0x1000000, 0x90000000, 0, 0xa0000000, 0x2000000);
	b_end(b);
	b_begin(b, "memory@0");
	b_str(b, "device_type", "memory");
	b_str(b, "status", "disabled");
	b_cells(b, "reg", 2, 0, 0x1000);
	b_end(b);
	b_vmmio(b, "virtio@1000", 0x1000, NULL);
	b_vmmio(b, "virtio@2000", 0x2000, "disabled");
	b_vmmio(b, "virtio@3000", 0x3000, "ok");
	b_vmmio(b, "virtio@4000", 0x4000, "fail");
	b_vmmio(b, "virtio@5000", 0x5000, "okay");
	b_begin(b, "chosen");
	b_str(b, "bootargs", "");
	b_end(b);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.nmem, 2);
	assert_int_equal(p.mem[0].base, 0x80000000);
	assert_int_equal(p.mem[0].size, 0x1000000);
	assert_int_equal(p.mem[1].base, 0xa0000000);
	assert_int_equal(p.nvmmio, 3);
	assert_int_equal(p.vmmio[0].base, 0x1000);
	assert_int_equal(p.vmmio[1].base, 0x3000);
	assert_int_equal(p.vmmio[2].base, 0x5000);
	assert_int_equal(p.vmmio[0].irq_cells, 0); /* no interrupts */
	assert_string_equal(p.bootargs, "");
	assert_false(p.truncated);
	assert_false(p.pci.present);
}

static void test_ranges_translation(void **state)
{
	struct platform p;
	struct bld *b = b_root(2, 2);

	(void)state;
	/* 1:1 bus (empty ranges), 32-bit children. */
	b_begin(b, "soc");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 1);
	b_prop(b, "ranges", NULL, 0);
	b_vmmio(b, "virtio@a000", 0xa000, NULL);
	/* Nested bus: child 0 is parent 0xf0000000 (1 MiB), then 0x40 GiB up. */
	b_begin(b, "bus@f0000000");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 1);
	b_cells(b, "ranges", 6, 0x10000000, 0x20000000, 0x1000, 0, 0xf0000000, 0x100000);
	b_vmmio(b, "virtio@1000", 0x1000, NULL);	 /* -> 0xf0001000 */
	b_vmmio(b, "virtio@10000000", 0x10000000, NULL); /* -> 0x20000000 */
	b_vmmio(b, "virtio@10000f00", 0x10000f00, NULL); /* straddles: out */
	b_vmmio(b, "virtio@200000", 0x200000, NULL);	 /* unmapped: out */
	b_end(b);
	b_end(b);
	/* Bus without ranges: its children are not CPU-visible. */
	b_begin(b, "i2c");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 1);
	b_vmmio(b, "virtio@50", 0x50, NULL);
	b_end(b);
	/* Root-level 64-bit addresses. */
	b_begin(b, "virtio@4000000000");
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 4, 0x40, 0, 0, 0x200);
	b_end(b);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.nvmmio, 4);
	assert_int_equal(p.vmmio[0].base, 0xa000);
	assert_int_equal(p.vmmio[1].base, 0xf0001000);
	assert_int_equal(p.vmmio[2].base, 0x20000000);
	assert_int_equal(p.vmmio[3].base, 0x4000000000ull);
	assert_int_equal(p.vmmio[3].size, 0x200);
}

static void test_interrupt_parent(void **state)
{
	struct platform p;
	struct bld *b = b_root(1, 1);

	(void)state;
	b_cells(b, "interrupt-parent", 1, 1);
	b_begin(b, "gic");
	b_cells(b, "phandle", 1, 1);
	b_cells(b, "#interrupt-cells", 1, 3);
	b_end(b);
	b_begin(b, "pic");
	b_cells(b, "linux,phandle", 1, 2);
	b_cells(b, "#interrupt-cells", 1, 2);
	b_end(b);
	b_begin(b, "wide");
	b_cells(b, "phandle", 1, 3);
	b_cells(b, "#interrupt-cells", 1, 4);
	b_end(b);
	/* Cycle: neither has #interrupt-cells. */
	b_begin(b, "loop-a");
	b_cells(b, "phandle", 1, 4);
	b_cells(b, "interrupt-parent", 1, 5);
	b_end(b);
	b_begin(b, "loop-b");
	b_cells(b, "phandle", 1, 5);
	b_cells(b, "interrupt-parent", 1, 4);
	b_end(b);

	b_begin(b, "virtio@1000"); /* inherits the root's: gic */
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 2, 0x1000, 0x200);
	b_cells(b, "interrupts", 6, 0, 7, 4, 0, 8, 4);
	b_end(b);
	b_begin(b, "virtio@2000");
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 2, 0x2000, 0x200);
	b_cells(b, "interrupt-parent", 1, 2);
	b_cells(b, "interrupts", 2, 9, 1);
	b_end(b);
	b_begin(b, "virtio@3000"); /* dangling phandle: assume 3 */
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 2, 0x3000, 0x200);
	b_cells(b, "interrupt-parent", 1, 77);
	b_cells(b, "interrupts", 3, 1, 2, 3);
	b_end(b);
	b_begin(b, "virtio@4000"); /* 4 cells: not representable */
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 2, 0x4000, 0x200);
	b_cells(b, "interrupt-parent", 1, 3);
	b_cells(b, "interrupts", 4, 1, 2, 3, 4);
	b_end(b);
	b_begin(b, "virtio@5000"); /* cycle: gives up, assumes 3 */
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 2, 0x5000, 0x200);
	b_cells(b, "interrupt-parent", 1, 4);
	b_cells(b, "interrupts", 3, 0, 5, 1);
	b_end(b);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.nvmmio, 5);
	assert_int_equal(p.vmmio[0].irq_cells, 3);
	assert_int_equal(p.vmmio[0].irq[1], 7);
	assert_int_equal(p.vmmio[1].irq_cells, 2);
	assert_int_equal(p.vmmio[1].irq[0], 9);
	assert_int_equal(p.vmmio[1].irq[1], 1);
	assert_int_equal(p.vmmio[2].irq_cells, 3);
	assert_int_equal(p.vmmio[2].irq[2], 3);
	assert_int_equal(p.vmmio[3].irq_cells, 0);
	assert_int_equal(p.vmmio[4].irq_cells, 3);
	assert_int_equal(p.vmmio[4].irq[1], 5);
}

/* An interrupt controller node: compatible, reg and a phandle. */
static void b_intc(struct bld *b, const char *name, const char *compat, u32 phandle, u32 base)
{
	b_begin(b, name);
	b_str(b, "compatible", compat);
	b_prop(b, "interrupt-controller", NULL, 0);
	b_cells(b, "#interrupt-cells", 1, 1);
	b_cells(b, "phandle", 1, phandle);
	b_cells(b, "reg", 4, base, 0x1000, base + 0x1000, 0x2000);
	b_end(b);
}

/* A GIC node with one MSI controller child: "ranges" maps the child bus
 * (ac = sc = 2 as QEMU's) one to one, or its first MiB to 0x10000000
 * when @offset. */
static struct bld *b_gic_msi(const char *compat, u32 reg_hi, u32 reg_lo, u32 size, bool offset)
{
	struct bld *b = b_root(2, 2);

	b_cells(b, "interrupt-parent", 1, 1);
	b_begin(b, "intc@8000000");
	b_str(b, "compatible", "arm,cortex-a15-gic");
	b_prop(b, "interrupt-controller", NULL, 0);
	b_cells(b, "#interrupt-cells", 1, 3);
	b_cells(b, "phandle", 1, 1);
	b_cells(b, "#address-cells", 1, 2);
	b_cells(b, "#size-cells", 1, 2);
	if (offset)
		b_cells(b, "ranges", 6, 0, 0, 0, 0x10000000, 0, 0x100000);
	else
		b_prop(b, "ranges", NULL, 0);
	b_cells(b, "reg", 8, 0, 0x08000000, 0, 0x10000, 0, 0x08010000, 0, 0x10000);
	b_begin(b, "msi");
	b_str(b, "compatible", compat);
	b_prop(b, "msi-controller", NULL, 0);
	b_cells(b, "reg", 4, reg_hi, reg_lo, 0, size);
	return b; /* the caller adds properties, then b_end() twice */
}

/* Parse a b_gic_msi() tree with the MSI node's extra properties added. */
static int b_parse_msi(struct bld *b, struct platform *p)
{
	b_end(b);
	b_end(b);
	return b_parse(b, p);
}

/*
 * MSI controllers (GICv2m frame, ITS): reg translated through the GIC's
 * ranges, the v2m SPI overrides checked; anything wrong leaves no MSI
 * controller (PCI stays on INTx) and the rest of the tree parsed.
 */
static void test_gic_msi(void **state)
{
	struct platform p;
	struct bld *b;

	(void)state;
	/* Plain v2m frame: MSI_TYPER decides. */
	b = b_gic_msi("arm,gic-v2m-frame", 0, 0x08020000, 0x1000, false);
	assert_int_equal(b_parse_msi(b, &p), 0);
	assert_int_equal(p.intc.kind, DT_INTC_GICV2);
	assert_int_equal(p.msi.kind, DT_MSI_GICV2M);
	assert_int_equal(p.msi.reg.base, 0x08020000);
	assert_int_equal(p.msi.reg.size, 0x1000);
	assert_int_equal(p.msi.base, 0);
	assert_int_equal(p.msi.count, 0);

	/* Where reg[0] lands: through the GIC node's ranges (child 0 is CPU
	 * 0x10000000, 1 MiB), above 4 GiB (fine: the doorbell is a 64-bit
	 * MSI-X address); unmapped, wrapping past 2^64 or too small to hold
	 * the registers: none. */
	static const struct {
		const char *compat;
		u32 hi, lo, size;
		bool offset;
		u32 kind;
		u64 base;
	} regs[] = {
		{ "arm,gic-v2m-frame", 0, 0x20000, 0x1000, true, DT_MSI_GICV2M, 0x10020000 },
		{ "arm,gic-v2m-frame", 0, 0x200000, 0x1000, true, DT_MSI_NONE, 0 },
		{ "arm,gic-v3-its", 0x80, 0, 0x20000, false, DT_MSI_ITS, 0x8000000000ull },
		{ "arm,gic-v3-its", 0xffffffff, 0xffff0000, 0x20000, false, DT_MSI_NONE, 0 },
		{ "arm,gic-v3-its", 0, 0x08080000, 0x10000, false, DT_MSI_NONE, 0 },
		{ "arm,gic-v2m-frame", 0, 0x08020000, 0x40, false, DT_MSI_NONE, 0 },
	};
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		b = b_gic_msi(regs[i].compat, regs[i].hi, regs[i].lo, regs[i].size, regs[i].offset);
		assert_int_equal(b_parse_msi(b, &p), 0);
		assert_int_equal(p.intc.kind, DT_INTC_GICV2);
		assert_int_equal(p.msi.kind, regs[i].kind);
		assert_int_equal(p.msi.reg.base, regs[i].base);
	}

	/* Not an msi-controller, disabled, or of a kind we do not know. */
	b = b_root(2, 2);
	b_begin(b, "its@8080000");
	b_str(b, "compatible", "arm,gic-v3-its");
	b_cells(b, "reg", 4, 0, 0x08080000, 0, 0x20000);
	b_end(b);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.msi.kind, DT_MSI_NONE);
	b = b_gic_msi("arm,gic-v2m-frame", 0, 0x08020000, 0x1000, false);
	b_str(b, "status", "disabled");
	assert_int_equal(b_parse_msi(b, &p), 0);
	assert_int_equal(p.msi.kind, DT_MSI_NONE);
	b = b_gic_msi("acme,msi", 0, 0x08020000, 0x20000, false);
	assert_int_equal(b_parse_msi(b, &p), 0);
	assert_int_equal(p.msi.kind, DT_MSI_NONE);

	/* SPI overrides: both, in range. */
	b = b_gic_msi("arm,gic-v2m-frame", 0, 0x08020000, 0x1000, false);
	b_cells(b, "arm,msi-base-spi", 1, 80);
	b_cells(b, "arm,msi-num-spis", 1, 64);
	assert_int_equal(b_parse_msi(b, &p), 0);
	assert_int_equal(p.msi.kind, DT_MSI_GICV2M);
	assert_int_equal(p.msi.base, 80);
	assert_int_equal(p.msi.count, 64);
	/* The last SPI exactly. */
	b = b_gic_msi("arm,gic-v2m-frame", 0, 0x08020000, 0x1000, false);
	b_cells(b, "arm,msi-base-spi", 1, 1019);
	b_cells(b, "arm,msi-num-spis", 1, 1);
	assert_int_equal(b_parse_msi(b, &p), 0);
	assert_int_equal(p.msi.kind, DT_MSI_GICV2M);

	/* Hostile overrides: each leaves no MSI controller. */
	static const struct {
		int nprops; /* 1: base only, 2: both, 3: base of two cells */
		u32 base, num;
	} bad[] = {
		{ 2, 80, 0 },						    /* no SPIs */
		{ 2, 31, 1 },						    /* a PPI */
		{ 2, 1020, 1 },						    /* a special ID */
		{ 2, 1000, 21 },					    /* runs past 1019 */
		{ 2, 32, 0xffffffff }, { 2, 0xffffffff, 2 }, { 1, 80, 64 }, /* base without count */
		{ 3, 80, 64 },						    /* not one cell */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = b_gic_msi("arm,gic-v2m-frame", 0, 0x08020000, 0x1000, false);
		if (bad[i].nprops == 3)
			b_cells(b, "arm,msi-base-spi", 2, 0, bad[i].base);
		else
			b_cells(b, "arm,msi-base-spi", 1, bad[i].base);
		if (bad[i].nprops != 1)
			b_cells(b, "arm,msi-num-spis", 1, bad[i].num);
		assert_int_equal(b_parse_msi(b, &p), 0);
		assert_int_equal(p.intc.kind, DT_INTC_GICV2); /* the rest parsed */
		assert_int_equal(p.msi.kind, DT_MSI_NONE);
	}
	/* QEMU's own tree with the overrides (make-dtbs.sh): the tree is fine,
	 * the port refuses SPIs its GIC does not have. */
	{
		size_t len;
		u8 *dtb = test_data_load("virt-aarch64-v2m-bad.dtb", &len);

		assert_int_equal(parse_copy(dtb, len, &p), 0);
		assert_int_equal(p.msi.kind, DT_MSI_GICV2M);
		assert_int_equal(p.msi.reg.base, 0x08020000);
		assert_int_equal(p.msi.base, 1000);
		assert_int_equal(p.msi.count, 16);
		free(dtb);
	}
	/* count without base */
	b = b_gic_msi("arm,gic-v2m-frame", 0, 0x08020000, 0x1000, false);
	b_cells(b, "arm,msi-num-spis", 1, 64);
	assert_int_equal(b_parse_msi(b, &p), 0);
	assert_int_equal(p.msi.kind, DT_MSI_NONE);
}

/*
 * Which interrupt controller is the disks': a virtio-mmio node's parent
 * beats the PCI host's interrupt-map, which beats the root's default; a
 * disabled or unknown node, or none at all, is reported as such.
 */
static void test_intc_choice(void **state)
{
	struct platform p;
	struct bld *b;

	(void)state;
	/* Root default only; the other controller is ignored. */
	b = b_root(1, 1);
	b_cells(b, "interrupt-parent", 1, 2);
	b_intc(b, "plic@c000000", "sifive,plic-1.0.0", 1, 0x0c000000);
	b_intc(b, "gic@8000000", "arm,gic-400", 2, 0x08000000);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.intc.kind, DT_INTC_GICV2);
	assert_int_equal(p.intc.nreg, 2);
	assert_int_equal(p.intc.reg[0].base, 0x08000000);
	assert_int_equal(p.intc.reg[1].base, 0x08001000);
	assert_int_equal(p.intc.reg[1].size, 0x2000);

	/* A disk's own interrupt-parent wins over the root's. */
	b = b_root(1, 1);
	b_cells(b, "interrupt-parent", 1, 2);
	b_begin(b, "virtio@1000");
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 2, 0x1000, 0x200);
	b_cells(b, "interrupt-parent", 1, 1);
	b_cells(b, "interrupts", 1, 5);
	b_end(b);
	b_intc(b, "plic@c000000", "riscv,plic0", 1, 0x0c000000);
	b_intc(b, "gic@8000000", "arm,gic-v3", 2, 0x08000000);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.intc.kind, DT_INTC_PLIC);
	assert_int_equal(p.intc.reg[0].base, 0x0c000000);

	/* Unknown compatible. */
	b = b_root(1, 1);
	b_cells(b, "interrupt-parent", 1, 1);
	b_intc(b, "pic@1000", "acme,pic", 1, 0x1000);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.intc.kind, DT_INTC_OTHER);

	/* Disabled, dangling, or no interrupt-parent at all: none. */
	b = b_root(1, 1);
	b_cells(b, "interrupt-parent", 1, 1);
	b_begin(b, "gic@8000000");
	b_str(b, "compatible", "arm,gic-400");
	b_prop(b, "interrupt-controller", NULL, 0);
	b_cells(b, "phandle", 1, 1);
	b_str(b, "status", "disabled");
	b_end(b);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.intc.kind, DT_INTC_NONE);
	b = b_root(1, 1);
	b_cells(b, "interrupt-parent", 1, 9);
	b_intc(b, "gic@8000000", "arm,gic-400", 2, 0x08000000);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.intc.kind, DT_INTC_NONE);
	b = b_root(1, 1);
	b_intc(b, "gic@8000000", "arm,gic-400", 2, 0x08000000);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.intc.kind, DT_INTC_NONE);
	assert_int_equal(p.intc.nreg, 0);
}

static void test_truncation(void **state)
{
	struct platform p;
	struct bld *b = b_root(1, 1);
	char name[32];

	(void)state;
	b_begin(b, "memory");
	b_str(b, "device_type", "memory");
	b_cells(b, "reg", 20, 0x0, 1, 0x10, 1, 0x20, 1, 0x30, 1, 0x40, 1, 0x50, 1, 0x60, 1, 0x70, 1,
		0x80, 1, 0x90, 1);
	b_end(b);
	for (u32 i = 0; i < 70; i++) {
		snprintf(name, sizeof(name), "virtio@%x", 0x1000 + i * 0x200);
		b_vmmio(b, name, 0x1000 + i * 0x200, NULL);
	}
	assert_int_equal(b_parse(b, &p), 0);
	assert_true(p.truncated);
	assert_int_equal(p.nmem, DT_MAX_MEM);
	assert_int_equal(p.mem[7].base, 0x70);
	assert_int_equal(p.nvmmio, DT_MAX_VIRTIO_MMIO);
	assert_int_equal(p.vmmio[63].base, 0x1000 + 63 * 0x200);
}

/* A PCI host under a root with 2 address / 2 size cells. */
static void b_pci(struct bld *b, const char *name, u32 ecam_hi, u32 ecam_size, u32 bus_end,
		  int nranges)
{
	b_begin(b, name);
	b_str(b, "compatible", "pci-host-ecam-generic");
	b_str(b, "device_type", "pci");
	b_cells(b, "#address-cells", 1, 3);
	b_cells(b, "#size-cells", 1, 2);
	b_cells(b, "reg", 4, ecam_hi, 0, 0, ecam_size);
	if (bus_end != ~0u)
		b_cells(b, "bus-range", 2, 0, bus_end);
	{
		u8 v[16 * 7 * 4];

		/* Entry 0 is config space (skipped), then prefetchable MEM64. */
		for (int i = 0; i < nranges; i++) {
			u32 hi = i == 0 ? 0 : 0x43000000;
			u32 e[7] = { hi, 0x80 + i, 0, 0x80 + i, 0, 0, 0x1000 };

			for (int j = 0; j < 7; j++)
				put_be32(v + (i * 7 + j) * 4, e[j]);
		}
		b_prop(b, "ranges", v, nranges * 7 * 4);
	}
	b_end(b);
}

static void test_pci_rules(void **state)
{
	struct platform p;
	struct bld *b;

	(void)state;
	/* 10 ranges: config dropped, 9 prefetchable MEM64, 8 kept. */
	b = b_root(2, 2);
	b_pci(b, "pcie@0", 0x40, 0x1000000, 15, 10);
	b_pci(b, "pcie@1", 0x50, 0x1000000, 15, 1); /* second host */
	assert_int_equal(b_parse(b, &p), 0);
	assert_true(p.pci.present);
	assert_true(p.truncated);
	assert_int_equal(p.pci.ecam_base, 0x4000000000ull);
	assert_int_equal(p.pci.nranges, DT_MAX_PCI_RANGES);
	assert_int_equal(p.pci.ranges[0].space, DT_PCI_SPACE_MEM64);
	assert_true(p.pci.ranges[0].prefetch);
	assert_int_equal(p.pci.ranges[0].pci_addr, 0x8100000000ull);
	assert_int_equal(p.pci.ranges[0].size, 0x1000);

	/* No bus-range means 0..255: needs 256 MiB of ECAM. */
	b = b_root(2, 2);
	b_pci(b, "pcie@0", 0x40, 0x1000000, ~0u, 1);
	assert_int_equal(b_parse(b, &p), -EBADMSG);
	b = b_root(2, 2);
	b_pci(b, "pcie@0", 0x40, 0x10000000, ~0u, 0);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.pci.bus_end, 255);
	assert_int_equal(p.pci.nranges, 0);
	b = b_root(2, 2);
	b_pci(b, "pcie@0", 0x40, 0x20000000, 256, 0); /* bus > 255 */
	assert_int_equal(b_parse(b, &p), -EBADMSG);
}

/* Each builds a tree whose content (not format) is wrong. */
static void test_bad_content(void **state)
{
	struct platform p;
	struct bld *b;
	static const char unterminated[3] = { 'a', 'b', 'c' };

	(void)state;
	b = b_root(1, 1);
	b_begin(b, "chosen");
	b_prop(b, "bootargs", unterminated, sizeof(unterminated));
	b_end(b);
	assert_int_equal(b_parse(b, &p), -EBADMSG);

	b = b_root(1, 1);
	b_begin(b, "chosen");
	b_prop(b, "bootargs", NULL, 0);
	b_end(b);
	assert_int_equal(b_parse(b, &p), -EBADMSG);

	b = b_root(1, 1); /* reg not a whole number of pairs */
	b_begin(b, "virtio@0");
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 3, 0, 0x200, 0);
	b_end(b);
	assert_int_equal(b_parse(b, &p), -EBADMSG);

	b = b_root(1, 1); /* virtio without reg */
	b_begin(b, "virtio");
	b_str(b, "compatible", "virtio,mmio");
	b_end(b);
	assert_int_equal(b_parse(b, &p), -EBADMSG);

	b = b_root(1, 1); /* interrupts shorter than one specifier */
	b_begin(b, "intc");
	b_cells(b, "phandle", 1, 1);
	b_cells(b, "#interrupt-cells", 1, 3);
	b_end(b);
	b_begin(b, "virtio@0");
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 2, 0, 0x200);
	b_cells(b, "interrupt-parent", 1, 1);
	b_cells(b, "interrupts", 2, 0, 1);
	b_end(b);
	assert_int_equal(b_parse(b, &p), -EBADMSG);

	b = b_root(2, 2); /* region wraps past 2^64 */
	b_begin(b, "memory@0");
	b_str(b, "device_type", "memory");
	b_cells(b, "reg", 4, 0xffffffff, 0xffff0000, 0, 0x20000);
	b_end(b);
	assert_int_equal(b_parse(b, &p), -EBADMSG);

	b = b_root(2, 2); /* PCI host whose children are not PCI */
	b_begin(b, "pcie@0");
	b_str(b, "compatible", "pci-host-ecam-generic");
	b_cells(b, "#address-cells", 1, 2);
	b_cells(b, "#size-cells", 1, 2);
	b_cells(b, "reg", 4, 0x40, 0, 0, 0x10000000);
	b_cells(b, "ranges", 7, 0, 0, 0, 0, 0, 0, 0x1000);
	b_end(b);
	assert_int_equal(b_parse(b, &p), -EBADMSG);

	b = b_root(2, 2); /* translation wraps past 2^64 */
	b_begin(b, "bus");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 1);
	b_cells(b, "ranges", 4, 0, 0xffffffff, 0xfffff000, 0x10000);
	b_vmmio(b, "virtio@2000", 0x2000, NULL);
	b_end(b);
	assert_int_equal(b_parse(b, &p), -EBADMSG);

	b = b_root(3, 1); /* address wider than 64 bits */
	b_begin(b, "memory@0");
	b_str(b, "device_type", "memory");
	b_cells(b, "reg", 4, 1, 0, 0, 0x1000);
	b_end(b);
	assert_int_equal(b_parse(b, &p), -ERANGE);

	b = b_root(5, 1); /* #address-cells out of range */
	b_begin(b, "memory@0");
	b_str(b, "device_type", "memory");
	b_cells(b, "reg", 6, 0, 0, 0, 0, 0, 1);
	b_end(b);
	assert_int_equal(b_parse(b, &p), -EBADMSG);

	/* #size-cells of the wrong length: harmless until a reg needs it. */
	b = bld_new();
	b_begin(b, "");
	b_prop(b, "#size-cells", "\0\0", 2);
	assert_int_equal(b_parse(b, &p), 0);
	b = bld_new();
	b_begin(b, "");
	b_prop(b, "#size-cells", "\0\0", 2);
	b_begin(b, "memory@0");
	b_str(b, "device_type", "memory");
	b_cells(b, "reg", 3, 0, 0, 1);
	b_end(b);
	assert_int_equal(b_parse(b, &p), -EBADMSG);
}

/* ---- structural corruption, table-driven --------------------------------- */

/* Raw token streams built with the builder, no helpers that fix things up. */
static u8 *raw_tree(int kind, size_t *len)
{
	struct bld *b = bld_new();
	int i;

	switch (kind) {
	case 0: /* node name runs to the end of the block */
		b_u32(b, FDT_BEGIN_NODE);
		b_bytes(b, "abcd", 4);
		break;
	case 1: /* nameoff beyond the strings block */
		b_begin(b, "");
		b_str(b, "x", "y");
		put_be32(b->st + b->slen - 8, 1000);
		b_end(b);
		b_u32(b, FDT_END);
		break;
	case 2: /* property name not terminated in the block */
		b_begin(b, "");
		b_str(b, "xy", "z");
		b->strl--; /* drop the name's NUL */
		b_end(b);
		b_u32(b, FDT_END);
		break;
	case 3: /* nesting one beyond FDT_MAX_DEPTH */
	case 4: /* nesting exactly FDT_MAX_DEPTH: valid */
		for (i = 0; i < FDT_MAX_DEPTH + (kind == 3); i++)
			b_begin(b, i ? "n" : "");
		for (i = 0; i < FDT_MAX_DEPTH + (kind == 3); i++)
			b_end(b);
		b_u32(b, FDT_END);
		break;
	case 5: /* property after a subnode */
		b_begin(b, "");
		b_begin(b, "a");
		b_end(b);
		b_str(b, "late", "x");
		b_end(b);
		b_u32(b, FDT_END);
		break;
	case 6: /* two roots */
		b_begin(b, "");
		b_end(b);
		b_begin(b, "");
		b_end(b);
		b_u32(b, FDT_END);
		break;
	case 7: /* property outside any node */
		b_str(b, "x", "y");
		b_begin(b, "");
		b_end(b);
		b_u32(b, FDT_END);
		break;
	case 8: /* END_NODE without BEGIN_NODE */
		b_begin(b, "");
		b_end(b);
		b_end(b);
		b_u32(b, FDT_END);
		break;
	case 9: /* FDT_END inside the root */
		b_begin(b, "");
		b_u32(b, FDT_END);
		break;
	case 10: /* no nodes at all */
		b_u32(b, FDT_NOP);
		b_u32(b, FDT_END);
		break;
	case 11: /* tokens after FDT_END inside size_dt_struct */
		b_begin(b, "");
		b_end(b);
		b_u32(b, FDT_END);
		b_u32(b, FDT_NOP);
		break;
	case 12: /* version 16, NOPs everywhere: valid */
		b->version = 16;
		b_u32(b, FDT_NOP);
		b_begin(b, "");
		b_u32(b, FDT_NOP);
		b_str(b, "model", "m");
		b_u32(b, FDT_NOP);
		b_end(b);
		b_u32(b, FDT_END);
		break;
	}
	return b_finish(b, len);
}

/* Offset of the 12-byte header of property @name of the node at @path. */
static u32 prop_hdr(const u8 *blob, size_t len, const char *path, const char *name)
{
	struct fdt fdt;
	const u8 *v;

	assert_int_equal(fdt_init(&fdt, blob, len), 0);
	v = fdt_getprop(&fdt, fdt_path_offset(&fdt, path), name, NULL);
	assert_non_null(v);
	return (u32)(v - blob) - 12;
}

struct corrupt_case {
	const char *what;
	u32 off; /* header field or special (see below) */
	u32 val;
	int rel; /* add val to the field instead of storing it */
	int expect;
	int stage; /* which step must report it */
};

/* fdt_init() rejects it; fdt_check() does; only dt_platform_parse(). */
enum { IN_INIT, IN_CHECK, IN_PARSE };

#define HDR 0x100000u /* off is a header field */
#define AT_BOOTARGS_LEN 1
#define AT_BOOTARGS_NUL 2
#define AT_LAST_TOKEN 3
#define AT_FIRST_NAMEOFF 4
#define AT_RSVMAP 5

static const struct corrupt_case corrupt_cases[] = {
	{ "bad magic", HDR + 0, 0xd00dfeee, 0, -EINVAL, IN_INIT },
	{ "totalsize > avail", HDR + 4, 1, 1, -EOVERFLOW, IN_INIT },
	{ "totalsize huge", HDR + 4, 0xffffffff, 0, -EOVERFLOW, IN_INIT },
	{ "totalsize < header", HDR + 4, 8, 0, -EBADMSG, IN_INIT },
	{ "version 15", HDR + 20, 15, 0, -EOPNOTSUPP, IN_INIT },
	{ "last_comp_version 18", HDR + 24, 18, 0, -EOPNOTSUPP, IN_INIT },
	{ "off_struct past end", HDR + 8, 0x10000, 0, -EBADMSG, IN_INIT },
	{ "off_struct misaligned", HDR + 8, 2, 1, -EBADMSG, IN_INIT },
	{ "off_struct in header", HDR + 8, 0, 0, -EBADMSG, IN_INIT },
	{ "off_struct at rsvmap", HDR + 8, 0x28, 0, -EBADMSG, IN_CHECK },
	{ "size_struct past end", HDR + 36, 0x10000, 0, -EBADMSG, IN_INIT },
	{ "size_struct huge", HDR + 36, 0xfffffffc, 0, -EBADMSG, IN_INIT },
	{ "size_struct into strings", HDR + 36, 8, 1, -EBADMSG, IN_INIT },
	{ "size_struct short", HDR + 36, (u32)-8, 1, -EBADMSG, IN_CHECK },
	{ "off_strings past end", HDR + 12, 0x10000, 0, -EBADMSG, IN_INIT },
	{ "off_strings in header", HDR + 12, 4, 0, -EBADMSG, IN_INIT },
	{ "off_strings into struct", HDR + 12, (u32)-4, 1, -EBADMSG, IN_INIT },
	{ "size_strings huge", HDR + 32, 0xffffffff, 0, -EBADMSG, IN_INIT },
	{ "size_strings short", HDR + 32, (u32)-16, 1, -EBADMSG, IN_CHECK },
	{ "off_rsvmap misaligned", HDR + 16, 4, 1, -EBADMSG, IN_INIT },
	{ "off_rsvmap in header", HDR + 16, 0, 0, -EBADMSG, IN_INIT },
	{ "off_rsvmap past end", HDR + 16, 0x10000, 0, -EBADMSG, IN_INIT },
	{ "rsvmap without terminator", AT_RSVMAP, 0x1000, 0, -EBADMSG, IN_CHECK },
	{ "prop len past block", AT_BOOTARGS_LEN, 0x10000, 0, -EBADMSG, IN_CHECK },
	{ "prop len huge", AT_BOOTARGS_LEN, 0xfffffff0, 0, -EBADMSG, IN_CHECK },
	{ "unterminated bootargs", AT_BOOTARGS_NUL, 'x', 0, -EBADMSG, IN_PARSE },
	{ "nameoff past strings", AT_FIRST_NAMEOFF, 0x10000, 0, -EBADMSG, IN_CHECK },
	{ "nameoff at strings end", AT_FIRST_NAMEOFF, 0, 1, -EBADMSG, IN_CHECK },
	{ "FDT_END missing", AT_LAST_TOKEN, FDT_NOP, 0, -EBADMSG, IN_CHECK },
	{ "FDT_END is END_NODE", AT_LAST_TOKEN, FDT_END_NODE, 0, -EBADMSG, IN_CHECK },
	{ "unknown token", AT_LAST_TOKEN, 5, 0, -EBADMSG, IN_CHECK },
};

static void apply_case(const struct corrupt_case *c, u8 *blob, size_t len)
{
	u32 off;

	if (c->off & HDR) {
		off = c->off & ~HDR;
		put_be32(blob + off, (c->rel ? be32_load(blob + off) : 0) + c->val);
		return;
	}
	switch (c->off) {
	case AT_BOOTARGS_LEN:
		off = prop_hdr(blob, len, "/chosen", "bootargs");
		put_be32(blob + off + 4, c->val);
		break;
	case AT_BOOTARGS_NUL:
		off = prop_hdr(blob, len, "/chosen", "bootargs");
		blob[off + 12 + be32_load(blob + off + 4) - 1] = (u8)c->val;
		break;
	case AT_FIRST_NAMEOFF:
		off = prop_hdr(blob, len, "/", "interrupt-parent");
		put_be32(blob + off + 8, c->rel ? be32_load(blob + 32) - 1 : c->val);
		/* Make "at strings end" point at a non-NUL last byte. */
		if (c->rel)
			blob[be32_load(blob + 12) + be32_load(blob + 32) - 1] = 'x';
		break;
	case AT_LAST_TOKEN:
		put_be32(blob + be32_load(blob + 8) + be32_load(blob + 36) - 4, c->val);
		break;
	case AT_RSVMAP:
		/* A non-zero entry; the next "entry" is the struct block. */
		off = be32_load(blob + 16);
		put_be32(blob + off + 4, c->val);
		put_be32(blob + off + 12, c->val);
		break;
	}
}

static void test_corrupt_table(void **state)
{
	size_t len;
	u8 *dtb = test_data_load("virt-aarch64.dtb", &len);
	struct platform p;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(corrupt_cases); i++) {
		const struct corrupt_case *c = &corrupt_cases[i];
		u8 *blob = dup_blob(dtb, len);
		struct fdt fdt;
		int rc;

		apply_case(c, blob, len);
		/* Each defect must be caught by the step meant to catch it. */
		rc = fdt_init(&fdt, blob, len);
		if (c->stage > IN_INIT) {
			if (rc)
				fail_msg("%s: fdt_init %d", c->what, rc);
			rc = fdt_check(&fdt);
		}
		if (rc != (c->stage == IN_PARSE ? 0 : c->expect))
			fail_msg("%s: step %d got %d", c->what, c->stage, rc);
		rc = dt_platform_parse(blob, len, &p);
		if (rc != c->expect)
			fail_msg("%s: got %d, expected %d", c->what, rc, c->expect);
		check_platform(&p, rc);
		exercise_fdt(blob, len);
		free(blob);
	}
	free(dtb);
}

static void test_corrupt_raw(void **state)
{
	static const int expect[] = { -EBADMSG, -EBADMSG, -EBADMSG, -EBADMSG, 0,
				      -EBADMSG, -EBADMSG, -EBADMSG, -EBADMSG, -EBADMSG,
				      -EBADMSG, -EBADMSG, 0 };
	struct platform p;
	struct fdt fdt;

	(void)state;
	for (int k = 0; k < (int)ARRAY_SIZE(expect); k++) {
		size_t len;
		u8 *blob = raw_tree(k, &len);

		assert_int_equal(fdt_init(&fdt, blob, len), 0);
		if (fdt_check(&fdt) != expect[k])
			fail_msg("raw tree %d: fdt_check %d, expected %d", k, fdt_check(&fdt),
				 expect[k]);
		assert_int_equal(dt_platform_parse(blob, len, &p), expect[k]);
		exercise_fdt(blob, len);
		free(blob);
	}
}

static void test_mem_rsv(void **state)
{
	struct bld *b = bld_new();
	struct fdt fdt;
	size_t len;
	u8 *blob;
	u64 a, s;

	(void)state;
	b->nrsv = 2;
	b->rsv[0][0] = 0x48000000;
	b->rsv[0][1] = 0x10000;
	b->rsv[1][0] = 0x123456789000ull;
	b->rsv[1][1] = 0x2000;
	b_begin(b, "");
	b_end(b);
	b_u32(b, FDT_END);
	blob = b_finish(b, &len);
	assert_int_equal(fdt_init(&fdt, blob, len), 0);
	assert_int_equal(fdt_check(&fdt), 0);
	assert_int_equal(fdt_mem_rsv(&fdt, 0, &a, &s), 0);
	assert_int_equal(a, 0x48000000);
	assert_int_equal(s, 0x10000);
	assert_int_equal(fdt_mem_rsv(&fdt, 1, &a, &s), 0);
	assert_int_equal(a, 0x123456789000ull);
	assert_int_equal(fdt_mem_rsv(&fdt, 2, &a, &s), -ENOENT);
	assert_int_equal(fdt_mem_rsv(&fdt, ~0u, &a, &s), -ENOENT);
	free(blob);

	/* A reserved region that wraps past 2^64. */
	b = bld_new();
	b->nrsv = 1;
	b->rsv[0][0] = ~0ull - 0xfff;
	b->rsv[0][1] = 0x2000;
	b_begin(b, "");
	b_end(b);
	b_u32(b, FDT_END);
	blob = b_finish(b, &len);
	assert_int_equal(fdt_init(&fdt, blob, len), 0);
	assert_int_equal(fdt_check(&fdt), -EBADMSG);
	free(blob);

	/* Entries up to the end of the blob and no terminator. */
	b = bld_new();
	b->nrsv = 1;
	b->rsv_unterminated = true;
	b->rsv[0][0] = 0x1000;
	b->rsv[0][1] = 0x1000;
	b_begin(b, "");
	b_end(b);
	b_u32(b, FDT_END);
	blob = b_finish(b, &len); /* calloc'd at exactly len bytes */
	assert_int_equal(fdt_init(&fdt, blob, len), 0);
	assert_int_equal(fdt_check(&fdt), -EBADMSG);
	assert_int_equal(fdt_mem_rsv(&fdt, 0, &a, &s), 0);
	assert_int_equal(fdt_mem_rsv(&fdt, 1, &a, &s), -EBADMSG);
	free(blob);
}

/*
 * The readers must be safe on a blob nobody ran fdt_check() on: a
 * malformed token is an absent answer, never a pointer out of bounds.
 */
static void test_unchecked_reads(void **state)
{
	static const u32 lens[] = { 0x10000, 0xfffffff0, 0xfffffffc, 0xffffffff, 0x7fffffff };
	struct fdt fdt;
	size_t len;
	u8 *dtb = test_data_load("virt-aarch64.dtb", &len);
	u8 *blob;
	u32 off, plen;
	int chosen;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		blob = dup_blob(dtb, len);
		off = prop_hdr(blob, len, "/chosen", "bootargs");
		put_be32(blob + off + 4, lens[i]);
		assert_int_equal(fdt_init(&fdt, blob, len), 0);
		chosen = fdt_path_offset(&fdt, "/chosen");
		assert_true(chosen > 0);
		assert_null(fdt_getprop(&fdt, chosen, "bootargs", &plen));
		assert_null(fdt_getprop(&fdt, chosen, "stdout-path", &plen));
		assert_int_equal(fdt_next_node(&fdt, chosen, NULL), -EBADMSG);
		free(blob);
	}
	/* Exactly one byte too long: the value would end past the block. */
	blob = dup_blob(dtb, len);
	off = prop_hdr(blob, len, "/chosen", "kaslr-seed");
	put_be32(blob + off + 4, be32_load(blob + 8) + be32_load(blob + 36) - (off + 12) + 1);
	assert_int_equal(fdt_init(&fdt, blob, len), 0);
	assert_null(fdt_getprop(&fdt, fdt_path_offset(&fdt, "/chosen"), "kaslr-seed", &plen));
	free(blob);
	free(dtb);

	/* A node name that runs to the end of the block (and the blob,
	 * which b_finish() allocated at exactly its size). */
	blob = raw_tree(0, &len);
	assert_int_equal(fdt_init(&fdt, blob, len), 0);
	assert_null(fdt_node_name(&fdt, 0));
	assert_null(fdt_getprop(&fdt, 0, "x", NULL));
	assert_int_equal(fdt_next_node(&fdt, -1, NULL), -EBADMSG);
	assert_int_equal(fdt_path_offset(&fdt, "/"), -EBADMSG);
	free(blob);
}

/* Blocks at offsets 5.6 forbids, with otherwise valid content. */
static void test_misaligned_blocks(void **state)
{
	struct fdt fdt;
	size_t len;
	u8 *blob, *moved;
	struct bld *b;

	(void)state;
	for (u32 shift = 0; shift <= 4; shift += 2) {
		b = bld_new();
		b_begin(b, "");
		b_str(b, "model", "m");
		b_end(b);
		b_u32(b, FDT_END);
		blob = b_finish(b, &len);
		/* Open a gap of @shift bytes before the structure block. */
		moved = calloc(1, len + shift);
		assert_non_null(moved);
		memcpy(moved, blob, 56);
		memcpy(moved + 56 + shift, blob + 56, len - 56);
		put_be32(moved + 4, len + shift);
		put_be32(moved + 8, 56 + shift);
		put_be32(moved + 12, be32_load(blob + 12) + shift);
		assert_int_equal(fdt_init(&fdt, moved, len + shift), shift % 4 ? -EBADMSG : 0);
		/* The reservation map only 4-aligned. */
		put_be32(moved + 8, 56);
		put_be32(moved + 12, be32_load(blob + 12));
		put_be32(moved + 16, 44);
		assert_int_equal(fdt_init(&fdt, moved, len + shift), -EBADMSG);
		free(moved);
		free(blob);
	}
}

/* #address-cells / #size-cells outside what any reg can use. */
static void test_cells_limits(void **state)
{
	struct fdt fdt;
	struct bld *b = bld_new();
	size_t len;
	u8 *blob;
	u32 ac, sc;
	int node;

	(void)state;
	b_begin(b, "");
	b_cells(b, "#address-cells", 1, 5);
	b_begin(b, "a");
	b_cells(b, "#size-cells", 1, 0x80000000);
	b_begin(b, "b");
	b_end(b);
	b_end(b);
	b_end(b);
	b_u32(b, FDT_END);
	blob = b_finish(b, &len);
	assert_int_equal(fdt_init(&fdt, blob, len), 0);
	assert_int_equal(fdt_check(&fdt), 0);
	node = fdt_path_offset(&fdt, "/a");
	assert_int_equal(fdt_reg_cells(&fdt, node, &ac, &sc), -EBADMSG);
	assert_int_equal(fdt_bus_cells(&fdt, node, &ac, &sc), -EBADMSG);
	node = fdt_path_offset(&fdt, "/a/b");
	assert_int_equal(fdt_reg_cells(&fdt, node, &ac, &sc), -EBADMSG);
	assert_int_equal(fdt_reg_cells(&fdt, 0, &ac, &sc), -ENOENT);
	assert_int_equal(fdt_bus_cells(&fdt, 3, &ac, &sc), -EINVAL);
	free(blob);
}

/* Every prefix, once with the original header (avail < totalsize) and
 * once with totalsize patched to the prefix length. */
static void test_truncated_everywhere(void **state)
{
	static const char *const files[] = {
		"virt-aarch64.dtb",	     "virt-aarch64-lowmem-pci.dtb", "virt-riscv64-smp2.dtb",
		"virt-riscv64-aia-smp2.dtb", "virt-riscv64-aplic-smp2.dtb", "versal-virt.dtb"
	};
	struct platform p;

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		size_t len;
		u8 *dtb = test_data_load(files[f], &len);

		for (size_t n = 0; n < len; n++) {
			u8 *blob = dup_blob(dtb, n);

			assert_true(dt_platform_parse(blob, n, &p) < 0);
			check_platform(&p, -1);
			if (n >= 8) {
				put_be32(blob + 4, (u32)n);
				assert_true(parse_copy(blob, n, &p) < 0);
			}
			free(blob);
		}
		/* More room than the tree needs is fine. */
		{
			u8 *big = calloc(1, len + 100);

			memcpy(big, dtb, len);
			assert_int_equal(dt_platform_parse(big, len + 100, &p), 0);
			free(big);
		}
		free(dtb);
	}
	assert_int_equal(dt_platform_parse(NULL, 100, &p), -EINVAL);
}

/* Every byte position, every bit pattern class: XOR 0xff, then 0x00. */
static void test_every_byte(void **state)
{
	static const char *const files[] = { "virt-aarch64.dtb", "virt-riscv64-smp2.dtb" };

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		size_t len;
		u8 *dtb = test_data_load(files[f], &len);
		struct platform p;
		u8 *blob = dup_blob(dtb, len);

		for (size_t i = 0; i < len; i++) {
			for (int pass = 0; pass < 2; pass++) {
				int rc;

				blob[i] = pass ? 0 : dtb[i] ^ 0xff;
				rc = dt_platform_parse(blob, len, &p);
				check_platform(&p, rc);
				blob[i] = dtb[i];
			}
		}
		free(blob);
		free(dtb);
	}
}

static u64 rng_state;

static u32 rnd(void)
{
	/* xorshift64*: deterministic across runs and hosts. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (u32)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void test_random_damage(void **state)
{
	static const u32 words[] = { 0,		 1,	     2,		 3,	     4,		9,
				     0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff, 0xd00dfeed };
	static const char *const files[] = {
		"virt-aarch64.dtb",	     "virt-aarch64-lowmem-pci.dtb", "virt-riscv64-smp2.dtb",
		"virt-riscv64-aia-smp2.dtb", "virt-riscv64-aplic-smp2.dtb", "versal-virt.dtb"
	};
	struct platform p;
	int ok = 0, bad = 0;

	(void)state;
	rng_state = 0x0dd0feedbeef1234ull;
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		size_t len;
		u8 *dtb = test_data_load(files[f], &len);

		for (int it = 0; it < 2500; it++) {
			u8 *blob = dup_blob(dtb, len);
			int nmut = 1 + rnd() % 4;

			for (int m = 0; m < nmut; m++) {
				u32 pos = rnd() % len;

				/* Mostly byte noise, sometimes an aligned
				 * "interesting" word (lengths, tokens). */
				if (rnd() % 3 == 0 && len >= 4)
					put_be32(blob + (pos & ~3u) % (len - 3),
						 words[rnd() % ARRAY_SIZE(words)]);
				else
					blob[pos] ^= (u8)(1 + rnd() % 255);
			}
			if (parse_copy(blob, len, &p) == 0)
				ok++;
			else
				bad++;
			free(blob);
		}
		free(dtb);
	}
	/* Both outcomes must occur, or the damage was not reaching anything. */
	assert_true(ok > 0 && bad > 0);
	print_message("random damage: %d parsed, %d rejected\n", ok, bad);
}

/* Reserved memory: the reservation block and /reserved-memory children. */
static void test_reserved_memory(void **state)
{
	struct platform p;
	size_t len;
	u8 *blob = test_data_load("reserved.dtb", &len);

	(void)state;
	assert_int_equal(dt_platform_parse(blob, len, &p), 0);
	assert_int_equal(p.nmem, 1);
	/* memreserve first, then the two static regions; "dynamic" has no reg. */
	assert_int_equal(p.nreserved, 3);
	assert_int_equal(p.reserved[0].base, 0x87f00000);
	assert_int_equal(p.reserved[0].size, 0x100000);
	assert_int_equal(p.reserved[1].base, 0x80000000);
	assert_int_equal(p.reserved[1].size, 0x80000);
	assert_int_equal(p.reserved[2].base, 0x84000000);
	assert_int_equal(p.reserved[2].size, 0x200000);
	free(blob);
}

/* INTx routing of QEMU's virt: 4 slots x 4 pins, swizzled, SPI 3..6 level. */
static void test_pci_intmap(void **state)
{
	struct platform p;
	size_t len;
	u8 *blob = test_data_load("virt-aarch64-lowmem-pci.dtb", &len);

	(void)state;
	assert_int_equal(dt_platform_parse(blob, len, &p), 0);
	assert_int_equal(p.pci.nintmap, 16);
	for (u32 dev = 0; dev < 8; dev++) {
		for (u32 pin = 1; pin <= 4; pin++) {
			const struct dt_pci_intmap *e = dt_pci_intx(&p.pci, 0, dev, 0, pin);

			assert_non_null(e);
			assert_int_equal(e->irq_cells, 3);
			assert_int_equal(e->irq[0], 0); /* SPI */
			assert_int_equal(e->irq[1], 3 + (dev + pin - 1) % 4);
			assert_int_equal(e->irq[2], 4); /* level high */
		}
	}
	assert_null(dt_pci_intx(&p.pci, 0, 1, 0, 5));
	free(blob);
}

/* fdt_boot_check(): the first look at what a boot loader passed. */
static void test_boot_check(void **state)
{
	static _Alignas(8) u8 blob[64];
	u64 a = (u64)(uintptr_t)blob;

	(void)state;
	host_console_quiet = true;
	put_be32(blob, 0xd00dfeedu);
	put_be32(blob + 4, sizeof(blob));
	assert_int_equal(fdt_boot_check(a, UINT64_MAX, "x0"), sizeof(blob));
	assert_int_equal(fdt_boot_check(0, UINT64_MAX, "a1"), 0);
	assert_non_null(strstr(host_console_last, "a1=0: the boot loader passed no DTB"));
	assert_int_equal(fdt_boot_check(a + 4, UINT64_MAX, "x0"), 0);
	assert_non_null(strstr(host_console_last, "alignment or range"));
	assert_int_equal(fdt_boot_check(a, a + FDT_BOOT_MIN_SIZE - 1, "x0"), 0);
	assert_int_equal(fdt_boot_check(a, 8, "x0"), 0); /* a limit below any blob */
	put_be32(blob + 4, FDT_BOOT_MIN_SIZE - 1);
	assert_int_equal(fdt_boot_check(a, UINT64_MAX, "x0"), 0);
	assert_non_null(strstr(host_console_last, "no DTB at"));
	put_be32(blob + 4, FDT_BOOT_MAX_SIZE + 1);
	assert_int_equal(fdt_boot_check(a, UINT64_MAX, "x0"), 0);
	put_be32(blob + 4, FDT_BOOT_MAX_SIZE);
	assert_int_equal(fdt_boot_check(a, UINT64_MAX, "x0"), FDT_BOOT_MAX_SIZE);
	put_be32(blob, 0xedfe0dd0u); /* little-endian magic: not a DTB */
	assert_int_equal(fdt_boot_check(a, UINT64_MAX, "x0"), 0);
	host_console_quiet = false;
}

/* ---- console, timer, PSCI, power-off, PLIC contexts --------------------- */

/* aarch64 virt: PL011 at 0x09000000, virtual timer PPI 11, PSCI by hvc. */
static void test_virt_devices(void **state)
{
	struct platform p;
	size_t len;
	u8 *dtb = test_data_load("virt-aarch64.dtb", &len);

	(void)state;
	assert_int_equal(dt_platform_parse(dtb, len, &p), 0); /* p.model: in dtb */
	assert_int_equal(p.console.kind, DT_UART_PL011);
	assert_int_equal(p.console.base, 0x09000000);
	assert_int_equal(p.console.size, 0x1000);
	assert_int_equal(p.timer.virt_irq_cells, 3);
	assert_int_equal(p.timer.virt_irq[0], 1); /* PPI */
	assert_int_equal(p.timer.virt_irq[1], 11);
	assert_int_equal(p.timer.freq, 0);
	assert_int_equal(p.psci, DT_PSCI_HVC);
	assert_int_equal(p.poweroff.kind, DT_POWEROFF_NONE);
	assert_non_null(p.model);
	assert_string_equal(p.model, "linux,dummy-virt");
	free(dtb);
}

/* riscv64 virt, two harts: the 16550 under /soc, the S-mode contexts 1
 * and 3, sifive,test0 chosen over the syscon-poweroff that points at it. */
static void test_riscv_virt_devices(void **state)
{
	struct platform p;
	size_t len;
	u8 *dtb = test_data_load("virt-riscv64-smp2.dtb", &len);

	(void)state;
	assert_int_equal(dt_platform_parse(dtb, len, &p), 0); /* p.model: in dtb */
	assert_int_equal(p.console.kind, DT_UART_NS16550);
	assert_int_equal(p.console.base, 0x10000000);
	assert_int_equal(p.console.reg_shift, 0);
	assert_int_equal(p.console.reg_io_width, 1);
	assert_int_equal(p.intc.kind, DT_INTC_PLIC);
	assert_int_equal(p.intc.reg[0].base, 0x0c000000);
	assert_int_equal(p.intc.plic_ndev, 0x60);
	assert_int_equal(p.intc.nplic_ctx, 2);
	assert_int_equal(p.intc.plic_ctx[0].hartid, 0);
	assert_int_equal(p.intc.plic_ctx[0].context, 1);
	assert_int_equal(p.intc.plic_ctx[1].hartid, 1);
	assert_int_equal(p.intc.plic_ctx[1].context, 3);
	assert_int_equal(p.timer.freq, 10000000);
	assert_int_equal(p.timer.virt_irq_cells, 0);
	assert_int_equal(p.poweroff.kind, DT_POWEROFF_SIFIVE_TEST);
	assert_int_equal(p.poweroff.base, 0x100000);
	assert_int_equal(p.psci, DT_PSCI_NONE);
	assert_string_equal(p.model, "riscv-virtio,qemu");
	free(dtb);
}

/*
 * QEMU 7.2 virt's AIA trees (two harts): the disks' controller is the
 * S-level APLIC domain at 0x0d000000 (not the M-level one at 0x0c000000),
 * 96 sources, in @mode; virtio-mmio slot 7 is <source 8, level high>.
 */
static void check_qemu_aplic(const char *file, u32 mode, struct platform *p)
{
	size_t len;
	u8 *dtb = test_data_load(file, &len);

	assert_int_equal(dt_platform_parse(dtb, len, p), 0);
	free(dtb); /* nothing below points into it */
	assert_int_equal(p->intc.kind, DT_INTC_APLIC);
	assert_int_equal(p->intc.reg[0].base, 0x0d000000);
	assert_int_equal(p->intc.reg[0].size, 0x8000);
	assert_int_equal(p->intc.aplic_mode, mode);
	assert_int_equal(p->intc.aplic_nsources, 96);
	assert_null(p->intc.aplic_refusal);
	assert_int_equal(p->nvmmio, 8);
	assert_int_equal(p->vmmio[0].irq_cells, 2);
	assert_int_equal(p->vmmio[0].irq[0], 8);
	assert_int_equal(p->vmmio[0].irq[1], 4);
	assert_true(p->pci.present);
	assert_int_equal(p->pci.intmap[0].irq_cells, 2);
}

/* riscv64 virt with aia=aplic-imsic: the S-level IMSIC's files, no PLIC. */
static void test_riscv_aia_devices(void **state)
{
	struct platform p;

	(void)state;
	/* The wired interrupts go to the S-level APLIC, in MSI mode. */
	check_qemu_aplic("virt-riscv64-aia-smp2.dtb", DT_APLIC_MSI, &p);
	assert_int_equal(p.intc.naplic_idc, 0);
	/* The S-level IMSIC (cause 9), not the M-level one at 0x24000000. */
	assert_int_equal(p.msi.kind, DT_MSI_IMSIC);
	assert_int_equal(p.msi.count, 255);
	assert_int_equal(p.msi.nimsic, 2);
	assert_int_equal(p.msi.imsic[0].hartid, 0);
	assert_int_equal(p.msi.imsic[0].base, 0x28000000);
	assert_int_equal(p.msi.imsic[1].hartid, 1);
	assert_int_equal(p.msi.imsic[1].base, 0x28001000);
	assert_false(p.truncated);
}

/* riscv64 virt with aia=aplic: the S-level APLIC in direct mode. */
static void test_riscv_aplic_devices(void **state)
{
	struct platform p;
	size_t len;
	u8 *dtb;

	(void)state;
	/* IDCs of the harts' supervisor external interrupts (cause 9). */
	check_qemu_aplic("virt-riscv64-aplic-smp2.dtb", DT_APLIC_DIRECT, &p);
	assert_int_equal(p.intc.naplic_idc, 2);
	assert_int_equal(p.intc.aplic_idc[0].hartid, 0);
	assert_int_equal(p.intc.aplic_idc[0].idc, 0);
	assert_int_equal(p.intc.aplic_idc[1].hartid, 1);
	assert_int_equal(p.intc.aplic_idc[1].idc, 1);
	assert_int_equal(p.msi.kind, DT_MSI_NONE);

	/* The matrix's aplic-no-hart tree: its one entry names the cpu node. */
	dtb = test_data_load("virt-riscv64-aplic-nohart.dtb", &len);
	assert_int_equal(dt_platform_parse(dtb, len, &p), 0);
	assert_int_equal(p.intc.kind, DT_INTC_APLIC);
	assert_int_equal(p.intc.aplic_mode, DT_APLIC_NONE);
	assert_int_equal(p.intc.naplic_idc, 0);
	assert_string_equal(p.intc.aplic_refusal,
			    "interrupts-extended names no hart's interrupt controller");
	free(dtb);
}

/* A riscv64 cpu node for hart @hart whose riscv,cpu-intc has @phandle. */
static void b_riscv_cpu(struct bld *b, u32 hart, u32 phandle)
{
	char name[16];

	snprintf(name, sizeof(name), "cpu@%u", hart);
	b_begin(b, name);
	b_cells(b, "reg", 1, hart);
	b_begin(b, "interrupt-controller");
	b_str(b, "compatible", "riscv,cpu-intc");
	b_prop(b, "interrupt-controller", NULL, 0);
	b_cells(b, "#interrupt-cells", 1, 1);
	b_cells(b, "phandle", 1, phandle);
	b_end(b);
	b_end(b);
}

/* An IMSIC node's properties; ~0u leaves one out. */
struct imsic_node {
	u32 num_ids, guest_bits, hart_bits, group_bits, group_shift;
	u32 reg[8]; /* <base size> pairs, 1 cell each */
	unsigned nreg;
	u32 ext[2 * 48]; /* interrupts-extended: <phandle cause> */
	unsigned next;
	bool wide_ids; /* riscv,num-ids as two cells */
	u32 phandle;   /* 0: none */
};

/* A one-hart-per-page IMSIC at 0x28000000 for harts 1..n (phandles 1..n). */
static struct imsic_node imsic_plain(unsigned n)
{
	struct imsic_node m = { 255, ~0u,   ~0u, ~0u,	~0u, { 0x28000000, 0x1000 * n },
				2,   { 0 }, 0,	 false, 0 };

	for (unsigned i = 0; i < n; i++) {
		m.ext[m.next++] = i + 1;
		m.ext[m.next++] = 9;
	}
	return m;
}

/* The same in two groups, at 0x28000000 and 0x29000000 (group bit 24). */
static struct imsic_node imsic_groups(unsigned n, u32 hart_bits, u32 guest_bits, u32 size0,
				      u32 size1)
{
	struct imsic_node m = imsic_plain(n);

	m.hart_bits = hart_bits;
	m.guest_bits = guest_bits;
	m.group_bits = 1;
	m.reg[1] = size0;
	m.reg[2] = 0x29000000;
	m.reg[3] = size1;
	m.nreg = 4;
	return m;
}

static void b_u32_opt(struct bld *b, const char *name, u32 v)
{
	if (v != ~0u)
		b_cells(b, name, 1, v);
}

static void b_imsic(struct bld *b, const char *name, const struct imsic_node *m)
{
	u8 v[sizeof(m->ext)];

	b_begin(b, name);
	b_str(b, "compatible", "riscv,imsics");
	b_prop(b, "interrupt-controller", NULL, 0);
	b_prop(b, "msi-controller", NULL, 0);
	b_cells(b, "#interrupt-cells", 1, 0);
	if (m->phandle)
		b_cells(b, "phandle", 1, m->phandle);
	if (m->wide_ids)
		b_cells(b, "riscv,num-ids", 2, 0, m->num_ids);
	else
		b_u32_opt(b, "riscv,num-ids", m->num_ids);
	b_u32_opt(b, "riscv,guest-index-bits", m->guest_bits);
	b_u32_opt(b, "riscv,hart-index-bits", m->hart_bits);
	b_u32_opt(b, "riscv,group-index-bits", m->group_bits);
	b_u32_opt(b, "riscv,group-index-shift", m->group_shift);
	for (unsigned i = 0; i < m->nreg; i++)
		put_be32(v + 4 * i, m->reg[i]);
	b_prop(b, "reg", v, 4 * m->nreg);
	for (unsigned i = 0; i < m->next; i++)
		put_be32(v + 4 * i, m->ext[i]);
	b_prop(b, "interrupts-extended", v, 4 * m->next);
	b_end(b);
}

/* Harts 100 + i for i < nharts (cpu-intc phandle i + 1), then the nodes. */
static void parse_imsic(const struct imsic_node *nodes, unsigned n, unsigned nharts,
			struct platform *p)
{
	struct bld *b = b_root(1, 1);

	b_begin(b, "cpus");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 0);
	for (unsigned h = 0; h < nharts; h++)
		b_riscv_cpu(b, h + 100, h + 1);
	b_end(b);
	for (unsigned i = 0; i < n; i++) {
		char name[24];

		snprintf(name, sizeof(name), "imsics@%u", i);
		b_imsic(b, name, &nodes[i]);
	}
	/* A hostile IMSIC never fails the tree. */
	assert_int_equal(b_parse(b, p), 0);
}

static void test_imsic_files(void **state)
{
	struct platform p;
	struct imsic_node m[2];

	(void)state;
	/* The M-level node first is skipped; two harts, one page each. */
	m[0] = imsic_plain(2);
	m[0].reg[0] = 0x24000000;
	m[0].ext[1] = m[0].ext[3] = 11;
	m[1] = imsic_plain(2);
	parse_imsic(m, 2, 2, &p);
	assert_int_equal(p.msi.kind, DT_MSI_IMSIC);
	assert_int_equal(p.msi.count, 255);
	assert_int_equal(p.msi.nimsic, 2);
	assert_int_equal(p.msi.imsic[0].hartid, 100);
	assert_int_equal(p.msi.imsic[0].base, 0x28000000);
	assert_int_equal(p.msi.imsic[1].hartid, 101);
	assert_int_equal(p.msi.imsic[1].base, 0x28001000);

	/* Positions, not hart IDs, pick the file: harts listed 101, 100. */
	m[0] = imsic_plain(2);
	m[0].ext[0] = 2;
	m[0].ext[2] = 1;
	parse_imsic(m, 1, 2, &p);
	assert_int_equal(p.msi.imsic[0].hartid, 101);
	assert_int_equal(p.msi.imsic[0].base, 0x28000000);
	assert_int_equal(p.msi.imsic[1].hartid, 100);

	/* Guest files: each hart has 2^2 pages, the S-level one first. */
	m[0] = imsic_plain(3);
	m[0].guest_bits = 2;
	m[0].reg[1] = 3 * 0x4000;
	m[0].num_ids = 2047;
	parse_imsic(m, 1, 3, &p);
	assert_int_equal(p.msi.count, 2047);
	assert_int_equal(p.msi.nimsic, 3);
	assert_int_equal(p.msi.imsic[2].base, 0x28008000);

	/* Two groups of two harts, the group index at bit 24. */
	m[0] = imsic_groups(4, 1, 0, 0x2000, 0x2000);
	m[0].group_shift = 24;
	parse_imsic(m, 1, 4, &p);
	assert_int_equal(p.msi.kind, DT_MSI_IMSIC);
	assert_int_equal(p.msi.nimsic, 4);
	assert_int_equal(p.msi.imsic[1].base, 0x28001000);
	assert_int_equal(p.msi.imsic[2].base, 0x29000000);
	assert_int_equal(p.msi.imsic[3].base, 0x29001000);
	assert_int_equal(p.msi.imsic[3].hartid, 103);

	/* A group short of its last hart's guest pages still counts whole
	 * (hart 1 is in the second group, not a page into it). */
	m[0] = imsic_groups(2, 0, 1, 0x1000, 0x2000);
	parse_imsic(m, 1, 2, &p);
	assert_int_equal(p.msi.nimsic, 2);
	assert_int_equal(p.msi.imsic[1].base, 0x29000000);

	/* Room for more harts than listed, hart-index-bits not given. */
	m[0] = imsic_plain(1);
	m[0].reg[1] = 0x2000;
	parse_imsic(m, 1, 1, &p);
	assert_int_equal(p.msi.kind, DT_MSI_IMSIC);
	assert_int_equal(p.msi.nimsic, 1);

	/* More harts than kept: the first DT_MAX_IMSIC_FILES, truncated. */
	m[0] = imsic_plain(DT_MAX_IMSIC_FILES + 8);
	parse_imsic(m, 1, DT_MAX_IMSIC_FILES + 8, &p);
	assert_int_equal(p.msi.kind, DT_MSI_IMSIC);
	assert_int_equal(p.msi.nimsic, DT_MAX_IMSIC_FILES);
	assert_int_equal(p.msi.imsic[DT_MAX_IMSIC_FILES - 1].base,
			 0x28000000 + 0x1000 * (DT_MAX_IMSIC_FILES - 1));
	assert_true(p.truncated);
}

/* An APLIC domain node (riscv,aplic.yaml); ~0u leaves a value out. */
struct aplic_node {
	u32 base, size; /* reg, 1 cell each; size ~0u: no reg */
	u32 num_sources;
	u32 ext[2 * 40]; /* interrupts-extended: <phandle cause> */
	unsigned next;
	u32 msi_parent; /* a phandle */
};

#define APLIC_T_PHANDLE 60u
#define APLIC_T_IMSIC_S 50u /* an S-level IMSIC for hart 100 */
#define APLIC_T_IMSIC_M 51u /* an M-level one */

/* The S-level domain at 0x0d000000, direct to harts 100..100+n-1. */
static struct aplic_node aplic_direct(unsigned n)
{
	struct aplic_node a = { 0x0d000000, 0x8000, 96, { 0 }, 0, ~0u };

	for (unsigned i = 0; i < n; i++) {
		a.ext[a.next++] = i + 1;
		a.ext[a.next++] = 9;
	}
	return a;
}

/* The same domain in MSI mode, its msi-parent the S-level IMSIC. */
static struct aplic_node aplic_msi(void)
{
	struct aplic_node a = aplic_direct(0);

	a.msi_parent = APLIC_T_IMSIC_S;
	return a;
}

static void b_aplic(struct bld *b, const struct aplic_node *a)
{
	u8 v[sizeof(a->ext)];

	b_begin(b, "aplic@d000000");
	b_str(b, "compatible", "riscv,aplic");
	b_prop(b, "interrupt-controller", NULL, 0);
	b_cells(b, "#interrupt-cells", 1, 2);
	b_cells(b, "phandle", 1, APLIC_T_PHANDLE);
	if (a->size != ~0u)
		b_cells(b, "reg", 2, a->base, a->size);
	b_u32_opt(b, "riscv,num-sources", a->num_sources);
	b_u32_opt(b, "msi-parent", a->msi_parent);
	if (a->next) {
		for (unsigned i = 0; i < a->next; i++)
			put_be32(v + 4 * i, a->ext[i]);
		b_prop(b, "interrupts-extended", v, 4 * a->next);
	}
	b_end(b);
}

/*
 * Harts 100 + i for i < nharts (cpu-intc phandle i + 1), an S-level and an
 * M-level IMSIC for hart 100, the APLIC node, and a virtio-mmio disk on
 * its source 8 (level high), which makes it the disks' controller.
 */
static void parse_aplic(const struct aplic_node *a, unsigned nharts, struct platform *p)
{
	struct bld *b = b_root(1, 1);
	struct imsic_node s = imsic_plain(1), m = imsic_plain(1);

	b_begin(b, "cpus");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 0);
	for (unsigned h = 0; h < nharts; h++)
		b_riscv_cpu(b, h + 100, h + 1);
	b_end(b);
	m.reg[0] = 0x24000000;
	m.ext[1] = 11;
	m.phandle = APLIC_T_IMSIC_M;
	s.phandle = APLIC_T_IMSIC_S;
	b_imsic(b, "imsics@24000000", &m);
	b_imsic(b, "imsics@28000000", &s);
	b_aplic(b, a);
	b_begin(b, "virtio_mmio@10008000");
	b_str(b, "compatible", "virtio,mmio");
	b_cells(b, "reg", 2, 0x10008000, 0x1000);
	b_cells(b, "interrupt-parent", 1, APLIC_T_PHANDLE);
	b_cells(b, "interrupts", 2, 8, 4);
	b_end(b);
	/* A refused APLIC never fails the tree. */
	assert_int_equal(b_parse(b, p), 0);
	assert_int_equal(p->intc.kind, DT_INTC_APLIC);
	assert_int_equal(p->vmmio[0].irq_cells, 2);
}

static void test_aplic_domains(void **state)
{
	struct platform p;
	struct aplic_node a;

	(void)state;
	/* Direct mode: entry i of interrupts-extended is IDC i. */
	a = aplic_direct(2);
	parse_aplic(&a, 2, &p);
	assert_int_equal(p.intc.aplic_mode, DT_APLIC_DIRECT);
	assert_int_equal(p.intc.aplic_nsources, 96);
	assert_int_equal(p.intc.reg[0].base, 0x0d000000);
	assert_int_equal(p.intc.naplic_idc, 2);
	assert_int_equal(p.intc.aplic_idc[0].hartid, 100);
	assert_int_equal(p.intc.aplic_idc[1].hartid, 101);
	assert_int_equal(p.intc.aplic_idc[1].idc, 1);
	assert_null(p.intc.aplic_refusal);

	/* Harts listed 101, 100: positions, not hart IDs, number the IDCs. */
	a.ext[0] = 2;
	a.ext[2] = 1;
	parse_aplic(&a, 2, &p);
	assert_int_equal(p.intc.aplic_idc[0].hartid, 101);
	assert_int_equal(p.intc.aplic_idc[1].hartid, 100);
	assert_int_equal(p.intc.aplic_idc[1].idc, 1);

	/* M-level entries in the list are skipped, positions still count. */
	a = aplic_direct(2);
	a.ext[1] = 11;
	parse_aplic(&a, 2, &p);
	assert_int_equal(p.intc.aplic_mode, DT_APLIC_DIRECT);
	assert_int_equal(p.intc.naplic_idc, 1);
	assert_int_equal(p.intc.aplic_idc[0].hartid, 101);
	assert_int_equal(p.intc.aplic_idc[0].idc, 1);

	/* A list without the boot hart (100) parses; the port refuses it. */
	a = aplic_direct(2);
	a.ext[0] = 2;
	a.next = 2;
	parse_aplic(&a, 2, &p);
	assert_int_equal(p.intc.aplic_mode, DT_APLIC_DIRECT);
	assert_int_equal(p.intc.naplic_idc, 1);
	assert_int_equal(p.intc.aplic_idc[0].hartid, 101);

	/* The limits of riscv,num-sources. */
	a = aplic_direct(1);
	a.num_sources = 1;
	parse_aplic(&a, 1, &p);
	assert_int_equal(p.intc.aplic_nsources, 1);
	a.num_sources = 1023;
	parse_aplic(&a, 1, &p);
	assert_int_equal(p.intc.aplic_nsources, 1023);

	/* MSI mode through the S-level IMSIC. */
	a = aplic_msi();
	parse_aplic(&a, 1, &p);
	assert_int_equal(p.intc.aplic_mode, DT_APLIC_MSI);
	assert_int_equal(p.intc.naplic_idc, 0);

	/* Both: direct wins; a broken direct list falls back to MSI. */
	a = aplic_direct(1);
	a.msi_parent = APLIC_T_IMSIC_S;
	parse_aplic(&a, 1, &p);
	assert_int_equal(p.intc.aplic_mode, DT_APLIC_DIRECT);
	a.ext[0] = 77;
	parse_aplic(&a, 1, &p);
	assert_int_equal(p.intc.aplic_mode, DT_APLIC_MSI);
	assert_int_equal(p.intc.naplic_idc, 0);
}

/* Each value the binding forbids, or the M-level domain, leaves the APLIC
 * refused with a reason; the tree still parses. */
static void test_aplic_hostile(void **state)
{
	struct platform p;
	struct aplic_node a;
	unsigned n = 0;

	(void)state;
	for (int c = 0;; c++) {
		a = aplic_direct(2);
		switch (c) {
		case 0: a.base = 0x0d000800; break;	 /* not 4 KiB aligned */
		case 1: a.size = 0x3000; break;		 /* under the 16 KiB of registers */
		case 2: a.size = 0x4800; break;		 /* not whole pages */
		case 3: a.size = ~0u; break;		 /* no reg */
		case 4: a.size = 0; break;		 /* empty reg */
		case 5: a.num_sources = 0; break;	 /* 1..1023 */
		case 6: a.num_sources = 1024; break;	 /* 1..1023 */
		case 7: a.num_sources = ~0u; break;	 /* missing */
		case 8: a.size = 0x4000; break;		 /* no room for the IDCs */
		case 9: a.ext[1] = a.ext[3] = 11; break; /* the M-level domain */
		case 10: a.ext[1] = 10; break;		 /* not an external interrupt */
		case 11: a.ext[2] = 77; break;		 /* dangling phandle */
		case 12: a.next = 3; break;		 /* half an entry */
		case 13: a.next = 0; break;		 /* no targets at all */
		case 14: /* an IMSIC is no hart */ a.ext[0] = APLIC_T_IMSIC_S; break;
		case 15: /* MSI mode to the M-level IMSIC */
			a = aplic_msi();
			a.msi_parent = APLIC_T_IMSIC_M;
			break;
		case 16: /* msi-parent that is no IMSIC */
			a = aplic_msi();
			a.msi_parent = 1;
			break;
		case 17: /* dangling msi-parent */
			a = aplic_msi();
			a.msi_parent = 77;
			break;
		default: goto done;
		}
		parse_aplic(&a, 2, &p);
		assert_int_equal(p.intc.aplic_mode, DT_APLIC_NONE);
		assert_non_null(p.intc.aplic_refusal);
		assert_int_equal(p.intc.naplic_idc, 0);
		if (c == 9 || c == 15)
			assert_non_null(strstr(p.intc.aplic_refusal, "M-level"));
		n++;
	}
done:
	assert_int_equal(n, 18);
}

/* Each value the binding forbids leaves the platform without an MSI
 * controller; the tree still parses. */
static void test_imsic_hostile(void **state)
{
	static const u32 bad_ids[] = { ~0u, 0, 62, 64, 100, 2048, 4095, 0xffffffffu - 1 };
	struct platform p;
	struct imsic_node m;
	unsigned n = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_ids); i++) {
		m = imsic_plain(2);
		m.num_ids = bad_ids[i];
		parse_imsic(&m, 1, 2, &p);
		assert_int_equal(p.msi.kind, DT_MSI_NONE);
		assert_int_equal(p.msi.nimsic, 0);
	}
	for (int c = 0;; c++) {
		m = imsic_plain(2);
		switch (c) {
		case 0: /* binding: at most 7 */
			m.guest_bits = 8;
			m.reg[1] = 2 << 20;
			break;
		case 1: m.hart_bits = 16; break;      /* at most 15 */
		case 2: m.group_bits = 8; break;      /* at most 7 */
		case 3: m.group_shift = 56; break;    /* at most 55 */
		case 4: m.hart_bits = 0; break;	      /* 2 harts need a bit */
		case 5: m.reg[1] = 0x1000; break;     /* hart 1's file missing */
		case 6: m.reg[0] = 0x28000800; break; /* not page aligned */
		case 7: m.reg[1] = 0x1800; break;     /* not whole pages */
		case 8: m.ext[3] = 11; break;	      /* S, then M */
		case 9: m.ext[2] = 77; break;	      /* dangling phandle */
		case 10:			      /* half an entry */
			m.next = 3;
			m.hart_bits = 1;
			break;
		case 11: m.next = 0; break;		  /* no harts at all */
		case 12: m.nreg = 0; break;		  /* no reg */
		case 13: m.ext[1] = m.ext[3] = 10; break; /* neither S nor M */
		case 14: m.reg[1] = 0; break;		  /* empty group */
		case 15:				  /* group bits over the hart's */
			m.group_bits = 1;
			m.group_shift = 12;
			break;
		case 16: m.guest_bits = 1; break; /* 2 harts of 2 pages: 4 */
		case 17:			  /* 2 groups of 1 harts, no group bits */
			m = imsic_groups(2, 0, 0, 0x1000, 0x1000);
			m.group_bits = 0;
			break;
		case 18: /* 2 harts in a group of 1 */
			m.hart_bits = 0;
			m.group_bits = 1;
			break;
		default: goto done;
		}
		parse_imsic(&m, 1, 2, &p);
		assert_int_equal(p.msi.kind, DT_MSI_NONE);
		n++;
	}
done:
	assert_int_equal(n, 19);
	/* A refused S-level node leaves the slot to a later one... */
	{
		struct imsic_node two[2] = { imsic_plain(2), imsic_plain(2) };

		two[0].num_ids = 62;
		two[1].reg[0] = 0x30000000;
		parse_imsic(two, 2, 2, &p);
		assert_int_equal(p.msi.kind, DT_MSI_IMSIC);
		assert_int_equal(p.msi.imsic[0].base, 0x30000000);
	}
	/* ...and the first good one wins over a second. */
	{
		struct imsic_node two[2] = { imsic_plain(2), imsic_plain(2) };

		two[1].reg[0] = 0x30000000;
		parse_imsic(two, 2, 2, &p);
		assert_int_equal(p.msi.imsic[0].base, 0x28000000);
	}
	/* riscv,num-ids of the wrong width. */
	m = imsic_plain(2);
	m.wide_ids = true;
	parse_imsic(&m, 1, 2, &p);
	assert_int_equal(p.msi.kind, DT_MSI_NONE);
}

/* Xilinx Versal virt: nothing where aarch64 virt has it. */
static void test_versal_devices(void **state)
{
	struct platform p;
	size_t len;
	u8 *dtb = test_data_load("versal-virt.dtb", &len);

	(void)state;
	assert_int_equal(dt_platform_parse(dtb, len, &p), 0); /* p.model: in dtb */
	assert_int_equal(p.console.kind, DT_UART_PL011);
	assert_int_equal(p.console.base, 0xff000000);
	assert_int_equal(p.intc.kind, DT_INTC_GICV3);
	assert_int_equal(p.intc.reg[0].base, 0xf9000000);
	assert_int_equal(p.intc.reg[1].base, 0xf9080000);
	assert_int_equal(p.nmem, 1);
	assert_int_equal(p.mem[0].base, 0);
	assert_true(p.nvmmio > 0);
	assert_int_equal(p.vmmio[0].base & 0xfffff000, 0xa0000000);
	assert_int_equal(p.timer.virt_irq[1], 11);
	assert_int_equal(p.psci, DT_PSCI_SMC); /* QEMU's own PSCI at EL3 */
	free(dtb);
}

/* A tree whose /chosen says @stdout and whose one UART is described by
 * the given properties; returns the parse's console. */
static struct dt_console console_of(const char *stdout_path, const char *compat, int shift,
				    int width, const char *status)
{
	struct platform p;
	struct bld *b = b_root(1, 1);

	b_begin(b, "aliases");
	b_str(b, "serial0", "/soc/uart@1000");
	b_str(b, "long", "/soc/uart@1000/does/not/exist");
	b_end(b);
	b_begin(b, "chosen");
	b_str(b, "stdout-path", stdout_path);
	b_end(b);
	b_begin(b, "soc");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 1);
	b_cells(b, "ranges", 3, 0, 0xfe000000, 0x10000);
	b_begin(b, "uart@1000");
	b_str(b, "compatible", compat);
	b_cells(b, "reg", 2, 0x1000, 0x100);
	if (shift >= 0)
		b_cells(b, "reg-shift", 1, shift);
	if (width >= 0)
		b_cells(b, "reg-io-width", 1, width);
	if (status)
		b_str(b, "status", status);
	b_end(b);
	b_end(b);
	assert_int_equal(b_parse(b, &p), 0);
	return p.console;
}

static void test_console_rules(void **state)
{
	struct dt_console c;

	(void)state;
	/* A path, translated through the bus's ranges. */
	c = console_of("/soc/uart@1000", "ns16550a", -1, -1, NULL);
	assert_int_equal(c.kind, DT_UART_NS16550);
	assert_int_equal(c.base, 0xfe001000);
	assert_int_equal(c.size, 0x100);
	assert_int_equal(c.reg_shift, 0);
	assert_int_equal(c.reg_io_width, 1);
	/* An alias with options; 32-bit registers 4 bytes apart. */
	c = console_of("serial0:115200n8", "snps,dw-apb-uart", 2, 4, NULL);
	assert_int_equal(c.kind, DT_UART_NS16550);
	assert_int_equal(c.base, 0xfe001000);
	assert_int_equal(c.reg_shift, 2);
	assert_int_equal(c.reg_io_width, 4);
	/* A path with options. */
	c = console_of("/soc/uart@1000:115200", "arm,pl011", -1, -1, NULL);
	assert_int_equal(c.kind, DT_UART_PL011);
	/* Widths and shifts no port drives, an unknown kind: OTHER. */
	assert_int_equal(console_of("serial0", "ns16550a", 0, 3, NULL).kind, DT_UART_OTHER);
	assert_int_equal(console_of("serial0", "ns16550a", 0, 2, NULL).kind, DT_UART_OTHER);
	assert_int_equal(console_of("serial0", "ns16550a", 5, 1, NULL).kind, DT_UART_OTHER);
	assert_int_equal(console_of("serial0", "sifive,uart0", -1, -1, NULL).kind, DT_UART_OTHER);
	/* Nothing usable named: NONE, and the port keeps its default. */
	assert_int_equal(console_of("serial1", "ns16550a", -1, -1, NULL).kind, DT_UART_NONE);
	assert_int_equal(console_of("long", "ns16550a", -1, -1, NULL).kind, DT_UART_NONE);
	assert_int_equal(console_of("/soc/uart@2000", "ns16550a", -1, -1, NULL).kind, DT_UART_NONE);
	assert_int_equal(console_of("", "ns16550a", -1, -1, NULL).kind, DT_UART_NONE);
	assert_int_equal(console_of(":9600", "ns16550a", -1, -1, NULL).kind, DT_UART_NONE);
	assert_int_equal(console_of("serial0", "ns16550a", -1, -1, "disabled").kind, DT_UART_NONE);
}

/* syscon-poweroff through its regmap; sifive,test0 wins; bad ones lose. */
static int poweroff_of(int regmap, u32 offset, int value, int mask, bool test0,
		       struct dt_poweroff *po)
{
	struct platform p;
	struct bld *b = b_root(1, 1);
	int rc;

	b_begin(b, "poweroff");
	b_str(b, "compatible", "syscon-poweroff");
	if (regmap >= 0)
		b_cells(b, "regmap", 1, regmap);
	b_cells(b, "offset", 1, offset);
	if (value >= 0)
		b_cells(b, "value", 1, value);
	if (mask >= 0)
		b_cells(b, "mask", 1, mask);
	b_end(b);
	b_begin(b, "syscon@20000");
	b_prop(b, "compatible", "vendor,pmu\0syscon", 18);
	b_cells(b, "reg", 2, 0x20000, 0x100);
	b_cells(b, "phandle", 1, 7);
	b_end(b);
	if (test0) {
		b_begin(b, "test@100000");
		b_prop(b, "compatible", "sifive,test1\0sifive,test0", 26);
		b_cells(b, "reg", 2, 0x100000, 0x1000);
		b_end(b);
	}
	rc = b_parse(b, &p);
	*po = p.poweroff;
	return rc;
}

static void test_poweroff_rules(void **state)
{
	struct dt_poweroff po;

	(void)state;
	assert_int_equal(poweroff_of(7, 0x10, 0x5555, -1, false, &po), 0);
	assert_int_equal(po.kind, DT_POWEROFF_SYSCON);
	assert_int_equal(po.base, 0x20010);
	assert_int_equal(po.value, 0x5555);
	assert_int_equal(po.mask, 0xffffffffu);
	/* Only a mask: it is the value too (syscon-poweroff.yaml). */
	assert_int_equal(poweroff_of(7, 0, -1, 0x80, false, &po), 0);
	assert_int_equal(po.kind, DT_POWEROFF_SYSCON);
	assert_int_equal(po.value, 0x80);
	assert_int_equal(po.mask, 0x80);
	/* Offset past the block, a regmap nobody has, no regmap: NONE. */
	assert_int_equal(poweroff_of(7, 0xfd, 1, -1, false, &po), 0);
	assert_int_equal(po.kind, DT_POWEROFF_NONE);
	assert_int_equal(poweroff_of(8, 0, 1, -1, false, &po), 0);
	assert_int_equal(po.kind, DT_POWEROFF_NONE);
	assert_int_equal(poweroff_of(-1, 0, 1, -1, false, &po), 0);
	assert_int_equal(po.kind, DT_POWEROFF_NONE);
	/* sifive,test0 beats syscon-poweroff, wherever it comes. */
	assert_int_equal(poweroff_of(7, 0, 1, -1, true, &po), 0);
	assert_int_equal(po.kind, DT_POWEROFF_SIFIVE_TEST);
	assert_int_equal(po.base, 0x100000);
}

/* A PLIC listing M and S contexts for three harts, one of them "none". */
static void test_plic_contexts(void **state)
{
	struct platform p;
	struct bld *b = b_root(1, 1);

	(void)state;
	b_cells(b, "interrupt-parent", 1, 9);
	b_begin(b, "cpus");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 0);
	b_cells(b, "timebase-frequency", 2, 0, 24000000);
	for (u32 h = 0; h < 3; h++)
		b_riscv_cpu(b, h + 4, h + 1); /* hart ids 4, 5, 6 */
	b_end(b);
	b_begin(b, "plic@c000000");
	b_str(b, "compatible", "sifive,plic-1.0.0");
	b_prop(b, "interrupt-controller", NULL, 0);
	b_cells(b, "#interrupt-cells", 1, 1);
	b_cells(b, "phandle", 1, 9);
	b_cells(b, "riscv,ndev", 1, 53);
	b_cells(b, "reg", 2, 0xc000000, 0x4000000);
	/* hart 4: M only; hart 5: M, S; "none"; hart 6: S, M. */
	b_cells(b, "interrupts-extended", 12, 1, 11, 2, 11, 2, 9, 0xffffffffu, 9, 3, 9, 3, 11);
	b_end(b);
	b_vmmio(b, "virtio@1000", 0x1000, NULL);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.intc.kind, DT_INTC_PLIC);
	assert_int_equal(p.intc.plic_ndev, 53);
	assert_int_equal(p.intc.nplic_ctx, 2);
	assert_int_equal(p.intc.plic_ctx[0].hartid, 5);
	assert_int_equal(p.intc.plic_ctx[0].context, 2);
	assert_int_equal(p.intc.plic_ctx[1].hartid, 6);
	assert_int_equal(p.intc.plic_ctx[1].context, 4);
	assert_true(p.intc.plic_ctx_listed);
	assert_int_equal(p.timer.freq, 24000000);
}

/* A PLIC that lists only M-mode contexts has none for S-mode (a port must
 * not fall back to a guess); one without interrupts-extended lists none. */
static void test_plic_no_s_context(void **state)
{
	struct platform p;

	(void)state;
	for (int listed = 0; listed < 2; listed++) {
		struct bld *b = b_root(1, 1);

		b_cells(b, "interrupt-parent", 1, 9);
		b_begin(b, "cpus");
		b_cells(b, "#address-cells", 1, 1);
		b_cells(b, "#size-cells", 1, 0);
		b_riscv_cpu(b, 0, 1);
		b_end(b);
		b_begin(b, "plic@c000000");
		b_str(b, "compatible", "riscv,plic0");
		b_prop(b, "interrupt-controller", NULL, 0);
		b_cells(b, "#interrupt-cells", 1, 1);
		b_cells(b, "phandle", 1, 9);
		b_cells(b, "reg", 2, 0xc000000, 0x4000000);
		if (listed)
			b_cells(b, "interrupts-extended", 2, 1, 11);
		b_end(b);
		b_vmmio(b, "virtio@1000", 0x1000, NULL);
		assert_int_equal(b_parse(b, &p), 0);
		assert_int_equal(p.intc.kind, DT_INTC_PLIC);
		assert_int_equal(p.intc.nplic_ctx, 0);
		assert_int_equal(p.intc.plic_ctx_listed, listed);
	}
}

/* PSCI's conduit, and what a tree without the usual nodes gives. */
static void test_psci_and_defaults(void **state)
{
	struct platform p;
	struct bld *b = b_root(1, 1);

	(void)state;
	b_str(b, "model", "board");
	b_begin(b, "psci");
	b_prop(b, "compatible", "arm,psci-1.0\0arm,psci-0.2", 26);
	b_str(b, "method", "smc");
	b_end(b);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.psci, DT_PSCI_SMC);
	assert_string_equal(p.model, "board");

	b = b_root(1, 1);
	b_prop(b, "model", "unterminated", 12);
	b_begin(b, "psci");
	b_str(b, "compatible", "arm,psci");
	b_str(b, "method", "hvc ");
	b_end(b);
	assert_int_equal(b_parse(b, &p), 0);
	assert_int_equal(p.psci, DT_PSCI_NONE);
	assert_null(p.model);
	assert_int_equal(p.console.kind, DT_UART_NONE);
	assert_int_equal(p.poweroff.kind, DT_POWEROFF_NONE);
	assert_int_equal(p.timer.virt_irq_cells, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_intmap),
		cmocka_unit_test(test_reserved_memory),
		cmocka_unit_test(test_virt_highmem),
		cmocka_unit_test(test_virt_lowmem_pci),
		cmocka_unit_test(test_virt_3disks),
		cmocka_unit_test(test_virt_gicv3),
		cmocka_unit_test(test_virt_irq_misrouted),
		cmocka_unit_test(test_virt_devices),
		cmocka_unit_test(test_riscv_virt_devices),
		cmocka_unit_test(test_riscv_aia_devices),
		cmocka_unit_test(test_riscv_aplic_devices),
		cmocka_unit_test(test_aplic_domains),
		cmocka_unit_test(test_aplic_hostile),
		cmocka_unit_test(test_imsic_files),
		cmocka_unit_test(test_imsic_hostile),
		cmocka_unit_test(test_versal_devices),
		cmocka_unit_test(test_console_rules),
		cmocka_unit_test(test_poweroff_rules),
		cmocka_unit_test(test_plic_contexts),
		cmocka_unit_test(test_plic_no_s_context),
		cmocka_unit_test(test_psci_and_defaults),
		cmocka_unit_test(test_intc_choice),
		cmocka_unit_test(test_gic_msi),
		cmocka_unit_test(test_fdt_api),
		cmocka_unit_test(test_fdt_helpers),
		cmocka_unit_test(test_status_and_cells),
		cmocka_unit_test(test_ranges_translation),
		cmocka_unit_test(test_interrupt_parent),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_pci_rules),
		cmocka_unit_test(test_bad_content),
		cmocka_unit_test(test_corrupt_table),
		cmocka_unit_test(test_corrupt_raw),
		cmocka_unit_test(test_mem_rsv),
		cmocka_unit_test(test_unchecked_reads),
		cmocka_unit_test(test_misaligned_blocks),
		cmocka_unit_test(test_cells_limits),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_random_damage),
		cmocka_unit_test(test_boot_check),
	};

	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(b_last);
	return rc;
}
