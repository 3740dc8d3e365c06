/*
 * tools/bench/marker.c - execute one instruction marker, in the Linux guest
 * of `make bench`.
 *
 *   marker start    the start marker: the plugin starts counting here
 *   marker stop     the stop marker: the plugin reports the count here
 *
 * The markers are those of arch/generic/insn_marker.h, the same bytes ordo
 * executes around its own workload, so the instruction-counting QEMU plugin
 * (tools/bench/insn_count.c) finds both sides' measured windows alike.  The
 * guest's /init (tools/bench/linux-init.sh) runs one start and one stop
 * around each fio job.  Built static by tools/bench/linux-guest.sh: the
 * guest has no libc of its own outside fio's.
 *
 * Prints nothing; exits 2 on a usage error, 0 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "arch/generic/insn_marker.h"

#ifndef INSN_MARKER_START_ASM
#error "no instruction marker for this architecture"
#endif

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "start") == 0) {
		insn_marker_start();
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "stop") == 0) {
		insn_marker_stop();
		return 0;
	}
	fprintf(stderr, "usage: %s start|stop\n", argc > 0 ? argv[0] : "marker");
	return 2;
}
