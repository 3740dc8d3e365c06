/*
 * tests/fuzz/fuzz_virtqueue.c - libFuzzer target for the split virtqueue
 * (drivers/virtio/virtqueue.c) against a device that writes anything into
 * the memory it shares with the driver.
 *
 * The queue is set up as tests/host/test_virtqueue.c does it: ring memory
 * of exactly virtq_ring_size() bytes and private state of exactly
 * virtq_priv_size() bytes, both on the heap, so ASan sees every access
 * past them.  The input is a script (the first byte picks the ring size,
 * alignment, event index and legacy length leniency), then one operation
 * per step:
 *  - the driver adds a chain, pops completions, kicks, or resets after
 *    detaching every token (as an owner does once the queue broke);
 *  - the device writes a used entry (any id, any length), used->idx
 *    (absolute or moved), used->flags / avail_event, or scribbles over the
 *    descriptor table and avail ring, or completes what is available
 *    honestly (walking desc[] as a device does), so the fuzzer reaches
 *    long valid runs and index wrap-around as easily as garbage.
 *
 * What must hold, whatever the device wrote (abort() otherwise, which
 * libFuzzer reports as a crash):
 *  - no crash and no access outside the ring or the private state;
 *  - virtq_add() returns exactly what its contract says for the queue's
 *    state (0, -ENOSPC, -EINVAL, -EIO once broken);
 *  - virtq_get_used() only returns a token that is in flight (added, not
 *    yet completed nor detached), with a length no larger than the
 *    chain's writable bytes, and nothing once the queue is broken;
 *  - the driver's count of in-flight chains and free descriptors match
 *    what was added and completed, after every step;
 *  - virtq_detach_unused() returns every in-flight token exactly once.
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

struct fvq {
	struct virtq vq;
	void *ring, *priv;
	u16 num;
	struct fvq_books b;
	u16 dev_last_avail; /* the honest device's progress through avail */
	struct fvq_script s;
};

static void fvq_poll(struct fvq *f)
{
	fvq_poll_n(&f->vq, &f->b, fvq_byte(&f->s) % 8 + 1);
}

/* Detach everything (each token once), then set the queue up again. */
static void fvq_reset(struct fvq *f)
{
	bool lenient = f->vq.lenient_len; /* the owner's setting, kept */

	fvq_detach_all(&f->vq, &f->b);
	virtq_init(&f->vq, 0, f->num, f->ring, f->vq.align, f->priv, f->vq.event_idx, fvq_notify,
		   f);
	f->vq.lenient_len = lenient;
	f->dev_last_avail = 0;
}

/*
 * An honest device: take up to n available chains, walk each through the
 * shared descriptor table (bounded, as a device must be against a driver
 * bug) and complete it with some of its writable length.
 */
static void fvq_device_honest(struct fvq *f)
{
	struct virtq *vq = &f->vq;
	unsigned n = fvq_byte(&f->s) % 4 + 1;

	for (unsigned k = 0; k < n; k++) {
		u16 avail = le16_to_cpu(vq->avail->idx), head, i, used;
		u64 in_len = 0;

		if (avail == f->dev_last_avail)
			return;
		head = le16_to_cpu(vq->avail->ring[f->dev_last_avail % f->num]);
		f->dev_last_avail++;
		i = head;
		for (unsigned steps = 0; i < f->num && steps < f->num; steps++) {
			const struct virtq_desc *d = &vq->desc[i];
			u16 flags = le16_to_cpu(d->flags);

			if (flags & VIRTQ_DESC_F_WRITE)
				in_len += le32_to_cpu(d->len);
			if (!(flags & VIRTQ_DESC_F_NEXT))
				break;
			i = le16_to_cpu(d->next);
		}
		used = le16_to_cpu(vq->used->idx);
		vq->used->ring[used % f->num] = (struct virtq_used_elem){
			.id = cpu_to_le32(head),
			.len = cpu_to_le32((u32)(in_len * fvq_byte(&f->s) / 255)),
		};
		vq->used->idx = cpu_to_le16((u16)(used + 1));
	}
}

/* The device scribbles over memory only the driver should write. */
static void fvq_device_scribble(struct fvq *f)
{
	size_t avail_end = virtq_avail_offset(f->num) + sizeof(struct virtq_avail) +
			   sizeof(le16) * (f->num + 1u);
	unsigned n = fvq_byte(&f->s) % 16 + 1;
	u16 at = fvq_u16(&f->s);

	for (unsigned k = 0; k < n; k++)
		((u8 *)f->ring)[(at + k) % avail_end] = fvq_byte(&f->s);
}

static void fvq_step(struct fvq *f, u8 op)
{
	struct virtq *vq = &f->vq;

	switch (op % 12) {
	case 0:
	case 1: fvq_add(vq, &f->b, &f->s); break;
	case 2:
	case 3: fvq_poll(f); break;
	case 4: /* a used entry: any id, any length */
		vq->used->ring[fvq_byte(&f->s) % f->num] = (struct virtq_used_elem){
			.id = cpu_to_le32(fvq_u32(&f->s) % 512),
			.len = cpu_to_le32(fvq_u32(&f->s)),
		};
		break;
	case 5: vq->used->idx = cpu_to_le16(fvq_u16(&f->s)); break;
	case 6:
		vq->used->idx =
			cpu_to_le16((u16)(le16_to_cpu(vq->used->idx) + fvq_byte(&f->s) % 4));
		break;
	case 7: fvq_device_honest(f); break;
	case 8: fvq_device_scribble(f); break;
	case 9: /* notification suppression: used->flags, avail_event */
		if (fvq_byte(&f->s) & 1)
			vq->used->flags = cpu_to_le16(fvq_u16(&f->s));
		else
			*(le16 *)&vq->used->ring[f->num] = cpu_to_le16(fvq_u16(&f->s));
		break;
	case 10: fvq_driver_kick(vq, &f->s); break;
	case 11:
		/* The owner resets a broken queue; now and then a healthy one. */
		if (vq->broken || fvq_byte(&f->s) == 0xff)
			fvq_reset(f);
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
	host_console_quiet = true; /* "queue marked broken" on most inputs */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fvq *f = calloc(1, sizeof(*f));
	u8 cfg;
	size_t align;

	if (!f)
		abort();
	f->s = (struct fvq_script){ data, size };
	cfg = fvq_byte(&f->s);
	f->num = f->b.num = (u16)(1u << (cfg % 9)); /* 1 .. 256 */
	align = cfg & 0x10 ? 4096 : 16;
	if (posix_memalign(&f->ring, align, virtq_ring_size(f->num, align)))
		abort();
	f->priv = malloc(virtq_priv_size(f->num));
	if (!f->priv)
		abort();
	virtq_init(&f->vq, 0, f->num, f->ring, align, f->priv, cfg & 0x20, fvq_notify, f);
	f->vq.lenient_len = cfg & 0x40;
	while (f->s.left)
		fvq_step(f, fvq_byte(&f->s));
	/* The owner's teardown: every token back exactly once. */
	fvq_reset(f);
	if (virtq_detach_unused(&f->vq))
		abort();
	free(f->priv);
	free(f->ring);
	free(f);
	return 0;
}
