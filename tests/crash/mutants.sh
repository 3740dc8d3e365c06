#!/bin/sh
# tests/crash/mutants.sh - prove the crash tests can fail.
#
# Runs every crash-mutant-NAME binary (the engine built with a seeded
# journal protocol bug, -DJNL_MUTANT=NAME; see docs/crash-engine.md) and
# prints TAP: "ok N - ..." when the engine caught the mutant (found a
# violation), "not ok N - ..." when it did not; then "# mutants caught: K/N".
set -u
out=${HOST_OUT:-build/host}
mutants="NO_DRAIN NO_FLUSH_BEFORE_COMMIT NO_FLUSH_AFTER_COMMIT COMMIT_FIRST NO_CSUM_VERIFY
	CSUM_SKIPS_BLOCK TAIL_EARLY REUSE_EARLY SEQ_WRAP STALE_UUID
	COMMIT_BEFORE_DATA NO_DATA_CHECK DATA_CHECK_ALL OVERWRITE_IN_PLACE DELTA_NO_RESTAMP
	REUSE_BEFORE_CKPT DELTA_FIRST GC_EARLY_ACK GC_RUNNING_LOST GC_UNLOCK_EARLY DISCARD_EARLY
	DISCARD_NO_CKPT"
total=$(echo $mutants | wc -w)
echo "1..$total"
n=0 caught=0
for m in $mutants; do
	n=$((n + 1))
	line=$("$out/crash-mutant-$m" 2>&1 | grep -m1 '^ok 1 ')
	if [ -n "$line" ]; then
		caught=$((caught + 1))
		echo "ok $n - ${line#ok 1 - }"
	else
		echo "not ok $n - mutant $m was not caught"
	fi
done
echo "# mutants caught: $caught/$total"
