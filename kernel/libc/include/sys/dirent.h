/*
 * kernel/libc/include/sys/dirent.h - directory streams on ordo.
 *
 * The C library's <dirent.h> declares opendir() and the rest and leaves
 * this header to the OS (kernel/libc/sys.c implements them).  ordofs
 * names are at most 56 bytes; d_type is DT_DIR or DT_REG.
 */
#ifndef _SYS_DIRENT_H
#define _SYS_DIRENT_H

#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_DIR 4
#define DT_REG 8

#ifndef NAME_MAX
#define NAME_MAX 255
#endif

struct dirent {
	ino_t d_ino;
	unsigned char d_type;
	char d_name[NAME_MAX + 1];
};

typedef struct __ordo_dir DIR;

#endif
