#!/usr/bin/env bash
# tests/qemu/apps.sh ARCH - the example programs (apps/), as a user runs
# them, on the C library of ARCH's images (kernel/libc).
#
#   counter    the README's example, run twice: the count persists
#   kvlog      make run APP=apps/kvlog ARGS=...: puts, gets, deletes and a
#              compaction across boots on the run's own disk, which keeps
#              them; then a kill test: QEMU is killed (SIGKILL) in the
#              middle of "fill", and after each kill every put it printed
#              "acked" for must be there (three rounds), and the image
#              must pass fsck once recovered
#   ftree      make run APP=apps/ftree ARGS=...: every command, output
#              compared with what it must print
#   fsyncbench eight threads appending and fsyncing at once: every byte
#              there, and fewer commits than fsyncs (group commit)
#   posixtest  the POSIX conformance program, with a read-only ordofs disk
#              (EROFS) and a 2 MiB one it fills (ENOSPC); then rename
#              atomicity across kills: after each kill the renamed file
#              holds one complete version, never none, never a torn one,
#              and never older than the last rename reported done
#
# Prints TAP.  Exit 0 iff all ok.
set -u
arch=$1
dir="build/$arch/test/apps"
ordofs=build/host/ordofs
. "$(dirname "$0")/tap.sh"
tap_scratch "$dir"
eval "$(make -s --no-print-directory ARCH="$arch" print-qemu)"

rm -rf "$dir"
mkdir -p "$dir"

for app in counter kvlog ftree posixtest fsyncbench; do
	if ! make -s --no-print-directory ARCH="$arch" APP="apps/$app" >"$dir/build-$app.log" 2>&1; then
		echo "Bail out! make APP=apps/$app failed:"
		sed 's/^/# /' "$dir/build-$app.log" | tail -n 20
		exit 1
	fi
done

# ---- make run: kvlog and ftree ---------------------------------------------
run() { # run APP NAME ARGS...: make run, console in $dir/NAME.log
	local app=$1 name=$2
	shift 2
	make -s --no-print-directory ARCH="$arch" RUN_DIR="$dir" APP="apps/$app" ARGS="$*" run \
		</dev/null >"$dir/$name.log" 2>&1
	tr -d '\r' <"$dir/$name.log" >"$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name.log"
}
# has NAME TEXT...: every TEXT is a whole line of NAME's log.
has() {
	local name=$1 t
	shift
	for t in "$@"; do
		grep -qxF -- "$t" "$dir/$name.log" || {
			echo "# $name: no line '$t'"
			return 1
		}
	done
}
status() { grep -qx "ordo: exit status $2" "$dir/$1.log"; }

run counter c1 ordo
run counter c2 again
check "counter (the README's example): make run APP=apps/counter, twice, counts 1 then 2" \
	has c2 'hello, again: this disk has run me 2 times'
check "counter: the first run printed its greeting and exited 0" \
	bash -c "$(declare -f has status); dir='$dir'; has c1 'hello, ordo: this disk has run me 1 time' && status c1 0"

run kvlog kv1 put alpha 1 put beta 2 put gamma 3 get beta
check "kvlog: make run APP=apps/kvlog formats its disk, puts durably, gets" \
	bash -c "$(declare -f has status); dir='$dir'
		has kv1 'ok put alpha' 'ok put beta' 'ok put gamma' 'beta=2' && status kv1 0"
run kvlog kv2 put alpha 10 del gamma scan
check "kvlog: a second boot finds the first boot's keys (scan after put and del)" \
	has kv2 'ok put alpha' 'ok del gamma' 'alpha=10' 'beta=2' 'scan: 2 keys'
run kvlog kv3 get gamma
check "kvlog: a deleted key is not found, exit status 1" \
	bash -c "$(declare -f has status); dir='$dir'; has kv3 'kvlog: gamma: not found' && status kv3 1"
run kvlog kv4 compact count scan
check "kvlog: compact keeps the live keys only (rename over the log)" \
	has kv4 'count: 2 records, 2 live keys' 'alpha=10' 'beta=2' 'scan: 2 keys'
check "kvlog: the run's disk passes fsck" \
	bash -c "'$ordofs' fsck '$dir/app-kvlog-disk.img' >/dev/null"

run ftree ft1 mkdir -p /a/b/c + write /a/b/c/f.txt hello world + append /a/b/c/f.txt again \
	+ cp /a/b/c/f.txt /a/g.txt + cp -r /a/b /a/copy + mv /a/g.txt /a/h.txt + cat /a/h.txt \
	+ ls -l /a + tree /a + du /a/copy + stat /a/h.txt + rm -r /a/b + ls /a + df / \
	+ rm /a/missing
check "ftree: write, append, cp, mv, cat" has ft1 'hello world' 'again'
check "ftree: ls -l lists the directory sorted, with sizes" \
	bash -c "grep -A3 -x '' '$dir/ft1.log' >/dev/null; awk '/^d /||/^- /{print \$1, \$2, \$NF}' '$dir/ft1.log' |
		head -n 3 | tr '\n' ';' | grep -qx 'd [0-9]* b;d [0-9]* copy;- 18 h.txt;'"
check "ftree: tree and du walk the copied tree" \
	bash -c "grep -q '^[[:space:]]*f.txt (18 bytes)$' '$dir/ft1.log' && grep -q '/a/copy$' '$dir/ft1.log'"
check "ftree: rm -r removes the tree; ls shows what is left" \
	bash -c "grep -n -x -e copy -e h.txt '$dir/ft1.log' | tail -n 2 | cut -d: -f2 | tr '\n' ' ' | grep -qx 'copy h.txt '"
check "ftree: df reports the root filesystem" grep -q '^/: size 65536 KiB, used [0-9]* KiB' "$dir/ft1.log"
check "ftree: an error says what and why, and the status is 1" \
	bash -c "$(declare -f has status); dir='$dir'
		has ft1 \"ftree: cannot remove '/a/missing': No such file or directory\" && status ft1 1"

# Threads: eight append and fsync at once; every byte must be there and
# their fsyncs must share commits (group commit: fewer commits than
# fsyncs; not a rate, which the benchmark measures).
run fsyncbench fsb 8 25
before=$(sed -n 's/^app: before main: vblk0: .* \([0-9]*\) commits$/\1/p' "$dir/fsb.log")
after=$(sed -n 's/^app: at exit: vblk0: .* \([0-9]*\) commits$/\1/p' "$dir/fsb.log")
check "fsyncbench: 8 threads x 25 appends+fsyncs, every file complete" \
	bash -c "$(declare -f status); dir='$dir'; grep -q '^fsyncbench: 8 threads x 25 ops: 200 fsyncs' '$dir/fsb.log' && status fsb 0"
if [ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -le 150 ]; then
	result OK "fsyncbench: 200 concurrent fsyncs shared $((after - before)) commits"
else
	result FAIL "fsyncbench: 200 concurrent fsyncs took ${before:-?}..${after:-?} commits (group commit should share them)"
fi

# ---- QEMU directly: several disks, kills ---------------------------------
# disks IMG[,ro]...: -drive/-device arguments giving the first image vblk0,
# the next vblk1, ...  The virt boards (aarch64, riscv64) number their
# virtio-mmio slots from the top, so their images are listed in reverse.
disks() {
	local list=("$@") i spec img ro
	if [ "$arch" != x86_64 ]; then
		list=()
		for ((i = $# ; i > 0; i--)); do list+=("${!i}"); done
	fi
	for spec in "${list[@]}"; do
		img=${spec%,ro} ro=
		[ "$spec" != "$img" ] && ro=,readonly=on
		echo "-drive if=none,id=$(basename "$img" .img),file=$img,format=raw,cache=writeback$ro"
		echo "-device virtio-blk-device,drive=$(basename "$img" .img)"
	done
}
boot() { # boot NAME APP ARGS -- DISK...: console in $dir/NAME.log
	local name=$1 app=$2 args=$3
	shift 4
	# shellcheck disable=SC2046,SC2086
	$QEMU_SYSTEM $QEMU_MACHINE_ARGS -kernel "build/$arch/app-$app/ordo.img" \
		-append "${QEMU_APPEND:+$QEMU_APPEND }-- $args" $(disks "$@") </dev/null >"$dir/$name.log" 2>&1
	tr -d '\r' <"$dir/$name.log" >"$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name.log"
}
# boot_kill NAME APP ARGS PATTERN COUNT -- DISK...: boot in the background,
# kill QEMU once the log has COUNT complete lines matching PATTERN.
boot_kill() {
	local name=$1 app=$2 args=$3 pat=$4 want=$5 qemu
	shift 6
	: >"$dir/$name.log"
	# shellcheck disable=SC2046,SC2086
	$QEMU_SYSTEM $QEMU_MACHINE_ARGS -kernel "build/$arch/app-$app/ordo.img" \
		-append "${QEMU_APPEND:+$QEMU_APPEND }-- $args" $(disks "$@") </dev/null >"$dir/$name.log" 2>&1 &
	qemu=$!
	for _ in $(seq 1 600); do
		[ "$(complete_lines "$dir/$name.log" | grep -c "$pat")" -ge "$want" ] && break
		kill -0 "$qemu" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$qemu" 2>/dev/null
	wait "$qemu" 2>/dev/null
}
# The guest was killed mid-line: only newline-terminated lines count.
complete_lines() {
	if [ -n "$(tail -c 1 "$1")" ]; then head -n -1 "$1"; else cat "$1"; fi | tr -d '\r'
}

"$ordofs" mkfs "$dir/root.img" --size 64M >/dev/null
"$ordofs" mkfs "$dir/ro.img" --size 4M >/dev/null
echo "read-only disk" >"$dir/ro.txt"
"$ordofs" put "$dir/ro.img" "$dir/ro.txt" /hello.txt
"$ordofs" mkfs "$dir/full.img" --size 2M >/dev/null
ro_sum=$(md5sum <"$dir/ro.img")
boot posix posixtest "--ro /vblk1 --full /vblk2 /" -- "$dir/root.img" "$dir/ro.img,ro" "$dir/full.img"
check "posixtest: the disks are where the test expects them" \
	has posix 'vblk0: mounted at /' 'vblk1: mounted at /vblk1 (read-only)' 'vblk2: mounted at /vblk2'
summary=$(grep '^posixtest: ' "$dir/posix.log" | tail -n 1)
if grep -q '^posixtest: [0-9]* passed, 0 failed, 0 skipped$' <<<"$summary" &&
	grep -qx 'ordo: exit status 0' "$dir/posix.log"; then
	result OK "posixtest: every call and error case (${summary#posixtest: })"
else
	result FAIL "posixtest: ${summary:-no summary line}"
	grep -e '^not ok' -e '^ordo: exit' "$dir/posix.log" | head -n 20 | sed 's/^/# /'
fi
check "posixtest: the read-only disk is unchanged" test "$(md5sum <"$dir/ro.img")" = "$ro_sum"
check "posixtest: every disk passes fsck afterwards" \
	bash -c "'$ordofs' fsck '$dir/root.img' && '$ordofs' fsck '$dir/full.img' >/dev/null"

# A failed FLUSH reaches the program: every FLUSH fails (blkdebug), so
# kvlog's first fsync returns EIO and it never says "ok"; the kernel's
# final sync fails too, and says so.
"$ordofs" mkfs "$dir/flushfail.img" --size 16M >/dev/null
# shellcheck disable=SC2086
$QEMU_SYSTEM $QEMU_MACHINE_ARGS -kernel "build/$arch/app-kvlog/ordo.img" -append "${QEMU_APPEND:+$QEMU_APPEND }-- put a 1 put b 2" \
	-blockdev "driver=file,node-name=data0,filename=$dir/flushfail.img" \
	-blockdev "driver=blkdebug,node-name=dbg0,image=data0,inject-error.0.event=none,inject-error.0.iotype=flush,inject-error.0.errno=5" \
	-device virtio-blk-device,drive=dbg0 </dev/null 2>&1 | tr -d '\r' >"$dir/flushfail.log"
check "a failed FLUSH: kvlog's fsync fails with EIO, nothing is acknowledged, exit status 1" \
	bash -c "grep -qE '^kvlog: fsync .*: (Input/output|I/O) error' '$dir/flushfail.log' &&
		! grep -q '^ok put' '$dir/flushfail.log' && grep -qx 'ordo: exit status 1' '$dir/flushfail.log'"

# One implementation of each C library function: the kernel's string and
# printf code is not in a program's image.
check "the program's image links the C library's memcpy and printf only" \
	bash -c "! grep -qE 'lib/(string|printf)\.c\.o' 'build/$arch/app-kvlog/ordo.map' &&
		grep -qE 'lib(c|_a)[-_a-z0-9]*\.a\(.*memcpy' 'build/$arch/app-kvlog/ordo.map'"

# Rename atomicity across kills.
"$ordofs" mkfs "$dir/rename.img" --size 64M >/dev/null
last=0
for r in 1 2 3; do
	boot_kill "rename$r" posixtest "--rename-loop 1000000 /" '^renamed [0-9]*$' $((r * 10)) \
		-- "$dir/rename.img"
	acked=$(complete_lines "$dir/rename$r.log" | sed -n 's/^renamed \([0-9]*\)$/\1/p' | tail -n 1)
	boot "rcheck$r" posixtest "--rename-check /" -- "$dir/rename.img"
	got=$(sed -n 's/^rename-check: version \([0-9]*\) intact$/\1/p' "$dir/rcheck$r.log")
	if [ -n "$acked" ] && [ -n "$got" ] && [ "$got" -ge "$acked" ]; then
		result OK "rename across a kill, round $r: version $got intact (last reported $acked)"
	else
		result FAIL "rename across a kill, round $r: last reported ${acked:-none}, found ${got:-no intact version}"
		grep '^rename-check' "$dir/rcheck$r.log" | sed 's/^/# /'
	fi
done

# Every acknowledged put survives a kill.
"$ordofs" mkfs "$dir/kv.img" --size 64M >/dev/null
checks=""
for r in 1 2 3; do
	boot_kill "kvfill$r" kvlog "fill 1000000 r$r" '^acked r[0-9]*-[0-9]*$' $((r * 15)) -- "$dir/kv.img"
	acks=$(complete_lines "$dir/kvfill$r.log" | grep -c "^acked r$r-[0-9]*$")
	checks="$checks check $acks r$r"
	cp "$dir/kv.img" "$dir/kvcopy.img"
	boot "kvcheck$r" kvlog "${checks# }" -- "$dir/kvcopy.img"
	bad=$(grep '^check: ' "$dir/kvcheck$r.log" | grep -vc ' 0 missing$')
	if [ "$acks" -gt 0 ] && [ "$(grep -c '^check: ' "$dir/kvcheck$r.log")" -eq "$r" ] && [ "$bad" -eq 0 ] &&
		grep -qx 'ordo: exit status 0' "$dir/kvcheck$r.log"; then
		result OK "kvlog killed in round $r after $acks acknowledged puts: every acknowledged put of rounds 1..$r is there"
	else
		result FAIL "kvlog kill, round $r: $acks acknowledged; checks:"
		grep -e '^check: ' -e '^kvlog: ' "$dir/kvcheck$r.log" | sed 's/^/# /'
	fi
	"$ordofs" recover "$dir/kvcopy.img" >/dev/null 2>&1
	check "kvlog kill, round $r: the recovered image passes fsck" \
		bash -c "'$ordofs' fsck '$dir/kvcopy.img' >/dev/null"
done
tap_end
