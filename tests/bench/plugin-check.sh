#!/usr/bin/env bash
# tests/bench/plugin-check.sh [ARCH...] - the instruction-counting plugin
# (build/bench/insn_count.so) counts exactly.
#
# For each ARCH (default: aarch64 riscv64 x86_64) a bare guest
# (tests/bench/guest.c) runs marker pairs around work of a known
# instruction count under qemu-system-ARCH with the plugin, twice.  The
# counts must be the known ones (markers not counted, a loop of K
# iterations of two instructions = 2K, aarch64's svc and its handler = 4),
# identical in both runs, and count(2K) - count(K) must be 2K.  Also: every
# qemu_plugin_* function the plugin imports is exported by the QEMU binary;
# on aarch64, what QEMU passes in qemu_info_t reads back as expected
# (target, API 0..1, -smp 2,maxcpus=4), an unknown option is refused, and
# the lines written before QEMU is killed with SIGKILL are all in the file.
#
# Needs the cross compilers of the guests (aarch64-linux-gnu-gcc,
# riscv64-unknown-elf-gcc, a gcc that does -m32); an architecture without
# one is skipped.  K: PLUGIN_CHECK_K (default 1000).
#
# Prints TAP.  Exit 0 iff all ok.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/qemu/tap.sh
arches=${*:-aarch64 riscv64 x86_64}
K=${PLUGIN_CHECK_K:-1000}
TIMEOUT=${PLUGIN_CHECK_TIMEOUT:-60}
plugin=build/bench/insn_count.so
dir=build/bench/check

rm -rf "$dir"
mkdir -p "$dir"
check "plugin builds ($plugin)" make -s "$plugin"

skip() { echo "ok $((n + 1)) - $1 # SKIP $2"; n=$((n + 1)); }

# imports_exported QEMU: each qemu_plugin_* the plugin needs is in QEMU's
# dynamic symbol table (the API the plugin was declared against exists).
imports_exported() {
	local q want have missing
	q=$(command -v "$1") || return 1
	want=$(nm -D --undefined-only "$plugin" | awk '$2 ~ /^qemu_plugin_/ { print $2 }')
	have=$(nm -D --defined-only "$q" | awk '$3 ~ /^qemu_plugin_/ { print $3 }')
	missing=$(comm -23 <(sort <<<"$want") <(sort <<<"$have"))
	if [ -z "$want" ] || [ -n "$missing" ]; then
		echo "# missing in $1: $missing"
		return 1
	fi
}

# expected FILE: the counts guest.c's pairs must give on $arch.
expected() {
	printf 'insns=%s\n' 0 10 2 $((2 * K)) $((4 * K))
	[ "$arch" = aarch64 ] && echo insns=4
	echo "# pairs=$([ "$arch" = aarch64 ] && echo 6 || echo 5) unpaired_stops=1"
}

# run NAME [EXTRA-QEMU-ARGS...]: counts in $dir/$arch-NAME.out, QEMU's
# output in .log; returns 0 iff QEMU's exit status is $status.  $popts:
# more plugin options.
popts=
run() {
	local name=$1 rc
	shift
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$TIMEOUT" $qemu -kernel "$dir/$arch.elf" \
		-plugin "$plugin,out=$dir/$arch-$name.out$popts" "$@" </dev/null >"$dir/$arch-$name.log" 2>&1
	rc=$?
	[ "$rc" -eq "$status" ] || { echo "# $arch $name: QEMU exit status $rc, want $status"; return 1; }
}

# same A B: the same counts (the boot line's host time differs run to run).
same() {
	cmp -s <(grep -v '^boot ' "$1") <(grep -v '^boot ' "$2") ||
		{ diff <(grep -v '^boot ' "$1") <(grep -v '^boot ' "$2") | sed 's/^/# /'; return 1; }
}

# boot_same A B: both files start with a boot line; the counts agree within
# 1% (exactly, but for firmware that polls a timer: x86's SeaBIOS).
boot_same() {
	local a b
	a=$(sed -n '1s/^boot insns=\([0-9]*\) ns=[0-9]*$/\1/p' "$1")
	b=$(sed -n '1s/^boot insns=\([0-9]*\) ns=[0-9]*$/\1/p' "$2")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -gt 0 ] &&
		[ $((a > b ? a - b : b - a)) -le $((a / 100)) ] ||
		{ echo "# boot lines: '$(head -n1 "$1")' '$(head -n1 "$2")'"; return 1; }
}

# count FILE N: the Nth insns= line's number
count() { grep '^insns=' "$1" | sed -n "${2}s/^insns=//p"; }

linear() {
	local a b
	a=$(count "$1" 4) b=$(count "$1" 5)
	if [ -z "$a" ] || [ -z "$b" ] || [ $((b - a)) -ne $((2 * K)) ]; then
		echo "# count(2K) - count(K) = $b - $a, want $((2 * K))"
		return 1
	fi
}

# info_ok: verbose=on prints the qemu_info_t fields as the plugin reads them.
info_ok() {
	popts=,verbose=on run info -smp 2,maxcpus=4 || return 1
	grep -qx "insn_count: target=$arch api=0..1 system vcpus=2 max=4" "$dir/$arch-info.log" ||
		{ grep '^insn_count:' "$dir/$arch-info.log" | sed 's/^/# /'; return 1; }
}

# refused: install() returning non-zero stops QEMU before the guest runs.
refused() {
	local log="$dir/$arch-bogus.log"
	# shellcheck disable=SC2086
	if timeout -k 5 "$TIMEOUT" $qemu -kernel "$dir/$arch.elf" \
		-plugin "$plugin,out=/dev/null,bogus=1" </dev/null >"$log" 2>&1; then
		return 1
	fi
	grep -q "unknown option 'bogus=1'" "$log"
}

# killed: run the aarch64 guest without -semihosting, where its exiting hlt
# is undefined and the handler returns to it forever; SIGKILL QEMU once
# every pair has been reported.  Nothing reported may be missing.
killed() {
	local out="$dir/$arch-killed.out" pid i
	# shellcheck disable=SC2086
	${qemu/-semihosting/} -kernel "$dir/$arch.elf" -plugin "$plugin,out=$out" \
		</dev/null >"$dir/$arch-killed.log" 2>&1 &
	pid=$!
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		[ "$(grep -c '^insns=' "$out" 2>/dev/null)" = 6 ] && break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	expected | grep '^insns=' | same - "$out"
}

for arch in $arches; do
	case $arch in
	aarch64)
		cc="aarch64-linux-gnu-gcc -mgeneral-regs-only -mstrict-align" load=0x40080000
		qemu="qemu-system-aarch64 -M virt -cpu cortex-a53 -semihosting" status=0
		;;
	riscv64)
		cc="riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany"
		load=0x80000000 qemu="qemu-system-riscv64 -M virt -bios none" status=0
		;;
	x86_64)
		cc="${HOST_CC:-gcc} -m32" load=0x100000 status=1 # isa-debug-exit: (0 << 1) | 1
		qemu="qemu-system-x86_64 -M pc -device isa-debug-exit,iobase=0xf4,iosize=0x04"
		;;
	*)
		result FAIL "$arch: unknown architecture"
		continue
		;;
	esac
	qemu="$qemu -m 128M -nodefaults -display none -no-reboot"

	check "$arch: qemu-system-$arch exports every qemu_plugin_* function the plugin imports" \
		imports_exported "qemu-system-$arch"

	# shellcheck disable=SC2086
	if ! command -v ${cc%% *} >/dev/null; then
		skip "$arch: counts" "no ${cc%% *}"
		continue
	fi
	# shellcheck disable=SC2086
	check "$arch: guest builds (K=$K)" $cc -std=c11 -Wall -Wextra -Werror -O2 -ffreestanding \
		-nostdlib -static -no-pie -fno-pic -fno-asynchronous-unwind-tables \
		-fno-stack-protector -I. -DGUEST_K="$K" -Wl,--defsym=LOAD_ADDR="$load" \
		-Wl,-T,tests/bench/guest.ld -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
		-Wl,--no-warn-rwx-segments tests/bench/guest.c -o "$dir/$arch.elf"
	[ -f "$dir/$arch.elf" ] || continue

	expected >"$dir/$arch-expected.out"
	check "$arch: run 1 exits as the guest asks" run 1
	check "$arch: run 1 counts: $(grep '^insns=' "$dir/$arch-expected.out" | tr '\n' ' ')" \
		same "$dir/$arch-expected.out" "$dir/$arch-1.out"
	check "$arch: run 2 exits as the guest asks" run 2
	check "$arch: run 2 counts exactly what run 1 did" same "$dir/$arch-1.out" "$dir/$arch-2.out"
	check "$arch: a boot line first, counts within 1% in both runs" \
		boot_same "$dir/$arch-1.out" "$dir/$arch-2.out"
	check "$arch: count(2K) - count(K) = 2K = $((2 * K))" linear "$dir/$arch-1.out"

	[ "$arch" = aarch64 ] || continue
	check "$arch: qemu_info_t reads back: target, API 0..1, -smp 2,maxcpus=4" info_ok
	check "$arch: an unknown plugin option makes QEMU refuse to start" refused
	check "$arch: killed with SIGKILL, every reported count is in the file" killed
done
tap_end
