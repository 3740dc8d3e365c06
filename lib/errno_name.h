/*
 * lib/errno_name.h - the name of an error number (lib/errno.c).
 *
 * Apart from lib/errno.h so that code built against a C library's
 * <errno.h> (kernel/libc) can turn the kernel's numbers into its own by
 * name without seeing the kernel's E* values.
 */
#ifndef ORDO_LIB_ERRNO_NAME_H
#define ORDO_LIB_ERRNO_NAME_H

/* Short symbolic name of an error ("EIO"), or "E?" for an unknown value. */
const char *errno_name(int err);

#endif
