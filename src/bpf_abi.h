/*
 * bpf_abi.h - the part of the kernel's BPF and perf ABI that ply uses.
 *
 * Defined here rather than taken from <linux/bpf.h> and
 * <linux/perf_event.h> so that the build does not depend on how new
 * the toolchain's kernel headers are (Buildroot and Yocto often ship
 * old ones).  Every value below is fixed kernel ABI; the layouts are
 * the prefixes of the kernel's structures that we fill in, and the
 * kernel accepts a shorter attr as long as the rest would be zero.
 */
#ifndef PLY_BPF_ABI_H
#define PLY_BPF_ABI_H

#include <stdint.h>
#include <sys/ioctl.h>

/* instruction classes */
#define BPF_LD		0x00
#define BPF_LDX		0x01
#define BPF_ST		0x02
#define BPF_STX		0x03
#define BPF_ALU		0x04
#define BPF_JMP		0x05
#define BPF_JMP32	0x06
#define BPF_ALU64	0x07
#define BPF_CLASS(code)	((code) & 0x07)

/* ld/ldx/st/stx sizes and modes */
#define BPF_W		0x00
#define BPF_H		0x08
#define BPF_B		0x10
#define BPF_DW		0x18
#define BPF_SIZE(code)	((code) & 0x18)
#define BPF_IMM		0x00
#define BPF_MEM		0x60
#define BPF_ATOMIC	0xc0
#define BPF_MODE(code)	((code) & 0xe0)

/* alu and jmp operations */
#define BPF_ADD		0x00
#define BPF_SUB		0x10
#define BPF_MUL		0x20
#define BPF_DIV		0x30
#define BPF_OR		0x40
#define BPF_AND		0x50
#define BPF_LSH		0x60
#define BPF_RSH		0x70
#define BPF_NEG		0x80
#define BPF_MOD		0x90
#define BPF_XOR		0xa0
#define BPF_MOV		0xb0
#define BPF_ARSH	0xc0
#define BPF_END		0xd0
#define BPF_TO_LE	0x00	/* with BPF_END: the byte order wanted */
#define BPF_TO_BE	0x08
#define BPF_OP(code)	((code) & 0xf0)

#define BPF_JA		0x00
#define BPF_JEQ		0x10
#define BPF_JGT		0x20
#define BPF_JGE		0x30
#define BPF_JSET	0x40
#define BPF_JNE		0x50
#define BPF_JSGT	0x60
#define BPF_JSGE	0x70
#define BPF_CALL	0x80
#define BPF_EXIT	0x90
#define BPF_JLT		0xa0
#define BPF_JLE		0xb0
#define BPF_JSLT	0xc0
#define BPF_JSLE	0xd0

#define BPF_K		0x00
#define BPF_X		0x08
#define BPF_SRC(code)	((code) & 0x08)

#define BPF_PSEUDO_MAP_FD	1
#define BPF_PSEUDO_MAP_VALUE	2
#define BPF_PSEUDO_FUNC		4	/* ld_imm64 of a subprogram (a callback) */

enum {
	BPF_REG_0 = 0, BPF_REG_1, BPF_REG_2, BPF_REG_3, BPF_REG_4,
	BPF_REG_5, BPF_REG_6, BPF_REG_7, BPF_REG_8, BPF_REG_9, BPF_REG_10,
};
#define MAX_BPF_STACK	512

struct bpf_insn {
	uint8_t code;
	uint8_t dst_reg:4;
	uint8_t src_reg:4;
	int16_t off;
	int32_t imm;
};

/* bpf(2) commands */
enum bpf_cmd {
	BPF_MAP_CREATE = 0,
	BPF_MAP_LOOKUP_ELEM = 1,
	BPF_MAP_UPDATE_ELEM = 2,
	BPF_MAP_DELETE_ELEM = 3,
	BPF_MAP_GET_NEXT_KEY = 4,
	BPF_PROG_LOAD = 5,
	BPF_PROG_TEST_RUN = 10,
	BPF_BTF_LOAD = 18,
	BPF_LINK_CREATE = 28,
};

/* BTF, as much as a program's func_info needs (include/uapi/linux/btf.h):
 * the header, then types (struct btf_type, 12 bytes, and a kind's own
 * words after it), then the names */
#define BTF_MAGIC	0xeB9F
enum {
	BTF_KIND_INT = 1, BTF_KIND_ARRAY = 3, BTF_KIND_STRUCT = 4,
	BTF_KIND_UNION = 5, BTF_KIND_ENUM = 6, BTF_KIND_FUNC = 12,
	BTF_KIND_FUNC_PROTO = 13, BTF_KIND_VAR = 14, BTF_KIND_DATASEC = 15,
	BTF_KIND_DECL_TAG = 17, BTF_KIND_ENUM64 = 19,
};
#define BTF_INFO(kind, vlen)	((uint32_t)(kind) << 24 | (vlen))
#define BTF_INT_SIGNED	1	/* an int's encoding, in its own word */
struct btf_header {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t type_off, type_len;	/* from the end of the header */
	uint32_t str_off, str_len;
};
struct bpf_func_info {
	uint32_t insn_off;
	uint32_t type_id;
};

/* expected_attach_type / link_create.attach_type */
enum bpf_attach_type {
	BPF_TRACE_KPROBE_MULTI = 42,	/* 5.18, CONFIG_FPROBE */
};
#define BPF_F_KPROBE_MULTI_RETURN	(1U << 0)

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_STACK_TRACE = 7,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum bpf_prog_type {
	BPF_PROG_TYPE_KPROBE = 2,
	BPF_PROG_TYPE_TRACEPOINT = 5,
	BPF_PROG_TYPE_PERF_EVENT = 7,
	BPF_PROG_TYPE_RAW_TRACEPOINT = 17,
};

/* map update flags */
#define BPF_ANY		0
#define BPF_NOEXIST	1
#define BPF_EXIST	2

#define BPF_F_CURRENT_CPU	0xffffffffULL
#define BPF_F_USER_STACK	(1U << 8)
#define BPF_F_FAST_STACK_CMP	(1U << 9)

/* helper function ids */
enum bpf_func_id {
	BPF_FUNC_map_lookup_elem = 1,
	BPF_FUNC_map_update_elem = 2,
	BPF_FUNC_map_delete_elem = 3,
	BPF_FUNC_probe_read = 4,
	BPF_FUNC_ktime_get_ns = 5,
	BPF_FUNC_get_prandom_u32 = 7,
	BPF_FUNC_get_smp_processor_id = 8,
	BPF_FUNC_get_current_pid_tgid = 14,
	BPF_FUNC_get_current_uid_gid = 15,
	BPF_FUNC_get_current_comm = 16,
	BPF_FUNC_perf_event_output = 25,
	BPF_FUNC_get_stackid = 27,
	BPF_FUNC_get_current_task = 35,
	BPF_FUNC_get_numa_node_id = 42,
	BPF_FUNC_probe_read_str = 45,
	BPF_FUNC_get_current_cgroup_id = 80,
	BPF_FUNC_send_signal = 109,
	BPF_FUNC_probe_read_user = 112,
	BPF_FUNC_probe_read_kernel = 113,
	BPF_FUNC_probe_read_user_str = 114,
	BPF_FUNC_probe_read_kernel_str = 115,
	BPF_FUNC_jiffies64 = 118,
	BPF_FUNC_ringbuf_output = 130,
	BPF_FUNC_get_current_task_btf = 158,	/* 5.11 */
	BPF_FUNC_for_each_map_elem = 164,	/* 5.13 */
	BPF_FUNC_get_func_ip = 173,		/* kprobes: 5.15 */
};

/* The union bpf_attr members we use, laid out as in the kernel. */
union bpf_attr {
	struct {			/* BPF_MAP_CREATE */
		uint32_t map_type;
		uint32_t key_size;
		uint32_t value_size;
		uint32_t max_entries;
		uint32_t map_flags;
		uint32_t inner_map_fd;
		uint32_t numa_node;
		char map_name[16];
	};
	struct {			/* BPF_MAP_*_ELEM, GET_NEXT_KEY */
		uint32_t map_fd;
		uint64_t key __attribute__((aligned(8)));
		union {
			uint64_t value;
			uint64_t next_key;
		};
		uint64_t flags;
	};
	struct {			/* BPF_PROG_LOAD */
		uint32_t prog_type;
		uint32_t insn_cnt;
		uint64_t insns __attribute__((aligned(8)));
		uint64_t license;
		uint32_t log_level;
		uint32_t log_size;
		uint64_t log_buf;
		uint32_t kern_version;
		uint32_t prog_flags;
		char prog_name[16];
		uint32_t prog_ifindex;
		uint32_t expected_attach_type;
		uint32_t prog_btf_fd;
		uint32_t func_info_rec_size;
		uint64_t func_info;	/* struct bpf_func_info[] */
		uint32_t func_info_cnt;
	};
	struct {			/* BPF_BTF_LOAD */
		uint64_t btf;
		uint64_t btf_log_buf;
		uint32_t btf_size;
		uint32_t btf_log_size;
		uint32_t btf_log_level;
	} btf_load;
	struct {			/* BPF_LINK_CREATE */
		uint32_t prog_fd;
		uint32_t target_fd;
		uint32_t attach_type;
		uint32_t flags;
		struct {
			uint32_t flags;
			uint32_t cnt;
			uint64_t syms;	/* const char ** */
			uint64_t addrs;
			uint64_t cookies;
		} kprobe_multi;
	} link_create;
	struct {			/* BPF_PROG_TEST_RUN */
		uint32_t prog_fd;
		uint32_t retval;
		uint32_t data_size_in;
		uint32_t data_size_out;
		uint64_t data_in __attribute__((aligned(8)));
		uint64_t data_out;
		uint32_t repeat;
		uint32_t duration;
		uint32_t ctx_size_in;
		uint32_t ctx_size_out;
		uint64_t ctx_in;
		uint64_t ctx_out;
		uint32_t flags;
		uint32_t cpu;
	} test;
	uint8_t pad[128];	/* the kernel's attr is larger; the rest is 0 */
} __attribute__((aligned(8)));

/* perf_event_open(2) */
enum perf_type_id {
	PERF_TYPE_HARDWARE = 0,
	PERF_TYPE_SOFTWARE = 1,
	PERF_TYPE_TRACEPOINT = 2,
};

enum perf_sw_ids {
	PERF_COUNT_SW_CPU_CLOCK = 0,
	PERF_COUNT_SW_BPF_OUTPUT = 10,
};

#define PERF_SAMPLE_RAW		(1U << 10)
#define PERF_FLAG_FD_CLOEXEC	(1UL << 3)

struct perf_event_attr {
	uint32_t type;
	uint32_t size;
	uint64_t config;
	union {
		uint64_t sample_period;
		uint64_t sample_freq;
	};
	uint64_t sample_type;
	uint64_t read_format;
	uint64_t flags;		/* disabled:1, inherit:1, ..., freq:1 (bit 10) */
	union {
		uint32_t wakeup_events;
		uint32_t wakeup_watermark;
	};
	uint32_t bp_type;
	union {
		uint64_t bp_addr;
		uint64_t kprobe_func;	/* for the kprobe PMU */
		uint64_t config1;
	};
	union {
		uint64_t bp_len;
		uint64_t kprobe_addr;
		uint64_t probe_offset;
		uint64_t config2;
	};
};
#define PERF_ATTR_SIZE_VER1	72
/* The flags are C bitfields of a u64 in the kernel's struct: bit n
 * counts from the least significant end on a little-endian machine and
 * from the most significant one on a big-endian machine. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PERF_ATTR_FLAG(n)		(1ULL << (63 - (n)))
#else
#define PERF_ATTR_FLAG(n)		(1ULL << (n))
#endif
#define PERF_ATTR_FLAG_DISABLED		PERF_ATTR_FLAG(0)
#define PERF_ATTR_FLAG_FREQ		PERF_ATTR_FLAG(10)
#define PERF_ATTR_FLAG_WATERMARK	PERF_ATTR_FLAG(14)

/* _IO/_IOW from libc: the direction bits differ on mips and powerpc */
#define PERF_EVENT_IOC_ENABLE	_IO('$', 0)
#define PERF_EVENT_IOC_DISABLE	_IO('$', 1)
#define PERF_EVENT_IOC_SET_BPF	_IOW('$', 8, uint32_t)

/* The head of the mmapped ring; data_head at offset 1024. */
struct perf_event_mmap_page {
	uint32_t version;
	uint32_t compat_version;
	uint8_t reserved[1024 - 8];
	uint64_t data_head;
	uint64_t data_tail;
	uint64_t data_offset;
	uint64_t data_size;
};

struct perf_event_header {
	uint32_t type;
	uint16_t misc;
	uint16_t size;
};

enum perf_event_type {
	PERF_RECORD_LOST = 2,
	PERF_RECORD_SAMPLE = 9,
};

/* BPF ring buffer (5.8): a record's 8-byte header, then its data */
#define BPF_RINGBUF_BUSY_BIT	(1U << 31)
#define BPF_RINGBUF_DISCARD_BIT	(1U << 30)
#define BPF_RINGBUF_HDR_SZ	8

#endif
