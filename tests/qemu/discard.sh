#!/usr/bin/env bash
# tests/qemu/discard.sh ARCH - DISCARD reaches the host: a sparse raw image
# shrinks.
#
# The KTAP suite runs on a fresh 64 MiB sparse image (writing several MiB
# of it), then "ktest.trim" DISCARDs the whole disk and syncs.  With
# discard=unmap QEMU punches holes, so the file's allocated size
# (du --block-size=1) falls to almost nothing; with discard=ignore (QEMU's
# default: the command succeeds and frees nothing) it does not.  Booting
# both shows the check can fail, and the second size is what the image
# held before the discard.
#
# Then ordofs: the host tool (build/host/ordofs) makes an image and puts
# 8 MiB of files on it; the ftree program (make APP=apps/ftree) boots on
# it with discard=unmap and removes them: with fs.discard=on the image
# shrinks by about what was deleted (the freed blocks are DISCARDed when
# released, at the latest at unmount); with fs.discard=off it does not
# (so the check can fail); and a later boot with fs.trim (fs_trim() after
# mount) shrinks that one too.  Every image must then pass fsck and keep
# its other file.
#
# Prints TAP.  Exit 0 iff all ok.
set -u
arch=$1
dir="build/$arch/test/discard"
. "$(dirname "$0")/tap.sh"
tap_scratch "$dir"
eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300}

rm -rf "$dir"
mkdir -p "$dir"
# qboot KERNEL NAME MODE APPEND LOG: boot KERNEL on $dir/NAME.img (drive
# discard=MODE) with APPEND on the command line, console in LOG.
qboot() {
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$BOOT_TIMEOUT" $QEMU_SYSTEM $QEMU_MACHINE_ARGS \
		-kernel "$1" -append "${QEMU_APPEND:+$QEMU_APPEND }$4" \
		-drive "if=none,id=d0,file=$dir/$2.img,format=raw,discard=$3" \
		-device virtio-blk-device,drive=d0,discard=on,write-zeroes=on \
		</dev/null >"$5" 2>&1
	tr -d '\r' <"$5" >"$5.tmp" && mv "$5.tmp" "$5"
}
# boot MODE: the suite and the trim on a fresh image with drive discard=MODE.
boot() {
	truncate -s 64M "$dir/$1.img"
	qboot "build/$arch/ordo.img" "$1" "$1" "ktest ktest.trim" "$dir/$1.log"
}
used() { du --block-size=1 "$dir/$1.img" | cut -f1; }
suite_ok() {
	grep -q '^KTAP version 1$' "$dir/$1.log" && ! grep -q '^not ok' "$dir/$1.log" &&
		grep -q '^# vblk0: trimmed 131072 sectors: ok$' "$dir/$1.log"
}

for mode in unmap ignore; do
	boot "$mode"
	check "discard=$mode: the suite passes and trims the disk" suite_ok "$mode"
done
unmap=$(used unmap) ignore=$(used ignore)
echo "# allocated after the trim: ${unmap} bytes with discard=unmap, ${ignore} with discard=ignore"
check "discard=ignore: the suite left at least 4 MiB allocated" test "$ignore" -ge $((4 << 20))
check "discard=unmap: the trim freed it (at most 1 MiB left)" test "$unmap" -le $((1 << 20))

# ---- ordofs: online discard and fs.trim -----------------------------------
ordofs=build/host/ordofs
if ! make -s --no-print-directory ARCH="$arch" APP=apps/ftree >"$dir/build-ftree.log" 2>&1 ||
	! make -s --no-print-directory "$ordofs" >>"$dir/build-ftree.log" 2>&1; then
	echo "Bail out! building apps/ftree or the ordofs tool failed:"
	sed 's/^/# /' "$dir/build-ftree.log" | tail -n 20
	exit 1
fi
head -c $((4 << 20)) /dev/urandom >"$dir/big"
echo "kept across every boot" >"$dir/keep"
# ftree NAME APPEND: boot the ftree image on $dir/NAME.img (console in
# $dir/NAME-K.log, K counting boots), kernel command line APPEND.
nboot=0
ftree() {
	nboot=$((nboot + 1))
	qboot "build/$arch/app-ftree/ordo.img" "$1" unmap "$2" "$dir/$1-$nboot.log"
	grep -qx 'ordo: exit status 0' "$dir/$1-$nboot.log"
}
# intact NAME: fsck passes and /keep is still there, byte for byte.
intact() {
	"$ordofs" fsck "$dir/$1.img" >/dev/null 2>&1 &&
		"$ordofs" cat "$dir/$1.img" /keep 2>/dev/null | cmp -s - "$dir/keep"
}
declare -A before after
for mode in on off; do
	img="$dir/ofs-$mode.img"
	truncate -s 64M "$img"
	"$ordofs" mkfs "$img" >/dev/null &&
		"$ordofs" put "$img" "$dir/big" /big1 >/dev/null &&
		"$ordofs" put "$img" "$dir/big" /big2 >/dev/null &&
		"$ordofs" put "$img" "$dir/keep" /keep >/dev/null ||
		echo "# ordofs tool failed on $img"
	before[$mode]=$(used "ofs-$mode")
	check "fs.discard=$mode: ftree rm /big1 /big2 runs" ftree "ofs-$mode" "fs.discard=$mode -- rm /big1 /big2"
	after[$mode]=$(used "ofs-$mode")
	echo "# fs.discard=$mode: ${before[$mode]} bytes allocated before the rm, ${after[$mode]} after"
	check "fs.discard=$mode: the image is intact" intact "ofs-$mode"
done
grep -h '^ordofs: vblk0: discarded' "$dir/ofs-on-"*.log | sed 's/^/# /'
check "fs.discard=on: the image shrank by at least 7 of the 8 MiB deleted" \
	test $((before[on] - after[on])) -ge $((7 << 20))
check "fs.discard=off: the image did not shrink (less than 1 MiB)" \
	test $((before[off] - after[off])) -lt $((1 << 20))
check "fs.trim: boots and trims" ftree ofs-off "fs.trim -- ls /"
grep 'fs.trim:' "$dir/ofs-off-$nboot.log" | sed 's/^/# /'
trimmed=$(used ofs-off)
echo "# fs.trim: ${after[off]} bytes allocated before, $trimmed after"
check "fs.trim: the image shrank by at least 7 MiB" test $((after[off] - trimmed)) -ge $((7 << 20))
check "fs.trim: the image is intact" intact ofs-off

tap_end
