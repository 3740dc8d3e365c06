/*
 * tests/fuzz/fuzz_virtqueue_packed.c - libFuzzer target for packed rings
 * (drivers/virtio/virtqueue_packed.c) against a device that writes
 * anything into the memory it shares with the driver.
 *
 * As fuzz_virtqueue.c does for split rings: the ring (exactly
 * virtq_packed_ring_size() bytes), the private state and the indirect
 * tables are heap blocks of exactly the sizes the header asks for, so ASan
 * sees every access past them.  The first byte picks the ring size (1 to
 * 256), EVENT_IDX and indirect tables (and their size); then one
 * operation per step:
 *  - the driver adds a chain, pops completions, kicks, or resets after
 *    detaching every token;
 *  - the device writes a used element anywhere (any id, length, flags),
 *    or one at its own position with the right wrap flags, scribbles
 *    over the ring, the tables or its event suppression structure, or
 *    behaves: takes available chains from its position (following the
 *    wrap flags and NEXT through consecutive slots, bounded) and
 *    completes them in any order, skipping their slots, so the fuzzer
 *    reaches long valid runs and many laps as easily as garbage.
 *
 * What must hold, whatever the device wrote (abort() otherwise):
 *  - no crash and no access outside the ring, tables or private state;
 *  - virtq_add() returns exactly what its contract says (0, -ENOSPC,
 *    -EINVAL, -EIO once broken), a chain taking one slot when it goes
 *    into a table and one per buffer otherwise;
 *  - virtq_get_used() only returns a token in flight, with a length no
 *    larger than the chain's writable bytes, and nothing once broken;
 *  - the driver's in-flight count and free slots match ours after every
 *    step, and virtq_detach_unused() returns every in-flight token once.
 */
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "drivers/virtio/virtqueue.h"
#include "lib/errno.h"
#include "tests/fuzz/fuzz_vq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct fvp {
	struct virtq vq;
	void *ring, *priv, *tables;
	u16 num;
	unsigned ind_max;
	struct fvq_books b; /* ndescs: the slots a chain holds */
	/* The honest device: its positions, and chains taken, not completed. */
	u16 d_avail, d_used;
	bool d_avail_wrap, d_used_wrap;
	u16 taken_id[FVQ_MAX_NUM], taken_slots[FVQ_MAX_NUM];
	u32 taken_in[FVQ_MAX_NUM];
	unsigned ntaken;
	struct fvq_script s;
};

static void fvp_dev_reset(struct fvp *f)
{
	f->d_avail = f->d_used = 0;
	f->d_avail_wrap = f->d_used_wrap = true;
	f->ntaken = 0;
}

static void fvp_reset(struct fvp *f)
{
	fvq_detach_all(&f->vq, &f->b);
	virtq_init_packed(&f->vq, 0, f->num, f->ring, f->priv, f->vq.event_idx, fvq_notify, f);
	virtq_set_indirect(&f->vq, f->tables, f->ind_max);
	fvp_dev_reset(f);
}

static bool fvp_slot_avail(const struct fvp *f, u16 slot, bool wrap)
{
	u16 flags = le16_to_cpu(f->vq.pdesc[slot].flags);

	return !!(flags & VIRTQ_PACKED_DESC_F_AVAIL) == wrap &&
	       !!(flags & VIRTQ_PACKED_DESC_F_USED) != wrap;
}

/* The honest device takes up to n available chains, bounded walks. */
static void fvp_dev_take(struct fvp *f)
{
	unsigned n = fvq_byte(&f->s) % 4 + 1;

	for (unsigned k = 0; k < n && f->ntaken < f->num; k++) {
		u16 slots = 0, id = 0;
		u32 in_len = 0;

		while (slots < f->num && fvp_slot_avail(f, f->d_avail, f->d_avail_wrap)) {
			const struct virtq_packed_desc *d = &f->vq.pdesc[f->d_avail];
			u16 flags = le16_to_cpu(d->flags);

			id = le16_to_cpu(d->id);
			slots++;
			if (++f->d_avail == f->num) {
				f->d_avail = 0;
				f->d_avail_wrap = !f->d_avail_wrap;
			}
			if (flags & VIRTQ_DESC_F_INDIRECT) {
				const struct virtq_packed_desc *t =
					(const void *)(uintptr_t)le64_to_cpu(d->addr);
				uintptr_t lo = (uintptr_t)f->tables, at = (uintptr_t)t;
				u32 entries = le32_to_cpu(d->len) / sizeof(*t);

				/* Only inside the tables (a device checks its DMA). */
				if (!f->tables || at < lo || at % sizeof(*t) ||
				    entries > f->ind_max ||
				    at - lo + (u64)entries * sizeof(*t) >
					    virtq_indirect_size(f->num, f->ind_max))
					break;
				for (u32 e = 0; e < entries; e++)
					if (le16_to_cpu(t[e].flags) & VIRTQ_DESC_F_WRITE)
						in_len += le32_to_cpu(t[e].len);
				break;
			}
			if (flags & VIRTQ_DESC_F_WRITE)
				in_len += le32_to_cpu(d->len);
			if (!(flags & VIRTQ_DESC_F_NEXT))
				break;
		}
		if (!slots)
			return;
		f->taken_id[f->ntaken] = id;
		f->taken_slots[f->ntaken] = slots;
		f->taken_in[f->ntaken] = in_len;
		f->ntaken++;
	}
}

static void fvp_put_used(struct fvp *f, u16 id, u32 len, u16 skip)
{
	struct virtq_packed_desc *d = &f->vq.pdesc[f->d_used];

	d->id = cpu_to_le16(id);
	d->len = cpu_to_le32(len);
	d->flags = cpu_to_le16(f->d_used_wrap ? VIRTQ_PACKED_DESC_F_AVAIL | VIRTQ_PACKED_DESC_F_USED
					      : 0);
	for (unsigned pos = f->d_used + skip;; pos -= f->num) {
		if (pos < f->num) {
			f->d_used = (u16)pos;
			break;
		}
		f->d_used_wrap = !f->d_used_wrap;
	}
}

/* Complete one taken chain, chosen by the script, in any order. */
static void fvp_dev_complete(struct fvp *f)
{
	unsigned i;

	if (!f->ntaken)
		return;
	i = fvq_byte(&f->s) % f->ntaken;
	fvp_put_used(f, f->taken_id[i], (u32)((u64)f->taken_in[i] * fvq_byte(&f->s) / 255),
		     f->taken_slots[i]);
	f->ntaken--;
	f->taken_id[i] = f->taken_id[f->ntaken];
	f->taken_slots[i] = f->taken_slots[f->ntaken];
	f->taken_in[i] = f->taken_in[f->ntaken];
}

/* The device scribbles over the ring (descriptors, event structures) or a table. */
static void fvp_scribble(struct fvp *f)
{
	bool table = f->tables && (fvq_byte(&f->s) & 1);
	size_t size =
		table ? virtq_indirect_size(f->num, f->ind_max) : virtq_packed_ring_size(f->num);
	u8 *base = table ? f->tables : f->ring;
	unsigned n = fvq_byte(&f->s) % 16 + 1;
	u16 at = fvq_u16(&f->s);

	for (unsigned k = 0; k < n; k++)
		base[(at + k) % size] = fvq_byte(&f->s);
}

static void fvp_step(struct fvp *f, u8 op)
{
	struct virtq *vq = &f->vq;

	switch (op % 13) {
	case 0:
	case 1: fvq_add(vq, &f->b, &f->s); break;
	case 2:
	case 3: fvq_poll_n(vq, &f->b, fvq_byte(&f->s) % 8 + 1); break;
	case 4: /* a used element anywhere: any id, length, flags */
		vq->pdesc[fvq_byte(&f->s) % f->num] = (struct virtq_packed_desc){
			.id = cpu_to_le16(fvq_u16(&f->s)),
			.len = cpu_to_le32(fvq_u32(&f->s)),
			.flags = cpu_to_le16(fvq_u16(&f->s)),
		};
		break;
	case 5: /* one at the device's position, right flags, any id and skip */
		fvp_put_used(f, fvq_u16(&f->s) % 512, fvq_u32(&f->s) % 4096, fvq_byte(&f->s) % 8);
		break;
	case 6: fvp_dev_take(f); break;
	case 7:
	case 8: fvp_dev_complete(f); break;
	case 9: fvp_scribble(f); break;
	case 10: /* the device's event suppression structure */
		vq->device_event->flags = cpu_to_le16(fvq_u16(&f->s));
		vq->device_event->off_wrap = cpu_to_le16(fvq_u16(&f->s));
		break;
	case 11: fvq_driver_kick(vq, &f->s); break;
	case 12:
		if (vq->broken || fvq_byte(&f->s) == 0xff)
			fvp_reset(f);
		else
			virtq_report(vq, "fuzz");
		break;
	}
	fvq_check(&f->vq, &f->b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	host_console_quiet = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fvp *f = calloc(1, sizeof(*f));
	u8 cfg;

	if (!f)
		abort();
	f->s = (struct fvq_script){ data, size };
	cfg = fvq_byte(&f->s);
	f->num = f->b.num = (u16)(1u << (cfg % 9)); /* 1 .. 256 */
	if (posix_memalign(&f->ring, 16, virtq_packed_ring_size(f->num)))
		abort();
	f->priv = malloc(virtq_priv_size(f->num));
	if (!f->priv)
		abort();
	if (cfg & 0x40) {
		f->ind_max = 2u + (cfg >> 7) * 6u; /* 2 or 8 entries */
		f->tables = malloc(virtq_indirect_size(f->num, f->ind_max));
		if (!f->tables)
			abort();
	}
	virtq_init_packed(&f->vq, 0, f->num, f->ring, f->priv, cfg & 0x20, fvq_notify, f);
	virtq_set_indirect(&f->vq, f->tables, f->ind_max);
	fvp_dev_reset(f);
	while (f->s.left)
		fvp_step(f, fvq_byte(&f->s));
	fvp_reset(f);
	if (virtq_detach_unused(&f->vq))
		abort();
	free(f->tables);
	free(f->priv);
	free(f->ring);
	free(f);
	return 0;
}
