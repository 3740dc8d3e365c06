/*
 * tests/host/ramdisk.c - a RAM-backed struct blk_dev (see ramdisk.h).
 *
 * The queue itself is kernel/block/blk_queue.c; this file only carries requests
 * out on the store.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/host/ramdisk.h"
#include "lib/errno.h"

static const char ramdisk_serial[] = "ramdisk";

/* Carry out one request on the store: its status. */
static int ramdisk_do(struct blk_queue *q, struct blk_req *req)
{
	struct ramdisk *rd = container_of(q, struct ramdisk, q);
	u64 off = req->sector * BLK_SECTOR_SIZE;

	switch (req->op) {
	case BLK_OP_READ:
		if (off + req->len > rd->bytes)
			return -EIO;
		memcpy(req->buf, rd->store + off, req->len);
		rd->reads++;
		return 0;
	case BLK_OP_WRITE:
		if (off + req->len > rd->bytes)
			return -EIO;
		if (rd->fail_write_in && --rd->fail_write_in == 0)
			return -EIO;
		memcpy(rd->store + off, req->buf, req->len);
		rd->writes++;
		return 0;
	case BLK_OP_FLUSH: rd->flushes++; return 0;
	case BLK_OP_GET_ID:
		memcpy(req->buf, ramdisk_serial,
		       req->len < sizeof(ramdisk_serial) ? req->len : sizeof(ramdisk_serial));
		return 0;
	default: return -EOPNOTSUPP;
	}
}

void ramdisk_init(struct ramdisk *rd, u64 bytes, u32 block_size)
{
	memset(rd, 0, sizeof(*rd));
	rd->bytes = bytes;
	rd->store = calloc(1, bytes ? bytes : 1);
	blk_queue_init(&rd->q,
		       &(struct blk_dev_info){
			       .name = "ram0",
			       .block_size = block_size,
			       .capacity = bytes / BLK_SECTOR_SIZE,
			       .max_segments = 128,
			       .max_segment_size = 1u << 20,
			       .queue_depth = 128,
			       .has_flush = true,
			       .volatile_cache = true,
		       },
		       ramdisk_do);
}

void ramdisk_clone(struct ramdisk *dst, const struct ramdisk *src, u64 bytes)
{
	if (!bytes || bytes > src->bytes)
		bytes = src->bytes;
	ramdisk_init(dst, bytes, src->q.dev.info.block_size);
	memcpy(dst->store, src->store, bytes);
}

void ramdisk_free(struct ramdisk *rd)
{
	free(rd->store);
	rd->store = NULL;
}
