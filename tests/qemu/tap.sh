# tests/qemu/tap.sh - TAP output for the test scripts (sourced).
#
#   result OK|FAIL TEXT    one numbered "ok" / "not ok" line
#   check TEXT COMMAND...  ok if the command succeeds
#   tap_scratch DIR...     DIR's disk images (*.img) are scratch: tap_end
#                          removes them when every test passed
#   tap_end                the plan (at the end, as TAP allows); returns
#                          non-zero if anything failed
#
# A full `make test` boots hundreds of guests, most with a 64 MiB disk the
# KTAP suite fills; kept, their images came to 10 GiB and filled a CI
# machine's disk.  A failed script keeps its images to look at, and so does
# every script with ORDO_KEEP_IMAGES=1.
n=0 nfail=0
tap_scratch_dirs=()

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

tap_scratch() {
	tap_scratch_dirs+=("$@")
}

tap_end() {
	local d
	echo "1..$n"
	[ "$nfail" -eq 0 ] || return 1
	[ -z "${ORDO_KEEP_IMAGES:-}" ] || return 0
	for d in "${tap_scratch_dirs[@]}"; do
		rm -f "$d"/*.img
	done
}
