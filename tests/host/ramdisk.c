/*
 * tests/host/ramdisk.c - a RAM-backed struct blk_dev (see ramdisk.h).
 *
 * Queued requests are linked through req->drv.next, the field blkdev.h
 * reserves for the device; each is unlinked before its done() runs, so a
 * completion may submit again.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/host/ramdisk.h"
#include "lib/errno.h"

static const char ramdisk_serial[] = "ramdisk";

static int ramdisk_submit(void *ctx, struct blk_req *req)
{
	struct ramdisk *rd = ctx;

	req->drv.next = NULL;
	if (rd->tail)
		rd->tail->drv.next = req;
	else
		rd->head = req;
	rd->tail = req;
	return 0;
}

/* Carry out one request on the store: its status. */
static int ramdisk_do(struct ramdisk *rd, struct blk_req *req)
{
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

static int ramdisk_complete(struct ramdisk *rd, int err)
{
	struct blk_req *req, *last = rd->tail;
	int n = 0;

	/* Only what was queued when we started: done() may queue more. */
	while ((req = rd->head) != NULL) {
		rd->head = req->drv.next;
		if (!rd->head)
			rd->tail = NULL;
		req->drv.next = NULL;
		req->status = err ? err : ramdisk_do(rd, req);
		n++;
		if (req->done)
			req->done(req);
		if (req == last)
			break;
	}
	return n;
}

static int ramdisk_poll(void *ctx)
{
	return ramdisk_complete(ctx, 0);
}

static int ramdisk_reset(void *ctx, int err)
{
	ramdisk_complete(ctx, err);
	return 0;
}

static int ramdisk_set_wce(void *ctx, bool writeback)
{
	(void)ctx;
	(void)writeback;
	return -EOPNOTSUPP;
}

static const struct blk_dev_ops ramdisk_ops = {
	.submit = ramdisk_submit,
	.poll = ramdisk_poll,
	.reset = ramdisk_reset,
	.set_write_cache = ramdisk_set_wce,
};

void ramdisk_init(struct ramdisk *rd, u64 bytes, u32 block_size)
{
	memset(rd, 0, sizeof(*rd));
	rd->bytes = bytes;
	rd->store = calloc(1, bytes ? bytes : 1);
	rd->dev = (struct blk_dev){
		.ops = &ramdisk_ops,
		.ctx = rd,
		.info = {
			.name = "ram0",
			.block_size = block_size,
			.capacity = bytes / BLK_SECTOR_SIZE,
			.max_segments = 128,
			.max_segment_size = 1u << 20,
			.queue_depth = 128,
			.has_flush = true,
			.volatile_cache = true,
		},
	};
}

void ramdisk_clone(struct ramdisk *dst, const struct ramdisk *src, u64 bytes)
{
	if (!bytes || bytes > src->bytes)
		bytes = src->bytes;
	ramdisk_init(dst, bytes, src->dev.info.block_size);
	memcpy(dst->store, src->store, bytes);
}

void ramdisk_free(struct ramdisk *rd)
{
	free(rd->store);
	rd->store = NULL;
}
