#!/usr/bin/env bash
# tools/bench/groupcommit.sh - group commit: what concurrent fsyncs cost.
#
# Usage: tools/bench/groupcommit.sh [--arch A] [--reps N] [--ops N]
#                                   [--threads "1 8"] [--out DIR]
#
# Boots apps/fsyncbench (T threads, each appending 4 KiB to a file of its
# own and fsyncing it, N times) on a fresh 64 MiB disk with QEMU's
# cache=writeback (every FLUSH is an fdatasync of the image file on the
# host), for each thread count, the counts interleaved, --reps times.
# The kernel prints the disk's counters before main() and at exit; their
# difference is the program's own work.  For each thread count the table
# gives the medians of: fsyncs/s (wall clock, from the program), FLUSHes
# per fsync and commits per fsync; and the ratio of fsyncs/s against the
# first thread count.  Raw lines in DIR/raw.txt, the table in
# DIR/table.txt (default DIR build/bench/groupcommit).
set -eu
arch=x86_64 reps=5 ops=100 threads="1 8" out=build/bench/groupcommit
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift ;;
	--reps) reps=$2; shift ;;
	--ops) ops=$2; shift ;;
	--threads) threads=$2; shift ;;
	--out) out=$2; shift ;;
	*) echo "usage: $0 [--arch A] [--reps N] [--ops N] [--threads LIST] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done
make --no-print-directory -s ARCH="$arch" APP=apps/fsyncbench
eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"
mkdir -p "$out"
: >"$out/raw.txt"

# run T: one boot; prints "T fsyncs/s flushes commits fsyncs"
run() {
	local t=$1 log="$out/run.log" disk="$out/disk.img" b a
	rm -f "$disk"
	truncate -s 64M "$disk"
	# shellcheck disable=SC2086
	$QEMU_SYSTEM $QEMU_MACHINE_ARGS -kernel "build/$arch/app-fsyncbench/ordo.img" \
		-append "${QEMU_APPEND:+$QEMU_APPEND }-- $t $ops" \
		-drive if=none,id=d0,file="$disk",format=raw,cache=writeback \
		-device virtio-blk-device,drive=d0 </dev/null >"$log" 2>&1 || true
	tr -d '\r' <"$log" >>"$out/raw.txt"
	grep -q '^ordo: exit status 0' "$log" || { echo "groupcommit: run with $t threads failed:" >&2; tail -n 5 "$log" >&2; exit 1; }
	b=$(sed -n 's/^app: before main: vblk0: \([0-9]*\) writes, \([0-9]*\) FLUSHes, \([0-9]*\) commits.*/\2 \3/p' "$log" | tr -d '\r')
	a=$(sed -n 's/^app: at exit: vblk0: \([0-9]*\) writes, \([0-9]*\) FLUSHes, \([0-9]*\) commits.*/\2 \3/p' "$log" | tr -d '\r')
	rate=$(sed -n 's/^fsyncbench: .* \([0-9]*\) fsyncs\/s.*/\1/p' "$log" | tr -d '\r')
	set -- $b $a
	echo "$t $rate $(($3 - $1)) $(($4 - $2)) $((t * ops))"
}

results=()
for r in $(seq 1 "$reps"); do
	for t in $threads; do
		results+=("$(run "$t")")
	done
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
	echo "group commit: apps/fsyncbench on $arch ($QEMU_MACHINE, virtio-blk cache=writeback), $ops x 4 KiB append+fsync per thread, medians of $reps interleaved runs"
	printf '%-8s %12s %14s %15s %10s\n' threads fsyncs/s FLUSH/fsync commits/fsync "vs first"
	base=
	for t in $threads; do
		rows=$(printf '%s\n' "${results[@]}" | awk -v t="$t" '$1 == t')
		rate=$(awk '{ print $2 }' <<<"$rows" | median)
		fpf=$(awk '{ printf "%.3f\n", $3 / $5 }' <<<"$rows" | median)
		cpf=$(awk '{ printf "%.3f\n", $4 / $5 }' <<<"$rows" | median)
		[ -n "$base" ] || base=$rate
		printf '%-8s %12.0f %14.3f %15.3f %9.2fx\n' "$t" "$rate" "$fpf" "$cpf" "$(awk -v a="$rate" -v b="$base" 'BEGIN { print a / b }')"
	done
} | tee "$out/table.txt"
