/*
 * provider/profile.c - profile:Nhz and profile:CPU:Nhz; bpftrace's
 * profile:hz:N, and profile:s:N, ms:N, us:N (a period).
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
	uint64_t period;	/* ns (profile:ms:10), or 0: hz */
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

/* bpftrace's "UNIT:N": hz, or a period in s, ms or us */
static bool profile_unit(const char *arg, struct profile *p)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "hz:", 0 }, { "s:", 1000000000 }, { "ms:", 1000000 },
		{ "us:", 1000 },
	};
	unsigned long v;
	const char *end;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strncmp(arg, units[i].unit, strlen(units[i].unit)))
			continue;
		if (!parse_ulong(arg + strlen(units[i].unit), &v, &end) ||
		    *end || !v)
			return false;
		if (!units[i].ns) {
			p->hz = v;
			return true;
		}
		p->period = v * units[i].ns;
		/* the same rate, for the checks */
		p->hz = p->period < 1000000000 / PROFILE_MAX_HZ ?
			PROFILE_MAX_HZ + 1 : 1000000000 / p->period;
		if (!p->hz)
			p->hz = 1;
		return true;
	}
	return false;
}

/* "[CPU:]N[hz]" into p; false if malformed */
static bool profile_parse(const char *arg, struct profile *p)
{
	unsigned long v;
	const char *end;

	p->cpu = -1;
	if (*arg < '0' || *arg > '9')
		return profile_unit(arg, p);
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
		diag_error(pb->ast->loc, "profile '%s': expected 'Nhz', "
			   "'CPU:Nhz', 'hz:N', or 's:N', 'ms:N', 'us:N'",
			   arg);
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
	if (p->period) {
		attr.sample_period = p->period;
	} else {
		attr.sample_freq = p->hz;
		attr.flags = PERF_ATTR_FLAG_FREQ;
	}
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

	if (p->period)
		fprintf(fp, "perf event: cpu-clock every %llu ns, ",
			(unsigned long long)p->period);
	else
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
