#!/bin/sh
# bench/kprobe.sh - kprobe figures, run inside the QEMU guest by
# bench/vm.sh (as test/vm/run.sh's suite, with busybox's sh and awk).
#
#   - ns per one-byte read() of /dev/zero (hammer -r): untraced, with an
#     empty kprobe:vfs_read program (the floor), and with
#     `kprobe:vfs_read { @[comm] = count(); }`; rounds alternated, medians
#   - for globs matching about 50 and about 500 functions: time from
#     starting ply to the probes being attached (the -c command's first
#     instruction), the whole `-c` run, and until every probe is gone
#     (ply's background detach has exited)
#
# Prints "# " lines (shown by run.sh), a PASS/FAIL per sanity check (the
# counts add up, the globs attach) and "N passed, N failed".
# Under TCG every figure is far slower than on hardware: compare the
# ratios, not the times.

ROUNDS=${ROUNDS:-5}
N=${N:-100000}
tmp=/tmp/bench
mkdir -p $tmp
npass=0
nfail=0
pass() { npass=$((npass + 1)); echo "PASS $1"; }
fail() { nfail=$((nfail + 1)); echo "FAIL $1: $2"; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%s-%s", lo, hi }'; }
stamp() { hammer -s | awk '{ print $2 }'; }
ns() { awk '/ns per call/ { print $1 }' "$1"; }

# ------------------------------------------------------------------ #
# per-event cost of kprobe:vfs_read

: >$tmp/untraced
: >$tmp/floor
: >$tmp/count
ok=0
r=1
while [ $r -le $ROUNDS ]; do
	hammer -r $N >$tmp/out && ns $tmp/out >>$tmp/untraced
	ply -c "hammer -r $N" 'kprobe:vfs_read { }' >$tmp/out 2>$tmp/err &&
		ns $tmp/out >>$tmp/floor
	ply -c "hammer -r $N" 'kprobe:vfs_read { @[comm] = count(); }' >$tmp/out 2>$tmp/err &&
		ns $tmp/out >>$tmp/count
	# every read the workload made was counted
	c=$(awk '$1 == "{" && $2 == "hammer" { print $NF }' $tmp/out)
	[ -n "$c" ] && [ "$c" -ge $N ] && ok=$((ok + 1))
	r=$((r + 1))
done
if [ $ok = $ROUNDS ]; then
	pass "kprobe:vfs_read counted every read, $ROUNDS rounds"
else
	fail "kprobe:vfs_read counted every read" "$ok of $ROUNDS rounds; last output: $(cat $tmp/out $tmp/err)"
fi
u=$(median <$tmp/untraced)
f=$(median <$tmp/floor)
c=$(median <$tmp/count)
echo "# kprobe:vfs_read, $N one-byte reads, $ROUNDS rounds, median (min-max) ns per read:"
echo "#   untraced             $u ($(minmax <$tmp/untraced))"
echo "#   empty program        $f ($(minmax <$tmp/floor))"
echo "#   @[comm] = count()    $c ($(minmax <$tmp/count))"
awk -v u="$u" -v f="$f" -v c="$c" 'BEGIN {
	if (f - u > 0)
		printf "#   count added %.0f ns, the empty program %.0f ns: %.2fx floor\n",
			c - u, f - u, (c - u) / (f - u) }'

# ------------------------------------------------------------------ #
# glob attach and detach

tracing=/sys/kernel/tracing
# the candidate closest to 50 functions, and the one closest to 500
for want in 50 500; do
	best=
	bestd=999999
	for g in vfs_ tcp_ udp_ security_ kmalloc ext4_ filemap_ file_ fsnotify proc_ sched_ blk_ pci_ page_ kernfs_ seq_ \
		 do_ mm_ sys_ __x64_sys_ __arm64_sys_ __se_sys_ inet_ ip_ sock_ \
		 netif_ dev_ kmem_ rcu_ irq_ cpu_ acpi_ tty_ n_tty_ pipe_ path_; do
		n=$(grep -c "^$g" $tracing/available_filter_functions)
		d=$((n > want ? n - want : want - n))
		if [ $d -lt $bestd ]; then
			best=$g
			bestd=$d
		fi
	done
	: >$tmp/attach
	: >$tmp/whole
	: >$tmp/gone
	r=1
	while [ $r -le $ROUNDS ]; do
		t0=$(stamp)
		ply -c 'hammer -s' "kprobe:$best* { @ = count(); }" >$tmp/out 2>$tmp/err
		rc=$?
		t2=$(stamp)
		t1=$(awk '/^stamp/ { print $2 }' $tmp/out)
		i=0	# (zombies aside: nothing reaps them here)
		while cat /proc/[0-9]*/stat 2>/dev/null |
			awk '$2 == "(ply)" && $3 != "Z" { f = 1 } END { exit !f }' &&
			[ $i -lt 12000 ]; do
			usleep 10000
			i=$((i + 1))
		done
		t3=$(stamp)
		if [ $rc = 0 ] && [ -n "$t1" ]; then
			echo $(((t1 - t0) / 1000000)) >>$tmp/attach
			echo $(((t2 - t0) / 1000000)) >>$tmp/whole
			echo $(((t3 - t0) / 1000000)) >>$tmp/gone
		fi
		r=$((r + 1))
	done
	got=$(sed -n 's/.*attached to \([0-9]*\) of \([0-9]*\) functions.*/\1 of \2/p' $tmp/err)
	how="a perf kprobe each"
	grep -q '(kprobe_multi)$' $tmp/err && how="one kprobe_multi link"
	if [ "$(wc -l <$tmp/attach)" = $ROUNDS ] && [ -n "$got" ]; then
		pass "kprobe:$best* attaches ($got functions)"
	else
		fail "kprobe:$best* attaches" "$(cat $tmp/err)"
	fi
	echo "# kprobe:$best* ($got functions, $how), $ROUNDS rounds, median (min-max) ms from starting ply:"
	echo "#   probes attached      $(median <$tmp/attach) ($(minmax <$tmp/attach))"
	echo "#   ply exited           $(median <$tmp/whole) ($(minmax <$tmp/whole))"
	echo "#   every probe gone     $(median <$tmp/gone) ($(minmax <$tmp/gone))"
done

echo "$npass passed, $nfail failed"
[ $nfail = 0 ]
