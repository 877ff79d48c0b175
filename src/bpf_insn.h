/*
 * bpf_insn.h - one macro per eBPF instruction form, after the kernel's
 * filter.h: every operand explicit, in the order DST, SRC, OFF, IMM.
 */
#ifndef PLY_BPF_INSN_H
#define PLY_BPF_INSN_H

#include "bpf_abi.h"

#define BPF_RAW_INSN(CODE, DST, SRC, OFF, IMM)				\
	((struct bpf_insn){ .code = (CODE), .dst_reg = (DST),		\
			    .src_reg = (SRC), .off = (OFF), .imm = (IMM) })

/* dst op= src, dst op= imm: 64-bit ALU */
#define BPF_ALU64_REG(OP, D, S)	BPF_RAW_INSN(BPF_ALU64 | BPF_OP(OP) | BPF_X, D, S, 0, 0)
#define BPF_ALU64_IMM(OP, D, I)	BPF_RAW_INSN(BPF_ALU64 | BPF_OP(OP) | BPF_K, D, 0, 0, I)
/* the same on the low 32 bits, zero-extending the result */
#define BPF_ALU32_REG(OP, D, S)	BPF_RAW_INSN(BPF_ALU | BPF_OP(OP) | BPF_X, D, S, 0, 0)
#define BPF_ALU32_IMM(OP, D, I)	BPF_RAW_INSN(BPF_ALU | BPF_OP(OP) | BPF_K, D, 0, 0, I)

/* dst = src, dst = imm (sign-extended to 64 bits) */
#define BPF_MOV64_REG(D, S)	BPF_ALU64_REG(BPF_MOV, D, S)
#define BPF_MOV64_IMM(D, I)	BPF_ALU64_IMM(BPF_MOV, D, I)
/* dst = (u32)src */
#define BPF_MOV32_REG(D, S)	BPF_ALU32_REG(BPF_MOV, D, S)
/* dst = -dst */
#define BPF_NEG64(D)		BPF_RAW_INSN(BPF_ALU64 | BPF_NEG, D, 0, 0, 0)

/* dst = dst's low BITS bits in byte order ORDER (BPF_TO_LE, _BE) */
#define BPF_ENDIAN(ORDER, D, BITS) BPF_RAW_INSN(BPF_ALU | BPF_END | (ORDER), D, 0, 0, BITS)

/* dst = *(size *)(src + off) */
#define BPF_LDX_MEM(SZ, D, S, OFF) BPF_RAW_INSN(BPF_LDX | BPF_SIZE(SZ) | BPF_MEM, D, S, OFF, 0)
/* *(size *)(dst + off) = src */
#define BPF_STX_MEM(SZ, D, S, OFF) BPF_RAW_INSN(BPF_STX | BPF_SIZE(SZ) | BPF_MEM, D, S, OFF, 0)
/* *(size *)(dst + off) = imm */
#define BPF_ST_MEM(SZ, D, OFF, I) BPF_RAW_INSN(BPF_ST | BPF_SIZE(SZ) | BPF_MEM, D, 0, OFF, I)

/* ld_imm64 is two instructions: dst = imm64 (first half, second half) */
#define BPF_LD_IMM64_LO(D, SRC, I) BPF_RAW_INSN(BPF_LD | BPF_DW | BPF_IMM, D, SRC, 0, (int32_t)(I))
#define BPF_LD_IMM64_HI(I)	BPF_RAW_INSN(0, 0, 0, 0, (int32_t)((uint64_t)(I) >> 32))

/* if (dst op src/imm) goto pc + 1 + off */
#define BPF_JMP_REG(OP, D, S, OFF) BPF_RAW_INSN(BPF_JMP | BPF_OP(OP) | BPF_X, D, S, OFF, 0)
#define BPF_JMP_IMM(OP, D, I, OFF) BPF_RAW_INSN(BPF_JMP | BPF_OP(OP) | BPF_K, D, 0, OFF, I)
/* goto pc + 1 + off */
#define BPF_JMP_A(OFF)		BPF_RAW_INSN(BPF_JMP | BPF_JA, 0, 0, OFF, 0)

/* r0 = helper(r1, ..., r5) */
#define BPF_CALL_HELPER(FN)	BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, FN)
/* return r0 */
#define BPF_EXIT_INSN()		BPF_RAW_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* the size field for a 1, 2, 4 or 8 byte access */
static inline int bpf_size(int bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	default: return BPF_DW;
	}
}

#endif
