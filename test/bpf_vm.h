/*
 * bpf_vm.h - a small BPF interpreter for the tests (bpf_vm.c).
 */
#ifndef PLY_BPF_VM_H
#define PLY_BPF_VM_H

#include "../src/ply.h"

#define VM_MAPS	16
#define VM_RECS	8

struct vm_map {
	struct map *m;
	int ksize, vsize, entries;
	bool array;		/* indexed by a u32, every entry there */
	uint8_t *mem;		/* entries: used byte, key, value */
};

struct vm {
	bool be;			/* the target's byte order */
	uint64_t r[11];
	uint8_t stack[MAX_BPF_STACK];
	uint8_t ctx[512];		/* the program's context */
	uint8_t task[4096];		/* bpf_get_current_task_btf() */
	char comm[16];			/* bpf_get_current_comm() */
	uint32_t pid, tid;
	uint64_t time;
	struct vm_map maps[VM_MAPS];
	int nmaps;
	uint8_t mapmem[65536];
	size_t mapused;
	uint8_t rec[VM_RECS][512];	/* output records, in order */
	int reclen[VM_RECS], nrec;
	char err[128];			/* why vm_run failed */
};

/* a map of entries (ksize, vsize) in vm's tables; m->fd is its index */
int vm_add_map(struct vm *vm, struct map *m, int ksize, int vsize,
	       int entries, bool array);
/* every map of s in vm, and p's map references patched to them */
int vm_load(struct vm *vm, struct script *s, struct prog *p);
/* run p on vm->ctx; 0 when it exits, -1 with vm->err */
int vm_run(struct vm *vm, const struct prog *p);
/* an integer of n bytes at p, in the target's byte order */
uint64_t vm_get(const struct vm *vm, const void *p, int n);
void vm_put(const struct vm *vm, void *p, int n, uint64_t v);

#endif
