#!/bin/sh
# test/vm/cycles.sh - run.sh's VM_SUITE for the soak (make check-soak):
# ply started and stopped many times with a kprobe glob, by its own
# exit, SIGINT and SIGKILL in turn; nothing may remain afterwards (BPF
# programs and maps, perf events, kprobes).  The cycles come from the
# kernel command line, vmtest.cycles=N (run.sh: VM_APPEND), default
# 1000.  Prints "N passed, N failed".

PLY=${PLY:-/bin/ply}
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/leftovers.sh"

n=${VMTEST_CYCLES:-1000}
glob='kprobe:vfs_r* { @[caller] = count(); }'

echo "# kernel $(uname -r); $n cycles of: $glob; before: $(leftovers)"
i=0 bad=0 t0=$(cut -d' ' -f1 /proc/uptime)
while [ $i -lt "$n" ]; do
	case $((i % 3)) in
	0)	"$PLY" -c true "$glob" >/dev/null 2>"$tmp/err"
		rc=$? ;;
	1|2)	"$PLY" "$glob" >/dev/null 2>"$tmp/err" &
		p=$!
		# attached: its programs are loaded (and a moment more)
		j=0
		while [ "$(n_progs)" = 0 ] && [ $j -lt 50 ]; do
			sleep 0.05
			j=$((j + 1))
		done
		sleep 0.1
		if [ $((i % 3)) = 1 ]; then kill -INT $p; else kill -KILL $p; fi
		wait $p
		rc=$?
		[ $((i % 3)) = 2 ] && [ $rc = 137 ] && rc=0 ;;
	esac
	if [ "$rc" != 0 ]; then
		bad=$((bad + 1))
		[ $bad -le 3 ] && { echo "# cycle $i: exit status $rc"; cat "$tmp/err"; }
	fi
	i=$((i + 1))
	# every 100: what remains once the last ply's background detach
	# (run.c: a child closes the probes after ply exits) is done
	if [ $((i % 100)) = 0 ]; then
		w=0
		while [ "$(leftovers)" != "$clean" ] && [ $w -lt 50 ]; do
			sleep 0.1
			w=$((w + 1))
		done
		echo "# $i cycles, $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.0f", b - a }') s: $(leftovers)"
	fi
done
if [ $bad = 0 ]; then
	pass "$n start/stop cycles (exit, SIGINT, SIGKILL) of a kprobe glob"
else
	fail "$n start/stop cycles of a kprobe glob" "$bad cycles failed"
fi
expect_clean "after $n cycles nothing remains"
finish
