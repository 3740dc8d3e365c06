/*
 * tests/host/test_virtio.c - host tests for the virtio core (virtio.c) and
 * the virtio-mmio transport (virtio_mmio.c), against the fake device of
 * fake_vblk_model.c (F) behind the window of fake_vmmio.c (M), in both its
 * legacy (Version 1) and modern (Version 2) form.
 *
 * A tiny struct virtio_driver stands in for virtio-blk, so what is checked
 * is the core itself: the status sequence of 3.1.1 as the device saw it,
 * feature negotiation, every way initialisation can fail (each one must
 * leave FAILED set), configuration reads under a changing generation
 * counter, queue set-up as the device sees it (legacy PFN/align layout,
 * modern addresses), and vmmio_probe on windows that are not a device.
 * Every test also requires that the fake saw no protocol violation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arch/host/host.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_mmio.h"
#include "drivers/virtio/virtio_mmio_regs.h"
#include "lib/errno.h"
#include "tests/host/fake_vmmio.h"
#include "tests/host/test_util.h"

#define ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define DRV VIRTIO_CONFIG_S_DRIVER
#define FOK VIRTIO_CONFIG_S_FEATURES_OK
#define DOK VIRTIO_CONFIG_S_DRIVER_OK
#define FAILED VIRTIO_CONFIG_S_FAILED
#define V1 BIT64(VIRTIO_F_VERSION_1)
#define F_FLUSH BIT64(VIRTIO_BLK_F_FLUSH)
#define F_BLK_SIZE BIT64(VIRTIO_BLK_F_BLK_SIZE)
#define F_WCE BIT64(VIRTIO_BLK_F_CONFIG_WCE)

static struct fake_vblk F;  /* the device */
static struct fake_vmmio M; /* its virtio-mmio window */

/* ---- a tiny driver ---------------------------------------------------- */

static const struct virtio_feature tdrv_table[] = {
	{ VIRTIO_BLK_F_SEG_MAX, "seg_max" },
	{ VIRTIO_BLK_F_BLK_SIZE, "blk_size" },
	{ VIRTIO_BLK_F_FLUSH, "flush" },
	{ VIRTIO_BLK_F_CONFIG_WCE, "config_wce" },
};

static struct {
	int setup_calls;
	u8 status_at_setup;
	int setup_ret; /* returned by setup when no queue is wanted */
	bool want_vq;
	unsigned vq_index, max_num;
	struct virtq vq;
	u64 fixup_clear, fixup_set;
} T;

static u64 tdrv_fixup(struct virtio_dev *vdev, u64 accept)
{
	(void)vdev;
	return (accept & ~T.fixup_clear) | T.fixup_set;
}

static int tdrv_setup(struct virtio_dev *vdev, void *ctx)
{
	assert_ptr_equal(ctx, &T);
	T.setup_calls++;
	T.status_at_setup = F.status;
	if (T.want_vq)
		return virtio_vq_setup(vdev, T.vq_index, &T.vq, T.max_num);
	return T.setup_ret;
}

static const struct virtio_driver tdrv = {
	.name = "tiny",
	.device_id = VIRTIO_ID_BLOCK,
	.features = tdrv_table,
	.nfeatures = ARRAY_SIZE(tdrv_table),
	.fixup_features = tdrv_fixup,
	.setup = tdrv_setup,
};

/* ---- helpers ---------------------------------------------------------- */

static int t_setup(void **state)
{
	(void)state;
	memset(&T, 0, sizeof(T));
	T.max_num = 256;
	host_console_quiet = false;
	host_time_step_ns = 1000;
	return 0;
}

static int t_teardown(void **state)
{
	(void)state;
	fvm_destroy(&M);
	host_console_quiet = false;
	return 0;
}

/* A fresh fake of `version` offering `features`, probed. */
static struct virtio_dev *probe(u32 version, u64 features)
{
	struct virtio_dev *vdev = NULL;

	fvm_init(&M, &F, version, features, 2048);
	assert_int_equal(vmmio_probe(FVM_BASE, FVM_WINDOW, 0, &vdev), 0);
	assert_non_null(vdev);
	return vdev;
}

static bool log_has_bit(u8 bit)
{
	for (unsigned i = 0; i < F.nstatus && i < FVB_STATUS_LOG; i++) {
		if (F.status_log[i] & bit)
			return true;
	}
	return false;
}

/* ---- the status sequence ---------------------------------------------- */

static void test_status_sequence_modern(void **state)
{
	static const u8 want[] = { 0, ACK, ACK | DRV, ACK | DRV | FOK, ACK | DRV | FOK | DOK };
	struct virtio_dev *vdev = probe(2, V1 | F_FLUSH);

	(void)state;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(F.nstatus, ARRAY_SIZE(want));
	assert_memory_equal(F.status_log, want, sizeof(want));
	/* The driver's setup runs after FEATURES_OK, before DRIVER_OK. */
	assert_int_equal(T.setup_calls, 1);
	assert_int_equal(T.status_at_setup, ACK | DRV | FOK);
	assert_int_equal(F.status, ACK | DRV | FOK | DOK);
	assert_int_equal(M.page_size_writes, 0); /* legacy register untouched */
	assert_no_violations(&F);
}

static void test_status_sequence_legacy(void **state)
{
	static const u8 want[] = { 0, ACK, ACK | DRV, ACK | DRV | DOK };
	struct virtio_dev *vdev = probe(1, F_FLUSH);

	(void)state;
	assert_true(vdev->legacy);
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(F.nstatus, ARRAY_SIZE(want));
	assert_memory_equal(F.status_log, want, sizeof(want));
	assert_false(log_has_bit(FOK)); /* legacy has no FEATURES_OK step */
	assert_int_equal(T.status_at_setup, ACK | DRV);
	assert_int_equal(M.page_size, 4096);
	assert_int_equal(M.page_size_writes, 1);
	assert_no_violations(&F);
}

/* Firmware left the device running, and the reset takes a while. */
static void test_resets_first(void **state)
{
	struct virtio_dev *vdev = probe(2, V1);

	(void)state;
	F.status = ACK | DRV | FOK | DOK;
	F.reset_delay = 5;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(F.status_log[0], 0);
	assert_int_equal(F.status_log[1], ACK); /* only once the reset completed */
	assert_int_equal(F.resets, 1);
	assert_int_equal(F.status, ACK | DRV | FOK | DOK);
	assert_no_violations(&F);
}

static void test_reset_never_completes(void **state)
{
	struct virtio_dev *vdev = probe(2, V1);

	(void)state;
	F.status = ACK | DRV;
	F.reset_delay = ~0u;
	host_time_step_ns = 1000 * 1000; /* 1 ms per clock reading */
	host_console_quiet = true;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), -ETIMEDOUT);
	assert_console_has("did not complete reset");
	assert_true(fvb_status_has(&F, FAILED));
	assert_int_equal(T.setup_calls, 0);
	/* The reset, then FAILED: no ACKNOWLEDGE on a device that never reset. */
	assert_int_equal(F.nstatus, 2);
	assert_int_equal(F.status_log[1], ACK | DRV | FAILED);
	assert_no_violations(&F);
}

/* ---- feature negotiation ---------------------------------------------- */

static void test_features_modern(void **state)
{
	u64 offered = V1 | F_FLUSH | F_BLK_SIZE | BIT64(VIRTIO_BLK_F_RO) | BIT64(VIRTIO_BLK_F_MQ) |
		      BIT64(VIRTIO_F_RING_PACKED) | BIT64(VIRTIO_F_RING_EVENT_IDX) | BIT64(50);
	/* PACKED is the core's, like INDIRECT (test_packed_negotiated). */
	u64 want = V1 | F_FLUSH | F_BLK_SIZE | BIT64(VIRTIO_F_RING_PACKED);
	struct virtio_dev *vdev = probe(2, offered);

	(void)state;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(vdev->device_features, offered);
	assert_int_equal(vdev->features, want);
	assert_int_equal(F.driver_features, want); /* what the device got */
	assert_true(virtio_has_feature(vdev, VIRTIO_BLK_F_FLUSH));
	assert_false(virtio_has_feature(vdev, VIRTIO_BLK_F_SEG_MAX));
	assert_no_violations(&F);
}

static void test_features_legacy(void **state)
{
	/* Bits above 31 do not exist for a legacy device, even if set here. */
	u64 offered = F_FLUSH | F_BLK_SIZE | BIT64(VIRTIO_BLK_F_SCSI) |
		      BIT64(VIRTIO_F_NOTIFY_ON_EMPTY) | V1 | BIT64(40);
	struct virtio_dev *vdev = probe(1, offered);

	(void)state;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(vdev->device_features, offered & 0xffffffffull);
	assert_int_equal(vdev->features, F_FLUSH | F_BLK_SIZE);
	assert_int_equal(F.driver_features, F_FLUSH | F_BLK_SIZE);
	assert_false(virtio_has_feature(vdev, VIRTIO_F_VERSION_1));
	assert_no_violations(&F);
}

/*
 * ACCESS_PLATFORM (QEMU's iommu_platform=on): a modern device that offers
 * it refuses FEATURES_OK without it; ours go through virt_to_phys(), so
 * it is accepted.  Never for a legacy device, which cannot have it.
 */
static void test_features_access_platform(void **state)
{
	u64 ap = BIT64(VIRTIO_F_ACCESS_PLATFORM);
	struct virtio_dev *vdev = probe(2, V1 | F_FLUSH | ap);

	(void)state;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(vdev->features, V1 | F_FLUSH | ap);
	assert_int_equal(F.driver_features, vdev->features);
	assert_no_violations(&F);
}

/* fixup_features may drop bits and add offered ones, never unoffered ones. */
static void test_features_fixup(void **state)
{
	u64 offered = V1 | F_FLUSH | F_BLK_SIZE | BIT64(VIRTIO_BLK_F_MQ);
	struct virtio_dev *vdev = probe(2, offered);

	(void)state;
	T.fixup_clear = F_FLUSH;
	T.fixup_set = BIT64(VIRTIO_BLK_F_MQ) | BIT64(VIRTIO_BLK_F_SCSI);
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(vdev->features, V1 | F_BLK_SIZE | BIT64(VIRTIO_BLK_F_MQ));
	assert_int_equal(F.driver_features, vdev->features);
	assert_no_violations(&F);
}

static void test_features_str(void **state)
{
	struct virtio_dev *vdev = probe(2, V1 | F_FLUSH | F_BLK_SIZE);
	char buf[64], small[6];

	(void)state;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	virtio_features_str(vdev, &tdrv, buf, sizeof(buf));
	assert_string_equal(buf, "blk_size,flush");
	virtio_features_str(vdev, &tdrv, small, sizeof(small));
	assert_string_equal(small, "blk_s"); /* truncated, terminated */
}

/* ---- initialisation failures: each one leaves FAILED set -------------- */

static void test_modern_without_version_1(void **state)
{
	struct virtio_dev *vdev = probe(2, F_FLUSH | F_BLK_SIZE);

	(void)state;
	host_console_quiet = true;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), -ENODEV);
	assert_console_has("lacks VERSION_1");
	assert_true(fvb_status_has(&F, FAILED));
	assert_false(log_has_bit(FOK));
	assert_false(log_has_bit(DOK));
	assert_int_equal(T.setup_calls, 0);
	assert_no_violations(&F);
}

static void test_features_ok_refused(void **state)
{
	struct virtio_dev *vdev = probe(2, V1 | F_FLUSH);

	(void)state;
	F.refuse_features_ok = true;
	host_console_quiet = true;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), -EIO);
	assert_console_has("refused features");
	assert_true(fvb_status_has(&F, FAILED));
	assert_false(F.status & FOK);
	assert_false(log_has_bit(DOK));
	assert_int_equal(T.setup_calls, 0);
	assert_no_violations(&F);
}

static void test_setup_error(void **state)
{
	struct virtio_dev *vdev = probe(2, V1);

	(void)state;
	T.setup_ret = -EINVAL;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), -EINVAL);
	assert_int_equal(T.setup_calls, 1);
	assert_true(fvb_status_has(&F, FAILED));
	assert_false(log_has_bit(DOK));
	assert_no_violations(&F);
}

static void test_needs_reset_after_driver_ok(void **state)
{
	struct virtio_dev *vdev = probe(2, V1);

	(void)state;
	F.needs_reset = true;
	host_console_quiet = true;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), -EIO);
	assert_console_has("needs reset");
	assert_true(fvb_status_has(&F, FAILED));
	assert_no_violations(&F);
}

static void test_wrong_device_untouched(void **state)
{
	struct virtio_dev *vdev;

	(void)state;
	fvm_init(&M, &F, 2, V1, 2048);
	M.device_id = VIRTIO_ID_NET;
	assert_int_equal(vmmio_probe(FVM_BASE, FVM_WINDOW, 0, &vdev), 0);
	assert_int_equal(vdev->device_id, VIRTIO_ID_NET);
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), -ENODEV);
	assert_int_equal(F.nstatus, 0); /* not ours: not even reset */
	assert_no_violations(&F);
}

/* ---- configuration space ---------------------------------------------- */

static void test_config_generation_changes_once(void **state)
{
	struct virtio_dev *vdev = probe(2, V1);
	struct virtio_blk_config cfg;

	(void)state;
	F.cfg.capacity = cpu_to_le64(0x123456789abull);
	F.gen_flips = 1;
	assert_int_equal(virtio_cread(vdev, 0, &cfg, sizeof(cfg)), 0);
	assert_int_equal(le64_to_cpu(cfg.capacity), 0x123456789abull);
	assert_int_equal(le32_to_cpu(cfg.blk_size), 512);
	assert_int_equal(F.gen_reads, 4); /* exactly one retry */
	assert_no_violations(&F);
}

static void test_config_generation_never_settles(void **state)
{
	struct virtio_dev *vdev = probe(2, V1);
	u64 cap;

	(void)state;
	F.gen_flips = ~0u;
	host_console_quiet = true;
	assert_int_equal(virtio_cread(vdev, 0, &cap, sizeof(cap)), -EIO);
	assert_console_has("never stabilised");
	assert_true(F.gen_reads > 2);
	assert_no_violations(&F);
}

/* Legacy has no generation: multi-word fields are read until two agree. */
static void test_config_legacy_double_read(void **state)
{
	struct virtio_dev *vdev = probe(1, 0);
	u64 cap = 0;
	u32 bsize = 0;

	(void)state;
	assert_int_equal(virtio_cread(vdev, 0, &cap, sizeof(cap)), 0);
	assert_int_equal(cap, 2048);
	assert_int_equal(F.cfg_reads, 4); /* two 4-byte reads, twice */
	assert_int_equal(F.gen_reads, 0); /* no such register in v1 */

	F.cfg_unstable = true;
	host_console_quiet = true;
	assert_int_equal(virtio_cread(vdev, 0, &cap, sizeof(cap)), -EIO);
	assert_console_has("never stabilised");
	/* One word is atomic: no second read needed. */
	assert_int_equal(virtio_cread(vdev, 20, &bsize, sizeof(bsize)), 0);
	assert_int_equal(bsize, 512);
	assert_no_violations(&F);
}

/* Odd offsets and lengths use naturally aligned accesses only. */
static void test_config_unaligned_field(void **state)
{
	struct virtio_dev *vdev = probe(2, V1);
	u8 buf[3];

	(void)state;
	F.cfg.geometry.heads = 7;
	F.cfg.geometry.sectors = 9;
	F.cfg.blk_size = cpu_to_le32(0x11223344);
	assert_int_equal(virtio_cread(vdev, 18, buf, 3), 0);
	assert_int_equal(buf[0], 7);
	assert_int_equal(buf[1], 9);
	assert_int_equal(buf[2], 0x44);
	assert_no_violations(&F); /* the fake flags misaligned accesses */
}

static void test_config_write(void **state)
{
	struct virtio_dev *vdev = probe(2, V1 | F_FLUSH | F_WCE);

	(void)state;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(F.cfg.writeback, 1);
	vdev->ops->config_write(vdev, offsetof(struct virtio_blk_config, writeback), 1, 0);
	assert_int_equal(F.cfg.writeback, 0);
	assert_int_equal(vdev->ops->config_read(vdev, 32, 1), 0);
	assert_no_violations(&F);
}

/* ---- queue set-up ----------------------------------------------------- */

static void test_queue_setup_modern(void **state)
{
	struct virtio_dev *vdev = probe(2, V1);

	(void)state;
	F.q[0].max = 100; /* not a power of two: rounded down */
	T.want_vq = true;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(T.vq.num, 64);
	assert_int_equal(F.q[0].num, 64);
	assert_true(F.q[0].ready);
	assert_int_equal(F.q[0].desc, (uintptr_t)T.vq.desc);
	assert_int_equal(F.q[0].avail, (uintptr_t)T.vq.avail);
	assert_int_equal(F.q[0].used, (uintptr_t)T.vq.used);
	assert_int_equal(F.q[0].used % 4, 0);
	assert_no_violations(&F);
}

static void test_queue_setup_legacy(void **state)
{
	struct virtio_dev *vdev = probe(1, 0);

	(void)state;
	T.want_vq = true;
	T.max_num = 128; /* the driver asks for fewer than offered */
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(T.vq.num, 128);
	assert_int_equal(F.q[0].num, 128);
	assert_int_equal(F.q[0].align, 4096);
	assert_int_equal((u64)F.q[0].pfn * 4096, (uintptr_t)T.vq.desc);
	/* The fake computes the 2.7.2 layout itself: the driver must agree. */
	assert_int_equal(F.q[0].avail, (uintptr_t)T.vq.avail);
	assert_int_equal(F.q[0].used, (uintptr_t)T.vq.used);
	assert_int_equal(F.q[0].used % 4096, 0);
	assert_true(F.q[0].ready);
	assert_no_violations(&F);
}

static void test_queue_missing(void **state)
{
	struct virtio_dev *vdev = probe(2, V1);

	(void)state;
	T.want_vq = true;
	T.vq_index = 1; /* QueueNumMax reads 0: no such queue */
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), -ENOENT);
	assert_true(fvb_status_has(&F, FAILED));
	assert_no_violations(&F);
}

/*
 * INDIRECT is the core's: accepted for any driver when offered, named by
 * virtio_features_str, given one table per ring entry by virtio_vq_setup
 * (VIRTIO_INDIRECT_MAX entries, no more than the ring), the same tables
 * after a reset; never accepted when features_off says so.
 */
static void test_indirect_negotiated(void **state)
{
	u64 ind = BIT64(VIRTIO_F_RING_INDIRECT_DESC);
	struct virtio_dev *vdev;
	char buf[64];

	(void)state;
	for (u32 version = 1; version <= 2; version++) {
		struct virtq_desc *tables;

		vdev = probe(version, (version == 2 ? V1 : 0) | F_FLUSH | ind);
		memset(&T.vq, 0, sizeof(T.vq));
		T.want_vq = true;
		assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
		assert_true(F.driver_features & ind);
		virtio_features_str(vdev, &tdrv, buf, sizeof(buf));
		assert_string_equal(buf, "flush,indirect_desc");
		assert_int_equal(T.vq.indirect_max, VIRTIO_INDIRECT_MAX);
		tables = T.vq.indirect;
		assert_non_null(tables);
		assert_int_equal(virtio_dev_reset(vdev), 0);
		assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
		assert_ptr_equal(T.vq.indirect, tables);
		assert_int_equal(T.vq.indirect_max, VIRTIO_INDIRECT_MAX);
		assert_no_violations(&F);
	}

	vdev = probe(2, V1 | F_FLUSH | ind);
	F.q[0].max = 16;
	memset(&T.vq, 0, sizeof(T.vq));
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(T.vq.indirect_max, 16); /* 2.7.5.3.1: not past the ring */

	vdev = probe(2, V1 | F_FLUSH | ind);
	vdev->features_off = ind; /* vblk.indirect=0 */
	memset(&T.vq, 0, sizeof(T.vq));
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_false(F.driver_features & ind);
	assert_false(virtio_has_feature(vdev, VIRTIO_F_RING_INDIRECT_DESC));
	virtio_features_str(vdev, &tdrv, buf, sizeof(buf));
	assert_string_equal(buf, "flush");
	assert_int_equal(T.vq.indirect_max, 0);
	assert_no_violations(&F);
}

/*
 * PACKED is the core's too, for modern devices only: the queue is then a
 * packed ring whose three areas (descriptors, driver and device event
 * structures) the device gets, the same after a reset; a legacy device
 * never negotiates it, and features_off (vblk.packed=0) keeps the split.
 */
static void test_packed_negotiated(void **state)
{
	u64 packed = BIT64(VIRTIO_F_RING_PACKED);
	struct virtio_dev *vdev;
	void *ring;
	char buf[64];

	(void)state;
	vdev = probe(2, V1 | F_FLUSH | packed);
	memset(&T.vq, 0, sizeof(T.vq));
	T.want_vq = true;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_true(F.driver_features & packed);
	virtio_features_str(vdev, &tdrv, buf, sizeof(buf));
	assert_string_equal(buf, "flush,ring_packed");
	assert_true(T.vq.packed);
	ring = T.vq.ring_mem;
	assert_int_equal(F.q[0].desc, (uintptr_t)ring);
	assert_int_equal(F.q[0].avail, (uintptr_t)T.vq.driver_event);
	assert_int_equal(F.q[0].used, (uintptr_t)T.vq.device_event);
	assert_int_equal((uintptr_t)T.vq.driver_event - (uintptr_t)ring, 16 * T.vq.num);
	assert_int_equal(virtio_dev_reset(vdev), 0);
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_true(T.vq.packed);
	assert_ptr_equal(T.vq.ring_mem, ring);
	/* The device stops offering it: a split ring in the same memory. */
	F.features &= ~packed;
	assert_int_equal(virtio_dev_reset(vdev), 0);
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_false(T.vq.packed);
	assert_ptr_equal(T.vq.ring_mem, ring);
	assert_int_equal(F.q[0].used, (uintptr_t)T.vq.used);

	vdev = probe(2, V1 | F_FLUSH | packed);
	vdev->features_off = packed; /* vblk.packed=0 */
	memset(&T.vq, 0, sizeof(T.vq));
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_false(F.driver_features & packed);
	assert_false(T.vq.packed);
	assert_int_equal(F.q[0].avail, (uintptr_t)T.vq.avail);

	/* A legacy device has no bit 34; even a fake that sets it is refused. */
	vdev = probe(1, F_FLUSH | packed);
	memset(&T.vq, 0, sizeof(T.vq));
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_false(virtio_has_feature(vdev, VIRTIO_F_RING_PACKED));
	assert_false(T.vq.packed);
}

/* After a reset the same ring memory is handed to the device again. */
static void test_queue_reuse_after_reset(void **state)
{
	(void)state;
	for (u32 version = 1; version <= 2; version++) {
		struct virtio_dev *vdev = probe(version, version == 2 ? V1 : 0);
		struct virtq_desc *desc;

		T.want_vq = true;
		assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
		desc = T.vq.desc;
		assert_int_equal(virtio_dev_reset(vdev), 0);
		assert_false(F.q[0].ready);
		assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
		assert_ptr_equal(T.vq.desc, desc);
		assert_int_equal(F.q[0].desc, (uintptr_t)desc);
		assert_true(F.q[0].ready);
		assert_no_violations(&F);
	}
}

/* The transport refuses a live queue, a bad size and a wrong layout. */
static void test_queue_setup_refusals(void **state)
{
	(void)state;
	for (u32 version = 1; version <= 2; version++) {
		struct virtio_dev *vdev = probe(version, version == 2 ? V1 : 0);
		phys_addr_t d, a, u;

		T.want_vq = true;
		assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
		d = (uintptr_t)T.vq.desc;
		a = (uintptr_t)T.vq.avail;
		u = (uintptr_t)T.vq.used;
		assert_int_equal(vdev->ops->queue_setup(vdev, 0, 256, d, a, u), -EBUSY);
		assert_int_equal(vdev->ops->queue_setup(vdev, 0, 512, d, a, u), -EINVAL);
		assert_int_equal(vdev->ops->queue_setup(vdev, 0, 0, d, a, u), -EINVAL);
		if (version == 1) {
			assert_int_equal(vdev->ops->queue_setup(vdev, 0, 256, d, a + 16, u),
					 -EINVAL);
			assert_int_equal(
				vdev->ops->queue_setup(vdev, 0, 256, d + 16, a + 16, u + 16),
				-EINVAL);
		}
		assert_int_equal(F.q[0].desc, d); /* the live queue was not touched */
		assert_no_violations(&F);
	}
}

/* ---- interrupts and notification through the transport ---------------- */

static void test_notify_and_irq_ack(void **state)
{
	struct virtio_dev *vdev = probe(2, V1);
	struct virtio_blk_outhdr hdr = { .type = cpu_to_le32(VIRTIO_BLK_T_GET_ID) };
	u8 id[VIRTIO_BLK_ID_BYTES], status = 0xff;
	struct virtq_buf bufs[] = { { &hdr, sizeof(hdr) }, { id, sizeof(id) }, { &status, 1 } };
	u32 len = 0;

	(void)state;
	T.want_vq = true;
	assert_int_equal(virtio_dev_init(vdev, &tdrv, &T), 0);
	assert_int_equal(vdev->ops->irq_ack(vdev), 0);
	assert_int_equal(M.irq_acks, 0); /* nothing pending: no ACK write */

	assert_int_equal(virtq_add(&T.vq, bufs, 1, 2, &hdr), 0);
	assert_true(virtq_kick(&T.vq));
	assert_int_equal(F.notifies, 1);
	assert_ptr_equal(virtq_get_used(&T.vq, &len), &hdr);
	assert_int_equal(len, sizeof(id) + 1);
	assert_int_equal(status, VIRTIO_BLK_S_OK);
	assert_memory_equal(id, FVB_SERIAL, sizeof(id));

	assert_int_equal(vdev->ops->irq_ack(vdev), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(M.irq_acks, 1);
	assert_int_equal(F.isr, 0);
	assert_no_violations(&F);
}

/* ---- vmmio_probe ------------------------------------------------------ */

static void test_probe_identity(void **state)
{
	(void)state;
	for (u32 version = 1; version <= 2; version++) {
		struct virtio_dev *vdev = NULL;

		fvm_init(&M, &F, version, 0, 8);
		assert_int_equal(vmmio_probe(FVM_BASE, FVM_WINDOW, 3, &vdev), 0);
		assert_int_equal(vdev->legacy, version == 1);
		assert_string_equal(vdev->transport, version == 1 ? "mmio-v1" : "mmio-v2");
		assert_int_equal(vdev->queue_align, version == 1 ? 4096 : 16);
		assert_int_equal(vdev->device_id, VIRTIO_ID_BLOCK);
		assert_int_equal(vdev->vendor_id, 0x554d4551);
		assert_string_equal(vdev->name, "virtio-mmio3");
		assert_int_equal(F.nstatus, 0); /* probing does not touch status */
		assert_no_violations(&F);
	}
}

static void test_probe_not_a_device(void **state)
{
	static const struct {
		const char *what;
		u32 magic, version, device_id;
		u64 window;
		int err;
		const char *msg;
	} cases[] = {
		{ "bad magic", 0x12345678, 2, 2, FVM_WINDOW, -EINVAL, NULL },
		{ "magic byte-swapped", 0x76697274, 2, 2, FVM_WINDOW, -EINVAL, NULL },
		{ "version 3", VIRTIO_MMIO_MAGIC, 3, 2, FVM_WINDOW, -EINVAL,
		  "unsupported version 3" },
		{ "version 0", VIRTIO_MMIO_MAGIC, 0, 2, FVM_WINDOW, -EINVAL,
		  "unsupported version 0" },
		{ "empty slot", VIRTIO_MMIO_MAGIC, 2, 0, FVM_WINDOW, -ENODEV, NULL },
		{ "empty legacy slot", VIRTIO_MMIO_MAGIC, 1, 0, FVM_WINDOW, -ENODEV, NULL },
		{ "window too small", VIRTIO_MMIO_MAGIC, 2, 2, 0x80, -EINVAL, NULL },
		{ "window without config space", VIRTIO_MMIO_MAGIC, 2, 2, 0x100, -EINVAL, NULL },
	};

	(void)state;
	host_console_quiet = true;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct virtio_dev *vdev = NULL;

		fvm_init(&M, &F, cases[i].version, V1, 8);
		M.magic = cases[i].magic;
		M.device_id = cases[i].device_id;
		host_console_last[0] = '\0';
		print_message("  %s\n", cases[i].what);
		assert_int_equal(vmmio_probe(FVM_BASE, cases[i].window, 0, &vdev), cases[i].err);
		assert_null(vdev);
		if (cases[i].msg)
			assert_console_has(cases[i].msg);
		assert_int_equal(F.nstatus, 0);
		assert_no_violations(&F);
	}
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, t_setup, t_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_status_sequence_modern),
		T_(test_status_sequence_legacy),
		T_(test_resets_first),
		T_(test_reset_never_completes),
		T_(test_features_modern),
		T_(test_features_legacy),
		T_(test_features_fixup),
		T_(test_features_str),
		T_(test_indirect_negotiated),
		T_(test_packed_negotiated),
		T_(test_features_access_platform),
		T_(test_modern_without_version_1),
		T_(test_features_ok_refused),
		T_(test_setup_error),
		T_(test_needs_reset_after_driver_ok),
		T_(test_wrong_device_untouched),
		T_(test_config_generation_changes_once),
		T_(test_config_generation_never_settles),
		T_(test_config_legacy_double_read),
		T_(test_config_unaligned_field),
		T_(test_config_write),
		T_(test_queue_setup_modern),
		T_(test_queue_setup_legacy),
		T_(test_queue_missing),
		T_(test_queue_reuse_after_reset),
		T_(test_queue_setup_refusals),
		T_(test_notify_and_irq_ack),
		T_(test_probe_identity),
		T_(test_probe_not_a_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
