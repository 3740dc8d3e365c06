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
# Two more serve the QEMU matrix (tests/qemu/matrix.aarch64) as well:
# virt-aarch64-gicv3.dtb is QEMU's tree for gic-version=3, and
# virt-aarch64-irq-misrouted.dtb is QEMU's default tree edited so that the
# virtio-mmio slot a single disk lands in (the highest, 31) names SPI 100,
# a line nothing drives, instead of its own SPI 47.  The test boots it with
# -dtb; QEMU still fills in /chosen/bootargs and the /memory size.
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

# GICv3: distributor at 0x08000000, redistributors at 0x080a0000.
dump virt-aarch64-gicv3.dtb ",gic-version=3" \
	-append "ktest" \
	-drive if=none,id=d0,file="$IMG",format=raw \
	-device virtio-blk-device,drive=d0

# The misrouted interrupt: only slot 31's specifier changes, from
# <GIC_SPI 47 IRQ_TYPE_EDGE_RISING> to <GIC_SPI 100 ...>.
$QEMU -M "virt,dumpdtb=$TMP/raw.dtb" $common 2>/dev/null
dtc -q -I dtb -O dts -o "$TMP/misrouted.dts" "$TMP/raw.dtb"
awk '/virtio_mmio@a003e00 \{/ { slot = 1 }
	slot && /interrupts = <0x00 0x2f 0x01>;/ { sub(/0x2f/, "0x64"); slot = 0; done = 1 }
	{ print }
	END { if (!done) exit 1 }' "$TMP/misrouted.dts" >"$TMP/misrouted2.dts"
dtc -q -I dts -O dtb -o "$OUT/virt-aarch64-irq-misrouted.dtb" "$TMP/misrouted2.dts"

# A GICv2m frame whose tree overrides MSI_TYPER with SPIs the GIC does not
# have (1000..1015; QEMU's GICv2 implements IDs below 288): valid for the
# binding, refused by the port, PCI stays on INTx (matrix pci-v2m-bad).
$QEMU -M "virt,dumpdtb=$TMP/raw.dtb" $common 2>/dev/null
dtc -q -I dtb -O dts -o "$TMP/v2m.dts" "$TMP/raw.dtb"
awk '/v2m@8020000 \{/ { print; print "\t\t\tarm,msi-base-spi = <1000>;"; print "\t\t\tarm,msi-num-spis = <16>;"; done = 1; next }
	{ print }
	END { if (!done) exit 1 }' "$TMP/v2m.dts" >"$TMP/v2m2.dts"
dtc -q -I dts -O dtb -o "$OUT/virt-aarch64-v2m-bad.dtb" "$TMP/v2m2.dts"

# Boards that are not aarch64 virt, for the device-tree lookups of the
# console, timer, power-off, PLIC contexts and IMSIC files
# (tests/host/test_fdt.c):
# riscv64 virt with two harts (PLIC contexts 1 and 3 are the harts'
# S-mode ones), and Xilinx Versal "virt" (GICv3 at 0xf9000000, PL011 at
# 0xff000000, RAM at 0, no /psci).
qemu-system-riscv64 -M virt,dumpdtb="$TMP/raw.dtb" -smp 2 -m 128M -nodefaults -display none \
	-kernel "$KERNEL" -append "ktest" 2>/dev/null
dtc -q -I dtb -O dtb -o "$OUT/virt-riscv64-smp2.dtb" "$TMP/raw.dtb"
# riscv64 virt with the AIA (aia=aplic-imsic), two harts: no PLIC; APLICs
# at 0x0c000000 (M) and 0x0d000000 (S) take the wired interrupts, IMSICs
# at 0x24000000 (M, cause 11) and 0x28000000 (S, cause 9: one 4 KiB file
# per hart, riscv,num-ids 255) the messages.
qemu-system-riscv64 -M virt,aia=aplic-imsic,dumpdtb="$TMP/raw.dtb" -smp 2 -m 128M -nodefaults \
	-display none -kernel "$KERNEL" -append "ktest" 2>/dev/null
dtc -q -I dtb -O dtb -o "$OUT/virt-riscv64-aia-smp2.dtb" "$TMP/raw.dtb"
# The same tree with the S-level IMSIC listing hart 1 alone (its file at
# 0x28001000): booted with one hart (matrix.riscv64 aia-imsic-no-file, no
# -smp 2, so hart 0 always boots), the kernel finds no interrupt file of
# its own and keeps PCI off MSI-X.
dtc -q -I dtb -O dts -o "$TMP/aia.dts" "$TMP/raw.dtb"
awk '/imsics@28000000 \{/ { node = 1 }
	node && /reg = <0x00 0x28000000 0x00 0x2000>;/ { sub(/0x28000000 0x00 0x2000/, "0x28001000 0x00 0x1000"); r = 1 }
	node && /interrupts-extended = <0x04 0x09 0x02 0x09>;/ { sub(/0x04 0x09 0x02 0x09/, "0x02 0x09"); node = 0; e = 1 }
	{ print }
	END { if (!r || !e) exit 1 }' "$TMP/aia.dts" >"$TMP/aia2.dts"
dtc -q -I dts -O dtb -o "$OUT/virt-riscv64-aia-nohart0.dtb" "$TMP/aia2.dts"
# riscv64 virt with the AIA's APLIC alone (aia=aplic, direct delivery),
# two harts: the S-level domain at 0x0d000000 names each hart's
# supervisor external interrupt (IDC 0 hart 0, IDC 1 hart 1), the M-level
# one at 0x0c000000 cause 11; no IMSIC.
qemu-system-riscv64 -M virt,aia=aplic,dumpdtb="$TMP/raw.dtb" -smp 2 -m 128M -nodefaults \
	-display none -kernel "$KERNEL" -append "ktest" 2>/dev/null
dtc -q -I dtb -O dtb -o "$OUT/virt-riscv64-aplic-smp2.dtb" "$TMP/raw.dtb"
# One hart, the S-level APLIC's interrupts-extended naming the cpu node
# (phandle 1) instead of its riscv,cpu-intc (2): no hart's supervisor
# external interrupt, so the kernel refuses the domain, says so and polls
# (matrix.riscv64 aplic-no-hart).  One hart, because OpenSBI picks its boot
# hart by lottery: a tree naming one hart of two is not a stable test.
qemu-system-riscv64 -M virt,aia=aplic,dumpdtb="$TMP/raw.dtb" -m 128M -nodefaults \
	-display none -kernel "$KERNEL" -append "ktest" 2>/dev/null
dtc -q -I dtb -O dts -o "$TMP/aplic.dts" "$TMP/raw.dtb"
awk '/aplic@d000000 \{/ { node = 1 }
	node && /interrupts-extended = <0x02 0x09>;/ { sub(/0x02 0x09/, "0x01 0x09"); node = 0; e = 1 }
	{ print }
	END { if (!e) exit 1 }' "$TMP/aplic.dts" >"$TMP/aplic2.dts"
dtc -q -I dts -O dtb -o "$OUT/virt-riscv64-aplic-nohart.dtb" "$TMP/aplic2.dts"
$QEMU -M xlnx-versal-virt,dumpdtb="$TMP/raw.dtb" -m 2G -nodefaults -display none \
	-kernel "$KERNEL" 2>/dev/null
dtc -q -I dtb -O dtb -o "$OUT/versal-virt.dtb" "$TMP/raw.dtb"

# Entry at EL3 (matrix el3-*): QEMU runs el3-boot.bin as -bios, which
# jumps to ordo at EL3.  With firmware QEMU does not emulate PSCI, so its
# trees have no /psci.  The blob QEMU places at the start of RAM is 1 MiB
# and would overlap the image at 0x40080000: the tests pass these packed
# copies with -dtb instead (QEMU adds the bootargs and the /memory size).
aarch64-linux-gnu-as tests/data/el3-boot.S -o "$TMP/el3-boot.o"
aarch64-linux-gnu-objcopy -O binary "$TMP/el3-boot.o" "$OUT/el3-boot.bin"
el3_dump() {
	$QEMU -M "virt,secure=on$2,dumpdtb=$TMP/raw.dtb" -cpu cortex-a53 -m 128M -nodefaults \
		-display none -bios "$OUT/el3-boot.bin" 2>/dev/null
	dtc -q -I dtb -O dtb -o "$OUT/$1" "$TMP/raw.dtb"
}
el3_dump virt-aarch64-el3.dtb ""
el3_dump virt-aarch64-el3-gicv3.dtb ",gic-version=3"
el3_dump virt-aarch64-el3-virt.dtb ",virtualization=on"
el3_dump virt-aarch64-el3-virt-gicv3.dtb ",virtualization=on,gic-version=3"
