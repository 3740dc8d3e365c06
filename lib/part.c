/*
 * lib/part.c - partition table scan: the MBR, its chains of extended boot
 * records (EBRs), and GUID text form.  GPT itself is in lib/part_gpt.c.
 *
 * Implements lib/part.h.  The MBR layout is UEFI 2.10 section 5.2.1
 * (lib/part_spec.h); the EBR chain is the de-facto DOS layout that Linux's
 * block/partitions/msdos.c also reads.
 *
 * The disk is hostile input: every LBA is checked against the disk before
 * it is read or reported, every partition against every other and against
 * the sectors that hold the tables, and the EBR chain against loops (an
 * EBR seen twice) and length (PART_EBR_MAX links).  Partitions are kept in
 * the caller's table as they are found; on any error part_scan() clears it
 * again, so a caller never acts on half a table.
 *
 * One DISKIO_CHUNK scratch buffer from kmalloc() per scan; reads are whole
 * logical blocks.  No global state: reentrant.
 */
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/part_priv.h"
#include "lib/part_spec.h"
#include "lib/string.h"

/* Longest EBR chain followed (a chain may hold EBRs without a partition). */
#define PART_EBR_MAX 64

int part_read(const struct disk_io *io, u64 lba, void *buf, u32 len)
{
	u64 nlba = io->size / io->bsize;

	if (lba >= nlba || (len + io->bsize - 1) / io->bsize > nlba - lba)
		return -EBADMSG;
	return io->read(io->ctx, lba * io->bsize, buf, len);
}

int part_add(struct part_table *t, const struct part *p)
{
	if (t->n == PART_MAX) {
		t->truncated = true;
		return 1;
	}
	t->p[t->n++] = *p;
	return 0;
}

static bool part_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

int part_check_overlaps(const struct part_table *t)
{
	for (unsigned i = 0; i < t->n; i++) {
		for (unsigned j = i + 1; j < t->n; j++) {
			if (part_overlap(t->p[i].start, t->p[i].len, t->p[j].start, t->p[j].len))
				return -EBADMSG;
		}
	}
	return 0;
}

bool part_mbr_plausible(const void *sector)
{
	const struct mbr *m = sector;
	bool used = false;

	if (le16_to_cpu(m->signature) != MBR_SIGNATURE)
		return false;
	for (int i = 0; i < MBR_NPART; i++) {
		u8 boot = m->partition_record[i].boot_indicator;

		if (boot != 0x00 && boot != 0x80)
			return false;
		used |= m->partition_record[i].os_type != 0;
	}
	return used;
}

static bool mbr_is_extended(u8 type)
{
	return type == MBR_TYPE_EXTENDED_CHS || type == MBR_TYPE_EXTENDED_LBA ||
	       type == MBR_TYPE_EXTENDED_LINUX;
}

/* An MBR partition as found: [start, start + len) in LBAs. */
static struct part mbr_part(const struct disk_io *io, unsigned index, u8 type, u64 start, u64 len)
{
	struct part p = { .index = index, .mbr_type = type };

	p.start = start * io->bsize;
	p.len = len * io->bsize;
	return p;
}

/* The chain walk's state: the container and the EBRs seen so far (LBAs). */
struct mbr_chain {
	u64 ext_start, ext_len;
	u64 ebr[PART_EBR_MAX];
	unsigned nebr;
};

/*
 * Add the logical partition of the EBR at `lba` (in buf) and find the next
 * EBR: 0 with *next set (0 at the end of the chain), 1 when the table is
 * full, or -EBADMSG.
 */
static int mbr_ebr_step(const struct disk_io *io, struct mbr_chain *c, u64 lba, const u8 *buf,
			struct part_table *t, unsigned *index, u64 *next)
{
	const struct mbr *m = (const void *)buf;
	const struct mbr_part_record *r = &m->partition_record[0];
	u64 start = lba + le32_to_cpu(r->starting_lba), len = le32_to_cpu(r->size_in_lba);
	u64 ext_end = c->ext_start + c->ext_len;

	*next = 0;
	if (le16_to_cpu(m->signature) != MBR_SIGNATURE)
		return -EBADMSG;
	if (r->os_type && len) {
		/* Inside the extended partition (clear of the EBRs: mbr_check_ebrs). */
		if (start > ext_end || len > ext_end - start)
			return -EBADMSG;
		struct part p = mbr_part(io, (*index)++, r->os_type, start, len);
		if (part_add(t, &p))
			return 1;
	}
	r = &m->partition_record[1];
	if (!mbr_is_extended(r->os_type) || !le32_to_cpu(r->size_in_lba))
		return 0;
	*next = c->ext_start + le32_to_cpu(r->starting_lba);
	if (*next >= ext_end)
		return -EBADMSG;
	return 0;
}

/* Follow the EBR chain of the extended partition c->ext_*, adding logicals. */
static int mbr_walk_chain(const struct disk_io *io, struct mbr_chain *c, struct part_table *t,
			  unsigned *index, u8 *buf)
{
	u64 lba = c->ext_start;
	int rc;

	c->nebr = 0;
	while (lba) {
		for (unsigned i = 0; i < c->nebr; i++) {
			if (c->ebr[i] == lba)
				return -EBADMSG; /* a loop */
		}
		if (c->nebr == PART_EBR_MAX) {
			t->truncated = true;
			return 0;
		}
		c->ebr[c->nebr++] = lba;
		rc = part_read(io, lba, buf, io->bsize);
		if (rc)
			return rc;
		rc = mbr_ebr_step(io, c, lba, buf, t, index, &lba);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	return 0;
}

/* -EBADMSG if a logical partition covers one of the chain's EBRs. */
static int mbr_check_ebrs(const struct disk_io *io, const struct mbr_chain *c,
			  const struct part_table *t)
{
	for (unsigned i = 0; i < t->n; i++) {
		for (unsigned k = 0; k < c->nebr; k++) {
			if (part_overlap(t->p[i].start, t->p[i].len, c->ebr[k] * io->bsize,
					 io->bsize))
				return -EBADMSG;
		}
	}
	return 0;
}

/* The four primary records of an MBR (copied out of the scratch buffer). */
static int mbr_scan(const struct disk_io *io, const struct mbr_part_record *rec,
		    struct part_table *t, u8 *buf)
{
	u64 nlba = io->size / io->bsize;
	struct part prim[MBR_NPART];
	unsigned nprim = 0, index = 5;
	struct mbr_chain chain;
	int rc;

	t->scheme = PART_MBR;
	for (int i = 0; i < MBR_NPART; i++) {
		u64 start = le32_to_cpu(rec[i].starting_lba), len = le32_to_cpu(rec[i].size_in_lba);

		if (!rec[i].os_type || !len)
			continue;
		/* LBA 0 is the MBR itself. */
		if (start == 0 || start >= nlba || len > nlba - start)
			return -EBADMSG;
		prim[nprim] = mbr_part(io, i + 1, rec[i].os_type, start, len);
		for (unsigned j = 0; j < nprim; j++) {
			if (part_overlap(prim[j].start, prim[j].len, prim[nprim].start,
					 prim[nprim].len))
				return -EBADMSG;
		}
		if (!mbr_is_extended(rec[i].os_type))
			part_add(t, &prim[nprim]);
		nprim++;
	}
	/* Logical partitions follow the primaries, numbered from 5. */
	for (unsigned j = 0; j < nprim && !t->truncated; j++) {
		if (!mbr_is_extended(prim[j].mbr_type))
			continue;
		chain.ext_start = prim[j].start / io->bsize;
		chain.ext_len = prim[j].len / io->bsize;
		rc = mbr_walk_chain(io, &chain, t, &index, buf);
		if (!rc)
			rc = mbr_check_ebrs(io, &chain, t);
		if (rc)
			return rc;
	}
	return part_check_overlaps(t);
}

int part_scan(const struct disk_io *io, struct part_table *out)
{
	struct mbr_part_record rec[MBR_NPART];
	bool gpt = false;
	u8 *buf;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!diskio_valid(io))
		return -EINVAL;
	if (io->size < 512)
		return 0; /* no room for an MBR */
	buf = kmalloc(DISKIO_CHUNK);
	if (!buf)
		return -ENOMEM;
	rc = part_read(io, 0, buf, io->bsize);
	if (rc || !part_mbr_plausible(buf))
		goto out_free;
	memcpy(rec, ((const struct mbr *)(const void *)buf)->partition_record, sizeof(rec));
	for (int i = 0; i < MBR_NPART; i++)
		gpt |= rec[i].os_type == MBR_TYPE_GPT_PROTECTIVE;
	rc = gpt ? part_gpt_scan(io, out, buf) : mbr_scan(io, rec, out, buf);
out_free:
	kfree(buf);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- GUID text form --------------------------------------------------- */

/*
 * On disk, the first three fields of a GUID are little-endian and the last
 * two are byte strings: text byte i comes from disk byte guid_order[i].
 */
static const u8 guid_order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

static int guid_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool guid_dash_at(unsigned pos)
{
	return pos == 8 || pos == 13 || pos == 18 || pos == 23;
}

int guid_parse(const char *s, u8 out[16])
{
	u8 g[16];
	unsigned pos = 0;

	for (unsigned i = 0; i < 16; i++) {
		int hi, lo;

		if (guid_dash_at(pos) && s[pos++] != '-')
			return -EINVAL;
		hi = guid_hex(s[pos]);
		lo = hi < 0 ? -1 : guid_hex(s[pos + 1]);
		if (lo < 0)
			return -EINVAL;
		g[guid_order[i]] = (u8)(hi << 4 | lo);
		pos += 2;
	}
	if (s[pos] != '\0')
		return -EINVAL;
	memcpy(out, g, 16);
	return 0;
}

void guid_format(const u8 g[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned pos = 0;

	for (unsigned i = 0; i < 16; i++) {
		if (guid_dash_at(pos))
			out[pos++] = '-';
		out[pos++] = hex[g[guid_order[i]] >> 4];
		out[pos++] = hex[g[guid_order[i]] & 15];
	}
	out[pos] = '\0';
}
