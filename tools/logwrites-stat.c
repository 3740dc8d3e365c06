/*
 * tools/logwrites-stat.c - summarise a QEMU blklogwrites log.
 *
 * The log (dm-log-writes format, as QEMU's blklogwrites driver writes it) records
 * every write and flush the device model passed down to the image, in
 * completion order: sector 0 holds {u64 magic, u64 version, u64 nr_entries,
 * u32 sectorsize}; each entry is one sector {u64 sector, u64 nr_sectors,
 * u64 flags, u64 data_len} followed by nr_sectors data sectors.  Flags:
 * FLUSH 1, FUA 2, DISCARD 4, MARK 8.
 *
 * Prints "entries=N writes=W flushes=F fua=U discards=D"; exits 1 on a
 * malformed log.  The QEMU test matrix uses it to show that the FLUSH
 * commands the driver sends really reach the host side.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define LOG_MAGIC 0x6a736677736872ull
#define LOG_FLUSH 1u
#define LOG_FUA 2u
#define LOG_DISCARD 4u

static int read_at(FILE *f, uint64_t off, void *buf, size_t len)
{
	if (fseeko(f, (off_t)off, SEEK_SET) != 0)
		return -1;
	return fread(buf, 1, len, f) == len ? 0 : -1;
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int main(int argc, char **argv)
{
	unsigned char hdr[32];
	uint64_t n, sectorsize, off, writes = 0, flushes = 0, fua = 0, discards = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s LOG\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || read_at(f, 0, hdr, 28) != 0 || le64(hdr) != LOG_MAGIC) {
		fprintf(stderr, "%s: not a blklogwrites log\n", argv[1]);
		return 1;
	}
	n = le64(hdr + 16);
	sectorsize = (uint64_t)hdr[24] | (uint64_t)hdr[25] << 8 | (uint64_t)hdr[26] << 16 |
		     (uint64_t)hdr[27] << 24;
	if (sectorsize < 32 || (sectorsize & (sectorsize - 1))) {
		fprintf(stderr, "%s: bad sector size %" PRIu64 "\n", argv[1], sectorsize);
		return 1;
	}
	off = sectorsize;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t nr, flags;

		if (read_at(f, off, hdr, 32) != 0) {
			fprintf(stderr, "%s: truncated at entry %" PRIu64 "\n", argv[1], i);
			return 1;
		}
		nr = le64(hdr + 8);
		flags = le64(hdr + 16);
		flushes += !!(flags & LOG_FLUSH);
		fua += !!(flags & LOG_FUA);
		discards += !!(flags & LOG_DISCARD);
		writes += nr && !(flags & LOG_DISCARD);
		if (nr > (UINT64_MAX - off) / sectorsize - 1) {
			fprintf(stderr, "%s: entry %" PRIu64 " overflows\n", argv[1], i);
			return 1;
		}
		off += sectorsize * (1 + nr);
	}
	printf("entries=%" PRIu64 " writes=%" PRIu64 " flushes=%" PRIu64 " fua=%" PRIu64
	       " discards=%" PRIu64 "\n",
	       n, writes, flushes, fua, discards);
	fclose(f);
	return 0;
}
