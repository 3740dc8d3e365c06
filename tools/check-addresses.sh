#!/bin/sh
# tools/check-addresses.sh - no fixed device address outside the ports'
# documented defaults (issue 14: "flashable to boards" means every device
# is found through the device tree or the firmware).
#
# The addresses looked for are those of the machines the tests boot
# (QEMU 7.2's memory maps: hw/arm/virt.c, hw/riscv/virt.c, hw/i386/pc_q35.c
# and microvm.c): a portable file that uses one has hard-wired a device.
#   1. lib/, drivers/, kernel/ and apps/ (code, not comments) must not
#      contain any of them, except the named constants listed below, which
#      are sizes or bounds that happen to share the value.
#   2. In arch/, each may appear in code only as the value of a #define
#      named *_DEFAULT or *_BASE, preceded by a comment: the port's default
#      for a machine description that lacks the device (or, for head.S's
#      early messages, the only console there is before any is read).
#      They are listed, so the log shows every default there is.
# Prints each violation; exits 1 if there is any.
set -u
cd "$(dirname "$0")/.." || exit 2

# Device windows of the test machines, as hex without leading zeros.
addrs="8000000 8010000 8020000 80a0000 9000000 9010000 9020000 9030000 9040000
a000000 c000000 10000000 3eff0000 3f000000 4010000000 8000000000
100000 101000 2000000 10001000 10100000 20000000 30000000 40000000 3000000
fee00000 fec00000 b0000000 feb00000"

# file:NAME of constants that share a value with a device window but are
# not addresses (a size, a bound, a step).
not_addresses="kernel/posix/vfs.c:VFS_IO_STEP drivers/pci/pci.c:PCI_MEM_FLOOR
drivers/pci/pci_priv.h:PCI_BRIDGE_MEM_ALIGN"

# Names in arch/ with such a value that are not addresses of a device:
# spin bounds, the first MiB of PC RAM, x86_64's load address (RAM).
arch_not_addresses="EL3_SPINS EARLY_UART_SPINS LOW_RAM_END KERNEL_BASE"

pattern=$(printf '%s\n' $addrs | sed 's/^/0x0*/; s/$/([uUlL]*)?\\b/' | paste -sd'|')
bad=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# code_of FILE: FILE with its C comments blanked, line numbers kept (a
# "/*" inside a string literal would fool it; there is none in this tree).
code_of() {
	awk '
	{
		line = $0; out = ""
		while (length(line) > 0) {
			if (incom) {
				e = index(line, "*/")
				if (e == 0) { line = ""; break }
				line = substr(line, e + 2); incom = 0
			} else {
				s = index(line, "/*"); c = index(line, "//")
				if (c > 0 && (s == 0 || c < s)) { out = out substr(line, 1, c - 1); line = ""; break }
				if (s == 0) { out = out line; line = ""; break }
				out = out substr(line, 1, s - 1); line = substr(line, s + 2); incom = 1
			}
		}
		print out
	}' "$1"
}

for f in $(git ls-files 'lib/*' 'drivers/*' 'kernel/*' 'apps/*' | grep -E '\.(c|h|S)$'); do
	code_of "$f" | grep -niE "$pattern" | while IFS= read -r hit; do
		ok=0
		for na in $not_addresses; do
			case $na in "$f":*)
				name=${na#*:}
				case $hit in *"$name"*) ok=1 ;; esac
				;;
			esac
		done
		[ "$ok" -eq 1 ] || echo "$f:$hit: a fixed device address in portable code"
	done
done >"$tmp"

defaults=0
for f in $(git ls-files 'arch/*' 'linker/*' | grep -E '\.(c|h|S|ld)$'); do
	code_of "$f" | grep -niE "$pattern" | while IFS= read -r hit; do
		n=${hit%%:*}
		ok=0
		for na in $arch_not_addresses; do
			case $hit in *"#define ${na} "* | *"${na} = "*) ok=1 ;; esac
		done
		[ "$ok" -eq 1 ] && continue
		raw=$(sed -n "${n}p" "$f")
		prev=$(sed -n "$((n - 1))p" "$f")
		case $hit in
		*"#define "*_DEFAULT* | *"#define "*_BASE*)
			# Documented: a comment on the line, or one ending just above.
			case $raw$prev in
			*'/*'* | *'*/'*) echo "default $f:$raw" ;;
			*) echo "$f:$hit: a default without a comment saying what it is" ;;
			esac
			;;
		*) echo "$f:$hit: a device address that is not a documented default" ;;
		esac
	done
done >>"$tmp"

grep '^default ' "$tmp" | sed 's/^default /addresses: default: /; s/[[:space:]]\{2,\}/ /g'
if grep -vq '^default ' "$tmp"; then
	grep -v '^default ' "$tmp" | sed 's/^/addresses: /'
	bad=1
fi
[ "$bad" -eq 0 ] && echo "addresses: ok (no fixed device address outside the ports' documented defaults)"
exit "$bad"
