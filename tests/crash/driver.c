/*
 * tests/crash/driver.c - run workloads in child processes, number their
 * TAP lines, add up the figures (see main.c for the protocol).
 *
 * Every workload yields CRASH_LINES TAP lines: its protocol line, one per
 * tier, and "exited cleanly" (a sanitizer report at exit, a panic, a
 * signal or the alarm make that one, and any line the child never printed,
 * "not ok").  The plan is therefore known before anything runs.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/crash/main.h"
#include "tests/host/test_util.h"

#define CRASH_LINES (NTIERS + 2)
#define CHILD_ALARM_S 900

static const char *const item_names[CRASH_LINES] = {
	"protocol", "tier A", "tier B", "tier C", "tier D", "tier E", "exited cleanly",
};

struct child {
	pid_t pid;
	FILE *out;
	int status;
	bool done;
};

struct totals {
	u64 t[NTIERS][5];		      /* states, images, epochs, epochs_total, violations */
	u64 commits[3], flushes[3], red, und; /* checksummed, classic, cache off */
	u32 max[3];
	u64 ms_sum, ms_max;
	u64 vcount[V_NKINDS];
	const char *slowest;
	u32 tap, failed;
	bool inner; /* mutant mode: the workloads' lines are diagnostics */
};

static u64 job_seed(const struct opts *o, const struct wl_def *wl)
{
	return o->seed * 1000003u + hash64(HASH64_INIT, wl->name, strlen(wl->name)) % 1000003u;
}

static void spawn(struct child *c, const struct wl_def *wl, const struct opts *o)
{
	c->out = tmpfile();
	if (!c->out)
		abort();
	fflush(stdout);
	c->pid = fork();
	if (c->pid < 0)
		abort();
	if (c->pid == 0) {
		dup2(fileno(c->out), STDOUT_FILENO);
		dup2(fileno(c->out), STDERR_FILENO);
		alarm(CHILD_ALARM_S);
		exit(run_job(wl, o, job_seed(o, wl)));
	}
}

static void tap(struct totals *t, bool ok, const char *desc)
{
	if (t->inner) {
		printf("#   %s - %s\n", ok ? "ok" : "not ok", desc);
		return;
	}
	t->tap++;
	t->failed += !ok;
	printf("%s %u - %s\n", ok ? "ok" : "not ok", t->tap, desc);
}

/* Print a finished child's output as TAP; `first` gets its first failure. */
static void harvest(struct child *c, const struct wl_def *wl, struct totals *t, char *first,
		    size_t flen)
{
	char line[1024], desc[1100];
	u32 lines = 0;
	bool clean = WIFEXITED(c->status) && WEXITSTATUS(c->status) <= 1;

	rewind(c->out);
	while (fgets(line, sizeof(line), c->out)) {
		unsigned long long v[6];
		char x;

		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "@@ok - ", 7) || !strncmp(line, "@@not ok - ", 11)) {
			bool ok = line[2] == 'o';
			char *f = strstr(line, " first: ");

			if (!ok && first && !first[0] && f)
				snprintf(first, flen, "%s", f + 8);
			if (lines < CRASH_LINES - 1)
				tap(t, ok, strstr(line, " - ") + 3);
			lines++;
		} else if (sscanf(line, "@@stat %c %llu %llu %llu %llu %llu", &x, &v[0], &v[1],
				  &v[2], &v[3], &v[4]) == 6) {
			const char *p = strchr("ABCDE", x);

			for (u32 k = 0; p && k < 5; k++)
				t->t[p - "ABCDE"][k] += v[k];
		} else if (sscanf(line, "@@flush %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
				  &v[2], &v[3], &v[4], &v[5]) == 6 &&
			   v[5] < 3) {
			t->commits[v[5]] += v[0];
			t->flushes[v[5]] += v[1];
			t->max[v[5]] = MAX(t->max[v[5]], (u32)v[2]);
			t->red += v[3];
			t->und += v[4];
		} else if (sscanf(line, "@@kind %llu %llu", &v[0], &v[1]) == 2 && v[0] < V_NKINDS) {
			t->vcount[v[0]] += v[1];
		} else if (sscanf(line, "@@time %llu", &v[0]) == 1) {
			t->ms_sum += v[0];
			if (v[0] > t->ms_max) {
				t->ms_max = v[0];
				t->slowest = wl->name;
			}
		} else {
			printf("%s%s\n", line[0] == '#' ? "" : "# ", line);
		}
	}
	for (; lines < CRASH_LINES - 1; lines++) {
		snprintf(desc, sizeof(desc), "%s %s: not reached (the child died)", wl->name,
			 item_names[lines]);
		tap(t, false, desc);
	}
	if (!clean && first && !first[0])
		snprintf(first, flen, "a crash of the engine child in %s", wl->name);
	if (WIFSIGNALED(c->status))
		snprintf(desc, sizeof(desc), "%s exited cleanly: killed by signal %d%s", wl->name,
			 WTERMSIG(c->status), WTERMSIG(c->status) == SIGALRM ? " (timeout)" : "");
	else
		snprintf(desc, sizeof(desc), "%s exited cleanly%s", wl->name,
			 !clean ? ": status other than 0/1 (a sanitizer report or panic above?)"
			 : WEXITSTATUS(c->status) ? " (violations reported above)"
						  : "");
	tap(t, clean, desc);
	fclose(c->out);
}

/*
 * Run sel[0..n) with up to o->jobs children, harvesting in table order.
 * Unless stopping at the first failure (mutants: table order matters),
 * workloads on bigger disks start first: they are the slow ones, and the
 * run ends sooner when they do not start last.
 */
static void run_children(const struct wl_def *const *sel, u32 n, const struct opts *o,
			 struct totals *t, char *first, size_t flen, bool stop_at_first)
{
	struct child *c = calloc(n ? n : 1, sizeof(*c));
	u32 *order = calloc(n ? n : 1, sizeof(*order));
	u32 next = 0, running = 0, shown = 0;

	if (!c || !order)
		abort();
	for (u32 i = 0; i < n; i++) {
		u32 k = i;

		while (!stop_at_first && k > 0 && sel[order[k - 1]]->disk_kib < sel[i]->disk_kib) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	while (shown < n) {
		while (next < n && running < o->jobs && !(stop_at_first && first[0])) {
			spawn(&c[order[next]], sel[order[next]], o);
			next++;
			running++;
		}
		if (running) {
			int st;
			pid_t pid = wait(&st);

			for (u32 i = 0; i < n; i++) {
				if (c[i].pid == pid && !c[i].done) {
					c[i].status = st;
					c[i].done = true;
					running--;
				}
			}
		}
		while (shown < n && c[shown].done)
			harvest(&c[shown], sel[shown], t, first, flen), shown++;
		if (stop_at_first && first[0] && !running)
			break;
	}
	free(order);
	free(c);
}

static void print_figures(const struct totals *t, const struct opts *o, u64 ms)
{
	static const char *const mode[3] = { "checksummed commits", "classic commits",
					     "cache off" };

	for (u32 k = 0; k < NTIERS; k++) {
		const u64 *v = t->t[k];

		printf("# tier %c: states=%llu distinct-images=%llu epochs-covered=%llu/%llu "
		       "violations=%llu\n",
		       'A' + k, (unsigned long long)v[0], (unsigned long long)v[1],
		       (unsigned long long)v[2], (unsigned long long)v[3],
		       (unsigned long long)v[4]);
	}
	for (u32 m = 0; m < 3; m++)
		printf("# flushes per commit (%s): max=%u mean=%llu.%02llu over "
		       "%llu commits\n",
		       mode[m], t->max[m],
		       (unsigned long long)(t->commits[m] ? t->flushes[m] / t->commits[m] : 0),
		       (unsigned long long)(t->commits[m]
						    ? t->flushes[m] * 100 / t->commits[m] % 100
						    : 0),
		       (unsigned long long)t->commits[m]);
	printf("# crash-state violations by kind:");
	for (u32 k = 0; k < V_NKINDS; k++) {
		if (t->vcount[k])
			printf(" %s=%llu", vkind_name((enum vkind)k),
			       (unsigned long long)t->vcount[k]);
	}
	printf("\n# redundant flushes: %llu, undrained flushes: %llu\n", (unsigned long long)t->red,
	       (unsigned long long)t->und);
	printf("# run time: %llu.%01llu s wall (%s mode, %u jobs); %llu.%01llu s of workload "
	       "time, slowest %s %llu.%01llu s\n",
	       (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000 / 100),
	       o->quick ? "quick" : "full", o->jobs, (unsigned long long)(t->ms_sum / 1000),
	       (unsigned long long)(t->ms_sum % 1000 / 100), t->slowest ? t->slowest : "-",
	       (unsigned long long)(t->ms_max / 1000),
	       (unsigned long long)(t->ms_max % 1000 / 100));
}

int run_all(const struct wl_def *const *sel, u32 n, const struct opts *o)
{
	struct totals t = { 0 };
	u64 t0 = now_ms();
	char first[256] = "";

	printf("1..%u\n", n * CRASH_LINES);
	run_children(sel, n, o, &t, first, sizeof(first), false);
	print_figures(&t, o, now_ms() - t0);
	printf("# %u of %u failed%s%s\n", t.failed, t.tap, first[0] ? "; first: " : "", first);
	return t.failed ? 1 : 0;
}

int run_mutant(const struct wl_def *const *sel, u32 n, const struct opts *o)
{
#ifdef CRASH_MUTANT
	struct totals t = { .inner = true };
	char first[256] = "";

	printf("1..1\n");
	run_children(sel, n, o, &t, first, sizeof(first), true);
	if (first[0])
		printf("ok 1 - mutant %s caught: %s\n", CRASH_MUTANT, first);
	else
		printf("not ok 1 - mutant %s survived %u workloads\n", CRASH_MUTANT, n);
	printf("# mutants caught: %u/1\n", first[0] ? 1 : 0);
	return first[0] ? 0 : 1;
#else
	(void)sel;
	(void)n;
	(void)o;
	return 2;
#endif
}
