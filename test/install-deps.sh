#!/bin/sh
# install-deps.sh - what building and testing ply needs on Debian:
# a C compiler, autotools, bpftool (the tests check that nothing stays
# loaded), clang and musl for the other builds CI makes; python3 (JSON
# is checked with it) and bpftrace 0.17 (its -l and its tools are what
# ply's bpftrace mode is compared with).
set -e
export DEBIAN_FRONTEND=noninteractive
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends \
	gcc libc6-dev make autoconf automake clang musl-tools bpftool \
	procps coreutils python3 bpftrace >/dev/null
# tracefs, where the tracepoints live (ply mounts it too if needed)
if [ ! -d /sys/kernel/tracing/events ]; then
	$sudo mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi
