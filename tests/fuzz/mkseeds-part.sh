#!/bin/sh
# tests/fuzz/mkseeds-part.sh - (re)make the seeds of the partition-table
# fuzz target (tests/fuzz/corpus/part) with the real tools: MBR with
# primaries, MBR with logical partitions, GPT, and three signatures
# lib/disksig.c knows (FAT, ext2, swap); 64 KiB each, fixed identifiers.
# (fuzz_part.c takes the block size from the first byte, 512 << (byte &
# 3): the fuzzer reaches the other sizes by itself.)  Needs fdisk
# (sfdisk), dosfstools, e2fsprogs and util-linux (mkswap).  Not run by
# make; the seeds are committed.
set -eu
cd "$(dirname "$0")/corpus/part"

blank() { rm -f "$1" && truncate -s 64K "$1"; }

blank mbr.img
printf 'label: dos\nlabel-id: 0x0fd0fd00\nstart=4, size=40, type=83\nstart=44, size=60, type=c, bootable\n' |
	sfdisk -q mbr.img

blank mbr-logical.img
printf 'label: dos\nlabel-id: 0x0fd0fd01\nstart=4, size=20, type=83\nstart=24, size=100, type=5\nstart=26, size=30, type=83\nstart=58, size=40, type=82\n' |
	sfdisk -q mbr-logical.img

blank gpt.img
printf '%s\n' 'label: gpt' 'label-id: 0F0F0F0F-0000-4000-8000-000000000001' 'first-lba: 34' \
	'start=34, size=30, name=root, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=0F0F0F0F-0000-4000-8000-000000000002' \
	'start=64, size=20, name=ordofs, type=E3782515-0DA5-48D2-8E3C-68E70F5247CA, uuid=0F0F0F0F-0000-4000-8000-000000000003' |
	sfdisk -q gpt.img

blank fat.img
mkfs.fat --invariant -i 0f0f0f0f -n FUZZ fat.img >/dev/null

blank ext2.img
E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext2 -b 1024 -N 16 -U 0f0f0f0f-0000-4000-8000-000000000004 \
	-E hash_seed=0f0f0f0f-0000-4000-8000-000000000005 ext2.img 64 >/dev/null

blank swap.img
mkswap -U 0f0f0f0f-0000-4000-8000-000000000006 swap.img >/dev/null 2>&1
