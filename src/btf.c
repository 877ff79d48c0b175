/*
 * btf.c - one fact from the kernel's BTF: where a struct's member is.
 *
 * codegen.c reads `comm` straight out of the current task_struct when
 * the kernel describes that struct in /sys/kernel/btf/vmlinux, which is
 * cheaper than the bpf_get_current_comm() helper.  The file is several
 * megabytes, and boards are short of memory, so it is read in place and
 * only as far as needed: the string section for the two names (BTF
 * stores each string once), then the type section up to the struct.
 *
 * The format (include/uapi/linux/btf.h): a header, then types, then
 * strings.  Each type is 12 bytes (name, info, size or type) followed
 * by data whose length its kind and vlen give; a struct's data is a
 * member of 12 bytes (name, type, offset) per vlen.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ply.h"

/* the header and the kinds: bpf_abi.h */

/* bytes after a type's 12, by kind */
static long btf_extra(int kind, int vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return 12L * vlen;
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	default:
		return 0;	/* PTR, FWD, TYPEDEF, qualifiers, FUNC, FLOAT */
	}
}

/* the offsets of names[0..n) in the string section, 0 if missing */
static void find_strings(FILE *fp, long len, const char *const *names,
			 uint32_t *offs, int n)
{
	char buf[64];
	long pos = 0;
	int c, i, k = 0, found = 0;

	/* one string at a time; longer ones than buf can't be ours */
	while (pos < len && found < n && (c = getc(fp)) != EOF) {
		pos++;
		if (c) {
			if (k < (int)sizeof(buf) - 1)
				buf[k] = (char)c;
			k++;
			continue;
		}
		buf[k < (int)sizeof(buf) ? k : 0] = '\0';
		for (i = 0; i < n && k < (int)sizeof(buf); i++)
			if (!offs[i] && !strcmp(buf, names[i])) {
				offs[i] = (uint32_t)(pos - k - 1);
				found++;
			}
		k = 0;
	}
}

static bool read_u32s(FILE *fp, uint32_t *v, int n)
{
	return fread(v, 4, n, fp) == (size_t)n;
}

/* the byte offset of member `mem` of `struct name`, or -1 */
int btf_member_offset(const char *path, const char *name, const char *mem)
{
	const char *names[2] = { name, mem };
	uint32_t offs[2] = { 0, 0 }, t[3], m[3];
	struct btf_header h;
	FILE *fp = fopen(path, "re");
	long pos, end;
	int kind, vlen, i, ret = -1;

	if (!fp)
		return -1;
	if (fread(&h, sizeof(h), 1, fp) != 1 || h.magic != BTF_MAGIC ||
	    fseek(fp, (long)h.hdr_len + h.str_off, SEEK_SET))
		goto out;
	find_strings(fp, h.str_len, names, offs, 2);
	if (!offs[0] || !offs[1] ||
	    fseek(fp, (long)h.hdr_len + h.type_off, SEEK_SET))
		goto out;
	for (pos = 0, end = h.type_len; pos < end; ) {
		if (!read_u32s(fp, t, 3))
			goto out;
		kind = (t[1] >> 24) & 0x1f;
		vlen = t[1] & 0xffff;
		pos += 12 + btf_extra(kind, vlen);
		if (kind != BTF_KIND_STRUCT || t[0] != offs[0]) {
			if (fseek(fp, btf_extra(kind, vlen), SEEK_CUR))
				goto out;
			continue;
		}
		for (i = 0; i < vlen && read_u32s(fp, m, 3); i++) {
			if (m[0] != offs[1])
				continue;
			/* kind_flag: bitfield size in the top 8 bits */
			if (t[1] >> 31)
				m[2] &= 0xffffff;
			if (!(m[2] & 7))
				ret = (int)(m[2] / 8);
			goto out;
		}
		goto out;
	}
out:
	fclose(fp);
	return ret;
}
