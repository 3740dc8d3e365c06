/*
 * kernel/demo.c - the filesystem at work, for people and for crash tests.
 *
 * demo (make run): mount ordofs where kernel/disks.c finds it (formatting
 * only a blank disk), say what recovery replayed, check what earlier runs left
 * (a journal of runs whose every record carries its own crc32c), append
 * this run's records durably, and print the commits, FLUSH commands and
 * doorbells they took.  Run it again: the data of every earlier run is still there.
 *
 * stress: mount the same way, then append records to a few
 * files forever; after every fsync that returned, print
 *   acked PATH size=BYTES crc32c=HEX
 * for the whole file at that moment.  Files only ever grow (a full file
 * is followed by a new one, /stress/sK-G with G counting up), so every
 * acknowledged prefix must survive any later crash; on a full disk the
 * workload stops.  tests/qemu/kill-test.sh stops QEMU
 * from outside in the middle of this and checks every acked line against
 * the recovered image.
 */
#include "arch/arch.h"
#include "kernel/disks.h"
#include "kernel/fs/fs.h"
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

#define DEMO_LOG "/demo/runs.log"
#define DEMO_RECORDS 8u
#define STRESS_STREAMS 3u
#define STRESS_MAX_FILE (256u << 10)

/* One record of the demo's log: self-checking, fixed size. */
struct demo_rec {
	le32 run;
	le32 index;
	le64 time_ns;
	char text[44];
	le32 crc; /* crc32c of the record with this field 0 */
};
_Static_assert(sizeof(struct demo_rec) == 64, "record size");

static u32 demo_rec_crc(struct demo_rec *r)
{
	le32 saved = r->crc;
	u32 c;

	r->crc = cpu_to_le32(0);
	c = crc32c(r, sizeof(*r));
	r->crc = saved;
	return c;
}

/* Check every record earlier runs appended; return the next run number. */
static int demo_check_log(struct fs *fs, u32 ino, u32 *next_run)
{
	struct fs_stat st;
	struct demo_rec r;
	u32 bad = 0, last = 0;
	int err = fs_fstat(fs, ino, &st);

	if (err)
		return err;
	for (u64 off = 0; off + sizeof(r) <= st.size; off += sizeof(r)) {
		if (fs_read(fs, ino, off, &r, sizeof(r)) != sizeof(r) ||
		    demo_rec_crc(&r) != le32_to_cpu(r.crc))
			bad++;
		else
			last = le32_to_cpu(r.run);
	}
	kprintf("demo: %s holds %llu records from %u earlier run%s, %u damaged\n", DEMO_LOG,
		(unsigned long long)(st.size / sizeof(r)), last, last == 1 ? "" : "s", bad);
	*next_run = last + 1;
	return bad ? -EUCLEAN : 0;
}

static int demo_append(struct fs *fs, u32 ino, u32 run)
{
	struct fs_stat st;
	int err = 0;

	for (u32 i = 0; i < DEMO_RECORDS && !err; i++) {
		struct demo_rec r = {
			.run = cpu_to_le32(run),
			.index = cpu_to_le32(i),
			.time_ns = cpu_to_le64(arch_time_ns()),
		};
		int n;

		snprintf(r.text, sizeof(r.text), "run %u record %u", run, i);
		r.crc = cpu_to_le32(demo_rec_crc(&r));
		err = fs_fstat(fs, ino, &st);
		if (err)
			break;
		n = fs_write(fs, ino, st.size, &r, sizeof(r));
		if (n != (int)sizeof(r))
			err = n < 0 ? n : -ENOSPC; /* fs_write stops short only when full */
		else
			err = fs_fsync(fs, ino); /* durable before we say so */
	}
	return err;
}

/* "N.NN", n / d to two places (0 if d is 0). */
static const char *demo_ratio(char *buf, size_t size, u64 n, u64 d)
{
	snprintf(buf, size, "%llu.%02llu", (unsigned long long)(d ? n / d : 0),
		 (unsigned long long)(d ? n * 100 / d % 100 : 0));
	return buf;
}

static void demo_figures(struct fs *fs, struct blk *b, u64 flush0, u64 kick0, u64 commit0)
{
	u64 commits = fs_jnl_stats(fs)->commits - commit0;
	u64 flushes = blk_stats(b)->flushes_sent - flush0;
	u64 kicks = blk_dev_stats(b)->kicks - kick0;
	char fpc[24], kpc[24];

	kprintf("demo: %u appends in %llu commits, %llu FLUSH commands: %s per commit "
		"(order=%s); %llu doorbells: %s per commit\n",
		DEMO_RECORDS, (unsigned long long)commits, (unsigned long long)flushes,
		demo_ratio(fpc, sizeof(fpc), flushes, commits), blk_order_name(b->order),
		(unsigned long long)kicks, demo_ratio(kpc, sizeof(kpc), kicks, commits));
}

int demo_run(void)
{
	struct fs_target t;
	struct fs *fs;
	u32 ino, run = 1;
	u64 flush0, kick0, commit0;
	int err;

	if (fs_mount_chosen(&t, NULL, &fs))
		return 1;
	err = fs_mkdir(fs, "/demo");
	if (err && err != -EEXIST)
		goto out;
	err = fs_create(fs, DEMO_LOG);
	if (err && err != -EEXIST)
		goto out;
	err = fs_open(fs, DEMO_LOG, &ino);
	if (!err)
		err = demo_check_log(fs, ino, &run);
	if (!err) {
		/* The figures cover the appends, each an fsync'ed commit. */
		flush0 = blk_stats(t.blk)->flushes_sent;
		kick0 = blk_dev_stats(t.blk)->kicks;
		commit0 = fs_jnl_stats(fs)->commits;
		err = demo_append(fs, ino, run);
	}
	if (!err) {
		kprintf("demo: run %u appended %u records, each fsync'ed: they survive a crash "
			"from here on\n",
			run, DEMO_RECORDS);
		demo_figures(fs, t.blk, flush0, kick0, commit0);
	}
out:
	if (err)
		kprintf("demo: failed on %s: %s%s\n", blk_info(t.blk)->name, errno_name(err),
			err == -ENOSPC ? " (the filesystem is full)" : "");
	err = fs_unmount(fs) ? -EIO : err;
	kprintf("demo: unmounted%s; run again to see the data survive\n",
		err ? " (with errors)" : "");
	return err ? 1 : 0;
}

/* Append one record to `path`, fsync, and print the acked line. */
static int stress_append(struct fs *fs, const char *path, u32 seq, u8 *buf)
{
	u32 ino, len = 100 + (seq * 37) % 3000, crc = 0;
	struct fs_stat st;
	int err = fs_open(fs, path, &ino);

	if (err == -ENOENT) {
		err = fs_create(fs, path);
		if (!err)
			err = fs_open(fs, path, &ino);
	}
	if (!err)
		err = fs_fstat(fs, ino, &st);
	if (err)
		return err;
	for (u32 i = 0; i < len; i++)
		buf[i] = (u8)(seq * 131 + i);
	if (!err) {
		int n = fs_write(fs, ino, st.size, buf, len);

		/* fs_write stops short only when the disk is full. */
		err = n == (int)len ? 0 : (n < 0 ? n : -ENOSPC);
	}
	if (!err)
		err = fs_fsync(fs, ino);
	/* The whole file as it now is, for the line the host checks. */
	for (u64 off = 0; !err && off < st.size + len;) {
		int n = fs_read(fs, ino, off, buf, 4096);

		if (n <= 0) {
			err = n ? n : -EIO;
			break;
		}
		crc = crc32c_update(crc, buf, (size_t)n);
		off += (u64)n;
	}
	if (!err)
		kprintf("acked %s size=%llu crc32c=%08x\n", path,
			(unsigned long long)(st.size + len), crc);
	return err;
}

int demo_stress(void)
{
	u8 *buf = kmalloc(4096);
	struct fs_target t;
	struct fs *fs;
	int err;

	if (!buf) {
		kprintf("stress: out of memory\n");
		return 1;
	}
	if (fs_mount_chosen(&t, NULL, &fs)) {
		kprintf("stress: no filesystem to write to\n");
		kfree(buf);
		return 1;
	}
	err = fs_mkdir(fs, "/stress");
	if (err == -EEXIST)
		err = 0;
	for (u32 seq = 0; !err; seq++) {
		char path[32];
		struct fs_stat st;

		/* The stream's first file that is not yet full. */
		for (u32 gen = 0;; gen++) {
			snprintf(path, sizeof(path), "/stress/s%u-%u", seq % STRESS_STREAMS, gen);
			if (fs_stat(fs, path, &st) || st.size < STRESS_MAX_FILE)
				break;
		}
		err = stress_append(fs, path, seq, buf);
	}
	kprintf("stress: stopped on %s: %s%s\n", blk_info(t.blk)->name, errno_name(err),
		err == -ENOSPC ? " (the filesystem is full)" : "");
	fs_unmount(fs);
	kfree(buf);
	return 1;
}
