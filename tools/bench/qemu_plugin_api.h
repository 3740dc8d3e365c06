/*
 * tools/bench/qemu_plugin_api.h - the part of QEMU's TCG plugin interface
 * that tools/bench/insn_count.c uses, declared for QEMU 7.2.
 *
 * QEMU does not install its plugin header (qemu-plugin.h) on Debian 12 and
 * no package ships it, so this file declares, in our own words, the 7.2
 * plugin ABI (plugin API version 1; QEMU 7.2 accepts versions 0..1) for
 * only the functions and types the plugin calls.  Sources of the facts:
 * QEMU 7.2's include/qemu/qemu-plugin.h and docs/devel/tcg-plugins.rst;
 * the function names were checked against Debian's binaries
 * (nm -D /usr/bin/qemu-system-aarch64 | grep qemu_plugin).
 *
 * The ABI as 7.2 has it:
 *   - QEMU dlopen()s the plugin, refuses it unless it exports an int
 *     `qemu_plugin_version` within QEMU's range, then calls its exported
 *     qemu_plugin_install(); a non-zero return refuses the plugin.
 *   - Each "-plugin FILE,key=value,..." pair reaches install() as one
 *     argv string "key=value".
 *   - The plugin calls back into the QEMU executable, whose dynamic
 *     symbol table exports the qemu_plugin_* functions below; the .so is
 *     linked with unresolved references to them.
 *   - Enums are passed as C enums (int-sized on every host QEMU supports).
 *   - Instruction and block handles are valid only during the translation
 *     callback that produced them.
 *
 * Later QEMU releases (8.2/9.0 on) raised the API version and added
 * per-vCPU scoreboards; nothing here relies on them.
 */
#ifndef ORDO_TOOLS_BENCH_QEMU_PLUGIN_API_H
#define ORDO_TOOLS_BENCH_QEMU_PLUGIN_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The API version this plugin is written against (QEMU 7.2's current). */
#define QEMU_PLUGIN_VERSION 1

/* For the two symbols QEMU looks up by name. */
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

/* QEMU's handle for one loaded plugin. */
typedef uint64_t qemu_plugin_id_t;

/*
 * What QEMU tells install() about the guest.  Only valid during the call.
 * The field order and types are the 7.2 layout, which must match exactly:
 * target name, the API version range, system vs user mode, then (system
 * mode only) the vCPU counts, in an anonymous union.
 */
typedef struct qemu_info_t {
	const char *target_name; /* "aarch64", "riscv64", "x86_64", ... */
	struct {
		int min; /* oldest plugin API version QEMU still loads */
		int cur; /* the API version QEMU implements */
	} version;
	bool system_emulation; /* false under qemu-<arch> (user mode) */
	union {
		struct {
			int smp_vcpus; /* vCPUs at start (-smp N) */
			int max_vcpus; /* -smp maxcpus= */
		} system;
	};
} qemu_info_t;

/* The layout (LP64 and ILP32 alike), so a mistake here fails the build. */
_Static_assert(offsetof(qemu_info_t, version) == sizeof(void *), "qemu_info_t.version");
_Static_assert(offsetof(qemu_info_t, system_emulation) == sizeof(void *) + 2 * sizeof(int),
	       "qemu_info_t.system_emulation");
_Static_assert(offsetof(qemu_info_t, system.smp_vcpus) == sizeof(void *) + 3 * sizeof(int),
	       "qemu_info_t.system");

/* Opaque handles passed to the translation callback. */
struct qemu_plugin_tb;
struct qemu_plugin_insn;

/* Whether an execution callback reads/writes guest registers (7.2: unused). */
enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS = 0,
	QEMU_PLUGIN_CB_R_REGS = 1,
	QEMU_PLUGIN_CB_RW_REGS = 2,
};

/* The one inline operation 7.2 has: *(uint64_t *)ptr += imm, not atomic. */
enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64 = 0,
};

/* Called at translation time with each new translation block. */
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
/* Called at execution time, on the executing vCPU's thread. */
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
/* Called once, as QEMU exits. */
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

/* Exported by the plugin. */
extern QEMU_PLUGIN_EXPORT int qemu_plugin_version;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv);

/* Exported by QEMU. */
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);

size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
/* Guest virtual address of the block's first instruction. */
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
/* Run cb each time the whole block is about to execute. */
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags, void *userdata);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
/* The instruction's bytes as fetched from guest memory, and how many. */
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

/* Run cb each time the instruction is about to execute. */
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);
/* Apply op to *ptr each time the instruction is about to execute. */
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
						enum qemu_plugin_op op, void *ptr, uint64_t imm);

#endif
