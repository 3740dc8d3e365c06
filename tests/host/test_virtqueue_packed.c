/*
 * tests/host/test_virtqueue_packed.c - host tests for the packed rings of
 * drivers/virtio/virtqueue_packed.c (virtio 1.2, 2.8), behind the same
 * interface as the split ones (tests/host/test_virtqueue.c).
 *
 * The in-test device does what a real one does, from shared memory only:
 * it takes chains from its own position and wrap counter (a slot is
 * available when AVAIL = its wrap counter and USED is not), following
 * NEXT through consecutive slots or reading an indirect table, and writes
 * used elements (id, length, AVAIL = USED = its wrap counter) from its
 * own used position, skipping the slots of the chain it completed.
 * Nothing here reads the driver's private state to decide what the
 * device sees.
 *
 * Groups:
 *  - the honest device: chain layout, round trips, out-of-order
 *    completion, a full ring, many laps with chains across the end of the
 *    ring, a stale slot of the last lap that must not read as used;
 *  - indirect tables: one slot per chain, what the table says, a ring full
 *    of them, long and single-buffer chains direct;
 *  - event suppression, both structures, with and without EVENT_IDX;
 *  - the hostile device (a table): each bad used element marks the queue
 *    broken, every in-flight token comes back once, and after a reset the
 *    same memory works again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "drivers/virtio/virtqueue.h"
#include "lib/errno.h"
#include "tests/host/vq_hostile.h"

/* ---- fixture ------------------------------------------------------------ */

struct pdev {
	u16 avail;	  /* next slot to take a chain from */
	bool avail_wrap;  /* its wrap counter */
	u16 used;	  /* next slot to write a used element to */
	bool used_wrap;	  /* its wrap counter */
	u16 slots[65536]; /* ring slots of the chain with this buffer id */
};

struct fix {
	struct virtq vq;
	void *ring, *priv, *tables;
	unsigned ind_max;
	bool event_idx;
	unsigned notifies;
	struct pdev dev;
};

static struct fix *live[4];

static void fix_notify(struct virtq *vq)
{
	((struct fix *)vq->priv)->notifies++;
}

static void fix_track(struct fix *from, struct fix *to)
{
	for (size_t i = 0; i < ARRAY_SIZE(live); i++) {
		if (live[i] == from) {
			live[i] = to;
			return;
		}
	}
	fail_msg("fixture tracking: slot not found");
}

static void dev_reset(struct fix *f)
{
	f->dev.avail = f->dev.used = 0;
	f->dev.avail_wrap = f->dev.used_wrap = true;
}

static void fix_init(struct fix *f, u16 num)
{
	virtq_init_packed(&f->vq, 2, num, f->ring, f->priv, f->event_idx, fix_notify, f);
	if (f->tables)
		virtq_set_indirect(&f->vq, f->tables, f->ind_max);
	dev_reset(f);
}

static struct fix *fix_new(u16 num, bool event_idx, unsigned ind_max)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fix_track(NULL, f);
	assert_int_equal(posix_memalign(&f->ring, 16, virtq_packed_ring_size(num)), 0);
	memset(f->ring, 0xa5, virtq_packed_ring_size(num)); /* init must zero it */
	f->priv = malloc(virtq_priv_size(num));
	assert_non_null(f->priv);
	if (ind_max) {
		f->tables = malloc(virtq_indirect_size(num, ind_max));
		assert_non_null(f->tables);
		f->ind_max = ind_max;
	}
	f->event_idx = event_idx;
	fix_init(f, num);
	return f;
}

static void fix_free(struct fix *f)
{
	fix_track(f, NULL);
	free(f->tables);
	free(f->ring);
	free(f->priv);
	free(f);
}

static int setup_quiet(void **state)
{
	(void)state;
	host_console_quiet = true;
	return 0;
}

static int teardown_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(live); i++) {
		if (live[i])
			fix_free(live[i]);
	}
	return 0;
}

static char tok[1024];
#define TOK(i) ((void *)&tok[(i) % sizeof(tok)])

static u8 mem[16][64];

/* A chain of `nout` readable then `nin` writable 16-byte buffers. */
static int add_chain(struct fix *f, unsigned nout, unsigned nin, void *token)
{
	struct virtq_buf b[16];

	assert_true(nout + nin <= 16);
	for (unsigned k = 0; k < nout + nin; k++)
		b[k] = (struct virtq_buf){ mem[k], 16 };
	return virtq_add(&f->vq, b, nout, nin, token);
}

/* ---- the in-test device --------------------------------------------------- */

#define MAXC 64

struct chain {
	u16 id, slot, nslots;
	unsigned n, nout, nin;
	bool indirect;
	u64 addr[MAXC];
	u32 len[MAXC], in_len;
	u16 flags[MAXC];
};

static bool slot_avail(struct fix *f, u16 slot, bool wrap)
{
	u16 flags = le16_to_cpu(f->vq.pdesc[slot].flags);

	return !!(flags & VIRTQ_PACKED_DESC_F_AVAIL) == wrap &&
	       !!(flags & VIRTQ_PACKED_DESC_F_USED) != wrap;
}

static void dev_record(struct chain *c, u64 addr, u32 len, u16 flags)
{
	assert_true(c->n < MAXC);
	c->addr[c->n] = addr;
	c->len[c->n] = len;
	c->flags[c->n] = flags;
	if (flags & VIRTQ_DESC_F_WRITE) {
		c->nin++;
		c->in_len += len;
	} else {
		assert_int_equal(c->nin, 0); /* readable after writable (2.8.4) */
		c->nout++;
	}
	c->n++;
}

/*
 * Take the next available chain, checking what the spec demands of the
 * driver: every slot of it available with the wrap counter of its lap,
 * an INDIRECT slot alone (no NEXT) with a whole table of at most num
 * entries carrying only WRITE flags.  False when nothing is available.
 */
static bool dev_take(struct fix *f, struct chain *c)
{
	struct virtq *vq = &f->vq;
	struct pdev *d = &f->dev;

	memset(c, 0, sizeof(*c));
	if (!slot_avail(f, d->avail, d->avail_wrap))
		return false;
	c->slot = d->avail;
	for (;;) {
		const struct virtq_packed_desc *s = &vq->pdesc[d->avail];
		u16 flags = le16_to_cpu(s->flags) &
			    ~(VIRTQ_PACKED_DESC_F_AVAIL | VIRTQ_PACKED_DESC_F_USED);

		assert_true(slot_avail(f, d->avail, d->avail_wrap));
		c->id = le16_to_cpu(s->id); /* the last slot's counts */
		c->nslots++;
		assert_true(c->nslots <= vq->num);
		if (++d->avail == vq->num) {
			d->avail = 0;
			d->avail_wrap = !d->avail_wrap;
		}
		if (flags & VIRTQ_DESC_F_INDIRECT) {
			const struct virtq_packed_desc *t =
				(const void *)(uintptr_t)le64_to_cpu(s->addr);
			u32 bytes = le32_to_cpu(s->len);

			assert_true(f->ind_max != 0);
			assert_int_equal(c->nslots, 1);
			assert_int_equal(flags & VIRTQ_DESC_F_NEXT, 0);
			assert_int_equal(bytes % sizeof(*t), 0);
			assert_true(bytes / sizeof(*t) >= 1 && bytes / sizeof(*t) <= vq->num);
			c->indirect = true;
			for (unsigned k = 0; k < bytes / sizeof(*t); k++) {
				u16 tf = le16_to_cpu(t[k].flags);

				assert_int_equal(tf & ~VIRTQ_DESC_F_WRITE, 0);
				dev_record(c, le64_to_cpu(t[k].addr), le32_to_cpu(t[k].len), tf);
			}
			break;
		}
		dev_record(c, le64_to_cpu(s->addr), le32_to_cpu(s->len), flags);
		if (!(flags & VIRTQ_DESC_F_NEXT))
			break;
	}
	assert_true(c->id < vq->num);
	f->dev.slots[c->id] = c->nslots;
	return true;
}

/* Write a used element at the device's position, as the spec says. */
static void dev_put(struct fix *f, u16 id, u32 len, u16 skip)
{
	struct virtq_packed_desc *s = &f->vq.pdesc[f->dev.used];

	s->id = cpu_to_le16(id);
	s->len = cpu_to_le32(len);
	s->flags = cpu_to_le16(
		f->dev.used_wrap ? VIRTQ_PACKED_DESC_F_AVAIL | VIRTQ_PACKED_DESC_F_USED : 0);
	f->dev.used = (u16)(f->dev.used + skip);
	if (f->dev.used >= f->vq.num) {
		f->dev.used = (u16)(f->dev.used - f->vq.num);
		f->dev.used_wrap = !f->dev.used_wrap;
	}
}

static void dev_complete(struct fix *f, u16 id, u32 len)
{
	dev_put(f, id, len, f->dev.slots[id]);
}

/* Take one chain and complete it with `len`: its token back, len checked. */
static void round_trip(struct fix *f, void *token, u32 len)
{
	struct chain c;
	u32 got = 0x1234;

	assert_true(dev_take(f, &c));
	dev_complete(f, c.id, len);
	assert_true(virtq_has_used(&f->vq));
	assert_ptr_equal(virtq_get_used(&f->vq, &got), token);
	assert_int_equal(got, len);
	assert_false(f->vq.broken);
}

/* ---- layout and the honest device ---------------------------------------- */

static void test_layout(void **state)
{
	struct fix *f = fix_new(8, true, 0);
	u8 *base = f->ring;

	(void)state;
	assert_int_equal(virtq_packed_ring_size(8), 8 * 16 + 8);
	assert_ptr_equal(f->vq.pdesc, base);
	assert_ptr_equal(f->vq.driver_event, base + 128);
	assert_ptr_equal(f->vq.device_event, base + 132);
	/* Zeroed: the descriptors and the device's structure (ENABLE, 0). */
	for (size_t i = 0; i < virtq_packed_ring_size(8); i++)
		assert_true(base[i] == 0 || (i >= 128 && i < 132));
	/* EVENT_IDX: an interrupt for the first used element (slot 0, wrap 1). */
	assert_int_equal(le16_to_cpu(f->vq.driver_event->flags), VIRTQ_PACKED_EVENT_F_DESC);
	assert_int_equal(le16_to_cpu(f->vq.driver_event->off_wrap), 0x8000);
	assert_true(f->vq.packed && f->vq.avail_wrap && f->vq.used_wrap);
	fix_free(f);

	f = fix_new(8, false, 0);
	assert_int_equal(le16_to_cpu(f->vq.driver_event->flags), VIRTQ_PACKED_EVENT_F_ENABLE);
	fix_free(f);
}

static void test_chain_layout(void **state)
{
	struct fix *f = fix_new(8, false, 0);
	struct chain c;
	u32 len;

	(void)state;
	assert_false(dev_take(f, &c)); /* nothing yet */
	assert_int_equal(add_chain(f, 2, 2, TOK(1)), 0);
	assert_int_equal(f->vq.num_free, 4);
	assert_true(dev_take(f, &c));
	assert_int_equal(c.nslots, 4);
	assert_int_equal(c.nout, 2);
	assert_int_equal(c.nin, 2);
	assert_int_equal(c.in_len, 32);
	for (unsigned k = 0; k < 4; k++) {
		assert_int_equal(c.addr[k], (uintptr_t)mem[k]);
		assert_int_equal(c.len[k], 16);
		assert_int_equal(!!(c.flags[k] & VIRTQ_DESC_F_NEXT), k < 3);
		assert_int_equal(!!(c.flags[k] & VIRTQ_DESC_F_WRITE), k >= 2);
	}
	/* The buffer id in every slot of the chain. */
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(le16_to_cpu(f->vq.pdesc[k].id), c.id);
	assert_false(virtq_has_used(&f->vq));
	assert_null(virtq_get_used(&f->vq, &len));
	dev_complete(f, c.id, 20);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(1));
	assert_int_equal(len, 20);
	assert_int_equal(f->vq.num_free, 8);
	assert_int_equal(f->vq.inflight, 0);
	assert_int_equal(f->vq.last_used, 4);

	/* A single writable buffer: WRITE on its only slot. */
	assert_int_equal(add_chain(f, 0, 1, TOK(2)), 0);
	assert_true(dev_take(f, &c));
	assert_int_equal(c.flags[0], VIRTQ_DESC_F_WRITE);
	fix_free(f);
}

/* Out of order, a full ring, -ENOSPC, every token back once. */
static void test_full_ring_out_of_order(void **state)
{
	struct fix *f = fix_new(8, false, 0);
	struct chain c[8];
	u32 len;

	(void)state;
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(add_chain(f, 0, 1, TOK(i)), 0);
	assert_int_equal(virtq_chain_room(&f->vq), 0);
	assert_int_equal(add_chain(f, 0, 1, TOK(9)), -ENOSPC);
	for (unsigned i = 0; i < 8; i++)
		assert_true(dev_take(f, &c[i]));
	for (int i = 7; i >= 0; i--)
		dev_complete(f, c[i].id, 16);
	for (int i = 7; i >= 0; i--) {
		assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(i));
		assert_int_equal(len, 16);
	}
	assert_null(virtq_get_used(&f->vq, &len));
	assert_int_equal(f->vq.num_free, 8);
	assert_false(f->vq.broken);
	/* The next lap: the wrap counters flipped on both sides. */
	assert_false(f->vq.avail_wrap);
	assert_false(f->vq.used_wrap);
	assert_int_equal(add_chain(f, 1, 2, TOK(10)), 0);
	round_trip(f, TOK(10), 7);
	fix_free(f);
}

/*
 * Many laps of chains of 1 to 5 slots, two in flight at once, so chains
 * cross the end of the ring and ids are reused in every order.
 */
static void test_laps(void **state)
{
	struct fix *f = fix_new(8, true, 0);
	unsigned flips = 0;
	bool wrap = true;

	(void)state;
	for (unsigned i = 0; i < 200; i++) {
		unsigned a = 1 + i % 3, b = 1 + (i / 3) % 2;
		struct chain ca, cb;
		u32 len;

		assert_int_equal(add_chain(f, a, 1, TOK(2 * i)), 0);
		assert_int_equal(add_chain(f, b, 1, TOK(2 * i + 1)), 0);
		assert_true(dev_take(f, &ca));
		assert_true(dev_take(f, &cb));
		assert_int_equal(ca.nslots, a + 1);
		/* Second first on odd rounds. */
		dev_complete(f, i % 2 ? cb.id : ca.id, 1);
		dev_complete(f, i % 2 ? ca.id : cb.id, 2);
		assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(2 * i + i % 2));
		assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(2 * i + 1 - i % 2));
		assert_null(virtq_get_used(&f->vq, &len));
		assert_false(f->vq.broken);
		assert_int_equal(f->vq.num_free, 8);
		/* The interrupt is asked for at the next used element. */
		assert_int_equal(le16_to_cpu(f->vq.driver_event->off_wrap),
				 f->vq.last_used | (unsigned)f->vq.used_wrap << 15);
		flips += f->vq.used_wrap != wrap;
		wrap = f->vq.used_wrap;
	}
	assert_true(flips > 100);
	fix_free(f);
}

/*
 * With nothing in flight, the slot at the driver's used position may hold
 * a slot of the last lap the device skipped (AVAIL = !wrap, USED = wrap):
 * not a used element, not a violation.
 */
static void test_stale_slot(void **state)
{
	struct fix *f = fix_new(4, false, 0);
	u32 len;

	(void)state;
	assert_int_equal(add_chain(f, 2, 1, TOK(1)), 0); /* slots 0-2 */
	round_trip(f, TOK(1), 0);
	assert_int_equal(add_chain(f, 1, 1, TOK(2)), 0); /* slots 3, 0 */
	round_trip(f, TOK(2), 0);
	assert_int_equal(f->vq.last_used, 1);
	assert_false(f->vq.used_wrap);
	/* Slot 1 is the first chain's second slot, from the last lap. */
	assert_int_equal(le16_to_cpu(f->vq.pdesc[1].flags) &
				 (VIRTQ_PACKED_DESC_F_AVAIL | VIRTQ_PACKED_DESC_F_USED),
			 VIRTQ_PACKED_DESC_F_AVAIL);
	assert_false(virtq_has_used(&f->vq));
	assert_null(virtq_get_used(&f->vq, &len));
	assert_false(f->vq.broken);
	assert_int_equal(add_chain(f, 1, 0, TOK(3)), 0);
	round_trip(f, TOK(3), 0);
	fix_free(f);
}

static void test_einval(void **state)
{
	struct fix *f = fix_new(8, false, 0);
	struct virtq_buf b[2] = { { mem[0], 16 }, { mem[1], 0 } };

	(void)state;
	assert_int_equal(virtq_add(&f->vq, b, 0, 0, TOK(1)), -EINVAL);
	assert_int_equal(virtq_add(&f->vq, b, 1, 0, NULL), -EINVAL);
	assert_int_equal(virtq_add(&f->vq, b, 1, 1, TOK(1)), -EINVAL);
	assert_int_equal(add_chain(f, 9, 0, TOK(1)), -ENOSPC);
	assert_int_equal(f->vq.num_free, 8);
	assert_int_equal(f->vq.next_avail, 0);
	fix_free(f);
}

/* ---- indirect ------------------------------------------------------------ */

static void test_ind_one_slot(void **state)
{
	struct fix *f = fix_new(8, false, 4);
	struct chain c;
	u32 len;

	(void)state;
	assert_int_equal(virtq_chain_room(&f->vq), 8);
	/* 8 chains of 3 buffers in 8 slots. */
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(add_chain(f, 1, 2, TOK(i)), 0);
	assert_int_equal(f->vq.num_free, 0);
	assert_int_equal(add_chain(f, 1, 1, TOK(9)), -ENOSPC);
	for (unsigned i = 0; i < 8; i++) {
		assert_true(dev_take(f, &c));
		assert_true(c.indirect);
		assert_int_equal(c.nslots, 1);
		assert_int_equal(c.n, 3);
		assert_int_equal(c.nout, 1);
		assert_int_equal(c.in_len, 32);
		for (unsigned k = 0; k < 3; k++)
			assert_int_equal(c.addr[k], (uintptr_t)mem[k]);
		dev_complete(f, c.id, 32);
	}
	for (unsigned i = 0; i < 8; i++) {
		assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(i));
		assert_int_equal(len, 32);
	}
	/* One buffer, or more than a table holds: direct. */
	assert_int_equal(add_chain(f, 1, 0, TOK(20)), 0);
	assert_true(dev_take(f, &c));
	assert_false(c.indirect);
	dev_complete(f, c.id, 0);
	assert_int_equal(add_chain(f, 3, 2, TOK(21)), 0);
	assert_true(dev_take(f, &c));
	assert_false(c.indirect);
	assert_int_equal(c.nslots, 5);
	dev_complete(f, c.id, 32);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(20));
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(21));
	assert_false(f->vq.broken);
	fix_free(f);
}

/* ---- event suppression ---------------------------------------------------- */

static void set_device_event(struct fix *f, u16 flags, u16 off, bool wrap)
{
	f->vq.device_event->flags = cpu_to_le16(flags);
	f->vq.device_event->off_wrap = cpu_to_le16((u16)(off | (unsigned)wrap << 15));
}

static void test_kick_flags(void **state)
{
	struct fix *f = fix_new(8, false, 0);

	(void)state;
	assert_false(virtq_kick(&f->vq)); /* nothing new */
	assert_int_equal(add_chain(f, 1, 0, TOK(1)), 0);
	assert_true(virtq_kick(&f->vq)); /* ENABLE: zeroed by init */
	assert_int_equal(f->notifies, 1);
	assert_false(virtq_kick(&f->vq)); /* nothing new since */
	set_device_event(f, VIRTQ_PACKED_EVENT_F_DISABLE, 0, false);
	assert_int_equal(add_chain(f, 1, 0, TOK(2)), 0);
	assert_false(virtq_kick(&f->vq));
	/* DESC without EVENT_IDX, or a reserved value: notified anyway. */
	set_device_event(f, VIRTQ_PACKED_EVENT_F_DESC, 7, true);
	assert_int_equal(add_chain(f, 1, 0, TOK(3)), 0);
	assert_true(virtq_kick(&f->vq));
	set_device_event(f, 3, 7, true);
	assert_int_equal(add_chain(f, 1, 0, TOK(4)), 0);
	assert_true(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 3);
	/* The driver never asks for fewer interrupts without EVENT_IDX. */
	assert_int_equal(le16_to_cpu(f->vq.driver_event->flags), VIRTQ_PACKED_EVENT_F_ENABLE);
	fix_free(f);
}

/* EVENT_IDX: notified exactly when the slot the device named was published. */
static void test_kick_event_idx(void **state)
{
	struct fix *f = fix_new(8, true, 0);

	(void)state;
	set_device_event(f, VIRTQ_PACKED_EVENT_F_DESC, 2, true);
	assert_int_equal(add_chain(f, 2, 0, TOK(1)), 0); /* slots 0-1 */
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(add_chain(f, 1, 0, TOK(2)), 0); /* slot 2 */
	assert_true(virtq_kick(&f->vq));
	assert_int_equal(add_chain(f, 1, 0, TOK(3)), 0); /* slot 3: past it */
	assert_false(virtq_kick(&f->vq));
	round_trip(f, TOK(1), 0);
	round_trip(f, TOK(2), 0);
	round_trip(f, TOK(3), 0);
	/* Across the end of the ring: slot 1 of the next lap (wrap 0). */
	set_device_event(f, VIRTQ_PACKED_EVENT_F_DESC, 1, false);
	assert_int_equal(add_chain(f, 3, 0, TOK(4)), 0); /* slots 4-6 */
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(add_chain(f, 2, 0, TOK(5)), 0); /* slots 7, 0 */
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(add_chain(f, 2, 0, TOK(6)), 0); /* slots 1, 2 */
	assert_true(virtq_kick(&f->vq));
	/* An offset in the last lap (wrap 1, slot 7): long past. */
	round_trip(f, TOK(4), 0);
	set_device_event(f, VIRTQ_PACKED_EVENT_F_DESC, 7, true);
	assert_int_equal(add_chain(f, 1, 0, TOK(7)), 0);
	assert_false(virtq_kick(&f->vq));
	/* Several chains between kicks, the named slot among them. */
	set_device_event(f, VIRTQ_PACKED_EVENT_F_DESC, 4, false);
	assert_int_equal(add_chain(f, 1, 0, TOK(8)), 0); /* slot 4 */
	assert_int_equal(add_chain(f, 1, 0, TOK(9)), 0); /* slot 5 */
	assert_true(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 3);
	/* DISABLE still wins. */
	round_trip(f, TOK(5), 0);
	set_device_event(f, VIRTQ_PACKED_EVENT_F_DISABLE, 6, false);
	assert_int_equal(add_chain(f, 1, 0, TOK(10)), 0); /* slot 6 */
	assert_false(virtq_kick(&f->vq));
	fix_free(f);
}

/*
 * EVENT_IDX across the end of the ring: the device names the last slot of
 * the lap, and one kick publishes a chain from there into the next lap.
 */
static void test_kick_event_idx_wrap(void **state)
{
	struct fix *f = fix_new(8, true, 0);

	(void)state;
	set_device_event(f, VIRTQ_PACKED_EVENT_F_DISABLE, 0, false);
	assert_int_equal(add_chain(f, 6, 0, TOK(1)), 0); /* slots 0-5 */
	assert_false(virtq_kick(&f->vq));
	round_trip(f, TOK(1), 0);
	set_device_event(f, VIRTQ_PACKED_EVENT_F_DESC, 7, true);
	assert_int_equal(add_chain(f, 3, 0, TOK(2)), 0); /* slots 6, 7, 0 */
	assert_false(f->vq.avail_wrap);
	assert_true(virtq_kick(&f->vq));
	/* Slot 6 of the lap before, long past: no notification for slot 1. */
	round_trip(f, TOK(2), 0);
	set_device_event(f, VIRTQ_PACKED_EVENT_F_DESC, 6, true);
	assert_int_equal(add_chain(f, 1, 0, TOK(3)), 0);
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 1);
	fix_free(f);
}

/* ---- the hostile device ---------------------------------------------------- */

/*
 * Three chains in flight, direct: A 1 out + 1 in (16 writable, 2 slots),
 * B 1 out + 2 in (32, 3 slots), C 1 out (nothing writable, 1 slot); with
 * indirect tables A and B take one slot each.  Then the device misbehaves;
 * `done_ok` is the chain it completed correctly first (-1 if none).
 */
enum { CH_A, CH_B, CH_C, NCH };

struct hostile {
	struct fix *f;
	struct chain c[NCH];
};

struct hostile_case {
	const char *name;
	void (*act)(struct hostile *h);
	int done_ok;
	bool indirect_only;
};

struct hostile_run {
	const struct hostile_case *hc;
	bool indirect;
};

static void h_id_num(struct hostile *h)
{
	dev_put(h->f, h->f->vq.num, 0, 1);
}

static void h_id_ffff(struct hostile *h)
{
	dev_put(h->f, 0xffff, 0, 1);
}

static void h_id_free(struct hostile *h)
{
	dev_put(h->f, 7, 0, 1);
}

static void h_duplicate(struct hostile *h)
{
	u32 len;

	dev_complete(h->f, h->c[CH_A].id, 16);
	assert_ptr_equal(virtq_get_used(&h->f->vq, &len), TOK(CH_A));
	dev_complete(h->f, h->c[CH_A].id, 16);
}

static void h_duplicate_batched(struct hostile *h)
{
	u32 len;

	dev_complete(h->f, h->c[CH_B].id, 4);
	dev_complete(h->f, h->c[CH_B].id, 4);
	assert_ptr_equal(virtq_get_used(&h->f->vq, &len), TOK(CH_B));
}

/* A used element with both flags of the other lap. */
static void h_wrap_both_wrong(struct hostile *h)
{
	dev_put(h->f, h->c[CH_A].id, 0, 2);
	h->f->vq.pdesc[0].flags = cpu_to_le16(0);
}

/* USED set to the wrap counter, AVAIL not. */
static void h_wrap_avail_wrong(struct hostile *h)
{
	dev_put(h->f, h->c[CH_A].id, 0, 2);
	h->f->vq.pdesc[0].flags = cpu_to_le16(VIRTQ_PACKED_DESC_F_USED);
}

/* The element after a good one, written with the wrong wrap counter. */
static void h_wrap_second_wrong(struct hostile *h)
{
	u32 len;

	dev_complete(h->f, h->c[CH_A].id, 1);
	assert_ptr_equal(virtq_get_used(&h->f->vq, &len), TOK(CH_A));
	h->f->dev.used_wrap = false;
	dev_complete(h->f, h->c[CH_B].id, 1);
}

static void h_len_over(struct hostile *h)
{
	dev_complete(h->f, h->c[CH_A].id, 17);
}

static void h_len_over_chain(struct hostile *h)
{
	dev_complete(h->f, h->c[CH_B].id, 33);
}

static void h_len_no_writable(struct hostile *h)
{
	dev_complete(h->f, h->c[CH_C].id, 1);
}

static void h_len_huge(struct hostile *h)
{
	dev_complete(h->f, h->c[CH_B].id, 0xffffffffu);
}

/* The device grows A's writable slot (or table entry), then fills it. */
static void h_len_grown(struct hostile *h)
{
	struct virtq_packed_desc *s = &h->f->vq.pdesc[h->c[CH_A].slot];

	if (h->c[CH_A].indirect)
		s = (struct virtq_packed_desc *)(uintptr_t)le64_to_cpu(s->addr);
	s[1].len = cpu_to_le32(4096);
	dev_complete(h->f, h->c[CH_A].id, 100);
}

static const struct hostile_case hostile_cases[] = {
	{ "used id == num", h_id_num, -1, false },
	{ "used id 0xffff", h_id_ffff, -1, false },
	{ "used id not in flight", h_id_free, -1, false },
	{ "duplicate completion", h_duplicate, CH_A, false },
	{ "duplicate completion in one batch", h_duplicate_batched, CH_B, false },
	{ "used element of the other lap", h_wrap_both_wrong, -1, false },
	{ "used element USED without AVAIL", h_wrap_avail_wrong, -1, false },
	{ "second used element with the wrong wrap counter", h_wrap_second_wrong, CH_A, false },
	{ "used len > writable bytes", h_len_over, -1, false },
	{ "used len > writable bytes of a chain", h_len_over_chain, -1, false },
	{ "used len > 0 with nothing writable", h_len_no_writable, -1, false },
	{ "used len 0xffffffff", h_len_huge, -1, false },
	{ "used len within a slot or table entry the device grew", h_len_grown, -1, false },
};

/* After the violation the device completes C as well. */
static void h_more(void *ctx)
{
	struct hostile *h = ctx;

	dev_complete(h->f, h->c[CH_C].id, 0);
}

static void test_hostile(void **state)
{
	const struct hostile_run *run = *state;
	const struct hostile_case *hc = run->hc;
	struct hostile h = { .f = fix_new(8, true, run->indirect ? 4 : 0) };
	struct virtq *vq = &h.f->vq;

	assert_int_equal(add_chain(h.f, 1, 1, TOK(CH_A)), 0);
	assert_int_equal(add_chain(h.f, 1, 2, TOK(CH_B)), 0);
	assert_int_equal(add_chain(h.f, 1, 0, TOK(CH_C)), 0);
	virtq_kick(vq);
	for (unsigned i = 0; i < NCH; i++)
		assert_true(dev_take(h.f, &h.c[i]));
	assert_int_equal(vq->num_free, run->indirect ? 5 : 2);

	hc->act(&h);
	vq_hostile_check(vq, tok, NCH, hc->done_ok, &h.f->notifies, 8, h_more, &h);

	/* After the owner resets the device, the same memory works again. */
	fix_init(h.f, 8);
	assert_false(vq->broken);
	assert_int_equal(add_chain(h.f, 1, 1, TOK(5)), 0);
	virtq_kick(vq);
	round_trip(h.f, TOK(5), 3);
	fix_free(h.f);
}

/* A used element with nothing in flight. */
static void test_used_nothing_in_flight(void **state)
{
	struct fix *f = fix_new(8, false, 0);
	u32 len;

	(void)state;
	dev_put(f, 0, 0, 1);
	assert_true(virtq_has_used(&f->vq)); /* unvalidated by contract */
	assert_null(virtq_get_used(&f->vq, &len));
	assert_true(f->vq.broken);
	assert_null(virtq_detach_unused(&f->vq));
	fix_free(f);
}

/*
 * Broken with a chain published but not kicked (the owner saw NEEDS_RESET
 * in between): no notification, and the device's completion is not popped.
 */
static void test_broken_holds_back(void **state)
{
	struct fix *f = fix_new(8, false, 0);
	struct chain c;
	u32 len = 0x1234;

	(void)state;
	assert_int_equal(add_chain(f, 1, 1, TOK(1)), 0);
	virtq_mark_broken(&f->vq, "test");
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 0);
	assert_true(dev_take(f, &c));
	dev_complete(f, c.id, 1);
	assert_false(virtq_has_used(&f->vq));
	assert_null(virtq_get_used(&f->vq, &len));
	assert_int_equal(len, 0x1234);
	assert_ptr_equal(virtq_detach_unused(&f->vq), TOK(1));
	assert_null(virtq_detach_unused(&f->vq));
	fix_free(f);
}

/* virtq_report names the packed ring's positions without touching others. */
static void test_report(void **state)
{
	struct fix *f = fix_new(8, true, 0);

	(void)state;
	assert_int_equal(add_chain(f, 1, 1, TOK(1)), 0);
	virtq_report(&f->vq, "vblkX");
	assert_non_null(strstr(host_console_last, "packed ring: next slot 2 wrap 1"));
	fix_free(f);
}

/* clang-format off */
#define U(fn) { #fn, fn, setup_quiet, teardown_fixtures, NULL }
#define H(r) { "test_hostile", test_hostile, setup_quiet, teardown_fixtures, (void *)(r) }
/* clang-format on */

int main(void)
{
	struct CMUnitTest tests[] = {
		U(test_layout),
		U(test_chain_layout),
		U(test_full_ring_out_of_order),
		U(test_laps),
		U(test_stale_slot),
		U(test_einval),
		U(test_ind_one_slot),
		U(test_kick_flags),
		U(test_kick_event_idx),
		U(test_kick_event_idx_wrap),
		U(test_used_nothing_in_flight),
		U(test_broken_holds_back),
		U(test_report),
	};
	struct CMUnitTest all[ARRAY_SIZE(tests) + 2 * ARRAY_SIZE(hostile_cases)];
	static struct hostile_run runs[2 * ARRAY_SIZE(hostile_cases)];
	static char names[2 * ARRAY_SIZE(hostile_cases)][96];
	size_t n = 0, r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		all[n++] = tests[i];
	for (unsigned ind = 0; ind < 2; ind++) {
		for (size_t i = 0; i < ARRAY_SIZE(hostile_cases); i++) {
			struct CMUnitTest h = H(&runs[r]);

			if (hostile_cases[i].indirect_only && !ind)
				continue;
			runs[r] = (struct hostile_run){ &hostile_cases[i], ind != 0 };
			snprintf(names[r], sizeof(names[r]), "test_hostile%s: %s",
				 ind ? " (indirect)" : "", hostile_cases[i].name);
			h.name = names[r];
			all[n++] = h;
			r++;
		}
	}
	return _cmocka_run_group_tests("virtqueue_packed", all, n, NULL, NULL);
}
