# tests/qemu/tap.sh - TAP output for the test scripts (sourced).
#
#   result OK|FAIL TEXT    one numbered "ok" / "not ok" line
#   check TEXT COMMAND...  ok if the command succeeds
#   tap_end                the plan (at the end, as TAP allows); returns
#                          non-zero if anything failed
n=0 nfail=0

result() {
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		nfail=$((nfail + 1))
	fi
}

check() {
	local text=$1
	shift
	if "$@"; then result OK "$text"; else result FAIL "$text"; fi
}

tap_end() {
	echo "1..$n"
	[ "$nfail" -eq 0 ]
}
