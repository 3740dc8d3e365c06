#!/usr/bin/env bash
# tests/bench/smoke.sh [ARCH] - make bench's ordo side still works: two
# short runs of every block job on QEMU's null-co back end, through
# tools/bench/run.sh (results in build/bench-smoke/, not the user's
# build/bench/).  Checks that every job reports, that the device commands
# per operation are what the job is (one per request; two with a FLUSH
# after each write), and that the instruction counts of the two runs agree
# within 1% (the plugin's counts are the bench's primary figure: they must
# not depend on the host's speed).  No time or rate is checked.
#
# Prints TAP.  Exit 0 iff all ok.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/qemu/tap.sh
arch=${1:-x86_64}
out=build/bench-smoke
tap_scratch "$out"
jobs=randread-qd1,randread-qd32,randwrite-qd1,seqread-qd16,seqwrite-qd16,write-flush

tools/bench/run.sh --arch "$arch" --no-linux --reps 2 --n 256 --backends null-co --jobs "$jobs" \
	--out "$out" >"$out.log" 2>&1
check "run.sh finished and wrote its table" test -s "$out/table.txt"

# metric JOB NAME -> "median min max runs" of ordo's NAME for JOB
metric() {
	awk -F, -v j="$1" -v m="$2" '$1 == "null-co" && $2 == j && $3 == "ordo" && $4 == m {
		print $5, $6, $7, $8 }' "$out/summary.csv"
}

for j in ${jobs//,/ }; do
	read -r _ lo hi runs <<<"$(metric "$j" insns_per_op)"
	check "$j: two runs reported" test "${runs:-0}" -eq 2
	check "$j: instruction counts of the two runs within 1% ($lo, $hi)" \
		awk -v a="${lo:-0}" -v b="${hi:-0}" 'BEGIN { exit !(a > 0 && b <= a * 1.01) }'
	read -r cmds _ <<<"$(metric "$j" cmds_per_op)"
	want=1
	[ "$j" = write-flush ] && want=2
	check "$j: $want device command(s) per operation (got $cmds)" \
		awk -v c="${cmds:-0}" -v w="$want" 'BEGIN { exit !(c == w) }'
done
tap_end
