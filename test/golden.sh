#!/bin/sh
#
# golden.sh - the front end's golden tests.
#
#	test/golden.sh DRIVER [ARG...]
#
# For each test/golden/NAME.ply, runs "DRIVER [ARG...] MODE NAME.ply"
# from inside test/golden (so messages carry just the file name) and
# compares with the expected files next to it:
#
#	NAME.tok	stdout of MODE "tokens" (exit status 0)
#	NAME.ast	stdout of MODE "ast" (exit status 0)
#	NAME.err	stderr of MODE "ast" (exit status 1)
#
# e.g. test/golden.sh /tmp/frontend_dump.  Prints PASS/FAIL per check
# (with a diff on failure) and "N passed, N failed"; exits 1 if any
# failed.  GOLDEN_UPDATE=1 rewrites the expected files instead.
#

if [ $# -lt 1 ]; then
	echo "usage: $0 DRIVER [ARG...]" >&2
	exit 2
fi

# a relative driver path must survive the cd below
case $1 in
/*) ;;
*/*) drv=$PWD/$1; shift; set -- "$drv" "$@" ;;
esac

cd "$(dirname "$0")/golden" || exit 2
out=$(mktemp) && err=$(mktemp) || exit 2
trap 'rm -f "$out" "$err"' EXIT
npass=0
nfail=0

# run NAME EXPECTED-FILE MODE WANT-STATUS GOT-FILE DRIVER...
run()
{
	name=$1 exp=$2 mode=$3 want=$4 got=$5
	shift 5
	"$@" "$mode" "$name.ply" >"$out" 2>"$err" </dev/null
	status=$?
	if [ -n "$GOLDEN_UPDATE" ]; then
		cp "$got" "$exp"
	fi
	if [ "$status" -eq "$want" ] && diff -u "$exp" "$got" >/dev/null; then
		echo "PASS $exp"
		npass=$((npass + 1))
		return
	fi
	echo "FAIL $exp"
	[ "$status" -ne "$want" ] && echo "exit status $status, want $want"
	diff -u "$exp" "$got"
	[ "$got" = "$out" ] && cat "$err"
	nfail=$((nfail + 1))
}

for ply in *.ply; do
	name=${ply%.ply}
	found=
	if [ -e "$name.tok" ]; then
		run "$name" "$name.tok" tokens 0 "$out" "$@"
		found=1
	fi
	if [ -e "$name.ast" ]; then
		run "$name" "$name.ast" ast 0 "$out" "$@"
		found=1
	fi
	if [ -e "$name.err" ]; then
		run "$name" "$name.err" ast 1 "$err" "$@"
		found=1
	fi
	if [ -z "$found" ]; then
		echo "FAIL $ply (no .tok, .ast or .err file)"
		nfail=$((nfail + 1))
	fi
done

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
