/*
 * kernel.c - what the kernel can do, asked once, before compiling.
 *
 * The code ply generates depends on the kernel it will run on: the
 * BPF ring buffer (5.8) or per-CPU perf buffers for output, comm read
 * in place from task_struct where BTF says where it is (5.11) or the
 * helper, one kprobe_multi link for a glob (5.18, CONFIG_FPROBE) or a
 * kprobe per function.  main.c fills a struct kernel here, before
 * anything is compiled, and compile.c reads only that: for the
 * running kernel (kernel_probe: a few bpf() calls that load nothing
 * that stays), for the oldest kernel ply supports (kernel_baseline,
 * the dry run's default), or for a kernel described on the command
 * line (kernel_describe, --kernel=5.10,+ringbuf), which lets the
 * golden tests pin the code of every fallback on any machine.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ply.h"
#include "bpf_insn.h"

#define KV(a, b) ((a) << 8 | (b))	/* a release, as 5.10 -> 0x50a */
#define BTF_VMLINUX "/sys/kernel/btf/vmlinux"

/* ---------------------------------------------------------------- */
/* asking the running kernel                                        */

static bool have_ringbuf(void)
{
	int fd = bpf_map_create(NULL, BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* does a program of this type load that calls helper fn?  (the
 * verifier refuses helpers a kernel or a program type lacks) */
static bool have_helper(enum bpf_prog_type type, int fn)
{
	struct bpf_insn prog[] = {
		BPF_CALL_HELPER(fn),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	int fd = bpf_prog_load(type, 0, prog, ARRAY_SIZE(prog), NULL, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* our own comm, the 16 bytes at off in the task_struct, read in place
 * by a program run once (5.11: bpf_get_current_task_btf); 0 or -1 if
 * the kernel's programs can't read it */
static int read_own_comm(int off, char comm[16])
{
	uint32_t zero = 0;
	int mfd = bpf_map_create(NULL, BPF_MAP_TYPE_ARRAY, 4, 16, 1), pfd, err;
	struct bpf_insn prog[] = {
		BPF_CALL_HELPER(BPF_FUNC_get_current_task_btf),
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_0),
		BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0),
		BPF_LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, mfd),
		BPF_LD_IMM64_HI(0),
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 4),
		BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, off),
		BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),
		BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, off + 8),
		BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 8),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};

	if (mfd < 0)
		return -1;
	pfd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, prog,
			    ARRAY_SIZE(prog), NULL, 0);
	err = pfd < 0 || bpf_prog_test_run(pfd) ||
		bpf_map_lookup(mfd, &zero, comm) ? -1 : 0;
	if (pfd >= 0)
		close(pfd);
	close(mfd);
	return err;
}

/* where comm is in the task_struct, if the kernel's BTF says and its
 * programs can read it there.  Whether the kernel pads names with NULs
 * (5.17's strscpy_pad; strlcpy before left a longer old name's tail)
 * is asked too: ply names itself long, then short, and reads its comm */
static void probe_comm(struct kernel *k)
{
	static const char shorter[16] = "ply";
	char old[17] = "", got[16];
	int off, err;

	k->comm_off = -1;
	off = k->task_comm;
	if (off < 0)
		return;
	prctl(PR_GET_NAME, old);
	prctl(PR_SET_NAME, "ply-comm-probe.");
	prctl(PR_SET_NAME, shorter);
	err = read_own_comm(off, got);
	prctl(PR_SET_NAME, old);
	if (err)
		return;
	k->comm_off = off;
	k->comm_padded = !memcmp(got, shorter, sizeof(got));
	dbg("comm: task_struct.comm at %d (BTF)%s", off,
	    k->comm_padded ? ", padded" : "");
}

/* kprobe_multi links: a link to a function that doesn't exist is
 * ESRCH where the kernel has them, EOPNOTSUPP without CONFIG_FPROBE and
 * EINVAL before 5.18 */
static bool have_kprobe_multi(void)
{
	static const char *const bogus[] = { "ply_no_such_function" };
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	int fd, err;

	fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, prog,
			   ARRAY_SIZE(prog), NULL, 0);
	if (fd < 0)
		return false;
	err = bpf_link_kprobe_multi(fd, bogus, 1, false);
	if (err >= 0)
		close(err);
	close(fd);
	dbg("kprobe_multi links: %s (%s)",
	    err == -ESRCH || err == -ENOENT ? "yes" : "no",
	    strerror(err < 0 ? -err : 0));
	return err == -ESRCH || err == -ENOENT;
}

static int read_int(const char *path, int *v)
{
	char buf[64];
	FILE *fp = fopen(path, "re");
	bool ok;

	if (!fp)
		return -1;
	ok = fgets(buf, sizeof(buf), fp) != NULL;
	fclose(fp);
	if (!ok)
		return -1;
	/* "6", or "config:9" in a PMU's format folder */
	*v = atoi(buf + strcspn(buf, "0123456789"));
	return 0;
}

/* the perf PMU for kprobes (4.17) and its retprobe bit */
static void probe_kprobe_pmu(struct kernel *k)
{
	k->kprobe_pmu = !read_int("/sys/bus/event_source/devices/kprobe/type",
				  &k->kprobe_type);
	if (read_int("/sys/bus/event_source/devices/kprobe/format/retprobe",
		     &k->kprobe_retbit))
		k->kprobe_retbit = 0;
}

void kernel_probe(struct kernel *k)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct utsname u;

	/* before 5.11 a map's memory is charged to RLIMIT_MEMLOCK (64 kB
	 * by default on many systems): first, for the probes' maps too */
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		dbg("can't raise RLIMIT_MEMLOCK: %s", strerror(errno));

	kernel_baseline(k, arch_native);
	/* a 32-bit ply may run on a 64-bit kernel: pt_regs are its */
	if (!uname(&u) && arch_find_order(u.machine, arch_native->big_endian))
		k->arch = arch_find_order(u.machine, arch_native->big_endian);
	k->live = true;
	k->page_size = (int)getpagesize();
	k->ringbuf = have_ringbuf();
	probe_comm(k);
	k->func_ip = have_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_func_ip);
	k->kprobe_multi = k->func_ip && have_kprobe_multi();
	probe_kprobe_pmu(k);
	k->tracefs = tracefs_lookup(true);
	k->tracefs_err = k->tracefs ? 0 : errno;
}

/* ---------------------------------------------------------------- */
/* describing another kernel                                        */

void kernel_baseline(struct kernel *k, const struct arch *a)
{
	memset(k, 0, sizeof(*k));
	k->arch = a;
	k->here = a == arch_native;
	k->page_size = 4096;
	k->comm_off = -1;
	k->task_comm = k->task_parent = k->task_tgid = -1;
	k->ncpus = 1;
	if (k->here) {		/* files to read, not the kernel to ask */
		int cpus[1024];

		k->ncpus = cpus_online(cpus, 1024);
		if (k->ncpus < 1)
			k->ncpus = 1;
		k->task_comm = btf_member_offset(BTF_VMLINUX, "task_struct",
						 "comm");
		k->task_parent = btf_member_offset(BTF_VMLINUX, "task_struct",
						   "real_parent");
		k->task_tgid = btf_member_offset(BTF_VMLINUX, "task_struct",
						 "tgid");
	}
	k->kprobe_pmu = true;	/* 4.17, older than anything else we need */
	k->tracefs = tracefs_lookup(false);
	k->tracefs_err = k->tracefs ? 0 : errno;
}

/* the features a release has whatever its configuration */
static void kernel_release(struct kernel *k, int v)
{
	k->ringbuf = v >= KV(5, 8);
	k->func_ip = v >= KV(5, 15);
	k->comm_padded = v >= KV(5, 17);
	k->kprobe_pmu = v >= KV(4, 17);
	if (v < KV(5, 18))
		k->kprobe_multi = false;
	if (v < KV(5, 11))
		k->comm_off = -1;
}

/* one item of a description; false if unknown */
static bool kernel_item(struct kernel *k, const char *item)
{
	bool on = *item != '-';
	unsigned a, b;
	char *end;

	if (*item == '+' || *item == '-')
		item++;
	/* "5.10" (sscanf would cost a static binary 10 kB) */
	a = (unsigned)strtoul(item, &end, 10);
	b = *end == '.' && end > item ? (unsigned)strtoul(end + 1, &end, 10) :
		256;
	while (*end == '.' || (*end >= '0' && *end <= '9'))	/* 5.10.1 */
		end++;
	if (!*end && a < 256 && b < 256) {
		kernel_release(k, KV(a, b));
	} else if (!strcmp(item, "ringbuf")) {
		k->ringbuf = on;
	} else if (!strcmp(item, "func_ip")) {
		k->func_ip = on;
	} else if (!strcmp(item, "kprobe_multi")) {
		k->kprobe_multi = on;
		k->func_ip |= on;
	} else if (!strcmp(item, "kprobe_pmu")) {
		k->kprobe_pmu = on;
	} else if (!strcmp(item, "padded")) {
		k->comm_padded = on;
	} else if (!strncmp(item, "comm=", 5) && on) {
		k->comm_off = (int)strtol(item + 5, &end, 0);
		return !*end && item[5] && k->comm_off >= 0;
	} else if (!strcmp(item, "comm") && !on) {
		k->comm_off = -1;
	} else if (!strcmp(item, "host") && on) {
		struct kernel host;

		kernel_probe(&host);
		host.arch = k->arch;	/* --arch still counts */
		host.live = false;
		*k = host;
	} else {
		return false;
	}
	return true;
}

int kernel_describe(struct kernel *k, const char *desc)
{
	char *copy = xstrdup(desc), *item, *save;
	int err = 0;

	for (item = strtok_r(copy, ",", &save); item && !err;
	     item = strtok_r(NULL, ",", &save)) {
		if (kernel_item(k, item))
			continue;
		err_msg("--kernel: unknown '%s' (a release such as 5.10, "
			"host, or [+-]ringbuf, func_ip, kprobe_multi, "
			"kprobe_pmu, padded, comm=OFFSET, -comm)", item);
		err = -1;
	}
	xfree(copy);
	return err;
}

/* ---------------------------------------------------------------- */
/* -T                                                               */

void kernel_report(const struct kernel *k, FILE *fp)
{
	static const char *const yes = "ok  ", *const no = "no  ";

	fprintf(fp, "%s BPF ring buffer (Linux 5.8)%s\n", k->ringbuf ? yes : no,
		k->ringbuf ? "" : ": output goes through per-CPU perf buffers");
	if (k->comm_off >= 0)
		fprintf(fp, "%s comm read in place: task_struct.comm at %d "
			"(BTF, Linux 5.11)\n", yes, k->comm_off);
	else
		fprintf(fp, "%s comm read in place (BTF, Linux 5.11): comm "
			"comes from the bpf_get_current_comm() helper\n", no);
	fprintf(fp, "%s kprobe PMU (Linux 4.17)%s\n", k->kprobe_pmu ? yes : no,
		k->kprobe_pmu ? "" : ": kprobes go through kprobe_events "
		"(removed at exit)");
	fprintf(fp, "%s kprobe_multi links (Linux 5.18, CONFIG_FPROBE)%s\n",
		k->kprobe_multi ? yes : no, k->kprobe_multi ? "" :
		": a glob gets a kprobe per function");
	fflush(fp);
}
