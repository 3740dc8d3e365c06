/*
 * tests/crash/state.c - walk a mounted tree into its logical state (see
 * state.h), intern states, print differences.
 *
 * The walk never calls into the filesystem from inside a readdir callback:
 * it collects a directory's entries first and visits them afterwards, so it
 * holds no fs buffer while reading another block.  Used on recovered images
 * (check.c) and on the live filesystem at every fsync/sync of the recorded
 * run, to hold the workload's model (model.h) to what the fs really did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/crash/state.h"
#include "lib/errno.h"

#define WALK_MAX_DEPTH 64
#define WALK_PATH_MAX 1024
#define WALK_CHUNK (64u * 1024)

u64 hash64(u64 h, const void *buf, size_t len)
{
	const u8 *p = buf;
	u64 w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; len; p++, len--)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}

/* A growable array of text lines. */
struct lines {
	char **v;
	u32 n, cap;
};

static void lines_add(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n++] = s;
}

static void lines_free(struct lines *l)
{
	for (u32 i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct dent {
	char name[OFS_NAME_MAX + 1];
	u32 ino;
	u8 type;
};

struct dents {
	struct dent *v;
	u32 n, cap;
};

static int collect_dent(void *ctx, const char *name, u32 ino, u8 type)
{
	struct dents *d = ctx;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = realloc(d->v, d->cap * sizeof(*d->v));
		if (!d->v)
			abort();
	}
	snprintf(d->v[d->n].name, sizeof(d->v[d->n].name), "%s", name);
	d->v[d->n].ino = ino;
	d->v[d->n].type = type;
	d->n++;
	return 0;
}

struct walk {
	struct fs *fs;
	struct lines out;
};

char *state_line_file(const char *path, u64 size, u64 content_hash)
{
	char tmp[WALK_PATH_MAX + 64];

	snprintf(tmp, sizeof(tmp), "%s\tF\ts=%llu\th=%016llx", path, (unsigned long long)size,
		 (unsigned long long)content_hash);
	return strdup(tmp);
}

char *state_line_dir(const char *path)
{
	char tmp[WALK_PATH_MAX + 8];

	snprintf(tmp, sizeof(tmp), "%s\tD", path);
	return strdup(tmp);
}

static int walk_file(struct walk *w, const char *path, u32 ino)
{
	struct fs_stat st;
	u64 off = 0;
	u8 *data;
	int n, err = fs_fstat(w->fs, ino, &st);

	if (err)
		return err;
	if (st.type != OFS_TYPE_FILE)
		return -EUCLEAN;
	/* Whole file in one buffer: the hash must not depend on how the
	 * filesystem splits its reads. */
	data = malloc(st.size ? st.size : 1);
	if (!data)
		return -ENOMEM;
	while (off < st.size) {
		n = fs_read(w->fs, ino, off, data + off, (u32)MIN(st.size - off, WALK_CHUNK));
		if (n <= 0) {
			free(data);
			return n < 0 ? n : -EUCLEAN; /* shorter than its size */
		}
		off += (u64)n;
	}
	lines_add(&w->out, state_line_file(path, st.size, hash64(HASH64_INIT, data, st.size)));
	free(data);
	return 0;
}

static int walk_dir(struct walk *w, const char *path, int depth)
{
	struct dents d = { 0 };
	struct fs_stat st;
	char child[WALK_PATH_MAX];
	int err;

	if (depth > WALK_MAX_DEPTH)
		return -EUCLEAN;
	err = fs_stat(w->fs, path, &st);
	if (err)
		return err;
	if (st.type != OFS_TYPE_DIR)
		return -EUCLEAN;
	lines_add(&w->out, state_line_dir(path));
	err = fs_readdir(w->fs, path, collect_dent, &d);
	for (u32 i = 0; !err && i < d.n; i++) {
		snprintf(child, sizeof(child), "%s%s%s", path, path[1] ? "/" : "", d.v[i].name);
		if (d.v[i].type == OFS_TYPE_DIR)
			err = walk_dir(w, child, depth + 1);
		else if (d.v[i].type == OFS_TYPE_FILE)
			err = walk_file(w, child, d.v[i].ino);
		else
			err = -EUCLEAN;
	}
	free(d.v);
	return err;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void state_build(char **lines, u32 n, struct lstate *out)
{
	size_t len = 1, pos = 0;

	qsort(lines, n, sizeof(*lines), cmp_line);
	for (u32 i = 0; i < n; i++)
		len += strlen(lines[i]) + 1;
	out->text = malloc(len);
	if (!out->text)
		abort();
	for (u32 i = 0; i < n; i++)
		pos += (size_t)sprintf(out->text + pos, "%s\n", lines[i]);
	out->text[pos] = '\0';
	out->hash = hash64(HASH64_INIT, out->text, pos);
}

int state_walk(struct fs *fs, struct lstate *out)
{
	struct walk w = { .fs = fs };
	int err;

	memset(out, 0, sizeof(*out));
	err = walk_dir(&w, "/", 0);
	if (!err)
		state_build(w.out.v, w.out.n, out);
	lines_free(&w.out);
	return err;
}

u32 state_intern(struct state_tab *t, struct lstate *s)
{
	for (u32 i = 0; i < t->n; i++) {
		if (t->v[i].hash == s->hash && !strcmp(t->v[i].text, s->text)) {
			free(s->text);
			s->text = NULL;
			return i;
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		if (!t->v)
			abort();
	}
	t->v[t->n] = *s;
	s->text = NULL;
	return t->n++;
}

void state_tab_free(struct state_tab *t)
{
	for (u32 i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* Is the line starting at `line` (up to '\n') somewhere in `text`? */
static bool has_line(const char *text, const char *line, size_t len)
{
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == len && !memcmp(p, line, len))
			return true;
		p += l + (e ? 1 : 0);
	}
	return false;
}

static int print_missing(const char *from, const char *in, char sign, int max)
{
	int shown = 0;

	for (const char *p = from; *p && shown < max;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (!has_line(in, p, l)) {
			printf("#     %c %.*s\n", sign, (int)l, p);
			shown++;
		}
		p += l + (e ? 1 : 0);
	}
	return shown;
}

void state_print_diff(const char *expected, const char *found, int max)
{
	int n = print_missing(expected, found, '-', max);

	n += print_missing(found, expected, '+', max - n);
	if (n == 0)
		printf("#     (same lines)\n");
}
