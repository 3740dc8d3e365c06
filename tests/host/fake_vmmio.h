/*
 * tests/host/fake_vmmio.h - a fake virtio-mmio virtio-blk device for host
 * unit tests (virtio 1.2 sections 4.2 and 5.2).
 *
 * Interface: fvm_init() fills a struct fake_vmmio and installs it as the
 * host_io model (arch/host), so readl()/writel() at FVM_BASE reach it.  It
 * implements the register window of both the legacy interface (Version 1:
 * GuestPageSize, QueueNum, QueueAlign, QueuePFN; 4.2.4) and the modern one
 * (Version 2: 64-bit feature words, QueueDesc/Avail/Used, QueueReady,
 * ConfigGeneration; 4.2.2), the status state machine, the virtio-blk
 * configuration space, InterruptStatus/ACK, and behind QueueNotify a
 * virtio-blk backend over an in-memory disk.
 *
 * Who decides when requests finish: on QueueNotify the device fetches the
 * new avail entries onto its `pending` list.  Unless `defer` (or `hang`) is
 * set it then completes them all at once; with `defer` the test completes
 * them with fvm_complete()/fvm_complete_at(), in any order, at any time.
 * Since virt_to_phys() is the identity on the host, ring and buffer
 * addresses are dereferenced directly.
 *
 * The fake checks the driver too: every protocol slip it sees (a read of a
 * write-only register, a status bit cleared, a chain that breaks seg_max or
 * size_max, ...) bumps `violations` and is described in `last_violation`;
 * tests assert there were none.  Misbehaviour is scripted with the knobs
 * below; the one-shot ones disarm themselves when they fire.  Everything
 * the device state holds is reset by a status write of 0, counters are not.
 */
#ifndef ORDO_TESTS_FAKE_VMMIO_H
#define ORDO_TESTS_FAKE_VMMIO_H

#include "drivers/block/virtio_blk_spec.h"
#include "drivers/virtio/virtio_spec.h"
#include "lib/types.h"

#define FVM_BASE 0x0a000000u
#define FVM_WINDOW 0x200u
#define FVM_MAX_QUEUE 1024u /* largest QueueNumMax the fake models */
#define FVM_STATUS_LOG 64u
#define FVM_TYPE_LOG 256u
#define FVM_SERIAL "ordo-fake-serial-0123456789" /* GET_ID: first 20 bytes */

/* A scripted status that is not a status: do not write the byte at all. */
#define FVM_STATUS_NONE 0x100u

/* Features a QEMU 7.2 modern virtio-blk-device offers (cache=writeback). */
#define FVM_FEAT_QEMU_MODERN                                                                       \
	(BIT64(VIRTIO_BLK_F_SEG_MAX) | BIT64(VIRTIO_BLK_F_GEOMETRY) |                              \
	 BIT64(VIRTIO_BLK_F_BLK_SIZE) | BIT64(VIRTIO_BLK_F_FLUSH) | BIT64(VIRTIO_BLK_F_TOPOLOGY) | \
	 BIT64(VIRTIO_BLK_F_CONFIG_WCE) | BIT64(VIRTIO_BLK_F_MQ) | BIT64(VIRTIO_BLK_F_DISCARD) |   \
	 BIT64(VIRTIO_F_RING_INDIRECT_DESC) | BIT64(VIRTIO_F_RING_EVENT_IDX) |                     \
	 BIT64(VIRTIO_F_VERSION_1))

/* One bad used entry, published with the next completion (one-shot). */
enum fvm_hostile {
	FVM_HOSTILE_NONE,
	FVM_HOSTILE_ID_RANGE,	/* used id == queue size */
	FVM_HOSTILE_ID_NONHEAD, /* used id names the chain's second descriptor */
	FVM_HOSTILE_DUPLICATE,	/* the previous completion is published again first */
	FVM_HOSTILE_LEN,	/* used len one more than the writable bytes offered */
	FVM_HOSTILE_IDX_AHEAD,	/* used idx moves queue size + 1 past the entry */
};

struct fvm_queue {
	u32 num;		    /* QueueNum */
	u32 align;		    /* legacy QueueAlign */
	u32 pfn;		    /* legacy QueuePFN */
	bool ready;		    /* live: QueueReady (modern) or PFN != 0 (legacy) */
	u64 desc, avail, used;	    /* addresses the device uses */
	u16 last_avail;		    /* next avail entry to fetch */
	u16 used_idx;		    /* our used->idx */
	u16 pending[FVM_MAX_QUEUE]; /* fetched heads not yet completed */
	unsigned npending;
	bool have_last; /* last_id/last_len hold a completion */
	u32 last_id, last_len;
};

struct fake_vmmio {
	/* Identity and offer: set by fvm_init(), change before probing. */
	u32 magic, version, device_id, vendor_id;
	u64 features;
	u32 queue_num_max;
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
	enum fvm_hostile hostile; /* one-shot, see above */
	u64 bad_status_cmd;	  /* command number (cmds, from 1) to fail ... */
	unsigned bad_status;	  /* ... with this VIRTIO_BLK_S_* or FVM_STATUS_NONE */

	/* Device state. */
	u8 status;
	u64 driver_features;
	u32 dev_feat_sel, drv_feat_sel;
	u32 page_size; /* legacy GuestPageSize */
	u32 queue_sel;
	u32 isr;
	u32 generation;
	unsigned reset_countdown;
	struct fvm_queue q;
	u8 *disk; /* disk_bytes, from calloc */
	u64 disk_bytes;

	/* What the driver did. */
	u8 status_log[FVM_STATUS_LOG]; /* every status write, in order */
	unsigned nstatus;
	unsigned violations;
	char last_violation[160];
	u64 cmds; /* commands executed (completed) */
	u64 cmd_in, cmd_out, cmd_flush, cmd_get_id, cmd_other, cmd_barrier;
	u32 type_log[FVM_TYPE_LOG]; /* header type of command n at [n % size] */
	u64 writes_since_flush;	    /* OUT commands since the last FLUSH */
	unsigned max_chain;	    /* descriptors in the longest chain */
	unsigned max_data_segs;	    /* data descriptors in one command */
	u32 max_seg_len;	    /* longest data descriptor */
	unsigned max_outstanding;   /* most chains fetched and not completed */
	unsigned notifies, resets, irqs, irq_acks;
	unsigned cfg_reads, cfg_writes, gen_reads;
	u32 page_size_writes;
	/* host_console_last when the driver set FAILED: its reason, since
	 * later messages (e.g. "initialisation failed") overwrite the last. */
	char console_at_failed[256];
};

/* Reset `f` to a fresh device of `version` (1 or 2) offering `features`,
 * with a zeroed disk of `sectors` 512-byte sectors (config capacity too),
 * QueueNumMax 256, and install it as host_io. */
void fvm_init(struct fake_vmmio *f, u32 version, u64 features, u64 sectors);

/* Free the disk and uninstall. */
void fvm_destroy(struct fake_vmmio *f);

/* Fetch new avail entries onto the pending list.  Returns how many. */
unsigned fvm_fetch(struct fake_vmmio *f);

/* Complete the first `n` pending chains in order.  Returns how many. */
unsigned fvm_complete(struct fake_vmmio *f, unsigned n);

/* Complete pending chain number `i` (0 = oldest).  False if none. */
bool fvm_complete_at(struct fake_vmmio *f, unsigned i);

/* Fetch, then complete everything pending.  Returns completions. */
unsigned fvm_step(struct fake_vmmio *f);

/* Header type of command number `n` (1-based, as in `cmds`). */
u32 fvm_cmd_type(const struct fake_vmmio *f, u64 n);

/* Fail the command `ahead` commands from now (1 = next) with `status`. */
void fvm_fail_cmd(struct fake_vmmio *f, unsigned ahead, unsigned status);

/* ---- shared by fake_vmmio.c and fake_vmmio_blk.c only ---------------- */

/* Record a protocol slip of the driver. */
void fvm_violation(struct fake_vmmio *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* virt_to_phys() is the identity on the host. */
static inline void *fvm_ptr(u64 addr)
{
	return (void *)(uintptr_t)addr;
}

static inline bool fvm_negotiated(const struct fake_vmmio *f, unsigned bit)
{
	return (f->driver_features & BIT64(bit)) != 0;
}

/* True if the driver has written every bit of `bits` into the status. */
static inline bool fvm_status_has(const struct fake_vmmio *f, u8 bits)
{
	return (f->status & bits) == bits;
}

#endif
