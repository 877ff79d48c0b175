SUMMARY = "Small dynamic tracer for Linux, built on eBPF"
DESCRIPTION = "ply compiles an awk-like script to eBPF with its own \
assembler, loads it with bpf(2) and attaches it to tracepoints, kprobes, \
kretprobes, profile and interval timers.  One binary that needs only \
the C library: no LLVM, libbpf or libelf."
HOMEPAGE = "https://ply.example.org/"
SECTION = "devel"

LICENSE = "GPL-2.0-only"
LIC_FILES_CHKSUM = "file://COPYING;md5=b234ee4d69f5fce4486a80fdaf4a4263"

# placeholder: where the release tarball (`make dist`) is published
SRC_URI = "https://ply.example.org/releases/ply-${PV}.tar.gz"
# placeholder: `sha256sum ply-${PV}.tar.gz` of the published tarball
SRC_URI[sha256sum] = "0000000000000000000000000000000000000000000000000000000000000000"

# autoreconf, then, out of tree:
#   ../ply-0.1.0/configure --build=... --host=${HOST_SYS} \
#       --target=${TARGET_SYS} --prefix=/usr ... --disable-silent-rules \
#       --disable-dependency-tracking
inherit autotools

# the CPUs ply has a register table for (src/arch/); MIPS n32 has none
COMPATIBLE_HOST = "(x86_64|aarch64|aarch64_be|arm|armeb|mips|mipsel|mips64|mips64el|riscv32|riscv64|powerpc|powerpc64|powerpc64le|loongarch64).*-linux.*"
COMPATIBLE_HOST:mipsarchn32 = "null"
