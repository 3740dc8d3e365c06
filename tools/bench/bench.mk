# tools/bench/bench.mk - host-side pieces of `make bench` (issue 11).
# Included by the top-level Makefile.
#
# insn_count.so: the QEMU TCG plugin that counts guest instructions between
# the markers of arch/generic/insn_marker.h (see tools/bench/insn_count.c).
# A shared object for the host's QEMU, so built with the host compiler; its
# references to the qemu_plugin_* API stay undefined and resolve against
# the QEMU executable that loads it.  -fvisibility=hidden: only the two
# symbols QEMU looks up (qemu_plugin_version, qemu_plugin_install) are
# exported.  Checked by tests/bench/plugin-check.sh.

BENCH_OUT := $(BUILD)/bench

$(BENCH_OUT)/insn_count.so: tools/bench/insn_count.c tools/bench/qemu_plugin_api.h \
		arch/generic/insn_marker.h tools/bench/bench.mk
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOST_CC) -std=c11 $(WARN) -O2 -shared -fPIC -fvisibility=hidden -I. $< -o $@
