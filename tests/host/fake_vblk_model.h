/*
 * tests/host/fake_vblk_model.h - the fake virtio-blk device behind both
 * transport fakes (virtio 1.2 sections 2, 3.1 and 5.2): fake_vmmio.c (a
 * virtio-mmio register window) and fake_vpci*.c (a virtio-pci function)
 * are thin register front-ends that decode their layout and call in here.
 *
 * What the model is: the status state machine of 2.1/3.1.1 with its reset,
 * feature negotiation (64-bit, or the low word on the legacy interface),
 * the virtio-blk configuration space with its generation counter, up to
 * FVB_MAX_QUEUES virtqueues (set up from addresses, or from a legacy PFN
 * with the 2.7.2 layout computed independently of the driver), and behind
 * each doorbell a virtio-blk backend over an in-memory disk (IN, OUT,
 * FLUSH, GET_ID, DISCARD, WRITE_ZEROES with their ranges checked against
 * the configured limits) that writes the status byte last and raises the queue
 * interrupt (bit 0 of `isr` on both transports) unless suppressed.
 *
 * Who decides when requests finish: on a notify the device fetches the new
 * avail entries onto the queue's `pending` list.  Unless `defer` (or
 * `hang`) is set it then completes them all at once; with `defer` the test
 * completes them with fvb_complete()/fvb_complete_at(), in any order, at
 * any time.  Since virt_to_phys() is the identity on the host, ring and
 * buffer addresses are dereferenced directly.
 *
 * The model checks the driver too: every protocol slip it or a front-end
 * sees (a status bit cleared, a chain that breaks seg_max or size_max, a
 * register of the wrong width, ...) bumps `violations` and is described in
 * `last_violation`; tests assert there were none.  Misbehaviour is
 * scripted with the knobs below, on either transport; the one-shot ones
 * disarm themselves when they fire.  Everything the device state holds is
 * reset by a status write of 0, counters are not.  Single-threaded.
 */
#ifndef ORDO_TESTS_FAKE_VBLK_MODEL_H
#define ORDO_TESTS_FAKE_VBLK_MODEL_H

#include "drivers/block/virtio_blk_spec.h"
#include "drivers/virtio/virtio_spec.h"
#include "lib/types.h"

struct virtq_desc;

#define FVB_MAX_QUEUES 4u
#define FVB_MAX_QSIZE 1024u /* largest queue the model handles */
#define FVB_STATUS_LOG 64u
#define FVB_TYPE_LOG 256u
#define FVB_SERIAL "ordo-fake-serial-0123456789" /* GET_ID: first 20 bytes */
/* The queue interrupt: VIRTIO_MMIO_INT_VRING and VIRTIO_PCI_ISR_QUEUE alike. */
#define FVB_ISR_QUEUE 1u

/* A scripted status that is not a status: do not write the byte at all. */
#define FVB_STATUS_NONE 0x100u

/* Features a QEMU 7.2 modern virtio-blk device offers (cache=writeback). */
#define FVB_FEAT_QEMU_MODERN                                                                       \
	(BIT64(VIRTIO_BLK_F_SEG_MAX) | BIT64(VIRTIO_BLK_F_GEOMETRY) |                              \
	 BIT64(VIRTIO_BLK_F_BLK_SIZE) | BIT64(VIRTIO_BLK_F_FLUSH) | BIT64(VIRTIO_BLK_F_TOPOLOGY) | \
	 BIT64(VIRTIO_BLK_F_CONFIG_WCE) | BIT64(VIRTIO_BLK_F_MQ) | BIT64(VIRTIO_BLK_F_DISCARD) |   \
	 BIT64(VIRTIO_BLK_F_WRITE_ZEROES) | BIT64(VIRTIO_F_RING_INDIRECT_DESC) |                   \
	 BIT64(VIRTIO_F_RING_EVENT_IDX) | BIT64(VIRTIO_F_VERSION_1))

/* QEMU 7.2's default max-discard-sectors and max-write-zeroes-sectors. */
#define FVB_QEMU_MAX_DWZ_SECTORS 4194303u
/* Most DISCARD/WRITE_ZEROES ranges the model reads from one command. */
#define FVB_MAX_DWZ_RANGES 64u

/* One bad used entry, published with the next completion (one-shot). */
enum fvb_hostile {
	FVB_HOSTILE_NONE,
	FVB_HOSTILE_ID_RANGE,	/* used id == queue size */
	FVB_HOSTILE_ID_NONHEAD, /* used id names the chain's second descriptor */
	FVB_HOSTILE_DUPLICATE,	/* the previous completion is published again first */
	FVB_HOSTILE_LEN,	/* used len one more than the writable bytes offered */
	FVB_HOSTILE_IDX_AHEAD,	/* used idx moves queue size + 1 past the entry */
};

struct fvb_queue {
	u32 max;		    /* largest size allowed, 0: no such queue (kept by reset) */
	u32 num;		    /* current size (QueueNum, queue_size); reset to max */
	bool ready;		    /* live: QueueReady, queue_enable or a PFN */
	u64 desc, avail, used;	    /* descriptor table, driver and device areas */
	u32 pfn, align;		    /* legacy: QueuePFN and the used ring's alignment */
	u16 last_avail;		    /* next avail entry to fetch */
	u16 used_idx;		    /* our used->idx */
	u16 pending[FVB_MAX_QSIZE]; /* fetched heads not yet completed */
	unsigned npending;
	bool have_last; /* last_id/last_len hold a completion */
	u32 last_id, last_len;
	unsigned notifies; /* notifications naming this queue (kept by reset) */
};

struct fake_vblk {
	/* The offer: set by fvb_init(), change before probing. */
	bool legacy; /* the driver speaks the legacy interface (no FEATURES_OK) */
	u64 features;
	unsigned nqueues;
	struct virtio_blk_config cfg;

	/* Behaviour knobs. */
	bool defer;		  /* notify only fetches; the test completes */
	bool hang;		  /* notify only fetches; nothing ever completes */
	bool refuse_features_ok;  /* FEATURES_OK does not stick */
	bool needs_reset;	  /* NEEDS_RESET shows as soon as DRIVER_OK is set */
	unsigned reset_delay;	  /* status reads before a reset reads 0; ~0u never */
	unsigned gen_flips;	  /* config reads that bump the generation; ~0u all */
	bool cfg_unstable;	  /* every config read changes the capacity */
	bool wce_readonly;	  /* writes to `writeback` are ignored */
	bool wce_reset_default;	  /* a reset restores writeback to wce_default, */
	u8 wce_default;		  /* as QEMU's virtio_blk_reset() does */
	bool no_notify;		  /* set VIRTQ_USED_F_NO_NOTIFY in used->flags */
	unsigned lose_notifies;	  /* the next this many notifies never arrive */
	u16 avail_event_ahead;	  /* EVENT_IDX: avail_event = last_avail + this */
	enum fvb_hostile hostile; /* one-shot, see above */
	bool discard_keeps;	  /* DISCARD leaves the old data (else: zeros) */
	bool scribble_tables;	  /* overwrite each indirect table once executed */
	u64 bad_status_cmd;	  /* command number (cmds, from 1) to fail ... */
	unsigned bad_status;	  /* ... with this VIRTIO_BLK_S_* or FVB_STATUS_NONE */

	/* Device state. */
	u8 status;
	u64 driver_features;
	u32 isr; /* FVB_ISR_QUEUE; the transport decides how it is cleared */
	u32 generation;
	unsigned reset_countdown;
	struct fvb_queue q[FVB_MAX_QUEUES];
	u8 *disk; /* disk_bytes, from calloc */
	u64 disk_bytes;

	/* What the driver did. */
	u8 status_log[FVB_STATUS_LOG]; /* every status write, in order */
	unsigned nstatus;
	unsigned violations;
	char last_violation[200];
	u64 cmds; /* commands executed (completed) */
	u64 cmd_in, cmd_out, cmd_flush, cmd_get_id, cmd_other, cmd_barrier;
	u64 cmd_discard, cmd_write_zeroes;
	/* DISCARD/WRITE_ZEROES ranges: how many, the most in one command,
	 * those with the unmap flag, and the discard ranges whose start or
	 * end is off discard_sector_alignment. */
	u64 dwz_ranges, dwz_unmap, discard_misaligned;
	unsigned max_dwz_ranges;
	u64 dwz_sectors;	    /* sectors all ranges covered */
	u32 type_log[FVB_TYPE_LOG]; /* header type of command n at [n % size] */
	u64 writes_since_flush;	    /* OUT commands since the last FLUSH */
	unsigned max_chain;	    /* descriptors in the longest chain */
	unsigned max_data_segs;	    /* data descriptors in one command */
	u32 max_seg_len;	    /* longest data descriptor */
	unsigned max_outstanding;   /* most chains fetched and not completed */
	unsigned notifies, resets, irqs;
	unsigned cfg_reads, cfg_writes, gen_reads;

	/* Indirect descriptors (2.7.5.3) the driver used. */
	u64 indirect_chains;	       /* chains that came through a table */
	struct virtq_desc *last_table; /* the table of the chain just walked, or NULL */
	unsigned last_table_len;       /* its entries */
	/* host_console_last when the driver set FAILED: its reason, since
	 * later messages (e.g. "initialisation failed") overwrite the last. */
	char console_at_failed[256];
};

/*
 * Reset `d` to a fresh device offering `features` (`legacy`: to a driver
 * on the legacy interface), with `nq` queues of 256 entries and a zeroed
 * disk of `sectors` 512-byte sectors (config capacity too), configured as
 * QEMU 7.2 reports it.  The transports' init functions call this.
 */
void fvb_init(struct fake_vblk *d, bool legacy, u64 features, unsigned nq, u64 sectors);

/* Free the disk. */
void fvb_destroy(struct fake_vblk *d);

/* ---- for tests ---------------------------------------------------------- */

/* Fetch new avail entries of queue `qi` onto its pending list.  How many. */
unsigned fvb_fetch(struct fake_vblk *d, unsigned qi);

/* Complete the first `n` pending chains of queue `qi` in order.  How many. */
unsigned fvb_complete(struct fake_vblk *d, unsigned qi, unsigned n);

/* Complete pending chain number `i` (0 = oldest) of queue `qi`.  False if none. */
bool fvb_complete_at(struct fake_vblk *d, unsigned qi, unsigned i);

/* Fetch, then complete everything pending on queue `qi`.  Completions. */
unsigned fvb_step(struct fake_vblk *d, unsigned qi);

/* Header type of command number `n` (1-based, as in `cmds`). */
u32 fvb_cmd_type(const struct fake_vblk *d, u64 n);

/* Fail the command `ahead` commands from now (1 = next) with `status`. */
void fvb_fail_cmd(struct fake_vblk *d, unsigned ahead, unsigned status);

/* True if the driver has written every bit of `bits` into the status. */
static inline bool fvb_status_has(const struct fake_vblk *d, u8 bits)
{
	return (d->status & bits) == bits;
}

/* ---- for the transport front-ends --------------------------------------- */

/* Record a protocol slip of the driver. */
void fvb_violation(struct fake_vblk *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Device status (2.1): a delayed reset reads the old value for a while;
 * writing 0 resets the device (the transport resets its own registers). */
u8 fvb_status_read(struct fake_vblk *d);
void fvb_status_write(struct fake_vblk *d, u32 val);

/* Feature word `sel` offered (0 past the interface's width); the driver's. */
u32 fvb_device_features(const struct fake_vblk *d, u32 sel);
void fvb_driver_features(struct fake_vblk *d, u32 sel, u32 val);

/* The configuration generation, counted in gen_reads. */
u32 fvb_generation(struct fake_vblk *d);

/* Device configuration access at `off`; `limit`: bytes the transport maps. */
u32 fvb_config_read(struct fake_vblk *d, u32 off, unsigned width, u32 limit);
void fvb_config_write(struct fake_vblk *d, u32 off, unsigned width, u32 val);

/* Queue `qi`, or NULL if the device has no such queue. */
struct fvb_queue *fvb_queue(struct fake_vblk *d, unsigned qi);

/* Modern: queue `qi` goes live at its addresses with `num` entries. */
bool fvb_queue_enable(struct fake_vblk *d, unsigned qi);

/* Legacy: queue `qi` goes live at `pfn` (0: stops), layout of 2.7.2. */
bool fvb_queue_legacy(struct fake_vblk *d, unsigned qi, u32 pfn, u32 page_size, u32 align);

/* A notification for queue `qi`: fetch, and complete unless deferred. */
void fvb_notify(struct fake_vblk *d, unsigned qi);

/* virt_to_phys() is the identity on the host. */
static inline void *fvb_ptr(u64 addr)
{
	return (void *)(uintptr_t)addr;
}

static inline bool fvb_negotiated(const struct fake_vblk *d, unsigned bit)
{
	return (d->driver_features & BIT64(bit)) != 0;
}

#endif
