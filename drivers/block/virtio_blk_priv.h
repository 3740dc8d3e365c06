/*
 * drivers/block/virtio_blk_priv.h - state shared by the two halves of the
 * virtio-blk driver: virtio_blk_probe.c (features, configuration, set-up)
 * and virtio_blk.c (the request path).  Not for other layers.
 */
#ifndef ORDO_VIRTIO_BLK_PRIV_H
#define ORDO_VIRTIO_BLK_PRIV_H

#include "drivers/block/virtio_blk.h"
#include "drivers/block/virtio_blk_spec.h"

/* Longest chain we build: header + data segments + status. */
#define VBLK_MAX_SEGS 128u
#define VBLK_MAX_CHAIN (VBLK_MAX_SEGS + 2)
/* Our cap on one command's data, whatever the device allows. */
#define VBLK_MAX_CMD_BYTES (1u << 20)
/* Segment size when the device sets no SIZE_MAX. */
#define VBLK_DEFAULT_SEG_BYTES (64u * 1024)
/* Our cap on the ranges one DISCARD/WRITE_ZEROES command carries. */
#define VBLK_MAX_DWZ_SEGS 8u

/* One device command; lives in DMA-able memory. */
struct vblk_cmd {
	struct virtio_blk_outhdr hdr; /* device-readable */
	u8 status;		      /* device-writable, written last */
	struct blk_req *req;	      /* owner, NULL while free */
	u32 bytes;		      /* data bytes in this command */
	struct vblk_cmd *next_free;
	/* DISCARD/WRITE_ZEROES: the ranges, device-readable (5.2.6). */
	struct virtio_blk_discard_write_zeroes dwz[VBLK_MAX_DWZ_SEGS];
};

struct vblk {
	struct blk_dev bdev; /* what the block layer sees */
	struct virtio_dev *vdev;
	struct virtq vq;
	struct vblk_cmd *cmds; /* vq.num slots */
	struct vblk_cmd *free_cmds;
	struct blk_req *queue, *queue_tail; /* not yet fully issued */
	u32 max_cmd_bytes;
	unsigned queue_size; /* ring entries asked for */
	bool tagged;	     /* VIRTIO_BLK_F_BARRIER negotiated */
	bool dead;
	bool resetting;	    /* queue, but do not dispatch */
	bool wce_set;	    /* the write cache was switched ... */
	bool wce_writeback; /* ... to this: restored after a reset */
	u32 idle_polls;	    /* polls that found nothing, in a row */
	u64 stall_since;    /* first of those polls with commands out (ns), or 0 */
	char name[16];
	/* Reported in the probe line. */
	struct virtio_blk_geometry geometry;
	u8 physical_block_exp;
	u16 min_io_size;
	u32 opt_io_size;
	/*
	 * DISCARD and WRITE_ZEROES as validated (0: not used): sectors one
	 * range may cover (whole blocks) and ranges per command (at most
	 * VBLK_MAX_DWZ_SEGS); the alignment is bdev.info.discard_align.
	 */
	u32 discard_seg_sectors, discard_segs;
	u32 wz_seg_sectors, wz_segs;
	/*
	 * BIT(BLK_OP_*) for each op the device carries out now, as the
	 * fields above and bdev.info.has_flush say: vblk_submit() refuses the
	 * others with one test.  Set with them (vblk_apply_config(), at probe
	 * and after every reset).
	 */
	u32 ops;
};

extern const struct blk_dev_ops vblk_ops;

/* Read the whole configuration consistently.  0 or -EIO. */
int vblk_read_config(struct vblk *vb, struct virtio_blk_config *cfg);

/*
 * Set the device's write cache (CONFIG_WCE) and read back what it took:
 * updates info.volatile_cache.  0, or -EIO if the device kept the other
 * setting or its configuration could not be read.
 */
int vblk_write_wce(struct vblk *vb, bool writeback);

/* The vblk behind a block device; it must be one (checked). */
struct vblk *to_vblk(const struct blk_dev *bdev);

/* Re-run the virtio initialisation after a reset.  0 or -errno. */
int vblk_reinit(struct vblk *vb);

#endif
