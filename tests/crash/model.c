/*
 * tests/crash/model.c - the workload's model of the tree (see model.h).
 *
 * A flat, unsorted array of nodes keyed by path: workloads keep trees of at
 * most a few hundred entries, and state text is sorted when it is built.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/crash/model.h"

static struct model_node *model_find(const struct model *m, const char *path)
{
	for (u32 i = 0; i < m->n; i++) {
		if (!strcmp(m->v[i].path, path))
			return &m->v[i];
	}
	return NULL;
}

static struct model_node *model_add(struct model *m, const char *path, u8 type)
{
	struct model_node *n;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 32;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (!m->v)
			abort();
	}
	n = &m->v[m->n++];
	memset(n, 0, sizeof(*n));
	n->path = strdup(path);
	n->type = type;
	return n;
}

static void model_drop(struct model *m, struct model_node *n)
{
	free(n->path);
	free(n->data);
	*n = m->v[--m->n];
}

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	model_add(m, "/", OFS_TYPE_DIR);
}

void model_free(struct model *m)
{
	while (m->n)
		model_drop(m, &m->v[m->n - 1]);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

void model_create(struct model *m, const char *path)
{
	if (!model_find(m, path))
		model_add(m, path, OFS_TYPE_FILE);
}

void model_mkdir(struct model *m, const char *path)
{
	if (!model_find(m, path))
		model_add(m, path, OFS_TYPE_DIR);
}

/* Make room for `size` bytes, zero-filling what is new. */
static void model_resize(struct model_node *n, u64 size)
{
	if (size > n->cap) {
		u64 cap = MAX(size, 2 * n->cap);

		n->data = realloc(n->data, cap);
		if (!n->data)
			abort();
		n->cap = cap;
	}
	if (size > n->size)
		memset(n->data + n->size, 0, size - n->size);
	n->size = size;
	n->hash_ok = false;
}

void model_write(struct model *m, const char *path, u64 off, const void *buf, u64 len)
{
	struct model_node *n = model_find(m, path);

	if (!n || !len)
		return;
	if (off + len > n->size)
		model_resize(n, off + len);
	memcpy(n->data + off, buf, len);
	n->hash_ok = false;
}

void model_truncate(struct model *m, const char *path, u64 size)
{
	struct model_node *n = model_find(m, path);

	if (n)
		model_resize(n, size);
}

void model_unlink(struct model *m, const char *path)
{
	struct model_node *n = model_find(m, path);

	if (n)
		model_drop(m, n);
}

/* Does `path` lie strictly inside directory `dir`? */
static bool model_inside(const char *path, const char *dir)
{
	size_t l = strlen(dir);

	return !strncmp(path, dir, l) && path[l] == '/';
}

void model_rename(struct model *m, const char *from, const char *to)
{
	struct model_node *n = model_find(m, from), *old = model_find(m, to);
	size_t lf = strlen(from);

	if (!n || !strcmp(from, to))
		return;
	if (old)
		model_drop(m, old);
	n = model_find(m, from); /* model_drop moves nodes */
	if (n->type == OFS_TYPE_DIR) {
		for (u32 i = 0; i < m->n; i++) {
			char *p = m->v[i].path, *np;

			if (!model_inside(p, from))
				continue;
			np = malloc(strlen(to) + strlen(p) - lf + 1);
			if (!np)
				abort();
			strcpy(np, to);
			strcat(np, p + lf);
			free(p);
			m->v[i].path = np;
		}
	}
	free(n->path);
	n->path = strdup(to);
}

u64 model_size(const struct model *m, const char *path)
{
	const struct model_node *n = model_find(m, path);

	return n ? n->size : 0;
}

void model_state(struct model *m, struct lstate *out)
{
	char **lines = malloc((m->n + 1) * sizeof(*lines));

	if (!lines)
		abort();
	for (u32 i = 0; i < m->n; i++) {
		struct model_node *n = &m->v[i];

		if (n->type == OFS_TYPE_DIR) {
			lines[i] = state_line_dir(n->path);
			continue;
		}
		if (!n->hash_ok) {
			n->hash = hash64(HASH64_INIT, n->data, n->size);
			n->hash_ok = true;
		}
		lines[i] = state_line_file(n->path, n->size, n->hash);
	}
	state_build(lines, m->n, out);
	for (u32 i = 0; i < m->n; i++)
		free(lines[i]);
	free(lines);
}
