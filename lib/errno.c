/*
 * lib/errno.c - symbolic names of error numbers, for console messages.
 */
#include "lib/errno.h"
#include "lib/types.h"

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },	    { ENOENT, "ENOENT" },	{ EIO, "EIO" },
	{ ENXIO, "ENXIO" },	    { E2BIG, "E2BIG" },		{ EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" },	    { ENOMEM, "ENOMEM" },	{ EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },	    { EEXIST, "EEXIST" },	{ ENODEV, "ENODEV" },
	{ ENOTDIR, "ENOTDIR" },	    { EISDIR, "EISDIR" },	{ EINVAL, "EINVAL" },
	{ EFBIG, "EFBIG" },	    { ENOSPC, "ENOSPC" },	{ EROFS, "EROFS" },
	{ EMLINK, "EMLINK" },	    { ERANGE, "ERANGE" },	{ ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOTEMPTY, "ENOTEMPTY" }, { ENODATA, "ENODATA" },	{ EPROTO, "EPROTO" },
	{ EOVERFLOW, "EOVERFLOW" }, { EBADMSG, "EBADMSG" },	{ EOPNOTSUPP, "EOPNOTSUPP" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ECANCELED, "ECANCELED" }, { EUCLEAN, "EUCLEAN" },
	{ EXDEV, "EXDEV" },	    { EMFILE, "EMFILE" },	{ ESPIPE, "ESPIPE" },
};

const char *errno_name(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++) {
		if (errno_names[i].err == err)
			return errno_names[i].name;
	}
	return "E?";
}
