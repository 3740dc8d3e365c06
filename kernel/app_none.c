/*
 * kernel/app_none.c - an image without a program (kernel/app.h): the
 * filesystem demo is what it runs by default.
 */
#include "kernel/app.h"

#include "lib/printf.h"

void app_early_init(void)
{
}

bool app_linked(void)
{
	return false;
}

int app_run(void)
{
	kprintf("ordo: no program in this image (build one with make APP=dir)\n");
	return 1;
}
