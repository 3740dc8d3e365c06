/*
 * tests/crash/enum.h - epochs, durable and pending sets, crash images.
 *
 * Interface (docs/testing.md section 1, docs/crash-engine.md): a write
 * becomes durable at the completion of the first FLUSH on its device that
 * was submitted after the write completed (on a disk without a volatile
 * cache: at its own completion; a failed write never).  The sorted distinct
 * durability events b_1 < b_2 < ... cut the run into epochs: epoch e is
 * the window (b_e, b_(e+1)] (b_0 = 0, the last epoch ends with the log).
 * D_e is every write durable at b_e; P_e every write submitted before
 * b_(e+1) that is not in D_e.  With two devices (external journal) the
 * events of both cut the same timeline, so P_e spans both devices.
 *
 * A crash state is D_e plus a list of pieces of P_e applied in order: a
 * whole write, a torn write (some of its 512-byte sectors), or a write
 * with one sector replaced by garbage.  Applying in a chosen order is how
 * "any version may survive" is expressed for overlapping writes.
 *
 * DISCARD: the log records one as a write of zeros, so D_e and the
 * pieces give the world where every DISCARD zeroed its blocks (a pending
 * one may or may not have).  Virtio also lets a discarded block read back
 * as its old data, even once the DISCARD is durable: a state with `keep`
 * set is the other world, where the device kept the old data of every
 * DISCARD (durable ones are not applied to D_e, pending pieces that are
 * DISCARDs are skipped).  Between the two, a pending DISCARD may still go
 * either way through the subsets of tier A.
 *
 * An image builder keeps D_e for the current epoch and a hash per sector,
 * so the hash of a crash image (for dedupe) costs only the sectors the
 * pieces touch; the image itself is built only when it must be checked.
 */
#ifndef ORDO_TESTS_CRASH_ENUM_H
#define ORDO_TESTS_CRASH_ENUM_H

#include "tests/crash/engine.h"

struct epochs {
	u32 n;
	u32 *start, *end; /* epoch e is the event window (start, end] */
	u32 *durable;	  /* per write: event it became durable, or SIM_NEVER */
};

void epochs_compute(const struct rec *r, struct epochs *ep);
void epochs_free(struct epochs *ep);

/* P_e into out[] (room for every write), in submission order: its size. */
u32 epoch_pending(const struct rec *r, const struct epochs *ep, u32 e, u32 *out);

/*
 * Oracle bounds, as indices into r->log.c (-1: the initial state):
 * the last transaction acknowledged before event `t`, and the last whose
 * commit record was submitted before event `t`.
 */
int oracle_last_acked(const struct rec *r, u32 t);
int oracle_last_submitted(const struct rec *r, u32 t);

enum piece_how { PC_WHOLE, PC_TORN, PC_GARBAGE };
enum { GB_ZEROS, GB_ONES, GB_RANDOM, GB_ONLY = 0x80 };

struct piece {
	u32 w;	 /* write index */
	u8 how;	 /* PC_* */
	u8 gb;	 /* GB_* for PC_GARBAGE, | GB_ONLY: no other sector of it */
	u64 arg; /* PC_TORN: mask of the sectors written (bit i: sector i;
		  * bits past 63 follow bit 63); PC_GARBAGE: the sector */
};

#define CS_MAX 256

struct cstate {
	u32 epoch;
	bool keep; /* every DISCARD left the old data (see above) */
	u32 n;
	struct piece p[CS_MAX];
};

/* Whether piece p writes sector i of its write. */
bool piece_has(const struct piece *p, u32 i);

/* The earliest event at which `cs` can exist: its lower oracle bound. */
u32 cstate_earliest(const struct rec *r, const struct epochs *ep, const struct cstate *cs);

struct ov_ent {
	u64 key; /* dev << 56 | sector, ~0: free */
	const u8 *data;
};

struct imgb {
	const struct rec *r;
	const struct epochs *ep;
	u32 epoch;
	u8 *dur[SIM_MAX_DEVS];
	u64 *hsec[SIM_MAX_DEVS];
	u64 hsum;
	u32 *dorder, ndorder, dnext; /* durable writes, in the order they land */
	struct ov_ent *ov;	     /* the last hashed state's sectors */
	u32 ovcap, ovn;
	/*
	 * The keep world: for each sector a durable DISCARD zeroed in D_e,
	 * what it held before (data NULL: a later write replaced it).
	 */
	struct ov_ent *keep;
	u32 keepcap, keepn, keep_live;
	u8 *keepbuf; /* the saved sectors, one per DISCARDed sector */
	u32 keepbuf_used;
	u8 gbuf[CS_MAX][BLK_SECTOR_SIZE]; /* garbage sectors of that state */
};

void imgb_init(struct imgb *b, const struct rec *r, const struct epochs *ep);
void imgb_free(struct imgb *b);

/* Hash of the image of `cs` (moves the durable images to cs->epoch,
 * which must not be earlier than the previous call's). */
u64 imgb_hash(struct imgb *b, const struct cstate *cs);

/* Sectors of D_e (the builder's current epoch) a DISCARD zeroed: a state
 * with `keep` differs from its twin only if this or a piece is a DISCARD. */
static inline u32 imgb_discarded(const struct imgb *b)
{
	return b->keep_live;
}

/* The image hashed last, one malloc'd buffer per device. */
void imgb_build(struct imgb *b, u8 *img[]);

#endif
