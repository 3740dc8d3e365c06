/*
 * kernel/cmdline.h - the kernel command line.
 *
 * Words separated by spaces: a bare word is a flag ("ktest"), "key=value"
 * an option ("blk.timeout_ms=500").  A word "--" ends the kernel's part:
 * what follows is the application's (its argv, cmdline_args()) and is
 * never read as a kernel flag or option.  The line is copied at boot, so it
 * outlives the device tree it came from.
 */
#ifndef ORDO_KERNEL_CMDLINE_H
#define ORDO_KERNEL_CMDLINE_H

#include "lib/types.h"

#define CMDLINE_MAX 512

/*
 * Keep a copy of `line`.  A line longer than CMDLINE_MAX - 1 characters is
 * cut before the word that crosses the limit.
 */
void cmdline_set(const char *line);
const char *cmdline_get(void);

/*
 * The words after "--" (leading spaces skipped; "" if none follow), or
 * NULL if the line has no "--".
 */
const char *cmdline_args(void);

/* True if `word` appears as a bare word. */
bool cmdline_flag(const char *word);

/*
 * Value of option `key` as an unsigned number (decimal or 0x hex) in *val.
 * Returns 0, -ENOENT if absent, -EINVAL if not a number.
 */
int cmdline_u64(const char *key, u64 *val);

/*
 * Value of option `key` as a string in buf (NUL-terminated).  Returns 0,
 * -ENOENT if absent, -EINVAL if empty, -ENAMETOOLONG if it does not fit.
 */
int cmdline_str(const char *key, char *buf, size_t size);

#endif
