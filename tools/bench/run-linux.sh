#!/usr/bin/env bash
# tools/bench/run-linux.sh - boot the Linux bench guest once (QEMU, x86_64,
# q35, one vCPU, TCG or whatever the host gives) on one disk backend.
#
# Usage: tools/bench/run-linux.sh [-b BACKEND] [-j JOBS] [-n N] [-w io|fio]
#                                 [-d DISK] [-- EXTRA-QEMU-ARGS...]
#   -b BACKEND  what backs the guest's virtio-blk-pci disk (default null-co):
#                 null-co         -blockdev driver=null-co,size=1G: no data,
#                                 no host I/O (the fs jobs are skipped)
#                 file-writeback  DISK, raw, cache=writeback (host page cache)
#                 file-none       DISK, raw, cache=none,aio=threads (O_DIRECT)
#   -j JOBS     bench.jobs= for the guest: comma-separated names, or all
#               (default all; the names are in tools/bench/linux-init.sh)
#   -n N        bench.n=, I/Os per job (default 2000)
#   -w WRAP     bench.wrap=: io (default) or fio, what the markers enclose
#   -d DISK     the image file of the file backends (default
#               build/bench/linux/disk.img)
#   -- ...      passed to QEMU as they are, last (e.g. -plugin ...,-d plugin)
#
# Builds the guest first if need be (tools/bench/linux-guest.sh: cached after
# the first time).  For the file backends, DISK is made if it is missing or
# holds no ext4 at its start: a sparse 1 GiB file whose first 256 MiB are
# an ext4 made here with mkfs.ext4 (inode tables and journal written out,
# so the guest's ext4 has no lazy initialisation to do in the background
# of a measurement); the guest's raw jobs use [256 MiB, 768 MiB) only, so
# the filesystem survives every run and the file is reused.
#
# Output: the guest's console (serial, on stdout), in which the lines
#   BENCH side=linux job=NAME bs=BYTES qd=N ops=N ns=N
#   BENCH side=linux job=NAME skipped=REASON | error=REASON
# are the results (format: tools/bench/linux-init.sh).  Exit status: QEMU's
# (0 after the guest powers off); 2 if the guest cannot be built for want
# of Debian packages (as linux-guest.sh); 1 on a usage error.
#
# The command line it runs, for callers that build their own:
#   qemu-system-x86_64 -M q35 -smp 1 -m 512M -nographic -no-reboot -nic none
#     -kernel $KERNEL -initrd $INITRD
#     -append "console=ttyS0 quiet panic=-1 bench.jobs=.. bench.n=..
#              bench.wrap=.. bench.backend=BACKEND"
#     <backend's -blockdev or -drive, node/id d0>
#     -device virtio-blk-pci,drive=d0 EXTRA...
set -eu
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${BENCH_LINUX_DIR:-$top/build/bench/linux}
mib=1048576

usage() {
	sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 1
}

# has_ext4 FILE: an ext2/3/4 superblock magic at byte 1080.
has_ext4() {
	[ "$(od -An -tx1 -j1080 -N2 "$1" 2>/dev/null | tr -d ' \n')" = 53ef ]
}

# prepare_disk FILE: make the image the file backends use, unless it is fine.
prepare_disk() {
	local disk=$1
	if [ -f "$disk" ] && [ "$(stat -c %s "$disk")" -ge $((1024 * mib)) ] &&
		has_ext4 "$disk"; then
		return 0
	fi
	command -v mkfs.ext4 >/dev/null || PATH=$PATH:/sbin:/usr/sbin
	command -v mkfs.ext4 >/dev/null || {
		echo "run-linux: mkfs.ext4 is needed (apt-get install e2fsprogs)" >&2
		exit 1
	}
	mkdir -p "$(dirname "$disk")"
	rm -f "$disk"
	truncate -s 1G "$disk"
	mkfs.ext4 -q -F -L bench -T default -E lazy_itable_init=0,lazy_journal_init=0 "$disk" 256M
	echo "run-linux: made $disk (1 GiB; ext4 in its first 256 MiB)" >&2
}

main() {
	local backend=null-co jobs=all n=2000 wrap=io disk=$out/disk.img opt rc
	local drive=()
	while getopts b:j:n:w:d:h opt; do
		case "$opt" in
		b) backend=$OPTARG ;;
		j) jobs=$OPTARG ;;
		n) n=$OPTARG ;;
		w) wrap=$OPTARG ;;
		d) disk=$OPTARG ;;
		*) usage ;;
		esac
	done
	shift $((OPTIND - 1))
	[ "${1:-}" != -- ] || shift

	case "$backend" in
	null-co) drive=(-blockdev "driver=null-co,node-name=d0,size=$((1024 * mib))") ;;
	file-writeback | file-none)
		prepare_disk "$disk"
		case "$disk" in *,*) echo "run-linux: DISK may not hold a comma" >&2 && exit 1 ;; esac
		if [ "$backend" = file-writeback ]; then
			drive=(-drive "if=none,id=d0,file=$disk,format=raw,cache=writeback")
		else
			drive=(-drive "if=none,id=d0,file=$disk,format=raw,cache=none,aio=threads")
		fi
		;;
	*)
		echo "run-linux: unknown backend $backend (null-co, file-writeback, file-none)" >&2
		exit 1
		;;
	esac

	local KERNEL INITRD KVER KPKG env
	rc=0
	env=$("$here/linux-guest.sh") || rc=$?
	[ "$rc" -eq 0 ] || exit "$rc"
	eval "$env"
	echo "run-linux: Linux $KVER ($KPKG), backend $backend, jobs $jobs, n $n, wrap $wrap" >&2

	exec qemu-system-x86_64 -M q35 -smp 1 -m 512M -nographic -no-reboot -nic none \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 quiet panic=-1 bench.jobs=$jobs bench.n=$n bench.wrap=$wrap bench.backend=$backend" \
		"${drive[@]}" -device virtio-blk-pci,drive=d0 "$@"
}

main "$@"
