/*
 * kernel/libc/app.c - running the user's program (kernel/app.h): the
 * kernel's half, built with ordo's headers.  The C library's half
 * (crt.c, sys.c, ...) is built with the library's headers; the two meet
 * in glue.h and kernel/posix/vfs.h, which use only lib/types.h.
 *
 * Before main():
 *   - "/" is the filesystem the demo would use (kernel/disks.c: fs.disk=,
 *     else the first disk holding ordofs, else the first blank one,
 *     formatted); every other whole disk holding ordofs is mounted at
 *     "/vblkN", read-only if the disk is;
 *   - argv[0] is "app", argv[1..] the words after "--" on the command
 *     line.
 * After it, or on exit(): every mount is synced and unmounted (a failure
 * there is said and turns status 0 into 1), and the status is the
 * machine's.
 */
#include "kernel/app.h"

#include "arch/arch.h"
#include "kernel/cmdline.h"
#include "kernel/disks.h"
#include "kernel/libc/glue.h"
#include "kernel/libc/tls.h"
#include "kernel/posix/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/sched.h"
#include "lib/string.h"

#define APP_MAX_ARGS 64

static struct fs *app_fs[VFS_MAX_MOUNTS];
static struct blk *app_blk[VFS_MAX_MOUNTS];
static unsigned app_nfs;
static char app_argbuf[CMDLINE_MAX];

void app_early_init(void)
{
	tls_boot_init();
}

bool app_linked(void)
{
	return true;
}

static int app_mount(const char *at, struct fs *fs, struct blk *b)
{
	int err = vfs_mount(at, fs);

	if (err) {
		kprintf("app: cannot mount at %s: %s\n", at, errno_name(err));
		fs_unmount(fs);
		return err;
	}
	app_blk[app_nfs] = b;
	app_fs[app_nfs++] = fs;
	return 0;
}

/* Every whole disk but the root's that holds ordofs, at /vblkN. */
static void app_mount_others(const struct blk *root)
{
	for (unsigned i = 0; i < nkdisks && app_nfs < VFS_MAX_MOUNTS; i++) {
		struct blk *b = &kdisks[i].blk;
		struct fs_mount_opts mo = { 0 };
		struct disksig sig;
		struct fs *fs;
		char at[BLK_NAME_MAX + 1];
		int err;

		if (b == root || fs_disk_probe(b, &sig) != FS_DISK_OFS)
			continue;
		fs_cmdline_mount_opts(&mo);
		mo.read_only = blk_info(b)->read_only;
		mo.lock = vfs_lock();
		err = fs_mount(b, &mo, NULL, &fs);
		if (err) {
			kprintf("%s: holds ordofs but does not mount (%s): not mounted\n",
				blk_info(b)->name, errno_name(err));
			continue;
		}
		snprintf(at, sizeof(at), "/%s", blk_info(b)->name);
		if (!app_mount(at, fs, b))
			kprintf("%s: mounted at %s%s\n", blk_info(b)->name, at,
				mo.read_only ? " (read-only)" : "");
	}
}

/* Split the words after "--" into argv (no quoting: one word each). */
static int app_argv(char **argv)
{
	const char *args = cmdline_args();
	int argc = 0;
	char *p;

	argv[argc++] = "app";
	if (!args)
		return argc;
	memcpy(app_argbuf, args, strlen(args) + 1);
	for (p = app_argbuf; *p;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == APP_MAX_ARGS) {
			kprintf("app: more than %d arguments: the rest are dropped\n",
				APP_MAX_ARGS - 1);
			break;
		}
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv[argc] = NULL;
	return argc;
}

/*
 * What the disks have done so far: printed before main() and after it,
 * so the cost of the program's durability can be read off (the
 * fsyncbench benchmark, tools/bench/groupcommit.sh, does).
 */
static void app_disk_stats(const char *when)
{
	for (unsigned i = 0; i < app_nfs; i++) {
		const struct blk_stats *st = blk_stats(app_blk[i]);

		kprintf("app: %s: %s: %llu writes, %llu FLUSHes, %llu commits\n", when,
			blk_info(app_blk[i])->name, (unsigned long long)st->writes,
			(unsigned long long)st->flushes_sent,
			(unsigned long long)fs_jnl_stats(app_fs[i])->commits);
	}
}

int app_run(void)
{
	static char *argv[APP_MAX_ARGS + 1];
	struct fs_target t;
	struct fs *root;
	int argc;

	vfs_reset();
	if (!fs_mount_chosen(&t, vfs_lock(), &root) && !app_mount("/", root, t.blk))
		kprintf("%s: mounted at /\n", blk_info(t.blk)->name);
	else
		kprintf("app: no filesystem at /: files cannot be opened\n");
	app_mount_others(app_nfs ? t.blk : NULL);
	argc = app_argv(argv);
	sched_init(tls_boot_tp());
	app_disk_stats("before main");
	kprintf("app: running main() with %d argument(s)\n", argc - 1);
	glue_exit(libc_start_main(argc, argv));
}

/*
 * Sync and unmount every filesystem, in reverse mount order.  A program
 * that ends with status 0 but whose last changes could not be made
 * durable ends with 1: a lost write is never reported as success.
 */
__noreturn void glue_exit(int status)
{
	int failed = 0;

	/*
	 * Other threads may be inside a call, waiting for the disk: the
	 * filesystems are unmounted only once none is.
	 */
	mutex_lock(vfs_lock());
	app_disk_stats("at exit");

	while (app_nfs) {
		struct fs *fs = app_fs[--app_nfs];
		int err = fs_unmount(fs);

		if (err) {
			kprintf("app: unmounting a filesystem failed: %s\n", errno_name(err));
			failed = 1;
		}
	}
	if (failed && status == 0)
		status = 1;
	kprintf("ordo: exit status %d\n", status);
	arch_exit(status);
}

void glue_console_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		arch_console_putc(buf[i]);
}

u64 glue_time_ns(void)
{
	return arch_time_ns();
}
