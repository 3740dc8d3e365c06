/*
 * tests/crash/simdisk.h - a simulated disk with a volatile write cache that
 * records everything the layers above it do, for the crash-state engine.
 *
 * Interface: a struct simdisk is a struct blk_dev (kernel/block/blkdev.h)
 * backed by a RAM image.  It follows the device contract of
 * docs/testing.md to the letter:
 *
 *  - submit() only queues; every request completes from a later poll() (or
 *    reset()), in a seeded pseudo-random order, a few per poll() call, so
 *    writes really are still in flight while later requests are submitted;
 *  - a completed write updates the media, and reads return the media: the
 *    data of the most recently completed write of each sector;
 *  - durability is not modelled here at all: the event log is.  A FLUSH
 *    covers exactly the writes that completed before it was submitted; the
 *    enumerator (enum.h) derives the durable and pending sets from the log.
 *
 * Several disks (an external journal) share one struct sim_log, so one
 * global event order holds the submits and completions of every device and
 * the journal's commit hooks (COMMIT: a commit record was submitted, ACK: a
 * transaction is about to be acknowledged).  A log may also inject one I/O
 * error (the k-th write or flush, once or sticky) for tier E.
 *
 * Single-threaded, like the block layer above it.
 */
#ifndef ORDO_TESTS_CRASH_SIMDISK_H
#define ORDO_TESTS_CRASH_SIMDISK_H

#include "kernel/block/blkdev.h"

#define SIM_MAX_DEVS 2
#define SIM_NEVER UINT32_MAX /* an event that did not happen */

enum sim_ev_kind {
	SIM_EV_WSUB,   /* write submitted (ref: write index) */
	SIM_EV_WDONE,  /* write completed (ref: write index) */
	SIM_EV_FSUB,   /* FLUSH submitted (ref: flush index) */
	SIM_EV_FDONE,  /* FLUSH completed (ref: flush index) */
	SIM_EV_COMMIT, /* on_commit_submit hook (ref: commit index) */
	SIM_EV_ACK,    /* on_commit_ack hook (ref: commit index) */
};

struct sim_ev {
	u8 kind; /* enum sim_ev_kind */
	u8 dev;
	u32 ref;
};

/*
 * One recorded write; `sub`/`done` are event indices (the log's clock).
 * DISCARD and WRITE_ZEROES are recorded as writes of zeros (what the media
 * reads afterwards); `discard` marks a DISCARD, which virtio also lets
 * leave the old data: a crash state where it did is as valid (the
 * enumerator may explore it).
 */
struct sim_write {
	u8 dev;
	bool discard;
	int status; /* of the completion: 0 or -errno */
	u64 sector;
	u32 nsect;
	u8 *data; /* copy taken at submit */
	u32 sub, done;
};

struct sim_flush {
	u8 dev;
	int status;
	u32 sub, done;
};

/* One transaction as the journal's hooks reported it. */
struct sim_commit {
	u64 seq;
	u32 sub, ack; /* events: commit record submitted, acknowledged */
	u32 state;    /* logical state after it (the engine's state table) */
	u32 changes;  /* the workload's changing calls it holds (wl_ctx.changes) */
};

/* Tier E: the k-th (1-based) write or flush on any device fails. */
struct sim_fault {
	enum blk_op op; /* BLK_OP_WRITE or BLK_OP_FLUSH; k == 0: no fault */
	u32 k;
	bool sticky; /* every later write and flush fails too */
	int err;     /* -EIO or -ENOSPC */
	/* Filled in as the run goes. */
	bool fired;
	/*
	 * Only DISCARDs have failed so far: DISCARD is advisory, so the
	 * filesystem rightly carries on; nothing has to fail after them (the
	 * run's crash states are still checked).  A sticky fault becomes
	 * live at the first other request it fails, and done_ev is then
	 * that one's completion.
	 */
	bool advisory;
	u32 done_ev; /* completion event of the failed request */
};

/* Has a fault fired that the layers above must report (not advisory)? */
static inline bool sim_fault_live(const struct sim_fault *f)
{
	return f->fired && !f->advisory;
}

#define SIM_VEC(type)       \
	struct {            \
		type *v;    \
		u32 n, cap; \
	}

struct sim_log {
	SIM_VEC(struct sim_ev) ev;
	SIM_VEC(struct sim_write) w;
	SIM_VEC(struct sim_flush) f;
	SIM_VEC(struct sim_commit) c;
	struct sim_fault fault;
	u32 writes_seen, flushes_seen; /* submitted so far, for the fault */
	/* While set (the live tree is being compared with the model), polls
	 * complete reads only, so looking does not change the schedule. */
	bool reads_only;
	/* A write buffer changed between submit and completion. */
	bool buf_changed;
	u32 buf_changed_write;
};

/* Figures of one disk (the protocol checks of main.c). */
struct sim_counters {
	u64 reads, writes, flushes;
	u64 redundant_flushes; /* nothing completed since the previous FLUSH */
	u64 undrained_flushes; /* submitted while a write was in flight */
	u64 requests;
};

struct simdisk_cfg {
	const char *name;
	u32 block_size; /* logical block size: 512 or 4096 */
	u64 bytes;	/* capacity */
	bool volatile_cache;
	u64 seed;
	struct sim_log *log; /* NULL: do not record */
	u8 dev_index;	     /* this disk's number in the log */
	u64 max_requests;    /* 0: unlimited; beyond it the disk dies (hang) */
	bool discard;	     /* offer DISCARD and WRITE_ZEROES (both zero the media) */
	/*
	 * A poll completes nothing one time in two: a wait then idles, and
	 * a threaded workload's other threads run (group commit).
	 */
	bool slow;
};

struct sim_slot {
	struct blk_req *req;
	u32 widx;    /* write or flush index in the log, or SIM_NEVER */
	int failure; /* injected status */
};

struct simdisk {
	struct blk_dev dev;
	struct simdisk_cfg cfg;
	u8 *media; /* cfg.bytes, malloc'd, owned */
	struct sim_slot *q;
	u32 nq, qcap;
	u32 writes_in_flight;
	bool completed_since_flush; /* a write completed since the last FLUSH submit */
	bool hung;		    /* max_requests exceeded: now dead */
	u64 rng;
	struct sim_counters st;
};

/*
 * Set up `d` with a copy of `image` (cfg->bytes; NULL: zeroes) or, with
 * simdisk_init_adopt(), taking ownership of the malloc'd `image`.
 * 0 or -ENOMEM.
 */
int simdisk_init(struct simdisk *d, const struct simdisk_cfg *cfg, const u8 *image);
int simdisk_init_adopt(struct simdisk *d, const struct simdisk_cfg *cfg, u8 *image);

/* Free the disk and its media; requests still queued are dropped. */
void simdisk_free(struct simdisk *d);

/* Take the media away from the disk (the caller frees it); disk freed. */
u8 *simdisk_release(struct simdisk *d);

/* Append a hook event (COMMIT or ACK) for commit `ref`: its event index. */
u32 sim_log_event(struct sim_log *log, enum sim_ev_kind kind, u8 dev, u32 ref);

/* Add a commit (COMMIT event included): its index in log->c. */
u32 sim_log_commit(struct sim_log *log, u64 seq, u32 state);

/* Free everything the log holds and zero it. */
void sim_log_free(struct sim_log *log);

/*
 * Disk-sized buffers, recycled: the engine makes and drops thousands of
 * images of the same few sizes, and fresh mappings cost page faults.
 */
u8 *sim_buf_alloc(u64 bytes);
void sim_buf_free(u8 *p, u64 bytes);

/* A small, fast pseudo-random generator (splitmix64). */
static inline u64 sim_rand(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
