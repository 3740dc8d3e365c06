# tests/host/vpci.mk - the virtio-pci transport: its kernel sources and its
# host test (included by the top-level Makefile).
#
# VPCI_SRCS: the transport, for the kernel build (it also needs the PCI
# layer, drivers/pci/*.c).  test_vpci runs the transport against the fake
# virtio-pci function of fake_vpci*.c (in front of the device model of
# fake_vblk_model.c, as fake_vmmio.c is) through the real PCI layer (its
# PCI_SRCS list when a fragment defines one, else every drivers/pci/*.c)
# and the real virtio core, with the virtio-blk driver and block layer on
# top.  Recursive (=) so PCI_SRCS may be defined by a later fragment.

VPCI_SRCS := drivers/virtio/virtio_pci.c drivers/virtio/virtio_pci_modern.c \
	drivers/virtio/virtio_pci_legacy.c drivers/virtio/virtio_pci_msix.c

HOST_TESTS += test_vpci
test_vpci_SRCS = $(VPCI_SRCS) $(or $(PCI_SRCS),$(wildcard drivers/pci/*.c)) \
	drivers/virtio/virtio.c drivers/virtio/virtqueue.c drivers/block/virtio_blk.c \
	drivers/block/virtio_blk_probe.c kernel/block/blk.c \
	tests/host/fake_vpci.c tests/host/fake_vpci_setup.c tests/host/fake_vblk_model.c
