# lib.sh - helpers for the shell test suites: PASS/FAIL lines, a final
# "N passed, N failed", and checks on ply's output and exit status.
#
# A case runs ply, keeping stdout in $out, stderr in $err and the exit
# status in $rc; then expect_* checks them and names the case.

npass=0
nfail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { npass=$((npass + 1)); echo "PASS $1"; }

fail() {
	nfail=$((nfail + 1))
	echo "FAIL $1: $2"
	echo "--- stdout"; cat "$tmp/out"
	echo "--- stderr"; cat "$tmp/err"
	echo "--- exit status $rc"
}

# run ply ARGS...; a watchdog kills it after 30 s so a test never hangs
run() {
	timeout -s KILL 30 "$PLY" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# expect NAME STATUS: the exit status
expect_rc() {
	if [ "$rc" = "$2" ]; then pass "$1"; else fail "$1" "exit status $rc, wanted $2"; fi
}

# expect_out NAME TEXT: stdout is exactly TEXT (and exit status 0)
expect_out() {
	if [ "$rc" = 0 ] && [ "$out" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "wanted stdout:
$2"
	fi
}

# expect_grep NAME REGEX: a line of stdout matches (and exit status 0)
expect_grep() {
	if [ "$rc" = 0 ] && grep -q -- "$2" "$tmp/out"; then
		pass "$1"
	else
		fail "$1" "no line of stdout matches /$2/"
	fi
}

# expect_err NAME STATUS TEXT: stderr is exactly TEXT, with that status
expect_err() {
	if [ "$rc" = "$2" ] && [ "$err" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "wanted status $2 and stderr:
$3"
	fi
}

finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" = 0 ]
}
