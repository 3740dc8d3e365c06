#!/bin/bash
# tools/bench/run.sh - `make bench`: ordo against a Linux guest on the same
# QEMU, jobs interleaved (ordo, Linux, ordo, Linux, ...), exact guest
# instruction counts from build/bench/insn_count.so, one table.
#
# Usage: tools/bench/run.sh [--reps N] [--n OPS] [--backends "null file-wb file-none"]
#                           [--jobs LIST] [--arch x86_64|aarch64] [--no-linux]
#   --reps      runs per side and back end (default 3; medians are quoted)
#   --n         operations per job (default 2000; the same on both sides)
#   --backends  null-co (QEMU's per-request cost only, FLUSH a no-op),
#               file-wt (cache=writethrough: the guest sees no volatile
#               write cache, so a durable write needs no FLUSH; the fs
#               jobs only), file-writeback (raw file, cache=writeback), file-none
#               (cache=none, aio=threads)
#   --jobs      comma list (default all; null-co never runs the fs jobs:
#               it keeps no data to mount)
#   --arch      aarch64 runs ordo alone (virt); the Linux guest is x86_64's
#   --transport pci (default) or mmio (aarch64 only: virtio-blk-device)
#   --cpu MODEL QEMU -cpu for both guests (default: max on x86_64, which has
#               SSE4.2's crc32 as any x86_64 server since 2008 does; the
#               port's own model on aarch64); "default" leaves QEMU's
#   --no-linux  ordo's side only
#   --device-opts OPTS  appended to the disk's -device (e.g. packed=on)
#   --append WORDS  more words for ordo's command line (e.g. vpci.msix=0 to
#               measure INTx against MSI-X; QEMU_APPEND from the environment
#               does not reach it: the port's print-qemu sets it)
#   --out DIR   where results go (default build/bench)
#   --report    no runs: the table, CSV and plot again from DIR/raw.csv
#
# Both sides boot the same QEMU command line but for -kernel/-initrd/-append:
# x86_64 q35, one vCPU, 512 MiB, one virtio-blk-pci disk.  Each job runs
# between instruction markers (arch/generic/insn_marker.h): the plugin
# writes one "insns=N" line per job, and the guest one BENCH line.
#
# Outputs (build/bench/, or --out): runs/ (console logs, plugin counts), raw.csv (one
# row per job and run), summary.csv and table.txt (medians, min-max, the
# ratio ordo/Linux), bench.png (gnuplot, when gnuplot is installed).
set -eu
cd "$(dirname "$0")/../.."

reps=3 n=2000 backends="null-co file-wt file-writeback file-none" jobs=all arch=x86_64 linux=1 out=build/bench transport=pci report=0 cpu= devopts= extra_append=
while [ $# -gt 0 ]; do
	case "$1" in
	--reps) reps=$2 && shift ;;
	--n) n=$2 && shift ;;
	--backends) backends=$2 && shift ;;
	--jobs) jobs=$2 && shift ;;
	--arch) arch=$2 && shift ;;
	--no-linux) linux=0 ;;
	--out) out=$2 && shift ;;
	--transport) transport=$2 && shift ;;
	--cpu) cpu=$2 && shift ;;
	--device-opts) devopts=,$2 && shift ;;
	--append) extra_append=$2 && shift ;;
	--report) report=1 ;;
	*) echo "usage: $0 [--reps N] [--n OPS] [--backends LIST] [--jobs LIST] [--arch A] [--transport T] [--cpu MODEL] [--no-linux] [--device-opts OPTS] [--append WORDS] [--out DIR] [--report]" >&2 && exit 2 ;;
	esac
	shift
done

runs=$out/runs
[ "$report" = 1 ] || rm -rf "$runs"
mkdir -p "$runs"
plugin=build/bench/insn_count.so
fs_jobs="fs-append-4k,fs-append-64"
all_jobs="randread-qd1,randread-qd32,randwrite-qd1,seqread-qd16,seqwrite-qd16,write-flush,$fs_jobs"
[ "$jobs" = all ] && jobs=$all_jobs

case "$arch" in
x86_64) machine="-M q35" ;;
aarch64)
	machine="-M virt"
	linux=0
	echo "bench: the Linux guest is x86_64 only (no arm64 Debian kernel is fetched): ordo's side alone"
	;;
*) echo "bench: no such architecture: $arch" >&2 && exit 2 ;;
esac
# The port's own QEMU line (as make run and the tests use it), one vCPU.
eval "$(make --no-print-directory -s print-qemu ARCH="$arch" QEMU_MACHINE="$machine" QEMU_MEM=512M)"
qemu="$QEMU_SYSTEM $QEMU_MACHINE_ARGS -smp 1"
[ -n "$cpu" ] || { [ "$arch" = x86_64 ] && cpu=max || cpu=default; }
[ "$cpu" = default ] || qemu="$qemu -cpu $cpu"
[ "$report" = 1 ] || echo "$cpu" >"$out/cpu"
case "$arch:$transport" in
*:pci) disk_dev=virtio-blk-pci ;;
aarch64:mmio) disk_dev="virtio-blk-device" qemu="$qemu -global virtio-mmio.force-legacy=false" ;;
*) echo "bench: no $transport transport on $arch" >&2 && exit 2 ;;
esac

# ---- build ---------------------------------------------------------------
[ "$report" = 1 ] && linux=0
[ "$report" = 1 ] || make --no-print-directory -s ARCH="$arch" all "$plugin"
ordo_img=build/$arch/ordo.img
if [ "$linux" = 1 ]; then
	if linux_env=$(tools/bench/linux-guest.sh); then
		eval "$linux_env" # KERNEL= INITRD= KVER= KPKG=
		LINUX_KERNEL=$KERNEL LINUX_INITRD=$INITRD
		echo "$KVER" >"$out/linux.kver"
		echo "bench: Linux guest: Debian $KPKG (in build/bench/linux)"
	else
		echo "bench: the Linux guest could not be built (see above): ordo's side alone"
		linux=0
	fi
fi

# ---- one run ---------------------------------------------------------------
backend_args() { # backend image -> QEMU disk arguments
	case "$1" in
	null-co) echo "-blockdev driver=null-co,node-name=d0,size=1073741824,read-zeroes=on" ;;
	file-writeback) echo "-drive if=none,id=d0,file=$2,format=raw,cache=writeback" ;;
	file-wt) echo "-drive if=none,id=d0,file=$2,format=raw,cache=writethrough" ;;
	file-none) echo "-drive if=none,id=d0,file=$2,format=raw,cache=none,aio=threads" ;;
	*) echo "bench: no such back end: $1" >&2 && exit 2 ;;
	esac
}

# Every run starts from the same image: 1 GiB, sparse, an ext4 in its first
# 256 MiB for the Linux guest's fs jobs (its raw jobs use 256-768 MiB; ordo
# formats what it needs itself).  Made once, copied per run.
template=$out/disk-template.img
if [ "$report" = 0 ] && [ ! -s "$template" ]; then
	command -v mkfs.ext4 >/dev/null || PATH=$PATH:/sbin:/usr/sbin
	truncate -s 1G "$template.tmp"
	mkfs.ext4 -q -F -L bench -T default -E lazy_itable_init=0,lazy_journal_init=0 \
		"$template.tmp" 256M
	mv "$template.tmp" "$template"
fi

# run_one SIDE BACKEND REP: boot, then append this run's rows to raw.csv.
run_one() {
	local side=$1 backend=$2 rep=$3 base="$runs/$2-$1-$3" j=$jobs kernel
	[ "$backend" = null-co ] && j=$(echo "$jobs" | tr , '\n' | grep -v '^fs-' | paste -sd, -)
	[ "$backend" = file-wt ] && j=$(echo "$jobs" | tr , '\n' | grep '^fs-' | paste -sd, -)
	[ -n "$j" ] || return 0
	rm -f "$base.img" "$base.insns"
	cp --sparse=always "$template" "$base.img"
	if [ "$side" = ordo ]; then
		kernel=(-kernel "$ordo_img" -append "${QEMU_APPEND:+$QEMU_APPEND }${extra_append:+$extra_append }bench bench.job=$j bench.n=$n bench.disk=vblk0")
	else
		kernel=(-kernel "$LINUX_KERNEL" -initrd "$LINUX_INITRD"
			-append "console=ttyS0 quiet panic=-1 bench.jobs=$j bench.n=$n bench.backend=$backend")
	fi
	# shellcheck disable=SC2046,SC2086
	timeout --foreground -k 5 1800 $qemu "${kernel[@]}" $(backend_args "$backend" "$base.img") \
		-device "$disk_dev,drive=d0$devopts" -plugin "$plugin,out=$base.insns" \
		</dev/null >"$base.log" 2>&1 || true
	tr -d '\r' <"$base.log" >"$base.tmp" && mv "$base.tmp" "$base.log"
	rm -f "$base.img"
	local nb ni
	nb=$(grep '^BENCH ' "$base.log" | grep -vc 'skipped=' || true)
	ni=$(grep -c '^insns=' "$base.insns" 2>/dev/null || true)
	if [ "$nb" != "$ni" ] || [ "$nb" = 0 ]; then
		echo "bench: $side/$backend run $rep: $nb jobs but ${ni:-0} instruction counts: see $base.log" >&2
		return 1
	fi
	grep '^BENCH ' "$base.log" | grep -v 'skipped=' |
		paste -d' ' - <(grep '^insns=' "$base.insns") |
		awk -v b="$backend" -v r="$rep" '
		{ delete f; for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		  printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", b, f["side"], r, f["job"], f["bs"],
			f["qd"], f["ops"], f["ns"], f["insns"], f["cmds"], f["flushes"], f["doorbells"] }' \
		>>"$out/raw.csv"
	# Boot: from QEMU's start to the first job (the plugin's boot line).
	sed -n 's/^boot insns=\([0-9]*\) ns=\([0-9]*\)$/\1 \2/p' "$base.insns" |
		awk -v b="$backend" -v r="$rep" -v s="$side" \
			'{ printf "%s,%s,%s,boot,,,1,%s,%s,,,\n", b, s, r, $2, $1 }' >>"$out/raw.csv"
	grep '^BENCH .*skipped=' "$base.log" | sed "s/^/bench: $backend run $rep: /" || true
}

t0=$(date +%s)
[ "$report" = 1 ] || echo "backend,side,rep,job,bs,qd,ops,ns,insns,cmds,flushes,doorbells" >"$out/raw.csv"
[ "$report" = 1 ] && backends=""
for backend in $backends; do
	for rep in $(seq 1 "$reps"); do
		for side in ordo linux; do
			[ "$side" = linux ] && [ "$linux" = 0 ] && continue
			echo "bench: $backend, run $rep of $reps: $side"
			run_one "$side" "$backend" "$rep" || true
		done
	done
done

# ---- summary: medians and ranges per back end, job and side ---------------
# One line per (backend, job, side, metric, value), sorted, then reduced.
tail -n +2 "$out/raw.csv" | awk -F, '
	$7 > 0 { k = $1 "," $4 "," $2
		 print k ",insns_per_op," $9 / $7
		 print k ",ops_per_s," $7 * 1e9 / $8
		 if ($10 != "") { print k ",cmds_per_op," $10 / $7; print k ",flushes_per_op," $11 / $7
				  print k ",doorbells_per_op," $12 / $7 } }' |
	sort -t, -k1,1 -k2,2 -k3,3 -k4,4 -k5,5g |
	awk -F, '
	function flush() { if (cnt) printf "%s,%s,%g,%g,%g,%d\n", key, metric, (cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2), v[1], v[cnt], cnt }
	{ k = $1 "," $2 "," $3; if (k != key || $4 != metric) { flush(); key = k; metric = $4; cnt = 0 }
	  v[++cnt] = $5 }
	END { flush() }' >"$out/summary.body"
{
	echo "backend,job,side,metric,median,min,max,runs"
	cat "$out/summary.body"
} >"$out/summary.csv"
rm -f "$out/summary.body"

# The table: instructions per operation and operations per second, with
# ordo/Linux ratios (instructions: lower is better; ops/s: higher is).
awk -F, -v q="$($QEMU_SYSTEM --version | head -n1)" -v host="$(uname -srm)" -v d="$(date -u +%Y-%m-%d)" \
	-v cpu="$(cat "$out/cpu" 2>/dev/null || echo default)" '
	NR > 1 { m[$1 "," $2 "," $3 "," $4] = $5; r[$1 "," $2 "," $3 "," $4] = $6 "-" $7
		 if (!seen[$1 "," $2]++) order[++n] = $1 "," $2 }
	END {
		printf "make bench, %s, %s, -cpu %s, host %s\n", d, q, cpu, host
		printf "%-14s %-14s %12s %12s %7s %12s %12s %7s %6s %6s %6s\n", "backend", "job",
			"ordo ins/op", "linux ins/op", "ratio", "ordo op/s", "linux op/s", "ratio",
			"cmd/op", "fl/op", "db/op"
		for (i = 1; i <= n; i++) {
			split(order[i], bj, ",")
			if (bj[2] == "boot") {
				boots[++nb] = order[i]
				continue
			}
			oi = m[order[i] ",ordo,insns_per_op"]; li = m[order[i] ",linux,insns_per_op"]
			oo = m[order[i] ",ordo,ops_per_s"]; lo = m[order[i] ",linux,ops_per_s"]
			printf "%-14s %-14s %12.0f %12s %7s %12.0f %12s %7s %6.2f %6.2f %6.2f\n",
				bj[1], bj[2], oi, li == "" ? "-" : sprintf("%.0f", li),
				li == "" ? "-" : sprintf("%.3f", oi / li), oo,
				lo == "" ? "-" : sprintf("%.0f", lo), lo == "" ? "-" : sprintf("%.2f", oo / lo),
				m[order[i] ",ordo,cmds_per_op"], m[order[i] ",ordo,flushes_per_op"],
				m[order[i] ",ordo,doorbells_per_op"]
		}
		for (i = 1; i <= nb; i++) {
			split(boots[i], bj, ",")
			oi = m[boots[i] ",ordo,insns_per_op"]; li = m[boots[i] ",linux,insns_per_op"]
			oo = m[boots[i] ",ordo,ops_per_s"]; lo = m[boots[i] ",linux,ops_per_s"]
			printf "%-14s boot, QEMU start to the first job: ordo %.1f M instructions, %.0f ms",
				bj[1], oi / 1e6, 1000 / oo
			if (li != "")
				printf "; Linux %.1f M instructions, %.0f ms", li / 1e6, 1000 / lo
			printf "\n"
		}
		print "(medians of each run; min-max and run counts in summary.csv; ins/op counted by"
		print " build/bench/insn_count.so between the guest'"'"'s markers; op/s is wall-clock, noisy)"
	}' "$out/summary.csv" | tee "$out/table.txt"

if command -v gnuplot >/dev/null 2>&1; then
	awk -F, 'NR > 1 && $4 == "insns_per_op" && $2 != "boot" { v[$1 " " $2, $3] = $5; if (!s[$1 " " $2]++) o[++n] = $1 " " $2 }
		END { for (i = 1; i <= n; i++) printf "\"%s\" %s %s\n", o[i], v[o[i], "ordo"],
			(v[o[i], "linux"] == "" ? "NaN" : v[o[i], "linux"]) }' "$out/summary.csv" >"$out/plot.dat"
	plot_linux=""
	if awk '$NF != "NaN" { found = 1 } END { exit !found }' "$out/plot.dat"; then
		plot_linux=", \"\" using 3 title \"Linux $(cat "$out/linux.kver" 2>/dev/null) (Debian, fio)\""
	fi
	gnuplot <<-EOF
		set terminal png size 1400,600
		set output "$out/bench.png"
		set title "Guest instructions per operation (median; lower is better)"
		set style data histograms
		set style histogram clustered gap 1
		set style fill solid 0.8 border -1
		set logscale y
		set ylabel "instructions / operation"
		set xtics rotate by -40 scale 0
		set bmargin 11
		set rmargin 10
		set key top left
		plot "$out/plot.dat" using 2:xtic(1) title "ordo"$plot_linux
	EOF
	echo "bench: plot in $out/bench.png"
else
	echo "bench: gnuplot not installed (tools/deps.sh bench installs gnuplot-nox): no plot"
fi
echo "bench: $(($(date +%s) - t0)) s of runs; raw.csv, summary.csv, table.txt in $out/"
