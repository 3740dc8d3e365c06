#!/bin/sh
# tools/deps.sh - install the Debian 12 packages the build and tests need.
#
# Usage: tools/deps.sh [build|app|run|test|bench] [ARCH...]   (default: aarch64)
# ("app": also the C library of make APP= images.)
# Checks for each tool first and installs only what is missing, so it costs
# nothing on a machine that has everything.  Needs root (or sudo) to install.
set -eu

want=${1:-test}
[ $# -gt 0 ] && shift
arches=${*:-aarch64}
missing=""

need() { # need COMMAND-OR-FILE PACKAGE
	case "$1" in
	/*) [ -e "$1" ] || missing="$missing $2" ;;
	*) command -v "$1" >/dev/null 2>&1 || missing="$missing $2" ;;
	esac
}

need make make
need gcc gcc
for arch in $arches; do
	case "$arch" in
	aarch64)
		need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
		need aarch64-linux-gnu-objcopy binutils-aarch64-linux-gnu
		[ "$want" = build ] || need qemu-system-aarch64 qemu-system-arm
		# The matrix boots U-Boot as secure firmware (uboot-secure), and
		# tests/qemu/uboot.sh boots ordo through it.
		if [ "$want" = test ]; then need /usr/lib/u-boot/qemu_arm64/u-boot.bin u-boot-qemu; fi
		if [ "$want" = test ] || [ "$want" = app ]; then
			need /usr/lib/picolibc/aarch64-linux-gnu/lib/release/libc.a picolibc-aarch64-linux-gnu
		fi
		;;
	riscv64)
		need riscv64-unknown-elf-gcc gcc-riscv64-unknown-elf
		need riscv64-unknown-elf-objcopy binutils-riscv64-unknown-elf
		# Its ld links the position-independent image (arch/riscv64/arch.mk).
		need /usr/riscv64-linux-gnu/bin/ld binutils-riscv64-linux-gnu
		[ "$want" = build ] || need qemu-system-riscv64 qemu-system-misc
		# tests/qemu/uboot.sh: OpenSBI starts U-Boot, U-Boot boots ordo.
		if [ "$want" = test ]; then need /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin u-boot-qemu; fi
		if [ "$want" = test ] || [ "$want" = app ]; then
			need /usr/lib/picolibc/riscv64-unknown-elf/lib/release/rv64imac/lp64/libc.a \
				picolibc-riscv64-unknown-elf
		fi
		;;
	x86_64)
		# The host's own gcc and binutils build it (x86_64 hosts only).
		need objcopy binutils
		[ "$want" = build ] || need qemu-system-x86_64 qemu-system-x86
		# newlib is built from its source (tools/build-newlib.sh).
		if [ "$want" = test ] || [ "$want" = app ]; then
			need /usr/src/newlib/newlib-3.3.0.tar.xz newlib-source
			need xz xz-utils
		fi
		;;
	*)
		echo "deps: unknown architecture $arch" >&2
		exit 2
		;;
	esac
done
case "$want" in
test)
	need /usr/include/cmocka.h libcmocka-dev
	need clang-format clang-format
	need timeout coreutils
	# Foreign images for tests/qemu/foreign-disks.sh: made by the real tools.
	need sfdisk fdisk
	need mke2fs e2fsprogs
	need mkswap util-linux
	need mkfs.fat dosfstools
	need genisoimage genisoimage
	need cryptsetup cryptsetup-bin
	# tests/qemu/uboot.sh: the boot disk (sfdisk above), its FAT file
	# system and boot.scr.
	need mformat mtools
	need mkimage u-boot-tools
	# tests/qemu/moved-dtb.sh: rewrites QEMU's device tree.
	need dtc device-tree-compiler
	# tests/fuzz/run.sh: libFuzzer targets.  clang only recommends
	# libclang-rt-14-dev, which holds libFuzzer's runtime.
	need clang clang
	for rt in /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a; do
		need "$rt" libclang-rt-14-dev
		break
	done
	;;
bench)
	# make bench: the plot; the Linux guest's packages are fetched, not
	# installed (tools/bench/linux-guest.sh), and its ext4 image is made here.
	need gnuplot gnuplot-nox
	need mke2fs e2fsprogs
	;;
esac

[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: not root and no sudo; please run: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
