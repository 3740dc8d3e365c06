#!/bin/sh
# tools/bench/profile.sh ELF PROFILE [N] - instructions per function.
#
# PROFILE is what build/bench/insn_count.so writes with profile=FILE (one
# "vaddr instructions" line per translation block run between the
# markers).  Each block is charged to the function of ELF whose symbol is
# the closest at or below its address.  Prints the N (default 30) most
# expensive functions, with their share of the total, then the total.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 ELF PROFILE [N]" >&2; exit 2; }
elf=$1 prof=$2 top=${3:-30}
nm=nm
command -v "$nm" >/dev/null || { echo "$0: needs nm (binutils)" >&2; exit 2; }
"$nm" -n --defined-only "$elf" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }' |
	awk -v prof="$prof" -v top="$top" '
	function hex(s,   i, c, v) {
		v = 0
		s = tolower(s)
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1)) - 1
			v = v * 16 + c
		}
		return v
	}
	{ addr[n] = hex($1); name[n] = $2; n++ }
	END {
		while ((getline line < prof) > 0) {
			split(line, f, " ")
			a = hex(f[1]); c = f[2] + 0
			lo = 0; hi = n - 1; k = -1
			while (lo <= hi) {
				mid = int((lo + hi) / 2)
				if (addr[mid] <= a) { k = mid; lo = mid + 1 } else hi = mid - 1
			}
			fn = k < 0 ? "?" : name[k]
			sum[fn] += c; total += c
		}
		for (fn in sum)
			print sum[fn], fn
		print total, "total"
	}' | sort -rn | awk -v top="$top" '
	NR == 1 { total = $1; next }
	NR <= top + 1 { printf "%12d %5.1f%%  %s\n", $1, 100 * $1 / total, $2 }
	END { printf "%12d total\n", total }
'
