#!/usr/bin/env bash
# tests/fuzz/run.sh - build the libFuzzer targets and run each in turn for
# a while; prints TAP (one result per target) for tests/run-tests.sh.
#
#   tests/fuzz/run.sh [--seconds N] [TARGET...]
#
# N: seconds per target (default $FUZZ_SECONDS, else 60); TARGET: some of
# virtqueue virtqueue_packed fdt part fs vpci (default all).  Each target starts from its
# seeds in tests/fuzz/corpus/TARGET plus what earlier runs found
# (build/fuzz/corpus/TARGET, where new inputs go: the tree is not
# written).  A target fails on any crash, sanitizer report, leak, timeout
# (-timeout) or memory blow-up (-rss_limit_mb); its reproducer is then in
# build/fuzz/artifacts/TARGET/ and the first lines of the report are
# printed.  After each result a "#" line gives libFuzzer's final figures:
# executions, rate, coverage (cov: edges, ft: features), corpus size.
#
# Without clang or libFuzzer's runtime every target is skipped, saying so.
set -u
cd "$(dirname "$0")/../.." || exit 1

seconds=${FUZZ_SECONDS:-60}
all=(virtqueue virtqueue_packed fdt part fs vpci)
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--seconds)
		seconds=$2
		shift 2
		;;
	*)
		targets+=("$1")
		shift
		;;
	esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

# Longest input per target: the seeds' sizes, with room to grow.
declare -A max_len=([virtqueue]=4096 [virtqueue_packed]=4096 [fdt]=16384 [part]=65536 [fs]=65536 [vpci]=16896)

out=build/fuzz
mkdir -p "$out"
echo "1..${#targets[@]}"

# Can clang link a fuzzer with the sanitizers?  (clang alone is not enough:
# Debian ships libFuzzer's runtime in libclang-rt-14-dev.)
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
	'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return (int)(d && n > 9999); }' \
	>"$probe/probe.c"
if ! "${FUZZ_CC:-clang}" -fsanitize=fuzzer,address,undefined "$probe/probe.c" \
	-o "$probe/probe" >/dev/null 2>&1; then
	rm -rf "$probe"
	n=0
	for t in "${targets[@]}"; do
		n=$((n + 1))
		echo "ok $n fuzz $t # SKIP ${FUZZ_CC:-clang} cannot link libFuzzer (Debian: apt-get install clang libclang-rt-14-dev)"
	done
	exit 0
fi
rm -rf "$probe"

if ! make --no-print-directory fuzz-bins >"$out/build.log" 2>&1; then
	n=0
	for t in "${targets[@]}"; do
		n=$((n + 1))
		echo "not ok $n fuzz $t"
	done
	echo "# build failed ($out/build.log):"
	grep -E 'error|Error' "$out/build.log" | head -n 20 | sed 's/^/# /'
	exit 1
fi

n=0 total=0 bad=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	bin=$out/fuzz_$t log=$out/$t.log art=$out/artifacts/$t/ work=$out/corpus/$t
	if [ ! -x "$bin" ] || [ ! -d "tests/fuzz/corpus/$t" ]; then
		echo "not ok $n fuzz $t"
		echo "# $t: no such target (or no tests/fuzz/corpus/$t)"
		bad=$((bad + 1))
		continue
	fi
	mkdir -p "$art" "$work"
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len="${max_len[$t]:-65536}" -print_final_stats=1 -artifact_prefix="$art" \
		"$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 </dev/null
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	last=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
	total=$((total + ${execs:-0}))
	if [ "$rc" -eq 0 ] && ! grep -qE '^==[0-9]+==ERROR|^SUMMARY: |runtime error:' "$log"; then
		echo "ok $n fuzz $t"
	else
		echo "not ok $n fuzz $t"
		bad=$((bad + 1))
		echo "# $t: exit $rc; reproducer: $(ls -t "$art" 2>/dev/null | head -n1 | sed "s|^|$art|"); log: $log"
		grep -E '^==[0-9]+==|^SUMMARY|runtime error|^ *#[0-9]+ 0x|Test unit written' "$log" |
			head -n 16 | sed 's/^ *//; s/ (BuildId: [0-9a-f]*)//; s/^/# /'
	fi
	echo "# $t: ${execs:-?} executions (${rate:-?}/s) in ${seconds} s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
done
echo "# fuzz total: $total executions"
[ "$bad" -eq 0 ]
