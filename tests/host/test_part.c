/*
 * tests/host/test_part.c - host tests for lib/part.c and lib/part_gpt.c.
 *
 * Every image is built here, in a RAM disk (tests/host/memdisk.h) whose
 * read callback fails the test on any read lib/diskio.h does not allow:
 *  - GUID text form both ways;
 *  - MBR: primaries, plausibility, entries out of range or overlapping,
 *    EBR chains (logical partitions, loops, chains too long, damaged
 *    links), more than PART_MAX partitions;
 *  - GPT with 512- and 4096-byte LBAs and 128/256-byte entries; one
 *    mutation per header check, applied to the primary (the backup must
 *    be used) and to both (-EBADMSG); bad array CRCs; bad entries;
 *  - read errors propagating.
 * Each safety check of the parser has a row or a test here that fails
 * without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crc32.h"
#include "lib/errno.h"
#include "lib/part.h"
#include "lib/part_spec.h"
#include "tests/host/memdisk.h"
#include "tests/host/test_util.h"

#define LINUX_FS "0fc63daf-8483-4772-8e79-3d69d8477de4"
#define OFS_TYPE "e3782515-0da5-48d2-8e3c-68e70f5247ca"

/* ---- GUIDs ------------------------------------------------------------ */

static void test_guid_round_trip(void **state)
{
	static const u8 linux_fs[16] = { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
					 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4 };
	static const char *const bad[] = {
		"",
		"0fc63daf-8483-4772-8e79-3d69d8477de",	 /* short */
		"0fc63daf-8483-4772-8e79-3d69d8477de4a", /* long */
		"0fc63daf 8483-4772-8e79-3d69d8477de4",	 /* no dash */
		"0fc63dag-8483-4772-8e79-3d69d8477de4",	 /* not hex */
		"0fc63daf-8483-4772-8e79-3d69d8477d-4",	 /* dash as a digit */
	};
	u8 g[16];
	char s[37];

	(void)state;
	assert_int_equal(guid_parse(LINUX_FS, g), 0);
	assert_memory_equal(g, linux_fs, 16);
	guid_format(g, s);
	assert_string_equal(s, LINUX_FS);
	assert_int_equal(guid_parse("0FC63DAF-8483-4772-8E79-3D69D8477DE4", g), 0);
	assert_memory_equal(g, linux_fs, 16);
	assert_int_equal(guid_parse(OFS_TYPE, g), 0);
	guid_format(g, s);
	assert_string_equal(s, OFS_TYPE);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(guid_parse(bad[i], g), -EINVAL);
}

/* ---- MBR builders ----------------------------------------------------- */

static struct mbr *sector(struct memdisk *d, u64 lba)
{
	return (struct mbr *)(void *)(d->mem + lba * d->io.bsize);
}

static void mbr_set(struct memdisk *d, u64 lba, int i, u8 type, u32 start, u32 len)
{
	struct mbr *m = sector(d, lba);

	m->signature = cpu_to_le16(MBR_SIGNATURE);
	m->partition_record[i].os_type = type;
	m->partition_record[i].starting_lba = cpu_to_le32(start);
	m->partition_record[i].size_in_lba = cpu_to_le32(len);
}

static int scan(struct memdisk *d, struct part_table *t)
{
	int rc = part_scan(&d->io, t);

	if (rc) {
		assert_int_equal(t->scheme, PART_NONE);
		assert_int_equal(t->n, 0);
	}
	return rc;
}

static void check_part(const struct part_table *t, unsigned i, unsigned index, u64 start_lba,
		       u64 nlba, u32 bs)
{
	assert_true(i < t->n);
	assert_int_equal(t->p[i].index, index);
	assert_int_equal(t->p[i].start, start_lba * bs);
	assert_int_equal(t->p[i].len, nlba * bs);
}

/* ---- MBR -------------------------------------------------------------- */

static void test_no_table(void **state)
{
	struct memdisk d;
	struct part_table t;

	(void)state;
	memdisk_init(&d, 1 * MiB, 512);
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.scheme, PART_NONE);
	/* Not plausible as an MBR: each is "no table", not an error. */
	mbr_set(&d, 0, 0, 0x83, 2048, 100);
	sector(&d, 0)->signature = cpu_to_le16(0x55ab);
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.scheme, PART_NONE);
	sector(&d, 0)->signature = cpu_to_le16(MBR_SIGNATURE);
	sector(&d, 0)->partition_record[1].boot_indicator = 0x01;
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.scheme, PART_NONE);
	sector(&d, 0)->partition_record[1].boot_indicator = 0x80;
	sector(&d, 0)->partition_record[0].os_type = 0;
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.scheme, PART_NONE);
	memdisk_free(&d);
}

static void test_mbr_primaries(void **state)
{
	static const u32 bsizes[] = { 512, 4096 };
	struct memdisk d;
	struct part_table t;

	(void)state;
	for (unsigned b = 0; b < 2; b++) {
		memdisk_init(&d, 2048ull * bsizes[b], bsizes[b]);
		mbr_set(&d, 0, 0, 0x83, 1, 99);	     /* slot 1 */
		mbr_set(&d, 0, 2, 0x0c, 1000, 1048); /* slot 3, to the last LBA */
		sector(&d, 0)->partition_record[2].boot_indicator = 0x80;
		assert_int_equal(scan(&d, &t), 0);
		assert_int_equal(t.scheme, PART_MBR);
		assert_int_equal(t.n, 2);
		check_part(&t, 0, 1, 1, 99, bsizes[b]);
		check_part(&t, 1, 3, 1000, 1048, bsizes[b]);
		assert_int_equal(t.p[0].mbr_type, 0x83);
		assert_int_equal(t.p[1].mbr_type, 0x0c);
		assert_string_equal(t.p[0].name, "");
		memdisk_free(&d);
	}
}

static void test_mbr_bad_primaries(void **state)
{
	static const struct {
		u32 start[2], len[2];
	} rows[] = {
		{ { 2000, 0 }, { 49, 0 } },	 /* one LBA past the end */
		{ { 2048, 0 }, { 1, 0 } },	 /* starts past the end */
		{ { 1, 0 }, { 0xffffffff, 0 } }, /* huge */
		{ { 0, 0 }, { 10, 0 } },	 /* covers the MBR */
		{ { 10, 100 }, { 100, 10 } },	 /* overlap */
		{ { 100, 10 }, { 10, 91 } },	 /* overlap, other order */
		{ { 100, 10 }, { 10, 2000 } },	 /* one inside the other */
	};
	struct memdisk d;
	struct part_table t;

	(void)state;
	for (unsigned r = 0; r < ARRAY_SIZE(rows); r++) {
		memdisk_init(&d, 2048 * 512, 512);
		for (int i = 0; i < 2; i++) {
			if (rows[r].len[i])
				mbr_set(&d, 0, i, 0x83, rows[r].start[i], rows[r].len[i]);
		}
		assert_int_equal(scan(&d, &t), -EBADMSG);
		memdisk_free(&d);
	}
}

/*
 * An extended partition at LBAs 100..1099 (slot 2) after a primary at
 * 1..99 (slot 1): EBRs at 100, 300, 500, logicals 10 LBAs after each.
 */
static void mbr_chain(struct memdisk *d)
{
	memdisk_init(d, 2048 * 512, 512);
	mbr_set(d, 0, 0, 0x83, 1, 99);
	mbr_set(d, 0, 1, MBR_TYPE_EXTENDED_LBA, 100, 1000);
	mbr_set(d, 100, 0, 0x83, 10, 50);
	mbr_set(d, 100, 1, MBR_TYPE_EXTENDED_CHS, 200, 100);
	mbr_set(d, 300, 0, 0x82, 10, 50);
	mbr_set(d, 300, 1, MBR_TYPE_EXTENDED_LINUX, 400, 100);
	mbr_set(d, 500, 0, 0x83, 10, 50);
}

static void test_mbr_logical(void **state)
{
	struct memdisk d;
	struct part_table t;

	(void)state;
	mbr_chain(&d);
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.scheme, PART_MBR);
	assert_int_equal(t.n, 4);
	check_part(&t, 0, 1, 1, 99, 512);
	check_part(&t, 1, 5, 110, 50, 512);
	check_part(&t, 2, 6, 310, 50, 512);
	check_part(&t, 3, 7, 510, 50, 512);
	assert_int_equal(t.p[2].mbr_type, 0x82);
	assert_false(t.truncated);
	memdisk_free(&d);
}

static void test_mbr_bad_chains(void **state)
{
	struct memdisk d;
	struct part_table t;

	(void)state;
	for (int r = 0; r < 9; r++) {
		mbr_chain(&d);
		switch (r) {
		case 0: mbr_set(&d, 500, 1, MBR_TYPE_EXTENDED_LBA, 0, 1); break; /* loop */
		case 1: mbr_set(&d, 500, 0, 0x83, 10, 591); break; /* past container */
		case 2: mbr_set(&d, 300, 0, 0x83, 0, 50); break;   /* covers its EBR */
		case 3: /* the next EBR is outside the container (and looks fine) */
			mbr_set(&d, 300, 1, MBR_TYPE_EXTENDED_LBA, 1000, 1);
			mbr_set(&d, 1100, 2, 0, 0, 0);
			break;
		case 4: sector(&d, 300)->signature = cpu_to_le16(0); break; /* not an EBR */
		case 5: /* a logical covers the EBR at 300 (and nothing else) */
			mbr_set(&d, 100, 0, 0x83, 10, 250);
			mbr_set(&d, 300, 0, 0x82, 100, 50);
			break;
		case 6:
			/* EBRs 100 -> 350 -> 300: logicals 360..449 and 400..499 overlap. */
			mbr_set(&d, 100, 1, MBR_TYPE_EXTENDED_LBA, 250, 100);
			mbr_set(&d, 350, 0, 0x83, 10, 90);
			mbr_set(&d, 350, 1, MBR_TYPE_EXTENDED_LBA, 200, 100);
			mbr_set(&d, 300, 0, 0x83, 100, 100);
			mbr_set(&d, 300, 1, 0, 0, 0);
			break;
		case 7: /* a loop of EBRs without partitions: 300 -> 500 -> 300 */
			mbr_set(&d, 300, 0, 0, 0, 0);
			mbr_set(&d, 500, 0, 0, 0, 0);
			mbr_set(&d, 500, 1, MBR_TYPE_EXTENDED_LBA, 200, 1);
			break;
		case 8: mbr_set(&d, 0, 0, 0x83, 1000, 100); break; /* primary in the container */
		}
		assert_int_equal(scan(&d, &t), -EBADMSG);
		memdisk_free(&d);
	}
}

static void test_mbr_truncated(void **state)
{
	struct memdisk d;
	struct part_table t;

	(void)state;
	/* 20 logicals: only the primary and 15 logicals fit. */
	memdisk_init(&d, 2048 * 512, 512);
	mbr_set(&d, 0, 0, 0x83, 1, 99);
	mbr_set(&d, 0, 1, MBR_TYPE_EXTENDED_LBA, 100, 1000);
	for (u32 k = 0; k < 20; k++) {
		mbr_set(&d, 100 + 40 * k, 0, 0x83, 1, 30);
		if (k < 19)
			mbr_set(&d, 100 + 40 * k, 1, MBR_TYPE_EXTENDED_LBA, 40 * (k + 1), 40);
	}
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.n, PART_MAX);
	assert_true(t.truncated);
	check_part(&t, PART_MAX - 1, PART_MAX + 3, 100 + 40 * 14 + 1, 30, 512);
	memdisk_free(&d);

	/* 70 EBRs without partitions: the walk stops, the table says so. */
	memdisk_init(&d, 2048 * 512, 512);
	mbr_set(&d, 0, 0, 0x83, 1, 99);
	mbr_set(&d, 0, 1, MBR_TYPE_EXTENDED_LBA, 100, 1000);
	for (u32 k = 0; k < 70; k++)
		mbr_set(&d, 100 + k, 1, MBR_TYPE_EXTENDED_LBA, k + 1, 1);
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.n, 1);
	assert_true(t.truncated);
	memdisk_free(&d);
}

/* ---- GPT builder ------------------------------------------------------ */

#define GPT_NENT 128u

struct gpt_ent {
	unsigned slot; /* 1-based */
	u64 start, end;
	const char *type, *name;
};

static struct gpt_header *gpt_hdr(struct memdisk *d, u64 lba)
{
	return (struct gpt_header *)(void *)(d->mem + lba * d->io.bsize);
}

static u64 nlba_of(struct memdisk *d)
{
	return d->io.size / d->io.bsize;
}

static void gpt_seal_header(struct memdisk *d, u64 lba)
{
	struct gpt_header *h = gpt_hdr(d, lba);
	u32 hsz = le32_to_cpu(h->header_size);

	if (hsz > d->io.bsize || hsz < 24)
		hsz = GPT_HEADER_MIN_SIZE;
	h->header_crc32 = cpu_to_le32(0);
	h->header_crc32 = cpu_to_le32(crc32(h, hsz));
}

static void gpt_seal_array(struct memdisk *d, u64 lba)
{
	struct gpt_header *h = gpt_hdr(d, lba);
	u64 arr = le64_to_cpu(h->partition_entry_lba);
	u64 bytes = (u64)le32_to_cpu(h->number_of_partition_entries) *
		    le32_to_cpu(h->size_of_partition_entry);

	h->partition_entry_array_crc32 = cpu_to_le32(crc32(d->mem + arr * d->io.bsize, bytes));
	gpt_seal_header(d, lba);
}

static void gpt_put_entries(struct memdisk *d, u64 arr, u32 esz, const struct gpt_ent *e,
			    unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct gpt_entry *g =
			(void *)(d->mem + arr * d->io.bsize + (e[i].slot - 1) * (u64)esz);

		assert_int_equal(guid_parse(e[i].type, g->partition_type_guid), 0);
		memset(g->unique_partition_guid, (int)e[i].slot, 16);
		g->starting_lba = cpu_to_le64(e[i].start);
		g->ending_lba = cpu_to_le64(e[i].end);
		for (unsigned k = 0; e[i].name && e[i].name[k]; k++)
			g->partition_name[k] = cpu_to_le16((u8)e[i].name[k]);
	}
}

/* One copy of the table: header at lba, array at arr, the other header at alt. */
static void gpt_put_copy(struct memdisk *d, u64 lba, u64 arr, u64 alt, u32 esz,
			 const struct gpt_ent *e, unsigned n)
{
	struct gpt_header *h = gpt_hdr(d, lba);
	u64 ablocks = GPT_NENT * esz / d->io.bsize;

	memcpy(h->signature, GPT_HEADER_SIGNATURE, 8);
	h->revision = cpu_to_le32(0x00010000);
	h->header_size = cpu_to_le32(GPT_HEADER_MIN_SIZE);
	h->my_lba = cpu_to_le64(lba);
	h->alternate_lba = cpu_to_le64(alt);
	h->first_usable_lba = cpu_to_le64(2 + ablocks);
	h->last_usable_lba = cpu_to_le64(nlba_of(d) - 2 - ablocks);
	memset(h->disk_guid, 0x5a, 16);
	h->partition_entry_lba = cpu_to_le64(arr);
	h->number_of_partition_entries = cpu_to_le32(GPT_NENT);
	h->size_of_partition_entry = cpu_to_le32(esz);
	gpt_put_entries(d, arr, esz, e, n);
	gpt_seal_array(d, lba);
}

/* A GPT disk: protective MBR, primary at 1 (array at 2), backup at the end. */
static void gpt_make(struct memdisk *d, u64 size, u32 bs, u32 esz, const struct gpt_ent *e,
		     unsigned n)
{
	u64 nlba, ablocks = GPT_NENT * esz / bs;

	memdisk_init(d, size, bs);
	nlba = nlba_of(d);
	mbr_set(d, 0, 0, MBR_TYPE_GPT_PROTECTIVE, 1, (u32)MIN(nlba - 1, 0xffffffffull));
	gpt_put_copy(d, 1, 2, nlba - 1, esz, e, n);
	gpt_put_copy(d, nlba - 1, nlba - 1 - ablocks, 1, esz, e, n);
}

static const struct gpt_ent three[] = {
	{ 1, 100, 199, LINUX_FS, "root" },
	{ 2, 200, 299, OFS_TYPE, "ordo\x7f\x01" },
	{ 100, 300, 300, LINUX_FS, "a-thirty-six-character-name-is-long" },
};

static void check_three(const struct part_table *t, u32 bs, bool backup)
{
	u8 g[16];

	assert_int_equal(t->scheme, PART_GPT);
	assert_int_equal(t->backup_used, backup);
	assert_false(t->truncated);
	assert_int_equal(t->n, 3);
	check_part(t, 0, 1, 100, 100, bs);
	check_part(t, 1, 2, 200, 100, bs);
	check_part(t, 2, 100, 300, 1, bs);
	assert_int_equal(guid_parse(OFS_TYPE, g), 0);
	assert_memory_equal(t->p[1].type_guid, g, 16);
	assert_int_equal(t->p[1].part_guid[0], 2);
	assert_int_equal(t->p[1].mbr_type, 0);
	assert_string_equal(t->p[0].name, "root");
	assert_string_equal(t->p[1].name, "ordo??");
	assert_string_equal(t->p[2].name, "a-thirty-six-character-name-is-long");
}

/* ---- GPT -------------------------------------------------------------- */

static void test_gpt_good(void **state)
{
	static const struct {
		u32 bs, esz;
		u64 size;
	} rows[] = {
		{ 512, 128, 1 * MiB },	{ 4096, 128, 4 * MiB },	 { 512, 256, 1 * MiB },
		{ 1024, 512, 2 * MiB }, { 4096, 1024, 4 * MiB },
	};
	struct memdisk d;
	struct part_table t;

	(void)state;
	for (unsigned r = 0; r < ARRAY_SIZE(rows); r++) {
		gpt_make(&d, rows[r].size, rows[r].bs, rows[r].esz, three, 3);
		assert_int_equal(scan(&d, &t), 0);
		check_three(&t, rows[r].bs, false);
		memdisk_free(&d);
	}
}

static void test_gpt_backup_used(void **state)
{
	struct memdisk d;
	struct part_table t;

	(void)state;
	for (int r = 0; r < 4; r++) {
		gpt_make(&d, 1 * MiB, 512, 128, three, 3);
		switch (r) {
		case 0: gpt_hdr(&d, 1)->header_crc32.v ^= 1; break; /* header CRC */
		case 1: d.mem[2 * 512 + 5] ^= 1; break;		    /* array CRC */
		case 2: d.mem[2 * 512 + 99 * 128 + 5] ^= 1; break;  /* an unused entry's bytes */
		case 3:
			/* A bad entry in a bad array: the backup, not -EBADMSG. */
			gpt_put_entries(&d, 2, 128, &(struct gpt_ent){ 5, 1, 3, LINUX_FS, "" }, 1);
			break;
		}
		assert_int_equal(scan(&d, &t), 0);
		check_three(&t, 512, true);
		memdisk_free(&d);
	}
}

/* Damage one header field (and re-seal its CRC, except for the CRC row). */
enum {
	M_SIG,
	M_REV,
	M_HSZ_SMALL,
	M_HSZ_BIG,
	M_CRC,
	M_MYLBA,
	M_FIRST_GT_LAST,
	M_LAST_PAST_END,
	M_FIRST_COVERS_HDR,
	M_ALT_PAST_END,
	M_ALT_IN_USABLE,
	M_ALT_SELF,
	M_ESZ_SMALL,
	M_ESZ_ODD,
	M_ESZ_BIG,
	M_ARRAY_BIG,
	M_ARR_ZERO,
	M_ARR_PAST_END,
	M_ARR_IN_USABLE,

	M_COUNT
};

/*
 * Give the copy at lba an array of n entries of esz bytes, moved and with
 * the usable range shrunk so that every other check still holds, CRCs
 * resealed: only the entry-size or array-size rule can reject it.
 */
static void gpt_resize(struct memdisk *d, u64 lba, u32 n, u32 esz)
{
	struct gpt_header *h = gpt_hdr(d, lba);
	u64 blocks = ((u64)n * esz + d->io.bsize - 1) / d->io.bsize;

	h->number_of_partition_entries = cpu_to_le32(n);
	h->size_of_partition_entry = cpu_to_le32(esz);
	if (lba == 1) {
		h->first_usable_lba = cpu_to_le64(2 + blocks);
	} else {
		h->partition_entry_lba = cpu_to_le64(lba - blocks);
		h->last_usable_lba = cpu_to_le64(lba - blocks - 1);
	}
	gpt_seal_array(d, lba);
}

static void gpt_damage(struct memdisk *d, u64 lba, int m)
{
	struct gpt_header *h = gpt_hdr(d, lba);
	u64 nlba = nlba_of(d), first = le64_to_cpu(h->first_usable_lba);
	u64 last = le64_to_cpu(h->last_usable_lba);

	switch (m) {
	case M_SIG: h->signature[7] = 'S'; break;
	case M_REV: h->revision = cpu_to_le32(0x00020000); break;
	case M_HSZ_SMALL: h->header_size = cpu_to_le32(91); break;
	case M_HSZ_BIG: h->header_size = cpu_to_le32(0x10000); break; /* past any buffer */
	case M_CRC: h->header_crc32.v ^= 0x100; return;
	case M_MYLBA: h->my_lba = cpu_to_le64(lba == 1 ? 2 : lba - 1); break;
	case M_FIRST_GT_LAST: h->first_usable_lba = cpu_to_le64(last + 1); break;
	case M_LAST_PAST_END:
		h->last_usable_lba = cpu_to_le64(nlba);
		h->alternate_lba = cpu_to_le64(lba == 1 ? 0 : 1);
		break;
	case M_FIRST_COVERS_HDR:
		/* The usable range takes in the header, the array moves out of it. */
		if (lba == 1) {
			h->first_usable_lba = cpu_to_le64(1);
			h->partition_entry_lba = cpu_to_le64(last + 1);
		} else {
			h->last_usable_lba = cpu_to_le64(nlba - 1);
			h->partition_entry_lba = cpu_to_le64(2);
		}
		break;
	case M_ALT_PAST_END: h->alternate_lba = cpu_to_le64(nlba); break;
	case M_ALT_IN_USABLE: h->alternate_lba = cpu_to_le64(first); break;
	case M_ALT_SELF: h->alternate_lba = cpu_to_le64(lba); break;
	case M_ESZ_SMALL:
		/* Zero-sized entries: an empty array whose CRC matches. */
		h->size_of_partition_entry = cpu_to_le32(0);
		h->partition_entry_array_crc32 = cpu_to_le32(crc32(NULL, 0));
		break;
	case M_ESZ_ODD: gpt_resize(d, lba, 64, 192); return;
	case M_ESZ_BIG: gpt_resize(d, lba, 16, 8192); return;
	case M_ARRAY_BIG: gpt_resize(d, lba, 8193, 128); return;
	case M_ARR_ZERO:
		/* One block of entries at LBA 0: clear of the header, but the MBR. */
		h->partition_entry_lba = cpu_to_le64(0);
		h->number_of_partition_entries = cpu_to_le32(4);
		gpt_seal_array(d, lba);
		return;
	case M_ARR_PAST_END: h->partition_entry_lba = cpu_to_le64(nlba - 1); break;
	case M_ARR_IN_USABLE:
		h->partition_entry_lba = cpu_to_le64(first);
		gpt_seal_array(d, lba);
		return;
	}
	gpt_seal_header(d, lba);
}

static void test_gpt_header_checks(void **state)
{
	struct memdisk d;
	struct part_table t;

	(void)state;
	for (int m = 0; m < M_COUNT; m++) {
		print_message("header mutation %d\n", m);
		gpt_make(&d, 4 * MiB, 512, 128, three, 3);
		gpt_damage(&d, 1, m);
		assert_int_equal(scan(&d, &t), 0);
		check_three(&t, 512, true);
		gpt_damage(&d, nlba_of(&d) - 1, m);
		assert_int_equal(scan(&d, &t), -EBADMSG);
		memdisk_free(&d);
	}
	/* The backup must point back at LBA 1. */
	gpt_make(&d, 1 * MiB, 512, 128, three, 3);
	gpt_damage(&d, 1, M_CRC);
	gpt_hdr(&d, 2047)->alternate_lba = cpu_to_le64(2);
	gpt_seal_header(&d, 2047);
	assert_int_equal(scan(&d, &t), -EBADMSG);
	memdisk_free(&d);
}

static void test_gpt_both_arrays_bad(void **state)
{
	struct memdisk d;
	struct part_table t;

	(void)state;
	gpt_make(&d, 1 * MiB, 512, 128, three, 3);
	d.mem[2 * 512] ^= 1;
	d.mem[(2047 - 32) * 512] ^= 1;
	assert_int_equal(scan(&d, &t), -EBADMSG);
	memdisk_free(&d);
}

static void test_gpt_bad_entries(void **state)
{
	/* Usable range of the 1 MiB, 512-byte disk: 34..2014. */
	static const struct gpt_ent bad[][2] = {
		{ { 1, 100, 2015, LINUX_FS, "" } }, /* past last usable */
		{ { 1, 100, 5000, LINUX_FS, "" } }, /* past the disk */
		{ { 1, 33, 100, LINUX_FS, "" } },   /* before first usable */
		{ { 1, 101, 100, LINUX_FS, "" } },  /* start > end */
		{ { 1, 100, 200, LINUX_FS, "" }, { 2, 200, 300, LINUX_FS, "" } }, /* overlap */
		{ { 3, 150, 160, LINUX_FS, "" }, { 9, 100, 200, LINUX_FS, "" } }, /* inside */
	};
	struct memdisk d;
	struct part_table t;

	(void)state;
	for (unsigned r = 0; r < ARRAY_SIZE(bad); r++) {
		gpt_make(&d, 1 * MiB, 512, 128, bad[r], bad[r][1].slot ? 2 : 1);
		assert_int_equal(scan(&d, &t), -EBADMSG);
		memdisk_free(&d);
	}
}

static void test_gpt_truncated(void **state)
{
	struct gpt_ent e[20];
	struct memdisk d;
	struct part_table t;

	(void)state;
	for (unsigned i = 0; i < 20; i++)
		e[i] = (struct gpt_ent){ i + 1, 100 + 10 * i, 109 + 10 * i, LINUX_FS, "p" };
	gpt_make(&d, 1 * MiB, 512, 128, e, 20);
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.n, PART_MAX);
	assert_true(t.truncated);
	check_part(&t, PART_MAX - 1, PART_MAX, 100 + 10 * (PART_MAX - 1), 10, 512);
	memdisk_free(&d);
}

static void test_gpt_tiny(void **state)
{
	struct memdisk d;
	struct part_table t;

	(void)state;
	/* A protective MBR on a one-block disk: no room for a GPT. */
	memdisk_init(&d, 512, 512);
	mbr_set(&d, 0, 0, MBR_TYPE_GPT_PROTECTIVE, 1, 1);
	assert_int_equal(scan(&d, &t), -EBADMSG);
	memdisk_free(&d);
}

static void test_read_errors(void **state)
{
	static const u64 fail_at[] = { 0, 512, 2 * 512 + 4096, 2047 * 512 };
	struct memdisk d;
	struct part_table t;

	(void)state;
	for (unsigned r = 0; r < 4; r++) {
		gpt_make(&d, 1 * MiB, 512, 128, three, 3);
		if (r == 3)
			gpt_damage(&d, 1, M_CRC); /* so the backup is read */
		d.fail = true;
		d.fail_at = fail_at[r];
		assert_int_equal(scan(&d, &t), -EIO);
		memdisk_free(&d);
	}
	mbr_chain(&d);
	d.fail = true;
	d.fail_at = 300 * 512;
	assert_int_equal(scan(&d, &t), -EIO);
	memdisk_free(&d);
}

static void test_bad_geometry(void **state)
{
	struct memdisk d;
	struct part_table t;

	(void)state;
	memdisk_init(&d, 1 * MiB, 512);
	d.io.bsize = 256;
	assert_int_equal(scan(&d, &t), -EINVAL);
	d.io.bsize = 8192;
	assert_int_equal(scan(&d, &t), -EINVAL);
	d.io.bsize = 1536;
	assert_int_equal(scan(&d, &t), -EINVAL);
	d.io.bsize = 512;
	d.io.size = 1000;
	assert_int_equal(scan(&d, &t), -EINVAL);
	d.io.size = 0;
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.scheme, PART_NONE);
	memdisk_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guid_round_trip),
		cmocka_unit_test(test_no_table),
		cmocka_unit_test(test_mbr_primaries),
		cmocka_unit_test(test_mbr_bad_primaries),
		cmocka_unit_test(test_mbr_logical),
		cmocka_unit_test(test_mbr_bad_chains),
		cmocka_unit_test(test_mbr_truncated),
		cmocka_unit_test(test_gpt_good),
		cmocka_unit_test(test_gpt_backup_used),
		cmocka_unit_test(test_gpt_header_checks),
		cmocka_unit_test(test_gpt_both_arrays_bad),
		cmocka_unit_test(test_gpt_bad_entries),
		cmocka_unit_test(test_gpt_truncated),
		cmocka_unit_test(test_gpt_tiny),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_bad_geometry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
