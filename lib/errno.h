/*
 * lib/errno.h - error numbers, Linux numbering.
 *
 * Functions return 0 or a negative E* value; a positive value only where the
 * function documents a count.
 */
#ifndef ORDO_LIB_ERRNO_H
#define ORDO_LIB_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EMFILE 24
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOTEMPTY 39
#define ENODATA 61
#define EPROTO 71
#define EOVERFLOW 75
#define EBADMSG 74
#define EOPNOTSUPP 95
#define ETIMEDOUT 110
#define ECANCELED 125
#define EUCLEAN 117

#include "lib/errno_name.h"

#endif
