#!/usr/bin/env bash
# tests/qemu/make-run.sh ARCH - the README's promise: no sequence of
# `make run` targets touches the demo's records.
#   make run; make run RUN_APPEND=bench; make run RUN_APPEND=ktest; make run
# must end with the demo reporting the records of both demo runs.  The
# disks live in a directory of the test's own (RUN_DIR), not the user's.
# Prints TAP.  Exit 0 iff all ok.
set -u
arch=$1
dir="build/$arch/test/make-run"
. "$(dirname "$0")/tap.sh"
tap_scratch "$dir"
rm -rf "$dir"
mkdir -p "$dir"
run() { # run NAME [APPEND]: make run, console in $dir/NAME.log
	make -s --no-print-directory ARCH="$arch" RUN_DIR="$dir" ${2:+RUN_APPEND="$2"} run \
		</dev/null >"$dir/$1.log" 2>&1
	local rc=$?
	tr -d '\r' <"$dir/$1.log" >"$dir/$1.tmp" && mv "$dir/$1.tmp" "$dir/$1.log"
	return $rc
}
check "make run: the first demo run appends its records" \
	bash -c "$(declare -f run); dir='$dir' arch='$arch'; run demo1 && grep -q '^demo: run 1 appended 8 records' '$dir/demo1.log'"
check "make run RUN_APPEND=bench: runs on a disk of its own" \
	bash -c "$(declare -f run); dir='$dir' arch='$arch'; run bench bench && grep -q '^bench: done' '$dir/bench.log'"
check "make run RUN_APPEND=ktest: the suite passes on a disk of its own" \
	bash -c "$(declare -f run); dir='$dir' arch='$arch'; run ktest ktest && ! grep -q '^not ok' '$dir/ktest.log' && grep -q '^# totals: pass' '$dir/ktest.log'"
check "make run: the demo finds the first run's records and appends its own" \
	bash -c "$(declare -f run); dir='$dir' arch='$arch'; run demo2 &&
		grep -q '^demo: /demo/runs.log holds 8 records from 1 earlier run, 0 damaged' '$dir/demo2.log' &&
		grep -q '^demo: run 2 appended 8 records' '$dir/demo2.log'"
check "the disk holds both demo runs' records (16 of 64 bytes)" \
	test "$(build/host/ordofs cat "$dir/disk.img" /demo/runs.log | wc -c)" -eq 1024
tap_end
