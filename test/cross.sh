#!/bin/bash
# test/cross.sh - build a static ply with Debian's cross compilers for
# every architecture ply has a register table for, and once natively
# with musl, and check each binary.
#
#   test/cross.sh [TRIPLET...]      (default: all of them, then musl)
#
# For each triplet: install gcc-TRIPLET and libc6-dev-ARCH-cross with
# apt-get if the compiler is missing (root or sudo), then, in a build
# tree of its own, `configure --host=TRIPLET LDFLAGS=-static` (with
# -Werror, configure's default) and `make`.  A build passes when make
# succeeds, neither configure nor make printed a warning, `file` says
# the binary is static and of the right architecture, and TRIPLET-strip
# works.  The musl build (CC=musl-gcc LDFLAGS=-static) must also stay
# under MUSL_MAX_KB once stripped.  "musl" is a TRIPLET here too.  A
# compiler Debian doesn't have fails its row, but for loongarch64's,
# which bookworm lacks: that row says "skipped".
#
# ply is built from a copy of this source tree (uncommitted work
# included), so the tree itself may be configured in place.  Every
# build starts from an empty build tree: an incremental build would not
# show the warnings of the files it does not recompile.
#
# Environment:
#   CROSS_CACHE  where the source copy and build trees go
#                (default ${TMPDIR:-/tmp}/ply-cross); logs are in
#                CROSS_CACHE/TRIPLET/{configure,build}.log
#   CROSS_NO_APT=1  install nothing: a missing compiler fails its row
#   MUSL_MAX_KB  the musl binary's size limit, stripped (default 200)
#   CROSS_CONF   more configure arguments for every build, split at
#                spaces (e.g. CROSS_CONF=LIBS=-latomic)
#
# Prints one table (triplet, result, stripped size, seconds) and
# "N passed, N failed"; exits non-zero if any build failed.
set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache=${CROSS_CACHE:-${TMPDIR:-/tmp}/ply-cross}
musl_max_kb=${MUSL_MAX_KB:-200}

all_triplets="aarch64-linux-gnu arm-linux-gnueabihf arm-linux-gnueabi
	mipsel-linux-gnu mips-linux-gnu mips64el-linux-gnuabi64
	riscv64-linux-gnu powerpc-linux-gnu powerpc64le-linux-gnu
	loongarch64-linux-gnu musl"
# built when Debian has a cross compiler for it, skipped otherwise
optional="loongarch64-linux-gnu"

case ${1:-} in
-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
triplets=${*:-$all_triplets}

die()
{
	echo "cross.sh: $*" >&2
	exit 1
}

# ------------------------------------------------------------------ #
# per-triplet data: the Debian architecture of its libc6-dev-ARCH-cross
# and what `file -b` says of a static binary for it

debarch()
{
	case $1 in
	aarch64-linux-gnu)		echo arm64 ;;
	arm-linux-gnueabihf)		echo armhf ;;
	arm-linux-gnueabi)		echo armel ;;
	mipsel-linux-gnu)		echo mipsel ;;
	mips-linux-gnu)			echo mips ;;
	mips64el-linux-gnuabi64)	echo mips64el ;;
	riscv64-linux-gnu)		echo riscv64 ;;
	powerpc-linux-gnu)		echo powerpc ;;
	powerpc64le-linux-gnu)		echo ppc64el ;;
	loongarch64-linux-gnu)		echo loong64 ;;
	*)				return 1 ;;
	esac
}

file_pattern()
{
	case $1 in
	aarch64-*)	echo '^ELF 64-bit LSB .*, ARM aarch64,' ;;
	arm-*)		echo '^ELF 32-bit LSB .*, ARM, EABI5' ;;
	mipsel-*)	echo '^ELF 32-bit LSB .*, MIPS, MIPS32' ;;
	mips-*)		echo '^ELF 32-bit MSB .*, MIPS, MIPS32' ;;
	mips64el-*)	echo '^ELF 64-bit LSB .*, MIPS, MIPS64' ;;
	riscv64-*)	echo '^ELF 64-bit LSB .*, UCB RISC-V,' ;;
	powerpc-*)	echo '^ELF 32-bit MSB .*, PowerPC' ;;
	powerpc64le-*)	echo '^ELF 64-bit LSB .*, 64-bit PowerPC' ;;
	loongarch64-*)	echo '^ELF 64-bit LSB .*, LoongArch' ;;
	musl)		echo "^ELF $(getconf LONG_BIT)-bit .*, $(native_file_arch)," ;;
	esac
}

native_file_arch()
{
	case $(uname -m) in
	x86_64)		echo x86-64 ;;
	aarch64)	echo 'ARM aarch64' ;;
	*)		echo '.*' ;;
	esac
}

# ------------------------------------------------------------------ #
# toolchains: apt-get update once, then install what is missing

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
apt_updated=
apt_ok=
if [ "${CROSS_NO_APT:-}" != 1 ] && command -v apt-get >/dev/null &&
	{ [ -z "$sudo" ] || sudo -n true 2>/dev/null; }; then
	apt_ok=1
fi

apt_update()
{
	[ -n "$apt_updated" ] && return 0
	apt_updated=1
	echo "apt-get update" >&2
	$sudo apt-get update -qq >&2
}

# has_candidate PKG: Debian (as configured here) has PKG to install
# (grep reads all of it: with pipefail, grep -q quitting early would
# fail the pipeline when apt-cache gets SIGPIPE)
has_candidate()
{
	apt-cache policy "$1" 2>/dev/null |
		grep '^  Candidate: [^(]' >/dev/null
}

# toolchain TRIPLET: make TRIPLET-gcc available; 2 if Debian has none
toolchain()
{
	local t=$1 pkgs
	if [ "$t" = musl ]; then
		command -v musl-gcc >/dev/null && return 0
		pkgs=musl-tools
	else
		command -v "$t-gcc" >/dev/null && return 0
		pkgs="gcc-$t libc6-dev-$(debarch "$t")-cross"
	fi
	[ -n "$apt_ok" ] || return 1
	apt_update || return 1
	has_candidate "${pkgs%% *}" || return 2
	echo "apt-get install $pkgs" >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends $pkgs >/dev/null || return 1
}

# ------------------------------------------------------------------ #
# the source copy: only files whose content changed are copied, and
# ./configure is made again when the autotools inputs changed

src=$cache/src
mkdir -p "$src" || die "can't make $src"
regen=
[ -x "$src/configure" ] || regen=1
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# tracked and untracked files, not ignored ones (no build outputs)
	changed=$(cd "$top" && git ls-files -z --cached --others \
		--exclude-standard |
		while IFS= read -r -d '' f; do
			[ -f "$f" ] || continue
			cmp -s "$f" "$src/$f" && continue
			mkdir -p "$src/$(dirname "$f")" && cp "$f" "$src/$f" ||
				exit 1
			echo "$f"
		done) || die "can't copy the source tree to $src"
	echo "$changed" | grep -qE '^(configure\.ac|Makefile\.am)$' && regen=1
else
	# a release tarball: copy all of it, and unconfigure the copy
	{ rm -rf "$src" && mkdir -p "$src" && cp -a "$top/." "$src/"; } ||
		die "can't copy the source tree to $src"
	[ -f "$src/config.status" ] && (cd "$src" && make distclean >/dev/null 2>&1)
fi
if [ -n "$regen" ]; then
	(cd "$src" && ./autogen.sh >"$cache/autogen.log" 2>&1) ||
		die "autogen.sh failed: see $cache/autogen.log"
fi

# ------------------------------------------------------------------ #
# one build: prints "RESULT SIZE" (SIZE in bytes, or -)

# build TRIPLET DIR: configure and make in DIR; 0 if it all went well
build()
{
	local t=$1 dir=$2
	local -a conf=(--host="$t" LDFLAGS=-static)
	[ "$t" = musl ] && conf=(CC=musl-gcc LDFLAGS=-static)
	# shellcheck disable=SC2206
	conf+=(${CROSS_CONF:-})
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	(cd "$dir" && "$src/configure" "${conf[@]}") \
		>"$dir/configure.log" 2>&1 || { echo "configure failed"; return 1; }
	make -C "$dir" -j2 src/ply >"$dir/build.log" 2>&1 ||
		{ echo "make failed"; return 1; }
	# configure's "WARNING: using cross tools not prefixed with host
	# triplet", compiler and linker warnings
	if grep -qi 'warning' "$dir/configure.log" "$dir/build.log"; then
		echo "warnings"
		return 1
	fi
}

# check TRIPLET DIR: the binary is static, for TRIPLET, and strips
check()
{
	local t=$1 dir=$2 what strip=$1-strip
	[ "$t" = musl ] && strip="strip"
	what=$(file -b "$dir/src/ply")
	echo "$what" >"$dir/file.txt"
	case $what in
	*"statically linked"*|*"static-pie linked"*) ;;
	*) echo "not static"; return 1 ;;
	esac
	echo "$what" | grep -qE "$(file_pattern "$t")" ||
		{ echo "wrong arch"; return 1; }
	# file can't tell hard-float from soft-float ARM: the attributes can
	case $t in
	arm-*)
		"$t-readelf" -A "$dir/src/ply" >"$dir/attributes.txt" 2>&1
		if grep -q 'Tag_ABI_VFP_args: VFP registers' "$dir/attributes.txt"
		then
			[ "$t" = arm-linux-gnueabihf ] || { echo "hard-float"; return 1; }
		else
			[ "$t" = arm-linux-gnueabi ] || { echo "soft-float"; return 1; }
		fi ;;
	esac
	"$strip" -o "$dir/ply.stripped" "$dir/src/ply" 2>"$dir/strip.log" ||
		{ echo "strip failed"; return 1; }
}

# one TRIPLET: prints "RESULT SIZE" (its toolchain is there)
one()
{
	local t=$1 dir=$cache/$1 why size rc
	why=$(build "$t" "$dir" && check "$t" "$dir")
	rc=$?
	why=${why// /-}
	if [ $rc != 0 ]; then
		echo "${why:-failed} -"
		return 1
	fi
	size=$(stat -c %s "$dir/ply.stripped")
	if [ "$t" = musl ] && [ "$size" -ge $((musl_max_kb * 1024)) ]; then
		echo "over-${musl_max_kb}KB $size"
		return 1
	fi
	echo "ok $size"
}

# ------------------------------------------------------------------ #

passed=0
failed=0
rows=
notes=
t_all=$SECONDS
for t in $triplets; do
	if [ "$t" != musl ] && ! debarch "$t" >/dev/null; then
		die "unknown triplet '$t'"
	fi
	t0=$SECONDS
	echo "=== $t" >&2
	# in this shell, so that apt-get update runs once
	toolchain "$t"
	case $? in
	0) read -r result size < <(one "$t") ;;
	2)	# only a triplet Debian has never shipped a toolchain for
		# may be missing (loongarch64: not in bookworm); any other
		# missing compiler is a failure, not a silent skip
		case " $optional " in
		*" $t "*) result=skipped ;;
		*) result=no-package ;;
		esac
		size=- ;;
	*) result=no-toolchain size=- ;;
	esac
	case $result in
	ok)
		passed=$((passed + 1)) ;;
	skipped)
		notes="$notes${t%%-*}: no Debian toolchain (skipped)"$'\n' ;;
	*)
		failed=$((failed + 1))
		for log in "$cache/$t/configure.log" "$cache/$t/build.log"; do
			[ -f "$log" ] || continue
			grep -iE 'error|warning' "$log" | head -n 20 >&2
		done ;;
	esac
	if [ "$size" != - ]; then
		size=$(awk -v b="$size" 'BEGIN { printf "%d (%.1f KB)", b, b / 1024 }')
	fi
	rows="$rows$(printf '%-26s %-14s %-22s %4ds' "$t" "$result" \
		"$size" $((SECONDS - t0)))"$'\n'
done

printf '\n%-26s %-14s %-22s %5s\n' triplet result "stripped size" time
printf '%s' "$rows"
printf '%s' "$notes"
echo "total: $((SECONDS - t_all))s; logs in $cache/TRIPLET/"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
