/*
 * lib/part_gpt.c - the GUID Partition Table, UEFI 2.10 section 5.3.
 *
 * Implements part_gpt_scan() for lib/part.c.  The primary header is at LBA
 * 1, the backup at the last LBA; each points at its own copy of the
 * partition entry array.  The primary is used when its header and array
 * check out (5.3.2: signature, HeaderCRC32, MyLBA, then the array's CRC);
 * otherwise the backup, whose AlternateLBA must point back at LBA 1.
 *
 * Beyond the spec's own checks, every field that positions something is
 * range-checked before it is used, because it came from the disk: the
 * usable range and the array lie within the disk, the headers and the
 * array lie outside the usable range, the array is at most
 * GPT_ARRAY_MAX bytes of entries of at most GPT_ENTRY_MAX bytes.  Entries
 * are judged only once the array's CRC matched: a bad CRC means "try the
 * backup", a bad entry in a good array means the table says something
 * impossible (-EBADMSG).
 *
 * The array is read DISKIO_CHUNK bytes at a time into the caller's buffer.
 * An entry's size is a multiple of 128 and so is the chunk size, so the
 * 128 bytes of an entry we interpret never straddle two chunks.
 */
#include "lib/crc32.h"
#include "lib/errno.h"
#include "lib/part_priv.h"
#include "lib/part_spec.h"
#include "lib/string.h"

#define GPT_ENTRY_MAX 4096u
#define GPT_ARRAY_MAX (1u << 20)

/* part_gpt_load(): this header or its array is bad, try the other one. */
#define GPT_BAD 1

static bool gpt_in(u64 lba, u64 first, u64 last)
{
	return lba >= first && lba <= last;
}

/* The header fields that locate things, checked against a disk of nlba blocks. */
static bool gpt_header_sane(const struct gpt_header *h, u64 my_lba, u64 nlba, u32 bsize)
{
	u64 first = le64_to_cpu(h->first_usable_lba), last = le64_to_cpu(h->last_usable_lba);
	u64 alt = le64_to_cpu(h->alternate_lba), arr = le64_to_cpu(h->partition_entry_lba);
	u32 esz = le32_to_cpu(h->size_of_partition_entry);
	u64 bytes = (u64)le32_to_cpu(h->number_of_partition_entries) * esz;
	u64 ablocks = (bytes + bsize - 1) / bsize;

	if (le64_to_cpu(h->my_lba) != my_lba)
		return false;
	if (first > last || last >= nlba || gpt_in(my_lba, first, last))
		return false;
	/* The backup points back at the primary; the primary at a backup. */
	if (alt >= nlba || gpt_in(alt, first, last) || alt == my_lba || (my_lba != 1 && alt != 1))
		return false;
	if (esz < GPT_ENTRY_MIN_SIZE || esz > GPT_ENTRY_MAX || esz % GPT_ENTRY_MIN_SIZE)
		return false;
	if (bytes > GPT_ARRAY_MAX)
		return false;
	/*
	 * The array: after the MBR, within the disk, clear of the usable
	 * range.  An array over its own header cannot carry a matching CRC
	 * unless crafted, and its entries are range-checked all the same.
	 */
	if (arr == 0 || arr >= nlba || ablocks > nlba - arr)
		return false;
	if (ablocks && arr <= last && first < arr + ablocks)
		return false;
	return true;
}

/* Check the header in block `lba` (at buf) and copy it to *h: true if good. */
static bool gpt_header_check(const struct disk_io *io, const u8 *buf, u64 lba, struct gpt_header *h)
{
	const size_t crc_at = offsetof(struct gpt_header, header_crc32);
	static const u8 zero_crc[sizeof(le32)];
	u32 hsz, crc;

	memcpy(h, buf, sizeof(*h));
	if (memcmp(h->signature, GPT_HEADER_SIGNATURE, sizeof(h->signature)) ||
	    le32_to_cpu(h->revision) >> 16 != GPT_REVISION_MAJOR)
		return false;
	hsz = le32_to_cpu(h->header_size);
	if (hsz < GPT_HEADER_MIN_SIZE || hsz > io->bsize)
		return false;
	/* HeaderCRC32 covers header_size bytes, computed with the field zeroed. */
	crc = crc32_update(crc32(buf, crc_at), zero_crc, sizeof(zero_crc));
	crc = crc32_update(crc, buf + crc_at + sizeof(le32), hsz - crc_at - sizeof(le32));
	if (crc != le32_to_cpu(h->header_crc32))
		return false;
	return gpt_header_sane(h, lba, io->size / io->bsize, io->bsize);
}

/*
 * Entry slot `index` of the array of header h: 0 (added or unused), 1 (the
 * table is full), or -EBADMSG (outside the usable range).
 */
static int gpt_entry_add(const struct disk_io *io, const struct gpt_header *h,
			 const struct gpt_entry *e, unsigned index, struct part_table *t)
{
	static const u8 unused[16];
	u64 start = le64_to_cpu(e->starting_lba), end = le64_to_cpu(e->ending_lba);
	struct part p = { .index = index };

	if (!memcmp(e->partition_type_guid, unused, sizeof(unused)))
		return 0;
	if (start > end || start < le64_to_cpu(h->first_usable_lba) ||
	    end > le64_to_cpu(h->last_usable_lba))
		return -EBADMSG;
	p.start = start * io->bsize;
	p.len = (end - start + 1) * io->bsize;
	memcpy(p.type_guid, e->partition_type_guid, 16);
	memcpy(p.part_guid, e->unique_partition_guid, 16);
	/* UTF-16LE to ASCII: printable ASCII kept, anything else '?'. */
	for (unsigned i = 0; i < GPT_NAME_UNITS; i++) {
		u16 c = le16_to_cpu(e->partition_name[i]);

		if (!c)
			break;
		p.name[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	return part_add(t, &p);
}

/*
 * The header at `lba` and its array: 0 with t filled, GPT_BAD (try the
 * other copy; t emptied), -EBADMSG for a bad entry in a good array, or a
 * read's -errno.
 */
static int gpt_load(const struct disk_io *io, u64 lba, struct part_table *t, u8 *buf)
{
	struct gpt_header h;
	u64 arr, bytes;
	u32 esz, crc = 0;
	bool bad_entry = false;
	int rc;

	rc = part_read(io, lba, buf, io->bsize);
	if (rc)
		return rc;
	if (!gpt_header_check(io, buf, lba, &h))
		return GPT_BAD;
	arr = le64_to_cpu(h.partition_entry_lba);
	esz = le32_to_cpu(h.size_of_partition_entry);
	bytes = (u64)le32_to_cpu(h.number_of_partition_entries) * esz;
	for (u64 off = 0; off < bytes; off += DISKIO_CHUNK) {
		u32 len = (u32)MIN(DISKIO_CHUNK, bytes - off);

		rc = part_read(io, arr + off / io->bsize, buf, ALIGN_UP(len, io->bsize));
		if (rc)
			return rc;
		crc = crc32_update(crc, buf, len);
		for (u64 e = (off + esz - 1) / esz; e * esz < off + len; e++) {
			const void *ent = buf + (e * esz - off);

			bad_entry |= gpt_entry_add(io, &h, ent, (unsigned)e + 1, t) < 0;
		}
	}
	if (crc != le32_to_cpu(h.partition_entry_array_crc32)) {
		t->n = 0;
		t->truncated = false;
		return GPT_BAD;
	}
	return bad_entry ? -EBADMSG : part_check_overlaps(t);
}

int part_gpt_scan(const struct disk_io *io, struct part_table *t, u8 *buf)
{
	u64 nlba = io->size / io->bsize;
	int rc;

	t->scheme = PART_GPT;
	rc = gpt_load(io, 1, t, buf);
	if (rc == GPT_BAD) {
		t->backup_used = true;
		rc = gpt_load(io, nlba - 1, t, buf);
	}
	return rc == GPT_BAD ? -EBADMSG : rc;
}
