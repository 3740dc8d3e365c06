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
# Prints TAP.  Exit 0 iff all ok.
set -u
arch=$1
dir="build/$arch/test/discard"
. "$(dirname "$0")/tap.sh"
eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300}

rm -rf "$dir"
mkdir -p "$dir"
# boot MODE: the suite and the trim on a fresh image with drive discard=MODE.
boot() {
	local mode=$1 img="$dir/$1.img"
	truncate -s 64M "$img"
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$BOOT_TIMEOUT" $QEMU_SYSTEM $QEMU_MACHINE_ARGS \
		-kernel "build/$arch/ordo.img" -append "${QEMU_APPEND:+$QEMU_APPEND }ktest ktest.trim" \
		-drive "if=none,id=d0,file=$img,format=raw,discard=$mode" \
		-device virtio-blk-device,drive=d0,discard=on,write-zeroes=on \
		</dev/null >"$dir/$mode.log" 2>&1
	tr -d '\r' <"$dir/$mode.log" >"$dir/$mode.tmp" && mv "$dir/$mode.tmp" "$dir/$mode.log"
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

tap_end
