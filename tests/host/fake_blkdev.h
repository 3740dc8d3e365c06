/*
 * tests/host/fake_blkdev.h - a scriptable struct blk_dev for host tests.
 *
 * Interface: the fake implements kernel/block/blkdev.h.  It queues every
 * request it is given and completes nothing on its own unless told to:
 *  - the test completes requests explicitly (oldest first, a given one, or
 *    all) with a status of its choosing;
 *  - or poll() completes them, as set by poll_mode, with per-op statuses;
 *  - `hang` makes poll() complete nothing (a device that stopped answering),
 *    whatever poll_mode says; explicit completions still work;
 *  - reset() fails everything outstanding with the error it is given.
 * Every submit, reset and write-cache switch is appended to a log, with a
 * snapshot of what was outstanding at that moment, so a test can check
 * ordering after the fact ("no write was at the device when the FLUSH
 * went out").  An optional RAM store makes READ/WRITE move real data
 * (DISCARD and WRITE_ZEROES zero it).
 *
 * Like a real device, it never completes a request from inside submit(),
 * and it copes with submit() being called from a completion callback (the
 * block layer re-sends FLUSH from there): a request is unlinked before its
 * done() runs, and a completion batch covers only what was outstanding
 * when it started.
 */
#ifndef ORDO_TESTS_FAKE_BLKDEV_H
#define ORDO_TESTS_FAKE_BLKDEV_H

#include "kernel/block/blk_fifo.h"

enum fake_ev {
	FAKE_EV_SUBMIT,	  /* submit(); status is what it returned */
	FAKE_EV_COMPLETE, /* a request was completed with `status` */
	FAKE_EV_RESET,	  /* reset(err) */
	FAKE_EV_SET_WCE,  /* set_write_cache(writeback) */
};

struct fake_ev_rec {
	enum fake_ev ev;
	struct blk_req *req; /* SUBMIT/COMPLETE: the request */
	enum blk_op op;	     /* SUBMIT/COMPLETE: copied at the time */
	u32 flags;	     /* SUBMIT: BLK_REQ_* as submitted */
	u64 sector;
	u32 len;
	int status;	/* COMPLETE: status; RESET: err; SUBMIT: return */
	bool writeback; /* SET_WCE */
	/* Outstanding at the device just before this event. */
	unsigned outstanding;
	unsigned outstanding_writes; /* WRITE, DISCARD, WRITE_ZEROES */
};

enum fake_poll_mode {
	FAKE_POLL_NONE, /* poll() completes nothing: the test drives */
	FAKE_POLL_ONE,	/* poll() completes the oldest request */
	FAKE_POLL_ALL,	/* poll() completes everything outstanding */
};

#define FAKE_LOG_MAX 256

struct fake_blkdev {
	struct blk_dev dev;

	/* Behaviour, set by the test. */
	enum fake_poll_mode poll_mode;
	bool hang;		  /* poll() completes nothing */
	unsigned poll_delay;	  /* a slow device: poll() returns 0 this many
			      * times before each poll() that completes */
	int status[BLK_OP_COUNT]; /* per enum blk_op: status poll() gives */
	int submit_err;		  /* nonzero: submit() refuses with this */
	int reset_ret;		  /* what reset() returns */
	u8 *store;		  /* optional backing store, capacity sectors */
	/*
	 * A device whose interrupt never comes: idle() sleeps the whole time
	 * it is allowed (the fake clock jumps by it), as a wait does when only
	 * the timer can end it.  Off: idle() returns at once (a spin).
	 */
	bool idle_sleeps;
	u64 idle_max_ns; /* longest sleep idle() was allowed */

	/* State. */
	struct blk_fifo q;   /* outstanding, oldest first */
	unsigned idle_polls; /* since the last completing poll() */

	/* Counters and the event log. */
	unsigned submits, completions, polls, resets, set_wce_calls;
	unsigned kicks;	 /* kick() calls */
	unsigned kicked; /* submits at the last kick() */
	struct fake_ev_rec log[FAKE_LOG_MAX];
	unsigned nlog;
};

/* The default geometry: 512-byte blocks, 2048 sectors, nothing special. */
struct blk_dev_info fake_blkdev_default_info(void);

/* A fake with `info`, or the default geometry if NULL. */
void fake_blkdev_init(struct fake_blkdev *f, const struct blk_dev_info *info);

/* Complete the oldest outstanding request with `status`: 1, or 0 if none. */
unsigned fake_blkdev_complete_next(struct fake_blkdev *f, int status);

/* Complete everything outstanding now (not what completions submit). */
unsigned fake_blkdev_complete_all(struct fake_blkdev *f, int status);

/* Complete this outstanding request (asserts that it is outstanding). */
void fake_blkdev_complete_req(struct fake_blkdev *f, struct blk_req *req, int status);

/* Outstanding requests of `op`. */
unsigned fake_blkdev_outstanding_op(const struct fake_blkdev *f, enum blk_op op);

/* Number of submits of `op` the fake accepted (all ops if op < 0). */
unsigned fake_blkdev_count_submits(const struct fake_blkdev *f, int op);

/* Index in the log of the n-th (0-based) event `ev` of op (`op` < 0: any), or -1. */
int fake_blkdev_find(const struct fake_blkdev *f, enum fake_ev ev, int op, unsigned n);

#endif
