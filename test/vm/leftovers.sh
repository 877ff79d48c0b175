# leftovers.sh - sourced by the guest's scripts (suite.sh, cycles.sh)
# after lib.sh: what ply may leave behind, counted with busybox alone.

tracing=${tracing:-/sys/kernel/tracing}
[ -d $tracing/events ] || tracing=/sys/kernel/debug/tracing

# ------------------------------------------------------------------ #
# leftovers: BPF programs and maps (fdinfo), perf events (fd links),
# kprobes (kprobe_events, and debugfs' list of every registered kprobe,
# including the perf kprobe PMU's, which kprobe_events doesn't show)

n_progs() { cat /proc/[0-9]*/fdinfo/* 2>/dev/null | grep -c '^prog_type:'; }
n_maps() { cat /proc/[0-9]*/fdinfo/* 2>/dev/null | grep -c '^map_type:'; }
n_perf() { ls -l /proc/[0-9]*/fd/ 2>/dev/null | grep -c 'perf_event'; }
n_kprobe_events() { grep -c . $tracing/kprobe_events 2>/dev/null; }
n_kprobes() { grep -c . /sys/kernel/debug/kprobes/list 2>/dev/null; }
leftovers() {
	echo "progs=$(n_progs) maps=$(n_maps) perf=$(n_perf)" \
		"kprobe_events=$(n_kprobe_events) kprobes=$(n_kprobes)"
}
# kprobes the kernel registers itself: MIPS keeps one on
# __kretprobe_trampoline (arch_init_kprobes), the others none
kprobes_base=$(n_kprobes)
clean="progs=0 maps=0 perf=0 kprobe_events=0 kprobes=$kprobes_base"

# expect_clean NAME: nothing of ply's remains (a released perf kprobe
# goes away with its fd, but give the kernel a moment)
expect_clean() {
	i=0
	while [ "$(leftovers)" != "$clean" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	left=$(leftovers)
	if [ "$left" = "$clean" ]; then
		pass "$1"
	else
		fail "$1" "left behind: $left
$(cat $tracing/kprobe_events /sys/kernel/debug/kprobes/list 2>/dev/null | head -n 20)"
	fi
}

