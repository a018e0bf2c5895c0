/* SPDX-License-Identifier: MIT */
/*
 * gpu_proto_cs.h - Mali CSF (v10) command-stream instruction encodings
 *
 * Copyright (c) the gpu-proto authors
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */

/*
 * A command stream is a sequence of 64-bit little-endian instructions the
 * GPU's command-stream frontend (CSF) executes from a queue's ring buffer or
 * from a buffer the ring CALLs.  Bits [63:56] are the opcode; the rest are
 * fields.  Register operands name 32-bit registers of the stream's register
 * file (96 on Mali-G610: DEV_QUERY CSIF_INFO's cs_reg_count); a 64-bit
 * operand is the register pair (n, n + 1), n even, low word in n.
 *
 * The opcodes and field positions are those of Mesa's public description of
 * the Mali v10 ("Valhall CSF") command stream, src/panfrost/lib/genxml/v10.xml
 * (structs "CS NOP" ... "CS SYNC_WAIT64", enum "CS Opcode"), and the
 * sequence Linux panthor emits in its ring (panthor_sched.c); the
 * encoders are written for this header.  docs/mock.md lists which of them
 * gpu-proto's mock executes and what they do there.
 */
#ifndef GPU_PROTO_CS_H
#define GPU_PROTO_CS_H

#include <stdbool.h>
#include <stdint.h>

/* Bytes of one instruction. */
#define GPU_PROTO_CS_INSTR_SIZE		8u

/* enum "CS Opcode". */
#define GPU_PROTO_CS_OP_NOP			0
#define GPU_PROTO_CS_OP_MOVE48			1
#define GPU_PROTO_CS_OP_MOVE32			2
#define GPU_PROTO_CS_OP_WAIT			3
#define GPU_PROTO_CS_OP_RUN_COMPUTE		4
#define GPU_PROTO_CS_OP_RUN_TILING		5
#define GPU_PROTO_CS_OP_RUN_IDVS		6
#define GPU_PROTO_CS_OP_RUN_FRAGMENT		7
#define GPU_PROTO_CS_OP_RUN_FULLSCREEN		8
#define GPU_PROTO_CS_OP_FINISH_TILING		9
#define GPU_PROTO_CS_OP_FINISH_FRAGMENT		11
#define GPU_PROTO_CS_OP_ADD_IMMEDIATE32		16
#define GPU_PROTO_CS_OP_ADD_IMMEDIATE64		17
#define GPU_PROTO_CS_OP_COMPARE_SELECT32	18
#define GPU_PROTO_CS_OP_LOAD_MULTIPLE		20
#define GPU_PROTO_CS_OP_STORE_MULTIPLE		21
#define GPU_PROTO_CS_OP_BRANCH			22
#define GPU_PROTO_CS_OP_SET_SB_ENTRY		23
#define GPU_PROTO_CS_OP_PROGRESS_WAIT		24
#define GPU_PROTO_CS_OP_SET_EXCEPTION_HANDLER	25
#define GPU_PROTO_CS_OP_CALL			32
#define GPU_PROTO_CS_OP_JUMP			33
#define GPU_PROTO_CS_OP_REQ_RESOURCE		34
#define GPU_PROTO_CS_OP_FLUSH_CACHE2		36
#define GPU_PROTO_CS_OP_SYNC_ADD32		37
#define GPU_PROTO_CS_OP_SYNC_SET32		38
#define GPU_PROTO_CS_OP_SYNC_WAIT32		39
#define GPU_PROTO_CS_OP_STORE_STATE		40
#define GPU_PROTO_CS_OP_PROT_REGION		41
#define GPU_PROTO_CS_OP_PROGRESS_STORE		42
#define GPU_PROTO_CS_OP_PROGRESS_LOAD		43
#define GPU_PROTO_CS_OP_RUN_COMPUTE_INDIRECT	44
#define GPU_PROTO_CS_OP_ERROR_BARRIER		47
#define GPU_PROTO_CS_OP_HEAP_SET		48
#define GPU_PROTO_CS_OP_HEAP_OPERATION		49
#define GPU_PROTO_CS_OP_TRACE_POINT		50
#define GPU_PROTO_CS_OP_SYNC_ADD64		51
#define GPU_PROTO_CS_OP_SYNC_SET64		52
#define GPU_PROTO_CS_OP_SYNC_WAIT64		53

/* enum "CS Condition": BRANCH compares a register with 0; SYNC_WAIT the memory word with a register. */
#define GPU_PROTO_CS_COND_LEQUAL	0
#define GPU_PROTO_CS_COND_GREATER	1
#define GPU_PROTO_CS_COND_EQUAL		2
#define GPU_PROTO_CS_COND_NEQUAL	3
#define GPU_PROTO_CS_COND_LESS		4
#define GPU_PROTO_CS_COND_GEQUAL	5
#define GPU_PROTO_CS_COND_ALWAYS	6

/* enum "CS Flush Mode" and "CS Other Flush Mode" (FLUSH_CACHE2). */
#define GPU_PROTO_CS_FLUSH_NONE			0
#define GPU_PROTO_CS_FLUSH_CLEAN		1
#define GPU_PROTO_CS_FLUSH_CLEAN_INVALIDATE	3
#define GPU_PROTO_CS_OTHER_FLUSH_NONE		0
#define GPU_PROTO_CS_OTHER_FLUSH_INVALIDATE	2

/* enum "CS Sync scope" (SYNC_ADD/SET). */
#define GPU_PROTO_CS_SCOPE_SYSTEM	0
#define GPU_PROTO_CS_SCOPE_CSG		2

/* enum "CS State" (STORE_STATE). */
#define GPU_PROTO_CS_STATE_TIMESTAMP	0
#define GPU_PROTO_CS_STATE_CYCLE_COUNT	1

/* --- field extraction, for a decoder --- */

#define GPU_PROTO_CS_OPCODE(i)		((unsigned int)((i) >> 56) & 0xffu)
#define GPU_PROTO_CS_BITS(i, start, size) \
	((uint64_t)(i) >> (start) & ((1ull << (size)) - 1))
/* The fields most instructions share, by their position. */
#define GPU_PROTO_CS_DST(i)		((unsigned int)GPU_PROTO_CS_BITS(i, 48, 8))	/* Destination, Base register */
#define GPU_PROTO_CS_SRC(i)		((unsigned int)GPU_PROTO_CS_BITS(i, 40, 8))	/* Source, Address, Value */
#define GPU_PROTO_CS_SRC1(i)		((unsigned int)GPU_PROTO_CS_BITS(i, 32, 8))	/* Data, Length */
#define GPU_PROTO_CS_IMM48(i)		GPU_PROTO_CS_BITS(i, 0, 48)
#define GPU_PROTO_CS_IMM32(i)		((uint32_t)GPU_PROTO_CS_BITS(i, 0, 32))
#define GPU_PROTO_CS_OFFSET16(i)	((int16_t)(uint16_t)GPU_PROTO_CS_BITS(i, 0, 16))
#define GPU_PROTO_CS_MASK16(i)		((uint16_t)GPU_PROTO_CS_BITS(i, 16, 16))	/* Mask, Wait mask */
#define GPU_PROTO_CS_COND(i)		((unsigned int)GPU_PROTO_CS_BITS(i, 28, 4))	/* Condition (BRANCH: 3 bits) */
#define GPU_PROTO_CS_SIGNAL_SLOT(i)	((unsigned int)GPU_PROTO_CS_BITS(i, 48, 4))
#define GPU_PROTO_CS_ERR_PROPAGATE(i)	((bool)GPU_PROTO_CS_BITS(i, 0, 1))	/* SYNC_ADD/SET; SYNC_WAIT: error reject */
#define GPU_PROTO_CS_SCOPE(i)		((unsigned int)GPU_PROTO_CS_BITS(i, 1, 2))

static inline uint64_t gpu_proto_cs_op(unsigned int opcode)
{
	return (uint64_t)(opcode & 0xffu) << 56;
}

static inline uint64_t gpu_proto_cs_reg(unsigned int reg, unsigned int start)
{
	return (uint64_t)(reg & 0xffu) << start;
}

/* --- encoders, one per instruction --- */

/* NOP. */
static inline uint64_t gpu_proto_cs_nop(void)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_NOP);
}

/* MOVE48: registers (@reg, @reg + 1) = @imm (48 bits, zero-extended). */
static inline uint64_t gpu_proto_cs_move48(unsigned int reg, uint64_t imm)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_MOVE48) | gpu_proto_cs_reg(reg, 48) |
	       (imm & 0xffffffffffffull);
}

/* MOVE32: register @reg = @imm. */
static inline uint64_t gpu_proto_cs_move32(unsigned int reg, uint32_t imm)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_MOVE32) | gpu_proto_cs_reg(reg, 48) | imm;
}

/* WAIT: until the scoreboard slots in @sb_mask are done. */
static inline uint64_t gpu_proto_cs_wait(uint16_t sb_mask, bool progress_inc)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_WAIT) | (uint64_t)sb_mask << 16 |
	       (uint64_t)progress_inc << 32;
}

/* ADD_IMMEDIATE32: @dst = @src + @imm (32-bit, wrapping). */
static inline uint64_t gpu_proto_cs_add_imm32(unsigned int dst, unsigned int src, int32_t imm)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_ADD_IMMEDIATE32) | gpu_proto_cs_reg(dst, 48) |
	       gpu_proto_cs_reg(src, 40) | (uint32_t)imm;
}

/* ADD_IMMEDIATE64: pair @dst = pair @src + @imm sign-extended to 64 bits. */
static inline uint64_t gpu_proto_cs_add_imm64(unsigned int dst, unsigned int src, int32_t imm)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_ADD_IMMEDIATE64) | gpu_proto_cs_reg(dst, 48) |
	       gpu_proto_cs_reg(src, 40) | (uint32_t)imm;
}

/*
 * LOAD_MULTIPLE: for each bit i of @mask, register @base + i = the 32-bit
 * word at (pair @addr) + @offset + 4 * i.
 */
static inline uint64_t gpu_proto_cs_load_multiple(unsigned int base, unsigned int addr,
						   uint16_t mask, int16_t offset)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_LOAD_MULTIPLE) | gpu_proto_cs_reg(base, 48) |
	       gpu_proto_cs_reg(addr, 40) | (uint64_t)mask << 16 | (uint16_t)offset;
}

/* STORE_MULTIPLE: the reverse of LOAD_MULTIPLE. */
static inline uint64_t gpu_proto_cs_store_multiple(unsigned int base, unsigned int addr,
						    uint16_t mask, int16_t offset)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_STORE_MULTIPLE) | gpu_proto_cs_reg(base, 48) |
	       gpu_proto_cs_reg(addr, 40) | (uint64_t)mask << 16 | (uint16_t)offset;
}

/*
 * BRANCH: if register @reg compared with 0 satisfies @cond, skip @offset
 * instructions (signed) counted from the next one.
 */
static inline uint64_t gpu_proto_cs_branch(unsigned int reg, unsigned int cond, int16_t offset)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_BRANCH) | gpu_proto_cs_reg(reg, 40) |
	       (uint64_t)(cond & 0x7u) << 28 | (uint16_t)offset;
}

/*
 * CALL: run the buffer at pair @addr of (register @len) bytes, then come
 * back to the next instruction.
 */
static inline uint64_t gpu_proto_cs_call(unsigned int addr, unsigned int len)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_CALL) | gpu_proto_cs_reg(addr, 40) |
	       gpu_proto_cs_reg(len, 32);
}

/* JUMP: continue in the buffer at pair @addr of (register @len) bytes, not coming back. */
static inline uint64_t gpu_proto_cs_jump(unsigned int addr, unsigned int len)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_JUMP) | gpu_proto_cs_reg(addr, 40) |
	       gpu_proto_cs_reg(len, 32);
}

/*
 * FLUSH_CACHE2: flush the L2 and load/store caches per @l2/@lsc (CS Flush
 * Mode), @other (CS Other Flush Mode); register @flush_id holds the flush
 * ID the flush may be skipped at; @wait_mask: scoreboards to wait for;
 * @signal_slot: the scoreboard the flush completes on.
 */
static inline uint64_t gpu_proto_cs_flush_cache2(unsigned int l2, unsigned int lsc,
						  unsigned int other, unsigned int flush_id,
						  uint16_t wait_mask, unsigned int signal_slot)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_FLUSH_CACHE2) |
	       (uint64_t)(signal_slot & 0xfu) << 48 | gpu_proto_cs_reg(flush_id, 40) |
	       (uint64_t)wait_mask << 16 | (other & 0xfu) << 8 | (lsc & 0xfu) << 4 | (l2 & 0xfu);
}

/* The SYNC_ADD/SET family: (pair @addr)'s 32/64-bit word op= register (pair) @data. */
static inline uint64_t gpu_proto_cs_sync_op(unsigned int opcode, unsigned int addr,
					     unsigned int data, unsigned int scope,
					     bool err_propagate, uint16_t wait_mask,
					     unsigned int signal_slot)
{
	return gpu_proto_cs_op(opcode) | (uint64_t)(signal_slot & 0xfu) << 48 |
	       gpu_proto_cs_reg(addr, 40) | gpu_proto_cs_reg(data, 32) |
	       (uint64_t)wait_mask << 16 | (uint64_t)(scope & 0x3u) << 1 |
	       (uint64_t)err_propagate;
}

static inline uint64_t gpu_proto_cs_sync_add32(unsigned int addr, unsigned int data)
{
	return gpu_proto_cs_sync_op(GPU_PROTO_CS_OP_SYNC_ADD32, addr, data,
				    GPU_PROTO_CS_SCOPE_SYSTEM, false, 0, 0);
}

static inline uint64_t gpu_proto_cs_sync_add64(unsigned int addr, unsigned int data)
{
	return gpu_proto_cs_sync_op(GPU_PROTO_CS_OP_SYNC_ADD64, addr, data,
				    GPU_PROTO_CS_SCOPE_SYSTEM, false, 0, 0);
}

static inline uint64_t gpu_proto_cs_sync_set32(unsigned int addr, unsigned int data)
{
	return gpu_proto_cs_sync_op(GPU_PROTO_CS_OP_SYNC_SET32, addr, data,
				    GPU_PROTO_CS_SCOPE_SYSTEM, false, 0, 0);
}

static inline uint64_t gpu_proto_cs_sync_set64(unsigned int addr, unsigned int data)
{
	return gpu_proto_cs_sync_op(GPU_PROTO_CS_OP_SYNC_SET64, addr, data,
				    GPU_PROTO_CS_SCOPE_SYSTEM, false, 0, 0);
}

/*
 * SYNC_WAIT32/64: block until (pair @addr)'s word, compared with register
 * (pair) @data, satisfies @cond: GPU_PROTO_CS_COND_GREATER (word > data)
 * or GPU_PROTO_CS_COND_LEQUAL (word <= data), the two panthor decodes.
 */
static inline uint64_t gpu_proto_cs_sync_wait(unsigned int opcode, unsigned int addr,
					       unsigned int data, unsigned int cond,
					       bool err_reject)
{
	return gpu_proto_cs_op(opcode) | gpu_proto_cs_reg(addr, 40) |
	       gpu_proto_cs_reg(data, 32) | (uint64_t)(cond & 0xfu) << 28 |
	       (uint64_t)err_reject;
}

static inline uint64_t gpu_proto_cs_sync_wait32(unsigned int addr, unsigned int data,
						 unsigned int cond)
{
	return gpu_proto_cs_sync_wait(GPU_PROTO_CS_OP_SYNC_WAIT32, addr, data, cond, false);
}

static inline uint64_t gpu_proto_cs_sync_wait64(unsigned int addr, unsigned int data,
						 unsigned int cond)
{
	return gpu_proto_cs_sync_wait(GPU_PROTO_CS_OP_SYNC_WAIT64, addr, data, cond, false);
}

/* STORE_STATE: the 64-bit @state (CS State) to (pair @addr) + @offset. */
static inline uint64_t gpu_proto_cs_store_state(unsigned int addr, int16_t offset,
						 unsigned int state, uint16_t wait_mask,
						 unsigned int signal_slot)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_STORE_STATE) |
	       (uint64_t)(signal_slot & 0xfu) << 48 | gpu_proto_cs_reg(addr, 40) |
	       (uint64_t)(state & 0x3u) << 32 | (uint64_t)wait_mask << 16 | (uint16_t)offset;
}

/* ERROR_BARRIER: errors of the instructions before it are reported before it completes. */
static inline uint64_t gpu_proto_cs_error_barrier(void)
{
	return gpu_proto_cs_op(GPU_PROTO_CS_OP_ERROR_BARRIER);
}

#endif /* GPU_PROTO_CS_H */
