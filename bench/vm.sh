#!/bin/bash
# bench/vm.sh - kprobe figures in the QEMU guest of test/vm/run.sh (this
# machine's kernel has no kprobes): bench/kprobe.sh runs inside it.
#
#   bench/vm.sh [-r ROUNDS] [-n READS] [-a ARCH] [-k KERNEL] [-o FILE]
#
#   -r ROUNDS  rounds of each measurement (default 5)
#   -n READS   one-byte reads per per-event run (default 100000)
#   -a ARCH    the guest's architecture (default x86_64; see run.sh)
#   -k KERNEL  another kernel for it (run.sh --kernel: x86_64's trixie,
#              whose kprobe_multi links attach a glob at once)
#   -o FILE    also write the figures to FILE
#
# The guest runs under TCG, tens of times slower than hardware: read the
# ratios (count against the empty program, 500 functions against 50),
# not the times.  Exits non-zero if a sanity check failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
rounds=5
reads=100000
arch=x86_64
kernel=
outfile=
while getopts r:n:a:k:o:h opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	n) reads=$OPTARG ;;
	a) arch=$OPTARG ;;
	k) kernel=$OPTARG ;;
	o) outfile=$OPTARG ;;
	*) sed -n '2,/^set -u/p' "$0" | sed '$d'; exit 2 ;;
	esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{ echo "ROUNDS=$rounds N=$reads"; cat "$here/kprobe.sh"; } >"$work/kprobe.sh"

VM_SUITE=$work/kprobe.sh VM_TIMEOUT=${VM_TIMEOUT:-1500} \
	bash "$top/test/vm/run.sh" --arch "$arch" ${kernel:+--kernel "$kernel"} |
	tee "$work/out"
rc=${PIPESTATUS[0]}
{
	echo "kprobes in QEMU ($arch${kernel:+, $kernel kernel}, TCG), $(date -u +%Y-%m-%dT%H:%MZ), ply $(git -C "$top" rev-parse --short HEAD 2>/dev/null)"
	grep -E '^== kernel ' "$work/out"
	sed -n 's/^# //p' "$work/out"
} >"$work/table"
echo
cat "$work/table"
[ -n "$outfile" ] && cp "$work/table" "$outfile"
exit "$rc"
