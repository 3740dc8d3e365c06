#!/bin/sh
# tests/data/make-dtbs.sh - regenerate the device trees used by
# tests/host/test_fdt.c.
#
# They are the trees QEMU builds for "-M virt" and hands to the guest,
# captured with the machine's dumpdtb option (QEMU exits right after
# writing the file, nothing is booted).  The expected values in the tests
# (memory at 0x40000000, 32 virtio-mmio slots at 0x0a000000 + n * 0x200 on
# SPI 16 + n, the ECAM window and PCI ranges) come from QEMU 7.2's
# hw/arm/virt.c memory map; another QEMU version may move things.
#
# Usage: tests/data/make-dtbs.sh   (from the repository root)
set -eu

QEMU=${QEMU:-qemu-system-aarch64}
OUT=tests/data
TMP=$(mktemp -d /tmp/ordo-dtb.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
IMG=$TMP/disk.img
truncate -s 1M "$IMG" "$IMG.1" "$IMG.2"
# -append is only accepted together with -kernel; the kernel is never run
# (dumpdtb exits first), so any file will do.
KERNEL=$TMP/kernel.img
truncate -s 4K "$KERNEL"

common="-cpu cortex-a53 -m 128M -nodefaults -display none -kernel $KERNEL"

# QEMU pads its blob to totalsize = 1 MiB of free space; "dtc -I dtb -O dtb"
# re-encodes the same tree (same node/property order) without the padding
# so the files stay ~8 KiB.
dump() {
	out=$1
	mopts=$2
	shift 2
	$QEMU -M "virt$mopts,dumpdtb=$TMP/raw.dtb" $common "$@" 2>/dev/null
	dtc -q -I dtb -O dtb -o "$OUT/$out" "$TMP/raw.dtb"
}

# One virtio-blk on virtio-mmio; default highmem=on, so the PCI host
# also gets a 64-bit MMIO window and the high ECAM.
dump virt-aarch64.dtb "" \
	-append "ktest foo=bar" \
	-drive if=none,id=d0,file="$IMG",format=raw \
	-device virtio-blk-device,drive=d0

# highmem=off: low ECAM at 0x3f000000, no 64-bit MMIO window;
# a virtio-blk-pci disk (PCI devices are probed, not in the tree).
dump virt-aarch64-lowmem-pci.dtb ",highmem=off" \
	-append "console=ttyAMA0" \
	-drive if=none,id=d0,file="$IMG",format=raw \
	-device virtio-blk-pci,drive=d0

# Three virtio-blk-device disks (separate images: QEMU locks each one)
# and no bootargs.
dump virt-aarch64-3disks.dtb "" -m 256M \
	-drive if=none,id=d0,file="$IMG",format=raw \
	-drive if=none,id=d1,file="$IMG.1",format=raw \
	-drive if=none,id=d2,file="$IMG.2",format=raw \
	-device virtio-blk-device,drive=d0 \
	-device virtio-blk-device,drive=d1 \
	-device virtio-blk-device,drive=d2
