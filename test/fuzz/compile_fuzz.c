/*
 * compile_fuzz.c - the compile stage under a fuzzer.
 *
 * Each input is a script, compiled (lex, parse, sema, codegen, the
 * assembler, the -S listing) for every architecture in src/arch/, with
 * the kernel features on for some and off for others, in ply's
 * language for some and bpftrace's for others, so that every code
 * path is reached; nothing touches the kernel (the tracepoint
 * formats are test/fixtures/tracefs's) and every allocation is freed
 * after each input (alloc_release_all).  Built with libFuzzer by
 * `make fuzz`; built with -DFUZZ_REPLAY it is a plain program that
 * compiles the files it is given, which `make check` runs over the
 * seeds and the regressions (test/fuzz/regressions: inputs that once
 * crashed).
 *
 * A mutation of its own helps the fuzzer to what random bytes rarely
 * build: a slice of the input repeated many times, which makes deep
 * nesting, long chains and many variables out of one.
 */
#include <stdlib.h>
#include <string.h>

#include "../../src/ply.h"

#define FUZZ_MAX	65536	/* bytes of an input worth compiling */

static struct kernel kernels[32];
static int nkernels;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
			       unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tfs = getenv("PLY_TRACEFS");
	int i;

	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	if (!getenv("FUZZ_VERBOSE"))
		diag_file = devnull;	/* millions of diagnostics */
	for (i = 0; arch_all[i] && nkernels < 32; i++) {
		struct kernel *k = &kernels[nkernels++];

		kernel_baseline(k, arch_all[i]);
		k->here = false;	/* no host function lists */
		k->tracefs = tfs ? tfs : FUZZ_TRACEFS;
		if (i % 2) {	/* the other half: a kernel that has it all */
			kernel_describe(k, "6.1,+kprobe_multi,comm=1752");
			k->kprobe_pmu = i % 4 == 1;
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src src = { .name = "fuzz" };
	struct script *s;
	struct probe *pb;
	char *text;
	int i;

	if (size > FUZZ_MAX)
		return 0;
	text = calloc(1, size + 1);	/* outlives alloc_release_all */
	if (!text)
		return 0;
	memcpy(text, data, size);
	src.text = text;
	for (i = 0; i < nkernels; i++) {
		src.bt = (i / 2) % 2;	/* both languages, every feature */
		s = compile_script(&src, &kernels[i], NULL);
		for (pb = s ? s->probes : NULL; pb; pb = pb->next) {
			if (pb->prov->describe)
				pb->prov->describe(pb, devnull);
			asm_dump(pb->prog, devnull);
		}
		alloc_release_all();
	}
	free(text);
	return 0;
}

#ifndef FUZZ_REPLAY
/* a slice of the input, repeated: deep nesting, many variables */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
			       unsigned int seed)
{
	size_t at, len, times, i;

	srand(seed);
	if (size < 2 || rand() % 4)
		return LLVMFuzzerMutate(data, size, max);
	at = rand() % size;
	len = 1 + rand() % (size - at < 16 ? size - at : 16);
	times = 2 + rand() % 300;
	if (size + len * times > max)
		times = (max - size) / len;
	memmove(data + at + len * (times + 1), data + at + len,
		size - at - len);
	for (i = 1; i <= times; i++)
		memmove(data + at + len * i, data + at, len);
	return size + len * times;
}
#else
/* compile each file given; the fuzzer's harness, without the fuzzer */
int main(int argc, char **argv)
{
	static char buf[FUZZ_MAX + 1];
	size_t n;
	FILE *fp;
	int i;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (!(fp = fopen(argv[i], "r"))) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, FUZZ_MAX, fp);
		fclose(fp);
		LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
	}
	printf("%d inputs compiled for %d kernels\n", argc - 1, nkernels);
	return 0;
}
#endif
