#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write fuzz_socket's seed corpus: python3 fuzz/gen_socket_seeds.py fuzz/corpus/socket

Each seed is a program in fuzz_socket.c's input format: an opcode byte and
its operands.  Together they cover every message of the wire protocol, the
malformed cases docs/socket-transport.md lists, and a revoke mid-sequence.
"""
import os
import struct
import sys

(RAW, IOCTL, ROUNDS, READ, CANCEL, POLL, SYNC, IRQ, REVOKE, REBIND, BIG,
 EMPTY) = range(12)
# fz_cmds[] indices
GET_CAP, VERSION, GET_UNIQUE, DEV_QUERY, FLUSH_CACHES = range(5)
# fz_read_size() indices
SIZE_4096, SIZE_0, SIZE_MINUS_1, SIZE_MIN = 0, 1, 7, 8
# struct gpu_proto_get_cap {capability = DRM_CAP_TIMESTAMP_MONOTONIC, value}
GET_CAP_ARG = struct.pack('<QQ', 0x6, 0)


def rounds(cmd, deltas=((0, 0),) * 4, data=b''):
    """An ioctl round by round; per round a (d_in, d_out) pair, then its IN bytes."""
    b = bytes([ROUNDS, cmd, 0])
    for i, (d_in, d_out) in enumerate(deltas):
        b += struct.pack('bb', d_in, d_out)
        if i:
            b += data
    return b


def hdr(op, flags=0, value=0):
    return struct.pack('<IIq', op, flags, value)


SEEDS = {
    'get-cap-rounds': rounds(GET_CAP, data=GET_CAP_ARG) + bytes([SYNC]),
    'version-rounds': rounds(VERSION) + bytes([SYNC]),
    'dev-query-rounds': rounds(DEV_QUERY) + bytes([SYNC]),
    'flush-event-read': rounds(FLUSH_CACHES) +
        bytes([IRQ, SYNC, IRQ, READ, 0, SIZE_4096, SYNC, IRQ]),
    'retry-too-few-bytes': rounds(GET_CAP, ((0, 0), (-8, 0), (0, -1), (0, 0)), GET_CAP_ARG) +
        bytes([SYNC]),
    'retry-too-many-bytes': rounds(GET_CAP, ((0, 0), (24, 100), (0, 0), (0, 0)),
                                   GET_CAP_ARG + b'\0' * 40) + bytes([SYNC]),
    'short-header': bytes([RAW, 8]) + b'\x02' * 8 + bytes([RAW, 15]) + b'\x02' * 15 +
        bytes([SYNC]),
    'unknown-op': bytes([RAW, 16]) + hdr(99) + bytes([RAW, 16]) + hdr(16) +
        bytes([RAW, 16]) + hdr(0xffffffff),
    'ioctl-short': bytes([RAW, 24]) + hdr(2) + b'\0' * 8,
    'ioctl-in-len-lie': bytes([IOCTL, GET_CAP, 0, 1]) + struct.pack('<H', 16) +
        bytes([16, 0, 0]) + struct.pack('<I', 0xffffffff) + GET_CAP_ARG,
    'ioctl-out-len-huge': bytes([IOCTL, GET_CAP, 0, 8]) + struct.pack('<H', 16) +
        bytes([0xff, 0xff, 0xff]) + GET_CAP_ARG,
    'read-park-cancel': bytes([READ, 0, SIZE_4096, POLL, 1, SYNC, CANCEL, SYNC]),
    'regression-socket-negative-read': bytes([READ, 0, SIZE_MINUS_1, READ, 1, SIZE_MIN, SYNC]),
    'read-nonblock': bytes([READ, 1, SIZE_4096, READ, 1, SIZE_0, SYNC]),
    'cancel-nothing-parked': bytes([CANCEL, CANCEL, POLL, 0, SYNC]),
    'revoke-mid-sequence': bytes([READ, 0, SIZE_4096, POLL, 1]) +
        rounds(GET_CAP, ((0, 0),)) + bytes([REVOKE]) + rounds(GET_CAP) +
        bytes([READ, 1, SIZE_4096, POLL, 0, SYNC, REBIND]),
    'revoke-mid-retry': rounds(DEV_QUERY, ((0, 0), (0, 0))) + bytes([REVOKE, SYNC]) +
        rounds(DEV_QUERY) + bytes([REBIND, SYNC]),
    'big-message': bytes([BIG, 1, 0, 0, BIG, 0, 0, 0, BIG, 255, 0, 0, SYNC]),
    'regression-socket-empty-packet': bytes([EMPTY, EMPTY, SYNC]),
    'interleaved': bytes([READ, 0, SIZE_4096]) + rounds(FLUSH_CACHES) +
        bytes([POLL, 1, IRQ, READ, 1, SIZE_4096, CANCEL, IRQ, POLL, 0]) +
        rounds(GET_CAP) + bytes([SYNC]),
}

if __name__ == '__main__':
    out = sys.argv[1] if len(sys.argv) > 1 else 'fuzz/corpus/socket'
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
