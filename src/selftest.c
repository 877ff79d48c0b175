/*
 * selftest.c - ply -T: can this kernel run ply, and if not, why.
 *
 * Each check prints "ok" or "FAIL" with what to do about it: the
 * kernel configuration (from /proc/config.gz or /boot/config-*), root,
 * tracefs, the bpf() syscall, what kernel.c found the kernel has ("no"
 * lines say what ply does without it), and then one small script per
 * provider, compiled and attached through the same pipeline as a real
 * run; a FAIL line carries the error that stopped it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ply.h"
#include "run.h"

static int nfail;

static void report(bool ok, const char *what, const char *fix)
{
	printf("%s %s", ok ? "ok  " : "FAIL", what);
	if (!ok && fix)
		printf(": %s", fix);
	putchar('\n');
	fflush(stdout);		/* before the next check's messages on stderr */
	nfail += !ok;
}

/* the kernel's configuration as text, or NULL; *pid: gzip's */
static FILE *config_open(int *pid)
{
	struct utsname u;
	char path[300];
	FILE *fp;

	uname(&u);
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	*pid = 0;
	if ((fp = fopen(path, "r")))
		return fp;
	if (!access("/proc/config.gz", R_OK))
		return sh_open("gzip -dc /proc/config.gz 2>/dev/null", pid);
	return NULL;
}

static void check_config(void)
{
	static const struct { const char *opt, *why; } want[] = {
		{ "CONFIG_BPF_SYSCALL", "the bpf() syscall" },
		{ "CONFIG_PERF_EVENTS", "perf events (output, profile)" },
		{ "CONFIG_TRACEPOINTS", "tracepoint:" },
		{ "CONFIG_FTRACE_SYSCALLS", "tracepoint:syscalls/" },
		{ "CONFIG_BPF_EVENTS", "BPF programs on trace events" },
		{ "CONFIG_KPROBES", "kprobe: and kretprobe:" },
		{ "CONFIG_KPROBE_EVENTS", "kprobe: and kretprobe:" },
	};
	char line[256], msg[128];
	bool have[ARRAY_SIZE(want)] = { false };
	int pid;
	FILE *fp = config_open(&pid);
	size_t i, n;

	if (!fp) {
		report(true, "kernel config not readable (no /proc/config.gz "
		       "or /boot/config-*): skipped", NULL);
		return;
	}
	while (fgets(line, sizeof(line), fp))
		for (i = 0; i < ARRAY_SIZE(want); i++) {
			n = strlen(want[i].opt);
			if (!strncmp(line, want[i].opt, n) &&
			    line[n] == '=' && line[n + 1] == 'y')
				have[i] = true;
		}
	if (pid)
		sh_close(fp, pid);
	else
		fclose(fp);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		snprintf(msg, sizeof(msg), "%s=y (%s)", want[i].opt,
			 want[i].why);
		report(have[i], msg, "rebuild the kernel with it");
	}
}

static void check_script(const struct kernel *k, const char *name,
			 const char *text)
{
	struct src src = { .name = name, .text = text };
	struct script *s;
	char what[128];
	bool ok;

	fflush(stdout);
	s = compile_script(&src, k, NULL);
	ok = s && !run_try_attach(s);
	snprintf(what, sizeof(what), "attach %s", name);
	report(ok, what, diag_last[0] ? diag_last : "see the messages above");
}

int self_test(const struct kernel *k)
{
	struct map m = { .name = "selftest", .fd = -1 };
	int fd;

	check_config();
	report(geteuid() == 0, "running as root",
	       "ply needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)");
	report(k->tracefs != NULL, "tracefs mounted", k->tracefs_err == EACCES ?
	       "tracefs is there, but not readable: ply needs root" :
	       "mount -t tracefs nodev /sys/kernel/tracing");
	fd = bpf_map_create(&m, BPF_MAP_TYPE_HASH, 4, 8, 1);
	report(fd >= 0, "bpf() creates a map", fd == -ENOSYS ?
	       "the kernel lacks CONFIG_BPF_SYSCALL" : strerror(-fd));
	if (fd >= 0)
		close(fd);
	kernel_report(k, stdout);
	check_script(k, "tracepoint", "tracepoint:sched/sched_switch "
		     "{ @[cpu] = count(); }");
	check_script(k, "profile", "profile:99hz { @[cpu] = count(); }");
	check_script(k, "interval", "interval:1s { print(time); }");
	check_script(k, "BEGIN", "BEGIN { print(pid); }");
	check_script(k, "kprobe", "kprobe:vfs_read { @[cpu] = count(); }");
	check_script(k, "kretprobe", "kretprobe:vfs_read { @[cpu] = count(); }");
	printf("%s\n", nfail ? "ply can't run everything here: see FAIL "
	       "above" : "ply can run here");
	return nfail ? 1 : 0;
}
