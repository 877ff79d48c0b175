/*
 * hammer.c - a workload for the kernel tests and the benchmarks: make
 * N cheap syscalls (getppid), pinned to one CPU, or on two CPUs at
 * once, so that a tracer's counts can be checked exactly.
 *
 *   hammer N         N getppid() calls on CPU 0
 *   hammer N CPU     ... on CPU
 *   hammer -2 N      N calls on each of CPUs 0 and 1, simultaneously
 *   hammer -r N      N one-byte read()s of /dev/zero on CPU 0 (each a
 *                    call of vfs_read), and prints "R ns per call"
 *   hammer -s        prints CLOCK_MONOTONIC in ns ("stamp N")
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("hammer: sched_setaffinity");
}

static void run(long n)
{
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int reads(long n)
{
	int fd = open("/dev/zero", O_RDONLY);
	double t;
	char c;
	long i;

	if (fd < 0) {
		perror("hammer: /dev/zero");
		return 1;
	}
	pin(0);
	t = now_ns();
	for (i = 0; i < n; i++)
		if (read(fd, &c, 1) != 1) {
			perror("hammer: read");
			return 1;
		}
	t = now_ns() - t;
	printf("%.1f ns per call\n", n > 0 ? t / n : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	long n;
	pid_t pid;

	if (argc == 2 && argv[1][0] == '-' && argv[1][1] == 's') {
		printf("stamp %.0f\n", now_ns());
		return 0;
	}
	if (argc == 3 && argv[1][0] == '-' && argv[1][1] == 'r')
		return reads(atol(argv[2]));
	if (argc == 3 && argv[1][0] == '-' && argv[1][1] == '2') {
		n = atol(argv[2]);
		pid = fork();
		pin(pid ? 0 : 1);
		run(n);
		if (!pid)
			return 0;
		waitpid(pid, NULL, 0);
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: hammer N [CPU] | -2 N | -r N | -s\n");
		return 1;
	}
	n = atol(argv[1]);
	pin(argc > 2 ? atoi(argv[2]) : 0);
	run(n);
	return 0;
}
