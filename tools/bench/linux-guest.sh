#!/usr/bin/env bash
# tools/bench/linux-guest.sh - build (once) the Linux guest `make bench`
# compares ordo with: Debian's own kernel and an initramfs that runs fio.
#
# Usage: tools/bench/linux-guest.sh [--clean]
#
# Everything comes from Debian packages fetched by name with `apt-get
# download` (nothing is installed on the host, nothing else is downloaded):
#   linux-image-6.1.0-NN-amd64  whatever linux-image-amd64 depends on now:
#                               its bzImage, and the modules the guest needs
#                               (virtio_pci, virtio_blk, ext4, crc32c_generic
#                               and what they depend on, from the modules'
#                               own depends= since the package ships no
#                               modules.dep; built-in ones are skipped)
#   busybox-static              the guest's shell and tools (and, on the
#                               host, the cpio writer)
#   fio + its library closure   the Depends/Pre-Depends of fio followed
#                               through packages of Section libs; from them
#                               only the shared objects fio's ELF NEEDED
#                               entries (and theirs, honouring RUNPATH)
#                               reach, plus the dynamic loader
# and, built with the host's gcc, tools/bench/marker.c (static).  The
# guest's /init is tools/bench/linux-init.sh (what it runs, its kernel
# command line and its output are described there).
#
# Cache (under build/bench/linux/, or $BENCH_LINUX_DIR):
#   debs/          the .deb files as fetched; one present is never fetched again
#   kernel.pkg     the kernel package chosen on the first run; kept (so the
#                  guest does not change under the figures) until --clean
#   fio-pkgs.txt   fio and the library packages resolved for it
#   work/          scratch while building (packages unpacked with dpkg-deb
#                  -x, the initramfs tree); removed at the end
#   initrd.list    the initramfs' paths
#   stamp          what the outputs were built from (these scripts, marker.c,
#                  insn_marker.h, the package files); when it matches, the
#                  run just says "cached"
# Outputs (the same lines are kept in guest.env, to be sourced):
#   vmlinuz        the kernel, for -kernel
#   initrd.cpio.gz the initramfs (newc, gzip), for -initrd
#   marker         the static marker program (also in the initramfs)
# stdout gets exactly these shell-quotable lines (eval-able):
#   KERNEL=/abs/path/vmlinuz
#   INITRD=/abs/path/initrd.cpio.gz
#   KVER=6.1.0-NN-amd64
#   KPKG=linux-image-6.1.0-NN-amd64_VERSION
# and stderr says what was done ("cached" when nothing was).
#
# Exit status: 0 built or cached; 2 the Debian packages cannot be had (no
# apt, no mirror, no package lists even after apt-get update): the caller
# can still run ordo's side; 1 anything else.
#
# Boot it with tools/bench/run-linux.sh.
set -eu
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${BENCH_LINUX_DIR:-$top/build/bench/linux}
arch_triplet=x86_64-linux-gnu
work=""    # set by main
busybox="" # the static busybox, once unpacked
# The modules /init loads (their dependencies are added before them).
want_modules="virtio_pci virtio_blk crc32c_generic ext4"

msg() { echo "linux-guest: $*" >&2; }
die() {
	msg "error: $*"
	exit 1
}
unavailable() {
	msg "cannot get the Debian packages: $*"
	msg "the Linux side of make bench is unavailable (exit 2); ordo's side can still run"
	exit 2
}

# ---- fetching ------------------------------------------------------------
apt_updated=0

# apt_refresh: run apt-get update once (root only) so lists exist.
apt_refresh() {
	[ "$apt_updated" -eq 0 ] || return 1
	apt_updated=1
	[ "$(id -u)" -eq 0 ] || return 1
	msg "running apt-get update"
	apt-get update -qq >&2 || return 1
}

# deb_of PKG: the cached .deb of PKG, if any.
deb_of() {
	local f
	for f in "$out/debs/$1"_*.deb; do
		[ -e "$f" ] && echo "$f" && return 0
	done
	return 1
}

# fetch PKG...: download those not in debs/ yet.
fetch() {
	local p missing=()
	for p in "$@"; do
		deb_of "$p" >/dev/null || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	msg "apt-get download ${missing[*]}"
	rm -rf "$out/debs.part"
	mkdir -p "$out/debs.part" "$out/debs"
	until (cd "$out/debs.part" && apt-get download -q -o APT::Sandbox::User=root \
		"${missing[@]}" >/dev/null); do
		apt_refresh || unavailable "apt-get download ${missing[*]} failed"
	done
	mv "$out/debs.part"/*.deb "$out/debs/"
	rmdir "$out/debs.part"
}

# depends PKG...: the packages they Depend or Pre-Depend on (for a choice,
# apt-cache's last alternative; virtual packages are left out).
depends() {
	apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances "$@" 2>/dev/null |
		awk '/^  (Pre)?Depends: [^<]/ { print $2 }' | sort -u
}

# kernel_pkg: the package linux-image-amd64 depends on now.
kernel_pkg() {
	local p
	while :; do
		p=$(depends linux-image-amd64 | grep -m1 '^linux-image-[0-9]' || true)
		[ -n "$p" ] && echo "$p" && return 0
		apt_refresh || unavailable "apt-cache knows no linux-image-amd64"
	done
}

# lib_closure PKG: PKG and, recursively, what it depends on, followed only
# through packages of Section libs/oldlibs (python3, perl, dpkg ... are
# not needed to run a binary).  Breadth first, one apt-cache call of each
# kind per level: each call reads the whole package lists (about 1 s).
lib_closure() {
	local -A seen=([$1]=1)
	local level=("$1") next d
	echo "$1"
	while [ ${#level[@]} -gt 0 ]; do
		next=()
		for d in $(depends "${level[@]}"); do
			[ -n "${seen[$d]:-}" ] || next+=("$d")
		done
		level=()
		[ ${#next[@]} -gt 0 ] || break
		for d in $(apt-cache show --no-all-versions "${next[@]}" 2>/dev/null |
			awk '/^Package:/ { p = $2 } /^Section: (libs|oldlibs)$/ { print p }'); do
			[ -z "${seen[$d]:-}" ] || continue
			seen[$d]=1
			level+=("$d")
			echo "$d"
		done
		for d in "${next[@]}"; do seen[$d]=1; done
	done
}

# unpack PKG: dpkg-deb -x it into work/PKG (once a build); prints the
# directory.
unpack() {
	local deb dir=$work/$1
	if [ ! -e "$dir/.unpacked" ]; then
		deb=$(deb_of "$1") || die "no .deb for $1"
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

# ---- ELF closure ---------------------------------------------------------
# elf_needed FILE / elf_runpath FILE / elf_interp FILE
elf_needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }
elf_runpath() { readelf -d "$1" | sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]$/\2/p'; }
elf_interp() { readelf -l "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p'; }

# in_tree TREE PATH: PATH with its symbolic links followed inside TREE
# (the packages' links may be absolute: they mean the guest's /, not ours).
in_tree() {
	local tree=$1 p=$2 t hops=0
	while [ -L "$tree$p" ] && [ "$hops" -lt 10 ]; do
		hops=$((hops + 1))
		t=$(readlink "$tree$p")
		case "$t" in
		/*) p=$t ;;
		*) p=$(dirname "$p")/$t ;;
		esac
	done
	if [ -L "$tree$p" ] || [ ! -f "$tree$p" ]; then
		die "$2 does not resolve inside $tree"
	fi
	echo "$tree$p"
}

# queue_needed ELF DIR: queue (in copy_libs) the sonames ELF needs, with
# its RUNPATH ($ORIGIN read as DIR, ELF's directory in the guest).
queue_needed() {
	local n r
	r=$(elf_runpath "$1" | tr ':' ' ')
	r=${r//\$ORIGIN/$2}
	for n in $(elf_needed "$1"); do
		queue+=("$n|$r")
	done
}

# copy_libs ELF LIBTREE ROOT: copy into ROOT, at the paths the loader will
# look at, every shared object ELF needs (recursively) and the loader.
copy_libs() {
	local elf=$1 tree=$2 root=$3
	local -A have=()
	local queue=() item so rp dir found file interp unfound=""
	queue_needed "$elf" /usr/bin
	while [ ${#queue[@]} -gt 0 ]; do
		item=${queue[0]}
		queue=("${queue[@]:1}")
		so=${item%%|*}
		rp=${item#*|}
		[ -z "${have[$so]:-}" ] || continue
		have[$so]=1
		found=""
		for dir in $rp /lib/$arch_triplet /usr/lib/$arch_triplet /lib /usr/lib; do
			if [ -e "$tree$dir/$so" ] || [ -L "$tree$dir/$so" ]; then
				found=$dir
				break
			fi
		done
		if [ -z "$found" ]; then
			unfound="$unfound $so"
			continue
		fi
		file=$(in_tree "$tree" "$found/$so")
		mkdir -p "$root$found"
		cp "$file" "$root$found/$so"
		queue_needed "$file" "$found"
	done
	[ -z "$unfound" ] || die "fio needs$unfound, which no fetched package has"
	interp=$(elf_interp "$elf")
	[ -n "$interp" ] || die "$elf names no interpreter"
	file=$(in_tree "$tree" "$interp")
	mkdir -p "$root$(dirname "$interp")"
	cp "$file" "$root$interp"
}

# ---- kernel modules ------------------------------------------------------
declare -A ko_path=()
declare -A ko_builtin=()
ko_order=()

# ko_index MODDIR: learn where every module is and which are built in.
ko_index() {
	local f b
	while IFS= read -r f; do
		b=${f##*/}
		b=${b%%.ko*}
		ko_path[${b//-/_}]=$f
	done < <(find "$1/kernel" -name '*.ko*')
	while IFS= read -r f; do
		b=${f##*/}
		b=${b%%.ko*}
		ko_builtin[${b//-/_}]=1
	done <"$1/modules.builtin"
}

# ko_plain PATH OUT: the module, decompressed if it is shipped compressed.
ko_plain() {
	case "$1" in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz)
		if command -v xz >/dev/null; then
			xz -dc "$1" >"$2"
		else
			"$busybox" xz -dc "$1" >"$2"
		fi
		;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*) die "unknown module format: $1" ;;
	esac
}

# ko_depends PLAIN.ko: the modules it depends on (its .modinfo depends=).
ko_depends() {
	objcopy -O binary --only-section=.modinfo "$1" /dev/stdout |
		tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}

# ko_add NAME DEST: put NAME (after what it depends on) into DEST, once.
ko_add() {
	local name=$1 dest=$2 d
	[ -z "${ko_builtin[$name]:-}" ] || return 0
	[ ! -e "$dest/$name.ko" ] || return 0
	[ -n "${ko_path[$name]:-}" ] || die "the kernel has no module $name"
	ko_plain "${ko_path[$name]}" "$dest/$name.ko"
	for d in $(ko_depends "$dest/$name.ko"); do
		ko_add "$d" "$dest"
	done
	ko_order+=("$name")
}

# ---- the build -----------------------------------------------------------
# stamp_of: what the outputs depend on.
stamp_of() {
	(
		cd "$top"
		sha256sum tools/bench/linux-guest.sh tools/bench/linux-init.sh \
			tools/bench/marker.c arch/generic/insn_marker.h
		ls "$out/debs"
	) | sha256sum | cut -d' ' -f1
}

# emit: print the outputs for the caller (and keep them in guest.env).
emit() {
	{
		printf 'KERNEL=%q\n' "$out/vmlinuz"
		printf 'INITRD=%q\n' "$out/initrd.cpio.gz"
		printf 'KVER=%q\n' "$(cat "$out/kernel.release")"
		printf 'KPKG=%q\n' "$(basename "$(deb_of "$(cat "$out/kernel.pkg")")" .deb)"
	} >"$out/guest.env"
	cat "$out/guest.env"
}

# build_rootfs: the initramfs tree, in work/rootfs.
build_rootfs() {
	local root=$work/rootfs libs=$work/libs kdir kver a m p
	mkdir -p "$root"/{bin,usr/bin,lib/modules,dev,proc,sys,mnt,tmp,etc} "$libs"

	busybox=$(unpack busybox-static)/bin/busybox
	cp "$busybox" "$root/bin/busybox"
	for a in $("$busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done

	# fio, and the shared objects it loads from the library packages
	# unpacked together.
	cp "$(unpack fio)/usr/bin/fio" "$root/usr/bin/fio"
	while read -r p; do
		[ "$p" = fio ] || dpkg-deb -x "$(deb_of "$p")" "$libs"
	done <"$out/fio-pkgs.txt"
	copy_libs "$root/usr/bin/fio" "$libs" "$root"

	# The kernel's modules, in load order.
	kdir=$(unpack "$(cat "$out/kernel.pkg")")
	kver=$(cat "$out/kernel.release")
	ko_index "$kdir/lib/modules/$kver"
	for m in $want_modules; do
		ko_add "$m" "$root/lib/modules"
	done
	printf '%s\n' "${ko_order[@]}" >"$root/lib/modules/load-order"

	gcc -static -O2 -Wall -Wextra -Werror -I"$top" "$here/marker.c" -o "$out/marker"
	cp "$out/marker" "$root/bin/marker"
	install -m 755 "$here/linux-init.sh" "$root/init"

	# The libraries must be complete: where we may chroot, fio must start
	# in the tree exactly as it will in the guest.
	if [ "$(id -u)" -eq 0 ]; then
		chroot "$root" /usr/bin/fio --version >/dev/null ||
			die "fio does not start in the initramfs tree (chroot $root /usr/bin/fio)"
	fi
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort) >"$out/initrd.list"
	msg "initramfs: $(find "$root" -type f | wc -l) files, $(du -sh "$root" | cut -f1)" \
		"(modules: ${ko_order[*]})"
}

# write_initrd: work/rootfs as a gzip'd newc cpio.
write_initrd() {
	(cd "$work/rootfs" && "$busybox" cpio -o -H newc <"$out/initrd.list" 2>/dev/null) |
		gzip -6 >"$out/initrd.cpio.gz.part"
	mv "$out/initrd.cpio.gz.part" "$out/initrd.cpio.gz"
}

main() {
	local kpkg kdir t
	case "${1:-}" in
	"") ;;
	--clean)
		msg "removing $out"
		rm -rf "$out"
		;;
	*)
		echo "usage: $0 [--clean]" >&2
		exit 1
		;;
	esac
	for t in readelf objcopy gcc gzip dpkg-deb; do
		command -v "$t" >/dev/null || die "$t is needed on the host"
	done
	command -v apt-get >/dev/null || unavailable "no apt-get on this host"
	mkdir -p "$out"

	if [ -e "$out/stamp" ] && [ -e "$out/initrd.cpio.gz" ] && [ -e "$out/vmlinuz" ] &&
		[ "$(cat "$out/stamp")" = "$(stamp_of)" ]; then
		msg "cached ($out)"
		emit
		return 0
	fi

	# The kernel: the one chosen the first time, else today's.
	if [ ! -s "$out/kernel.pkg" ]; then
		kernel_pkg >"$out/kernel.pkg.part"
		mv "$out/kernel.pkg.part" "$out/kernel.pkg"
	fi
	kpkg=$(cat "$out/kernel.pkg")
	if [ ! -s "$out/fio-pkgs.txt" ]; then
		lib_closure fio >"$out/fio-pkgs.txt.part"
		grep -qx libc6 "$out/fio-pkgs.txt.part" ||
			unavailable "apt-cache cannot resolve fio's dependencies"
		mv "$out/fio-pkgs.txt.part" "$out/fio-pkgs.txt"
	fi
	# shellcheck disable=SC2046
	fetch "$kpkg" busybox-static $(cat "$out/fio-pkgs.txt")

	work=$out/work
	rm -rf "$work"
	mkdir -p "$work"
	kdir=$(unpack "$kpkg")
	set -- "$kdir"/boot/vmlinuz-*
	[ -e "$1" ] || die "$kpkg has no boot/vmlinuz-*"
	cp "$1" "$out/vmlinuz"
	basename "$1" | sed 's/^vmlinuz-//' >"$out/kernel.release"

	build_rootfs
	write_initrd
	rm -rf "$work"
	stamp_of >"$out/stamp"
	msg "built $out (cache $(du -sh "$out" | cut -f1))"
	emit
}

main "$@"
