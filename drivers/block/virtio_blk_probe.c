/*
 * drivers/block/virtio_blk_probe.c - virtio block driver, bring-up
 * (virtio 1.2, sections 5.2.3 - 5.2.5).
 *
 * Negotiates the features below, reads and validates the configuration
 * (with the generation counter), sets up the single request queue and the
 * command table, and fills in the blk_dev properties the block layer uses
 * to choose its ordering mode:
 *   volatile cache = CONFIG_WCE negotiated ? config.writeback : FLUSH
 * (Linux's rule; CONFIG_WCE is accepted only together with FLUSH, since a
 * cache we can see but not flush is no use).  BARRIER is a legacy feature
 * and accepted only when FLUSH is not offered, as in virtblk_probe after
 * "virtio_blk: support barriers without FLUSH feature".
 *
 * DISCARD and WRITE_ZEROES are accepted whenever offered; their limits
 * (5.2.4) are validated like every other number the device gives, and an
 * op whose limits make no sense (no sectors, or not one block) is not
 * used, with a console line: the block layer then answers -EOPNOTSUPP.
 */
#include "arch/port.h"
#include "drivers/block/virtio_blk_priv.h"

#include "lib/boot_alloc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define VBLK_MAX_BLOCK_SIZE 65536u

static const struct virtio_feature vblk_feature_table[] = {
	{ VIRTIO_BLK_F_BARRIER, "barrier" },
	{ VIRTIO_BLK_F_SIZE_MAX, "size_max" },
	{ VIRTIO_BLK_F_SEG_MAX, "seg_max" },
	{ VIRTIO_BLK_F_GEOMETRY, "geometry" },
	{ VIRTIO_BLK_F_RO, "ro" },
	{ VIRTIO_BLK_F_BLK_SIZE, "blk_size" },
	{ VIRTIO_BLK_F_FLUSH, "flush" },
	{ VIRTIO_BLK_F_TOPOLOGY, "topology" },
	{ VIRTIO_BLK_F_CONFIG_WCE, "config_wce" },
	{ VIRTIO_BLK_F_DISCARD, "discard" },
	{ VIRTIO_BLK_F_WRITE_ZEROES, "write_zeroes" },
	{ VIRTIO_F_RING_EVENT_IDX, "event_idx" },
	{ VIRTIO_F_VERSION_1, "version_1" },
	{ VIRTIO_F_ACCESS_PLATFORM, "access_platform" },
};

static u64 vblk_fixup_features(struct virtio_dev *vdev, u64 accept)
{
	(void)vdev;
	if (!(accept & BIT64(VIRTIO_BLK_F_FLUSH)))
		accept &= ~BIT64(VIRTIO_BLK_F_CONFIG_WCE);
	else
		accept &= ~BIT64(VIRTIO_BLK_F_BARRIER);
	/* BARRIER exists only in the legacy interface. */
	if (accept & BIT64(VIRTIO_F_VERSION_1))
		accept &= ~BIT64(VIRTIO_BLK_F_BARRIER);
	return accept;
}

/*
 * Read the configuration field by field, each at its own width: virtio
 * 1.2, 4.1.3.1 / 4.2.2.2 require 8- and 16-bit fields to be accessed with
 * 8- and 16-bit accesses (virtio_cread uses the widest aligned access that
 * fits inside the range it is given).
 */
#define VBLK_FIELD(f)                                                                             \
	{                                                                                         \
		offsetof(struct virtio_blk_config, f), sizeof(((struct virtio_blk_config *)0)->f) \
	}

static const struct {
	u8 off, len;
} vblk_config_fields[] = {
	VBLK_FIELD(capacity),
	VBLK_FIELD(size_max),
	VBLK_FIELD(seg_max),
	VBLK_FIELD(geometry.cylinders),
	VBLK_FIELD(geometry.heads),
	VBLK_FIELD(geometry.sectors),
	VBLK_FIELD(blk_size),
	VBLK_FIELD(physical_block_exp),
	VBLK_FIELD(alignment_offset),
	VBLK_FIELD(min_io_size),
	VBLK_FIELD(opt_io_size),
	VBLK_FIELD(writeback),
	/* Read only when their feature was negotiated: see vblk_field_wanted(). */
	VBLK_FIELD(max_discard_sectors),
	VBLK_FIELD(max_discard_seg),
	VBLK_FIELD(discard_sector_alignment),
	VBLK_FIELD(max_write_zeroes_sectors),
	VBLK_FIELD(max_write_zeroes_seg),
	VBLK_FIELD(write_zeroes_may_unmap),
};

/*
 * The DISCARD and WRITE_ZEROES fields exist only with their features: a
 * device without them may map a shorter configuration (QEMU sizes it by
 * the features it offers).
 */
static bool vblk_field_wanted(const struct vblk *vb, unsigned off)
{
	if (off >= offsetof(struct virtio_blk_config, max_write_zeroes_sectors))
		return virtio_has_feature(vb->vdev, VIRTIO_BLK_F_WRITE_ZEROES);
	if (off >= offsetof(struct virtio_blk_config, max_discard_sectors))
		return virtio_has_feature(vb->vdev, VIRTIO_BLK_F_DISCARD);
	return true;
}

int vblk_read_config(struct vblk *vb, struct virtio_blk_config *cfg)
{
	int err = 0;

	memset(cfg, 0, sizeof(*cfg));
	for (unsigned i = 0; i < ARRAY_SIZE(vblk_config_fields) && !err; i++) {
		if (vblk_field_wanted(vb, vblk_config_fields[i].off))
			err = virtio_cread(vb->vdev, vblk_config_fields[i].off,
					   (u8 *)cfg + vblk_config_fields[i].off,
					   vblk_config_fields[i].len);
	}
	return err;
}

/*
 * One op's limits (5.2.4): `max_sectors` per range, `max_seg` ranges per
 * command.  Sets *seg_sectors (whole blocks) and *segs (at most what a
 * command slot and one descriptor of size_max bytes hold), or both to 0,
 * with a console line, if the op cannot be used.
 */
static void vblk_range_limits(struct vblk *vb, const char *op, u32 max_sectors, u32 max_seg,
			      u32 *seg_sectors, u32 *segs)
{
	const struct blk_dev_info *info = &vb->bdev.info;
	u32 spb = info->block_size / BLK_SECTOR_SIZE;
	u32 fit = info->max_segment_size / (u32)sizeof(struct virtio_blk_discard_write_zeroes);

	*seg_sectors = *segs = 0;
	if (max_sectors < spb) {
		kprintf("%s: max_%s_sectors %u is less than one %u-byte block: %s not used\n",
			vb->name, op, max_sectors, info->block_size, op);
		return;
	}
	if (fit == 0) {
		kprintf("%s: size_max %u cannot carry one %s range: %s not used\n", vb->name,
			info->max_segment_size, op, op);
		return;
	}
	if (max_seg == 0) {
		kprintf("%s: max_%s_seg 0: using 1\n", vb->name, op);
		max_seg = 1;
	}
	*seg_sectors = max_sectors - max_sectors % spb;
	*segs = MIN(MIN(max_seg, VBLK_MAX_DWZ_SEGS), fit);
}

/* The most sectors one command covers: the block layer's request limit. */
static u32 vblk_range_request_max(const struct vblk *vb, u32 seg_sectors, u32 segs)
{
	u32 spb = vb->bdev.info.block_size / BLK_SECTOR_SIZE;
	/* A request's length is a u32 of bytes. */
	u64 max = MIN((u64)seg_sectors * segs, (u64)(0xffffffffu >> BLK_SECTOR_SHIFT));

	return (u32)(max - max % spb);
}

/* Check the DISCARD and WRITE_ZEROES configuration; fill in what is usable. */
static void vblk_apply_range_ops(struct vblk *vb, const struct virtio_blk_config *cfg)
{
	struct blk_dev_info *info = &vb->bdev.info;
	u32 spb = info->block_size / BLK_SECTOR_SIZE, align;

	vb->discard_seg_sectors = vb->discard_segs = 0;
	vb->wz_seg_sectors = vb->wz_segs = 0;
	info->discard_max_sectors = info->wz_max_sectors = info->discard_align = 0;
	info->wz_may_unmap = false;
	if (virtio_has_feature(vb->vdev, VIRTIO_BLK_F_DISCARD)) {
		vblk_range_limits(vb, "discard", le32_to_cpu(cfg->max_discard_sectors),
				  le32_to_cpu(cfg->max_discard_seg), &vb->discard_seg_sectors,
				  &vb->discard_segs);
		/* In sectors; less than a block (0 too) means a block. */
		align = le32_to_cpu(cfg->discard_sector_alignment);
		if (align > info->capacity) {
			kprintf("%s: discard_sector_alignment %u beyond the disk: ignored\n",
				vb->name, align);
			align = spb;
		} else if (align % spb && align > spb) {
			kprintf("%s: discard_sector_alignment %u not whole %u-byte blocks: "
				"rounded up\n",
				vb->name, align, info->block_size);
			align += spb - align % spb;
		}
		if (vb->discard_seg_sectors) {
			info->discard_align = MAX(align, spb);
			info->discard_max_sectors = vblk_range_request_max(
				vb, vb->discard_seg_sectors, vb->discard_segs);
		}
	}
	if (virtio_has_feature(vb->vdev, VIRTIO_BLK_F_WRITE_ZEROES)) {
		vblk_range_limits(vb, "write_zeroes", le32_to_cpu(cfg->max_write_zeroes_sectors),
				  le32_to_cpu(cfg->max_write_zeroes_seg), &vb->wz_seg_sectors,
				  &vb->wz_segs);
		if (vb->wz_seg_sectors) {
			info->wz_max_sectors =
				vblk_range_request_max(vb, vb->wz_seg_sectors, vb->wz_segs);
			info->wz_may_unmap = cfg->write_zeroes_may_unmap != 0;
		}
	}
}

/* Check the device's numbers and turn them into blk_dev_info.  0 or -EINVAL. */
static int vblk_apply_config(struct vblk *vb, const struct virtio_blk_config *cfg)
{
	struct virtio_dev *vdev = vb->vdev;
	struct blk_dev_info *info = &vb->bdev.info;
	u64 capacity = le64_to_cpu(cfg->capacity);
	u32 bsize = BLK_SECTOR_SIZE, seg_max = 1, size_max = VBLK_DEFAULT_SEG_BYTES;

	if (virtio_has_feature(vdev, VIRTIO_BLK_F_BLK_SIZE)) {
		bsize = le32_to_cpu(cfg->blk_size);
		if (!IS_POW2(bsize) || bsize < BLK_SECTOR_SIZE || bsize > VBLK_MAX_BLOCK_SIZE) {
			kprintf("%s: invalid block size %u\n", vb->name, bsize);
			return -EINVAL;
		}
	}
	/* Capacity is in 512-byte sectors; its byte count must fit in 64 bits. */
	if (capacity > (~0ull >> BLK_SECTOR_SHIFT)) {
		kprintf("%s: capacity %llu sectors overflows\n", vb->name,
			(unsigned long long)capacity);
		return -EINVAL;
	}
	capacity -= capacity % (bsize / BLK_SECTOR_SIZE);
	if (virtio_has_feature(vdev, VIRTIO_BLK_F_SEG_MAX) && le32_to_cpu(cfg->seg_max))
		seg_max = le32_to_cpu(cfg->seg_max);
	if (virtio_has_feature(vdev, VIRTIO_BLK_F_SIZE_MAX) && le32_to_cpu(cfg->size_max))
		size_max = MIN(le32_to_cpu(cfg->size_max), VBLK_MAX_CMD_BYTES);
	seg_max = MIN(seg_max, VBLK_MAX_SEGS);
	if ((u64)seg_max * size_max < bsize) {
		kprintf("%s: seg_max %u x size_max %u cannot carry one %u-byte block\n", vb->name,
			seg_max, size_max, bsize);
		return -EINVAL;
	}

	info->block_size = bsize;
	info->capacity = capacity;
	info->max_segments = seg_max;
	info->max_segment_size = size_max;
	info->read_only = virtio_has_feature(vdev, VIRTIO_BLK_F_RO);
	info->has_flush = virtio_has_feature(vdev, VIRTIO_BLK_F_FLUSH);
	info->has_barrier = virtio_has_feature(vdev, VIRTIO_BLK_F_BARRIER);
	info->wce_switchable = virtio_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE);
	info->volatile_cache = info->wce_switchable ? cfg->writeback != 0 : info->has_flush;
	vb->tagged = info->has_barrier;
	vb->max_cmd_bytes = (u32)MIN((u64)VBLK_MAX_CMD_BYTES, (u64)seg_max * size_max);
	vb->geometry = cfg->geometry;
	vb->physical_block_exp = cfg->physical_block_exp;
	vb->min_io_size = le16_to_cpu(cfg->min_io_size);
	vb->opt_io_size = le32_to_cpu(cfg->opt_io_size);
	vblk_apply_range_ops(vb, cfg);
	vb->ops = BIT(BLK_OP_READ) | BIT(BLK_OP_WRITE) | BIT(BLK_OP_GET_ID) |
		  (info->has_flush ? BIT(BLK_OP_FLUSH) : 0) |
		  (vb->discard_seg_sectors ? BIT(BLK_OP_DISCARD) : 0) |
		  (vb->wz_seg_sectors ? BIT(BLK_OP_WRITE_ZEROES) : 0);
	return 0;
}

int vblk_write_wce(struct vblk *vb, bool writeback)
{
	u8 now;
	int err;

	virtio_cwrite(vb->vdev, offsetof(struct virtio_blk_config, writeback), 1, writeback);
	err = virtio_cread(vb->vdev, offsetof(struct virtio_blk_config, writeback), &now, 1);
	if (err)
		return err;
	vb->bdev.info.volatile_cache = now != 0;
	vb->bdev.info_gen++;
	return vb->bdev.info.volatile_cache == writeback ? 0 : -EIO;
}

/* virtio_driver.setup: runs between FEATURES_OK and DRIVER_OK. */
static int vblk_setup(struct virtio_dev *vdev, void *ctx)
{
	struct vblk *vb = ctx;
	struct virtio_blk_config cfg;
	int err;

	err = vblk_read_config(vb, &cfg);
	if (err)
		return err;
	err = vblk_apply_config(vb, &cfg);
	if (err)
		return err;
	if (vb->wce_set && vb->bdev.info.wce_switchable) {
		/* A reset restored the host's default: put our setting back. */
		err = vblk_write_wce(vb, vb->wce_writeback);
		if (err)
			return err;
	}
	err = virtio_vq_setup(vdev, 0, &vb->vq, vb->queue_size);
	if (err) {
		kprintf("%s: request queue set-up failed (%s)\n", vb->name, errno_name(err));
		return err;
	}
	/* Header + status + enough data segments for one logical block. */
	if (vb->vq.num < 3 ||
	    (u64)MIN(vb->vq.num - 2u, vb->bdev.info.max_segments) * vb->bdev.info.max_segment_size <
		    vb->bdev.info.block_size) {
		kprintf("%s: a queue of %u entries cannot carry one %u-byte block\n", vb->name,
			vb->vq.num, vb->bdev.info.block_size);
		return -EINVAL;
	}
	if (!vb->cmds) {
		vb->cmds = boot_alloc(sizeof(*vb->cmds) * vb->vq.num, 16);
		if (!vb->cmds)
			return -ENOMEM;
	}
	vb->free_cmds = NULL;
	for (unsigned i = 0; i < vb->vq.num; i++) {
		vb->cmds[i].req = NULL;
		vb->cmds[i].next_free = vb->free_cmds;
		vb->free_cmds = &vb->cmds[i];
	}
	vb->bdev.info.queue_depth = vb->vq.num;
	vb->bdev.info_gen++; /* the block layer looks again (a reset may change it) */
	return 0;
}

static const struct virtio_driver vblk_driver = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.features = vblk_feature_table,
	.nfeatures = ARRAY_SIZE(vblk_feature_table),
	.fixup_features = vblk_fixup_features,
	.setup = vblk_setup,
};

int vblk_reinit(struct vblk *vb)
{
	return virtio_dev_init(vb->vdev, &vblk_driver, vb);
}

int vblk_probe(struct virtio_dev *vdev, unsigned index, unsigned queue_size, struct blk_dev **out)
{
	struct vblk *vb;
	int err;

	if (vdev->device_id != VIRTIO_ID_BLOCK)
		return -ENODEV;
	vb = boot_alloc(sizeof(*vb), 16);
	if (!vb)
		return -ENOMEM;
	vb->vdev = vdev;
	vb->queue_size = MAX(queue_size, 4u);
	snprintf(vb->name, sizeof(vb->name), "vblk%u", index);
	vb->bdev = (struct blk_dev){
		.ops = &vblk_ops,
		.ctx = vb,
		.info.name = vb->name,
	};
	err = vblk_reinit(vb);
	if (err) {
		kprintf("%s: %s: initialisation failed (%s)\n", vb->name, vdev->name,
			errno_name(err));
		return err;
	}
	*out = &vb->bdev;
	return 0;
}

struct vblk *to_vblk(const struct blk_dev *bdev)
{
	BUG_ON(bdev->ops != &vblk_ops);
	return bdev->ctx;
}

int vblk_describe(const struct blk_dev *bdev, char *buf, size_t size)
{
	const struct vblk *vb = to_vblk(bdev);
	char feat[224], irq[12] = "poll";
	const char *ring = vb->vq.packed ? "packed" : "split";

	virtio_features_str(vb->vdev, &vblk_driver, feat, sizeof(feat));
	if (vb->vdev->irq_on)
		snprintf(irq, sizeof(irq), "%u", virtio_irq_number(vb->vdev));
	return snprintf(
		buf, size,
		"transport=%s ring=%s irq=%s intr=%s capacity=%llu bsize=%u features=%s ro=%d "
		"queue=%u seg_max=%u size_max=%u chs=%u/%u/%u phys_bsize=%llu min_io=%u "
		"opt_io=%u discard_max=%u discard_seg=%u discard_align=%u wz_max=%u wz_seg=%u "
		"wz_unmap=%d",
		vb->vdev->transport, ring, irq, virtio_intr_name(vb->vdev),
		(unsigned long long)bdev->info.capacity, bdev->info.block_size, feat,
		bdev->info.read_only, bdev->info.queue_depth, bdev->info.max_segments,
		bdev->info.max_segment_size, le16_to_cpu(vb->geometry.cylinders),
		vb->geometry.heads, vb->geometry.sectors,
		(unsigned long long)bdev->info.block_size << MIN(vb->physical_block_exp, 16),
		vb->min_io_size, vb->opt_io_size, vb->discard_seg_sectors, vb->discard_segs,
		bdev->info.discard_align, vb->wz_seg_sectors, vb->wz_segs, bdev->info.wz_may_unmap);
}

u32 vblk_irq(const struct blk_dev *bdev)
{
	const struct virtio_dev *vdev = to_vblk(bdev)->vdev;

	return virtio_irq_number(vdev);
}

bool vblk_wait_irq(struct blk_dev *bdev, u64 timeout_ns)
{
	struct vblk *vb = to_vblk(bdev);
	u64 before = vb->vdev->irqs, deadline = arch_time_ns() + timeout_ns, now;

	if (!vb->vdev->irq_on)
		return false;
	do {
		now = arch_time_ns();
		virtio_irq_wait(deadline > now ? deadline - now : 0);
	} while (vb->vdev->irqs == before && arch_time_ns() < deadline);
	vb->bdev.stats.irqs = vb->vdev->irqs;
	return vb->vdev->irqs != before;
}

u64 vblk_features(const struct blk_dev *bdev)
{
	return to_vblk(bdev)->vdev->features;
}
