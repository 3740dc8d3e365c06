/*
 * tests/host/test_virtqueue.c - host tests for drivers/virtio/virtqueue.c.
 *
 * The queue is driven directly, with a tiny device written here that does
 * what a real one does: it reads avail->idx, avail->ring[] and the
 * descriptor table from the shared ring memory (following desc[].next as a
 * device must), and writes used entries and used->idx.  Nothing here looks
 * at the driver's private shadow to decide what the device sees.
 *
 * Groups:
 *  - the honest device: round trips, chain layout, free-list reuse and
 *    -ENOSPC, argument checks, out-of-order completion, a full ring, 16-bit
 *    index wrap-around, notification suppression (flag and event index);
 *  - the hostile device (a table): every kind of bad used entry must mark
 *    the queue broken without a crash, after which each in-flight token is
 *    detached exactly once and nothing more is added or popped;
 *  - a device scribbling on desc[] cannot corrupt the driver's free list;
 *  - indirect descriptors (2.7.5.3): a chain takes one ring slot, its
 *    table says what the chain says, a ring fills with one chain per slot,
 *    long or single-buffer chains stay direct, and a device that scribbles
 *    on tables or completes wrongly is caught as for direct chains.
 *
 * Ring memory is laid out for both legacy (align 4096) and modern (align 16)
 * transports.  ASan/UBSan watch every access: the ring and the private
 * state are heap blocks of exactly the sizes the header asks for.
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

/* ---- fixture: a queue over heap ring memory --------------------------- */

struct vq_params {
	u16 num;
	size_t align;
	bool event_idx;
};

/* The in-test device's own state: what it consumed and produced. */
struct tdev {
	u16 last_avail;
	u16 used_idx;
};

struct fix {
	struct virtq vq;
	void *ring;
	void *priv;
	void *tables;	  /* indirect tables, or NULL */
	unsigned ind_max; /* what the device knows: INDIRECT negotiated if != 0 */
	size_t ring_size;
	unsigned notifies;
	struct tdev dev;
};

static void fix_notify(struct virtq *vq)
{
	struct fix *f = vq->priv;

	f->notifies++;
}

/*
 * Fixtures still allocated when an assertion leaves a test early; the
 * teardown frees them so LeakSanitizer reports only real leaks.
 */
static struct fix *live[4];

/* Replace the slot holding `from` by `to`. */
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

static struct fix *fix_new(u16 num, size_t align, bool event_idx)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fix_track(NULL, f);
	f->ring_size = virtq_ring_size(num, align);
	assert_int_equal(posix_memalign(&f->ring, align < sizeof(void *) ? sizeof(void *) : align,
					f->ring_size),
			 0);
	/* Garbage, so a test sees it if virtq_init() does not zero the ring. */
	memset(f->ring, 0xa5, f->ring_size);
	f->priv = malloc(virtq_priv_size(num));
	assert_non_null(f->priv);
	virtq_init(&f->vq, 3, num, f->ring, align, f->priv, event_idx, fix_notify, f);
	return f;
}

/* The same with indirect tables of `ind_max` entries (INDIRECT negotiated). */
static struct fix *fix_new_ind(u16 num, size_t align, bool event_idx, unsigned ind_max)
{
	struct fix *f = fix_new(num, align, event_idx);

	f->tables = malloc(virtq_indirect_size(num, ind_max));
	assert_non_null(f->tables);
	memset(f->tables, 0xa5, virtq_indirect_size(num, ind_max));
	f->ind_max = ind_max;
	virtq_set_indirect(&f->vq, f->tables, ind_max);
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

/* Token storage: tokens are only compared, never dereferenced. */
static char tok[1024];
#define TOK(i) ((void *)&tok[(i) % sizeof(tok)])

/* Some distinct data buffers. */
static u8 mem[16][64];

static struct virtq_buf buf(unsigned i, u32 len)
{
	return (struct virtq_buf){ .addr = mem[i % 16], .len = len };
}

/* Add a chain of `nout` readable then `nin` writable 16-byte buffers. */
static int add_chain(struct fix *f, unsigned nout, unsigned nin, void *token)
{
	struct virtq_buf b[16];

	assert_true(nout + nin <= 16);
	for (unsigned k = 0; k < nout + nin; k++)
		b[k] = buf(k, 16);
	return virtq_add(&f->vq, b, nout, nin, token);
}

/* ---- the in-test device, reading and writing shared memory only ------ */

/* Next chain head the driver made available, or -1. */
static int dev_next_avail(struct fix *f)
{
	struct virtq *vq = &f->vq;
	u16 idx = le16_to_cpu(vq->avail->idx);
	u16 head;

	if (idx == f->dev.last_avail)
		return -1;
	head = le16_to_cpu(vq->avail->ring[f->dev.last_avail % vq->num]);
	f->dev.last_avail++;
	assert_true(head < vq->num);
	return head;
}

#define MAXC 64

struct chain {
	unsigned n, nout, nin;
	bool indirect;	   /* the chain came through an indirect table ... */
	u64 table;	   /* ... at this address ... */
	u32 table_entries; /* ... of this many entries; idx[] index it */
	u16 idx[MAXC];
	u64 addr[MAXC];
	u32 len[MAXC];
	u16 flags[MAXC];
	u32 in_len;
};

/*
 * An indirect ring descriptor, checked as the spec demands of the driver
 * (2.7.5.3.1): INDIRECT negotiated, no NEXT, a whole number of entries, no
 * more than the queue size.  Its table, where the walk continues from 0.
 */
static const struct virtq_desc *dev_table(struct fix *f, const struct virtq_desc *d,
					  struct chain *c)
{
	u16 flags = le16_to_cpu(d->flags);

	assert_true(f->ind_max != 0);
	assert_int_equal(flags & VIRTQ_DESC_F_NEXT, 0);
	c->indirect = true;
	c->table = le64_to_cpu(d->addr);
	c->table_entries = le32_to_cpu(d->len) / sizeof(struct virtq_desc);
	assert_int_equal(le32_to_cpu(d->len) % sizeof(struct virtq_desc), 0);
	assert_true(c->table_entries >= 1 && c->table_entries <= f->vq.num);
	return (const struct virtq_desc *)(uintptr_t)c->table;
}

/*
 * Walk a chain the way a device does, through desc[].next (or its
 * indirect table's), checking what the spec demands of the driver: in
 * range, no loop, readable before writable (2.7.4.2), no INDIRECT inside a
 * table.
 */
static void dev_walk(struct fix *f, u16 head, struct chain *c)
{
	struct virtq *vq = &f->vq;
	const struct virtq_desc *table = vq->desc;
	unsigned limit = vq->num;
	u16 i = head;

	memset(c, 0, sizeof(*c));
	assert_true(head < vq->num);
	if (le16_to_cpu(vq->desc[head].flags) & VIRTQ_DESC_F_INDIRECT) {
		table = dev_table(f, &vq->desc[head], c);
		limit = c->table_entries;
		i = 0;
	}
	for (;;) {
		const struct virtq_desc *d;

		assert_true(i < limit);
		assert_true(c->n < limit && c->n < MAXC);
		d = &table[i];
		c->idx[c->n] = i;
		c->addr[c->n] = le64_to_cpu(d->addr);
		c->len[c->n] = le32_to_cpu(d->len);
		c->flags[c->n] = le16_to_cpu(d->flags);
		assert_int_equal(c->flags[c->n] & VIRTQ_DESC_F_INDIRECT, 0);
		if (c->flags[c->n] & VIRTQ_DESC_F_WRITE) {
			c->nin++;
			c->in_len += c->len[c->n];
		} else {
			assert_int_equal(c->nin, 0); /* readable after writable */
			c->nout++;
		}
		c->n++;
		if (!(c->flags[c->n - 1] & VIRTQ_DESC_F_NEXT))
			break;
		i = le16_to_cpu(d->next);
	}
	/* A table holds exactly its chain. */
	if (c->indirect)
		assert_int_equal(c->n, c->table_entries);
}

static void dev_used(struct fix *f, u32 id, u32 len)
{
	struct virtq_used *u = f->vq.used;

	u->ring[f->dev.used_idx % f->vq.num] = (struct virtq_used_elem){
		.id = cpu_to_le32(id),
		.len = cpu_to_le32(len),
	};
	f->dev.used_idx++;
	u->idx = cpu_to_le16(f->dev.used_idx);
}

static void dev_set_avail_event(struct fix *f, u16 v)
{
	*(le16 *)&f->vq.used->ring[f->vq.num] = cpu_to_le16(v);
}

static u16 drv_used_event(struct fix *f)
{
	return le16_to_cpu(f->vq.avail->ring[f->vq.num]);
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

/* ---- layout ------------------------------------------------------------ */

/*
 * The three parts lie inside the allocation, in order, without overlap;
 * the used ring starts on an `align` boundary (legacy transports give the
 * device only the PFN and derive the rest).
 */
static void test_layout(void **state)
{
	/* clang-format off */
	static const struct vq_params cases[] = {
		{ 1, 16, false },   { 8, 16, true },     { 256, 16, true },
		{ 8, 4096, false }, { 256, 4096, true }, { 1024, 4096, true },
	};
	/* clang-format on */

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct fix *f = fix_new(cases[c].num, cases[c].align, cases[c].event_idx);
		struct virtq *vq = &f->vq;
		u8 *base = f->ring;
		u8 *avail = (u8 *)vq->avail, *used = (u8 *)vq->used;
		unsigned num = cases[c].num;

		assert_ptr_equal(vq->desc, base);
		assert_ptr_equal(avail, base + 16 * num);
		assert_int_equal((uintptr_t)used % cases[c].align, 0);
		/* avail: flags, idx, ring[num], used_event */
		assert_true(used >= avail + 4 + 2 * num + 2);
		/* used: flags, idx, ring[num], avail_event */
		assert_true(used + 4 + 8 * num + 2 <= base + f->ring_size);
		/* virtq_init() zeroed the whole ring. */
		for (size_t k = 0; k < f->ring_size; k++)
			assert_int_equal(base[k], 0);
		assert_int_equal(vq->num_free, num);
		fix_free(f);
	}
}

/* ---- the honest device -------------------------------------------------- */

/* One out + one in buffer, token and written length come back. */
static void test_round_trip(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new(p->num, p->align, p->event_idx);
	struct virtq_buf b[2] = { { mem[0], 12 }, { mem[1], 40 } };
	struct chain c;
	u32 len = 0xdead;
	int head;

	assert_int_equal(virtq_add(&f->vq, b, 1, 1, TOK(7)), 0);
	assert_true(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 1);
	assert_false(virtq_has_used(&f->vq));
	assert_null(virtq_get_used(&f->vq, &len));

	head = dev_next_avail(f);
	assert_true(head >= 0);
	assert_int_equal(dev_next_avail(f), -1);
	dev_walk(f, (u16)head, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.addr[0], (uintptr_t)mem[0]);
	assert_int_equal(c.len[0], 12);
	assert_int_equal(c.addr[1], (uintptr_t)mem[1]);
	assert_int_equal(c.len[1], 40);

	dev_used(f, (u32)head, 33);
	assert_true(virtq_has_used(&f->vq));
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(7));
	assert_int_equal(len, 33);
	assert_false(virtq_has_used(&f->vq));
	assert_null(virtq_get_used(&f->vq, &len));
	assert_false(f->vq.broken);
	assert_int_equal(f->vq.num_free, p->num);
	fix_free(f);
}

/* Flags and links of a 2-out + 3-in chain as the device reads them. */
static void test_chain_flags(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new(p->num, p->align, p->event_idx);
	struct virtq_buf b[5];
	struct chain c;
	u32 len;
	int head;

	for (unsigned k = 0; k < 5; k++)
		b[k] = buf(k, 8 * (k + 1));
	/* A one-descriptor chain first, so the interesting one is not at 0. */
	assert_int_equal(add_chain(f, 1, 0, TOK(1)), 0);
	assert_int_equal(virtq_add(&f->vq, b, 2, 3, TOK(2)), 0);
	virtq_kick(&f->vq);

	head = dev_next_avail(f);
	dev_walk(f, (u16)head, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.flags[0], 0);

	head = dev_next_avail(f);
	dev_walk(f, (u16)head, &c);
	assert_int_equal(c.n, 5);
	assert_int_equal(c.nout, 2);
	assert_int_equal(c.nin, 3);
	for (unsigned k = 0; k < 5; k++) {
		u16 want = (k < 4 ? VIRTQ_DESC_F_NEXT : 0) | (k >= 2 ? VIRTQ_DESC_F_WRITE : 0);

		assert_int_equal(c.flags[k], want);
		assert_int_equal(c.addr[k], (uintptr_t)b[k].addr);
		assert_int_equal(c.len[k], b[k].len);
		for (unsigned j = 0; j < k; j++)
			assert_int_not_equal(c.idx[j], c.idx[k]);
	}
	/* The device may write exactly what the writable buffers hold. */
	dev_used(f, (u32)head, 24 + 32 + 40);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(2));
	assert_int_equal(len, 96);
	assert_false(f->vq.broken);
	fix_free(f);
}

/* Descriptors come back after completion; a full ring says -ENOSPC. */
static void test_free_list_enospc(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new(8, p->align, p->event_idx);
	int heads[8];
	u16 avail_before;
	u32 len;

	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(add_chain(f, 1, 1, TOK(i)), 0);
	virtq_kick(&f->vq);
	for (unsigned i = 0; i < 4; i++)
		heads[i] = dev_next_avail(f);
	assert_int_equal(f->vq.num_free, 0);

	avail_before = le16_to_cpu(f->vq.avail->idx);
	assert_int_equal(add_chain(f, 1, 0, TOK(9)), -ENOSPC);
	/* A refused add publishes nothing and kicks nothing. */
	assert_int_equal(le16_to_cpu(f->vq.avail->idx), avail_before);
	f->notifies = 0;
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 0);

	/* One 2-descriptor chain back: a 3-descriptor chain still fails. */
	dev_used(f, (u32)heads[1], 0);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(1));
	assert_int_equal(f->vq.num_free, 2);
	assert_int_equal(add_chain(f, 2, 1, TOK(9)), -ENOSPC);
	assert_int_equal(add_chain(f, 1, 1, TOK(10)), 0);
	assert_int_equal(add_chain(f, 1, 0, TOK(11)), -ENOSPC);

	/* Everything back: the whole ring is one chain's worth again. */
	dev_used(f, (u32)heads[0], 0);
	dev_used(f, (u32)heads[3], 0);
	dev_used(f, (u32)heads[2], 0);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(0));
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(3));
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(2));
	virtq_kick(&f->vq);
	heads[4] = dev_next_avail(f);
	dev_used(f, (u32)heads[4], 16);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(10));
	assert_int_equal(f->vq.num_free, 8);
	assert_int_equal(add_chain(f, 4, 4, TOK(12)), 0);
	assert_int_equal(f->vq.num_free, 0);
	assert_false(f->vq.broken);
	fix_free(f);
}

/* Refused chains change nothing: -EINVAL and no descriptor used. */
static void test_einval(void **state)
{
	static u8 one[16];
	static const struct {
		const char *what;
		struct virtq_buf b[3];
		unsigned nout, nin;
		bool null_token;
	} cases[] = {
		{ "empty chain", { { one, 16 } }, 0, 0, false },
		{ "NULL token", { { one, 16 } }, 1, 0, true },
		{ "zero-length out", { { one, 16 }, { one, 0 } }, 2, 0, false },
		{ "zero-length in", { { one, 16 }, { one, 0 } }, 1, 1, false },
		{ "NULL out addr", { { NULL, 16 } }, 1, 0, false },
		{ "NULL in addr", { { one, 16 }, { one, 8 }, { NULL, 8 } }, 1, 2, false },
	};
	const struct vq_params *p = *state;
	struct fix *f = fix_new(p->num, p->align, p->event_idx);

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		void *t = cases[c].null_token ? NULL : TOK(c);
		int ret = virtq_add(&f->vq, cases[c].b, cases[c].nout, cases[c].nin, t);

		if (ret != -EINVAL)
			fail_msg("%s: got %d, want -EINVAL", cases[c].what, ret);
		assert_int_equal(f->vq.num_free, p->num);
		assert_int_equal(le16_to_cpu(f->vq.avail->idx), 0);
	}
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 0);
	assert_false(f->vq.broken);
	fix_free(f);
}

/* The device completes in its own order; every token comes back right. */
static void test_out_of_order(void **state)
{
	static const unsigned order[] = { 2, 0, 4, 1, 3 };
	static const unsigned shape[5][2] = { { 1, 1 }, { 2, 0 }, { 1, 3 }, { 1, 0 }, { 2, 2 } };
	const struct vq_params *p = *state;
	struct fix *f = fix_new(16, p->align, p->event_idx);
	int heads[5];
	u32 len;

	for (unsigned r = 0; r < 3; r++) {
		for (unsigned i = 0; i < 5; i++)
			assert_int_equal(add_chain(f, shape[i][0], shape[i][1], TOK(i)), 0);
		virtq_kick(&f->vq);
		for (unsigned i = 0; i < 5; i++)
			heads[i] = dev_next_avail(f);
		for (unsigned k = 0; k < 5; k++) {
			unsigned i = order[k];

			dev_used(f, (u32)heads[i], 16 * shape[i][1]);
		}
		for (unsigned k = 0; k < 5; k++) {
			unsigned i = order[k];

			assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(i));
			assert_int_equal(len, 16 * shape[i][1]);
		}
		assert_null(virtq_get_used(&f->vq, &len));
		assert_int_equal(f->vq.num_free, 16);
	}
	assert_false(f->vq.broken);
	fix_free(f);
}

/* A full ring of one-descriptor chains, completed back to front. */
static void test_many_in_flight(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new(p->num, p->align, p->event_idx);
	unsigned num = p->num;
	int *heads = calloc(num, sizeof(*heads));
	bool *seen = calloc(num, sizeof(*seen));
	u32 len;

	assert_non_null(heads);
	assert_non_null(seen);
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < num; i++)
			assert_int_equal(add_chain(f, 0, 1, TOK(i)), 0);
		assert_int_equal(add_chain(f, 0, 1, TOK(num)), -ENOSPC);
		virtq_kick(&f->vq);
		memset(seen, 0, num * sizeof(*seen));
		for (unsigned i = 0; i < num; i++) {
			heads[i] = dev_next_avail(f);
			assert_true(heads[i] >= 0);
			assert_false(seen[heads[i]]); /* each descriptor used once */
			seen[heads[i]] = true;
		}
		assert_int_equal(dev_next_avail(f), -1);
		for (unsigned i = num; i-- > 0;)
			dev_used(f, (u32)heads[i], i % 17);
		for (unsigned i = num; i-- > 0;) {
			assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(i));
			assert_int_equal(len, i % 17);
		}
		assert_null(virtq_get_used(&f->vq, &len));
		assert_int_equal(f->vq.num_free, num);
	}
	assert_false(f->vq.broken);
	free(heads);
	free(seen);
	fix_free(f);
}

/*
 * More than 65536 chains through a ring of 4, up to three in flight,
 * so avail->idx, used->idx and the event indices all wrap.  With event idx
 * the device asks to be notified of the next chain each time (avail_event =
 * what it has consumed), so every kick that added something must notify.
 */
static void test_index_wrap(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new(4, p->align, p->event_idx);
	unsigned added = 0, done = 0, kicks = 0;
	struct {
		u32 seq;
		int head;
		bool has_in;
	} fl[4];

	while (done < 70000) {
		unsigned n = 1 + added % 3, got = 0;
		u32 len;

		/* Add up to n chains of 1 or 2 descriptors while there is room. */
		for (unsigned k = 0; k < n; k++) {
			bool has_in = (added + k) % 2;

			if (f->vq.num_free < 2u)
				break;
			assert_int_equal(add_chain(f, 1, has_in, TOK(added)), 0);
			fl[got].seq = added;
			fl[got].has_in = has_in;
			got++;
			added++;
		}
		assert_int_equal(le16_to_cpu(f->vq.avail->idx), (u16)added);
		assert_true(virtq_kick(&f->vq));
		kicks++;
		for (unsigned k = 0; k < got; k++) {
			struct chain c;

			fl[k].head = dev_next_avail(f);
			dev_walk(f, (u16)fl[k].head, &c);
			assert_int_equal(c.n, 1 + fl[k].has_in);
			assert_int_equal(c.nin, fl[k].has_in);
		}
		if (p->event_idx)
			dev_set_avail_event(f, f->dev.last_avail);
		/* Complete back to front, then pop. */
		for (unsigned k = got; k-- > 0;)
			dev_used(f, (u32)fl[k].head, fl[k].has_in ? fl[k].seq % 17 : 0);
		for (unsigned k = got; k-- > 0;) {
			assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(fl[k].seq));
			assert_int_equal(len, fl[k].has_in ? fl[k].seq % 17 : 0);
			done++;
		}
		assert_int_equal(le16_to_cpu(f->vq.used->idx), (u16)done);
		if (p->event_idx)
			assert_int_equal(drv_used_event(f), (u16)done);
		assert_false(f->vq.broken);
	}
	assert_true(added > 65536);
	assert_int_equal(f->notifies, kicks);
	assert_int_equal(f->vq.num_free, 4);
	fix_free(f);
}

/* ---- notification suppression ------------------------------------------ */

/* Without event idx: only the device's NO_NOTIFY flag matters. */
static void test_kick_no_notify_flag(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new(8, p->align, false);
	static u8 one[4];
	struct virtq_buf bad = { one, 0 };

	/* Nothing added: never notify. */
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(add_chain(f, 1, 0, TOK(0)), 0);
	f->vq.used->flags = cpu_to_le16(VIRTQ_USED_F_NO_NOTIFY);
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 0);
	/* The device polls and sees the chain anyway. */
	assert_true(dev_next_avail(f) >= 0);

	f->vq.used->flags = cpu_to_le16(0);
	/* Still nothing new since the last kick. */
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 0);
	assert_int_equal(add_chain(f, 1, 0, TOK(1)), 0);
	assert_int_equal(add_chain(f, 1, 0, TOK(2)), 0);
	assert_true(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 1);
	assert_false(virtq_kick(&f->vq));
	/* A refused add is nothing added. */
	assert_int_equal(virtq_add(&f->vq, &bad, 1, 0, TOK(3)), -EINVAL);
	assert_false(virtq_kick(&f->vq));
	assert_int_equal(f->notifies, 1);
	fix_free(f);
}

/* virtq_need_event() (2.7.10), including across the 16-bit wrap. */
static void test_need_event(void **state)
{
	/* clang-format off */
	static const struct {
		u16 event, new_idx, old;
		bool want;
	} cases[] = {
		{ 0, 1, 0, true },	   /* the first chain, device wants it */
		{ 2, 5, 2, true },	   /* event == old: crossing it */
		{ 4, 5, 2, true },	   /* event == new - 1: just crossed */
		{ 3, 5, 2, true },
		{ 5, 5, 2, false },	   /* not reached yet */
		{ 9, 5, 2, false },
		{ 1, 5, 2, false },	   /* already passed before the batch */
		{ 7, 7, 7, false },	   /* nothing new */
		{ 65535, 2, 65534, true }, /* wrap: 65534 -> 2 crosses 65535 */
		{ 1, 2, 65534, true },
		{ 0, 2, 65534, true },
		{ 65533, 2, 65534, false },
		{ 2, 2, 65534, false },
	};
	/* clang-format on */

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		bool got = virtq_need_event(cases[c].event, cases[c].new_idx, cases[c].old);

		if (got != cases[c].want)
			fail_msg("need_event(event %u, new %u, old %u) = %d", cases[c].event,
				 cases[c].new_idx, cases[c].old, got);
	}
}

/*
 * With event idx, virtq_kick() notifies iff the batch since the last kick
 * crossed avail_event, and ignores the NO_NOTIFY flag (2.7.10: the driver
 * must ignore used->flags then).
 */
static void test_kick_event_idx(void **state)
{
	static const struct {
		unsigned before, added;
		u16 avail_event, used_flags;
		bool want;
	} cases[] = {
		{ 2, 3, 2, 0, true },
		{ 2, 3, 4, 0, true },
		{ 2, 3, 5, 0, false },
		{ 2, 3, 1, 0, false },
		{ 2, 3, 0x8000, 0, false },
		{ 0, 1, 0, 0, true },
		{ 0, 1, 1, 0, false },
		{ 2, 3, 3, VIRTQ_USED_F_NO_NOTIFY, true },
		{ 2, 3, 5, VIRTQ_USED_F_NO_NOTIFY, false },
		{ 2, 0, 0, 0, false }, /* nothing added since the last kick */
	};
	const struct vq_params *p = *state;

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct fix *f = fix_new(16, p->align, true);
		bool got;

		for (unsigned i = 0; i < cases[c].before; i++)
			assert_int_equal(add_chain(f, 1, 0, TOK(i)), 0);
		virtq_kick(&f->vq);
		f->notifies = 0;
		dev_set_avail_event(f, cases[c].avail_event);
		f->vq.used->flags = cpu_to_le16(cases[c].used_flags);
		for (unsigned i = 0; i < cases[c].added; i++)
			assert_int_equal(add_chain(f, 1, 0, TOK(i)), 0);
		got = virtq_kick(&f->vq);
		if (got != cases[c].want)
			fail_msg("case %zu: kick = %d", c, got);
		assert_int_equal(f->notifies, got ? 1 : 0);
		fix_free(f);
	}
}

/* With event idx the driver tells the device where to interrupt next. */
static void test_used_event_published(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new(8, p->align, true);
	int heads[3];
	u32 len;

	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(add_chain(f, 1, 0, TOK(i)), 0);
	virtq_kick(&f->vq);
	for (unsigned i = 0; i < 3; i++)
		heads[i] = dev_next_avail(f);
	for (unsigned i = 0; i < 3; i++)
		dev_used(f, (u32)heads[i], 0);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(0));
	assert_int_equal(drv_used_event(f), 1);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(1));
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(2));
	assert_int_equal(drv_used_event(f), 3);
	fix_free(f);
}

/* ---- the hostile device ------------------------------------------------- */

/*
 * Every hostile case starts from the same three chains in flight on a
 * ring of 8, all made available and taken by the device:
 *   A: 1 out + 1 in (16 writable bytes)   head 0, descriptors 0-1
 *   B: 1 out + 2 in (32 writable bytes)   head 2, descriptors 2-4
 *   C: 1 out only  (nothing writable)     head 5
 * and then misbehaves.  `done_ok` is the chain it completed correctly
 * before the violation (-1 if none).  With indirect descriptors A and B
 * take one slot each (heads 0 and 1, their tables holding the rest) and C
 * stays direct (head 2); cases about a chain's second descriptor only
 * exist for direct chains, one about a grown table entry only for
 * indirect ones.
 */
enum { CH_A, CH_B, CH_C, NCH };

struct hostile {
	struct fix *f;
	int head[NCH];
};

enum { HC_BOTH, HC_DIRECT, HC_INDIRECT };

struct hostile_case {
	const char *name;
	void (*act)(struct hostile *h);
	int done_ok;
	int mode; /* HC_*: with which chains the case exists */
};

struct hostile_run {
	const struct hostile_case *hc;
	bool indirect;
};

static void h_id_num(struct hostile *h)
{
	dev_used(h->f, h->f->vq.num, 0);
}

static void h_id_huge(struct hostile *h)
{
	dev_used(h->f, 0xffffffffu, 0);
}

static void h_id_high_16(struct hostile *h)
{
	/* In range modulo 2^16 but not as the 32-bit id the spec defines. */
	dev_used(h->f, 0x10000u + (u32)h->head[CH_A], 0);
}

static void h_id_non_head(struct hostile *h)
{
	dev_used(h->f, (u32)h->head[CH_A] + 1, 0);
}

static void h_id_middle(struct hostile *h)
{
	dev_used(h->f, (u32)h->head[CH_B] + 1, 0);
}

static void h_id_free(struct hostile *h)
{
	dev_used(h->f, 7, 0);
}

static void h_duplicate(struct hostile *h)
{
	u32 len;

	dev_used(h->f, (u32)h->head[CH_A], 16);
	assert_ptr_equal(virtq_get_used(&h->f->vq, &len), TOK(CH_A));
	assert_int_equal(len, 16);
	dev_used(h->f, (u32)h->head[CH_A], 16);
}

static void h_duplicate_batched(struct hostile *h)
{
	u32 len;

	dev_used(h->f, (u32)h->head[CH_B], 4);
	dev_used(h->f, (u32)h->head[CH_B], 4);
	assert_ptr_equal(virtq_get_used(&h->f->vq, &len), TOK(CH_B));
}

static void h_len_over(struct hostile *h)
{
	dev_used(h->f, (u32)h->head[CH_A], 17);
}

static void h_len_over_chain(struct hostile *h)
{
	dev_used(h->f, (u32)h->head[CH_B], 33);
}

static void h_len_no_writable(struct hostile *h)
{
	dev_used(h->f, (u32)h->head[CH_C], 1);
}

static void h_len_huge(struct hostile *h)
{
	dev_used(h->f, (u32)h->head[CH_B], 0xffffffffu);
}

/* The device grows the writable descriptor it was given, then fills it. */
static void h_len_grown_desc(struct hostile *h)
{
	h->f->vq.desc[h->head[CH_A] + 1].len = cpu_to_le32(4096);
	dev_used(h->f, (u32)h->head[CH_A], 100);
}

/* The device grows the writable entry of A's indirect table, then fills it. */
static void h_len_grown_table(struct hostile *h)
{
	struct virtq_desc *t =
		(struct virtq_desc *)(uintptr_t)le64_to_cpu(h->f->vq.desc[h->head[CH_A]].addr);

	t[1].len = cpu_to_le32(4096);
	dev_used(h->f, (u32)h->head[CH_A], 100);
}

static void h_idx_ahead(struct hostile *h)
{
	/* Three in flight, four published (the fourth entry is stale). */
	dev_used(h->f, (u32)h->head[CH_A], 0);
	dev_used(h->f, (u32)h->head[CH_B], 0);
	dev_used(h->f, (u32)h->head[CH_C], 0);
	h->f->vq.used->idx = cpu_to_le16(4);
}

static void h_idx_far_ahead(struct hostile *h)
{
	h->f->vq.used->idx = cpu_to_le16(0x8000);
}

static void h_idx_backwards(struct hostile *h)
{
	h->f->vq.used->idx = cpu_to_le16(0xffff);
}

static const struct hostile_case hostile_cases[] = {
	{ "used id == num", h_id_num, -1, HC_BOTH },
	{ "used id 0xffffffff", h_id_huge, -1, HC_BOTH },
	{ "used id head + 0x10000", h_id_high_16, -1, HC_BOTH },
	{ "used id is a chain's second descriptor", h_id_non_head, -1, HC_DIRECT },
	{ "used id is a chain's middle descriptor", h_id_middle, -1, HC_DIRECT },
	{ "used id is a free descriptor", h_id_free, -1, HC_BOTH },
	{ "duplicate completion", h_duplicate, CH_A, HC_BOTH },
	{ "duplicate completion in one batch", h_duplicate_batched, CH_B, HC_BOTH },
	{ "used len > writable bytes", h_len_over, -1, HC_BOTH },
	{ "used len > writable bytes of a chain", h_len_over_chain, -1, HC_BOTH },
	{ "used len > 0 with nothing writable", h_len_no_writable, -1, HC_BOTH },
	{ "used len 0xffffffff", h_len_huge, -1, HC_BOTH },
	{ "used len within a descriptor the device grew", h_len_grown_desc, -1, HC_DIRECT },
	{ "used len within a table entry the device grew", h_len_grown_table, -1, HC_INDIRECT },
	{ "used idx one ahead of in-flight", h_idx_ahead, -1, HC_BOTH },
	{ "used idx far ahead", h_idx_far_ahead, -1, HC_BOTH },
	{ "used idx moved backwards", h_idx_backwards, -1, HC_BOTH },
};

/* After the violation the device completes C as well. */
static void h_more(void *ctx)
{
	struct hostile *h = ctx;

	dev_used(h->f, (u32)h->head[CH_C], 0);
}

static void test_hostile(void **state)
{
	const struct hostile_run *run = *state;
	const struct hostile_case *hc = run->hc;
	struct hostile h = { .f = run->indirect ? fix_new_ind(8, 16, true, 4)
						: fix_new(8, 16, true) };
	struct virtq *vq = &h.f->vq;
	u32 len;

	assert_int_equal(add_chain(h.f, 1, 1, TOK(CH_A)), 0);
	assert_int_equal(add_chain(h.f, 1, 2, TOK(CH_B)), 0);
	assert_int_equal(add_chain(h.f, 1, 0, TOK(CH_C)), 0);
	virtq_kick(vq);
	for (unsigned i = 0; i < NCH; i++)
		h.head[i] = dev_next_avail(h.f);
	assert_int_equal(h.head[CH_A], 0);
	assert_int_equal(h.head[CH_B], run->indirect ? 1 : 2);
	assert_int_equal(h.head[CH_C], run->indirect ? 2 : 5);
	assert_int_equal(vq->num_free, run->indirect ? 5 : 2);

	hc->act(&h);
	vq_hostile_check(vq, tok, NCH, hc->done_ok, &h.f->notifies, 8, h_more, &h);

	/* After the owner resets the device, the same memory works again. */
	virtq_init(vq, vq->index, 8, vq->ring_mem, vq->align, vq->priv_mem, true, fix_notify, h.f);
	if (run->indirect)
		virtq_set_indirect(vq, h.f->tables, h.f->ind_max);
	h.f->dev = (struct tdev){ 0 };
	assert_false(vq->broken);
	assert_int_equal(add_chain(h.f, 1, 1, TOK(5)), 0);
	virtq_kick(vq);
	dev_used(h.f, (u32)dev_next_avail(h.f), 3);
	assert_ptr_equal(virtq_get_used(vq, &len), TOK(5));
	assert_int_equal(len, 3);
	fix_free(h.f);
}

/* A broken queue with nothing in flight detaches nothing. */
static void test_broken_empty(void **state)
{
	struct fix *f = fix_new(8, 16, false);
	u32 len;

	(void)state;
	virtq_mark_broken(&f->vq, "test");
	assert_true(f->vq.broken);
	assert_string_equal(f->vq.broken_reason, "test");
	assert_null(virtq_detach_unused(&f->vq));
	assert_null(virtq_get_used(&f->vq, &len));
	assert_int_equal(add_chain(f, 1, 0, TOK(0)), -EIO);
	fix_free(f);
}

/*
 * The device overwrites every descriptor (links, flags, lengths) after
 * taking the chains.  The driver must free and re-link using its own
 * shadow: afterwards the whole ring can be filled again with disjoint,
 * correctly linked chains.
 */
static void test_desc_scribble(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new(8, p->align, p->event_idx);
	static const unsigned shape[3][2] = { { 1, 2 }, { 2, 1 }, { 1, 1 } };
	bool used_desc[8] = { false };
	int ha, hb, heads[3];
	u32 len;

	assert_int_equal(add_chain(f, 1, 2, TOK(0)), 0); /* A: 3 descriptors */
	assert_int_equal(add_chain(f, 1, 1, TOK(1)), 0); /* B: 2 descriptors */
	virtq_kick(&f->vq);
	ha = dev_next_avail(f);
	hb = dev_next_avail(f);
	for (u16 i = 0; i < 8; i++) {
		f->vq.desc[i] = (struct virtq_desc){
			.addr = cpu_to_le64(0),
			.len = cpu_to_le32(0xffffffffu),
			.flags = cpu_to_le16(VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE),
			.next = cpu_to_le16(i == 0 ? 0 : (u16)(7 - i)),
		};
	}
	dev_used(f, (u32)hb, 16);
	dev_used(f, (u32)ha, 32);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(1));
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(0));
	assert_false(f->vq.broken);
	assert_int_equal(f->vq.num_free, 8);

	/* Fill the whole ring: 3 + 3 + 2 descriptors. */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(add_chain(f, shape[i][0], shape[i][1], TOK(10 + i)), 0);
	assert_int_equal(f->vq.num_free, 0);
	assert_int_equal(add_chain(f, 1, 0, TOK(20)), -ENOSPC);
	virtq_kick(&f->vq);
	for (unsigned i = 0; i < 3; i++) {
		struct chain c;

		heads[i] = dev_next_avail(f);
		dev_walk(f, (u16)heads[i], &c);
		assert_int_equal(c.nout, shape[i][0]);
		assert_int_equal(c.nin, shape[i][1]);
		for (unsigned k = 0; k < c.n; k++) {
			assert_false(used_desc[c.idx[k]]); /* chains are disjoint */
			used_desc[c.idx[k]] = true;
			assert_int_equal(c.addr[k], (uintptr_t)mem[k]);
			assert_int_equal(c.len[k], 16);
		}
	}
	for (unsigned i = 3; i-- > 0;)
		dev_used(f, (u32)heads[i], 16 * shape[i][1]);
	for (unsigned i = 3; i-- > 0;) {
		assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(10 + i));
		assert_int_equal(len, 16 * shape[i][1]);
	}
	assert_false(f->vq.broken);
	assert_int_equal(f->vq.num_free, 8);
	fix_free(f);
}

/*
 * Writable totals near 2^32.  The spec (2.7.5.2 in virtio 1.2) forbids a
 * chain longer than 2^32 bytes; one of exactly 2^32 is allowed and the
 * device may then report any 32-bit length.  Addresses are never touched
 * by the driver, so no real memory is needed.
 */
static void test_huge_chain_len(void **state)
{
	struct fix *f = fix_new(8, 16, false);
	struct virtq_buf b[3] = {
		{ (void *)0x100000, 0x80000000u },
		{ (void *)0x200000, 0x80000000u },
		{ (void *)0x300000, 0x80000000u },
	};
	u32 len;
	int head;

	(void)state;
	/* Exactly 2^32 writable bytes: a 4 KiB completion is legitimate. */
	assert_int_equal(virtq_add(&f->vq, b, 0, 2, TOK(0)), 0);
	virtq_kick(&f->vq);
	head = dev_next_avail(f);
	dev_used(f, (u32)head, 4096);
	if (virtq_get_used(&f->vq, &len) != TOK(0))
		fail_msg("a 4096-byte completion of a chain with 2^32 writable bytes was refused "
			 "(%s)",
			 f->vq.broken_reason ? f->vq.broken_reason : "not broken");
	assert_int_equal(len, 4096);
	assert_false(f->vq.broken);
	fix_free(f);
}

static void test_chain_over_4g_refused(void **state)
{
	struct fix *f = fix_new(8, 16, false);
	struct virtq_buf b[3] = {
		{ (void *)0x100000, 0x80000000u },
		{ (void *)0x200000, 0x80000000u },
		{ (void *)0x300000, 0x80000000u },
	};
	int ret;

	(void)state;
	ret = virtq_add(&f->vq, b, 1, 2, TOK(0));
	if (ret != -EINVAL)
		fail_msg(
			"a 6 GiB chain (limit 2^32 bytes, virtio 1.2 2.7.5.2) got %d, want -EINVAL",
			ret);
	assert_int_equal(f->vq.num_free, 8);
	fix_free(f);
}

/* ---- indirect descriptors ------------------------------------------------ */

/* Every entry of chain `c` is what bufs[0 .. n) asked for, nout readable. */
static void assert_chain_is(const struct chain *c, const struct virtq_buf *b, unsigned n,
			    unsigned nout)
{
	assert_int_equal(c->n, n);
	assert_int_equal(c->nout, nout);
	for (unsigned k = 0; k < n; k++) {
		u16 want =
			(k + 1 < n ? VIRTQ_DESC_F_NEXT : 0) | (k >= nout ? VIRTQ_DESC_F_WRITE : 0);

		assert_int_equal(c->addr[k], (uintptr_t)b[k].addr);
		assert_int_equal(c->len[k], b[k].len);
		assert_int_equal(c->flags[k], want);
		if (c->indirect)
			assert_int_equal(c->idx[k], k); /* a table's chain runs 0, 1, ... */
	}
}

/*
 * A 3-buffer chain (a block request: header, data, status) takes one ring
 * slot whose descriptor is INDIRECT only and points at a table holding the
 * chain; a single buffer stays direct.  Both come back whole.
 */
static void test_ind_one_slot(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new_ind(p->num, p->align, p->event_idx, 32);
	struct virtq_buf b[3] = { { mem[0], 16 }, { mem[1], 40 }, { mem[2], 1 } };
	struct chain c;
	u32 len;
	int head, single;

	assert_int_equal(f->vq.indirect_max, MIN(32u, p->num));
	assert_int_equal(virtq_add(&f->vq, b, 1, 2, TOK(1)), 0);
	assert_int_equal(f->vq.num_free, p->num - 1);
	assert_int_equal(add_chain(f, 0, 1, TOK(2)), 0);
	assert_int_equal(f->vq.num_free, p->num - 2);
	virtq_kick(&f->vq);

	head = dev_next_avail(f);
	assert_int_equal(le16_to_cpu(f->vq.desc[head].flags), VIRTQ_DESC_F_INDIRECT);
	dev_walk(f, (u16)head, &c);
	assert_true(c.indirect);
	assert_int_equal(c.table_entries, 3);
	assert_chain_is(&c, b, 3, 1);
	/* The table lies inside the memory given for tables, in head's slot. */
	assert_int_equal(c.table, (uintptr_t)f->tables + (size_t)head * f->vq.indirect_max * 16);

	single = dev_next_avail(f);
	dev_walk(f, (u16)single, &c);
	assert_false(c.indirect);
	assert_int_equal(c.n, 1);

	dev_used(f, (u32)head, 41);
	dev_used(f, (u32)single, 16);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(1));
	assert_int_equal(len, 41);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(2));
	assert_int_equal(len, 16);
	assert_false(f->vq.broken);
	assert_int_equal(f->vq.num_free, p->num);
	fix_free(f);
}

/*
 * A ring of `num` entries holds `num` block-request chains at once (one
 * slot each, each with its own table), twice round, completed back to
 * front; the next chain waits for a free slot.
 */
static void test_ind_fill_ring(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new_ind(p->num, p->align, p->event_idx, 32);
	unsigned num = p->num;
	int *heads = calloc(num, sizeof(*heads));
	u64 *tables = calloc(num, sizeof(*tables));
	u32 len;

	assert_non_null(heads);
	assert_non_null(tables);
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < num; i++)
			assert_int_equal(add_chain(f, 1 + i % 2, 1 + i % 3, TOK(i)), 0);
		assert_int_equal(f->vq.num_free, 0);
		assert_int_equal(virtq_chain_room(&f->vq), 0);
		assert_int_equal(add_chain(f, 1, 2, TOK(num)), -ENOSPC);
		virtq_kick(&f->vq);
		for (unsigned i = 0; i < num; i++) {
			struct chain c;

			heads[i] = dev_next_avail(f);
			dev_walk(f, (u16)heads[i], &c);
			assert_true(c.indirect);
			assert_int_equal(c.nout, 1 + i % 2);
			assert_int_equal(c.nin, 1 + i % 3);
			tables[i] = c.table;
			for (unsigned j = 0; j < i; j++) /* one table per chain */
				assert_true(tables[j] != c.table && heads[j] != heads[i]);
		}
		for (unsigned i = num; i-- > 0;)
			dev_used(f, (u32)heads[i], 16 * (1 + i % 3));
		for (unsigned i = num; i-- > 0;) {
			assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(i));
			assert_int_equal(len, 16 * (1 + i % 3));
		}
		assert_int_equal(f->vq.num_free, num);
		assert_int_equal(f->vq.inflight, 0);
	}
	assert_false(f->vq.broken);
	free(heads);
	free(tables);
	fix_free(f);
}

/*
 * Tables of 4 entries on a ring of 8: a 5-buffer chain goes direct (5
 * slots), a 4-buffer one indirect; virtq_chain_room() says which fits.
 */
static void test_ind_long_chain_direct(void **state)
{
	struct fix *f = fix_new_ind(8, 16, false, 4);
	struct chain c;
	int h1, h2, h3;
	u32 len;

	(void)state;
	assert_int_equal(virtq_chain_room(&f->vq), 8);
	assert_int_equal(add_chain(f, 2, 3, TOK(1)), 0);
	assert_int_equal(f->vq.num_free, 3);
	assert_int_equal(virtq_chain_room(&f->vq), 4);
	assert_int_equal(add_chain(f, 2, 2, TOK(2)), 0);
	assert_int_equal(f->vq.num_free, 2);
	assert_int_equal(add_chain(f, 1, 4, TOK(3)), -ENOSPC); /* 5 > room 4 */
	assert_int_equal(add_chain(f, 1, 3, TOK(3)), 0);
	assert_int_equal(f->vq.num_free, 1);
	virtq_kick(&f->vq);
	h1 = dev_next_avail(f);
	dev_walk(f, (u16)h1, &c);
	assert_false(c.indirect);
	assert_int_equal(c.n, 5);
	h2 = dev_next_avail(f);
	dev_walk(f, (u16)h2, &c);
	assert_true(c.indirect);
	assert_int_equal(c.n, 4);
	h3 = dev_next_avail(f);
	dev_walk(f, (u16)h3, &c);
	assert_true(c.indirect);
	dev_used(f, (u32)h2, 32);
	dev_used(f, (u32)h1, 48);
	dev_used(f, (u32)h3, 48);
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(2));
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(1));
	assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(3));
	assert_int_equal(f->vq.num_free, 8);
	assert_false(f->vq.broken);
	fix_free(f);
}

/* Table size: clamped to the ring (2.7.5.3.1); no tables or 1 entry is off. */
static void test_ind_set_limits(void **state)
{
	struct fix *f = fix_new_ind(8, 16, false, 32);
	struct chain c;

	(void)state;
	assert_int_equal(f->vq.indirect_max, 8);
	virtq_set_indirect(&f->vq, NULL, 8);
	assert_int_equal(f->vq.indirect_max, 0);
	virtq_set_indirect(&f->vq, f->tables, 1);
	assert_int_equal(f->vq.indirect_max, 0);
	/* Off: a chain is direct again, as without the feature. */
	assert_int_equal(virtq_chain_room(&f->vq), 8);
	assert_int_equal(add_chain(f, 1, 2, TOK(0)), 0);
	assert_int_equal(f->vq.num_free, 5);
	virtq_kick(&f->vq);
	dev_walk(f, (u16)dev_next_avail(f), &c);
	assert_false(c.indirect);
	assert_int_equal(c.n, 3);
	/* An 8-entry table on an 8-entry ring: the longest chain allowed. */
	virtq_set_indirect(&f->vq, f->tables, 8);
	assert_int_equal(add_chain(f, 4, 4, TOK(1)), 0);
	assert_int_equal(f->vq.num_free, 4);
	virtq_kick(&f->vq);
	dev_walk(f, (u16)dev_next_avail(f), &c);
	assert_true(c.indirect);
	assert_int_equal(c.table_entries, 8);
	fix_free(f);
}

/*
 * The device overwrites every table and ring descriptor it was given
 * (garbage addresses, lengths, links that loop, nested INDIRECT) before
 * completing.  The driver reads none of it: the completions are taken
 * with the lengths offered, the slots come back, and the next chains
 * through the same slots carry fresh, complete tables.
 */
static void test_ind_table_scribble(void **state)
{
	const struct vq_params *p = *state;
	struct fix *f = fix_new_ind(8, p->align, p->event_idx, 8);
	struct virtq_buf b[7];
	int heads[8];
	u32 len;

	for (unsigned k = 0; k < 7; k++)
		b[k] = buf(k, 8 + 4 * k);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 8; i++)
			assert_int_equal(virtq_add(&f->vq, b, 1 + i % 3, 1 + i % 4, TOK(i)), 0);
		virtq_kick(&f->vq);
		for (unsigned i = 0; i < 8; i++) {
			struct chain c;

			heads[i] = dev_next_avail(f);
			dev_walk(f, (u16)heads[i], &c);
			assert_true(c.indirect);
			assert_chain_is(&c, b, 2 + i % 3 + i % 4, 1 + i % 3);
		}
		memset(f->tables, 0xff, virtq_indirect_size(8, 8));
		for (u16 i = 0; i < 8; i++)
			f->vq.desc[i] = (struct virtq_desc){
				.addr = cpu_to_le64(0x1000),
				.len = cpu_to_le32(0xfff0u),
				.flags = cpu_to_le16(VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT),
				.next = cpu_to_le16(i),
			};
		for (unsigned i = 0; i < 8; i++) {
			u32 in = 0;

			for (unsigned k = 1 + i % 3; k < 2 + i % 3 + i % 4; k++)
				in += b[k].len;
			dev_used(f, (u32)heads[i], in);
		}
		for (unsigned i = 0; i < 8; i++) {
			u32 in = 0;

			for (unsigned k = 1 + i % 3; k < 2 + i % 3 + i % 4; k++)
				in += b[k].len;
			assert_ptr_equal(virtq_get_used(&f->vq, &len), TOK(i));
			assert_int_equal(len, in);
		}
		assert_false(f->vq.broken);
		assert_int_equal(f->vq.num_free, 8);
	}
	fix_free(f);
}

/* ---- registration ------------------------------------------------------- */

static const struct vq_params p16 = { 16, 16, false };
static const struct vq_params p16e = { 16, 16, true };
static const struct vq_params p4k = { 16, 4096, false };
static const struct vq_params p4ke = { 16, 4096, true };
static const struct vq_params p1 = { 1, 16, false };
static const struct vq_params p256 = { 256, 16, true };
static const struct vq_params p256k = { 256, 4096, false };

/* clang-format off */
#define T(fn, p) { #fn "/" #p, fn, setup_quiet, teardown_fixtures, (void *)&p }
#define U(fn) { #fn, fn, setup_quiet, teardown_fixtures, NULL }
#define H(r) { "test_hostile", test_hostile, setup_quiet, teardown_fixtures, (void *)(r) }
/* clang-format on */

int main(void)
{
	struct CMUnitTest tests[] = {
		U(test_layout),
		T(test_round_trip, p16),
		T(test_round_trip, p4k),
		T(test_round_trip, p256k),
		T(test_chain_flags, p16),
		T(test_chain_flags, p4ke),
		T(test_free_list_enospc, p16),
		T(test_free_list_enospc, p4k),
		T(test_einval, p16),
		T(test_einval, p4k),
		T(test_out_of_order, p16e),
		T(test_out_of_order, p4k),
		T(test_many_in_flight, p256),
		T(test_many_in_flight, p256k),
		T(test_many_in_flight, p1),
		T(test_index_wrap, p16),
		T(test_index_wrap, p16e),
		T(test_index_wrap, p4k),
		T(test_index_wrap, p4ke),
		T(test_kick_no_notify_flag, p16),
		T(test_kick_no_notify_flag, p4k),
		U(test_need_event),
		T(test_kick_event_idx, p16e),
		T(test_kick_event_idx, p4ke),
		T(test_used_event_published, p16e),
		T(test_used_event_published, p4ke),
		U(test_broken_empty),
		T(test_desc_scribble, p16),
		T(test_desc_scribble, p4ke),
		U(test_huge_chain_len),
		U(test_chain_over_4g_refused),
		T(test_ind_one_slot, p16),
		T(test_ind_one_slot, p4ke),
		T(test_ind_one_slot, p256),
		T(test_ind_fill_ring, p16e),
		T(test_ind_fill_ring, p256),
		T(test_ind_fill_ring, p256k),
		U(test_ind_long_chain_direct),
		U(test_ind_set_limits),
		T(test_ind_table_scribble, p16),
		T(test_ind_table_scribble, p4ke),
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

			if (hostile_cases[i].mode == (ind ? HC_DIRECT : HC_INDIRECT))
				continue;
			runs[r] = (struct hostile_run){ &hostile_cases[i], ind != 0 };
			snprintf(names[r], sizeof(names[r]), "test_hostile%s: %s",
				 ind ? " (indirect)" : "", hostile_cases[i].name);
			h.name = names[r];
			all[n++] = h;
			r++;
		}
	}
	return _cmocka_run_group_tests("virtqueue", all, n, NULL, NULL);
}
