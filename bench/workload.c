/*
 * workload.c - the benchmark's workload and clock: it times its own
 * syscalls, so per-syscall cost is measured by the workload itself and
 * not by the shell around it.
 *
 *   workload N [CPU [RATE]]   N getppid() calls pinned to CPU (default 0);
 *                             RATE > 0 paces them to about RATE calls/s.
 *                             Prints "calls=N ns=T ns_per_call=X
 *                             median_ns_per_call=M rate=R": X over the
 *                             whole run, M in the median batch of 10000
 *                             calls (unpaced runs; -1 if N < 10000).
 *   workload -2 N             N calls on each of CPUs 0 and 1 at once
 *                             (for exact-count checks); prints the same line.
 *   workload -stamp           prints "stamp=NS" (CLOCK_MONOTONIC), then exits:
 *                             run as a tracer's -c command it tells when
 *                             the probes were attached.
 *   workload -launch CMD ARG...  runs CMD, prints "launch=NS" (the monotonic
 *                             time just before exec) and "wall=NS" (until CMD
 *                             was reaped) on stderr, always; then, as a
 *                             subreaper, waits for every process CMD left
 *                             behind (e.g. one that detaches probes after
 *                             the tracer has exited): "wall_all=NS".
 *   workload -hwm ...         (before any of the above forms) after the
 *                             run, print the VmHWM/VmRSS of the tracer that
 *                             started us: the nearest ancestor that is not a
 *                             shell.
 *   workload -progs ...       (likewise) print the tracer's BPF programs as
 *                             `bpftool prog show id N` sees them, while they
 *                             are still loaded.
 *
 * The result lines go to stdout, or to the file $WL_OUT if it is set (so
 * that they do not mix with the tracer's own output).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("workload: sched_setaffinity");
}

/* unpaced runs time batches of BATCH calls: the median batch is the
 * cost of a call with the other tenants' interruptions left out */
#define BATCH 10000
#define MAX_BATCHES 4096
static long long batch_ns[MAX_BATCHES];
static int nbatches;

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* ns per call in the batch at quantile q (0.5: the median), or -1 if
 * there were none */
static double batch_quantile(double q)
{
	if (!nbatches)
		return -1;
	qsort(batch_ns, nbatches, sizeof(*batch_ns), cmp_ll);
	return (double)batch_ns[(int)(q * (nbatches - 1))] / BATCH;
}

static void run(long n, long rate)
{
	long i, j, batch;
	long long t0;

	if (rate <= 0) {
		for (i = 0; i < n; i += j) {
			t0 = now();
			for (j = 0; j < BATCH && i + j < n; j++)
				syscall(SYS_getppid);
			if (j == BATCH && nbatches < MAX_BATCHES)
				batch_ns[nbatches++] = now() - t0;
		}
		return;
	}
	/* paced: batches of 1000 calls, then wait until the batch's due time */
	t0 = now();
	batch = 1000;
	for (i = 0; i < n; i += batch) {
		long long due;

		for (j = 0; j < batch && i + j < n; j++)
			syscall(SYS_getppid);
		due = t0 + (long long)((double)(i + j) * 1e9 / rate);
		while (now() < due)
			;
	}
}

static FILE *out;

/* the first ancestor whose comm is not a shell: the tracer */
static pid_t tracer(char *comm)
{
	char path[64], line[256];
	pid_t p = getppid();
	int depth;
	FILE *f;

	for (depth = 0; depth < 4; depth++) {
		pid_t ppid = 0;

		snprintf(path, sizeof(path), "/proc/%d/status", p);
		f = fopen(path, "r");
		if (!f)
			return 0;
		comm[0] = 0;
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "Name:", 5))
				sscanf(line + 5, "%63s", comm);
			else if (!strncmp(line, "PPid:", 5))
				ppid = atoi(line + 5);
		}
		fclose(f);
		if (strcmp(comm, "sh") && strcmp(comm, "dash") &&
		    strcmp(comm, "bash") && strcmp(comm, "taskset"))
			break;
		p = ppid;
	}
	return p;
}

static void print_hwm(void)
{
	char path[64], line[256], comm[64];
	pid_t p = tracer(comm);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", p);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		long kb;

		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			fprintf(out, "tracer=%s hwm_kb=%ld\n", comm, kb);
		else if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			fprintf(out, "tracer=%s rss_kb=%ld\n", comm, kb);
	}
	fclose(f);
}

/* the tracer's bpf-prog fds say their prog_id in fdinfo */
static void print_progs(void)
{
	char path[96], line[256], comm[64], cmd[160];
	pid_t p = tracer(comm);
	int fd;

	for (fd = 0; fd < 4096; fd++) {
		FILE *f;
		long id;

		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", p, fd);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "prog_id: %ld", &id) != 1)
				continue;
			fprintf(out, "prog_id=%ld\n", id);
			fflush(out);
			snprintf(cmd, sizeof(cmd), "bpftool prog show id %ld "
				 "| sed 's/^/prog: /' >&%d", id, fileno(out));
			if (system(cmd))
				fprintf(out, "prog: bpftool failed\n");
		}
		fclose(f);
	}
}

/* after the figures: the tracer's VmHWM and BPF programs, if asked */
static void report(int hwm, int progs)
{
	fflush(out);
	if (hwm)
		print_hwm();
	if (progs)
		print_progs();
}

int main(int argc, char **argv)
{
	long n, rate = 0;
	long long t0, t1;
	int two = 0, hwm = 0, progs = 0;
	pid_t pid, pid2 = 0;

	out = stdout;
	if (getenv("WL_OUT") && *getenv("WL_OUT")) {
		out = fopen(getenv("WL_OUT"), "w");
		if (!out) {
			perror("workload: $WL_OUT");
			return 1;
		}
	}
	for (;;) {
		if (argc > 1 && !strcmp(argv[1], "-hwm"))
			hwm = 1;
		else if (argc > 1 && !strcmp(argv[1], "-progs"))
			progs = 1;
		else
			break;
		argv++, argc--;
	}
	if (argc > 1 && !strcmp(argv[1], "-stamp")) {
		fprintf(out, "stamp=%lld\n", now());
		report(hwm, progs);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "-launch")) {
		int status;

		prctl(PR_SET_CHILD_SUBREAPER, 1);
		t0 = now();
		pid = fork();
		if (pid == 0) {
			execvp(argv[2], argv + 2);
			perror("workload: exec");
			_exit(127);
		}
		waitpid(pid, &status, 0);
		t1 = now();
		fprintf(stderr, "launch=%lld\nwall=%lld\n", t0, t1 - t0);
		while (wait(NULL) > 0 || errno == EINTR)
			;
		fprintf(stderr, "wall_all=%lld\n", now() - t0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	if (argc > 2 && !strcmp(argv[1], "-2")) {
		two = 1;
		argv++, argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: workload [-hwm] N [CPU [RATE]] | -2 N | "
			"-stamp | -launch CMD...\n");
		return 1;
	}
	n = atol(argv[1]);
	if (argc > 3)
		rate = atol(argv[3]);

	if (two) {
		fflush(out);
		pid = fork();
		pin(pid ? 0 : 1);
		t0 = now();
		run(n, 0);
		t1 = now();
		if (!pid)
			_exit(0);
		waitpid(pid, NULL, 0);
		pid2 = pid;
		n *= 2;
	} else {
		pin(argc > 2 ? atoi(argv[2]) : 0);
		t0 = now();
		run(n, rate);
		t1 = now();
	}
	fprintf(out, "calls=%ld ns=%lld ns_per_call=%.1f median_ns_per_call=%.1f "
		"p10_ns_per_call=%.1f min_ns_per_call=%.1f "
		"rate=%.0f pid=%d pid2=%d\n",
		n, t1 - t0, (double)(t1 - t0) / n, batch_quantile(0.5),
		batch_quantile(0.1), batch_quantile(0),
		n * 1e9 / (double)(t1 - t0), (int)getpid(), (int)pid2);
	report(hwm, progs);
	return 0;
}
