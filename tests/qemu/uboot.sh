#!/usr/bin/env bash
# tests/qemu/uboot.sh ARCH... - ordo booted by U-Boot as a user would:
# Debian's u-boot-qemu, distro boot from a FAT partition of a disk this
# test builds (sfdisk, mtools' mformat/mcopy, a boot.scr made by mkimage).
#
#  1. Every configuration below, twice from the same boot disk: the KTAP
#     suite (command line "ktest", a blank 64 MiB scratch disk; each case
#     counts like the matrix's), then the demo (the default command line
#     of `make run`, another blank scratch disk).  After each boot the
#     boot disk is byte for byte unchanged (ordo must not format a disk
#     that is not its own), and the second boot loading ordo.img from it
#     shows U-Boot still reads it.
#  2. One image booted with `booti` at two load addresses 32 MiB apart
#     (aarch64): U-Boot must start it where it was loaded.  It moves an
#     Image whose header does not say "anywhere" (flags bit 3) to RAM base
#     + text_offset and says "Moving Image from ... to ..."; that fails.
#     U-Boot 2023.01's riscv booti always moves the Image to RAM base +
#     text_offset, so riscv64 has no such check (SKIP, with the reason).
#
# Each boot is bounded by UBOOT_TIMEOUT seconds (default 60; a boot takes
# 3-7 s), and ends at once when U-Boot gives up ("Please RESET the
# board"); a configuration whose suite boot did either does not try the
# demo.  U-Boot 2023.01 at EL3 on a CPU without EL2 (secure=on alone)
# cannot enter any kernel: that configuration is a SKIP when its log shows
# exactly that, and tested like the others with a U-Boot that can.
# UBOOT_ONLY="gicv2-el1 sbi twoaddr" runs only those configurations (twoaddr:
# part 2).
# Skips (one SKIP line) only if a package it needs is missing (tools/deps.sh
# test installs them).  Logs and disks: build/ARCH/test/uboot/.
# Prints TAP.  Exit 0 iff all ok.
set -u
. "$(dirname "$0")/tap.sh"
UBOOT_TIMEOUT=${UBOOT_TIMEOUT:-60}
UBOOT_ONLY=${UBOOT_ONLY:-}
UBOOT_DIR=/usr/lib/u-boot

# ---- the configurations --------------------------------------------------
# NAME|MACHINE.  aarch64: U-Boot is the -bios and runs at the highest level
# the machine has: EL1 (plain virt), EL2 (virtualization=on) or EL3
# (secure=on, with or without virtualization=on); GICv2 or GICv3.
configs_aarch64=(
	"gicv2-el1|virt"
	"gicv2-el2|virt,virtualization=on"
	"gicv2-el3|virt,secure=on,virtualization=on"
	"gicv2-el3-nohyp|virt,secure=on"
	"gicv3-el1|virt,gic-version=3"
	"gicv3-el2|virt,gic-version=3,virtualization=on"
	"gicv3-el3|virt,gic-version=3,secure=on,virtualization=on"
	"gicv3-el3-nohyp|virt,gic-version=3,secure=on"
)
# riscv64: OpenSBI (-bios default) starts U-Boot in S-mode.
configs_riscv64=(
	"sbi|virt"
)
# The configuration booted at two load addresses (aarch64 only, see 2.).
twoaddr_aarch64="gicv2-el1|virt"

# ---- per architecture ------------------------------------------------------
# setup_arch ARCH: U-Boot, its place on the QEMU command line, mkimage's
# name for the architecture, and where U-Boot's `virtio 0` (the disk distro
# boot reads) sits: the last -device on aarch64 virt, the first on riscv64.
setup_arch() {
	arch=$1
	case $arch in
	aarch64)
		uboot=$UBOOT_DIR/qemu_arm64/u-boot.bin
		uboot_args=(-bios "$uboot")
		configs=("${configs_aarch64[@]}")
		twoaddr=$twoaddr_aarch64
		mkimage_arch=arm64
		bootdisk_last=1
		mem=128M
		# Semihosting exits QEMU with ordo's status (-semihosting is in
		# print-qemu's arguments).  Issue 14 has the kernel use it only
		# when the command line asks with this word; until then the
		# kernel ignores the word.
		extra_args="exit=semihosting"
		;;
	riscv64)
		uboot=$UBOOT_DIR/qemu-riscv64_smode/u-boot.bin
		uboot_args=(-bios default -kernel "$uboot")
		configs=("${configs_riscv64[@]}")
		twoaddr=""
		mkimage_arch=riscv
		bootdisk_last=0
		# With 128M U-Boot's own scriptaddr lies past the end of RAM.
		mem=256M
		extra_args=""
		;;
	*)
		echo "Bail out! uboot.sh: no U-Boot configuration for $arch"
		exit 1
		;;
	esac
	image=build/$arch/ordo.img
	dir=build/$arch/test/uboot
	eval "$(make -s --no-print-directory ARCH="$arch" QEMU_MEM="$mem" print-qemu)"
	# Each configuration names its own machine (-M), as in the matrix.
	base_args=${QEMU_MACHINE_ARGS/"$QEMU_MACHINE"/}
}

# missing_packages ARCH...: the Debian packages this test needs and lacks.
missing_packages() {
	local miss="" a
	command -v mkimage >/dev/null 2>&1 || miss+=" u-boot-tools(mkimage)"
	command -v mformat >/dev/null 2>&1 && command -v mcopy >/dev/null 2>&1 ||
		miss+=" mtools(mformat,mcopy)"
	command -v sfdisk >/dev/null 2>&1 || miss+=" fdisk(sfdisk)"
	for a in "$@"; do
		case $a in
		aarch64)
			[ -f $UBOOT_DIR/qemu_arm64/u-boot.bin ] || miss+=" u-boot-qemu($a)"
			command -v qemu-system-aarch64 >/dev/null 2>&1 || miss+=" qemu-system-arm"
			;;
		riscv64)
			[ -f $UBOOT_DIR/qemu-riscv64_smode/u-boot.bin ] || miss+=" u-boot-qemu($a)"
			command -v qemu-system-riscv64 >/dev/null 2>&1 || miss+=" qemu-system-misc"
			;;
		esac
	done
	printf '%s' "$miss"
}

# header_u64 FILE OFFSET: a little-endian 64-bit field of the Image
# header, in hex (0x...).
header_u64() {
	printf '0x%s' "$(od -An -t x8 -j "$2" -N 8 "$1" | tr -d ' ')"
}

# ---- the boot disk -----------------------------------------------------------
# make_bootdisk FILE: 16 MiB, an MBR with one bootable FAT partition from
# 1 MiB (mformat, so dosfstools is not needed), ordo.img in it.
make_bootdisk() {
	local f=$1 sectors=$((16 * 2048))
	rm -f "$f"
	truncate -s 16M "$f" &&
		echo 'start=2048, type=c, bootable' | sfdisk -q --label dos "$f" &&
		mformat -i "$f@@1M" -T $((sectors - 2048)) -h 64 -s 32 -H 2048 -v ORDOBOOT :: &&
		mcopy -i "$f@@1M" "$image" ::ordo.img
}

# set_script DISK BOOTARGS OFFSET: the disk's boot.scr loads ordo.img at
# ${kernel_addr_r} + OFFSET and boots it with BOOTARGS and U-Boot's own
# device tree.  If loading or booti fails, `reset` ends QEMU (-no-reboot)
# rather than leave U-Boot at its prompt until the timeout.
set_script() {
	local disk=$1 bootargs=$2 offset=$3 cmd=$dir/boot.cmd
	cat >"$cmd" <<EOF
echo ordo-uboot: boot disk \${devtype} \${devnum}:\${distro_bootpart}
setenv bootargs "$bootargs"
setexpr ordo_addr \${kernel_addr_r} + $offset
if load \${devtype} \${devnum}:\${distro_bootpart} \${ordo_addr} ordo.img; then
	echo ordo-uboot: booti \${ordo_addr}
	booti \${ordo_addr} - \${fdtcontroladdr}
fi
echo ordo-uboot: boot failed
reset
EOF
	mkimage -A "$mkimage_arch" -O linux -T script -C none -d "$cmd" "$dir/boot.scr" >/dev/null &&
		mcopy -o -i "$disk@@1M" "$dir/boot.scr" ::boot.scr
}

sum() { sha256sum "$1" | cut -d' ' -f1; }

# boot NAME MACHINE BOOTDISK BOOTARGS [OFFSET]: one U-Boot boot with the
# boot disk and a fresh blank scratch disk, console in $dir/NAME.log; sets
# rc (QEMU's status, 124 on timeout), secs (its duration) and unchanged (1
# if the boot disk's checksum after the boot is the one before it).
# U-Boot's "Please RESET the board" means it has given up for good (it
# cannot reset this machine): QEMU is stopped there rather than at the
# timeout, and rc is 125.
boot() {
	local name=$1 machine=$2 disk=$3 bootargs=$4 offset=${5:-0} before start
	local scratch=$dir/$name-scratch.img bootdev scratchdev line
	set_script "$disk" "$bootargs" "$offset" || {
		echo "Bail out! cannot write boot.scr to $disk"
		exit 1
	}
	rm -f "$scratch" "$dir/$name.pid" "$dir/$name.rc"
	truncate -s 64M "$scratch"
	# shellcheck disable=SC2054 # the commas are QEMU's
	bootdev=(-drive "if=none,id=boot,file=$disk,format=raw" -device virtio-blk-device,drive=boot)
	# shellcheck disable=SC2054
	scratchdev=(-drive "if=none,id=scratch,file=$scratch,format=raw" -device virtio-blk-device,drive=scratch)
	before=$(sum "$disk")
	if [ "$bootdisk_last" -eq 1 ]; then
		set -- "${scratchdev[@]}" "${bootdev[@]}"
	else
		set -- "${bootdev[@]}" "${scratchdev[@]}"
	fi
	start=$(date +%s%N)
	# shellcheck disable=SC2086
	{
		timeout --foreground -k 5 "$UBOOT_TIMEOUT" $QEMU_SYSTEM -M "$machine" $base_args \
			-no-reboot "${uboot_args[@]}" "$@" </dev/null 2>&1 &
		echo $! >"$dir/$name.pid"
		wait $!
		echo $? >"$dir/$name.rc"
	} | while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "${line%$'\r'}"
		case $line in
		*"Please RESET the board"*)
			echo 125 >"$dir/$name.gaveup"
			kill "$(cat "$dir/$name.pid")"
			;;
		esac
	done >"$dir/$name.log"
	rc=$(cat "$dir/$name.rc")
	rm -f "$dir/$name.pid" "$dir/$name.rc"
	if [ -f "$dir/$name.gaveup" ]; then
		rc=125
		rm -f "$dir/$name.gaveup"
	fi
	secs=$((($(date +%s%N) - start) / 100000000))
	secs="$((secs / 10)).$((secs % 10))"
	unchanged=0
	[ "$(sum "$disk")" = "$before" ] && unchanged=1
	echo "# $arch $name: QEMU status $rc, $secs s"
	return 0
}

# verify NAME TEXT COMMAND...: one TAP line, ok if COMMAND succeeds; if
# not, the last console lines of boot NAME follow as TAP comments (once).
shown=""
verify() {
	local name=$1 text=$2
	shift 2
	if "$@"; then
		result OK "$text"
		return 0
	fi
	result FAIL "$text"
	[ "$shown" = "$arch $name" ] && return 1 # once per boot
	shown="$arch $name"
	echo "# $arch $name: last console lines ($dir/$name.log):"
	grep -v '^$' "$dir/$name.log" | tail -n 8 | sed 's/^/#   /'
	return 1
}

# loaded NAME: U-Boot read ordo.img from the boot disk and started it.
loaded() {
	grep -q '^ordo-uboot: booti ' "$dir/$1.log" && grep -q '^Starting kernel' "$dir/$1.log"
}

# no_el2_abort NAME: U-Boot 2023.01 at EL3 on a CPU without EL2 (secure=on
# without virtualization=on) still "drops to EL2" before booti: that
# exception return is illegal, so its own handler reports an Illegal
# Execution State abort (ESR EC 0x0e) at the kernel's first instruction,
# before ordo runs one.  No kernel can boot there with this firmware.
no_el2_abort() {
	grep -q '^"Synchronous Abort" handler, esr 0x3a000000$' "$dir/$1.log" &&
		! grep -q '^ordo:' "$dir/$1.log"
}

# ktap_cases NAME TEXT: each KTAP case of the log as one TAP line (a SKIP
# stays a SKIP), so the suite counts case by case as in the matrix.
ktap_cases() {
	local log=$dir/$1.log line status rest
	while IFS= read -r line; do
		case $line in
		"ok "*) status=OK rest=${line#ok } ;;
		*) status=FAIL rest=${line#not ok } ;;
		esac
		result "$status" "$2: ${rest#* }" # without the case's own number
	done < <(grep -E '^(not )?ok [0-9]+ ' "$log")
}

# ktap_complete NAME: a KTAP version line, a plan, as many results as
# planned, none "not ok", exit status 0 (the matrix's check of a boot).
ktap_complete() {
	local log=$dir/$1.log plan results
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n1)
	results=$(grep -cE '^(not )?ok [0-9]+ ' "$log")
	grep -q '^KTAP version 1$' "$log" && [ -n "$plan" ] && [ "$results" -eq "$plan" ] &&
		! grep -q '^not ok ' "$log" && grep -q '^ordo: exit status 0$' "$log" && [ "$rc" -eq 0 ]
}

# demo_ran NAME: the demo appended its records and ordo exited 0.
demo_ran() {
	grep -q '^demo: run 1 appended 8 records' "$dir/$1.log" &&
		grep -q '^ordo: exit status 0$' "$dir/$1.log" && [ "$rc" -eq 0 ]
}

# demo_formatted_scratch NAME: the demo formatted one disk, the 64 MiB
# scratch disk (capacity 131072 sectors); it named the boot disk's MBR and
# formatted nothing over it.
demo_formatted_scratch() {
	local log=$dir/$1.log bootvd fmt
	bootvd=$(sed -n 's/^\(vblk[0-9]*\): holds an MBR partition table.*: not formatting$/\1/p' "$log")
	fmt=$(sed -n 's/^\(vblk[0-9]*\): blank: formatting it as ordofs$/\1/p' "$log")
	[ -n "$bootvd" ] && [ -n "$fmt" ] && [ "$(echo "$fmt" | wc -l)" -eq 1 ] &&
		[ "$fmt" != "$bootvd" ] && grep -q "^$fmt: transport=.* capacity=131072 " "$log" &&
		! grep -q 'formatting over' "$log"
}

# ---- 1. the suite and the demo in each configuration -----------------------
run_config() {
	local name=$1 machine=$2 disk=$dir/$1-boot.img t elr
	if ! make_bootdisk "$disk" >"$dir/$name-mkdisk.log" 2>&1; then
		result FAIL "$arch $name: build the boot disk (see $dir/$name-mkdisk.log)"
		return
	fi
	t="$arch $name ($machine)"

	boot "$name-ktest" "$machine" "$disk" "ktest${extra_args:+ $extra_args}"
	if no_el2_abort "$name-ktest"; then
		elr=$(sed -n 's/^elr: \(0000000[0-9a-f]*\) .*/\1/p' "$dir/$name-ktest.log" | head -n1)
		result OK "$t # SKIP U-Boot 2023.01 at EL3 without EL2 cannot enter a kernel (its ERET to EL2 is illegal: esr 0x3a000000 at $(printf '0x%x' "0x${elr:-0}"))"
		check "$t ktest: boot disk unchanged" test "$unchanged" -eq 1
		return
	fi
	local ktest_rc=$rc
	verify "$name-ktest" "$t ktest: U-Boot loaded ordo.img from its boot disk and started it" \
		loaded "$name-ktest"
	# How the interrupt controller was driven (or why it is polled).
	grep -h '^gic:\|^plic:' "$dir/$name-ktest.log" | sed "s/^/# $arch $name: /"
	ktap_cases "$name-ktest" "$t ktest"
	verify "$name-ktest" "$t ktest: KTAP plan met, exit status 0 (QEMU $rc, $secs s)" \
		ktap_complete "$name-ktest"
	check "$t ktest: the boot disk is named and not tested" \
		grep -q '^ktest: vblk[0-9]* holds an MBR partition table' "$dir/$name-ktest.log"
	check "$t ktest: boot disk unchanged" test "$unchanged" -eq 1

	if [ "$ktest_rc" -ge 124 ]; then
		result FAIL "$t demo # not run: the ktest boot $([ "$ktest_rc" -eq 124 ] &&
			echo "timed out after ${UBOOT_TIMEOUT}s" || echo "ended in U-Boot")"
		return
	fi
	boot "$name-demo" "$machine" "$disk" "demo${extra_args:+ $extra_args}"
	verify "$name-demo" "$t demo: U-Boot read its boot disk again and started ordo" \
		loaded "$name-demo"
	verify "$name-demo" "$t demo: appended its records on the scratch disk, exit status 0 (QEMU $rc, $secs s)" \
		demo_ran "$name-demo"
	check "$t demo: formatted only the scratch disk, named the boot disk's MBR" \
		demo_formatted_scratch "$name-demo"
	check "$t demo: boot disk unchanged" test "$unchanged" -eq 1
}

# ---- 2. one image, two load addresses ----------------------------------------
run_twoaddr() {
	local name=${1%%|*} machine=${1#*|} disk t text_offset flags base off at prev=""
	disk=$dir/twoaddr-boot.img
	text_offset=$(header_u64 "$image" 8)
	flags=$(header_u64 "$image" 24)
	t="$arch $name two load addresses"
	check "$t: the Image header says it may be placed anywhere (flags $flags, bit 3)" \
		test $((flags & 8)) -ne 0
	if ! make_bootdisk "$disk" >"$dir/twoaddr-mkdisk.log" 2>&1; then
		result FAIL "$t: build the boot disk (see $dir/twoaddr-mkdisk.log)"
		return
	fi
	# booti places an "anywhere" Image at the 2 MiB boundary at or below
	# it plus text_offset: load it there, so U-Boot has no reason to move it.
	for base in 0 0x2000000; do
		off=$(printf '0x%x' $((base + text_offset)))
		boot "twoaddr-$base" "$machine" "$disk" "ktest${extra_args:+ $extra_args}" "$off"
		at=$(sed -n 's/^ordo-uboot: booti //p' "$dir/twoaddr-$base.log" | head -n1)
		check "$t: loaded at \${kernel_addr_r} + $off (0x${at:-?}), not where the other boot was" \
			test -n "$at" -a "$at" != "$prev"
		prev=$at
		if [ "$(grep -c '^Starting kernel' "$dir/twoaddr-$base.log")" -eq 1 ] &&
			! grep -q '^Moving Image' "$dir/twoaddr-$base.log"; then
			result OK "$t: U-Boot started it at 0x${at:-?}, did not move it"
		else
			result FAIL "$t: U-Boot started it at 0x${at:-?}, did not move it"
			grep '^Moving Image' "$dir/twoaddr-$base.log" | sed 's/^/# U-Boot: /'
		fi
		verify "twoaddr-$base" "$t: the suite passes (QEMU $rc, $secs s)" ktap_complete "twoaddr-$base"
		check "$t: boot disk unchanged" test "$unchanged" -eq 1
	done
}

# riscv64: U-Boot 2023.01's riscv booti always moves the Image to RAM base
# + text_offset (the riscv header has no "anywhere" flag): nothing to test.
skip_twoaddr() {
	local moved
	moved=$(grep -h '^Moving Image' "$dir"/*-ktest.log 2>/dev/null | head -n1)
	result OK "$arch two load addresses # SKIP U-Boot's riscv booti always moves the Image to RAM base + text_offset${moved:+ ($moved)}"
}

# ---- main ----------------------------------------------------------------------
if [ $# -eq 0 ]; then
	echo "usage: $0 ARCH..." >&2
	exit 2
fi
miss=$(missing_packages "$@")
if [ -n "$miss" ]; then
	echo "# uboot: not run, missing:$miss (tools/deps.sh test installs them)"
	result OK "ordo booted by U-Boot ($*) # SKIP missing:$miss"
	tap_end
	exit
fi
export MTOOLS_SKIP_CHECK=1

for a in "$@"; do
	setup_arch "$a"
	rm -rf "$dir"
	mkdir -p "$dir"
	tap_scratch "$dir"
	[ -f "$image" ] || {
		echo "Bail out! no $image (make ARCH=$arch first)"
		exit 1
	}
	for c in "${configs[@]}"; do
		name=${c%%|*}
		[ -z "$UBOOT_ONLY" ] || [[ " $UBOOT_ONLY " == *" $name "* ]] || continue
		run_config "$name" "${c#*|}"
	done
	[ -z "$UBOOT_ONLY" ] || [[ " $UBOOT_ONLY " == *" twoaddr "* ]] || continue
	if [ -n "$twoaddr" ]; then
		run_twoaddr "$twoaddr"
	else
		skip_twoaddr
	fi
done
tap_end
