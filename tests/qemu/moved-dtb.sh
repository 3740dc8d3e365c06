#!/usr/bin/env bash
# tests/qemu/moved-dtb.sh ARCH - the console, the interrupt controller and
# the disks are where the device tree says, not where QEMU virt has them
# (issue 14).
#
# QEMU cannot move virt's devices, but a tree can describe them at other
# addresses: the test takes the tree QEMU would pass (dumpdtb), rewrites it
# with dtc, and boots it with -dtb:
#   aarch64  the PL011 and the GIC move into a new bus, bus@1000000000,
#            whose "ranges" maps its addresses 0x10_xxxx_xxxx onto the
#            CPU's 0x0_xxxx_xxxx: the nodes say 0x1009000000 and
#            0x1008000000, only translation finds the devices;
#   riscv64  /soc's empty "ranges" becomes that same mapping and every
#            device in it (the UART, the PLIC, the virtio-mmio slots, the
#            test finisher) moves up by 0x10_0000_0000 (the PCI host, whose
#            own ranges would need the same treatment, is dropped).
# Each must pass the KTAP suite with its disk on an interrupt (not polled).
# Two more trees show the tree is what the kernel follows:
#   - stdout-path names a device that is no UART: the kernel prints
#     nothing after the firmware, and still exits 0 (ktest passed);
#   - riscv64: the PLIC's interrupts-extended lists only the M-mode
#     context of hart 0: no supervisor context, so the disk is polled and
#     the console says why; aarch64: the GIC's compatible names a kind no
#     port drives, so the disk is polled and the console says why.
# Prints TAP; exit 0 iff all ok.
set -u
arch=$1
dir="build/$arch/test/moved-dtb"
. "$(dirname "$0")/tap.sh"
tap_scratch "$dir"

eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}
rm -rf "$dir"
mkdir -p "$dir"

if ! command -v dtc >/dev/null; then
	echo "# SKIP dtc (device-tree-compiler) is not installed"
	echo "1..0"
	exit 0
fi

disk_args() {
	truncate -s 64M "$dir/$1-d0.img"
	echo "-drive if=none,id=d0,file=$dir/$1-d0.img,format=raw -device virtio-blk-device,drive=d0"
}

# The tree QEMU would pass for this machine and disk, as source.
# shellcheck disable=SC2046,SC2086
$QEMU_SYSTEM $QEMU_MACHINE_ARGS -M virt,dumpdtb="$dir/qemu.dtb" -kernel "build/$arch/ordo.img" \
	-append "${QEMU_APPEND:+$QEMU_APPEND }ktest" $(disk_args dump) >/dev/null 2>&1
dtc -q -I dtb -O dts -o "$dir/qemu.dts" "$dir/qemu.dtb"

# edit NAME AWK-PROGRAM: $dir/NAME.dtb from qemu.dts; fails if the program
# did not find what it rewrites (another QEMU's tree: better loud).
edit() {
	awk "$2" "$dir/qemu.dts" >"$dir/$1.dts" && dtc -q -I dts -O dtb -o "$dir/$1.dtb" "$dir/$1.dts"
}

if [ "$arch" = aarch64 ]; then
	# Hold the PL011 and GIC blocks back, print them inside the new bus
	# at the end of the root, 0x10 in each address's high cell.
	moved='
	/^\t(pl011@9000000|intc@8000000) \{/ { hold = 1 }
	hold {
		sub(/^\tpl011@9000000/, "\tpl011@1009000000")
		sub(/^\tintc@8000000/, "\tintc@1008000000")
		if (sub(/<0x00 0x9000000 /, "<0x10 0x9000000 ")) n++
		if (sub(/<0x00 0x8000000 0x00 0x10000 0x00 0x8010000 /,
			"<0x10 0x8000000 0x00 0x10000 0x10 0x8010000 ")) n++
		if (sub(/<0x00 0x8020000 /, "<0x10 0x8020000 ")) n++
		buf = buf "\t" $0 "\n"
		if ($0 == "\t};") hold = 0
		next
	}
	/stdout-path = "\/pl011@9000000"/ {
		sub(/\/pl011@9000000/, "/bus@1000000000/pl011@1009000000"); n++
	}
	/^};$/ {
		print "\tbus@1000000000 {"
		print "\t\tcompatible = \"simple-bus\";"
		print "\t\t#address-cells = <0x02>;"
		print "\t\t#size-cells = <0x02>;"
		print "\t\tranges = <0x10 0x00 0x00 0x00 0x10 0x00>;"
		printf "%s", buf
		print "\t};"
		if (n != 4) exit 1
	}
	{ print }'
	edit moved "$moved"
	edit noconsole '/stdout-path = / { sub(/"\/pl011@9000000"/, "\"/pl031@9010000\""); n++ }
		{ print } END { if (n != 1) exit 1 }'
	edit gic-unknown '/^\tintc@8000000 \{/ { intc = 1 }
		intc && /compatible = "arm,cortex-a15-gic"/ { sub(/arm,cortex-a15-gic/, "vendor,intc"); n++; intc = 0 }
		{ print } END { if (n != 1) exit 1 }'
	irq=79
else
	moved='
	/^\tsoc \{/ { soc = 1 }
	soc && /^\t\tranges;/ { print "\t\tranges = <0x10 0x00 0x00 0x00 0x10 0x00>;"; n++; next }
	soc && /^\t\tpci@/ { skip = 1 }
	skip { if ($0 == "\t\t};") skip = 0; next }
	soc && /^\t\t[a-z_]+@[0-9a-f]+ \{/ { sub(/@/, "@10") }
	soc && /^\t\t\treg = <0x00 / { sub(/<0x00 /, "<0x10 "); m++ }
	soc && $0 == "\t};" { soc = 0 }
	/stdout-path = "\/soc\/serial@/ { sub(/serial@/, "serial@10"); n++ }
	{ print }
	END { if (n != 2 || m < 10) exit 1 }'
	edit moved "$moved"
	edit noconsole '/stdout-path = / { sub(/"\/soc\/serial@10000000"/, "\"/soc/test@100000\""); n++ }
		{ print } END { if (n != 1) exit 1 }'
	# interrupts-extended = <&cpu0_intc 0x0b &cpu0_intc 0x09>: keep M only.
	edit noctx '/^\t\tplic@/ { plic = 1 }
		plic && /interrupts-extended = / { sub(/ 0x09>/, " 0x0b>"); n++; plic = 0 }
		{ print } END { if (n != 1) exit 1 }'
	irq=8
fi
check "the trees were rewritten (dtc)" test -s "$dir/moved.dtb" -a -s "$dir/noconsole.dtb"

# boot NAME APPEND: console in $dir/NAME.log, status in $dir/NAME.rc.
boot() {
	# shellcheck disable=SC2046,SC2086
	timeout --foreground -k 5 "$BOOT_TIMEOUT" $QEMU_SYSTEM $QEMU_MACHINE_ARGS \
		-dtb "$dir/$1.dtb" -kernel "build/$arch/ordo.img" \
		-append "${QEMU_APPEND:+$QEMU_APPEND }$2" $(disk_args "$1") </dev/null >"$dir/$1.log" 2>&1
	echo $? >"$dir/$1.rc"
	tr -d '\r' <"$dir/$1.log" >"$dir/$1.tmp" && mv "$dir/$1.tmp" "$dir/$1.log"
}

# suite_ok NAME: exit 0, a complete KTAP plan, no failure.
suite_ok() {
	local log="$dir/$1.log" plan
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n1)
	[ "$(cat "$dir/$1.rc")" = 0 ] && [ -n "$plan" ] && [ "$plan" -gt 0 ] &&
		[ "$(grep -cE '^ok [0-9]+ ' "$log")" -eq "$plan" ] && ! grep -q '^not ok' "$log"
}
says() { grep -qE -- "$2" "$dir/$1.log"; }
silent() { [ "$(cat "$dir/$1.rc")" = 0 ] && ! says "$1" '^ordo: '; }

boot moved ktest
check "moved devices: the KTAP suite passes on the tree's console" suite_ok moved
check "moved devices: the disk completes on interrupt $irq" says moved "^vblk0: .* irq=$irq "

boot noconsole ktest
check "stdout-path names no UART: nothing printed, exit status 0" silent noconsole

# polled_ok NAME: the disk polled, the suite passed.
polled_ok() { says "$1" '^vblk0: .* irq=poll ' && suite_ok "$1"; }

if [ "$arch" = aarch64 ]; then
	boot gic-unknown ktest
	check "the disks' controller of a kind we do not drive: the console says so" \
		says gic-unknown "^gic: interrupt controller of unknown kind at 0x08000000 not supported"
	check "the disks' controller of a kind we do not drive: polled, suite passes" \
		polled_ok gic-unknown
else
	boot noctx ktest
	check "no supervisor PLIC context for the hart: the console says so" \
		says noctx "^plic: the PLIC has no supervisor context for this hart \(hart 0\)"
	check "no supervisor PLIC context: the disk is polled, suite passes" polled_ok noctx
fi
tap_end
