/*
 * tests/host/test_vpci.c - host tests for the virtio-pci transport
 * (drivers/virtio/virtio_pci*.c) against the fake function of
 * fake_vpci*.c (FN) in front of the device model of fake_vblk_model.c (F),
 * through the real PCI layer's configuration access and capability walk
 * (drivers/pci) and the real virtio core.
 *
 * Groups: which interface and device type a function gets; the modern
 * initialisation end to end (64-bit features, queue addresses, queue_enable
 * last, doorbells at queue_notify_off * multiplier); the legacy one
 * (QueuePFN, 4096 alignment, 32-bit features, no FEATURES_OK, the
 * configuration moving with MSI-X); malformed capabilities and BARs, each
 * refused with -EINVAL and a message before any structure is touched;
 * device configuration at every width and clamped at the structure's end;
 * enumeration by pci_enumerate() then probing, as the kernel does; and the
 * whole virtio-blk driver and block layer over each interface, also with
 * the model's misbehaviour knobs (the same ones test_vblk uses over mmio).
 *
 * The fake records every protocol slip of the driver; every test requires
 * there was none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "arch/host/host.h"
#include "drivers/block/virtio_blk.h"
#include "drivers/pci/pci.h"
#include "drivers/pci/pci_regs.h"
#include "drivers/virtio/virtio_pci.h"
#include "drivers/virtio/virtio_pci_regs.h"
#include "kernel/block/blk.h"
#include "lib/errno.h"
#include "tests/host/fake_vpci.h"
#include "tests/host/test_util.h"

#define SECTORS 2048u

#define F_FLUSH BIT64(VIRTIO_BLK_F_FLUSH)
#define F_DISCARD BIT64(VIRTIO_BLK_F_DISCARD)
#define F_EVENT_IDX BIT64(VIRTIO_F_RING_EVENT_IDX)
#define F_ANY_LAYOUT BIT64(VIRTIO_F_ANY_LAYOUT)
#define F_V1 BIT64(VIRTIO_F_VERSION_1)
#define F_IN_ORDER BIT64(VIRTIO_F_IN_ORDER)
#define F_RING_RESET BIT64(VIRTIO_F_RING_RESET)
#define OFFER (F_FLUSH | F_DISCARD | F_EVENT_IDX | F_ANY_LAYOUT | F_V1 | F_IN_ORDER | F_RING_RESET)

static struct fake_vblk F;  /* the device */
static struct fake_vpci FN; /* its virtio-pci function */
static struct pci_host H;
static struct pci_dev P;
static struct virtio_dev *V;

/* ---- a small driver for the core: up to two queues, GET_ID on each ------- */

static const struct virtio_feature tdrv_features[] = {
	{ VIRTIO_BLK_F_FLUSH, "flush" },
	{ VIRTIO_F_RING_EVENT_IDX, "event_idx" },
	{ VIRTIO_F_IN_ORDER, "in_order" }, /* a bit of the high word */
};

struct tdrv_ctx {
	struct virtq vq[2];
	unsigned nq, qsize;
};
static struct tdrv_ctx T;

static int tdrv_setup(struct virtio_dev *vdev, void *ctx)
{
	struct tdrv_ctx *t = ctx;

	for (unsigned i = 0; i < t->nq; i++) {
		int err = virtio_vq_setup(vdev, i, &t->vq[i], t->qsize);

		if (err)
			return err;
	}
	return 0;
}

static const struct virtio_driver tdrv = {
	.name = "tdrv",
	.device_id = VIRTIO_ID_BLOCK,
	.features = tdrv_features,
	.nfeatures = ARRAY_SIZE(tdrv_features),
	.setup = tdrv_setup,
};

/* Send GET_ID on queue `qi` and check the device answered through it. */
static void get_id(unsigned qi)
{
	static struct virtio_blk_outhdr hdr;
	static char id[VIRTIO_BLK_ID_BYTES];
	static u8 status;
	struct virtq_buf bufs[] = { { &hdr, sizeof(hdr) }, { id, sizeof(id) }, { &status, 1 } };
	unsigned before = F.q[qi].notifies;
	u32 len = 0;

	hdr = (struct virtio_blk_outhdr){ .type = cpu_to_le32(VIRTIO_BLK_T_GET_ID) };
	memset(id, 0, sizeof(id));
	status = 0xff;
	OK(virtq_add(&T.vq[qi], bufs, 1, 2, &hdr));
	assert_true(virtq_kick(&T.vq[qi]));
	assert_ptr_equal(virtq_get_used(&T.vq[qi], &len), &hdr);
	assert_int_equal(len, VIRTIO_BLK_ID_BYTES + 1);
	assert_int_equal(status, VIRTIO_BLK_S_OK);
	assert_memory_equal(id, FVB_SERIAL, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(F.q[qi].notifies, before + 1);
}

/* ---- helpers ----------------------------------------------------------------- */

static int t_setup(void **state)
{
	(void)state;
	host_console_quiet = true;
	host_console_last[0] = '\0';
	host_time_step_ns = 1000;
	memset(&T, 0, sizeof(T));
	V = NULL;
	return 0;
}

static int t_teardown(void **state)
{
	(void)state;
	fvp_destroy(&FN);
	return 0;
}

/* A fresh function of `kind`, assigned as firmware would, probed. */
static int probe_kind(enum fvp_kind kind, u64 features, unsigned nq)
{
	fvp_init(&FN, &F, kind, VIRTIO_ID_BLOCK, features, nq, SECTORS);
	fvp_firmware_assign(&FN, &H, &P);
	return vpci_probe(&P, 0, &V);
}

/* Probe what F is now (after a test edited it); expect -EINVAL + `msg`. */
static void expect_refused(const char *msg)
{
	host_console_last[0] = '\0';
	assert_int_equal(vpci_probe(&P, 0, &V), -EINVAL);
	assert_console_has(msg);
	/* Refused before touching a structure: the device saw nothing. */
	assert_int_equal(F.nstatus, 0);
	assert_no_violations(&F);
}

static void init_tdrv(unsigned nq, unsigned qsize)
{
	T.nq = nq;
	T.qsize = qsize;
	OK(virtio_dev_init(V, &tdrv, &T));
}

/* ---- which interface, which type ----------------------------------------------- */

static void test_not_virtio(void **state)
{
	static const struct {
		u16 vendor, device;
	} cases[] = {
		{ 0x8086, 0x1001 }, { 0x1af4, 0x0fff }, { 0x1af4, 0x1080 }, { 0x1b36, 0x1042 }
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		fvp_init(&FN, &F, FVP_TRANSITIONAL, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
		fvp_firmware_assign(&FN, &H, &P);
		P.vendor_id = cases[i].vendor;
		P.device_id = cases[i].device;
		assert_int_equal(vpci_probe(&P, 0, &V), -ENODEV);
	}
	/* A bridge with a virtio ID is not a virtio device either. */
	fvp_init(&FN, &F, FVP_MODERN, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
	fvp_firmware_assign(&FN, &H, &P);
	P.header_type = 1;
	assert_int_equal(vpci_probe(&P, 0, &V), -ENODEV);
	assert_no_violations(&F);
}

static void test_transitional_is_modern(void **state)
{
	(void)state;
	OK(probe_kind(FVP_TRANSITIONAL, OFFER, 1));
	assert_int_equal(P.device_id, 0x1001);
	assert_string_equal(V->transport, "pci-modern");
	assert_false(V->legacy);
	assert_int_equal(V->device_id, VIRTIO_ID_BLOCK); /* from the subsystem ID */
	assert_int_equal(V->vendor_id, 0x1af4);
	assert_int_equal(V->queue_align, 16);
	assert_string_equal(V->name, "virtio-pci0");
	assert_no_violations(&F);
}

static void test_modern_type_from_device_id(void **state)
{
	(void)state;
	OK(probe_kind(FVP_MODERN, OFFER, 1));
	assert_int_equal(P.device_id, 0x1042);
	assert_int_equal(P.subsys_id, 0x1100); /* QEMU's: must not be used as the type */
	assert_int_equal(V->device_id, VIRTIO_ID_BLOCK);
	assert_string_equal(V->transport, "pci-modern");
	/* Network: 0x1041. */
	fvp_init(&FN, &F, FVP_MODERN, VIRTIO_ID_NET, OFFER, 1, SECTORS);
	fvp_firmware_assign(&FN, &H, &P);
	OK(vpci_probe(&P, 3, &V));
	assert_int_equal(P.device_id, 0x1041);
	assert_int_equal(V->device_id, VIRTIO_ID_NET);
	assert_string_equal(V->name, "virtio-pci3");
	assert_no_violations(&F);
}

static void test_legacy_only_is_legacy(void **state)
{
	(void)state;
	OK(probe_kind(FVP_LEGACY, OFFER, 1));
	assert_string_equal(V->transport, "pci-legacy");
	assert_true(V->legacy);
	assert_int_equal(V->queue_align, 4096);
	assert_int_equal(V->device_id, VIRTIO_ID_BLOCK);
	assert_no_violations(&F);
}

static void test_type_zero_refused(void **state)
{
	(void)state;
	fvp_init(&FN, &F, FVP_TRANSITIONAL, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
	FN.subsys_id = 0;
	fvp_firmware_assign(&FN, &H, &P);
	expect_refused("device type 0");
	fvp_init(&FN, &F, FVP_MODERN, 0, OFFER, 1, SECTORS);
	fvp_firmware_assign(&FN, &H, &P);
	expect_refused("device type 0");
}

/* ---- modern initialisation -------------------------------------------------------- */

static void test_modern_init(void **state)
{
	static const u8 want_status[] = { 0, 1, 3, 11, 15 };

	(void)state;
	OK(probe_kind(FVP_TRANSITIONAL, OFFER, 2));
	init_tdrv(2, 64);
	assert_no_violations(&F);
	assert_memory_equal(F.status_log, want_status, sizeof(want_status));
	assert_int_equal(F.nstatus, sizeof(want_status));
	/* 64-bit negotiation: both words written, VERSION_1 and IN_ORDER high. */
	assert_int_equal(F.driver_features, F_FLUSH | F_EVENT_IDX | F_V1 | F_IN_ORDER);
	assert_int_equal(V->features, F.driver_features);
	assert_int_equal(V->device_features, OFFER);
	assert_int_equal(FN.feature_word_writes, 2);
	for (unsigned i = 0; i < 2; i++) {
		const struct fvb_queue *q = &F.q[i];
		const struct fvp_queue *r = &FN.q[i];

		assert_true(q->ready);
		assert_int_equal(q->num, 64); /* shrunk from 256 */
		assert_int_equal(q->desc, virt_to_phys(T.vq[i].desc));
		assert_int_equal(q->avail, virt_to_phys(T.vq[i].avail));
		assert_int_equal(q->used, virt_to_phys(T.vq[i].used));
		/* queue_enable came last: all six halves before, nothing after. */
		assert_int_equal(r->addr_writes, 6);
		assert_int_equal(r->late_writes, 0);
	}
	assert_int_equal(FN.enables, 2);
	get_id(0);
	get_id(1);
	get_id(0);
	assert_no_violations(&F);
}

/* Doorbells at notify.offset + queue_notify_off * multiplier (4.1.4.4). */
static void test_notify_multiplier(void **state)
{
	static const struct {
		u32 mult;
		u16 off0, off1;
	} cases[] = {
		{ 4, 0, 1 }, /* QEMU */
		{ 0, 0, 0 }, /* one shared doorbell */
		{ 0, 7, 3 }, /* queue_notify_off ignored when the multiplier is 0 */
		{ 4, 9, 2 }, /* queue 0 above queue 1 */
		{ 2, 0x7ff, 5 }, { 0x100, 1, 15 },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		fvp_init(&FN, &F, FVP_MODERN, VIRTIO_ID_BLOCK, OFFER, 2, SECTORS);
		FN.caps[fvp_cap_index(&FN, VIRTIO_PCI_CAP_NOTIFY_CFG)].mult = cases[i].mult;
		FN.q[0].notify_off = cases[i].off0;
		FN.q[1].notify_off = cases[i].off1;
		fvp_firmware_assign(&FN, &H, &P);
		OK(vpci_probe(&P, 0, &V));
		memset(&T, 0, sizeof(T));
		init_tdrv(2, 16);
		get_id(0);
		get_id(1);
		get_id(1);
		assert_int_equal(F.q[0].notifies, 1);
		assert_int_equal(F.q[1].notifies, 2);
		assert_no_violations(&F);
	}
}

static void test_notify_outside_cap(void **state)
{
	(void)state;
	fvp_init(&FN, &F, FVP_MODERN, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
	FN.q[0].notify_off = FVP_STRUCT_LEN / 4; /* * 4 = just past the area */
	fvp_firmware_assign(&FN, &H, &P);
	OK(vpci_probe(&P, 0, &V));
	T.nq = 1;
	T.qsize = 16;
	assert_int_equal(virtio_dev_init(V, &tdrv, &T), -EINVAL);
	assert_non_null(strstr(host_console_last, "doorbell"));
	assert_false(F.q[0].ready);
	assert_true(F.status & VIRTIO_CONFIG_S_FAILED);
	/* The last halfword still fits. */
	FN.q[0].notify_off = FVP_STRUCT_LEN / 4 - 1;
	memset(&T, 0, sizeof(T));
	init_tdrv(1, 16);
	get_id(0);
	assert_no_violations(&F);
}

static void test_modern_queue_max(void **state)
{
	(void)state;
	OK(probe_kind(FVP_MODERN, OFFER, 2));
	F.q[1].max = F.q[1].num = 0; /* a queue the device does not have */
	assert_int_equal(V->ops->queue_max(V, 0), 256);
	assert_int_equal(V->ops->queue_max(V, 1), 0);
	assert_int_equal(V->ops->queue_max(V, 2), 0); /* >= num_queues: not even selected */
	assert_int_equal(V->ops->queue_max(V, 1000), 0);
	assert_no_violations(&F);
}

static void test_modern_status_generation_isr(void **state)
{
	(void)state;
	OK(probe_kind(FVP_MODERN, OFFER, 1));
	F.generation = 0xa7;
	assert_int_equal(V->ops->config_generation(V), 0xa7);
	assert_int_equal(F.gen_reads, 1);
	/* Reset: the core waits until device_status reads 0. */
	F.status = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	F.reset_delay = 5;
	OK(virtio_dev_reset(V));
	assert_int_equal(V->ops->get_status(V), 0);
	F.reset_delay = 0;
	/* ISR: read once to acknowledge, reading clears it. */
	F.isr = VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG;
	assert_int_equal(V->ops->irq_ack(V), 3);
	assert_int_equal(V->ops->irq_ack(V), 0);
	assert_int_equal(FN.isr_reads, 2);
	assert_no_violations(&F);
}

static void test_modern_features_refused(void **state)
{
	(void)state;
	OK(probe_kind(FVP_TRANSITIONAL, OFFER, 1));
	F.refuse_features_ok = true;
	T.nq = 1;
	T.qsize = 16;
	assert_int_equal(virtio_dev_init(V, &tdrv, &T), -EIO);
	assert_true(F.status & VIRTIO_CONFIG_S_FAILED);
	assert_int_equal(FN.enables, 0);
	/* A modern device must offer VERSION_1. */
	OK(probe_kind(FVP_MODERN, OFFER & ~F_V1, 1));
	assert_int_equal(virtio_dev_init(V, &tdrv, &T), -ENODEV);
	assert_no_violations(&F);
}

/* ---- legacy initialisation ---------------------------------------------------------- */

static void test_legacy_init(void **state)
{
	static const u8 want_status[] = { 0, 1, 3, 7 }; /* no FEATURES_OK */
	const struct fvb_queue *q = &F.q[0];

	(void)state;
	OK(probe_kind(FVP_LEGACY, OFFER, 1));
	init_tdrv(1, 256);
	assert_no_violations(&F);
	assert_memory_equal(F.status_log, want_status, sizeof(want_status));
	assert_int_equal(F.nstatus, sizeof(want_status));
	/* 32-bit features: no VERSION_1, nothing of the high word. */
	assert_int_equal(V->device_features, (u32)OFFER);
	assert_int_equal(F.driver_features, F_FLUSH | F_EVENT_IDX);
	assert_int_equal(FN.feature_word_writes, 1);
	/* QueuePFN names the ring; the fake computed the 4096-aligned layout. */
	assert_int_equal(q->pfn, virt_to_phys(T.vq[0].desc) >> 12);
	assert_int_equal(virt_to_phys(T.vq[0].desc) % 4096, 0);
	assert_int_equal(q->avail, virt_to_phys(T.vq[0].avail));
	assert_int_equal(q->used, virt_to_phys(T.vq[0].used));
	assert_int_equal(q->used % 4096, 0);
	assert_int_equal(T.vq[0].num, 256);
	assert_true(T.vq[0].lenient_len);
	assert_int_equal(V->ops->config_generation(V), 0);
	get_id(0);
	get_id(0);
	F.isr = 1;
	assert_int_equal(V->ops->irq_ack(V), 1);
	assert_int_equal(V->ops->irq_ack(V), 0);
	assert_no_violations(&F);
}

/* QUEUE_NUM is read-only on legacy: a smaller ring cannot be had. */
static void test_legacy_queue_size_fixed(void **state)
{
	(void)state;
	OK(probe_kind(FVP_LEGACY, OFFER, 1));
	T.nq = 1;
	/*
	 * A legacy device's queue size is not writable: asking for fewer
	 * entries still gets the device's whole ring, never a mismatch.
	 */
	T.qsize = 64;
	OK(virtio_dev_init(V, &tdrv, &T));
	assert_true(F.q[0].ready);
	assert_false(F.status & VIRTIO_CONFIG_S_FAILED);
	assert_int_equal(V->ops->queue_max(V, 1), 0);
	assert_no_violations(&F);
}

/* Legacy configuration at 20, or at 24 while MSI-X is enabled (4.1.4.10). */
static void test_legacy_config_moves_with_msix(void **state)
{
	(void)state;
	for (int msix = 0; msix < 2; msix++) {
		fvp_init(&FN, &F, FVP_LEGACY, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
		F.cfg.capacity = cpu_to_le64(0x123456789ull);
		FN.msix_ctrl = msix ? 0x8000 : 0;
		fvp_firmware_assign(&FN, &H, &P);
		OK(vpci_probe(&P, 0, &V));
		assert_int_equal(V->ops->config_read(V, 0, 4), 0x23456789);
		assert_int_equal(V->ops->config_read(V, 4, 4), 0x1);
		assert_int_equal(V->ops->config_read(V, 12, 4), 254); /* seg_max */
		assert_no_violations(&F);
	}
}

/* queue_setup refuses what the device cannot take, before writing anything. */
static void test_queue_setup_checks(void **state)
{
	const phys_addr_t page = 0x100000; /* never dereferenced: all refused */
	const struct vpci_bad {
		unsigned num;
		phys_addr_t desc, avail, used;
	} modern[] = {
		{ 16, page + 8, page + 0x100, page + 0x200 }, /* descriptors need 16 */
		{ 16, page, page + 0x101, page + 0x200 },     /* avail needs 2 */
		{ 16, page, page + 0x100, page + 0x202 },     /* used needs 4 */
		{ 24, page, page + 0x200, page + 0x400 },     /* not a power of two */
		{ 512, page, page + 0x2000, page + 0x3000 },  /* above queue_size */
		{ 0, page, page, page },
	};
	struct virtq *vq = &T.vq[0];
	u64 big = 1ull << 44;

	(void)state;
	OK(probe_kind(FVP_MODERN, OFFER, 2));
	init_tdrv(1, 16);
	for (unsigned i = 0; i < ARRAY_SIZE(modern); i++)
		assert_int_equal(V->ops->queue_setup(V, 1, modern[i].num, modern[i].desc,
						     modern[i].avail, modern[i].used),
				 -EINVAL);
	assert_int_equal(FN.q[1].addr_writes, 0);
	assert_int_equal(F.q[1].num, 256);
	/* Queue 0 is live: it must not be reprogrammed under the device. */
	assert_int_equal(V->ops->queue_setup(V, 0, 16, virt_to_phys(vq->desc),
					     virt_to_phys(vq->avail), virt_to_phys(vq->used)),
			 -EBUSY);
	assert_no_violations(&F);

	/* Legacy: one 4096-aligned block under 2^44, of the device's size. */
	OK(probe_kind(FVP_LEGACY, OFFER, 2));
	memset(&T, 0, sizeof(T));
	init_tdrv(1, 256);
	{
		const struct vpci_bad legacy[] = {
			{ 256, page + 16, page + 16 + 0x1000, page + 0x2000 }, /* not on a page */
			{ 256, page, page + 0x1000, page + 0x3000 }, /* used not on the next page */
			{ 256, page, page + 0x1004, page + 0x2000 }, /* avail not after desc */
			{ 256, big, big + 0x1000, big + 0x2000 },    /* PFN needs 33 bits */
			{ 128, page, page + 0x800, page + 0x1000 },  /* not the device's size */
		};

		for (unsigned i = 0; i < ARRAY_SIZE(legacy); i++)
			assert_int_equal(V->ops->queue_setup(V, 1, legacy[i].num, legacy[i].desc,
							     legacy[i].avail, legacy[i].used),
					 -EINVAL);
	}
	assert_int_equal(F.q[1].pfn, 0);
	assert_int_equal(V->ops->queue_setup(V, 0, 256, virt_to_phys(vq->desc),
					     virt_to_phys(vq->avail), virt_to_phys(vq->used)),
			 -EBUSY);
	assert_no_violations(&F);
}

/* ---- malformed capabilities and BARs ----------------------------------------------- */

static struct fvp_cap *cap(u8 type)
{
	int i = fvp_cap_index(&FN, type);

	assert_true(i >= 0);
	return &FN.caps[i];
}

static void drop_cap(u8 type)
{
	int i = fvp_cap_index(&FN, type);

	assert_true(i >= 0);
	memmove(&FN.caps[i], &FN.caps[i + 1], (FN.ncaps - (unsigned)i - 1) * sizeof(FN.caps[0]));
	FN.ncaps--;
}

/* A modern function, assigned, ready for a test to break something. */
static void fresh(void)
{
	fvp_init(&FN, &F, FVP_MODERN, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
	fvp_firmware_assign(&FN, &H, &P);
}

static void test_bad_bar_index(void **state)
{
	(void)state;
	fresh();
	cap(VIRTIO_PCI_CAP_COMMON_CFG)->bar = 7; /* reserved: ignored (4.1.4.1) */
	expect_refused("no usable common cfg capability");
	/* A later valid instance is used instead. */
	FN.caps[FN.ncaps++] = (struct fvp_cap){ .id = PCI_CAP_ID_VNDR,
						.cfg_type = VIRTIO_PCI_CAP_COMMON_CFG,
						.bar = 4,
						.offset = FVP_COMMON_OFF,
						.length = FVP_STRUCT_LEN };
	OK(vpci_probe(&P, 0, &V));
	init_tdrv(1, 16);
	get_id(0);
	assert_no_violations(&F);
}

static void test_cap_beyond_bar(void **state)
{
	(void)state;
	fresh();
	cap(VIRTIO_PCI_CAP_COMMON_CFG)->offset = FVP_BAR4_SIZE - 0x20;
	cap(VIRTIO_PCI_CAP_COMMON_CFG)->length = 0x38;
	expect_refused("overruns the BAR");
	fresh();
	cap(VIRTIO_PCI_CAP_DEVICE_CFG)->length = 0x2001; /* 0x2000 + 0x2001 > 0x4000 */
	expect_refused("overruns the BAR");
	fresh();
	cap(VIRTIO_PCI_CAP_NOTIFY_CFG)->offset = 0xfffffffe; /* offset + length wraps u32 */
	cap(VIRTIO_PCI_CAP_NOTIFY_CFG)->length = 0x10;
	expect_refused("overruns the BAR");
	fresh();
	cap(VIRTIO_PCI_CAP_ISR_CFG)->offset = FVP_BAR4_SIZE; /* starts at the end */
	cap(VIRTIO_PCI_CAP_ISR_CFG)->length = 1;
	expect_refused("overruns the BAR");
}

static void test_cap_too_short(void **state)
{
	(void)state;
	fresh();
	cap(VIRTIO_PCI_CAP_COMMON_CFG)->length = 0x37;
	expect_refused("need 0x38");
	fresh();
	cap(VIRTIO_PCI_CAP_NOTIFY_CFG)->length = 1;
	expect_refused("notify cfg");
	fresh();
	cap(VIRTIO_PCI_CAP_ISR_CFG)->length = 0;
	expect_refused("ISR cfg");
	fresh();
	cap(VIRTIO_PCI_CAP_COMMON_CFG)->offset = 2; /* 32-bit fields misaligned */
	expect_refused("aligned to 4");
	fresh();
	cap(VIRTIO_PCI_CAP_NOTIFY_CFG)->cap_len = 16; /* no room for the multiplier */
	expect_refused("cap_len 16");
	fresh();
	cap(VIRTIO_PCI_CAP_NOTIFY_CFG)->mult = 3;
	expect_refused("notify_off_multiplier 3 is odd");
}

static void test_cap_missing(void **state)
{
	static const u8 required[] = { VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_CAP_ISR_CFG };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(required); i++) {
		fresh();
		drop_cap(required[i]);
		expect_refused(required[i] == VIRTIO_PCI_CAP_NOTIFY_CFG ? "no usable notify cfg"
									: "no usable ISR cfg");
	}
	/* No virtio capability at all on a modern ID: nothing to drive. */
	fresh();
	FN.ncaps = 0;
	expect_refused("without virtio capabilities");
	/* DEVICE_CFG is optional: the configuration then reads as 0. */
	fresh();
	drop_cap(VIRTIO_PCI_CAP_DEVICE_CFG);
	OK(vpci_probe(&P, 0, &V));
	assert_int_equal(V->ops->config_read(V, 0, 4), 0);
	assert_no_violations(&F);
}

static void test_bar_unusable(void **state)
{
	(void)state;
	fresh();
	P.bar[4].assigned = false;
	expect_refused("BAR4, which is not assigned");
	fresh();
	cap(VIRTIO_PCI_CAP_ISR_CFG)->bar = 2; /* a BAR the function does not implement */
	expect_refused("BAR2, which is not a memory BAR");
	fresh();
	cap(VIRTIO_PCI_CAP_COMMON_CFG)->bar = 5; /* the upper half of 64-bit BAR4 */
	expect_refused("BAR5, which is not a memory BAR");
	fresh();
	P.enabled = false; /* enumeration could not place it: decoding off */
	expect_refused("not enabled");
	/* Legacy: BAR0 must be an assigned I/O BAR. */
	fvp_init(&FN, &F, FVP_LEGACY, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
	fvp_firmware_assign(&FN, &H, &P);
	P.bar[0].assigned = false;
	expect_refused("BAR0, which is not assigned");
	P.bar[0].assigned = true;
	P.bar[0].type = PCI_BAR_MEM32;
	expect_refused("BAR0, which is not an I/O BAR");
	P.bar[0].type = PCI_BAR_IO;
	P.bar[0].size = 16;
	expect_refused("registers need 20");
}

/* An I/O-BAR instance is skipped for a later memory one (modern-pio-notify). */
static void test_io_bar_cap_skipped(void **state)
{
	(void)state;
	fvp_init(&FN, &F, FVP_TRANSITIONAL, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
	memmove(&FN.caps[1], &FN.caps[0], FN.ncaps * sizeof(FN.caps[0]));
	FN.ncaps++;
	FN.caps[0] = (struct fvp_cap){ .id = PCI_CAP_ID_VNDR,
				       .cfg_type = VIRTIO_PCI_CAP_NOTIFY_CFG,
				       .bar = 0,
				       .offset = 0,
				       .length = 2,
				       .mult = 0 };
	fvp_firmware_assign(&FN, &H, &P);
	OK(vpci_probe(&P, 0, &V));
	init_tdrv(1, 16);
	get_id(0);
	assert_no_violations(&F);
}

static void test_cap_list_broken(void **state)
{
	(void)state;
	fresh();
	FN.cap_loop = true;
	expect_refused("capability list loops");
	/* A capability that runs off the end of configuration space. */
	fresh();
	FN.caps[FN.ncaps - 1].pos = 0xf8; /* COMMON_CFG, 16 bytes from 0xf8 */
	expect_refused("inside configuration space");
	/* A pointer into the header: the PCI layer refuses the list. */
	fresh();
	FN.caps[2].pos = 0x20;
	assert_int_equal(vpci_probe(&P, 0, &V), -EINVAL);
	assert_int_equal(F.nstatus, 0);
}

/* ---- device configuration ------------------------------------------------------------ */

static void check_widths(void)
{
	const u8 *c = (const u8 *)&F.cfg;

	F.cfg.capacity = cpu_to_le64(0x1122334455667788ull);
	F.cfg.geometry = (struct virtio_blk_geometry){ cpu_to_le16(0xabcd), 0x12, 0x34 };
	assert_int_equal(V->ops->config_read(V, 0, 4), 0x55667788);
	assert_int_equal(V->ops->config_read(V, 4, 4), 0x11223344);
	assert_int_equal(V->ops->config_read(V, 16, 2), 0xabcd);
	assert_int_equal(V->ops->config_read(V, 18, 1), 0x12);
	assert_int_equal(V->ops->config_read(V, 19, 1), 0x34);
	for (unsigned off = 0; off < 24; off++)
		assert_int_equal(V->ops->config_read(V, off, 1), c[off]);
	for (unsigned off = 0; off < 24; off += 2)
		assert_int_equal(V->ops->config_read(V, off, 2), c[off] | c[off + 1] << 8);
	V->ops->config_write(V, offsetof(struct virtio_blk_config, writeback), 1, 0);
	assert_int_equal(F.cfg.writeback, 0);
	assert_int_equal(V->ops->config_read(V, offsetof(struct virtio_blk_config, writeback), 1),
			 0);
}

static void test_devcfg_widths(void **state)
{
	u64 cap64 = 0;

	(void)state;
	OK(probe_kind(FVP_MODERN, OFFER, 1));
	check_widths();
	/* Through the core: a consistent 64-bit read. */
	OK(virtio_cread(V, 0, &cap64, sizeof(cap64)));
	assert_int_equal(cap64, 0x1122334455667788ull);
	assert_no_violations(&F);
	OK(probe_kind(FVP_LEGACY, OFFER, 1));
	check_widths();
	assert_no_violations(&F);
}

/* Accesses not wholly inside DEVICE_CFG's length read 0 and never reach it. */
static void test_devcfg_clamped(void **state)
{
	unsigned reads;

	(void)state;
	fresh();
	cap(VIRTIO_PCI_CAP_DEVICE_CFG)->length = 22; /* ends inside geometry */
	OK(vpci_probe(&P, 0, &V));
	F.cfg.capacity = cpu_to_le64(0xdeadbeefcafef00dull);
	F.cfg.blk_size = cpu_to_le32(4096);
	assert_int_equal(V->ops->config_read(V, 0, 4), 0xcafef00d);
	assert_int_equal(V->ops->config_read(V, 20, 2), le16_to_cpu(((le16 *)&F.cfg)[10]));
	assert_int_equal(V->ops->config_read(V, 21, 1), ((u8 *)&F.cfg)[21]);
	reads = F.cfg_reads;
	assert_int_equal(V->ops->config_read(V, 20, 4), 0); /* blk_size straddles the end */
	assert_int_equal(V->ops->config_read(V, 22, 1), 0);
	assert_int_equal(V->ops->config_read(V, 24, 2), 0);
	assert_int_equal(V->ops->config_read(V, 0xffffffc, 4), 0); /* no wrap-around */
	assert_int_equal(V->ops->config_read(V, ~0u, 1), 0);
	assert_int_equal(F.cfg_reads, reads); /* none reached the device */
	V->ops->config_write(V, offsetof(struct virtio_blk_config, writeback), 1, 0);
	assert_int_equal(F.cfg_writes, 0);
	assert_int_equal(F.cfg.writeback, 1);
	assert_no_violations(&F);
	/* Legacy: bounded by the I/O BAR (128 bytes, config from 20). */
	OK(probe_kind(FVP_LEGACY, OFFER, 1));
	FN.device_len = FVP_BAR0_SIZE - 20; /* the fake answers up to the BAR's end */
	reads = F.cfg_reads;
	assert_int_equal(V->ops->config_read(V, FVP_BAR0_SIZE - 20 - 4, 4), 0);
	assert_int_equal(F.cfg_reads, reads + 1);
	assert_int_equal(V->ops->config_read(V, FVP_BAR0_SIZE - 20, 1), 0);
	assert_int_equal(V->ops->config_read(V, FVP_BAR0_SIZE - 20 - 2, 4), 0);
	assert_int_equal(F.cfg_reads, reads + 1);
	assert_no_violations(&F);
}

/* ---- through the PCI layer, as the kernel does ------------------------------------------ */

static void test_enumerate_then_probe(void **state)
{
	static const struct {
		enum fvp_kind kind;
		bool mem64;
		const char *transport;
	} cases[] = {
		{ FVP_TRANSITIONAL, true, "pci-modern" }, { FVP_MODERN, true, "pci-modern" },
		{ FVP_LEGACY, true, "pci-legacy" },	  { FVP_TRANSITIONAL, false, "pci-modern" },
		{ FVP_MODERN, false, "pci-modern" },
	};
	struct dt_pci_host dt;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		fvp_init(&FN, &F, cases[i].kind, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
		fvp_dt_host(&FN, &dt, cases[i].mem64);
		OK(pci_host_init(&H, &dt));
		assert_int_equal(pci_enumerate(&H), 1);
		assert_true(H.devs[0].enabled);
		if (cases[i].kind != FVP_LEGACY)
			assert_int_equal(H.devs[0].bar[4].cpu_addr >= FVP_MEM64, cases[i].mem64);
		OK(vpci_probe(&H.devs[0], 0, &V));
		assert_string_equal(V->transport, cases[i].transport);
		memset(&T, 0, sizeof(T));
		init_tdrv(1, 256);
		get_id(0);
		assert_no_violations(&F);
	}
}

/* A BAR no window can hold: the PCI layer disables the function. */
static void test_enumerate_no_room(void **state)
{
	struct dt_pci_host dt;

	(void)state;
	fvp_init(&FN, &F, FVP_MODERN, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
	FN.bars[4].size = 1ull << 33; /* 8 GiB, and no 64-bit window */
	fvp_dt_host(&FN, &dt, false);
	OK(pci_host_init(&H, &dt));
	assert_int_equal(pci_enumerate(&H), 1);
	assert_false(H.devs[0].enabled);
	host_console_last[0] = '\0';
	assert_int_equal(vpci_probe(&H.devs[0], 0, &V), -EINVAL);
	assert_console_has("not enabled");
	assert_no_violations(&F);
}

/* ---- the virtio-blk driver and block layer over each interface ---------------------------- */

static const enum fvp_kind all_kinds[] = { FVP_TRANSITIONAL, FVP_MODERN, FVP_LEGACY };

/* The virtio-blk driver and a block layer `b` over a fresh function of `kind`. */
static struct blk_dev *vblk_up(enum fvp_kind kind, struct blk *b)
{
	u64 offer = F_FLUSH | F_EVENT_IDX | BIT64(VIRTIO_BLK_F_SEG_MAX) |
		    BIT64(VIRTIO_BLK_F_BLK_SIZE) | BIT64(VIRTIO_BLK_F_CONFIG_WCE) | F_V1;
	struct blk_dev *bdev;

	OK(probe_kind(kind, offer, 1));
	OK(vblk_probe(V, 0, VBLK_DEFAULT_QUEUE_SIZE, &bdev));
	blk_init(b, bdev, false);
	return bdev;
}

static void test_vblk_round_trip(void **state)
{
	static u8 out[8192], in[8192];
	static struct blk b;
	struct blk_dev *bdev;
	char desc[400];

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(all_kinds); i++) {
		bdev = vblk_up(all_kinds[i], &b);
		vblk_describe(bdev, desc, sizeof(desc));
		assert_non_null(strstr(desc, all_kinds[i] == FVP_LEGACY ? "transport=pci-legacy"
									: "transport=pci-modern"));
		for (unsigned k = 0; k < sizeof(out); k++)
			out[k] = (u8)(k * 7 + i);
		OK(blk_write(&b, 100, out, sizeof(out)));
		OK(blk_flush(&b));
		memset(in, 0, sizeof(in));
		OK(blk_read(&b, 100, in, sizeof(in)));
		assert_memory_equal(in, out, sizeof(out));
		assert_memory_equal(F.disk + 100 * 512, out, sizeof(out));
		assert_true(F.cmd_out >= 1 && F.cmd_in >= 1);
		assert_true(F.cmd_flush >= 1);
		assert_no_violations(&F);
	}
}

/*
 * The device model's misbehaviour knobs work behind PCI as behind mmio: a
 * status byte never written fails that request alone; a used id out of
 * range breaks the ring, and the driver resets and re-initialises the
 * device through this transport, after which it works again.
 */
static void test_vblk_hostile_device(void **state)
{
	static u8 out[4096], in[4096];
	static struct blk b;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(all_kinds); i++) {
		unsigned resets;

		vblk_up(all_kinds[i], &b);
		memset(out, 0x5a + i, sizeof(out));
		fvb_fail_cmd(&F, 1, FVB_STATUS_NONE);
		assert_int_equal(blk_write(&b, 8, out, sizeof(out)), -EIO);
		assert_int_equal(blk_dev_stats(&b)->resets, 0);
		OK(blk_write(&b, 8, out, sizeof(out)));

		resets = F.resets;
		F.hostile = FVB_HOSTILE_ID_RANGE;
		assert_int_equal(blk_read(&b, 8, in, sizeof(in)), -EIO);
		assert_int_equal(blk_dev_stats(&b)->resets, 1);
		assert_true(F.resets > resets);
		assert_true(fvb_status_has(&F, VIRTIO_CONFIG_S_DRIVER_OK));
		OK(blk_read(&b, 8, in, sizeof(in)));
		assert_memory_equal(in, out, sizeof(in));
		assert_no_violations(&F);
	}
}

/* A device that wants a reset at DRIVER_OK, and one that stops answering. */
static void test_vblk_needs_reset_and_hang(void **state)
{
	static u8 buf[4096];
	static struct blk b;

	(void)state;
	OK(probe_kind(FVP_MODERN, OFFER, 1));
	F.needs_reset = true;
	T = (struct tdrv_ctx){ .nq = 1, .qsize = 16 };
	assert_int_equal(virtio_dev_init(V, &tdrv, &T), -EIO);
	assert_console_has("needs reset");
	assert_true(fvb_status_has(&F, VIRTIO_CONFIG_S_FAILED));
	assert_no_violations(&F);

	vblk_up(FVP_LEGACY, &b);
	b.timeout_ms = 5;
	host_time_step_ns = 100 * 1000;
	F.hang = true;
	assert_int_equal(blk_write(&b, 0, buf, sizeof(buf)), -ETIMEDOUT);
	assert_int_equal(blk_dev_stats(&b)->resets, 1);
	F.hang = false;
	OK(blk_write(&b, 0, buf, sizeof(buf)));
	assert_int_equal(F.cmd_out, 1);
	assert_no_violations(&F);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, t_setup, t_teardown)
		T_(test_not_virtio),
		T_(test_transitional_is_modern),
		T_(test_modern_type_from_device_id),
		T_(test_legacy_only_is_legacy),
		T_(test_type_zero_refused),
		T_(test_modern_init),
		T_(test_notify_multiplier),
		T_(test_notify_outside_cap),
		T_(test_modern_queue_max),
		T_(test_modern_status_generation_isr),
		T_(test_modern_features_refused),
		T_(test_legacy_init),
		T_(test_legacy_queue_size_fixed),
		T_(test_legacy_config_moves_with_msix),
		T_(test_queue_setup_checks),
		T_(test_bad_bar_index),
		T_(test_cap_beyond_bar),
		T_(test_cap_too_short),
		T_(test_cap_missing),
		T_(test_bar_unusable),
		T_(test_io_bar_cap_skipped),
		T_(test_cap_list_broken),
		T_(test_devcfg_widths),
		T_(test_devcfg_clamped),
		T_(test_enumerate_then_probe),
		T_(test_enumerate_no_room),
		T_(test_vblk_round_trip),
		T_(test_vblk_hostile_device),
		T_(test_vblk_needs_reset_and_hang),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
