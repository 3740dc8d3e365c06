/*
 * tests/host/test_disksig.c - host tests for lib/disksig.c.
 *
 * Images are built in a RAM disk (tests/host/memdisk.h), whose read
 * callback fails the test on a read past the end or out of alignment:
 *  - a table of signatures, each a few bytes poked into a zeroed disk
 *    (offsets below 0 count from the end), with the expected kind and
 *    message: every signature, GPT at every LBA size and as backup only,
 *    blankness at the zone edges, disks smaller than the zones;
 *  - a table of FAT boot sectors, one per BPB rule;
 *  - errors: too small, bad geometry, reads that fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/disksig.h"
#include "lib/errno.h"
#include "tests/host/memdisk.h"
#include "tests/host/test_util.h"

struct poke {
	s64 off; /* < 0: from the end of the disk */
	const char *bytes;
	unsigned len;
};
#define POKE(o, s)                      \
	{                               \
		(o), (s), sizeof(s) - 1 \
	}

static const struct sig_case {
	const char *name;
	s64 size;
	u32 bsize;
	struct poke pokes[4];
	enum disksig_kind kind;
	const char *what;
	u64 offset;
} sig_cases[] = {
	{ "blank", 4 * MiB, 512, {}, DISKSIG_BLANK, "nothing (blank)", 0 },
	{ "blank 1 MiB", 1 * MiB, 4096, {}, DISKSIG_BLANK, "nothing (blank)", 0 },
	{ "blank one block", 512, 512, {}, DISKSIG_BLANK, "nothing (blank)", 0 },
	{ "blank 32 KiB", 32 * KiB, 512, {}, DISKSIG_BLANK, "nothing (blank)", 0 },
	{ "data at 0x1234",
	  4 * MiB,
	  512,
	  { POKE(0x1234, "\x01") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x1234",
	  0x1234 },
	{ "data at 0",
	  4 * MiB,
	  512,
	  { POKE(0, "\xff") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x0",
	  0 },
	{ "data at the end of the first MiB",
	  4 * MiB,
	  512,
	  { POKE(MiB - 1, "\x01") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0xfffff",
	  MiB - 1 },
	{ "data only in the last MiB",
	  4 * MiB,
	  512,
	  { POKE(-1, "\x01") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x3fffff",
	  4 * MiB - 1 },
	{ "data at the start of the last MiB",
	  4 * MiB,
	  4096,
	  { POKE(3 * MiB, "\x01") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x300000",
	  3 * MiB },
	{ "first and last: the first",
	  4 * MiB,
	  512,
	  { POKE(-5, "\x01"), POKE(0x800, "\x01") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x800",
	  0x800 },
	{ "data between the zones",
	  4 * MiB,
	  512,
	  { POKE(MiB, "\x01"), POKE(3 * MiB - 1, "\x01") },
	  DISKSIG_BLANK,
	  "nothing (blank)",
	  0 },
	{ "small disk: all of it",
	  2 * MiB - 512,
	  512,
	  { POKE(MiB + 10, "\x01") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x10000a",
	  MiB + 10 },
	{ "2 MiB disk: all of it",
	  2 * MiB,
	  512,
	  { POKE(MiB + 7, "\x01") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x100007",
	  MiB + 7 },
	{ "LUKS1",
	  4 * MiB,
	  512,
	  { POKE(0, "LUKS\xba\xbe\0\x01") },
	  DISKSIG_LUKS,
	  "a LUKS1 volume",
	  0 },
	{ "LUKS2",
	  4 * MiB,
	  512,
	  { POKE(0, "LUKS\xba\xbe\0\x02") },
	  DISKSIG_LUKS,
	  "a LUKS2 volume",
	  0 },
	{ "LUKS3",
	  4 * MiB,
	  512,
	  { POKE(0, "LUKS\xba\xbe\x01\x02") },
	  DISKSIG_LUKS,
	  "a LUKS volume",
	  0 },
	{ "not LUKS",
	  4 * MiB,
	  512,
	  { POKE(0, "LUKS\xba\xbf\0\x02") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x0",
	  0 },
	{ "GPT, 512 on 512",
	  4 * MiB,
	  512,
	  { POKE(512, "EFI PART") },
	  DISKSIG_GPT,
	  "a GPT partition table",
	  0 },
	{ "GPT, 4096 on 512",
	  4 * MiB,
	  512,
	  { POKE(4096, "EFI PART") },
	  DISKSIG_GPT,
	  "a GPT partition table",
	  0 },
	{ "GPT, 512 on 4096",
	  4 * MiB,
	  4096,
	  { POKE(512, "EFI PART") },
	  DISKSIG_GPT,
	  "a GPT partition table",
	  0 },
	{ "GPT, 4096 on 4096",
	  4 * MiB,
	  4096,
	  { POKE(4096, "EFI PART") },
	  DISKSIG_GPT,
	  "a GPT partition table",
	  0 },
	{ "GPT, 2048 on 2048",
	  4 * MiB,
	  2048,
	  { POKE(2048, "EFI PART") },
	  DISKSIG_GPT,
	  "a GPT partition table",
	  0 },
	{ "GPT backup, 512 on 512",
	  4 * MiB,
	  512,
	  { POKE(-512, "EFI PART") },
	  DISKSIG_GPT,
	  "a GPT partition table (backup header only)",
	  0 },
	{ "GPT backup, 4096 on 512",
	  4 * MiB,
	  512,
	  { POKE(-4096, "EFI PART") },
	  DISKSIG_GPT,
	  "a GPT partition table (backup header only)",
	  0 },
	{ "GPT backup, 512 on 4096",
	  4 * MiB,
	  4096,
	  { POKE(-512, "EFI PART") },
	  DISKSIG_GPT,
	  "a GPT partition table (backup header only)",
	  0 },
	{ "EFI PART at 0 of a one-block disk",
	  512,
	  512,
	  { POKE(0, "EFI PART") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x0",
	  0 },
	{ "GPT, not at LBA 2",
	  4 * MiB,
	  512,
	  { POKE(1024, "EFI PART") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x400",
	  1024 },
	{ "GPT with its protective MBR",
	  4 * MiB,
	  512,
	  { POKE(450, "\xee"), POKE(510, "\x55\xaa"), POKE(512, "EFI PART") },
	  DISKSIG_GPT,
	  "a GPT partition table",
	  0 },
	{ "protective MBR only",
	  4 * MiB,
	  512,
	  { POKE(450, "\xee"), POKE(510, "\x55\xaa") },
	  DISKSIG_GPT,
	  "a GPT partition table (protective MBR only)",
	  0 },
	{ "MBR",
	  4 * MiB,
	  512,
	  { POKE(446, "\x80"), POKE(466, "\x83"), POKE(510, "\x55\xaa") },
	  DISKSIG_MBR,
	  "an MBR partition table",
	  0 },
	{ "MBR, bad boot flag",
	  4 * MiB,
	  512,
	  { POKE(446, "\x01"), POKE(450, "\x83"), POKE(510, "\x55\xaa") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x1be",
	  446 },
	{ "MBR, no entries",
	  4 * MiB,
	  512,
	  { POKE(510, "\x55\xaa") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0x1fe",
	  510 },
	{ "ext2", 4 * MiB, 512, { POKE(1080, "\x53\xef") }, DISKSIG_EXT, "an ext2 filesystem", 0 },
	{ "ext3",
	  4 * MiB,
	  4096,
	  { POKE(1080, "\x53\xef"), POKE(1116, "\x04") },
	  DISKSIG_EXT,
	  "an ext3 filesystem",
	  0 },
	{ "ext4 (extents)",
	  4 * MiB,
	  512,
	  { POKE(1080, "\x53\xef"), POKE(1116, "\x04"), POKE(1120, "\x40") },
	  DISKSIG_EXT,
	  "an ext4 filesystem",
	  0 },
	{ "ext4 (64bit)",
	  4 * MiB,
	  512,
	  { POKE(1080, "\x53\xef"), POKE(1120, "\x80") },
	  DISKSIG_EXT,
	  "an ext4 filesystem",
	  0 },
	{ "ext, other incompat",
	  4 * MiB,
	  512,
	  { POKE(1080, "\x53\xef"), POKE(1120, "\x02") },
	  DISKSIG_EXT,
	  "an ext2 filesystem",
	  0 },
	{ "ISO 9660",
	  4 * MiB,
	  2048,
	  { POKE(32768, "\x01"
			"CD001\x01") },
	  DISKSIG_ISO9660,
	  "an ISO 9660 filesystem",
	  0 },
	{ "swap 4K", 4 * MiB, 512, { POKE(4086, "SWAPSPACE2") }, DISKSIG_SWAP, "Linux swap", 0 },
	{ "swap 4K, old",
	  4 * MiB,
	  512,
	  { POKE(4086, "SWAP-SPACE") },
	  DISKSIG_SWAP,
	  "Linux swap",
	  0 },
	{ "swap 8K", 4 * MiB, 4096, { POKE(8182, "SWAPSPACE2") }, DISKSIG_SWAP, "Linux swap", 0 },
	{ "swap 16K", 4 * MiB, 512, { POKE(16374, "SWAPSPACE2") }, DISKSIG_SWAP, "Linux swap", 0 },
	{ "swap 64K", 4 * MiB, 512, { POKE(65526, "SWAPSPACE2") }, DISKSIG_SWAP, "Linux swap", 0 },
	{ "swap 64K on a 64 KiB disk",
	  64 * KiB,
	  512,
	  { POKE(65526, "SWAPSPACE2") },
	  DISKSIG_SWAP,
	  "Linux swap",
	  0 },
	{ "swap, wrong place",
	  4 * MiB,
	  512,
	  { POKE(4085, "SWAPSPACE2") },
	  DISKSIG_DATA,
	  "non-zero data at byte 0xff5",
	  4085 },
};

static void run_sig_case(const struct sig_case *c)
{
	struct memdisk d;
	struct disksig sig;

	print_message("%s\n", c->name);
	memdisk_init(&d, (u64)c->size, c->bsize);
	for (unsigned i = 0; i < 4 && c->pokes[i].bytes; i++) {
		s64 off = c->pokes[i].off < 0 ? c->size + c->pokes[i].off : c->pokes[i].off;

		memcpy(d.mem + off, c->pokes[i].bytes, c->pokes[i].len);
	}
	assert_int_equal(disksig_identify(&d.io, &sig), 0);
	assert_int_equal(sig.kind, c->kind);
	assert_string_equal(sig.what, c->what);
	assert_int_equal(sig.offset, c->offset);
	memdisk_free(&d);
}

static void test_signatures(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(sig_cases); i++)
		run_sig_case(&sig_cases[i]);
}

/* ---- FAT -------------------------------------------------------------- */

struct fat_bpb {
	u8 jump;
	u16 bps;
	u8 spc;
	u16 rsvd;
	u8 nfats;
	u16 rootent, tot16, fatsz16;
	u32 tot32, fatsz32;
	const char *str54, *str82;
};

static void put16(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void fat_put(u8 *b, const struct fat_bpb *f)
{
	b[0] = f->jump;
	b[1] = 0x58;
	b[2] = 0x90;
	put16(b + 11, f->bps);
	b[13] = f->spc;
	put16(b + 14, f->rsvd);
	b[16] = f->nfats;
	put16(b + 17, f->rootent);
	put16(b + 19, f->tot16);
	b[21] = 0xf8;
	put16(b + 22, f->fatsz16);
	put16(b + 32, f->tot32);
	put16(b + 34, f->tot32 >> 16);
	put16(b + 36, f->fatsz32);
	put16(b + 38, f->fatsz32 >> 16);
	if (f->str54)
		memcpy(b + 54, f->str54, 8);
	if (f->str82)
		memcpy(b + 82, f->str82, 8);
	put16(b + 510, 0xaa55);
}

#define FAT32_BPB 0xeb, 512, 8, 32, 2, 0, 0, 0, 1000000, 1000
#define FAT16_BPB 0xeb, 512, 1, 32, 2, 512, 40000, 40, 0, 0
#define FAT12_BPB 0xeb, 512, 1, 1, 2, 224, 2880, 9, 0, 0

static void test_fat(void **state)
{
	static const struct {
		struct fat_bpb bpb;
		const char *what; /* NULL: not FAT */
	} rows[] = {
		{ { FAT32_BPB, NULL, "FAT32   " }, "a FAT32 filesystem" },
		{ { FAT16_BPB, "FAT16   ", NULL }, "a FAT16 filesystem" },
		{ { FAT12_BPB, "FAT12   ", NULL }, "a FAT12 filesystem" },
		{ { FAT32_BPB, NULL, NULL }, "a FAT32 filesystem" },
		{ { FAT16_BPB, "FAT     ", NULL }, "a FAT16 filesystem" },
		{ { FAT12_BPB, NULL, NULL }, "a FAT12 filesystem" },
		{ { 0xe9, 512, 8, 32, 2, 0, 0, 0, 1000000, 1000, NULL, "FAT32   " },
		  "a FAT32 filesystem" },
		{ { 0x00, 512, 8, 32, 2, 0, 0, 0, 1000000, 1000, NULL, "FAT32   " }, NULL },
		{ { 0xeb, 256, 8, 32, 2, 0, 0, 0, 1000000, 1000, NULL, "FAT32   " }, NULL },
		{ { 0xeb, 8192, 8, 32, 2, 0, 0, 0, 1000000, 1000, NULL, "FAT32   " }, NULL },
		{ { 0xeb, 1000, 8, 32, 2, 0, 0, 0, 1000000, 1000, NULL, "FAT32   " }, NULL },
		{ { 0xeb, 0, 8, 32, 2, 0, 0, 0, 1000000, 1000, NULL, NULL }, NULL },
		{ { 0xeb, 512, 0, 32, 2, 0, 0, 0, 1000000, 1000, NULL, NULL }, NULL },
		{ { 0xeb, 512, 3, 32, 2, 0, 0, 0, 1000000, 1000, NULL, "FAT32   " }, NULL },
		{ { 0xeb, 512, 8, 0, 2, 0, 0, 0, 1000000, 1000, NULL, "FAT32   " }, NULL },
		{ { 0xeb, 512, 8, 32, 0, 0, 0, 0, 1000000, 1000, NULL, "FAT32   " }, NULL },
		{ { 0xeb, 512, 8, 32, 3, 0, 0, 0, 1000000, 1000, NULL, "FAT32   " }, NULL },
		{ { 0xeb, 512, 8, 32, 2, 0, 0, 0, 1000000, 0, NULL, NULL }, NULL }, /* no FAT */
		{ { 0xeb, 512, 8, 32, 2, 0, 0, 0, 2032, 1000, NULL, NULL }, NULL }, /* no data */
	};
	struct memdisk d;
	struct disksig sig;

	(void)state;
	for (unsigned r = 0; r < ARRAY_SIZE(rows); r++) {
		print_message("FAT row %u\n", r);
		memdisk_init(&d, 4 * MiB, 512);
		fat_put(d.mem, &rows[r].bpb);
		assert_int_equal(disksig_identify(&d.io, &sig), 0);
		if (rows[r].what) {
			assert_int_equal(sig.kind, DISKSIG_FAT);
			assert_string_equal(sig.what, rows[r].what);
		} else {
			assert_int_equal(sig.kind, DISKSIG_DATA);
		}
		/* A superfloppy's boot code may look like an MBR entry: FAT wins. */
		d.mem[446] = 0x80;
		d.mem[450] = 0x0c;
		assert_int_equal(disksig_identify(&d.io, &sig), 0);
		assert_int_equal(sig.kind, rows[r].what ? DISKSIG_FAT : DISKSIG_MBR);
		memdisk_free(&d);
	}
}

/* ---- errors ----------------------------------------------------------- */

static void test_errors(void **state)
{
	static const s64 fail_at[] = { 0, 1024, 32768, 65536 - 512, 4 * MiB - 1 };
	struct memdisk d;
	struct disksig sig;

	(void)state;
	memdisk_init(&d, 0, 512);
	assert_int_equal(disksig_identify(&d.io, &sig), -ENOSPC);
	d.io.size = 100;
	assert_int_equal(disksig_identify(&d.io, &sig), -ENOSPC);
	d.io.bsize = 4096;
	d.io.size = 2048;
	assert_int_equal(disksig_identify(&d.io, &sig), -ENOSPC);
	memdisk_free(&d);

	memdisk_init(&d, 1 * MiB, 512);
	d.io.bsize = 256;
	assert_int_equal(disksig_identify(&d.io, &sig), -EINVAL);
	d.io.bsize = 1536;
	assert_int_equal(disksig_identify(&d.io, &sig), -EINVAL);
	d.io.bsize = 8192;
	assert_int_equal(disksig_identify(&d.io, &sig), -EINVAL);
	d.io.bsize = 512;
	d.io.size = MiB + 100;
	assert_int_equal(disksig_identify(&d.io, &sig), -EINVAL);
	memdisk_free(&d);

	for (unsigned i = 0; i < ARRAY_SIZE(fail_at); i++) {
		memdisk_init(&d, 4 * MiB, 512);
		d.fail = true;
		d.fail_at = (u64)fail_at[i];
		assert_int_equal(disksig_identify(&d.io, &sig), -EIO);
		assert_int_equal(sig.kind, DISKSIG_BLANK);
		assert_string_equal(sig.what, "");
		memdisk_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_fat),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
