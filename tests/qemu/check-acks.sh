#!/usr/bin/env bash
# tests/qemu/check-acks.sh - the kill test must not cry wolf: a line the
# kill cut short (no newline, or fewer than 8 hex digits) is not an ack.
set -eu
. "$(dirname "$0")/acks.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf 'acked /a size=10 crc32c=0123abcd\r\nacked /b size=20 crc32c=89abcdef\nacked /b size=30 crc32c=ab\n' >"$t/1.log"
printf 'noise\nacked /a size=40 crc32c=00112233\nacked /a size=50 crc32c=44556677' >"$t/2.log"
got=$(complete_acks "$t/1.log" "$t/2.log" | tr '\n' ';')
want='/a 10 0123abcd;/b 20 89abcdef;/a 40 00112233;'
[ "$got" = "$want" ] || { echo "complete_acks: got '$got', want '$want'"; exit 1; }
got=$(last_acks "$t/1.log" "$t/2.log" | sort | tr '\n' ';')
want='/a 40 00112233;/b 20 89abcdef;'
[ "$got" = "$want" ] || { echo "last_acks: got '$got', want '$want'"; exit 1; }
