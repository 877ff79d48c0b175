#!/bin/bash
# test/vm/run.sh - boot a real Debian kernel under QEMU (TCG) and run
# test/vm/suite.sh inside it with a static ply: the kernel tests that the
# host can't run (kprobes, kretprobes, ...), against a known kernel.
#
#   test/vm/run.sh [--arch x86_64|aarch64|armhf|mipsel|riscv64]
#                  [--kernel NAME]
#
# (test/vm/all.sh runs them all and prints one table.)
#
# Needs root (apt-get) and Debian's package mirror.  Everything it
# fetches or builds lives in ${VMCACHE:-$HOME/.cache/ply-vm}/ARCH/ (for
# a --kernel other than the default: ARCH-NAME/, so that two kernels'
# files never mix): the kernel, busybox and libc6 are fetched once and
# reused; ply is rebuilt incrementally from this source tree,
# uncommitted work included.
#
#   x86_64   Debian bookworm linux-image-amd64      qemu-system-x86_64 -M pc
#            --kernel trixie: Debian trixie linux-image-cloud-amd64
#            (6.12, the first of these with CONFIG_FPROBE, i.e. BPF
#            kprobe_multi links), with bookworm's busybox and libc6
#   --kernel bullseye (x86_64, aarch64, armhf): Debian 11's 5.10 image
#            of the same flavour, with bookworm's userland
#   aarch64  Debian bookworm linux-image-arm64      qemu-system-aarch64 -M virt
#   armhf    Debian bookworm linux-image-armmp      qemu-system-arm -M virt
#   mipsel   Debian bookworm linux-image-4kc-malta  qemu-system-mipsel -M malta
#   riscv64  built from Debian bookworm's linux-source-6.1 (tinyconfig +
#            test/vm/riscv64-kernel.config; bookworm has no riscv64 port),
#            with busybox and libc6 from Debian trixie's riscv64 port
#
# (--kernel bookworm names the default where it is bookworm's.)  Debian's
# kernels bring null_blk and the modules it needs (modules.dep, made
# with the host's depmod) into the guest's /lib/modules/RELEASE, for the
# suite's kprobe:MOD:SYM cases; compressed modules (.ko.xz, .ko.zst) are
# decompressed on the host, as busybox's insmod takes only plain ones.
# The riscv64 kernel has no block devices: no modules there.
#
# Foreign packages come from a private apt state in
# $VMCACHE/apt/DEBARCH-SUITE (the host's apt configuration is never
# touched: no dpkg --add-architecture); ply and test/hammer are
# cross-compiled with Debian's gcc-TRIPLET and libc6-dev-DEBARCH-cross.
# armhf, mipsel and riscv64 kernels boot with the BPF JIT off;
# VM_APPEND=sysctl.net.core.bpf_jit_enable=1 turns it on
# (test/vm/all.sh does both).
#
# Environment:
#   VMCACHE      cache folder (default $HOME/.cache/ply-vm)
#   VM_TIMEOUT   host-side limit for one boot, seconds (default 300)
#   VM_WATCHDOG  in-guest watchdog, seconds (default VM_TIMEOUT - 30)
#   VM_APPEND    extra kernel command line
#   VM_ACCEL     tcg (default) or kvm (untested: -accel kvm -cpu host)
#   VM_TIMES=1   print each case's time after its PASS/FAIL line
#   VM_REFRESH=1 fetch the kernel and busybox again (the metapackage
#                may have moved); riscv64: rebuild the kernel's config
#   VM_OOPS_RETRIES  boots again after a kernel oops/panic, this many
#                times (default 6 on mipsel, whose kprobes oops in about
#                half the runs, 1 on trixie's x86_64 kernel, which
#                oopsed once while booting; 0 elsewhere); reported as
#                "oops, retried"
#   VM_MIRROR    Debian mirror (default http://deb.debian.org/debian)
#   VM_SECURITY_MIRROR  (default http://deb.debian.org/debian-security)
#   VM_RESULT    file to write a summary to (KEY=value lines; all.sh)
#   VM_SUITE     the script the guest runs instead of test/vm/suite.sh
#                (bench/vm.sh: bench/kprobe.sh)
#
# Prints the guest's PASS/FAIL lines as they come, the timings, and
# "N passed, N failed"; exits non-zero if a case failed, if the guest
# gave no VMTEST-EXIT line, or if the kernel oopsed.
set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
arch=x86_64
kernel=                 # --kernel; empty: the arch's default

while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:?--arch needs a value}; shift 2 ;;
	--arch=*) arch=${1#--arch=}; shift ;;
	--kernel) kernel=${2:?--kernel needs a value}; shift 2 ;;
	--kernel=*) kernel=${1#--kernel=}; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
# make check-vm passes --arch="$(ARCH)": empty, or perhaps a kernel's
# or Debian's name for the arch from the environment
case $arch in
"") arch=x86_64 ;;
x86|amd64) arch=x86_64 ;;
arm64) arch=aarch64 ;;
arm) arch=armhf ;;
mips) arch=mipsel ;;
riscv) arch=riscv64 ;;
esac

# ------------------------------------------------------------------ #
# per-architecture data

kbuild=                 # empty: Debian's kernel package; else a kernel
                        # built here from linux-source-6.1 (ARCH=$kbuild)
suite=bookworm          # Debian suite for busybox and libc6
ksuite=                 # and for the kernel, if it isn't $suite
modules=null_blk        # modules for the guest (with those they need)
oops_retries=0
ply_libs=               # LIBS for ply's configure
case $arch in
x86_64)
	debarch=amd64           # Debian architecture
	kpkg=linux-image-amd64  # metapackage resolving to the current image
	triplet=x86_64-linux-gnu
	qemu=qemu-system-x86_64
	qemu_pkg=qemu-system-x86
	qemu_machine="-M pc -cpu max -smp 2 -m 512M"
	console=ttyS0
	;;
aarch64)
	debarch=arm64
	kpkg=linux-image-arm64
	triplet=aarch64-linux-gnu
	qemu=qemu-system-aarch64
	qemu_pkg=qemu-system-arm
	# QEMU's default pointer authentication is slow under TCG
	qemu_machine="-M virt -cpu max,pauth-impdef=on -smp 2 -m 512M"
	console=ttyAMA0
	;;
armhf)
	debarch=armhf
	kpkg=linux-image-armmp
	triplet=arm-linux-gnueabihf
	qemu=qemu-system-arm
	qemu_pkg=qemu-system-arm
	qemu_machine="-M virt,highmem=off -cpu cortex-a15 -smp 2 -m 512M"
	console=ttyAMA0
	;;
mipsel)
	debarch=mipsel
	kpkg=linux-image-4kc-malta
	triplet=mipsel-linux-gnu
	qemu=qemu-system-mipsel
	qemu_pkg=qemu-system-mips
	qemu_machine="-M malta -cpu 24Kf -smp 1 -m 256M"
	console=ttyS0
	# Debian's malta 6.1 oopses in its own kprobe code ("Break
	# instruction in kernel code", epc in an out-of-line slot) in
	# 5 of 8 runs of this suite here, with the JIT on or off (the sstep
	# break of a slot hit with no kprobe running; with bpftrace's
	# kretprobe lessons in the suite, 4 boots in a row once); boot up
	# to six times more
	oops_retries=6
	;;
riscv64)
	debarch=riscv64
	kpkg=
	kbuild=riscv
	suite=trixie            # the first Debian release with riscv64
	triplet=riscv64-linux-gnu
	qemu=qemu-system-riscv64
	qemu_pkg=qemu-system-misc
	# -bios default: QEMU's OpenSBI (fw_dynamic)
	qemu_machine="-M virt -cpu rv64 -smp 2 -m 512M"
	console=ttyS0
	modules=                # no block devices, so no null_blk
	;;
*)
	echo "run.sh: unknown arch '$arch' (x86_64, aarch64, armhf, mipsel, riscv64)" >&2
	exit 2
	;;
esac
# --kernel: another kernel for the same guest
case $arch:$kernel in
*:) ;;
x86_64:bookworm|aarch64:bookworm|armhf:bookworm|mipsel:bookworm) kernel= ;;
x86_64:trixie)
	# the cloud flavour: a third of the generic image's download, and
	# still has the 8250 console, kprobes, BPF and null_blk; 6.12 has
	# CONFIG_FPROBE (kprobe_multi), which bookworm's 6.1 lacks
	kpkg=linux-image-cloud-amd64
	ksuite=trixie
	# seen once in a few boots: an int3 oops in sched_clock_cpu while
	# the kernel patches its own text early in boot, before any of
	# ply's work (TCG's cross-modifying code); boot once more then
	oops_retries=1
	;;
x86_64:bullseye|aarch64:bullseye|armhf:bullseye)
	# Debian 11's 5.10, as OpenWrt 22.03 runs: no bpf_get_func_ip, no
	# kprobe_multi, no bpf_for_each_map_elem before 5.13 (bookworm's
	# userland and ply's static build, bullseye's kernel and modules).
	# Not mipsel: deb.debian.org's bullseye (LTS) has amd64, arm64,
	# armhf and i386 only now, and archive.debian.org isn't reachable
	ksuite=bullseye
	;;
*)
	echo "run.sh: no kernel '$kernel' for $arch (x86_64: bookworm, trixie, bullseye; aarch64, armhf: bookworm, bullseye; mipsel: bookworm; riscv64: its own)" >&2
	exit 2
	;;
esac
ksuite=${ksuite:-$suite}
name=$arch${kernel:+-$kernel}   # the run's name: all.sh's, the cache's
oops_retries=${VM_OOPS_RETRIES:-$oops_retries}

host_triplet=           # empty: native build; else configure --host
if [ "$(dpkg --print-architecture 2>/dev/null)" != "$debarch" ]; then
	host_triplet=$triplet
fi
cross=${host_triplet:+$host_triplet-}

cache=${VMCACHE:-$HOME/.cache/ply-vm}
adir=$cache/$name
mkdir -p "$adir"
timeout_s=${VM_TIMEOUT:-300}
watchdog_s=${VM_WATCHDOG:-$((timeout_s > 60 ? timeout_s - 30 : timeout_s - 5))}
mirror=${VM_MIRROR:-http://deb.debian.org/debian}
security_mirror=${VM_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
die() {
	echo "run.sh: $*" >&2
	if [ -n "${VM_RESULT:-}" ]; then
		printf 'arch=%s\nnote=%q\npassed=0\nfailed=1\n' "$name" "setup failed: $*" >"$VM_RESULT"
	fi
	exit 1
}
t_start=$(now)

# ------------------------------------------------------------------ #
# host packages, installed only when missing; apt-get update at most
# once; waits for another apt/dpkg to finish rather than failing

apt_updated=no
apt_update() {
	[ $apt_updated = yes ] && return 0
	apt_updated=yes
	$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq ||
		echo "run.sh: apt-get update had errors; going on" >&2
}

# depmod is in /usr/sbin, which a user's PATH (sudo) may not have
PATH=$PATH:/usr/sbin:/sbin
need=
need_cmd() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }
need_cmd "$qemu" "$qemu_pkg"
need_cmd cpio cpio
need_cmd gzip gzip
need_cmd file file
need_cmd make make
need_cmd autoreconf autoconf
need_cmd automake automake
need_cmd stdbuf coreutils
need_cmd dpkg-deb dpkg
need_cmd apt-get apt
[ -s /usr/share/keyrings/debian-archive-keyring.gpg ] || need="$need debian-archive-keyring"
pkg_triplet=$(echo "$triplet" | tr _ -)  # gcc-x86-64-linux-gnu
if [ -n "$host_triplet" ]; then
	need_cmd "$triplet-gcc" "gcc-$pkg_triplet"
	need_cmd "$triplet-readelf" "binutils-$pkg_triplet"
	# static glibc for the static ply, and the kernel UAPI headers
	[ -d "/usr/$triplet/lib" ] && [ -f "/usr/$triplet/lib/libc.a" ] ||
		need="$need libc6-dev-$debarch-cross"
else
	need_cmd gcc gcc
	need_cmd readelf binutils
	case $(gcc -print-file-name=libc.a 2>/dev/null) in /*) ;; *) need="$need libc6-dev" ;; esac
fi
if [ -n "$kbuild" ]; then
	need_cmd "$triplet-gcc" "gcc-$pkg_triplet"
	need_cmd flex flex
	need_cmd bison bison
	need_cmd bc bc
	need_cmd xz xz-utils
	need_cmd perl perl
	ls /usr/src/linux-source-6.1.tar.* >/dev/null 2>&1 || need="$need linux-source-6.1"
fi
if [ -z "$kbuild" ] && [ -n "$modules" ]; then
	# modules.dep for the guest's modules, and .ko.xz unpacked (zstd,
	# for a kernel with .ko.zst, is installed when one turns up)
	need_cmd depmod kmod
	need_cmd xz xz-utils
fi
# install_need: apt-get install $need, if anything is in it
install_need() {
	[ -n "$need" ] || return 0
	echo "== installing:$need"
	apt_update
	# shellcheck disable=SC2086
	$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
		$need >"$adir/apt-install.log" 2>&1 || {
		tail -n 20 "$adir/apt-install.log"
		die "apt-get install$need failed"
	}
	need=
}
install_need

# ------------------------------------------------------------------ #
# a private apt for DEBARCH's packages: its own sources, lists and
# (empty) dpkg status, so the host's apt and dpkg never see the arch;
# one per Debian suite (the kernel's may not be the userland's)

# papt_suite SUITE: the private apt that the papt_* functions use
# (SUITE main: without its -security and -updates parts)
papt_suite() {
	papt=$1
	papt_main=${2:-}
	apt_dir=$cache/apt/$debarch-$papt${papt_main:+-main}
	papt_opts=(
		-o "Dir::State=$apt_dir/state"
		-o "Dir::State::status=$apt_dir/state/status"
		-o "Dir::Cache=$apt_dir/cache"
		-o "Dir::Etc::SourceList=$apt_dir/sources.list"
		-o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
		-o "Dir::Etc::Preferences=$apt_dir/preferences"
		-o "Dir::Etc::PreferencesParts=$apt_dir/preferences.d"
		-o "APT::Architecture=$debarch"
		-o "APT::Architectures::=$debarch"
		-o "APT::Sandbox::User=root"
		-o "Acquire::Languages=none"
	)
}
papt_updated=" "        # the suites updated in this run
papt_update() {
	case $papt_updated in *" $papt$papt_main "*) return 0 ;; esac
	papt_updated="$papt_updated$papt$papt_main "
	mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" \
		"$apt_dir/sources.list.d" "$apt_dir/preferences.d"
	[ -f "$apt_dir/state/status" ] || : >"$apt_dir/state/status"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	if [ -n "$papt_main" ]; then
		echo "deb [arch=$debarch signed-by=$key] $mirror $papt main" >"$apt_dir/sources.list"
	else
		cat >"$apt_dir/sources.list" <<-EOF
		deb [arch=$debarch signed-by=$key] $mirror $papt main
		deb [arch=$debarch signed-by=$key] $mirror $papt-updates main
		deb [arch=$debarch signed-by=$key] $security_mirror $papt-security main
		EOF
	fi
	echo "== apt-get update ($papt, $debarch, private state in $apt_dir)"
	# a mirror in mid-sync may fail one index; go on if any arrived
	apt-get "${papt_opts[@]}" update -qq >"$apt_dir/update.log" 2>&1 || {
		sed 's/^/   /' "$apt_dir/update.log" | tail -n 5
		ls "$apt_dir/state/lists/"*_Packages* >/dev/null 2>&1 ||
			die "apt-get update for $debarch got no Packages list: see $apt_dir/update.log"
		echo "run.sh: apt-get update ($debarch) had errors; going on with the lists it got" >&2
	}
}
# papt_try_download DIR PKG...: the candidate .debs of PKG... into DIR
papt_try_download() {
	mkdir -p "$1"
	(cd "$1" && shift && apt-get "${papt_opts[@]}" download -q "$@" >download.log 2>&1)
}
papt_download() {
	papt_try_download "$@" || {
		tail -n 5 "$1/download.log"
		shift
		die "apt-get download $* ($debarch) failed"
	}
}
# newest DIR PKG: the newest downloaded .deb of PKG in DIR
newest() { ls -t "$1/$2"_*.deb 2>/dev/null | head -n 1; }

# ------------------------------------------------------------------ #
# the kernel: Debian's current image for the flavour, fetched once;
# riscv64: built once from linux-source-6.1

kdir=$adir/kernel
t_kernel=$(now)
if [ -z "$kbuild" ] &&
   { [ ! -s "$kdir/vmlinuz" ] || [ ! -s "$kdir/config" ] || [ "${VM_REFRESH:-}" = 1 ]; }; then
	echo "== fetching $kpkg ($ksuite, $debarch)"
	papt_suite "$ksuite"
	papt_update
	rm -f "$adir/debs/linux-image-"*.deb
	resolve_img() {
		img=$(apt-cache "${papt_opts[@]}" depends "$kpkg" 2>/dev/null |
			awk '/^ *Depends: linux-image-/ { print $2; exit }')
		[ -n "$img" ]
	}
	if ! resolve_img || ! papt_try_download "$adir/debs" "$img"; then
		# seen here with bullseye (LTS: amd64, arm64, armhf, i386
		# only): the security mirror's index lists an arm64 .deb its
		# pool doesn't have (404), and its mipsel metapackage
		# resolves to nothing; take the point release's kernel
		tail -n 2 "$adir/debs/download.log" 2>/dev/null
		echo "== ${img:-$kpkg} can't be fetched; $ksuite's point release instead"
		papt_suite "$ksuite" main
		papt_update
		resolve_img || die "can't resolve $kpkg to a kernel image package" \
			"(does $ksuite still carry $debarch? bullseye on deb.debian.org" \
			"now has amd64, arm64, armhf and i386 only)"
		papt_download "$adir/debs" "$img"
	fi
	deb=$(newest "$adir/debs" "$img")
	[ -n "$deb" ] || die "apt-get download $img gave no .deb"
	rm -rf "$kdir.new" && mkdir -p "$kdir.new"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir.new" ./boot ||
		die "can't unpack $deb"
	cfg=$(ls "$kdir.new"/boot/config-* 2>/dev/null | head -n 1)
	[ -n "$cfg" ] || die "no kernel config in $deb"
	basename "$cfg" | sed 's/^config-//' >"$kdir.new/release"
	mv "$kdir.new"/boot/vmlinu[xz]-* "$kdir.new/vmlinuz" &&
		mv "$cfg" "$kdir.new/config" || die "no kernel in $deb"
	dpkg-deb -f "$deb" Package Version | awk '{ printf "%s%s", sep, $2; sep = " " } END { print "" }' \
		>"$kdir.new/deb"
	rm -rf "$kdir.new/boot" "$kdir"
	mv "$kdir.new" "$kdir"
elif [ -n "$kbuild" ]; then
	# Debian's kernel source (arch all), tinyconfig plus the options
	# a tracer needs; the tree and the build stay in the cache, so a
	# rebuild only happens when the source package or the fragment
	# changes
	frag=$here/$arch-kernel.config
	srctar=$(ls /usr/src/linux-source-6.1.tar.* | head -n 1)
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)
	ksrc=$adir/linux-src
	kobj=$adir/kbuild
	kmake=(make -C "$ksrc" O="$kobj" ARCH="$kbuild" CROSS_COMPILE="$triplet-")
	if [ "$(cat "$ksrc/.debian-version" 2>/dev/null)" != "$srcver" ]; then
		echo "== unpacking $(basename "$srctar") ($srcver)"
		rm -rf "$ksrc" "$ksrc.new" "$kobj" "$kdir"
		mkdir -p "$ksrc.new"
		tar -xf "$srctar" -C "$ksrc.new" --strip-components=1 ||
			die "can't unpack $srctar"
		echo "$srcver" >"$ksrc.new/.debian-version"
		mv "$ksrc.new" "$ksrc"
	fi
	mkdir -p "$kobj"
	if [ ! -f "$kobj/.config" ] || [ "$frag" -nt "$kobj/.config" ] || [ "${VM_REFRESH:-}" = 1 ]; then
		echo "== configuring the $arch kernel: tinyconfig + $(basename "$frag")"
		{ "${kmake[@]}" tinyconfig &&
		  "$ksrc/scripts/kconfig/merge_config.sh" -m -O "$kobj" "$kobj/.config" "$frag" &&
		  "${kmake[@]}" olddefconfig; } >"$adir/kconfig.log" 2>&1 ||
			die "kernel configuration failed: see $adir/kconfig.log"
		# every option of the fragment must have survived olddefconfig
		missing=$(grep '^CONFIG_' "$frag" | while IFS= read -r opt; do
			grep -qx "$opt" "$kobj/.config" || echo "$opt"; done)
		[ -z "$missing" ] || die "the kernel config lacks:" $missing
	fi
	image=$kobj/arch/$kbuild/boot/Image
	if [ ! -s "$kdir/vmlinuz" ] || [ "$kobj/.config" -nt "$kdir/vmlinuz" ]; then
		echo "== building the $arch kernel (takes a few minutes)"
		"${kmake[@]}" -j"$(nproc)" Image >"$adir/kbuild.log" 2>&1 || {
			tail -n 30 "$adir/kbuild.log"
			die "kernel build failed: see $adir/kbuild.log"
		}
		rm -rf "$kdir.new" && mkdir -p "$kdir.new"
		cp "$image" "$kdir.new/vmlinuz" && cp "$kobj/.config" "$kdir.new/config" ||
			die "no $image"
		"${kmake[@]}" -s kernelrelease >"$kdir.new/release" 2>/dev/null ||
			die "make kernelrelease failed"
		echo "linux-source-6.1 $srcver (tinyconfig + $(basename "$frag"))" >"$kdir.new/deb"
		rm -rf "$kdir"
		mv "$kdir.new" "$kdir"
	fi
fi
krel=$(cat "$kdir/release" 2>/dev/null)
[ -n "$krel" ] || krel=$(file -b "$kdir/vmlinuz" | sed -n 's/.*version \([^ ]*\) .*/\1/p')
[ -n "$krel" ] || die "can't tell the kernel release of $kdir/vmlinuz"
# "PACKAGE VERSION" (older caches: the .deb's file name)
kdesc=$(sed 's/^\([^_ ]*\)_\([^_]*\)_.*\.deb$/\1 \2/' "$kdir/deb")

# ------------------------------------------------------------------ #
# the guest's modules: $modules and every module modules.dep says they
# need, decompressed, in $kdir/modules/RELEASE with a modules.dep of just
# those lines, which the suite reads to insmod them in order.  Debian's
# image package ships no modules.dep (its postinst runs depmod), so the
# host's depmod makes one from the whole unpacked tree; done once per
# kernel, and only the few modules are kept

mdir=$kdir/modules
if [ -z "$kbuild" ] && [ -n "$modules" ] &&
   [ "$(cat "$mdir/.complete" 2>/dev/null)" != "$modules" ]; then
	echo "== modules for the guest: $modules"
	kimg=${kdesc%% *}
	kver=${kdesc#* }
	deb=$(newest "$adir/debs" "$kimg")
	# the .deb the kernel came from, or (a cache that lost it) the same
	# version again
	if [ -z "$deb" ] || [ "$(dpkg-deb -f "$deb" Version)" != "$kver" ]; then
		papt_suite "$ksuite"
		papt_update
		papt_download "$adir/debs" "$kimg=$kver"
		deb=$(newest "$adir/debs" "$kimg")
		[ -n "$deb" ] || die "apt-get download $kimg=$kver gave no .deb"
	fi
	mtmp=$adir/modules.tmp
	rm -rf "$mtmp" "$mdir.new"
	mkdir -p "$mtmp/base/lib/modules" "$mdir.new/$krel"
	dpkg-deb -x "$deb" "$mtmp/deb" || die "can't unpack $deb"
	# bookworm's packages have /lib/modules, trixie's /usr/lib/modules;
	# depmod -b BASE looks in BASE/lib/modules
	m=$(ls -d "$mtmp/deb/lib/modules/$krel" "$mtmp/deb/usr/lib/modules/$krel" 2>/dev/null | head -n 1)
	[ -n "$m" ] || die "$deb has no lib/modules/$krel"
	mv "$m" "$mtmp/base/lib/modules/$krel"
	depmod -b "$mtmp/base" "$krel" >"$adir/depmod.log" 2>&1 ||
		die "depmod failed: see $adir/depmod.log"
	mods=$mtmp/base/lib/modules/$krel
	# the closure of $modules over modules.dep ("path: dep dep ...",
	# paths relative to the release's folder)
	todo=()
	for m in $modules; do
		p=$(awk -F: -v m="$m" '{ f = $1; sub(/.*\//, "", f); sub(/\.ko(\.[a-z]+)?$/, "", f) }
			f == m { print $1; exit }' "$mods/modules.dep")
		[ -n "$p" ] || die "$kimg has no module $m"
		todo+=("$p")
	done
	declare -A mseen=()
	: >"$mdir.new/$krel/modules.dep"
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		[ -n "${mseen[$p]:-}" ] && continue
		mseen[$p]=1
		line=$(awk -F: -v p="$p" '$1 == p { print; exit }' "$mods/modules.dep")
		[ -n "$line" ] || die "modules.dep has no line for $p"
		# shellcheck disable=SC2206
		todo+=(${line#*:})
		# busybox's insmod reads only plain ELF
		mkdir -p "$mdir.new/$krel/$(dirname "$p")"
		case $p in
		*.ko.xz) xz -dc "$mods/$p" >"$mdir.new/$krel/${p%.xz}" ;;
		*.ko.zst)
			need_cmd zstd zstd
			install_need
			zstd -q -dc "$mods/$p" >"$mdir.new/$krel/${p%.zst}" ;;
		*.ko.gz) gzip -dc "$mods/$p" >"$mdir.new/$krel/${p%.gz}" ;;
		*) cp "$mods/$p" "$mdir.new/$krel/$p" ;;
		esac || die "can't unpack $p"
		echo "$line" | sed 's/\.ko\.\(xz\|zst\|gz\)\>/.ko/g' >>"$mdir.new/$krel/modules.dep"
	done
	echo "$modules" >"$mdir.new/.complete"
	rm -rf "$mtmp" "$mdir"
	mv "$mdir.new" "$mdir"
fi
t_kernel_done=$(now)

# ------------------------------------------------------------------ #
# the guest's userland: Debian's dynamic busybox (so that sh really
# execs applets; busybox-static runs them in-process) and libc6, of the
# guest's architecture, unpacked in $adir/userland

ul=$adir/userland
if [ ! -f "$ul/.complete" ] || [ "${VM_REFRESH:-}" = 1 ]; then
	echo "== fetching busybox and libc6 ($suite, $debarch)"
	papt_suite "$suite"
	papt_update
	rm -f "$adir/debs/busybox_"*.deb "$adir/debs/libc6_"*.deb
	papt_download "$adir/debs" busybox libc6
	rm -rf "$ul" && mkdir -p "$ul"
	for p in busybox libc6; do
		deb=$(newest "$adir/debs" $p)
		[ -n "$deb" ] || die "apt-get download $p gave no .deb"
		dpkg-deb -x "$deb" "$ul" || die "can't unpack $deb"
		dpkg-deb -f "$deb" Package Version | awk '{ printf "%s ", $2 } END { print "" }' >>"$ul/.complete"
	done
fi
busybox=$(ls "$ul/bin/busybox" "$ul/usr/bin/busybox" 2>/dev/null | head -n 1)
[ -n "$busybox" ] || die "no busybox in $ul"

# ------------------------------------------------------------------ #
# a static ply and hammer, built from this source tree (uncommitted
# work included) in a copy of its own, so that the tree itself may be
# configured in place, or not at all; cross-compiled for foreign arches

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
# autogen again when the build's own files changed (a new AC_ macro can
# want helper files that make's automatic rerun of automake won't add)
if [ ! -x "$src/configure" ] || [ "$src/configure.ac" -nt "$src/configure" ] ||
   [ "$src/Makefile.am" -nt "$src/configure" ]; then
	(cd "$src" && ./autogen.sh >"$cache/autogen.log" 2>&1) ||
		die "autogen.sh failed: see $cache/autogen.log"
fi
conf_args=(${host_triplet:+--host=$host_triplet} LDFLAGS=-static ${ply_libs:+LIBS=$ply_libs})
if [ ! -f "$bld/Makefile" ] || [ "$(cat "$bld/.configure-args" 2>/dev/null)" != "${conf_args[*]}" ]; then
	rm -f "$bld/.configure-args"
	(cd "$bld" && "$src/configure" "${conf_args[@]}" >"$adir/configure.log" 2>&1) ||
		die "configure failed: see $adir/configure.log"
	echo "${conf_args[*]}" >"$bld/.configure-args"
fi
make -C "$bld" -j"$(nproc)" src/ply test/hammer >"$adir/build.log" 2>&1 || {
	tail -n 30 "$adir/build.log"
	die "static build failed: see $adir/build.log"
}
for b in src/ply test/hammer; do
	file -b "$bld/$b" | grep -q 'statically linked' || die "$bld/$b is not static"
done
t_built=$(now)

# ------------------------------------------------------------------ #
# the initramfs: busybox with its libraries (merged /usr: /lib is
# usr/lib), ply, hammer, the suite and /init

root=$adir/root
rm -rf "$root"
mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib "$root"/usr/lib64 "$root"/proc \
	"$root"/sys "$root"/dev "$root"/tmp "$root"/var/tmp "$root"/boot \
	"$root"/etc "$root"/root "$root"/test/vm
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# the loader and the libraries busybox needs, and theirs, found by name
# in the unpacked libc6
readelf=${cross}readelf
interp=$($readelf -l "$busybox" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[ -n "$interp" ] || die "busybox in $ul has no program interpreter"
libpath() { find "$ul/lib" "$ul/usr/lib" "$ul/lib64" "$ul/usr/lib64" -name "$1" 2>/dev/null | head -n 1; }
f=$(libpath "$(basename "$interp")")
[ -n "$f" ] || die "no $(basename "$interp") in $ul"
mkdir -p "$root/$(dirname "$interp")"
cp -L "$f" "$root$interp"
todo=$root/bin/busybox
done_libs=" "
while [ -n "$todo" ]; do
	set -- $todo
	todo=
	for obj; do
		for n in $($readelf -d "$obj" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case $done_libs in *" $n "*) continue ;; esac
			done_libs="$done_libs$n "
			[ "$n" = "$(basename "$interp")" ] && continue
			f=$(libpath "$n")
			[ -n "$f" ] || die "busybox needs $n, which isn't in $ul"
			rel=${f#"$ul"/}
			rel=usr/lib/${rel#*lib/}
			mkdir -p "$root/$(dirname "$rel")"
			cp -L "$f" "$root/$rel"
			todo="$todo $root/$rel"
		done
	done
done
${cross}strip -o "$root/bin/ply" "$bld/src/ply"
${cross}strip -o "$root/bin/hammer" "$bld/test/hammer"
ply_size=$(wc -c <"$root/bin/ply")
cp "$top/test/lib.sh" "$root/test/lib.sh"
cp "$top/test/vm/leftovers.sh" "$root/test/vm/leftovers.sh"
cp "${VM_SUITE:-$top/test/vm/suite.sh}" "$root/test/vm/suite.sh" ||
	die "can't copy the suite ${VM_SUITE:-}"
cp "$kdir/config" "$root/boot/config-$krel"
# the suite's modules (/lib is usr/lib here)
if [ -d "$mdir/$krel" ]; then
	mkdir -p "$root/usr/lib/modules"
	cp -a "$mdir/$krel" "$root/usr/lib/modules/"
fi
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
	vmtest.*=*)	# vmtest.NAME=VALUE: VMTEST_NAME for the suite
		v=${a#vmtest.}
		export "VMTEST_$(echo "${v%%=*}" | tr a-z A-Z)=${v#*=}" ;;
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
echo "VMTEST-START uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r) machine=$(uname -m) cpus=$(nproc) jit=$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null || echo -)"
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
oops_re='Kernel panic|BUG:|Oops|kernel BUG|general protection fault|Unable to handle kernel|Internal error:|Break instruction in kernel code|Unhandled kernel unaligned access'
append="console=$console panic=-1 oops=panic rdinit=/init quiet loglevel=4 vmtest.watchdog=$watchdog_s vmtest.times=${VM_TIMES:-0} ${VM_APPEND:-}"

boot() {
	echo "== booting $krel ($kdesc) on $qemu, ${VM_ACCEL:-tcg}; console log: $log"
	[ -n "${VM_APPEND:-}" ] && echo "== extra kernel command line: $VM_APPEND"
	t_boot=$(now)
	# shellcheck disable=SC2086
	stdbuf -o0 timeout -k 5 "$timeout_s" "$qemu" $qemu_machine $accel \
		-nographic -no-reboot -nodefaults -serial mon:stdio \
		-kernel "$kdir/vmlinuz" -initrd "$initrd" -append "$append" \
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
}

note=
attempt=0
while :; do
	boot
	grep -a -q -E "$oops_re" "$log" || break
	[ $attempt -lt "$oops_retries" ] || break
	attempt=$((attempt + 1))
	cp "$log" "$adir/console.oops$attempt.log"
	echo "== KERNEL OOPS/PANIC in the guest (kept in $adir/console.oops$attempt.log); booting again"
	{ grep -a -m 1 -E "$oops_re" "$log"; grep -a -m 1 -E ' Comm: ' "$log"
	  grep -a -m 1 -E '(ra|epc|pc|lr) *: ' "$log"; } | sed 's/^/   /'
	note="oops, retried"
	[ $attempt -gt 1 ] && note="oops, retried $attempt times"
done

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
jit=$(sed -n 's/^.*VMTEST-START .* jit=\([^ ]*\).*/\1/p' "$log" | head -n 1)
problem=

if grep -a -q -E "$oops_re" "$log"; then
	echo "KERNEL OOPS/PANIC in the guest: see $log"
	grep -a -n -E -A 30 "$oops_re" "$log" | head -n 80
	status=1
	failed=$((failed + 1))
	problem="kernel oops"
	[ -n "$note" ] && problem="kernel oops $((attempt + 1)) times"
fi
if [ -z "$exit_line" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "FAIL: the guest hung: no VMTEST-EXIT within ${timeout_s}s (qemu killed)"
		problem=${problem:-"hung (qemu killed after ${timeout_s}s)"}
	else
		echo "FAIL: the guest gave no VMTEST-EXIT line (qemu exit status $qrc)"
		problem=${problem:-"no VMTEST-EXIT (qemu status $qrc)"}
	fi
	echo "--- last lines of $log"
	tail -n 40 "$log"
	status=1
	failed=$((failed + 1))
elif [ "$guest_rc" = 124 ]; then
	echo "FAIL: the in-guest watchdog fired after ${watchdog_s}s"
	problem=${problem:-"in-guest watchdog after ${watchdog_s}s"}
	status=1
	failed=$((failed + 1))
elif [ "$guest_rc" != 0 ]; then
	status=1
	[ "$failed" = 0 ] && failed=1
fi
[ -n "$problem" ] && note=${note:+$note; }$problem

suite_s=$( [ -n "$up_start" ] && [ -n "$up_end" ] && secs "$up_start" "$up_end" || echo '?')
echo "== kernel $krel ($kdesc), $arch, BPF JIT ${jit:-?}, ply $ply_size bytes stripped"
echo "== time: kernel $(secs "$t_kernel" "$t_kernel_done") s, build $(secs "$t_build" "$t_built") s," \
	"initramfs $(secs "$t_built" "$t_packed") s," \
	"guest boot ${up_start:-?} s, suite $suite_s s, qemu wall $(secs "$t_boot" "$t_end") s," \
	"total $(secs "$t_start" "$t_end") s${note:+ ($note)}"
echo "$passed passed, $failed failed"

if [ -n "${VM_RESULT:-}" ]; then
	{
		printf 'arch=%q\n' "$name"
		printf 'krel=%q\n' "$krel"
		printf 'kdesc=%q\n' "$kdesc"
		printf 'jit=%q\n' "${jit:-?}"
		printf 'boot_s=%q\n' "${up_start:-?}"
		printf 'suite_s=%q\n' "$suite_s"
		printf 'wall_s=%q\n' "$(secs "$t_boot" "$t_end")"
		printf 'total_s=%q\n' "$(secs "$t_start" "$t_end")"
		printf 'passed=%q\n' "$passed"
		printf 'failed=%q\n' "$failed"
		printf 'size=%q\n' "$ply_size"
		printf 'note=%q\n' "$note"
		printf 'log=%q\n' "$log"
	} >"$VM_RESULT"
fi
exit $status
