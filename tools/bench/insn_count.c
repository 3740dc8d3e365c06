/*
 * tools/bench/insn_count.c - QEMU TCG plugin: count the guest instructions
 * executed between the markers of arch/generic/insn_marker.h.
 *
 *   qemu-system-ARCH ... -plugin build/bench/insn_count.so,out=FILE[,append=on][,verbose=on]
 *
 * Works on qemu-system-{aarch64,riscv64,x86_64} 7.2 and on the user-mode
 * qemu-{aarch64,riscv64,x86_64}; the target comes from qemu_info_t.  For
 * each START ... STOP pair the guest executes, in order, one line
 *
 *   insns=<count>
 *
 * is appended to FILE at the STOP, with write(2), so a killed QEMU loses
 * nothing already reported.  Before the first of them, at the first START,
 * one line says what boot cost, from the plugin's loading (QEMU's start)
 * to that marker:
 *
 *   boot insns=<count> ns=<host monotonic nanoseconds>
 *  FILE is truncated when the plugin loads
 * (append=on keeps it).  When QEMU exits normally a trailer follows:
 *
 *   # pairs=<n>[ unpaired_starts=<n>][ unpaired_stops=<n>][ open=1]
 *
 * (a START while a measurement runs restarts it: an unpaired start; a STOP
 * with none running is ignored: an unpaired stop; open=1 when QEMU exits
 * between a START and its STOP).  verbose=on prints what QEMU told the
 * plugin (target, API versions, mode, vCPUs) on stderr.
 *
 * profile=PFILE adds a profile of what ran inside the START ... STOP
 * windows: at exit, one line per translation block that ran there,
 *
 *   <guest vaddr of its first instruction, hex> <instructions>
 *
 * (a block's whole length is charged each time it is entered, so a block
 * left early by an exception is over-counted; the insns= lines stay
 * exact).  tools/bench/profile.sh turns it into a table per function.
 *
 * What is counted.  <count> is the number of guest instructions that began
 * executing after the START and before the STOP, on every vCPU: the
 * markers themselves are not counted (START; STOP gives insns=0).
 * Everything the vCPU runs in between is: exception and interrupt
 * handlers, firmware calls (OpenSBI, PSCI), the guest's own idle loops.
 * An instruction counts when it begins, so one that takes a synchronous
 * exception (svc, ecall, a page fault, an undefined instruction) counts,
 * and counts again if the handler returns to retry it.  A vCPU halted in
 * wfi/hlt executes nothing and adds nothing (the wfi itself counts once).
 *
 * How.  At translation time every instruction except a marker gets an
 * inline "add 1 to insns" (a few host instructions QEMU emits in front
 * of the guest instruction's code, no call); a marker gets only a callback,
 * which snapshots insns (START) or writes insns - snapshot (STOP).  Per
 * instruction, not per block: a block left early by an exception or
 * interrupt still counts exactly what ran, and marker and counter never
 * race inside one instruction (their relative order in QEMU's generated
 * code does not matter, as no instruction carries both).  The count thus
 * depends only on the instructions executed, never on timing; whether the
 * guest's own instruction stream depends on timing (polling loops, timer
 * interrupts arriving mid-window) is the guest's business.
 *
 * vCPUs.  One counter serves all vCPUs.  7.2's inline add is not atomic:
 * with one vCPU (the bench) the count is exact; with several vCPUs under
 * multi-threaded TCG increments can be lost; -accel tcg,thread=single
 * (round-robin on one thread) makes them exact again.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch/generic/insn_marker.h"
#include "tools/bench/qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MARKER_MAX 8

/* One target's marker encodings, as the bytes sit in guest memory. */
struct target_markers {
	const char *name; /* qemu_info_t.target_name */
	size_t len;
	unsigned char start[MARKER_MAX];
	unsigned char stop[MARKER_MAX];
};

/* A 32-bit instruction word in little-endian byte order. */
/* clang-format off */
#define LE32(w) { (w) & 0xff, ((w) >> 8) & 0xff, ((w) >> 16) & 0xff, ((w) >> 24) & 0xff }
/* clang-format on */

static const struct target_markers targets[] = {
	{ "x86_64", 7, INSN_MARKER_X86_64_START, INSN_MARKER_X86_64_STOP },
	{ "aarch64", 4, LE32(INSN_MARKER_AARCH64_START), LE32(INSN_MARKER_AARCH64_STOP) },
	{ "riscv64", 4, LE32(INSN_MARKER_RISCV64_START), LE32(INSN_MARKER_RISCV64_STOP) },
};

/* userdata of the marker callbacks */
enum marker { MARK_NONE, MARK_START, MARK_STOP };

static const struct target_markers *target;

/* Guest instructions executed so far, bumped by QEMU's inline adds. */
static uint64_t insns __attribute__((aligned(8)));

/* Measurement state; the marker callbacks may run on any vCPU thread. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int out_fd = -1;
static int running;
static uint64_t start_insns;
static uint64_t pairs, unpaired_starts, unpaired_stops;
static uint64_t loaded_ns; /* host monotonic clock when the plugin loaded */
static int booted;	   /* the first START was seen and reported */

/* profile=: one record per translated block, charged while running. */
struct tb_rec {
	uint64_t vaddr;
	uint64_t n_insns;
	uint64_t runs;
	struct tb_rec *next;
};

static const char *profile_path;
static struct tb_rec *tb_recs;

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Caller holds lock.  After on_exit_qemu() a vCPU still running writes nothing. */
static void write_all(const char *buf, size_t len)
{
	while (out_fd >= 0 && len > 0) {
		ssize_t n = write(out_fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "insn_count: write: %s\n", strerror(errno));
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void on_marker(unsigned int vcpu_index, void *userdata)
{
	enum marker which = (enum marker)(uintptr_t)userdata;
	uint64_t now = insns;
	char line[80];
	int len;

	(void)vcpu_index;
	pthread_mutex_lock(&lock);
	if (which == MARK_START) {
		if (!booted) {
			booted = 1;
			len = snprintf(line, sizeof(line),
				       "boot insns=%" PRIu64 " ns=%" PRIu64 "\n", now,
				       monotonic_ns() - loaded_ns);
			write_all(line, (size_t)len);
		}
		if (running)
			unpaired_starts++;
		running = 1;
		start_insns = now;
	} else if (!running) {
		unpaired_stops++;
	} else {
		running = 0;
		pairs++;
		len = snprintf(line, sizeof(line), "insns=%" PRIu64 "\n", now - start_insns);
		write_all(line, (size_t)len);
	}
	pthread_mutex_unlock(&lock);
}

static enum marker marker_of(const struct qemu_plugin_insn *insn)
{
	size_t size = qemu_plugin_insn_size(insn);
	const void *data = qemu_plugin_insn_data(insn);

	if (size != target->len)
		return MARK_NONE;
	if (!memcmp(data, target->start, size))
		return MARK_START;
	if (!memcmp(data, target->stop, size))
		return MARK_STOP;
	return MARK_NONE;
}

static void on_tb_exec(unsigned int vcpu_index, void *userdata)
{
	struct tb_rec *r = userdata;

	(void)vcpu_index;
	if (running)
		__atomic_fetch_add(&r->runs, 1, __ATOMIC_RELAXED);
}

static void profile_tb(struct qemu_plugin_tb *tb, size_t n)
{
	struct tb_rec *r = calloc(1, sizeof(*r));

	if (!r)
		return;
	r->vaddr = qemu_plugin_tb_vaddr(tb);
	r->n_insns = n;
	pthread_mutex_lock(&lock);
	r->next = tb_recs;
	tb_recs = r;
	pthread_mutex_unlock(&lock);
	qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_exec, QEMU_PLUGIN_CB_NO_REGS, r);
}

/* Caller holds lock.  Retranslated blocks appear once per translation. */
static void profile_write(void)
{
	FILE *f = fopen(profile_path, "w");

	if (!f) {
		fprintf(stderr, "insn_count: %s: %s\n", profile_path, strerror(errno));
		return;
	}
	for (struct tb_rec *r = tb_recs; r; r = r->next)
		if (r->runs)
			fprintf(f, "%" PRIx64 " %" PRIu64 "\n", r->vaddr, r->runs * r->n_insns);
	fclose(f);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	if (profile_path)
		profile_tb(tb, n);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		enum marker m = marker_of(insn);

		if (m != MARK_NONE)
			qemu_plugin_register_vcpu_insn_exec_cb(
				insn, on_marker, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)m);
		else
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &insns, 1);
	}
}

static void on_exit_qemu(qemu_plugin_id_t id, void *userdata)
{
	char line[160];
	int len;

	(void)id;
	(void)userdata;
	pthread_mutex_lock(&lock);
	len = snprintf(line, sizeof(line), "# pairs=%" PRIu64, pairs);
	if (unpaired_starts)
		len += snprintf(line + len, sizeof(line) - (size_t)len, " unpaired_starts=%" PRIu64,
				unpaired_starts);
	if (unpaired_stops)
		len += snprintf(line + len, sizeof(line) - (size_t)len, " unpaired_stops=%" PRIu64,
				unpaired_stops);
	if (running)
		len += snprintf(line + len, sizeof(line) - (size_t)len, " open=1");
	len += snprintf(line + len, sizeof(line) - (size_t)len, "\n");
	write_all(line, (size_t)len);
	if (profile_path)
		profile_write();
	close(out_fd);
	out_fd = -1;
	pthread_mutex_unlock(&lock);
}

/* "on"/"off" and the spellings QEMU's own boolean options accept. */
static int parse_bool(const char *arg, const char *val, int *ret)
{
	if (!strcmp(val, "on") || !strcmp(val, "yes") || !strcmp(val, "true")) {
		*ret = 1;
		return 0;
	}
	if (!strcmp(val, "off") || !strcmp(val, "no") || !strcmp(val, "false")) {
		*ret = 0;
		return 0;
	}
	fprintf(stderr, "insn_count: %s: want on or off\n", arg);
	return -1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	const char *out = NULL;
	int append = 0, verbose = 0;

	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		const char *val = eq ? eq + 1 : "";
		size_t klen = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);

		if (klen == 3 && !strncmp(argv[i], "out", 3) && *val) {
			out = val;
		} else if (klen == 7 && !strncmp(argv[i], "profile", 7) && *val) {
			profile_path = val;
		} else if (klen == 6 && !strncmp(argv[i], "append", 6)) {
			if (parse_bool(argv[i], val, &append))
				return -1;
		} else if (klen == 7 && !strncmp(argv[i], "verbose", 7)) {
			if (parse_bool(argv[i], val, &verbose))
				return -1;
		} else {
			fprintf(stderr,
				"insn_count: unknown option '%s' (out=FILE, append=on, "
				"verbose=on, profile=FILE)\n",
				argv[i]);
			return -1;
		}
	}

	if (verbose) {
		if (info->system_emulation)
			fprintf(stderr, "insn_count: target=%s api=%d..%d system vcpus=%d max=%d\n",
				info->target_name, info->version.min, info->version.cur,
				info->system.smp_vcpus, info->system.max_vcpus);
		else
			fprintf(stderr, "insn_count: target=%s api=%d..%d user\n",
				info->target_name, info->version.min, info->version.cur);
	}

	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (!strcmp(info->target_name, targets[i].name))
			target = &targets[i];
	if (!target) {
		fprintf(stderr, "insn_count: no markers for target '%s'\n", info->target_name);
		return -1;
	}
	if (!out) {
		fprintf(stderr, "insn_count: needs out=FILE\n");
		return -1;
	}
	out_fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);
	if (out_fd < 0) {
		fprintf(stderr, "insn_count: %s: %s\n", out, strerror(errno));
		return -1;
	}

	loaded_ns = monotonic_ns();
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_exit_qemu, NULL);
	return 0;
}
