#!/bin/sh
# soak.sh - ply for a long time under load: a high-rate count, an
# interval print and a per-event printf stream at once, then SIGINT.
#
#	PLY=src/ply HAMMER=test/hammer sh test/soak.sh [SECONDS [NAME]]
#
# Checks that ply's memory stays flat (VmRSS sampled every 10 s; not
# for an ASan build, whose quarantine grows by design: SOAK_NO_RSS=1),
# that no event is lost without a warning (the lines that arrived plus
# the events the warnings count equal the events a count() saw), and
# that SIGINT ends it cleanly, maps printed.  Prints the figures and
# "N passed, N failed".  Needs root and BPF; make check-soak runs it
# with the normal build and with an ASan build.

. "${srcdir:-$(dirname "$0")/..}/test/lib.sh"
secs=${1:-600}
name=${2:-ply}

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# the workload: getppid() as fast as two CPUs go, in a loop
(while :; do "$HAMMER" -2 100000000 >/dev/null; done) &
load=$!

# ply's output is counted, not kept: a fifo into awk
mkfifo "$tmp/fifo"
awk '/^[0-9]+ / { n++ } /^@switches: / { sw = $2 }
	END { print n + 0, sw + 0 }' <"$tmp/fifo" >"$tmp/lines" &
counter=$!
"$PLY" -k 'tracepoint:syscalls/sys_enter_getppid { @calls[comm, cpu] = count(); @n = count(); }
	interval:1s { print(@n); }
	tracepoint:sched/sched_switch { @switches = count(); printf("%d %s %d\n", pid, comm, cpu); }' \
	>"$tmp/fifo" 2>"$tmp/err" &
ply=$!
sleep 10
rss0=$(rss "$ply")
max=$rss0
t=10
while [ $t -lt "$secs" ]; do
	sleep 10
	t=$((t + 10))
	r=$(rss "$ply")
	[ -n "$r" ] && [ "$r" -gt "$max" ] && max=$r
done
rss1=$(rss "$ply")
kill -INT "$ply"
i=0
while kill -0 "$ply" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill "$load" 2>/dev/null
pkill -x hammer 2>/dev/null
wait "$counter"

# the printf lines that arrived, and the count() of every sched_switch
# from the map dump at the end
read -r lines switches <"$tmp/lines"
lost=$(sed -n 's/.*warning: lost \([0-9]*\) events.*/\1/p' "$tmp/err" |
	awk '{ s += $1 } END { print s + 0 }')
echo "# $name, $secs s: VmRSS $rss0 kB after 10 s, $rss1 kB at the end" \
	"(max $max kB); $switches events, $lines printf lines, $lost lost" \
	"(warned)"
cat "$tmp/err" | grep -v 'warning: lost' | head -n 5

if [ $i -lt 100 ]; then
	pass "$name: SIGINT ends ply after $secs s under load"
else
	fail "$name: SIGINT ends ply after $secs s under load" "still running"
	kill -9 "$ply" 2>/dev/null
fi
if [ -n "${SOAK_NO_RSS:-}" ]; then
	echo "# $name: RSS not checked (SOAK_NO_RSS)"
elif [ -n "$rss0" ] && [ -n "$rss1" ] && [ "$rss1" -le $((rss0 + rss0 / 10 + 64)) ]; then
	pass "$name: VmRSS flat ($rss0 kB -> $rss1 kB)"
else
	fail "$name: VmRSS flat" "$rss0 kB -> $rss1 kB"
fi
# every event is a line or counted as lost; events after the last
# drain (SIGINT came) are neither: a few, allowed for
missing=$((switches - lines - lost))
if [ "$lines" -gt 0 ] && [ "$missing" -ge 0 ] && [ "$missing" -le 1000 ] &&
   ! grep -q 'error' "$tmp/err"; then
	pass "$name: $switches events = $lines lines + $lost lost (warned) + $missing after the end"
else
	fail "$name: no silent loss" "$switches events, $lines lines, $lost lost: $missing missing"
fi
finish
