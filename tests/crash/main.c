/*
 * tests/crash/main.c - the crash-state engine: every workload through
 * every tier, TAP on stdout, figures as "# " diagnostics.
 *
 *   crash-engine [--quick] [--jobs N] [--only NAME] [--seed S] [--list]
 *
 * Each workload runs in a child process (up to --jobs at once): a panic,
 * a sanitizer report or a hang (alarm) in the filesystem under test takes
 * down one workload, which is then reported "not ok", not the whole run.
 * A child writes its TAP lines as "@@ok - ..." / "@@not ok - ..." plus
 * "@@stat" figures into a temporary file; the parent numbers the lines,
 * adds up the figures and prints everything in table order.
 *
 * Built with -DJNL_MUTANT=<NAME> (crash-mutant-<name>), the same program
 * runs only the workloads meant to expose that seeded bug, stops at the
 * first violation, and reports "ok 1 - mutant NAME caught: ..." if there is
 * one (a mutant that survives is "not ok").
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/crash/main.h"
#include "tests/host/test_util.h"

static const char tier_letter[NTIERS] = { 'A', 'B', 'C', 'D', 'E' };

/*
 * State budgets per workload (scaled by its cost): the full run takes
 * about 1.5-2.5 minutes on 2 cores, the quick one a few seconds.
 */
/* clang-format off */
static const struct budget budget_full = {
	.a = 16000, .b = 10000, .c = 5000, .exh_bits = 12,
	.d_images = 12, .d_states = 1000, .e_runs = 96, .e_states = 8,
};
static const struct budget budget_quick = {
	.a = 150, .b = 80, .c = 50, .exh_bits = 3,
	.d_images = 1, .d_states = 30, .e_runs = 6, .e_states = 2,
};
/* clang-format on */

static struct budget scale(const struct budget *b, u32 pct)
{
	struct budget s = *b;

	pct = pct ? pct : 100;
	s.a = MAX(1u, s.a * pct / 100);
	s.b = MAX(1u, s.b * pct / 100);
	s.c = MAX(1u, s.c * pct / 100);
	s.e_runs = MAX(2u, s.e_runs * pct / 100);
	return s;
}

/* ---- one workload, in a child process ----------------------------------- */

static void print_tier_line(const struct job *j, enum tier t)
{
	const struct tier_res *r = &j->res[t];

	char extra[96] = "";

	if (t == TIER_A)
		snprintf(extra, sizeof(extra), " max|P|=%u sampled-epochs=%llu%s", r->pmax,
			 (unsigned long long)r->sampled, j->wl->discard ? " keep-old-data=" : "");
	if (t == TIER_A && j->wl->discard)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "%llu",
			 (unsigned long long)r->keep_states);
	printf("@@%s - %s tier %c: states=%llu images=%llu epochs=%llu/%llu%s "
	       "violations=%llu%s%s\n",
	       r->violations ? "not ok" : "ok", j->wl->name, tier_letter[t],
	       (unsigned long long)r->states, (unsigned long long)r->images,
	       (unsigned long long)r->epochs, (unsigned long long)r->epochs_total, extra,
	       (unsigned long long)r->violations, r->first[0] ? " first: " : "", r->first);
	printf("#   tier %c took %llu ms\n", tier_letter[t], (unsigned long long)r->ms);
	printf("@@stat %c %llu %llu %llu %llu %llu\n", tier_letter[t],
	       (unsigned long long)r->states, (unsigned long long)r->images,
	       (unsigned long long)r->epochs, (unsigned long long)r->epochs_total,
	       (unsigned long long)r->violations);
}

/* The clean run's own problems (not crash states): the protocol line. */
static u32 print_protocol_line(struct job *j, bool ignore)
{
	const struct rec *r = &j->rec;
	u32 bad = ignore ? 0 : r->vmask, allowed = wl_flush_budget(j->wl);
	u64 red = 0, und = 0, writes = 0;

	for (u32 i = 0; i < r->ndev; i++) {
		red += r->dc[i].redundant_flushes;
		und += r->dc[i].undrained_flushes;
		writes += r->dc[i].writes;
	}
	for (u32 k = 0; k < V_NKINDS; k++) {
		if (r->vmask & BIT(k))
			printf("# VIOLATION %s: workload %s, recorded run: %s\n",
			       vkind_name((enum vkind)k), j->wl->name, r->vwhy[k]);
	}
	printf("@@%s - %s protocol: commits=%llu flushes/commit max=%u mean=%llu.%02llu "
	       "(allowed %u) redundant=%llu undrained=%llu writes=%llu%s%s%s\n",
	       bad ? "not ok" : "ok", j->wl->name, (unsigned long long)r->commits,
	       r->max_flushes_per_commit,
	       (unsigned long long)(r->commits ? r->commit_flushes / r->commits : 0),
	       (unsigned long long)(r->commits ? r->commit_flushes * 100 / r->commits % 100 : 0),
	       allowed, (unsigned long long)red, (unsigned long long)und,
	       (unsigned long long)writes, bad ? " first: " : "",
	       bad ? vkind_name((enum vkind)__builtin_ctz(bad)) : "",
	       bad ? " in the recorded run" : "");
	printf("#   jnl_stats before unmount: commits=%llu checkpoints=%llu\n",
	       (unsigned long long)r->jstats.commits, (unsigned long long)r->jstats.checkpoints);
	if (j->wl->discard) {
		u64 nd = 0, ns = 0;

		for (u32 i = 0; i < r->log.w.n; i++) {
			nd += r->log.w.v[i].discard;
			ns += r->log.w.v[i].discard ? r->log.w.v[i].nsect : 0;
		}
		printf("#   DISCARDs recorded: %llu (%llu sectors)\n", (unsigned long long)nd,
		       (unsigned long long)ns);
	}
	printf("@@flush %llu %llu %u %llu %llu %u\n", (unsigned long long)r->commits,
	       (unsigned long long)r->commit_flushes, r->max_flushes_per_commit,
	       (unsigned long long)red, (unsigned long long)und,
	       !j->wl->cache ? 2 : j->wl->classic);
	return bad;
}

int run_job(const struct wl_def *wl, const struct opts *o, u64 seed)
{
	struct job *j = calloc(1, sizeof(*j));
	u64 t0 = now_ms();
	int err;

	if (!j)
		abort();
	j->wl = wl;
	j->bud = scale(o->quick ? &budget_quick : &budget_full, wl->cost);
	j->mutant = o->mutant;
	j->seed = seed;
	j->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	err = rec_run(wl, seed, NULL, &j->rec);
	if (print_protocol_line(j, o->crash_only))
		j->caught = true;
	for (u32 t = 0; t < NTIERS; t++) {
		u64 t1 = now_ms();

		if (!err && !job_done(j) && strchr(o->tiers, tier_letter[t])) {
			if (t <= TIER_C)
				tier_abc(j, (enum tier)t);
			else if (t == TIER_D)
				tier_d(j);
			else
				tier_e(j);
		}
		j->res[t].ms = now_ms() - t1;
		print_tier_line(j, (enum tier)t);
		fflush(stdout);
	}
	for (u32 k = 0; k < V_NKINDS; k++) {
		if (j->vcount[k])
			printf("@@kind %u %llu\n", k, (unsigned long long)j->vcount[k]);
	}
	printf("@@time %llu\n", (unsigned long long)(now_ms() - t0));
	for (u32 i = 0; i < j->ndc; i++) {
		for (u32 d = 0; d < SIM_MAX_DEVS; d++)
			sim_buf_free(j->dc[i].img[d], j->rec.bytes[d]);
	}
	rec_free(&j->rec);
	err = j->caught ? 1 : 0;
	free(j);
	return err;
}

/* ---- options and the driver --------------------------------------------- */

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--quick] [--jobs N] [--only NAME] [--tiers ABCDE] [--seed S] "
		"[--crash-only] [--list]\n",
		argv0);
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	*o = (struct opts){ .jobs = n > 0 ? (u32)n : 2, .seed = 1, .tiers = "ABCDE" };
#ifdef CRASH_MUTANT
	/* The unmutated journal has no violation in any tier, so whatever
	 * a mutant binary finds is the seeded bug's doing. */
	o->mutant = true;
#endif
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			o->quick = true;
		else if (!strcmp(argv[i], "--list"))
			o->list = true;
		else if (!strcmp(argv[i], "--crash-only"))
			o->crash_only = true;
		else if (!strcmp(argv[i], "--jobs") && i + 1 < argc)
			o->jobs = (u32)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			o->only = argv[++i];
		else if (!strcmp(argv[i], "--tiers") && i + 1 < argc)
			o->tiers = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			o->seed = strtoull(argv[++i], NULL, 0);
		else
			usage(argv[0]);
	}
	o->jobs = MAX(o->jobs, 1u);
}

static bool selected(const struct wl_def *wl, const struct opts *o)
{
	if (o->only && !strstr(wl->name, o->only))
		return false;
#ifdef CRASH_MUTANT
	return (wl->mutants & CRASH_MUTANT_BIT) != 0;
#else
	return true;
#endif
}

int main(int argc, char **argv)
{
	const struct wl_def *sel[64];
	struct opts o;
	u32 n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Disk images come and go by the thousand: keep them in the heap
	 * instead of mapping (and faulting in) fresh pages every time. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	parse(argc, argv, &o);
	for (u32 i = 0; i < wl_count && n < ARRAY_SIZE(sel); i++) {
		if (selected(&wl_table[i], &o))
			sel[n++] = &wl_table[i];
	}
	if (o.list) {
		for (u32 i = 0; i < n; i++)
			printf("%s\n", sel[i]->name);
		return 0;
	}
	return o.mutant ? run_mutant(sel, n, &o) : run_all(sel, n, &o);
}
