/*
 * tests/crash/selftest.c - the engine's own tests, without a filesystem:
 * the simulated disk keeps the device contract and records what it must,
 * and the enumerator computes epochs, durable and pending sets, oracle
 * bounds and image hashes exactly as docs/testing.md defines them.
 * A toy writer drives the disk through the block layer.  Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/crash/enum.h"
#include "lib/errno.h"

static unsigned tests, failures;

static void ok(bool cond, const char *what)
{
	tests++;
	failures += !cond;
	printf("%s %u - %s\n", cond ? "ok" : "not ok", tests, what);
}

/* ---- the simulated disk -------------------------------------------------- */

static struct simdisk disk;
static struct blk blk;
static struct sim_log slog;
static int done_calls;

static void count_done(struct blk_req *r)
{
	(void)r;
	done_calls++;
}

static void open_disk(bool vol, u64 seed)
{
	struct simdisk_cfg cfg = { .name = "toy",
				   .block_size = 512,
				   .bytes = 64 * 1024,
				   .volatile_cache = vol,
				   .seed = seed,
				   .log = &slog };

	memset(&slog, 0, sizeof(slog));
	slog.fault.done_ev = SIM_NEVER;
	simdisk_init(&disk, &cfg, NULL);
	blk_init(&blk, &disk.dev, false);
}

static void close_disk(void)
{
	simdisk_free(&disk);
	sim_log_free(&slog);
}

static void test_disk_contract(void)
{
	static u8 buf[8][512], rd[512];
	struct blk_req r[8];
	bool reordered = false;

	open_disk(true, 7);
	done_calls = 0;
	for (u32 i = 0; i < 8; i++) {
		memset(buf[i], 'a' + (int)i, sizeof(buf[i]));
		r[i] = (struct blk_req){ .op = BLK_OP_WRITE,
					 .sector = 3,
					 .buf = buf[i],
					 .len = 512,
					 .done = count_done };
		blk_submit(&blk, &r[i]);
	}
	ok(done_calls == 0, "submit never completes a request");
	ok(blk_drain(&blk) == 0 && done_calls == 8, "every request completes from poll");
	for (u32 i = 1; i < slog.w.n; i++)
		reordered |= slog.w.v[i].done < slog.w.v[i - 1].done;
	ok(reordered, "completions come in another order than submissions");
	blk_read(&blk, 3, rd, sizeof(rd));
	/* The last write to complete is the one with the largest done event. */
	u32 last = 0;

	for (u32 i = 1; i < slog.w.n; i++)
		last = slog.w.v[i].done > slog.w.v[last].done ? i : last;
	ok(!memcmp(rd, buf[last], sizeof(rd)), "a read returns the last completed write");
	ok(blk_flush(&blk) == 0 && slog.f.n == 1 && disk.st.undrained_flushes == 0 &&
		   disk.st.redundant_flushes == 0,
	   "a drained FLUSH is recorded, neither undrained nor redundant");
	/*
	 * The block layer never sends a FLUSH with nothing new to cover; make
	 * it believe a write completed since, so the disk's check can be seen
	 * to work.
	 */
	struct blk_req f = { .op = BLK_OP_FLUSH };

	disk.dev.flush.writes_done++;
	ok(blk_flush(&blk) == 0 && disk.st.redundant_flushes == 1,
	   "a FLUSH with nothing completed is redundant");
	/* A FLUSH submitted while a write is in flight: undrained. */
	blk_write(&blk, 5, buf[0], 512);
	r[0].done = NULL;
	blk_submit(&blk, &r[0]);
	blk_submit(&blk, &f);
	ok(disk.st.undrained_flushes == 1, "a FLUSH with a write in flight is undrained");
	blk_drain(&blk);
	close_disk();
}

static void test_fault(void)
{
	static u8 buf[512];

	open_disk(true, 3);
	slog.fault =
		(struct sim_fault){ .op = BLK_OP_WRITE, .k = 2, .err = -EIO, .done_ev = SIM_NEVER };
	ok(blk_write(&blk, 0, buf, 512) == 0 && blk_write(&blk, 1, buf, 512) == -EIO &&
		   blk_write(&blk, 2, buf, 512) == 0,
	   "the k-th write fails once");
	ok(slog.fault.fired && slog.w.v[1].status == -EIO && slog.fault.done_ev == slog.w.v[1].done,
	   "the failure is in the log");
	close_disk();
}

/* ---- the enumerator on a hand-written log ---------------------------------- */

static u8 wdata[4][512];

static void ev(struct rec *r, enum sim_ev_kind k, u32 ref)
{
	struct sim_log *l = &r->log;

	sim_log_event(l, k, 0, ref);
	if (k == SIM_EV_WSUB)
		l->w.v[ref].sub = l->ev.n - 1;
	else if (k == SIM_EV_WDONE)
		l->w.v[ref].done = l->ev.n - 1;
	else if (k == SIM_EV_FSUB)
		l->f.v[ref].sub = l->ev.n - 1;
	else if (k == SIM_EV_FDONE)
		l->f.v[ref].done = l->ev.n - 1;
}

/*
 *  0 WSUB w0 (sector 0)   1 WDONE w0   2 FSUB f0     3 WSUB w1 (sector 1)
 *  4 FDONE f0 (w0 durable) 5 WDONE w1  6 WSUB w2 (sector 0)  7 FSUB f1
 *  8 WDONE w2   9 FDONE f1 (w1 durable; w2 completed after f1 was sent)
 * 10 WSUB w3 (never completes)
 */
static void build_log(struct rec *r, bool vol)
{
	static struct wl_def wl = { .name = "selftest", .block_size = 512 };
	static const u64 sect[4] = { 0, 1, 0, 2 };
	static const enum sim_ev_kind k[] = { SIM_EV_WSUB,  SIM_EV_WDONE, SIM_EV_FSUB, SIM_EV_WSUB,
					      SIM_EV_FDONE, SIM_EV_WDONE, SIM_EV_WSUB, SIM_EV_FSUB,
					      SIM_EV_WDONE, SIM_EV_FDONE, SIM_EV_WSUB };
	static const u32 ref[] = { 0, 0, 0, 1, 0, 1, 2, 1, 2, 1, 3 };

	memset(r, 0, sizeof(*r));
	r->wl = &wl;
	r->ndev = 1;
	r->bytes[0] = 4096;
	r->vol = vol;
	r->base[0] = sim_buf_alloc(4096);
	memset(r->base[0], 0, 4096);
	for (u32 i = 0; i < 4; i++) {
		struct sim_write w = {
			.sector = sect[i], .nsect = 1, .data = malloc(512), .done = SIM_NEVER
		};

		memset(wdata[i], '0' + (int)i, 512);
		memcpy(w.data, wdata[i], 512);
		r->log.w.v = realloc(r->log.w.v, (r->log.w.n + 1) * sizeof(w));
		r->log.w.v[r->log.w.n++] = w;
	}
	r->log.f.v = calloc(2, sizeof(struct sim_flush));
	r->log.f.n = 2;
	for (u32 i = 0; i < ARRAY_SIZE(k); i++)
		ev(r, k[i], ref[i]);
}

static void drop_log(struct rec *r)
{
	sim_buf_free(r->base[0], r->bytes[0]);
	sim_log_free(&r->log);
}

static bool pend_is(const struct rec *r, const struct epochs *ep, u32 e, u32 a, u32 b)
{
	u32 p[4], n = epoch_pending(r, ep, e, p);

	return n == 2 && p[0] == a && p[1] == b;
}

static void test_epochs(void)
{
	struct epochs ep;
	struct rec r;

	build_log(&r, true);
	epochs_compute(&r, &ep);
	ok(ep.durable[0] == 4 && ep.durable[1] == 9 && ep.durable[2] == SIM_NEVER &&
		   ep.durable[3] == SIM_NEVER,
	   "a write is durable when a FLUSH sent after it completed completes");
	ok(ep.n == 3 && ep.start[1] == 4 && ep.end[1] == 9 && ep.end[2] == r.log.ev.n,
	   "epochs are cut at the durability events");
	ok(pend_is(&r, &ep, 0, 0, 1) && pend_is(&r, &ep, 1, 1, 2) && pend_is(&r, &ep, 2, 2, 3),
	   "P_e: submitted before F_(e+1) completed, not in D_e");
	epochs_free(&ep);
	r.vol = false;
	epochs_compute(&r, &ep);
	ok(ep.durable[0] == 1 && ep.durable[1] == 5 && ep.durable[2] == 8 && ep.n == 4,
	   "without a volatile cache a write is durable when it completes");
	epochs_free(&ep);
	drop_log(&r);
}

static void test_oracle(void)
{
	struct rec r;

	build_log(&r, true);
	sim_log_commit(&r.log, 5, 0);				    /* event 11 */
	r.log.c.v[0].ack = sim_log_event(&r.log, SIM_EV_ACK, 0, 0); /* 12 */
	sim_log_commit(&r.log, 6, 0);				    /* 13 */
	ok(oracle_last_acked(&r, 12) == -1 && oracle_last_acked(&r, 13) == 0,
	   "last acknowledged before an event");
	ok(oracle_last_submitted(&r, 11) == -1 && oracle_last_submitted(&r, 14) == 1,
	   "last commit record submitted before an event");
	drop_log(&r);
}

static void test_images(void)
{
	struct epochs ep;
	struct imgb *b = malloc(sizeof(*b));
	struct cstate cs = { 0 };
	u8 *img[SIM_MAX_DEVS];
	struct rec r;
	u64 h[4];

	build_log(&r, true);
	epochs_compute(&r, &ep);
	imgb_init(b, &r, &ep);
	/* Epoch 1: D = {w0}; pending w1, w2 (w2 overlaps w0). */
	cs.epoch = 1;
	h[0] = imgb_hash(b, &cs);
	imgb_build(b, img);
	ok(!memcmp(img[0], wdata[0], 512) && img[0][512] == 0, "D_1 holds w0 only");
	sim_buf_free(img[0], 4096);
	cs.n = 1;
	cs.p[0] = (struct piece){ .w = 2, .how = PC_WHOLE };
	h[1] = imgb_hash(b, &cs);
	imgb_build(b, img);
	ok(!memcmp(img[0], wdata[2], 512) && h[1] != h[0], "a pending write over a durable one");
	sim_buf_free(img[0], 4096);
	cs.p[0] = (struct piece){ .w = 0, .how = PC_WHOLE }; /* rewrite what is there */
	h[2] = imgb_hash(b, &cs);
	ok(h[2] == h[0], "equal images hash equal");
	cs.p[0] = (struct piece){ .w = 2, .how = PC_GARBAGE, .gb = GB_ZEROS, .arg = 0 };
	h[3] = imgb_hash(b, &cs);
	imgb_build(b, img);
	ok(img[0][0] == 0 && img[0][511] == 0 && h[3] != h[0], "a garbage sector");
	sim_buf_free(img[0], 4096);
	imgb_free(b);
	free(b);
	epochs_free(&ep);
	drop_log(&r);
}

/* A DISCARD (w2, over w0) reads back as zeros or, with keep, as w0 still. */
static void test_discard_images(void)
{
	struct epochs ep;
	struct imgb *b = malloc(sizeof(*b));
	struct cstate cs = { 0 };
	u8 *img[SIM_MAX_DEVS];
	struct rec r;

	build_log(&r, false); /* durable at completion: w2 from epoch 3 on */
	r.log.w.v[2].discard = true;
	memset(r.log.w.v[2].data, 0, 512);
	epochs_compute(&r, &ep);
	imgb_init(b, &r, &ep);
	/* Epoch 2: w2 pending; as a piece it zeroes, with keep it is skipped. */
	cs.epoch = 2;
	cs.n = 1;
	cs.p[0] = (struct piece){ .w = 2, .how = PC_WHOLE };
	imgb_hash(b, &cs);
	imgb_build(b, img);
	ok(img[0][0] == 0 && imgb_discarded(b) == 0, "a pending DISCARD applied zeroes");
	sim_buf_free(img[0], 4096);
	cs.keep = true;
	imgb_hash(b, &cs);
	imgb_build(b, img);
	ok(!memcmp(img[0], wdata[0], 512), "... or leaves the old data");
	sim_buf_free(img[0], 4096);
	/* Epoch 3: w2 durable. */
	cs.epoch = 3;
	cs.n = 0;
	cs.keep = false;
	imgb_hash(b, &cs);
	imgb_build(b, img);
	ok(img[0][0] == 0 && img[0][511] == 0 && imgb_discarded(b) == 1,
	   "a durable DISCARD zeroes");
	sim_buf_free(img[0], 4096);
	cs.keep = true;
	imgb_hash(b, &cs);
	imgb_build(b, img);
	ok(!memcmp(img[0], wdata[0], 512) && !memcmp(img[0] + 512, wdata[1], 512),
	   "... or, in the keep world, leaves the old data");
	sim_buf_free(img[0], 4096);
	imgb_free(b);
	free(b);
	epochs_free(&ep);
	drop_log(&r);
}

int main(void)
{
	printf("1..23\n");
	test_disk_contract();
	test_fault();
	test_epochs();
	test_oracle();
	test_images();
	test_discard_images();
	if (tests != 23)
		printf("# planned 23, ran %u\n", tests);
	return failures || tests != 23;
}
