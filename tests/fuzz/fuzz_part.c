/*
 * tests/fuzz/fuzz_part.c - libFuzzer target for lib/part.c, lib/part_gpt.c
 * and lib/disksig.c: whatever a disk holds must yield an error or a
 * consistent answer, never an out-of-bounds read, a read the disk_io
 * contract forbids, or a hang.
 *
 * The fuzzer's bytes are the disk, truncated to a multiple of the block
 * size, which the first byte picks (512 << (data[0] & 3)).  The disk is
 * read from an exact-size heap copy, so ASan sees any read past the end.
 *
 * Built and run by `make fuzz` (tests/fuzz/fuzz.mk, tests/fuzz/run.sh)
 * with the host port, seeded from tests/fuzz/corpus/part.  The host libc
 * provides the string functions, tests/host/host_alloc.c kmalloc/kfree.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include <stdlib.h>
#include <string.h>

#include "lib/disksig.h"
#include "lib/errno.h"
#include "lib/part.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_disk {
	const u8 *mem;
	u32 bsize;
	u64 size;
};

static int fuzz_read(void *ctx, u64 off, void *buf, u32 len)
{
	const struct fuzz_disk *d = ctx;

	if (off % d->bsize || len % d->bsize || !len || len > DISKIO_CHUNK || off >= d->size ||
	    len > d->size - off)
		abort(); /* the parsers broke the disk_io contract */
	memcpy(buf, d->mem + off, len);
	return 0;
}

static void fuzz_check_table(const struct part_table *t, u64 disk)
{
	if (t->n > PART_MAX || (t->scheme == PART_NONE && t->n))
		abort();
	for (unsigned i = 0; i < t->n; i++) {
		const struct part *p = &t->p[i];

		if (!p->len || p->start > disk || p->len > disk - p->start || !p->index ||
		    strnlen(p->name, sizeof(p->name)) == sizeof(p->name))
			abort();
		for (unsigned j = 0; j < i; j++) {
			if (p->start < t->p[j].start + t->p[j].len &&
			    t->p[j].start < p->start + p->len)
				abort(); /* overlap slipped through */
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_disk d = { .bsize = 512u << (size ? data[0] & 3 : 0) };
	struct disk_io io = { .read = fuzz_read, .ctx = &d };
	struct part_table t;
	struct disksig sig;
	u8 *copy;
	int rc;

	d.size = size - size % d.bsize;
	copy = malloc(d.size ? d.size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, d.size);
	d.mem = copy;
	io.size = d.size;
	io.bsize = d.bsize;
	rc = part_scan(&io, &t);
	if (rc == 0)
		fuzz_check_table(&t, d.size);
	else if (rc != -EBADMSG && rc != -ENOMEM)
		abort();
	rc = disksig_identify(&io, &sig);
	if (rc == 0 && strnlen(sig.what, sizeof(sig.what)) == sizeof(sig.what))
		abort();
	else if (rc && rc != -ENOSPC && rc != -ENOMEM)
		abort();
	free(copy);
	return 0;
}
