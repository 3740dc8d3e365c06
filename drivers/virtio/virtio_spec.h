/*
 * drivers/virtio/virtio_spec.h - device status and reserved feature bits.
 *
 * Mirrors the virtio 1.2 specification, section 2.1 (Device Status Field)
 * and section 6 (Reserved Feature Bits).  Constant names are the spec's.
 */
#ifndef ORDO_VIRTIO_SPEC_H
#define ORDO_VIRTIO_SPEC_H

/* 2.1 Device Status Field */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1
#define VIRTIO_CONFIG_S_DRIVER 2
#define VIRTIO_CONFIG_S_DRIVER_OK 4
#define VIRTIO_CONFIG_S_FEATURES_OK 8
#define VIRTIO_CONFIG_S_NEEDS_RESET 64
#define VIRTIO_CONFIG_S_FAILED 128

/* 6 Reserved Feature Bits (bit numbers) */
#define VIRTIO_F_NOTIFY_ON_EMPTY 24 /* legacy */
#define VIRTIO_F_ANY_LAYOUT 27	    /* legacy */
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_BAD_FEATURE 30 /* legacy: never acknowledged */
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_F_IN_ORDER 35
#define VIRTIO_F_ORDER_PLATFORM 36
#define VIRTIO_F_SR_IOV 37
#define VIRTIO_F_NOTIFICATION_DATA 38
#define VIRTIO_F_RING_RESET 40

/* 5 Device Types */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2

#endif
