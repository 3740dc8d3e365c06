# tests/qemu/acks.sh - read the "acked PATH size=BYTES crc32c=HEX" lines a
# stress run printed (sourced by kill-test.sh and foreign-disks.sh).
#
# The guest is killed from outside, so the last line of a log may be cut
# anywhere, even inside the digits ("acked /s size=2000 crc32c=ab").  Such
# a line was never wholly printed and proves nothing: only newline-
# terminated lines with all eight hex digits count.

# complete_acks LOG...: "PATH SIZE HEX" for every complete acked line.
complete_acks() {
	local f
	for f in "$@"; do
		# $(tail -c 1) is empty only when the file ends in a newline.
		if [ -n "$(tail -c 1 "$f")" ]; then head -n -1 "$f"; else cat "$f"; fi
	done | tr -d '\r' |
		sed -n 's/^acked \([^ ]*\) size=\([0-9]*\) crc32c=\([0-9a-f]\{8\}\)$/\1 \2 \3/p'
}

# last_acks LOG...: the last complete acked state of every path.
last_acks() {
	complete_acks "$@" | awk '{ last[$1] = $0 } END { for (p in last) print last[p] }'
}
