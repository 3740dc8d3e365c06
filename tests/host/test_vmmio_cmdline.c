/*
 * tests/host/test_vmmio_cmdline.c - host tests for the x86 platform
 * discovery's "virtio_mmio.device=" parser (arch/x86_64/vmmio_cmdline.c).
 *
 * What the microvm port relies on: QEMU's exact form ("512@0xfeb00e00:12",
 * one entry per device, in command-line order) becomes one virtio-mmio
 * region with an IOAPIC <irq level-high> specifier; the other forms Linux
 * accepts (size suffixes, decimal or octal numbers, a trailing device id)
 * parse too; anything malformed, wrapping or with an impossible interrupt
 * is skipped without disturbing the entries around it; the table's bound
 * is kept and reported; other command-line words are left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86_64/vmmio_cmdline.h"

static struct platform plat;

static unsigned parse(const char *line)
{
	memset(&plat, 0, sizeof(plat));
	return vmmio_cmdline_parse(line, &plat);
}

static void expect_dev(unsigned i, u64 base, u64 size, u32 irq)
{
	assert_true(i < plat.nvmmio);
	assert_int_equal(plat.vmmio[i].base, base);
	assert_int_equal(plat.vmmio[i].size, size);
	assert_int_equal(plat.vmmio[i].irq_cells, 2);
	assert_int_equal(plat.vmmio[i].irq[0], irq);
	assert_int_equal(plat.vmmio[i].irq[1], 2); /* level, active high */
}

/* What QEMU 7.2's microvm appends with acpi=off, three devices. */
static void test_qemu_microvm_line(void **state)
{
	(void)state;
	assert_int_equal(parse("ktest virtio_mmio.device=512@0xfeb00e00:12 "
			       "virtio_mmio.device=512@0xfeb00c00:11 "
			       "virtio_mmio.device=512@0xfeb00a00:10"),
			 3);
	assert_int_equal(plat.nvmmio, 3);
	expect_dev(0, 0xfeb00e00, 512, 12);
	expect_dev(1, 0xfeb00c00, 512, 11);
	expect_dev(2, 0xfeb00a00, 512, 10);
	assert_false(plat.truncated);
}

static void test_other_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("virtio_mmio.device=4K@0x10001000:5"), 1);
	expect_dev(0, 0x10001000, 4096, 5);
	assert_int_equal(parse("virtio_mmio.device=1M@4096:0x20:3"), 1); /* with an id */
	expect_dev(0, 4096, 1 << 20, 32);
	assert_int_equal(parse("virtio_mmio.device=0x200@010000:7"), 1); /* octal base */
	expect_dev(0, 010000, 0x200, 7);
	assert_int_equal(parse("  virtio_mmio.device=1g@0xc0000000:255  "), 1);
	expect_dev(0, 0xc0000000ull, 1ull << 30, 255); /* ends exactly at 4 GiB */
}

static void test_malformed_skipped(void **state)
{
	static const char *const bad[] = {
		"virtio_mmio.device=",				    /* nothing */
		"virtio_mmio.device=512",			    /* no base */
		"virtio_mmio.device=512@",			    /* empty base */
		"virtio_mmio.device=512@0xfeb00e00",		    /* no irq */
		"virtio_mmio.device=512@0xfeb00e00:",		    /* empty irq */
		"virtio_mmio.device=512@0xfeb00e00:0",		    /* irq 0 */
		"virtio_mmio.device=512@0xfeb00e00:256",	    /* beyond the IOAPIC vectors */
		"virtio_mmio.device=0@0xfeb00e00:12",		    /* zero size */
		"virtio_mmio.device=512@0xfeb00e00:12x",	    /* trailing garbage */
		"virtio_mmio.device=512@0xfeb00e00:12:",	    /* empty id */
		"virtio_mmio.device=512T@0x1000:12",		    /* unknown suffix */
		"virtio_mmio.device=0x200@0xfffffffffffffe01:5",    /* wraps */
		"virtio_mmio.device=99999999999999999999@0x1000:5", /* overflow */
		"virtio_mmio.device=16G@0x1000:5x",
		"virtio_mmio.device=-512@0x1000:5",
		"virtio_mmio.device=0x@0x1000:5",
		"virtio_mmio.device=09@0x1000:5", /* 9 is not octal */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (parse(bad[i]) != 0 || plat.nvmmio != 0)
			fail_msg("\"%s\" was accepted", bad[i]);
	}
	/* A bad entry between good ones costs only itself. */
	assert_int_equal(parse("virtio_mmio.device=512@0x1000:5 virtio_mmio.device=512@x:6 "
			       "virtio_mmio.device=512@0x2000:7"),
			 2);
	expect_dev(0, 0x1000, 512, 5);
	expect_dev(1, 0x2000, 512, 7);
}

static void test_other_words_ignored(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse(NULL), 0);
	assert_int_equal(parse("ktest virtio_mmio.devices=512@0x1000:5 "
			       "xvirtio_mmio.device=512@0x1000:5 virtio_mmio.device"),
			 0);
	assert_int_equal(plat.nvmmio, 0);
}

static void test_table_bound(void **state)
{
	char line[DT_MAX_VIRTIO_MMIO * 48 + 64];
	size_t n = 0;

	(void)state;
	for (unsigned i = 0; i < DT_MAX_VIRTIO_MMIO + 2; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "virtio_mmio.device=512@0x%x:5 ",
				      0x10000 + 0x200 * i);
	assert_int_equal(parse(line), DT_MAX_VIRTIO_MMIO);
	assert_int_equal(plat.nvmmio, DT_MAX_VIRTIO_MMIO);
	assert_true(plat.truncated);
	expect_dev(DT_MAX_VIRTIO_MMIO - 1, 0x10000 + 0x200 * (DT_MAX_VIRTIO_MMIO - 1), 512, 5);
}

static void hoist(const char *in, const char *want)
{
	char line[CMDLINE_HOIST_MAX];

	snprintf(line, sizeof(line), "%s", in);
	vmmio_cmdline_hoist(line, sizeof(line));
	assert_string_equal(line, want);
}

/* QEMU's entries never reach the program after "--". */
static void test_hoist(void **state)
{
	(void)state;
	hoist("-- put a 1 virtio_mmio.device=512@0x1000:5 virtio_mmio.device=512@0x2000:6",
	      "virtio_mmio.device=512@0x1000:5 virtio_mmio.device=512@0x2000:6 -- put a 1");
	hoist("ktest.x -- virtio_mmio.device=512@0x1000:5",
	      "ktest.x virtio_mmio.device=512@0x1000:5 --");
	hoist("a  b virtio_mmio.device=512@0x1000:5 -- c -- d",
	      "a b virtio_mmio.device=512@0x1000:5 -- c -- d");
	/* No "--": untouched, spaces and all. */
	hoist("demo  virtio_mmio.device=512@0x1000:5", "demo  virtio_mmio.device=512@0x1000:5");
	hoist("", "");
	vmmio_cmdline_hoist(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_microvm_line),
		cmocka_unit_test(test_other_forms),
		cmocka_unit_test(test_malformed_skipped),
		cmocka_unit_test(test_other_words_ignored),
		cmocka_unit_test(test_table_bound),
		cmocka_unit_test(test_hoist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
