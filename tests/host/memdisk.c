/*
 * tests/host/memdisk.c - see memdisk.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "tests/host/memdisk.h"

static int memdisk_read(void *ctx, u64 off, void *buf, u32 len)
{
	struct memdisk *d = ctx;

	assert_true(off % d->io.bsize == 0);
	assert_true(len % d->io.bsize == 0 && len > 0 && len <= DISKIO_CHUNK);
	assert_true(off < d->io.size && len <= d->io.size - off);
	d->reads++;
	if (d->fail && d->fail_at >= off && d->fail_at < off + len)
		return -EIO;
	memcpy(buf, d->mem + off, len);
	return 0;
}

void memdisk_init(struct memdisk *d, u64 size, u32 bsize)
{
	memset(d, 0, sizeof(*d));
	d->mem = calloc(1, size ? size : 1);
	assert_non_null(d->mem);
	d->io = (struct disk_io){ .read = memdisk_read, .ctx = d, .size = size, .bsize = bsize };
}

void memdisk_free(struct memdisk *d)
{
	free(d->mem);
	d->mem = NULL;
}
