#!/usr/bin/env bash
# tests/qemu/relocate.sh - the same aarch64 Image runs wherever a boot
# loader puts it (its header says "anywhere in RAM, 2 MiB aligned").
#
# QEMU's -kernel always loads an Image at RAM base + text_offset (the
# matrix covers that address), so here QEMU's generic loader places the
# unchanged build/aarch64/ordo.img elsewhere, plus a DTB and a 6-instruction
# boot stub that enters the image as booting.rst says (x0 = DTB, x1-x3 = 0;
# the loader itself can only set the PC).  The DTB is the one QEMU would
# have passed to -kernel for the same machine, devices and command line
# (-M virt,dumpdtb=).  Nothing sits at the link address, 0x40080000.
#
#   - 0x44080000, 64 MiB into RAM: the KTAP suite on a disk passes;
#   - 0x80080000, the second GiB of a 2 GiB RAM (its own 1 GiB block of the
#     boot map): the KTAP suite passes;
#   - 0x44080000 again, selftest.stack_overflow: the trap report names the
#     guard page at the run-time address (the report's string tables are
#     relocated, and the guard follows the image), exit status 3;
#   - the counter example (make APP=apps/counter: the C library's GOT and
#     thread-local storage) at 0x44080000, twice on one disk: 1, then 2.
#
# Prints TAP.  Exit 0 iff all ok.
set -u
arch=aarch64
dir="build/$arch/test/relocate"
. "$(dirname "$0")/tap.sh"
tap_scratch "$dir"
eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}
CROSS=aarch64-linux-gnu-
STUB_ADDR=0x40100000	# above the DTB QEMU itself puts at RAM base

rm -rf "$dir"
mkdir -p "$dir"

# stub DTB IMAGE: $dir/stub.bin, entering IMAGE with x0 = DTB.
stub() {
	cat >"$dir/stub.S" <<-'EOF'
		ldr	x0, dtb
		mov	x1, xzr
		mov	x2, xzr
		mov	x3, xzr
		ldr	x4, image
		br	x4
		.balign	8
	dtb:	.quad	DTB
	image:	.quad	IMAGE
	EOF
	"${CROSS}gcc" -c -x assembler-with-cpp -DDTB="$1" -DIMAGE="$2" "$dir/stub.S" \
		-o "$dir/stub.o" && "${CROSS}objcopy" -O binary "$dir/stub.o" "$dir/stub.bin"
}

# boot NAME IMAGE-FILE IMAGE-ADDR DTB-ADDR APPEND QEMU-ARGS...: console in
# $dir/NAME.log, QEMU's status in $dir/NAME.rc.
boot() {
	local name=$1 file=$2 image=$3 dtb=$4 append=$5 rc
	shift 5
	# shellcheck disable=SC2086
	if ! $QEMU_SYSTEM $QEMU_MACHINE_ARGS -M virt,dumpdtb="$dir/$name.dtb" \
		-kernel "$file" -append "${QEMU_APPEND:+$QEMU_APPEND }$append" "$@" \
		</dev/null >"$dir/$name.log" 2>&1 || ! stub "$dtb" "$image" >>"$dir/$name.log" 2>&1; then
		echo 255 >"$dir/$name.rc"
		return
	fi
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$BOOT_TIMEOUT" $QEMU_SYSTEM $QEMU_MACHINE_ARGS \
		-device "loader,file=$file,addr=$image,force-raw=on" \
		-device "loader,file=$dir/$name.dtb,addr=$dtb,force-raw=on" \
		-device loader,file="$dir/stub.bin",addr=$STUB_ADDR,force-raw=on \
		-device loader,addr=$STUB_ADDR,cpu-num=0 \
		"$@" </dev/null >"$dir/$name.log" 2>&1
	rc=$?
	echo "$rc" >"$dir/$name.rc"
	tr -d '\r' <"$dir/$name.log" >"$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name.log"
}
kernel=build/$arch/ordo.img
counter=build/$arch/app-counter/ordo.img
# disk NAME: QEMU arguments for disk $dir/NAME.img, made empty if new.
disk() {
	[ -e "$dir/$1.img" ] || truncate -s 64M "$dir/$1.img"
	echo "-drive if=none,id=d0,file=$dir/$1.img,format=raw -device virtio-blk-device,drive=d0"
}
# ktap_ok NAME: exit 0, a plan, as many "ok" as planned, no "not ok".
ktap_ok() {
	local log="$dir/$1.log" plan
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n1)
	[ "$(cat "$dir/$1.rc")" = 0 ] && [ -n "$plan" ] && [ "$plan" -gt 0 ] &&
		[ "$(grep -cE '^ok [0-9]+ ' "$log")" -eq "$plan" ] && ! grep -qE '^not ok' "$log"
}
says() { grep -qE -- "$2" "$dir/$1.log"; }
status() { [ "$(cat "$dir/$1.rc")" = "$2" ]; }
ran() { status "$1" 0 && says "$1" "$2"; } # ran NAME REGEX: exit 0, and said it
# verify NAME TEXT COMMAND...: check, showing NAME's console if it fails.
verify() {
	local name=$1 text=$2
	shift 2
	if "$@"; then
		result OK "$text"
	else
		result FAIL "$text"
		sed 's/^/# /' "$dir/$name.log" | grep -v '^# ok ' | tail -n 12
	fi
}

# shellcheck disable=SC2046
boot at64m "$kernel" 0x44080000 0x47f00000 ktest $(disk at64m)
verify at64m "Image at 0x44080000: KTAP suite passes" ktap_ok at64m

# shellcheck disable=SC2046
boot at2g "$kernel" 0x80080000 0xbff00000 ktest -m 2G $(disk at2g)
verify at2g "Image at 0x80080000 (second GiB of RAM): KTAP suite passes" ktap_ok at2g

boot overflow "$kernel" 0x44080000 0x47f00000 selftest.stack_overflow
verify overflow "Image at 0x44080000: stack overflow reported at the guard page there" \
	says overflow "kernel stack overflow: FAR 0x440[0-9a-f]{5} is in the guard page"
verify overflow "Image at 0x44080000: the report names the vector (relocated tables)" \
	says overflow "Synchronous, current EL, SP_ELx"
verify overflow "Image at 0x44080000: stack overflow exits with status 3" status overflow 3

if make -s --no-print-directory ARCH="$arch" APP=apps/counter >"$dir/build-counter.log" 2>&1; then
	# shellcheck disable=SC2046
	boot counter1 "$counter" 0x44080000 0x47f00000 "" $(disk counter)
	# shellcheck disable=SC2046
	boot counter2 "$counter" 0x44080000 0x47f00000 "" $(disk counter)
	verify counter1 "counter app at 0x44080000: first run counts 1, exit 0" \
		ran counter1 "this disk has run me 1 time$"
	verify counter2 "counter app at 0x44080000: second run counts 2, exit 0" \
		ran counter2 "this disk has run me 2 times$"
else
	result FAIL "make APP=apps/counter"
	sed 's/^/# /' "$dir/build-counter.log" | tail -n 20
fi

tap_end
