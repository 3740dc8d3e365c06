#!/usr/bin/env bash
# tests/host/ordofs-tool.sh - the ordofs host tool: e2fsck's exit statuses
# (0 ok, 1 fixed by 'ordofs recover', 4 problems left, 8 operational
# error, 16 usage) and a message that says what was wrong for each bad
# input.  Prints TAP.  Exit 0 iff all ok.
set -u
ordofs=${ORDOFS:-build/host/ordofs}
dir=$(mktemp -d /tmp/ordofs-tool.XXXXXX)
trap 'rm -rf "$dir"' EXIT
n=0 nfail=0
# expect STATUS TEXT-ON-STDERR-OR-STDOUT DESCRIPTION -- ARGS...
expect() {
	local want=$1 text=$2 what=$3 rc
	shift 4
	"$ordofs" "$@" >"$dir/out" 2>&1
	rc=$?
	n=$((n + 1))
	if [ "$rc" -eq "$want" ] && grep -qF -- "$text" "$dir/out"; then
		echo "ok $n - $what: exit $rc"
	else
		echo "not ok $n - $what: exit $rc (want $want and '$text')"
		sed 's/^/# /' "$dir/out" | head -n 5
		nfail=$((nfail + 1))
	fi
}

truncate -s 16M "$dir/zero.img"
truncate -s 16M "$dir/ofs.img"
mkdir "$dir/a-dir"
expect 0 "16  usage or syntax error" "--help lists the exit statuses" -- --help
expect 16 "no command given" "no arguments" --
expect 16 "unknown command 'frob'" "an unknown command is named" -- frob "$dir/zero.img"
expect 16 "usage: ordofs cat IMG PATH" "wrong number of arguments" -- cat "$dir/zero.img"
expect 16 "unknown option '--sise'" "an unknown option is named" -- mkfs "$dir/zero.img" --sise 1M
expect 16 "--size: '64X' is not a size" "a bad --size is refused" -- mkfs "$dir/zero.img" --size 64X
expect 16 "--inodes needs a number" "a bad --inodes is refused" -- mkfs "$dir/zero.img" --inodes many
expect 16 "--force is for mkfs only" "--force outside mkfs" -- fsck "$dir/zero.img" --force
expect 16 "--data: 'both' is neither journal nor ordered" "a bad --data is refused" \
	-- put "$dir/zero.img" "$dir/a-dir" /x --data both
expect 16 "--data is for put only" "--data outside put" -- fsck "$dir/zero.img" --data journal
expect 8 "is a directory" "fsck of a directory" -- fsck "$dir/a-dir"
expect 8 "not an ordofs filesystem (it holds nothing: it is blank)" "fsck of a blank image" \
	-- fsck "$dir/zero.img"
expect 8 "No such file" "fsck of a missing image" -- fsck "$dir/missing.img"
expect 8 "no partition table, which has no partition 3" "IMG@3 without a table" \
	-- fsck "$dir/zero.img@3"
expect 0 "ordofs, 4096 blocks" "mkfs of a blank image" -- mkfs "$dir/ofs.img"
expect 8 "holds an ordofs filesystem: not formatting" "mkfs over ordofs without --force" \
	-- mkfs "$dir/ofs.img"
expect 0 "clean" "fsck of a fresh filesystem" -- fsck "$dir/ofs.img"
head -c 100000 /dev/urandom >"$dir/data"
n=$((n + 1))
if "$ordofs" put "$dir/ofs.img" "$dir/data" /j --data journal &&
	"$ordofs" put "$dir/ofs.img" "$dir/data" /o --data ordered &&
	"$ordofs" cat "$dir/ofs.img" /j >"$dir/j" && "$ordofs" cat "$dir/ofs.img" /o >"$dir/o" &&
	cmp -s "$dir/data" "$dir/j" && cmp -s "$dir/data" "$dir/o"; then
	echo "ok $n - put --data journal and --data ordered store the file"
else
	echo "not ok $n - put --data journal and --data ordered store the file"
	nfail=$((nfail + 1))
fi
expect 0 "clean" "fsck after both puts" -- fsck "$dir/ofs.img"
# Damage the bitmap (block bitmap_start, from the superblock at byte 56).
bstart=$(od -An -t u8 -j 56 -N 8 "$dir/ofs.img" | tr -d ' ')
printf '\377' | dd of="$dir/ofs.img" bs=1 seek=$((bstart * 4096 + 100)) conv=notrunc status=none
expect 4 "problem" "fsck of a damaged filesystem: problems left" -- fsck "$dir/ofs.img"
expect 0 "ordofs, 4096 blocks" "mkfs --force over it" -- mkfs --force "$dir/ofs.img"
# trim: a 4 MiB file replaced by a small one leaves its blocks free; trim
# punches holes there, so the sparse image shrinks (du) and stays clean.
truncate -s 16M "$dir/trim.img"
head -c $((4 << 20)) /dev/urandom >"$dir/big"
"$ordofs" mkfs "$dir/trim.img" >/dev/null && "$ordofs" put "$dir/trim.img" "$dir/big" /x >/dev/null &&
	"$ordofs" put "$dir/trim.img" "$dir/data" /x >/dev/null
before=$(du --block-size=1 "$dir/trim.img" | cut -f1)
expect 0 "free blocks discarded" "trim of an image" -- trim "$dir/trim.img"
after=$(du --block-size=1 "$dir/trim.img" | cut -f1)
n=$((n + 1))
if [ $((before - after)) -ge $((4 << 20)) ] && "$ordofs" cat "$dir/trim.img" /x | cmp -s - "$dir/data"; then
	echo "ok $n - trim: the image shrank from $before to $after bytes, /x intact"
else
	echo "not ok $n - trim: the image went from $before to $after bytes (or /x changed)"
	nfail=$((nfail + 1))
fi
expect 0 "clean" "fsck after trim" -- fsck "$dir/trim.img"
expect 8 "not an ordofs filesystem" "trim of a blank image" -- trim "$dir/zero.img"

echo "1..$n"
[ "$nfail" -eq 0 ]
