#!/usr/bin/env bash
# tests/qemu/load-address.sh ARCH - the same image runs wherever it is
# loaded (issue 14: boot loaders such as U-Boot's booti choose the address).
#
# riscv64: QEMU 7.2 loads a raw Image only at 0x80200000, but an ELF at its
# own addresses, and the default -bios (OpenSBI fw_dynamic) then enters it
# at the ELF's entry point.  So the test wraps the very bytes of
# build/riscv64/ordo.img, unchanged, in an ELF whose one segment sits at
# another address (binutils only: objcopy -I binary, ld), and boots that:
#   - at the link address 0x80200000 (the plain -kernel ordo.img),
#     0x80400000, and 0xc0200000 with 1.5 GiB of RAM (another GiB: the
#     stack guard's page tables move with the image), the KTAP suite on a
#     scratch disk passes, and OpenSBI reports the address we meant;
#   - at 0x80400000, selftest.stack_overflow still hits the guard page
#     (exit 3, "kernel stack overflow") and the report gives the load
#     offset for addr2line;
#   - at 0x80400800 (not 4 KiB aligned) head.S refuses with a message and
#     exit status 3 instead of running with misaligned page tables.
# An image that runs only at its link address fails every case but the
# first.
#
# Other architectures: not yet (a plan of 0).  Prints TAP; exit 0 iff all ok.
set -u
arch=$1
dir="build/$arch/test/load-address"
. "$(dirname "$0")/tap.sh"
tap_scratch "$dir"

if [ "$arch" != riscv64 ]; then
	echo "# no load-address test for $arch yet"
	echo "1..0"
	exit 0
fi
eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}
img=build/$arch/ordo.img
cross=riscv64-unknown-elf-

rm -rf "$dir"
mkdir -p "$dir"

# wrap ADDR: $dir/at-ADDR.elf, the image's bytes as one segment at ADDR.
# ld -N: no page alignment, so the segment starts exactly at ADDR.
wrap() {
	cp "$img" "$dir/image.bin"
	(cd "$dir" && "${cross}objcopy" -I binary -O elf64-littleriscv -B riscv image.bin image.o) &&
		"${cross}ld" -N -nostdlib --section-start=.data="$1" -e "$1" \
			-o "$dir/at-$1.elf" "$dir/image.o"
}

# boot NAME KERNEL MEM APPEND: console in $dir/NAME.log, status in $dir/NAME.rc
# (MEM: QEMU's -m, or "" for the default of print-qemu).
boot() {
	local name=$1 kernel=$2 mem=$3 append=$4 machine_args=$QEMU_MACHINE_ARGS
	[ -z "$mem" ] || machine_args=$(printf '%s' "$machine_args" | sed "s/-m [^ ]*/-m $mem/")
	rm -f "$dir/$name-d0.img"
	truncate -s 64M "$dir/$name-d0.img"
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$BOOT_TIMEOUT" $QEMU_SYSTEM $machine_args \
		-kernel "$kernel" -append "${QEMU_APPEND:+$QEMU_APPEND }$append" \
		-drive "if=none,id=d0,file=$dir/$name-d0.img,format=raw" \
		-device virtio-blk-device,drive=d0 </dev/null >"$dir/$name.log" 2>&1
	echo $? >"$dir/$name.rc"
	tr -d '\r' <"$dir/$name.log" >"$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name.log"
}

# entered NAME ADDR: OpenSBI jumped to ADDR.
entered() {
	grep -Eq "^Domain0 Next Address +: 0x0*${2#0x}\$" "$dir/$1.log"
}

# suite_ok NAME: exit 0, a complete KTAP plan, no failure.
suite_ok() {
	local log="$dir/$1.log" plan results
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n1)
	results=$(grep -cE '^(not )?ok [0-9]+ ' "$log")
	[ "$(cat "$dir/$1.rc")" = 0 ] && grep -q '^KTAP version 1$' "$log" &&
		[ -n "$plan" ] && [ "$plan" -gt 0 ] && [ "$results" -eq "$plan" ] &&
		! grep -q '^not ok' "$log"
}

says() { grep -qF -- "$2" "$dir/$1.log"; }
status() { [ "$(cat "$dir/$1.rc")" = "$2" ]; }

boot link "$img" "" ktest
check "at the link address 0x80200000 (-kernel ordo.img): entered there" entered link 0x80200000
check "at the link address 0x80200000: the KTAP suite passes" suite_ok link

for c in "0x80400000 " "0xc0200000 1536M"; do
	addr=${c% *} mem=${c#* }
	wrap "$addr"
	boot "at-$addr" "$dir/at-$addr.elf" "$mem" ktest
	check "at $addr${mem:+ (-m $mem)}: entered there" entered "at-$addr" "$addr"
	check "at $addr: the KTAP suite passes" suite_ok "at-$addr"
done

boot overflow "$dir/at-0x80400000.elf" "" selftest.stack_overflow
check "at 0x80400000: a stack overflow hits the guard page, exit status 3" \
	bash -c "grep -qF 'kernel stack overflow' '$dir/overflow.log' && [ \"\$(cat '$dir/overflow.rc')\" = 3 ]"
check "at 0x80400000: the trap report gives the load offset for addr2line" \
	says overflow "linked at 0x80200000: subtract 0x200000 for addr2line"

wrap 0x80400800
boot misaligned "$dir/at-0x80400800.elf" "" ktest
check "at 0x80400800: refused (not 4 KiB aligned), exit status 3" \
	bash -c "grep -qF 'not 4 KiB aligned' '$dir/misaligned.log' && [ \"\$(cat '$dir/misaligned.rc')\" = 3 ]"

tap_end
