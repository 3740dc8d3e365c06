/*
 * kernel/ktest/ktap.c - KTAP version 1 writer (see ktap.h).
 */
#include "kernel/ktest/ktap.h"

#include <stdarg.h>

void ktap_begin(struct ktap *k, unsigned planned)
{
	*k = (struct ktap){ .planned = planned };
	kprintf("KTAP version 1\n1..%u\n", planned);
}

void ktap_case_begin(struct ktap *k)
{
	k->cur_failed = false;
	k->cur_skip = NULL;
}

void ktap_skip(struct ktap *k, const char *reason)
{
	k->cur_skip = reason;
}

void ktap_fail(struct ktap *k, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	k->cur_failed = true;
	kprintf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

void ktap_case_end(struct ktap *k, const char *fmt, ...)
{
	va_list ap;

	k->number++;
	kprintf("%s %u ", k->cur_failed ? "not ok" : "ok", k->number);
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	/* A case that failed before deciding to skip still counts as failed. */
	if (k->cur_failed)
		k->failed++;
	else if (k->cur_skip) {
		k->skipped++;
		kprintf(" # SKIP %s", k->cur_skip);
	}
	kprintf("\n");
}

int ktap_end(struct ktap *k)
{
	if (k->number != k->planned) {
		kprintf("# planned %u tests but ran %u\n", k->planned, k->number);
		k->failed++;
	}
	kprintf("# totals: pass:%u fail:%u skip:%u\n", k->number - k->failed - k->skipped,
		k->failed, k->skipped);
	return k->failed ? 1 : 0;
}
