#!/usr/bin/env bash
# tests/qemu/errors.sh ARCH - errors get their true errno and a message
# naming the device and the structure, and lose nothing.
#
#  - a full disk is ENOSPC (stress on a 4 MiB disk), not EIO;
#  - stress with no writable disk says so;
#  - a zero-size or under-4 KiB disk is "too small", not "an ordofs that
#    does not mount";
#  - a read error at mount (QEMU blkdebug) on the superblock, the journal
#    superblock, the bitmap or the inode table names the block and what
#    it is, and the image is left exactly as it was (never formatted).
#
# Prints TAP.  Exit 0 iff all ok.
set -u
arch=$1
dir="build/$arch/test/errors"
ordofs=build/host/ordofs
. "$(dirname "$0")/tap.sh"
tap_scratch "$dir"
eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}

rm -rf "$dir"
mkdir -p "$dir"
# boot NAME APPEND QEMU-ARGS...: console in $dir/NAME.log
boot() {
	local name=$1 append=$2
	shift 2
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$BOOT_TIMEOUT" $QEMU_SYSTEM $QEMU_MACHINE_ARGS \
		-kernel "build/$arch/ordo.img" -append "${QEMU_APPEND:+$QEMU_APPEND }$append" "$@" </dev/null >"$dir/$name.log" 2>&1
	tr -d '\r' <"$dir/$name.log" >"$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name.log"
}
disk() { echo "-drive if=none,id=d0,file=$1,format=raw${2:+,$2} -device virtio-blk-device,drive=d0"; }
says() { grep -qF -- "$2" "$dir/$1.log"; }

truncate -s 4M "$dir/small.img"
# shellcheck disable=SC2046
boot full stress $(disk "$dir/small.img")
check "full disk: stress stops with ENOSPC, naming the disk" \
	says full "stress: stopped on vblk0: ENOSPC (the filesystem is full)"
check "full disk: the filesystem is consistent afterwards" "$ordofs" fsck "$dir/small.img"

# shellcheck disable=SC2046
boot readonly stress $(disk "$dir/small.img" readonly=on)
check "no writable disk: stress says so" \
	bash -c "grep -qF 'no writable disk (1 found, all read-only)' '$dir/readonly.log' &&
		grep -qF 'stress: no filesystem to write to' '$dir/readonly.log'"

for size in 0 2048; do
	truncate -s "$size" "$dir/tiny$size.img"
	# shellcheck disable=SC2046
	boot "tiny$size" demo $(disk "$dir/tiny$size.img")
	check "a $size-byte disk is too small, not 'an ordofs that does not mount'" \
		bash -c "grep -qF 'vblk0: too small for ordofs ($size bytes)' '$dir/tiny$size.log' &&
			! grep -q 'does not mount' '$dir/tiny$size.log'"
done

# Read errors at mount, one structure at a time.
img="$dir/ofs.img"
truncate -s 64M "$img"
"$ordofs" mkfs "$img" >/dev/null
field() { od -An -t u8 -j "$1" -N 8 "$img" | tr -d ' '; } # struct ofs_super
jstart=$(field 48) bstart=$(field 56) istart=$(field 72)
sum=$(sha256sum <"$img")
for c in "0|vblk0: cannot be read (EIO): skipped" \
	"$jstart|ordofs: vblk0: cannot read the journal superblock (block $jstart): EIO" \
	"$bstart|ordofs: vblk0: cannot read bitmap block $bstart: EIO" \
	"$istart|ordofs: vblk0: cannot read inode table block $istart: EIO"; do
	block=${c%%|*} want=${c#*|}
	boot "eio$block" demo -blockdev "driver=file,node-name=data0,filename=$img" \
		-blockdev "driver=blkdebug,node-name=dbg0,image=data0,inject-error.0.event=none,inject-error.0.iotype=read,inject-error.0.sector=$((block * 8)),inject-error.0.errno=5" \
		-device virtio-blk-device,drive=dbg0
	check "read error on block $block: '$want', exit 1" \
		bash -c "grep -qF '$want' '$dir/eio$block.log' && grep -q '^ordo: exit status 1' '$dir/eio$block.log'"
	check "read error on block $block: the image is untouched" test "$(sha256sum <"$img")" = "$sum"
done

tap_end
