#!/bin/bash
# test/vm/run.sh - boot a real Debian kernel under QEMU (TCG) and run
# test/vm/suite.sh inside it with a static ply: the kernel tests that the
# host can't run (kprobes, kretprobes, ...), against a known kernel.
#
#   test/vm/run.sh [--arch x86_64]
#
# Needs root (apt-get) and Debian's package mirror.  Everything it
# fetches or builds lives in ${VMCACHE:-$HOME/.cache/ply-vm}/ARCH/: the
# kernel is fetched once and reused; ply is rebuilt incrementally from
# this source tree, uncommitted work included.
#
# Environment:
#   VMCACHE      cache folder (default $HOME/.cache/ply-vm)
#   VM_TIMEOUT   host-side limit for one boot, seconds (default 300)
#   VM_WATCHDOG  in-guest watchdog, seconds (default VM_TIMEOUT - 30)
#   VM_APPEND    extra kernel command line
#   VM_ACCEL     tcg (default) or kvm (untested: -accel kvm -cpu host)
#   VM_TIMES=1   print each case's time after its PASS/FAIL line
#   VM_REFRESH=1 fetch the kernel again (the metapackage may have moved)
#
# Prints the guest's PASS/FAIL lines as they come, the timings, and
# "N passed, N failed"; exits non-zero if a case failed, if the guest
# gave no VMTEST-EXIT line, or if the kernel oopsed.
set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
arch=x86_64

while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:?--arch needs a value}; shift 2 ;;
	--arch=*) arch=${1#--arch=}; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

# ------------------------------------------------------------------ #
# per-architecture data: one entry per arch (aarch64, armhf, mipsel,
# riscv64 go here next, with their cross compilers and libc6:ARCH)

case $arch in
x86_64)
	debarch=amd64           # Debian architecture
	kpkg=linux-image-amd64  # metapackage resolving to the current image
	host_triplet=           # empty: native build; else configure --host
	qemu=qemu-system-x86_64
	qemu_pkg=qemu-system-x86
	qemu_machine="-M pc -cpu max -smp 2 -m 512M"
	console=ttyS0
	;;
*)
	echo "run.sh: arch '$arch' is not supported yet (only x86_64)" >&2
	exit 2
	;;
esac

native=no
[ "$(dpkg --print-architecture 2>/dev/null)" = "$debarch" ] && native=yes
if [ $native != yes ]; then
	# foreign arches will fetch busybox + libc6 with a private apt
	# state (never dpkg --add-architecture) and cross-build ply
	echo "run.sh: $arch needs a cross setup that isn't written yet" >&2
	exit 2
fi

cache=${VMCACHE:-$HOME/.cache/ply-vm}
adir=$cache/$arch
mkdir -p "$adir"
timeout_s=${VM_TIMEOUT:-300}
watchdog_s=${VM_WATCHDOG:-$((timeout_s > 60 ? timeout_s - 30 : timeout_s - 5))}

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
die() { echo "run.sh: $*" >&2; exit 1; }
t_start=$(now)

# ------------------------------------------------------------------ #
# host packages, installed only when missing; apt-get update at most once

apt_updated=no
apt_update() {
	[ $apt_updated = yes ] && return 0
	apt_updated=yes
	$sudo apt-get update -qq || echo "run.sh: apt-get update had errors; going on" >&2
}

need=
need_cmd() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }
need_cmd "$qemu" "$qemu_pkg"
need_cmd cpio cpio
need_cmd gzip gzip
need_cmd file file
need_cmd gcc gcc
need_cmd make make
need_cmd autoreconf autoconf
need_cmd automake automake
need_cmd stdbuf coreutils
[ -x /bin/busybox ] || need="$need busybox"
# static glibc for the static ply
case $(gcc -print-file-name=libc.a 2>/dev/null) in /*) ;; *) need="$need libc6-dev" ;; esac
if [ -n "$need" ]; then
	echo "== installing:$need"
	apt_update
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $need >/dev/null ||
		die "apt-get install$need failed"
fi

# ------------------------------------------------------------------ #
# the kernel: Debian's current image for the flavour, fetched once

kdir=$adir/kernel
if [ ! -s "$kdir/vmlinuz" ] || [ ! -s "$kdir/config" ] || [ "${VM_REFRESH:-}" = 1 ]; then
	echo "== fetching $kpkg"
	apt_update
	img=$(apt-cache depends "$kpkg" 2>/dev/null |
		awk '/^ *Depends: linux-image-/ { print $2; exit }')
	[ -n "$img" ] || die "can't resolve $kpkg to a kernel image package"
	mkdir -p "$adir/debs"
	(cd "$adir/debs" && apt-get download -q "$img" >/dev/null 2>&1) ||
		die "apt-get download $img failed"
	deb=$(ls -t "$adir/debs/${img}_"*.deb | head -n 1)
	rm -rf "$kdir.new" && mkdir -p "$kdir.new"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir.new" ./boot ||
		die "can't unpack $deb"
	mv "$kdir.new"/boot/vmlinu[xz]-* "$kdir.new/vmlinuz" &&
		mv "$kdir.new"/boot/config-* "$kdir.new/config" || die "no kernel in $deb"
	basename "$deb" >"$kdir.new/deb"
	rm -rf "$kdir.new/boot" "$kdir"
	mv "$kdir.new" "$kdir"
	# keep only the newest package
	ls -t "$adir/debs/"*.deb | tail -n +2 | xargs -r rm -f
fi
kver=$(sed -n 's/^# Linux\/[^ ]* \([^ ]*\) Kernel Configuration.*/\1/p' "$kdir/config" | head -n 1)
krel=$(file -b "$kdir/vmlinuz" | sed -n 's/.*version \([^ ]*\) .*/\1/p')
[ -n "$krel" ] || krel=$(basename "$(cat "$kdir/deb")" | sed 's/^linux-image-\(.*\)_.*/\1/')

# ------------------------------------------------------------------ #
# a static ply and hammer, built from this source tree (uncommitted
# work included) in a copy of its own, so that the tree itself may be
# configured in place, or not at all

t_build=$(now)
src=$cache/src
bld=$adir/build
mkdir -p "$src" "$bld"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# tracked and untracked files, not ignored ones (no build outputs);
	# only files whose content changed are copied (with a new mtime), so
	# make rebuilds just those, even when another tree shares the cache
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -f "$f" ] || continue
			cmp -s "$f" "$src/$f" && continue
			mkdir -p "$src/$(dirname "$f")" && cp "$f" "$src/$f" || exit 1
		done) || die "can't copy the source tree"
else
	# a release tarball: copy all of it, and unconfigure the copy
	cp -a "$top/." "$src/" || die "can't copy the source tree"
	[ -f "$src/config.status" ] && (cd "$src" && make distclean >/dev/null 2>&1)
fi
[ -x "$src/configure" ] || (cd "$src" && ./autogen.sh >"$adir/autogen.log" 2>&1) ||
	die "autogen.sh failed: see $adir/autogen.log"
if [ ! -f "$bld/Makefile" ]; then
	(cd "$bld" && "$src/configure" ${host_triplet:+--host=$host_triplet} \
		LDFLAGS=-static >"$adir/configure.log" 2>&1) ||
		die "configure failed: see $adir/configure.log"
fi
make -C "$bld" -j2 src/ply test/hammer >"$adir/build.log" 2>&1 || {
	tail -n 30 "$adir/build.log"
	die "static build failed: see $adir/build.log"
}
for b in src/ply test/hammer; do
	file -b "$bld/$b" | grep -q 'statically linked' || die "$bld/$b is not static"
done
t_built=$(now)

# ------------------------------------------------------------------ #
# the initramfs: dynamic busybox (so sh really execs applets) with its
# libraries, ply, hammer, the suite and /init

root=$adir/root
rm -rf "$root"
mkdir -p "$root"/bin "$root"/sbin "$root"/usr/bin "$root"/usr/sbin "$root"/proc \
	"$root"/sys "$root"/dev "$root"/tmp "$root"/var/tmp "$root"/boot \
	"$root"/etc "$root"/root "$root"/test/vm
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# busybox's libraries and loader, from the host's own libc6
for lib in $(ldd /bin/busybox | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
strip -o "$root/bin/ply" "$bld/src/ply"
strip -o "$root/bin/hammer" "$bld/test/hammer"
cp "$top/test/lib.sh" "$root/test/lib.sh"
cp "$top/test/vm/suite.sh" "$root/test/vm/suite.sh"
cp "$kdir/config" "$root/boot/config-$krel"
cat >"$root/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
wd=240
for a in $(cat /proc/cmdline); do
	case $a in
	vmtest.watchdog=*) wd=${a#*=} ;;
	vmtest.times=*) export VMTEST_TIMES=${a#*=} ;;
	esac
done
(
	sleep "$wd"
	echo "VMTEST-WATCHDOG: no result after ${wd}s; processes:"
	ps
	echo w >/proc/sysrq-trigger
	sleep 1
	dmesg | tail -n 60
	echo "VMTEST-EXIT rc=124"
	poweroff -f
) &
echo    # after the firmware's escape sequences
echo "VMTEST-START uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r) cpus=$(nproc)"
cd /tmp
sh /test/vm/suite.sh
rc=$?
echo "VMTEST-END uptime=$(cut -d' ' -f1 /proc/uptime)"
# warnings and oopses that did not stop the kernel
dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|kernel BUG|general protection' |
	sed 's/^/VMTEST-KERNEL: /'
echo "VMTEST-EXIT rc=$rc"
poweroff -f
EOF
chmod +x "$root/init"
initrd=$adir/initramfs.cpio.gz
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 >"$initrd.new") &&
	mv "$initrd.new" "$initrd" || die "can't pack the initramfs"
t_packed=$(now)

# ------------------------------------------------------------------ #
# boot: the console goes to a log; the suite's lines are shown as they come

case ${VM_ACCEL:-tcg} in
kvm) accel="-accel kvm"; qemu_machine=$(echo "$qemu_machine" | sed 's/-cpu [^ ]*/-cpu host/') ;;
*) accel="-accel tcg,thread=multi" ;;
esac
log=$adir/console.log
echo "== booting $krel ($(cat "$kdir/deb")) on $qemu, TCG; console log: $log"
t_boot=$(now)
# shellcheck disable=SC2086
stdbuf -o0 timeout -k 5 "$timeout_s" "$qemu" $qemu_machine $accel \
	-nographic -no-reboot -nodefaults -serial mon:stdio \
	-kernel "$kdir/vmlinuz" -initrd "$initrd" \
	-append "console=$console panic=-1 oops=panic rdinit=/init quiet loglevel=4 vmtest.watchdog=$watchdog_s vmtest.times=${VM_TIMES:-0} ${VM_APPEND:-}" \
	</dev/null 2>&1 | stdbuf -o0 tr -d '\r' | tee "$log" |
	{
		# after VMTEST-START: every case line, and the first lines of
		# each failure's details (all of them are in the log)
		show=no
		detail=0
		while IFS= read -r line; do
			case $line in
			*VMTEST-START*) show=yes; echo "VMTEST-START${line#*VMTEST-START}" ;;
			VMTEST-*|*"Kernel panic"*|*"BUG:"*|*Oops*) detail=0; echo "$line" ;;
			PASS*|FAIL*|"# "*|[0-9]*" passed, "*) detail=0; [ $show = yes ] && echo "$line" ;;
			*)
				[ $show = yes ] || continue
				detail=$((detail + 1))
				if [ $detail -le 25 ]; then
					echo "$line"
				elif [ $detail = 26 ]; then
					echo "    [... more in $log]"
				fi
				;;
			esac
		done
	}
qrc=${PIPESTATUS[0]}
t_end=$(now)

# ------------------------------------------------------------------ #
# the verdict

status=0
exit_line=$(grep -a '^VMTEST-EXIT rc=' "$log" | tail -n 1)
guest_rc=${exit_line#VMTEST-EXIT rc=}
counts=$(grep -a -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
if [ -n "$counts" ]; then
	passed=$(echo "$counts" | awk '{ print $1 + 0 }')
	failed=$(echo "$counts" | awk '{ print $3 + 0 }')
else	# the suite did not finish: count the cases it got through
	passed=$(grep -a -c '^PASS ' "$log")
	failed=$(grep -a -c '^FAIL ' "$log")
fi
up_start=$(sed -n 's/^.*VMTEST-START uptime=\([0-9.]*\).*/\1/p' "$log" | head -n 1)
up_end=$(sed -n 's/^VMTEST-END uptime=\([0-9.]*\).*/\1/p' "$log" | head -n 1)

if grep -a -q -E 'Kernel panic|BUG:|Oops|kernel BUG|general protection fault' "$log"; then
	echo "KERNEL OOPS/PANIC in the guest: see $log"
	grep -a -n -E -A 30 'Kernel panic|BUG:|Oops|kernel BUG|general protection fault' "$log" | head -n 80
	status=1
	failed=$((failed + 1))
fi
if [ -z "$exit_line" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "FAIL: the guest hung: no VMTEST-EXIT within ${timeout_s}s (qemu killed)"
	else
		echo "FAIL: the guest gave no VMTEST-EXIT line (qemu exit status $qrc)"
	fi
	echo "--- last lines of $log"
	tail -n 40 "$log"
	status=1
	failed=$((failed + 1))
elif [ "$guest_rc" = 124 ]; then
	echo "FAIL: the in-guest watchdog fired after ${watchdog_s}s"
	status=1
	failed=$((failed + 1))
elif [ "$guest_rc" != 0 ]; then
	status=1
	[ "$failed" = 0 ] && failed=1
fi

echo "== kernel $krel (${kver:-?}), $arch"
echo "== time: build $(secs "$t_build" "$t_built") s, initramfs $(secs "$t_built" "$t_packed") s," \
	"guest boot ${up_start:-?} s, suite $( [ -n "$up_start" ] && [ -n "$up_end" ] &&
	secs "$up_start" "$up_end" || echo '?') s, qemu wall $(secs "$t_boot" "$t_end") s," \
	"total $(secs "$t_start" "$t_end") s"
echo "$passed passed, $failed failed"
exit $status
