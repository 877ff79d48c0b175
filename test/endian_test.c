/*
 * endian_test.c - the code ply generates for big- and little-endian
 * targets, run (test/bpf_vm.c) with the memory of such a machine: what
 * it sends to user space must be the same bytes either way.  Strings
 * are stored as 32-bit immediates and comm is cut at its NUL a word at
 * a time, so each depends on the target's byte order; each check is
 * also run with the other byte order, to show that it would fail
 * there.
 */
#include <stdio.h>
#include <string.h>

#include "../src/ply.h"
#include "bpf_vm.h"

#include "check.h"

/* text compiled for arch with --kernel=desc, then its first probe run
 * on a machine of byte order be, its first record into rec; false if
 * it did not compile or run */
static bool run(const char *arch, const char *desc, const char *text,
		bool be, const char *task_comm, uint8_t *rec, int *len)
{
	static struct vm vm;
	struct src src = { .name = "<test>", .text = text };
	struct kernel k;
	struct script *s;

	kernel_baseline(&k, arch_find(arch));
	if (desc && kernel_describe(&k, desc))
		return false;
	s = compile_script(&src, &k, NULL);
	if (!s)
		return false;
	memset(&vm, 0, sizeof(vm));
	vm.be = be;
	vm.pid = vm.tid = 42;
	memcpy(vm.comm, "helper", 7);
	if (task_comm)
		memcpy(vm.task + 1016, task_comm, 16);
	if (vm_load(&vm, s, s->probes->prog) || vm_run(&vm, s->probes->prog) ||
	    vm.nrec < 1) {
		printf("     %s: %s\n", arch, vm.err[0] ? vm.err : "no record");
		return false;
	}
	memcpy(rec, vm.rec[0], vm.reclen[0]);
	*len = vm.reclen[0];
	return true;
}

/* a record { u64 id; char s[16]; int n; } */
static bool string_record(const char *arch, bool be)
{
	uint8_t rec[512];
	struct vm byteorder = { .be = be };
	int len;

	if (!run(arch, NULL, "BEGIN { print(\"hello, world\", 42); }", be,
		 NULL, rec, &len))
		return false;
	return len == 8 + 20 && vm_get(&byteorder, rec, 8) == 0 &&
		!memcmp(rec + 8, "hello, world\0\0\0\0", 16) &&
		vm_get(&byteorder, rec + 24, 4) == 42;
}

static void test_strings(void)
{
	static const char *const arches[] = {
		"mips", "mipsel", "mips64", "mips64el", "ppc", "ppc64",
		"ppc64le", "x86_64", "arm", "riscv64",
	};
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		bool be = arch_find(arches[i])->big_endian;

		CHECK(string_record(arches[i], be));
		/* the other byte order reads other bytes */
		CHECK(!string_record(arches[i], !be));
	}
}

/* comm read in place from task_struct (at 1016 here), cut at its NUL */
static bool comm_record(const char *arch, bool be, const char *desc,
			const char *task, const char *want)
{
	uint8_t rec[512];
	int len;

	return run(arch, desc, "BEGIN { print(comm); }", be, task, rec,
		   &len) &&
		len == 8 + 16 && !memcmp(rec + 8, want, 16);
}

static void test_comm(void)
{
	/* a name, and a longer old name's tail after its NUL; `tells`:
	 * code for the other byte order gets it wrong (for the third it
	 * happens to clear the same bytes) */
	static const struct {
		const char *task, *want;
		bool tells;
	} names[] = {
		{ "ab\0tale-tail!!!", "ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0", true },
		{ "abcdefg\0taaail!", "abcdefg\0\0\0\0\0\0\0\0\0", true },
		{ "abcdefgh\0ail!!!", "abcdefgh\0\0\0\0\0\0\0\0", false },
		{ "abcdefghijk\0xyz", "abcdefghijk\0\0\0\0\0", true },
		{ "abcdefghijklmno", "abcdefghijklmno", false },
		{ "\0bcdefghijklmno", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", true },
	};
	static const char *const arches[] = {
		"mips", "mipsel", "mips64", "ppc64", "ppc64le", "x86_64",
	};
	size_t i, j;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		bool be = arch_find(arches[i])->big_endian;

		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			CHECK(comm_record(arches[i], be, "5.11,comm=1016",
					  names[j].task, names[j].want));
			if (names[j].tells)
				CHECK(!comm_record(arches[i], !be,
						   "5.11,comm=1016",
						   names[j].task,
						   names[j].want));
		}
		/* a kernel that pads its names needs no cut */
		CHECK(comm_record(arches[i], be, "5.17,comm=1016",
				  "abc\0\0\0\0\0\0\0\0\0\0\0\0",
				  "abc\0\0\0\0\0\0\0\0\0\0\0\0"));
		/* no BTF: the helper's name */
		CHECK(comm_record(arches[i], be, NULL, NULL,
				  "helper\0\0\0\0\0\0\0\0\0"));
	}
}

int main(void)
{
	test_strings();
	test_comm();
	return check_done();
}
