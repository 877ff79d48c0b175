/*
 * test/runtime_test.c - the runtime against the running kernel.
 *
 * Exercises bpf_sys.c, perf_ring.c, tracefs.c, ksyms.c and the
 * providers for real: maps, hand-assembled programs, the perf ring
 * (wrapped and lost records), tracepoint, profile and interval events,
 * BEGIN's test run, tracepoint formats and kernel symbols.  Needs root
 * and a kernel with BPF; prints PASS/FAIL per check and a summary.
 *
 *   cc -std=gnu11 -Isrc -o runtime_test test/runtime_test.c \
 *	src/bpf_sys.c src/perf_ring.c src/tracefs.c src/ksyms.c \
 *	src/provider/provider.c src/provider/tracepoint.c \
 *	src/provider/profile.c src/provider/interval.c \
 *	src/provider/special.c src/type.c src/diag.c src/util.c
 *   sudo ./runtime_test
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ply.h"
#include "bpf_insn.h"

/* not <sys/wait.h>: its idtype_t has a FMT_PID too, like enum printer */
pid_t waitpid(pid_t pid, int *status, int options);

/* parse.c brings the lexer with it; the providers need only this */
__attribute__((weak)) struct node *node_new(enum node_kind kind,
					    struct loc loc)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->loc = loc;
	return n;
}

static int npass, nfail;

static void check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	if (ok)
		npass++;
	else
		nfail++;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* a probe as sema would hand it to a provider */
static struct probe *probe_new(const struct provider *prov, const char *arg)
{
	struct probe *pb = xcalloc(1, sizeof(*pb));

	pb->ast = node_new(N_PROBE, (struct loc){ 0, 0, 0 });
	pb->prov = prov;
	pb->arg = arg;
	pb->spec = xasprintf("%s:%s", prov->name, arg);
	pb->prog_fd = -1;
	return pb;
}

/* stderr of fn, as a string */
static char *capture_stderr(int (*fn)(struct probe *, bool),
			    struct probe *pb, int *ret)
{
	static char buf[4096];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	*ret = fn(pb, false);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

static void test_cpus(void)
{
	int cpus[64], n = cpus_online(cpus, 64);

	check(ncpus_possible() >= 1, "ncpus_possible >= 1");
	check(n >= 1 && cpus[0] >= 0, "cpus_online lists a CPU");
	printf("      %d possible, %d online\n", ncpus_possible(), n);
}

/* BPF_OBJ_GET_INFO_BY_FD (15), which ply itself never needs: attr is
 * { u32 bpf_fd; u32 info_len; u64 info; } */
static int obj_info(int fd, void *info, uint32_t len)
{
	uint64_t attr[16];

	memset(attr, 0, sizeof(attr));
	memset(info, 0, len);
	attr[0] = (uint32_t)fd | (uint64_t)len << 32;
	attr[1] = (uintptr_t)info;
	return syscall(SYS_bpf, 15, attr, sizeof(attr));
}

/* bpf_map_info.name is at offset 24, bpf_prog_info.name at 64 */
static bool obj_named(int fd, int off, const char *want)
{
	char info[128];

	return !obj_info(fd, info, sizeof(info)) &&
	       !strncmp(info + off, want, 16);
}

static void test_names(void)
{
	struct map m1 = { .name = "@", .fd = -1 };
	struct map m2 = { .name = "@reads", .fd = -1 };
	struct map m3 = { .name = "a.very-long:map_name", .fd = -1 };
	struct bpf_insn ok[] = { BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN() };
	int prog;

	bpf_map_create(&m1, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	bpf_map_create(&m2, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	bpf_map_create(&m3, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	check(obj_named(m1.fd, 24, "at"), "map @ is named at");
	check(obj_named(m2.fd, 24, "at_reads"), "map @reads is named at_reads");
	check(obj_named(m3.fd, 24, "a_very_long_map"),
	      "long names are sanitised and cut to 15");
	prog = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, ok, 2, NULL, 0);
	check(prog >= 0 && obj_named(prog, 64, "ply"),
	      "programs are named ply");
	close(m1.fd);
	close(m2.fd);
	close(m3.fd);
	close(prog);
}

static void test_hash_map(void)
{
	struct map m = { .name = "@reads", .fd = -1 };
	uint32_t k = 7, k2 = 9, next;
	uint64_t v = 42, out = 0;
	int fd = bpf_map_create(&m, BPF_MAP_TYPE_HASH, 4, 8, 16);

	check(fd >= 0 && m.fd == fd, "hash map created, fd stored");
	check(!bpf_map_update(fd, &k, &v, BPF_ANY), "map update");
	check(!bpf_map_lookup(fd, &k, &out) && out == 42, "map lookup");
	check(bpf_map_update(fd, &k, &v, BPF_NOEXIST) == -EEXIST,
	      "update NOEXIST of a present key is -EEXIST");
	check(!bpf_map_next_key(fd, NULL, &next) && next == 7,
	      "next_key from NULL is the first key");
	check(bpf_map_next_key(fd, &k, &next) == -ENOENT,
	      "next_key after the last key is -ENOENT");
	check(!bpf_map_delete(fd, &k), "map delete");
	check(bpf_map_lookup(fd, &k, &out) == -ENOENT,
	      "lookup after delete is -ENOENT");
	check(bpf_map_delete(fd, &k2) == -ENOENT, "delete absent is -ENOENT");
	close(fd);
}

static void test_prog_log(void)
{
	/* exit without setting r0: the verifier refuses */
	struct bpf_insn bad[] = { BPF_EXIT_INSN() };
	static char log[65536];
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, bad, 1, log,
			   sizeof(log));
	check(fd == -EACCES || fd == -EINVAL, "invalid program refused");
	check(strstr(log, "R0") != NULL, "verifier log returned");
	printf("      log: %.*s\n", (int)strcspn(log, "\n"), log);
}

/* r0 = ++counter[0] style program for a one-element array map */
static int counter_prog(enum bpf_prog_type type, int map_fd)
{
	struct bpf_insn insn[] = {
		BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0),	/* key = 0 */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),	/* r2 = &key */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		BPF_LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, map_fd),
		BPF_LD_IMM64_HI(0),
		BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),	/* if !val goto out */
		BPF_MOV64_IMM(BPF_REG_1, 1),
		/* lock *(u64 *)(r0 + 0) += r1 */
		BPF_RAW_INSN(BPF_STX | BPF_DW | BPF_ATOMIC, BPF_REG_0,
			     BPF_REG_1, 0, BPF_ADD),
		BPF_MOV64_IMM(BPF_REG_0, 0),		/* out: return 0 */
		BPF_EXIT_INSN(),
	};
	static char log[65536];
	int fd = bpf_prog_load(type, insn, ARRAY_SIZE(insn), log,
			       sizeof(log));

	if (fd < 0)
		printf("      load: %s\n%s", strerror(-fd), log);
	return fd;
}

static uint64_t counter_read(int map_fd)
{
	uint32_t k = 0;
	uint64_t v = 0;

	bpf_map_lookup(map_fd, &k, &v);
	return v;
}

static void test_begin(void)
{
	int map = bpf_map_create(NULL, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	int prog = counter_prog(BPF_PROG_TYPE_RAW_TRACEPOINT, map);
	struct probe *pb = probe_new(&begin_provider, "");
	int ret;

	check(prog >= 0, "RAW_TRACEPOINT program loaded");
	check(!bpf_prog_test_run(prog), "test_run returns 0");
	check(!bpf_prog_test_run(prog), "test_run again");
	check(counter_read(map) == 2, "BEGIN program ran twice");
	check(!begin_provider.setup(pb, false), "BEGIN setup, no argument");
	pb->arg = "x";
	capture_stderr(begin_provider.setup, pb, &ret);
	check(ret == -1, "BEGIN:x refused");
	close(prog);
	close(map);
}

/* ring callback: count our records (magic, pid_tgid, seq) */
struct rec_count {
	int ours, bad;
	uint64_t last_seq;
};

static void count_cb(void *arg, const void *rec, int size)
{
	struct rec_count *c = arg;
	uint64_t r[3];

	if (size < (int)sizeof(r)) {
		c->bad++;
		return;
	}
	memcpy(r, rec, sizeof(r));
	if (r[0] != 0x706c79 || r[2] < c->last_seq)
		c->bad++;
	else if (r[1] >> 32 == (uint64_t)getpid())
		c->ours++;
	c->last_seq = r[2];
}

/* a 24-byte record: with the header and size a 40-byte entry, which
 * does not divide the ring, so records wrap its end */
static int output_prog(struct script *s)
{
	struct bpf_insn insn[] = {
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),	/* r6 = ctx */
		BPF_LD_IMM64_LO(BPF_REG_1, 0, 0x706c79),
		BPF_LD_IMM64_HI(0),
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -24),
		BPF_CALL_HELPER(BPF_FUNC_get_current_pid_tgid),
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0, -16),
		BPF_CALL_HELPER(BPF_FUNC_ktime_get_ns),
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0, -8),
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_6),
		BPF_LD_IMM64_LO(BPF_REG_2, BPF_PSEUDO_MAP_FD, s->outmap->fd),
		BPF_LD_IMM64_HI(0),
		/* BPF_F_CURRENT_CPU, zero-extended by the 32-bit mov */
		BPF_ALU32_IMM(BPF_MOV, BPF_REG_3, -1),
		BPF_MOV64_REG(BPF_REG_4, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_4, -24),
		BPF_MOV64_IMM(BPF_REG_5, 24),
		BPF_CALL_HELPER(BPF_FUNC_perf_event_output),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	static char log[65536];
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, insn,
			       ARRAY_SIZE(insn), log, sizeof(log));

	if (fd < 0)
		printf("      load: %s\n%s", strerror(-fd), log);
	return fd;
}

static void getppid_n(int n)
{
	while (n--)
		syscall(SYS_getppid);
}

static bool pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

static void unpin(void)
{
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	for (i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* records from every online CPU, through one event on the first */
static void test_cross_cpu(struct ring *r)
{
	int cpus[64], n = cpus_online(cpus, 64), i;
	struct rec_count c;
	char what[64];

	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		ring_drain(r, count_cb, &c);
		memset(&c, 0, sizeof(c));
		if (!pin_to(cpus[i]))
			continue;
		getppid_n(10);
		ring_drain(r, count_cb, &c);
		snprintf(what, sizeof(what), "10 records from a task "
			 "pinned to cpu %d (got %d)", cpus[i], c.ours);
		check(c.ours == 10 && !c.bad, what);
	}
	unpin();
}

/* 2000 bytes per round in a 4096-byte ring: records wrap its end */
static void test_wrap_and_lost(struct ring *r)
{
	struct rec_count c;
	uint64_t lost = 0;
	int i;

	memset(&c, 0, sizeof(c));
	ring_drain(r, count_cb, &c);
	memset(&c, 0, sizeof(c));
	pin_to(0);
	for (i = 0; i < 7; i++) {
		getppid_n(50);
		lost += ring_drain(r, count_cb, &c);
	}
	check(c.ours == 350 && !c.bad && !lost,
	      "350 records across the ring's end, intact");

	/* the kernel reports the loss with the first record that fits
	 * once there is room again */
	memset(&c, 0, sizeof(c));
	getppid_n(300);
	lost = ring_drain(r, count_cb, &c);
	getppid_n(1);
	lost += ring_drain(r, count_cb, &c);
	printf("      301 sent: %d read, %llu lost\n", c.ours,
	       (unsigned long long)lost);
	check(lost > 0 && c.ours + lost == 301 && !c.bad,
	      "an overflowing ring reports lost records");
	unpin();
}

static void test_tracepoint(void)
{
	struct script s;
	struct probe *pb = probe_new(&tracepoint_provider,
				     "syscalls/sys_enter_getppid");
	struct rec_count c;
	struct ring *r;
	int *fds;

	memset(&s, 0, sizeof(s));
	check(!ring_map_create(&s) && s.outmap && s.outmap->fd >= 0,
	      "ring_map_create makes the stdout map");
	r = ring_open(&s, 1);
	check(r != NULL, "ring_open with 1 page per CPU");
	if (!r)
		return;
	check(ring_fds(r, &fds) >= 1 && fds[0] >= 0, "ring_fds");
	check(!tracepoint_provider.setup(pb, false) && pb->ctx_type,
	      "tracepoint setup types data");
	pb->prog_fd = output_prog(&s);
	check(pb->prog_fd >= 0, "TRACEPOINT program loaded");
	check(!tracepoint_provider.attach(pb), "tracepoint attached");

	memset(&c, 0, sizeof(c));
	getppid_n(10);
	ring_drain(r, count_cb, &c);
	check(c.ours == 10 && !c.bad, "10 getppid() calls, 10 records");
	test_cross_cpu(r);
	test_wrap_and_lost(r);

	tracepoint_provider.detach(pb);
	tracepoint_provider.detach(pb);
	memset(&c, 0, sizeof(c));
	getppid_n(10);
	ring_drain(r, count_cb, &c);
	check(c.ours == 0, "no records after detach (detach twice is fine)");
	ring_close(r);
	close(pb->prog_fd);
}

/* a child spinning on cpu (-1: none): on this VM an idle vCPU may be
 * parked, and its cpu-clock then does not tick (perf record agrees) */
static pid_t spin_on(int cpu)
{
	pid_t pid;

	if (cpu < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		pin_to(cpu);
		for (;;)
			;
	}
	return pid;
}

/* attach a counter program to spec, wait, read the count */
static uint64_t perf_count(const struct provider *prov, const char *arg,
			   long ms, int busy_cpu)
{
	struct probe *pb = probe_new(prov, arg);
	int map = bpf_map_create(NULL, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	uint64_t n;
	pid_t child;

	if (prov->setup(pb, false))
		return 0;
	pb->prog_fd = counter_prog(prov->prog_type, map);
	if (pb->prog_fd < 0 || prov->attach(pb))
		return 0;
	child = spin_on(busy_cpu);
	sleep_ms(ms);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	prov->detach(pb);
	prov->detach(pb);
	n = counter_read(map);
	close(pb->prog_fd);
	close(map);
	return n;
}

static void test_perf_providers(void)
{
	char what[80];
	uint64_t n;
	int ret;

	n = perf_count(&profile_provider, "100hz", 500, -1);
	snprintf(what, sizeof(what), "profile:100hz fires (%llu in 0.5s)",
		 (unsigned long long)n);
	check(n >= 20, what);
	n = perf_count(&profile_provider, "1:100", 500, 1);
	snprintf(what, sizeof(what), "profile:1:100 fires (%llu in 0.5s)",
		 (unsigned long long)n);
	check(n >= 10, what);
	n = perf_count(&interval_provider, "100ms", 550, -1);
	snprintf(what, sizeof(what), "interval:100ms fires (%llu in 0.55s)",
		 (unsigned long long)n);
	check(n >= 3 && n <= 7, what);

	capture_stderr(profile_provider.setup,
		       probe_new(&profile_provider, "999:100hz"), &ret);
	check(ret == -1, "profile on an offline CPU refused");
	capture_stderr(profile_provider.setup,
		       probe_new(&profile_provider, "0hz"), &ret);
	check(ret == -1, "profile:0hz refused");
	capture_stderr(interval_provider.setup,
		       probe_new(&interval_provider, "5parsecs"), &ret);
	check(ret == -1, "interval:5parsecs refused");
}

static void test_formats(void)
{
	const struct field *f;
	struct type *t;
	int id = -1;

	check(tracefs_path() != NULL, "tracefs found");
	t = tracefs_format("syscalls", "sys_exit_read", &id);
	check(t && id > 0, "sys_exit_read format parsed");
	if (!t)
		return;
	f = type_field(t, "ret");
	check(f && f->off == 16 && f->type->size == 8 && f->type->sign,
	      "sys_exit_read: ret is a long at offset 16");
	f = type_field(t, "common_pid");
	check(f && f->off == 4 && f->type->size == 4, "common_pid kept");
	t = tracefs_format("sched", "sched_switch", &id);
	f = t ? type_field(t, "prev_comm") : NULL;
	check(f && f->off == 8 && type_is_str(f->type),
	      "sched_switch: prev_comm is char[16] at 8");
	t = tracefs_format("syscalls", "sys_enter_openat", &id);
	f = t ? type_field(t, "filename") : NULL;
	check(f && f->type->kind == TY_PTR && f->off == 24,
	      "sys_enter_openat: filename is a pointer");
	t = tracefs_format("irq", "irq_handler_entry", &id);
	f = t ? type_field(t, "name") : NULL;
	check(f && f->type->fmt == FMT_DYN && f->type->size == 4,
	      "irq_handler_entry: __data_loc name is a u32 FMT_DYN");
	errno = 0;
	check(!tracefs_format("syscalls", "sys_exit_raed", &id) &&
	      errno == ENOENT, "unknown event: NULL, ENOENT");
}

static void test_tp_errors(void)
{
	struct probe *pb;
	char *msg;
	int ret;

	pb = probe_new(&tracepoint_provider, "syscalls/sys_exit_raed");
	msg = capture_stderr(tracepoint_provider.setup, pb, &ret);
	check(ret == -1 && strstr(msg, "did you mean "
				  "'syscalls/sys_exit_read'"),
	      "misspelt event: suggestion");
	printf("      %s", msg);
	pb = probe_new(&tracepoint_provider, "syscals:sys_exit_read");
	msg = capture_stderr(tracepoint_provider.setup, pb, &ret);
	check(ret == -1 && strstr(msg, "'syscalls:sys_exit_read'"),
	      "misspelt subsystem: suggestion");
	printf("      %s", msg);
	pb = probe_new(&tracepoint_provider, "sched");
	capture_stderr(tracepoint_provider.setup, pb, &ret);
	check(ret == -1, "tracepoint without an event refused");
}

static void test_ident(void)
{
	struct probe *pb = probe_new(&tracepoint_provider,
				     "sched:sched_switch");
	struct node *data = node_new(N_IDENT, (struct loc){ 1, 5, 4 });
	struct node *n;

	data->name = "data";
	check(!tracepoint_provider.setup(pb, true), "setup sched:sched_switch");
	n = tracepoint_provider.ident(pb, data);
	check(n && n->kind == N_IDENT && !strcmp(n->name, "ctx") &&
	      n->type && n->type->kind == TY_PTR && n->type->ctx &&
	      n->type->base == pb->ctx_type && n->loc.col == 5,
	      "data becomes ctx, a pointer to the record");
	data->name = "comm";
	check(!tracepoint_provider.ident(pb, data), "other names: NULL");
}

/* the address of a text symbol from kallsyms */
static uint64_t ksym_addr(const char *want)
{
	char line[512], name[256], type;
	unsigned long long addr;
	uint64_t found = 0;
	FILE *fp = fopen("/proc/kallsyms", "r");

	while (fp && !found && fgets(line, sizeof(line), fp))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    !strcmp(name, want))
			found = addr;
	if (fp)
		fclose(fp);
	return found;
}

static void test_ksyms(void)
{
	uint64_t a = ksym_addr("vfs_read");
	char buf[128];

	check(a != 0, "vfs_read in kallsyms");
	check(!strcmp(ksym_name(a, buf, sizeof(buf)), "vfs_read"),
	      "ksym_name(vfs_read)");
	ksym_name(a + 10, buf, sizeof(buf));
	check(!strcmp(buf, "vfs_read+10"), "ksym_name(vfs_read + 10)");
	ksym_name(1, buf, sizeof(buf));
	check(!strcmp(buf, "0x1"), "an address below every symbol is hex");
}

static void test_find(void)
{
	check(provider_find("t", 1) == &tracepoint_provider, "t: tracepoint");
	check(provider_find("tracepoint", 10) == &tracepoint_provider,
	      "tracepoint");
	check(provider_find("p", 1) == &profile_provider, "p: profile");
	check(provider_find("i", 1) == &interval_provider, "i: interval");
	check(provider_find("BEGIN", 5) == &begin_provider, "BEGIN");
	check(provider_find("END", 3) == &end_provider, "END");
	check(!provider_find("x", 1) && !provider_find("tracepointx", 11),
	      "unknown providers: NULL");
}

int main(void)
{
	if (geteuid()) {
		fprintf(stderr, "runtime_test: needs root\n");
		return 77;
	}
	test_find();
	test_cpus();
	test_hash_map();
	test_names();
	test_prog_log();
	test_begin();
	test_formats();
	test_tp_errors();
	test_ident();
	test_tracepoint();
	test_perf_providers();
	test_ksyms();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
