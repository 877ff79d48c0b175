/*
 * provider/interval.c - interval:N[unit], unit ns, us, ms, s or m;
 * bpftrace's interval:UNIT:N, and interval:hz:N.
 *
 * Runs the probe's BPF_PROG_TYPE_PERF_EVENT program every N units of
 * time, on one CPU: a PERF_COUNT_SW_CPU_CLOCK event on the first
 * online CPU, whose period is counted in nanoseconds.  The clock runs
 * while the CPU idles, so the period is wall time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ply.h"

struct interval {
	uint64_t ns;		/* the period */
	int fd;			/* -1 when detached */
};

static const struct {
	const char *name;
	uint64_t ns;
} units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "ms", 1000000 },
	{ "s", 1000000000 },
	{ "", 1000000000 },	/* default: seconds */
	{ "m", 60000000000 },
};

/* "N[unit]" (or "unit:N", "hz:N") in ns; 0 if malformed or out of
 * range */
static uint64_t interval_parse(const char *arg)
{
	const char *colon = strchr(arg, ':');
	unsigned long long v;
	char *end, unit[4];
	size_t i;

	if (colon && colon - arg < (int)sizeof(unit)) {	/* bpftrace */
		memcpy(unit, arg, colon - arg);
		unit[colon - arg] = '\0';
		if (colon[1] < '0' || colon[1] > '9')
			return 0;
		v = strtoull(colon + 1, &end, 10);
		if (*end || !v)
			return 0;
		if (!strcmp(unit, "hz"))
			return v > 1000000000 ? 0 : 1000000000 / v;
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (units[i].name[0] && !strcmp(unit, units[i].name))
				break;
		if (i == ARRAY_SIZE(units) || v > UINT64_MAX / units[i].ns)
			return 0;
		return v * units[i].ns;
	}
	if (*arg < '0' || *arg > '9')
		return 0;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || !v)
		return 0;
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(end, units[i].name))
			break;
	if (i == ARRAY_SIZE(units) || v > UINT64_MAX / units[i].ns)
		return 0;
	return v * units[i].ns;
}

static int interval_setup(struct probe *pb)
{
	const char *arg = pb->arg ? pb->arg : "";
	struct interval *iv;
	uint64_t ns = interval_parse(arg);

	if (!ns) {
		diag_error(pb->ast->loc, "interval '%s': expected a positive "
			   "number with an optional unit ns, us, ms, s or m "
			   "(or s:N, ms:N, us:N, hz:N)", arg);
		return -1;
	}
	iv = xcalloc(1, sizeof(*iv));
	iv->ns = ns;
	iv->fd = -1;
	pb->priv = iv;
	return 0;
}

static int interval_attach(struct probe *pb)
{
	struct interval *iv = pb->priv;
	struct perf_event_attr attr;
	int cpu;

	if (cpus_online(&cpu, 1) < 1)
		cpu = 0;
	perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
	attr.sample_period = iv->ns;
	return prov_perf_attach(pb, &attr, &cpu, 1, &iv->fd);
}

static void interval_detach(struct probe *pb)
{
	struct interval *iv = pb->priv;

	if (iv)
		prov_perf_detach(&iv->fd, 1);
}

static void interval_describe(const struct probe *pb, FILE *fp)
{
	const struct interval *iv = pb->priv;

	fprintf(fp, "perf event: cpu-clock every %llu ns, one CPU\n",
		(unsigned long long)iv->ns);
}

const struct provider interval_provider = {
	.name = "interval",
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.setup = interval_setup,
	.attach = interval_attach,
	.detach = interval_detach,
	.describe = interval_describe,
};
