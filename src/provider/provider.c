/*
 * provider/provider.c - the table of providers and the lookup by name.
 *
 * sema.c splits a probe spec at its first ':' and looks the part
 * before it up here; the provider then checks the rest (setup),
 * supplies its variables (ident), and later attaches the loaded
 * program (attach).  The table is explicit, with no registration at
 * startup, and its order decides prefixes: "k" is kprobe because
 * kprobe comes before kretprobe, as in ply.  The lexer asks it too,
 * where a spec ends (provider_spec_slashes).  Adding a provider is a
 * file that fills a struct provider, and a line in this table.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ply.h"

/* ORDER: kprobe, kretprobe, tracepoint, profile, interval, BEGIN, END
 * (the order decides what a prefix means) */
const struct provider *const providers[] = {
	&kprobe_provider,
	&kretprobe_provider,
	&tracepoint_provider,
	&profile_provider,
	&interval_provider,
	&begin_provider,
	&end_provider,
	NULL,
};

const struct provider *provider_find(const char *name, int len)
{
	const struct provider *const *p;

	if (len <= 0)
		return NULL;
	for (p = providers; *p; p++)
		if ((int)strlen((*p)->name) == len &&
		    !strncmp((*p)->name, name, len))
			return *p;
	for (p = providers; *p; p++)
		if (!strncmp((*p)->name, name, len))
			return *p;
	return NULL;
}

/* bpftrace's providers that ply lacks, and what they need */
static const struct { const char *name, *needs; } unsupported[] = {
	{ "uprobe", "user-space probes" }, { "u", "user-space probes" },
	{ "uretprobe", "user-space probes" }, { "ur", "user-space probes" },
	{ "usdt", "user-space probes (USDT)" }, { "U", "user-space probes" },
	{ "kfunc", "BTF and BPF trampolines (kernel types)" },
	{ "kretfunc", "BTF and BPF trampolines (kernel types)" },
	{ "fentry", "BTF and BPF trampolines (kernel types)" },
	{ "fexit", "BTF and BPF trampolines (kernel types)" },
	{ "f", "BTF and BPF trampolines (kernel types)" },
	{ "fr", "BTF and BPF trampolines (kernel types)" },
	{ "rawtracepoint", "raw tracepoints" }, { "rt", "raw tracepoints" },
	{ "software", "software perf events" }, { "s", "software perf events" },
	{ "hardware", "hardware perf events" }, { "h", "hardware perf events" },
	{ "watchpoint", "hardware watchpoints" },
	{ "w", "hardware watchpoints" },
	{ "asyncwatchpoint", "hardware watchpoints" },
	{ "aw", "hardware watchpoints" },
	{ "iter", "BPF iterators" }, { "it", "BPF iterators" },
};

const char *provider_unsupported(const char *name, int len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unsupported); i++)
		if ((int)strlen(unsupported[i].name) == len &&
		    !strncmp(unsupported[i].name, name, len))
			return unsupported[i].needs;
	return NULL;
}

int provider_spec_slashes(const char *p, int len)
{
	const struct provider *pv = provider_find(p, len);

	return pv ? pv->spec_slashes : -1;
}

/* a hint for the errors whose cause is usually the same */
static const char *attach_hint(const char *what, int err)
{
	/* the kernel checks the program's context reads against the
	 * size of the event's record only when attaching */
	if (err == EACCES && str_find(what, "SET_BPF"))
		return " (does the program read past the event's fields?)";
	switch (err) {
	case EACCES:
	case EPERM:
		return " (are you root?)";
	case ENOENT:
	case ENODEV:
		return " (does this kernel have it?)";
	case EMFILE:
		return " (too many open files: raise ulimit -n)";
	case EBUSY:
		return " (is another tracer using it?)";
	case E2BIG:
		return " (the kernel runs at most 64 BPF programs on one "
			"event, other tracers' included)";
	default:
		return "";
	}
}

/* one event: open it disabled, give it the program, enable it */
static int perf_attach_one(struct probe *pb, struct perf_event_attr *attr,
			   int cpu, int *fd, const char **what)
{
	*what = "perf_event_open";
	*fd = perf_event_open(attr, -1, cpu, -1, 0);
	if (*fd < 0)
		return *fd;
	*what = "PERF_EVENT_IOC_SET_BPF";
	if (ioctl(*fd, PERF_EVENT_IOC_SET_BPF, pb->prog_fd) < 0)
		return -errno;
	*what = "PERF_EVENT_IOC_ENABLE";
	if (ioctl(*fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
		return -errno;
	return 0;
}

int prov_perf_attach(struct probe *pb, struct perf_event_attr *attr,
		     const int *cpus, int n, int *fds)
{
	const char *what;
	int i, err = 0;

	for (i = 0; i < n; i++)
		fds[i] = -1;
	attr->flags |= PERF_ATTR_FLAG_DISABLED;
	for (i = 0; i < n && !err; i++)
		err = perf_attach_one(pb, attr, cpus[i], &fds[i], &what);
	if (err) {
		err_msg("%s: %s on cpu %d: %s%s", pb->spec, what, cpus[i - 1],
			strerror(-err), attach_hint(what, -err));
		prov_perf_detach(fds, n);
	}
	return err;
}

void prov_perf_detach(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}
