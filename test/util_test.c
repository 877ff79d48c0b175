/*
 * util_test.c - glob matching (kprobe globs) and nearest-name
 * suggestions, against known answers; perf_close_all's closers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../src/ply.h"

#include <inttypes.h>

#include "check.h"

static void test_glob(void)
{
	CHECK(glob_match("vfs_*", "vfs_read"));
	CHECK(glob_match("vfs_*", "vfs_"));
	CHECK(!glob_match("vfs_*", "vfs"));
	CHECK(glob_match("vfs_?ead", "vfs_read"));
	CHECK(!glob_match("vfs_?ead", "vfs_rread"));
	CHECK(glob_match("vfs_[rw]*", "vfs_write"));
	CHECK(!glob_match("vfs_[rw]*", "vfs_open"));
	CHECK(glob_match("SyS_[a-c]x", "SyS_bx"));
	CHECK(glob_match("x[!a]y", "xby"));
	CHECK(!glob_match("x[!a]y", "xay"));
	CHECK(glob_match("*", ""));
	CHECK(glob_match("*read*", "ksys_read_iter"));
	CHECK(glob_match("__x64_sys_!(perf_event_open)", "__x64_sys_read"));
	CHECK(!glob_match("__x64_sys_!(perf_event_open)",
			  "__x64_sys_perf_event_open"));
	CHECK(glob_match("vfs_!(read|write)", "vfs_open"));
	CHECK(!glob_match("vfs_!(read|write)", "vfs_write"));
	CHECK(glob_match("!(a*)_x", "b_x"));
	CHECK(is_glob("vfs_*") && is_glob("a[bc]") && is_glob("!(x)"));
	CHECK(!is_glob("vfs_read") && !is_glob("ext4:ext4_sync_fs"));
}

/* the ring buffer's size: a power of 2, never more than 1 GB, and no
 * endless doubling when pages x CPUs x page size passes 4 GB */
static void test_ring_bytes(void)
{
	CHECK(ring_bytes(8, 2, 4096) == 65536);
	CHECK(ring_bytes(8, 3, 4096) == 131072);
	CHECK(ring_bytes(1, 1, 4096) == 4096);
	CHECK(ring_bytes(0, 0, 4096) == 4096);
	CHECK(ring_bytes(8192, 96, 4096) == 1U << 30);
	CHECK(ring_bytes(1048576, 1, 4096) == 1U << 30);
	CHECK(ring_bytes(4096, 1024, 65536) == 1U << 30);
}

static void test_nearest(void)
{
	static const char *const names[] = {
		"comm", "pid", "kpid", "walltime", "time", "print", "printf",
	};
	int n = sizeof(names) / sizeof(names[0]);

	CHECK(nearest_name("cont", names, n) == names[0]);
	CHECK(nearest_name("prnt", names, n) == names[5]);
	CHECK(nearest_name("tiem", names, n) == names[4]);	/* a swap */
	CHECK(nearest_name("wlltime", names, n) == names[3]);
	CHECK(nearest_name("xyzzy", names, n) == NULL);
}

/* n fds (pipe ends) closed by perf_close_all: all closed, all -1 */
static void close_all(int n)
{
	int fds[200], copy[200], i, open_after = 0, bad = 0;

	for (i = 0; i + 1 < n; i += 2)
		if (pipe(fds + i))
			return;
	if (n % 2) {
		fds[n - 1] = -1;	/* a hole, as for a function skipped */
	}
	for (i = 0; i < n; i++)
		copy[i] = fds[i];
	perf_close_all(fds, n);
	for (i = 0; i < n; i++) {
		bad += fds[i] != -1;
		if (copy[i] >= 0 && fcntl(copy[i], F_GETFD) >= 0)
			open_after++;
	}
	CHECK(bad == 0);
	CHECK(open_after == 0);
}

/* vsnprintf through a function without a format attribute */
static void put_unchecked(char *b, size_t n, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(b, n, f, ap);
	va_end(ap);
}

/* fmt.c's printf family, at every argument size: on 32-bit machines
 * long and size_t are 4 bytes, long long 8 */
static void test_fmt(void)
{
	char b[128];

	snprintf(b, sizeof(b), "%d %u %x %ld %lu %lld %llu %zu %hhd %hd",
		 -5, 7u, 255u, -6L, 8UL, -7LL, 9ULL, (size_t)10, (signed char)44, (short)4464);
	CHECK(!strcmp(b, "-5 7 ff -6 8 -7 9 10 44 4464"));
	/* ints that %hhd and %hd cut, through a format compilers don't
	 * check (clang's -Wformat refuses them, constants or not) */
	put_unchecked(b, sizeof(b), "%hhd %hd %hhu", 300, 70000, -1);
	CHECK(!strcmp(b, "44 4464 255"));
	snprintf(b, sizeof(b), "%" PRIu64 " %" PRId64 " %" PRIx64 " %s|%5s|%-5s|",
		 (uint64_t)1 << 40, -((int64_t)1 << 40), (uint64_t)0xabc, "x", "y",
		 "z");
	CHECK(!strcmp(b, "1099511627776 -1099511627776 abc x|    y|z    |"));
	snprintf(b, sizeof(b), "%#x %#o %8.3d %+d %p %p %c%%", 0x1f, 8, 5, 3,
		 (void *)0, (void *)0x10, 'q');
	CHECK(!strcmp(b, "0x1f 010      005 +3 (nil) 0x10 q%"));
	CHECK(snprintf(b, 4, "%s", "abcdef") == 6 && !strcmp(b, "abc"));
}

int main(void)
{
	test_fmt();
	test_glob();
	test_nearest();
	test_ring_bytes();
	close_all(5);		/* alone */
	close_all(9);		/* one closer */
	close_all(200);		/* all of them */
	return check_done();
}
