/*
 * kernel/app.h - the user's program, when the image has one.
 *
 * `make APP=dir` links the program's main() with a C library and
 * kernel/libc/ (the program's side of the kernel: system calls, console
 * streams, the heap as malloc, thread-local storage); any other image
 * links kernel/app_none.c instead.  kmain() calls:
 *
 *   app_early_init()  first of all, before anything may call into the C
 *                     library (kprintf formats with it in such an image);
 *   app_linked()      whether there is a program: it is then what the
 *                     image runs unless the command line names another
 *                     mode (ktest, bench, stress);
 *   app_run()         mount every ordofs disk, run main() with the words
 *                     after "--" on the command line as argv[1..], and
 *                     return its exit status once every mount is synced
 *                     and unmounted.
 */
#ifndef ORDO_KERNEL_APP_H
#define ORDO_KERNEL_APP_H

#include "lib/types.h"

void app_early_init(void);
bool app_linked(void);
int app_run(void);

#endif
