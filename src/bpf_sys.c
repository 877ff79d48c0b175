/*
 * bpf_sys.c - bpf(2) and perf_event_open(2).
 *
 * The thin layer between the compiled script and the kernel: codegen
 * and bpf_asm.c produce instructions, this file creates the maps they
 * reference, loads the programs, and opens the perf events that the
 * providers attach them to.  perf_ring.c and output.c use the map
 * accessors to read results back.
 *
 * Every function returns an fd or 0 on success and -errno on failure;
 * nothing here prints.  Each bpf_attr is zeroed with memset before its
 * fields are set: the kernel rejects unknown non-zero tail bytes, and
 * designated initialisers on a union do not promise to zero them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ply.h"

/* the kernel's layout (include/uapi/linux/bpf.h) */
_Static_assert(offsetof(union bpf_attr, expected_attach_type) == 68,
	       "bpf_attr: expected_attach_type");
_Static_assert(offsetof(union bpf_attr, link_create.kprobe_multi.syms) == 24,
	       "bpf_attr: link_create.kprobe_multi.syms");
_Static_assert(offsetof(union bpf_attr, test.ctx_out) == 56,
	       "bpf_attr: test.ctx_out");
_Static_assert(offsetof(union bpf_attr, func_info) == 80,
	       "bpf_attr: func_info");

/* libc knows the syscall numbers of the host; the arch table is the
 * fallback for libcs whose headers predate bpf(2) */
static long sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	long r;

#ifdef __NR_bpf
	r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
#else
	r = syscall(arch_native->nr_bpf, cmd, attr, sizeof(*attr));
#endif
	return r < 0 ? -errno : r;
}

void perf_attr_init(struct perf_event_attr *attr, uint32_t type,
		    uint64_t config)
{
	memset(attr, 0, sizeof(*attr));
	attr->type = type;
	attr->size = sizeof(*attr);
	attr->config = config;
	attr->sample_period = 1;
	attr->wakeup_events = 1;
}

int perf_event_open(struct perf_event_attr *attr, int pid, int cpu,
		    int group_fd, unsigned long flags)
{
	long r;

	if (!attr->size)
		attr->size = sizeof(*attr);
	flags |= PERF_FLAG_FD_CLOEXEC;
#ifdef __NR_perf_event_open
	r = syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, flags);
#else
	r = syscall(arch_native->nr_perf_event_open, attr, pid, cpu, group_fd,
		    flags);
#endif
	return r < 0 ? -errno : (int)r;
}

/*
 * Releasing a probe waits for the kernel: unregister_kprobe() and the
 * tracepoint's unregistration each wait for an RCU grace period (tens of
 * ms, and far more under emulation), so closing 500 kprobes one after
 * the other takes tens of seconds.  Grace periods that are waited for
 * at the same time are shared: up to CLOSERS processes that share our
 * fd table (clone with CLONE_FILES, like fork otherwise) close a share
 * each.  Raw clone, as the libcs' clone() wants a stack: with flags and
 * zeros only, the argument order (which differs by architecture) does
 * not matter, except on s390, where the stack comes first.
 */
#define CLOSERS 16

static long clone_files(void)
{
#if defined(__s390__) || defined(__CRIS__)
	return syscall(SYS_clone, 0, CLONE_FILES | SIGCHLD, 0, 0, 0);
#else
	return syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
#endif
}

void perf_close_all(int *fds, int n)
{
	pid_t pids[CLOSERS];
	int k = n / 8 < CLOSERS ? n / 8 : CLOSERS, started = 0, i, j;

	for (j = 0; j < k; j++) {
		long pid = clone_files();

		if (pid < 0)
			break;
		if (pid == 0) {		/* closer j: every k-th, from j */
			for (i = j; i < n; i += k)
				if (fds[i] >= 0)
					close(fds[i]);
			_exit(0);
		}
		pids[started++] = pid;
	}
	for (j = 0; j < started; j++)
		while (waitpid(pids[j], NULL, 0) < 0 && errno == EINTR)
			;
	/* the shares no closer took: all of them for a few fds */
	for (i = 0; i < n; i++) {
		if (fds[i] >= 0 && (k == 0 || i % k >= started))
			close(fds[i]);
		fds[i] = -1;
	}
}

/* "@" -> "at", "@reads" -> "at_reads", anything else not [A-Za-z0-9_]
 * -> '_'; the kernel takes at most 15 characters */
static void map_name(char out[16], const char *name)
{
	int n = 0;

	if (*name == '@') {
		memcpy(out, "at", 2);
		n = 2;
		if (*++name)
			out[n++] = '_';
	}
	for (; *name && n < 15; name++)
		out[n++] = isalnum((unsigned char)*name) ? *name : '_';
	out[n] = '\0';
}

int bpf_map_create(struct map *m, enum bpf_map_type type, int key_size,
		   int value_size, int max_entries)
{
	union bpf_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	if (m && m->name)
		map_name(attr.map_name, m->name);

	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd == -EINVAL && attr.map_name[0]) {
		/* kernels before 4.15 have no map names */
		memset(attr.map_name, 0, sizeof(attr.map_name));
		fd = sys_bpf(BPF_MAP_CREATE, &attr);
	}
	if (m && fd >= 0)
		m->fd = fd;
	return fd;
}

static int map_elem(enum bpf_cmd cmd, int fd, const void *key, void *val,
		    uint64_t flags)
{
	union bpf_attr attr;
	long r;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (uintptr_t)key;
	attr.value = (uintptr_t)val;
	attr.flags = flags;
	r = sys_bpf(cmd, &attr);
	return r < 0 ? (int)r : 0;
}

int bpf_map_lookup(int fd, const void *key, void *val)
{
	return map_elem(BPF_MAP_LOOKUP_ELEM, fd, key, val, 0);
}

int bpf_map_update(int fd, const void *key, const void *val, uint64_t flags)
{
	return map_elem(BPF_MAP_UPDATE_ELEM, fd, key, (void *)val, flags);
}

int bpf_map_delete(int fd, const void *key)
{
	return map_elem(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

/* key NULL: the first key */
int bpf_map_next_key(int fd, const void *key, void *next)
{
	return map_elem(BPF_MAP_GET_NEXT_KEY, fd, key, next, 0);
}

/* the running kernel's LINUX_VERSION_CODE; kprobe programs on kernels
 * before 5.0 must match it, and build headers may be from another one */
static uint32_t kern_version(void)
{
	struct utsname u;
	unsigned int maj = 0, min = 0, patch = 0;

	if (uname(&u) < 0)
		return 0;
	{
		char *p = u.release;

		maj = strtoul(p, &p, 10);
		if (*p == '.')
			min = strtoul(p + 1, &p, 10);
		if (*p == '.')
			patch = strtoul(p + 1, &p, 10);
	}
	if (patch > 255)
		patch = 255;
	return maj << 16 | min << 8 | patch;
}

/*
 * A program with subprograms (for-map loops' callbacks) must say in BTF
 * where each function starts: func_info.  The BTF is ours, the least
 * the verifier takes: an int, a prototype "int (void)" and a static
 * function of it per subprogram, named ply, ply_1 ...
 */
static int btf_funcs(int n)
{
	struct {
		struct btf_header h;
		uint32_t types[4 + 3 + 3 * 16];
		char strs[8 + 8 * 16];
	} b;
	uint32_t *t = b.types, slen = 1;
	union bpf_attr attr;
	int i;

	if (n < 1 || n > 16)
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	memcpy(b.strs + 1, "int", 4);
	slen += 4;
	/* [1] int: 4 bytes, signed, 32 bits */
	*t++ = slen - 4;
	*t++ = BTF_INFO(BTF_KIND_INT, 0);
	*t++ = 4;
	*t++ = BTF_INT_SIGNED << 24 | 32;
	/* [2] int (void) */
	*t++ = 0;
	*t++ = BTF_INFO(BTF_KIND_FUNC_PROTO, 0);
	*t++ = 1;
	/* [3 + i] static int ply_i(void) */
	for (i = 0; i < n; i++) {
		*t++ = slen;
		if (i)
			slen += (uint32_t)snprintf(b.strs + slen, 8, "ply_%d",
						   i) + 1;
		else
			slen += (uint32_t)snprintf(b.strs + slen, 8, "ply") + 1;
		*t++ = BTF_INFO(BTF_KIND_FUNC, 0);
		*t++ = 2;
	}
	b.h.magic = BTF_MAGIC;
	b.h.version = 1;
	b.h.hdr_len = sizeof(b.h);
	b.h.type_off = 0;
	b.h.type_len = (uint32_t)((char *)t - (char *)b.types);
	b.h.str_off = b.h.type_len;
	b.h.str_len = slen;
	memmove((char *)b.types + b.h.type_len, b.strs, slen);
	memset(&attr, 0, sizeof(attr));
	attr.btf_load.btf = (uintptr_t)&b;
	attr.btf_load.btf_size = sizeof(b.h) + b.h.type_len + slen;
	return (int)sys_bpf(BPF_BTF_LOAD, &attr);
}

int bpf_prog_load(enum bpf_prog_type type, int attach_type,
		  const struct bpf_insn *insn, int len, char *log, size_t logsz)
{
	return bpf_prog_load_funcs(type, attach_type, insn, len, NULL, 0, log,
				   logsz);
}

int bpf_prog_load_funcs(enum bpf_prog_type type, int attach_type,
			const struct bpf_insn *insn, int len,
			const int *funcs, int nfuncs, char *log, size_t logsz)
{
	struct bpf_func_info fi[16];
	union bpf_attr attr;
	long fd, err;
	int btf = -1, i;

	memset(&attr, 0, sizeof(attr));
	if (nfuncs > 0) {	/* the program itself, then its subprograms */
		if (nfuncs >= 16)
			return -E2BIG;
		btf = btf_funcs(nfuncs + 1);
		if (btf < 0)
			return btf;
		fi[0] = (struct bpf_func_info){ 0, 3 };
		for (i = 0; i < nfuncs; i++)
			fi[i + 1] = (struct bpf_func_info){ funcs[i], 4 + i };
		attr.prog_btf_fd = btf;
		attr.func_info_rec_size = sizeof(fi[0]);
		attr.func_info = (uintptr_t)fi;
		attr.func_info_cnt = nfuncs + 1;
	}
	attr.prog_type = type;
	attr.expected_attach_type = attach_type;
	attr.insn_cnt = len;
	attr.insns = (uintptr_t)insn;
	attr.license = (uintptr_t)"GPL";
	attr.kern_version = kern_version();
	memcpy(attr.prog_name, "ply", 4);

	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0 || !log || logsz < 128) {
		if (btf >= 0)
			close(btf);
		return fd;
	}

	/* again, with the verifier's reasons; its own error (ENOSPC for
	 * a short log) says less than the first one */
	err = fd;
	log[0] = '\0';
	attr.log_level = 1;
	attr.log_size = logsz > (1U << 30) ? (1U << 30) : logsz;
	attr.log_buf = (uintptr_t)log;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (btf >= 0)
		close(btf);
	if (fd >= 0)
		return fd;	/* flaky failure: keep the program */
	return err;
}

/* one link attaching a KPROBE_MULTI program to every function in
 * syms[0..n) (or their returns); the link's fd or -errno */
int bpf_link_kprobe_multi(int prog_fd, const char *const *syms, int n,
			  bool ret)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.attach_type = BPF_TRACE_KPROBE_MULTI;
	attr.link_create.kprobe_multi.flags =
		ret ? BPF_F_KPROBE_MULTI_RETURN : 0;
	attr.link_create.kprobe_multi.cnt = n;
	attr.link_create.kprobe_multi.syms = (uintptr_t)syms;
	return (int)sys_bpf(BPF_LINK_CREATE, &attr);
}

/* run a RAW_TRACEPOINT program once, with no context (BEGIN, END) */
int bpf_prog_test_run(int prog_fd)
{
	union bpf_attr attr;
	long r;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	r = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	return r < 0 ? (int)r : 0;
}

/* "0-3,6,8-9": the count of ids, the first max of them into cpus;
 * -errno if unreadable */
static int cpu_list(const char *path, int *cpus, int max)
{
	char buf[1024], *p = buf;
	int n = 0, a, b;
	FILE *fp = fopen(path, "re");

	if (!fp)
		return -errno;
	if (!fgets(buf, sizeof(buf), fp))
		buf[0] = '\0';
	fclose(fp);

	while (*p >= '0' && *p <= '9') {
		a = b = strtol(p, &p, 10);
		if (*p == '-')
			b = strtol(p + 1, &p, 10);
		for (; a <= b; a++, n++)
			if (cpus && n < max)
				cpus[n] = a;
		if (*p++ != ',')
			break;
	}
	return n ? n : -EINVAL;
}

/* per-CPU map values come one per possible CPU */
int ncpus_possible(void)
{
	static int n;

	if (!n)
		n = cpu_list("/sys/devices/system/cpu/possible", NULL, 0);
	return n;
}

int cpus_online(int *cpus, int max)
{
	int n = cpu_list("/sys/devices/system/cpu/online", cpus, max);

	return n < max ? n : max;
}
