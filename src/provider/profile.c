/*
 * provider/profile.c - profile:Nhz and profile:CPU:Nhz.
 *
 * Samples whatever runs on the CPUs N times a second: one
 * PERF_COUNT_SW_CPU_CLOCK event per online CPU (or on the one CPU
 * given) in frequency mode, each running the probe's
 * BPF_PROG_TYPE_PERF_EVENT program.  There are no provider variables;
 * comm, pid, stack and the rest describe the interrupted task.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ply.h"

#define PROFILE_MAX_HZ	10000
#define MAX_CPUS	1024

struct profile {
	int cpu;		/* -1: every online CPU */
	unsigned long hz;
	int nfds;
	int *fds;
};

/* digits only, base 10; the end in *end */
static bool parse_ulong(const char *s, unsigned long *v, const char **end)
{
	char *e;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &e, 10);
	*end = e;
	return errno == 0;
}

/* "[CPU:]N[hz]" into p; false if malformed */
static bool profile_parse(const char *arg, struct profile *p)
{
	unsigned long v;
	const char *end;

	p->cpu = -1;
	if (!parse_ulong(arg, &v, &end))
		return false;
	if (*end == ':') {
		if (v >= MAX_CPUS)
			return false;
		p->cpu = v;
		if (!parse_ulong(end + 1, &v, &end))
			return false;
	}
	p->hz = v;
	return !*end || !strcmp(end, "hz");
}

static bool cpu_is_online(int cpu)
{
	int cpus[MAX_CPUS], n, i;

	n = cpus_online(cpus, MAX_CPUS);
	for (i = 0; i < n; i++)
		if (cpus[i] == cpu)
			return true;
	return false;
}

static int profile_setup(struct probe *pb)
{
	struct profile p, *priv;
	const char *arg = pb->arg ? pb->arg : "";

	memset(&p, 0, sizeof(p));
	if (!profile_parse(arg, &p)) {
		diag_error(pb->ast->loc, "profile '%s': expected 'Nhz' or "
			   "'CPU:Nhz'", arg);
		return -1;
	}
	if (p.hz < 1 || p.hz > PROFILE_MAX_HZ) {
		diag_error(pb->ast->loc, "profile '%s': the frequency must "
			   "be 1 to %d hz", arg, PROFILE_MAX_HZ);
		return -1;
	}
	/* the target's CPUs are known only when it runs here */
	if (p.cpu >= 0 && pb->k->live && !cpu_is_online(p.cpu)) {
		diag_error(pb->ast->loc, "profile '%s': cpu %d is not online",
			   arg, p.cpu);
		return -1;
	}
	priv = xcalloc(1, sizeof(*priv));
	*priv = p;
	pb->priv = priv;
	return 0;
}

static int profile_attach(struct probe *pb)
{
	struct profile *p = pb->priv;
	struct perf_event_attr attr;
	int cpus[MAX_CPUS], n = 1;

	if (p->cpu >= 0)
		cpus[0] = p->cpu;
	else
		n = cpus_online(cpus, MAX_CPUS);
	if (n < 1) {
		err_msg("%s: cannot list the online CPUs", pb->spec);
		return n < 0 ? n : -ENODEV;
	}
	xfree(p->fds);
	p->fds = xcalloc(n, sizeof(*p->fds));
	p->nfds = n;

	perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
	attr.sample_freq = p->hz;
	attr.flags = PERF_ATTR_FLAG_FREQ;
	return prov_perf_attach(pb, &attr, cpus, n, p->fds);
}

static void profile_detach(struct probe *pb)
{
	struct profile *p = pb->priv;

	if (p && p->fds)
		prov_perf_detach(p->fds, p->nfds);
}

static void profile_describe(const struct probe *pb, FILE *fp)
{
	const struct profile *p = pb->priv;

	fprintf(fp, "perf event: cpu-clock at %lu hz, ", p->hz);
	if (p->cpu >= 0)
		fprintf(fp, "cpu %d\n", p->cpu);
	else
		fputs("every online CPU\n", fp);
}

const struct provider profile_provider = {
	.name = "profile",
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.setup = profile_setup,
	.attach = profile_attach,
	.detach = profile_detach,
	.describe = profile_describe,
};
