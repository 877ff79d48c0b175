/*
 * hammer.c - a workload for the kernel tests and the benchmarks: make
 * N cheap syscalls (getppid), pinned to one CPU, or on two CPUs at
 * once, so that a tracer's counts can be checked exactly.
 *
 *   hammer N         N getppid() calls on CPU 0
 *   hammer N CPU     ... on CPU
 *   hammer -2 N      N calls on each of CPUs 0 and 1, simultaneously
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

int main(int argc, char **argv)
{
	long n;
	pid_t pid;

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
		fprintf(stderr, "usage: hammer N [CPU] | hammer -2 N\n");
		return 1;
	}
	n = atol(argv[1]);
	pin(argc > 2 ? atoi(argv[2]) : 0);
	run(n);
	return 0;
}
