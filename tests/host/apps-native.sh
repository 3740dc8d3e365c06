#!/bin/sh
# tests/host/apps-native.sh - the user programs in apps/ (kvlog, ftree,
# posixtest) built with the host compiler and run natively on Linux in a
# temporary directory: each command's exit status and exact output.
# Prints TAP like tests/host/ordofs-tool.sh.  Exit 0 iff all ok.
# Needs a POSIX sh, a C compiler ($CC, default gcc) and coreutils stat(1).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CC:-gcc}
dir=$(mktemp -d "${TMPDIR:-/tmp}/apps-native.XXXXXX")
trap 'rm -rf "$dir"' EXIT
n=0 nfail=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

notok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	nfail=$((nfail + 1))
}

# expect STATUS DESCRIPTION CMD...: CMD must exit with STATUS and print exactly
# the text on stdin (stdout and stderr together, in the order printed).
expect() {
	want=$1 what=$2
	shift 2
	cat >"$dir/want"
	rc=0
	"$@" >"$dir/out" 2>&1 || rc=$?
	if [ "$rc" -eq "$want" ] && cmp -s "$dir/want" "$dir/out"; then
		ok "$what: exit $rc"
	else
		notok "$what: exit $rc (want $want and the expected text)"
		diff "$dir/want" "$dir/out" | sed 's/^/# /' | head -n 10 || true
	fi
}

# check DESCRIPTION CMD...: CMD (a test) must succeed.
check() {
	what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		notok "$what"
	fi
}

# The bytes allocated to FILE (st_blocks * 512), its size and its inode.
alloc() { echo $(($(stat -c %b "$1") * 512)); }
size() { stat -c %s "$1"; }
ino() { stat -c %i "$1"; }

for app in kvlog ftree posixtest; do
	if $cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -pthread -o "$dir/$app" \
		"$top/apps/$app/$app.c" >"$dir/out" 2>&1; then
		ok "build $app with $cc -std=c11 -Wall -Wextra -Werror"
	else
		notok "build $app with $cc -std=c11 -Wall -Wextra -Werror"
		sed 's/^/# /' "$dir/out" | head -n 5
	fi
done

# --- posixtest ---------------------------------------------------------------
mkdir "$dir/pt"
rc=0
"$dir/posixtest" "$dir/pt" >"$dir/pt.out" 2>&1 || rc=$?
check "posixtest exits 0 (exit $rc)" [ "$rc" -eq 0 ]
check "posixtest: no 'not ok' line" sh -c "! grep -q '^not ok' '$dir/pt.out'"
grep '^not ok' "$dir/pt.out" | sed 's/^/# /' | head -n 10 || true
check "posixtest: the --ro and --full groups print skip lines" \
	[ "$(grep -c '^ok [0-9]* - .* # SKIP no --[a-z]* DIR given$' "$dir/pt.out")" -eq 2 ]
check "posixtest: the last line is the summary, 0 failed, 2 skipped" \
	sh -c "tail -n 1 '$dir/pt.out' | grep -qx 'posixtest: [0-9]* passed, 0 failed, 2 skipped'"
check "posixtest removes its work directory" [ -z "$(ls -A "$dir/pt")" ]
expect 0 "posixtest --rename-loop 3" "$dir/posixtest" --rename-loop 3 "$dir/pt" <<EOF
renamed 1
renamed 2
renamed 3
EOF
expect 0 "posixtest --rename-check: the last version is intact" \
	"$dir/posixtest" --rename-check "$dir/pt" <<EOF
rename-check: version 3 intact
EOF
# Kill a rename loop: rl.dat must be one whole version, at least the last one printed.
"$dir/posixtest" --rename-loop 1000000 "$dir/pt" >"$dir/renamed" 2>&1 &
pid=$!
sleep 1
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
last=$(tail -n 1 "$dir/renamed" | sed -n 's/^renamed \([0-9]*\)$/\1/p')
"$dir/posixtest" --rename-check "$dir/pt" >"$dir/out" 2>&1 || true
got=$(sed -n 's/^rename-check: version \([0-9]*\) intact$/\1/p' "$dir/out")
check "posixtest --rename-check after kill -9: version ${got:-none} intact, ${last:-none} printed" \
	test -n "$got" -a -n "$last" -a "${got:-0}" -ge "${last:-1}"
head -c 3000 "$dir/pt/rl.dat" >"$dir/pt/rl.tmp"
mv "$dir/pt/rl.tmp" "$dir/pt/rl.dat"
expect 1 "posixtest --rename-check: a torn version fails" \
	"$dir/posixtest" --rename-check "$dir/pt" <<EOF
rename-check: $dir/pt/rl.dat torn: 3000 bytes, not one complete version
EOF
rm "$dir/pt/rl.dat"
expect 1 "posixtest --rename-check: a missing file fails" \
	"$dir/posixtest" --rename-check "$dir/pt" <<EOF
rename-check: $dir/pt/rl.dat missing: No such file or directory
EOF

# --- kvlog -------------------------------------------------------------------
db=$dir/kv.db
kv() { "$dir/kvlog" -f "$db" "$@"; }
expect 0 "kvlog put, get" kv put a 1 put b 2 get a <<EOF
ok put a
ok put b
a=1
EOF
expect 1 "kvlog get of a missing key" kv get zz <<EOF
kvlog: zz: not found
EOF
expect 1 "kvlog del, then get goes on and fails" kv del a get a get b <<EOF
ok del a
kvlog: a: not found
b=2
EOF
expect 0 "kvlog scan sorts the live keys" kv put c 3 put b 22 scan <<EOF
ok put c
ok put b
b=22
c=3
scan: 2 keys
EOF
expect 0 "kvlog count" kv count <<EOF
count: 5 records, 2 live keys
EOF
i=0
while [ $i -lt 20 ]; do
	echo "acked f-$i"
	i=$((i + 1))
done >"$dir/fill.want"
expect 0 "kvlog fill 20 acks each put" kv fill 20 f <"$dir/fill.want"
expect 0 "kvlog check 20" kv check 20 f <<EOF
check: 20 present, 0 missing
EOF
expect 1 "kvlog check 21 names the first missing key" kv check 21 f <<EOF
kvlog: check: first missing f-20 (not found)
check: 20 present, 1 missing
EOF
# Records are 20 bytes + key + value: 110 bytes before fill, 620 for f-0..f-19.
expect 0 "kvlog compact" kv compact count get b <<EOF
ok compact: 25 records, 730 bytes -> 22 records, 665 bytes
count: 22 records, 22 live keys
b=22
EOF
check "kvlog compact wrote a 665-byte log" [ "$(size "$db")" -eq 665 ]
check "kvlog compact left no PATH.tmp" [ ! -e "$db.tmp" ]
expect 0 "kvlog check after compact" kv check 20 f <<EOF
check: 20 present, 0 missing
EOF
# A torn append: half a header, then zeros (a crash mid-append).
printf 'KVL1\003\005\000' >>"$db"
dd if=/dev/zero bs=1 count=50 status=none >>"$db"
expect 0 "kvlog discards a torn tail once" kv count <<EOF
kvlog: discarding 57 torn bytes at offset 665
count: 22 records, 22 live keys
EOF
check "kvlog cut the torn tail off the file" [ "$(size "$db")" -eq 665 ]
expect 0 "kvlog after the cut: no message, put works" kv put z 26 get z count <<EOF
ok put z
z=26
count: 23 records, 23 live keys
EOF
# Damage a byte inside the second record (offset 23 + 20): valid records follow.
cp "$db" "$dir/kv2.db"
printf 'X' | dd of="$dir/kv2.db" bs=1 seek=43 conv=notrunc status=none
cp "$dir/kv2.db" "$dir/kv2.orig"
expect 1 "kvlog refuses a corrupt record in the middle" "$dir/kvlog" -f "$dir/kv2.db" count <<EOF
kvlog: corrupt record at offset 23
EOF
check "kvlog leaves a corrupt log as it was" cmp -s "$dir/kv2.db" "$dir/kv2.orig"
# Kill a fill mid-way: every key it acknowledged must be there afterwards.
"$dir/kvlog" -f "$dir/kill.db" fill 1000000 k >"$dir/acked" 2>&1 &
pid=$!
sleep 1
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
acked=$(grep -c '^acked k-' "$dir/acked" || true)
expect 0 "kvlog after kill -9 of a fill: all $acked acked keys present" \
	sh -c "'$dir/kvlog' -f '$dir/kill.db' check $acked k 2>&1 | grep -v '^kvlog: discarding'" <<EOF
check: $acked present, 0 missing
EOF
long=$(printf '%0256d' 0)
expect 1 "kvlog rejects bad keys and values" kv put a=b x put "$long" x put k "x y" get z <<EOF
kvlog: bad key 'a=b': a key is 1 to 255 printable characters, no spaces or '='
kvlog: bad key '$long': a key is 1 to 255 printable characters, no spaces or '='
kvlog: bad value 'x y': a value is 0 to 255 printable characters, no spaces
z=26
EOF
expect 1 "kvlog: an unusable path is a call error" "$dir/kvlog" -f "$dir/no/kv.db" count <<EOF
kvlog: open $dir/no/kv.db: No such file or directory
EOF
expect 1 "kvlog: an unknown command" kv frob <<EOF
kvlog: unknown command 'frob'
usage: kvlog [-f PATH] COMMAND...
commands: put KEY VALUE | get KEY | del KEY | scan | fill N PREFIX |
          check N PREFIX | count | compact
EOF

# --- ftree -------------------------------------------------------------------
r=$dir/ft
mkdir "$r"
ft() { "$dir/ftree" "$@"; }
expect 0 "ftree mkdir -p, write, append, cat" ft mkdir -p "$r/a/b/c" + \
	write "$r/a/b/c/f.txt" hello world + append "$r/a/b/c/f.txt" again + cat "$r/a/b/c/f.txt" <<EOF
hello world
again
EOF
f=$r/a/b/c/f.txt
expect 0 "ftree ls, ls -l" ft ls "$r/a/b/c" + ls -l "$r/a/b" <<EOF
f.txt
$(printf 'd %10s %10s c' "$(size "$r/a/b/c")" "$(alloc "$r/a/b/c")")
EOF
expect 0 "ftree cp into a directory, cp -r, tree" ft cp "$f" "$r/a" + cp -r "$r/a" "$r/z" + \
	tree "$r/z" <<EOF
$r/z
  b/
    c/
      f.txt (18 bytes)
  f.txt (18 bytes)
2 directories, 2 files
EOF
check "ftree cp copied the bytes" cmp -s "$f" "$r/z/b/c/f.txt"
expect 0 "ftree mv, ls of two paths" ft mv "$r/z" "$r/y" + ls "$r" "$r/y" <<EOF
$r:
a
y
$r/y:
b
f.txt
EOF
expect 0 "ftree stat" ft stat "$r/a/f.txt" <<EOF
$r/a/f.txt: regular file, size 18, blocks $(stat -c %b "$r/a/f.txt") (alloc $(alloc "$r/a/f.txt")), inode $(ino "$r/a/f.txt"), links 1
EOF
du=$(find "$r/a" -exec stat -c %b {} + | awk '{ s += $1 } END { print s * 512 }')
expect 0 "ftree du sums st_blocks" ft du "$r/a" <<EOF
$du	$r/a
EOF
rc=0
ft df "$r" >"$dir/out" 2>&1 || rc=$?
kib=$(stat -f -c '%b %S' "$r" | awk '{ print int($1 * $2 / 1024) }')
check "ftree df: size, used, avail in KiB and inodes (exit $rc)" \
	grep -qx "$r: size $kib KiB, used [0-9]* KiB, avail [0-9]* KiB, inodes [0-9]*, ifree [0-9]*" \
	"$dir/out"
expect 1 "ftree rm of a directory and a missing name" ft rm "$r/a" "$r/nope" <<EOF
ftree: cannot remove '$r/a': Is a directory
ftree: cannot remove '$r/nope': No such file or directory
EOF
expect 0 "ftree rm -r, then ls" ft rm -r "$r/y" + ls "$r" <<EOF
a
EOF
expect 1 "ftree goes on after a failed command" ft cat "$r/nope" + write "$r/w" x y + cat "$r/w" <<EOF
ftree: cannot open '$r/nope': No such file or directory
x y
EOF
expect 1 "ftree mkdir errors; mkdir -p of an existing tree is fine" ft mkdir "$r/a" + \
	mkdir -p "$r/a/b" + mkdir -p "$r/w/x" <<EOF
ftree: cannot create directory '$r/a': File exists
ftree: cannot create directory '$r/w/x': Not a directory
EOF
expect 1 "ftree cp of a directory without -r, cp -r into itself" ft cp "$r/a" "$r/q" + \
	cp -r "$r/a" "$r/a/b" <<EOF
ftree: -r not specified; omitting directory '$r/a'
ftree: cannot copy a directory into itself: '$r/a/b/a'
EOF
expect 1 "ftree mv of a missing name" ft mv "$r/nope" "$r/x" <<EOF
ftree: cannot move '$r/nope' to '$r/x': No such file or directory
EOF
expect 0 "ftree write without words makes an empty file" ft write "$r/e" + ls -l "$r/e" <<EOF
$(printf -- '- %10s %10s %s' 0 0 "$r/e")
EOF
expect 1 "ftree: an unknown command" ft frob + ls "$r/a/b" <<EOF
ftree: unknown command 'frob'
c
EOF

echo "1..$n"
[ "$nfail" -eq 0 ]
