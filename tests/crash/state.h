/*
 * tests/crash/state.h - logical states of an ordofs tree, and the table
 * that interns them.
 *
 * Interface: state_walk() reads a mounted filesystem through its public API
 * only (fs_readdir, fs_open, fs_fstat, fs_read) and produces its logical
 * state: one line per file or directory, sorted by path,
 *
 *     /d/f<TAB>F<TAB>s=<size><TAB>h=<content hash>
 *     /d<TAB>D
 *
 * The text is both what the oracle compares (through its 64-bit hash) and
 * what a counterexample prints.  Inode numbers, link counts and block
 * placement are not part of it (fs_fsck checks those): two trees with the
 * same names, types, sizes and contents are the same state.  The root
 * directory is the line "/".  The workload model (model.h) builds the
 * same text from what the calls did.
 *
 * A state table keeps each distinct state once; the engine refers to
 * states by their index in it.
 */
#ifndef ORDO_TESTS_CRASH_STATE_H
#define ORDO_TESTS_CRASH_STATE_H

#include "kernel/fs/fs.h"

struct lstate {
	char *text; /* malloc'd, NUL-terminated */
	u64 hash;
};

struct state_tab {
	struct lstate *v;
	u32 n, cap;
};

/* 64-bit FNV-1a, processed a word at a time (any alignment). */
u64 hash64(u64 h, const void *buf, size_t len);
#define HASH64_INIT 0xcbf29ce484222325ull

/*
 * Walk the whole tree of `fs` into *out (text malloc'd).  0, or the first
 * -errno an fs call returned (*out is then empty), or -EUCLEAN when the
 * tree contradicts itself (a file shorter than its size, a cycle).
 */
int state_walk(struct fs *fs, struct lstate *out);

/* Lines of the text (malloc'd, without '\n'), and the state they make:
 * sorted, joined and hashed (the lines are sorted in place, not freed). */
char *state_line_file(const char *path, u64 size, u64 content_hash);
char *state_line_dir(const char *path);
void state_build(char **lines, u32 n, struct lstate *out);

/* The index of `s` in the table, adding it (taking its text) if new. */
u32 state_intern(struct state_tab *t, struct lstate *s);

void state_tab_free(struct state_tab *t);

/*
 * Print, as "# " diagnostics, the lines of `found` that are not in
 * `expected` ("+") and the other way round ("-"), at most `max` lines.
 */
void state_print_diff(const char *expected, const char *found, int max);

#endif
