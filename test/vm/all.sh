#!/bin/bash
# test/vm/all.sh - test/vm/run.sh for every architecture in turn, then
# one table: architecture, kernel, boot time, cases passed/failed, the
# stripped ply's size.  armhf, mipsel and riscv64 kernels ship with the
# BPF JIT off: they run twice, as shipped and with
# sysctl.net.core.bpf_jit_enable=1 ("+jit").  ARCH-KERNEL is run.sh
# --arch ARCH --kernel KERNEL (x86_64-trixie: Debian trixie's 6.12;
# ARCH-bullseye: Debian bullseye's 5.10, as OpenWrt 22.03 runs).
#
#   test/vm/all.sh [RUN...]      RUN: x86_64 x86_64-trixie aarch64
#                                armhf armhf+jit mipsel mipsel+jit
#                                riscv64 riscv64+jit x86_64-bullseye
#                                aarch64-bullseye armhf-bullseye
#                                armhf-bullseye+jit
#                                (default: all of them)
#
# One after the other: two TCG guests on two cores slow each other
# down.  Each run's output goes to $VMCACHE/all/RUN.log; the table
# lists the failing cases below it.  Environment: as for run.sh
# (VMCACHE, VM_TIMEOUT, VM_APPEND, ...).  Ends with "N passed, N
# failed" over all runs; exits non-zero if anything failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
cache=${VMCACHE:-$HOME/.cache/ply-vm}
outdir=$cache/all
mkdir -p "$outdir"

runs=("$@")
[ ${#runs[@]} -gt 0 ] ||
	runs=(x86_64 x86_64-trixie aarch64 armhf armhf+jit mipsel mipsel+jit riscv64 riscv64+jit
		x86_64-bullseye aarch64-bullseye armhf-bullseye armhf-bullseye+jit)

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

t0=$(now)
total_pass=0
total_fail=0
rows=()
failures=

for r in "${runs[@]}"; do
	a=${r%+jit}
	append=${VM_APPEND:-}
	[ "$a" != "$r" ] && append="${append:+$append }sysctl.net.core.bpf_jit_enable=1"
	# ARCH-KERNEL: another kernel for the arch
	k=
	case $a in *-*) k=${a#*-}; a=${a%%-*} ;; esac
	log=$outdir/$r.log
	res=$outdir/$r.result
	rm -f "$res"
	printf '== %-14s ' "$r"
	t=$(now)
	VM_APPEND=$append VM_RESULT=$res bash "$here/run.sh" --arch "$a" ${k:+--kernel "$k"} >"$log" 2>&1
	rc=$?
	# defaults, for a run.sh that died before writing its result
	krel=? kdesc= jit=? boot_s=? suite_s=? wall_s=? passed=0 failed=1 size=0 note=
	# shellcheck disable=SC1090
	[ -f "$res" ] && . "$res"
	[ -f "$res" ] || note="run.sh exited $rc without a result: see $log"
	[ "$rc" != 0 ] && [ "$failed" = 0 ] && failed=1
	total_pass=$((total_pass + passed))
	total_fail=$((total_fail + failed))
	ver=$(echo "$kdesc" | awk '{ print $2 }')
	run_s=$(secs "$t" "$(now)")
	echo "$passed passed, $failed failed, $run_s s${note:+ ($note)}"
	rows+=("$(printf '%-14s|%-4s|%-26s|%-10s|%7s|%7s|%6s|%6s|%6s|%8s|%s' \
		"$r" "$jit" "$krel" "${ver:-?}" "$boot_s" "$suite_s" "$run_s" \
		"$passed" "$failed" "$(awk -v s="$size" 'BEGIN { printf "%.0f KiB", s / 1024 }')" "$note")")
	fl=$(grep -a -E -A 1 '^(FAIL|KERNEL OOPS|== KERNEL OOPS|# skipped)' "$log" |
		grep -a -E '^(FAIL|KERNEL OOPS|== KERNEL OOPS|# skipped|   )' | sed "s/^/  $r: /")
	[ -n "$fl" ] && failures="$failures$fl
"
done

echo
printf '%-14s|%-4s|%-26s|%-10s|%7s|%7s|%6s|%6s|%6s|%8s|%s\n' \
	arch jit kernel version "boot s" "suite s" "run s" passed failed "ply" note |
	sed 's/|/  /g'
for row in "${rows[@]}"; do echo "$row" | sed 's/|/  /g'; done
if [ -n "$failures" ]; then
	echo
	echo "failures and skipped cases (logs in $outdir):"
	printf '%s' "$failures"
fi
echo
echo "== all.sh: $(secs "$t0" "$(now)") s in all"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
