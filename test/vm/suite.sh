#!/bin/sh
# test/vm/suite.sh - the cases test/vm/run.sh runs inside a QEMU guest,
# as root on a known Debian kernel: kprobes and kretprobes (which the
# host suite, test/kernel.test, can't rely on) in all their forms
# (SYM+OFF, 0xADDR, MOD:SYM in null_blk, globs), the kprobe_events
# fallback, a few tracepoint cases that check the harness itself, and
# that nothing stays behind after a normal exit, SIGINT or SIGKILL.
#
# POSIX sh with busybox's utilities only (no bpftool): leftovers are
# counted from /proc/*/fdinfo, /proc/*/fd, kprobe_events and
# debugfs' kprobes/list.  Prints "PASS name" / "FAIL name: why" and
# "N passed, N failed".

PLY=${PLY:-/bin/ply}
HAMMER=${HAMMER:-/bin/hammer}
. "$(dirname "$0")/../lib.sh"

# VMTEST_TIMES=1 (run.sh's VM_TIMES=1): each case's seconds after its name
if [ "${VMTEST_TIMES:-}" = 1 ]; then
	t_case=$(cut -d' ' -f1 /proc/uptime)
	# sets $took to " [N.NNs]", the time since the last case ended
	tick() {
		t_now=$(cut -d' ' -f1 /proc/uptime)
		took=$(awk -v a="$t_case" -v b="$t_now" 'BEGIN { printf " [%.2fs]", b - a }')
		t_case=$t_now
	}
	pass() { npass=$((npass + 1)); tick; echo "PASS $1$took"; }
	fail() {
		nfail=$((nfail + 1))
		tick
		echo "FAIL $1: $2$took"
		echo "--- stdout"; cat "$tmp/out"
		echo "--- stderr"; cat "$tmp/err"
		echo "--- exit status $rc"
	}
fi

tracing=/sys/kernel/tracing
[ -d $tracing/events ] || tracing=/sys/kernel/debug/tracing

# what caller prints after a function's name for a kprobe on its entry:
# nothing, but x86_64 reports the ip past the int3 (and an entry kprobe,
# ftrace-based there, pretends the same): +1; with IBT (trixie's 6.12,
# not bookworm's 6.1) the kernel moves an entry kprobe past the endbr64
# to the ftrace call at +4, which prints as +5
entry=
if [ "$(uname -m)" = x86_64 ]; then
	entry=+1
	grep -q '^CONFIG_X86_KERNEL_IBT=y' "/boot/config-$(uname -r)" && entry=+5
fi

# dd with a known number of read(2)s and write(2)s of a known size
dd_bs1="dd if=/dev/zero of=/dev/null bs=1 count=100 status=none"
dd_10k="dd if=/dev/zero of=/dev/null bs=10240 count=10 status=none"

# val KEYREGEX: the count printed for the first "{ KEY }: N" line
val() {
	sed -n "s/^{ *$1 *}: \([0-9][0-9]*\)\$/\1/p" "$tmp/out" | head -n 1
}

# expect_ge NAME VALUE MIN: VALUE >= MIN (and exit status 0)
expect_ge() {
	if [ "$rc" = 0 ] && [ -n "$2" ] && [ "$2" -ge "$3" ]; then
		pass "$1"
	else
		fail "$1" "got '${2}', wanted at least $3"
	fi
}

# leftovers and expect_clean
. "$(dirname "$0")/leftovers.sh"

# bg_ply SCRIPT: start ply in the background ($bg) and wait until its
# probes are attached: its perf events are open (ply loads programs of
# its own before compiling, to ask the kernel what it has, so a program
# alone says nothing), and a moment more
bg_ply() {
	"$PLY" "$1" >"$tmp/out" 2>"$tmp/err" &
	bg=$!
	i=0
	while { [ "$(n_progs)" = 0 ] || [ "$(n_perf)" = 0 ]; } &&
	      [ $i -lt 100 ] && kill -0 $bg 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3
}

# signal_case NAME SIG SCRIPT: start ply in the background, wait until
# its programs are attached (which also shows the counters see them),
# send SIG, and check that nothing remains
signal_case() {
	bg_ply "$3"
	seen=$(leftovers)
	kill -s "$2" $bg 2>/dev/null
	wait $bg 2>/dev/null
	rc=$?
	case $seen in
	progs=0" "*|*" perf=0 "*)
		fail "$1: ply attaches (the checks see it)" "while running: $seen"
		return ;;
	esac
	case $2 in
	KILL) [ "$rc" = 137 ] || { fail "$1" "exit status $rc after SIGKILL"; return; } ;;
	*) [ "$rc" = 0 ] || { fail "$1" "exit status $rc after SIG$2, wanted 0"; return; } ;;
	esac
	expect_clean "$1"
}

echo "# kernel $(uname -r), $(nproc) CPUs; before: $(leftovers)"

# ------------------------------------------------------------------ #
# tracepoints: these work without the kprobe provider, so they check
# the harness (kernel, busybox, static ply) end to end

run 'BEGIN { exit(42); }'
expect_rc "tracepoint: exit(42) exits 42" 42

run -c "$dd_10k" -A \
 'tracepoint:syscalls/sys_exit_read / pid == $target / { @[comm] = quantize(data->ret); }'
expect_grep "tracepoint: dd reads: 10 in [8k, 16k)" "^	\[  8k,  16k)	      10 |#####"

run -c "$dd_bs1" 'tracepoint:syscalls/sys_enter_read / pid == $target && data->count == 1 / { @[comm] = count(); }'
expect_out "tracepoint: dd bs=1 count=100 makes 100 one-byte reads" "
@:
{ dd              }: 100"

run -c 'sleep 0.1' 't:sched/sched_process_exec { @[dyn(data->filename)] = count(); }'
expect_grep "tracepoint: sh execs applets (dynamic busybox)" "sleep"

case $(uname -m) in
mips*)	# MIPS has no perf_arch_fetch_caller_regs: a tracepoint's regs
	# carry only the ip, the unwinder gives no frame, and
	# bpf_get_stackid() returns -EFAULT (kprobes' full regs unwind fine)
	echo "# skipped on $(uname -m): tracepoint: stack is symbolised (no kernel callchain from tracepoints)" ;;
*)
	run -c 'true' 'tracepoint:sched/sched_process_exit / pid == $target / { @[stack] = count(); }'
	expect_grep "tracepoint: stack is symbolised" "^	do_exit+[0-9]*$" ;;
esac

run -c "$HAMMER -2 20000" 'tracepoint:syscalls/sys_enter_getppid / !strcmp(comm, "hammer") / { @[comm] = count(); }'
expect_out "tracepoint: count() exact with two threads on one key" "
@:
{ hammer          }: 40000"

run -c true 'tracepoint:syscalls/sys_enter_read { @ = count(); }'
expect_clean "tracepoint: nothing remains after a normal exit"
signal_case "tracepoint: nothing remains after SIGINT" INT \
	'tracepoint:sched/sched_switch { @[cpu] = count(); }'
signal_case "tracepoint: nothing remains after SIGKILL" KILL \
	'tracepoint:sched/sched_switch { @[cpu] = count(); }'

# ------------------------------------------------------------------ #
# the event loop with -c: records on their way (an interval's prints,
# per-event printf, both output channels) and the command's end must
# end ply within 2 s of it, every time.  On 32-bit kernels ply once
# read the BPF ring buffer's 4-byte positions as 8 and spun forever.

now() { cut -d' ' -f1 /proc/uptime; }
# timed NAME RUNS MAXLINES ARGS...: RUNS runs of ply -c "sleep 1" ARGS,
# each exiting 0 within 2 s of the command's end (the time from there
# to ply's exit: under QEMU's emulation starting ply and attaching take
# a second or two of their own, which says nothing of the loop) with
# at most MAXLINES lines of stdout; a spinning ply meets run's timeout
timed() {
	tname=$1 runs=$2 maxl=$3 slow= i=0
	shift 3
	while [ $i -lt "$runs" ]; do
		rm -f "$tmp/end"
		run -c "sleep 1; cut -d' ' -f1 /proc/uptime >$tmp/end" "$@"
		t1=$(now)
		lines=$(wc -l <"$tmp/out")
		if [ -s "$tmp/end" ]; then
			secs=$(awk -v a="$(cat "$tmp/end")" -v b="$t1" \
				'BEGIN { printf "%.2f", b - a }')
		else
			secs=never
		fi
		if [ "$rc" != 0 ] || [ "$lines" -gt "$maxl" ] ||
		   [ "$secs" = never ] ||
		   awk -v s="$secs" 'BEGIN { exit !(s > 2) }'; then
			slow="run $((i + 1)): exit status $rc, exit $secs s after the command's end, $lines lines"
			break
		fi
		i=$((i + 1))
	done
	if [ -z "$slow" ]; then
		pass "$tname ($runs runs)"
	else
		fail "$tname" "$slow"
	fi
}

timed "loop: interval print + clear beside a tracepoint count ends with -c" 10 200 \
	'i:1 { print(@); clear(@); } t:sched/sched_switch { @[pid] = count(); }'
timed "loop: interval print + clear beside a kprobe count ends with -c" 3 200 \
	'k:vfs_read { @[pid] = count(); } i:1 { print(@); clear(@); }'
timed "loop: per-event printf ends with -c (ring buffer)" 3 100000 -k \
	't:sched/sched_switch { printf("%d %s\n", pid, comm); }'
export PLY_PERF_BUFFERS=1
timed "loop: per-event printf ends with -c (perf buffers)" 3 100000 -k \
	't:sched/sched_switch { printf("%d %s\n", pid, comm); }'
unset PLY_PERF_BUFFERS
# (under QEMU's emulation sleep 1 can take longer: at most one tick
# per 100 ms of the whole run, which is longer than the ticking)
t_start=$(cut -d' ' -f1 /proc/uptime)
run -c "sleep 1" 'i:100ms { printf("tick\n"); }'
most=$(awk -v a="$t_start" -v b="$(cut -d' ' -f1 /proc/uptime)" \
	'BEGIN { printf "%d", (b - a) * 10 + 1 }')
n=$(grep -c '^tick$' "$tmp/out")
if [ "$rc" = 0 ] && [ "$n" -ge 7 ] && [ "$n" -le "$most" ]; then
	pass "loop: interval:100ms ticks about 10 times in 1 s ($n)"
else
	fail "loop: interval:100ms ticks about 10 times in 1 s" \
		"$n ticks (7 to $most wanted)"
fi

# ------------------------------------------------------------------ #
# kprobes: counting, predicates, the < > form, globs

run -c "$dd_bs1" 'kprobe:vfs_read { @[comm] = count(); }'
expect_ge "kprobe: @[comm] = count() sees dd's 100 reads" "$(val dd)" 100

run -c "$dd_bs1" 'kprobe:vfs_read / pid == $target && arg2 == 1 / { @[comm] = count(); }'
expect_out "kprobe: / predicate / counts exactly" "
@:
{ dd              }: 100"

run -c "$dd_bs1" 'kprobe:vfs_read if (pid == $target && arg2 == 1) { @[comm] = count(); }'
expect_out "kprobe: if (predicate) counts exactly" "
@:
{ dd              }: 100"

run -c "$dd_bs1" 'k:vfs_read / pid == $target / { @[comm] = count(); }'
expect_ge "kprobe: k: abbreviation" "$(val dd)" 100

# the README's form, verbatim (plus -c, so that it ends)
run -c "$dd_bs1" 'kprobe:vfs_read < @[comm] = count(); >'
expect_ge "kprobe: < > body form" "$(val dd)" 100

run -c "$dd_bs1" 'kprobe:vfs_[rw]* / pid == $target / { @[comm] = count(); }'
expect_ge "kprobe: glob vfs_[rw]* sees dd's reads and writes" "$(val dd)" 200

run -c "$dd_bs1" 'kprobe:vfs_read, kprobe:vfs_write / pid == $target && arg2 == 1 / { @[comm] = count(); }'
expect_out "kprobe: two specs, one body: 100 reads + 100 writes" "
@:
{ dd              }: 200"

# ------------------------------------------------------------------ #
# the other forms of a kprobe: SYM+OFF, 0xADDR; a typo's suggestion;
# a glob that matches nothing

# SYM+OFF, in read_zero (/dev/zero's read): only dd's 100 reads of
# /dev/zero get there, not the loader's reads of libraries, which
# vfs_read+OFF would count too, and which arg2 can't tell apart past the
# entry (the argument registers may hold something else by then).
# read_zero+68 is an instruction boundary on the path of every read in
# each bookworm and trixie kernel here (x86_64 6.1 and 6.12, aarch64,
# armhf, mipsel, riscv64; checked by running and with objdump), not in
# bullseye's 5.10 (x86_64: inside an instruction, which the kernel
# refuses with EILSEQ): there the first of a few offsets near the start
# that both take and count dd's reads.  vfs_read has no such offset:
# x86_64's instructions have any length, 6.1's functions start with
# ftrace's 5-byte call and 6.12's with a 4-byte endbr64 before it, and
# on arm64 vfs_read+4 is ftrace's NOP, which kprobes refuse.
# x86_64 prints the ip past the int3: read_zero+69
for off in 68 5 9 8 12 16 20 24; do
	case $(uname -m) in x86_64) at=$((off + 1)) ;; *) at=$off ;; esac
	run -c "$dd_bs1" "kprobe:read_zero+$off / pid == \$target / { @[caller] = count(); }"
	[ "$rc" = 0 ] && [ "$out" = "
@:
{ read_zero+$at }: 100" ] && break
done
expect_out "kprobe:SYM+OFF: read_zero+$off counts dd's 100 reads of /dev/zero" "
@:
{ read_zero+$at }: 100"

# an offset inside an instruction (x86_64: inside the entry's 5-byte
# ftrace call, or 6.12's endbr64): the kernel's EILSEQ in words
if [ "$(uname -m)" = x86_64 ]; then
	run -c true 'kprobe:vfs_read+1 { @ = count(); }'
	if [ "$rc" = 1 ] && grep -q "vfs_read+1: can't attach to vfs_read: the offset is not at an instruction's start" "$tmp/err"; then
		pass "kprobe:SYM+OFF inside an instruction: said in words"
	else
		fail "kprobe:SYM+OFF inside an instruction: said in words" "exit status $rc, stderr: $(cat "$tmp/err")"
	fi
fi

# 0xADDR: vfs_read's address, from kallsyms; on the entry, so arg2
# tells dd's one-byte reads from the loader's
addr=$(awk '$3 == "vfs_read" { print $1; exit }' /proc/kallsyms)
run -c "$dd_bs1" "kprobe:0x$addr / pid == \$target && arg2 == 1 / { @[caller] = count(); }"
expect_out "kprobe:0xADDR: vfs_read's address (0x$addr) counts exactly" "
@:
{ vfs_read$entry }: 100"

run -c true 'kprobe:vfs_raed { @ = count(); }'
if [ "$rc" = 1 ] && grep -q "vfs_raed.*did you mean 'vfs_read'" "$tmp/err"; then
	pass "kprobe: an unknown function exits 1 and suggests vfs_read"
else
	fail "kprobe: an unknown function exits 1 and suggests vfs_read" "exit status $rc, or no suggestion on stderr"
fi

run -c true 'kprobe:nosuch_fn_* { @ = count(); }'
if [ "$rc" = 1 ] && grep -q "nosuch_fn_\*" "$tmp/err"; then
	expect_clean "kprobe: a glob that matches nothing exits 1, names it, leaves nothing"
else
	fail "kprobe: a glob that matches nothing exits 1, names it, leaves nothing" \
		"exit status $rc (wanted 1), or stderr does not name the glob"
fi

# ------------------------------------------------------------------ #
# kprobe:MOD:SYM, in null_blk (it makes /dev/nullb0): run.sh puts it in
# /lib/modules/RELEASE, with the modules modules.dep says it needs

moddir=/lib/modules/$(uname -r)
# modload MOD: insmod what MOD needs, then MOD; modules.dep lists a
# module's dependencies in the reverse of the order they load in
modload() {
	line=$(grep "^\([^:]*/\)\{0,1\}$1\.ko:" "$moddir/modules.dep") || return 1
	for m in $(echo "$line" | awk '{ for (i = NF; i > 1; i--) print $i }') "${line%%:*}"; do
		insmod "$moddir/$m" || return 1
	done
}
# O_DIRECT: every 4 KiB read is one request, with no page cache between
dd_nullb="dd if=/dev/nullb0 of=/dev/null bs=4096 count=100 iflag=direct status=none"

nullb=no
if [ "$(uname -m)" = riscv64 ]; then
	echo "# skipped on riscv64: kprobe:MOD:SYM (the kernel is built here from tinyconfig: no block devices, no null_blk)"
else
	modload null_blk >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = 0 ] && [ -b /dev/nullb0 ]; then
		nullb=yes
		pass "modules: insmod null_blk and what it needs makes /dev/nullb0"
	else
		fail "modules: insmod null_blk and what it needs makes /dev/nullb0" \
			"$moddir/modules.dep: $(cat "$moddir/modules.dep" 2>&1); $(ls -l /dev/nullb0 2>&1)"
	fi
fi
if [ $nullb = yes ]; then
	# one request per read, queued through null_queue_rq (6.12's
	# null_queue_rqs, for a batch, calls it for each)
	run -c "$dd_nullb" 'kprobe:null_blk:null_queue_rq { @ = count(); }'
	expect_out "kprobe:MOD:SYM: null_blk:null_queue_rq counts dd's 100 direct reads" "
@: 100"

	# the glob expands among null_blk's functions only: vmlinux has
	# null_* functions too (null_lseek, of /dev/null).  Slow: 3-5 s
	# under TCG on 6.1 (30-odd kprobes, a text patch each)
	run -c "$dd_nullb" 'kprobe:null_blk:null_* { @[caller] = count(); }'
	# (grep, not awk, over the 30-40000 lines: 1 s, not 3, under TCG)
	grep '^null_' $tracing/available_filter_functions | sort -u >"$tmp/fns"
	mod_n=$(grep -c ' \[null_blk\]$' "$tmp/fns")
	all_n=$(sed 's/ .*//' "$tmp/fns" | sort -u | wc -l)
	got=$(sed -n 's/^ply: kprobe:null_blk:null_\*: attached to \([0-9]*\) of \([0-9]*\) functions.*/\1 \2/p' "$tmp/err")
	if [ "$rc" = 0 ] && [ -n "$got" ] && [ "${got#* }" = "$mod_n" ] && [ "$mod_n" -lt "$all_n" ] &&
	   [ "${got% *}" -gt 0 ] && grep -q "^{ null_queue_rq" "$tmp/out" &&
	   ! grep '^{' "$tmp/out" | grep -v -q '^{ null_'; then
		pass "kprobe:MOD:glob: null_blk:null_* attaches to null_blk's $mod_n null_* (of $all_n)"
	else
		fail "kprobe:MOD:glob: null_blk:null_* attaches to null_blk's $mod_n null_* (of $all_n)" \
			"report '$got' (wanted N of $mod_n, N > 0), or a key that is not null_blk's"
	fi
	expect_clean "kprobe:MOD:SYM: nothing remains"
	rmmod null_blk
fi

# ------------------------------------------------------------------ #
# kretprobes, arguments, registers, caller, stack

run -c "$dd_10k" -A 'kretprobe:vfs_read / pid == $target / { @["rdsz"] = quantize(retval); }'
expect_grep "kretprobe: quantize(retval): 10 reads in [8k, 16k)" "^	\[  8k,  16k)	      10 |#####"

run -c "$dd_10k" 'kr:vfs_read / pid == $target && retval == 10240 / { @[comm] = count(); }'
expect_out "kretprobe: kr: abbreviation, retval in a predicate" "
@:
{ dd              }: 10"

run -c "$dd_10k" 'kprobe:vfs_read / pid == $target / { @[arg2] = count(); }'
# registers print as iovisor/ply prints reg_t: %#lx (0x2800 = 10240)
expect_grep "kprobe: arg2 of vfs_read is dd's block size" "^{ 0x2800 }: 10$"

run -c "$dd_10k" 'kprobe:vfs_write / pid == $target / { @[arg0 != 0, arg1 != 0, arg2] = count(); }'
expect_grep "kprobe: arg0, arg1, arg2 of vfs_write" "^{ 1, 1, 0x2800 }: 10$"

if [ "$(uname -m)" = x86_64 ]; then
	run -c "$dd_10k" 'kprobe:vfs_read / pid == $target / { @[regs->rdx] = count(); }'
	expect_grep "kprobe: regs->rdx is arg2 on x86_64" "^{ 0x2800 }: 10$"
fi

run -c "$dd_10k" 'kprobe:vfs_read / pid == $target / { @[caller] = count(); }'
# caller is the probed address, as in iovisor/ply: vfs_read, exactly
# (x86_64: vfs_read+1 or +5, see $entry)
expect_grep "kprobe: caller is symbolised (vfs_read)" "^{ vfs_read$entry *}: [0-9][0-9]*$"

case $(uname -m) in
riscv64)
	# a kprobe at a function's entry is an ftrace kprobe there, and
	# 6.1's ftrace_regs_caller (arch/riscv/kernel/mcount-dyn.S) saves
	# no status: user_mode(regs) is true, get_perf_callchain() skips
	# the kernel's frames and bpf_get_stackid() returns -EFAULT
	echo "# skipped on riscv64: kprobe: stack is symbolised (no kernel callchain from ftrace kprobes on 6.1)" ;;
*)
	run -c "$dd_10k" 'kprobe:vfs_read / pid == $target / { @[stack] = count(); }'
	# the caller's frame is ksys_read, or the syscall's wrapper where
	# ksys_read is inlined into it (__arm64_sys_read on arm64)
	if [ "$rc" = 0 ] && grep -q "^	vfs_read" "$tmp/out" && grep -q "sys_read+[0-9]" "$tmp/out"; then
		pass "kprobe: stack is symbolised (vfs_read, ksys_read frames)"
	else
		fail "kprobe: stack is symbolised (vfs_read, ksys_read frames)" "no vfs_read/*sys_read frames"
	fi ;;
esac

# ------------------------------------------------------------------ #
# one object tracked across two probes: every read's latency, paired

run -c "$dd_10k" -A 'kprobe:vfs_read / pid == $target / { t[kpid] = time; }
kretprobe:vfs_read / t[kpid] / { @ = quantize(time - t[kpid]); delete t[kpid]; }'
n=$(awk -F '\t' '/^\t\[/ { n += $3 } END { print n + 0 }' "$tmp/out")
if [ "$rc" = 0 ] && [ "$n" -ge 10 ] && ! grep -q '^{' "$tmp/out"; then
	pass "kprobe+kretprobe: latency by kpid, every entry paired and deleted"
else
	fail "kprobe+kretprobe: latency by kpid, every entry paired and deleted" \
		"$n reads in the histogram (wanted >= 10), or t[] kept entries"
fi

# ------------------------------------------------------------------ #
# self-test, and nothing left behind

run -T
expect_rc "ply -T passes" 0

# a wide glob: one perf kprobe per function on 6.1 (no kprobe_multi
# there; on 6.12 ply may attach it through one kprobe_multi link); the
# slowest case here (attaching each costs a text patch under TCG)
run -c "$dd_bs1" 'kprobe:vfs_* { @ = count(); } kretprobe:vfs_read { @r = count(); }'
expect_rc "kprobe: a glob over vfs_* runs" 0
# its report: "ply: kprobe:vfs_*: attached to N of M functions", and
# after that perhaps those skipped and why, or how it attached; M is
# every vfs_* ftrace can trace, N those the kernel took (it may refuse
# some)
vfs_m=$(grep '^vfs_[^ ]*$' $tracing/available_filter_functions | sort -u | wc -l)
got=$(sed -n 's/^ply: kprobe:vfs_\*: attached to \([0-9][0-9]*\) of \([0-9][0-9]*\) functions\([;, (].*\)\{0,1\}$/\1 \2/p' "$tmp/err")
if [ -n "$got" ] && [ "${got% *}" -gt 0 ] && [ "${got% *}" -le "${got#* }" ] && [ "${got#* }" = "$vfs_m" ]; then
	pass "kprobe: the glob's report: attached to ${got% *} of $vfs_m functions"
else
	fail "kprobe: the glob's report: attached to N of $vfs_m functions" "report '$got' (N M)"
fi
expect_clean "kprobe: nothing remains after a normal exit"

# kprobe_multi (5.18 with CONFIG_FPROBE: trixie's 6.12, not 6.1): a
# glob is one link, its report says so, and caller is the function
# itself (bpf_get_func_ip), without the +1/+5 of an entry kprobe's ip
multi=no
grep -q '^CONFIG_FPROBE=y' "/boot/config-$(uname -r)" 2>/dev/null && multi=yes
via() {	# NAME SPEC WANT(yes/no): the report of SPEC says kprobe_multi or not
	if grep -q "^ply: $2: attached to [0-9]* of [0-9]* functions (kprobe_multi)\$" "$tmp/err"; then
		got_multi=yes
	else
		got_multi=no
	fi
	[ "$got_multi" = "$3" ] || fail "$1" "kprobe_multi: $got_multi, wanted $3: $(grep "^ply: $2:" "$tmp/err")"
}
if [ $multi = yes ]; then fn=; else fn=$entry; fi
run -c "$dd_bs1" 'kprobe:vfs_[rw]* / pid == $target && arg2 == 1 / { @[caller] = count(); }'
n0=$nfail
via "kprobe: a glob through kprobe_multi where the kernel has it ($multi)" 'kprobe:vfs_\[rw\]\*' $multi
if [ $nfail = $n0 ]; then
	expect_out "kprobe: a glob through kprobe_multi where the kernel has it ($multi)" "
@:
{ vfs_read$fn }: 100
{ vfs_write$fn }: 100"
fi
run -c "$dd_10k" 'kretprobe:vfs_rea* / pid == $target && retval == 10240 / { @[comm] = count(); }'
n0=$nfail
via "kretprobe: a glob through kprobe_multi where the kernel has it ($multi)" 'kretprobe:vfs_rea\*' $multi
if [ $nfail = $n0 ]; then
	expect_out "kretprobe: a glob through kprobe_multi where the kernel has it ($multi)" "
@:
{ dd              }: 10"
fi
# regs itself: kprobe_multi's pt_regs are partial, so a probe per function
run -c "$dd_bs1" 'kprobe:vfs_rea* / pid == $target && arg2 == 1 / { @[regs != 0] = count(); }'
n0=$nfail
via "kprobe: a glob that reads regs gets a probe per function" 'kprobe:vfs_rea\*' no
if [ $nfail = $n0 ]; then
	expect_out "kprobe: a glob that reads regs gets a probe per function" "
@:
{ 1 }: 100"
fi

# vfs_!(read|write): every vfs_* but those two (vfs_readv and the like
# stay in), so dd's one-byte reads and writes go unseen; slow like the
# glob above (2-3 s under TCG)
run -c "$dd_bs1" 'kprobe:vfs_!(read|write) / pid == $target / { @[caller] = count(); }'
got=$(sed -n 's/^ply: kprobe:vfs_!(read|write): attached to \([0-9][0-9]*\) of \([0-9][0-9]*\) functions.*/\1 \2/p' "$tmp/err")
if [ "$rc" = 0 ] && [ -n "$got" ] && [ "${got% *}" -gt 0 ] && [ "${got#* }" = $((vfs_m - 2)) ] &&
   ! grep -E -q '^\{ vfs_(read|write)(\+[0-9]+)? *\}' "$tmp/out"; then
	pass "kprobe: glob vfs_!(read|write) leaves out vfs_read and vfs_write ($((vfs_m - 2)) of $vfs_m)"
else
	fail "kprobe: glob vfs_!(read|write) leaves out vfs_read and vfs_write ($((vfs_m - 2)) of $vfs_m)" \
		"report '$got' (wanted N of $((vfs_m - 2)), N > 0), or a vfs_read/vfs_write key"
fi

signal_case "kprobe: nothing remains after SIGINT" INT \
	'kprobe:vfs_read { @[comm] = count(); } kretprobe:vfs_read { @r = quantize(retval); }'
signal_case "kprobe: nothing remains after SIGKILL" KILL \
	'kprobe:vfs_[rw]* { @[comm] = count(); } kretprobe:vfs_read { @r = quantize(retval); }'

# ------------------------------------------------------------------ #
# the kprobe_events fallback, for kernels without the perf kprobe PMU
# (before 4.17; PLY_KPROBE_EVENTS=1 forces it): probes are kprobe_events
# lines named ply_<pid>/pN, removed when ply exits, and left behind by a
# SIGKILL, until the next run in this mode removes those of dead plys.
# The command copies kprobe_events (to $tmp/ke) while ply's probes are
# in, then execs dd, so that $target is dd's pid

# events_case NAME DD SCRIPT N LINE: SCRIPT counts dd's N calls
# exactly, and kprobe_events had a LINE (a regex) while it ran
events_case() {
	run -c "cat $tracing/kprobe_events >$tmp/ke; exec $2" "$3"
	if [ "$rc" = 0 ] && [ "$out" = "
@:
{ dd              }: $4" ] && grep -q "$5" "$tmp/ke"; then
		pass "$1"
	else
		fail "$1" "wanted { dd }: $4, and a line /$5/ in kprobe_events: $(cat "$tmp/ke")"
	fi
}

export PLY_KPROBE_EVENTS=1
events_case "kprobe_events: a p:ply_PID/... probe counts exactly" "$dd_bs1" \
	'kprobe:vfs_read / pid == $target && arg2 == 1 / { @[comm] = count(); }' \
	100 '^p:ply_[0-9]*/[^ ]* vfs_read'
events_case "kprobe_events: an r:ply_PID/... kretprobe counts exactly" "$dd_10k" \
	'kretprobe:vfs_read / pid == $target && retval == 10240 / { @[comm] = count(); }' \
	10 '^r[0-9]*:ply_[0-9]*/[^ ]* vfs_read'
expect_clean "kprobe_events: nothing remains after a normal exit"

signal_case "kprobe_events: nothing remains after SIGINT" INT \
	'kprobe:vfs_read { @[comm] = count(); } kretprobe:vfs_read { @r = count(); }'

bg_ply 'kprobe:vfs_read { @[comm] = count(); } kretprobe:vfs_read { @r = count(); }'
kill -s KILL $bg 2>/dev/null
wait $bg 2>/dev/null
rc=$?
left=$(grep -c "^[pr][0-9]*:ply_$bg/" $tracing/kprobe_events)
if [ "$rc" = 137 ] && [ "$left" = 2 ]; then
	pass "kprobe_events: SIGKILL leaves its two ply_PID/... probes behind"
else
	fail "kprobe_events: SIGKILL leaves its two ply_PID/... probes behind" \
		"exit status $rc, $left ply_$bg/ lines: $(cat $tracing/kprobe_events)"
fi
run -c true 'kprobe:vfs_read { @ = count(); }'
# (ply removes them before it attaches: no need to wait if they stay)
if [ "$rc" != 0 ]; then
	fail "kprobe_events: the next run removes a dead ply's probes" "exit status $rc"
elif grep -q "^[pr][0-9]*:ply_$bg/" $tracing/kprobe_events; then
	fail "kprobe_events: the next run removes a dead ply's probes" \
		"still there: $(grep "ply_$bg/" $tracing/kprobe_events)"
else
	expect_clean "kprobe_events: the next run removes a dead ply's probes"
fi
# whatever is left, so that it doesn't fail the cases after this one too
sed -n 's/^[pr][0-9]*:\(ply_[^ ]*\) .*/-:\1/p' $tracing/kprobe_events >"$tmp/ke"
while read -r l; do echo "$l" >>$tracing/kprobe_events; done <"$tmp/ke"
unset PLY_KPROBE_EVENTS

# ------------------------------------------------------------------ #
# bpftrace's language and output (ply --bt): the tutorial's kprobe
# lessons unchanged (test/bt/tutorial.txt), func, and JSON

run --bt -c "$dd_10k" -e 'kretprobe:vfs_read { @bytes = lhist(retval, 0, 2000, 200); }'
if [ "$rc" = 0 ] && grep -q '^\[2000, \.\.\.) *[0-9][0-9]* |@*|$' "$tmp/out" &&
   grep -q '^@bytes: $' "$tmp/out"; then
	pass "bt lesson 6: kretprobe lhist(retval, 0, 2000, 200)"
else
	fail "bt lesson 6: kretprobe lhist(retval, 0, 2000, 200)" "no [2000, ...) bucket"
fi
run --bt -c "$dd_bs1" -e 'kprobe:vfs_read { @start[tid] = nsecs; } kretprobe:vfs_read /@start[tid]/ { @ns[comm] = hist(nsecs - @start[tid]); delete(@start[tid]); }'
if [ "$rc" = 0 ] && grep -q '^@ns\[dd\]: $' "$tmp/out" &&
   grep -q '^\[[0-9]*[KM]*, [0-9]*[KM]*) *[0-9][0-9]* |@*|$' "$tmp/out"; then
	pass "bt lesson 7: read latency as hist, keyed by comm"
else
	fail "bt lesson 7: read latency as hist, keyed by comm" "no @ns[dd] histogram"
fi
run --bt -c "$dd_bs1" -e 'kprobe:vfs_read /pid == cpid && arg2 == 1/ { @[func] = count(); }'
expect_out "bt: func names the function, cpid the command" "

@[vfs_read]: 100"
run --bt -q -f json -c "$dd_bs1" -e 'kprobe:vfs_read /pid == cpid && arg2 == 1/ { @[comm] = count(); }'
expect_out "bt: -f json" '{"type": "map", "data": {"@": {"dd": 100}}}'

run -l 'kprobe:vfs_rea*'
expect_grep "-l 'kprobe:vfs_rea*' lists the kernel's functions" '^kprobe:vfs_read$'
run --bt -l 'kretprobe:vfs_rea*'
expect_grep "bpftrace's -l 'kretprobe:vfs_rea*'" '^kretprobe:vfs_read$'

if ! pgrep -x ply >/dev/null 2>&1; then
	pass "no ply process remains"
else
	fail "no ply process remains" "$(ps | grep '[p]ly')"
fi

finish
