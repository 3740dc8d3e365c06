# tests/host/pci.mk - the PCI bus layer: its kernel sources and host tests.
# Included by the top-level Makefile (after tests/host/tests.mk).

# Kernel build: drivers/pci, listed explicitly like every other layer.
PCI_SRCS := drivers/pci/pci.c drivers/pci/pci_bar.c drivers/pci/pci_bridge.c \
	drivers/pci/pci_cap.c drivers/pci/pci_msix.c

# Host tests against the fake ECAM space (tests/host/fake_pci.c); lib/fdt
# and lib/dt_platform build hosts from QEMU's real device trees.
HOST_TESTS += test_pci
test_pci_SRCS := $(PCI_SRCS) tests/host/fake_pci.c lib/fdt.c lib/dt_platform.c \
	tests/host/test_data.c
