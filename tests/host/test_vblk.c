/*
 * tests/host/test_vblk.c - host tests for the whole block stack:
 * vmmio_probe -> vblk_probe -> blk_init over the fake virtio-blk device of
 * fake_vblk_model.c (F) behind the virtio-mmio window of fake_vmmio.c (M),
 * legacy and modern, then requests through kernel/block.
 *
 * Groups: data paths (round trips, splitting at seg_max x size_max, many
 * requests in flight, a ring too small for them, index wrap-around); device
 * errors (status bytes, hostile used entries, a device that never answers),
 * after which the device must be reset and usable; the ordering mode chosen
 * per feature set and the FLUSH commands actually sent (docs/architecture.md
 * section 6); request checks and configurations the driver must refuse;
 * DISCARD and WRITE_ZEROES: payload, limits (split into commands or ranges
 * at the discard alignment), hostile limits in the configuration.
 *
 * The fake completes on notify unless `defer` is set; then the test decides
 * when, and in what order, commands finish.  Every test requires that the
 * fake saw no protocol violation.  Timeouts run on the fake clock of
 * arch/host, so nothing here sleeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "drivers/block/virtio_blk.h"
#include "drivers/block/virtio_blk_priv.h" /* white box: vq.broken_reason */
#include "drivers/virtio/virtio_mmio.h"
#include "kernel/block/blk.h"
#include "lib/errno.h"
#include "tests/host/fake_vmmio.h"
#include "tests/host/test_util.h"

#define SECTORS 8192u /* a 4 MiB disk */
#define BUF_BYTES (2u << 20)
#define NREQ 64

#define V1 BIT64(VIRTIO_F_VERSION_1)
#define F_FLUSH BIT64(VIRTIO_BLK_F_FLUSH)
#define F_WCE BIT64(VIRTIO_BLK_F_CONFIG_WCE)
#define F_BARRIER BIT64(VIRTIO_BLK_F_BARRIER)
#define F_SEG BIT64(VIRTIO_BLK_F_SEG_MAX)
#define F_SIZE BIT64(VIRTIO_BLK_F_SIZE_MAX)
#define F_BSIZE BIT64(VIRTIO_BLK_F_BLK_SIZE)
#define F_RO BIT64(VIRTIO_BLK_F_RO)
#define MODERN FVB_FEAT_QEMU_MODERN
#define LEGACY                                                                                     \
	((MODERN & 0xffffffffull) | BIT64(VIRTIO_F_NOTIFY_ON_EMPTY) | BIT64(VIRTIO_F_ANY_LAYOUT) | \
	 BIT64(VIRTIO_BLK_F_SCSI))
#define FEAT(version) ((version) == 1 ? LEGACY : MODERN)
#define F_INDIRECT BIT64(VIRTIO_F_RING_INDIRECT_DESC)
#define S_DRIVER_OK VIRTIO_CONFIG_S_DRIVER_OK
#define S_FAILED VIRTIO_CONFIG_S_FAILED

static struct fake_vblk F;  /* the device */
static struct fake_vmmio M; /* its virtio-mmio window */
static struct blk B;
static struct blk_dev *D;
static u8 *buf_a, *buf_b;
static u64 features_off; /* as the command line sets it (kernel/main.c) */

/* An asynchronous request and what its completion reported. */
struct areq {
	struct blk_req r;
	int calls, status;
};
static struct areq A[NREQ];

/* ---- helpers ---------------------------------------------------------- */

static int t_setup(void **state)
{
	(void)state;
	host_console_quiet = false;
	host_time_step_ns = 1000;
	D = NULL;
	features_off = 0;
	buf_a = malloc(BUF_BYTES);
	buf_b = malloc(BUF_BYTES);
	return buf_a && buf_b ? 0 : -1;
}

static int t_teardown(void **state)
{
	(void)state;
	free(buf_a);
	free(buf_b);
	fvm_destroy(&M);
	host_console_quiet = false;
	return 0;
}

/* Probe the stack over F as it is configured.  vblk_probe's result. */
static int up_err(bool ignore_flush)
{
	struct virtio_dev *vdev = NULL;
	int err;

	OK(vmmio_probe(FVM_BASE, FVM_WINDOW, 0, &vdev));
	vdev->features_off = features_off;
	D = NULL;
	err = vblk_probe(vdev, 0, VBLK_DEFAULT_QUEUE_SIZE, &D);
	if (!err) {
		blk_init(&B, D, ignore_flush);
		B.timeout_ms = 100; /* 100k fake-clock polls: a hung test ends */
	}
	return err;
}

static void up(void)
{
	OK(up_err(false));
}

static void rig(u32 version, u64 features)
{
	fvm_init(&M, &F, version, features, SECTORS);
	up();
}

/* seg_max 2 x size_max 4096, on a ring of `qmax` entries. */
static void rig_small_segments(u32 version, u32 qmax)
{
	fvm_init(&M, &F, version, (version == 2 ? V1 : 0) | F_SEG | F_SIZE | F_FLUSH, SECTORS);
	F.cfg.seg_max = cpu_to_le32(2);
	F.cfg.size_max = cpu_to_le32(4096);
	F.q[0].max = qmax;
	up();
}

/* Data that differs per seed and per sector, so misplaced sectors show. */
static void fill(u8 *p, u32 len, u32 seed)
{
	for (u32 i = 0; i < len; i++)
		p[i] = (u8)(seed * 131u + i * 7u + (i >> 9) + 1);
}

static u8 *disk_at(u64 sector)
{
	return F.disk + sector * 512;
}

static void areq_done(struct blk_req *r)
{
	struct areq *a = r->priv;

	a->calls++;
	a->status = r->status;
}

/* Submit without ringing the doorbell: one request of a batch. */
static void queue_req(struct areq *a, enum blk_op op, u64 sector, void *buf, u32 len)
{
	*a = (struct areq){ .r = { .op = op,
				   .sector = sector,
				   .buf = buf,
				   .len = len,
				   .done = areq_done,
				   .priv = a } };
	OK(blk_submit(&B, &a->r));
}

/* Submit one request as a batch of its own (the doorbell rings for it). */
static void submit(struct areq *a, enum blk_op op, u64 sector, void *buf, u32 len)
{
	queue_req(a, op, sector, buf, len);
	blk_unplug(&B);
}

/* Deferred mode: let the device and the driver run until A[0..n) are done. */
static void run_until_done(unsigned n)
{
	for (unsigned spin = 0; spin < 10000; spin++) {
		unsigned left = 0;

		for (unsigned i = 0; i < n; i++)
			left += A[i].calls == 0;
		if (!left)
			return;
		fvb_step(&F, 0);
		blk_poll(&B);
	}
	fail_msg("requests never completed");
}

/* Each of A[0..n) completed exactly once, with `status`. */
static void assert_all(unsigned n, int status)
{
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(A[i].calls, 1);
		assert_int_equal(A[i].status, status);
	}
}

/* The device is usable: a fresh write and read round trip. */
static void assert_usable(void)
{
	fill(buf_b, 4096, 77);
	OK(blk_write(&B, 512, buf_b, 4096));
	assert_memory_equal(disk_at(512), buf_b, 4096);
	OK(blk_read(&B, 512, buf_a, 4096));
	assert_memory_equal(buf_a, buf_b, 4096);
}

/* ---- data paths ------------------------------------------------------- */

static void test_roundtrip(void **state)
{
	static const struct {
		u64 sector;
		u32 len;
		unsigned cmds; /* device commands per request: 1 MiB cap */
	} cases[] = {
		{ 0, 512, 1 },
		{ 7, 4096, 1 },
		{ 100, 65536 + 512, 1 },
		{ 1000, 1u << 20, 1 },
		{ 3000, (1u << 20) + 4096, 2 },
		{ SECTORS - 8, 4096, 1 },
	};

	(void)state;
	for (u32 version = 1; version <= 2; version++) {
		rig(version, FEAT(version));
		for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
			u64 s = cases[i].sector, out0 = F.cmd_out, in0 = F.cmd_in;
			u32 len = cases[i].len;

			print_message("  v%u: %u bytes at sector %llu\n", version, len,
				      (unsigned long long)s);
			fill(buf_a, len, i + 10 * version);
			OK(blk_write(&B, s, buf_a, len));
			assert_memory_equal(disk_at(s), buf_a, len);
			assert_int_equal(F.cmd_out - out0, cases[i].cmds);
			fill(disk_at(s), len, i + 100); /* change it behind our back */
			memset(buf_b, 0, len);
			OK(blk_read(&B, s, buf_b, len));
			assert_memory_equal(buf_b, disk_at(s), len);
			assert_int_equal(F.cmd_in - in0, cases[i].cmds);
		}
		assert_int_equal(B.stats.errors, 0);
		assert_int_equal(blk_dev_stats(&B)->resets, 0);
		assert_int_equal(vblk_features(D), F.driver_features);
		assert_no_violations(&F);
	}
}

/* seg_max 2 x size_max 4096: a 32 KiB request is four 8 KiB commands. */
static void test_split_seg_max_size_max(void **state)
{
	(void)state;
	for (u32 version = 1; version <= 2; version++) {
		rig_small_segments(version, 256);
		assert_int_equal(D->info.max_segments, 2);
		assert_int_equal(D->info.max_segment_size, 4096);
		fill(buf_a, 32768, 1);
		OK(blk_write(&B, 16, buf_a, 32768));
		assert_int_equal(F.cmd_out, 4);
		assert_int_equal(F.max_data_segs, 2);
		assert_int_equal(F.max_seg_len, 4096);
		assert_int_equal(F.max_chain, 4);
		assert_memory_equal(disk_at(16), buf_a, 32768);

		fill(buf_a, 12800, 2); /* 25 sectors: 8 KiB + 4.5 KiB */
		OK(blk_write(&B, 200, buf_a, 12800));
		assert_int_equal(F.cmd_out, 6);
		assert_memory_equal(disk_at(200), buf_a, 12800);

		OK(blk_read(&B, 16, buf_b, 32768));
		assert_int_equal(F.cmd_in, 4);
		assert_memory_equal(buf_b, disk_at(16), 32768);
		assert_int_equal(blk_dev_stats(&B)->commands, 10);
		assert_no_violations(&F); /* the fake checks seg_max and size_max */
	}
}

/* 64 reads in flight at once, completed newest first. */
static void test_async_64_out_of_order(void **state)
{
	(void)state;
	rig(2, MODERN);
	F.defer = true;
	fill(F.disk, NREQ * 4096, 3);
	for (unsigned i = 0; i < NREQ; i++)
		submit(&A[i], BLK_OP_READ, i * 8, buf_a + i * 4096, 4096);
	assert_int_equal(F.q[0].npending, NREQ);
	assert_int_equal(F.max_outstanding, NREQ);
	assert_int_equal(blk_dev_stats(&B)->max_inflight, NREQ);
	assert_int_equal(B.inflight, NREQ);
	assert_int_equal(blk_poll(&B), 0);
	assert_int_equal(A[0].calls, 0);
	while (F.q[0].npending)
		assert_true(fvb_complete_at(&F, 0, F.q[0].npending - 1));
	OK(blk_drain(&B));
	assert_all(NREQ, 0);
	assert_memory_equal(buf_a, F.disk, NREQ * 4096);
	assert_int_equal(B.stats.reads, NREQ);
	assert_no_violations(&F);
}

/*
 * An 8-entry ring holds two commands of 3 descriptors each, or with
 * indirect descriptors eight (one slot each): the rest wait in the driver.
 */
static void test_queue_full(void **state)
{
	(void)state;
	for (u32 version = 1; version <= 2; version++) {
		for (unsigned ind = 0; ind < 2; ind++) {
			unsigned fit = ind ? 8 : 2;

			fvm_init(&M, &F, version, FEAT(version) & ~(ind ? 0 : F_INDIRECT), SECTORS);
			F.q[0].max = 8;
			up();
			assert_int_equal(D->info.queue_depth, 8);
			F.defer = true;
			fill(buf_a, 40 * 4096, 4);
			for (unsigned i = 0; i < 40; i++)
				submit(&A[i], BLK_OP_WRITE, i * 8, buf_a + i * 4096, 4096);
			assert_int_equal(F.q[0].npending, fit);
			assert_int_equal(B.inflight, 40);
			run_until_done(40);
			assert_all(40, 0);
			assert_int_equal(F.cmd_out, 40);
			assert_int_equal(F.max_outstanding, fit);
			assert_int_equal(blk_dev_stats(&B)->max_inflight, fit);
			assert_int_equal(F.indirect_chains, ind ? 40 : 0);
			assert_memory_equal(F.disk, buf_a, 40 * 4096);
			assert_no_violations(&F);
		}
	}
}

/* ---- indirect descriptors --------------------------------------------- */

#define NRING 256 /* VBLK_DEFAULT_QUEUE_SIZE: the fake's queues hold 256 */
static struct areq R[NRING + 1];

/* Submit R[0..n) as one batch of 4 KiB reads of distinct blocks. */
static void submit_reads(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		R[i] = (struct areq){ .r = { .op = BLK_OP_READ,
					     .sector = i * 8,
					     .buf = buf_a + i * 4096,
					     .len = 4096,
					     .done = areq_done,
					     .priv = &R[i] } };
		OK(blk_submit(&B, &R[i].r));
	}
	blk_unplug(&B);
}

/* Deferred mode: complete newest first until R[0..n) are all done, once, ok. */
static void finish_reads(unsigned n)
{
	for (unsigned spin = 0; spin < 10000; spin++) {
		unsigned left = 0;

		for (unsigned i = 0; i < n; i++)
			left += R[i].calls == 0;
		if (!left)
			break;
		fvb_fetch(&F, 0);
		while (F.q[0].npending)
			assert_true(fvb_complete_at(&F, 0, F.q[0].npending - 1));
		blk_poll(&B);
	}
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(R[i].calls, 1);
		assert_int_equal(R[i].status, 0);
	}
	assert_memory_equal(buf_a, F.disk, n * 4096);
}

/*
 * With INDIRECT every request of the 256-entry ring's worth is at the
 * device at once (a 4 KiB block request is one slot, not three: 85 fit
 * without); the 257th waits for a free slot.  Completed newest first,
 * every one with the right data.  The probe line names the feature.
 */
static void test_indirect_fills_ring(void **state)
{
	char line[512];

	(void)state;
	rig(2, MODERN);
	assert_true(vblk_features(D) & F_INDIRECT);
	vblk_describe(D, line, sizeof(line));
	assert_non_null(strstr(line, "indirect_desc"));
	assert_int_equal(D->info.queue_depth, NRING);
	F.defer = true;
	fill(F.disk, (NRING + 1) * 4096, 12);
	submit_reads(NRING + 1);
	assert_int_equal(F.q[0].npending, NRING);
	assert_int_equal(blk_dev_stats(&B)->max_inflight, NRING);
	finish_reads(NRING + 1);
	assert_int_equal(F.cmds, NRING + 1);
	assert_int_equal(F.indirect_chains, NRING + 1);
	assert_int_equal(F.max_chain, 3);
	assert_int_equal(blk_dev_stats(&B)->resets, 0);
	assert_no_violations(&F);
}

/*
 * Turned off (vblk.indirect=0 sets features_off), or not offered: never
 * acknowledged, not on the probe line, and the old layout (3 slots for a
 * 4 KiB request: 85 in flight on 256 entries).
 */
static void test_indirect_off(void **state)
{
	char line[512];

	(void)state;
	for (unsigned how = 0; how < 2; how++) {
		features_off = how ? 0 : F_INDIRECT;
		rig(2, MODERN & ~(how ? F_INDIRECT : 0));
		assert_false(F.driver_features & F_INDIRECT);
		vblk_describe(D, line, sizeof(line));
		assert_null(strstr(line, "indirect_desc"));
		F.defer = true;
		fill(F.disk, 100 * 4096, 13);
		submit_reads(100);
		assert_int_equal(F.q[0].npending, NRING / 3);
		assert_int_equal(blk_dev_stats(&B)->max_inflight, NRING / 3);
		finish_reads(100);
		assert_int_equal(F.cmd_in, 100);
		assert_int_equal(F.max_chain, 3);
		assert_int_equal(F.indirect_chains, 0);
		assert_no_violations(&F);
	}
}

/*
 * A device that overwrites every indirect table after reading it (garbage
 * addresses, lengths, loops): the driver never reads a table back, so
 * requests of 1 to 18 descriptors keep succeeding with the right data
 * through reused slots, and each table the device reads next is whole.
 */
static void test_indirect_tables_scribbled(void **state)
{
	static const u32 lens[] = { 512, 4096, 65536 + 512, 1u << 20, 8192 };

	(void)state;
	rig(2, MODERN);
	F.scribble_tables = true;
	for (unsigned r = 0; r < 20; r++) {
		u32 len = lens[r % ARRAY_SIZE(lens)];
		u64 s = (r * 977u) % (SECTORS - len / 512);

		fill(buf_a, len, r);
		OK(blk_write(&B, s, buf_a, len));
		assert_memory_equal(disk_at(s), buf_a, len);
		OK(blk_read(&B, s, buf_b, len));
		assert_memory_equal(buf_b, buf_a, len);
	}
	assert_int_equal(F.max_chain, 2 + 16); /* 1 MiB in 64 KiB segments */
	assert_int_equal(F.indirect_chains, F.cmds);
	assert_true(F.cmds >= 40);
	assert_int_equal(blk_dev_stats(&B)->resets, 0);
	assert_false(((struct vblk *)D->ctx)->vq.broken);
	assert_no_violations(&F);
}

/* Both ring indices wrap past 65535, with two chains in flight each time. */
static void test_ring_index_wrap(void **state)
{
	(void)state;
	for (u32 version = 1; version <= 2; version++) {
		fvm_init(&M, &F, version, FEAT(version), SECTORS);
		F.q[0].max = 8;
		up();
		fill(F.disk, 64 * 512, 5);
		for (unsigned i = 0; i < 33000; i++) {
			memset(buf_a, 0, 1024);
			submit(&A[0], BLK_OP_READ, (2 * i) % 64, buf_a, 512);
			submit(&A[1], BLK_OP_READ, (2 * i + 1) % 64, buf_a + 512, 512);
			OK(blk_drain(&B));
			if (A[0].status || A[1].status)
				fail_msg("request %u failed", i);
		}
		assert_memory_equal(buf_a, disk_at((2 * 32999) % 64), 1024);
		assert_int_equal(F.cmds, 66000);
		assert_int_equal(blk_dev_stats(&B)->resets, 0);
		assert_no_violations(&F);
	}
}

static void test_get_id(void **state)
{
	char id[VIRTIO_BLK_ID_BYTES], small[12];

	(void)state;
	rig(2, MODERN);
	OK(blk_get_id(&B, id, sizeof(id)));
	assert_memory_equal(id, FVB_SERIAL, sizeof(id));
	memset(small, 'x', sizeof(small));
	OK(blk_get_id(&B, small, 8));
	assert_memory_equal(small, FVB_SERIAL, 8);
	assert_memory_equal(small + 8, "xxxx", 4); /* nothing past the buffer */
	assert_int_equal(F.cmd_get_id, 2);
	assert_no_violations(&F);
}

/* EVENT_IDX and VIRTQ_USED_F_NO_NOTIFY: the driver kicks only when asked. */
static void test_notification_suppression(void **state)
{
	(void)state;
	fvm_init(&M, &F, 2, MODERN, SECTORS);
	F.avail_event_ahead = 5; /* "notify me at the 6th buffer from here" */
	up();
	F.defer = true;
	for (unsigned i = 0; i < 7; i++)
		submit(&A[i], BLK_OP_READ, i * 8, buf_a, 4096);
	assert_int_equal(F.notifies, 2); /* the first, then the 7th */
	assert_int_equal(blk_dev_stats(&B)->kicks, 2);
	assert_int_equal(F.q[0].npending, 7);
	run_until_done(7);
	assert_all(7, 0);

	fvm_init(&M, &F, 2, MODERN & ~BIT64(VIRTIO_F_RING_EVENT_IDX), SECTORS);
	F.no_notify = true;
	up();
	F.defer = true;
	for (unsigned i = 0; i < 3; i++)
		submit(&A[i], BLK_OP_READ, i * 8, buf_a, 4096);
	assert_int_equal(F.notifies, 0);
	assert_int_equal(blk_dev_stats(&B)->kicks, 0);
	assert_int_equal(fvb_step(&F, 0), 3); /* the device polls on its own */
	OK(blk_drain(&B));
	assert_all(3, 0);
	assert_no_violations(&F);
}

/*
 * A batch of 32 writes is published without a doorbell; the wait for them
 * rings it once, and polls that publish nothing new ring nothing.
 */
static void test_doorbell_batched(void **state)
{
	(void)state;
	rig(2, MODERN);
	F.defer = true;
	for (unsigned i = 0; i < 32; i++)
		queue_req(&A[i], BLK_OP_WRITE, i * 8, buf_a, 4096);
	assert_int_equal(F.notifies, 0);
	blk_poll(&B); /* the first poll of the wait */
	assert_int_equal(F.notifies, 1);
	assert_int_equal(F.q[0].npending, 32);
	run_until_done(32);
	assert_all(32, 0);
	assert_int_equal(F.notifies, 1);
	assert_int_equal(blk_dev_stats(&B)->kicks, 1);
	assert_int_equal(blk_dev_stats(&B)->commands, 32);
	blk_poll(&B);
	assert_int_equal(F.notifies, 1);
	assert_no_violations(&F);
}

/*
 * A device that hits an internal error at run time sets NEEDS_RESET and
 * stops answering (virtio 1.2, 2.1.2).  The driver notices while requests
 * are outstanding and resets it at once, failing them with -EIO, long
 * before the block layer's timeout; the revived device works.
 */
static void test_needs_reset_at_run_time(void **state)
{
	u64 t0;

	(void)state;
	rig(2, MODERN);
	B.timeout_ms = 10000;
	F.hang = true;
	F.status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	t0 = host_time_ns;
	assert_int_equal(blk_write(&B, 0, buf_a, 4096), -EIO);
	assert_true(host_time_ns - t0 < 1000ull * 1000000); /* not the 10 s timeout */
	assert_int_equal(blk_dev_stats(&B)->resets, 1);
	assert_int_equal(B.stats.timeouts, 0);
	assert_console_has("resetting device after a ring violation");
	F.hang = false;
	assert_usable();
	assert_no_violations(&F);
}

/*
 * A notification lost on the way (seen under a loaded QEMU TCG host): the
 * ring stalls with commands published, and the driver notifies again after
 * VBLK_STALL_NS instead of letting the request time out.
 */
static void test_lost_notify_renotified(void **state)
{
	u64 t0;

	(void)state;
	rig(2, MODERN);
	B.timeout_ms = 1000;
	F.lose_notifies = 1;
	t0 = host_time_ns;
	OK(blk_write(&B, 0, buf_a, 4096));
	assert_int_equal(F.notifies, 2);
	assert_int_equal(blk_dev_stats(&B)->renotifies, 1);
	assert_int_equal(blk_dev_stats(&B)->resets, 0);
	/* After the stall period, well before the timeout. */
	assert_true(host_time_ns - t0 >= 100ull * 1000000);
	assert_true(host_time_ns - t0 < 1000ull * 1000000);
	/* A device that never answers still times out (renotified meanwhile). */
	F.hang = true;
	assert_int_equal(blk_write(&B, 8, buf_a, 4096), -ETIMEDOUT);
	assert_true(blk_dev_stats(&B)->renotifies >= 2);
	assert_no_violations(&F);
}

/* ---- device errors ---------------------------------------------------- */

static void test_status_errors(void **state)
{
	static const struct {
		unsigned status;
		int err;
	} cases[] = {
		{ VIRTIO_BLK_S_IOERR, -EIO },
		{ VIRTIO_BLK_S_UNSUPP, -EOPNOTSUPP },
		{ FVB_STATUS_NONE, -EIO }, /* status byte never written */
		{ 0x7f, -EIO },		   /* not a status at all */
	};
	static const u8 zero[4096];

	(void)state;
	for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
		rig(2, MODERN);
		fill(buf_a, 3 * 4096, c);
		fvb_fail_cmd(&F, 2, cases[c].status);
		for (unsigned i = 0; i < 3; i++)
			submit(&A[i], BLK_OP_WRITE, i * 8, buf_a + i * 4096, 4096);
		OK(blk_drain(&B));
		assert_int_equal(A[0].status, 0);
		assert_int_equal(A[1].status, cases[c].err);
		assert_int_equal(A[2].status, 0);
		assert_int_equal(A[0].calls + A[1].calls + A[2].calls, 3);
		assert_memory_equal(disk_at(0), buf_a, 4096);
		assert_memory_equal(disk_at(8), zero, 4096);
		assert_memory_equal(disk_at(16), buf_a + 8192, 4096);
		assert_int_equal(B.stats.errors, 1);
		assert_int_equal(B.stats.writes, 2);
		/* A status error fails one request; no reset, the device is fine. */
		assert_int_equal(blk_dev_stats(&B)->resets, 0);
		assert_usable();
		assert_no_violations(&F);
	}
}

/* One failed part fails the request, once, when its last part is back. */
static void test_status_error_in_split_request(void **state)
{
	(void)state;
	rig_small_segments(2, 256);
	F.defer = true;
	fvb_fail_cmd(&F, 2, VIRTIO_BLK_S_IOERR);
	submit(&A[0], BLK_OP_WRITE, 0, buf_a, 32768);
	assert_int_equal(F.q[0].npending, 4);
	fvb_complete(&F, 0, 3);
	blk_poll(&B);
	assert_int_equal(A[0].calls, 0);
	fvb_complete(&F, 0, 1);
	blk_poll(&B);
	assert_all(1, -EIO);
	assert_int_equal(B.inflight, 0);
	assert_no_violations(&F);
}

/*
 * A hostile used entry: every outstanding request fails with -EIO (exactly
 * once, including one only partly handed to the device), the device is
 * reset and re-initialised, and works again.  The ring's verdict is read
 * from the driver's virtqueue before the poll that resets it.
 */
static void run_hostile(enum fvb_hostile h, const char *reason)
{
	struct vblk *vb = D->ctx;
	bool dup = h == FVB_HOSTILE_DUPLICATE;
	unsigned resets0 = F.resets;
	u32 len;

	F.defer = true;
	host_console_quiet = true;
	fill(buf_a, 3 * 4096, 9);
	for (unsigned i = 0; i < 3; i++)
		submit(&A[i], BLK_OP_WRITE, i * 8, buf_a + i * 4096, 4096);
	submit(&A[3], BLK_OP_WRITE, 128, buf_a, 65536);
	if (dup) { /* complete A[0] properly: its id is replayed */
		fvb_complete(&F, 0, 1);
		blk_poll(&B);
		assert_all(1, 0);
	}
	F.hostile = h;
	fvb_complete(&F, 0, 1);
	assert_null(virtq_get_used(&vb->vq, &len));
	assert_true(vb->vq.broken);
	assert_string_equal(vb->vq.broken_reason, reason);

	blk_poll(&B);
	assert_console_has("resetting device after a ring violation");
	for (unsigned i = dup; i < 4; i++) {
		assert_int_equal(A[i].calls, 1);
		assert_int_equal(A[i].status, -EIO);
	}
	assert_int_equal(B.inflight, 0);
	assert_int_equal(blk_dev_stats(&B)->resets, 1);
	assert_true(F.resets > resets0);
	assert_true(fvb_status_has(&F, S_DRIVER_OK));
	assert_false(F.status & S_FAILED);
	F.defer = false;
	assert_usable();
	assert_no_violations(&F);
}

static void test_hostile_used_entries(void **state)
{
	static const struct {
		enum fvb_hostile h;
		const char *what, *reason;
	} cases[] = {
		{ FVB_HOSTILE_ID_RANGE, "id out of range", "used id out of range" },
		{ FVB_HOSTILE_ID_NONHEAD, "non-head id", "used id is not an in-flight chain head" },
		{ FVB_HOSTILE_LEN, "len too big", "used length exceeds the writable buffers" },
		{ FVB_HOSTILE_IDX_AHEAD, "idx ahead",
		  "used index ran ahead of in-flight requests" },
		/*
		 * Last: a replayed id is only detectable while its head is
		 * free; on the 16-entry ring the driver reuses it at once.
		 */
		{ FVB_HOSTILE_DUPLICATE, "duplicate", "used id is not an in-flight chain head" },
	};

	static const char *const cfg_name[] = { "v1 indirect", "v2 indirect", "v2 small ring",
						"v2 direct" };

	(void)state;
	for (unsigned cfg = 0; cfg < 4; cfg++) {
		for (unsigned c = 0; c < ARRAY_SIZE(cases) - (cfg == 2); c++) {
			/* Legacy: the used length is ignored (test_legacy_len). */
			if (cfg == 0 && cases[c].h == FVB_HOSTILE_LEN)
				continue;
			print_message("  %s: %s\n", cfg_name[cfg], cases[c].what);
			if (cfg < 2) {
				rig(cfg + 1, FEAT(cfg + 1));
			} else if (cfg == 2) {
				/* 16 descriptors: the 64 KiB write is only partly issued. */
				rig_small_segments(2, 16);
			} else {
				rig(2, MODERN & ~F_INDIRECT);
			}
			run_hostile(cases[c].h, cases[c].reason);
			/* The chains were what the configuration says. */
			assert_int_equal(F.indirect_chains > 0, cfg < 2);
		}
	}
}

/*
 * Legacy devices may report the whole chain as the used length (virtio
 * 1.2, 5.2.6.3): the driver ignores it there, the request succeeds and the
 * ring stays healthy; a modern device doing the same breaks the ring.
 */
static void test_legacy_len(void **state)
{
	struct vblk *vb;

	(void)state;
	rig(1, FEAT(1));
	vb = D->ctx;
	F.hostile = FVB_HOSTILE_LEN;
	OK(blk_write(&B, 0, buf_a, 4096));
	assert_false(vb->vq.broken);
	assert_int_equal(blk_dev_stats(&B)->resets, 0);
	F.hostile = 0;
	assert_usable();
	assert_no_violations(&F);
}

static void hang_quickly(void)
{
	F.hang = true;
	B.timeout_ms = 5;
	host_time_step_ns = 100 * 1000;
	host_console_quiet = true;
}

/*
 * A device reset restores the host's default cache mode (QEMU does): the
 * driver must put the user's setting back, or barriers would silently stop
 * flushing a cache that is volatile again.
 */
static void test_wce_survives_reset(void **state)
{
	(void)state;
	rig(2, MODERN);
	F.wce_reset_default = true;
	F.wce_default = 1;
	OK(blk_set_write_cache(&B, false));
	assert_int_equal(B.order, BLK_ORDER_DRAIN);
	hang_quickly();
	submit(&A[0], BLK_OP_WRITE, 0, buf_a, 4096);
	assert_int_equal(blk_drain(&B), -ETIMEDOUT);
	F.hang = false;
	assert_int_equal(blk_dev_stats(&B)->resets, 1);
	assert_int_equal(F.cfg.writeback, 0);
	assert_false(D->info.volatile_cache);
	assert_int_equal(B.order, BLK_ORDER_DRAIN);
	/* And the other way: a cache switched on stays on, with FLUSHes. */
	OK(blk_set_write_cache(&B, true));
	F.wce_default = 0;
	hang_quickly();
	submit(&A[0], BLK_OP_WRITE, 0, buf_a, 4096);
	assert_int_equal(blk_drain(&B), -ETIMEDOUT);
	F.hang = false;
	blk_clear_flush_error(&B);
	assert_int_equal(F.cfg.writeback, 1);
	assert_int_equal(B.order, BLK_ORDER_DRAIN_FLUSH);
	OK(blk_write(&B, 0, buf_a, 4096));
	OK(blk_barrier(&B));
	assert_true(F.cmd_flush >= 1);
	assert_no_violations(&F);
}

/* A completion callback run by a reset may submit and even wait. */
static int cb_inner_result = 1;
static void cb_read_during_reset(struct blk_req *r)
{
	(void)r;
	F.hang = false; /* the revived device answers */
	cb_inner_result = blk_read(&B, 16, buf_b, 4096);
}

static void test_reset_callback_waits(void **state)
{
	struct blk_req x = {
		.op = BLK_OP_WRITE,
		.sector = 0,
		.len = 4096,
		.done = cb_read_during_reset,
	};

	(void)state;
	rig(2, MODERN);
	x.buf = buf_a;
	hang_quickly();
	assert_int_equal(blk_submit(&B, &x), 0);
	submit(&A[1], BLK_OP_WRITE, 8, buf_a, 4096);
	assert_int_equal(blk_drain(&B), -ETIMEDOUT);
	assert_int_equal(x.status, -ETIMEDOUT);
	assert_int_equal(A[1].calls, 1);
	assert_int_equal(A[1].status, -ETIMEDOUT);
	/* The callback's read went to the revived device and succeeded. */
	assert_int_equal(cb_inner_result, 0);
	assert_int_equal(B.inflight, 0);
	assert_int_equal(blk_dev_stats(&B)->resets, 1);
	assert_usable();
	assert_no_violations(&F);
}

static void test_timeout_resets_device(void **state)
{
	(void)state;
	rig(2, MODERN);
	hang_quickly();
	submit(&A[0], BLK_OP_WRITE, 0, buf_a, 4096);
	assert_int_equal(blk_read(&B, 8, buf_b, 4096), -ETIMEDOUT);
	/* After the block layer's "no completion within 5 ms", the ring's state. */
	assert_console_has(
		"vblk0: ring: published 2 (kicked at 2), device used 0, driver consumed 0, "
		"2 in flight");
	assert_all(1, -ETIMEDOUT);
	assert_int_equal(B.inflight, 0);
	assert_int_equal(B.stats.timeouts, 1);
	assert_int_equal(blk_dev_stats(&B)->resets, 1);
	assert_true(fvb_status_has(&F, S_DRIVER_OK));
	/* blk_drain is bounded the same way. */
	submit(&A[0], BLK_OP_WRITE, 0, buf_a, 4096);
	assert_int_equal(blk_drain(&B), -ETIMEDOUT);
	assert_all(1, -ETIMEDOUT);
	F.hang = false;
	assert_usable();
	assert_no_violations(&F);
}

/* A completion callback that submits during the reset: it must be served. */
static void resubmit_done(struct blk_req *r)
{
	areq_done(r);
	F.hang = false;
	submit(&A[1], BLK_OP_READ, 0, buf_b, 4096);
}

static void test_timeout_resubmit_from_callback(void **state)
{
	(void)state;
	rig(2, MODERN);
	hang_quickly();
	fill(disk_at(0), 4096, 8);
	memset(buf_b, 0, 4096);
	A[0] = (struct areq){ .r = { .op = BLK_OP_WRITE,
				     .buf = buf_a,
				     .len = 4096,
				     .done = resubmit_done,
				     .priv = &A[0] } };
	OK(blk_submit(&B, &A[0].r));
	assert_int_equal(blk_wait(&B, &A[0].r), -ETIMEDOUT);
	OK(blk_wait(&B, &A[1].r));
	assert_int_equal(A[1].calls, 1);
	assert_memory_equal(buf_b, disk_at(0), 4096);
	assert_no_violations(&F);
}

/*
 * Reviving the device fails (it refuses FEATURES_OK, or never finishes its
 * reset) after a timeout or a ring violation: it is dead, and says so fast.
 */
static void test_revive_fails(void **state)
{
	(void)state;
	for (unsigned how = 0; how < 3; how++) {
		u64 cmds;

		rig(2, MODERN);
		hang_quickly();
		if (how == 2)
			F.reset_delay = ~0u;
		else
			F.refuse_features_ok = true;
		if (how == 1) {
			F.hang = false;
			F.hostile = FVB_HOSTILE_ID_RANGE;
			assert_int_equal(blk_write(&B, 0, buf_a, 4096), -EIO);
		} else {
			assert_int_equal(blk_write(&B, 0, buf_a, 4096), -ETIMEDOUT);
		}
		assert_console_has("could not be revived");
		assert_true(fvb_status_has(&F, S_FAILED));
		cmds = F.cmds;
		F.hang = false;
		assert_int_equal(blk_write(&B, 0, buf_a, 4096), -EIO);
		assert_int_equal(blk_read(&B, 0, buf_a, 4096), -EIO);
		assert_int_equal(F.cmds, cmds);
		assert_no_violations(&F);
	}
}

/* ---- ordering mode and FLUSH ------------------------------------------ */

static void test_order_modes(void **state)
{
	static const struct {
		const char *what;
		u32 version;
		u64 features;
		u8 writeback;
		bool ignore_flush;
		enum blk_order order;
		unsigned flushes; /* FLUSH commands per write + blk_flush */
	} cases[] = {
		{ "flush", 2, V1 | F_FLUSH, 0, false, BLK_ORDER_DRAIN_FLUSH, 1 },
		{ "flush+wce wb=1", 2, V1 | F_FLUSH | F_WCE, 1, false, BLK_ORDER_DRAIN_FLUSH, 1 },
		{ "flush+wce wb=0", 2, V1 | F_FLUSH | F_WCE, 0, false, BLK_ORDER_DRAIN, 0 },
		{ "no flush", 2, V1, 1, false, BLK_ORDER_DRAIN, 0 },
		{ "wce without flush", 2, V1 | F_WCE, 1, false, BLK_ORDER_DRAIN, 0 },
		{ "legacy flush+wce", 1, F_FLUSH | F_WCE, 1, false, BLK_ORDER_DRAIN_FLUSH, 1 },
		{ "legacy barrier", 1, F_BARRIER, 1, false, BLK_ORDER_TAG, 0 },
		{ "legacy barrier+flush", 1, F_BARRIER | F_FLUSH, 1, false, BLK_ORDER_DRAIN_FLUSH,
		  1 },
		{ "modern barrier bit", 2, V1 | F_BARRIER, 1, false, BLK_ORDER_DRAIN, 0 },
		{ "ignore flush", 2, V1 | F_FLUSH | F_WCE, 1, true, BLK_ORDER_NONE, 0 },
	};

	(void)state;
	for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
		unsigned n = cases[c].flushes;
		u64 got;

		print_message("  %s\n", cases[c].what);
		fvm_init(&M, &F, cases[c].version, cases[c].features, SECTORS);
		F.cfg.writeback = cases[c].writeback;
		host_console_quiet = cases[c].ignore_flush;
		OK(up_err(cases[c].ignore_flush));
		assert_int_equal(B.order, cases[c].order);
		/* CONFIG_WCE only with FLUSH; BARRIER only legacy, without FLUSH. */
		got = F.driver_features;
		assert_true(!(got & F_WCE) || (got & F_FLUSH));
		assert_int_equal(!!(got & F_BARRIER), cases[c].order == BLK_ORDER_TAG);

		OK(blk_flush(&B)); /* nothing written yet */
		assert_int_equal(F.cmd_flush, 0);
		OK(blk_write(&B, 0, buf_a, 4096));
		OK(blk_flush(&B));
		assert_int_equal(F.cmd_flush, n);
		OK(blk_flush(&B)); /* nothing new since */
		OK(blk_read(&B, 0, buf_b, 4096));
		OK(blk_flush(&B)); /* reads need none */
		assert_int_equal(F.cmd_flush, n);
		OK(blk_write(&B, 8, buf_a, 4096));
		OK(blk_barrier(&B));
		assert_int_equal(F.cmd_flush, 2 * n);
		if (n)
			assert_int_equal(F.writes_since_flush, 0);
		if (cases[c].ignore_flush)
			assert_int_equal(B.stats.flushes_ignored, 4);
		assert_no_violations(&F);
	}
}

static void test_tag_barrier(void **state)
{
	u64 before;

	(void)state;
	rig(1, F_BARRIER | F_SEG | F_BSIZE);
	assert_int_equal(B.order, BLK_ORDER_TAG);
	OK(blk_write(&B, 0, buf_a, 4096));
	assert_int_equal(fvb_cmd_type(&F, F.cmds), VIRTIO_BLK_T_OUT);
	before = F.cmds;
	OK(blk_barrier(&B));
	assert_int_equal(F.cmds, before); /* the barrier itself sends nothing */
	OK(blk_write(&B, 8, buf_a, 4096));
	assert_int_equal(fvb_cmd_type(&F, F.cmds), VIRTIO_BLK_T_OUT | VIRTIO_BLK_T_BARRIER);
	OK(blk_write(&B, 16, buf_a, 4096));
	assert_int_equal(fvb_cmd_type(&F, F.cmds), VIRTIO_BLK_T_OUT);
	OK(blk_barrier(&B));
	OK(blk_flush(&B)); /* a flush does not take the tag */
	OK(blk_read(&B, 0, buf_b, 4096));
	assert_int_equal(fvb_cmd_type(&F, F.cmds), VIRTIO_BLK_T_IN | VIRTIO_BLK_T_BARRIER);
	assert_int_equal(F.cmd_barrier, 2);
	assert_int_equal(F.cmd_flush, 0);
	assert_no_violations(&F);
}

static void test_set_write_cache(void **state)
{
	(void)state;
	rig(2, MODERN);
	assert_int_equal(B.order, BLK_ORDER_DRAIN_FLUSH);
	OK(blk_write(&B, 0, buf_a, 4096));
	/* Write-through from now: what sits in the cache is flushed first. */
	OK(blk_set_write_cache(&B, false));
	assert_int_equal(F.cmd_flush, 1);
	assert_int_equal(F.writes_since_flush, 0);
	assert_int_equal(F.cfg.writeback, 0);
	assert_false(D->info.volatile_cache);
	assert_int_equal(B.order, BLK_ORDER_DRAIN);
	OK(blk_write(&B, 8, buf_a, 4096));
	OK(blk_flush(&B));
	assert_int_equal(F.cmd_flush, 1);

	OK(blk_set_write_cache(&B, true));
	assert_int_equal(F.cmd_flush, 1);
	assert_int_equal(F.cfg.writeback, 1);
	assert_int_equal(B.order, BLK_ORDER_DRAIN_FLUSH);
	OK(blk_flush(&B)); /* the write-through write is durable */
	assert_int_equal(F.cmd_flush, 1);
	OK(blk_write(&B, 8, buf_a, 4096));
	OK(blk_flush(&B));
	OK(blk_flush(&B));
	assert_int_equal(F.cmd_flush, 2);
	assert_no_violations(&F);

	rig(2, MODERN); /* a device that ignores the switch: mode unchanged */
	F.wce_readonly = true;
	assert_int_equal(blk_set_write_cache(&B, false), -EIO);
	assert_true(D->info.volatile_cache);
	assert_int_equal(B.order, BLK_ORDER_DRAIN_FLUSH);

	rig(2, V1 | F_FLUSH); /* no CONFIG_WCE: nothing to switch */
	assert_int_equal(blk_set_write_cache(&B, false), -EOPNOTSUPP);
	assert_int_equal(F.cfg_writes, 0);
	assert_int_equal(B.order, BLK_ORDER_DRAIN_FLUSH);
	assert_no_violations(&F);
}

/* Three flushes while one FLUSH is at the device: one command. */
static void test_flush_merging(void **state)
{
	(void)state;
	rig(2, MODERN);
	F.defer = true;
	submit(&A[0], BLK_OP_WRITE, 0, buf_a, 4096);
	fvb_step(&F, 0);
	blk_poll(&B);
	assert_all(1, 0);
	for (unsigned i = 1; i <= 3; i++)
		submit(&A[i], BLK_OP_FLUSH, 0, NULL, 0);
	assert_int_equal(F.q[0].npending, 1);
	assert_int_equal(B.stats.flushes_sent, 1);
	run_until_done(4);
	assert_all(4, 0);
	assert_int_equal(F.cmd_flush, 1);
	assert_int_equal(B.stats.flushes_merged, 2);
	F.defer = false;
	OK(blk_flush(&B)); /* nothing new: elided */
	assert_int_equal(F.cmd_flush, 1);
	assert_no_violations(&F);
}

/*
 * A FLUSH covers only writes completed before it was sent: write A done,
 * F1 sent, write W completes while F1 is busy, F2 asked -> a second FLUSH.
 */
static void test_flush_does_not_cover_later_writes(void **state)
{
	(void)state;
	rig(2, MODERN);
	F.defer = true;
	submit(&A[0], BLK_OP_WRITE, 0, buf_a, 4096);
	fvb_step(&F, 0);
	blk_poll(&B);
	submit(&A[1], BLK_OP_WRITE, 8, buf_a, 4096); /* W, in flight */
	submit(&A[2], BLK_OP_FLUSH, 0, NULL, 0);     /* F1 */
	assert_int_equal(F.q[0].npending, 2);
	assert_true(fvb_complete_at(&F, 0, 0)); /* W completes first */
	blk_poll(&B);
	assert_all(2, 0);
	submit(&A[3], BLK_OP_FLUSH, 0, NULL, 0); /* F2 */
	assert_int_equal(B.stats.flushes_sent, 1);
	fvb_complete(&F, 0, 1); /* F1 */
	blk_poll(&B);
	assert_all(3, 0);
	assert_int_equal(A[3].calls, 0); /* F2 needs its own */
	assert_int_equal(B.stats.flushes_sent, 2);
	assert_int_equal(F.q[0].npending, 1);
	fvb_complete(&F, 0, 1);
	blk_poll(&B);
	assert_all(4, 0);
	assert_int_equal(F.cmd_flush, 2);
	assert_no_violations(&F);
}

/* A failed FLUSH covers nothing: the next flush sends again. */
static void test_flush_error(void **state)
{
	(void)state;
	rig(2, MODERN);
	OK(blk_write(&B, 0, buf_a, 4096));
	fvb_fail_cmd(&F, 1, VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_flush(&B), -EIO);
	assert_int_equal(F.cmd_flush, 1);
	/* Sticky: no later FLUSH may vouch for what the failed one lost. */
	assert_int_equal(blk_flush(&B), -EIO);
	assert_int_equal(F.cmd_flush, 1);
	blk_clear_flush_error(&B);
	OK(blk_flush(&B));
	assert_int_equal(F.cmd_flush, 2);
	OK(blk_flush(&B));
	assert_int_equal(F.cmd_flush, 2);
	assert_no_violations(&F);
}

/* ---- request checks and configurations to refuse ---------------------- */

static void test_request_checks(void **state)
{
	enum { B512, B4K, RO };
	static const struct {
		unsigned dev;
		enum blk_op op;
		u64 sector;
		u32 len;
		bool nobuf;
		int err;
	} cases[] = {
		{ B512, BLK_OP_READ, SECTORS, 512, false, -ERANGE },
		{ B512, BLK_OP_READ, SECTORS - 1, 1024, false, -ERANGE },
		{ B512, BLK_OP_WRITE, ~0ull, 512, false, -ERANGE },
		{ B512, BLK_OP_READ, ~0ull - 1, 1024, false, -ERANGE }, /* no wrap */
		{ B512, BLK_OP_READ, 1ull << 55, 512, false, -ERANGE },
		{ B512, BLK_OP_READ, 0, 100, false, -EINVAL },
		{ B512, BLK_OP_WRITE, 0, 0, false, -EINVAL },
		{ B512, BLK_OP_READ, 0, 512, true, -EINVAL },
		{ B512, BLK_OP_GET_ID, 0, 20, true, -EINVAL },
		{ B512, BLK_OP_GET_ID, 0, 0, false, -EINVAL },
		{ B512, BLK_OP_READ, SECTORS - 1, 512, false, 0 },
		{ B4K, BLK_OP_WRITE, 1, 4096, false, -EINVAL }, /* 512-aligned only */
		{ B4K, BLK_OP_WRITE, 8, 512, false, -EINVAL },
		{ B4K, BLK_OP_READ, 4, 4096, false, -EINVAL },
		{ B4K, BLK_OP_WRITE, SECTORS, 4096, false, -ERANGE }, /* rounded down */
		{ B4K, BLK_OP_WRITE, SECTORS - 8, 4096, false, 0 },
		{ B4K, BLK_OP_WRITE, 8, 8192, false, 0 },
		{ RO, BLK_OP_WRITE, 0, 4096, false, -EROFS },
		{ RO, BLK_OP_READ, 0, 4096, false, 0 },
	};

	(void)state;
	for (unsigned dev = B512; dev <= RO; dev++) {
		u64 cmds = 0;

		/* 4 KiB blocks: one sector more than a whole number of blocks. */
		fvm_init(&M, &F, 2, MODERN | (dev == RO ? F_RO : 0), SECTORS + (dev == B4K));
		F.cfg.blk_size = cpu_to_le32(dev == B4K ? 4096 : 512);
		up();
		assert_int_equal(D->info.capacity, SECTORS);
		assert_int_equal(D->info.read_only, dev == RO);
		for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
			struct blk_req r = { .op = cases[c].op,
					     .sector = cases[c].sector,
					     .buf = cases[c].nobuf ? NULL : buf_a,
					     .len = cases[c].len };
			int err;

			if (cases[c].dev != dev)
				continue;
			fill(buf_a, r.len, c);
			err = blk_submit(&B, &r);
			if (err != cases[c].err)
				print_error("case %u: %d\n", c, err);
			assert_int_equal(err, cases[c].err);
			if (err)
				continue;
			cmds++;
			OK(blk_wait(&B, &r));
			if (r.op == BLK_OP_WRITE)
				assert_memory_equal(disk_at(r.sector), buf_a, r.len);
		}
		assert_int_equal(F.cmds, cmds); /* refused ones never got there */
		assert_no_violations(&F);
	}
}

static void test_invalid_config(void **state)
{
	static const struct {
		const char *what;
		u64 features;
		u32 blk_size;
		u64 capacity;
		u32 seg_max, size_max, qmax;
		int err;
		const char *msg;
	} cases[] = {
		{ "blk_size 1000", F_BSIZE, 1000, SECTORS, 254, 0, 256, -EINVAL,
		  "invalid block size 1000" },
		{ "blk_size 0", F_BSIZE, 0, SECTORS, 254, 0, 256, -EINVAL, "invalid block size 0" },
		{ "blk_size 256", F_BSIZE, 256, SECTORS, 254, 0, 256, -EINVAL,
		  "invalid block size" },
		{ "blk_size 128K", F_BSIZE, 131072, SECTORS, 254, 0, 256, -EINVAL,
		  "invalid block size" },
		{ "capacity 2^60", 0, 512, 1ull << 60, 254, 0, 256, -EINVAL, "overflows" },
		{ "capacity 2^55", 0, 512, 1ull << 55, 254, 0, 256, -EINVAL, "overflows" },
		{ "segments < block", F_BSIZE | F_SEG | F_SIZE, 4096, SECTORS, 1, 512, 256, -EINVAL,
		  "cannot carry one" },
		{ "queue of 2", 0, 512, SECTORS, 254, 0, 2, -EINVAL, "cannot carry one" },
		{ "no queue", 0, 512, SECTORS, 254, 0, 0, -ENOENT, "set-up failed" },
	};

	(void)state;
	for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
		print_message("  %s\n", cases[c].what);
		fvm_init(&M, &F, 2, V1 | F_FLUSH | cases[c].features, 8);
		F.cfg.blk_size = cpu_to_le32(cases[c].blk_size);
		F.cfg.capacity = cpu_to_le64(cases[c].capacity);
		F.cfg.seg_max = cpu_to_le32(cases[c].seg_max);
		F.cfg.size_max = cpu_to_le32(cases[c].size_max);
		F.q[0].max = cases[c].qmax;
		host_console_quiet = true;
		assert_int_equal(up_err(false), cases[c].err);
		assert_null(D);
		/* The reason is printed before FAILED; later lines overwrite it. */
		assert_text_has(F.console_at_failed, cases[c].msg);
		assert_true(fvb_status_has(&F, S_FAILED));
		assert_false(F.status & S_DRIVER_OK);
		assert_no_violations(&F);
	}
	/* The largest capacity whose byte count fits in 64 bits is fine. */
	fvm_init(&M, &F, 2, V1, 8);
	F.cfg.capacity = cpu_to_le64((1ull << 55) - 1);
	up();
	assert_int_equal(D->info.capacity, (1ull << 55) - 1);
}

/*
 * A 4-entry ring leaves two data descriptors; with size_max 1024 that is
 * 2 KiB, less than one 4 KiB block.  The driver must refuse the device at
 * probe (as it does for seg_max x size_max < block size): accepted, every
 * request stays queued until it times out.
 */
static void test_queue_too_short_for_one_block(void **state)
{
	(void)state;
	fvm_init(&M, &F, 2, V1 | F_BSIZE | F_SEG | F_SIZE, SECTORS);
	F.cfg.blk_size = cpu_to_le32(4096);
	F.cfg.seg_max = cpu_to_le32(4);
	F.cfg.size_max = cpu_to_le32(1024);
	F.q[0].max = 4;
	host_console_quiet = true;
	assert_int_equal(up_err(false), -EINVAL);
	assert_true(fvb_status_has(&F, S_FAILED));
	assert_no_violations(&F);
}

/* ---- DISCARD and WRITE_ZEROES ------------------------------------------ */

#define F_DISCARD BIT64(VIRTIO_BLK_F_DISCARD)
#define F_WZ BIT64(VIRTIO_BLK_F_WRITE_ZEROES)

/* The probe line has `field` (" key=value" followed by a space or the end). */
static void assert_probe_has(const char *field)
{
	char desc[512], want[64] = " ";
	size_t n = strlen(field) + 1;
	const char *p;

	assert_true(n < sizeof(want));
	memcpy(want + 1, field, n);
	n = strlen(want);
	vblk_describe(D, desc, sizeof(desc));
	for (p = strstr(desc, want); p; p = strstr(p + 1, want)) {
		if (p[n] == ' ' || p[n] == '\0')
			return;
	}
	fail_msg("probe line lacks '%s': %s", field, desc);
}

/*
 * QEMU 7.2's defaults, on the legacy and the modern interface: both ops
 * negotiated and named, the payload as 5.2.6 says, a discard reading back
 * as zeros or the old data as the device chooses, WRITE_ZEROES as zeros.
 */
static void test_dwz_qemu_defaults(void **state)
{
	(void)state;
	for (u32 version = 1; version <= 2; version++) {
		for (int keeps = 0; keeps < 2; keeps++) {
			rig(version, FEAT(version));
			F.discard_keeps = keeps;
			assert_true(fvb_negotiated(&F, VIRTIO_BLK_F_DISCARD));
			assert_true(fvb_negotiated(&F, VIRTIO_BLK_F_WRITE_ZEROES));
			assert_int_equal(blk_info(&B)->discard_max_sectors,
					 FVB_QEMU_MAX_DWZ_SECTORS);
			assert_int_equal(blk_info(&B)->wz_max_sectors, FVB_QEMU_MAX_DWZ_SECTORS);
			assert_int_equal(blk_info(&B)->discard_align, 1);
			assert_true(blk_info(&B)->wz_may_unmap);
			assert_probe_has("discard_max=4194303");
			assert_probe_has("discard_seg=1");
			assert_probe_has("discard_align=1");
			assert_probe_has("wz_max=4194303");
			assert_probe_has("wz_seg=1");
			assert_probe_has("wz_unmap=1");
			fill(buf_a, 65536, 5);
			OK(blk_write(&B, 256, buf_a, 65536));
			OK(blk_discard(&B, 264, 64));
			OK(blk_write_zeroes(&B, 328, 32, true));
			OK(blk_write_zeroes(&B, 360, 16, false));
			assert_int_equal(F.cmd_discard, 1);
			assert_int_equal(F.cmd_write_zeroes, 2);
			assert_int_equal(F.dwz_unmap, 1);
			assert_memory_equal(disk_at(256), buf_a, 8 * 512);
			for (u32 i = 0; i < 64 * 512; i++)
				assert_int_equal(disk_at(264)[i], keeps ? buf_a[8 * 512 + i] : 0);
			for (u32 i = 0; i < 48 * 512; i++)
				assert_int_equal(disk_at(328)[i], 0);
			assert_memory_equal(disk_at(376), buf_a + 120 * 512, 8 * 512);
			/* A FLUSH follows them, as it would writes. */
			OK(blk_flush(&B));
			assert_int_equal(F.writes_since_flush, 0);
			assert_usable();
			assert_no_violations(&F);
		}
	}
}

/*
 * A range longer than the device takes is split: into several commands of
 * one range each, or several ranges per command (up to our cap), and at
 * multiples of the discard alignment so only the request's own ends may
 * be off it.
 */
static void test_dwz_split_by_limits(void **state)
{
	static const struct {
		u32 max, seg, align;
		u64 sector, n;
		/* Device commands, ranges, most ranges in one: [0] DISCARD, [1] WRITE_ZEROES. */
		u64 cmds[2], ranges[2];
		unsigned max_ranges[2];
		u64 misaligned; /* discard ranges off the alignment */
	} cases[] = {
		{ 8, 1, 1, 0, 64, { 8, 8 }, { 8, 8 }, { 1, 1 }, 0 },
		{ 8, 4, 1, 0, 64, { 2, 2 }, { 8, 8 }, { 4, 4 }, 0 },
		{ 8, 100, 1, 0, 128, { 2, 2 }, { 16, 16 }, { 8, 8 }, 0 },
		/* Discard: [4,16) [16,32) .. [64,80) [80,104); zeroes: by 24 only. */
		{ 24, 1, 16, 4, 100, { 6, 5 }, { 6, 5 }, { 1, 1 }, 2 },
		/* One request of 6 aligned discard ranges, 4 zeroes ranges. */
		{ 24, 8, 16, 16, 96, { 1, 1 }, { 6, 4 }, { 6, 4 }, 0 },
		{ 5, 1, 1, 3, 11, { 3, 3 }, { 3, 3 }, { 1, 1 }, 0 }, /* 5 + 5 + 1 */
	};

	(void)state;
	for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
		for (int wz = 0; wz < 2; wz++) {
			u64 before, ranges;

			fvm_init(&M, &F, 2, MODERN, SECTORS);
			F.cfg.max_discard_sectors = cpu_to_le32(cases[c].max);
			F.cfg.max_discard_seg = cpu_to_le32(cases[c].seg);
			F.cfg.discard_sector_alignment = cpu_to_le32(cases[c].align);
			F.cfg.max_write_zeroes_sectors = cpu_to_le32(cases[c].max);
			F.cfg.max_write_zeroes_seg = cpu_to_le32(cases[c].seg);
			up();
			memset(disk_at(0), 0x5a, 256 * 512);
			before = F.cmds;
			if (wz)
				OK(blk_write_zeroes(&B, cases[c].sector, cases[c].n, false));
			else
				OK(blk_discard(&B, cases[c].sector, cases[c].n));
			ranges = F.dwz_ranges;
			if (F.cmds - before != cases[c].cmds[wz] || ranges != cases[c].ranges[wz])
				fail_msg("case %u %s: %llu commands, %llu ranges", c,
					 wz ? "wz" : "discard",
					 (unsigned long long)(F.cmds - before),
					 (unsigned long long)ranges);
			assert_int_equal(F.max_dwz_ranges, cases[c].max_ranges[wz]);
			assert_int_equal(F.dwz_sectors, cases[c].n);
			if (!wz)
				assert_int_equal(F.discard_misaligned, cases[c].misaligned);
			/* Exactly the range is zeroed. */
			for (u64 sct = 0; sct < 256; sct++) {
				bool in = sct >= cases[c].sector &&
					  sct < cases[c].sector + cases[c].n;

				assert_int_equal(disk_at(sct)[0], in ? 0 : 0x5a);
				assert_int_equal(disk_at(sct)[511], in ? 0 : 0x5a);
			}
			assert_no_violations(&F);
		}
	}
}

/*
 * Configuration values a device may get wrong: each is refused (the op not
 * used, -EOPNOTSUPP without a command) or clamped, with a console line;
 * the device is otherwise fine.
 */
static void test_dwz_hostile_config(void **state)
{
	enum { MAXD, SEGD, ALIGN, MAXW, SEGW, UNMAP, SIZEMAX };
	static const struct {
		const char *what;
		unsigned field;
		u32 val, bs;
		bool discard, wz; /* usable afterwards */
		const char *probe, *msg;
	} cases[] = {
		{ "max_discard_sectors 0", MAXD, 0, 512, false, true, "discard_max=0",
		  "max_discard_sectors 0" },
		{ "max_write_zeroes_sectors 0", MAXW, 0, 512, true, false, "wz_max=0",
		  "max_write_zeroes_sectors 0" },
		{ "max_discard_sectors < block", MAXD, 7, 4096, false, true, "discard_max=0",
		  "less than one 4096-byte block" },
		{ "max_write_zeroes_sectors < block", MAXW, 4, 4096, true, false, "wz_max=0",
		  "less than one 4096-byte block" },
		{ "max_discard_sectors 2^32-1", MAXD, 0xffffffffu, 4096, true, true,
		  "discard_max=4294967288", NULL },
		{ "max_discard_seg 0", SEGD, 0, 512, true, true, "discard_seg=1",
		  "max_discard_seg 0: using 1" },
		{ "max_write_zeroes_seg 0", SEGW, 0, 512, true, true, "wz_seg=1",
		  "max_write_zeroes_seg 0: using 1" },
		{ "max_discard_seg 2^32-1", SEGD, 0xffffffffu, 512, true, true, "discard_seg=8",
		  NULL },
		{ "alignment beyond the disk", ALIGN, 0xffffffffu, 512, true, true,
		  "discard_align=1", "beyond the disk" },
		{ "alignment 12 on 4K", ALIGN, 12, 4096, true, true, "discard_align=16",
		  "rounded up" },
		{ "alignment 0", ALIGN, 0, 4096, true, true, "discard_align=8", NULL },
		{ "may_unmap 7", UNMAP, 7, 512, true, true, "wz_unmap=1", NULL },
		/* The unmap flag asked for is dropped (the fake flags it otherwise). */
		{ "may_unmap 0", UNMAP, 0, 512, true, true, "wz_unmap=0", NULL },
		{ "size_max 8", SIZEMAX, 8, 512, false, false, "discard_max=0",
		  "cannot carry one write_zeroes range" },
	};

	(void)state;
	for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
		u32 v = cases[c].val, spb = cases[c].bs / 512;

		print_message("  %s\n", cases[c].what);
		fvm_init(&M, &F, 2, MODERN | (cases[c].field == SIZEMAX ? F_SIZE : 0), SECTORS);
		F.cfg.blk_size = cpu_to_le32(cases[c].bs);
		F.cfg.discard_sector_alignment = cpu_to_le32(spb);
		switch (cases[c].field) {
		case MAXD: F.cfg.max_discard_sectors = cpu_to_le32(v); break;
		case SEGD: F.cfg.max_discard_seg = cpu_to_le32(v); break;
		case ALIGN: F.cfg.discard_sector_alignment = cpu_to_le32(v); break;
		case MAXW: F.cfg.max_write_zeroes_sectors = cpu_to_le32(v); break;
		case SEGW: F.cfg.max_write_zeroes_seg = cpu_to_le32(v); break;
		case UNMAP: F.cfg.write_zeroes_may_unmap = (u8)v; break;
		default: F.cfg.size_max = cpu_to_le32(v); break;
		}
		host_console_quiet = true;
		host_console_last[0] = '\0';
		up();
		if (cases[c].msg)
			assert_console_has(cases[c].msg);
		else
			assert_string_equal(host_console_last, "");
		assert_probe_has(cases[c].probe);
		assert_int_equal(blk_info(&B)->discard_max_sectors != 0, cases[c].discard);
		assert_int_equal(blk_info(&B)->wz_max_sectors != 0, cases[c].wz);
		/* Whatever is left works, within what the device said. */
		F.cmds = 0;
		assert_int_equal(blk_discard(&B, 8 * spb, 64 * spb),
				 cases[c].discard ? 0 : -EOPNOTSUPP);
		assert_int_equal(blk_write_zeroes(&B, 8 * spb, 64 * spb, true),
				 cases[c].wz ? 0 : -EOPNOTSUPP);
		assert_true(F.cmds >= (u64)cases[c].discard + cases[c].wz);
		assert_int_equal(F.dwz_unmap, cases[c].wz && F.cfg.write_zeroes_may_unmap);
		if (!cases[c].discard && !cases[c].wz)
			assert_int_equal(F.cmds, 0);
		assert_usable();
		assert_no_violations(&F);
	}
}

/*
 * Not offered, read-only, or refused by the device: -EOPNOTSUPP or -EROFS
 * without a command, or the device's UNSUPP status as -EOPNOTSUPP.
 */
static void test_dwz_unsupported(void **state)
{
	(void)state;
	rig(2, MODERN & ~(F_DISCARD | F_WZ));
	assert_int_equal(blk_info(&B)->discard_max_sectors, 0);
	assert_int_equal(blk_info(&B)->wz_max_sectors, 0);
	assert_probe_has("discard_max=0");
	assert_probe_has("wz_max=0");
	assert_int_equal(blk_discard(&B, 0, 8), -EOPNOTSUPP);
	assert_int_equal(blk_write_zeroes(&B, 0, 8, false), -EOPNOTSUPP);
	assert_int_equal(F.cmds, 0);
	/* The configuration fields past the offered features are never read. */
	assert_no_violations(&F);

	rig(2, MODERN | F_RO);
	assert_int_equal(blk_discard(&B, 0, 8), -EROFS);
	assert_int_equal(blk_write_zeroes(&B, 0, 8, true), -EROFS);
	assert_int_equal(F.cmds, 0);

	rig(2, MODERN);
	fvb_fail_cmd(&F, 1, VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(blk_discard(&B, 0, 8), -EOPNOTSUPP);
	fvb_fail_cmd(&F, 1, VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_write_zeroes(&B, 0, 8, false), -EIO);
	assert_usable();
	assert_no_violations(&F);
}

/*
 * The driver's own op check, below the block layer's (which refuses these
 * first, so only a direct submit reaches it): an op the device lacks
 * (FLUSH, DISCARD, WRITE_ZEROES as negotiated) or an unknown one gets
 * -EOPNOTSUPP without a command.
 */
static void assert_driver_refuses(u64 offer)
{
	static const int ops[] = { BLK_OP_FLUSH, BLK_OP_DISCARD, BLK_OP_WRITE_ZEROES, BLK_OP_COUNT,
				   37 };
	static const u64 needs[] = { F_FLUSH, F_DISCARD, F_WZ, ~0ull, ~0ull };

	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
		struct blk_req r = { .op = (enum blk_op)ops[i], .len = 4096 };
		u64 cmds = F.cmds;

		if ((offer & needs[i]) == needs[i])
			continue;
		assert_int_equal(D->ops->submit(D->ctx, &r), -EOPNOTSUPP);
		assert_int_equal(F.cmds, cmds);
	}
	/* What the device has still works. */
	assert_usable();
	assert_int_equal(blk_discard(&B, 0, 8), offer & F_DISCARD ? 0 : -EOPNOTSUPP);
	assert_int_equal(blk_write_zeroes(&B, 0, 8, false), offer & F_WZ ? 0 : -EOPNOTSUPP);
}

/* A reset that finds the device offering `offer` now. */
static void reset_to(u64 offer)
{
	F.features = offer;
	hang_quickly();
	submit(&A[0], BLK_OP_WRITE, 0, buf_a, 4096);
	assert_int_equal(blk_drain(&B), -ETIMEDOUT);
	F.hang = false;
	host_console_quiet = false;
	B.timeout_ms = 100;
}

static void test_driver_op_check(void **state)
{
	static const u64 offers[] = {
		MODERN,
		MODERN & ~(F_FLUSH | F_DISCARD | F_WZ),
		MODERN & ~F_DISCARD,
		MODERN & ~F_WZ,
		MODERN & ~F_FLUSH,
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(offers); i++) {
		rig(2, offers[i]);
		assert_driver_refuses(offers[i]);
		assert_no_violations(&F);
	}
	/* The check follows the device through resets, both ways. */
	rig(2, MODERN);
	reset_to(MODERN & ~(F_FLUSH | F_DISCARD | F_WZ));
	assert_driver_refuses(F.features);
	reset_to(MODERN & ~F_WZ);
	assert_driver_refuses(F.features);
	assert_int_equal(blk_dev_stats(&B)->resets, 2);
	assert_no_violations(&F);
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, t_setup, t_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_roundtrip),
		T_(test_split_seg_max_size_max),
		T_(test_async_64_out_of_order),
		T_(test_queue_full),
		T_(test_indirect_fills_ring),
		T_(test_indirect_off),
		T_(test_indirect_tables_scribbled),
		T_(test_ring_index_wrap),
		T_(test_get_id),
		T_(test_notification_suppression),
		T_(test_doorbell_batched),
		T_(test_needs_reset_at_run_time),
		T_(test_lost_notify_renotified),
		T_(test_status_errors),
		T_(test_status_error_in_split_request),
		T_(test_hostile_used_entries),
		T_(test_legacy_len),
		T_(test_wce_survives_reset),
		T_(test_reset_callback_waits),
		T_(test_timeout_resets_device),
		T_(test_timeout_resubmit_from_callback),
		T_(test_revive_fails),
		T_(test_order_modes),
		T_(test_tag_barrier),
		T_(test_set_write_cache),
		T_(test_flush_merging),
		T_(test_flush_does_not_cover_later_writes),
		T_(test_flush_error),
		T_(test_request_checks),
		T_(test_invalid_config),
		T_(test_queue_too_short_for_one_block),
		T_(test_dwz_qemu_defaults),
		T_(test_dwz_split_by_limits),
		T_(test_dwz_hostile_config),
		T_(test_dwz_unsupported),
		T_(test_driver_op_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
