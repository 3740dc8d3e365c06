#!/usr/bin/env bash
# tests/run-tests.sh - run host unit tests and/or the QEMU matrix, count
# results, and end with "N passed, N failed" (exit 0 only if none failed).
#
#   tests/run-tests.sh [--check SCRIPT] [--host BIN...] [--qemu ARCH]
#                      [--tap NAME "COMMAND ARGS"]
#
# Host tests are cmocka binaries: their "[  PASSED  ]" / "[  FAILED  ]"
# summaries are added up; a binary that dies without a summary is a failure.
# QEMU configurations come from tests/qemu/matrix.ARCH (QEMU_ONLY=REGEX:
# only the names it matches whole); each boot is checked
# for the probe lines it must print, then its KTAP output: a version line, a
# plan, as many results as planned, no "not ok", exit status 0, and no
# timeout.  Every KTAP case counts (SKIP counts as skipped), plus one check
# per boot for the probe lines and one for plan/exit/timeout.
#
# Every test's output is kept: a boot's in build/ARCH/test/NAME.log, the
# others' in $TEST_LOGS (build/test-logs).  The last lines name each test
# that failed, why, and its log, just above "N passed, N failed".  A boot's
# disk images and write logs are removed once it has passed, as the test
# scripts' are (tests/qemu/tap.sh); ORDO_KEEP_IMAGES=1 keeps them all.
set -u

passed=0 failed=0 skipped=0
BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}
HOST_TOOLS=${HOST_TOOLS:-build/host}
TEST_LOGS=${TEST_LOGS:-build/test-logs}
mkdir -p "$TEST_LOGS"

# Under `make -jN test` the tests' own make calls (print-qemu, make run)
# cannot reach the parent's jobserver and would each warn "jobserver
# unavailable": leave it out of what they inherit.
if [ -n "${MAKEFLAGS:-}" ]; then
	MAKEFLAGS=$(printf '%s' "$MAKEFLAGS" | sed 's/ *--jobserver-[a-z]*=[^ ]*//g')
	export MAKEFLAGS
fi

# The failed tests, in order, with their reasons and logs (one entry per
# test however many of its checks failed).
failed_tests=()
declare -A failed_why failed_log

trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	printf '%s' "${s%"${s##*[![:space:]]}"}"
}

# note_failure TEST WHY LOG: list TEST in the summary (the count is the
# caller's business); fail: the same, counting one failure.
note_failure() {
	if [ -z "${failed_why[$1]+set}" ]; then
		failed_tests+=("$1")
		failed_why[$1]=$2
		failed_log[$1]=$3
	else
		failed_why[$1]+="; $2"
	fi
}
fail() { failed=$((failed + 1)); note_failure "$@"; }

# log_name NAME: a file name for a test's log ("crash engine (ASan, quick)"
# -> build/test-logs/crash-engine-ASan-quick.log).
log_name() {
	local s=${1//[^A-Za-z0-9_.-]/-}
	while [[ $s == *--* ]]; do s=${s//--/-}; done
	s=${s#-}
	printf '%s/%s.log' "$TEST_LOGS" "${s%-}"
}

run_host() {
	local bin=$1 log out p f
	log=$(log_name "host $(basename "$bin")")
	"$bin" >"$log" 2>&1
	local rc=$?
	# Summed: a binary may run several groups (test_fs: both data modes).
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{ n += $1 } END { print n + 0 }')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{ n += $1 } END { print n + 0 }')
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or sanitizer report: no cmocka summary
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	printf 'host %-28s %3d passed, %d failed\n' "$(basename "$bin")" "$p" "$f"
	if [ "$f" -ne 0 ]; then
		note_failure "host $(basename "$bin")" "$f failed, exit $rc" "$log"
		sed -n '/FAILED\|ERROR\|runtime error\|Sanitizer\|arch_exit/p' "$log" | head -n 40
	fi
}

# check_probe LOG EXPECT: every vblk line carries the fields (vblkN:key=value:
# only that disk's line); the number of disks is disks=N.
check_probe() {
	local log=$1 expect=$2 want_disks=1 lines field n
	for field in $expect; do
		case $field in disks=*) want_disks=${field#disks=} ;; esac
	done
	lines=$(grep -E '^vblk[0-9]+: transport=' "$log" | tr -d '\r')
	n=$(printf '%s\n' "$lines" | grep -c '^vblk' || true)
	if [ "$n" -ne "$want_disks" ]; then
		echo "  expected $want_disks probe lines, found $n"
		return 1
	fi
	for field in $expect; do
		local sel=.
		case $field in
		disks=* | hostflushes=* | exit=* | console=*) continue ;;
		vblk*:*) sel="^${field%%:*}: " field=${field#*:} ;;
		esac
		if printf '%s\n' "$lines" | grep -- "$sel" | grep -qv -- " $field\( \|\$\)"; then
			echo "  a probe line lacks '$field':"
			printf '%s\n' "$lines" | sed 's/^/    /'
			return 1
		fi
	done
	return 0
}

# check_hostlog PREFIX LOG EXPECT: for "hostflushes=guest", the FLUSH
# entries in disk 0's blklogwrites log must equal the FLUSH commands the
# guest reports having put on the ring (it never sends one with nothing to
# cover, and the log omits only such empty flushes).
check_hostlog() {
	local prefix=$1 log=$2 expect=$3 guest stat host
	case " $expect " in *" hostflushes=guest "*) ;; *) return 0 ;; esac
	guest=$(sed -n 's/^# vblk0: totals .* flush_commands=\([0-9]*\).*/\1/p' "$log")
	stat=$("$HOST_TOOLS/logwrites-stat" "$prefix-d0.log") || { echo "  bad write log"; return 1; }
	host=$(echo "$stat" | sed -n 's/.* flushes=\([0-9]*\).*/\1/p')
	echo "  host write log: $stat; guest sent ${guest:-?} FLUSH commands"
	[ -n "$guest" ] && [ "$guest" -gt 0 ] && [ "$host" = "$guest" ]
}

# The kernel's exit status from QEMU's.  QEMU_EXIT=debug-exit (x86:
# isa-debug-exit, arch/x86_64/setup.c): QEMU exits with 2s + 1 for kernel
# status s, so an odd status decodes to s; an even one is QEMU's own
# (0: e.g. a triple fault under -no-reboot) and becomes 255, never 0.
# 124 (timeout) passes through.
decode_status() {
	local rc=$1
	if [ "${QEMU_EXIT:-}" = debug-exit ] && [ "$rc" -ne 124 ]; then
		if [ $((rc % 2)) -eq 1 ]; then rc=$(((rc - 1) / 2)); else rc=255; fi
	fi
	echo "$rc"
}

run_qemu_config() {
	local arch=$1 name=$2 expect=$3 append=$4 args=$5
	local dir="build/$arch/test" log rc start end i ok notok skip plan results
	mkdir -p "$dir"
	log="$dir/$name.log"
	for i in 0 1 2 3; do
		if [[ $args == *"@LOG$i@"* ]]; then
			# Disk i through blklogwrites: the host records every write
			# and FLUSH that reaches the image (QEMU's blklogwrites driver).
			rm -f "$dir/$name-d$i.img" "$dir/$name-d$i.log"
			truncate -s 64M "$dir/$name-d$i.img"
			: >"$dir/$name-d$i.log"
			args=${args//@LOG$i@/-blockdev driver=file,node-name=data$i,filename=$dir/$name-d$i.img,cache.no-flush=on -blockdev driver=file,node-name=wlog$i,filename=$dir/$name-d$i.log,cache.no-flush=on -blockdev driver=blklogwrites,node-name=lw$i,file=data$i,log=wlog$i,log-sector-size=512,log-super-update-interval=1}
		fi
		if [[ $args == *"@D$i@"* ]]; then
			rm -f "$dir/$name-d$i.img"
			truncate -s 64M "$dir/$name-d$i.img"
			args=${args//@D$i@/$dir/$name-d$i.img}
		fi
	done
	# A configuration that names its own machine (-M q35) replaces the
	# arch's default one (QEMU_MACHINE, from print-qemu).
	local machine_args=$QEMU_MACHINE_ARGS
	if [[ " $args" == *" -M "* || " $args" == *" -machine "* ]]; then
		machine_args=${QEMU_MACHINE_ARGS/"$QEMU_MACHINE"/}
	fi
	start=$(date +%s%N)
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$BOOT_TIMEOUT" $QEMU_SYSTEM $machine_args \
		-kernel "build/$arch/ordo.img" -append "${QEMU_APPEND:+$QEMU_APPEND }$append" $args </dev/null >"$log" 2>&1
	rc=$(decode_status $?)
	end=$(date +%s%N)
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"

	ok=$(grep -cE '^ok [0-9]+ ' "$log" | tr -d ' ')
	skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log" | tr -d ' ')
	notok=$(grep -cE '^not ok [0-9]+ ' "$log" | tr -d ' ')
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n1)
	results=$((ok + notok))
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + notok))
	[ "$notok" -eq 0 ] || note_failure "qemu $arch $name" "$notok KTAP case(s) not ok" "$log"

	# A configuration may expect a crash instead of a KTAP run:
	# "exit=N" (the status) and "console=WORD" (a word the report prints).
	local want_rc=0 want_text="" field
	for field in $expect; do
		case $field in
		exit=*) want_rc=${field#exit=} ;;
		console=*) want_text=${field#console=} ;;
		esac
	done
	local problems=()
	if [ "$want_rc" -eq 0 ]; then
		grep -q '^KTAP version 1$' "$log" || problems+=("no KTAP version line")
		[ -n "$plan" ] || problems+=("no plan")
		[ -n "$plan" ] && [ "$results" -ne "$plan" ] && problems+=("planned $plan, got $results results")
	fi
	[ -z "$want_text" ] || grep -q -- "$want_text" "$log" || problems+=("no '$want_text' on the console")
	[ "$rc" -eq 124 ] && problems+=("timed out after ${BOOT_TIMEOUT}s")
	[ "$rc" -ne "$want_rc" ] && [ "$rc" -ne 124 ] && problems+=("exit status $rc, expected $want_rc")
	if [ ${#problems[@]} -eq 0 ]; then
		passed=$((passed + 1))
	else
		local problem_list
		problem_list=$(printf '%s, ' "${problems[@]}")
		fail "qemu $arch $name" "${problem_list%, }" "$log"
	fi
	local probe_msg probe_ok=1
	if probe_msg=$(check_probe "$log" "$expect" && check_hostlog "$dir/$name" "$log" "$expect"); then
		passed=$((passed + 1))
		[ -z "$probe_msg" ] || echo "$probe_msg"
	else
		fail "qemu $arch $name" "probe lines" "$log"
		probe_ok=0
		echo "$probe_msg"
	fi
	printf 'qemu %-7s %-14s %3d ok, %d not ok, %2d skipped, exit %d, %d.%01d s%s\n' \
		"$arch" "$name" "$((ok - skip))" "$notok" "$skip" "$rc" \
		$(((end - start) / 1000000000)) $((((end - start) / 100000000) % 10)) \
		"$([ ${#problems[@]} -eq 0 ] && [ "$notok" -eq 0 ] && [ "$probe_ok" -eq 1 ] ||
			echo "   <- FAILED, see $log")"
	if [ "$notok" -ne 0 ] || [ ${#problems[@]} -ne 0 ]; then
		grep -E '^not ok|^# .*:[0-9]+:|PANIC|Exception|timed out' "$log" | head -n 20 | sed 's/^/    /'
	elif [ "$probe_ok" -eq 1 ] && [ -z "${ORDO_KEEP_IMAGES:-}" ]; then
		# Passed: its disks (64 MiB each, mostly written by the suite)
		# and write logs go; a failed configuration keeps them.
		rm -f "$dir/$name"-d[0-3].img "$dir/$name"-d[0-3].log
	fi
}

run_tap() { # run_tap NAME "COMMAND ARGS"
	local name=$1 cmd=$2 log ok notok skip plan rc start end
	log=$(log_name "$name")
	start=$(date +%s%N)
	# shellcheck disable=SC2086
	$cmd >"$log" 2>&1 </dev/null
	rc=$?
	end=$(date +%s%N)
	ok=$(grep -cE '^ok [0-9]+' "$log")
	skip=$(grep -cE '^ok [0-9]+.*# SKIP' "$log")
	notok=$(grep -cE '^not ok [0-9]+' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n1)
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + notok))
	[ "$notok" -eq 0 ] || note_failure "$name" "$notok not ok" "$log"
	if [ -z "$plan" ] || [ $((ok + notok)) -ne "$plan" ] || [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		fail "$name" "plan ${plan:-missing}, $((ok + notok)) results, exit $rc" "$log"
	fi
	printf '%-33s %3d ok, %d not ok, %2d skipped, exit %d, %d.%01d s\n' "$name" \
		"$((ok - skip))" "$notok" "$skip" "$rc" $(((end - start) / 1000000000)) \
		$((((end - start) / 100000000) % 10))
	# The figures and diagnostics it chose to print (not indented details).
	grep -E '^# [^ ]' "$log" | tail -n 30
	grep -E '^not ok' "$log" | head -n 20
}

run_qemu() {
	local arch=$1 matrix="tests/qemu/matrix.$1" name expect append args
	eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"
	while IFS='|' read -r name expect append args; do
		name=$(trim "$name")
		case $name in '' | \#*) continue ;; esac
		# QEMU_ONLY=REGEX: only the configurations it matches whole.
		if [ -n "${QEMU_ONLY:-}" ] && ! [[ $name =~ ^(${QEMU_ONLY})$ ]]; then
			continue
		fi
		expect=$(trim "$expect")
		append=$(trim "$append")
		run_qemu_config "$arch" "$name" "$expect" "$append" "$args"
	done <"$matrix"
}

while [ $# -gt 0 ]; do
	case $1 in
	--host)
		shift
		while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do
			run_host "$1"
			shift
		done
		;;
	--qemu)
		run_qemu "$2"
		shift 2
		;;
	--tap)
		# A program speaking TAP: its ok / not ok lines are counted, and
		# a missing or unmet plan or a non-zero exit is one more failure.
		run_tap "$2" "$3"
		shift 3
		;;
	--check)
		# A script that checks the tree: one test, passed if it exits 0.
		# Its output shows as it runs and is kept in its log too.
		log=$(log_name "$(basename "$2" .sh)")
		"$2" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		if [ "$rc" -eq 0 ]; then
			passed=$((passed + 1))
		else
			fail "check $2" "exit $rc" "$log"
		fi
		shift 2
		;;
	*)
		echo "usage: $0 [--check SCRIPT] [--host BIN...] [--qemu ARCH]" >&2
		exit 2
		;;
	esac
done

if [ ${#failed_tests[@]} -ne 0 ]; then
	echo
	echo "FAILED (${#failed_tests[@]}):"
	for t in "${failed_tests[@]}"; do
		printf '  %s: %s\n      log: %s\n' "$t" "${failed_why[$t]}" "${failed_log[$t]}"
	done
fi
if [ "$skipped" -ne 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
