#!/bin/sh
# tools/bench/linux-init.sh - /init of the Linux guest of `make bench`
# (put in the initramfs by tools/bench/linux-guest.sh; busybox sh).
#
# Mounts proc, sys and devtmpfs, loads the modules listed in
# /lib/modules/load-order, waits for the virtio disk /dev/vda, sets its
# scheduler to none, runs the fio jobs one by one and powers off.
#
# Kernel command line (words of /proc/cmdline):
#   bench.jobs=a,b,c   the jobs to run, in that order (default: all, in the
#                      order below)
#   bench.n=N          I/Os per job (default 2000), so instruction counts
#                      compare with ordo's
#   bench.wrap=io|fio  what the markers enclose: io (default) = the job's
#                      I/O phase, from fio's exec_prerun to its exec_postrun
#                      (fio's start-up - loading ~60 shared objects - and
#                      its report stay outside); fio = the whole fio process
#   bench.backend=NAME what QEMU backs the disk with, if the caller says
#                      (null-co holds no data: the fs jobs are skipped)
#
# Disk layout (the disk must hold at least 768 MiB):
#   [0, 256 MiB)        ext4, made on the host (tools/bench/run-linux.sh);
#                       the fs jobs append to a file of their own there
#   [256 MiB, 768 MiB)  the raw jobs' region (fio offset=/size=), so they
#                       never touch the filesystem, in any job order
#
# Jobs (bs, iodepth; raw ones with direct=1; each does exactly N I/Os, by
# fio's io_size):
#   randread-qd1   4 KiB random reads, psync, 1
#   randread-qd32  4 KiB random reads, libaio, 32
#   randwrite-qd1  4 KiB random writes, psync, 1
#   seqread-qd16   128 KiB sequential reads, libaio, 16
#   seqwrite-qd16  128 KiB sequential writes, libaio, 16
#   write-flush    4 KiB sequential writes, psync, 1, fdatasync after each
#   fs-append-4k   4096-byte appends to one new file on ext4, fsync after each
#   fs-append-64   64-byte appends, likewise
#
# Output: one line per job, on the console,
#   BENCH side=linux job=NAME bs=BYTES qd=N ops=COMPLETED ns=ELAPSED
# (ops: fio's total_ios of the job's direction; ns: fio's runtime of the
# job, which fio keeps in ms, times 10^6), or
#   BENCH side=linux job=NAME skipped=REASON
#   BENCH side=linux job=NAME error=REASON
# and before them one line "bench-linux: kernel ..., disk ..." and after
# them "bench-linux: done".  A fatal problem prints
#   BENCH side=linux error=REASON
# Then poweroff -f (with QEMU's -no-reboot, QEMU exits).
PATH=/bin:/usr/bin
export PATH

all_jobs="randread-qd1,randread-qd32,randwrite-qd1,seqread-qd16,seqwrite-qd16,write-flush,fs-append-4k,fs-append-64"
mib=1048576
raw_offset=$((256 * mib))
raw_size=$((512 * mib))

halt() {
	sync
	poweroff -f
	sleep 10
	echo o >/proc/sysrq-trigger
}

fatal() {
	echo "BENCH side=linux error=$1"
	halt
}

setup() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	exec </dev/console >/dev/console 2>&1
	mkdir -p /dev/shm /tmp
	mount -t tmpfs tmpfs /dev/shm
}

read_cmdline() {
	jobs=$all_jobs
	n=2000
	wrap=io
	backend=
	read -r cmdline </proc/cmdline
	for w in $cmdline; do
		case "$w" in
		bench.jobs=*) jobs=${w#bench.jobs=} ;;
		bench.n=*) n=${w#bench.n=} ;;
		bench.wrap=*) wrap=${w#bench.wrap=} ;;
		bench.backend=*) backend=${w#bench.backend=} ;;
		esac
	done
	[ "$jobs" = all ] && jobs=$all_jobs
	case "$n" in '' | *[!0-9]* | 0) fatal "bad-bench.n=$n" ;; esac
	case "$wrap" in io | fio) ;; *) fatal "bad-bench.wrap=$wrap" ;; esac
}

load_modules() {
	while read -r m; do
		insmod "/lib/modules/$m.ko" || fatal "insmod-$m"
	done </lib/modules/load-order
}

find_disk() {
	i=0
	while [ ! -b /dev/vda ]; do
		i=$((i + 1))
		[ "$i" -le 100 ] || fatal "no-/dev/vda"
		usleep 100000
	done
	echo none >/sys/block/vda/queue/scheduler || fatal "scheduler-none"
	disk_bytes=$(($(cat /sys/block/vda/size) * 512))
	echo "bench-linux: kernel $(uname -r), /dev/vda $((disk_bytes / mib)) MiB," \
		"scheduler: $(cat /sys/block/vda/queue/scheduler), n=$n, wrap=$wrap"
}

# has_ext4: the disk starts with an ext4 (or ext2/3) superblock.
has_ext4() {
	[ "$(dd if=/dev/vda bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 53ef ]
}

# fs_ready: the filesystem is mounted on /mnt (once); else why not.
fs_ready() {
	[ -z "$fs_state" ] || { [ "$fs_state" = ok ] && return 0 || return 1; }
	if [ "$backend" = null-co ]; then
		fs_state=null-co-holds-no-data
	elif ! has_ext4; then
		fs_state=no-ext4-on-vda
	elif ! mount -t ext4 -o noinit_itable /dev/vda /mnt; then
		fs_state=ext4-mount-failed
	else
		fs_state=ok
		return 0
	fi
	return 1
}

# fio_result JSON DIR: "OPS RUNTIME_MS ERROR" of the job's direction DIR.
fio_result() {
	awk -v dir="\"$2\"" '
		$1 == "\"error\"" && err == "" { e = $3; sub(/,/, "", e); err = e }
		$2 == ":" && $3 == "{" { sec = $1 }
		sec == dir && $1 == "\"total_ios\"" && ops == "" { v = $3; sub(/,/, "", v); ops = v }
		sec == dir && $1 == "\"runtime\"" && ms == "" { v = $3; sub(/,/, "", v); ms = v }
		END { print (ops == "" ? "-" : ops), (ms == "" ? "-" : ms), (err == "" ? "-" : err) }
	' "$1"
}

# run_job NAME: run one job; print its BENCH line.
run_job() {
	name=$1
	common="--name=$name --thread --disk_util=0 --gtod_reduce=1 --randrepeat=1 --norandommap"
	case "$name" in
	randread-qd1) set -- raw read 4096 1 --rw=randread --ioengine=psync ;;
	randread-qd32) set -- raw read 4096 32 --rw=randread --ioengine=libaio ;;
	randwrite-qd1) set -- raw write 4096 1 --rw=randwrite --ioengine=psync ;;
	seqread-qd16) set -- raw read 131072 16 --rw=read --ioengine=libaio ;;
	seqwrite-qd16) set -- raw write 131072 16 --rw=write --ioengine=libaio ;;
	write-flush) set -- raw write 4096 1 --rw=write --ioengine=psync --fdatasync=1 ;;
	fs-append-4k) set -- fs write 4096 1 ;;
	fs-append-64) set -- fs write 64 1 ;;
	*)
		echo "BENCH side=linux job=$name error=unknown-job"
		return
		;;
	esac
	kind=$1 dir=$2 bs=$3 qd=$4
	shift 4
	if [ "$kind" = raw ]; then
		if [ "$disk_bytes" -lt $((raw_offset + raw_size)) ]; then
			echo "BENCH side=linux job=$name skipped=disk-under-768MiB"
			return
		fi
		set -- "$@" --filename=/dev/vda --direct=1 --offset=$raw_offset --size=$raw_size
	else
		if ! fs_ready; then
			echo "BENCH side=linux job=$name skipped=$fs_state"
			return
		fi
		rm -f "/mnt/$name.dat"
		sync
		set -- "$@" --filename="/mnt/$name.dat" --rw=write --ioengine=psync --fsync=1 \
			--file_append=1 --fallocate=none --size=$((n * bs))
	fi
	# shellcheck disable=SC2086 # $common is a list of options
	set -- $common "$@" --bs="$bs" --iodepth="$qd" --io_size=$((n * bs)) \
		--output-format=json --output="/tmp/$name.json"
	if [ "$wrap" = io ]; then
		fio "$@" --exec_prerun="/bin/marker start" --exec_postrun="/bin/marker stop" \
			>"/tmp/$name.out" 2>&1
		rc=$?
	else
		marker start
		fio "$@" >"/tmp/$name.out" 2>&1
		rc=$?
		marker stop
	fi
	[ "$kind" = fs ] && rm -f "/mnt/$name.dat" && sync
	fio_result "/tmp/$name.json" "$dir" >"/tmp/$name.result"
	read -r ops ms err <"/tmp/$name.result"
	if [ "$rc" -ne 0 ] || [ "$err" != 0 ] || [ "$ops" = - ] || [ "$ms" = - ]; then
		echo "BENCH side=linux job=$name error=fio-exit-$rc-error-$err"
		sed 's/^/bench-linux: fio: /' "/tmp/$name.out" | head -20
		return
	fi
	echo "BENCH side=linux job=$name bs=$bs qd=$qd ops=$ops ns=$((ms * 1000000))"
}

setup
read_cmdline
load_modules
find_disk
fs_state=
cd /tmp || fatal "no-/tmp"
for job in $(echo "$jobs" | tr ',' ' '); do
	run_job "$job"
done
[ "$fs_state" = ok ] && umount /mnt
echo "bench-linux: done"
halt
