/*
 * kernel/libc/crt.c - the program's start and its console streams, on
 * the C library's side of kernel/libc.
 *
 * libc_start_main() runs the image's constructors (.preinit_array,
 * .init_array: the library's and the program's), then exit(main(argc,
 * argv)).  exit() runs the atexit() handlers and the destructors and ends
 * in _exit() (sys.c), which syncs every filesystem.  newlib's exit() also
 * flushes every open FILE; picolibc's flushes none: a program on picolibc
 * must fclose() (or fflush()) what it wrote through stdio.
 *
 * stdin, stdout and stderr: on picolibc the OS defines them, here as one
 * unbuffered stream on the console (reads give EOF); on newlib they are
 * the library's own, over descriptors 0, 1 and 2 (sys.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "kernel/libc/glue.h"

typedef void (*libc_fn)(void);

extern libc_fn __preinit_array_start[], __preinit_array_end[];
extern libc_fn __init_array_start[], __init_array_end[];
extern libc_fn __fini_array_start[], __fini_array_end[];

int main(int argc, char **argv);

#ifdef __PICOLIBC__
static int console_put(char c, FILE *f)
{
	(void)f;
	glue_console_write(&c, 1);
	return (unsigned char)c;
}

static int console_get(FILE *f)
{
	(void)f;
	return _FDEV_EOF;
}

static FILE console = FDEV_SETUP_STREAM(console_put, console_get, NULL, _FDEV_SETUP_RW);
FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;
#else
/* newlib's exit() does not run .fini_array: picolibc's does. */
static void libc_fini(void)
{
	for (libc_fn *f = __fini_array_end; f > __fini_array_start;)
		(*--f)();
}
#endif

int libc_start_main(int argc, char **argv)
{
	libc_threads_init();
	for (libc_fn *f = __preinit_array_start; f < __preinit_array_end; f++)
		(*f)();
	for (libc_fn *f = __init_array_start; f < __init_array_end; f++)
		(*f)();
#ifndef __PICOLIBC__
	atexit(libc_fini);
#endif
	exit(main(argc, argv));
}
