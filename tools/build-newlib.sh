#!/bin/sh
# tools/build-newlib.sh - build newlib for x86_64 ordo images, once.
#
# Usage: tools/build-newlib.sh OUTDIR
#
# Debian 12 has no freestanding C library for x86_64 (picolibc is packaged
# for aarch64 and riscv64 only), but it has newlib's source
# (newlib-source).  This script unpacks it, configures it for the bare
# target x86_64-elf with the host's own gcc (no cross compiler is needed:
# the code generation is the same, only the headers and the lack of
# system calls differ) and installs libc.a, libm.a and the headers to
# OUTDIR/install/x86_64-elf.  It takes about two minutes on two cores.
#
# The result is cached: OUTDIR/stamp holds the package version it was
# built from, and a second call with the same version does nothing.
#
# Configuration, and why:
#   -mno-red-zone -mcmodel=small -fno-pic: the library runs inside the
#       kernel, at its link address, where an interrupt may push on the
#       stack below %rsp;
#   -DMISSING_SYSCALL_NAMES: the reentrant layer calls read(), write(),
#       open() ... (the names picolibc uses too), which kernel/libc defines;
#   no supplied syscalls, retargetable locks (threads provide them), full
#       printf (nano-formatted-io prints "%lld" and "%zu" wrongly), global
#       atexit, no wide-character orientation.
# SSE stays on: newlib's stdio and libm return floating-point values in
# XMM registers, so the kernel enables SSE at boot (arch/x86_64/head.S).
set -eu

out=${1:?usage: tools/build-newlib.sh OUTDIR}
tarball=/usr/src/newlib/newlib-3.3.0.tar.xz
version=$(dpkg-query -W -f '${Version}' newlib-source 2>/dev/null || echo unknown)

if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$version" ] &&
	[ -f "$out/install/x86_64-elf/lib/libc.a" ]; then
	exit 0
fi
if [ ! -f "$tarball" ]; then
	echo "build-newlib: $tarball missing: install newlib-source (tools/deps.sh)" >&2
	exit 1
fi

echo "  NEWLIB  $out (newlib-source $version, about two minutes, once)"
rm -rf "$out"
mkdir -p "$out/obj"
out=$(cd "$out" && pwd)
tar -C "$out" -xJf "$tarball"
src=$(find "$out" -mindepth 2 -maxdepth 2 -name configure -path '*newlib*' | head -n 1)
src=$(dirname "$src")

gcc_inc=$(gcc -print-file-name=include)
cflags="-O2 -g -mno-red-zone -mcmodel=small -fno-pic -fno-pie -fcf-protection=none \
-fno-stack-protector -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections \
-DMISSING_SYSCALL_NAMES"
log="$out/build.log"

(
	cd "$out/obj"
	"$src/configure" --target=x86_64-elf --host=x86_64-linux-gnu \
		--build=x86_64-linux-gnu --prefix="$out/install" \
		CC_FOR_TARGET="gcc -nostdinc -isystem $gcc_inc" \
		AR_FOR_TARGET=ar AS_FOR_TARGET=as LD_FOR_TARGET=ld \
		NM_FOR_TARGET=nm RANLIB_FOR_TARGET=ranlib \
		OBJDUMP_FOR_TARGET=objdump STRIP_FOR_TARGET=strip \
		CFLAGS_FOR_TARGET="$cflags" \
		--disable-multilib --disable-newlib-supplied-syscalls \
		--enable-newlib-nano-malloc --enable-lite-exit \
		--enable-newlib-global-atexit --enable-newlib-io-long-long \
		--enable-newlib-io-c99-formats --enable-newlib-retargetable-locking \
		--disable-newlib-wide-orient --disable-nls
	make -j"$(nproc)" all-target-newlib
	make install-target-newlib
) >"$log" 2>&1 || {
	echo "build-newlib: failed; the last lines of $log:" >&2
	tail -n 30 "$log" >&2
	exit 1
}
# The source and object trees are 140 MB; only the install is used.
rm -rf "$out/obj" "$src"
echo "$version" >"$out/stamp"
