#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Hostile clients of gpu-protod's socket transport (issue 11's observation):
#   stall_clients.py SOCKET N
# opens N connections; each parks a blocking READ, then sends POLL
# requests and reads no reply, until the daemon takes no more from any of
# them.  Prints "stalled N" (flushed), then waits, still reading nothing,
# until the daemon has closed every connection (POLLHUP) and prints
# "disconnected N"; exits 1 if that has not happened within 60 s.  The
# flood itself also gives up after 60 s (a daemon that never pushes back
# must fail the test, not leave this process running).
# The wire format is <gpu-proto/gpu_proto_socket.h>'s: struct gpsock_hdr
# { u32 op, u32 flags, i64 value } in host order.
import select
import socket
import struct
import sys
import time

GPSOCK_OPENED, GPSOCK_READ, GPSOCK_POLL = 1, 3, 5


def hdr(op, flags=0, value=0):
    return struct.pack("=IIq", op, flags, value)


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    conns = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(path)
        op, _, value = struct.unpack("=IIq", s.recv(16))
        if op != GPSOCK_OPENED or value != 0:
            print(f"OPENED op {op} value {value}", flush=True)
            return 1
        s.send(hdr(GPSOCK_READ, 0, 4096))
        s.setblocking(False)
        conns.append(s)
    # Round after round, until no socket takes a request for 50 ms (one the
    # daemon has already cut off counts as stalled: it was).
    live = list(conns)
    more = True
    flood_deadline = time.monotonic() + 60
    while more and live:
        if time.monotonic() > flood_deadline:
            print(f"never stalled: {len(live)} connections still take requests", flush=True)
            return 1
        more = False
        for s in list(live):
            try:
                while True:
                    s.send(hdr(GPSOCK_POLL))
                    more = True
            except BlockingIOError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                live.remove(s)
        if not more and live:
            time.sleep(0.05)
            _, w, _ = select.select([], live, [], 0)
            more = bool(w)
    print(f"stalled {n}", flush=True)

    poller = select.poll()
    for s in conns:
        poller.register(s, 0)      # POLLHUP/POLLERR only: nothing is read
    left = {s.fileno() for s in conns}
    deadline = time.monotonic() + 60
    while left and time.monotonic() < deadline:
        for fd, ev in poller.poll(1000):
            if ev & (select.POLLHUP | select.POLLERR):
                left.discard(fd)
                poller.unregister(fd)
    if left:
        print(f"still connected: {len(left)}", flush=True)
        return 1
    print(f"disconnected {n}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
