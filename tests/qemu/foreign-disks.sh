#!/usr/bin/env bash
# tests/qemu/foreign-disks.sh ARCH - ordo never touches a disk that is not
# its own, and lives happily in a GPT partition next to someone's data.
#
#  1. Images made by the real tools (sfdisk, mke2fs, mkfs.fat, genisoimage,
#     mkswap, cryptsetup) plus one of plain data: the demo, then stress
#     (killed with SIGKILL), boot with all of them and one blank disk
#     attached.  Every foreign image is byte for byte unchanged, the
#     console names what each holds, and the demo runs on the blank disk.
#     The host tool refuses them the same way (mkfs, fsck: exit 8).
#  2. A GPT image whose partition 1 holds data and partition 2 has ordofs's
#     type: mkfs with the host tool into partition 2, demo, stress killed
#     mid-write, recover and fsck on the host, every acknowledged byte
#     there, demo again with both runs' records; partition 1 and both
#     partition tables unchanged throughout.
#
# Prints TAP.  Exit 0 iff all ok.
set -u
arch=$1
dir="build/$arch/test/foreign"
ordofs=build/host/ordofs
crc=build/host/crc32c-file
. "$(dirname "$0")/acks.sh"
. "$(dirname "$0")/tap.sh"
tap_scratch "$dir"
eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"
OFS_GPT_TYPE=e3782515-0da5-48d2-8e3c-68e70f5247ca
BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}

rm -rf "$dir"
mkdir -p "$dir"

# ---- the foreign images ------------------------------------------------
# kind  what-the-console-says (a fixed string grep -F finds)
kinds=(
	"mbr|an MBR partition table"
	"gpt|a GPT partition table"
	"ext4|an ext4 filesystem"
	"ext2|an ext2 filesystem"
	"fat16|a FAT16 filesystem"
	"fat32|a FAT32 filesystem"
	"iso|an ISO 9660 filesystem"
	"swap|Linux swap"
	"luks|a LUKS"
	"data|non-zero data"
)

make_image() { # make_image KIND FILE
	local kind=$1 f=$2
	rm -f "$f"
	case $kind in
	mbr) truncate -s 16M "$f" && echo 'start=2048, type=83' | sfdisk -q --label dos "$f" ;;
	gpt) truncate -s 16M "$f" && echo 'start=2048, type=L' | sfdisk -q --label gpt "$f" ;;
	ext4) mke2fs -q -F -t ext4 "$f" 16M ;;
	ext2) mke2fs -q -F -t ext2 "$f" 16M ;;
	fat16) mkfs.fat -C -F 16 "$f" 16384 >/dev/null ;;
	fat32) mkfs.fat -C -F 32 "$f" 40960 >/dev/null ;;
	iso)
		mkdir -p "$dir/iso.d" && echo hello >"$dir/iso.d/hello.txt" &&
			genisoimage -quiet -o "$f" "$dir/iso.d" && truncate -s 4M "$f"
		;;
	swap) truncate -s 16M "$f" && mkswap -q "$f" >/dev/null ;;
	luks)
		truncate -s 16M "$f" && printf 'secret' >"$dir/key" &&
			cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 \
				--pbkdf-force-iterations 1000 --key-file "$dir/key" "$f" >/dev/null 2>&1
		;;
	data) truncate -s 16M "$f" && head -c 65536 /dev/urandom | dd of="$f" bs=4096 seek=100 conv=notrunc status=none &&
		printf 'x' | dd of="$f" bs=1 seek=$((16 * 1048576 - 1)) conv=notrunc status=none ;;
	esac
}

# boot NAME APPEND DISK...: boot with these disks, console to $dir/NAME.log
boot() {
	local name=$1 append=$2 i=0 args=() f
	shift 2
	for f in "$@"; do
		args+=(-drive "if=none,id=d$i,file=$f,format=raw" -device "virtio-blk-device,drive=d$i")
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$BOOT_TIMEOUT" $QEMU_SYSTEM $QEMU_MACHINE_ARGS \
		-kernel "build/$arch/ordo.img" -append "${QEMU_APPEND:+$QEMU_APPEND }$append" "${args[@]}" \
		</dev/null >"$dir/$name.log" 2>&1
	local rc=$?
	tr -d '\r' <"$dir/$name.log" >"$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name.log"
	return $rc
}

# stress_boot NAME ACKS DISK...: boot stress, SIGKILL it after ACKS acks.
stress_boot() {
	local name=$1 want=$2 i=0 args=() f qemu
	shift 2
	for f in "$@"; do
		args+=(-drive "if=none,id=d$i,file=$f,format=raw,cache=writeback" -device "virtio-blk-device,drive=d$i")
		i=$((i + 1))
	done
	: >"$dir/$name.log"
	# shellcheck disable=SC2086
	$QEMU_SYSTEM $QEMU_MACHINE_ARGS -kernel "build/$arch/ordo.img" -append "${QEMU_APPEND:+$QEMU_APPEND }stress" \
		"${args[@]}" </dev/null >"$dir/$name.log" 2>&1 &
	qemu=$!
	for _ in $(seq 1 600); do
		[ "$(complete_acks "$dir/$name.log" | wc -l)" -ge "$want" ] && break
		kill -0 "$qemu" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$qemu" 2>/dev/null
	wait "$qemu" 2>/dev/null
	[ "$(complete_acks "$dir/$name.log" | wc -l)" -ge "$want" ]
}

sums() { sha256sum "$@" | cut -d' ' -f1 | tr '\n' ' '; }

# ---- 1. foreign disks next to a blank one ------------------------------
images=()
for k in "${kinds[@]}"; do
	kind=${k%%|*}
	make_image "$kind" "$dir/$kind.img" || { echo "Bail out! cannot make a $kind image"; exit 1; }
	images+=("$dir/$kind.img")
done
truncate -s 64M "$dir/blank.img"
before=$(sums "${images[@]}")

# QEMU's virt lists the virtio-mmio slots in reverse: find disks by what
# the console says they hold, not by their order on the command line.
boot demo demo "${images[@]}" "$dir/blank.img"
disk_of() { grep -F "holds $1" "$dir/demo.log" | head -n1 | cut -d: -f1; }
blankdisk=$(sed -n 's/^\(vblk[0-9]*\): blank: formatting it as ordofs$/\1/p' "$dir/demo.log")
check "demo: exit 0" grep -q '^ordo: exit status 0' "$dir/demo.log"
check "demo: formatted the blank disk (${blankdisk:-none}) and nothing else" \
	test "$(grep -c 'formatting it' "$dir/demo.log")" -eq 1 -a -n "$blankdisk"
check "demo: appended its records" grep -q '^demo: run 1 appended 8 records' "$dir/demo.log"
check "demo: one 'holds ...: not formatting' line per foreign disk" \
	test "$(grep -c '^vblk[0-9]*: holds .*: not formatting$' "$dir/demo.log")" -eq ${#images[@]}
for k in "${kinds[@]}"; do
	kind=${k%%|*} what=${k#*|}
	check "demo: the $kind image is named as $what" test -n "$(disk_of "$what")"
done
stress_boot stress 20 "${images[@]}" "$dir/blank.img"
check "stress: acknowledged fsyncs on $blankdisk" test "$(complete_acks "$dir/stress.log" | wc -l)" -ge 20
check "stress: mounted $blankdisk, formatted nothing" \
	bash -c "grep -q '^$blankdisk: mounted' '$dir/stress.log' && ! grep -q 'formatting' '$dir/stress.log'"
ext4disk=$(disk_of "an ext4 filesystem")
boot named "demo fs.disk=$ext4disk" "${images[@]}" "$dir/blank.img"
check "fs.disk=$ext4disk (ext4) without fs.format=force: refused, exit 1" \
	bash -c "grep -qF '$ext4disk: holds an ext4 filesystem' '$dir/named.log' && grep -q '^ordo: exit status 1' '$dir/named.log'"
boot ktest "ktest" "${images[@]}"
check "ktest: skips every foreign disk with the reason" \
	bash -c "[ \$(grep -c '^ktest: vblk[0-9]* holds' '$dir/ktest.log') -eq ${#images[@]} ]"
boot bench "bench" "${images[@]}"
check "bench: skips every foreign disk with the reason" \
	bash -c "[ \$(grep -c '^vblk[0-9]*: holds .*: skipped' '$dir/bench.log') -eq ${#images[@]} ]"
# The demo's disk now holds ordofs: bench must not take it as scratch.
cp "$dir/blank.img" "$dir/ofs.img"
boot bench-ofs "bench" "$dir/ofs.img"
check "bench: skips an ordofs disk, naming it" \
	grep -q '^vblk0: holds an ordofs filesystem (name it with bench.disk=vblk0 to overwrite it): skipped' "$dir/bench-ofs.log"
check "every foreign image is unchanged after demo, stress, ktest, bench" \
	test "$(sums "${images[@]}")" = "$before"

# The host tool: the same policy, e2fsck's exit statuses.
i=0
for img in "${images[@]}"; do
	kind=${kinds[$i]%%|*}
	"$ordofs" mkfs "$img" >"$dir/tool.out" 2>&1
	rc=$?
	"$ordofs" fsck "$img" >>"$dir/tool.out" 2>&1
	rc2=$?
	check "ordofs mkfs/fsck $kind: exit 8 and 8, 'not an ordofs filesystem'" \
		bash -c "[ $rc -eq 8 ] && [ $rc2 -eq 8 ] && grep -q 'not an ordofs filesystem' '$dir/tool.out'"
	i=$((i + 1))
done
cp "$dir/ext4.img" "$dir/ext4-copy.img"
"$ordofs" mkfs "$dir/ext4-copy.img" --size 64M >/dev/null 2>&1
check "ordofs mkfs --size over ext4: refused before resizing (size unchanged)" \
	test "$(stat -c %s "$dir/ext4-copy.img")" -eq $((16 * 1048576))
check "every foreign image is unchanged after the tool" test "$(sums "${images[@]}")" = "$before"
"$ordofs" mkfs --force "$dir/ext4-copy.img" >/dev/null 2>&1
check "ordofs mkfs --force formats it" "$ordofs" fsck "$dir/ext4-copy.img"

# ---- 2. ordofs in GPT partition 2, data in partition 1 -----------------
img="$dir/gpt-ofs.img"
truncate -s 64M "$img"
printf 'label: gpt\nstart=2048, size=16M, type=L\nsize=40M, type=%s\n' "$OFS_GPT_TYPE" |
	sfdisk -q "$img"
head -c $((16 * 1048576)) /dev/urandom | dd of="$img" bs=1M seek=1 conv=notrunc status=none
# Partition 1, the primary table (LBA 0-33) and the backup (last 33 LBAs).
keep() {
	{
		dd if="$img" bs=512 count=34 status=none
		dd if="$img" bs=1M skip=1 count=16 status=none
		dd if="$img" bs=512 skip=$((64 * 2048 - 33)) status=none
	} | sha256sum | cut -d' ' -f1
}
kept=$(keep)
check "ordofs mkfs IMG@2" "$ordofs" mkfs "$img@2"
boot gpt-demo1 demo "$img"
check "demo finds GPT partition 2 by its type and runs there" \
	bash -c "grep -q '^vblk0p2: GPT partition 2 of type ordofs' '$dir/gpt-demo1.log' && grep -q '^demo: run 1 appended' '$dir/gpt-demo1.log'"
check "stress in partition 2, killed with SIGKILL mid-write" stress_boot gpt-stress 30 "$img"
cp "$img" "$dir/check.img"
"$ordofs" recover "$dir/check.img@2" >/dev/null 2>&1
check "recovered partition passes fsck" "$ordofs" fsck "$dir/check.img@2"
bad=0 checked=0
while read -r path size hex; do
	checked=$((checked + 1))
	"$ordofs" cat "$dir/check.img@2" "$path" >"$dir/file.bin" 2>/dev/null &&
		got=$("$crc" "$dir/file.bin" "$size") && [ "${got#* }" = "$hex" ] || bad=$((bad + 1))
done < <(last_acks "$dir/gpt-stress.log")
check "every acknowledged byte is in partition 2 ($checked files)" \
	test "$bad" -eq 0 -a "$checked" -gt 0
boot gpt-demo2 demo "$img"
check "demo again: the kernel's own recovery, and the first run's records" \
	grep -q '^demo: /demo/runs.log holds 8 records from 1 earlier run, 0 damaged' "$dir/gpt-demo2.log"
check "partition 1 and both partition tables unchanged" test "$(keep)" = "$kept"

tap_end
