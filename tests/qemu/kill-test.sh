#!/usr/bin/env bash
# tests/qemu/kill-test.sh ARCH - crash the kernel from outside, mid-write.
#
# Boots the "stress" workload (appends to files, printing
# "acked PATH size=BYTES crc32c=HEX" after every fsync that returned) on a
# scratch disk, waits until it has acknowledged a number of fsyncs, then
# kills QEMU with SIGKILL: no shutdown, no flush.  Then, on a copy of the
# image, the host tool recovers the journal, fsck must pass, and every path
# must hold at least its last acknowledged size with the acknowledged
# crc32c over those bytes.  The original image boots again (the kernel's
# own recovery replays the journal) for the next round.  Odd rounds mount
# with data=ordered, even rounds with data=journal (fs.data=), on the same
# image: the data mode is a mount option, the log says how to recover.
#
# Prints TAP: "ok N - round R: ..." / "not ok N - ...".  Exit 0 iff all ok.
set -u
arch=$1
rounds=${KILL_ROUNDS:-5}
dir="build/$arch/test/kill"
img="$dir/disk.img"
ordofs=build/host/ordofs
crc=build/host/crc32c-file
. "$(dirname "$0")/acks.sh"
eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"

rm -rf "$dir"
mkdir -p "$dir"
truncate -s 64M "$img"
echo "1..$((rounds * 3))"
n=0
result() { # result OK|FAIL TEXT
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

for r in $(seq 1 "$rounds"); do
	log="$dir/round$r.log"
	want=$((r * 25))
	mode=ordered
	[ $((r % 2)) -eq 0 ] && mode=journal
	: >"$log"
	# shellcheck disable=SC2086
	$QEMU_SYSTEM $QEMU_MACHINE_ARGS -kernel "build/$arch/ordo.img" -append "${QEMU_APPEND:+$QEMU_APPEND }stress fs.data=$mode" \
		-drive if=none,id=d0,file="$img",format=raw,cache=writeback \
		-device virtio-blk-device,drive=d0 </dev/null >"$log" 2>&1 &
	qemu=$!
	# Wait for the guest to acknowledge enough fsyncs (bounded), then kill.
	for _ in $(seq 1 600); do
		[ "$(grep -c '^acked ' "$log")" -ge "$want" ] && break
		kill -0 "$qemu" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$qemu" 2>/dev/null
	wait "$qemu" 2>/dev/null
	acks=$(grep -c '^acked ' "$log")
	recovered=$(sed -n 's/.*recovery replayed \([0-9]*\) transactions.*/\1/p' "$log" | head -n1)
	if [ "$acks" -ge "$want" ]; then
		result OK "round $r: data=$mode: killed after $acks acknowledged fsyncs (mount replayed ${recovered:-0} transactions)"
	else
		result FAIL "round $r: only $acks acknowledged fsyncs before the guest stopped"
		tail -n 5 "$log" | sed 's/^/# /'
	fi

	# Recover and check a copy; the original goes on to the next boot.
	cp "$img" "$dir/check.img"
	"$ordofs" recover "$dir/check.img" >"$dir/recover$r.txt" 2>&1
	if "$ordofs" fsck "$dir/check.img" >"$dir/fsck$r.txt" 2>&1; then
		result OK "round $r: recovered image passes fsck"
	else
		result FAIL "round $r: fsck after recovery"
		sed 's/^/# /' "$dir/fsck$r.txt" | head -n 20
	fi

	bad=0 checked=0
	# The last acknowledged state of every path.
	while read -r path size hex; do
		checked=$((checked + 1))
		"$ordofs" cat "$dir/check.img" "$path" >"$dir/file.bin" 2>/dev/null || {
			echo "# $path: missing after recovery (acked size $size)"
			bad=$((bad + 1))
			continue
		}
		got=$("$crc" "$dir/file.bin" "$size") || {
			echo "# $path: shorter than the acked $size bytes ($(stat -c %s "$dir/file.bin"))"
			bad=$((bad + 1))
			continue
		}
		if [ "${got#* }" != "$hex" ]; then
			echo "# $path: crc32c of the first $size bytes is ${got#* }, acked $hex"
			bad=$((bad + 1))
		fi
	# Files only grow, so the last ack of every round so far must hold.
	done < <(last_acks "$dir"/round*.log)
	if [ "$bad" -eq 0 ] && [ "$checked" -gt 0 ]; then
		result OK "round $r: all $checked files hold every acknowledged byte"
	else
		result FAIL "round $r: $bad of $checked files lost acknowledged data"
	fi
done
